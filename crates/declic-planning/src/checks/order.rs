//! Checks that steps happen in a sensible order, e.g. no launch after the registration deadline.

use chrono::NaiveDate;

use super::{CalendarInput, warning};
use crate::calendar::{PlannedStep, StepKind};
use crate::text::{capitalize, date_en, date_fr, step_en, step_fr};
use crate::warning::{CalendarWarning, WarningCode};

/// Which side of its reference a step must stay on.
#[derive(Clone, Copy)]
enum Relation {
    /// The step must not come after the reference.
    NotAfter,
    /// The step must not come before the reference.
    NotBefore,
}

/// What a step is compared with.
#[derive(Clone, Copy)]
enum Reference {
    /// Steps of one kind.
    Step(StepKind),
    /// The deadline step, or else the registration closing date.
    Deadline,
    /// The mission day step, or else the first mission start.
    MissionDay,
}

/// One ordering rule: every step of `subjects` must keep `relation` to `reference`.
struct Rule {
    subjects: &'static [StepKind],
    relation: Relation,
    reference: Reference,
}

const REMINDERS: &[StepKind] = &[StepKind::Reminder, StepKind::LastCall];
const EVALUATIONS: &[StepKind] = &[
    StepKind::EvaluationHot,
    StepKind::EvaluationShortTerm,
    StepKind::EvaluationLongTerm,
];

/// The rules, most fundamental first: a step reports only the first one it breaks.
const RULES: [Rule; 7] = [
    Rule {
        subjects: &[StepKind::Launch],
        relation: Relation::NotAfter,
        reference: Reference::Deadline,
    },
    Rule {
        subjects: &[StepKind::Teaser],
        relation: Relation::NotAfter,
        reference: Reference::Step(StepKind::Launch),
    },
    Rule {
        subjects: REMINDERS,
        relation: Relation::NotAfter,
        reference: Reference::Deadline,
    },
    Rule {
        subjects: REMINDERS,
        relation: Relation::NotBefore,
        reference: Reference::Step(StepKind::Launch),
    },
    Rule {
        subjects: EVALUATIONS,
        relation: Relation::NotBefore,
        reference: Reference::MissionDay,
    },
    Rule {
        subjects: &[StepKind::EvaluationShortTerm, StepKind::EvaluationLongTerm],
        relation: Relation::NotBefore,
        reference: Reference::Step(StepKind::EvaluationHot),
    },
    Rule {
        subjects: &[StepKind::EvaluationLongTerm],
        relation: Relation::NotBefore,
        reference: Reference::Step(StepKind::EvaluationShortTerm),
    },
];

/// Adds one `steps_out_of_order` warning per misplaced step, plus one for inverted registration dates.
pub(super) fn check(input: &CalendarInput, out: &mut Vec<CalendarWarning>) {
    for step in &input.steps {
        if let Some(found) = RULES.iter().find_map(|rule| broken(input, step, rule)) {
            out.push(found);
        }
    }
    registration_window(input, out);
}

/// The reference date to compare with, and how to name it in English and French.
///
/// Several steps of one kind are allowed: a step is compared with the most lenient one
/// (the latest when it must not come after, the earliest when it must not come before).
fn reference_date(
    input: &CalendarInput,
    reference: Reference,
    relation: Relation,
) -> Option<(NaiveDate, &'static str, &'static str)> {
    let lenient = |kind: StepKind| match relation {
        Relation::NotAfter => input.last_date_of(kind),
        Relation::NotBefore => input.first_date_of(kind),
    };
    match reference {
        Reference::Step(kind) => lenient(kind).map(|date| (date, step_en(kind), step_fr(kind))),
        Reference::Deadline => lenient(StepKind::RegistrationDeadline)
            .or(input.registration_closes)
            .map(|date| {
                (
                    date,
                    "the registration deadline",
                    "la clôture des inscriptions",
                )
            }),
        Reference::MissionDay => match lenient(StepKind::MissionDay) {
            Some(date) => Some((date, "the mission day", "le jour de la mission")),
            None => input
                .earliest_mission_start()
                .map(|date| (date, "the start of the mission", "le début de la mission")),
        },
    }
}

/// The warning for `step` if it is one of `rule`'s subjects and breaks it.
fn broken(input: &CalendarInput, step: &PlannedStep, rule: &Rule) -> Option<CalendarWarning> {
    if !rule.subjects.contains(&step.kind) {
        return None;
    }
    let (reference, name_en, name_fr) = reference_date(input, rule.reference, rule.relation)?;
    let (side_en, side_fr) = match rule.relation {
        Relation::NotAfter if step.date > reference => ("after", "après"),
        Relation::NotBefore if step.date < reference => ("before", "avant"),
        _ => return None,
    };
    Some(warning(
        WarningCode::StepsOutOfOrder,
        Some(step.kind),
        Some(step.date),
        format!(
            "{} ({}) comes {side_en} {name_en} ({}); put the steps back in order.",
            capitalize(step_en(step.kind)),
            date_en(step.date),
            date_en(reference),
        ),
        format!(
            "{} ({}) a lieu {side_fr} {name_fr} ({}) ; remettez les étapes dans l'ordre.",
            capitalize(step_fr(step.kind)),
            date_fr(step.date),
            date_fr(reference),
        ),
    ))
}

/// Warns when registrations open after they close.
fn registration_window(input: &CalendarInput, out: &mut Vec<CalendarWarning>) {
    let Some(opens) = input.registration_opens else {
        return;
    };
    let closes = input
        .last_date_of(StepKind::RegistrationDeadline)
        .or(input.registration_closes);
    if let Some(closes) = closes
        && opens > closes
    {
        out.push(warning(
            WarningCode::StepsOutOfOrder,
            None,
            Some(opens),
            format!(
                "Registrations open on {}, after they close on {}; check both dates.",
                date_en(opens),
                date_en(closes),
            ),
            format!(
                "Les inscriptions ouvrent le {}, après leur clôture le {} ; vérifiez les deux dates.",
                date_fr(opens),
                date_fr(closes),
            ),
        ));
    }
}
