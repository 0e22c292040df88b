//! The shapes a mission can take: its format and where the work happens.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::language::Language;
use crate::parse::{ParseEnumError, parse_named};

/// How a mission is organised over time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MissionFormat {
    /// A one-day team challenge on the association's question.
    Marathon,
    /// One volunteer supports the association over several weeks, with regular check-ins.
    Mentoring,
    /// A few hours of collective work or training on one topic.
    Workshop,
    /// An Explorers-style programme built on volunteers' personal skills rather than their job.
    Explorers,
}

impl MissionFormat {
    /// Every format.
    pub const ALL: [MissionFormat; 4] = [
        MissionFormat::Marathon,
        MissionFormat::Mentoring,
        MissionFormat::Workshop,
        MissionFormat::Explorers,
    ];

    /// The snake_case name, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            MissionFormat::Marathon => "marathon",
            MissionFormat::Mentoring => "mentoring",
            MissionFormat::Workshop => "workshop",
            MissionFormat::Explorers => "explorers",
        }
    }

    /// The human label in `lang`.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            MissionFormat::Marathon => lang.pick("Marathon", "Marathon"),
            MissionFormat::Mentoring => lang.pick("Mentorat", "Mentoring"),
            MissionFormat::Workshop => lang.pick("Atelier", "Workshop"),
            MissionFormat::Explorers => lang.pick("Programme Explorers", "Explorers programme"),
        }
    }

    /// A one-sentence description for colleagues choosing a mission, in `lang`.
    pub fn description(self, lang: Language) -> &'static str {
        match self {
            MissionFormat::Marathon => lang.pick(
                "Une journée en équipe pour faire avancer un projet de l'association.",
                "One day as a team to move an association's project forward.",
            ),
            MissionFormat::Mentoring => lang.pick(
                "Un accompagnement sur plusieurs semaines, avec des points réguliers.",
                "Support over several weeks, with regular check-ins.",
            ),
            MissionFormat::Workshop => lang.pick(
                "Quelques heures d'atelier collectif sur un sujet précis.",
                "A few hours of collective work on one specific topic.",
            ),
            MissionFormat::Explorers => lang.pick(
                "Un programme qui s'appuie sur vos compétences personnelles plutôt que sur votre métier.",
                "A programme built on your personal skills rather than your job.",
            ),
        }
    }
}

impl fmt::Display for MissionFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MissionFormat {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named("mission format", s, &Self::ALL, Self::as_str)
    }
}

/// Where volunteers do the mission.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WorkMode {
    /// Entirely online.
    Remote,
    /// On site, at the association or the company.
    InPerson,
    /// Partly online, partly on site.
    Hybrid,
}

impl WorkMode {
    /// Every work mode.
    pub const ALL: [WorkMode; 3] = [WorkMode::Remote, WorkMode::InPerson, WorkMode::Hybrid];

    /// The snake_case name, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            WorkMode::Remote => "remote",
            WorkMode::InPerson => "in_person",
            WorkMode::Hybrid => "hybrid",
        }
    }

    /// The human label in `lang`.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            WorkMode::Remote => lang.pick("À distance", "Remote"),
            WorkMode::InPerson => lang.pick("En présentiel", "In person"),
            WorkMode::Hybrid => lang.pick("Hybride", "Hybrid"),
        }
    }
}

impl fmt::Display for WorkMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WorkMode {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named("work mode", s, &Self::ALL, Self::as_str)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::value::{Error as DeError, StrDeserializer};

    use super::*;

    #[test]
    fn formats_round_trip_and_have_labels() {
        for format in MissionFormat::ALL {
            assert_eq!(format.as_str().parse(), Ok(format));
            assert_eq!(format.to_string(), format.as_str());
            let parsed =
                MissionFormat::deserialize(StrDeserializer::<DeError>::new(format.as_str()));
            assert_eq!(parsed, Ok(format));
            for lang in Language::ALL {
                assert!(!format.label(lang).is_empty());
                assert!(format.description(lang).ends_with('.'));
            }
        }
        assert_eq!(MissionFormat::Mentoring.label(Language::Fr), "Mentorat");
        assert_eq!(MissionFormat::Workshop.label(Language::En), "Workshop");
    }

    #[test]
    fn work_modes_round_trip_and_accept_hand_typed_forms() {
        for mode in WorkMode::ALL {
            assert_eq!(mode.as_str().parse(), Ok(mode));
            let parsed = WorkMode::deserialize(StrDeserializer::<DeError>::new(mode.as_str()));
            assert_eq!(parsed, Ok(mode));
        }
        assert_eq!("In-Person".parse(), Ok(WorkMode::InPerson));
        assert_eq!(WorkMode::InPerson.label(Language::Fr), "En présentiel");
        assert_eq!(WorkMode::Remote.label(Language::En), "Remote");
    }

    #[test]
    fn unknown_values_list_the_valid_ones() {
        let err = "onsite".parse::<WorkMode>().expect_err("unknown mode");
        assert_eq!(
            err.to_string(),
            "unknown work mode \"onsite\"; expected one of: remote, in_person, hybrid"
        );
        let err = "hackathon"
            .parse::<MissionFormat>()
            .expect_err("unknown format");
        assert!(
            err.to_string()
                .contains("marathon, mentoring, workshop, explorers")
        );
    }
}
