//! `GET /r/{token}` shows a button; `POST /r/{token}` confirms. Mail scanners open
//! links, so only the button press (a POST) confirms.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use declic_app::caller::AppError;
use declic_storage::StorageError;
use serde::Deserialize;
use serde_json::json;

use super::{base_url, manage_token};
use crate::AppState;
use crate::pages::{Lang, message, render};

/// `?lang=`.
#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

fn plausible(token: &str) -> bool {
    token.starts_with("dcc_") && token.len() < 100
}

/// The confirmation button.
pub async fn form(
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    if !plausible(&token) {
        return message(
            StatusCode::NOT_FOUND,
            lang,
            "confirm_invalid_title",
            "confirm_invalid",
        );
    }
    render(
        StatusCode::OK,
        "confirm",
        lang,
        json!({"title": crate::pages::text(lang, "confirm_title"), "token": token}),
    )
}

/// Confirms, takes a seat or a waitlist place, mails the result, and shows the person's page.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    if !plausible(&token) {
        return message(
            StatusCode::NOT_FOUND,
            lang,
            "confirm_invalid_title",
            "confirm_invalid",
        );
    }
    match declic_app::registrations::confirm(&state, &token).await {
        Ok(outcome) => {
            let url = format!(
                "{}/me/{}?lang={}",
                base_url(&state),
                manage_token(
                    &state,
                    outcome.registration_id,
                    &outcome.registration.manage_nonce
                ),
                if lang == Lang::En { "en" } else { "fr" }
            );
            Redirect::to(&url).into_response()
        }
        Err(AppError::Storage(StorageError::NotFound(_))) => message(
            StatusCode::NOT_FOUND,
            lang,
            "confirm_invalid_title",
            "confirm_invalid",
        ),
        Err(AppError::Storage(StorageError::Invalid { field, .. })) if field == "campaign" => {
            message(
                StatusCode::CONFLICT,
                lang,
                "confirm_closed_title",
                "confirm_closed",
            )
        }
        Err(AppError::Storage(StorageError::Invalid { .. })) => message(
            StatusCode::GONE,
            lang,
            "confirm_invalid_title",
            "confirm_invalid",
        ),
        Err(e) => {
            tracing::error!(error = %e, "confirmation failed");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "confirm_invalid_title",
                "confirm_invalid",
            )
        }
    }
}
