//! The result of a delivery, sorted by what the delivery queue should do next.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::url::WebhookUrl;

/// Longest `Retry-After` honoured: a larger value is more likely a fault than a plan, and
/// the queue will ask again anyway.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(24 * 60 * 60);
/// Longest excerpt of a platform's error text kept in a reason.
const EXCERPT_MAX: usize = 200;

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

/// The network error, with its causes, without the URL reqwest puts in its message.
pub(crate) fn network_failure(platform: &str, err: reqwest::Error) -> WebhookOutcome {
    let what = if err.is_timeout() {
        "no answer in time"
    } else if err.is_connect() {
        "cannot connect"
    } else {
        "network error"
    };
    let err = err.without_url();
    let mut reason = format!("{platform}: {what}: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    WebhookOutcome::temporary(reason)
}

/// A short, one-line excerpt of a platform's error text, for a reason.
pub(crate) fn excerpt(body: &str) -> String {
    let line = crate::oneline::one_line(body);
    super::text::within(&line, EXCERPT_MAX)
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
