//! Per-person facts in node order, and the per-edge flags derived from the referee's facts.

use crate::graph::{GraphError, IndexedEdge, offsets, to_u32};
use crate::model::{CampaignId, PersonFacts};

/// The referee attended the edge's campaign.
pub(crate) const ATTENDED: u8 = 1;
/// The referee first volunteered in the edge's campaign.
pub(crate) const FIRST_TIME: u8 = 2;
/// The referee attended a campaign later than the edge's.
pub(crate) const CAME_BACK: u8 = 4;
/// The referee opted in as an ambassador after the edge was confirmed.
pub(crate) const BECAME_AMBASSADOR: u8 = 8;

/// Per-node facts, indexed like nodes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NodeFacts {
    /// Earliest of the declared first campaign and the attended ones.
    pub(crate) first_volunteered: Option<CampaignId>,
    pub(crate) ambassador_since: Option<i64>,
    pub(crate) leaderboard_opt_in: bool,
    pub(crate) erased: bool,
}

/// Facts of every node, with the campaigns each attended (CSR, sorted), used while building.
pub(crate) struct People {
    pub(crate) facts: Vec<NodeFacts>,
    attended_offsets: Vec<u32>,
    attended: Vec<CampaignId>,
}

impl People {
    /// Facts for each node from the entry given for it, if any.
    pub(crate) fn new(given: &[Option<&PersonFacts>]) -> Result<Self, GraphError> {
        let mut facts = vec![NodeFacts::default(); given.len()];
        let mut attended = Vec::new();
        let mut lengths = Vec::with_capacity(given.len());
        let mut scratch: Vec<CampaignId> = Vec::new();
        for (fact, entry) in facts.iter_mut().zip(given) {
            let start = attended.len();
            if let Some(p) = entry {
                scratch.clear();
                scratch.extend_from_slice(&p.attended);
                scratch.sort_unstable();
                scratch.dedup();
                attended.extend_from_slice(&scratch);
                let earliest_attended = scratch.first().copied();
                *fact = NodeFacts {
                    first_volunteered: match (p.first_volunteered, earliest_attended) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    },
                    ambassador_since: p.ambassador_since,
                    leaderboard_opt_in: p.leaderboard_opt_in,
                    erased: p.erased,
                };
            }
            lengths.push(attended.len() - start);
        }
        to_u32(attended.len())?;
        Ok(Self {
            facts,
            attended_offsets: offsets(lengths.into_iter(), given.len())?,
            attended,
        })
    }

    /// What figures need to know about an edge's referee, settled once per edge so that
    /// per-ambassador passes never look the referee up.
    pub(crate) fn flags(&self, e: &IndexedEdge) -> u8 {
        let v = e.dst as usize;
        let referee = &self.facts[v];
        let campaigns = &self.attended
            [self.attended_offsets[v] as usize..self.attended_offsets[v + 1] as usize];
        let mut flags = 0;
        if campaigns.binary_search(&e.campaign).is_ok() {
            flags |= ATTENDED;
        }
        if referee.first_volunteered == Some(e.campaign) {
            flags |= FIRST_TIME;
        }
        if campaigns.last().is_some_and(|&last| last > e.campaign) {
            flags |= CAME_BACK;
        }
        if referee
            .ambassador_since
            .is_some_and(|since| since > e.confirmed_at)
        {
            flags |= BECAME_AMBASSADOR;
        }
        flags
    }
}
