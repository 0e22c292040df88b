//! The top ambassadors, named only where they agreed to be.

use crate::figures::AmbassadorFigures;
use crate::graph::ReferralGraph;
use crate::model::PersonId;
use serde::{Deserialize, Serialize};

/// Who is looking at the leaderboard; it decides which names show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// HR of the organisation: sees every ambassador, with their opt-in flag.
    Hr,
    /// An ambassador: sees names of those who opted in, and themselves.
    Ambassador(PersonId),
}

/// What an anonymised entry stands for, for callers that need a label.
pub const ANONYMOUS_LABEL: &str = "an ambassador";

/// One line of the leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    /// 1-based rank; ties on (direct recruits, reach) share a rank.
    pub rank: u32,
    /// Who it is, or `None` when the viewer may not know ([`ANONYMOUS_LABEL`]).
    pub person: Option<PersonId>,
    /// Whether this entry is the viewer's own.
    pub is_viewer: bool,
    /// Whether the ambassador agreed to be named.
    pub leaderboard_opt_in: bool,
    /// Distinct colleagues brought in directly.
    pub direct_recruits: u32,
    /// People reached across generations.
    pub reach: u32,
}

/// The top of the leaderboard, plus the viewer's own line when it falls below the top.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Leaderboard {
    /// The best `limit` ambassadors, best first.
    pub top: Vec<LeaderboardEntry>,
    /// The viewing ambassador's own line if not already in `top`.
    pub own: Option<LeaderboardEntry>,
}

/// Ranks current ambassadors with at least one recruit by direct recruits, then reach.
///
/// `figures` are those of [`ReferralGraph::all_figures`]; former ambassadors (opted out) are
/// left out, since opting out means not being shown. The order among equals is by id so the
/// result is stable, but ids of anonymised entries are withheld from non-HR viewers.
pub fn leaderboard(figures: &[AmbassadorFigures], viewer: Viewer, limit: usize) -> Leaderboard {
    let mut ranked: Vec<&AmbassadorFigures> = figures
        .iter()
        .filter(|f| f.is_ambassador && f.direct_recruits > 0)
        .collect();
    ranked.sort_by(|a, b| {
        (b.direct_recruits, b.reach)
            .cmp(&(a.direct_recruits, a.reach))
            .then(a.person.cmp(&b.person))
    });
    let mut board = Leaderboard::default();
    let mut rank = 0u32;
    let mut previous = None;
    for (position, f) in ranked.iter().enumerate() {
        if previous != Some((f.direct_recruits, f.reach)) {
            rank = position as u32 + 1;
            previous = Some((f.direct_recruits, f.reach));
        }
        let is_viewer = viewer == Viewer::Ambassador(f.person);
        let named = viewer == Viewer::Hr || is_viewer || f.leaderboard_opt_in;
        let entry = LeaderboardEntry {
            rank,
            person: named.then_some(f.person),
            is_viewer,
            leaderboard_opt_in: f.leaderboard_opt_in,
            direct_recruits: f.direct_recruits,
            reach: f.reach,
        };
        if position < limit {
            board.top.push(entry);
        } else if is_viewer {
            board.own = Some(entry);
            break;
        } else if !matches!(viewer, Viewer::Ambassador(_)) {
            break; // nothing more to look for below the top
        }
    }
    board
}

impl ReferralGraph {
    /// The leaderboard computed from scratch; prefer [`leaderboard`] when figures are at hand.
    pub fn leaderboard(&self, viewer: Viewer, limit: usize) -> Leaderboard {
        leaderboard(&self.all_figures(None), viewer, limit)
    }
}
