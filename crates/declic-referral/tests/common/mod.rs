//! Small builders shared by the integration tests.

#![allow(dead_code, reason = "each test crate uses a different subset")]

use declic_referral::{CampaignId, Edge, PersonFacts, PersonId, ReferralGraph};

/// An edge `referrer → referee` in campaign `c`, confirmed at `at`.
pub fn edge(c: i64, referrer: i64, referee: i64, at: i64) -> Edge {
    Edge {
        campaign: CampaignId(c),
        referrer: PersonId(referrer),
        referee: PersonId(referee),
        confirmed_at: at,
    }
}

/// Facts of an opted-in ambassador since `since`.
pub fn ambassador(id: i64, since: i64) -> PersonFacts {
    PersonFacts {
        ambassador_since: Some(since),
        ..PersonFacts::new(PersonId(id))
    }
}

/// A graph from edges only.
pub fn graph(edges: &[Edge]) -> ReferralGraph {
    ReferralGraph::new(edges, &[]).unwrap_or_else(|e| panic!("graph: {e}"))
}

/// `(reach, depth)` of `id` from all_figures.
pub fn reach_depth(g: &ReferralGraph, id: i64) -> Option<(u32, u32)> {
    g.all_figures(None)
        .iter()
        .find(|f| f.person == PersonId(id))
        .map(|f| (f.reach, f.depth))
}
