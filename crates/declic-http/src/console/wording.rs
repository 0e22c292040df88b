//! The organisation's own wording in the console: every mail employees and ambassadors
//! get, and the Slack and Teams posts, for all campaigns, in French and English. The
//! campaign editor holds a campaign's own wording of its steps; this page is the
//! organisation's. Saving and resetting go through the API's handlers (same checks).

use axum::extract::{Query, State};
use axum::response::Response;
use declic_messaging::templates::MessageKind;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Console, Failure, Fields, done, field_errors, notice};
use crate::AppState;
use crate::pages::{Lang, text};
use declic_app::templates as uc;

/// `?message=&message_lang=&done=`.
#[derive(Deserialize, Default)]
pub struct WordingQuery {
    message: Option<String>,
    message_lang: Option<String>,
    done: Option<String>,
}

/// Every message the page lists, in the order HR meets them.
fn names() -> Vec<&'static str> {
    let mut names: Vec<&str> = [
        MessageKind::CampaignAnnouncement,
        MessageKind::CampaignReminder,
        MessageKind::CampaignLastCall,
    ]
    .into_iter()
    .map(MessageKind::as_str)
    .collect();
    names.extend(["slack_post", "teams_post"]);
    names.extend(
        MessageKind::ALL
            .into_iter()
            .filter(|k| k.is_customizable() && !k.is_campaign_message())
            .map(MessageKind::as_str),
    );
    names
}

/// The chosen message (a listed one, else the announcement) and language.
fn chosen(c: &Console, message: Option<&str>, lang: Option<&str>) -> (&'static str, &'static str) {
    let all = names();
    let message = message
        .and_then(|m| all.iter().find(|n| **n == m).copied())
        .unwrap_or("campaign_announcement");
    let lang = match lang.unwrap_or(c.lang.as_str()) {
        "en" => "en",
        _ => "fr",
    };
    (message, lang)
}

async fn page_data(
    state: &AppState,
    c: &Console,
    message: &'static str,
    lang: &'static str,
) -> Result<Value, Failure> {
    let shown = uc::show(state, &c.caller(), message, lang, None)
        .await
        .map_err(|e| c.fail(e))?;
    let stored = state
        .store
        .message_templates(c.org(), None)
        .await
        .map_err(|e| c.fail(e))?;
    let list: Vec<Value> = names()
        .into_iter()
        .map(|name| {
            let own: Vec<&str> = stored
                .iter()
                .filter(|t| t.message == name && t.campaign_id.is_none())
                .map(|t| t.language.as_str())
                .collect();
            json!({
                "name": name, "label": label(c.lang, name), "current": name == message,
                "own": own.join(", "),
                "href": format!("/console/messages?message={name}&message_lang={lang}"),
            })
        })
        .collect();
    let is_post = message.ends_with("_post");
    Ok(json!({
        "messages": list,
        "wording": {
            "message": message, "label": label(c.lang, message), "lang": lang,
            "post": is_post, "own": shown.source == "organization",
            "scope_text": text(c.lang, if shown.source == "organization" { "wording_organization" } else { "wording_builtin" }),
            "subject": shown.subject, "text": shown.text, "html": shown.html,
            "payload": shown.payload.unwrap_or_default(),
            "variables": shown.variables.iter().map(|v| format!("{{{{{v}}}}}")).collect::<Vec<_>>().join(" "),
            "required": shown.required.iter().map(|v| format!("{{{{{v}}}}}")).collect::<Vec<_>>().join(" "),
        },
        "langs": [
            {"value": "fr", "label": "Français", "selected": lang == "fr",
             "href": format!("/console/messages?message={message}&message_lang=fr")},
            {"value": "en", "label": "English", "selected": lang == "en",
             "href": format!("/console/messages?message={message}&message_lang=en")},
        ],
    }))
}

fn label(lang: Lang, message: &str) -> String {
    text(lang, &format!("message_{message}"))
}

/// Removes a wording (the organisation's, or a campaign's with `campaign_id`) through the
/// API and goes back to `back`; nothing to remove is not an error.
pub(super) async fn reset(
    state: &AppState,
    c: &Console,
    message: &str,
    lang: &str,
    campaign_id: Option<i64>,
    back: &str,
) -> Result<Response, Failure> {
    match uc::delete(state, &c.caller(), message, lang, campaign_id).await {
        Ok(()) | Err(declic_app::caller::AppError::NotFound(_)) => Ok(done(back, "wording_reset")),
        Err(e) => Err(c.fail(e)),
    }
}

/// `GET /console/messages`: the list of messages and the wording of the chosen one.
pub async fn show(
    State(state): State<AppState>,
    c: Console,
    Query(q): Query<WordingQuery>,
) -> Result<Response, Failure> {
    let (message, lang) = chosen(&c, q.message.as_deref(), q.message_lang.as_deref());
    let mut data = page_data(&state, &c, message, lang).await?;
    data["notice"] = notice(c.lang, q.done.as_deref());
    Ok(c.page(&state, "console_wording", "messages", data))
}

/// `POST /console/messages`: saves (checked first) or resets the organisation's
/// wording of one message in one language.
pub async fn save(
    State(state): State<AppState>,
    c: Console,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let (message, lang) = chosen(
        &c,
        f.opt("message").as_deref(),
        f.opt("message_lang").as_deref(),
    );
    let back = format!("/console/messages?message={message}&message_lang={lang}");
    if f.get("action") == "reset" {
        return reset(&state, &c, message, lang, None, &back).await;
    }
    let typed = |name: &str| f.raw(name).unwrap_or_default().to_owned();
    let body = if message.ends_with("_post") {
        uc::TemplateBody {
            subject: None,
            text: None,
            html: None,
            payload: Some(typed("payload")),
        }
    } else {
        uc::TemplateBody {
            subject: Some(f.get("subject").to_owned()),
            text: Some(typed("text")),
            html: Some(typed("html")),
            payload: None,
        }
    };
    match uc::save(&state, &c.caller(), message, lang, None, body)
        .await
        .map_err(crate::ApiError::from)
    {
        Ok(_) => Ok(done(&back, "wording_org_saved")),
        Err(e) => {
            let Some(errors) = field_errors(c.lang, &e) else {
                return Err(c.fail(e));
            };
            let mut data = page_data(&state, &c, message, lang).await?;
            data["errors"] = errors;
            // What HR typed comes back, not the stored wording.
            for name in ["subject", "text", "html", "payload"] {
                if let Some(v) = f.raw(name) {
                    data["wording"][name] = json!(v);
                }
            }
            Ok(c.invalid(&state, "console_wording", "messages", data))
        }
    }
}
