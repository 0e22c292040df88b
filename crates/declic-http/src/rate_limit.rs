//! Per-IP rate limits for public routes. Generous enough for an office behind
//! one address, strict enough to stop a script.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::AppState;

/// The limiters of one app.
#[derive(Clone)]
pub struct RateLimits {
    sign_in: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl RateLimits {
    /// Sign-in pages: 60 requests a minute per address, bursts of 20.
    pub fn new() -> Self {
        let per_minute = NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN);
        Self {
            sign_in: Arc::new(RateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(burst),
            )),
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::new()
    }
}

/// Middleware for the sign-in routes.
pub async fn sign_in(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if state.limits.sign_in.check_key(&ip).is_err() {
        let lang = crate::pages::Lang::negotiate(None, req.headers());
        let mut res = crate::pages::message(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            lang,
            "too_many_title",
            "too_many",
        );
        res.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("60"),
        );
        return res.into_response();
    }
    next.run(req).await
}
