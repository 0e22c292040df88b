//! The delivery queue: a dispatch freezes its audience (minus opt-outs, minus the
//! registered for reminders); workers claim without overlap, retry temporary
//! failures with backoff, report permanent ones, recover a dead worker's rows, and
//! a dispatch finishes only when nothing is left to try.

use std::collections::HashSet;

use chrono::Duration;
use declic_storage::dispatches::{DispatchAction, Outcome, RetryPolicy, delivery_status, status};
use declic_storage::{Actor, OrgId};

use crate::registration::{confirm_from_mail, live_campaign, register};
use crate::support::TestApp;

pub async fn import(app: &TestApp, token: &str, n: usize) {
    let mut csv = String::from("email,first name,last name,department\n");
    for i in 0..n {
        let dept = if i % 2 == 0 { "Finance" } else { "IT" };
        csv.push_str(&format!("p{i}@acme.example,P{i},Test,{dept}\n"));
    }
    let res = app
        .client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn deliveries_are_frozen_claimed_once_retried_and_finished() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    import(&app, &live.token, 30).await;
    let store = &app.store;
    // p0 opted out of campaign mail; p1 registered already.
    let p0 = store
        .employee_by_email(org, "p0@acme.example")
        .await
        .unwrap();
    store.opt_out(org, p0.id, "mail").await.unwrap();
    register(&app, &live.link, "p1@acme.example", "P1", live.mission_id).await;
    confirm_from_mail(&app, "p1@acme.example").await;

    let everyone = store
        .create_dispatch(org, live.campaign_id, "mail", false, &Actor::cli())
        .await
        .unwrap();
    assert_eq!(
        everyone.total, 29,
        "30 employees minus the one who opted out"
    );
    let reminder = store
        .create_dispatch(org, live.campaign_id, "mail", true, &Actor::cli())
        .await
        .unwrap();
    assert_eq!(reminder.total, 28, "and minus the one already registered");
    // Pause the reminder: only the first dispatch's rows are claimed.
    store
        .dispatch_action(org, reminder.id, DispatchAction::Pause, &Actor::cli())
        .await
        .unwrap();

    // Two workers at once never take the same row.
    let lease = Duration::minutes(5);
    let (a, b) = tokio::join!(
        store.claim_deliveries(10, lease),
        store.claim_deliveries(10, lease)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids: HashSet<i64> = a.iter().chain(&b).map(|d| d.id).collect();
    assert_eq!(ids.len(), a.len() + b.len(), "no delivery claimed twice");
    assert_eq!(ids.len(), 20);
    assert!(a.iter().chain(&b).all(|d| d.dispatch_id == everyone.id));

    let now_policy = RetryPolicy {
        max_attempts: 2,
        first_delay: Duration::zero(),
        max_delay: Duration::zero(),
    };
    let mut claimed: Vec<_> = a.into_iter().chain(b).collect();
    claimed.sort_by_key(|d| d.id);
    // One temporary failure (retried now, then sent), one permanent, one that keeps
    // failing (gives up after 2 attempts), the rest sent.
    store
        .record_delivery(
            &claimed[0],
            &Outcome::Temporary("421 busy".into()),
            &now_policy,
        )
        .await
        .unwrap();
    store
        .record_delivery(
            &claimed[1],
            &Outcome::Permanent("550 no such user".into()),
            &now_policy,
        )
        .await
        .unwrap();
    store
        .record_delivery(
            &claimed[2],
            &Outcome::Temporary("421 busy".into()),
            &now_policy,
        )
        .await
        .unwrap();
    for d in &claimed[3..] {
        store
            .record_delivery(d, &Outcome::Sent, &now_policy)
            .await
            .unwrap();
    }
    // A worker dies holding rows: with a lease of zero they come back at once.
    let dead = store.claim_deliveries(5, Duration::zero()).await.unwrap();
    assert!(!dead.is_empty());
    let again = store.claim_deliveries(100, lease).await.unwrap();
    let again_ids: HashSet<i64> = again.iter().map(|d| d.id).collect();
    assert!(
        dead.iter().all(|d| again_ids.contains(&d.id)),
        "a dead worker's rows are claimed again"
    );
    assert!(again_ids.contains(&claimed[0].id) && again_ids.contains(&claimed[2].id));
    assert!(
        !again_ids.contains(&claimed[1].id),
        "a permanent failure is not retried"
    );
    for d in &again {
        let outcome = if d.id == claimed[2].id {
            Outcome::Temporary("421 busy".into())
        } else {
            Outcome::Sent
        };
        store
            .record_delivery(d, &outcome, &now_policy)
            .await
            .unwrap();
    }
    assert!(store.claim_deliveries(100, lease).await.unwrap().is_empty());

    store.finish_dispatches().await.unwrap();
    let done = store.dispatch(org, everyone.id).await.unwrap();
    assert_eq!(done.status, status::FINISHED);
    assert_eq!(done.counts[delivery_status::SENT], 27);
    assert_eq!(done.counts[delivery_status::FAILED], 2);
    assert!(done.finished_at.is_some());

    // The paused reminder is not finished with messages left; cancelling it is final.
    assert_eq!(
        store.dispatch(org, reminder.id).await.unwrap().status,
        status::PAUSED
    );
    let cancelled = store
        .dispatch_action(org, reminder.id, DispatchAction::Cancel, &Actor::cli())
        .await
        .unwrap();
    assert_eq!(cancelled.counts[delivery_status::CANCELLED], 28);
    assert!(
        store
            .dispatch_action(org, reminder.id, DispatchAction::Resume, &Actor::cli())
            .await
            .is_err()
    );
    // Another organisation cannot see it.
    let other = app.org("globex", "globex.example").await;
    assert!(store.dispatch(other, everyone.id).await.is_err());
}

#[test]
fn backoff_doubles_with_jitter_and_a_cap() {
    let p = RetryPolicy {
        max_attempts: 8,
        first_delay: Duration::seconds(30),
        max_delay: Duration::minutes(10),
    };
    for (attempts, base) in [(1, 30), (2, 60), (3, 120), (6, 600), (20, 600)] {
        let d = p.delay(attempts).num_milliseconds();
        assert!(
            (base * 1000..=base * 1250).contains(&d),
            "attempt {attempts}: {d} ms"
        );
    }
}

#[tokio::test]
async fn an_announcement_goes_out_with_a_one_click_unsubscribe_that_works() {
    let app = TestApp::spawn_with(|c| {
        // Links in mails must be https for List-Unsubscribe (RFC 8058).
        c.server.public_url = "https://declic.test".into();
    })
    .await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    import(&app, &live.token, 4).await;
    let viewer = app
        .token(
            org,
            "viewer@acme.example",
            declic_storage::admins::Role::Viewer,
        )
        .await;
    let path = format!("/api/v1/campaigns/{}/dispatches", live.campaign_id);
    crate::support::json(app.post(&path, &viewer, serde_json::json!({})).await, 403).await;
    let bad = crate::support::json(
        app.post(&path, &live.token, serde_json::json!({"channel": "fax"}))
            .await,
        422,
    )
    .await;
    assert!(bad.to_string().contains("channel"), "{bad}");
    let d = crate::support::json(
        app.post(&path, &live.token, serde_json::json!({})).await,
        201,
    )
    .await;
    assert_eq!(d["total"], 4);

    declic::deliver(&app.state).await;
    let done = crate::support::json(
        app.get(&format!("/api/v1/dispatches/{}", d["id"]), &live.token)
            .await,
        200,
    )
    .await;
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["counts"]["sent"], 4);

    let mail = app
        .mails_to("p2@acme.example")
        .await
        .pop()
        .expect("an announcement");
    let raw = &mail.raw;
    assert!(
        raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{raw}"
    );
    let unsubscribe = raw
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: "))
        .expect("a List-Unsubscribe header");
    let url = unsubscribe
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    assert!(url.starts_with("https://declic.test/u/"), "{url}");
    assert!(
        mail.text.contains("https://declic.test/c/"),
        "the mail-tagged link"
    );
    // The mail client's one-click POST, to this test server.
    let local = url.replace("https://declic.test", &app.base);
    let res = app
        .client
        .post(&local)
        .body("List-Unsubscribe=One-Click")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Support can see what reached her.
    let p2 = app
        .store
        .employee_by_email(org, "p2@acme.example")
        .await
        .unwrap();
    let history = crate::support::json(
        app.get(&format!("/api/v1/employees/{}/deliveries", p2.id), &viewer)
            .await,
        200,
    )
    .await;
    assert_eq!(history[0]["status"], "sent", "{history}");
    assert_eq!(history[0]["dispatch_id"], d["id"]);
    assert_eq!(history[0]["lane"], "campaign");
    assert_eq!(history[0]["message"], "campaign_announcement", "{history}");
    // The next announcement leaves her out.
    let d2 = crate::support::json(
        app.post(&path, &live.token, serde_json::json!({})).await,
        201,
    )
    .await;
    assert_eq!(d2["total"], 3);
    // Another organisation cannot see or steer it.
    let other = app.org("globex", "globex.example").await;
    let other = app
        .token(
            other,
            "hr@globex.example",
            declic_storage::admins::Role::Owner,
        )
        .await;
    crate::support::json(
        app.get(&format!("/api/v1/dispatches/{}", d2["id"]), &other)
            .await,
        404,
    )
    .await;
    crate::support::json(
        app.get(&format!("/api/v1/employees/{}/deliveries", p2.id), &other)
            .await,
        404,
    )
    .await;
    crate::support::json(
        app.post(
            &format!("/api/v1/dispatches/{}/action", d2["id"]),
            &other,
            serde_json::json!({"action": "cancel"}),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn due_calendar_steps_become_one_dispatch_each() {
    use declic_storage::entity::campaign_step;
    use sea_orm::{ActiveModelTrait, Set};

    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    import(&app, &live.token, 6).await;
    register(&app, &live.link, "p1@acme.example", "P1", live.mission_id).await;
    confirm_from_mail(&app, "p1@acme.example").await;
    let store = &app.store;
    let today = chrono::Utc::now().date_naive();
    for (kind, days) in [
        ("launch", -1),
        ("reminder", 0),
        ("last_call", 1),
        ("mission_day", -1),
    ] {
        campaign_step::ActiveModel {
            campaign_id: Set(live.campaign_id),
            kind: Set(kind.into()),
            scheduled_on: Set(today + Duration::days(days)),
            note: Set(String::new()),
            ..Default::default()
        }
        .insert(store.db())
        .await
        .unwrap();
    }
    let org = OrgId(store.organization_by_slug("acme").await.unwrap().id);

    let created = store.dispatch_due_steps(today).await.unwrap();
    assert_eq!(
        created.len(),
        2,
        "the launch and today's reminder, not the mission day"
    );
    let launch = store.dispatch(org, created[0]).await.unwrap();
    let reminder = store.dispatch(org, created[1]).await.unwrap();
    assert_eq!(launch.total, 6);
    assert_eq!(reminder.total, 5, "the reminder leaves out who registered");
    // Ticks of two instances at once, and later ticks, create nothing more.
    let (a, b) = tokio::join!(
        store.dispatch_due_steps(today),
        store.dispatch_due_steps(today)
    );
    assert!(a.unwrap().is_empty() && b.unwrap().is_empty());
    // Tomorrow the last call is due.
    let tomorrow = store
        .dispatch_due_steps(today + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(tomorrow.len(), 1);
}

/// Runs `declic ARGS` on the test's database and returns (exit code, stdout, stderr).
/// The command runs on the blocking pool: waiting for it on the test's own thread would
/// stop the in-process server and delivery lane, and one of their write transactions
/// caught half-way would hold SQLite's lock until the command gave up ("database is
/// locked", seen in CI).
async fn run(app: &TestApp, args: &[&str]) -> (i32, String, String) {
    let mut command = crate::delivery_faults::command(app);
    command.args(args);
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_operator_previews_sends_pauses_resumes_and_follows_from_the_command_line() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    import(&app, &live.token, 12).await;
    register(&app, &live.link, "p1@acme.example", "P1", live.mission_id).await;
    confirm_from_mail(&app, "p1@acme.example").await;
    let cid = live.campaign_id.to_string();

    // Preview: the reminder as P3 gets it, and as a sample person in English.
    let (code, out, err) = run(
        &app,
        &[
            "dispatch",
            "preview",
            "--org",
            "acme",
            "--campaign",
            &cid,
            "--step",
            "reminder",
            "--email",
            "p3@acme.example",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("message: campaign_reminder (fr), audience now: 11"),
        "{out}"
    );
    assert!(out.contains("Bonjour P3"), "{out}{err}");
    assert!(out.contains("Atelier CV"), "the missions are listed: {out}");
    assert!(
        out.contains("/u/preview"),
        "no working unsubscribe link in a preview: {out}"
    );
    let (code, out, _) = run(
        &app,
        &[
            "dispatch",
            "preview",
            "--org",
            "acme",
            "--campaign",
            &cid,
            "--lang",
            "en",
        ],
    )
    .await;
    assert_eq!(code, 0);
    assert!(
        out.contains("message: campaign_announcement (en), audience now: 12"),
        "{out}"
    );
    let (code, _, err) = run(
        &app,
        &[
            "dispatch",
            "preview",
            "--org",
            "acme",
            "--campaign",
            &cid,
            "--step",
            "teaser",
        ],
    )
    .await;
    assert_eq!(code, 1);
    assert!(
        err.contains("step: use launch, reminder or last_call"),
        "{err}"
    );

    // Send the reminder without waiting: queued for the service.
    let (code, out, err) = run(
        &app,
        &[
            "dispatch",
            "send",
            "--org",
            "acme",
            "--campaign",
            &cid,
            "--step",
            "reminder",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("reminder mail to 11 recipients"), "{out}{err}");
    let id: String = out.split_whitespace().nth(1).unwrap().to_owned();
    let (_, out, err) = run(&app, &["dispatch", "pause", "--org", "acme", &id]).await;
    assert!(out.contains(": paused, 0/11 done"), "{out}{err}");
    // Paused: the worker leaves it alone.
    assert_eq!(
        declic_app::delivery_worker::deliver_due(&app.state)
            .await
            .unwrap(),
        0
    );
    let (_, out, err) = run(&app, &["dispatch", "resume", "--org", "acme", &id]).await;
    assert!(out.contains(": sending,"), "{out}{err}");
    declic::deliver(&app.state).await;
    let (code, out, _) = run(
        &app,
        &["dispatch", "status", "--org", "acme", &id, "--watch"],
    )
    .await;
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "(campaign 1, reminder, mail): finished, 11/11 done: queued 0 · sending 0 · sent 11"
        ),
        "{out}"
    );
    assert_eq!(app.mails_to("p3@acme.example").await.len(), 1);
    assert!(
        app.mails_to("p3@acme.example").await[0]
            .subject
            .contains("il reste des places")
    );
    // The registered colleague got no reminder.
    assert!(
        app.mails_to("p1@acme.example")
            .await
            .iter()
            .all(|m| !m.subject.contains("il reste des places"))
    );
    // The list, and finished dispatches refuse changes.
    let (_, out, err) = run(&app, &["dispatch", "status", "--org", "acme"]).await;
    assert!(out.starts_with(&format!("dispatch {id} ")), "{out}{err}");
    let (code, _, err) = run(&app, &["dispatch", "cancel", "--org", "acme", &id]).await;
    assert_eq!(code, 1);
    assert!(err.contains("this dispatch is over"), "{err}");

    // The reminder step of the calendar, if any, is now done: sending the launch
    // with --wait delivers from the command line, once.
    let (code, out, err) = run(
        &app,
        &[
            "dispatch",
            "send",
            "--org",
            "acme",
            "--campaign",
            &cid,
            "--wait",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("finished, 12/12 done"), "{out}{err}");
    assert_eq!(app.mails_to("p5@acme.example").await.len(), 2);
}

#[tokio::test]
async fn an_opt_out_or_an_erasure_after_the_audience_was_frozen_still_stops_the_mail() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    import(&app, &live.token, 5).await;
    let d = app
        .store
        .create_dispatch(org, live.campaign_id, "mail", false, &Actor::cli())
        .await
        .unwrap();
    assert_eq!(d.total, 5);
    let p1 = app
        .store
        .employee_by_email(org, "p1@acme.example")
        .await
        .unwrap();
    app.store.opt_out(org, p1.id, "mail").await.unwrap();
    app.store
        .erase_person(org, "p2@acme.example", &Actor::cli())
        .await
        .unwrap();
    declic::deliver(&app.state).await;
    let done = app.store.dispatch(org, d.id).await.unwrap();
    assert_eq!(done.status, status::FINISHED);
    assert_eq!(done.counts[delivery_status::SENT], 3);
    assert_eq!(done.counts[delivery_status::CANCELLED], 2);
    assert!(app.mails_to("p1@acme.example").await.is_empty());
    assert!(app.mails().await.iter().all(|m| !m.to.contains("erased")));
}

#[tokio::test]
async fn the_api_previews_any_step_and_sends_one_now() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    import(&app, &live.token, 3).await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let p0 = app
        .store
        .employee_by_email(org, "p0@acme.example")
        .await
        .unwrap();
    let viewer = app
        .token(
            org,
            "viewer@acme.example",
            declic_storage::admins::Role::Viewer,
        )
        .await;
    let base = format!("/api/v1/campaigns/{}", live.campaign_id);
    let p = crate::support::json(
        app.get(
            &format!(
                "{base}/preview?step=last_call&employee_id={}&lang=en",
                p0.id
            ),
            &viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(p["message"], "campaign_last_call");
    assert_eq!(p["language"], "en");
    assert_eq!(p["audience"], 3);
    assert!(
        p["subject"]
            .as_str()
            .unwrap()
            .starts_with("Last call: Printemps <solidaire>"),
        "{p}"
    );
    assert!(
        p["html"]
            .as_str()
            .unwrap()
            .contains("Printemps &lt;solidaire&gt;"),
        "escaped: {p}"
    );
    assert!(p["text"].as_str().unwrap().contains("Hello P0"), "{p}");
    let bad = crate::support::json(
        app.get(&format!("{base}/preview?lang=de"), &viewer).await,
        422,
    )
    .await;
    assert!(bad.to_string().contains("lang"), "{bad}");
    let bad = crate::support::json(
        app.get(&format!("{base}/preview?step=teaser"), &viewer)
            .await,
        422,
    )
    .await;
    assert!(bad.to_string().contains("step"), "{bad}");
    let other = app.org("globex", "globex.example").await;
    let outsider = app
        .token(
            other,
            "hr@globex.example",
            declic_storage::admins::Role::CampaignManager,
        )
        .await;
    crate::support::json(app.get(&format!("{base}/preview"), &outsider).await, 404).await;

    let d = crate::support::json(
        app.post(
            &format!("{base}/dispatches"),
            &live.token,
            serde_json::json!({"step": "last_call"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(d["step_kind"], "last_call");
    assert_eq!(d["total"], 3);
    declic::deliver(&app.state).await;
    assert!(
        app.mails_to("p1@acme.example").await[0]
            .subject
            .starts_with("Dernier appel")
    );
}

#[tokio::test]
async fn custom_templates_are_checked_when_saved_and_used_for_preview_and_sending() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    import(&app, &live.token, 2).await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let cid = live.campaign_id;
    let good = serde_json::json!({
        "subject": "{{campaign_title}} : à vous de jouer",
        "text": "{{> greeting_fr}}\n{{key_message}}\n{{campaign_url}}\nDésabonnement : {{manage_url}}\n",
        "html": "<p>{{key_message}}</p><p><a href=\"{{campaign_url}}\">Go</a></p><p><a href=\"{{manage_url}}\">Désabonnement</a></p>",
    });
    let put = |path: String, token: String, body: serde_json::Value| {
        let app = &app;
        async move {
            app.client
                .put(app.url(&path))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // Bad templates: each problem named by part; nothing stored.
    let mut bad = good.clone();
    bad["text"] = "{{#if salaire}}x{{/if}}".into();
    bad["html"] = "<p>{{{key_message}}}</p>{{manage_url}}".into();
    let res = put(
        "/api/v1/templates/campaign_announcement/fr".into(),
        live.token.clone(),
        bad,
    )
    .await;
    let problem = crate::support::json(res, 422).await.to_string();
    assert!(problem.contains("unknown variable `salaire`"), "{problem}");
    assert!(problem.contains("raw HTML"), "{problem}");
    assert!(
        problem.contains("\"text\"") && problem.contains("\"html\""),
        "{problem}"
    );
    let res = put(
        "/api/v1/templates/seat_confirmed/fr".into(),
        live.token.clone(),
        good.clone(),
    )
    .await;
    // A registration mail has no key message or campaign link to show.
    let problem = crate::support::json(res, 422).await.to_string();
    assert!(
        problem.contains("unknown variable `key_message`")
            && problem.contains("unknown variable `campaign_url`"),
        "{problem}"
    );
    let list = crate::support::json(app.get("/api/v1/templates", &live.token).await, 200).await;
    assert_eq!(list, serde_json::json!([]));

    // Who may: a viewer may not; another organisation's campaign is not found.
    let viewer = app
        .token(
            org,
            "viewer@acme.example",
            declic_storage::admins::Role::Viewer,
        )
        .await;
    let res = put(
        "/api/v1/templates/campaign_announcement/fr".into(),
        viewer,
        good.clone(),
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = put(
        format!(
            "/api/v1/templates/campaign_announcement/fr?campaign_id={}",
            cid + 1000
        ),
        live.token.clone(),
        good.clone(),
    )
    .await;
    assert_eq!(res.status(), 404);

    // Organisation-wide, then the campaign's own wins.
    let res = put(
        "/api/v1/templates/campaign_announcement/fr".into(),
        live.token.clone(),
        good.clone(),
    )
    .await;
    crate::support::json(res, 200).await;
    let mut own = good.clone();
    own["subject"] = "Spécial {{campaign_title}}".into();
    let res = put(
        format!("/api/v1/templates/campaign_announcement/fr?campaign_id={cid}"),
        live.token.clone(),
        own,
    )
    .await;
    crate::support::json(res, 200).await;
    let p = crate::support::json(
        app.get(&format!("/api/v1/campaigns/{cid}/preview"), &live.token)
            .await,
        200,
    )
    .await;
    assert_eq!(p["subject"], "Spécial Printemps <solidaire>");
    assert!(p["html"].as_str().unwrap().contains("/u/preview"), "{p}");

    let d = crate::support::json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/dispatches"),
            &live.token,
            serde_json::json!({}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(d["total"], 2);
    declic::deliver(&app.state).await;
    let mail = app.mails_to("p0@acme.example").await.pop().unwrap();
    assert_eq!(mail.subject, "Spécial Printemps <solidaire>");
    assert!(mail.text.contains("Désabonnement : http"), "{}", mail.text);
    assert!(
        mail.html.contains("Printemps &lt;solidaire&gt;") || !mail.html.contains("<solidaire>")
    );

    // Removing the campaign's own goes back to the organisation's.
    let res = app
        .client
        .delete(app.url(&format!(
            "/api/v1/templates/campaign_announcement/fr?campaign_id={cid}"
        )))
        .bearer_auth(&live.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let p = crate::support::json(
        app.get(&format!("/api/v1/campaigns/{cid}/preview"), &live.token)
            .await,
        200,
    )
    .await;
    assert_eq!(p["subject"], "Printemps <solidaire> : à vous de jouer");
    let list = crate::support::json(app.get("/api/v1/templates", &live.token).await, 200).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}
