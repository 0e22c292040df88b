//! Where a confirmed person goes, as pure rules: the storage layer locks the
//! missions, reads their occupancy, asks these functions, and writes the answer in
//! the same transaction.

/// One of a person's ranked mission choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankedChoice {
    pub mission_id: i64,
    /// 1 is the person's first choice.
    pub rank: i32,
}

/// What becomes of one choice when a registration is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// A seat in this mission.
    Seat,
    /// A place at the end of this mission's waitlist (a better choice than the seat,
    /// or no seat anywhere).
    Waitlist,
    /// Given up: a better-ranked mission gave a seat.
    Release,
}

/// The order in which a confirmation tries the choices: by rank, but the mission
/// where the person's duo partner is seated first (a first mission is often done
/// with a colleague), when it is among the choices.
pub fn confirmation_order(
    choices: &[RankedChoice],
    partner_mission: Option<i64>,
) -> Vec<RankedChoice> {
    let mut ordered = choices.to_vec();
    let partner = partner_mission.filter(|m| choices.iter().any(|c| c.mission_id == *m));
    ordered.sort_by_key(|c| (Some(c.mission_id) != partner, c.rank));
    ordered
}

/// Places a confirmed person: the first mission in `ordered` with room gives a
/// seat, the ones before it keep a waitlist place, the ones after it are released.
/// `has_room(mission)` says whether a mission has a free seat now.
pub fn place(
    ordered: &[RankedChoice],
    mut has_room: impl FnMut(i64) -> bool,
) -> Vec<(i64, Placement)> {
    let mut seated = false;
    ordered
        .iter()
        .map(|c| {
            let p = if seated {
                Placement::Release
            } else if has_room(c.mission_id) {
                seated = true;
                Placement::Seat
            } else {
                Placement::Waitlist
            };
            (c.mission_id, p)
        })
        .collect()
}

/// A free seat number of a mission of `capacity` seats, numbered 1..=capacity:
/// the one after the highest taken while it is within capacity, else the first gap
/// left by a cancellation. `taken` lists the numbers in use, in any order.
pub fn free_seat_number(capacity: i32, taken: &[i32]) -> Option<i32> {
    let highest = taken.iter().copied().max().unwrap_or(0);
    if highest < capacity {
        return Some(highest + 1);
    }
    let mut sorted = taken.to_vec();
    sorted.sort_unstable();
    (1..=capacity).find(|n| sorted.binary_search(n).is_err())
}

/// One place on a mission's waitlist, in queue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    /// The waiting choice.
    pub id: i64,
    /// The duo partner's choice this one waits with, if the pair waits together.
    pub waits_with: Option<i64>,
}

/// Who is offered the `free` seats of a mission, from its waitlist in queue order:
/// the first in line each get one; a duo waiting together (both still waiting) takes
/// two seats at once or, when fewer are free, keeps its place while the seat goes
/// to the next one. A partner who is no longer waiting leaves the other one a
/// single person again. Returns the chosen choices in the order they are offered.
pub fn offer_order(free: i64, waiting: &[Waiting]) -> Vec<i64> {
    let mut free = free;
    let mut chosen: Vec<i64> = Vec::new();
    let mut passed: Vec<i64> = Vec::new();
    for w in waiting {
        if free <= 0 {
            break;
        }
        if passed.contains(&w.id) || chosen.contains(&w.id) {
            continue;
        }
        let partner = w
            .waits_with
            .filter(|p| *p != w.id && waiting.iter().any(|x| x.id == *p));
        match partner {
            Some(p) if free >= 2 => {
                chosen.extend([w.id, p]);
                free -= 2;
            }
            Some(p) => passed.extend([w.id, p]),
            None => {
                chosen.push(w.id);
                free -= 1;
            }
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(ids: &[i64]) -> Vec<RankedChoice> {
        ids.iter()
            .zip(1..)
            .map(|(&mission_id, rank)| RankedChoice { mission_id, rank })
            .collect()
    }

    #[test]
    fn the_first_choice_with_room_seats_better_ones_wait_worse_ones_are_released() {
        let full = [10];
        let placed = place(&choices(&[10, 20, 30]), |m| !full.contains(&m));
        assert_eq!(
            placed,
            vec![
                (10, Placement::Waitlist),
                (20, Placement::Seat),
                (30, Placement::Release),
            ]
        );
    }

    #[test]
    fn everything_full_waits_everywhere() {
        let placed = place(&choices(&[1, 2]), |_| false);
        assert_eq!(
            placed,
            vec![(1, Placement::Waitlist), (2, Placement::Waitlist)]
        );
    }

    #[test]
    fn a_first_choice_with_room_releases_the_rest() {
        let placed = place(&choices(&[1, 2, 3]), |_| true);
        assert_eq!(
            placed,
            vec![
                (1, Placement::Seat),
                (2, Placement::Release),
                (3, Placement::Release)
            ]
        );
    }

    #[test]
    fn room_is_asked_only_until_a_seat_is_found() {
        let mut asked = Vec::new();
        place(&choices(&[1, 2, 3]), |m| {
            asked.push(m);
            m == 2
        });
        assert_eq!(asked, vec![1, 2]);
    }

    #[test]
    fn the_duo_partners_mission_comes_first_when_chosen() {
        let order = confirmation_order(&choices(&[1, 2, 3]), Some(3));
        assert_eq!(
            order.iter().map(|c| c.mission_id).collect::<Vec<_>>(),
            vec![3, 1, 2]
        );
        let unchanged = confirmation_order(&choices(&[1, 2, 3]), Some(9));
        assert_eq!(
            unchanged.iter().map(|c| c.mission_id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        let none = confirmation_order(&choices(&[2, 1]), None);
        assert_eq!(
            none.iter().map(|c| c.mission_id).collect::<Vec<_>>(),
            vec![2, 1]
        );
    }

    #[test]
    fn seat_numbers_go_up_then_fill_gaps_and_stop_at_capacity() {
        assert_eq!(free_seat_number(3, &[]), Some(1));
        assert_eq!(free_seat_number(3, &[1, 2]), Some(3));
        assert_eq!(free_seat_number(3, &[3, 1, 2]), None);
        assert_eq!(
            free_seat_number(3, &[3, 1]),
            Some(2),
            "a cancelled seat is reused"
        );
        assert_eq!(free_seat_number(0, &[]), None);
        // Capacity lowered under seats already given: no free seat.
        assert_eq!(free_seat_number(2, &[1, 2, 3]), None);
    }
    fn queue(rows: &[(i64, Option<i64>)]) -> Vec<Waiting> {
        rows.iter()
            .map(|(id, w)| Waiting {
                id: *id,
                waits_with: *w,
            })
            .collect()
    }

    #[test]
    fn free_seats_go_to_the_first_in_line() {
        let q = queue(&[(1, None), (2, None), (3, None)]);
        assert_eq!(offer_order(2, &q), vec![1, 2]);
        assert_eq!(offer_order(0, &q), Vec::<i64>::new());
        assert_eq!(offer_order(-1, &q), Vec::<i64>::new());
        assert_eq!(offer_order(5, &q), vec![1, 2, 3]);
        assert_eq!(offer_order(3, &[]), Vec::<i64>::new());
    }

    #[test]
    fn a_pair_takes_two_seats_or_keeps_its_place() {
        let q = queue(&[(1, Some(2)), (2, Some(1)), (3, None), (4, None)]);
        assert_eq!(offer_order(2, &q), vec![1, 2]);
        assert_eq!(offer_order(3, &q), vec![1, 2, 3]);
        // One seat is not enough for two: it goes to the next one meanwhile.
        assert_eq!(offer_order(1, &q), vec![3]);
        // The pair need not stand side by side in the queue.
        let q = queue(&[(1, Some(3)), (2, None), (3, Some(1))]);
        assert_eq!(offer_order(2, &q), vec![1, 3]);
        assert_eq!(offer_order(1, &q), vec![2]);
    }

    #[test]
    fn a_partner_who_left_the_queue_leaves_a_single_person() {
        let q = queue(&[(1, Some(9)), (3, None)]);
        assert_eq!(offer_order(1, &q), vec![1]);
        // Nor does a row pointing at itself make a pair.
        let q = queue(&[(1, Some(1)), (3, None)]);
        assert_eq!(offer_order(1, &q), vec![1]);
    }
}
