//! Directory import over the API: encodings, rejected lines, idempotence, deactivation.

use declic_storage::admins::Role;
use serde_json::json;

use crate::support::{TestApp, json};

async fn import(app: &TestApp, token: &str, body: Vec<u8>, dry_run: bool) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/employees/import?dry_run={dry_run}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

const FRENCH_EXCEL: &str = "Prénom;Nom;Adresse e-mail;Département;Site;Langue\r\n\
Élodie;Lefèvre;elodie.lefevre@acme.example;Finance;Paris;Français\r\n\
François;Müller;FRANCOIS.MULLER@acme.example;Informatique;Lyon;en\r\n\
Mallory;Intruder;mallory@evil.example;Finance;Paris;fr\r\n\
Zoé;Duplicate;elodie.lefevre@acme.example;Finance;Paris;fr\r\n\
Noël;\"Dupont\r\nde la Tour\";noel@acme.example;RH;Nantes;fr\r\n\
Bad;Email;not-an-email;RH;Nantes;fr\r\n";

#[tokio::test]
async fn french_excel_file_imports_with_line_numbered_rejections() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;

    // Dry run first: a full report, nothing written.
    let dry = json(
        import(&app, &token, windows_1252(FRENCH_EXCEL), true).await,
        200,
    )
    .await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["inserted"], 3);
    assert_eq!(dry["encoding"], "windows-1252");
    assert_eq!(dry["separator"], ";");
    assert_eq!(
        json(app.get("/api/v1/employees", &token).await, 200).await["total"],
        0
    );

    let summary = json(
        import(&app, &token, windows_1252(FRENCH_EXCEL), false).await,
        200,
    )
    .await;
    assert_eq!(summary["inserted"], 3);
    let rejected: Vec<(i64, String)> = summary["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_i64().unwrap(),
                r["reason"]["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        vec![
            (4, "foreign_domain".into()),
            (5, "duplicate_in_file".into()),
            (8, "invalid_email".into())
        ],
        "{summary}"
    );

    let page = json(app.get("/api/v1/employees?search=lef", &token).await, 200).await;
    assert_eq!(page["total"], 1);
    let elodie = &page["items"][0];
    assert_eq!(elodie["first_name"], "Élodie");
    assert_eq!(elodie["language"], "fr");
    let page = json(
        app.get("/api/v1/employees?search=francois.muller", &token)
            .await,
        200,
    )
    .await;
    assert_eq!(page["items"][0]["email"], "francois.muller@acme.example");
    let page = json(app.get("/api/v1/employees?search=tour", &token).await, 200).await;
    assert_eq!(page["items"][0]["last_name"], "Dupont de la Tour");

    // The same file again changes nothing.
    let again = json(
        import(&app, &token, windows_1252(FRENCH_EXCEL), false).await,
        200,
    )
    .await;
    assert_eq!(
        (
            again["inserted"].as_i64(),
            again["updated"].as_i64(),
            again["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(3))
    );

    // A changed site is an update, and upsert is by case-insensitive email.
    let changed =
        "email,first name,last name,site\nElodie.Lefevre@ACME.example,Élodie,Lefèvre,Lille\n";
    let upd = json(
        import(&app, &token, changed.as_bytes().to_vec(), false).await,
        200,
    )
    .await;
    assert_eq!(upd["updated"], 1);
    let facets = json(app.get("/api/v1/employees/facets", &token).await, 200).await;
    assert!(
        facets["sites"]
            .as_array()
            .unwrap()
            .contains(&json!("Lille"))
    );
}

#[tokio::test]
async fn deactivated_employees_keep_their_history() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let file = b"\xEF\xBB\xBFemail,first name,last name\nann@acme.example,Ann,Lee\nbob@acme.example,Bob,Ray\n".to_vec();
    json(import(&app, &token, file.clone(), false).await, 200).await;
    let ann =
        json(app.get("/api/v1/employees?search=ann", &token).await, 200).await["items"][0].clone();
    let id = ann["id"].as_i64().unwrap();
    let off = json(
        app.post(
            &format!("/api/v1/employees/{id}/deactivate"),
            &token,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(off["active"], false);
    assert!(off["deactivated_at"].is_string());
    assert_eq!(
        json(app.get("/api/v1/employees?active=true", &token).await, 200).await["total"],
        1
    );
    assert_eq!(
        json(app.get("/api/v1/employees?active=false", &token).await, 200).await["total"],
        1
    );
    // Back in the HRIS export: active again.
    let again = json(import(&app, &token, file, false).await, 200).await;
    assert_eq!(again["reactivated"], 1);
    assert_eq!(
        json(
            app.get(&format!("/api/v1/employees/{id}"), &token).await,
            200
        )
        .await["active"],
        true
    );
}

#[tokio::test]
async fn unusable_files_are_clear_errors() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let p = json(
        import(&app, &token, b"name;site\nAnn;Paris\n".to_vec(), false).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "file");
    assert!(p["detail"].as_str().unwrap().contains("email"), "{p}");
    json(import(&app, &token, Vec::new(), false).await, 422).await;
    let viewer = app.token(org, "v@acme.example", Role::Viewer).await;
    json(
        import(
            &app,
            &viewer,
            b"email,first name,last name\n".to_vec(),
            false,
        )
        .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn concurrent_imports_never_duplicate_an_employee() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let mut csv = String::from("email,first name,last name\n");
    for i in 0..300 {
        csv.push_str(&format!("p{i}@acme.example,P{i},Person\n"));
    }
    let (a, b) = tokio::join!(
        import(&app, &token, csv.clone().into_bytes(), false),
        import(&app, &token, csv.clone().into_bytes(), false)
    );
    // Either both succeed or one is told to retry; never a duplicate, never a 500.
    for r in [a, b] {
        assert!(
            matches!(r.status().as_u16(), 200 | 409 | 503),
            "{}",
            r.status()
        );
    }
    assert_eq!(
        json(app.get("/api/v1/employees", &token).await, 200).await["total"],
        300
    );
}

/// Row `i` of a generated directory file, edition 1 or 2: `[first name, department, site,
/// language, manager email]`, empty for an empty cell. Edition 2 changes every odd row
/// (optional fields cleared and filled, a name, a site, a manager) and keeps the even ones.
fn generated_row(i: usize, edition: u8) -> [String; 5] {
    let changed = edition == 2 && i % 2 == 1;
    let first = if changed && i % 8 == 7 {
        format!("Zoë{i}")
    } else {
        format!("Zoé{i}")
    };
    let department = match (i.is_multiple_of(3), changed) {
        (true, false) | (false, true) => String::new(),
        (true, true) => "Nouveau".to_owned(),
        (false, false) => format!("Dépt {}", i % 7),
    };
    let site = if changed && i % 4 == 1 {
        "Lille"
    } else {
        "Lyon"
    };
    let language = if i.is_multiple_of(5) { "" } else { "fr" };
    let manager = if changed && i % 6 == 3 {
        "boss@acme.example"
    } else {
        ""
    };
    [
        first,
        department,
        site.into(),
        language.into(),
        manager.into(),
    ]
}

fn generated_directory(rows: usize, edition: u8) -> declic_directory::ParsedDirectory {
    let mut csv = String::from("email;first name;last name;department;site;language;manager\n");
    for i in 0..rows {
        let [first, department, site, language, manager] = generated_row(i, edition);
        csv.push_str(&format!(
            "p{i}@acme.example;{first};Nom;{department};{site};{language};{manager}\n"
        ));
    }
    declic_directory::parse_directory(csv.as_bytes(), &["acme.example".to_owned()]).unwrap()
}

/// Everyone in the directory, by email.
async fn directory_by_email(
    store: &declic_storage::Store,
    org: declic_storage::OrgId,
) -> std::collections::HashMap<String, declic_storage::employees::Employee> {
    let mut all = std::collections::HashMap::new();
    loop {
        let q = declic_storage::employees::EmployeeQuery {
            limit: 1000,
            offset: all.len() as u64,
            ..Default::default()
        };
        let (page, total) = store.employees(org, &q).await.unwrap();
        all.extend(page.into_iter().map(|e| (e.email.clone(), e)));
        if all.len() as u64 >= total {
            return all;
        }
    }
}

#[tokio::test]
async fn reimport_with_half_the_rows_changed_writes_exactly_those() {
    const ROWS: usize = 4_500; // several insert batches on SQLite
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let (store, actor) = (&app.store, declic_storage::Actor::cli());
    let first = store
        .import_employees(org, &generated_directory(ROWS, 1), false, &actor)
        .await
        .unwrap();
    assert_eq!(
        (first.inserted, first.updated, first.unchanged),
        (ROWS as u64, 0, 0)
    );
    // Two unchanged rows and one changed row left the company and come back.
    for i in [10, 12, 11] {
        let id = store
            .employee_by_email(org, &format!("p{i}@acme.example"))
            .await
            .unwrap()
            .id;
        store
            .set_employee_active(org, id, false, &actor)
            .await
            .unwrap();
    }
    let before = directory_by_email(store, org).await;
    let second = generated_directory(ROWS + 50, 2);

    let counts = |s: &declic_storage::employees::ImportSummary| {
        (s.inserted, s.updated, s.unchanged, s.reactivated)
    };
    let expected = (50, ROWS as u64 / 2 + 2, ROWS as u64 / 2 - 2, 3);
    let dry = store
        .import_employees(org, &second, true, &actor)
        .await
        .unwrap();
    assert_eq!(counts(&dry), expected);
    assert_eq!(
        directory_by_email(store, org).await.len(),
        ROWS,
        "dry run wrote"
    );

    let summary = store
        .import_employees(org, &second, false, &actor)
        .await
        .unwrap();
    assert_eq!(counts(&summary), expected);
    let after = directory_by_email(store, org).await;
    assert_eq!(after.len(), ROWS + 50);
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    for i in 0..ROWS + 50 {
        let email = format!("p{i}@acme.example");
        let e = &after[&email];
        let [first, department, site, language, manager] = generated_row(i, 2);
        assert_eq!(
            (
                &e.first_name[..],
                &e.last_name[..],
                e.active,
                e.deactivated_at
            ),
            (&first[..], "Nom", true, None),
            "{email}"
        );
        assert_eq!(
            [&e.department, &e.site, &e.language, &e.manager_email],
            [
                &some(&department),
                &some(&site),
                &some(&language),
                &some(&manager)
            ],
            "{email}"
        );
        match before.get(&email) {
            None => assert_eq!(e.created_at, e.updated_at, "{email}"),
            Some(old) if i % 2 == 1 || [10, 12].contains(&i) => {
                assert!(e.updated_at > old.updated_at, "{email} not updated");
                assert_eq!((e.id, e.created_at), (old.id, old.created_at), "{email}");
            }
            Some(old) => assert_eq!(e.updated_at, old.updated_at, "{email} touched"),
        }
    }

    // The same file again changes nothing.
    let again = store
        .import_employees(org, &second, false, &actor)
        .await
        .unwrap();
    assert_eq!(counts(&again), (0, 0, ROWS as u64 + 50, 0));
    let unchanged = directory_by_email(store, org).await;
    assert!(
        after
            .iter()
            .all(|(email, e)| unchanged[email].updated_at == e.updated_at)
    );
}
