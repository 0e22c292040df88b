//! The organisation's own wording at send time: the template in force for a message (a
//! campaign's own, else the organisation's; see `controllers::templates`), checked again
//! before use. A template that no longer passes (only a change of Declic's own contract
//! can do that: it was checked when saved) is logged, and the built-in one applies.

use declic_messaging::templates::{CompiledCustom, CustomTemplate, Lang, MessageKind};
use declic_messaging::webhooks::{PostTemplate, WebhookPlatform};
use declic_storage::message_templates::MessageTemplate;
use declic_storage::{OrgId, StorageError};

use crate::App;

/// A stored mail template's three parts.
pub fn mail_source(t: MessageTemplate) -> CustomTemplate {
    CustomTemplate {
        subject: t.subject,
        text: t.text,
        html: t.html,
    }
}

/// The organisation's own wording of `kind` in `lang`, compiled; none when it wrote
/// none (or may not: the console's password reset stays Declic's).
pub(crate) async fn own_mail(
    state: &App,
    org: OrgId,
    campaign_id: Option<i64>,
    kind: MessageKind,
    lang: Lang,
) -> Result<Option<CompiledCustom>, StorageError> {
    if !kind.is_customizable() {
        return Ok(None);
    }
    let Some(t) = state
        .store
        .message_template_for(org, campaign_id, kind.as_str(), lang.as_str())
        .await?
    else {
        return Ok(None);
    };
    let id = t.id;
    Ok(CompiledCustom::check(kind, lang, &mail_source(t))
        .inspect_err(|problems| {
            tracing::warn!(
                template = id,
                ?problems,
                "own wording no longer valid: the built-in message is used"
            );
        })
        .ok())
}

/// The organisation's own Slack or Teams post template, compiled; none when it wrote none.
pub(crate) async fn own_post(
    state: &App,
    org: OrgId,
    campaign_id: i64,
    platform: WebhookPlatform,
    lang: Lang,
) -> Result<Option<PostTemplate>, StorageError> {
    let name = [platform.as_str(), "_post"].concat();
    let Some(t) = state
        .store
        .message_template_for(org, Some(campaign_id), &name, lang.as_str())
        .await?
    else {
        return Ok(None);
    };
    let id = t.id;
    Ok(
        PostTemplate::check(platform, lang, &t.payload.unwrap_or_default())
            .inspect_err(|problems| {
                tracing::warn!(
                    template = id,
                    ?problems,
                    "own post template no longer valid: the built-in post is used"
                );
            })
            .ok(),
    )
}
