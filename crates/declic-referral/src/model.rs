//! The input vocabulary: people, campaigns, confirmed referral edges and per-person facts.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An employee, as the directory identifies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub i64);

/// A campaign; the numeric order of ids MUST be the chronological order of campaigns.
///
/// "Came back in a later campaign" compares ids, so the storage layer passes a sequence
/// number (or database ids allocated in campaign order) rather than an arbitrary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CampaignId(pub i64);

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for CampaignId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A confirmed referral: `referrer` brought `referee` into `campaign`.
///
/// Only recorded once the referee confirmed their address, hence `confirmed_at`
/// (unix seconds) rather than a registration time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edge {
    /// The campaign the referee registered for.
    pub campaign: CampaignId,
    /// The ambassador whose link was used.
    pub referrer: PersonId,
    /// The colleague who registered through it.
    pub referee: PersonId,
    /// When the referee confirmed their address, in unix seconds.
    pub confirmed_at: i64,
}

/// What the figures need to know about one person, beyond the edges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFacts {
    /// Who this is.
    pub person: PersonId,
    /// Earliest campaign volunteered in, imported history included; `None` if unknown.
    pub first_volunteered: Option<CampaignId>,
    /// Campaigns attended (registration marked attended), in any order.
    pub attended: Vec<CampaignId>,
    /// When the person opted in as an ambassador (unix seconds); `None` if not one now.
    pub ambassador_since: Option<i64>,
    /// Whether the person agreed to appear by name on the leaderboard.
    pub leaderboard_opt_in: bool,
    /// Whether the person was erased: their node keeps its shape under a pseudonym.
    pub erased: bool,
}

impl PersonFacts {
    /// Facts for someone with no history, not an ambassador, not opted in, not erased.
    pub fn new(person: PersonId) -> Self {
        Self {
            person,
            first_volunteered: None,
            attended: Vec::new(),
            ambassador_since: None,
            leaderboard_opt_in: false,
            erased: false,
        }
    }
}
