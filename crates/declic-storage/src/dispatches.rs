//! Dispatches and their deliveries: the delivery queue that loses nothing.
//!
//! A dispatch (one campaign message on one channel) freezes its audience into one
//! delivery row per recipient when it is created, unique per (dispatch, recipient).
//! Workers claim due rows in batches (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
//! several instances never take the same row; SQLite: the one write connection),
//! each claim holding a lease; a worker that dies leaves its rows to be claimed
//! again once the lease ends, so at most the messages in flight are sent twice.
//! Temporary failures come back with exponential backoff and jitter up to a limit;
//! permanent ones are reported and never retried. A dispatch is finished only when
//! every delivery is sent, failed or cancelled.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{campaign, delivery, dispatch, employee, opt_out, registration};
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// Where a dispatch stands.
pub mod status {
    pub const SENDING: &str = "sending";
    pub const PAUSED: &str = "paused";
    pub const CANCELLED: &str = "cancelled";
    pub const FINISHED: &str = "finished";
}

/// Where one delivery stands.
pub mod delivery_status {
    pub const QUEUED: &str = "queued";
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const RETRYING: &str = "retrying";
    pub const FAILED: &str = "failed";
    pub const CANCELLED: &str = "cancelled";
    /// Every state, in the order status counts list them.
    pub const ALL: [&str; 6] = [QUEUED, SENDING, SENT, RETRYING, FAILED, CANCELLED];
}

/// A dispatch with its deliveries counted by state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dispatch {
    pub id: i64,
    pub campaign_id: i64,
    pub channel: String,
    /// The calendar step's kind (`launch`, `reminder`, `last_call`) when the dispatch
    /// carries one out; it chooses the message.
    pub step_kind: Option<String>,
    /// The calendar step's date, when the dispatch carries one out.
    pub step_on: Option<chrono::NaiveDate>,
    pub status: String,
    pub total: i64,
    /// Deliveries per state: queued, sending, sent, retrying, failed, cancelled.
    pub counts: std::collections::BTreeMap<String, i64>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// For a mail dispatch still going: how the mail relay is doing (`slow` or
    /// `failing` explain a dispatch that does not move).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay: Option<crate::relay_health::RelayHealth>,
}

/// Deliveries per state.
type Counts = std::collections::BTreeMap<String, i64>;

fn view(
    d: dispatch::Model,
    counts: Counts,
    relay: Option<&crate::relay_health::RelayHealth>,
) -> Dispatch {
    let going = d.channel == "mail" && d.status == status::SENDING;
    Dispatch {
        relay: relay.filter(|_| going).cloned(),
        id: d.id,
        campaign_id: d.campaign_id,
        channel: d.channel,
        step_kind: d.step_kind,
        step_on: d.step_on,
        status: d.status,
        total: d.total,
        counts,
        created_at: d.created_at,
        finished_at: d.finished_at,
    }
}

/// A delivery a worker has claimed.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub organization_id: i64,
    pub dispatch_id: i64,
    /// The person, for mail.
    pub employee_id: Option<i64>,
    /// The Slack or Teams webhook, for a channel post.
    pub webhook_id: Option<i64>,
    /// The address, or the webhook's name.
    pub recipient: String,
    /// Including this one.
    pub attempts: i32,
}

/// What happened when a worker tried a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// May pass later (a 4xx reply, the server down): retried with backoff.
    Temporary(String),
    /// May pass later, but not before the time given (an HTTP 429 with Retry-After).
    Deferred(String, Duration),
    /// Will not pass (a 5xx reply, an invalid address): reported, never retried.
    Permanent(String),
    /// Not tried: back in the queue as it was (its dispatch was paused meanwhile).
    Requeue,
    /// Not sent, by policy (the person opted out, left or was erased, or the
    /// dispatch was cancelled meanwhile): cancelled, with the reason.
    Withheld(String),
}

/// How temporary failures are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; then the delivery fails.
    pub max_attempts: i32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_delay: Duration::seconds(30),
            max_delay: Duration::hours(2),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempts + 1`: doubling from `first_delay`, capped,
    /// with up to a quarter of jitter so that retries do not arrive together.
    pub fn delay(&self, attempts: i32) -> Duration {
        let doubling = 2_i64.saturating_pow(u32::try_from(Ord::max(attempts, 1) - 1).unwrap_or(0));
        let base = Ord::min(
            self.first_delay.num_milliseconds().saturating_mul(doubling),
            self.max_delay.num_milliseconds(),
        );
        let jitter = rand::rng().random_range(0..=base / 4);
        Duration::milliseconds(base + jitter)
    }
}

/// A pause, a resume or a cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DispatchAction {
    Pause,
    Resume,
    Cancel,
}

/// Who a dispatch goes to: (employee or webhook id, address or name).
type Targets = Vec<(i64, String)>;

/// The channels a dispatch can go out on.
pub const CHANNELS: [&str; 3] = ["mail", "slack", "teams"];

/// The calendar steps that send a message to the audience.
pub const STEP_KINDS: [&str; 3] = ["launch", "reminder", "last_call"];

/// Which step a dispatch carries out.
#[derive(Clone, Copy)]
enum StepRef<'a> {
    /// None: a plain announcement.
    None,
    /// A step of the calendar, on its day.
    Calendar(&'a str, chrono::NaiveDate),
    /// A step's message sent once more, outside the calendar.
    Extra(&'a str),
}

impl StepRef<'_> {
    fn kind(&self) -> Option<&str> {
        match self {
            StepRef::None => None,
            StepRef::Calendar(k, _) | StepRef::Extra(k) => Some(k),
        }
    }

    fn on(&self) -> Option<chrono::NaiveDate> {
        match self {
            StepRef::Calendar(_, on) => Some(*on),
            _ => None,
        }
    }
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

impl Store {
    /// Creates a dispatch of the campaign's message on `channel` and freezes its
    /// audience: active employees matching the campaign's departments and sites,
    /// minus those who opted out of the channel, minus (for reminders) those
    /// already registered for the campaign.
    pub async fn create_dispatch(
        &self,
        org: OrgId,
        campaign_id: i64,
        channel: &str,
        exclude_registered: bool,
        actor: &Actor,
    ) -> Result<Dispatch, StorageError> {
        self.create_step_dispatch(
            org,
            campaign_id,
            channel,
            exclude_registered,
            StepRef::None,
            actor,
        )
        .await
    }

    /// Sends a calendar step's message now, on `channel`: `launch`, `reminder` or
    /// `last_call` (the two last leave out people already registered). The
    /// campaign's earliest step of that kind not yet dispatched on the channel is
    /// marked done, so the scheduler does not send it again on its day; without
    /// such a step the dispatch is an extra one.
    pub async fn dispatch_step_now(
        &self,
        org: OrgId,
        campaign_id: i64,
        channel: &str,
        kind: &str,
        actor: &Actor,
    ) -> Result<Dispatch, StorageError> {
        if !STEP_KINDS.contains(&kind) {
            return Err(StorageError::invalid(
                "step",
                "use launch, reminder or last_call",
            ));
        }
        use crate::entity::campaign_step;
        let steps = campaign_step::Entity::find()
            .filter(campaign_step::Column::CampaignId.eq(campaign_id))
            .filter(campaign_step::Column::Kind.eq(kind))
            .order_by_asc(campaign_step::Column::ScheduledOn)
            .all(self.db())
            .await?;
        let mut on = None;
        for s in steps {
            let done = dispatch::Entity::find()
                .filter(dispatch::Column::CampaignId.eq(campaign_id))
                .filter(dispatch::Column::StepKind.eq(kind))
                .filter(dispatch::Column::StepOn.eq(s.scheduled_on))
                .filter(dispatch::Column::Channel.eq(channel))
                .count(self.db())
                .await?
                > 0;
            if !done {
                on = Some(s.scheduled_on);
                break;
            }
        }
        let exclude_registered = kind != "launch";
        let step = on.map_or(StepRef::Extra(kind), |on| StepRef::Calendar(kind, on));
        self.create_step_dispatch(org, campaign_id, channel, exclude_registered, step, actor)
            .await
    }

    /// A dispatch's row alone, without counting its deliveries (for the worker).
    pub async fn dispatch_row(&self, org: OrgId, id: i64) -> Result<dispatch::Model, StorageError> {
        dispatch::Entity::find_by_id(id)
            .filter(dispatch::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("dispatch"))
    }

    /// The organisation's dispatches, newest first (of one campaign, or all).
    pub async fn dispatches_of(
        &self,
        org: OrgId,
        campaign_id: Option<i64>,
    ) -> Result<Vec<Dispatch>, StorageError> {
        let mut q = dispatch::Entity::find().filter(dispatch::Column::OrganizationId.eq(org.0));
        if let Some(c) = campaign_id {
            q = q.filter(dispatch::Column::CampaignId.eq(c));
        }
        let rows = q
            .order_by_desc(dispatch::Column::Id)
            .limit(200)
            .all(self.db())
            .await?;
        let mut counts = self
            .delivery_counts(&rows.iter().map(|d| d.id).collect::<Vec<_>>())
            .await?;
        let relay = self.relay_health("mail").await?;
        Ok(rows
            .into_iter()
            .map(|d| {
                let c = counts.remove(&d.id).unwrap_or_default();
                view(d, c, relay.as_ref())
            })
            .collect())
    }

    /// Deliveries per state of each dispatch, every state present (0 when none), in
    /// one grouped query.
    async fn delivery_counts(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Counts>, StorageError> {
        let mut out: std::collections::HashMap<i64, Counts> = ids
            .iter()
            .map(|id| {
                let zero = delivery_status::ALL
                    .iter()
                    .map(|s| ((*s).to_owned(), 0))
                    .collect();
                (*id, zero)
            })
            .collect();
        if ids.is_empty() {
            return Ok(out);
        }
        let rows: Vec<(i64, String, i64)> = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::DispatchId)
            .column(delivery::Column::Status)
            .column_as(delivery::Column::Id.count(), "n")
            .filter(delivery::Column::DispatchId.is_in(ids.iter().copied()))
            .group_by(delivery::Column::DispatchId)
            .group_by(delivery::Column::Status)
            .into_tuple()
            .all(self.db())
            .await?;
        for (id, status, n) in rows {
            out.entry(id).or_default().insert(status, n);
        }
        Ok(out)
    }

    async fn create_step_dispatch(
        &self,
        org: OrgId,
        campaign_id: i64,
        channel: &str,
        exclude_registered: bool,
        step: StepRef<'_>,
        actor: &Actor,
    ) -> Result<Dispatch, StorageError> {
        if !CHANNELS.contains(&channel) {
            return Err(StorageError::invalid(
                "channel",
                "unknown channel: use mail, slack or teams",
            ));
        }
        let txn = self.write_txn().await?;
        let c = campaign::Entity::find_by_id(campaign_id)
            .filter(campaign::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("campaign"))?;
        // A person per row for mail; a webhook per row for Slack and Teams (posts to
        // channels, where nobody is left out).
        let (audience, hooks): (Targets, Targets) = if channel == "mail" {
            (
                audience_query(org, &c, channel, exclude_registered)
                    .into_tuple()
                    .all(&txn)
                    .await?,
                vec![],
            )
        } else {
            let hooks = crate::entity::webhook::Entity::find()
                .select_only()
                .column(crate::entity::webhook::Column::Id)
                .column(crate::entity::webhook::Column::Name)
                .filter(crate::entity::webhook::Column::OrganizationId.eq(org.0))
                .filter(crate::entity::webhook::Column::Platform.eq(channel))
                .filter(crate::entity::webhook::Column::Active.eq(true))
                .into_tuple()
                .all(&txn)
                .await?;
            if hooks.is_empty() {
                return Err(StorageError::invalid(
                    "channel",
                    "no active webhook for this channel: add one first",
                ));
            }
            (vec![], hooks)
        };
        // People (mail) or webhooks (Slack, Teams): one queued row each.
        let rows = audience
            .iter()
            .map(|(id, email)| (Some(*id), None, email.clone()))
            .chain(
                hooks
                    .iter()
                    .map(|(id, name)| (None, Some(*id), name.clone())),
            )
            .collect::<Vec<_>>();
        let d = insert_dispatch(
            &txn,
            org,
            campaign_id,
            channel,
            (step.kind(), step.on()),
            &rows,
            actor,
        )
        .await?;
        txn.commit().await?;
        if rows.len() >= 1_000 && self.backend() == DbBackend::Postgres {
            // A large audience changes the share of queued rows at once; until
            // autovacuum catches up, PostgreSQL's statistics would still say "few
            // queued rows" and every claim would sort the whole queue instead of
            // reading its first rows off the (status, next_attempt_at) index (60 ms
            // instead of 3 ms per claim of 100 at 50 000 queued). A sample, not a scan.
            if let Err(e) = self.db().execute_unprepared("ANALYZE deliveries").await {
                tracing::warn!(error = %e, "could not refresh the deliveries statistics");
            }
        }
        self.dispatch(org, d.id).await
    }

    /// Turns the calendar steps that are due into dispatches: for live campaigns
    /// still open for sign-ups, each launch, reminder and last call dated today or
    /// earlier gets one mail dispatch (reminders leave out the registered). At most
    /// one per step and day, whatever the number of instances (a unique index).
    /// Returns the dispatches created.
    pub async fn dispatch_due_steps(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<Vec<i64>, StorageError> {
        use declic_planning::CampaignStatus;
        let live = campaign::Entity::find()
            .filter(campaign::Column::Status.eq(CampaignStatus::Live.as_str()))
            .all(self.db())
            .await?;
        let mut created = Vec::new();
        for c in live {
            if c.registration_closes.is_some_and(|cl| cl < today) {
                continue;
            }
            let steps = crate::entity::campaign_step::Entity::find()
                .filter(crate::entity::campaign_step::Column::CampaignId.eq(c.id))
                .filter(crate::entity::campaign_step::Column::ScheduledOn.lte(today))
                .filter(crate::entity::campaign_step::Column::Kind.is_in([
                    "launch",
                    "reminder",
                    "last_call",
                ]))
                .all(self.db())
                .await?;
            for s in steps {
                let done = dispatch::Entity::find()
                    .filter(dispatch::Column::CampaignId.eq(c.id))
                    .filter(dispatch::Column::StepKind.eq(s.kind.as_str()))
                    .filter(dispatch::Column::StepOn.eq(s.scheduled_on))
                    .count(self.db())
                    .await?
                    > 0;
                if done {
                    continue;
                }
                let reminder = s.kind != "launch";
                let mut channels = vec!["mail".to_owned()];
                channels.extend(
                    crate::entity::webhook::Entity::find()
                        .select_only()
                        .column(crate::entity::webhook::Column::Platform)
                        .distinct()
                        .filter(
                            crate::entity::webhook::Column::OrganizationId.eq(c.organization_id),
                        )
                        .filter(crate::entity::webhook::Column::Active.eq(true))
                        .into_tuple::<String>()
                        .all(self.db())
                        .await?,
                );
                for channel in channels {
                    match self
                        .create_step_dispatch(
                            OrgId(c.organization_id),
                            c.id,
                            &channel,
                            reminder,
                            StepRef::Calendar(s.kind.as_str(), s.scheduled_on),
                            &Actor::scheduler(),
                        )
                        .await
                    {
                        Ok(d) => created.push(d.id),
                        // Another instance was faster.
                        Err(StorageError::Invalid { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(created)
    }

    /// A dispatch of the organisation with its counts.
    pub async fn dispatch(&self, org: OrgId, id: i64) -> Result<Dispatch, StorageError> {
        let d = dispatch::Entity::find_by_id(id)
            .filter(dispatch::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("dispatch"))?;
        let counts = self
            .delivery_counts(&[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let relay = self.relay_health("mail").await?;
        Ok(view(d, counts, relay.as_ref()))
    }

    /// Pauses, resumes or cancels a dispatch. Cancelling cancels the deliveries not
    /// yet sent; a finished or cancelled dispatch changes no more.
    pub async fn dispatch_action(
        &self,
        org: OrgId,
        id: i64,
        action: DispatchAction,
        actor: &Actor,
    ) -> Result<Dispatch, StorageError> {
        let txn = self.write_txn().await?;
        let d = dispatch::Entity::find_by_id(id)
            .filter(dispatch::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("dispatch"))?;
        let next = match (d.status.as_str(), action) {
            (status::SENDING, DispatchAction::Pause) => status::PAUSED,
            (status::PAUSED, DispatchAction::Resume) => status::SENDING,
            (status::SENDING | status::PAUSED, DispatchAction::Cancel) => status::CANCELLED,
            (s, _) if s == status::SENDING || s == status::PAUSED => s,
            _ => {
                return Err(StorageError::invalid(
                    "action",
                    "this dispatch is over: nothing to pause, resume or cancel",
                ));
            }
        };
        let t = now();
        dispatch::Entity::update_many()
            .col_expr(dispatch::Column::Status, Expr::value(next))
            .col_expr(dispatch::Column::UpdatedAt, Expr::value(t))
            .filter(dispatch::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        if next == status::CANCELLED {
            delivery::Entity::update_many()
                .col_expr(
                    delivery::Column::Status,
                    Expr::value(delivery_status::CANCELLED),
                )
                .col_expr(delivery::Column::UpdatedAt, Expr::value(t))
                .filter(delivery::Column::DispatchId.eq(id))
                .filter(
                    delivery::Column::Status
                        .is_in([delivery_status::QUEUED, delivery_status::RETRYING]),
                )
                .exec(&txn)
                .await?;
        }
        audit::record(
            &txn,
            org,
            actor,
            "dispatch.action",
            "dispatch",
            Some(id),
            serde_json::json!({"action": action, "from": d.status, "to": next}),
        )
        .await?;
        txn.commit().await?;
        self.dispatch(org, id).await
    }

    /// Claims up to `limit` due deliveries of sending dispatches for `lease`: queued
    /// or retrying ones whose time has come, and ones whose worker's lease ran out.
    pub async fn claim_deliveries(
        &self,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<ClaimedDelivery>, StorageError> {
        let txn = self.write_txn().await?;
        let rows = crate::claims::claim_due(
            &txn,
            &crate::claims::ClaimQuery {
                table: "deliveries",
                from: "deliveries q JOIN dispatches p ON p.id = q.dispatch_id",
                filter: "AND p.status = 'sending'",
                returning: "id, organization_id, dispatch_id, employee_id, webhook_id, recipient, attempts",
            },
            limit,
            lease,
        )
        .await?;
        txn.commit().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(ClaimedDelivery {
                id: r.try_get("", "id")?,
                organization_id: r.try_get("", "organization_id")?,
                dispatch_id: r.try_get("", "dispatch_id")?,
                employee_id: r.try_get("", "employee_id")?,
                webhook_id: r.try_get("", "webhook_id")?,
                recipient: r.try_get("", "recipient")?,
                attempts: r.try_get("", "attempts")?,
            });
        }
        out.sort_by_key(|d| d.id);
        Ok(out)
    }

    /// Records what happened to a claimed delivery.
    pub async fn record_delivery(
        &self,
        claimed: &ClaimedDelivery,
        outcome: &Outcome,
        policy: &RetryPolicy,
    ) -> Result<(), StorageError> {
        self.record_deliveries(&[(claimed.clone(), outcome.clone())], policy)
            .await
    }

    /// Records the outcomes of a worker's batch in one transaction. Only rows still
    /// in the state their claim left them change (a row whose lease ran out and that
    /// another worker claimed again is that worker's to record).
    pub async fn record_deliveries(
        &self,
        outcomes: &[(ClaimedDelivery, Outcome)],
        policy: &RetryPolicy,
    ) -> Result<(), StorageError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let t = now();
        let txn = self.write_txn().await?;
        // The common case, sent, in one statement per few hundred rows.
        let sent: Vec<i64> = outcomes
            .iter()
            .filter(|(_, o)| *o == Outcome::Sent)
            .map(|(c, _)| c.id)
            .collect();
        for chunk in sent.chunks(500) {
            delivery::Entity::update_many()
                .col_expr(
                    delivery::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(delivery::Column::UpdatedAt, Expr::value(t))
                .col_expr(delivery::Column::Status, Expr::value(delivery_status::SENT))
                .col_expr(delivery::Column::SentAt, Expr::value(t))
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .filter(delivery::Column::Id.is_in(chunk.iter().copied()))
                .filter(delivery::Column::Status.eq(delivery_status::SENDING))
                .exec(&txn)
                .await?;
        }
        for (claimed, outcome) in outcomes {
            let (status, error, next) = match outcome {
                Outcome::Sent => continue,
                Outcome::Requeue => {
                    delivery::Entity::update_many()
                        .col_expr(
                            delivery::Column::LockedUntil,
                            Expr::value(Option::<DateTime<Utc>>::None),
                        )
                        .col_expr(delivery::Column::UpdatedAt, Expr::value(t))
                        .col_expr(
                            delivery::Column::Status,
                            Expr::value(delivery_status::QUEUED),
                        )
                        .col_expr(
                            delivery::Column::Attempts,
                            Expr::col(delivery::Column::Attempts).sub(1),
                        )
                        .filter(delivery::Column::Id.eq(claimed.id))
                        .filter(delivery::Column::Status.eq(delivery_status::SENDING))
                        .exec(&txn)
                        .await?;
                    continue;
                }
                Outcome::Withheld(why) => (delivery_status::CANCELLED, clip(why), None),
                Outcome::Permanent(e) => (delivery_status::FAILED, clip(e), None),
                Outcome::Temporary(e) | Outcome::Deferred(e, _)
                    if claimed.attempts >= policy.max_attempts =>
                {
                    (
                        delivery_status::FAILED,
                        clip(&format!("gave up after {} attempts: {e}", claimed.attempts)),
                        None,
                    )
                }
                Outcome::Temporary(e) => (
                    delivery_status::RETRYING,
                    clip(e),
                    Some(t + policy.delay(claimed.attempts)),
                ),
                // The platform said when to come back: then, not later (RFC 9110, 10.2.3).
                Outcome::Deferred(e, after) => {
                    (delivery_status::RETRYING, clip(e), Some(t + *after))
                }
            };
            let mut q = delivery::Entity::update_many()
                .col_expr(
                    delivery::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(delivery::Column::UpdatedAt, Expr::value(t))
                .col_expr(delivery::Column::Status, Expr::value(status))
                .col_expr(delivery::Column::LastError, Expr::value(error));
            if let Some(next) = next {
                q = q.col_expr(delivery::Column::NextAttemptAt, Expr::value(next));
            }
            q.filter(delivery::Column::Id.eq(claimed.id))
                .filter(delivery::Column::Status.eq(delivery_status::SENDING))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Keeps the deliveries a worker holds (claimed, not recorded yet) `lease` longer.
    pub async fn renew_delivery_leases(
        &self,
        ids: &[i64],
        lease: Duration,
    ) -> Result<(), StorageError> {
        let until = now() + lease;
        for chunk in ids.chunks(500) {
            delivery::Entity::update_many()
                .col_expr(delivery::Column::LockedUntil, Expr::value(until))
                .filter(delivery::Column::Id.is_in(chunk.iter().copied()))
                .filter(delivery::Column::Status.eq(delivery_status::SENDING))
                .exec(self.writer())
                .await?;
        }
        Ok(())
    }

    /// What is true right before a delivery is sent: its dispatch's status and, for
    /// an employee, their place in the directory and whether they opted out of mail.
    pub async fn delivery_check(
        &self,
        dispatch_id: i64,
        employee_id: Option<i64>,
    ) -> Result<DeliveryCheck, StorageError> {
        let backend = self.backend();
        let (e, d) = if backend == DbBackend::Postgres {
            ("$1", "$2")
        } else {
            ("?", "?")
        };
        let sql = format!(
            "SELECT p.status AS dispatch_status, e.active AS active, \
             e.erased_at IS NOT NULL AS erased, \
             EXISTS (SELECT 1 FROM opt_outs o WHERE o.employee_id = e.id \
                     AND o.organization_id = e.organization_id AND o.channel = 'mail') AS opted_out \
             FROM dispatches p LEFT JOIN employees e ON e.id = {e} WHERE p.id = {d}"
        );
        let row = self
            .db()
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [employee_id.unwrap_or(0).into(), dispatch_id.into()],
            ))
            .await?
            .ok_or(StorageError::NotFound("dispatch"))?;
        let active: Option<bool> = row.try_get("", "active")?;
        let erased: Option<bool> = row.try_get("", "erased")?;
        // No employee row: an address outside the directory.
        let person = employee_id
            .and(active)
            .map(|active| crate::outbox::InDirectory::from_flags(active, erased == Some(true)));
        let opted_out: Option<bool> = row.try_get("", "opted_out")?;
        Ok(DeliveryCheck {
            dispatch_status: row.try_get("", "dispatch_status")?,
            person,
            opted_out: employee_id.is_some() && opted_out == Some(true),
        })
    }

    /// First name and language of the recipients of a batch, by employee id.
    pub async fn recipients_brief(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, (String, Option<String>)>, StorageError> {
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows: Vec<(i64, String, Option<String>)> = employee::Entity::find()
                .select_only()
                .column(employee::Column::Id)
                .column(employee::Column::FirstName)
                .column(employee::Column::Language)
                .filter(employee::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(self.db())
                .await?;
            out.extend(rows.into_iter().map(|(id, f, l)| (id, (f, l))));
        }
        Ok(out)
    }

    /// Marks finished every sending dispatch with no delivery left to try; returns how many.
    pub async fn finish_dispatches(&self) -> Result<u64, StorageError> {
        let open = dispatch::Entity::find()
            .filter(dispatch::Column::Status.eq(status::SENDING))
            .all(self.db())
            .await?;
        let mut finished = 0;
        for d in open {
            // One index seek (dispatch_id, status) per state, not a count of the rows.
            let mut left = 0;
            for st in [
                delivery_status::QUEUED,
                delivery_status::SENDING,
                delivery_status::RETRYING,
            ] {
                left += delivery::Entity::find()
                    .select_only()
                    .column(delivery::Column::Id)
                    .filter(delivery::Column::DispatchId.eq(d.id))
                    .filter(delivery::Column::Status.eq(st))
                    .limit(1)
                    .into_tuple::<i64>()
                    .all(self.db())
                    .await?
                    .len();
                if left > 0 {
                    break;
                }
            }
            if left == 0 {
                let t = now();
                finished += dispatch::Entity::update_many()
                    .col_expr(dispatch::Column::Status, Expr::value(status::FINISHED))
                    .col_expr(dispatch::Column::FinishedAt, Expr::value(t))
                    .col_expr(dispatch::Column::UpdatedAt, Expr::value(t))
                    .filter(dispatch::Column::Id.eq(d.id))
                    .filter(dispatch::Column::Status.eq(status::SENDING))
                    .exec(self.writer())
                    .await?
                    .rows_affected;
            }
        }
        Ok(finished)
    }
}

/// One recipient row of a dispatch: a person, a webhook, or (person and webhook
/// both `None`) an address outside the directory, such as an association's contact.
pub(crate) type Recipient = (Option<i64>, Option<i64>, String);

/// Creates a sending dispatch of `rows` (one queued delivery each) in `txn`.
pub(crate) async fn insert_dispatch(
    txn: &sea_orm::DatabaseTransaction,
    org: OrgId,
    campaign_id: i64,
    channel: &str,
    (step_kind, step_on): (Option<&str>, Option<chrono::NaiveDate>),
    rows: &[Recipient],
    actor: &Actor,
) -> Result<dispatch::Model, StorageError> {
    let t = now();
    let d = dispatch::ActiveModel {
        organization_id: Set(org.0),
        campaign_id: Set(campaign_id),
        channel: Set(channel.to_owned()),
        status: Set(status::SENDING.to_owned()),
        total: Set(i64::try_from(rows.len()).unwrap_or(i64::MAX)),
        created_at: Set(t),
        finished_at: Set(None),
        updated_at: Set(t),
        step_kind: Set(step_kind.map(str::to_owned)),
        step_on: Set(step_on),
        ..Default::default()
    };
    let d = sea_orm::ActiveModelTrait::insert(d, txn)
        .await
        .map_err(StorageError::on_unique(
            "step",
            "this step was already dispatched",
        ))?;
    for chunk in rows.chunks(1_000) {
        delivery::Entity::insert_many(chunk.iter().map(|(employee, webhook, recipient)| {
            delivery::ActiveModel {
                organization_id: Set(org.0),
                dispatch_id: Set(d.id),
                employee_id: Set(*employee),
                webhook_id: Set(*webhook),
                recipient: Set(recipient.clone()),
                status: Set(delivery_status::QUEUED.to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(t),
                locked_until: Set(None),
                last_error: Set(None),
                sent_at: Set(None),
                updated_at: Set(t),
                ..Default::default()
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    audit::record(
        txn,
        org,
        actor,
        "dispatch.create",
        "dispatch",
        Some(d.id),
        serde_json::json!({"campaign_id": campaign_id, "channel": channel, "step": step_kind, "total": rows.len()}),
    )
    .await?;
    Ok(d)
}

/// The people a campaign message on `channel` would reach now: active employees
/// in the campaign's departments and sites, minus those who opted out of the
/// channel, minus (for reminders) those registered for the campaign.
fn audience_query(
    org: OrgId,
    c: &campaign::Model,
    channel: &str,
    exclude_registered: bool,
) -> sea_orm::Select<employee::Entity> {
    let campaign_id = c.id;
    let (departments, sites) = (
        json_list(&c.audience_departments),
        json_list(&c.audience_sites),
    );
    let mut q = employee::Entity::find()
        .select_only()
        .column(employee::Column::Id)
        .column(employee::Column::Email)
        .filter(employee::Column::OrganizationId.eq(org.0))
        .filter(employee::Column::Active.eq(true))
        .filter(employee::Column::ErasedAt.is_null())
        // An address nobody confirmed gets no campaign mail (see m0024).
        .filter(employee::Column::Provisional.eq(false))
        .filter(
            employee::Column::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(opt_out::Column::EmployeeId)
                    .from(opt_out::Entity)
                    .and_where(Expr::col(opt_out::Column::OrganizationId).eq(org.0))
                    .and_where(Expr::col(opt_out::Column::Channel).eq(channel))
                    .to_owned(),
            ),
        );
    if !departments.is_empty() {
        q = q.filter(employee::Column::Department.is_in(departments));
    }
    if !sites.is_empty() {
        q = q.filter(employee::Column::Site.is_in(sites));
    }
    if exclude_registered {
        q = q.filter(
            employee::Column::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(registration::Column::EmployeeId)
                    .from(registration::Entity)
                    .and_where(Expr::col(registration::Column::CampaignId).eq(campaign_id))
                    .and_where(
                        Expr::col(registration::Column::Status)
                            .ne(crate::registrations::status::CANCELLED),
                    )
                    .to_owned(),
            ),
        );
    }
    q
}

impl Store {
    /// How many people a campaign message on `channel` would reach now.
    pub async fn message_audience_size(
        &self,
        org: OrgId,
        campaign_id: i64,
        channel: &str,
        exclude_registered: bool,
    ) -> Result<u64, StorageError> {
        let c = campaign::Entity::find_by_id(campaign_id)
            .filter(campaign::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("campaign"))?;
        Ok(audience_query(org, &c, channel, exclude_registered)
            .count(self.db())
            .await?)
    }
}

/// Errors are kept short: a reply line or two, not a whole transcript.
fn clip(e: &str) -> String {
    e.chars().take(500).collect()
}

/// What is true right before a delivery is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryCheck {
    /// `sending`, `paused`, `cancelled` or `finished`.
    pub dispatch_status: String,
    /// `None` for an address outside the directory (an association's contact).
    pub person: Option<crate::outbox::InDirectory>,
    pub opted_out: bool,
}

/// One message to a person as support sees it ("did Marie get the reminder? her seat?"):
/// a campaign's delivery, or one of her own messages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryRecord {
    /// `campaign` (a dispatch to an audience) or `personal` (her own message).
    pub lane: String,
    /// The message: `campaign_announcement`, `confirm_registration`, `seat_offered`…
    /// (for a campaign delivery the HTTP layer names it from `channel` and `step_kind`,
    /// as `declic_messaging::MessageKind::for_step` does when sending).
    pub message: Option<String>,
    /// The dispatch, for a campaign message.
    pub dispatch_id: Option<i64>,
    /// The campaign, when the message is about one.
    pub campaign_id: Option<i64>,
    pub channel: String,
    /// The calendar step, when the scheduler made the dispatch.
    pub step_kind: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Store {
    /// Every message to an employee of the organisation, campaign deliveries and
    /// their own messages, newest first.
    pub async fn deliveries_of(
        &self,
        org: OrgId,
        employee_id: i64,
    ) -> Result<Vec<DeliveryRecord>, StorageError> {
        employee::Entity::find_by_id(employee_id)
            .filter(employee::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("employee"))?;
        let rows = delivery::Entity::find()
            .filter(delivery::Column::OrganizationId.eq(org.0))
            .filter(delivery::Column::EmployeeId.eq(employee_id))
            .order_by_desc(delivery::Column::Id)
            .limit(500)
            .all(self.db())
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.dispatch_id).collect();
        let dispatches: std::collections::HashMap<i64, dispatch::Model> = dispatch::Entity::find()
            .filter(dispatch::Column::OrganizationId.eq(org.0))
            .filter(dispatch::Column::Id.is_in(ids))
            .all(self.db())
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
        let mut out: Vec<DeliveryRecord> = rows
            .into_iter()
            .filter_map(|r| {
                let d = dispatches.get(&r.dispatch_id)?;
                Some(DeliveryRecord {
                    lane: "campaign".into(),
                    message: None,
                    dispatch_id: Some(d.id),
                    campaign_id: Some(d.campaign_id),
                    channel: d.channel.clone(),
                    step_kind: d.step_kind.clone(),
                    status: r.status,
                    attempts: r.attempts,
                    last_error: r.last_error,
                    sent_at: r.sent_at,
                    updated_at: r.updated_at,
                })
            })
            .collect();
        let own = crate::entity::message::Entity::find()
            .filter(crate::entity::message::Column::OrganizationId.eq(org.0))
            .filter(crate::entity::message::Column::EmployeeId.eq(employee_id))
            .order_by_desc(crate::entity::message::Column::Id)
            .limit(500)
            .all(self.db())
            .await?;
        let campaigns: std::collections::HashMap<i64, i64> = registration::Entity::find()
            .filter(registration::Column::EmployeeId.eq(employee_id))
            .all(self.db())
            .await?
            .into_iter()
            .map(|r| (r.id, r.campaign_id))
            .collect();
        out.extend(own.into_iter().map(|m| DeliveryRecord {
            lane: "personal".into(),
            campaign_id: m.registration_id.and_then(|r| campaigns.get(&r).copied()),
            message: Some(m.kind),
            dispatch_id: None,
            channel: "mail".into(),
            step_kind: None,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            sent_at: m.sent_at,
            updated_at: m.updated_at,
        }));
        out.sort_by_key(|r| std::cmp::Reverse(r.updated_at));
        Ok(out)
    }
}
