//! One durable path for a person's own messages: queued in the transaction of the
//! change that causes them, delivered by the worker's personal lane against a real
//! SMTP server process (aiosmtpd) that is down, then up; the policy applied right
//! before each send; a double submit; a killed server.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use declic_app::outbox::deliver_messages;
use declic_config::Config;
use declic_storage::OrgId;
use serde_json::json;

use crate::registration::{live_campaign, register};
use crate::support::mail::ReceivedMail;
use crate::support::{TestApp, json, smtp};

fn smtp_to(c: &mut Config, port: u16) {
    smtp::send_to(c, port);
    c.mail.smtp.timeout_secs = 5;
    // Retries come back within a second or two and do not give up meanwhile.
    c.delivery.retry_first_secs = 1;
    c.delivery.retry_max_secs = 1;
    c.delivery.max_attempts = 100;
}

/// A port where nothing listens (connections are refused), and the dir for its server.
fn closed_port(dir: &std::path::Path) -> Option<u16> {
    let server = smtp::start(dir)?;
    let port = server.port;
    server.stop();
    Some(port)
}

/// Waits until no message is left to send, then returns what the server holds.
async fn all_delivered(app: &TestApp, server: &smtp::SmtpServer) -> Vec<ReceivedMail> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.store.messages_waiting().await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "messages still waiting");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // aiosmtpd writes the Maildir file before it answers 250: all is there.
    server.mails()
}

/// (recipient, subject) → how many times.
fn tally(mails: &[ReceivedMail]) -> HashMap<(String, String), usize> {
    let mut out = HashMap::new();
    for m in mails {
        *out.entry((m.to.clone(), m.subject.clone())).or_default() += 1;
    }
    out
}

fn link(mails: &[ReceivedMail], to: &str, prefix: &str) -> String {
    mails
        .iter()
        .filter(|m| m.to == to)
        .find_map(|m| m.link(prefix))
        .unwrap_or_else(|| panic!("no mail to {to} with {prefix}"))
}

#[tokio::test]
async fn with_the_smtp_server_down_people_still_register_and_every_mail_arrives_once_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let Some(port) = closed_port(dir.path()) else {
        return;
    };
    let app = TestApp::spawn_with(|c| smtp_to(c, port)).await;
    let live = live_campaign(&app, 1, "Marathon").await;

    // Down: sign-ups answer as usual and their mails wait in the outbox.
    for (email, first) in [("alice@acme.example", "Alice"), ("bob@acme.example", "Bob")] {
        let res = register(&app, &live.link, email, first, live.mission_id).await;
        assert_eq!(res.status(), 200);
    }
    crate::ambassadors::in_directory(&app, &live.token, "alice@acme.example").await;
    let res = app
        .post(
            "/api/v1/ambassadors",
            &live.token,
            json!({"email": "alice@acme.example", "past_volunteer": true}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    // The lane has tried and will try again; HR sees why in the person's history.
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let alice = app
        .store
        .employee_by_email(org, "alice@acme.example")
        .await
        .unwrap()
        .id;
    let deadline = Instant::now() + Duration::from_secs(20);
    let history = loop {
        let h = json(
            app.get(
                &format!("/api/v1/employees/{alice}/deliveries"),
                &live.token,
            )
            .await,
            200,
        )
        .await;
        let tried = h.as_array().unwrap().iter().any(|d| {
            d["lane"] == "personal" && d["status"] == "retrying" && d["last_error"].is_string()
        });
        if tried {
            break h;
        }
        assert!(Instant::now() < deadline, "not tried yet: {h}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let messages: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"confirm_registration") && messages.contains(&"ambassador_invitation"),
        "{history}"
    );

    // Up: each mail arrives, once.
    let server = smtp::start_on(dir.path(), port).unwrap();
    let mails = all_delivered(&app, &server).await;
    let counts = tally(&mails);
    assert_eq!(mails.len(), 3, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let confirm = format!("{}/r/", app.base);
    let alice_link = link(&mails, "alice@acme.example", &confirm);
    let bob_link = link(&mails, "bob@acme.example", &confirm);
    assert!(
        mails
            .iter()
            .any(|m| m.to == "alice@acme.example" && m.text.contains("/a/sign-in")),
        "the ambassador invitation"
    );

    // Down again: confirmations and a cancellation answer as usual.
    server.stop();
    let res = app.client.post(&alice_link).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let alice_page = res.headers()["location"].to_str().unwrap().to_owned();
    let res = app.client.post(&bob_link).send().await.unwrap();
    assert_eq!(res.status(), 303, "Bob waits for the one seat");
    let res = app
        .client
        .post(format!("{}/cancel", alice_page.split('?').next().unwrap()))
        .form(&[("mission_id", live.mission_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    // Up: the seat, the waitlist place, the cancellation and the offer arrive, once each.
    let server = smtp::start_on(dir.path(), port).unwrap();
    let mails = all_delivered(&app, &server).await;
    let counts = tally(&mails);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let to_alice: Vec<&ReceivedMail> = mails
        .iter()
        .filter(|m| m.to == "alice@acme.example")
        .collect();
    let to_bob: Vec<&ReceivedMail> = mails
        .iter()
        .filter(|m| m.to == "bob@acme.example")
        .collect();
    // The Maildir keeps the first round too: confirmation and invitation, then
    // the seat and its cancellation.
    assert_eq!(to_alice.len(), 4, "{counts:?}");
    let methods: Vec<String> = to_alice
        .iter()
        .filter_map(|m| crate::support::mail::ics_prop(m.calendar.as_deref()?, "METHOD"))
        .collect();
    assert!(
        methods.contains(&"REQUEST".to_owned()) && methods.contains(&"CANCEL".to_owned()),
        "{methods:?}"
    );
    assert_eq!(
        to_bob.len(),
        3,
        "confirmation, waitlist place and offer: {counts:?}"
    );
    assert!(
        to_bob.iter().any(|m| m.text.contains("UTC")),
        "the offer carries its claim deadline"
    );
}

#[tokio::test]
async fn the_same_form_submitted_twice_at_once_sends_one_mail() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Marathon").await;
    let (a, b) = tokio::join!(
        register(
            &app,
            &live.link,
            "ines@acme.example",
            "Inès",
            live.mission_id
        ),
        register(
            &app,
            &live.link,
            "ines@acme.example",
            "Inès",
            live.mission_id
        ),
    );
    // Both answer as a sign-up does, never 500.
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    assert_eq!(app.mails_to("ines@acme.example").await.len(), 1);
}

#[tokio::test]
async fn opt_outs_departures_and_lapsed_links_are_honoured_when_the_mail_would_leave() {
    let dir = tempfile::tempdir().unwrap();
    let Some(port) = closed_port(dir.path()) else {
        return;
    };
    // The test runs the delivery worker's lane itself, so that each message is
    // tried while the server is down before anything changes.
    let app = TestApp::spawn_without_lane(|c| smtp_to(c, port)).await;
    let live = live_campaign(&app, 5, "Marathon").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let res = app
        .client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(&live.token)
        .header("content-type", "text/csv")
        .body("email,first name,last name\ncarl@acme.example,Carl,Roy\ndana@acme.example,Dana,Roy\nemma@acme.example,Emma,Roy\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // Queued while the server is down: two ambassador invitations, a sign-up naming
    // a colleague (her confirmation link; the colleague is invited only once she
    // confirms, see `seats::a_colleague_is_invited_once_the_inviter_confirmed`).
    for email in ["carl@acme.example", "dana@acme.example"] {
        let res = app
            .post(
                "/api/v1/ambassadors",
                &live.token,
                json!({"email": email, "past_volunteer": true}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let res = app
        .client
        .post(format!("{}/register", live.link))
        .form(&[
            ("email", "fanny@acme.example"),
            ("first_name", "Fanny"),
            ("last_name", "Roy"),
            ("choice_1", &live.mission_id.to_string()),
            ("consent", "yes"),
            ("duo_email", "emma@acme.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        deliver_messages(&app.state).await.unwrap(),
        3,
        "each tried once"
    );
    assert_eq!(
        app.store.messages_waiting().await.unwrap(),
        3,
        "and retrying"
    );
    // Then Carl leaves the company, Emma opts out of mail, and Fanny's link lapses.
    let id = |email: &'static str| {
        let app = &app;
        async move { app.store.employee_by_email(org, email).await.unwrap().id }
    };
    let carl = id("carl@acme.example").await;
    let res = app
        .post(
            &format!("/api/v1/employees/{carl}/deactivate"),
            &live.token,
            json!({}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    app.store
        .opt_out(org, id("emma@acme.example").await, "mail")
        .await
        .unwrap();
    use sea_orm::ConnectionTrait;
    app.store
        .db()
        .execute_unprepared(
            "UPDATE messages SET expires_at = created_at WHERE kind = 'confirm_registration'",
        )
        .await
        .unwrap();

    let server = smtp::start_on(dir.path(), port).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.store.messages_waiting().await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "messages still waiting");
        deliver_messages(&app.state).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mails = server.mails();
    let to: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(to, ["dana@acme.example"], "only Dana's invitation goes");

    // HR sees each message that did not go, and why.
    for (who, message, status, why) in [
        (
            carl,
            "ambassador_invitation",
            "cancelled",
            "no longer in the directory",
        ),
        (
            id("fanny@acme.example").await,
            "confirm_registration",
            "expired",
            "lapsed",
        ),
    ] {
        let h = json(
            app.get(&format!("/api/v1/employees/{who}/deliveries"), &live.token)
                .await,
            200,
        )
        .await;
        let d = h
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["message"] == message)
            .unwrap_or_else(|| panic!("{message} in {h}"));
        assert_eq!(d["status"], status, "{d}");
        assert!(d["last_error"].as_str().unwrap().contains(why), "{d}");
    }
    // Once done, a message keeps no link.
    let params: Vec<String> = app
        .store
        .db()
        .query_all_raw(sea_orm::Statement::from_string(
            app.store.backend(),
            "SELECT params FROM messages",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "params").unwrap())
        .collect();
    assert!(params.iter().all(|p| p == "{}"), "{params:?}");
}

#[tokio::test]
async fn a_server_killed_between_the_commit_and_the_send_sends_the_mail_after_restart_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(port) = closed_port(dir.path()) else {
        return;
    };
    // The test's own app only seeds (no lane): the real binary does the sending.
    let app = TestApp::spawn_without_lane(|_| {}).await;
    let live = live_campaign(&app, 5, "Marathon").await;
    let serve = |port: u16| {
        let mut cmd = crate::delivery_faults::command(&app);
        cmd.args(["serve", "--bind", "127.0.0.1:0"])
            .env("DECLIC__MAIL__TRANSPORT", "smtp")
            .env("DECLIC__MAIL__SMTP__HOST", "127.0.0.1")
            .env("DECLIC__MAIL__SMTP__PORT", port.to_string())
            .env("DECLIC__MAIL__SMTP__TLS", "none")
            .env("DECLIC__DELIVERY__RETRY_FIRST_SECS", "1")
            .env("DECLIC__DELIVERY__RETRY_MAX_SECS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let base = crate::support::listening_address(&mut child);
        (child, base)
    };
    let (mut first, base) = serve(port);
    let code = live.link.rsplit('/').next().unwrap();
    let res = app
        .client
        .post(format!("{base}/c/{code}/register"))
        .form(&[
            ("email", "gael@acme.example"),
            ("first_name", "Gaël"),
            ("last_name", "Roy"),
            ("choice_1", &live.mission_id.to_string()),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "answered while the mail server is down");
    assert_eq!(app.store.messages_waiting().await.unwrap(), 1);
    first.kill().unwrap();
    first.wait().unwrap();

    let server = smtp::start_on(dir.path(), port).unwrap();
    let (mut second, _) = serve(port);
    let mails = all_delivered(&app, &server).await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(mails.len(), 1, "sent once, after the restart");
    assert_eq!(mails[0].to, "gael@acme.example");
    assert!(mails[0].text.contains("/r/"), "the confirmation link");
}
