//! Checks on each step's own date: already past, on a weekend, or on a public holiday.

use super::{CalendarInput, warning};
use crate::calendar::{PlannedStep, StepKind};
use crate::holidays::holiday_on;
use crate::text::{capitalize, date_en, date_fr, step_en, step_fr};
use crate::warning::{CalendarWarning, WarningCode};
use crate::working_days::is_weekend;

/// Adds `step_in_past`, `weekend_step` and `public_holiday_step` warnings, one per step each.
pub(super) fn check(input: &CalendarInput, out: &mut Vec<CalendarWarning>) {
    for step in &input.steps {
        if step.date < input.today {
            out.push(in_past(step));
        }
        // Missions may well run on a Saturday; only messages and deadlines need people at work.
        if step.kind == StepKind::MissionDay {
            continue;
        }
        if is_weekend(step.date) {
            out.push(on_weekend(step));
        }
        if let Some(found) = on_holiday(step) {
            out.push(found);
        }
    }
}

/// The step is planned before today.
fn in_past(step: &PlannedStep) -> CalendarWarning {
    warning(
        WarningCode::StepInPast,
        Some(step.kind),
        Some(step.date),
        format!(
            "{} is planned for {}, which has already passed; move it to a later date or remove it.",
            capitalize(step_en(step.kind)),
            date_en(step.date),
        ),
        format!(
            "La date prévue pour {} ({}) est déjà passée ; déplacez l'étape ou supprimez-la.",
            step_fr(step.kind),
            date_fr(step.date),
        ),
    )
}

/// The step falls on a Saturday or a Sunday.
fn on_weekend(step: &PlannedStep) -> CalendarWarning {
    warning(
        WarningCode::WeekendStep,
        Some(step.kind),
        Some(step.date),
        format!(
            "{} falls on {}; colleagues rarely read work messages at the weekend.",
            capitalize(step_en(step.kind)),
            date_en(step.date),
        ),
        format!(
            "{} tombe le {} ; les collaborateurs lisent rarement leurs messages professionnels \
             le week-end.",
            capitalize(step_fr(step.kind)),
            date_fr(step.date),
        ),
    )
}

/// The step falls on a French public holiday, if it does.
fn on_holiday(step: &PlannedStep) -> Option<CalendarWarning> {
    let holiday = holiday_on(step.date)?;
    Some(warning(
        WarningCode::PublicHolidayStep,
        Some(step.kind),
        Some(step.date),
        format!(
            "{} falls on a public holiday ({}, {}); many colleagues will be off.",
            capitalize(step_en(step.kind)),
            holiday.name_en,
            date_en(step.date),
        ),
        format!(
            "{} tombe un jour férié ({}, {}) ; beaucoup de collaborateurs seront absents.",
            capitalize(step_fr(step.kind)),
            holiday.name_fr,
            date_fr(step.date),
        ),
    ))
}
