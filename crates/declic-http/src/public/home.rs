//! `/`: the page a person opening the service's address lands on.

use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::unsubscribe::LangQuery;
use crate::pages::{Lang, render};

/// `GET /`: what Declic is, and where each kind of user goes (HR to the console,
/// ambassadors to their sign-in, employees to the link they received).
pub async fn home(Query(q): Query<LangQuery>, headers: HeaderMap) -> Response {
    let lang = crate::pages::negotiate(q.lang.as_deref(), &headers);
    render(
        StatusCode::OK,
        "home",
        lang,
        json!({
            "title": "Declic",
            "other_lang": if lang == Lang::Fr { "en" } else { "fr" },
        }),
    )
}
