//! The employee directory and personal-data requests.

use axum::Json;
use axum::extract::{Request, State};
use declic_storage::employees::{Employee, EmployeeQuery, ImportSummary};
use declic_storage::privacy::{ErasureReport, PersonalExport};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Id, JsonBody, QueryParams, RequestId, read_body};

/// Directory filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Part of an email, first or last name.
    pub search: Option<String>,
    pub department: Option<String>,
    pub site: Option<String>,
    pub active: Option<bool>,
    /// 1–1000, default 50.
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// A page of employees.
#[derive(Serialize, ToSchema)]
pub struct EmployeePage {
    pub total: u64,
    pub items: Vec<Employee>,
}

/// Departments and sites present in the directory.
#[derive(Serialize, ToSchema)]
pub struct Facets {
    pub departments: Vec<String>,
    pub sites: Vec<String>,
}

/// Import options.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Report what would change without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// Whose personal data.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRef {
    pub email: String,
}

/// Lists the directory.
#[utoipa::path(get, path = "/api/v1/employees", tag = "directory", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = EmployeePage)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<Json<EmployeePage>> {
    let query = EmployeeQuery {
        search: q.search,
        department: q.department,
        site: q.site,
        active: q.active,
        limit: q.limit.unwrap_or(50),
        offset: q.offset.unwrap_or(0),
    };
    let (items, total) = state.store.employees(auth.org(), &query).await?;
    Ok(Json(EmployeePage { total, items }))
}

/// Departments and sites, for audience filters.
#[utoipa::path(get, path = "/api/v1/employees/facets", tag = "directory", security(("bearer" = [])), responses((status = 200, body = Facets)))]
pub async fn facets(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Facets>> {
    let (departments, sites) = state.store.directory_facets(auth.org()).await?;
    Ok(Json(Facets { departments, sites }))
}

/// One employee.
#[utoipa::path(get, path = "/api/v1/employees/{id}", tag = "directory", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Employee), (status = 404, body = crate::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<Employee>> {
    Ok(Json(state.store.employee(auth.org(), id).await?))
}

/// Imports a CSV export of the HRIS (body: the file, `text/csv`); upsert by email.
#[utoipa::path(post, path = "/api/v1/employees/import", tag = "directory", security(("bearer" = [])), params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), (status = 413, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn import(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    QueryParams(q): QueryParams<ImportQuery>,
    req: Request,
) -> ApiResult<Json<ImportSummary>> {
    auth.require_manage()?;
    let bytes = read_body(req, &()).await?;
    let domains = state.store.domains(auth.org()).await?;
    let parsed =
        tokio::task::spawn_blocking(move || declic_directory::parse_directory(&bytes, &domains))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::field("file", e.to_string()))?;
    Ok(Json(
        state
            .store
            .import_employees(auth.org(), &parsed, q.dry_run, &auth.actor(&rid))
            .await?,
    ))
}

/// Marks an employee as having left; history is kept.
#[utoipa::path(post, path = "/api/v1/employees/{id}/deactivate", tag = "directory", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Employee)))]
pub async fn deactivate(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
) -> ApiResult<Json<Employee>> {
    auth.require_manage()?;
    Ok(Json(
        state
            .store
            .set_employee_active(auth.org(), id, false, &auth.actor(&rid))
            .await?,
    ))
}

/// Marks an employee as active again.
#[utoipa::path(post, path = "/api/v1/employees/{id}/reactivate", tag = "directory", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Employee)))]
pub async fn reactivate(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
) -> ApiResult<Json<Employee>> {
    auth.require_manage()?;
    Ok(Json(
        state
            .store
            .set_employee_active(auth.org(), id, true, &auth.actor(&rid))
            .await?,
    ))
}

/// Everything held about a person (owners only).
#[utoipa::path(post, path = "/api/v1/privacy/export", tag = "privacy", security(("bearer" = [])), request_body = PersonRef,
    responses((status = 200, body = PersonalExport), (status = 404, body = crate::Problem)))]
pub async fn export_person(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(p): JsonBody<PersonRef>,
) -> ApiResult<Json<PersonalExport>> {
    auth.require_owner()?;
    Ok(Json(
        state
            .store
            .export_person(auth.org(), &p.email, &auth.actor(&rid))
            .await?,
    ))
}

/// Erases a person's data, keeping aggregates (owners only).
#[utoipa::path(post, path = "/api/v1/privacy/erase", tag = "privacy", security(("bearer" = [])), request_body = PersonRef,
    responses((status = 200, body = ErasureReport), (status = 404, body = crate::Problem)))]
pub async fn erase_person(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(p): JsonBody<PersonRef>,
) -> ApiResult<Json<ErasureReport>> {
    Ok(Json(
        declic_app::privacy::erase(&state, &auth.caller(&rid), &p.email).await?,
    ))
}

/// Lets the directory import again someone who was erased at their request (they came
/// back): their address leaves the list of erased addresses (owners only). 404 when it
/// was not on it.
#[utoipa::path(post, path = "/api/v1/privacy/allow-again", tag = "privacy", security(("bearer" = [])), request_body = PersonRef,
    responses((status = 204), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn allow_again(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(p): JsonBody<PersonRef>,
) -> ApiResult<axum::http::StatusCode> {
    declic_app::privacy::allow_again(&state, &auth.caller(&rid), &p.email).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
