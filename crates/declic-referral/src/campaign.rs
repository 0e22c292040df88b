//! One campaign's referral forest: generations, in-campaign reach, and organisation-level figures.

use crate::graph::ReferralGraph;
use crate::model::CampaignId;
use serde::{Deserialize, Serialize};

/// Figures of one campaign for the organisation's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignFigures {
    /// The campaign.
    pub campaign: CampaignId,
    /// Distinct colleagues brought in through an ambassador's link.
    pub recruits: u32,
    /// Ambassadors who brought in at least one colleague in this campaign.
    pub active_ambassadors: u32,
    /// Recruits per active ambassador: how many colleagues each ambassador who shared brought in.
    pub viral_coefficient: f64,
    /// Recruits volunteering for the first time in this campaign.
    pub first_time_volunteers: u32,
    /// Generations of recruits within the campaign (A→B→C is 2).
    pub generations: u32,
}

/// A campaign's nodes laid out by generation: the shared ground of figures and the SVG drawing.
pub(crate) struct CampaignLayout {
    /// Graph indexes of the campaign's people, ascending.
    pub(crate) nodes: Vec<u32>,
    /// Edges as positions in `nodes`.
    pub(crate) edges: Vec<(u32, u32)>,
    /// Generation of each node: 0 for those nobody referred within the campaign.
    pub(crate) generation: Vec<u32>,
    /// People each node brought in within the campaign, across generations.
    pub(crate) reach: Vec<u32>,
    /// The node that discovered each one in the layering search, if any.
    pub(crate) parent: Vec<Option<u32>>,
}

impl CampaignLayout {
    /// Lays out `campaign`. Within a campaign attribution guarantees a forest (one referrer per
    /// referee, no loop); should stored data break that, nodes are layered by a search from the
    /// roots and reach follows the search tree, which stays finite and ancestor-ordered.
    pub(crate) fn new(g: &ReferralGraph, campaign: CampaignId) -> Self {
        let raw: Vec<(u32, u32)> = g
            .edges
            .iter()
            .filter(|e| e.campaign == campaign)
            .map(|e| (e.src, e.dst))
            .collect();
        let mut nodes: Vec<u32> = raw.iter().flat_map(|&(a, b)| [a, b]).collect();
        nodes.sort_unstable();
        nodes.dedup();
        let local = |v: u32| nodes.binary_search(&v).unwrap_or(0) as u32;
        let mut edges: Vec<(u32, u32)> = raw.iter().map(|&(a, b)| (local(a), local(b))).collect();
        edges.sort_unstable();
        let n = nodes.len();
        let mut has_parent = vec![false; n];
        for &(_, b) in &edges {
            has_parent[b as usize] = true;
        }
        let mut generation = vec![u32::MAX; n];
        let mut parent = vec![None; n];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        // Roots first, then (only with looping data) any node left unreached, in index order.
        let seeds = (0..n).filter(|&i| !has_parent[i]).chain(0..n);
        for seed in seeds {
            if generation[seed] != u32::MAX {
                continue;
            }
            generation[seed] = 0;
            let mut head = order.len();
            order.push(seed as u32);
            while let Some(&v) = order.get(head) {
                head += 1;
                let start = edges.partition_point(|&(a, _)| a < v);
                for &(_, c) in edges[start..].iter().take_while(|&&(a, _)| a == v) {
                    if generation[c as usize] == u32::MAX {
                        generation[c as usize] = generation[v as usize] + 1;
                        parent[c as usize] = Some(v);
                        order.push(c);
                    }
                }
            }
        }
        let mut reach = vec![0u32; n];
        for &v in order.iter().rev() {
            if let Some(p) = parent[v as usize] {
                reach[p as usize] += 1 + reach[v as usize];
            }
        }
        Self {
            nodes,
            edges,
            generation,
            reach,
            parent,
        }
    }
}

impl ReferralGraph {
    /// Figures of every campaign that has referrals, in campaign order.
    pub fn campaign_figures(&self) -> Vec<CampaignFigures> {
        self.campaigns()
            .into_iter()
            .map(|c| self.figures_of_campaign(c))
            .collect()
    }

    /// Figures of one campaign (zeros if it has no referral).
    pub fn figures_of_campaign(&self, campaign: CampaignId) -> CampaignFigures {
        let layout = CampaignLayout::new(self, campaign);
        let mut referrers: Vec<u32> = layout.edges.iter().map(|&(a, _)| a).collect();
        referrers.dedup(); // edges are sorted by referrer
        let mut referees: Vec<u32> = layout.edges.iter().map(|&(_, b)| b).collect();
        referees.sort_unstable();
        referees.dedup();
        let first_time = referees
            .iter()
            .filter(|&&i| {
                self.facts[layout.nodes[i as usize] as usize].first_volunteered == Some(campaign)
            })
            .count();
        let recruits = referees.len() as u32;
        let active = referrers.len() as u32;
        CampaignFigures {
            campaign,
            recruits,
            active_ambassadors: active,
            viral_coefficient: if active == 0 {
                0.0
            } else {
                f64::from(recruits) / f64::from(active)
            },
            first_time_volunteers: first_time as u32,
            generations: layout.generation.iter().copied().max().unwrap_or(0),
        }
    }
}
