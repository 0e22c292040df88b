//! Export and erasure of a person's data, and the schema guard that keeps them complete.

use std::collections::BTreeSet;

use declic_storage::OrgId;
use declic_storage::admins::Role;
use declic_storage::privacy::{COLUMNS, Class};
use declic_storage::retention::Removed;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

use crate::support::{TestApp, json};

async fn live_schema(app: &TestApp) -> BTreeSet<(String, String)> {
    let db = app.store.db();
    let sql = match app.store.backend() {
        DbBackend::Postgres => "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns WHERE table_schema = 'public'".to_owned(),
        _ => "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'".to_owned(),
    };
    db.query_all_raw(Statement::from_string(app.store.backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.try_get::<String>("", "t").unwrap(),
                r.try_get::<String>("", "c").unwrap(),
            )
        })
        .filter(|(t, _)| t != "seaql_migrations")
        .collect()
}

#[tokio::test]
async fn every_column_is_classified_for_export_and_erasure() {
    let app = TestApp::spawn().await;
    let live = live_schema(&app).await;
    let classified: BTreeSet<(String, String)> = COLUMNS
        .iter()
        .flat_map(|(t, cols)| {
            cols.iter()
                .map(move |(c, _)| ((*t).to_owned(), (*c).to_owned()))
        })
        .collect();
    let unclassified: Vec<_> = live.difference(&classified).collect();
    assert!(
        unclassified.is_empty(),
        "columns not classified in declic_storage::privacy::COLUMNS (decide whether export/erasure must cover them): {unclassified:?}"
    );
    let stale: Vec<_> = classified.difference(&live).collect();
    assert!(
        stale.is_empty(),
        "classified columns that no longer exist: {stale:?}"
    );
}

#[tokio::test]
async fn export_then_erase_a_person() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let owner = app.token(org, "hr@acme.example", Role::Owner).await;
    let csv = "email,first name,last name,department,site,language,manager email\n\
               marie.curie@acme.example,Marie,Curie,R&D,Paris,fr,boss@acme.example\n\
               pierre@acme.example,Pierre,Curie,R&D,Paris,fr,marie.curie@acme.example\n";
    app.import_csv(&owner, csv).await;
    // Marie is also an admin who did something.
    let marie_token = app
        .token(org, "marie.curie@acme.example", Role::CampaignManager)
        .await;
    json(
        app.post(
            "/api/v1/campaigns",
            &marie_token,
            json!({"title": "Spring campaign"}),
        )
        .await,
        201,
    )
    .await;

    let export = json(
        app.post(
            "/api/v1/privacy/export",
            &owner,
            json!({"email": "Marie.Curie@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(export["employee"]["first_name"], "Marie");
    assert_eq!(export["employee"]["manager_email"], "boss@acme.example");
    assert_eq!(
        export["admin_accounts"][0]["email"],
        "marie.curie@acme.example"
    );
    let actions: Vec<&str> = export["audit_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"campaign.create") && actions.contains(&"admin.create"),
        "{actions:?}"
    );

    let manager = app
        .token(org, "cm@acme.example", Role::CampaignManager)
        .await;
    json(
        app.post(
            "/api/v1/privacy/erase",
            &manager,
            json!({"email": "marie.curie@acme.example"}),
        )
        .await,
        403,
    )
    .await;
    let report = json(
        app.post(
            "/api/v1/privacy/erase",
            &owner,
            json!({"email": "marie.curie@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(report["employee_erased"], true);
    assert_eq!(report["admin_accounts_erased"], 1);

    // Her token stopped working; no subject column anywhere still holds her data.
    json(app.get("/api/v1/campaigns", &marie_token).await, 401).await;
    for (table, cols) in COLUMNS {
        for (col, class) in cols.iter() {
            if *class != Class::Subject {
                continue;
            }
            let sql = format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE CAST({col} AS TEXT) LIKE '%marie%' OR CAST({col} AS TEXT) LIKE '%Marie%'"
            );
            let row = app
                .store
                .db()
                .query_one_raw(Statement::from_string(app.store.backend(), sql))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                row.try_get::<i64>("", "n").unwrap(),
                0,
                "{table}.{col} still names her"
            );
        }
    }
    // Counts and history stay: two employees, the campaign, the audit entries.
    let page = json(app.get("/api/v1/employees", &owner).await, 200).await;
    assert_eq!(
        page["total"], 1,
        "the erased person no longer appears in the directory"
    );
    let pierre = &page["items"][0];
    assert_eq!(pierre["manager_email"], json!(null));
    assert_eq!(
        json(app.get("/api/v1/campaigns", &owner).await, 200)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    json(
        app.post(
            "/api/v1/privacy/export",
            &owner,
            json!({"email": "marie.curie@acme.example"}),
        )
        .await,
        404,
    )
    .await;
    let log = json(app.get("/api/v1/audit?limit=100", &owner).await, 200).await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "person.erase")
    );

    // The next directory file still lists her: she is not brought back, and HR sees why.
    let res = app.import_csv(&owner, csv).await;
    let summary = json(res, 200).await;
    assert_eq!(summary["inserted"], 0, "{summary}");
    assert_eq!(summary["rejected"][0]["line"], 2, "{summary}");
    assert_eq!(
        summary["rejected"][0]["reason"]["code"], "erased_on_request",
        "{summary}"
    );
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(
        summary["rejected"][0]["reason"]["detail"],
        today.as_str(),
        "{summary}"
    );
    let page = json(app.get("/api/v1/employees", &owner).await, 200).await;
    assert_eq!(page["total"], 1, "still only Pierre");
    // Only a hash of the address is kept for that.
    let rows = app
        .store
        .db()
        .query_one_raw(Statement::from_string(
            app.store.backend(),
            "SELECT COUNT(*) AS n FROM erased_addresses WHERE address_hash LIKE '%marie%'"
                .to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rows.try_get::<i64>("", "n").unwrap(), 0);

    // She comes back: an owner lifts it (a manager may not), and the file brings her in.
    let allow = |token: &str| {
        app.client
            .post(app.url("/api/v1/privacy/allow-again"))
            .bearer_auth(token)
            .json(&json!({"email": "marie.curie@acme.example"}))
            .send()
    };
    assert_eq!(allow(&manager).await.unwrap().status(), 403);
    assert_eq!(allow(&owner).await.unwrap().status(), 204);
    json(allow(&owner).await.unwrap(), 404).await;
    let res = app.import_csv(&owner, csv).await;
    let summary = json(res, 200).await;
    assert_eq!(summary["inserted"], 1, "{summary}");
    let log = json(app.get("/api/v1/audit", &owner).await, 200).await;
    assert!(log.to_string().contains("person.allow_again"), "{log}");
}

#[tokio::test]
async fn one_click_unsubscribe_records_an_opt_out_that_export_and_erasure_keep() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let owner = app.token(org, "hr@acme.example", Role::Owner).await;
    let csv = "email,first name,last name\nmarie.curie@acme.example,Marie,Curie\n";
    app.import_csv(&owner, csv).await;
    let marie = app
        .store
        .employee_by_email(org, "marie.curie@acme.example")
        .await
        .unwrap();
    let url = declic_app::links::unsubscribe_url(&app.state, org, marie.id, "mail");
    assert!(url.starts_with(&format!("{}/u/", app.base)));

    // Opening the link (a person, or a mail scanner) changes nothing.
    let page = app.client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("method=\"post\""));
    assert!(!app.store.is_opted_out(org, marie.id, "mail").await.unwrap());

    // The mail client's one-click POST (RFC 8058) records it at once, and again is harmless.
    for _ in 0..2 {
        let res = app
            .client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    assert!(app.store.is_opted_out(org, marie.id, "mail").await.unwrap());

    // A tampered or truncated token, or another person's id under this signature: nothing.
    let tampered = format!("{}0", &url[..url.len() - 1]);
    let swapped = url.replacen(
        &format!("-{}-", marie.id),
        &format!("-{}-", marie.id + 1),
        1,
    );
    for bad in [tampered, swapped, format!("{}/u/1-1-mail-00", app.base)] {
        let res = app.client.post(&bad).send().await.unwrap();
        assert_eq!(res.status(), 404, "{bad}");
    }

    let export = json(
        app.post(
            "/api/v1/privacy/export",
            &owner,
            json!({"email": "marie.curie@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(export["opt_outs"][0]["channel"], "mail");

    // She changes her mind, then opts out again; erasure keeps her out of audiences.
    let res = app
        .client
        .post(format!("{url}/resubscribe"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(!app.store.is_opted_out(org, marie.id, "mail").await.unwrap());
    app.client.post(&url).send().await.unwrap();
    json(
        app.post(
            "/api/v1/privacy/erase",
            &owner,
            json!({"email": "marie.curie@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    assert!(app.store.is_opted_out(org, marie.id, "mail").await.unwrap());
}

#[tokio::test]
async fn erasure_takes_what_hr_wrote_about_the_person_out_of_the_audit_log() {
    let app = TestApp::spawn().await;
    let live = crate::registration::live_campaign(&app, 3, "Atelier").await;
    let org = declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let owner = app.token(org, "owner@acme.example", Role::Owner).await;
    crate::registration::register(&app, &live.link, "zoe@acme.example", "Zoé", live.mission_id)
        .await;
    crate::registration::confirm_from_mail(&app, "zoe@acme.example").await;
    let regs = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &owner,
        )
        .await,
        200,
    )
    .await;
    let choice = regs[0]["choices"][0]["choice_id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/registration-choices/{choice}/move"),
            &owner,
            json!({"action": "cancel", "reason": "back surgery in May"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let log = json(app.get("/api/v1/audit?limit=100", &owner).await, 200).await;
    assert!(log.to_string().contains("back surgery"), "recorded first");
    json(
        app.post(
            "/api/v1/privacy/erase",
            &owner,
            json!({"email": "zoe@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    let log = json(app.get("/api/v1/audit?limit=100", &owner).await, 200).await;
    assert!(!log.to_string().contains("surgery"), "{log}");
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "registration.move"),
        "what happened stays: {log}"
    );
}

#[tokio::test]
async fn addresses_of_old_messages_are_forgotten_and_counts_stay() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let live = crate::registration::live_campaign(&app, 3, "Atelier").await;
    let org = declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let owner = app.token(org, "owner@acme.example", Role::Owner).await;
    let res = app
        .import_csv(
            &owner,
            "email,first name,last name\nyves@acme.example,Yves,Roy\n",
        )
        .await;
    assert_eq!(res.status(), 200);
    crate::registration::register(&app, &live.link, "zoe@acme.example", "Zoé", live.mission_id)
        .await;
    crate::registration::confirm_from_mail(&app, "zoe@acme.example").await;
    let d = json(
        app.post(
            &format!("/api/v1/campaigns/{}/dispatches", live.campaign_id),
            &owner,
            json!({"channel": "mail"}),
        )
        .await,
        201,
    )
    .await;
    declic_app::delivery_worker::deliver_due(&app.state)
        .await
        .unwrap();
    app.settle_messages().await;
    let count = |sql: &'static str| {
        let app = &app;
        async move {
            app.store
                .db()
                .query_one_raw(Statement::from_string(app.store.backend(), sql.to_owned()))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap()
        }
    };
    let mine = "SELECT COUNT(*) AS n FROM messages WHERE recipient LIKE '%zoe%'";
    let theirs = "SELECT COUNT(*) AS n FROM deliveries WHERE recipient LIKE '%yves%'";
    assert!(count(mine).await > 0 && count(theirs).await > 0);
    // Within the retention period (90 days by default), the job keeps everything.
    let report = declic_app::retention::run(&app.state, false).await.unwrap();
    assert_eq!(Removed::rows_of(&report, "message_history"), 0);
    assert_eq!(Removed::rows_of(&report, "delivery_addresses"), 0);
    // Past it, the addresses go; the campaign's counts stay.
    let (messages, deliveries) = app
        .store
        .purge_message_history(chrono::Utc::now() + chrono::Duration::minutes(1), false)
        .await
        .unwrap();
    assert!(messages >= 2 && deliveries >= 1, "{messages} {deliveries}");
    assert_eq!(count(mine).await, 0);
    assert_eq!(count(theirs).await, 0);
    let after = app
        .store
        .dispatch(org, d["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert!(
        after.counts[declic_storage::dispatches::delivery_status::SENT] >= 1,
        "{after:?}"
    );
}

#[tokio::test]
async fn people_who_left_long_ago_are_erased_and_may_come_back() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let owner = app.token(org, "hr@acme.example", Role::Owner).await;
    let import = |csv: &'static str| app.import_csv(&owner, csv);
    let csv =
        "email,first name,last name\nyves@acme.example,Yves,Roy\nxavier@acme.example,Xavier,Roy\n";
    json(import(csv).await, 200).await;
    let yves = app
        .store
        .employee_by_email(org, "yves@acme.example")
        .await
        .unwrap();
    json(
        app.post(
            &format!("/api/v1/employees/{}/deactivate", yves.id),
            &owner,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    // Within the period (365 days by default), nothing happens.
    let report = declic_app::retention::run(&app.state, false).await.unwrap();
    assert_eq!(Removed::rows_of(&report, "departed_people"), 0);
    // Past it, Yves is erased; Xavier, still here, is not.
    let n = app
        .store
        .erase_departed(chrono::Utc::now() + chrono::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert!(
        app.store
            .employee_by_email(org, "yves@acme.example")
            .await
            .is_err()
    );
    assert!(
        app.store
            .employee_by_email(org, "xavier@acme.example")
            .await
            .is_ok()
    );
    let log = json(app.get("/api/v1/audit?limit=100", &owner).await, 200).await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "person.erase_after_departure"),
        "{log}"
    );
    // Hired again: the directory brings him back like anyone new.
    let summary = json(
        import("email,first name,last name\nyves@acme.example,Yves,Roy\n").await,
        200,
    )
    .await;
    assert_eq!(summary["inserted"], 1, "{summary}");
}

/// `[retention]`: a dry run lists what is past its period and changes nothing; the run
/// removes exactly that; a second run finds nothing; what is within its period stays.
#[tokio::test]
async fn retention_dry_run_lists_and_the_run_removes_what_is_past_its_period() {
    let app = TestApp::spawn().await;
    let live = crate::registration::live_campaign(&app, 5, "Atelier").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let owner = app.token(org, "boss@acme.example", Role::Owner).await;
    let db = app.store.db();
    let ago = |days: i64| {
        (chrono::Utc::now() - chrono::Duration::days(days))
            .format("%Y-%m-%d %H:%M:%S%.6f%:z")
            .to_string()
    };
    let exec = move |sql: String| async move { db.execute_unprepared(&sql).await.unwrap() };
    let store = &app.store;
    let count = move |sql: &'static str| async move {
        db.query_one_raw(Statement::from_string(store.backend(), sql))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap()
    };
    // Past their periods: audit entries of 400 days (365 by default), a token revoked
    // 40 days ago (30), visit counts of three years ago (730), someone who left 400
    // days ago (365). Within them: today's audit entries, a token revoked yesterday,
    // yesterday's visits, the rest of the directory.
    let csv = "email,first name,last name\nold@acme.example,Olga,Old\nnew@acme.example,Nina,New\n";
    let res = app.import_csv(&owner, csv).await;
    json(res, 200).await;
    let old = app
        .store
        .employee_by_email(org, "old@acme.example")
        .await
        .unwrap();
    json(
        app.post(
            &format!("/api/v1/employees/{}/deactivate", old.id),
            &owner,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    exec(format!(
        "UPDATE employees SET deactivated_at = '{}' WHERE id = {}",
        ago(400),
        old.id
    ))
    .await;
    let audit_before = count("SELECT COUNT(*) AS n FROM audit_events").await;
    exec(format!(
        "UPDATE audit_events SET created_at = '{}' WHERE id IN (SELECT id FROM audit_events ORDER BY id LIMIT 2)",
        ago(400)
    ))
    .await;
    for (name, revoked) in [("stale", ago(40)), ("recent", ago(1))] {
        let t = json(
            app.post(
                "/api/v1/tokens",
                &owner,
                json!({"name": name, "valid_days": 90}),
            )
            .await,
            201,
        )
        .await;
        exec(format!(
            "UPDATE credentials SET revoked_at = '{revoked}' WHERE id = {}",
            t["id"]
        ))
        .await;
    }
    let link = live.link.rsplit('/').next().unwrap().to_owned();
    for (day, visits) in [(ago(1100), 7), (ago(1), 3)] {
        exec(format!(
            "INSERT INTO link_visits (link_id, day, visits) SELECT id, '{}', {visits} FROM campaign_links WHERE code = '{link}'",
            &day[..10]
        ))
        .await;
    }
    let tables = [
        "SELECT COUNT(*) AS n FROM audit_events",
        "SELECT COUNT(*) AS n FROM credentials",
        "SELECT COUNT(*) AS n FROM link_visits",
        "SELECT COUNT(*) AS n FROM employees WHERE erased_at IS NULL",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(t).await);
    }

    let dry = declic_app::retention::run(&app.state, true).await.unwrap();
    for (key, rows) in [
        ("audit_log", 2),
        ("credentials", 1),
        ("visit_counts", 1),
        ("departed_people", 1),
    ] {
        assert_eq!(Removed::rows_of(&dry, key), rows, "{key}: {dry:?}");
    }
    let mut same = Vec::new();
    for t in tables {
        same.push(count(t).await);
    }
    assert_eq!(same, before, "a dry run changes nothing");

    let done = declic_app::retention::run(&app.state, false).await.unwrap();
    for key in [
        "audit_log",
        "credentials",
        "visit_counts",
        "departed_people",
    ] {
        assert_eq!(
            Removed::rows_of(&done, key),
            Removed::rows_of(&dry, key),
            "{key}: the run removes what the dry run listed"
        );
    }
    assert_eq!(count(tables[1]).await, before[1] - 1);
    assert_eq!(count(tables[2]).await, before[2] - 1);
    assert_eq!(count(tables[3]).await, before[3] - 1);
    // The audit log lost its two old entries and gained the erasure's own.
    assert!(count(tables[0]).await >= audit_before - 2);
    assert!(
        app.store
            .employee_by_email(org, "old@acme.example")
            .await
            .is_err()
    );
    assert!(
        app.store
            .employee_by_email(org, "new@acme.example")
            .await
            .is_ok()
    );
    // The owner's token still works; nothing is left to remove.
    json(app.get("/api/v1/organization", &owner).await, 200).await;
    let again = declic_app::retention::run(&app.state, false).await.unwrap();
    for key in [
        "audit_log",
        "credentials",
        "visit_counts",
        "departed_people",
    ] {
        assert_eq!(Removed::rows_of(&again, key), 0, "{key}");
    }
    // One kind that cannot be applied does not stop the others: it is reported.
    exec("DROP TABLE link_visits".to_owned()).await;
    exec(format!(
        "UPDATE audit_events SET created_at = '{}'",
        ago(400)
    ))
    .await;
    let partly = declic_app::retention::run(&app.state, false).await.unwrap();
    let visits = partly.iter().find(|r| r.key == "visit_counts").unwrap();
    assert!(visits.error.is_some(), "{partly:?}");
    let audit = partly.iter().find(|r| r.key == "audit_log").unwrap();
    assert!(audit.error.is_none() && audit.rows > 0, "{partly:?}");
    assert_eq!(
        partly.iter().filter(|r| r.error.is_some()).count(),
        1,
        "{partly:?}"
    );
}

/// Every file under `dir` (recursively) that contains `needle`.
fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if std::fs::read(&path)
            .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        {
            found.push(path.display().to_string());
        }
    }
    found
}

/// After an erasure, no table holds the address, and on SQLite no file either: not the
/// database (freed pages are zeroed), not its write-ahead log, not the outbox's mails.
/// An association's contact is taken out of the contact list too.
#[tokio::test]
async fn after_an_erasure_no_table_or_file_holds_the_address() {
    let app = TestApp::spawn().await;
    let live = crate::registration::live_campaign(&app, 5, "Atelier").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let owner = app.token(org, "boss@acme.example", Role::Owner).await;
    let res = app
        .client
        .post(format!("{}/register", live.link))
        .form(&[
            ("email", "zoe.secret@acme.example"),
            ("first_name", "Zoé"),
            ("last_name", "Secret"),
            ("choice_1", &live.mission_id.to_string()),
            ("duo_email", "hugo.partner@acme.example"),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    crate::registration::confirm_from_mail(&app, "zoe.secret@acme.example").await;
    // Her export: the consent and confirmation times; her colleague only as "a colleague";
    // and the export itself is in the audit log.
    let export = json(
        app.post(
            "/api/v1/privacy/export",
            &owner,
            json!({"email": "zoe.secret@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    let consent = &export["consents"][0];
    assert!(
        consent["consented_at"].is_string() && consent["confirmed_at"].is_string(),
        "{export}"
    );
    assert_eq!(
        export["registrations"][0]["duo_invitee_email"],
        "a colleague"
    );
    assert!(!export.to_string().contains("hugo.partner"), "{export}");
    assert!(export["deliveries"].is_array());
    let log = json(app.get("/api/v1/audit", &owner).await, 200).await;
    assert!(log.to_string().contains("person.export"), "{log}");
    json(
        app.patch(
            &format!("/api/v1/associations/{}", live.association_id),
            &live.token,
            json!({"contacts": [
                {"name": "Carla Secret", "email": "carla.secret@asso.example", "phone": "+33 6 12 34 56 78"},
                {"name": "Paul Stays", "email": "paul@asso.example"}
            ]}),
        )
        .await,
        200,
    )
    .await;
    assert!(!app.mails_to("zoe.secret@acme.example").await.is_empty());
    if !app.db.is_postgres() {
        // The scan finds her before: in the database or its log, and in the outbox.
        let before = files_holding(app.db.dir.path(), "zoe.secret");
        assert!(before.iter().any(|f| f.ends_with(".eml")), "{before:?}");
        assert!(before.iter().any(|f| f.contains("test.db")), "{before:?}");
    }
    for email in ["zoe.secret@acme.example", "carla.secret@asso.example"] {
        json(
            app.post("/api/v1/privacy/erase", &owner, json!({"email": email}))
                .await,
            200,
        )
        .await;
    }
    let a = json(
        app.get(
            &format!("/api/v1/associations/{}", live.association_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(a["contacts"].as_array().unwrap().len(), 1, "{a}");
    assert_eq!(a["contacts"][0]["email"], "paul@asso.example");
    // Every text of every table.
    for (table, cols) in COLUMNS {
        for (col, _) in cols.iter() {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE CAST({col} AS TEXT) LIKE '%zoe.secret%' OR CAST({col} AS TEXT) LIKE '%carla.secret%' OR CAST({col} AS TEXT) LIKE '%Carla Secret%'"
            );
            let n = app
                .store
                .db()
                .query_one_raw(Statement::from_string(app.store.backend(), sql))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap();
            assert_eq!(n, 0, "{table}.{col} still holds an erased address");
        }
    }
    if !app.db.is_postgres() {
        for needle in ["zoe.secret", "carla.secret", "Carla Secret"] {
            let files = files_holding(app.db.dir.path(), needle);
            assert!(files.is_empty(), "{needle} still in {files:?}");
        }
    }
}

/// The organisation's information notice: in both languages, with the retention periods
/// in force and the contact HR set; linked from the sign-up form, the personal page and
/// every mail.
#[tokio::test]
async fn the_information_notice_is_linked_from_every_collecting_page_and_mail() {
    let app = TestApp::spawn().await;
    let live = crate::registration::live_campaign(&app, 5, "Atelier").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let owner = app.token(org, "boss@acme.example", Role::Owner).await;
    // The contact HR sets (a control character is refused, naming the field).
    let p = json(
        app.patch(
            "/api/v1/organization",
            &owner,
            json!({"privacy_contact": "dpo@acme\u{7}.example"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(crate::support::problem_fields(&p), ["privacy_contact"]);
    let o = json(
        app.patch(
            "/api/v1/organization",
            &owner,
            json!({"privacy_contact": "dpo@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(o["privacy_contact"], "dpo@acme.example");
    for (lang, title, days) in [
        ("fr", "Vos données personnelles", "90 jours"),
        ("en", "Your personal data", "90 days"),
    ] {
        let page = app
            .client
            .get(app.url(&format!("/privacy/acme?lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        for needle in [title, days, "365", "dpo@acme.example", "acme Inc"] {
            assert!(html.contains(needle), "{lang}: {needle} missing");
        }
    }
    assert_eq!(
        app.client
            .get(app.url("/privacy/nobody"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // The sign-up form links to it, above its button.
    let form = app
        .client
        .get(&live.link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("href=\"/privacy/acme?lang"), "sign-up form");
    // So does every mail, whatever its wording, and the personal page.
    crate::registration::register(&app, &live.link, "lea@acme.example", "Léa", live.mission_id)
        .await;
    let manage = crate::registration::confirm_from_mail(&app, "lea@acme.example").await;
    let mails = app.mails_to("lea@acme.example").await;
    assert!(mails.len() >= 2, "{mails:?}");
    for m in &mails {
        assert!(m.text.contains("/privacy/acme?lang="), "{}", m.subject);
        assert!(m.html.contains("/privacy/acme?lang="), "{}", m.subject);
    }
    let page = app
        .client
        .get(&manage)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("href=\"/privacy/acme?lang"), "personal page");
    // The ambassadors' sign-in form knows no organisation yet: it says what the address
    // is used for, in both languages.
    for (lang, needle) in [
        ("fr", "sert seulement à vous envoyer"),
        ("en", "only used to send you"),
    ] {
        let page = app
            .client
            .get(app.url(&format!("/a/sign-in?lang={lang}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(needle), "{lang}");
    }
}
