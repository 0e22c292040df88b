//! Rate limits for public routes: per IP address, generous enough for an office
//! behind one address (hundreds of colleagues), strict enough to stop a script;
//! and per email address for sign-ups and resends.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::AppState;
use crate::client_addr::{Cidr, client_address};

fn quota(per_minute: u32, burst: u32) -> Quota {
    let rate = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(rate).allow_burst(burst)
}

/// The limiters of one app.
#[derive(Clone)]
pub struct RateLimits {
    /// The deployment's reverse proxies, whose forwarding headers are believed.
    trusted_proxies: Arc<Vec<Cidr>>,
    sign_in: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    public: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    email: Arc<DefaultKeyedRateLimiter<String>>,
}

impl RateLimits {
    /// The limiters `[limits]` describes, keyed on the client address seen through
    /// `trusted_proxies` (entries already checked by the configuration's loader).
    pub fn new(cfg: &declic_config::LimitsConfig, trusted_proxies: &[String]) -> Self {
        let per_email = NonZeroU32::new(cfg.per_email_per_hour).unwrap_or(NonZeroU32::MIN);
        Self {
            trusted_proxies: Arc::new(
                trusted_proxies
                    .iter()
                    .filter_map(|p| Cidr::parse(p))
                    .collect(),
            ),
            sign_in: Arc::new(RateLimiter::keyed(quota(
                cfg.sign_in_per_minute,
                cfg.sign_in_burst,
            ))),
            public: Arc::new(RateLimiter::keyed(quota(
                cfg.public_per_minute,
                cfg.public_burst,
            ))),
            email: Arc::new(RateLimiter::keyed(Quota::per_hour(per_email))),
        }
    }

    /// Whether another sign-up or resend for this address is allowed now.
    pub fn allow_email(&self, email: &str) -> bool {
        let key = email.trim().to_lowercase();
        key.is_empty() || self.email.check_key(&key).is_ok()
    }
}

fn client_ip(state: &AppState, req: &Request) -> IpAddr {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    client_address(peer, req.headers(), &state.0.limits.trusted_proxies)
}

fn too_many(req: &Request) -> Response {
    let lang = crate::pages::negotiate(None, req.headers());
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
    res.into_response()
}

/// Middleware for the sign-in routes.
pub async fn sign_in(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state
        .0
        .limits
        .sign_in
        .check_key(&client_ip(&state, &req))
        .is_err()
    {
        return too_many(&req);
    }
    next.run(req).await
}

/// Middleware for the public campaign routes.
pub async fn public(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state
        .0
        .limits
        .public
        .check_key(&client_ip(&state, &req))
        .is_err()
    {
        return too_many(&req);
    }
    next.run(req).await
}
