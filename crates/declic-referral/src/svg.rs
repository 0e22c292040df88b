//! SVG drawing of one campaign's referrals for the HR report: a layered, deterministic layout.

use crate::campaign::CampaignLayout;
use crate::escape;
use crate::export::label_lookup;
use crate::graph::ReferralGraph;
use crate::model::{CampaignId, PersonId};
use std::fmt::Write as _;

/// Most people drawn; beyond it the drawing keeps those with the largest in-campaign reach.
pub const MAX_SVG_NODES: usize = 500;

const RADIUS: u32 = 14;
const DX: u32 = 90;
const DY: u32 = 80;
const MARGIN: u32 = 40;
const LABEL_CHARS: usize = 16;

impl ReferralGraph {
    /// One campaign drawn as generations top to bottom (referrers above their referees).
    ///
    /// Labels follow the rules of [`ReferralGraph::to_json`] and are escaped. Above
    /// [`MAX_SVG_NODES`] people, the top ones by in-campaign reach are drawn (ancestors always
    /// outrank their recruits, so every drawn node hangs from drawn ones) and a "+N more" note
    /// says how many were left out. The same input always gives the same bytes.
    pub fn to_svg<L>(&self, campaign: CampaignId, labels: L) -> String
    where
        L: Fn(PersonId) -> Option<String>,
    {
        let layout = CampaignLayout::new(self, campaign);
        let (nodes, _) = self.export_view(Some(campaign), labels);
        let label = label_lookup(&nodes);
        let n = layout.nodes.len();

        let mut by_rank: Vec<u32> = (0..n as u32).collect();
        by_rank.sort_by_key(|&i| {
            (
                u32::MAX - layout.reach[i as usize],
                layout.generation[i as usize],
                i,
            )
        });
        let mut shown = vec![false; n];
        for &i in by_rank.iter().take(MAX_SVG_NODES) {
            shown[i as usize] = true;
        }
        let hidden = n.saturating_sub(MAX_SVG_NODES);

        // Order each generation under its referrers so lines cross little: by the parent's
        // slot in the generation above, then by index.
        let generations = layout
            .generation
            .iter()
            .copied()
            .filter(|&g| g != u32::MAX)
            .max()
            .map_or(0, |g| g + 1);
        let mut slot = vec![0u32; n];
        let mut widest = 0u32;
        for g in 0..generations {
            let mut layer: Vec<u32> = (0..n as u32)
                .filter(|&i| shown[i as usize] && layout.generation[i as usize] == g)
                .collect();
            layer.sort_by_key(|&i| (layout.parent[i as usize].map_or(0, |p| slot[p as usize]), i));
            for (pos, &i) in layer.iter().enumerate() {
                slot[i as usize] = pos as u32;
            }
            widest = widest.max(layer.len() as u32);
        }
        let at = |i: u32| {
            (
                MARGIN + slot[i as usize] * DX + DX / 2,
                MARGIN + layout.generation[i as usize] * DY + RADIUS,
            )
        };

        let width = 2 * MARGIN + widest.max(3) * DX;
        let height = 2 * MARGIN + generations.max(1) * DY + 30;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">"
        );
        let title = format!(
            "Campaign {campaign}: {n} people, {} referrals",
            layout.edges.len()
        );
        let _ = writeln!(out, "  <title>{}</title>", escape::xml(&title));
        let _ = writeln!(
            out,
            "  <g stroke=\"#888\" stroke-width=\"1.5\" fill=\"none\">"
        );
        for &(a, b) in layout
            .edges
            .iter()
            .filter(|&&(a, b)| shown[a as usize] && shown[b as usize])
        {
            let ((x1, y1), (x2, y2)) = (at(a), at(b));
            let _ = writeln!(
                out,
                "    <line x1=\"{x1}\" y1=\"{}\" x2=\"{x2}\" y2=\"{}\"/>",
                y1 + RADIUS,
                y2 - RADIUS
            );
        }
        out.push_str("  </g>\n  <g text-anchor=\"middle\">\n");
        for i in (0..n as u32).filter(|&i| shown[i as usize]) {
            let (x, y) = at(i);
            let full = label(layout.nodes[i as usize]);
            let _ = writeln!(
                out,
                "    <g><title>{}</title><circle cx=\"{x}\" cy=\"{y}\" r=\"{RADIUS}\" fill=\"#4a90d9\"/><text x=\"{x}\" y=\"{}\">{}</text></g>",
                escape::xml(full),
                y + RADIUS + 13,
                escape::xml(&escape::truncate(full, LABEL_CHARS))
            );
        }
        out.push_str("  </g>\n");
        if hidden > 0 {
            let _ = writeln!(
                out,
                "  <text x=\"{MARGIN}\" y=\"{}\">+{hidden} more</text>",
                height - 12
            );
        }
        if n == 0 {
            let _ = writeln!(
                out,
                "  <text x=\"{MARGIN}\" y=\"{}\">No referral in this campaign</text>",
                MARGIN + 20
            );
        }
        out.push_str("</svg>\n");
        out
    }
}
