//! Working days in France, and a default plan that keeps its messages off weekends and holidays.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::calendar::{PlannedStep, StepKind, default_plan};
use crate::holidays::is_french_public_holiday;

/// Longest run of non-working days we will walk through. Real runs are at most four days
/// (Ascension Thursday, 8 May Friday, weekend); the bound only guards chrono's range ends.
const MAX_SHIFT_DAYS: usize = 14;

/// Whether `date` is a Saturday or a Sunday.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Whether `date` is neither a weekend day nor a French public holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    !is_weekend(date) && is_french_public_holiday(date).is_none()
}

/// The first working day on or after `date`.
pub fn shift_to_working_day(date: NaiveDate) -> NaiveDate {
    walk_to_working_day(date, NaiveDate::succ_opt)
}

/// The last working day on or before `date`.
pub fn shift_back_to_working_day(date: NaiveDate) -> NaiveDate {
    walk_to_working_day(date, NaiveDate::pred_opt)
}

/// Steps from `date` with `next` until a working day; gives `date` back at the ends of chrono's range.
fn walk_to_working_day(date: NaiveDate, next: fn(&NaiveDate) -> Option<NaiveDate>) -> NaiveDate {
    let mut current = date;
    for _ in 0..MAX_SHIFT_DAYS {
        if is_working_day(current) {
            return current;
        }
        match next(&current) {
            Some(day) => current = day,
            None => return date,
        }
    }
    date
}

/// The default plan with every message moved onto a working day, sorted by date.
///
/// Each step moves *away* from the mission, never towards it: recruitment steps
/// (teaser, launch, reminders, last call, registration deadline) move to the
/// previous working day, evaluations to the next one, and the mission day stays put.
/// Moving the launch later would shorten the three weeks colleagues need, and moving a
/// last call later while the deadline moves earlier could put it after the deadline;
/// shifting everything on one side in the same direction keeps the steps in order.
pub fn default_plan_on_working_days(mission_date: NaiveDate) -> Vec<PlannedStep> {
    let mut plan: Vec<PlannedStep> = default_plan(mission_date)
        .into_iter()
        .map(|step| {
            let date = match step.kind {
                StepKind::MissionDay => step.date,
                kind if kind.is_evaluation() => shift_to_working_day(step.date),
                _ => shift_back_to_working_day(step.date),
            };
            PlannedStep::new(step.kind, date)
        })
        .collect();
    plan.sort_by_key(|step| step.date);
    plan
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn date_of(plan: &[PlannedStep], kind: StepKind) -> Option<NaiveDate> {
        plan.iter()
            .find(|step| step.kind == kind)
            .map(|step| step.date)
    }

    #[test]
    fn working_days() {
        assert!(is_working_day(date(2026, 5, 12))); // Tuesday
        assert!(!is_working_day(date(2026, 5, 16))); // Saturday
        assert!(!is_working_day(date(2026, 5, 14))); // Ascension
    }

    #[test]
    fn shifts_forward_over_weekends_and_holidays() {
        assert_eq!(shift_to_working_day(date(2026, 5, 12)), date(2026, 5, 12));
        assert_eq!(shift_to_working_day(date(2026, 5, 16)), date(2026, 5, 18));
        // Easter weekend 2026: Saturday 4, Sunday 5, Monday 6 April.
        assert_eq!(shift_to_working_day(date(2026, 4, 4)), date(2026, 4, 7));
        // Christmas 2026 is a Friday.
        assert_eq!(shift_to_working_day(date(2026, 12, 25)), date(2026, 12, 28));
    }

    #[test]
    fn shifts_backward_over_weekends_and_holidays() {
        assert_eq!(
            shift_back_to_working_day(date(2026, 5, 12)),
            date(2026, 5, 12)
        );
        assert_eq!(
            shift_back_to_working_day(date(2026, 4, 6)),
            date(2026, 4, 3)
        );
        // Whit Monday 2026 is 25 May.
        assert_eq!(
            shift_back_to_working_day(date(2026, 5, 25)),
            date(2026, 5, 22)
        );
    }

    #[test]
    fn shifting_at_the_ends_of_time_does_not_panic() {
        let _ = shift_to_working_day(NaiveDate::MAX);
        let _ = shift_back_to_working_day(NaiveDate::MIN);
    }

    #[test]
    fn deadline_moves_earlier_and_reminders_stay_before_it() {
        // Thursday 9 April 2026: D-5 is Easter Saturday and D-3 is Easter Monday.
        let plan = default_plan_on_working_days(date(2026, 4, 9));
        let deadline = date_of(&plan, StepKind::RegistrationDeadline);
        assert_eq!(deadline, Some(date(2026, 4, 3)));
        let last_call = date_of(&plan, StepKind::LastCall);
        assert_eq!(last_call, Some(date(2026, 4, 3)));
    }

    #[test]
    fn launch_never_moves_closer_to_the_mission() {
        // Monday 15 June 2026: D-21 is Whit Monday, so the launch moves to the Friday before.
        let plan = default_plan_on_working_days(date(2026, 6, 15));
        assert_eq!(date_of(&plan, StepKind::Launch), Some(date(2026, 5, 22)));
    }

    #[test]
    fn evaluations_move_later_and_mission_day_stays() {
        // Friday 24 July 2026: the immediate evaluation would fall on Saturday 25 July.
        let mission = date(2026, 7, 24);
        let plan = default_plan_on_working_days(mission);
        assert_eq!(date_of(&plan, StepKind::MissionDay), Some(mission));
        assert_eq!(
            date_of(&plan, StepKind::EvaluationHot),
            Some(date(2026, 7, 27))
        );
    }

    proptest! {
        #[test]
        fn every_step_but_the_mission_is_on_a_working_day(offset in 0i64..110_000) {
            let mission = date(1900, 1, 1) + chrono::TimeDelta::days(offset);
            let plan = default_plan_on_working_days(mission);
            prop_assert_eq!(plan.len(), 10);
            for step in &plan {
                if step.kind == StepKind::MissionDay {
                    prop_assert_eq!(step.date, mission);
                } else {
                    prop_assert!(is_working_day(step.date), "{:?}", step);
                }
                if step.kind.is_before_mission() {
                    prop_assert!(step.date < mission);
                }
                if step.kind.is_evaluation() {
                    prop_assert!(step.date > mission);
                }
            }
            prop_assert!(plan.windows(2).all(|pair| pair[0].date <= pair[1].date));
        }
    }
}
