//! The organisation's information notice (GDPR articles 13 and 14): who is responsible,
//! what for, on what basis, which data, who sees it, how long it is kept (the periods
//! in force, from the configuration), the person's rights and whom to write to. Every
//! public page of the organisation and every mail links to it.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::unsubscribe::LangQuery;
use crate::AppState;
use crate::pages::{Lang, message, render, text};

/// `GET /privacy/{slug}`.
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    let org = match state.store.organization_by_slug(&slug).await {
        Ok(o) => o,
        Err(declic_storage::StorageError::NotFound(_)) => {
            return message(StatusCode::NOT_FOUND, lang, "not_found_title", "not_found");
        }
        Err(e) => {
            tracing::error!(error = %e, "privacy notice failed");
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "privacy_title",
                "try_again",
            );
        }
    };
    let named = |key: &str| text(lang, key).replace("{organization}", &org.name);
    let r = &state.config.retention;
    let retention = [
        text(lang, "privacy_retention_unconfirmed").replace(
            "{hours}",
            &state.config.registration.confirm_link_hours.to_string(),
        ),
        text(lang, "privacy_retention_messages")
            .replace("{days}", &r.message_history_days.to_string()),
        text(lang, "privacy_retention_departed")
            .replace("{days}", &r.departed_employee_days.to_string()),
        text(lang, "privacy_retention_audit").replace("{days}", &r.audit_log_days.to_string()),
    ];
    let other = if lang == Lang::Fr { "en" } else { "fr" };
    render(
        StatusCode::OK,
        "privacy_notice",
        lang,
        json!({
            "title": text(lang, "privacy_title"),
            "organization": org.name,
            "slug": org.slug,
            "controller": named("privacy_controller"),
            "retention": retention,
            "contact": org.privacy_contact.clone().unwrap_or_else(|| named("privacy_contact_default")),
            "other_lang": other,
        }),
    )
}
