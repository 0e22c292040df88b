//! Exports of the graph as JSON, CSV, GraphML and DOT; nodes are keyed by pseudonym, never by id.

use crate::escape;
use crate::graph::{IndexedEdge, ReferralGraph};
use crate::model::{CampaignId, PersonId};
use serde_json::json;
use std::fmt::Write as _;

/// A node as exported: its pseudonymous key and the label to show.
pub(crate) struct ExportNode {
    pub(crate) index: u32,
    pub(crate) key: String,
    pub(crate) label: String,
}

impl ReferralGraph {
    /// Nodes and edges of the whole graph or one campaign, with labels resolved.
    ///
    /// `labels` is asked only about people who are not erased, and its answer is used as is
    /// (after escaping): first names where the colleague agreed, `None` otherwise, in which case
    /// the pseudonym stands in. Erased people always show their pseudonym.
    pub(crate) fn export_view<L>(
        &self,
        campaign: Option<CampaignId>,
        labels: L,
    ) -> (Vec<ExportNode>, Vec<&IndexedEdge>)
    where
        L: Fn(PersonId) -> Option<String>,
    {
        let edges: Vec<&IndexedEdge> = self
            .edges
            .iter()
            .filter(|e| campaign.is_none_or(|c| e.campaign == c))
            .collect();
        let mut used = vec![false; self.node_count()];
        for e in &edges {
            used[e.src as usize] = true;
            used[e.dst as usize] = true;
        }
        let mut shown: Vec<u32> = (0..self.node_count() as u32)
            .filter(|&v| used[v as usize])
            .collect();
        shown.sort_unstable_by_key(|&v| self.first_seen[v as usize]);
        let nodes = shown
            .into_iter()
            .map(|v| {
                let key = self.pseudonym(v);
                let given = if self.facts[v as usize].erased {
                    None
                } else {
                    labels(self.ids[v as usize])
                };
                let label = given
                    .filter(|l| !l.trim().is_empty())
                    .unwrap_or_else(|| key.clone());
                ExportNode {
                    index: v,
                    key,
                    label,
                }
            })
            .collect();
        (nodes, edges)
    }

    /// JSON `{"nodes":[{"key","label"}],"edges":[{"campaign","referrer","referee","confirmed_at"}]}`,
    /// edges referring to node keys.
    pub fn to_json<L>(&self, campaign: Option<CampaignId>, labels: L) -> String
    where
        L: Fn(PersonId) -> Option<String>,
    {
        let (nodes, edges) = self.export_view(campaign, labels);
        let nodes: Vec<_> = nodes
            .iter()
            .map(|n| json!({"key": n.key, "label": n.label}))
            .collect();
        let edges: Vec<_> = edges
            .iter()
            .map(|e| {
                json!({
                    "campaign": e.campaign.0,
                    "referrer": self.pseudonym(e.src),
                    "referee": self.pseudonym(e.dst),
                    "confirmed_at": e.confirmed_at,
                })
            })
            .collect();
        json!({"nodes": nodes, "edges": edges}).to_string()
    }

    /// CSV with header `campaign,referrer,referee,confirmed_at`; people appear by label.
    pub fn to_csv<L>(&self, campaign: Option<CampaignId>, labels: L) -> String
    where
        L: Fn(PersonId) -> Option<String>,
    {
        let (nodes, edges) = self.export_view(campaign, labels);
        let label = label_lookup(&nodes);
        let mut out = String::from("campaign,referrer,referee,confirmed_at\r\n");
        for e in edges {
            let _ = write!(
                out,
                "{},{},{},{}\r\n",
                e.campaign,
                escape::csv_cell(label(e.src)),
                escape::csv_cell(label(e.dst)),
                e.confirmed_at
            );
        }
        out
    }

    /// GraphML (directed), with a `label` on nodes and `campaign`, `confirmed_at` on edges.
    pub fn to_graphml<L>(&self, campaign: Option<CampaignId>, labels: L) -> String
    where
        L: Fn(PersonId) -> Option<String>,
    {
        let (nodes, edges) = self.export_view(campaign, labels);
        let mut out = String::from(concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
            "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n",
            "  <key id=\"campaign\" for=\"edge\" attr.name=\"campaign\" attr.type=\"long\"/>\n",
            "  <key id=\"confirmed_at\" for=\"edge\" attr.name=\"confirmed_at\" attr.type=\"long\"/>\n",
            "  <graph id=\"referrals\" edgedefault=\"directed\">\n",
        ));
        for n in &nodes {
            let _ = writeln!(
                out,
                "    <node id=\"{}\"><data key=\"label\">{}</data></node>",
                n.key,
                escape::xml(&n.label)
            );
        }
        for e in edges {
            let _ = writeln!(
                out,
                "    <edge source=\"{}\" target=\"{}\"><data key=\"campaign\">{}</data><data key=\"confirmed_at\">{}</data></edge>",
                self.pseudonym(e.src),
                self.pseudonym(e.dst),
                e.campaign,
                e.confirmed_at
            );
        }
        out.push_str("  </graph>\n</graphml>\n");
        out
    }

    /// Graphviz DOT digraph; every identifier and label is a quoted, escaped string.
    pub fn to_dot<L>(&self, campaign: Option<CampaignId>, labels: L) -> String
    where
        L: Fn(PersonId) -> Option<String>,
    {
        let (nodes, edges) = self.export_view(campaign, labels);
        let mut out = String::from("digraph referrals {\n");
        for n in &nodes {
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}\"];",
                n.key,
                escape::dot(&n.label)
            );
        }
        for e in edges {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [campaign=\"{}\", confirmed_at=\"{}\"];",
                self.pseudonym(e.src),
                self.pseudonym(e.dst),
                e.campaign,
                e.confirmed_at
            );
        }
        out.push_str("}\n");
        out
    }
}

/// Label of a node index among exported nodes.
pub(crate) fn label_lookup<'a>(nodes: &'a [ExportNode]) -> impl Fn(u32) -> &'a str {
    let mut by_index: Vec<(u32, &'a str)> =
        nodes.iter().map(|n| (n.index, n.label.as_str())).collect();
    by_index.sort_unstable_by_key(|&(v, _)| v);
    move |v| match by_index.binary_search_by_key(&v, |&(i, _)| i) {
        Ok(i) => by_index[i].1,
        Err(_) => "",
    }
}
