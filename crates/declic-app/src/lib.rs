//! The application layer, between the edges (HTTP API, console, public pages, CLI,
//! scheduler) and storage: the outbox of every message to a person and the delivery
//! worker that sends both lanes, the one send path to the mail relay and its health,
//! the signed links messages carry, the wording of messages and the posters.
//!
//! Edges hold an [`AppCtx`] (cheap to clone) and call the use cases here with a
//! [`caller::Caller`]; each use case checks the caller's role, validates, writes
//! through storage (one transaction, with the messages that follow) and answers an
//! [`caller::AppError`] that each edge renders its own way. Nothing in this crate
//! knows about HTTP.

pub mod accounts;
pub mod ambassadors;
pub mod caller;
pub mod campaigns;
pub mod catalogue;
pub mod delivery_worker;
pub mod dispatches;
pub mod domains;
pub mod jobs;
pub mod links;
pub mod notify;
pub mod outbox;
pub mod posters;
pub mod privacy;
pub mod referrals;
pub mod registrations;
pub mod relay;
pub mod reports;
pub mod retention;
pub mod signer;
pub mod templates;
pub mod texts;
pub mod webhooks;
pub mod wording;

use std::ops::Deref;
use std::sync::Arc;

use declic_config::Config;
use declic_storage::Store;

/// Everything a use case can reach.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub notifier: notify::Notifier,
    /// Work started by a request and finished after its answer (queuing a mail whose
    /// timing must not show whether an address is known).
    pub background: Background,
    /// The delivery worker's settings and pace.
    pub delivery: delivery_worker::DeliverySettings,
    /// Slack and Teams posts, paced per webhook.
    pub webhooks: declic_messaging::WebhookSender,
    /// The delivery worker's lane for a person's own messages.
    pub lane: outbox::Lane,
    /// How the mail relay is doing, from this process's sends.
    pub relay: relay::Relay,
    /// The one signer of every token and sealer of every kept secret.
    pub signer: signer::Signer,
}

impl App {
    /// An app over `store` with `config`; fails when the mail settings cannot be used.
    pub fn new(store: Store, config: Config) -> Result<Self, String> {
        let notifier = notify::Notifier::from_config(&config)?;
        let delivery =
            delivery_worker::DeliverySettings::new(&config.delivery, config.mail.smtp.pool_size);
        let webhooks = declic_messaging::WebhookSender::with_policy(
            declic_messaging::webhooks::DEFAULT_TIMEOUT,
            outbound_policy(&config.webhooks),
        )
        .map_err(|e| e.to_string())?;
        let signer = signer::Signer::new(config.security.secret_key.expose());
        Ok(Self {
            store,
            config,
            notifier,
            background: Background::default(),
            delivery,
            webhooks,
            lane: outbox::Lane::default(),
            relay: relay::Relay::default(),
            signer,
        })
    }
}

/// The shared application; cheap to clone.
#[derive(Clone)]
pub struct AppCtx(pub Arc<App>);

impl AppCtx {
    /// Wraps an app.
    pub fn new(app: App) -> Self {
        Self(Arc::new(app))
    }
}

impl Deref for AppCtx {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
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

/// Where webhooks may post, from `[webhooks]`.
pub fn outbound_policy(c: &declic_config::WebhooksConfig) -> declic_messaging::OutboundPolicy {
    declic_messaging::OutboundPolicy {
        allowed_hosts: c.allowed_hosts.clone(),
        allow_other_hosts: c.allow_other_hosts,
        allow_private_addresses: c.allow_private_addresses,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod policy_tests {
    #[test]
    fn the_default_hosts_are_the_platforms_documented_ones() {
        let config = declic_config::load(&declic_config::LoadOptions {
            config_dir: Some(std::env::temp_dir().join("declic-no-config-here")),
            file: None,
        })
        .unwrap()
        .config;
        assert_eq!(
            super::outbound_policy(&config.webhooks),
            declic_messaging::OutboundPolicy::default()
        );
    }
}
