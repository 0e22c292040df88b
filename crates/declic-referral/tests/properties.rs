//! Properties on random graphs: the fast figures agree with the naive reference everywhere.

#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use common::edge;
use declic_referral::{Edge, PersonFacts, PersonId, ReferralGraph, naive_depth, naive_reach};
use proptest::prelude::*;

/// Random edges over few people and campaigns, so that loops, merges and duplicates abound.
fn edges(people: i64, max_edges: usize) -> impl Strategy<Value = Vec<Edge>> {
    prop::collection::vec((0i64..4, 0..people, 0..people, 0i64..50), 0..max_edges).prop_map(|raw| {
        raw.into_iter()
            .map(|(c, a, b, t)| edge(c, a, b, t))
            .collect()
    })
}

fn check_against_naive(edges: &[Edge], people: &[PersonFacts]) -> Result<(), TestCaseError> {
    let g = ReferralGraph::new(edges, people).unwrap();
    let all = g.all_figures(None);
    for f in &all {
        let expected = naive_reach(edges, f.person);
        prop_assert_eq!(f.reach as usize, expected.len(), "reach of {:?}", f.person);
        prop_assert!(!expected.contains(&f.person));
        prop_assert_eq!(
            f.depth,
            naive_depth(edges, f.person),
            "depth of {:?}",
            f.person
        );
        prop_assert!(f.depth <= f.reach);
        let single = g.figures_for(f.person, None);
        prop_assert_eq!(single.as_ref(), Some(f));
    }
    // Everyone who referred someone, and is not erased, has figures.
    let erased: Vec<PersonId> = people
        .iter()
        .filter(|p| p.erased)
        .map(|p| p.person)
        .collect();
    for e in edges
        .iter()
        .filter(|e| e.referrer != e.referee && !erased.contains(&e.referrer))
    {
        prop_assert!(all.iter().any(|f| f.person == e.referrer));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn small_dense_graphs_match_naive(edges in edges(8, 30)) {
        check_against_naive(&edges, &[])?;
    }

    #[test]
    fn sparser_graphs_match_naive(edges in edges(40, 60), erased in prop::collection::vec(0i64..40, 0..5)) {
        let people: Vec<PersonFacts> =
            erased.into_iter().map(|id| PersonFacts { erased: true, ..PersonFacts::new(PersonId(id)) }).collect();
        check_against_naive(&edges, &people)?;
    }

    #[test]
    fn forests_with_a_few_back_edges_match_naive(
        parents in prop::collection::vec(0usize..1_000, 1..60),
        back in prop::collection::vec((0usize..60, 0usize..60), 0..4),
    ) {
        // Node i+1's referrer is an earlier node: a forest, plus a few later edges that loop
        // back or merge; this is the shape the memo is built for.
        let mut edges: Vec<Edge> = parents
            .iter()
            .enumerate()
            .map(|(i, &p)| edge(1, (p % (i + 1)) as i64, i as i64 + 1, i as i64))
            .collect();
        let n = parents.len() + 1;
        edges.extend(back.iter().map(|&(a, b)| edge(2, (a % n) as i64, (b % n) as i64, 100)));
        check_against_naive(&edges, &[])?;
    }
}

/// Per-recruit figures computed the slow, literal way from the definitions.
fn naive_recruit_figures(edges: &[Edge], people: &[PersonFacts], ambassador: PersonId) -> [u32; 6] {
    use std::collections::BTreeMap;
    let facts = |p: PersonId| people.iter().find(|f| f.person == p);
    // Deduplicate like the graph does: one edge per (campaign, referrer, referee), earliest kept.
    let mut kept: BTreeMap<(i64, PersonId), i64> = BTreeMap::new();
    for e in edges
        .iter()
        .filter(|e| e.referrer == ambassador && e.referee != ambassador)
    {
        let at = kept
            .entry((e.campaign.0, e.referee))
            .or_insert(e.confirmed_at);
        *at = (*at).min(e.confirmed_at);
    }
    let mut recruits: BTreeMap<PersonId, Vec<(i64, i64)>> = BTreeMap::new();
    for (&(campaign, referee), &at) in &kept {
        recruits.entry(referee).or_default().push((campaign, at));
    }
    let (mut attended, mut first_time, mut came_back, mut became) = (0, 0, 0, 0);
    for (referee, joined) in &recruits {
        let f = facts(*referee);
        let went: Vec<i64> = f
            .map(|f| f.attended.iter().map(|c| c.0).collect())
            .unwrap_or_default();
        let first = f
            .and_then(|f| f.first_volunteered.map(|c| c.0))
            .into_iter()
            .chain(went.iter().copied())
            .min();
        let first_campaign = joined.iter().map(|j| j.0).min().unwrap();
        let recruited_at = joined.iter().map(|j| j.1).min().unwrap();
        attended += joined.iter().filter(|j| went.contains(&j.0)).count() as u32;
        first_time += u32::from(joined.iter().any(|j| Some(j.0) == first));
        came_back += u32::from(went.iter().any(|&c| c > first_campaign));
        became += u32::from(
            f.and_then(|f| f.ambassador_since)
                .is_some_and(|s| s > recruited_at),
        );
    }
    [
        recruits.len() as u32,
        kept.len() as u32,
        attended,
        first_time,
        came_back,
        became,
    ]
}

fn facts_strategy(people: i64) -> impl Strategy<Value = Vec<PersonFacts>> {
    let one = (
        prop::option::of(0i64..4),
        prop::collection::vec(0i64..4, 0..3),
        prop::option::of(0i64..50),
    );
    prop::collection::vec(one, people as usize).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (first, attended, since))| PersonFacts {
                first_volunteered: first.map(declic_referral::CampaignId),
                attended: attended
                    .into_iter()
                    .map(declic_referral::CampaignId)
                    .collect(),
                ambassador_since: since,
                ..PersonFacts::new(PersonId(i as i64))
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn recruit_figures_match_their_definitions(edges in edges(8, 30), people in facts_strategy(8)) {
        let g = ReferralGraph::new(&edges, &people).unwrap();
        for f in g.all_figures(None) {
            let got = [
                f.direct_recruits,
                f.conversion.confirmed,
                f.conversion.attended,
                f.first_time_volunteers,
                f.came_back,
                f.became_ambassadors,
            ];
            prop_assert_eq!(got, naive_recruit_figures(&edges, &people, f.person), "{:?}", f.person);
        }
    }
}
