//! The directory in the console: upload the HRIS export, read the per-line report
//! of a dry run, confirm; search; deactivate and reactivate.
//!
//! The confirmed file travels back in the dry run's page (base64url in the confirm
//! form), so nothing of it is kept on the server between the two steps.

use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use base64::Engine;
use declic_storage::employees::{EmployeeQuery, ImportSummary};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Console, Failure, Fields, SESSION_COOKIE, done, expired_form, notice};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::Id;
use crate::pages::account::csrf_ok;
use crate::pages::{Lang, cookie_value};

const PAGE: u64 = 50;

/// `?search=&page=&done=`.
#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    search: Option<String>,
    page: Option<u64>,
    done: Option<String>,
}

async fn directory_data(
    state: &AppState,
    c: &Console,
    q: &DirectoryQuery,
) -> Result<Value, Failure> {
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let query = EmployeeQuery {
        search: q.search.clone().filter(|s| !s.trim().is_empty()),
        department: None,
        site: None,
        active: None,
        limit: PAGE,
        offset: (page - 1).saturating_mul(PAGE),
    };
    let (people, total) = state.store.employees(c.org(), &query).await?;
    let rows: Vec<Value> = people
        .iter()
        .map(|e| json!({"id": e.id, "email": e.email, "name": format!("{} {}", e.first_name, e.last_name),
                        "department": e.department, "site": e.site, "active": e.active}))
        .collect();
    let pages = total.div_ceil(PAGE).max(1);
    let search = q.search.clone().unwrap_or_default();
    let link = |p: u64| {
        format!(
            "/console/directory?page={p}&search={}",
            form_urlencoded::byte_serialize(search.as_bytes()).collect::<String>()
        )
    };
    Ok(json!({
        "people": rows, "total": total, "search": search, "page": page, "pages": pages, "here": link(page),
        "previous": (page > 1).then(|| link(page - 1)), "next": (page < pages).then(|| link(page + 1)),
        "report": null,
    }))
}

/// `GET /console/directory`.
pub async fn show(
    State(state): State<AppState>,
    c: Console,
    Query(q): Query<DirectoryQuery>,
) -> Result<Response, Failure> {
    let mut data = directory_data(&state, &c, &q).await?;
    data["notice"] = notice(c.lang, q.done.as_deref());
    Ok(c.page(&state, "console_directory", "directory", data))
}

/// The report of an import or a dry run, line by line.
fn report(lang: Lang, s: &ImportSummary, file: Option<String>) -> Value {
    let rejected: Vec<Value> = s
        .rejected
        .iter()
        .map(|r| {
            let reason = match lang {
                Lang::Fr => r.reason.message_fr(),
                Lang::En => r.reason.to_string(),
            };
            json!({"line": r.line, "email": r.email, "reason": reason})
        })
        .collect();
    json!({
        "dry_run": s.dry_run, "total_rows": s.total_rows, "inserted": s.inserted, "updated": s.updated,
        "unchanged": s.unchanged, "reactivated": s.reactivated, "rejected": rejected,
        "has_rejected": !s.rejected.is_empty(), "rejected_count": s.rejected.len(), "ignored_columns": s.ignored_columns.join(", "),
        "encoding": s.encoding, "separator": s.separator, "file": file,
    })
}

async fn import(
    state: &AppState,
    c: &Console,
    bytes: Vec<u8>,
    dry_run: bool,
) -> Result<Result<ImportSummary, ApiError>, Failure> {
    let domains = state.store.domains(c.org()).await?;
    let parsed =
        tokio::task::spawn_blocking(move || declic_directory::parse_directory(&bytes, &domains))
            .await
            .map_err(|e| c.fail(ApiError::Internal(e.to_string())))?;
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let message = match c.lang {
                Lang::Fr => e.message_fr(),
                Lang::En => e.to_string(),
            };
            return Ok(Err(ApiError::field("file", message)));
        }
    };
    Ok(state
        .store
        .import_employees(c.org(), &parsed, dry_run, &c.actor())
        .await
        .map_err(ApiError::from))
}

async fn report_page(
    state: &AppState,
    c: &Console,
    outcome: Result<ImportSummary, ApiError>,
    file: Option<String>,
) -> Result<Response, Failure> {
    let mut data = directory_data(state, c, &DirectoryQuery::default()).await?;
    match outcome {
        Ok(s) => {
            let file = s.dry_run.then_some(file).flatten();
            data["report"] = report(c.lang, &s, file);
            Ok(c.page(state, "console_directory", "directory", data))
        }
        Err(e) => {
            let Some(errors) = super::field_errors(c.lang, &e) else {
                return Err(c.fail(e));
            };
            data["errors"] = errors;
            Ok(c.invalid(state, "console_directory", "directory", data))
        }
    }
}

/// `POST /console/directory/import` (multipart: `csrf`, `file`): the dry run.
pub async fn dry_run(
    State(state): State<AppState>,
    c: Console,
    headers: axum::http::HeaderMap,
    mut form: Multipart,
) -> Result<Response, Failure> {
    let mut csrf = String::new();
    let mut file: Option<Vec<u8>> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(c.fail(ApiError::BadRequest(e.body_text()))),
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        c.fail(ApiError::TooLarge)
                    } else {
                        c.fail(ApiError::BadRequest(e.body_text()))
                    }
                })?;
                file = Some(bytes.to_vec());
            }
            _ => {}
        }
    }
    let session = cookie_value(&headers, SESSION_COOKIE).unwrap_or_default();
    if !csrf_ok(&state, &session, &csrf)
        || !super::origin_allowed(&headers, &state.config.server.public_url)
    {
        return Ok(expired_form(c.lang));
    }
    c.require_manage()?;
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return report_page(
            &state,
            &c,
            Err(ApiError::field("file", "choose a CSV file")),
            None,
        )
        .await;
    };
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
    let outcome = import(&state, &c, bytes, true).await?;
    report_page(&state, &c, outcome, Some(encoded)).await
}

/// `POST /console/directory/import/confirm` (`file`: the dry run's file, base64).
pub async fn confirm(
    State(state): State<AppState>,
    c: Console,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(f.get("file")) else {
        return report_page(
            &state,
            &c,
            Err(ApiError::field("file", "choose a CSV file")),
            None,
        )
        .await;
    };
    let outcome = import(&state, &c, bytes, false).await?;
    report_page(&state, &c, outcome, None).await
}

/// `POST /console/directory/{id}/active` (`active`: `true` or `false`).
pub async fn set_active(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let active = f.get("active") == "true";
    state
        .store
        .set_employee_active(c.org(), id, active, &c.actor())
        .await
        .map_err(|e| c.fail(e))?;
    let back = f
        .opt("back")
        .filter(|b| b.starts_with("/console/directory"))
        .unwrap_or_else(|| "/console/directory".into());
    Ok(done(
        &back,
        if active { "reactivated" } else { "deactivated" },
    ))
}
