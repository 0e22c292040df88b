//! Whether a queued message may go now: one decision for every message, taken by
//! the delivery worker immediately before each send (not when the message was
//! queued), so that an opt-out, a deactivation or an erasure made meanwhile, or a
//! link that lapsed while the mail server was down, is honoured.

use chrono::{DateTime, Utc};

use crate::templates::MessageKind;

/// What a message is for, which decides the opt-outs that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// About a person's own registration, sign-in or account: always goes to an
    /// active person (they asked for it, or it changes what they signed up for).
    Transactional,
    /// A campaign's message to an audience, or a colleague's invitation to join one.
    Campaign,
    /// HR's invitation to become an ambassador.
    Ambassador,
    /// An evaluation survey or its reminder, and the impact summary.
    Evaluation,
}

impl Purpose {
    /// The purpose of a kind of message.
    pub fn of(kind: MessageKind) -> Self {
        match kind {
            MessageKind::ConfirmRegistration
            | MessageKind::SeatConfirmed
            | MessageKind::Waitlisted
            | MessageKind::SeatOffered
            | MessageKind::CancellationAck
            | MessageKind::MissionReminder
            | MessageKind::MissionChanged
            | MessageKind::DuoPartnerWaitlisted
            | MessageKind::AmbassadorSignIn
            | MessageKind::AdminPasswordReset
            | MessageKind::DomainProof => Purpose::Transactional,
            MessageKind::CampaignAnnouncement
            | MessageKind::CampaignReminder
            | MessageKind::CampaignLastCall
            | MessageKind::DuoInvitation => Purpose::Campaign,
            MessageKind::AmbassadorInvitation => Purpose::Ambassador,
            MessageKind::EvaluationInvitation
            | MessageKind::EvaluationReminder
            | MessageKind::ImpactSummary => Purpose::Evaluation,
        }
    }
}

/// What is known of the recipient and the message right before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub now: DateTime<Utc>,
    /// When the link the message carries stops working, if it carries one that does.
    pub expires_at: Option<DateTime<Utc>>,
    /// The recipient's place in the directory: `None` for an address outside it
    /// (an admin account, an association's contact, a colleague not imported yet).
    pub person: Option<Person>,
    /// Whether the recipient opted out of messages on this channel.
    pub opted_out: bool,
}

/// The directory's view of a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Person {
    Active,
    Deactivated,
    Erased,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// Not sent, ever: its link lapsed first (reported as `expired`).
    Expired,
    /// Not sent, ever: the recipient left, was erased or opted out (reported as `cancelled`).
    Withheld(&'static str),
}

/// Decides whether a message of `kind` may go now.
pub fn decide(kind: MessageKind, facts: &Facts) -> Decision {
    match facts.person {
        // Erasure removes the real address; nothing is sent to a placeholder.
        Some(Person::Erased) => return Decision::Withheld("the person was erased"),
        Some(Person::Deactivated) => {
            return Decision::Withheld("the person is no longer in the directory");
        }
        Some(Person::Active) | None => {}
    }
    if facts.expires_at.is_some_and(|e| e <= facts.now) {
        return Decision::Expired;
    }
    if facts.opted_out && Purpose::of(kind) != Purpose::Transactional {
        return Decision::Withheld("the person opted out of these messages");
    }
    Decision::Send
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn facts() -> Facts {
        Facts {
            now: DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
            expires_at: None,
            person: Some(Person::Active),
            opted_out: false,
        }
    }

    #[test]
    fn an_active_person_gets_every_kind() {
        for kind in MessageKind::ALL {
            assert_eq!(decide(kind, &facts()), Decision::Send, "{kind:?}");
        }
    }

    #[test]
    fn erased_and_deactivated_people_get_nothing_not_even_transactional_mail() {
        for kind in MessageKind::ALL {
            for (person, reason) in [
                (Person::Erased, "the person was erased"),
                (
                    Person::Deactivated,
                    "the person is no longer in the directory",
                ),
            ] {
                let f = Facts {
                    person: Some(person),
                    ..facts()
                };
                assert_eq!(decide(kind, &f), Decision::Withheld(reason), "{kind:?}");
            }
        }
    }

    #[test]
    fn an_opt_out_stops_all_but_the_messages_about_ones_own_registration() {
        let f = Facts {
            opted_out: true,
            ..facts()
        };
        for kind in MessageKind::ALL {
            let expected = match Purpose::of(kind) {
                Purpose::Transactional => Decision::Send,
                _ => Decision::Withheld("the person opted out of these messages"),
            };
            assert_eq!(decide(kind, &f), expected, "{kind:?}");
        }
        assert_eq!(
            decide(MessageKind::AmbassadorInvitation, &f),
            Decision::Withheld("the person opted out of these messages")
        );
        assert_eq!(
            decide(MessageKind::DuoInvitation, &f),
            Decision::Withheld("the person opted out of these messages")
        );
        assert_eq!(decide(MessageKind::SeatOffered, &f), Decision::Send);
    }

    #[test]
    fn a_lapsed_link_is_not_sent_and_one_still_valid_is() {
        let f = facts();
        let lapsed = Facts {
            expires_at: Some(f.now - Duration::seconds(1)),
            ..f
        };
        assert_eq!(decide(MessageKind::SeatOffered, &lapsed), Decision::Expired);
        let at_the_second = Facts {
            expires_at: Some(f.now),
            ..f
        };
        assert_eq!(
            decide(MessageKind::ConfirmRegistration, &at_the_second),
            Decision::Expired
        );
        let valid = Facts {
            expires_at: Some(f.now + Duration::seconds(1)),
            ..f
        };
        assert_eq!(
            decide(MessageKind::AmbassadorSignIn, &valid),
            Decision::Send
        );
    }

    #[test]
    fn addresses_outside_the_directory_follow_expiry_only() {
        let f = Facts {
            person: None,
            ..facts()
        };
        assert_eq!(decide(MessageKind::AdminPasswordReset, &f), Decision::Send);
        let lapsed = Facts {
            expires_at: Some(f.now),
            ..f
        };
        assert_eq!(
            decide(MessageKind::AdminPasswordReset, &lapsed),
            Decision::Expired
        );
    }
}
