//! Checks that the campaign has missions, and enough places and people to reach its goal.

use super::{CalendarInput, warning};
use crate::text::{count_en, count_fr};
use crate::warning::{CalendarWarning, WarningCode};

/// Adds `no_mission`, `capacity_below_goal` and `audience_below_goal` warnings.
pub(super) fn check(input: &CalendarInput, out: &mut Vec<CalendarWarning>) {
    if input.mission_starts.is_empty() {
        out.push(warning(
            WarningCode::NoMission,
            None,
            None,
            "No mission has a date yet; add at least one dated mission so the calendar can be \
             planned around it."
                .to_owned(),
            "Aucune mission n'a encore de date ; ajoutez au moins une mission datée pour bâtir \
             le calendrier autour d'elle."
                .to_owned(),
        ));
    }

    let goal = i64::from(input.goal);
    if input.total_capacity < input.goal {
        let places = i64::from(input.total_capacity);
        out.push(warning(
            WarningCode::CapacityBelowGoal,
            None,
            None,
            format!(
                "The missions offer {} in total but the goal is {}; add missions or places, or \
                 lower the goal.",
                count_en(places, "place", "places"),
                count_en(goal, "volunteer", "volunteers"),
            ),
            format!(
                "Les missions offrent {} au total mais l'objectif est de {} ; ajoutez des \
                 missions ou des places, ou revoyez l'objectif à la baisse.",
                count_fr(places, "place", "places"),
                count_fr(goal, "participant", "participants"),
            ),
        ));
    }

    if let Some(audience) = input.audience_size
        && audience < input.goal
    {
        let people = i64::from(audience);
        out.push(warning(
            WarningCode::AudienceBelowGoal,
            None,
            None,
            format!(
                "The campaign reaches {} but the goal is {}; widen the audience or lower the goal.",
                count_en(people, "person", "people"),
                count_en(goal, "volunteer", "volunteers"),
            ),
            format!(
                "La campagne touche {} mais l'objectif est de {} ; élargissez le public ciblé ou \
                 revoyez l'objectif à la baisse.",
                count_fr(people, "personne", "personnes"),
                count_fr(goal, "participant", "participants"),
            ),
        ));
    }
}
