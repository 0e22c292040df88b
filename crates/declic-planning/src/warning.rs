//! What the realistic-calendar check reports: a code, where it applies, and a message in both languages.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::StepKind;
use crate::language::Language;
use crate::parse::{ParseEnumError, parse_named};

/// The kind of problem found in a campaign calendar.
///
/// The declaration order is the tie-break order between warnings on the same date.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// No mission has a date yet.
    NoMission,
    /// Fewer than three weeks between the launch (or the opening of registrations) and the mission.
    ShortLeadTime,
    /// No reminder or last call between the launch and the registration deadline.
    NoReminder,
    /// Registrations close after the first mission has started.
    DeadlineAfterMissionStart,
    /// Steps happen in an order that makes no sense, e.g. a launch after the deadline.
    StepsOutOfOrder,
    /// A step is planned before today.
    StepInPast,
    /// A step other than the mission day falls on a Saturday or Sunday.
    WeekendStep,
    /// A step other than the mission day falls on a French public holiday.
    PublicHolidayStep,
    /// The missions offer fewer places than the campaign's goal.
    CapacityBelowGoal,
    /// Fewer people are targeted than the campaign's goal.
    AudienceBelowGoal,
}

impl WarningCode {
    /// Every warning code.
    pub const ALL: [WarningCode; 10] = [
        WarningCode::NoMission,
        WarningCode::ShortLeadTime,
        WarningCode::NoReminder,
        WarningCode::DeadlineAfterMissionStart,
        WarningCode::StepsOutOfOrder,
        WarningCode::StepInPast,
        WarningCode::WeekendStep,
        WarningCode::PublicHolidayStep,
        WarningCode::CapacityBelowGoal,
        WarningCode::AudienceBelowGoal,
    ];

    /// The snake_case name, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            WarningCode::NoMission => "no_mission",
            WarningCode::ShortLeadTime => "short_lead_time",
            WarningCode::NoReminder => "no_reminder",
            WarningCode::DeadlineAfterMissionStart => "deadline_after_mission_start",
            WarningCode::StepsOutOfOrder => "steps_out_of_order",
            WarningCode::StepInPast => "step_in_past",
            WarningCode::WeekendStep => "weekend_step",
            WarningCode::PublicHolidayStep => "public_holiday_step",
            WarningCode::CapacityBelowGoal => "capacity_below_goal",
            WarningCode::AudienceBelowGoal => "audience_below_goal",
        }
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WarningCode {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named("warning code", s, &Self::ALL, Self::as_str)
    }
}

/// One problem found in a campaign calendar, explained in English and French.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct CalendarWarning {
    /// What kind of problem it is.
    pub code: WarningCode,
    /// The step concerned, when the problem is about one step.
    pub step: Option<StepKind>,
    /// The date concerned, when there is one.
    pub date: Option<NaiveDate>,
    /// Explanation and advice in English.
    pub message_en: String,
    /// Explanation and advice in French.
    pub message_fr: String,
}

impl CalendarWarning {
    /// The message in `lang`.
    pub fn message(&self, lang: Language) -> &str {
        lang.pick(&self.message_fr, &self.message_en)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::value::{Error as DeError, StrDeserializer};

    use super::*;

    #[test]
    fn codes_deserialise_from_their_names() {
        for code in WarningCode::ALL {
            let parsed = WarningCode::deserialize(StrDeserializer::<DeError>::new(code.as_str()));
            assert_eq!(parsed, Ok(code));
            assert_eq!(code.to_string(), code.as_str());
            assert_eq!(code.as_str().parse(), Ok(code));
        }
    }

    #[test]
    fn message_picks_the_language() {
        let warning = CalendarWarning {
            code: WarningCode::NoMission,
            step: None,
            date: None,
            message_en: "hello".to_owned(),
            message_fr: "bonjour".to_owned(),
        };
        assert_eq!(warning.message(Language::En), "hello");
        assert_eq!(warning.message(Language::Fr), "bonjour");
    }
}
