//! Shared helpers for the check tests: a realistic campaign around one well-chosen mission.

use chrono::{NaiveDate, TimeDelta};

use super::{CalendarInput, check_calendar};
use crate::calendar::{PlannedStep, StepKind};
use crate::warning::{CalendarWarning, WarningCode};

/// A date that is known to be valid.
pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// Monday 19 October 2026: its default plan avoids weekends and holidays.
pub(super) fn mission() -> NaiveDate {
    date(2026, 10, 19)
}

/// The mission date moved by `days`.
pub(super) fn d(days: i64) -> NaiveDate {
    mission() + TimeDelta::days(days)
}

/// A step of `kind` on `date`.
pub(super) fn step(kind: StepKind, date: NaiveDate) -> PlannedStep {
    PlannedStep::new(kind, date)
}

/// A realistic campaign with `steps` around the single mission.
pub(super) fn input(steps: Vec<PlannedStep>) -> CalendarInput {
    CalendarInput {
        today: date(2026, 1, 5),
        steps,
        registration_opens: None,
        registration_closes: None,
        mission_starts: vec![mission()],
        goal: 10,
        total_capacity: 12,
        audience_size: Some(400),
    }
}

/// Launch, one reminder and a deadline: the least a calendar needs.
pub(super) fn minimal_steps() -> Vec<PlannedStep> {
    vec![
        step(StepKind::Launch, d(-21)),
        step(StepKind::Reminder, d(-7)),
        step(StepKind::RegistrationDeadline, d(-3)),
    ]
}

/// The codes of `warnings`, in order.
pub(super) fn codes(warnings: &[CalendarWarning]) -> Vec<WarningCode> {
    warnings.iter().map(|w| w.code).collect()
}

/// The warnings of `input` that carry `code`.
pub(super) fn only(input: &CalendarInput, code: WarningCode) -> Vec<CalendarWarning> {
    check_calendar(input)
        .into_iter()
        .filter(|w| w.code == code)
        .collect()
}
