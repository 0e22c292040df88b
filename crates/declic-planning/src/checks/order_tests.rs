//! Tests of the per-day and ordering warnings, and of the order warnings come out in.

use chrono::NaiveDate;

use super::fixtures::{codes, d, date, input, minimal_steps, mission, only, step};
use super::*;
use crate::warning::WarningCode::*;

#[test]
fn weekend_steps_one_warning_each_but_not_the_mission_day() {
    let saturday_mission = date(2026, 10, 17);
    let mut campaign = input(vec![
        step(StepKind::Launch, date(2026, 9, 19)),   // Saturday
        step(StepKind::Reminder, date(2026, 10, 4)), // Sunday
        step(StepKind::RegistrationDeadline, date(2026, 10, 14)),
        step(StepKind::MissionDay, saturday_mission),
    ]);
    campaign.mission_starts = vec![saturday_mission];
    let warnings = check_calendar(&campaign);
    assert_eq!(codes(&warnings), [WeekendStep, WeekendStep]);
    assert_eq!(warnings[0].step, Some(StepKind::Launch));
    assert_eq!(warnings[1].step, Some(StepKind::Reminder));
    assert!(
        warnings[1]
            .message_fr
            .starts_with("La relance tombe le dimanche 4 octobre 2026 ;")
    );
}

#[test]
fn public_holiday_step_names_the_holiday() {
    // Thursday 11 June 2026; its launch, Thursday 14 May, is Ascension.
    let june_mission = date(2026, 6, 11);
    let mut campaign = input(vec![
        step(StepKind::Launch, date(2026, 5, 14)),
        step(StepKind::Reminder, date(2026, 6, 1)),
        step(StepKind::RegistrationDeadline, date(2026, 6, 8)),
        step(StepKind::MissionDay, june_mission),
        step(StepKind::EvaluationHot, date(2026, 7, 14)), // Fête nationale
    ]);
    campaign.mission_starts = vec![june_mission];
    let warnings = check_calendar(&campaign);
    assert_eq!(codes(&warnings), [PublicHolidayStep, PublicHolidayStep]);
    assert_eq!(
        warnings[0].message_en,
        "The launch falls on a public holiday (Ascension Day, Thursday 14 May 2026); many \
         colleagues will be off."
    );
    assert_eq!(
        warnings[0].message_fr,
        "Le lancement tombe un jour férié (Ascension, jeudi 14 mai 2026) ; beaucoup de \
         collaborateurs seront absents."
    );
    assert!(
        warnings[1]
            .message_fr
            .contains("(Fête nationale, mardi 14 juillet 2026)")
    );

    let mut holiday_mission = input(minimal_steps());
    holiday_mission
        .steps
        .push(step(StepKind::MissionDay, date(2026, 11, 11)));
    assert_eq!(only(&holiday_mission, PublicHolidayStep), []);
}

#[test]
fn step_in_past() {
    let mut campaign = input(minimal_steps());
    campaign.today = d(-21);
    assert_eq!(check_calendar(&campaign), [], "a step today is not past");
    campaign.today = d(-20);
    let warnings = check_calendar(&campaign);
    assert_eq!(codes(&warnings), [StepInPast]);
    assert_eq!(
        warnings[0].message_en,
        "The launch is planned for Monday 28 September 2026, which has already passed; move it \
         to a later date or remove it."
    );
    assert_eq!(
        warnings[0].message_fr,
        "La date prévue pour le lancement (lundi 28 septembre 2026) est déjà passée ; déplacez \
         l'étape ou supprimez-la."
    );
}

#[test]
fn steps_out_of_order() {
    let campaign = input(vec![
        step(StepKind::Teaser, d(-14)), // after the launch
        step(StepKind::Launch, d(-28)),
        step(StepKind::Reminder, d(-35)), // before the launch
        step(StepKind::Reminder, d(-21)),
        step(StepKind::LastCall, d(-2)), // after the deadline
        step(StepKind::RegistrationDeadline, d(-3)),
        step(StepKind::MissionDay, mission()),
        step(StepKind::EvaluationHot, d(-7)), // before the mission
        step(StepKind::EvaluationShortTerm, d(30)),
        step(StepKind::EvaluationLongTerm, d(23)), // before the short-term evaluation
    ]);
    let warnings = only(&campaign, StepsOutOfOrder);
    let found: Vec<(Option<StepKind>, Option<NaiveDate>)> =
        warnings.iter().map(|w| (w.step, w.date)).collect();
    assert_eq!(
        found,
        [
            (Some(StepKind::Reminder), Some(d(-35))),
            (Some(StepKind::Teaser), Some(d(-14))),
            (Some(StepKind::EvaluationHot), Some(d(-7))),
            (Some(StepKind::LastCall), Some(d(-2))),
            (Some(StepKind::EvaluationLongTerm), Some(d(23))),
        ]
    );
    assert_eq!(
        warnings[1].message_en,
        "The teaser (Monday 5 October 2026) comes after the launch (Monday 21 September 2026); \
         put the steps back in order."
    );
    assert_eq!(
        warnings[2].message_fr,
        "L'évaluation à chaud (lundi 12 octobre 2026) a lieu avant le jour de la mission \
         (lundi 19 octobre 2026) ; remettez les étapes dans l'ordre."
    );
}

#[test]
fn launch_after_deadline_is_out_of_order_and_not_also_missing_reminders() {
    let campaign = input(vec![
        step(StepKind::RegistrationDeadline, d(-28)),
        step(StepKind::Launch, d(-21)),
        step(StepKind::Reminder, d(-14)),
    ]);
    let warnings = check_calendar(&campaign);
    let launch: Vec<&CalendarWarning> = warnings
        .iter()
        .filter(|w| w.step == Some(StepKind::Launch))
        .collect();
    assert_eq!(launch.len(), 1);
    assert_eq!(launch[0].code, StepsOutOfOrder);
    assert!(
        launch[0]
            .message_en
            .contains("after the registration deadline")
    );
    assert!(!codes(&warnings).contains(&NoReminder));
}

#[test]
fn evaluations_without_mission_day_compare_with_the_mission_start() {
    let mut campaign = input(minimal_steps());
    campaign.steps.push(step(StepKind::EvaluationHot, d(-2)));
    let warnings = only(&campaign, StepsOutOfOrder);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]
            .message_en
            .contains("before the start of the mission")
    );
}

#[test]
fn registrations_opening_after_they_close_is_out_of_order() {
    let mut campaign = input(minimal_steps());
    campaign.registration_opens = Some(d(-28));
    campaign.registration_closes = Some(d(-35));
    campaign
        .steps
        .retain(|s| s.kind != StepKind::RegistrationDeadline);
    let warnings = only(&campaign, StepsOutOfOrder);
    assert!(
        warnings
            .iter()
            .any(|w| w.step.is_none() && w.date == Some(d(-28)))
    );
}

#[test]
fn warnings_are_ordered_by_date_then_code_whatever_the_input_order() {
    let mut campaign = input(vec![
        step(StepKind::Launch, date(2026, 9, 19)), // Saturday, 30 days before the mission
        step(StepKind::Reminder, date(2026, 10, 4)), // Sunday
        step(StepKind::RegistrationDeadline, d(2)),
    ]);
    campaign.today = date(2026, 10, 1);
    campaign.total_capacity = 0;
    let warnings = check_calendar(&campaign);
    assert_eq!(
        codes(&warnings),
        [
            CapacityBelowGoal,
            StepInPast,
            WeekendStep,
            WeekendStep,
            DeadlineAfterMissionStart
        ]
    );
    let keys: Vec<_> = warnings.iter().map(|w| (w.date, w.code)).collect();
    assert!(keys.windows(2).all(|pair| pair[0] <= pair[1]));

    campaign.steps.reverse();
    assert_eq!(check_calendar(&campaign), warnings);
}

#[test]
fn a_step_listed_twice_is_reported_once() {
    let mut campaign = input(minimal_steps());
    campaign
        .steps
        .push(step(StepKind::Reminder, date(2026, 10, 10))); // Saturday
    campaign
        .steps
        .push(step(StepKind::Reminder, date(2026, 10, 10)));
    assert_eq!(codes(&check_calendar(&campaign)), [WeekendStep]);
}
