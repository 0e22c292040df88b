//! The channels through which a campaign reaches people; every link is tagged with one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::language::Language;
use crate::parse::{ParseEnumError, parse_named};

/// Where a registration came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The campaign's public link, shared by hand.
    Direct,
    Mail,
    Slack,
    Teams,
    /// A printed poster (optionally one per site).
    Poster,
    /// An in-person moment: a breakfast, a stand, a team meeting.
    Event,
    /// A past volunteer's personal link: word of mouth.
    Ambassador,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 7] = [
        Channel::Direct,
        Channel::Mail,
        Channel::Slack,
        Channel::Teams,
        Channel::Poster,
        Channel::Event,
        Channel::Ambassador,
    ];

    /// The snake_case name, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::Mail => "mail",
            Channel::Slack => "slack",
            Channel::Teams => "teams",
            Channel::Poster => "poster",
            Channel::Event => "event",
            Channel::Ambassador => "ambassador",
        }
    }

    /// The human label in `lang`.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            Channel::Direct => lang.pick("Lien direct", "Direct link"),
            Channel::Mail => lang.pick("E-mail", "Email"),
            Channel::Slack => "Slack",
            Channel::Teams => "Teams",
            Channel::Poster => lang.pick("Affiche", "Poster"),
            Channel::Event => lang.pick("Événement", "Event"),
            Channel::Ambassador => lang.pick("Ambassadeur", "Ambassador"),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named("channel", s, &Self::ALL, Self::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>().ok(), Some(c));
        }
        assert!("fax".parse::<Channel>().is_err());
    }
}
