//! Graphs with answers worked out by hand: chains, trees, re-engagement, loops, erased people.

#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{ambassador, edge, graph, reach_depth};
use declic_referral::{CampaignId, PersonFacts, PersonId, ReferralGraph, Visits};

const A: i64 = 1;
const B: i64 = 2;
const C: i64 = 3;
const D: i64 = 4;
const E: i64 = 5;
const F: i64 = 6;

#[test]
fn chain_reach_and_depth() {
    let g = graph(&[edge(1, A, B, 10), edge(1, B, C, 20), edge(1, C, D, 30)]);
    assert_eq!(reach_depth(&g, A), Some((3, 3)));
    assert_eq!(reach_depth(&g, B), Some((2, 2)));
    assert_eq!(reach_depth(&g, C), Some((1, 1)));
    // D brought nobody and is not an ambassador: no figures of their own.
    assert_eq!(reach_depth(&g, D), None);
    assert!(g.figures_for(PersonId(D), None).is_none());
    assert_eq!(g.reach_and_depth(PersonId(D)), Some((0, 0)));
    let a = g.figures_for(PersonId(A), None).unwrap();
    assert_eq!((a.direct_recruits, a.reach, a.depth), (1, 3, 3));
}

#[test]
fn tree_reach_and_depth() {
    let g = graph(&[
        edge(1, A, B, 1),
        edge(1, A, C, 2),
        edge(1, B, D, 3),
        edge(1, B, E, 4),
        edge(1, C, F, 5),
    ]);
    let a = g.figures_for(PersonId(A), None).unwrap();
    assert_eq!((a.direct_recruits, a.reach, a.depth), (2, 5, 2));
    assert_eq!(reach_depth(&g, B), Some((2, 1)));
    assert_eq!(reach_depth(&g, C), Some((1, 1)));
    let figures = g.campaign_figures();
    assert_eq!(figures.len(), 1);
    assert_eq!(
        (
            figures[0].recruits,
            figures[0].active_ambassadors,
            figures[0].generations
        ),
        (5, 3, 2)
    );
    assert!((figures[0].viral_coefficient - 5.0 / 3.0).abs() < 1e-9);
}

#[test]
fn re_engagement_across_campaigns() {
    // A brings B into campaign 1; B, back in campaign 2, brings C.
    let edges = [edge(1, A, B, 100), edge(2, B, C, 200)];
    let people = [
        ambassador(A, 10),
        PersonFacts {
            first_volunteered: Some(CampaignId(1)),
            attended: vec![CampaignId(2), CampaignId(1)],
            ambassador_since: Some(150),
            ..PersonFacts::new(PersonId(B))
        },
        PersonFacts {
            attended: vec![CampaignId(2)],
            ..PersonFacts::new(PersonId(C))
        },
    ];
    let g = ReferralGraph::new(&edges, &people).unwrap();
    let a = g.figures_for(PersonId(A), None).unwrap();
    assert_eq!((a.direct_recruits, a.reach, a.depth), (1, 2, 2));
    assert_eq!(
        a.first_time_volunteers, 1,
        "B first volunteered in the campaign A recruited them for"
    );
    assert_eq!(
        a.came_back, 1,
        "B attended campaign 2, later than campaign 1"
    );
    assert_eq!(
        a.became_ambassadors, 1,
        "B opted in at 150, after being recruited at 100"
    );
    assert_eq!((a.conversion.confirmed, a.conversion.attended), (1, 1));
    let b = g.figures_for(PersonId(B), None).unwrap();
    assert_eq!(
        (b.reach, b.depth, b.came_back, b.became_ambassadors),
        (1, 1, 0, 0)
    );
    // C's first campaign comes from attended when not declared.
    assert_eq!(b.first_time_volunteers, 1);
    assert_eq!(
        g.recruits_by_campaign(PersonId(A)),
        vec![(CampaignId(1), 1)]
    );
    assert_eq!(
        g.recruits_by_campaign(PersonId(B)),
        vec![(CampaignId(2), 1)]
    );
    assert_eq!(g.campaigns(), vec![CampaignId(1), CampaignId(2)]);
}

#[test]
fn cross_campaign_loop_terminates_with_exact_reach() {
    let g = graph(&[edge(1, A, B, 1), edge(2, B, A, 2)]);
    assert_eq!(reach_depth(&g, A), Some((1, 1)));
    assert_eq!(reach_depth(&g, B), Some((1, 1)));
    let g = graph(&[
        edge(1, A, B, 1),
        edge(1, B, C, 2),
        edge(2, C, A, 3),
        edge(2, C, D, 4),
    ]);
    for id in [A, B, C] {
        let (reach, _) = reach_depth(&g, id).unwrap();
        assert_eq!(
            reach, 3,
            "everyone in the loop reaches the two others and D"
        );
    }
    assert_eq!(reach_depth(&g, A), Some((3, 3)));
    assert_eq!(reach_depth(&g, C), Some((3, 2)));
}

#[test]
fn chain_into_loop_and_loop_with_tail() {
    // E → A → B ⇄ C, and C → D: memoised parts and searches must agree.
    let g = graph(&[
        edge(1, E, A, 1),
        edge(1, A, B, 2),
        edge(1, B, C, 3),
        edge(2, C, B, 4),
        edge(2, C, D, 5),
    ]);
    assert_eq!(reach_depth(&g, E), Some((4, 4)));
    assert_eq!(reach_depth(&g, A), Some((3, 3)));
    assert_eq!(reach_depth(&g, B), Some((2, 2)));
    assert_eq!(reach_depth(&g, C), Some((2, 1)));
}

#[test]
fn people_recruited_twice_are_counted_once() {
    // D joins through B in campaign 2 and through C in campaign 3.
    let g = graph(&[
        edge(1, A, B, 1),
        edge(1, A, C, 2),
        edge(2, B, D, 3),
        edge(3, C, D, 4),
    ]);
    assert_eq!(reach_depth(&g, A), Some((3, 2)));
    // A also brings B again in campaign 2: two recruitments, one recruit.
    let g = graph(&[edge(1, A, B, 1), edge(2, A, B, 2)]);
    let a = g.figures_for(PersonId(A), None).unwrap();
    assert_eq!(
        (a.direct_recruits, a.conversion.confirmed, a.reach),
        (1, 2, 1)
    );
    assert_eq!(
        g.recruits_by_campaign(PersonId(A)),
        vec![(CampaignId(1), 1), (CampaignId(2), 1)]
    );
}

#[test]
fn erased_people_keep_the_shape() {
    let edges = [edge(1, A, B, 1), edge(1, B, C, 2), edge(1, C, D, 3)];
    let people = [PersonFacts {
        erased: true,
        ..ambassador(B, 0)
    }];
    let g = ReferralGraph::new(&edges, &people).unwrap();
    assert_eq!(reach_depth(&g, A), Some((3, 3)));
    assert!(
        g.figures_for(PersonId(B), None).is_none(),
        "an erased person has no figures"
    );
    assert!(g.all_figures(None).iter().all(|f| f.person != PersonId(B)));
}

#[test]
fn conversion_uses_visits_when_given() {
    let edges = [edge(1, A, B, 1), edge(2, A, B, 2), edge(1, A, C, 3)];
    let people = [
        PersonFacts {
            attended: vec![CampaignId(1)],
            ..PersonFacts::new(PersonId(B))
        },
        PersonFacts {
            attended: vec![CampaignId(1)],
            ..PersonFacts::new(PersonId(C))
        },
    ];
    let g = ReferralGraph::new(&edges, &people).unwrap();
    let visits: Visits = [(PersonId(A), 12)].into_iter().collect();
    let all = g.all_figures(Some(&visits));
    let a = all.iter().find(|f| f.person == PersonId(A)).unwrap();
    assert_eq!(
        (
            a.conversion.visits,
            a.conversion.confirmed,
            a.conversion.attended
        ),
        (Some(12), 3, 2)
    );
    assert!((a.conversion.confirmed_rate().unwrap() - 0.25).abs() < 1e-9);
    assert!((a.conversion.attendance_rate().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(g.figures_for(PersonId(A), Some(12)).as_ref(), Some(a));
    assert_eq!(
        g.figures_for(PersonId(A), None).unwrap().conversion.visits,
        None
    );
    assert_eq!(
        g.figures_for(PersonId(A), Some(0))
            .unwrap()
            .conversion
            .confirmed_rate(),
        None
    );
}

#[test]
fn ambassadors_without_recruits_have_zero_figures() {
    let g = ReferralGraph::new(&[edge(1, A, B, 1)], &[ambassador(E, 5)]).unwrap();
    let e = g.figures_for(PersonId(E), None).unwrap();
    assert!(e.is_ambassador);
    assert_eq!((e.direct_recruits, e.reach, e.depth), (0, 0, 0));
    assert_eq!(g.node_count(), 3);
}

#[test]
fn imperfect_stored_data_is_tolerated() {
    // A self-referral and a duplicate: dropped, the earliest duplicate kept.
    let g = graph(&[edge(1, A, A, 1), edge(1, A, B, 9), edge(1, A, B, 5)]);
    assert_eq!(g.edge_count(), 1);
    assert_eq!(g.edges().next().unwrap().confirmed_at, 5);
    assert_eq!(reach_depth(&g, A), Some((1, 1)));
    let empty = graph(&[]);
    assert!(empty.all_figures(None).is_empty());
    assert!(empty.campaign_figures().is_empty());
}

#[test]
fn campaign_figures_count_first_timers_and_generations() {
    let edges = [
        edge(1, A, B, 1),
        edge(1, A, C, 2),
        edge(1, D, E, 3),
        edge(2, B, F, 4),
    ];
    let people = [
        PersonFacts {
            first_volunteered: Some(CampaignId(1)),
            ..PersonFacts::new(PersonId(B))
        },
        PersonFacts {
            first_volunteered: Some(CampaignId(0)),
            ..PersonFacts::new(PersonId(C))
        },
    ];
    let g = ReferralGraph::new(&edges, &people).unwrap();
    let c1 = g.figures_of_campaign(CampaignId(1));
    assert_eq!(
        (
            c1.recruits,
            c1.active_ambassadors,
            c1.first_time_volunteers,
            c1.generations
        ),
        (3, 2, 1, 1)
    );
    assert!((c1.viral_coefficient - 1.5).abs() < 1e-9);
    let none = g.figures_of_campaign(CampaignId(9));
    assert_eq!((none.recruits, none.viral_coefficient), (0, 0.0));
}

#[test]
fn extreme_ids_are_handled() {
    let (lo, hi) = (i64::MIN, i64::MAX);
    let g = graph(&[edge(1, lo, -1, 1), edge(1, -1, 0, 2), edge(1, 0, hi, 3)]);
    assert_eq!(reach_depth(&g, lo), Some((3, 3)));
    assert_eq!(reach_depth(&g, 0), Some((1, 1)));
    let ids: Vec<i64> = g
        .edges()
        .flat_map(|e| [e.referrer.0, e.referee.0])
        .collect();
    assert_eq!(ids, vec![lo, -1, -1, 0, 0, hi]);
}
