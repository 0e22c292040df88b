//! The audit log: who changed what, when, from which request.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::audit_event;
use crate::{Actor, OrgId, StorageError, Store, now};

/// One audit entry as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub request_id: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Records an admin action inside the caller's transaction, so the entry exists
/// exactly when the change does.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    org: OrgId,
    actor: &Actor,
    action: &str,
    target_type: &str,
    target_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<(), StorageError> {
    audit_event::ActiveModel {
        organization_id: Set(org.0),
        admin_id: Set(actor.admin_id),
        actor: Set(actor.label.chars().take(300).collect()),
        action: Set(action.to_owned()),
        target_type: Set(target_type.to_owned()),
        target_id: Set(target_id),
        detail: Set(detail.to_string()),
        request_id: Set(actor.request_id.clone()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

impl Store {
    /// The organisation's audit log, newest first.
    pub async fn audit_log(
        &self,
        org: OrgId,
        limit: u64,
        before_id: Option<i64>,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        let mut q = audit_event::Entity::find()
            .filter(audit_event::Column::OrganizationId.eq(org.0))
            .order_by_desc(audit_event::Column::Id)
            .limit(limit.clamp(1, 500));
        if let Some(before) = before_id {
            q = q.filter(audit_event::Column::Id.lt(before));
        }
        Ok(q.all(self.db()).await?.into_iter().map(entry).collect())
    }

    /// How many audit entries the organisation has.
    pub async fn audit_count(&self, org: OrgId) -> Result<u64, StorageError> {
        Ok(audit_event::Entity::find()
            .filter(audit_event::Column::OrganizationId.eq(org.0))
            .count(self.db())
            .await?)
    }
}

pub(crate) fn entry(m: audit_event::Model) -> AuditEntry {
    AuditEntry {
        id: m.id,
        actor: m.actor,
        action: m.action,
        target_type: m.target_type,
        target_id: m.target_id,
        detail: serde_json::from_str(&m.detail).unwrap_or(serde_json::Value::Null),
        request_id: m.request_id,
        created_at: m.created_at,
    }
}
