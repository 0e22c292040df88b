//! The leaderboard: ranking, ties, and who may see which names.

#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{ambassador, edge};
use declic_referral::{PersonFacts, PersonId, ReferralGraph, Viewer, leaderboard};

/// 1 brings three (one of whom, 5, brings one more); 2 and 3 bring two each; 4 opted out.
fn org() -> ReferralGraph {
    let edges = [
        edge(1, 1, 10, 1),
        edge(1, 1, 11, 2),
        edge(1, 1, 5, 3),
        edge(2, 5, 12, 4),
        edge(1, 2, 20, 5),
        edge(1, 2, 21, 6),
        edge(1, 3, 30, 7),
        edge(1, 3, 31, 8),
        edge(1, 4, 40, 9),
    ];
    let people = [
        PersonFacts {
            leaderboard_opt_in: true,
            ..ambassador(1, 0)
        },
        ambassador(2, 0),
        PersonFacts {
            leaderboard_opt_in: true,
            ..ambassador(3, 0)
        },
        PersonFacts {
            leaderboard_opt_in: true,
            ..PersonFacts::new(PersonId(4))
        },
        ambassador(5, 0),
    ];
    ReferralGraph::new(&edges, &people).unwrap()
}

#[test]
fn hr_sees_everyone_ranked_by_recruits_then_reach() {
    let board = org().leaderboard(Viewer::Hr, 10);
    let rows: Vec<_> = board
        .top
        .iter()
        .map(|e| (e.rank, e.person, e.direct_recruits, e.reach))
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, Some(PersonId(1)), 3, 4),
            (2, Some(PersonId(2)), 2, 2),
            (2, Some(PersonId(3)), 2, 2),
            (4, Some(PersonId(5)), 1, 1),
        ],
        "ties share a rank; 4 opted out of being an ambassador and is left out"
    );
    assert!(board.own.is_none());
}

#[test]
fn ambassadors_see_names_only_of_those_who_opted_in_and_their_own() {
    let board = org().leaderboard(Viewer::Ambassador(PersonId(5)), 10);
    let names: Vec<_> = board.top.iter().map(|e| e.person).collect();
    assert_eq!(
        names,
        vec![
            Some(PersonId(1)),
            None,
            Some(PersonId(3)),
            Some(PersonId(5))
        ]
    );
    assert!(board.top[3].is_viewer);
    assert!(!board.top[1].is_viewer && !board.top[1].leaderboard_opt_in);
}

#[test]
fn own_line_is_added_below_the_top() {
    let g = org();
    let board = g.leaderboard(Viewer::Ambassador(PersonId(5)), 2);
    assert_eq!(board.top.len(), 2);
    let own = board.own.unwrap();
    assert_eq!(
        (own.rank, own.person, own.is_viewer),
        (4, Some(PersonId(5)), true)
    );
    let from_figures = leaderboard(&g.all_figures(None), Viewer::Ambassador(PersonId(2)), 1);
    assert_eq!(from_figures.own.unwrap().person, Some(PersonId(2)));
    assert!(g.leaderboard(Viewer::Hr, 2).own.is_none());
}
