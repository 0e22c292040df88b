//! The campaign lifecycle: which status a campaign may move to from the one it is in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use utoipa::ToSchema;

use crate::parse::{ParseEnumError, parse_named};

/// Stage of a campaign, from first draft to post-mission evaluation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Being prepared; colleagues cannot see it.
    Draft,
    /// Ready, waiting for its launch date.
    Scheduled,
    /// Open: colleagues see it and can register.
    Live,
    /// Registrations are closed; missions are happening or over.
    Closed,
    /// Evaluations are collected; nothing more will happen.
    Evaluated,
}

impl CampaignStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [CampaignStatus; 5] = [
        CampaignStatus::Draft,
        CampaignStatus::Scheduled,
        CampaignStatus::Live,
        CampaignStatus::Closed,
        CampaignStatus::Evaluated,
    ];

    /// The snake_case name, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Live => "live",
            CampaignStatus::Closed => "closed",
            CampaignStatus::Evaluated => "evaluated",
        }
    }

    /// The statuses a campaign in this status may move to.
    pub fn allowed_next(self) -> &'static [CampaignStatus] {
        match self {
            // A draft is either scheduled for later or launched right away.
            CampaignStatus::Draft => &[CampaignStatus::Scheduled, CampaignStatus::Live],
            // Cancelling a scheduled campaign sends it back to draft rather than closing it:
            // nobody has seen it yet, so there is nothing to close or evaluate.
            CampaignStatus::Scheduled => &[CampaignStatus::Draft, CampaignStatus::Live],
            // Once colleagues have seen a campaign it can no longer silently go back to draft.
            CampaignStatus::Live => &[CampaignStatus::Closed],
            CampaignStatus::Closed => &[CampaignStatus::Evaluated],
            CampaignStatus::Evaluated => &[],
        }
    }

    /// Whether moving from this status to `next` is allowed.
    pub fn can_transition_to(self, next: CampaignStatus) -> bool {
        self.allowed_next().contains(&next)
    }

    /// Moves to `next`, or explains why that move is not allowed.
    pub fn transition_to(self, next: CampaignStatus) -> Result<CampaignStatus, TransitionError> {
        if self.can_transition_to(next) {
            Ok(next)
        } else {
            Err(TransitionError {
                from: self,
                to: next,
            })
        }
    }

    /// Whether no further status change is possible.
    pub fn is_terminal(self) -> bool {
        self.allowed_next().is_empty()
    }
}

impl fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CampaignStatus {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named("campaign status", s, &Self::ALL, Self::as_str)
    }
}

/// A status change the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("cannot move a campaign from {from} to {to}")]
pub struct TransitionError {
    /// The status the campaign is in.
    pub from: CampaignStatus,
    /// The status that was requested.
    pub to: CampaignStatus,
}

impl TransitionError {
    /// The statuses the campaign could have moved to instead.
    pub fn allowed(&self) -> &'static [CampaignStatus] {
        self.from.allowed_next()
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::value::{Error as DeError, StrDeserializer};

    use super::CampaignStatus::{Closed, Draft, Evaluated, Live, Scheduled};
    use super::*;

    const ALLOWED: [(CampaignStatus, CampaignStatus); 6] = [
        (Draft, Scheduled),
        (Draft, Live),
        (Scheduled, Draft),
        (Scheduled, Live),
        (Live, Closed),
        (Closed, Evaluated),
    ];

    #[test]
    fn allows_exactly_the_documented_transitions() {
        for from in CampaignStatus::ALL {
            for to in CampaignStatus::ALL {
                let expected = ALLOWED.contains(&(from, to));
                assert_eq!(from.transition_to(to).is_ok(), expected, "{from} -> {to}");
                assert_eq!(from.can_transition_to(to), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn same_state_is_an_error() {
        for status in CampaignStatus::ALL {
            assert!(status.transition_to(status).is_err(), "{status}");
        }
    }

    #[test]
    fn cancelling_a_scheduled_campaign_goes_back_to_draft_not_closed() {
        assert_eq!(Scheduled.transition_to(Draft), Ok(Draft));
        assert!(Scheduled.transition_to(Closed).is_err());
    }

    #[test]
    fn error_names_both_statuses_and_lists_alternatives() {
        let err = Live
            .transition_to(Draft)
            .expect_err("live cannot go back to draft");
        assert_eq!(err.to_string(), "cannot move a campaign from live to draft");
        assert_eq!(err.from, Live);
        assert_eq!(err.to, Draft);
        assert_eq!(err.allowed(), [Closed]);
    }

    #[test]
    fn only_evaluated_is_terminal() {
        for status in CampaignStatus::ALL {
            assert_eq!(status.is_terminal(), status == Evaluated, "{status}");
        }
    }

    #[test]
    fn parses_names_and_reports_valid_values() {
        for status in CampaignStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(status));
            assert_eq!(status.as_str().to_uppercase().parse(), Ok(status));
        }
        let err = "archived"
            .parse::<CampaignStatus>()
            .expect_err("unknown status");
        assert_eq!(
            err.to_string(),
            "unknown campaign status \"archived\"; expected one of: draft, scheduled, live, closed, evaluated"
        );
    }

    #[test]
    fn deserialises_snake_case() {
        let parsed = CampaignStatus::deserialize(StrDeserializer::<DeError>::new("scheduled"));
        assert_eq!(parsed, Ok(Scheduled));
        assert!(CampaignStatus::deserialize(StrDeserializer::<DeError>::new("Scheduled")).is_err());
    }
}
