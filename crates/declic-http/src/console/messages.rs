//! A campaign's messages in the console: the preview per step, channel and
//! language (live as HR types, through `console.js`), the HTML mail alone, and the
//! campaign's own wording of each step's message per language.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use declic_messaging::templates::{CustomTemplate, MessageKind};
use serde::Deserialize;
use serde_json::{Value, json};

use super::campaigns::{EditorQuery, editor_data};
use super::{Console, Failure, Fields, done, field_errors};
use crate::AppState;
use crate::extract::Id;
use crate::pages::{render, text};
use declic_app::delivery_worker::Draft;

/// The preview of one step's message, or the reason there is none.
pub(super) async fn preview_panel(
    state: &AppState,
    c: &Console,
    id: i64,
    q: &EditorQuery,
    draft: Option<&Draft>,
) -> Value {
    let step = q.step.as_deref().unwrap_or("launch");
    let channel = q.channel.as_deref().unwrap_or("mail");
    let mail_lang = match q.message_lang.as_deref().unwrap_or(c.lang.as_str()) {
        "en" => declic_messaging::Lang::En,
        _ => declic_messaging::Lang::Fr,
    };
    let options = |list: &[&str], chosen: &str, prefix: &str| {
        list.iter()
            .map(|v| json!({"value": v, "label": text(c.lang, &format!("{prefix}{v}")), "selected": *v == chosen}))
            .collect::<Vec<_>>()
    };
    let common = json!({
        "steps": options(&["launch", "reminder", "last_call"], step, "message_"),
        "channels": options(&["mail", "slack", "teams"], channel, "channel_"),
        "langs": options(&["fr", "en"], mail_lang.as_str(), "lang_"),
        "step": step, "channel": channel, "lang": mail_lang.as_str(),
    });
    let result = declic_app::delivery_worker::preview_draft(
        state,
        c.org(),
        id,
        step,
        channel,
        None,
        Some(mail_lang),
        draft,
    )
    .await;
    let mut v = common;
    match result {
        Ok(p) => {
            v["ok"] = json!(true);
            v["subject"] = json!(p.subject);
            v["text"] = json!(p.text);
            v["audience"] = json!(p.audience);
            v["is_mail"] = json!(channel == "mail");
            v["payload"] = json!(
                p.payload
                    .map(|p| serde_json::to_string_pretty(&p).unwrap_or_default())
            );
        }
        Err(e) => {
            v["ok"] = json!(false);
            v["error"] = json!(match e {
                declic_storage::StorageError::Invalid { message, .. } => message,
                declic_storage::StorageError::NotFound(_) => text(c.lang, "error_not_found_text"),
                other => {
                    tracing::error!(error = %other, "preview failed");
                    text(c.lang, "error_internal_text")
                }
            });
        }
    }
    v
}

/// Which preview to show.
#[derive(Deserialize, Default)]
pub struct PreviewQuery {
    step: Option<String>,
    channel: Option<String>,
    message_lang: Option<String>,
}

/// `GET /console/campaigns/{id}/preview`: the preview panel of the saved texts (the
/// unsaved ones go by POST, never in an address that proxies may log).
pub async fn preview(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    Query(q): Query<PreviewQuery>,
) -> Result<Response, Failure> {
    state
        .store
        .campaign(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let eq = EditorQuery {
        done: None,
        step: q.step,
        channel: q.channel,
        message_lang: q.message_lang,
    };
    let panel = preview_panel(&state, &c, id, &eq, None).await;
    Ok(fragment(&c, id, panel))
}

/// `GET /console/campaigns/{id}/preview.html`: the HTML mail alone, sandboxed.
pub async fn preview_html(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    Query(q): Query<EditorQuery>,
) -> Result<Response, Failure> {
    let lang = match q.message_lang.as_deref() {
        Some("en") => declic_messaging::Lang::En,
        _ => declic_messaging::Lang::Fr,
    };
    let p = declic_app::delivery_worker::preview(
        &state,
        c.org(),
        id,
        q.step.as_deref().unwrap_or("launch"),
        "mail",
        None,
        Some(lang),
    )
    .await
    .map_err(|e| c.fail(e))?;
    let mut res = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], p.html).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        ),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// The step and language of the message being worded or previewed.
fn chosen(
    c: &Console,
    step: Option<&str>,
    lang: Option<&str>,
) -> (MessageKind, declic_messaging::Lang) {
    let kind = MessageKind::for_step(Some(step.unwrap_or("launch")));
    let lang = match lang.unwrap_or(c.lang.as_str()) {
        "en" => declic_messaging::Lang::En,
        _ => declic_messaging::Lang::Fr,
    };
    (kind, lang)
}

/// The wording form: the campaign's own text of the chosen message, else the
/// organisation's, else the built-in one.
pub(super) async fn wording(
    state: &AppState,
    c: &Console,
    id: i64,
    q: &EditorQuery,
) -> Result<Value, Failure> {
    let (kind, lang) = chosen(c, q.step.as_deref(), q.message_lang.as_deref());
    let current = state
        .store
        .message_template_for(c.org(), Some(id), kind.as_str(), lang.as_str())
        .await?;
    let (source, scope) = match current {
        Some(t) => {
            let scope = if t.campaign_id == Some(id) {
                "wording_campaign"
            } else {
                "wording_organization"
            };
            (declic_app::wording::mail_source(t), scope)
        }
        None => (kind.builtin(lang), "wording_builtin"),
    };
    Ok(json!({
        "step": step_name(kind), "lang": lang.as_str(),
        "subject": source.subject, "text": source.text, "html": source.html,
        "own": scope == "wording_campaign", "scope_text": text(c.lang, scope),
    }))
}

/// The calendar step a campaign message carries out, as forms and addresses name it.
fn step_name(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::CampaignReminder => "reminder",
        MessageKind::CampaignLastCall => "last_call",
        _ => "launch",
    }
}

fn draft_of(c: &Console, f: &Fields) -> Draft {
    let clip =
        |name: &str, max: usize| f.raw(name).map(|v| v.chars().take(max).collect::<String>());
    let (_, lang) = chosen(
        c,
        f.opt("step").as_deref(),
        f.opt("message_lang").as_deref(),
    );
    let template = match (
        clip("subject", 1000),
        clip("text", 50_000),
        clip("html", 100_000),
    ) {
        (Some(subject), Some(text), Some(html)) => Some((
            lang,
            CustomTemplate {
                subject,
                text,
                html,
            },
        )),
        _ => None,
    };
    Draft {
        title: clip("title", 300).filter(|t| !t.trim().is_empty()),
        key_message: clip("key_message", 2000),
        why_it_matters: clip("why_it_matters", 4000),
        template,
    }
}

fn fragment(c: &Console, id: i64, panel: Value) -> Response {
    let mut res = render(
        StatusCode::OK,
        "console_preview",
        c.lang,
        json!({"preview": panel, "campaign": {"id": id}}),
    );
    super::console_headers(&mut res);
    res
}

/// `POST /console/campaigns/{id}/preview`: the preview panel for the editor's unsaved
/// texts and wording (what `console.js` sends as HR types; nothing is saved).
pub async fn preview_draft(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    state
        .store
        .campaign(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let q = EditorQuery {
        done: None,
        step: f.opt("step"),
        channel: f.opt("channel"),
        message_lang: f.opt("message_lang"),
    };
    let draft = draft_of(&c, &f);
    let panel = preview_panel(&state, &c, id, &q, Some(&draft)).await;
    Ok(fragment(&c, id, panel))
}

/// `POST /console/campaigns/{id}/wording`: saves (checked first) or resets the
/// campaign's own wording of a step's message in one language.
pub async fn save_wording(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    state
        .store
        .campaign(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let (kind, lang) = chosen(
        &c,
        f.opt("step").as_deref(),
        f.opt("message_lang").as_deref(),
    );
    // The step as the message names it (never the raw field: it goes into a URL).
    let step = step_name(kind);
    let back = format!(
        "/console/campaigns/{id}?step={step}&message_lang={}",
        lang.as_str()
    );
    if f.get("action") == "reset" {
        return super::wording::reset(&state, &c, kind.as_str(), lang.as_str(), Some(id), &back)
            .await;
    }
    let body = declic_app::templates::TemplateBody {
        subject: Some(f.get("subject").to_owned()),
        text: Some(f.raw("text").unwrap_or_default().to_owned()),
        html: Some(f.raw("html").unwrap_or_default().to_owned()),
        payload: None,
    };
    let typed = json!({"step": step, "lang": lang.as_str(), "subject": body.subject, "text": body.text,
                       "html": body.html, "own": true, "scope_text": text(c.lang, "wording_campaign")});
    match declic_app::templates::save(
        &state,
        &c.caller(),
        kind.as_str(),
        lang.as_str(),
        Some(id),
        body,
    )
    .await
    .map_err(crate::ApiError::from)
    {
        Ok(_) => Ok(done(&back, "wording_saved")),
        Err(e) => {
            let Some(errors) = field_errors(c.lang, &e) else {
                return Err(c.fail(e));
            };
            let campaign = state
                .store
                .campaign(c.org(), id)
                .await
                .map_err(|e| c.fail(e))?;
            let q = EditorQuery {
                done: None,
                step: Some(step.to_owned()),
                channel: None,
                message_lang: Some(lang.as_str().into()),
            };
            let mut data = editor_data(&state, &c, &campaign, &q).await?;
            data["errors"] = errors;
            data["wording"] = typed;
            Ok(c.invalid(&state, "console_campaign", "campaigns", data))
        }
    }
}
