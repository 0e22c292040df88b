//! The page behind a domain proof link (see `declic_app::domains`): opening it shows
//! what confirming does and a button, since mail scanners follow links; the button
//! adds the domain to the organisation.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use declic_app::caller::AppError;
use declic_app::domains::{self, ProofLinkError};
use declic_storage::StorageError;
use serde_json::json;

use super::unsubscribe::LangQuery;
use crate::AppState;
use crate::pages::{Lang, message, render, text};

fn filled(lang: Lang, key: &str, organization: &str, domain: &str) -> String {
    text(lang, key)
        .replace("{organization}", organization)
        .replace("{domain}", domain)
}

fn refused(lang: Lang, e: ProofLinkError) -> Response {
    match e {
        ProofLinkError::Invalid => message(
            StatusCode::NOT_FOUND,
            lang,
            "domain_proof_title",
            "domain_proof_invalid",
        ),
        ProofLinkError::Expired => message(
            StatusCode::GONE,
            lang,
            "domain_proof_title",
            "domain_proof_expired",
        ),
    }
}

fn failed(lang: Lang, e: AppError) -> Response {
    match e {
        AppError::Storage(StorageError::Conflict { .. }) => message(
            StatusCode::CONFLICT,
            lang,
            "domain_proof_title",
            "domain_proof_taken",
        ),
        AppError::NotFound(_) | AppError::Storage(StorageError::NotFound(_)) => {
            refused(lang, ProofLinkError::Invalid)
        }
        e => {
            tracing::error!(error = %e, "domain proof failed");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "domain_proof_title",
                "try_again",
            )
        }
    }
}

/// The page for a link: what confirming does and the button, or, when `confirm`, the
/// domain added.
async fn respond(state: &AppState, token: &str, lang: Lang, confirm: bool) -> Response {
    let proof = match domains::read_proof(state, token) {
        Ok(p) => p,
        Err(e) => return refused(lang, e),
    };
    let organization = match domains::proof_organization(state, &proof).await {
        Ok(o) => o.name,
        Err(e) => return failed(lang, e),
    };
    let title = text(lang, "domain_proof_title");
    if !confirm {
        let intro = filled(lang, "domain_proof_intro", &organization, &proof.domain);
        return render(
            StatusCode::OK,
            "domain_proof",
            lang,
            json!({"title": title, "token": token, "intro": intro}),
        );
    }
    match domains::confirm_proof(state, &proof).await {
        Ok(_) => {
            let done = filled(lang, "domain_proof_done", &organization, &proof.domain);
            render(
                StatusCode::OK,
                "domain_proof",
                lang,
                json!({"title": title, "done": done}),
            )
        }
        Err(e) => failed(lang, e),
    }
}

/// `GET /domain-proof/{token}`: what confirming does, and the button.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    respond(&state, &token, lang, false).await
}

/// `POST /domain-proof/{token}`: adds the domain (again: nothing changes).
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    respond(&state, &token, lang, true).await
}
