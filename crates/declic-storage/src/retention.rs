//! How long each kind of data is kept, applied in one place: the 10-minute job and
//! `declic retention run [--dry-run]` both call [`Store::apply_retention`]. A dry run
//! does the same work in transactions it rolls back, so the counts it prints are the
//! ones a run would remove.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{
    ambassador_token, audit_event, credential, link_visit, sign_in_throttle, survey_invitation,
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
    /// Why this kind could not be applied (the others still were); the next run tries
    /// again.
    pub error: Option<String>,
}

impl Removed {
    /// The rows of `key` in a report (0 when absent).
    pub fn rows_of(report: &[Removed], key: &str) -> u64 {
        report.iter().find(|r| r.key == key).map_or(0, |r| r.rows)
    }
}

/// One kind of data's outcome: its rows, or its error (logged), never stopping the rest.
fn outcome(
    key: &'static str,
    table: &'static str,
    what: &'static str,
    rows: Result<u64, StorageError>,
) -> Removed {
    let (rows, error) = match rows {
        Ok(n) => (n, None),
        Err(e) => {
            tracing::warn!(key, error = %e, "retention could not be applied to this kind of data");
            (0, Some(e.to_string()))
        }
    };
    Removed {
        key,
        table,
        what,
        rows,
        error,
    }
}

impl Store {
    /// Applies every retention period; with `dry_run`, changes nothing and says what
    /// would go. Sign-ups nobody confirmed go once their link lapsed, whatever the
    /// cutoffs. Each kind of data is applied on its own: one that fails is reported
    /// with its error and the others are still applied.
    pub async fn apply_retention(&self, cut: &Cutoffs, dry_run: bool) -> Vec<Removed> {
        let cut = *cut;
        let mut out = Vec::new();
        out.push(outcome(
            "unconfirmed_sign_ups",
            "employees",
            "people who signed up and never confirmed, once their link lapsed",
            self.purge_unconfirmed_sign_ups(dry_run).await,
        ));
        let departed = if dry_run {
            crate::privacy::departed_before(cut.departed)
                .count(self.db())
                .await
                .map_err(StorageError::from)
        } else {
            self.erase_departed(cut.departed).await
        };
        out.push(outcome(
            "departed_people",
            "employees",
            "people who left the directory, erased (counts kept)",
            departed,
        ));
        let (messages, deliveries) = match self
            .purge_message_history(cut.message_history, dry_run)
            .await
        {
            Ok((m, d)) => (Ok(m), Ok(d)),
            Err(e) => {
                let again = StorageError::Unavailable(e.to_string());
                (Err(e), Err(again))
            }
        };
        out.push(outcome(
            "message_history",
            "messages",
            "finished messages to a person",
            messages,
        ));
        out.push(outcome(
            "delivery_addresses",
            "deliveries",
            "addresses of finished campaign mails (status kept)",
            deliveries,
        ));
        out.push(outcome(
            "audit_log",
            "audit_events",
            "audit log entries",
            self.retention_step(dry_run, move |txn| {
                Box::pin(async move {
                    Ok(audit_event::Entity::delete_many()
                        .filter(audit_event::Column::CreatedAt.lt(cut.audit_log))
                        .exec(txn)
                        .await?
                        .rows_affected)
                })
            })
            .await,
        ));
        out.push(outcome(
            "credentials",
            "credentials",
            "API tokens and console links revoked or expired",
            self.retention_step(dry_run, move |txn| {
                Box::pin(async move {
                    let t = now();
                    // Console sign-in links and sessions serve for minutes or hours: a
                    // day after they lapse or are revoked they go, whatever the period.
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
                    Ok(credential::Entity::delete_many()
                        .filter(
                            sea_orm::Condition::any()
                                .add(credential::Column::RevokedAt.lt(cut.credentials))
                                .add(credential::Column::ExpiresAt.lt(cut.credentials))
                                .add(short_lived),
                        )
                        .exec(txn)
                        .await?
                        .rows_affected)
                })
            })
            .await,
        ));
        out.push(outcome(
            "ambassador_links",
            "ambassador_tokens",
            "ambassador sign-in links expired",
            self.retention_step(dry_run, move |txn| {
                Box::pin(async move {
                    Ok(ambassador_token::Entity::delete_many()
                        .filter(ambassador_token::Column::ExpiresAt.lt(cut.credentials))
                        .exec(txn)
                        .await?
                        .rows_affected)
                })
            })
            .await,
        ));
        out.push(outcome(
            "sign_in_throttles",
            "sign_in_throttles",
            "failed sign-in counts no longer locking anyone (after a day)",
            self.retention_step(dry_run, move |txn| {
                Box::pin(async move {
                    let t = now();
                    Ok(sign_in_throttle::Entity::delete_many()
                        .filter(sign_in_throttle::Column::UpdatedAt.lt(t - Duration::days(1)))
                        .filter(
                            sea_orm::Condition::any()
                                .add(sign_in_throttle::Column::LockedUntil.is_null())
                                .add(sign_in_throttle::Column::LockedUntil.lt(t)),
                        )
                        .exec(txn)
                        .await?
                        .rows_affected)
                })
            })
            .await,
        ));
        out.push(outcome(
            "visit_counts",
            "link_visits",
            "daily visit counts of links",
            self.retention_step(dry_run, move |txn| {
                Box::pin(async move {
                    Ok(link_visit::Entity::delete_many()
                        .filter(link_visit::Column::Day.lt(cut.visit_counts))
                        .exec(txn)
                        .await?
                        .rows_affected)
                })
            })
            .await,
        ));
        out.push(outcome(
            "survey_invitations",
            "survey_invitations",
            "invitations of survey waves closed long ago, and their unpublished answers and comments",
            self.retention_step(dry_run, move |txn| {
                Box::pin(async move {
                    let old: Vec<i64> = survey_invitation::Entity::find()
                        .filter(survey_invitation::Column::ClosesAt.lt(cut.surveys))
                        .all(txn)
                        .await?
                        .into_iter()
                        .map(|i| i.id)
                        .collect();
                    crate::evaluations::delete_invitations(txn, &old).await?;
                    Ok(old.len() as u64)
                })
            })
            .await,
        ));
        out
    }

    /// Runs one kind of data's removal in a transaction of its own, rolled back for a
    /// dry run.
    async fn retention_step<F>(&self, dry_run: bool, step: F) -> Result<u64, StorageError>
    where
        F: for<'t> FnOnce(
            &'t sea_orm::DatabaseTransaction,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<u64, StorageError>> + Send + 't>,
        >,
    {
        let txn = self.write_txn().await?;
        let rows = step(&txn).await?;
        crate::finish(txn, dry_run).await?;
        Ok(rows)
    }

    /// The addresses of the people retention will erase at `cutoff`, so that what lies
    /// outside the database (outbox files) can go with them.
    pub async fn departed_addresses(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<String>, StorageError> {
        Ok(crate::privacy::departed_before(cutoff)
            .all(self.db())
            .await?
            .into_iter()
            .map(|e| e.email)
            .collect())
    }
}
