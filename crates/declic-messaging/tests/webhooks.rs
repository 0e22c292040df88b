//! Slack and Teams webhooks against a fake endpoint on port 0: payloads as received, answers
//! sorted into outcomes, one message per second per webhook, and no secret in any text.
#![expect(clippy::unwrap_used, reason = "tests")]

mod webhooks_support;

use std::time::Duration;

use declic_messaging::webhooks::{PayloadError, WebhookUrlError, teams};
use declic_messaging::{
    Lang, OutboundPolicy, WebhookMessage, WebhookOutcome, WebhookSender, WebhookUrl,
};
use serde_json::Value;
use tokio::net::TcpListener;
use webhooks_support::{FakeHooks, SECRET, assert_no_secret};

const SLACK_LINK: &str = "https://declic.example.org/c/Ab3dE5gH7jK9?utm_source=slack&lang=fr";
const TEAMS_LINK: &str = "https://declic.example.org/c/Zx8cV6bN4mQ2?utm_source=teams";

fn slack_message() -> WebhookMessage {
    WebhookMessage::new(
        Lang::Fr,
        "Mécénat de compétences : 12 missions ouvertes",
        "Donnez une demi-journée <script>alert(1)</script> à Emmaüs & aux Restos du cœur. \
         *Inscriptions* jusqu’au 12 mars <!channel>",
        SLACK_LINK,
    )
    .with_context("Campagne « Printemps solidaire » — RH Groupe Hélios")
}

fn teams_message(body: impl Into<String>) -> WebhookMessage {
    WebhookMessage::new(Lang::En, "Skills-based volunteering", body, TEAMS_LINK)
        .with_button_label("Sign up")
}

/// A sender allowed to reach the fake platforms on this machine (the default policy
/// refuses private addresses: see `guard_*` below).
fn sender() -> WebhookSender {
    WebhookSender::with_policy(
        declic_messaging::webhooks::DEFAULT_TIMEOUT,
        OutboundPolicy::local_testing(),
    )
    .unwrap()
}

/// The reason of an outcome that is not `Sent`, checked for secrets.
fn checked_reason(outcome: &WebhookOutcome) -> String {
    let reason = outcome.reason().unwrap().to_owned();
    assert_no_secret(&reason);
    assert_no_secret(&format!("{outcome:?}"));
    reason
}

#[tokio::test]
async fn slack_receives_valid_block_kit_with_escaped_text_and_the_tagged_link() {
    let hooks = FakeHooks::start().await;
    let url = hooks.url("slack", "ok", "A");
    let outcome = sender().send_slack(&url, &slack_message()).await;
    assert_eq!(outcome, WebhookOutcome::Sent);

    let hits = hooks.hits(&url);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].content_type, "application/json");
    let p = hits[0].json();
    let blocks = p["blocks"].as_array().unwrap();
    let types: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["header", "section", "context", "actions"]);

    assert_eq!(blocks[0]["text"]["type"], "plain_text");
    assert_eq!(
        blocks[0]["text"]["text"],
        "Mécénat de compétences : 12 missions ouvertes"
    );
    let section = &blocks[1]["text"];
    assert_eq!(section["type"], "mrkdwn");
    assert_eq!(
        section["text"],
        "Donnez une demi-journée &lt;script&gt;alert(1)&lt;/script&gt; à Emmaüs &amp; aux \
         Restos du cœur. *Inscriptions* jusqu’au 12 mars &lt;!channel&gt;"
    );
    assert_eq!(
        blocks[2]["elements"][0]["text"],
        "Campagne « Printemps solidaire » — RH Groupe Hélios"
    );
    let button = &blocks[3]["elements"][0];
    assert_eq!(button["type"], "button");
    assert_eq!(button["url"], SLACK_LINK);
    assert_eq!(button["text"]["type"], "plain_text");
    assert_eq!(button["text"]["text"], "Découvrir les missions");

    let fallback = p["text"].as_str().unwrap();
    assert!(fallback.starts_with("Mécénat de compétences"), "{fallback}");
    assert!(
        fallback.contains("s’inscrire") && fallback.contains(&SLACK_LINK.replace('&', "&amp;")),
        "{fallback}"
    );
    // Nothing of the caller's text reaches Slack unescaped.
    let raw = String::from_utf8(hits[0].body.clone()).unwrap();
    assert!(
        !raw.contains("<script>") && !raw.contains("<!channel>"),
        "{raw}"
    );
}

#[tokio::test]
async fn slack_answers_become_sent_temporary_or_permanent() {
    let hooks = FakeHooks::start().await;
    let sender = sender();
    let message = slack_message();
    for (scenario, code) in [
        ("400", "invalid_payload"),
        ("403", "action_prohibited"),
        ("404", "channel_not_found"),
        ("410", "channel_is_archived"),
    ] {
        let outcome = sender
            .send_slack(&hooks.url("slack", scenario, "A"), &message)
            .await;
        let reason = checked_reason(&outcome);
        let WebhookOutcome::Permanent { code: got, .. } = &outcome else {
            panic!("{scenario}: {outcome:?}");
        };
        assert_eq!(got, code);
        assert!(reason.contains(code), "{reason}");
    }

    let outcome = sender
        .send_slack(&hooks.url("slack", "500", "A"), &message)
        .await;
    checked_reason(&outcome);
    assert!(
        matches!(
            outcome,
            WebhookOutcome::Temporary {
                retry_after: None,
                ..
            }
        ),
        "{outcome:?}"
    );

    let limited = hooks.url("slack", "429", "A");
    let outcome = sender.send_slack(&limited, &message).await;
    checked_reason(&outcome);
    assert_eq!(
        retry_after(&outcome),
        Some(Duration::from_secs(2)),
        "{outcome:?}"
    );
    // Slack said to wait: the next send returns at once with the time left, unsent.
    let again = sender.send_slack(&limited, &message).await;
    checked_reason(&again);
    let left = retry_after(&again).unwrap();
    assert!(
        left > Duration::ZERO && left <= Duration::from_secs(2),
        "{left:?}"
    );
    assert_eq!(hooks.hits(&limited).len(), 1);
}

fn retry_after(outcome: &WebhookOutcome) -> Option<Duration> {
    match outcome {
        WebhookOutcome::Temporary { retry_after, .. } => *retry_after,
        _ => None,
    }
}

#[tokio::test]
async fn one_slack_webhook_gets_one_message_per_second_and_others_do_not_wait() {
    let hooks = FakeHooks::start().await;
    let sender = sender();
    let message = slack_message();
    let (a, b) = (hooks.url("slack", "ok", "A"), hooks.url("slack", "ok", "B"));
    let (first, second, other) = tokio::join!(
        sender.send_slack(&a, &message),
        sender.send_slack(&a, &message),
        sender.send_slack(&b, &message),
    );
    assert!(first.is_sent() && second.is_sent() && other.is_sent());

    let on_a = hooks.hits(&a);
    let on_b = hooks.hits(&b);
    assert_eq!((on_a.len(), on_b.len()), (2, 1));
    let gap = on_a[1].at - on_a[0].at;
    // The limiter starts them a full second apart; the network may shave a few ms.
    assert!(gap >= Duration::from_millis(950), "{gap:?}");
    // The other webhook did not wait for A's second slot (a full second of margin, so a
    // loaded machine cannot make this flaky).
    assert!(on_b[0].at < on_a[1].at);
}

#[tokio::test]
async fn teams_receives_an_adaptive_card_and_202_is_sent() {
    let hooks = FakeHooks::start().await;
    let url = hooks.url("teams", "202", "A");
    let body = "Give half a day to a food bank & a <b>literacy</b> charity.";
    let outcome = sender().send_teams(&url, &teams_message(body)).await;
    assert_eq!(outcome, WebhookOutcome::Sent);

    let hits = hooks.hits(&url);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].content_type, "application/json");
    let p = hits[0].json();
    assert_eq!(p["type"], "message");
    let attachment = &p["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(attachment["contentUrl"], Value::Null);
    let card = &attachment["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.4");
    assert_eq!(card["body"][0]["type"], "TextBlock");
    assert_eq!(card["body"][0]["text"], "Skills-based volunteering");
    assert_eq!(card["body"][1]["text"], body);
    assert_eq!(card["body"][1]["wrap"], true);
    let action = &card["actions"][0];
    assert_eq!(action["type"], "Action.OpenUrl");
    assert_eq!(action["title"], "Sign up");
    assert_eq!(action["url"], TEAMS_LINK);
}

#[tokio::test]
async fn teams_answers_become_temporary_or_permanent() {
    let hooks = FakeHooks::start().await;
    let sender = sender();
    let message = teams_message("Join us");

    let outcome = sender
        .send_teams(&hooks.url("teams", "400", "A"), &message)
        .await;
    let reason = checked_reason(&outcome);
    assert!(
        matches!(&outcome, WebhookOutcome::Permanent { code, .. } if code == "invalid_payload"),
        "{outcome:?}"
    );
    assert!(reason.contains("InvalidRequestContent"), "{reason}");

    let outcome = sender
        .send_teams(&hooks.url("teams", "404", "A"), &message)
        .await;
    checked_reason(&outcome);
    assert!(
        matches!(&outcome, WebhookOutcome::Permanent { code, .. } if code == "webhook_not_found"),
        "{outcome:?}"
    );

    let outcome = sender
        .send_teams(&hooks.url("teams", "429", "A"), &message)
        .await;
    checked_reason(&outcome);
    assert_eq!(retry_after(&outcome), Some(Duration::from_secs(5)));

    let outcome = sender
        .send_teams(&hooks.url("teams", "429bare", "A"), &message)
        .await;
    checked_reason(&outcome);
    assert_eq!(retry_after(&outcome), Some(teams::DEFAULT_RETRY_AFTER));
}

#[tokio::test]
async fn a_100_kb_teams_body_is_cut_to_fit_28_kb_and_keeps_the_link() {
    let hooks = FakeHooks::start().await;
    let url = hooks.url("teams", "202", "A");
    let long = "Une mission, une association, une demi-journée. ".repeat(2100);
    assert!(long.len() > 100 * 1024);
    let outcome = sender()
        .send_teams(&url, &teams_message(long.clone()))
        .await;
    assert_eq!(outcome, WebhookOutcome::Sent);

    let hits = hooks.hits(&url);
    let size = hits[0].body.len();
    assert!(size <= teams::CARD_MAX_BYTES, "{size} bytes");
    assert!(
        size > teams::CARD_MAX_BYTES - 1024,
        "cut far too short: {size}"
    );
    let card = &hits[0].json()["attachments"][0]["content"];
    let text = card["body"][1]["text"].as_str().unwrap();
    assert!(text.ends_with('…'));
    assert!(long.starts_with(text.trim_end_matches('…')));
    assert_eq!(card["actions"][0]["url"], TEAMS_LINK);
}

#[tokio::test]
async fn a_card_that_cannot_fit_is_refused_before_sending() {
    let hooks = FakeHooks::start().await;
    let url = hooks.url("teams", "202", "A");
    let message = teams_message("body").with_context("c".repeat(40_000));
    assert!(matches!(
        teams::payload(&message),
        Err(PayloadError::CardTooLarge { .. })
    ));
    let outcome = sender().send_teams(&url, &message).await;
    checked_reason(&outcome);
    assert!(
        matches!(&outcome, WebhookOutcome::Permanent { code, .. } if code == "card_too_large"),
        "{outcome:?}"
    );
    assert!(hooks.hits(&url).is_empty());
}

#[tokio::test]
async fn network_failures_are_temporary_and_keep_the_secret() {
    // A server that hangs up on every connection, and one that never answers.
    let hang_up = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let urls = [&hang_up, &silent].map(|l| {
        let addr = l.local_addr().unwrap();
        WebhookUrl::parse(&format!("http://{addr}/services/T0/B0/{SECRET}")).unwrap()
    });
    tokio::spawn(async move {
        while let Ok((socket, _)) = hang_up.accept().await {
            drop(socket);
        }
    });
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let sender =
        WebhookSender::with_policy(Duration::from_millis(300), OutboundPolicy::local_testing())
            .unwrap();
    // A category only: which of "refused", "reset" or "timed out" it was would tell
    // whoever reads the console how a network is laid out.
    let outcome = sender.send_slack(&urls[0], &slack_message()).await;
    assert!(outcome.is_temporary(), "{outcome:?}");
    assert_eq!(checked_reason(&outcome), "Slack unreachable");
    let outcome = sender.send_slack(&urls[1], &slack_message()).await;
    assert!(outcome.is_temporary(), "{outcome:?}");
    assert_eq!(checked_reason(&outcome), "Slack did not answer in time");
    let outcome = sender.send_teams(&urls[1], &teams_message("x")).await;
    assert_eq!(checked_reason(&outcome), "Teams did not answer in time");
}

#[test]
fn webhook_urls_never_print_their_secret() {
    let slack = format!("https://hooks.slack.com/services/T0DECLIC/B0DECLIC/{SECRET}");
    let url = WebhookUrl::parse(&slack).unwrap();
    for shown in [
        url.to_string(),
        format!("{url:?}"),
        format!("{:?}", Some(&url)),
    ] {
        assert_no_secret(&shown);
        assert!(shown.contains("https://hooks.slack.com/…/Hk2W"), "{shown}");
    }
    let teams = format!(
        "https://prod-42.westeurope.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/\
         invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SECRET}"
    );
    let url = WebhookUrl::parse(&teams).unwrap();
    assert_eq!(
        url.to_string(),
        "https://prod-42.westeurope.logic.azure.com/…/Hk2W"
    );
    for bad in [
        format!("http://hooks.slack.com/services/{SECRET}"),
        format!("https://user:{SECRET}@hooks.slack.com/services/x"),
        format!("hooks.slack.com/services/{SECRET}"),
    ] {
        let err: WebhookUrlError = WebhookUrl::parse(&bad).unwrap_err();
        assert_no_secret(&err.to_string());
        assert_no_secret(&format!("{err:?}"));
    }
}

/// The machine's own name, when it resolves to a private or loopback address here
/// (Debian lists it in /etc/hosts): a name that passes every check made without the
/// network, as a rebinding DNS answer would.
async fn own_private_name() -> Option<String> {
    let name = std::fs::read_to_string("/etc/hostname")
        .ok()?
        .trim()
        .to_owned();
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
        .await
        .ok()?
        .collect();
    (!name.is_empty()
        && !addrs.is_empty()
        && addrs
            .iter()
            .all(|a| declic_messaging::webhooks::forbidden_address(a.ip())))
    .then_some(name)
}

#[tokio::test]
async fn guard_refuses_private_hosts_at_send_time_and_reads_no_more_than_it_needs() {
    let hooks = FakeHooks::start().await;
    let fake = hooks.url("slack", "ok", "GUARD");
    // The default policy: the fake platform on 127.0.0.1 is refused before any request.
    let strict = WebhookSender::new().unwrap();
    let outcome = strict.send_slack(&fake, &slack_message()).await;
    assert!(
        matches!(&outcome, WebhookOutcome::Permanent { code, .. } if code == "host_not_allowed"),
        "{outcome:?}"
    );
    checked_reason(&outcome);
    assert!(
        hooks.hits(&fake).is_empty(),
        "nothing reached the private address"
    );

    // Any host allowed, but still no private address: a name that resolves to this
    // machine is refused by the resolver, whatever the checks before it said.
    if let Some(name) = own_private_name().await {
        let open = WebhookSender::with_policy(
            Duration::from_secs(2),
            OutboundPolicy {
                allow_other_hosts: true,
                ..OutboundPolicy::default()
            },
        )
        .unwrap();
        let port = fake
            .expose_secret()
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let url = WebhookUrl::parse(&format!(
            "https://{name}:{port}/slack/ok/services/T/B/{SECRET}"
        ))
        .unwrap();
        assert!(
            open.policy().check(&url).is_ok(),
            "a public-looking name passes the check"
        );
        let outcome = open.send_slack(&url, &slack_message()).await;
        assert!(
            matches!(&outcome, WebhookOutcome::Permanent { code, .. } if code == "host_not_allowed"),
            "{outcome:?}"
        );
        checked_reason(&outcome);
    } else {
        eprintln!(
            "skipped the resolver case: this machine's name does not resolve to a private address"
        );
    }

    // A 5xx with a huge body: the reason names the status only, and the reply is cut off
    // after a few kilobytes instead of being read whole.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = std::sync::Arc::clone(&written);
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut request).await;
        let total: usize = 300 * 1024 * 1024;
        let head = format!(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ncontent-length: {total}\r\n\r\n"
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        let block = b"internal-secret ".repeat(4096);
        while count.load(std::sync::atomic::Ordering::Relaxed) < total {
            match socket.write_all(&block).await {
                Ok(()) => {
                    count.fetch_add(block.len(), std::sync::atomic::Ordering::Relaxed);
                }
                Err(_) => break,
            }
        }
    });
    let url = WebhookUrl::parse(&format!("http://{addr}/services/T/B/{SECRET}")).unwrap();
    let outcome = sender().send_slack(&url, &slack_message()).await;
    let reason = checked_reason(&outcome);
    assert!(!reason.contains("internal-secret"), "{reason}");
    assert!(reason.contains("HTTP 500"), "{reason}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = written.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        sent < 64 * 1024 * 1024,
        "the client stopped reading early: the server wrote {sent} bytes of 300 MB"
    );
}
