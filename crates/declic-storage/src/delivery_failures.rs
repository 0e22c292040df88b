//! Failed deliveries as support and HR see them, and sending them again.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::dispatches::{delivery_status, status};
use crate::entity::{delivery, dispatch};
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// One delivery that failed for good, with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct FailedDelivery {
    pub recipient: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// The latest `limit` failed deliveries of a dispatch.
    pub async fn failed_deliveries(
        &self,
        org: OrgId,
        dispatch_id: i64,
        limit: u64,
    ) -> Result<Vec<FailedDelivery>, StorageError> {
        self.dispatch_row(org, dispatch_id).await?;
        Ok(delivery::Entity::find()
            .filter(delivery::Column::DispatchId.eq(dispatch_id))
            .filter(delivery::Column::Status.eq(delivery_status::FAILED))
            .order_by_desc(delivery::Column::UpdatedAt)
            .limit(limit)
            .all(self.db())
            .await?
            .into_iter()
            .map(|d| FailedDelivery {
                recipient: d.recipient,
                attempts: d.attempts,
                last_error: d.last_error,
                at: d.updated_at,
            })
            .collect())
    }

    /// Queues a dispatch's failed deliveries again (attempts start over) and reopens the
    /// dispatch when it had finished; returns how many. A cancelled dispatch stays cancelled.
    pub async fn retry_failed(
        &self,
        org: OrgId,
        dispatch_id: i64,
        actor: &Actor,
    ) -> Result<u64, StorageError> {
        let txn = self.write_txn().await?;
        let d = dispatch::Entity::find_by_id(dispatch_id)
            .filter(dispatch::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("dispatch"))?;
        if d.status == status::CANCELLED {
            return Err(StorageError::invalid(
                "action",
                "this dispatch was cancelled: nothing is sent again",
            ));
        }
        let t = now();
        let res = delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Status,
                Expr::value(delivery_status::QUEUED),
            )
            .col_expr(delivery::Column::Attempts, Expr::value(0))
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(t))
            .col_expr(delivery::Column::UpdatedAt, Expr::value(t))
            .filter(delivery::Column::DispatchId.eq(dispatch_id))
            .filter(delivery::Column::Status.eq(delivery_status::FAILED))
            .exec(&txn)
            .await?;
        if res.rows_affected > 0 && d.status == status::FINISHED {
            dispatch::Entity::update_many()
                .col_expr(dispatch::Column::Status, Expr::value(status::SENDING))
                .col_expr(
                    dispatch::Column::FinishedAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(dispatch::Column::UpdatedAt, Expr::value(t))
                .filter(dispatch::Column::Id.eq(dispatch_id))
                .exec(&txn)
                .await?;
        }
        audit::record(
            &txn,
            org,
            actor,
            "dispatch.retry_failed",
            "dispatch",
            Some(dispatch_id),
            serde_json::json!({"requeued": res.rows_affected}),
        )
        .await?;
        txn.commit().await?;
        Ok(res.rows_affected)
    }
}
