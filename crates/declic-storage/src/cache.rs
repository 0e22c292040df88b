//! Process-local state on the public hot path: what a campaign page shows apart
//! from its live seat counts (organisation, campaign, missions, associations),
//! link codes, and anonymous visit counts waiting to be written.
//!
//! The catalogue changes rarely and is read on every page view, sign-up and
//! mail. An entry is trusted for [`TTL`] and dropped at once when this process
//! changes an organisation, a campaign, a mission, an association or a link
//! (every such write bumps a generation number). Another instance's change is
//! therefore seen within [`TTL`]. Seats are never cached: they are counted in
//! the database on every page and decided inside the confirmation transaction.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::associations::Association;
use crate::campaigns::Campaign;
use crate::entity::campaign_link;
use crate::missions::Mission;
use crate::orgs::Organization;
use crate::referrals::ReferralData;

/// How long a cached catalogue entry is trusted.
pub const TTL: Duration = Duration::from_secs(5);
/// How long an organisation's referral graph is trusted. Every change through this
/// process (a credited registration, attendance, an ambassador's answer, an erasure)
/// drops it at once; another instance's changes show within this time.
pub const REFERRAL_TTL: Duration = Duration::from_secs(60);
/// Pending visit counts are written at the latest this long after the first one.
pub const VISIT_FLUSH: Duration = Duration::from_secs(5);
/// Past this many entries a map is emptied rather than grown.
const MAX_ENTRIES: usize = 10_000;

/// A campaign with everything its public page and its mails show, seats aside.
#[derive(Debug, Clone)]
pub struct CampaignCatalog {
    pub organization: Organization,
    pub campaign: Campaign,
    /// Every mission of the campaign (published or not), with its association, by start date.
    pub missions: Vec<(Mission, Association)>,
}

impl CampaignCatalog {
    /// A mission of the campaign and its association.
    pub fn mission(&self, id: i64) -> Option<&(Mission, Association)> {
        self.missions.iter().find(|(m, _)| m.id == id)
    }
}

struct Entry<T> {
    at: Instant,
    generation: u64,
    value: T,
}

#[derive(Default)]
pub(crate) struct Caches {
    generation: AtomicU64,
    links: Mutex<HashMap<String, Entry<campaign_link::Model>>>,
    campaigns: Mutex<HashMap<i64, Entry<Arc<CampaignCatalog>>>>,
    visits: Mutex<PendingVisits>,
    /// Per organisation: bumped by every change to its referral data.
    referral_generations: Mutex<HashMap<i64, u64>>,
    referrals: Mutex<HashMap<i64, Entry<Arc<ReferralData>>>>,
    /// Per organisation: held while its graph is rebuilt, so that concurrent
    /// requests wait for one rebuild instead of each starting their own.
    rebuilding: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
pub(crate) struct PendingVisits {
    pub(crate) since: Option<Instant>,
    pub(crate) counts: HashMap<(i64, NaiveDate), i64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep using it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches")
            .field("generation", &self.generation())
            .finish_non_exhaustive()
    }
}

impl Caches {
    /// Forgets every catalogue entry: called by every write to what they hold.
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn fresh<T: Clone>(&self, e: Option<&Entry<T>>) -> Option<T> {
        let g = self.generation.load(Ordering::SeqCst);
        e.filter(|e| e.generation == g && e.at.elapsed() < TTL)
            .map(|e| e.value.clone())
    }

    /// Invalidates when dropped: put at the top of a method that writes cached
    /// tables, so the entries go once its transaction has committed (or failed).
    pub(crate) fn invalidate_on_exit(&self) -> InvalidateOnDrop<'_> {
        InvalidateOnDrop(self)
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub(crate) fn link(&self, code: &str) -> Option<campaign_link::Model> {
        self.fresh(lock(&self.links).get(code))
    }

    pub(crate) fn put_link(&self, generation: u64, m: campaign_link::Model) {
        let mut map = lock(&self.links);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(
            m.code.clone(),
            Entry {
                at: Instant::now(),
                generation,
                value: m,
            },
        );
    }

    pub(crate) fn campaign(&self, id: i64) -> Option<Arc<CampaignCatalog>> {
        self.fresh(lock(&self.campaigns).get(&id))
    }

    pub(crate) fn put_campaign(&self, generation: u64, c: Arc<CampaignCatalog>) {
        let mut map = lock(&self.campaigns);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(
            c.campaign.id,
            Entry {
                at: Instant::now(),
                generation,
                value: c,
            },
        );
    }

    /// Forgets an organisation's referral graph.
    pub(crate) fn referrals_changed(&self, org: i64) {
        *lock(&self.referral_generations).entry(org).or_default() += 1;
    }

    pub(crate) fn referral_generation(&self, org: i64) -> u64 {
        lock(&self.referral_generations)
            .get(&org)
            .copied()
            .unwrap_or_default()
    }

    /// The lock to hold while rebuilding an organisation's graph.
    pub(crate) fn rebuild_lock(&self, org: i64) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(lock(&self.rebuilding).entry(org).or_default())
    }

    pub(crate) fn referral_data(&self, org: i64) -> Option<Arc<ReferralData>> {
        let g = self.referral_generation(org);
        lock(&self.referrals)
            .get(&org)
            .filter(|e| e.generation == g && e.at.elapsed() < REFERRAL_TTL)
            .map(|e| Arc::clone(&e.value))
    }

    pub(crate) fn put_referral_data(&self, generation: u64, org: i64, data: Arc<ReferralData>) {
        let mut map = lock(&self.referrals);
        // One graph per organisation; a few organisations per instance.
        if map.len() >= 64 {
            map.clear();
        }
        map.insert(
            org,
            Entry {
                at: Instant::now(),
                generation,
                value: data,
            },
        );
    }

    /// Adds one visit; returns the pending counts when they are due to be written.
    pub(crate) fn count_visit(
        &self,
        link_id: i64,
        day: NaiveDate,
    ) -> Option<HashMap<(i64, NaiveDate), i64>> {
        let mut v = lock(&self.visits);
        *v.counts.entry((link_id, day)).or_default() += 1;
        let since = *v.since.get_or_insert_with(Instant::now);
        (since.elapsed() >= VISIT_FLUSH || v.counts.len() >= MAX_ENTRIES).then(|| v.take())
    }

    /// Every pending visit count, leaving none.
    pub(crate) fn take_visits(&self) -> HashMap<(i64, NaiveDate), i64> {
        lock(&self.visits).take()
    }

    /// Puts counts back after a failed write so that they are tried again.
    pub(crate) fn restore_visits(&self, counts: HashMap<(i64, NaiveDate), i64>) {
        let mut v = lock(&self.visits);
        for (k, n) in counts {
            *v.counts.entry(k).or_default() += n;
        }
        v.since.get_or_insert_with(Instant::now);
    }
}

pub(crate) struct InvalidateOnDrop<'a>(&'a Caches);

impl Drop for InvalidateOnDrop<'_> {
    fn drop(&mut self) {
        self.0.invalidate();
    }
}

impl PendingVisits {
    fn take(&mut self) -> HashMap<(i64, NaiveDate), i64> {
        self.since = None;
        std::mem::take(&mut self.counts)
    }
}
