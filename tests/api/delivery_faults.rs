//! The delivery queue against faults, with a real SMTP server process (aiosmtpd):
//! the server going away mid-dispatch, and the sending process killed with SIGKILL.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use declic_storage::dispatches::{delivery_status, status};
use declic_storage::{Actor, OrgId};

use crate::dispatches::import;
use crate::registration::live_campaign;
use crate::support::{SECRET, TestApp, smtp};

/// Every expected recipient got at least one mail; returns how many got two or more.
fn check_recipients(received: &[String], n: usize) -> usize {
    let mut per: HashMap<&str, usize> = HashMap::new();
    for r in received {
        *per.entry(r.as_str()).or_default() += 1;
    }
    let missing: Vec<String> = (0..n)
        .map(|i| format!("p{i}@acme.example"))
        .filter(|a| !per.contains_key(a.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} recipients lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert_eq!(per.len(), n, "no mail to anyone outside the audience");
    received.len() - n
}

#[tokio::test]
async fn the_smtp_server_down_mid_dispatch_delays_but_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = smtp::start(dir.path()) else {
        return;
    };
    let port = server.port;
    let app = TestApp::spawn_with(|c| {
        smtp::send_to(c, port);
        c.mail.smtp.timeout_secs = 5;
        c.delivery.batch_size = 20;
        // Retries come back at once, and do not give up while the server is away.
        c.delivery.retry_first_secs = 0;
        c.delivery.retry_max_secs = 0;
        c.delivery.max_attempts = 50;
    })
    .await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    import(&app, &live.token, 60).await;
    let d = app
        .store
        .create_dispatch(org, live.campaign_id, "mail", false, &Actor::cli())
        .await
        .unwrap();
    assert_eq!(d.total, 60);

    // One batch goes out, then the server goes away.
    let deliver = || declic_app::delivery_worker::deliver_due(&app.state);
    assert_eq!(deliver().await.unwrap(), 20);
    server.wait_for(20).await;
    server.stop();
    for _ in 0..4 {
        deliver().await.unwrap();
    }
    let during = app.store.dispatch(org, d.id).await.unwrap();
    assert_eq!(
        during.status,
        status::SENDING,
        "not finished while mail is waiting"
    );
    assert_eq!(during.counts[delivery_status::SENT], 20);
    assert_eq!(during.counts[delivery_status::FAILED], 0, "{during:?}");
    assert!(during.counts[delivery_status::RETRYING] > 0, "{during:?}");
    let history = app
        .store
        .deliveries_of(
            org,
            app.store
                .employee_by_email(org, "p59@acme.example")
                .await
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    assert!(
        history[0].attempts >= 2 && history[0].last_error.is_some(),
        "support sees the retries and why: {history:?}"
    );

    // The server comes back on the same port: everything goes, once.
    let server = smtp::start_on(dir.path(), port).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        deliver().await.unwrap();
        let now = app.store.dispatch(org, d.id).await.unwrap();
        if now.status == status::FINISHED {
            assert_eq!(now.counts[delivery_status::SENT], 60, "{now:?}");
            break;
        }
        assert!(Instant::now() < deadline, "not finished: {now:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.wait_for(60).await;
    assert_eq!(
        check_recipients(&server.recipients(), 60),
        0,
        "nobody got it twice"
    );
}

/// The real binary with the test's database, mail to the SMTP server (default leases).
fn declic(app: &TestApp, smtp_port: u16, args: &[&str]) -> Child {
    command(app)
        .args(args)
        .env("DECLIC__MAIL__TRANSPORT", "smtp")
        .env("DECLIC__MAIL__SMTP__HOST", "127.0.0.1")
        .env("DECLIC__MAIL__SMTP__PORT", smtp_port.to_string())
        .env("DECLIC__MAIL__SMTP__TLS", "none")
        .env("DECLIC__DELIVERY__RETRY_FIRST_SECS", "1")
        .env("DECLIC__DELIVERY__RETRY_MAX_SECS", "2")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The real binary on the test's database (mail to the test's outbox).
pub fn command(app: &TestApp) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_declic"));
    cmd.current_dir(app.db.dir.path())
        .env_remove("RUST_LOG")
        .env("DECLIC__DATA_DIR", app.db.dir.path())
        .env("DECLIC__DATABASE__URL", &app.db.url)
        .env("DECLIC__SECURITY__SECRET_KEY", SECRET)
        .env("DECLIC__LOG__LEVEL", "warn");
    cmd
}

#[tokio::test]
async fn a_dispatch_killed_mid_way_resumes_after_restart_without_loss() {
    const N: usize = 5_000;
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = smtp::start(dir.path()) else {
        return;
    };
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    import(&app, &live.token, N).await;

    // The operator sends from the command line and waits...
    let cid = live.campaign_id.to_string();
    let mut sender = declic(
        &app,
        server.port,
        &[
            "dispatch",
            "send",
            "--org",
            "acme",
            "--campaign",
            &cid,
            "--wait",
        ],
    );
    // ...and the process is killed (SIGKILL) once a good part went out.
    let deadline = Instant::now() + Duration::from_secs(120);
    while server.count() < N / 4 {
        assert!(
            sender.try_wait().unwrap().is_none(),
            "the sender stopped early"
        );
        assert!(Instant::now() < deadline, "too slow: {}", server.count());
        std::thread::sleep(Duration::from_millis(20));
    }
    sender.kill().unwrap();
    sender.wait().unwrap();
    let at_kill = server.count();
    assert!(at_kill < N, "killed before the end ({at_kill})");
    let d = app.store.dispatches_of(org, None).await.unwrap()[0].clone();
    assert_eq!(d.total, i64::try_from(N).unwrap());
    assert_eq!(d.status, status::SENDING);

    // The service starts again and finishes the work.
    let mut service = declic(&app, server.port, &["serve", "--bind", "127.0.0.1:0"]);
    let deadline = Instant::now() + Duration::from_secs(240);
    let finished = loop {
        let now = app.store.dispatch(org, d.id).await.unwrap();
        if now.status == status::FINISHED {
            break now;
        }
        if let Some(exit) = service.try_wait().unwrap() {
            let out = service.wait_with_output().unwrap();
            panic!(
                "serve exited {exit}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(Instant::now() < deadline, "not finished: {now:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    service.kill().unwrap();
    service.wait().unwrap();
    assert_eq!(
        finished.counts[delivery_status::SENT],
        i64::try_from(N).unwrap()
    );
    // The Maildir fills asynchronously; give it a moment to settle.
    let settle = Instant::now() + Duration::from_secs(20);
    while server.count() < N && Instant::now() < settle {
        std::thread::sleep(Duration::from_millis(100));
    }
    let twice = check_recipients(&server.recipients(), N);
    // A send's slot is free only once its outcome is written: what went out and was
    // not recorded at the kill is at most `mail_concurrency` (8 by default). The rows
    // the worker held without sending them come back when their lease ends and go once.
    assert!(
        twice <= 8,
        "only the mails in flight may go twice: {twice} did (killed at {at_kill})"
    );
    eprintln!("killed at {at_kill} mails; {twice} recipients got the message twice");
}

#[tokio::test]
async fn a_pause_stops_within_the_mails_in_flight_and_an_erasure_or_opt_out_stops_a_claimed_row() {
    const N: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = smtp::start(dir.path()) else {
        return;
    };
    let port = server.port;
    let app = TestApp::spawn_with(|c| {
        smtp::send_to(c, port);
        // One claim takes every row; a steady pace leaves time to act mid-way.
        c.delivery.batch_size = 1000;
        c.delivery.mail_per_second = 100;
    })
    .await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    import(&app, &live.token, N).await;
    let d = app
        .store
        .create_dispatch(org, live.campaign_id, "mail", false, &Actor::cli())
        .await
        .unwrap();
    let state = app.state.clone();
    let worker = tokio::spawn(async move {
        declic_app::delivery_worker::deliver_for(&state, Duration::from_secs(60)).await
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.count() < 30 {
        assert!(Instant::now() < deadline, "too slow: {}", server.count());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Their rows were claimed with the rest at the start.
    let last = format!("p{}@acme.example", N - 1);
    let before_last = format!("p{}@acme.example", N - 2);
    app.store
        .erase_person(org, &last, &Actor::cli())
        .await
        .unwrap();
    let id = app
        .store
        .employee_by_email(org, &before_last)
        .await
        .unwrap()
        .id;
    app.store.opt_out(org, id, "mail").await.unwrap();
    let res = app
        .post(
            &format!("/api/v1/dispatches/{}/action", d.id),
            &live.token,
            serde_json::json!({"action": "pause"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let at_pause = server.count();
    worker.await.unwrap().unwrap();
    let after = server.count();
    // In flight at the pause: at most one per connection (pool_size 4); the other
    // slots wait for a connection and find the dispatch paused.
    assert!(
        after <= at_pause + 4,
        "only the mails in flight may finish after the pause: {at_pause} then {after}"
    );
    let paused = app.store.dispatch(org, d.id).await.unwrap();
    assert_eq!(paused.status, status::PAUSED);
    assert!(paused.counts[delivery_status::QUEUED] > 0, "{paused:?}");
    assert_eq!(paused.counts[delivery_status::SENDING], 0, "{paused:?}");

    // Resumed, it finishes: everyone once, but the two who left the list.
    let res = app
        .post(
            &format!("/api/v1/dispatches/{}/action", d.id),
            &live.token,
            serde_json::json!({"action": "resume"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(60);
    let done = loop {
        declic_app::delivery_worker::deliver_for(&app.state, Duration::from_secs(30))
            .await
            .unwrap();
        let now = app.store.dispatch(org, d.id).await.unwrap();
        if now.status == status::FINISHED {
            break now;
        }
        assert!(Instant::now() < deadline, "not finished: {now:?}");
    };
    assert_eq!(
        done.counts[delivery_status::SENT],
        i64::try_from(N).unwrap() - 2
    );
    assert_eq!(done.counts[delivery_status::CANCELLED], 2, "{done:?}");
    let received = server.recipients();
    assert_eq!(received.len(), N - 2, "nobody twice");
    assert!(!received.contains(&last) && !received.contains(&before_last));
    assert!(received.iter().all(|r| !r.contains("erased")));
    let history = app.store.deliveries_of(org, id).await.unwrap();
    assert_eq!(history[0].status, "cancelled");
    assert!(
        history[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("opted out")),
        "{history:?}"
    );
}

#[tokio::test]
async fn a_relay_that_accepts_connections_and_never_answers_shows_as_failing_with_its_error() {
    // A "relay" that takes connections and says nothing, as a stuck one does.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let app = TestApp::spawn_with(|c| {
        smtp::send_to(c, port);
        c.mail.smtp.timeout_secs = 1;
    })
    .await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    import(&app, &live.token, 8).await;
    let d = app
        .store
        .create_dispatch(org, live.campaign_id, "mail", false, &Actor::cli())
        .await
        .unwrap();
    let healthy = crate::support::json(
        app.get(&format!("/api/v1/dispatches/{}", d.id), &live.token)
            .await,
        200,
    )
    .await;
    assert!(
        healthy.get("relay").is_none(),
        "nothing to say yet: {healthy}"
    );
    declic_app::delivery_worker::deliver_due(&app.state)
        .await
        .unwrap();
    let stuck = crate::support::json(
        app.get(&format!("/api/v1/dispatches/{}", d.id), &live.token)
            .await,
        200,
    )
    .await;
    assert_eq!(stuck["status"], "sending");
    assert_eq!(stuck["relay"]["state"], "failing", "{stuck}");
    assert!(
        stuck["relay"]["last_error"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{stuck}"
    );
}
