//! Campaign planning: lifecycle, calendar of steps, realistic-calendar checks, French public holidays, association eligibility and mission rules.
//!
//! Pure domain logic: no I/O, no clock (callers pass `today`), no web or database types.

mod calendar;
mod channel;
mod checks;
mod eligibility;
mod holidays;
mod language;
mod lifecycle;
mod mission;
mod mission_rules;
mod parse;
pub mod placement;
mod skills;
mod text;
mod warning;
mod working_days;

pub use calendar::{PlannedStep, StepKind, default_plan, labels};
pub use channel::Channel;
pub use checks::{CalendarInput, MIN_LEAD_TIME_DAYS, check_calendar};
pub use eligibility::{
    EligibilityAssessment, EligibilityCriteria, EligibilityReason, EligibilityReasonCode,
};
pub use holidays::{easter_sunday, french_public_holidays, is_french_public_holiday};
pub use language::Language;
pub use lifecycle::{CampaignStatus, TransitionError};
pub use mission::{MissionFormat, WorkMode};
pub use mission_rules::{
    MAX_MISSION_CAPACITY, MissionRuleError, validate_capacity, validate_mission_dates,
};
pub use parse::ParseEnumError;
pub use skills::{SkillKind, default_skills};
pub use text::long_date;
pub use warning::{CalendarWarning, WarningCode};
pub use working_days::{
    default_plan_on_working_days, is_weekend, is_working_day, shift_back_to_working_day,
    shift_to_working_day,
};
