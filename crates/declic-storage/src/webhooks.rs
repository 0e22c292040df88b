//! An organisation's Slack and Teams incoming webhooks. The URL is a secret: the caller
//! seals it before it comes here (see `declic-http`), and only a masked hint is ever
//! shown back.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::webhook;
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// A webhook as the API shows it: never the URL.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    /// `slack` or `teams`.
    pub platform: String,
    /// Scheme, host and the URL's last characters, e.g. `https://hooks.slack.com/…/Xy9Q`.
    pub url_hint: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

fn view(m: &webhook::Model) -> Webhook {
    Webhook {
        id: m.id,
        name: m.name.clone(),
        platform: m.platform.clone(),
        url_hint: m.url_hint.clone(),
        active: m.active,
        created_at: m.created_at,
    }
}

impl Store {
    /// Adds a webhook; `url_sealed` is the URL already sealed by the caller.
    pub async fn create_webhook(
        &self,
        org: OrgId,
        name: &str,
        platform: &str,
        url_sealed: &str,
        url_hint: &str,
        actor: &Actor,
    ) -> Result<Webhook, StorageError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(StorageError::invalid("name", "1 to 80 characters"));
        }
        if !["slack", "teams"].contains(&platform) {
            return Err(StorageError::invalid("platform", "use slack or teams"));
        }
        let txn = self.write_txn().await?;
        let t = now();
        let m = webhook::ActiveModel {
            organization_id: Set(org.0),
            name: Set(name.to_owned()),
            platform: Set(platform.to_owned()),
            url_sealed: Set(url_sealed.to_owned()),
            url_hint: Set(url_hint.to_owned()),
            active: Set(true),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(StorageError::on_unique(
            "name",
            "a webhook of this name exists",
        ))?;
        audit::record(
            &txn,
            org,
            actor,
            "webhook.create",
            "webhook",
            Some(m.id),
            serde_json::json!({"name": name, "platform": platform, "url": url_hint}),
        )
        .await?;
        txn.commit().await?;
        Ok(view(&m))
    }

    /// The organisation's webhooks.
    pub async fn webhooks_of(&self, org: OrgId) -> Result<Vec<Webhook>, StorageError> {
        Ok(webhook::Entity::find()
            .filter(webhook::Column::OrganizationId.eq(org.0))
            .order_by_asc(webhook::Column::Id)
            .all(self.db())
            .await?
            .iter()
            .map(view)
            .collect())
    }

    /// Stops using a webhook (posts still queued for it fail as permanent).
    pub async fn deactivate_webhook(
        &self,
        org: OrgId,
        id: i64,
        actor: &Actor,
    ) -> Result<Webhook, StorageError> {
        let txn = self.write_txn().await?;
        let m = webhook::Entity::find_by_id(id)
            .filter(webhook::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("webhook"))?;
        let mut a: webhook::ActiveModel = m.into();
        a.active = Set(false);
        a.updated_at = Set(now());
        let m = a.update(&txn).await?;
        audit::record(
            &txn,
            org,
            actor,
            "webhook.deactivate",
            "webhook",
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(view(&m))
    }

    /// The sealed URL and platform of an active webhook (for the delivery worker).
    pub async fn webhook_secret(
        &self,
        org: OrgId,
        id: i64,
    ) -> Result<Option<(String, String)>, StorageError> {
        Ok(webhook::Entity::find_by_id(id)
            .filter(webhook::Column::OrganizationId.eq(org.0))
            .filter(webhook::Column::Active.eq(true))
            .one(self.db())
            .await?
            .map(|m| (m.platform, m.url_sealed)))
    }
}
