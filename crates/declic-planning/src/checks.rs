//! The realistic-calendar check: spots campaign calendars that will not recruit well.
//!
//! Each rule lives in its own submodule; this file holds the input and puts the
//! warnings in a stable order so the interface and tests never see them shuffle.

mod days;
#[cfg(test)]
mod fixtures;
mod goals;
mod order;
#[cfg(test)]
mod order_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
mod timing;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::{PlannedStep, StepKind};
use crate::warning::{CalendarWarning, WarningCode};

/// Fewest days between launch and mission that let colleagues arrange to be away from work.
pub const MIN_LEAD_TIME_DAYS: i64 = 21;

/// Everything the realistic-calendar check looks at.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct CalendarInput {
    /// The day the check runs; steps before it are reported as past.
    pub today: NaiveDate,
    /// The planned steps, in any order.
    pub steps: Vec<PlannedStep>,
    /// When registrations open, if set apart from the launch step.
    pub registration_opens: Option<NaiveDate>,
    /// When registrations close, if set apart from the deadline step.
    pub registration_closes: Option<NaiveDate>,
    /// The first date of each mission of the campaign.
    pub mission_starts: Vec<NaiveDate>,
    /// How many volunteers the campaign aims to recruit.
    pub goal: u32,
    /// Places offered by all missions together.
    pub total_capacity: u32,
    /// How many colleagues the campaign is sent to, when known.
    pub audience_size: Option<u32>,
}

impl CalendarInput {
    /// The day the first mission starts, if any mission has a date.
    pub fn earliest_mission_start(&self) -> Option<NaiveDate> {
        self.mission_starts.iter().min().copied()
    }

    /// Dates of the steps of `kind`.
    fn dates_of(&self, kind: StepKind) -> impl Iterator<Item = NaiveDate> + '_ {
        self.steps
            .iter()
            .filter(move |step| step.kind == kind)
            .map(|step| step.date)
    }

    /// The earliest step of `kind`.
    fn first_date_of(&self, kind: StepKind) -> Option<NaiveDate> {
        self.dates_of(kind).min()
    }

    /// The latest step of `kind`.
    fn last_date_of(&self, kind: StepKind) -> Option<NaiveDate> {
        self.dates_of(kind).max()
    }

    /// "the mission", or "the first mission" when there are several.
    fn mission_en(&self) -> &'static str {
        if self.mission_starts.len() > 1 {
            "the first mission"
        } else {
            "the mission"
        }
    }

    /// "la mission", or "la première mission" when there are several.
    fn mission_fr(&self) -> &'static str {
        if self.mission_starts.len() > 1 {
            "la première mission"
        } else {
            "la mission"
        }
    }
}

/// Builds a warning; shorthand for the rule modules.
fn warning(
    code: WarningCode,
    step: Option<StepKind>,
    date: Option<NaiveDate>,
    message_en: String,
    message_fr: String,
) -> CalendarWarning {
    CalendarWarning {
        code,
        step,
        date,
        message_en,
        message_fr,
    }
}

/// Every problem found in the calendar, ordered by date (undated ones first), then code.
pub fn check_calendar(input: &CalendarInput) -> Vec<CalendarWarning> {
    let mut warnings = Vec::new();
    goals::check(input, &mut warnings);
    timing::check(input, &mut warnings);
    order::check(input, &mut warnings);
    days::check(input, &mut warnings);
    // Step and message break the remaining ties so the order never depends on input order.
    warnings.sort_by(|a, b| {
        (a.date, a.code, a.step, &a.message_en).cmp(&(b.date, b.code, b.step, &b.message_en))
    });
    // A step listed twice would otherwise be reported twice.
    warnings.dedup();
    warnings
}
