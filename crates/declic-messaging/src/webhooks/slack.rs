//! Slack incoming webhooks: the Block Kit payload and the meaning of Slack's answers.
//!
//! Slack answers `200 ok`, `429` with `Retry-After`, or a 4xx whose body is one error code
//! (`channel_not_found`…); see <https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks>.

use std::time::Duration;

use serde_json::Value;

use super::message::{PayloadError, WebhookMessage};
use super::outcome::WebhookOutcome;
use super::sender::WebhookPlatform;
use super::template::PostTemplate;

/// Longest text of a section or context element.
pub const TEXT_MAX: usize = 3000;
/// Wait after a 429 that came without `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The Block Kit payload of the built-in template (`templates/webhooks/slack.*.json.hbs`):
/// header (title), section (the key message, escaped mrkdwn), optional context line, and
/// one link button; `text` is the plain fallback.
pub fn payload(message: &WebhookMessage) -> Result<Value, PayloadError> {
    PostTemplate::builtin(WebhookPlatform::Slack, message.lang)?.render(message)
}

/// The outcome of Slack's answer: `status`, its `Retry-After` (if any) and its body.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &str) -> WebhookOutcome {
    match status {
        200..=299 => WebhookOutcome::Sent,
        429 => WebhookOutcome::Temporary {
            reason: "Slack is rate limiting this webhook (HTTP 429)".to_owned(),
            retry_after: Some(retry_after.unwrap_or(DEFAULT_RETRY_AFTER)),
        },
        408 | 500..=599 => {
            WebhookOutcome::temporary(format!("Slack is unavailable (HTTP {status})"))
        }
        300..=399 => WebhookOutcome::permanent(
            "unexpected_redirect",
            format!(
                "the webhook answered with a redirect (HTTP {status}); it is not a Slack \
                 incoming-webhook URL"
            ),
        ),
        _ => refusal(status, body.trim()),
    }
}

/// A 4xx: Slack's error code and what it means.
fn refusal(status: u16, code: &str) -> WebhookOutcome {
    match explain(code) {
        Some(meaning) => WebhookOutcome::permanent(
            code,
            format!("Slack refused the message (HTTP {status}, {code}): {meaning}"),
        ),
        None if is_code(code) => WebhookOutcome::permanent(
            code,
            format!("Slack refused the message (HTTP {status}, {code})"),
        ),
        // Anything else the server wrote stays out of the reason: every console user
        // reads it, and a reply is no place to learn what a server holds.
        None => WebhookOutcome::permanent(
            format!("http_{status}"),
            format!("Slack refused the message (HTTP {status})"),
        ),
    }
}

/// Slack's error codes for incoming webhooks, each in plain English with the fix.
fn explain(code: &str) -> Option<&'static str> {
    Some(match code {
        "invalid_payload" => "the message was malformed; this is a bug in Declic, please report it",
        "invalid_blocks" | "invalid_blocks_format" => {
            "the message's blocks were rejected; this is a bug in Declic, please report it"
        }
        "too_many_attachments" => "the message had more than 100 attachments",
        "user_not_found" => "the person this webhook posts to no longer exists",
        "channel_not_found" => {
            "the webhook's channel no longer exists; create a webhook for another channel"
        }
        "channel_is_archived" => {
            "the webhook's channel is archived; unarchive it or create a webhook for another channel"
        }
        "action_prohibited" => {
            "a Slack administrator restricts posting to this channel; ask them or pick another channel"
        }
        "posting_to_general_channel_denied" => {
            "only Slack administrators may post to this workspace's general channel"
        }
        "no_service" => "the webhook is disabled, removed or invalid; create a new one in Slack",
        "no_service_id" => "the webhook URL is incomplete; copy it again from Slack",
        "no_team" => "the Slack workspace of this webhook does not exist any more",
        "team_disabled" => "the Slack workspace of this webhook is disabled",
        "invalid_token" => "the webhook's token is invalid or revoked; create a new webhook",
        "no_active_hooks" => "the webhook is not active any more; create a new one in Slack",
        _ => return None,
    })
}

/// Whether a body looks like a Slack error code (rather than an HTML page from a proxy).
fn is_code(body: &str) -> bool {
    (1..=64).contains(&body.len())
        && body
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use std::time::Duration;

    use super::{DEFAULT_RETRY_AFTER, classify, payload};
    use crate::templates::Lang;
    use crate::webhooks::{PayloadError, WebhookMessage, WebhookOutcome};

    const LINK: &str = "https://declic.example.org/c/Ab3dE5gH7jK9?utm_source=slack&x=1";

    #[test]
    fn the_key_message_and_context_are_escaped_and_the_button_keeps_the_raw_link() {
        let m = WebhookMessage::new(Lang::En, "Tom & Jerry <3", "<script> & <!channel>", LINK)
            .with_context("A & B");
        let p = payload(&m).unwrap();
        assert_eq!(p["blocks"][0]["text"]["text"], "Tom & Jerry <3");
        assert_eq!(
            p["blocks"][1]["text"]["text"],
            "&lt;script&gt; &amp; &lt;!channel&gt;"
        );
        assert_eq!(p["blocks"][2]["elements"][0]["text"], "A &amp; B");
        let button = &p["blocks"][3]["elements"][0];
        assert_eq!(button["url"], LINK);
        assert_eq!(button["text"]["text"], "See the missions");
        assert_eq!(
            p["text"],
            format!(
                "Tom &amp; Jerry &lt;3 — See the missions and sign up: {}",
                LINK.replace('&', "&amp;")
            )
        );
    }

    #[test]
    fn long_texts_are_cut_to_slack_limits() {
        let m = WebhookMessage::new(Lang::Fr, "T".repeat(400), "&".repeat(5000), LINK)
            .with_button_label("b".repeat(200));
        let p = payload(&m).unwrap();
        let units = |v: &serde_json::Value| v.as_str().unwrap().encode_utf16().count();
        assert_eq!(units(&p["blocks"][0]["text"]["text"]), 150);
        let section = p["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(section.encode_utf16().count() <= 3000);
        assert!(section.ends_with("&amp;…"), "cut inside an escape");
        assert_eq!(units(&p["blocks"][2]["elements"][0]["text"]["text"]), 75);
    }

    #[test]
    fn empty_parts_leave_no_empty_block() {
        let m = WebhookMessage::new(Lang::Fr, " ", "", LINK).with_context("  ");
        let p = payload(&m).unwrap();
        let blocks = p["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0]["type"], "actions");
        assert_eq!(
            blocks[0]["elements"][0]["text"]["text"],
            "Découvrir les missions"
        );
    }

    #[test]
    fn a_bad_link_is_refused_not_cut() {
        let m = WebhookMessage::new(Lang::Fr, "t", "b", "/c/relative");
        assert!(matches!(payload(&m), Err(PayloadError::InvalidLink(_))));
        let long = format!("https://declic.example.org/c/{}", "a".repeat(3000));
        let m = WebhookMessage::new(Lang::Fr, "t", "b", long);
        assert!(matches!(payload(&m), Err(PayloadError::LinkTooLong { .. })));
    }

    #[test]
    fn answers_are_sorted_by_what_retrying_can_do() {
        assert_eq!(classify(200, None, "ok"), WebhookOutcome::Sent);
        let limited = classify(429, Some(Duration::from_secs(2)), "");
        assert!(matches!(
            limited,
            WebhookOutcome::Temporary { retry_after: Some(d), .. } if d == Duration::from_secs(2)
        ));
        assert!(matches!(
            classify(429, None, ""),
            WebhookOutcome::Temporary { retry_after: Some(d), .. } if d == DEFAULT_RETRY_AFTER
        ));
        assert!(classify(503, None, "<html>busy</html>").is_temporary());
        for (status, code) in [
            (400, "invalid_payload"),
            (404, "channel_not_found"),
            (410, "channel_is_archived"),
            (403, "action_prohibited"),
            (403, "invalid_token"),
        ] {
            let WebhookOutcome::Permanent { code: c, reason } = classify(status, None, code) else {
                panic!("{code} must be permanent");
            };
            assert_eq!(c, code);
            assert!(
                reason.contains(code) && reason.len() > code.len() + 30,
                "{reason}"
            );
        }
        assert!(matches!(
            classify(400, None, "<html>nope</html>"),
            WebhookOutcome::Permanent { code, .. } if code == "http_400"
        ));
    }
}
