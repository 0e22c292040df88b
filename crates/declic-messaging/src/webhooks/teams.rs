//! Microsoft Teams through a Workflows webhook: an Adaptive Card 1.4 and the meaning of the answers.
//!
//! Office 365 connectors are retired; a Workflows ("Post to a channel when a webhook request
//! is received") trigger takes a message with one Adaptive Card attachment and answers
//! `202 Accepted` with an empty body.

use std::time::Duration;

use serde_json::Value;

use super::message::{PayloadError, WebhookMessage};
use super::outcome::WebhookOutcome;
use super::sender::WebhookPlatform;
use super::template::PostTemplate;

/// Largest message Teams accepts, in bytes of the serialized request body.
pub const CARD_MAX_BYTES: usize = 28 * 1024;
/// Wait after a 429 that came without `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The Workflows payload of the built-in template (`templates/webhooks/teams.*.json.hbs`):
/// the card with the title, the wrapped body and an Action.OpenUrl button. When the whole
/// is over [`CARD_MAX_BYTES`], the body is shortened (never the link) to the longest text
/// that fits.
pub fn payload(message: &WebhookMessage) -> Result<Value, PayloadError> {
    PostTemplate::builtin(WebhookPlatform::Teams, message.lang)?.render(message)
}

/// Size of the request body as sent.
pub(crate) fn size(payload: &Value) -> usize {
    // Serializing a Value cannot fail (string keys only); 0 would only make us try to send.
    serde_json::to_vec(payload).map_or(0, |bytes| bytes.len())
}

/// The outcome of the Workflows endpoint's answer.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &str) -> WebhookOutcome {
    let (code, meaning) = match status {
        200..=299 => return WebhookOutcome::Sent,
        429 => {
            return WebhookOutcome::Temporary {
                reason: "Teams is throttling this workflow (HTTP 429)".to_owned(),
                retry_after: Some(retry_after.unwrap_or(DEFAULT_RETRY_AFTER)),
            };
        }
        408 | 500..=599 => {
            return WebhookOutcome::temporary(format!(
                "Teams is unavailable (HTTP {status}){}",
                detail(body)
            ));
        }
        300..=399 => (
            "unexpected_redirect",
            "the webhook answered with a redirect; it is not a Workflows webhook URL",
        ),
        400 => (
            "invalid_payload",
            "the card was rejected; this is a bug in Declic, please report it",
        ),
        401 => (
            "unauthorized",
            "the workflow refused the request; copy the webhook URL again from Teams",
        ),
        403 => (
            "forbidden",
            "the workflow may not be triggered this way; check who may trigger it in Teams",
        ),
        404 | 410 => (
            "webhook_not_found",
            "the workflow is deleted or turned off; create a new one in Teams",
        ),
        413 => ("payload_too_large", "the card is larger than Teams accepts"),
        _ => ("http_error", "Teams refused the message"),
    };
    WebhookOutcome::permanent(
        code,
        format!("Teams answered HTTP {status}: {meaning}{}", detail(body)),
    )
}

/// The error code of a Workflows JSON error, when it looks like one. Nothing else of
/// the reply goes into the reason: every console user reads it.
fn detail(body: &str) -> String {
    let Ok(json) = serde_json::from_str::<Value>(body.trim()) else {
        return String::new();
    };
    match json["error"]["code"].as_str() {
        Some(code)
            if (1..=64).contains(&code.len())
                && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            format!(" ({code})")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use std::time::Duration;

    use super::{CARD_MAX_BYTES, DEFAULT_RETRY_AFTER, classify, payload, size};
    use crate::templates::Lang;
    use crate::webhooks::{PayloadError, WebhookMessage, WebhookOutcome};

    const LINK: &str = "https://declic.example.org/c/Ab3dE5gH7jK9?utm_source=teams";

    #[test]
    fn the_card_has_title_body_and_button() {
        let m = WebhookMessage::new(Lang::Fr, "Titre", "Le <corps> & co", LINK);
        let p = payload(&m).unwrap();
        assert_eq!(p["type"], "message");
        let a = &p["attachments"][0];
        assert_eq!(a["contentType"], "application/vnd.microsoft.card.adaptive");
        assert!(a["contentUrl"].is_null());
        let card = &a["content"];
        assert_eq!(card["version"], "1.4");
        assert_eq!(card["body"][0]["text"], "Titre");
        assert_eq!(card["body"][1]["text"], "Le <corps> & co");
        assert_eq!(card["body"][1]["wrap"], true);
        assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
        assert_eq!(card["actions"][0]["url"], LINK);
        assert_eq!(card["actions"][0]["title"], "Découvrir les missions");
    }

    #[test]
    fn a_long_body_is_cut_to_the_longest_that_fits() {
        // Quotes double in JSON: the cut must measure the serialized text, not count chars.
        let body = "\"é\" ".repeat(30_000);
        let p = payload(&WebhookMessage::new(Lang::En, "Title", body, LINK)).unwrap();
        let bytes = size(&p);
        assert!(bytes <= CARD_MAX_BYTES, "{bytes}");
        assert!(
            bytes > CARD_MAX_BYTES - 8,
            "{bytes}: not the longest that fits"
        );
        let text = p["attachments"][0]["content"]["body"][1]["text"]
            .as_str()
            .unwrap();
        assert!(text.ends_with('…'));
        assert_eq!(p["attachments"][0]["content"]["actions"][0]["url"], LINK);
    }

    #[test]
    fn a_card_too_large_even_without_body_is_an_error() {
        let m = WebhookMessage::new(Lang::En, "t", "b", LINK).with_context("c".repeat(30_000));
        assert!(matches!(
            payload(&m),
            Err(PayloadError::CardTooLarge {
                limit: CARD_MAX_BYTES,
                ..
            })
        ));
    }

    #[test]
    fn answers_are_sorted_by_what_retrying_can_do() {
        assert!(classify(202, None, "").is_sent());
        assert!(classify(200, None, "").is_sent());
        assert!(matches!(
            classify(429, None, ""),
            WebhookOutcome::Temporary { retry_after: Some(d), .. } if d == DEFAULT_RETRY_AFTER
        ));
        assert!(matches!(
            classify(429, Some(Duration::from_secs(7)), ""),
            WebhookOutcome::Temporary { retry_after: Some(d), .. } if d == Duration::from_secs(7)
        ));
        assert!(classify(502, None, "").is_temporary());
        let bad = classify(
            400,
            None,
            r#"{"error":{"code":"InvalidRequestContent","message":"The input body for trigger 'manual' of type 'Request' did not match its schema"}}"#,
        );
        let WebhookOutcome::Permanent { code, reason } = bad else {
            panic!("400 must be permanent");
        };
        assert_eq!(code, "invalid_payload");
        assert!(reason.contains("InvalidRequestContent"), "{reason}");
        for (status, code) in [
            (401, "unauthorized"),
            (403, "forbidden"),
            (404, "webhook_not_found"),
        ] {
            assert!(matches!(
                classify(status, None, ""),
                WebhookOutcome::Permanent { code: c, .. } if c == code
            ));
        }
    }
}
