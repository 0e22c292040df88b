//! The caller's organisation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use declic_messaging::Lang;
use declic_storage::orgs::Organization;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, RequestId};

/// Changes to the organisation; absent fields are kept.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    pub default_language: Option<String>,
    pub domains: Option<Vec<String>>,
    /// Who people write to about their personal data (shown in the information
    /// notice); an empty text names HR's team instead.
    pub privacy_contact: Option<String>,
}

/// The caller's organisation.
#[utoipa::path(get, path = "/api/v1/organization", tag = "organization", security(("bearer" = [])),
    responses((status = 200, body = Organization), (status = 401, body = crate::Problem)))]
pub async fn show(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Organization>> {
    Ok(Json(state.store.organization(auth.org()).await?))
}

/// Changes the organisation (owners only).
#[utoipa::path(patch, path = "/api/v1/organization", tag = "organization", security(("bearer" = [])), request_body = OrganizationPatch,
    responses((status = 200, body = Organization), (status = 403, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(p): JsonBody<OrganizationPatch>,
) -> ApiResult<Json<Organization>> {
    auth.require_owner()?;
    Ok(Json(
        state
            .store
            .update_organization(
                auth.org(),
                p.name,
                p.default_language,
                p.domains,
                p.privacy_contact,
                &auth.actor(&rid),
            )
            .await?,
    ))
}

/// A mail domain to prove: an address of that domain gets the link.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainProofRequest {
    /// The domain, such as `acme.fr`.
    pub domain: String,
    /// A mailbox of that domain someone at the company reads (the IT team's, say).
    pub address: String,
    /// The mail's language, `fr` or `en`; the organisation's default when absent.
    pub language: Option<String>,
}

/// Sends the link that adds a mail domain once someone who reads a mailbox of that
/// domain confirms it (owners only). 409 when the domain is another organisation's or
/// already this one's.
#[utoipa::path(post, path = "/api/v1/organization/domain-proofs", tag = "organization", security(("bearer" = [])), request_body = DomainProofRequest,
    responses((status = 202, body = declic_app::domains::ProofSent), (status = 403, body = crate::Problem), (status = 409, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn prove_domain(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(b): JsonBody<DomainProofRequest>,
) -> ApiResult<(StatusCode, Json<declic_app::domains::ProofSent>)> {
    let lang = match b.language.as_deref() {
        Some(code) => {
            declic_storage::orgs::validate_language("language", code)?;
            Lang::from_code(code)
        }
        None => Lang::from_code(&state.store.organization(auth.org()).await?.default_language),
    };
    let sent =
        declic_app::domains::request_proof(&state, &auth.caller(&rid), &b.domain, &b.address, lang)
            .await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}
