//! One-click unsubscribe (RFC 8058). Campaign mails carry `List-Unsubscribe:
//! <…/u/{token}>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: the mail
//! client POSTs to the link and the opt-out is recorded at once, without a login or a
//! confirmation step. Opening the link in a browser shows a button instead, since
//! mail scanners follow links. The token is the person and channel, signed; it
//! does not expire, so an old mail's link still works.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use declic_storage::StorageError;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::pages::{Lang, message, render, text};

/// `?lang=`.
#[derive(Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

fn invalid(lang: Lang) -> Response {
    message(
        StatusCode::NOT_FOUND,
        lang,
        "unsubscribe_invalid_title",
        "unsubscribe_invalid",
    )
}

fn failed(e: StorageError, lang: Lang) -> Response {
    match e {
        StorageError::NotFound(_) | StorageError::Invalid { .. } => invalid(lang),
        e => {
            tracing::error!(error = %e, "unsubscribe failed");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "unsubscribe_invalid_title",
                "try_again",
            )
        }
    }
}

/// What a request does with the person's opt-out.
enum Change {
    /// Nothing: show where it stands.
    Look,
    OptOut,
    OptBackIn,
}

async fn respond(state: &AppState, token: &str, lang: Lang, change: Change) -> Response {
    let Some((org, employee, channel)) = declic_app::links::parse_unsubscribe(state, token) else {
        return invalid(lang);
    };
    let store = &state.store;
    let opted_out = match change {
        Change::Look => store.is_opted_out(org, employee, &channel).await,
        Change::OptOut => store.opt_out(org, employee, &channel).await.map(|()| true),
        Change::OptBackIn => store
            .opt_back_in(org, employee, &channel)
            .await
            .map(|()| false),
    };
    match opted_out {
        Ok(out) => render(
            StatusCode::OK,
            "unsubscribe",
            lang,
            json!({"title": text(lang, "unsubscribe_title"), "token": token, "opted_out": out}),
        ),
        Err(e) => failed(e, lang),
    }
}

/// `GET /u/{token}`: the state and a button (a scanner opening the link changes nothing).
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    respond(&state, &token, lang, Change::Look).await
}

/// `POST /u/{token}`: records the opt-out (the mail client's one-click, or the button).
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    respond(&state, &token, lang, Change::OptOut).await
}

/// `POST /u/{token}/resubscribe`: takes the opt-out back.
pub async fn resubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    respond(&state, &token, lang, Change::OptBackIn).await
}
