//! Prometheus metrics: request counts and latencies per route, database pool, build info.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

const LATENCY: &str = "declic_http_request_duration_seconds";

/// The process-wide recorder: one per process, whatever the number of apps (tests start many).
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(LATENCY.to_owned()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                    ],
                )
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// Records one request's route, method, status and latency.
pub async fn track(req: Request, next: Next) -> Response {
    let _ = handle();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method()).to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("declic_http_requests_total", &labels).increment(1);
    metrics::histogram!(LATENCY, &labels).record(start.elapsed().as_secs_f64());
    res
}

/// The method as a label: the standard ones by name, any other as `OTHER`, so a
/// client inventing methods cannot grow the metrics without bound.
fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// `GET /metrics`: Prometheus text format, for whoever holds `server.metrics_token`
/// (off when none is set: the figures tell how busy and how large a deployment is).
pub async fn render(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    use axum::http::StatusCode;
    let expected = state.config.server.metrics_token.expose();
    if expected.is_empty() {
        return (
            StatusCode::NOT_FOUND,
            "metrics are off: set server.metrics_token",
        )
            .into_response();
    }
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compared as HMAC tags, in constant time.
    let want = state.signer.tag("metrics-token", &[&expected]);
    if !state.signer.verify("metrics-token", &[&given], &want) {
        return (
            StatusCode::UNAUTHORIZED,
            [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
            "a valid metrics token is required",
        )
            .into_response();
    }
    let Some(handle) = handle() else {
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable",
        )
            .into_response();
    };
    let (size, idle) = state.store.pool_stats();
    metrics::gauge!("declic_db_pool_connections").set(f64::from(size));
    metrics::gauge!("declic_db_pool_idle_connections").set(idle as f64);
    metrics::gauge!("declic_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Wraps `track` for `axum::middleware::from_fn`.
pub async fn layer(State(_): State<AppState>, req: Request, next: Next) -> Response {
    track(req, next).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::method_label;
    use axum::http::Method;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        for m in ["BREW", "X1", "PROPFIND"] {
            assert_eq!(
                method_label(&Method::from_bytes(m.as_bytes()).unwrap()),
                "OTHER"
            );
        }
    }
}
