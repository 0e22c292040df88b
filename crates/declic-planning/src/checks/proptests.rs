//! Properties of the check: it never panics, and the plans this crate proposes pass it.

use chrono::{NaiveDate, TimeDelta};
use proptest::prelude::*;
use proptest::sample::select;

use super::*;
use crate::calendar::default_plan;
use crate::warning::WarningCode;
use crate::working_days::default_plan_on_working_days;

/// Days from 1 January 1900 to 1 January 2200.
const SPAN_DAYS: i64 = 109_573;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid base date")
}

/// Any date from 1900 to 2199.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0..SPAN_DAYS).prop_map(|offset| base() + TimeDelta::days(offset))
}

fn any_step() -> impl Strategy<Value = PlannedStep> {
    (select(StepKind::ALL.to_vec()), any_date())
        .prop_map(|(kind, date)| PlannedStep::new(kind, date))
}

fn any_input() -> impl Strategy<Value = CalendarInput> {
    (
        any_date(),
        prop::collection::vec(any_step(), 0..16),
        prop::option::of(any_date()),
        prop::option::of(any_date()),
        prop::collection::vec(any_date(), 0..4),
        any::<u32>(),
        any::<u32>(),
        prop::option::of(any::<u32>()),
    )
        .prop_map(
            |(
                today,
                steps,
                registration_opens,
                registration_closes,
                mission_starts,
                goal,
                total_capacity,
                audience_size,
            )| {
                CalendarInput {
                    today,
                    steps,
                    registration_opens,
                    registration_closes,
                    mission_starts,
                    goal,
                    total_capacity,
                    audience_size,
                }
            },
        )
}

/// A campaign built on `steps` for a mission `ahead` days after `today`, with later missions
/// and registration dates that agree with the default plan.
fn planned_input(
    today: NaiveDate,
    mission: NaiveDate,
    steps: Vec<PlannedStep>,
    later_missions: Vec<i64>,
    opens_before: Option<i64>,
    closes_before: Option<i64>,
) -> CalendarInput {
    let mut mission_starts = vec![mission];
    mission_starts.extend(
        later_missions
            .into_iter()
            .map(|days| mission + TimeDelta::days(days)),
    );
    CalendarInput {
        today,
        steps,
        registration_opens: opens_before.map(|days| mission - TimeDelta::days(days)),
        registration_closes: closes_before.map(|days| mission - TimeDelta::days(days)),
        mission_starts,
        goal: 10,
        total_capacity: 10,
        audience_size: Some(10),
    }
}

const STRUCTURAL: [WarningCode; 4] = [
    WarningCode::ShortLeadTime,
    WarningCode::NoReminder,
    WarningCode::DeadlineAfterMissionStart,
    WarningCode::StepsOutOfOrder,
];

proptest! {
    #[test]
    fn never_panics_and_is_sorted(input in any_input()) {
        let warnings = check_calendar(&input);
        let keys: Vec<_> = warnings.iter().map(|w| (w.date, w.code)).collect();
        prop_assert!(keys.windows(2).all(|pair| pair[0] <= pair[1]));
        prop_assert!(warnings.iter().all(|w| !w.message_en.is_empty() && !w.message_fr.is_empty()));
    }

    #[test]
    fn default_plan_is_sorted_with_one_mission_day(mission in any_date()) {
        let plan = default_plan(mission);
        prop_assert_eq!(plan.len(), 10);
        prop_assert!(plan.windows(2).all(|pair| pair[0].date <= pair[1].date));
        let mission_days: Vec<&PlannedStep> =
            plan.iter().filter(|step| step.kind == StepKind::MissionDay).collect();
        prop_assert_eq!(mission_days.len(), 1);
        prop_assert_eq!(mission_days[0].date, mission);
    }

    #[test]
    fn default_plan_well_ahead_is_structurally_sound(
        today in any_date(),
        ahead in 60i64..2_000,
        later_missions in prop::collection::vec(0i64..60, 0..3),
        opens_before in prop::option::of(21i64..=60),
        closes_before in prop::option::of(0i64..=21),
    ) {
        let mission = today + TimeDelta::days(ahead);
        let input = planned_input(today, mission, default_plan(mission), later_missions, opens_before, closes_before);
        let warnings = check_calendar(&input);
        prop_assert!(
            warnings.iter().all(|w| !STRUCTURAL.contains(&w.code)),
            "{:?}", warnings
        );
        prop_assert!(warnings.iter().all(|w| w.code != WarningCode::StepInPast));
    }

    #[test]
    fn working_day_plan_well_ahead_has_no_warning_at_all(
        today in any_date(),
        ahead in 60i64..2_000,
        later_missions in prop::collection::vec(0i64..60, 0..3),
    ) {
        let mission = today + TimeDelta::days(ahead);
        let plan = default_plan_on_working_days(mission);
        let input = planned_input(today, mission, plan, later_missions, None, None);
        prop_assert_eq!(check_calendar(&input), Vec::<CalendarWarning>::new());
    }
}
