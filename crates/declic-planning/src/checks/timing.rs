//! Checks that leave colleagues enough time: lead time, reminders, and a deadline before the mission.

use chrono::NaiveDate;

use super::{CalendarInput, MIN_LEAD_TIME_DAYS, warning};
use crate::calendar::{PlannedStep, StepKind};
use crate::text::{
    capitalize, count_en, count_fr, date_en, date_fr, gap_en, gap_fr, step_en, step_fr,
};
use crate::warning::{CalendarWarning, WarningCode};

/// Adds `short_lead_time`, `deadline_after_mission_start` and `no_reminder` warnings.
pub(super) fn check(input: &CalendarInput, out: &mut Vec<CalendarWarning>) {
    if let Some(mission) = input.earliest_mission_start() {
        lead_time(input, mission, out);
        deadline_after_mission(input, mission, out);
    }
    no_reminder(input, out);
}

/// The step that opens the campaign: the launch, or else the first recruitment step.
fn opening_step(input: &CalendarInput) -> Option<PlannedStep> {
    let earliest = |wanted: &dyn Fn(StepKind) -> bool| {
        input
            .steps
            .iter()
            .filter(|step| wanted(step.kind))
            .min_by_key(|step| step.date)
            .copied()
    };
    // Evaluations and the mission day say nothing about when colleagues first heard of it.
    earliest(&|kind| kind == StepKind::Launch).or_else(|| earliest(&StepKind::is_before_mission))
}

/// Warns when colleagues hear of the campaign, or can register, too close to the mission.
fn lead_time(input: &CalendarInput, mission: NaiveDate, out: &mut Vec<CalendarWarning>) {
    let weeks = MIN_LEAD_TIME_DAYS / 7;
    let advice_en = format!("allow at least {weeks} weeks so colleagues can plan their absence.");
    let advice_fr = format!(
        "prévoyez au moins {weeks} semaines pour que les collaborateurs puissent organiser leur \
         absence."
    );
    if let Some(step) = opening_step(input) {
        let days = (mission - step.date).num_days();
        if days < MIN_LEAD_TIME_DAYS {
            out.push(warning(
                WarningCode::ShortLeadTime,
                Some(step.kind),
                Some(step.date),
                format!(
                    "{} is {}; {advice_en}",
                    capitalize(step_en(step.kind)),
                    gap_en(days, input.mission_en())
                ),
                format!(
                    "{} a lieu {} ; {advice_fr}",
                    capitalize(step_fr(step.kind)),
                    gap_fr(days, input.mission_fr())
                ),
            ));
        }
    }
    if let Some(opens) = input.registration_opens {
        let days = (mission - opens).num_days();
        if days < MIN_LEAD_TIME_DAYS {
            out.push(warning(
                WarningCode::ShortLeadTime,
                None,
                Some(opens),
                format!(
                    "Registrations open {}; {advice_en}",
                    gap_en(days, input.mission_en())
                ),
                format!(
                    "Les inscriptions ouvrent {} ; {advice_fr}",
                    gap_fr(days, input.mission_fr())
                ),
            ));
        }
    }
}

/// Warns about each way registrations stay open after the first mission has started.
fn deadline_after_mission(
    input: &CalendarInput,
    mission: NaiveDate,
    out: &mut Vec<CalendarWarning>,
) {
    let advice_en =
        "close registrations before the mission so the association can organise the teams.";
    let advice_fr = "clôturez les inscriptions avant la mission pour que l'association puisse organiser les équipes.";
    let late_deadlines = input
        .dates_of(StepKind::RegistrationDeadline)
        .filter(|date| *date > mission);
    for deadline in late_deadlines {
        let late = (deadline - mission).num_days();
        out.push(warning(
            WarningCode::DeadlineAfterMissionStart,
            Some(StepKind::RegistrationDeadline),
            Some(deadline),
            format!(
                "The registration deadline ({}) is {} after {} starts ({}); {advice_en}",
                date_en(deadline),
                count_en(late, "day", "days"),
                input.mission_en(),
                date_en(mission),
            ),
            format!(
                "La clôture des inscriptions ({}) a lieu {} après le début de {} ({}) ; {advice_fr}",
                date_fr(deadline),
                count_fr(late, "jour", "jours"),
                input.mission_fr(),
                date_fr(mission),
            ),
        ));
    }
    if let Some(closes) = input.registration_closes
        && closes > mission
    {
        let late = (closes - mission).num_days();
        out.push(warning(
            WarningCode::DeadlineAfterMissionStart,
            None,
            Some(closes),
            format!(
                "Registrations close on {}, {} after {} starts; {advice_en}",
                date_en(closes),
                count_en(late, "day", "days"),
                input.mission_en(),
            ),
            format!(
                "Les inscriptions ferment le {}, {} après le début de {} ; {advice_fr}",
                date_fr(closes),
                count_fr(late, "jour", "jours"),
                input.mission_fr(),
            ),
        ));
    }
}

/// Warns when nothing reminds colleagues to register between the launch and the deadline.
fn no_reminder(input: &CalendarInput, out: &mut Vec<CalendarWarning>) {
    // The most lenient window: from the first launch to the last deadline, falling back on
    // the registration dates and then on the mission start. A missing bound means "open".
    let start = input
        .first_date_of(StepKind::Launch)
        .or(input.registration_opens);
    let end = input
        .last_date_of(StepKind::RegistrationDeadline)
        .or(input.registration_closes)
        .or_else(|| input.earliest_mission_start());
    if let (Some(start), Some(end)) = (start, end)
        && start > end
    {
        // An inverted window is already reported as steps out of order or a short lead time.
        return;
    }
    let reminded = input.steps.iter().any(|step| {
        matches!(step.kind, StepKind::Reminder | StepKind::LastCall)
            && start.is_none_or(|start| step.date > start)
            && end.is_none_or(|end| step.date <= end)
    });
    if !reminded {
        out.push(warning(
            WarningCode::NoReminder,
            None,
            start,
            "No reminder or last call is planned between the launch and the registration \
             deadline; plan at least one so the campaign stays visible."
                .to_owned(),
            "Aucune relance ni dernier appel n'est prévu entre le lancement et la clôture des \
             inscriptions ; prévoyez-en au moins un pour que la campagne reste visible."
                .to_owned(),
        ));
    }
}
