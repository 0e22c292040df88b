//! Messages an organisation rewrote: for all its campaigns, or for one (which wins).
//! Mails keep a subject, a text and an HTML body; a Slack or Teams post
//! (`slack_post`, `teams_post`) keeps its JSON template in the text column. Checking
//! the template is the caller's job (`declic-messaging` knows what a message may
//! contain); this keeps them, scoped to the organisation.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{campaign, message_template};
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// A stored custom template.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageTemplate {
    pub id: i64,
    /// None: every campaign of the organisation without its own.
    pub campaign_id: Option<i64>,
    pub message: String,
    pub language: String,
    /// A mail's subject (empty for a post).
    pub subject: String,
    /// A mail's plain-text body (empty for a post).
    pub text: String,
    /// A mail's HTML body (empty for a post).
    pub html: String,
    /// A Slack or Teams post's JSON template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// Whether `message` names a channel post rather than a mail.
pub fn is_post(message: &str) -> bool {
    message.ends_with("_post")
}

fn view(m: message_template::Model) -> MessageTemplate {
    let (text, payload) = if is_post(&m.message) {
        (String::new(), Some(m.text_body))
    } else {
        (m.text_body, None)
    };
    MessageTemplate {
        id: m.id,
        campaign_id: m.campaign_id,
        message: m.message,
        language: m.language,
        subject: m.subject,
        text,
        html: m.html_body,
        payload,
        updated_at: m.updated_at,
    }
}

impl Store {
    /// Not found unless `campaign_id` (when given) is one of the organisation's.
    pub async fn check_campaign(
        &self,
        org: OrgId,
        campaign_id: Option<i64>,
    ) -> Result<(), StorageError> {
        if let Some(id) = campaign_id {
            campaign::Entity::find_by_id(id)
                .filter(campaign::Column::OrganizationId.eq(org.0))
                .one(self.db())
                .await?
                .ok_or(StorageError::NotFound("campaign"))?;
        }
        Ok(())
    }

    /// Saves (creates or replaces) the template of `message` in `language`.
    #[expect(clippy::too_many_arguments, reason = "the template's parts, one each")]
    pub async fn save_message_template(
        &self,
        org: OrgId,
        campaign_id: Option<i64>,
        message: &str,
        language: &str,
        subject: &str,
        text: &str,
        html: &str,
        actor: &Actor,
    ) -> Result<MessageTemplate, StorageError> {
        self.check_campaign(org, campaign_id).await?;
        let txn = self.write_txn().await?;
        let existing = scope(org, campaign_id, message)
            .filter(message_template::Column::Language.eq(language))
            .one(&txn)
            .await?;
        let t = now();
        let saved = match existing {
            Some(m) => {
                let mut a: message_template::ActiveModel = m.into();
                a.subject = Set(subject.to_owned());
                a.text_body = Set(text.to_owned());
                a.html_body = Set(html.to_owned());
                a.updated_at = Set(t);
                a.update(&txn).await?
            }
            None => {
                message_template::ActiveModel {
                    organization_id: Set(org.0),
                    campaign_id: Set(campaign_id),
                    message: Set(message.to_owned()),
                    language: Set(language.to_owned()),
                    subject: Set(subject.to_owned()),
                    text_body: Set(text.to_owned()),
                    html_body: Set(html.to_owned()),
                    updated_at: Set(t),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        audit::record(
            &txn,
            org,
            actor,
            "template.save",
            "message_template",
            Some(saved.id),
            serde_json::json!({"message": message, "language": language, "campaign_id": campaign_id}),
        )
        .await?;
        txn.commit().await?;
        Ok(view(saved))
    }

    /// Removes a custom template: the message goes back to the default (or to the
    /// organisation's, for a campaign's own). Returns whether there was one.
    pub async fn delete_message_template(
        &self,
        org: OrgId,
        campaign_id: Option<i64>,
        message: &str,
        language: &str,
        actor: &Actor,
    ) -> Result<bool, StorageError> {
        self.check_campaign(org, campaign_id).await?;
        let txn = self.write_txn().await?;
        // All of them: two saves racing may have left two rows of one scope.
        let rows = scope(org, campaign_id, message)
            .filter(message_template::Column::Language.eq(language))
            .all(&txn)
            .await?;
        let Some(id) = rows.first().map(|m| m.id) else {
            return Ok(false);
        };
        message_template::Entity::delete_many()
            .filter(message_template::Column::Id.is_in(rows.iter().map(|m| m.id)))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            org,
            actor,
            "template.delete",
            "message_template",
            Some(id),
            serde_json::json!({"message": message, "language": language, "campaign_id": campaign_id}),
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// The organisation's custom templates (all, or those of one campaign and the
    /// organisation-wide ones).
    pub async fn message_templates(
        &self,
        org: OrgId,
        campaign_id: Option<i64>,
    ) -> Result<Vec<MessageTemplate>, StorageError> {
        self.check_campaign(org, campaign_id).await?;
        let mut q = message_template::Entity::find()
            .filter(message_template::Column::OrganizationId.eq(org.0));
        if let Some(c) = campaign_id {
            q = q.filter(
                message_template::Column::CampaignId
                    .eq(c)
                    .or(message_template::Column::CampaignId.is_null()),
            );
        }
        Ok(q.order_by_asc(message_template::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .map(view)
            .collect())
    }

    /// The template in force for `message` in `language` of a campaign: its own,
    /// else the organisation's, else none (the built-in one applies). Without a
    /// campaign, the organisation's.
    pub async fn message_template_for(
        &self,
        org: OrgId,
        campaign_id: Option<i64>,
        message: &str,
        language: &str,
    ) -> Result<Option<MessageTemplate>, StorageError> {
        let scope = match campaign_id {
            Some(c) => message_template::Column::CampaignId
                .eq(c)
                .or(message_template::Column::CampaignId.is_null()),
            None => message_template::Column::CampaignId.is_null(),
        };
        let rows = message_template::Entity::find()
            .filter(message_template::Column::OrganizationId.eq(org.0))
            .filter(message_template::Column::Message.eq(message))
            .filter(message_template::Column::Language.eq(language))
            .filter(scope)
            .all(self.db())
            .await?;
        // The latest saved wins, should two saves have raced.
        let latest = |campaign: Option<i64>| {
            rows.iter()
                .filter(|r| r.campaign_id == campaign)
                .max_by_key(|r| (r.updated_at, r.id))
                .cloned()
        };
        let own = campaign_id.and_then(|c| latest(Some(c)));
        Ok(own.or_else(|| latest(None)).map(view))
    }
}

fn scope(
    org: OrgId,
    campaign_id: Option<i64>,
    message: &str,
) -> sea_orm::Select<message_template::Entity> {
    let q = message_template::Entity::find()
        .filter(message_template::Column::OrganizationId.eq(org.0))
        .filter(message_template::Column::Message.eq(message));
    match campaign_id {
        Some(c) => q.filter(message_template::Column::CampaignId.eq(c)),
        None => q.filter(message_template::Column::CampaignId.is_null()),
    }
}
