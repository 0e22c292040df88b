//! HTTP front end: the axum router, JSON API, problem+json errors, OpenAPI, health and metrics.
//!
//! Handlers are thin: parse, authorise, call `declic-storage`/`declic-planning`,
//! map the result. Every route is listed in [`router`].

mod console;
mod controllers;
pub mod deliveries;
mod error;
mod extract;
mod metrics;
pub mod notify;
mod openapi;
pub mod outbox;
mod pages;
pub mod posters;
mod public;
mod rate_limit;
pub mod relay;
mod router;
mod sealed;
mod wording;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use declic_config::Config;
use declic_storage::Store;

pub use error::{ApiError, FieldError, Problem};
pub use openapi::openapi_document;
pub use public::survey::url as survey_url;
/// The one-click unsubscribe URL of a person for a channel (for campaign mails).
pub use public::unsubscribe::url as unsubscribe_url;
pub use router::router;

/// Everything a request handler can reach.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub notifier: notify::Notifier,
    limits: rate_limit::RateLimits,
    /// Work a request starts but does not wait for (queuing a mail whose timing must not
    /// show whether an address is known).
    pub background: Background,
    /// The delivery worker's settings and pace.
    pub delivery: deliveries::DeliverySettings,
    /// Slack and Teams posts, paced per webhook.
    pub webhooks: declic_messaging::WebhookSender,
    /// The delivery worker's lane for a person's own messages.
    pub lane: outbox::Lane,
    /// How the mail relay is doing, from this process's sends.
    pub relay: relay::Relay,
}

/// Tasks started by requests and finished after the answer.
#[derive(Default)]
pub struct Background(std::sync::Mutex<tokio::task::JoinSet<()>>);

impl Background {
    /// Starts `task`; finished tasks are reaped as new ones start.
    pub fn spawn(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut set = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while set.try_join_next().is_some() {}
        set.spawn(task);
    }

    /// Waits for every task started so far (tests, and shutdown).
    pub async fn settle(&self) {
        let mut set = std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        while set.join_next().await.is_some() {}
    }
}

impl App {
    /// An app over `store` with `config`; fails when the mail settings cannot be used.
    pub fn new(store: Store, config: Config) -> Result<Self, String> {
        let notifier = notify::Notifier::from_config(&config)?;
        let limits = rate_limit::RateLimits::new(&config.limits);
        let delivery =
            deliveries::DeliverySettings::new(&config.delivery, config.mail.smtp.pool_size);
        let webhooks = declic_messaging::WebhookSender::new().map_err(|e| e.to_string())?;
        Ok(Self {
            store,
            config,
            notifier,
            limits,
            background: Background::default(),
            delivery,
            webhooks,
            lane: outbox::Lane::default(),
            relay: relay::Relay::default(),
        })
    }
}

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl AppState {
    /// Wraps an app.
    pub fn new(app: App) -> Self {
        Self(Arc::new(app))
    }
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
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
