//! The result of a delivery, sorted by what the delivery queue should do next.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::url::WebhookUrl;

/// Longest `Retry-After` honoured: a larger value is more likely a fault than a plan, and
/// the queue will ask again anyway.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(24 * 60 * 60);

/// What happened to one webhook message.
///
/// An enum rather than `Result<(), Error>` because "try again in 30 s" is not a failure of the
/// same kind as "the channel is archived", and the delivery queue handles each case
/// differently: mark sent, reschedule (after `retry_after` when given), or give up and show
/// `reason` to the organisation's admin. No reason ever contains the webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum WebhookOutcome {
    /// The platform accepted the message.
    Sent,
    /// Not delivered, but it may pass later: rate limiting, 5xx, network error, timeout.
    Temporary {
        /// What went wrong, in English.
        reason: String,
        /// Wait at least this long before trying again, when the platform said so (429).
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help until someone changes the webhook or the message.
    Permanent {
        /// Stable snake_case code: Slack's own (`channel_not_found`…) or ours
        /// (`webhook_not_found`, `card_too_large`…).
        code: String,
        /// What it means and what to do, in English.
        reason: String,
    },
}

impl WebhookOutcome {
    /// Whether the message went out.
    pub fn is_sent(&self) -> bool {
        matches!(self, WebhookOutcome::Sent)
    }

    /// Whether a later attempt may succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(self, WebhookOutcome::Temporary { .. })
    }

    /// The reason, when not sent.
    pub fn reason(&self) -> Option<&str> {
        match self {
            WebhookOutcome::Sent => None,
            WebhookOutcome::Temporary { reason, .. } | WebhookOutcome::Permanent { reason, .. } => {
                Some(reason)
            }
        }
    }

    pub(crate) fn temporary(reason: impl Into<String>) -> Self {
        WebhookOutcome::Temporary {
            reason: reason.into(),
            retry_after: None,
        }
    }

    pub(crate) fn permanent(code: impl Into<String>, reason: impl Into<String>) -> Self {
        WebhookOutcome::Permanent {
            code: code.into(),
            reason: reason.into(),
        }
    }

    /// Replaces anything of the URL's secret that a foreign text may have brought in.
    pub(crate) fn redacted(self, url: &WebhookUrl) -> Self {
        match self {
            WebhookOutcome::Sent => WebhookOutcome::Sent,
            WebhookOutcome::Temporary {
                reason,
                retry_after,
            } => WebhookOutcome::Temporary {
                reason: redact(&reason, url),
                retry_after,
            },
            WebhookOutcome::Permanent { code, reason } => WebhookOutcome::Permanent {
                code: redact(&code, url),
                reason: redact(&reason, url),
            },
        }
    }
}

/// `text` with the URL and its path replaced by the masked form.
fn redact(text: &str, url: &WebhookUrl) -> String {
    let masked = url.to_string();
    let mut out = text.to_owned();
    for secret in url.secret_parts() {
        // An empty or one-character path ("/") is no secret and would match everywhere.
        if secret.len() > 1 {
            out = out.replace(secret, &masked);
        }
    }
    out
}

/// The `Retry-After` header in seconds, if present and readable (HTTP dates are not used by
/// Slack or Teams, so they count as absent).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(RETRY_AFTER_MAX))
}

/// The network error as a category only: "did not answer in time" or "unreachable"
/// (refused, reset, unknown name, TLS), never the cause's text, so that the reason
/// shown in the console cannot be used to map a network. The whole cause chain goes to
/// the server's log (without the URL).
pub(crate) fn network_failure(platform: &str, err: reqwest::Error) -> WebhookOutcome {
    let err = err.without_url();
    let mut causes = err.to_string();
    let mut source = err.source();
    let mut guarded = false;
    while let Some(cause) = source {
        causes.push_str(": ");
        causes.push_str(&cause.to_string());
        guarded |= cause.is::<super::guard::NoPublicAddress>();
        source = cause.source();
    }
    tracing::info!(platform, causes, "webhook request failed");
    if guarded {
        return WebhookOutcome::permanent(
            "host_not_allowed",
            format!(
                "{platform}: the webhook's host resolves only to private or reserved addresses; \
                 Declic posts only to public addresses"
            ),
        );
    }
    let what = if err.is_timeout() {
        "did not answer in time"
    } else {
        "unreachable"
    };
    WebhookOutcome::temporary(format!("{platform} {what}"))
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use std::time::Duration;

    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    use super::{WebhookOutcome, retry_after};
    use crate::webhooks::WebhookUrl;

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static(" 2 "));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("99999999999"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(86_400)));
    }

    #[test]
    fn redaction_masks_the_whole_url_and_its_path() {
        let url =
            WebhookUrl::parse("https://hooks.slack.com/services/T1/B2/s3cr3tS3cr3tXyZ").unwrap();
        let out = WebhookOutcome::permanent(
            "x",
            "posting to https://hooks.slack.com/services/T1/B2/s3cr3tS3cr3tXyZ failed; \
             path /services/T1/B2/s3cr3tS3cr3tXyZ",
        )
        .redacted(&url);
        let reason = out.reason().unwrap();
        assert!(!reason.contains("s3cr3tS3cr3t"), "{reason}");
        assert!(
            reason.contains("https://hooks.slack.com/…/tXyZ"),
            "{reason}"
        );
    }
}
