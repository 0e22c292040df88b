//! Posts messages to webhooks: one HTTP client and one pace keeper per process.

use std::time::Duration;

use reqwest::header::CONTENT_TYPE;

use super::guard::OutboundPolicy;
use super::message::WebhookMessage;
use super::outcome::{WebhookOutcome, network_failure, retry_after};
use super::pacing::Pacer;
use super::url::WebhookUrl;
use super::{slack, teams};

/// Slack's limit for an incoming webhook, kept for Teams too.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// Whole request, connection included, unless [`WebhookSender::with_timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which platform a webhook belongs to; the URL alone does not say (tests, relays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookPlatform {
    /// A Slack incoming webhook.
    Slack,
    /// A Microsoft Teams Workflows webhook.
    Teams,
}

impl WebhookPlatform {
    /// `slack` or `teams`, as in the campaign links' channel.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookPlatform::Slack => "slack",
            WebhookPlatform::Teams => "teams",
        }
    }

    fn name(self) -> &'static str {
        match self {
            WebhookPlatform::Slack => "Slack",
            WebhookPlatform::Teams => "Teams",
        }
    }
}

/// The HTTP client could not be built (TLS set-up).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client for webhooks: {0}")]
pub struct WebhookClientError(String);

/// Sends webhook messages, at most one per second to each webhook.
///
/// Keep one per process and share it (`Arc`): the pace is kept per webhook URL inside it.
/// Concurrent sends to one webhook go out one per second, in arrival order; sends to other
/// webhooks do not wait for them. Nothing is retried inside: the outcome tells the delivery
/// queue when to try again.
#[derive(Debug)]
pub struct WebhookSender {
    client: reqwest::Client,
    pacer: Pacer,
    policy: OutboundPolicy,
}

/// Longest reply read from a webhook: enough for any platform's error, and no more
/// memory than that whatever the server sends.
const MAX_REPLY_BYTES: usize = 16 * 1024;

impl WebhookSender {
    /// A sender with the [`DEFAULT_TIMEOUT`] and the default [`OutboundPolicy`] (the
    /// platforms' hosts, public addresses only).
    pub fn new() -> Result<Self, WebhookClientError> {
        WebhookSender::with_policy(DEFAULT_TIMEOUT, OutboundPolicy::default())
    }

    /// A sender whose requests give up after `timeout`, with the default policy.
    pub fn with_timeout(timeout: Duration) -> Result<Self, WebhookClientError> {
        WebhookSender::with_policy(timeout, OutboundPolicy::default())
    }

    /// A sender whose requests give up after `timeout` and go only where `policy` allows.
    pub fn with_policy(
        timeout: Duration,
        policy: OutboundPolicy,
    ) -> Result<Self, WebhookClientError> {
        let client = reqwest::Client::builder()
            // Names resolve to vetted addresses only (see `guard`).
            .dns_resolver(policy.resolver())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            // A webhook that redirects is not a webhook; following it would post the
            // message somewhere else (or turn the POST into a GET).
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Declic/", env!("CARGO_PKG_VERSION"), " (webhooks)"))
            .build()
            .map_err(|e| WebhookClientError(e.without_url().to_string()))?;
        Ok(WebhookSender {
            client,
            pacer: Pacer::new(MIN_INTERVAL),
            policy,
        })
    }

    /// Where this sender may post: check a URL with it before saving it.
    pub fn policy(&self) -> &OutboundPolicy {
        &self.policy
    }

    /// Sends `message` to a Slack incoming webhook.
    pub async fn send_slack(&self, url: &WebhookUrl, message: &WebhookMessage) -> WebhookOutcome {
        self.send(WebhookPlatform::Slack, url, message).await
    }

    /// Sends `message` to a Teams Workflows webhook.
    pub async fn send_teams(&self, url: &WebhookUrl, message: &WebhookMessage) -> WebhookOutcome {
        self.send(WebhookPlatform::Teams, url, message).await
    }

    /// Sends `message`, in the built-in template, to the webhook of `platform`.
    pub async fn send(
        &self,
        platform: WebhookPlatform,
        url: &WebhookUrl,
        message: &WebhookMessage,
    ) -> WebhookOutcome {
        let payload = match platform {
            WebhookPlatform::Slack => slack::payload(message),
            WebhookPlatform::Teams => teams::payload(message),
        };
        match payload {
            Ok(payload) => self.send_payload(platform, url, &payload).await,
            Err(e) => {
                let outcome = WebhookOutcome::permanent(e.code(), e.to_string());
                tracing::warn!(platform = platform.as_str(), code = e.code(), reason = %e, "webhook message refused");
                outcome
            }
        }
    }

    /// Posts a rendered payload (see [`super::PostTemplate::render`]) to the webhook of
    /// `platform`, waiting for the webhook's turn.
    #[tracing::instrument(skip_all, fields(platform = platform.as_str(), webhook = %url))]
    pub async fn send_payload(
        &self,
        platform: WebhookPlatform,
        url: &WebhookUrl,
        payload: &serde_json::Value,
    ) -> WebhookOutcome {
        let outcome = self.deliver(platform, url, payload).await.redacted(url);
        match &outcome {
            WebhookOutcome::Sent => tracing::debug!("webhook message sent"),
            WebhookOutcome::Temporary {
                reason,
                retry_after,
            } => tracing::info!(reason, ?retry_after, "webhook message deferred"),
            WebhookOutcome::Permanent { code, reason } => {
                tracing::warn!(code, reason, "webhook message refused");
            }
        }
        outcome
    }

    async fn deliver(
        &self,
        platform: WebhookPlatform,
        url: &WebhookUrl,
        payload: &serde_json::Value,
    ) -> WebhookOutcome {
        let body = match serde_json::to_vec(payload) {
            Ok(body) => body,
            Err(e) => return WebhookOutcome::permanent("invalid_payload", e.to_string()),
        };
        // Checked again at every send: the policy may have been tightened since the
        // webhook was saved.
        if let Err(e) = self.policy.check(url) {
            return WebhookOutcome::permanent("host_not_allowed", e.to_string());
        }
        let key = url.expose_secret();
        if let Err(left) = self.pacer.take_turn(key).await {
            return WebhookOutcome::Temporary {
                reason: format!(
                    "{} asked to wait before the next message to this webhook",
                    platform.name()
                ),
                retry_after: Some(left),
            };
        }
        let response = self
            .client
            .post(url.as_url().clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => return network_failure(platform.name(), e),
        };
        let status = response.status().as_u16();
        let wait = retry_after(response.headers());
        // The body matters only for an error; a lost body leaves the status to decide.
        let text = if response.status().is_success() {
            String::new()
        } else {
            read_bounded(response, MAX_REPLY_BYTES).await
        };
        let outcome = match platform {
            WebhookPlatform::Slack => slack::classify(status, wait, &text),
            WebhookPlatform::Teams => teams::classify(status, wait, &text),
        };
        if let WebhookOutcome::Temporary {
            retry_after: Some(wait),
            ..
        } = &outcome
        {
            self.pacer.pause(key, *wait);
        }
        outcome
    }
}

/// The reply's first `max` bytes as text; the rest is never read (the connection is
/// dropped with it).
async fn read_bounded(mut response: reqwest::Response, max: usize) -> String {
    let mut body: Vec<u8> = Vec::new();
    while body.len() < max {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = max - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}
