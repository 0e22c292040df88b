//! The outbox of a person's own messages: the confirmation link, the seat and its
//! calendar invitation, the waitlist place, the offer with its claim deadline, the
//! cancellation, the duo invitation, the mission-eve reminder, the ambassador's
//! invitation and sign-in link, the console's password reset.
//!
//! A use case that changes something passes the store a *follow* function: the
//! messages it returns are written in the same transaction as the change, so a
//! change is never stored without its messages nor a message without its change.
//! The delivery worker claims them (a lane of their own, never behind a campaign),
//! asks [`declic_messaging::policy::decide`] right before each send, and records the
//! outcome. Campaign messages to an audience stay in `deliveries` (see `dispatches`).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::dispatches::{Outcome, RetryPolicy};
use crate::entity::{admin, ambassador, employee, message, registration};
use crate::{OrgId, StorageError, Store, now};

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Queued,
    Sending,
    Sent,
    Retrying,
    /// Gave up, or the server refused it for good: shown to HR with its reason.
    Failed,
    /// Its link lapsed before it could go: not sent, reported.
    Expired,
    /// Withheld: the person left, was erased or opted out.
    Cancelled,
}

impl MessageStatus {
    /// The value stored in `messages.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Retrying => "retrying",
            MessageStatus::Failed => "failed",
            MessageStatus::Expired => "expired",
            MessageStatus::Cancelled => "cancelled",
        }
    }

    /// The status stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [
            MessageStatus::Queued,
            MessageStatus::Sending,
            MessageStatus::Sent,
            MessageStatus::Retrying,
            MessageStatus::Failed,
            MessageStatus::Expired,
            MessageStatus::Cancelled,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    /// Whether nothing more will happen to the message.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            MessageStatus::Sent
                | MessageStatus::Failed
                | MessageStatus::Expired
                | MessageStatus::Cancelled
        )
    }
}

/// Who a queued message goes to. The address and language are read in the
/// transaction that queues it, and the address again right before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// The person of a registration.
    Registration(i64),
    /// The colleague a registration invited to come along (an address, perhaps
    /// not in the directory yet).
    DuoInvitee(i64),
    /// An ambassador (the employee behind the row).
    Ambassador(i64),
    /// A console account, in the language given.
    Admin {
        admin_id: i64,
        language: &'static str,
    },
    /// An address that is nobody's in the directory (the mailbox that proves a domain),
    /// on behalf of an organisation.
    Address {
        organization_id: i64,
        address: String,
        language: &'static str,
    },
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The message's name (`declic_messaging::MessageKind::as_str`).
    pub kind: &'static str,
    pub to: Recipient,
    /// What the mail needs beyond the rows it points at (secrets already sealed).
    pub params: serde_json::Value,
    /// When the link it carries lapses; not sent after that.
    pub expires_at: Option<DateTime<Utc>>,
    /// One message per key, ever: a retried request or a double submit queues once.
    pub key: String,
}

/// A message claimed by a worker.
#[derive(Debug, Clone)]
pub struct ClaimedMessage {
    pub row: message::Model,
}

/// A message as HR sees it in a person's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageRecord {
    pub id: i64,
    /// The message: `confirm_registration`, `seat_offered`…
    pub message: String,
    pub status: MessageStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// What the worker knows of a recipient right before sending.
#[derive(Debug, Clone)]
pub struct RecipientNow {
    /// The address to use now (the directory's current one for an employee).
    pub address: String,
    /// `None` for an address outside the directory.
    pub person: Option<InDirectory>,
    /// Opted out of mail.
    pub opted_out: bool,
}

/// A recipient's place in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InDirectory {
    Active,
    Deactivated,
    Erased,
}

impl InDirectory {
    /// From an employee row's flags (erasure also deactivates).
    pub fn from_flags(active: bool, erased: bool) -> Self {
        if erased {
            InDirectory::Erased
        } else if active {
            InDirectory::Active
        } else {
            InDirectory::Deactivated
        }
    }
}

/// Writes `messages` in `txn`; a message whose key was queued before is skipped.
pub(crate) async fn queue<C: ConnectionTrait>(
    txn: &C,
    messages: Vec<NewMessage>,
) -> Result<usize, StorageError> {
    let mut queued = 0;
    let t = now();
    for m in messages {
        let Some(r) = resolve(txn, m.to.clone()).await? else {
            tracing::warn!(kind = m.kind, "message without a recipient: not queued");
            continue;
        };
        let row = message::ActiveModel {
            organization_id: Set(r.organization_id),
            kind: Set(m.kind.to_owned()),
            registration_id: Set(r.registration_id),
            employee_id: Set(r.employee_id),
            ambassador_id: Set(r.ambassador_id),
            admin_id: Set(r.admin_id),
            recipient: Set(r.address),
            language: Set(r.language),
            params: Set(m.params.to_string()),
            idempotency_key: Set(m.key.chars().take(200).collect()),
            status: Set(MessageStatus::Queued.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(t),
            locked_until: Set(None),
            expires_at: Set(m.expires_at),
            last_error: Set(None),
            sent_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        };
        let n = message::Entity::insert(row)
            .on_conflict(
                OnConflict::column(message::Column::IdempotencyKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        queued += usize::try_from(n).unwrap_or(0);
    }
    Ok(queued)
}

/// Messages a worker may claim at `t`: queued or retrying ones whose time came,
/// and claimed ones whose lease ran out (or every claimed one, `sending_too`).
fn due(t: DateTime<Utc>, sending_too: bool) -> sea_orm::Condition {
    let mut sending =
        sea_orm::Condition::all().add(message::Column::Status.eq(MessageStatus::Sending.as_str()));
    if !sending_too {
        sending = sending.add(message::Column::LockedUntil.lt(t));
    }
    sea_orm::Condition::any().add(sending).add(
        sea_orm::Condition::all()
            .add(message::Column::Status.is_in([
                MessageStatus::Queued.as_str(),
                MessageStatus::Retrying.as_str(),
            ]))
            .add(message::Column::NextAttemptAt.lte(t)),
    )
}

/// A recipient as found in the queuing transaction.
struct Resolved {
    organization_id: i64,
    employee_id: Option<i64>,
    address: String,
    language: String,
    registration_id: Option<i64>,
    ambassador_id: Option<i64>,
    admin_id: Option<i64>,
}

async fn resolve<C: ConnectionTrait>(
    txn: &C,
    to: Recipient,
) -> Result<Option<Resolved>, StorageError> {
    Ok(match to {
        Recipient::Registration(id) => {
            let Some(r) = registration::Entity::find_by_id(id).one(txn).await? else {
                return Ok(None);
            };
            let Some(e) = employee::Entity::find_by_id(r.employee_id).one(txn).await? else {
                return Ok(None);
            };
            Some(Resolved {
                organization_id: r.organization_id,
                employee_id: Some(e.id),
                address: e.email,
                language: r.language,
                registration_id: Some(r.id),
                ambassador_id: None,
                admin_id: None,
            })
        }
        Recipient::DuoInvitee(id) => {
            let Some(r) = registration::Entity::find_by_id(id).one(txn).await? else {
                return Ok(None);
            };
            let Some(address) = r.duo_invitee_email.clone() else {
                return Ok(None);
            };
            // The colleague may already be in the directory: then opt-outs and
            // departures apply to them like to anyone.
            let known = employee::Entity::find()
                .filter(employee::Column::OrganizationId.eq(r.organization_id))
                .filter(employee::Column::Email.eq(&address))
                .one(txn)
                .await?;
            let language = known
                .as_ref()
                .and_then(|e| e.language.clone())
                .unwrap_or_else(|| r.language.clone());
            Some(Resolved {
                organization_id: r.organization_id,
                employee_id: known.map(|e| e.id),
                address,
                language,
                registration_id: Some(r.id),
                ambassador_id: None,
                admin_id: None,
            })
        }
        Recipient::Ambassador(id) => {
            let Some(a) = ambassador::Entity::find_by_id(id).one(txn).await? else {
                return Ok(None);
            };
            let Some(e) = employee::Entity::find_by_id(a.employee_id).one(txn).await? else {
                return Ok(None);
            };
            Some(Resolved {
                organization_id: a.organization_id,
                employee_id: Some(e.id),
                address: e.email,
                language: e.language.unwrap_or_else(|| "fr".to_owned()),
                registration_id: None,
                ambassador_id: Some(a.id),
                admin_id: None,
            })
        }
        Recipient::Admin { admin_id, language } => {
            let Some(a) = admin::Entity::find_by_id(admin_id).one(txn).await? else {
                return Ok(None);
            };
            Some(Resolved {
                organization_id: a.organization_id,
                employee_id: None,
                address: a.email,
                language: language.to_owned(),
                registration_id: None,
                ambassador_id: None,
                admin_id: Some(a.id),
            })
        }
        Recipient::Address {
            organization_id,
            address,
            language,
        } => Some(Resolved {
            organization_id,
            employee_id: None,
            address,
            language: language.to_owned(),
            registration_id: None,
            ambassador_id: None,
            admin_id: None,
        }),
    })
}

impl Store {
    /// Queues messages on their own, when no stored change causes them.
    pub async fn queue_messages(&self, messages: Vec<NewMessage>) -> Result<usize, StorageError> {
        let txn = self.write_txn().await?;
        let n = queue(&txn, messages).await?;
        txn.commit().await?;
        Ok(n)
    }

    /// Claims up to `limit` due messages for `lease`: queued or retrying ones whose
    /// time has come, and ones whose worker's lease ran out (a worker that died).
    pub async fn claim_messages(
        &self,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<ClaimedMessage>, StorageError> {
        let t = now();
        // The lane polls every second: most polls find nothing, and a read says so
        // without taking SQLite's write lock from other processes (the CLI).
        let due = message::Entity::find()
            .select_only()
            .column(message::Column::Id)
            .filter(due(t, false))
            .limit(1)
            .into_tuple::<i64>()
            .one(self.db())
            .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let txn = self.write_txn().await?;
        let claimed = crate::claims::claim_due(
            &txn,
            &crate::claims::ClaimQuery {
                table: "messages",
                from: "messages q",
                filter: "",
                returning: "*",
            },
            limit.min(1_000),
            lease,
        )
        .await?;
        let mut rows = Vec::with_capacity(claimed.len());
        for r in &claimed {
            rows.push(<message::Model as sea_orm::FromQueryResult>::from_query_result(r, "")?);
        }
        rows.sort_by_key(|m| m.id);
        txn.commit().await?;
        Ok(rows.into_iter().map(|row| ClaimedMessage { row }).collect())
    }

    /// Keeps a claimed message for this worker `lease` longer (a slow send).
    pub async fn renew_message_lease(&self, id: i64, lease: Duration) -> Result<(), StorageError> {
        message::Entity::update_many()
            .col_expr(message::Column::LockedUntil, Expr::value(now() + lease))
            .filter(message::Column::Id.eq(id))
            .filter(message::Column::Status.eq(MessageStatus::Sending.as_str()))
            .exec(self.writer())
            .await?;
        Ok(())
    }

    /// The recipient of a message as the directory has them now.
    pub async fn message_recipient(
        &self,
        m: &message::Model,
    ) -> Result<RecipientNow, StorageError> {
        let person = match m.employee_id {
            Some(id) => employee::Entity::find_by_id(id).one(self.db()).await?,
            None => None,
        };
        let Some(e) = person else {
            return Ok(RecipientNow {
                address: m.recipient.clone(),
                person: None,
                opted_out: false,
            });
        };
        let opted_out = self
            .is_opted_out(OrgId(e.organization_id), e.id, "mail")
            .await?;
        Ok(RecipientNow {
            person: Some(InDirectory::from_flags(e.active, e.erased_at.is_some())),
            address: e.email,
            opted_out,
        })
    }

    /// Records what happened to a claimed message. Only a message still in the state
    /// its claim left it changes; a finished one keeps no parameters (they may hold
    /// a sealed link).
    pub async fn record_message(
        &self,
        claimed: &ClaimedMessage,
        outcome: &MessageOutcome,
        policy: &RetryPolicy,
    ) -> Result<(), StorageError> {
        let t = now();
        let m = &claimed.row;
        let (status, error, next) = match outcome {
            MessageOutcome::Sent => (MessageStatus::Sent, None, None),
            MessageOutcome::Expired => (
                MessageStatus::Expired,
                Some("its link lapsed before it could be sent".to_owned()),
                None,
            ),
            MessageOutcome::Withheld(why) => (MessageStatus::Cancelled, Some(why.clone()), None),
            MessageOutcome::Tried(Outcome::Sent) => (MessageStatus::Sent, None, None),
            MessageOutcome::Tried(Outcome::Permanent(e)) => {
                (MessageStatus::Failed, Some(clip(e)), None)
            }
            MessageOutcome::Tried(Outcome::Temporary(e) | Outcome::Deferred(e, _))
                if m.attempts >= policy.max_attempts =>
            {
                (
                    MessageStatus::Failed,
                    Some(clip(&format!("gave up after {} attempts: {e}", m.attempts))),
                    None,
                )
            }
            MessageOutcome::Tried(Outcome::Temporary(e)) => (
                MessageStatus::Retrying,
                Some(clip(e)),
                Some(t + policy.delay(m.attempts)),
            ),
            MessageOutcome::Tried(Outcome::Deferred(e, at)) => {
                (MessageStatus::Retrying, Some(clip(e)), Some(t + *at))
            }
            MessageOutcome::Tried(Outcome::Requeue) => (MessageStatus::Queued, None, Some(t)),
            MessageOutcome::Tried(Outcome::Withheld(why)) => {
                (MessageStatus::Cancelled, Some(clip(why)), None)
            }
        };
        let mut q = message::Entity::update_many()
            .col_expr(
                message::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(message::Column::UpdatedAt, Expr::value(t))
            .col_expr(message::Column::Status, Expr::value(status.as_str()))
            .col_expr(message::Column::LastError, Expr::value(error));
        if let Some(next) = next {
            q = q.col_expr(message::Column::NextAttemptAt, Expr::value(next));
        }
        if status == MessageStatus::Sent {
            q = q.col_expr(message::Column::SentAt, Expr::value(t));
        }
        if status.is_final() {
            q = q.col_expr(message::Column::Params, Expr::value("{}"));
        }
        q.filter(message::Column::Id.eq(m.id))
            .filter(message::Column::Status.eq(MessageStatus::Sending.as_str()))
            .exec(self.writer())
            .await?;
        Ok(())
    }

    /// Messages not final yet that are due now or being sent: 0 once the lane is idle.
    pub async fn messages_pending(&self) -> Result<u64, StorageError> {
        use sea_orm::PaginatorTrait;
        let t = now();
        Ok(message::Entity::find()
            .filter(due(t, true))
            .count(self.db())
            .await?)
    }

    /// Messages not final yet, due or not (queued, sending, retrying).
    pub async fn messages_waiting(&self) -> Result<u64, StorageError> {
        use sea_orm::PaginatorTrait;
        Ok(message::Entity::find()
            .filter(message::Column::Status.is_in([
                MessageStatus::Queued.as_str(),
                MessageStatus::Sending.as_str(),
                MessageStatus::Retrying.as_str(),
            ]))
            .count(self.db())
            .await?)
    }

    /// A person's own messages, newest first (support: "did Marie get her seat?").
    pub async fn messages_of(
        &self,
        org: OrgId,
        employee_id: i64,
    ) -> Result<Vec<MessageRecord>, StorageError> {
        let rows = message::Entity::find()
            .filter(message::Column::OrganizationId.eq(org.0))
            .filter(message::Column::EmployeeId.eq(employee_id))
            .order_by_desc(message::Column::Id)
            .limit(500)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(record).collect())
    }

    /// The organisation's own messages that failed or lapsed in the last `days` days.
    pub async fn failed_messages(
        &self,
        org: OrgId,
        days: i64,
    ) -> Result<Vec<MessageRecord>, StorageError> {
        let rows = message::Entity::find()
            .filter(message::Column::OrganizationId.eq(org.0))
            .filter(message::Column::Status.is_in([
                MessageStatus::Failed.as_str(),
                MessageStatus::Expired.as_str(),
            ]))
            .filter(message::Column::UpdatedAt.gte(now() - Duration::days(days)))
            .order_by_desc(message::Column::Id)
            .limit(200)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(record).collect())
    }
}

impl Store {
    /// Per campaign, the organisation's own messages about registrations that
    /// failed or lapsed in the last `days` days (the dashboard's alerts); campaign
    /// 0 counts those about no campaign (ambassador and account mails).
    pub async fn undelivered_messages_by_campaign(
        &self,
        org: OrgId,
        days: i64,
    ) -> Result<std::collections::HashMap<i64, i64>, StorageError> {
        let rows: Vec<(Option<i64>, i64)> = message::Entity::find()
            .select_only()
            .column(message::Column::RegistrationId)
            .column_as(message::Column::Id.count(), "n")
            .filter(message::Column::OrganizationId.eq(org.0))
            .filter(message::Column::Status.is_in([
                MessageStatus::Failed.as_str(),
                MessageStatus::Expired.as_str(),
            ]))
            .filter(message::Column::UpdatedAt.gte(now() - Duration::days(days)))
            .group_by(message::Column::RegistrationId)
            .into_tuple()
            .all(self.db())
            .await?;
        let ids: Vec<i64> = rows.iter().filter_map(|(r, _)| *r).collect();
        let campaigns: std::collections::HashMap<i64, i64> = registration::Entity::find()
            .filter(registration::Column::OrganizationId.eq(org.0))
            .filter(registration::Column::Id.is_in(ids))
            .all(self.db())
            .await?
            .into_iter()
            .map(|r| (r.id, r.campaign_id))
            .collect();
        let mut out = std::collections::HashMap::new();
        for (reg, n) in rows {
            let campaign = reg.and_then(|r| campaigns.get(&r).copied()).unwrap_or(0);
            *out.entry(campaign).or_default() += n;
        }
        Ok(out)
    }
}

/// What became of a claimed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageOutcome {
    /// Handed to the mail server (or written to the outbox folder).
    Sent,
    /// Its link lapsed before it could go.
    Expired,
    /// Not sent, by policy (the reason is kept).
    Withheld(String),
    /// Tried: what the transport said.
    Tried(Outcome),
}

fn record(m: message::Model) -> MessageRecord {
    MessageRecord {
        id: m.id,
        message: m.kind,
        status: MessageStatus::parse(&m.status).unwrap_or(MessageStatus::Failed),
        attempts: m.attempts,
        last_error: m.last_error,
        created_at: m.created_at,
        sent_at: m.sent_at,
        updated_at: m.updated_at,
    }
}

fn clip(e: &str) -> String {
    e.chars().take(500).collect()
}

impl Store {
    /// Forgets the addresses of messages that finished before `older_than`: a
    /// person's own messages are deleted, a campaign delivery keeps its status and
    /// date for the counts but not the address nor the error text. Answers how many
    /// messages were deleted and deliveries emptied.
    pub async fn purge_message_history(
        &self,
        older_than: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<(u64, u64), StorageError> {
        use crate::dispatches::delivery_status;
        use crate::entity::delivery;
        let txn = self.write_txn().await?;
        let finished = [
            MessageStatus::Sent,
            MessageStatus::Failed,
            MessageStatus::Expired,
            MessageStatus::Cancelled,
        ]
        .map(MessageStatus::as_str);
        let messages = message::Entity::delete_many()
            .filter(message::Column::Status.is_in(finished))
            .filter(message::Column::UpdatedAt.lt(older_than))
            .exec(&txn)
            .await?
            .rows_affected;
        let deliveries = delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Recipient,
                sea_orm::sea_query::Expr::value(""),
            )
            .col_expr(
                delivery::Column::LastError,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(delivery::Column::Status.is_in([
                delivery_status::SENT,
                delivery_status::FAILED,
                delivery_status::CANCELLED,
            ]))
            .filter(delivery::Column::UpdatedAt.lt(older_than))
            .filter(delivery::Column::WebhookId.is_null())
            .filter(delivery::Column::Recipient.ne(""))
            .exec(&txn)
            .await?
            .rows_affected;
        crate::finish(txn, dry_run).await?;
        Ok((messages, deliveries))
    }
}

#[cfg(test)]
mod tests {
    use super::MessageStatus;

    #[test]
    fn statuses_round_trip_and_final_ones_are_the_four_ends() {
        for s in [
            MessageStatus::Queued,
            MessageStatus::Sending,
            MessageStatus::Sent,
            MessageStatus::Retrying,
            MessageStatus::Failed,
            MessageStatus::Expired,
            MessageStatus::Cancelled,
        ] {
            assert_eq!(MessageStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(MessageStatus::parse("lost"), None);
        assert!(!MessageStatus::Retrying.is_final());
        assert!(!MessageStatus::Sending.is_final());
        assert!(MessageStatus::Expired.is_final());
    }
}
