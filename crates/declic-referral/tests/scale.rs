//! Size sanity: a 100k-person organisation must not go quadratic (no timing assertion here).

#![expect(clippy::unwrap_used, reason = "tests")]

use declic_referral::{CampaignId, Edge, PersonFacts, PersonId, ReferralGraph};

/// Small deterministic generator (xorshift), so the test needs no `rand`.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// `people` employees, `per_campaign` referrals in each of `campaigns` campaigns. Referrers are
/// drawn from those who volunteered before (a seed group, then every earlier recruit). A
/// referee is someone new, or with `reengaged_percent` chance an earlier volunteer, which
/// brings people recruited by several ambassadors and loops across campaigns.
fn organisation(
    people: u64,
    campaigns: i64,
    per_campaign: usize,
    reengaged_percent: u64,
    seed: u64,
) -> Vec<Edge> {
    let mut rng = Rng(seed);
    let seeds = (people / 50).max(1) as i64;
    let mut volunteers: Vec<i64> = (0..seeds).collect();
    let mut fresh = seeds;
    let mut edges = Vec::new();
    for c in 1..=campaigns {
        let mut taken = vec![false; people as usize];
        let mut recruits = Vec::new();
        let mut made = 0;
        while made < per_campaign {
            let referrer = volunteers[rng.below(volunteers.len() as u64) as usize];
            let referee = if rng.below(100) < reengaged_percent || fresh as u64 >= people {
                volunteers[rng.below(volunteers.len() as u64) as usize]
            } else {
                fresh += 1;
                fresh - 1
            };
            if referee == referrer || taken[referee as usize] {
                continue;
            }
            taken[referee as usize] = true;
            recruits.push(referee);
            edges.push(Edge {
                campaign: CampaignId(c),
                referrer: PersonId(referrer),
                referee: PersonId(referee),
                confirmed_at: c * 1_000_000 + made as i64,
            });
            made += 1;
        }
        volunteers.extend(recruits);
    }
    edges
}

#[test]
fn hundred_thousand_people_stay_linearish() {
    let edges = organisation(100_000, 20, 5_000, 2, 7);
    let people: Vec<PersonFacts> = (0..100_000)
        .map(|i| PersonFacts::new(PersonId(i)))
        .collect();
    let graph = ReferralGraph::new(&edges, &people).unwrap();
    let figures = graph.all_figures(None);
    assert!(!figures.is_empty());
    assert!(figures.iter().all(|f| f.depth <= f.reach));
}

#[test]
fn long_chain_ending_in_a_loop_is_not_quadratic() {
    // 100k generations, then the last brings the first back in a later campaign.
    let n = 100_000;
    let mut edges: Vec<Edge> = (0..n - 1)
        .map(|i| Edge {
            campaign: CampaignId(1),
            referrer: PersonId(i),
            referee: PersonId(i + 1),
            confirmed_at: i,
        })
        .collect();
    edges.push(Edge {
        campaign: CampaignId(2),
        referrer: PersonId(n - 1),
        referee: PersonId(n - 2),
        confirmed_at: n,
    });
    let graph = ReferralGraph::new(&edges, &[]).unwrap();
    let figures = graph.all_figures(None);
    assert_eq!(figures[0].reach, (n - 1) as u32);
    assert_eq!(figures[0].depth, (n - 1) as u32);
}
