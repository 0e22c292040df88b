//! How long each kind of data is kept, applied in one place: the 10-minute job and
//! `declic retention run [--dry-run]` both call [`Store::apply_retention`]. A dry run
//! does the same work in transactions it rolls back, so the counts it prints are the
//! ones a run would remove.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{
    ambassador_token, audit_event, credential, employee, link_visit, sign_in_throttle,
    survey_invitation,
};
use crate::{StorageError, Store, now};

/// Where each kind of data stops being kept (everything older goes).
#[derive(Debug, Clone, Copy)]
pub struct Cutoffs {
    /// People who left the directory before this are erased like an erasure request.
    pub departed: DateTime<Utc>,
    /// Finished messages and deliveries lose the address they went to.
    pub message_history: DateTime<Utc>,
    /// Entries of the audit log.
    pub audit_log: DateTime<Utc>,
    /// API tokens and console links revoked or expired, ambassador links expired.
    pub credentials: DateTime<Utc>,
    /// Daily visit counts of campaign links.
    pub visit_counts: NaiveDate,
    /// Survey invitations of waves closed before this (answers in published figures stay
    /// as no one's scores and choices, without free text).
    pub surveys: DateTime<Utc>,
}

/// What retention removed (or would remove, in a dry run) from one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Removed {
    /// A stable name for this kind of data (`audit_log`, `departed_people`…).
    pub key: &'static str,
    /// The table.
    pub table: &'static str,
    /// What goes, in a few words.
    pub what: &'static str,
    /// How many rows.
    pub rows: u64,
}

impl Removed {
    /// The rows of `key` in a report (0 when absent).
    pub fn rows_of(report: &[Removed], key: &str) -> u64 {
        report.iter().find(|r| r.key == key).map_or(0, |r| r.rows)
    }
}

fn removed(key: &'static str, table: &'static str, what: &'static str, rows: u64) -> Removed {
    Removed {
        key,
        table,
        what,
        rows,
    }
}

impl Store {
    /// Applies every retention period; with `dry_run`, changes nothing and says what
    /// would go. Sign-ups nobody confirmed go once their link lapsed, whatever the cutoffs.
    pub async fn apply_retention(
        &self,
        cut: &Cutoffs,
        dry_run: bool,
    ) -> Result<Vec<Removed>, StorageError> {
        let mut out = Vec::new();
        out.push(removed(
            "unconfirmed_sign_ups",
            "employees",
            "people who signed up and never confirmed, once their link lapsed",
            self.purge_unconfirmed_sign_ups(dry_run).await?,
        ));
        let departed = if dry_run {
            self.departed_before(cut.departed).await?
        } else {
            self.erase_departed(cut.departed).await?
        };
        out.push(removed(
            "departed_people",
            "employees",
            "people who left the directory, erased (counts kept)",
            departed,
        ));
        let (messages, deliveries) = self
            .purge_message_history(cut.message_history, dry_run)
            .await?;
        out.push(removed(
            "message_history",
            "messages",
            "finished messages to a person",
            messages,
        ));
        out.push(removed(
            "delivery_addresses",
            "deliveries",
            "addresses of finished campaign mails (status kept)",
            deliveries,
        ));
        let txn = self.write_txn().await?;
        let audit = audit_event::Entity::delete_many()
            .filter(audit_event::Column::CreatedAt.lt(cut.audit_log))
            .exec(&txn)
            .await?
            .rows_affected;
        out.push(removed(
            "audit_log",
            "audit_events",
            "audit log entries",
            audit,
        ));
        let t = now();
        // Console sign-in links and sessions serve for minutes or hours: a day after
        // they lapse or are revoked they go, whatever the period.
        let short_lived = sea_orm::Condition::all()
            .add(
                credential::Column::Kind
                    .is_in([crate::admins::KIND_SIGN_IN, crate::admins::KIND_SESSION]),
            )
            .add(
                sea_orm::Condition::any()
                    .add(credential::Column::ExpiresAt.lt(t - Duration::days(1)))
                    .add(credential::Column::RevokedAt.lt(t - Duration::days(1))),
            );
        let credentials = credential::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(credential::Column::RevokedAt.lt(cut.credentials))
                    .add(credential::Column::ExpiresAt.lt(cut.credentials))
                    .add(short_lived),
            )
            .exec(&txn)
            .await?
            .rows_affected;
        out.push(removed(
            "credentials",
            "credentials",
            "API tokens and console links revoked or expired",
            credentials,
        ));
        let ambassador_links = ambassador_token::Entity::delete_many()
            .filter(ambassador_token::Column::ExpiresAt.lt(cut.credentials))
            .exec(&txn)
            .await?
            .rows_affected;
        out.push(removed(
            "ambassador_links",
            "ambassador_tokens",
            "ambassador sign-in links expired",
            ambassador_links,
        ));
        let throttles = sign_in_throttle::Entity::delete_many()
            .filter(sign_in_throttle::Column::UpdatedAt.lt(t - Duration::days(1)))
            .filter(
                sea_orm::Condition::any()
                    .add(sign_in_throttle::Column::LockedUntil.is_null())
                    .add(sign_in_throttle::Column::LockedUntil.lt(t)),
            )
            .exec(&txn)
            .await?
            .rows_affected;
        out.push(removed(
            "sign_in_throttles",
            "sign_in_throttles",
            "failed sign-in counts no longer locking anyone (after a day)",
            throttles,
        ));
        let visits = link_visit::Entity::delete_many()
            .filter(link_visit::Column::Day.lt(cut.visit_counts))
            .exec(&txn)
            .await?
            .rows_affected;
        out.push(removed(
            "visit_counts",
            "link_visits",
            "daily visit counts of links",
            visits,
        ));
        let old_invitations: Vec<i64> = survey_invitation::Entity::find()
            .filter(survey_invitation::Column::ClosesAt.lt(cut.surveys))
            .all(&txn)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        crate::evaluations::delete_invitations(&txn, &old_invitations).await?;
        out.push(removed(
            "survey_invitations",
            "survey_invitations",
            "invitations of survey waves closed long ago, and their unpublished answers and comments",
            old_invitations.len() as u64,
        ));
        crate::finish(txn, dry_run).await?;
        Ok(out)
    }

    /// How many people left the directory before `cutoff` and are not erased yet.
    async fn departed_before(&self, cutoff: DateTime<Utc>) -> Result<u64, StorageError> {
        Ok(employee::Entity::find()
            .filter(employee::Column::Active.eq(false))
            .filter(employee::Column::ErasedAt.is_null())
            .filter(employee::Column::DeactivatedAt.lt(cutoff))
            .count(self.db())
            .await?)
    }

    /// The addresses of the people retention will erase at `cutoff`, so that what lies
    /// outside the database (outbox files) can go with them.
    pub async fn departed_addresses(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<String>, StorageError> {
        Ok(employee::Entity::find()
            .filter(employee::Column::Active.eq(false))
            .filter(employee::Column::ErasedAt.is_null())
            .filter(employee::Column::DeactivatedAt.lt(cutoff))
            .all(self.db())
            .await?
            .into_iter()
            .map(|e| e.email)
            .collect())
    }
}
