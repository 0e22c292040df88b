//! The organisation's logo for posters. The bytes are checked by the caller (the poster
//! renderer decodes them); here they are only stored, one logo per organisation.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::entity::organization_logo;
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// Largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

/// A stored logo.
#[derive(Debug, Clone)]
pub struct Logo {
    /// `image/png` or `image/svg+xml`.
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Store {
    /// Stores (or replaces) the organisation's logo.
    pub async fn set_logo(
        &self,
        org: OrgId,
        content_type: &str,
        bytes: Vec<u8>,
        actor: &Actor,
    ) -> Result<(), StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        if bytes.is_empty() || bytes.len() > MAX_LOGO_BYTES {
            return Err(StorageError::invalid(
                "logo",
                format!("send 1 byte to {} MiB", MAX_LOGO_BYTES / (1024 * 1024)),
            ));
        }
        let size = bytes.len();
        let txn = self.write_txn().await?;
        organization_logo::Entity::insert(organization_logo::ActiveModel {
            organization_id: Set(org.0),
            content_type: Set(content_type.to_owned()),
            bytes: Set(bytes),
            updated_at: Set(now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(organization_logo::Column::OrganizationId)
                .update_columns([
                    organization_logo::Column::ContentType,
                    organization_logo::Column::Bytes,
                    organization_logo::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "organization.logo",
            "organization",
            Some(org.0),
            json!({"content_type": content_type, "bytes": size}),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The organisation's logo, if one was uploaded.
    pub async fn logo(&self, org: OrgId) -> Result<Option<Logo>, StorageError> {
        Ok(organization_logo::Entity::find()
            .filter(organization_logo::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .map(|m| Logo {
                content_type: m.content_type,
                bytes: m.bytes,
                updated_at: m.updated_at,
            }))
    }
}
