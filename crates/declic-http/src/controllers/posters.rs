//! Printable material: campaign posters (one or per site, PDF or ZIP), ambassador flyers,
//! and the organisation's logo printed on posters.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use declic_messaging::Lang;
use declic_messaging::posters::{self, FlyerSize, ImageFormat, PosterSize};
use declic_storage::logos::MAX_LOGO_BYTES;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Id, QueryParams, RequestId, read_body};
use declic_app::posters as uc;

/// A language of printed material.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrintLang {
    Fr,
    En,
}

impl From<PrintLang> for Lang {
    fn from(l: PrintLang) -> Self {
        match l {
            PrintLang::Fr => Lang::Fr,
            PrintLang::En => Lang::En,
        }
    }
}

/// Which poster(s), in which size and language.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PosterQuery {
    /// `a4` (default) or `a3`.
    #[param(value_type = Option<String>)]
    pub size: Option<PosterSize>,
    /// `fr` or `en`; default: the organisation's language.
    #[param(value_type = Option<String>)]
    pub lang: Option<PrintLang>,
    /// One site's poster, with the site's own tagged link.
    pub site: Option<String>,
    /// One page per site (the directory's sites, or `sites`).
    pub all_sites: Option<bool>,
    /// Sites to print, comma-separated; default: every site of the directory.
    pub sites: Option<String>,
}

/// Whose flyer(s), in which size and language.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FlyerQuery {
    /// One ambassador (created as ambassador on first use); default: every ambassador link.
    pub ambassador_email: Option<String>,
    /// `a5` (default) or `a6`.
    #[param(value_type = Option<String>)]
    pub size: Option<FlyerSize>,
    /// `fr` or `en`; default: the organisation's language.
    #[param(value_type = Option<String>)]
    pub lang: Option<PrintLang>,
}

/// A file (PDF, ZIP, image) as raw bytes, for the OpenAPI document.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryFile(#[expect(dead_code, reason = "describes the schema only")] Vec<u8>);

/// The stored logo.
#[derive(Serialize, ToSchema)]
pub struct LogoInfo {
    pub content_type: String,
    pub bytes: usize,
}

/// What the API's query asks to print.
pub(crate) fn poster_request(q: PosterQuery) -> uc::PosterRequest {
    uc::PosterRequest {
        size: q.size.unwrap_or_default(),
        lang: q.lang.map(Lang::from),
        site: q.site,
        all_sites: q.all_sites == Some(true),
        sites: q.sites,
    }
}

/// What the API's query asks to print.
pub(crate) fn flyer_request(q: FlyerQuery) -> uc::FlyerRequest {
    uc::FlyerRequest {
        ambassador_email: q.ambassador_email,
        size: q.size.unwrap_or_default(),
        lang: q.lang.map(Lang::from),
    }
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/posters.pdf", tag = "posters", security(("bearer" = [])), params(("id" = i64, Path), PosterQuery),
    responses((status = 200, content_type = "application/pdf", body = BinaryFile), (status = 404, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn poster_pdf(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    QueryParams(q): QueryParams<PosterQuery>,
) -> ApiResult<Response> {
    let printed = uc::posters_pdf(&state, &auth.caller(&rid), id, poster_request(q)).await?;
    Ok(download(printed))
}

/// Every site's poster as its own PDF, in one ZIP (`sites` or the directory's sites).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/posters.zip", tag = "posters", security(("bearer" = [])), params(("id" = i64, Path), PosterQuery),
    responses((status = 200, content_type = "application/zip", body = BinaryFile), (status = 404, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn posters_zip(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    QueryParams(q): QueryParams<PosterQuery>,
) -> ApiResult<Response> {
    let printed = uc::posters_zip(&state, &auth.caller(&rid), id, poster_request(q)).await?;
    Ok(download(printed))
}

/// Ambassador flyers: one ambassador's (`ambassador_email`), or every ambassador link's, one page each.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/flyers.pdf", tag = "posters", security(("bearer" = [])), params(("id" = i64, Path), FlyerQuery),
    responses((status = 200, content_type = "application/pdf", body = BinaryFile), (status = 404, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn flyers_pdf(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    QueryParams(q): QueryParams<FlyerQuery>,
) -> ApiResult<Response> {
    let printed = uc::flyers_pdf(&state, &auth.caller(&rid), id, flyer_request(q)).await?;
    Ok(download(printed))
}

/// Uploads the logo printed on posters: a PNG or SVG body (2 MiB at most), replacing the last one.
#[utoipa::path(put, path = "/api/v1/organization/logo", tag = "posters", security(("bearer" = [])),
    request_body(content((BinaryFile = "image/png"), (BinaryFile = "image/svg+xml"))),
    responses((status = 200, body = LogoInfo), (status = 403, body = crate::Problem), (status = 413, body = crate::Problem), (status = 415, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn upload_logo(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    headers: HeaderMap,
    req: Request,
) -> ApiResult<Json<LogoInfo>> {
    auth.require_manage()?;
    let declared = match media_type(&headers).as_deref() {
        Some("image/png") => ImageFormat::Png,
        Some("image/svg+xml") => ImageFormat::Svg,
        _ => return Err(ApiError::UnsupportedMediaType("image/png or image/svg+xml")),
    };
    let bytes = read_body(req, &state).await?.to_vec();
    let checked = {
        let bytes = bytes.clone();
        tokio::task::spawn_blocking(move || posters::check_image(&bytes))
            .await
            .map_err(|e| ApiError::Internal(format!("logo check: {e}")))?
    };
    match checked {
        Ok(found) if found == declared => {}
        Ok(found) => {
            let msg = format!(
                "the body is {}, not {}",
                found.content_type(),
                declared.content_type()
            );
            return Err(ApiError::field("logo", msg));
        }
        Err(reason) => return Err(ApiError::field("logo", reason)),
    }
    let info = LogoInfo {
        content_type: declared.content_type().to_owned(),
        bytes: bytes.len(),
    };
    state
        .store
        .set_logo(auth.org(), &info.content_type, bytes, &auth.actor(&rid))
        .await?;
    Ok(Json(info))
}

/// The body limit of the logo route: larger bodies are refused with 413 before any decoding.
pub const LOGO_BODY_LIMIT: usize = MAX_LOGO_BYTES;

fn media_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(v.split(';').next()?.trim().to_ascii_lowercase())
}

/// `sites=` (comma-separated) or every site of the directory.
/// A printed document as a download.
pub(crate) fn download(p: uc::Printed) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", p.file_name);
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, p.content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        p.bytes,
    )
        .into_response()
}
