//! Headers every answer carries, whatever produced it: no content sniffing; API answers
//! (personal data) never cached; an SVG answer cannot run anything even when opened on
//! its own; the API documentation's page limited to its own scripts; and, when people
//! reach Declic over https, browsers told to keep to https (HSTS).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The middleware (see the module's documentation). Headers a handler set are kept.
pub async fn add(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let https = state.config.server.public_url.starts_with("https://");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    if path.starts_with("/api/v1/") {
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    let svg = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("image/svg+xml"));
    if svg {
        h.entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static(SVG_POLICY));
    } else if path.starts_with("/api/docs") {
        h.entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static(DOCS_POLICY));
    }
    if https {
        h.entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    res
}
