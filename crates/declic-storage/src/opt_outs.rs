//! Opt-outs from campaign messages, per person and channel. Recorded by the
//! one-click unsubscribe link; an audience leaves out whoever opted out.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{employee, opt_out};
use crate::{OrgId, StorageError, Store, now};

/// Channels a person can opt out of.
pub const CHANNELS: &[&str] = &["mail"];

/// An opt-out as exported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptOut {
    pub channel: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn check(channel: &str) -> Result<(), StorageError> {
    if CHANNELS.contains(&channel) {
        Ok(())
    } else {
        Err(StorageError::invalid("channel", "unknown channel"))
    }
}

impl Store {
    /// Records that the employee wants no more campaign messages on `channel`;
    /// doing it again changes nothing.
    pub async fn opt_out(
        &self,
        org: OrgId,
        employee_id: i64,
        channel: &str,
    ) -> Result<(), StorageError> {
        check(channel)?;
        employee::Entity::find_by_id(employee_id)
            .filter(employee::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("employee"))?;
        opt_out::Entity::insert(opt_out::ActiveModel {
            organization_id: Set(org.0),
            employee_id: Set(employee_id),
            channel: Set(channel.to_owned()),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                opt_out::Column::OrganizationId,
                opt_out::Column::EmployeeId,
                opt_out::Column::Channel,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(self.writer())
        .await?;
        // Messages already queued on that channel are not sent either.
        self.cancel_pending_deliveries(org, employee_id, Some(channel))
            .await?;
        Ok(())
    }

    /// Cancels the deliveries to a person not sent yet (of one channel, or all).
    pub(crate) async fn cancel_pending_deliveries(
        &self,
        org: OrgId,
        employee_id: i64,
        channel: Option<&str>,
    ) -> Result<u64, StorageError> {
        use crate::dispatches::delivery_status;
        use crate::entity::{delivery, dispatch};
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        let mut dispatches = Query::select()
            .column(dispatch::Column::Id)
            .from(dispatch::Entity)
            .and_where(Expr::col(dispatch::Column::OrganizationId).eq(org.0))
            .to_owned();
        if let Some(channel) = channel {
            dispatches.and_where(Expr::col(dispatch::Column::Channel).eq(channel));
        }
        Ok(delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Status,
                Expr::value(delivery_status::CANCELLED),
            )
            .col_expr(delivery::Column::UpdatedAt, Expr::value(now()))
            .filter(delivery::Column::EmployeeId.eq(employee_id))
            .filter(
                delivery::Column::Status
                    .is_in([delivery_status::QUEUED, delivery_status::RETRYING]),
            )
            .filter(delivery::Column::DispatchId.in_subquery(dispatches))
            .exec(self.writer())
            .await?
            .rows_affected)
    }

    /// Takes an opt-out back: the person wants campaign messages again.
    pub async fn opt_back_in(
        &self,
        org: OrgId,
        employee_id: i64,
        channel: &str,
    ) -> Result<(), StorageError> {
        check(channel)?;
        opt_out::Entity::delete_many()
            .filter(opt_out::Column::OrganizationId.eq(org.0))
            .filter(opt_out::Column::EmployeeId.eq(employee_id))
            .filter(opt_out::Column::Channel.eq(channel))
            .exec(self.writer())
            .await?;
        Ok(())
    }

    /// Whether the employee opted out of `channel`.
    pub async fn is_opted_out(
        &self,
        org: OrgId,
        employee_id: i64,
        channel: &str,
    ) -> Result<bool, StorageError> {
        Ok(opt_out::Entity::find()
            .filter(opt_out::Column::OrganizationId.eq(org.0))
            .filter(opt_out::Column::EmployeeId.eq(employee_id))
            .filter(opt_out::Column::Channel.eq(channel))
            .count(self.db())
            .await?
            > 0)
    }

    /// The employee's opt-outs, for their data export.
    pub async fn opt_outs_of(
        &self,
        org: OrgId,
        employee_id: i64,
    ) -> Result<Vec<OptOut>, StorageError> {
        Ok(opt_out::Entity::find()
            .filter(opt_out::Column::OrganizationId.eq(org.0))
            .filter(opt_out::Column::EmployeeId.eq(employee_id))
            .order_by_asc(opt_out::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .map(|o| OptOut {
                channel: o.channel,
                created_at: o.created_at,
            })
            .collect())
    }
}
