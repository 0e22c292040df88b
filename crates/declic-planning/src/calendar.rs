//! The steps of a campaign calendar and the default plan built around a mission date.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::language::Language;
use crate::parse::{ParseEnumError, parse_named};

/// What happens at one step of a campaign calendar.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A first message that announces the campaign is coming.
    Teaser,
    /// The campaign opens and colleagues can register.
    Launch,
    /// A reminder to colleagues who have not registered yet.
    Reminder,
    /// The final reminder before registrations close.
    LastCall,
    /// Registrations close so the association can organise the teams.
    RegistrationDeadline,
    /// The (first) day of the mission.
    MissionDay,
    /// Survey sent right after the mission, while memories are fresh.
    EvaluationHot,
    /// Survey about a month after the mission.
    EvaluationShortTerm,
    /// Survey a few months after the mission, to measure lasting effects.
    EvaluationLongTerm,
}

impl StepKind {
    /// Every step kind, in the order they normally happen.
    pub const ALL: [StepKind; 9] = [
        StepKind::Teaser,
        StepKind::Launch,
        StepKind::Reminder,
        StepKind::LastCall,
        StepKind::RegistrationDeadline,
        StepKind::MissionDay,
        StepKind::EvaluationHot,
        StepKind::EvaluationShortTerm,
        StepKind::EvaluationLongTerm,
    ];

    /// The snake_case name, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            StepKind::Teaser => "teaser",
            StepKind::Launch => "launch",
            StepKind::Reminder => "reminder",
            StepKind::LastCall => "last_call",
            StepKind::RegistrationDeadline => "registration_deadline",
            StepKind::MissionDay => "mission_day",
            StepKind::EvaluationHot => "evaluation_hot",
            StepKind::EvaluationShortTerm => "evaluation_short_term",
            StepKind::EvaluationLongTerm => "evaluation_long_term",
        }
    }

    /// The human label in `lang`.
    pub fn label(self, lang: Language) -> &'static str {
        labels(self, lang)
    }

    /// Whether this step is one of the post-mission evaluation surveys.
    pub fn is_evaluation(self) -> bool {
        matches!(
            self,
            StepKind::EvaluationHot | StepKind::EvaluationShortTerm | StepKind::EvaluationLongTerm
        )
    }

    /// Whether this step belongs to the recruitment phase, before the mission.
    pub fn is_before_mission(self) -> bool {
        !self.is_evaluation() && self != StepKind::MissionDay
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StepKind {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named("step kind", s, &Self::ALL, Self::as_str)
    }
}

/// The human label of a step kind, in French or English.
pub fn labels(kind: StepKind, lang: Language) -> &'static str {
    let (fr, en) = match kind {
        StepKind::Teaser => ("Teasing", "Teaser"),
        StepKind::Launch => ("Lancement", "Launch"),
        StepKind::Reminder => ("Relance", "Reminder"),
        StepKind::LastCall => ("Dernier appel", "Last call"),
        StepKind::RegistrationDeadline => ("Clôture des inscriptions", "Registration deadline"),
        StepKind::MissionDay => ("Jour de la mission", "Mission day"),
        StepKind::EvaluationHot => ("Évaluation à chaud", "Immediate evaluation"),
        StepKind::EvaluationShortTerm => ("Évaluation à court terme", "Short-term evaluation"),
        StepKind::EvaluationLongTerm => ("Évaluation à long terme", "Long-term evaluation"),
    };
    lang.pick(fr, en)
}

/// One dated step of a campaign calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct PlannedStep {
    /// What happens.
    pub kind: StepKind,
    /// The day it happens.
    pub date: NaiveDate,
}

impl PlannedStep {
    /// A step of `kind` on `date`.
    pub fn new(kind: StepKind, date: NaiveDate) -> Self {
        Self { kind, date }
    }
}

/// Days from the mission date to each step of the default plan, in date order.
///
/// Three weeks between launch and mission lets colleagues arrange their absence;
/// weekly reminders keep the campaign visible; evaluations measure the effect
/// right away, after a month and after four months.
const DEFAULT_OFFSETS: [(StepKind, i64); 10] = [
    (StepKind::Teaser, -28),
    (StepKind::Launch, -21),
    (StepKind::Reminder, -14),
    (StepKind::Reminder, -7),
    (StepKind::LastCall, -5),
    (StepKind::RegistrationDeadline, -3),
    (StepKind::MissionDay, 0),
    (StepKind::EvaluationHot, 1),
    (StepKind::EvaluationShortTerm, 30),
    (StepKind::EvaluationLongTerm, 120),
];

/// The recommended calendar for a mission on `mission_date`, sorted by date.
///
/// Steps that would fall outside chrono's date range are left out, which can
/// only happen for mission dates hundreds of thousands of years away.
pub fn default_plan(mission_date: NaiveDate) -> Vec<PlannedStep> {
    let mut plan: Vec<PlannedStep> = DEFAULT_OFFSETS
        .iter()
        .filter_map(|&(kind, offset)| {
            let date = mission_date.checked_add_signed(TimeDelta::try_days(offset)?)?;
            Some(PlannedStep::new(kind, date))
        })
        .collect();
    // The table is already in date order; sorting keeps that promise if it is ever edited.
    plan.sort_by_key(|step| step.date);
    plan
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::value::{Error as DeError, StrDeserializer};

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn default_plan_matches_the_recommended_offsets() {
        let mission = date(2026, 10, 19);
        let plan = default_plan(mission);
        let expected = [
            (StepKind::Teaser, date(2026, 9, 21)),
            (StepKind::Launch, date(2026, 9, 28)),
            (StepKind::Reminder, date(2026, 10, 5)),
            (StepKind::Reminder, date(2026, 10, 12)),
            (StepKind::LastCall, date(2026, 10, 14)),
            (StepKind::RegistrationDeadline, date(2026, 10, 16)),
            (StepKind::MissionDay, mission),
            (StepKind::EvaluationHot, date(2026, 10, 20)),
            (StepKind::EvaluationShortTerm, date(2026, 11, 18)),
            (StepKind::EvaluationLongTerm, date(2027, 2, 16)),
        ]
        .map(|(kind, date)| PlannedStep::new(kind, date));
        assert_eq!(plan, expected);
    }

    #[test]
    fn default_plan_near_the_end_of_time_drops_unrepresentable_steps() {
        let plan = default_plan(NaiveDate::MAX);
        assert!(plan.iter().all(|step| step.date <= NaiveDate::MAX));
        assert_eq!(
            plan.last().map(|step| step.kind),
            Some(StepKind::MissionDay)
        );
        assert_eq!(
            default_plan(NaiveDate::MIN).first().map(|s| s.kind),
            Some(StepKind::MissionDay)
        );
    }

    #[test]
    fn every_kind_has_distinct_labels_in_both_languages() {
        for lang in Language::ALL {
            let mut seen: Vec<&str> = StepKind::ALL.iter().map(|k| labels(*k, lang)).collect();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), StepKind::ALL.len(), "{lang}");
        }
        assert_eq!(StepKind::LastCall.label(Language::Fr), "Dernier appel");
        assert_eq!(StepKind::LastCall.label(Language::En), "Last call");
    }

    #[test]
    fn parses_and_deserialises_snake_case_names() {
        for kind in StepKind::ALL {
            assert_eq!(kind.as_str().parse(), Ok(kind));
            let parsed = StepKind::deserialize(StrDeserializer::<DeError>::new(kind.as_str()));
            assert_eq!(parsed, Ok(kind));
        }
        assert_eq!("last-call".parse(), Ok(StepKind::LastCall));
        let err = "kickoff".parse::<StepKind>().expect_err("unknown kind");
        assert!(err.to_string().contains("registration_deadline"), "{err}");
    }

    #[test]
    fn phases_partition_the_kinds() {
        let evaluations: Vec<StepKind> = StepKind::ALL
            .into_iter()
            .filter(|k| k.is_evaluation())
            .collect();
        assert_eq!(evaluations.len(), 3);
        assert!(!StepKind::MissionDay.is_before_mission());
        assert!(!StepKind::MissionDay.is_evaluation());
        assert!(StepKind::RegistrationDeadline.is_before_mission());
    }
}
