//! HTTP front end: the axum router, JSON API, problem+json errors, OpenAPI, health and metrics.
//!
//! Handlers are thin: parse, authorise, call `declic-storage`/`declic-planning`,
//! map the result. Every route is listed in [`router`].

pub mod authz;
mod client_addr;
mod console;
mod controllers;
mod error;
mod extract;
mod metrics;
mod openapi;
mod pages;
mod public;
mod rate_limit;
mod router;
mod security_headers;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

pub use error::{ApiError, FieldError, Problem};
pub use openapi::openapi_document;
pub use router::router;

pub use declic_app::{App, AppCtx, Background};

/// What the HTTP edge adds to the application: its rate limits.
pub struct Http {
    /// The application every handler calls.
    pub app: AppCtx,
    limits: rate_limit::RateLimits,
}

/// Shared state of the HTTP edge; cheap to clone. Derefs to the [`App`].
#[derive(Clone)]
pub struct AppState(pub Arc<Http>);

impl AppState {
    /// Wraps an app, with the rate limits of its `[limits]`.
    pub fn new(app: App) -> Self {
        Self::from_ctx(AppCtx::new(app))
    }

    /// Wraps an app shared with other edges (the scheduler, the delivery worker).
    pub fn from_ctx(app: AppCtx) -> Self {
        let limits =
            rate_limit::RateLimits::new(&app.config.limits, &app.config.server.trusted_proxies);
        Self(Arc::new(Http { app, limits }))
    }

    /// The application, to hand to work that outlives a request.
    pub fn ctx(&self) -> &AppCtx {
        &self.0.app
    }
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0.app
    }
}

/// Serves the app on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = Duration::from_secs(state.config.server.shutdown_grace_secs);
    let store = state.store.clone();
    // Page views are counted in memory; write them every few seconds and at the end.
    let flusher = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                if let Err(e) = store.flush_visits().await {
                    tracing::warn!(error = %e, "visit counts not written");
                }
            }
        }
    });
    let state_for_shutdown = state.clone();
    let router = router(state);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = tx.send(());
    });
    let handle = tokio::spawn(async move { server.await });
    // After shutdown starts, give in-flight requests `grace` to finish.
    let _ = rx.await;
    let result = match tokio::time::timeout(grace, handle).await {
        Ok(joined) => joined.map_err(std::io::Error::other).and_then(|r| r),
        Err(_) => {
            tracing::warn!("requests still running after the shutdown grace period; stopping");
            Ok(())
        }
    };
    flusher.abort();
    state_for_shutdown.background.settle().await;

    if let Err(e) = store.flush_visits().await {
        tracing::warn!(error = %e, "visit counts not written at shutdown");
    }
    result
}
