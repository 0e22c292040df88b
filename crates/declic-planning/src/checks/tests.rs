//! Tests of the goal and timing warnings, and of the clean default plan.

use super::fixtures::{codes, d, date, input, minimal_steps, mission, only, step};
use super::*;
use crate::calendar::default_plan;
use crate::warning::WarningCode::*;

#[test]
fn default_plan_on_a_well_chosen_monday_is_clean() {
    assert_eq!(check_calendar(&input(default_plan(mission()))), []);
    assert_eq!(check_calendar(&input(minimal_steps())), []);
}

#[test]
fn default_plan_on_a_tuesday_puts_the_deadline_on_a_saturday() {
    // From a Tuesday, D-3 is always a Saturday: no Tuesday plan is weekend-free.
    let tuesday = date(2026, 10, 20);
    let mut campaign = input(default_plan(tuesday));
    campaign.mission_starts = vec![tuesday];
    let warnings = check_calendar(&campaign);
    assert_eq!(codes(&warnings), [WeekendStep]);
    assert_eq!(warnings[0].step, Some(StepKind::RegistrationDeadline));
    assert_eq!(warnings[0].date, Some(date(2026, 10, 17)));
    assert_eq!(
        warnings[0].message_en,
        "The registration deadline falls on Saturday 17 October 2026; colleagues rarely read \
         work messages at the weekend."
    );
    assert_eq!(
        warnings[0].message_fr,
        "La clôture des inscriptions tombe le samedi 17 octobre 2026 ; les collaborateurs \
         lisent rarement leurs messages professionnels le week-end."
    );
}

#[test]
fn no_mission() {
    let mut campaign = input(default_plan(mission()));
    campaign.mission_starts.clear();
    let warnings = check_calendar(&campaign);
    assert_eq!(codes(&warnings), [NoMission]);
    assert_eq!((warnings[0].step, warnings[0].date), (None, None));
    assert!(warnings[0].message_fr.starts_with("Aucune mission"));
}

#[test]
fn short_lead_time_from_the_launch() {
    let campaign = input(vec![
        step(StepKind::Launch, d(-12)),
        step(StepKind::Reminder, d(-7)),
        step(StepKind::RegistrationDeadline, d(-3)),
    ]);
    let warnings = check_calendar(&campaign);
    assert_eq!(codes(&warnings), [ShortLeadTime]);
    assert_eq!(warnings[0].step, Some(StepKind::Launch));
    assert_eq!(warnings[0].date, Some(d(-12)));
    assert_eq!(
        warnings[0].message_en,
        "The launch is 12 days before the mission; allow at least 3 weeks so colleagues can \
         plan their absence."
    );
    assert_eq!(
        warnings[0].message_fr,
        "Le lancement a lieu 12 jours avant la mission ; prévoyez au moins 3 semaines pour que \
         les collaborateurs puissent organiser leur absence."
    );
}

#[test]
fn short_lead_time_boundary_is_three_weeks() {
    let mut steps = minimal_steps();
    steps[0].date = d(-20);
    assert_eq!(codes(&only(&input(steps), ShortLeadTime)), [ShortLeadTime]);
    assert_eq!(only(&input(minimal_steps()), ShortLeadTime), []);
}

#[test]
fn short_lead_time_without_launch_uses_the_first_recruitment_step() {
    let campaign = input(vec![
        step(StepKind::Teaser, d(-10)),
        step(StepKind::Reminder, d(-7)),
        step(StepKind::EvaluationHot, d(-60)), // misplaced, but says nothing about lead time
    ]);
    let warnings = only(&campaign, ShortLeadTime);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].step, Some(StepKind::Teaser));
    assert!(
        warnings[0]
            .message_en
            .starts_with("The teaser is 10 days before")
    );
}

#[test]
fn short_lead_time_from_registration_opening_and_with_several_missions() {
    let mut campaign = input(minimal_steps());
    campaign.registration_opens = Some(d(-10));
    campaign.mission_starts = vec![d(14), mission(), d(7)];
    let warnings = check_calendar(&campaign);
    assert_eq!(codes(&warnings), [ShortLeadTime]);
    assert_eq!((warnings[0].step, warnings[0].date), (None, Some(d(-10))));
    assert_eq!(
        warnings[0].message_en,
        "Registrations open 10 days before the first mission; allow at least 3 weeks so \
         colleagues can plan their absence."
    );
    assert!(
        warnings[0]
            .message_fr
            .starts_with("Les inscriptions ouvrent 10 jours avant la première mission ;")
    );
}

#[test]
fn launch_after_the_mission_is_described_as_after() {
    let mut campaign = input(vec![step(StepKind::Launch, d(2))]);
    campaign.mission_starts = vec![mission()];
    let warnings = only(&campaign, ShortLeadTime);
    assert!(
        warnings[0]
            .message_en
            .starts_with("The launch is 2 days after the mission starts;")
    );
    assert!(
        warnings[0]
            .message_fr
            .starts_with("Le lancement a lieu 2 jours après le début de la mission ;")
    );
}

#[test]
fn no_reminder() {
    let campaign = input(vec![
        step(StepKind::Launch, d(-21)),
        step(StepKind::Reminder, d(-21)), // on launch day: not a reminder of anything
        step(StepKind::Reminder, d(-2)),  // after the deadline: too late
        step(StepKind::RegistrationDeadline, d(-3)),
    ]);
    let warnings = only(&campaign, NoReminder);
    assert_eq!(warnings.len(), 1);
    assert_eq!((warnings[0].step, warnings[0].date), (None, Some(d(-21))));
    assert!(
        warnings[0]
            .message_en
            .starts_with("No reminder or last call")
    );

    let last_call_on_deadline_day = input(vec![
        step(StepKind::Launch, d(-21)),
        step(StepKind::LastCall, d(-3)),
        step(StepKind::RegistrationDeadline, d(-3)),
    ]);
    assert_eq!(only(&last_call_on_deadline_day, NoReminder), []);
}

#[test]
fn no_reminder_without_deadline_uses_the_mission_start() {
    let with_late_reminder = input(vec![
        step(StepKind::Launch, d(-21)),
        step(StepKind::Reminder, d(7)),
    ]);
    assert_eq!(codes(&only(&with_late_reminder, NoReminder)), [NoReminder]);
    let with_reminder = input(vec![
        step(StepKind::Launch, d(-21)),
        step(StepKind::Reminder, d(-7)),
    ]);
    assert_eq!(only(&with_reminder, NoReminder), []);
}

#[test]
fn deadline_after_mission_start() {
    let mut steps = minimal_steps();
    steps[2].date = d(2);
    let mut campaign = input(steps);
    campaign.registration_closes = Some(d(1));
    let warnings = only(&campaign, DeadlineAfterMissionStart);
    assert_eq!(warnings.len(), 2);
    assert_eq!((warnings[0].step, warnings[0].date), (None, Some(d(1))));
    assert_eq!(
        warnings[1].message_en,
        "The registration deadline (Wednesday 21 October 2026) is 2 days after the mission \
         starts (Monday 19 October 2026); close registrations before the mission so the \
         association can organise the teams."
    );
    assert_eq!(
        warnings[0].message_fr,
        "Les inscriptions ferment le mardi 20 octobre 2026, 1 jour après le début de la \
         mission ; clôturez les inscriptions avant la mission pour que l'association puisse \
         organiser les équipes."
    );

    let mut on_the_day = minimal_steps();
    on_the_day[2].date = mission();
    assert_eq!(only(&input(on_the_day), DeadlineAfterMissionStart), []);
}

#[test]
fn capacity_below_goal() {
    let mut campaign = input(minimal_steps());
    campaign.total_capacity = 8;
    let warnings = check_calendar(&campaign);
    assert_eq!(codes(&warnings), [CapacityBelowGoal]);
    assert_eq!(
        warnings[0].message_en,
        "The missions offer 8 places in total but the goal is 10 volunteers; add missions or \
         places, or lower the goal."
    );
    assert_eq!(
        warnings[0].message_fr,
        "Les missions offrent 8 places au total mais l'objectif est de 10 participants ; \
         ajoutez des missions ou des places, ou revoyez l'objectif à la baisse."
    );
    campaign.total_capacity = 10;
    assert_eq!(check_calendar(&campaign), []);
}

#[test]
fn audience_below_goal() {
    let mut campaign = input(minimal_steps());
    campaign.audience_size = Some(1);
    let warnings = check_calendar(&campaign);
    assert_eq!(codes(&warnings), [AudienceBelowGoal]);
    assert!(
        warnings[0]
            .message_en
            .starts_with("The campaign reaches 1 person but the goal is 10 volunteers;")
    );
    assert!(
        warnings[0]
            .message_fr
            .starts_with("La campagne touche 1 personne mais l'objectif est de 10 participants ;")
    );
    campaign.audience_size = None;
    assert_eq!(check_calendar(&campaign), []);
    campaign.audience_size = Some(10);
    assert_eq!(check_calendar(&campaign), []);
}
