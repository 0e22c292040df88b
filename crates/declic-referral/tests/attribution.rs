//! Attribution rules, each on its own, then a property: no loop within a campaign, ever.

#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use common::edge;
use declic_referral::{
    AttributionPolicy, AttributionRefusal, CampaignId, Candidate, Edge, LinkUse, PersonId,
    attribute, first_link_within_window,
};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

const WINDOW: AttributionPolicy = AttributionPolicy { window_secs: 1_000 };

fn candidate(c: i64, referrer: i64, referee: i64) -> Candidate {
    Candidate {
        campaign: CampaignId(c),
        referrer: PersonId(referrer),
        referee: PersonId(referee),
        link_used_at: 100,
        registered_at: 200,
        confirmed_at: 300,
    }
}

#[test]
fn a_fresh_referral_becomes_an_edge() {
    assert_eq!(
        attribute(&[], &candidate(1, 1, 2), &WINDOW),
        Ok(edge(1, 1, 2, 300))
    );
}

#[test]
fn self_referral_is_refused() {
    assert_eq!(
        attribute(&[], &candidate(1, 1, 1), &WINDOW),
        Err(AttributionRefusal::SelfReferral)
    );
}

#[test]
fn an_attributed_colleague_is_not_re_attributed() {
    let existing = [edge(1, 3, 2, 50)];
    assert_eq!(
        attribute(&existing, &candidate(1, 1, 2), &WINDOW),
        Err(AttributionRefusal::AlreadyAttributed {
            referrer: Some(PersonId(3))
        })
    );
    // Another campaign's edge does not count.
    assert!(attribute(&existing, &candidate(2, 1, 2), &WINDOW).is_ok());
}

#[test]
fn a_colleague_registered_before_using_the_link_is_not_attributed() {
    let late_link = Candidate {
        link_used_at: 250,
        ..candidate(1, 1, 2)
    };
    assert_eq!(
        attribute(&[], &late_link, &WINDOW),
        Err(AttributionRefusal::AlreadyAttributed { referrer: None })
    );
}

#[test]
fn the_link_must_be_used_within_the_window() {
    let at_edge = Candidate {
        link_used_at: 0,
        registered_at: 1_000,
        ..candidate(1, 1, 2)
    };
    assert!(
        attribute(&[], &at_edge, &WINDOW).is_ok(),
        "the window is inclusive"
    );
    let late = Candidate {
        registered_at: 1_001,
        ..at_edge
    };
    assert_eq!(
        attribute(&[], &late, &WINDOW),
        Err(AttributionRefusal::OutsideWindow {
            elapsed_secs: 1_001,
            window_secs: 1_000
        })
    );
    let extreme = Candidate {
        link_used_at: i64::MIN,
        registered_at: i64::MAX,
        ..at_edge
    };
    assert!(matches!(
        attribute(&[], &extreme, &WINDOW),
        Err(AttributionRefusal::OutsideWindow { .. })
    ));
}

#[test]
fn no_loop_within_a_campaign_but_loops_across_campaigns_are_fine() {
    let existing = [edge(1, 1, 2, 10), edge(1, 2, 3, 20)];
    assert_eq!(
        attribute(&existing, &candidate(1, 3, 1), &WINDOW),
        Err(AttributionRefusal::WouldCreateCycle)
    );
    assert!(attribute(&existing, &candidate(2, 3, 1), &WINDOW).is_ok());
}

#[test]
fn refusals_come_in_documented_order() {
    // Self-referral wins over everything; an existing edge wins over the window.
    let both = Candidate {
        registered_at: 99_999,
        ..candidate(1, 2, 2)
    };
    assert_eq!(
        attribute(&[edge(1, 3, 2, 1)], &both, &WINDOW),
        Err(AttributionRefusal::SelfReferral)
    );
    let late = Candidate {
        registered_at: 99_999,
        ..candidate(1, 1, 2)
    };
    assert!(matches!(
        attribute(&[edge(1, 3, 2, 1)], &late, &WINDOW),
        Err(AttributionRefusal::AlreadyAttributed { .. })
    ));
}

#[test]
fn the_first_link_within_the_window_wins() {
    let uses = [
        LinkUse {
            referrer: PersonId(7),
            at: 0,
        }, // too old
        LinkUse {
            referrer: PersonId(2),
            at: 600,
        },
        LinkUse {
            referrer: PersonId(9),
            at: 500,
        }, // their own link
        LinkUse {
            referrer: PersonId(3),
            at: 800,
        },
        LinkUse {
            referrer: PersonId(4),
            at: 1_600,
        }, // after registering
    ];
    let chosen = first_link_within_window(&uses, PersonId(9), 1_500, &WINDOW).unwrap();
    assert_eq!(
        chosen,
        LinkUse {
            referrer: PersonId(2),
            at: 600
        }
    );
    assert_eq!(
        first_link_within_window(&uses[..1], PersonId(9), 1_500, &WINDOW),
        None
    );
    assert_eq!(AttributionPolicy::default().window_secs, 30 * 24 * 3600);
}

/// Whether the edges of each campaign form a forest: one referrer per referee, no loop.
fn forest_per_campaign(edges: &[Edge]) -> bool {
    let mut parent: HashMap<(CampaignId, PersonId), PersonId> = HashMap::new();
    for e in edges {
        if parent.insert((e.campaign, e.referee), e.referrer).is_some() {
            return false;
        }
    }
    parent.keys().all(|&(campaign, start)| {
        let mut seen = HashSet::from([start]);
        let mut at = start;
        while let Some(&up) = parent.get(&(campaign, at)) {
            if !seen.insert(up) {
                return false;
            }
            at = up;
        }
        true
    })
}

proptest! {
    #[test]
    fn attribute_never_records_a_loop_within_a_campaign(
        candidates in prop::collection::vec((0i64..3, 0i64..8, 0i64..8, 0i64..2_000), 0..80)
    ) {
        let mut recorded: Vec<Edge> = Vec::new();
        for (i, (c, referrer, referee, link_age)) in candidates.into_iter().enumerate() {
            let t = i as i64 * 10;
            let candidate = Candidate {
                campaign: CampaignId(c),
                referrer: PersonId(referrer),
                referee: PersonId(referee),
                link_used_at: t - link_age,
                registered_at: t,
                confirmed_at: t + 1,
            };
            if let Ok(edge) = attribute(&recorded, &candidate, &WINDOW) {
                prop_assert_eq!(edge.referee, candidate.referee);
                recorded.push(edge);
            }
            prop_assert!(forest_per_campaign(&recorded));
        }
    }
}
