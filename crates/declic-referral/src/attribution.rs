//! Attribution rules: whether a confirmed registration through an ambassador's link becomes an edge.

use crate::model::{CampaignId, Edge, PersonId};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use thiserror::Error;

/// Default attribution window: a link used more than 30 days before registering no longer counts.
pub const DEFAULT_WINDOW_SECS: i64 = 30 * 24 * 3600;

/// The organisation's attribution settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionPolicy {
    /// Longest time, in seconds, between using a link and registering for the link to be credited.
    pub window_secs: i64,
}

impl Default for AttributionPolicy {
    fn default() -> Self {
        Self {
            window_secs: DEFAULT_WINDOW_SECS,
        }
    }
}

/// A registration that came through an ambassador's link and was just confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The campaign registered for.
    pub campaign: CampaignId,
    /// The ambassador of the first link used (see [`first_link_within_window`]).
    pub referrer: PersonId,
    /// The colleague who registered.
    pub referee: PersonId,
    /// When the referee used that link, unix seconds.
    pub link_used_at: i64,
    /// When the referee's registration for this campaign was first created, unix seconds.
    pub registered_at: i64,
    /// When the referee confirmed their address, unix seconds: the edge's date.
    pub confirmed_at: i64,
}

/// One use of an ambassador's link by a colleague, as remembered by their browser session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkUse {
    /// Whose link it was.
    pub referrer: PersonId,
    /// When it was used, unix seconds.
    pub at: i64,
}

/// Why a candidate edge is not recorded; the registration itself stands, only the credit is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AttributionRefusal {
    /// Someone used their own link.
    #[error("an ambassador cannot refer themselves")]
    SelfReferral,
    /// The referee already had an edge in this campaign, or registered before using the link.
    #[error("this colleague was already registered or attributed for this campaign")]
    AlreadyAttributed {
        /// The ambassador already credited, if the refusal comes from an existing edge.
        referrer: Option<PersonId>,
    },
    /// The link was used longer ago than the window allows.
    #[error(
        "the link was used {elapsed_secs} s before registering, beyond the {window_secs} s window"
    )]
    OutsideWindow {
        /// Time between using the link and registering.
        elapsed_secs: i64,
        /// The policy's window.
        window_secs: i64,
    },
    /// The referee already (directly or not) brought the referrer into this campaign.
    #[error("this referral would close a loop within the campaign")]
    WouldCreateCycle,
}

/// Decides whether `candidate` becomes an edge, given the edges already recorded.
///
/// `existing` may hold edges of any campaign; only those of the candidate's campaign count.
/// Rules, checked in this order (the first one broken is reported):
/// 1. [`SelfReferral`](AttributionRefusal::SelfReferral): referrer and referee differ.
/// 2. [`AlreadyAttributed`](AttributionRefusal::AlreadyAttributed): a colleague already credited to
///    an ambassador for the campaign, or registered before using the link, is not re-attributed:
///    credit goes to whoever actually brought them in, once.
/// 3. [`OutsideWindow`](AttributionRefusal::OutsideWindow): the link must have been used at most
///    `window_secs` before registering. Together with the session keeping the *first* link used
///    (see [`first_link_within_window`]), this makes the first link used within the window win.
/// 4. [`WouldCreateCycle`](AttributionRefusal::WouldCreateCycle): within one campaign referrals
///    form a forest; across campaigns loops are allowed (B, recruited by A, may bring A back later).
pub fn attribute(
    existing: &[Edge],
    candidate: &Candidate,
    policy: &AttributionPolicy,
) -> Result<Edge, AttributionRefusal> {
    if candidate.referrer == candidate.referee {
        return Err(AttributionRefusal::SelfReferral);
    }
    let in_campaign = || existing.iter().filter(|e| e.campaign == candidate.campaign);
    if let Some(edge) = in_campaign().find(|e| e.referee == candidate.referee) {
        return Err(AttributionRefusal::AlreadyAttributed {
            referrer: Some(edge.referrer),
        });
    }
    if candidate.registered_at < candidate.link_used_at {
        return Err(AttributionRefusal::AlreadyAttributed { referrer: None });
    }
    let elapsed_secs = candidate
        .registered_at
        .saturating_sub(candidate.link_used_at);
    if elapsed_secs > policy.window_secs {
        return Err(AttributionRefusal::OutsideWindow {
            elapsed_secs,
            window_secs: policy.window_secs,
        });
    }
    if reaches(in_campaign(), candidate.referee, candidate.referrer) {
        return Err(AttributionRefusal::WouldCreateCycle);
    }
    Ok(Edge {
        campaign: candidate.campaign,
        referrer: candidate.referrer,
        referee: candidate.referee,
        confirmed_at: candidate.confirmed_at,
    })
}

/// The link to credit among those a colleague used: the earliest within the window before
/// `registered_at`, ignoring their own link. `None` means the registration is not a referral.
pub fn first_link_within_window(
    uses: &[LinkUse],
    referee: PersonId,
    registered_at: i64,
    policy: &AttributionPolicy,
) -> Option<LinkUse> {
    let opens = registered_at.saturating_sub(policy.window_secs);
    uses.iter()
        .filter(|u| u.referrer != referee && u.at >= opens && u.at <= registered_at)
        .min_by_key(|u| (u.at, u.referrer))
        .copied()
}

/// Whether `to` is reachable from `from` along `edges`. A general search rather than a walk up
/// single parents, so that inconsistent stored data (two referrers in a campaign) is still safe.
fn reaches<'a>(edges: impl Iterator<Item = &'a Edge>, from: PersonId, to: PersonId) -> bool {
    let mut children: HashMap<PersonId, Vec<PersonId>> = HashMap::new();
    for e in edges {
        children.entry(e.referrer).or_default().push(e.referee);
    }
    let mut seen = HashSet::from([from]);
    let mut stack = vec![from];
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        for &next in children.get(&node).map_or(&[][..], Vec::as_slice) {
            if seen.insert(next) {
                stack.push(next);
            }
        }
    }
    false
}
