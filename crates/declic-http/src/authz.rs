//! Who may call each API operation: one table, enforced before any handler runs and
//! before the body is read (deny by default: an operation without a row answers 403),
//! and compared with the OpenAPI document by `tests/api/authz.rs`, where a new
//! operation without a row fails. The use cases check the caller's role again.
//!
//! Every role reads what its organisation holds; campaign managers change it; owners
//! manage accounts, the organisation's settings, the audit log and personal data.
//! API tokens are each admin's own: any role lists, creates and revokes its own.

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use declic_storage::admins::Role;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Auth;

/// The least role an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Viewer,
    Manager,
    Owner,
}

use Need::{Manager, Owner, Viewer};

/// `(method, path under /api/v1, role needed)`.
pub const TABLE: &[(&str, &str, Need)] = &[
    ("GET", "/admins", Owner),
    ("POST", "/admins", Owner),
    ("GET", "/admins/{id}", Owner),
    ("PATCH", "/admins/{id}", Owner),
    ("GET", "/ambassadors", Viewer),
    ("POST", "/ambassadors", Manager),
    ("GET", "/ambassadors/{id}", Viewer),
    ("GET", "/associations", Viewer),
    ("POST", "/associations", Manager),
    ("GET", "/associations/{id}", Viewer),
    ("PATCH", "/associations/{id}", Manager),
    ("GET", "/audit", Owner),
    ("GET", "/campaigns", Viewer),
    ("POST", "/campaigns", Manager),
    ("GET", "/campaigns/default-plan", Viewer),
    ("GET", "/campaigns/{id}", Viewer),
    ("PATCH", "/campaigns/{id}", Manager),
    ("GET", "/campaigns/{id}/calendar-check", Viewer),
    ("POST", "/campaigns/{id}/dispatches", Manager),
    ("GET", "/campaigns/{id}/flyers.pdf", Viewer),
    ("GET", "/campaigns/{id}/links", Viewer),
    ("POST", "/campaigns/{id}/links", Manager),
    ("GET", "/campaigns/{id}/posters.pdf", Viewer),
    ("GET", "/campaigns/{id}/posters.zip", Viewer),
    ("GET", "/campaigns/{id}/preview", Viewer),
    ("GET", "/campaigns/{id}/referrals.svg", Viewer),
    ("GET", "/campaigns/{id}/registrations", Viewer),
    ("GET", "/campaigns/{id}/registrations.csv", Manager),
    ("GET", "/campaigns/{id}/report", Viewer),
    ("POST", "/campaigns/{id}/share-back", Manager),
    ("POST", "/campaigns/{id}/status", Manager),
    ("GET", "/dispatches/{id}", Viewer),
    ("POST", "/dispatches/{id}/action", Manager),
    ("GET", "/employees", Viewer),
    ("GET", "/employees/facets", Viewer),
    ("POST", "/employees/import", Manager),
    ("GET", "/employees/{id}", Viewer),
    ("POST", "/employees/{id}/deactivate", Manager),
    ("GET", "/employees/{id}/deliveries", Viewer),
    ("POST", "/employees/{id}/reactivate", Manager),
    ("GET", "/missions", Viewer),
    ("POST", "/missions", Manager),
    ("GET", "/missions/{id}", Viewer),
    ("PUT", "/missions/{id}", Manager),
    ("POST", "/missions/{id}/attendance", Manager),
    ("POST", "/missions/{id}/publish", Manager),
    ("GET", "/organization", Viewer),
    ("PATCH", "/organization", Owner),
    ("POST", "/organization/domain-proofs", Owner),
    ("PUT", "/organization/logo", Manager),
    ("POST", "/privacy/allow-again", Owner),
    ("POST", "/privacy/erase", Owner),
    ("POST", "/privacy/export", Owner),
    ("DELETE", "/questionnaires/{audience}", Manager),
    ("GET", "/questionnaires/{audience}", Viewer),
    ("PUT", "/questionnaires/{audience}", Manager),
    ("GET", "/referrals/figures", Viewer),
    ("GET", "/referrals/graph", Viewer),
    ("GET", "/referrals/leaderboard", Viewer),
    ("POST", "/registration-choices/{id}/move", Manager),
    ("GET", "/reports/{year}", Viewer),
    ("GET", "/skills", Viewer),
    ("POST", "/skills", Manager),
    ("GET", "/templates", Viewer),
    ("DELETE", "/templates/{message}/{lang}", Manager),
    ("GET", "/templates/{message}/{lang}", Viewer),
    ("PUT", "/templates/{message}/{lang}", Manager),
    ("GET", "/tokens", Viewer),
    ("POST", "/tokens", Viewer),
    ("DELETE", "/tokens/{id}", Viewer),
    ("GET", "/webhooks", Viewer),
    ("POST", "/webhooks", Manager),
    ("DELETE", "/webhooks/{id}", Manager),
];

/// The role `method route` needs (`route` as matched, under /api/v1 or not).
pub fn need(method: &Method, route: &str) -> Option<Need> {
    let route = route.strip_prefix("/api/v1").unwrap_or(route);
    TABLE
        .iter()
        .find(|(m, p, _)| *m == method.as_str() && *p == route)
        .map(|(_, _, n)| *n)
}

fn allows(role: Role, need: Need) -> bool {
    match need {
        Viewer => true,
        Manager => role.can_manage(),
        Owner => role == Role::Owner,
    }
}

/// The middleware of the API's routes: authenticates the token, checks the table, and
/// hands the handler the admin it found (see [`Auth`]).
pub async fn enforce(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let Some(need) = need(req.method(), &route) else {
        tracing::error!(method = %req.method(), route, "an API operation without an authorization rule");
        return ApiError::Forbidden("call an operation that has no authorization rule")
            .into_response();
    };
    let (mut parts, body) = req.into_parts();
    let auth = match Auth::from_request_parts(&mut parts, &state).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if !allows(auth.0.role, need) {
        return match need {
            Owner => ApiError::Forbidden("do this (owner role required)"),
            _ => ApiError::Forbidden("make changes (viewer role)"),
        }
        .into_response();
    }
    parts.extensions.insert(auth);
    next.run(Request::from_parts(parts, body)).await
}
