//! Per-ambassador figures: recruits, reach, depth, conversion and what recruits did next.

use crate::graph::ReferralGraph;
use crate::model::{CampaignId, PersonId};
use crate::people::{ATTENDED, BECAME_AMBASSADOR, CAME_BACK, FIRST_TIME};
use crate::reach::Bfs;
use crate::scc::ClosedMemo;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Link visits per ambassador, counted elsewhere without recording who visited.
pub type Visits = HashMap<PersonId, u64>;

/// The funnel of one ambassador's links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Conversion {
    /// Link visits, when the caller supplied them.
    pub visits: Option<u64>,
    /// Confirmed registrations credited to the ambassador (one per recruit and campaign).
    pub confirmed: u32,
    /// Of those, registrations whose campaign the recruit attended.
    pub attended: u32,
}

impl Conversion {
    /// Confirmed per visit, if visits are known and non-zero.
    pub fn confirmed_rate(&self) -> Option<f64> {
        self.visits
            .filter(|&v| v > 0)
            .map(|v| f64::from(self.confirmed) / v as f64)
    }

    /// Attended per confirmed, if any were confirmed.
    pub fn attendance_rate(&self) -> Option<f64> {
        (self.confirmed > 0).then(|| f64::from(self.attended) / f64::from(self.confirmed))
    }
}

/// Everything an ambassador's page and the HR report show about one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmbassadorFigures {
    /// Whose figures these are.
    pub person: PersonId,
    /// Whether the person is an opted-in ambassador now (former ones keep their figures).
    pub is_ambassador: bool,
    /// Whether the person agreed to appear by name on the leaderboard.
    pub leaderboard_opt_in: bool,
    /// Distinct colleagues brought in directly, all campaigns together.
    pub direct_recruits: u32,
    /// Distinct people reached across generations and campaigns, the ambassador excluded.
    pub reach: u32,
    /// Generations below the ambassador, by shortest distance (see [`crate::naive_depth`]).
    pub depth: u32,
    /// Visits, confirmed and attended registrations through the ambassador's links.
    pub conversion: Conversion,
    /// Direct recruits who first volunteered in a campaign they were recruited for.
    pub first_time_volunteers: u32,
    /// Direct recruits who attended a campaign later than the first one they were recruited for.
    pub came_back: u32,
    /// Direct recruits who opted in as ambassadors after being recruited.
    pub became_ambassadors: u32,
}

impl ReferralGraph {
    /// Figures of every ambassador: current ones (opted in) and anyone who referred someone.
    ///
    /// The order is deterministic but unspecified (memory order, for speed): sort by `person`
    /// if needed.
    ///
    /// Erased people get no figures of their own but still count in others' reach. One pass:
    /// closed parts (referral trees, chains into loops) are memoised once, then each remaining
    /// ambassador costs one search that stops at memoised nodes. The cost is linear on
    /// tree-shaped referrals and grows with the part of each reach that merges (a person
    /// recruited by several ambassadors across campaigns) or loops.
    pub fn all_figures(&self, visits: Option<&Visits>) -> Vec<AmbassadorFigures> {
        let mut bfs = Bfs::new(self.node_count());
        let memo = ClosedMemo::new(self, &mut bfs);
        let subjects: Vec<u32> = (0..self.node_count() as u32)
            .filter(|&v| self.is_subject(v))
            .collect();
        let mut out = Vec::with_capacity(subjects.len());
        for v in subjects {
            let (reach, depth) = memo
                .get(v)
                .unwrap_or_else(|| bfs.reach_depth(self, Some(&memo), v));
            out.push(self.local_figures(v, self.ids[v as usize], reach, depth, visits));
        }
        out
    }

    /// Figures of one person for their own page; `None` if unknown, erased or never an ambassador.
    pub fn figures_for(&self, person: PersonId, visits: Option<u64>) -> Option<AmbassadorFigures> {
        let v = self.index_of(person)?;
        if !self.is_subject(v) {
            return None;
        }
        let (reach, depth) = Bfs::new(self.node_count()).reach_depth(self, None, v);
        let visits = visits.map(|count| HashMap::from([(person, count)]));
        Some(self.local_figures(v, person, reach, depth, visits.as_ref()))
    }

    /// Direct recruits of `person` per campaign, in campaign order (empty if unknown).
    pub fn recruits_by_campaign(&self, person: PersonId) -> Vec<(CampaignId, u32)> {
        let Some(v) = self.index_of(person) else {
            return Vec::new();
        };
        let mut campaigns: Vec<CampaignId> = self.row(v).iter().map(|e| e.campaign).collect();
        campaigns.sort_unstable();
        let mut out: Vec<(CampaignId, u32)> = Vec::new();
        for c in campaigns {
            match out.last_mut() {
                Some((last, count)) if *last == c => *count += 1,
                _ => out.push((c, 1)),
            }
        }
        out
    }

    fn is_subject(&self, v: u32) -> bool {
        let facts = &self.facts[v as usize];
        !facts.erased && (facts.ambassador_since.is_some() || !self.children(v).is_empty())
    }

    fn local_figures(
        &self,
        v: u32,
        person: PersonId,
        reach: u32,
        depth: u32,
        visits: Option<&Visits>,
    ) -> AmbassadorFigures {
        let facts = &self.facts[v as usize];
        let mut out = AmbassadorFigures {
            person,
            is_ambassador: facts.ambassador_since.is_some(),
            leaderboard_opt_in: facts.leaderboard_opt_in,
            direct_recruits: 0,
            reach,
            depth,
            conversion: Conversion {
                visits: visits.map(|m| m.get(&person).copied().unwrap_or(0)),
                confirmed: 0,
                attended: 0,
            },
            first_time_volunteers: 0,
            came_back: 0,
            became_ambassadors: 0,
        };
        // Rows are sorted by referee: each chunk is one recruit. Per-edge flags were settled at
        // build time, so this reads the row alone; "any edge" matches the per-recruit rules
        // (e.g. attended later than the first campaign recruited for iff later than some).
        for chunk in self.row(v).chunk_by(|a, b| a.dst == b.dst) {
            let any = |flag: u8| chunk.iter().any(|e| e.flags & flag != 0);
            out.direct_recruits += 1;
            out.conversion.confirmed += chunk.len() as u32;
            out.conversion.attended +=
                chunk.iter().filter(|e| e.flags & ATTENDED != 0).count() as u32;
            out.first_time_volunteers += u32::from(any(FIRST_TIME));
            out.came_back += u32::from(any(CAME_BACK));
            out.became_ambassadors += u32::from(any(BECAME_AMBASSADOR));
        }
        out
    }
}
