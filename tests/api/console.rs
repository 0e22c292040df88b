//! The HR console over HTTP: password sign-in with slowdown and lockout, reset by
//! mail, CSRF, the role matrix (each role against each page and action, and another
//! organisation's ids), escaping, and the campaign editor's forms.

use chrono::{Duration, Utc};
use declic_storage::admins::Role;
use declic_storage::{Actor, OrgId};
use serde_json::json;

use crate::missions::eligible_association;
use crate::support::{TestApp, json};

const PASSWORD: &str = "correct horse battery";

/// A browser: a cookie jar, no automatic redirects.
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// Posts a form; the CSRF token is taken from `page` (a page of the same session).
    pub async fn post(&self, path: &str, page: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf(page))];
        all.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// Signs in; returns the answer to the form.
    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        let (status, page) = self.get("/console/sign-in").await;
        assert_eq!(status, 200);
        self.post(
            "/console/sign-in",
            &page,
            &[
                ("email", email),
                ("password", password),
                ("next", "/console"),
            ],
        )
        .await
    }
}

/// The CSRF token in a page's first form.
pub fn csrf(page: &str) -> &str {
    let start = page.find("name=\"csrf\" value=\"").map_or(0, |i| i + 19);
    let end = page[start..].find('"').map_or(start, |i| start + i);
    &page[start..end]
}

/// An admin with a password.
async fn admin(app: &TestApp, org: OrgId, email: &str, role: Role) {
    let hash = declic_storage::hash_password(PASSWORD).unwrap();
    app.store
        .create_admin(org, email, role, Some(hash), &Actor::cli())
        .await
        .unwrap();
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let b = Browser::new(app);
    let res = b.sign_in(email, PASSWORD).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    b
}

#[tokio::test]
async fn sign_in_slows_down_then_locks_and_a_reset_by_mail_unlocks() {
    let app = TestApp::spawn_with(|c| {
        c.security.sign_in_slowdown_secs = 30;
        // The per-address throttle is under test, not the per-IP rate limit.
        c.limits.sign_in_burst = 200;
    })
    .await;
    let org = app.org("acme", "acme.example").await;
    admin(&app, org, "hr@acme.example", Role::Owner).await;

    // Signed out: pages send to the sign-in page, with the way back.
    let b = Browser::new(&app);
    let res = b
        .client
        .get(app.url("/console/campaigns"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/console/sign-in?next=%2Fconsole%2Fcampaigns"
    );

    // A form without its token (another site's form) is refused.
    let res = b
        .client
        .post(app.url("/console/sign-in"))
        .form(&[("email", "hr@acme.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Three wrong passwords are simply refused; the fourth makes the address wait,
    // and then even the right password is not checked.
    for _ in 0..4 {
        let res = b.sign_in("hr@acme.example", "wrong password!").await;
        assert_eq!(res.status(), 401);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Adresse ou mot de passe incorrect")
        );
    }
    let res = b.sign_in("hr@acme.example", PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("attendez"));
    // An unknown address is throttled the same way: the answers tell nothing about
    // which addresses have an account.
    for _ in 0..4 {
        let res = b.sign_in("nobody@acme.example", PASSWORD).await;
        assert_eq!(res.status(), 401);
    }
    let res = b.sign_in("nobody@acme.example", PASSWORD).await;
    assert_eq!(res.status(), 429);

    // Without the slowdown, ten failures in a row lock the account.
    let app = TestApp::spawn_with(|c| {
        c.security.sign_in_slowdown_secs = 0;
        c.limits.sign_in_burst = 200;
    })
    .await;
    let org = app.org("acme", "acme.example").await;
    admin(&app, org, "hr@acme.example", Role::Owner).await;
    let b = Browser::new(&app);
    for i in 0..4 {
        let res = b.sign_in("hr@acme.example", "wrong password!").await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    // Twenty guesses at once: at most the six left before the lock are checked.
    let (_, page) = b.get("/console/sign-in").await;
    let token = csrf(&page).to_owned();
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..20 {
        let client = b.client.clone();
        let url = app.url("/console/sign-in");
        let token = token.clone();
        guesses.spawn(async move {
            let guess = format!("guess number {i}");
            client
                .post(url)
                .form(&[
                    ("csrf", token.as_str()),
                    ("email", "hr@acme.example"),
                    ("password", &guess),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let statuses: Vec<u16> = guesses.join_all().await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= 6, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    let res = b.sign_in("hr@acme.example", PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Trop d’essais pour cette adresse")
    );

    // The reset page answers the same for any address and mails known ones a link.
    let (_, page) = b.get("/console/reset").await;
    let res = b
        .post("/console/reset", &page, &[("email", "nobody@acme.example")])
        .await;
    assert_eq!(res.status(), 200);
    let unknown = res.text().await.unwrap();
    let res = b
        .post("/console/reset", &page, &[("email", "HR@acme.example")])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), unknown);
    app.state.background.settle().await;
    assert!(app.mails_to("nobody@acme.example").await.is_empty());
    let mails = app.mails_to("hr@acme.example").await;
    assert_eq!(mails.len(), 1);
    let link = mails[0].link(&app.url("/sign-in/")).unwrap();
    let res = b
        .client
        .post(&link)
        .form(&[
            ("password", "a brand new password"),
            ("confirm", "a brand new password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console");
    // The lock is lifted; the new password works, the old one no longer does.
    let b = Browser::new(&app);
    assert_eq!(b.sign_in("hr@acme.example", PASSWORD).await.status(), 401);
    let res = b.sign_in("hr@acme.example", "a brand new password").await;
    assert_eq!(res.status(), 303);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("declic_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (status, page) = b.get("/console").await;
    assert_eq!(status, 200);
    assert!(page.contains("hr@acme.example"));

    // Signing out ends the session on the server.
    let res = b.post("/console/sign-out", &page, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(b.get("/console").await.0, 303);

    // Resets are limited per address, whoever asks (6 an hour here, the first included).
    let (_, page) = b.get("/console/reset").await;
    for _ in 0..8 {
        let res = b
            .post("/console/reset", &page, &[("email", "hr@acme.example")])
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.text().await.unwrap(),
            unknown,
            "the same answer every time"
        );
    }
    app.state.background.settle().await;
    let mails = app.mails_to("hr@acme.example").await;
    assert_eq!(mails.len(), 6, "one hour's worth of links, no more");
    // Using one link makes the others useless.
    let links: Vec<String> = mails[1..]
        .iter()
        .map(|m| m.link(&app.url("/sign-in/")).unwrap())
        .collect();
    let choose = |link: &str| {
        b.client
            .post(link)
            .form(&[
                ("password", "yet another password"),
                ("confirm", "yet another password"),
            ])
            .send()
    };
    assert_eq!(choose(&links[4]).await.unwrap().status(), 303);
    for older in &links[..4] {
        assert_ne!(choose(older).await.unwrap().status(), 303, "{older}");
    }
}

/// Seeds an organisation with an association, a published mission, a live campaign,
/// an employee and a mailing; returns (campaign, mission, association, employee,
/// dispatch) ids.
async fn seed(app: &TestApp, org: OrgId, domain: &str) -> (i64, i64, i64, i64, i64) {
    let token = app.token(org, &format!("api@{domain}"), Role::Owner).await;
    let aid = eligible_association(app, &token, "Les <b>Petits</b> Déjeuners").await;
    let day = (Utc::now().date_naive() + Duration::days(40)).to_string();
    let m = json(app.post("/api/v1/missions", &token, json!({
        "association_id": aid, "title": "Atelier <script>alert('m')</script>", "format": "workshop",
        "work_mode": "in_person", "place": "Paris", "starts_at": format!("{day}T09:00:00"),
        "ends_at": format!("{day}T12:00:00"), "capacity": 1,
    })).await, 201).await;
    let mid = m["id"].as_i64().unwrap();
    let c = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({
                "title": "<script>alert('c')</script> Printemps", "goal": 3, "mission_ids": [mid],
                "plan_from_mission_date": day,
            }),
        )
        .await,
        201,
    )
    .await;
    let cid = c["id"].as_i64().unwrap();
    let csv = format!(
        "email,first_name,last_name,department,site\nana@{domain},Ana,<i>Lopez</i>,IT,Lyon\n"
    );
    let res = app
        .client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let people = json(app.get("/api/v1/employees", &token).await, 200).await;
    let eid = people["items"][0]["id"].as_i64().unwrap();
    json(
        app.post(
            &format!("/api/v1/missions/{mid}/publish"),
            &token,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/status"),
            &token,
            json!({"status": "live"}),
        )
        .await,
        200,
    )
    .await;
    let d = json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/dispatches"),
            &token,
            json!({"channel": "mail"}),
        )
        .await,
        201,
    )
    .await;
    (cid, mid, aid, eid, d["id"].as_i64().unwrap())
}

#[tokio::test]
async fn every_role_against_every_page_and_action() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let other = app.org("globex", "globex.example").await;
    let (cid, mid, aid, eid, did) = seed(&app, org, "acme.example").await;
    let (ocid, omid, oaid, oeid, odid) = seed(&app, other, "globex.example").await;
    for (email, role) in [
        ("owner@acme.example", Role::Owner),
        ("manager@acme.example", Role::CampaignManager),
        ("viewer@acme.example", Role::Viewer),
    ] {
        admin(&app, org, email, role).await;
    }

    let pages = |c: i64, m: i64, a: i64| {
        vec![
            "/console".to_owned(),
            "/console/campaigns".to_owned(),
            format!("/console/campaigns/{c}"),
            format!("/console/campaigns/{c}?step=reminder&channel=slack&message_lang=en"),
            format!("/console/campaigns/{c}/preview?step=launch&channel=teams"),
            format!("/console/campaigns/{c}/dispatches"),
            format!("/console/campaigns/{c}/registrations"),
            format!("/console/campaigns/{c}/registrations.csv"),
            format!("/console/campaigns/{c}/posters"),
            format!("/console/campaigns/{c}/report"),
            format!("/console/campaigns/{c}/referrals.svg"),
            "/console/associations".to_owned(),
            format!("/console/associations/{a}"),
            "/console/missions".to_owned(),
            format!("/console/missions/{m}"),
            "/console/directory".to_owned(),
            "/console/messages".to_owned(),
            "/console/messages?message=slack_post&message_lang=en".to_owned(),
            "/console/messages?message=seat_offered".to_owned(),
            "/console/ambassadors".to_owned(),
            "/console/reports".to_owned(),
        ]
    };
    for email in [
        "owner@acme.example",
        "manager@acme.example",
        "viewer@acme.example",
    ] {
        let b = signed_in(&app, email).await;
        let viewer = email.starts_with("viewer");
        // Every page opens for every role, in both languages, with markup escaped.
        for path in pages(cid, mid, aid) {
            // Files (CSV, SVG) have no language.
            let langs: &[&str] = if path.contains(".csv") || path.contains(".svg") {
                &[""]
            } else {
                &["fr", "en"]
            };
            for lang in langs {
                let sep = if path.contains('?') { '&' } else { '?' };
                let url = if lang.is_empty() {
                    path.clone()
                } else {
                    format!("{path}{sep}lang={lang}")
                };
                let (status, body) = b.get(&url).await;
                assert_eq!(status, 200, "{email} {path} {lang}: {body}");
                assert!(
                    !body.contains("<script>alert"),
                    "{path} lets markup through"
                );
            }
        }
        let (_, editor) = b.get(&format!("/console/campaigns/{cid}")).await;
        assert!(
            editor.contains("&lt;script&gt;alert"),
            "the title is shown escaped"
        );
        assert_eq!(editor.contains("name=\"status\" value=\"closed\""), !viewer);
        // Another organisation's ids: not found, for pages and actions alike.
        for path in pages(ocid, omid, oaid).into_iter().filter(|p| {
            p.contains(&ocid.to_string())
                || p.contains(&omid.to_string())
                || p.contains(&oaid.to_string())
        }) {
            let (status, _) = b.get(&path).await;
            assert_eq!(status, 404, "{email} {path}");
        }
        let page = editor.clone();
        let actions: Vec<(String, Vec<(&str, &str)>)> = vec![
            (
                "/console/campaigns/{c}".to_owned(),
                vec![("title", "Renamed"), ("goal", "4")],
            ),
            (
                "/console/campaigns/{c}/calendar".to_owned(),
                vec![("step_kind", "launch"), ("step_date", "2030-01-07")],
            ),
            (
                "/console/campaigns/{c}/status".to_owned(),
                vec![("status", "scheduled")],
            ),
            (
                "/console/campaigns/{c}/sending".to_owned(),
                vec![("action", "pause")],
            ),
            (
                "/console/campaigns/{c}/dispatches".to_owned(),
                vec![("step", "launch"), ("channel", "mail")],
            ),
            (
                "/console/associations/{a}".to_owned(),
                vec![("name", "Renamed")],
            ),
            ("/console/missions/{m}/publish".to_owned(), vec![]),
            (
                "/console/directory/{e}/active".to_owned(),
                vec![("active", "false")],
            ),
            (
                "/console/dispatches/{d}".to_owned(),
                vec![("action", "pause")],
            ),
            (
                "/console/dispatches/{d}".to_owned(),
                vec![("action", "retry")],
            ),
            (
                "/console/campaigns/{c}/wording".to_owned(),
                vec![
                    ("step", "launch"),
                    ("message_lang", "fr"),
                    ("subject", "S {{campaign_title}}"),
                    ("text", "{{manage_url}}"),
                    ("html", "<a href=\"{{manage_url}}\">x</a>"),
                ],
            ),
            (
                "/console/missions/{m}".to_owned(),
                vec![
                    ("association_id", "{a}"),
                    ("title", "Renamed"),
                    ("format", "workshop"),
                    ("work_mode", "remote"),
                    ("starts_at", "2030-01-07T09:00"),
                    ("ends_at", "2030-01-07T12:00"),
                    ("capacity", "3"),
                ],
            ),
            (
                "/console/registration-choices/999999/move".to_owned(),
                vec![
                    ("action", "cancel"),
                    ("reason", "test"),
                    ("campaign_id", "{c}"),
                ],
            ),
        ];
        let fill = |p: &str, c: i64, m: i64, a: i64, e: i64, d: i64| {
            p.replace("{c}", &c.to_string())
                .replace("{m}", &m.to_string())
                .replace("{a}", &a.to_string())
                .replace("{e}", &e.to_string())
                .replace("{d}", &d.to_string())
        };
        for (path, fields) in &actions {
            let theirs = fill(path, ocid, omid, oaid, oeid, odid);
            let their_fields: Vec<(&str, String)> = fields
                .iter()
                .map(|(k, v)| (*k, fill(v, ocid, omid, oaid, oeid, odid)))
                .collect();
            let fields: Vec<(&str, &str)> =
                their_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let fields = &fields;
            let res = b.post(&theirs, &page, fields).await;
            let expected = if viewer { 403 } else { 404 };
            assert_eq!(res.status(), expected, "{email} {theirs}");
            if viewer {
                let ours = fill(path, cid, mid, aid, eid, did);
                let res = b.post(&ours, &page, fields).await;
                assert_eq!(res.status(), 403, "{email} {ours}");
            }
        }
        for (path, fields) in [
            (
                "/console/campaigns",
                vec![
                    ("title", "New"),
                    ("goal", "3"),
                    ("mission_date", "2030-03-01"),
                ],
            ),
            ("/console/associations", vec![("name", "New association")]),
            ("/console/ambassadors", vec![("email", "ana@acme.example")]),
        ] {
            let res = b.post(path, &page, &fields).await;
            if viewer {
                assert_eq!(res.status(), 403, "{email} {path}");
            } else {
                assert!(
                    [303, 409, 422].contains(&res.status().as_u16()),
                    "{email} {path}: {}",
                    res.status()
                );
            }
        }
        // A form posted with another session's token is refused.
        let res = b
            .post(
                "/console/campaigns",
                "name=\"csrf\" value=\"00ff\"",
                &[("title", "x")],
            )
            .await;
        assert_eq!(res.status(), 403);
    }
    // The viewer changed nothing: the campaign keeps its title and the employee is active.
    let c = app.store.campaign(org, cid).await.unwrap();
    assert_ne!(c.title, "Renamed", "only managers renamed it");
    let theirs = app.store.campaign(other, ocid).await.unwrap();
    assert!(
        theirs.title.contains("Printemps"),
        "the other organisation is untouched"
    );
    let e = app.store.employee(other, oeid).await.unwrap();
    assert!(e.active);
}

#[tokio::test]
async fn the_campaign_editor_plans_checks_previews_and_launches() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    admin(&app, org, "hr@acme.example", Role::CampaignManager).await;
    let b = signed_in(&app, "hr@acme.example").await;

    // A campaign from the default plan around a mission date.
    let (_, page) = b.get("/console/campaigns").await;
    let day = Utc::now().date_naive() + Duration::days(60);
    let res = b
        .post(
            "/console/campaigns",
            &page,
            &[
                ("title", "Automne"),
                ("goal", "12"),
                ("mission_date", &day.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("?done=created"), "{location}");
    let (status, editor) = b.get(&location).await;
    assert_eq!(status, 200);
    assert!(editor.contains("Campagne créée avec le calendrier type"));
    let id: i64 = location
        .trim_start_matches("/console/campaigns/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let campaign = app.store.campaign(org, id).await.unwrap();
    assert_eq!(
        campaign.steps.len(),
        declic_storage::campaigns::default_steps(day).len(),
        "the default plan"
    );
    // No mission yet: the warning says so.
    assert!(editor.contains("mission"), "{editor}");

    // A bad goal is refused and named; nothing changes.
    let res = b
        .post(
            &format!("/console/campaigns/{id}"),
            &editor,
            &[("title", "Automne"), ("goal", "beaucoup")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Objectif"), "the field is named: {body}");
    assert_eq!(app.store.campaign(org, id).await.unwrap().goal, 12);

    // The calendar check answers for an unsaved calendar: a launch after the deadline.
    let launch = (day - Duration::days(5)).to_string();
    let deadline = (day - Duration::days(10)).to_string();
    let res = b
        .post(
            &format!("/console/campaigns/{id}/check"),
            &editor,
            &[
                ("step_kind", "launch"),
                ("step_date", &launch),
                ("step_note", ""),
                ("step_kind", "registration_deadline"),
                ("step_date", &deadline),
                ("step_note", ""),
                ("step_kind", "mission_day"),
                ("step_date", &day.to_string()),
                ("step_note", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let warnings = res.text().await.unwrap();
    assert!(warnings.contains("id=\"warnings\""), "{warnings}");
    assert!(warnings.contains("<li"), "{warnings}");
    assert_eq!(
        app.store.campaign(org, id).await.unwrap().steps.len(),
        campaign.steps.len(),
        "a check saves nothing"
    );

    // The preview follows unsaved texts, escaped.
    let res = b
        .post(
            &format!("/console/campaigns/{id}/preview"),
            &editor,
            &[
                ("step", "launch"),
                ("channel", "mail"),
                ("message_lang", "fr"),
                ("key_message", "<b>Venez</b>"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let preview = res.text().await.unwrap();
    assert!(preview.contains("&lt;b&gt;Venez"), "{preview}");
    let (_, slack) = b
        .get(&format!(
            "/console/campaigns/{id}/preview?step=reminder&channel=slack&message_lang=en"
        ))
        .await;
    assert!(
        slack.contains("blocks"),
        "the Slack payload is shown: {slack}"
    );

    // The campaign's own wording of the reminder in English: refused and named when the
    // unsubscribe link is missing; the draft preview follows unsaved wording; then saved.
    let wording = |text: &'static str| {
        vec![
            ("step", "reminder"),
            ("message_lang", "en"),
            ("subject", "Draft {{campaign_title}}"),
            ("text", text),
            ("html", "<p><a href=\"{{manage_url}}\">stop</a></p>"),
            ("action", "save"),
        ]
    };
    let res = b
        .post(
            &format!("/console/campaigns/{id}/wording"),
            &editor,
            &wording("no link"),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("manage_url"));
    let res = b
        .post(
            &format!("/console/campaigns/{id}/preview"),
            &editor,
            &[
                ("step", "reminder"),
                ("channel", "mail"),
                ("message_lang", "en"),
                ("subject", "Draft {{campaign_title}}"),
                ("text", "Draft body {{manage_url}}"),
                ("html", "<p><a href=\"{{manage_url}}\">x</a></p>"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let preview = res.text().await.unwrap();
    assert!(
        preview.contains("Draft body") && preview.contains("Draft Automne"),
        "{preview}"
    );
    let res = b
        .post(
            &format!("/console/campaigns/{id}/wording"),
            &editor,
            &wording("Hello {{first_name}} {{manage_url}}"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let saved = app
        .store
        .message_template_for(org, Some(id), "campaign_reminder", "en")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.campaign_id, Some(id));
    let (_, page) = b
        .get(&format!(
            "/console/campaigns/{id}?step=reminder&message_lang=en"
        ))
        .await;
    assert!(
        page.contains("propre à cette campagne"),
        "the wording is the campaign's own"
    );

    // A mission to offer (made through the API here; the missions page is tested in the browser).
    let token = app.token(org, "api@acme.example", Role::Owner).await;
    let aid = eligible_association(&app, &token, "Les Restos").await;
    let m = json(app.post("/api/v1/missions", &token, json!({
        "association_id": aid, "title": "Atelier CV", "format": "workshop", "work_mode": "remote",
        "starts_at": format!("{day}T09:00:00"), "ends_at": format!("{day}T12:00:00"), "capacity": 8,
    })).await, 201).await;
    let mid = m["id"].as_i64().unwrap().to_string();
    json(
        app.post(
            &format!("/api/v1/missions/{mid}/publish"),
            &token,
            json!({}),
        )
        .await,
        200,
    )
    .await;

    // Save the details and launch.
    let res = b
        .post(
            &format!("/console/campaigns/{id}"),
            &editor,
            &[
                ("mission_ids", &mid),
                ("title", "Automne solidaire"),
                ("goal", "12"),
                ("key_message", "Vos compétences comptent"),
                ("why_it_matters", ""),
                ("registration_opens", ""),
                ("registration_closes", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post(
            &format!("/console/campaigns/{id}/status"),
            &editor,
            &[("status", "live")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, editor) = b.get(&format!("/console/campaigns/{id}")).await;
    assert!(
        editor.contains("id=\"campaign-link\""),
        "the live campaign's link is shown"
    );
    let c = app.store.campaign(org, id).await.unwrap();
    assert_eq!(c.title, "Automne solidaire");
    assert_eq!(c.status.as_str(), "live");
}

#[tokio::test]
async fn a_directory_upload_shows_the_dry_run_then_imports_on_confirmation() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    admin(&app, org, "hr@acme.example", Role::CampaignManager).await;
    let b = signed_in(&app, "hr@acme.example").await;
    let (_, page) = b.get("/console/directory").await;
    let csv = "email,first_name,last_name,site\nana@acme.example,Ana,Lopez,Lyon\nbad-address,Bob,Martin,Lyon\nchloe@acme.example,Chloé,Durand,Paris\n";
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf(&page).to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("hris.csv"),
        );
    let res = b
        .client
        .post(app.url("/console/directory/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let report = res.text().await.unwrap();
    assert_eq!(status, 200, "{report}");
    assert!(report.contains("id=\"rejected-lines\""), "{report}");
    assert!(
        report.contains("<td>3</td>"),
        "the bad row's line number: {report}"
    );
    let (_, total) = app.store.employees(org, &Default::default()).await.unwrap();
    assert_eq!(total, 0, "a dry run writes nothing");
    let file = {
        let start = report.find("name=\"file\" value=\"").unwrap() + 19;
        let end = report[start..].find('"').unwrap() + start;
        report[start..end].to_owned()
    };
    let res = b
        .post(
            "/console/directory/import/confirm",
            &report,
            &[("file", &file)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let done = res.text().await.unwrap();
    assert!(done.contains("Import terminé"), "{done}");
    let (people, total) = app
        .store
        .employees(
            org,
            &declic_storage::employees::EmployeeQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 2);
    // Search, then deactivate one person.
    let (_, found) = b.get("/console/directory?search=chloe").await;
    assert!(found.contains("chloe@acme.example") && !found.contains("ana@acme.example"));
    let chloe = people
        .iter()
        .find(|p| p.email == "chloe@acme.example")
        .unwrap();
    let res = b
        .post(
            &format!("/console/directory/{}/active", chloe.id),
            &found,
            &[("active", "false")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(!app.store.employee(org, chloe.id).await.unwrap().active);
}

#[tokio::test]
async fn registrations_are_moved_and_failed_mailings_retried_from_the_console() {
    use crate::registration::{confirm_from_mail, live_campaign, register};
    use sea_orm::ConnectionTrait;

    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 1, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    admin(&app, org, "boss@acme.example", Role::Owner).await;
    let cid = live.campaign_id;
    for (email, first) in [
        ("anna@acme.example", "Anna"),
        ("bruno@acme.example", "Bruno"),
    ] {
        assert_eq!(
            register(&app, &live.link, email, first, live.mission_id)
                .await
                .status(),
            200
        );
        confirm_from_mail(&app, email).await;
    }
    let b = signed_in(&app, "boss@acme.example").await;
    let (status, page) = b
        .get(&format!("/console/campaigns/{cid}/registrations"))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Anna Martin") && page.contains("Bruno Martin"));
    assert!(page.contains("(n° 1)"), "Bruno waits first in line: {page}");
    let rows = app
        .store
        .campaign_registrations(org, cid, None)
        .await
        .unwrap();
    let choice = |email: &str| {
        rows.iter().find(|r| r.email == email).unwrap().choices[0]
            .choice_id
            .to_string()
    };
    let cid_text = cid.to_string();
    // A seat for Bruno: the mission is full, refused and said so; nothing changes.
    let res = b
        .post(
            &format!(
                "/console/registration-choices/{}/move",
                choice("bruno@acme.example")
            ),
            &page,
            &[
                ("action", "seat"),
                ("reason", "VIP"),
                ("campaign_id", &cid_text),
            ],
        )
        .await;
    assert!(
        res.status() == 409 || res.status() == 422,
        "{}",
        res.status()
    );
    // Anna cancelled by HR with a reason: her seat goes to Bruno (offered).
    let res = b
        .post(
            &format!(
                "/console/registration-choices/{}/move",
                choice("anna@acme.example")
            ),
            &page,
            &[
                ("action", "cancel"),
                ("reason", "a quitté l'entreprise"),
                ("campaign_id", &cid_text),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let rows = app
        .store
        .campaign_registrations(org, cid, None)
        .await
        .unwrap();
    let status_of = |email: &str| {
        rows.iter().find(|r| r.email == email).unwrap().choices[0]
            .status
            .clone()
    };
    assert_eq!(status_of("anna@acme.example"), "cancelled");
    assert_eq!(status_of("bruno@acme.example"), "offered");
    let res = b
        .client
        .get(app.url(&format!("/console/campaigns/{cid}/registrations.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.contains("anna@acme.example") && csv.contains("bruno@acme.example"));

    // A mailing whose deliveries failed: the reasons are shown, and they go out again.
    let d = json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/dispatches"),
            &live.token,
            json!({"channel": "mail"}),
        )
        .await,
        201,
    )
    .await;
    let did = d["id"].as_i64().unwrap();
    app.store
        .db()
        .execute_unprepared(&format!(
            "UPDATE deliveries SET status = 'failed', last_error = '550 5.1.1 no such user' WHERE dispatch_id = {did}"
        ))
        .await
        .unwrap();
    let (_, mailings) = b.get(&format!("/console/campaigns/{cid}/dispatches")).await;
    assert!(mailings.contains("550 5.1.1 no such user"), "{mailings}");
    let res = b
        .post(
            &format!("/console/dispatches/{did}"),
            &mailings,
            &[("action", "retry")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let after = app.store.dispatch(org, did).await.unwrap();
    assert_eq!(after.counts.get("failed").copied().unwrap_or(0), 0);
    assert!(
        after.counts.get("queued").copied().unwrap_or(0) > 0,
        "{:?}",
        after.counts
    );
}

#[tokio::test]
async fn the_organisations_wording_of_every_message_is_edited_from_the_console() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    admin(&app, org, "hr@acme.example", Role::CampaignManager).await;
    admin(&app, org, "viewer@acme.example", Role::Viewer).await;
    let b = signed_in(&app, "hr@acme.example").await;

    // The list, and the built-in wording of the chosen message with what it may use.
    let (status, page) = b
        .get("/console/messages?message=seat_offered&message_lang=fr")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Publication Slack") && page.contains("Place proposée"));
    assert!(page.contains("celle de Declic"), "built-in wording");
    assert!(page.contains("{{claim_url}}"), "the required link is named");
    assert!(
        page.contains("{{claim_deadline_text}}"),
        "variables are listed"
    );

    // Refused: the claim link is missing; what was typed comes back with the reason.
    let res = b
        .post(
            "/console/messages",
            &page,
            &[
                ("message", "seat_offered"),
                ("message_lang", "fr"),
                ("action", "save"),
                ("subject", "Une place pour vous"),
                ("text", "Bonjour {{first_name}} <typed>"),
                ("html", "<p>Bonjour</p>"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("the link to claim the seat"), "{body}");
    assert!(
        body.contains("Bonjour {{first_name}} &lt;typed&gt;"),
        "typed text kept"
    );
    assert!(
        app.store
            .message_template_for(org, None, "seat_offered", "fr")
            .await
            .unwrap()
            .is_none()
    );

    // Saved for the organisation.
    let res = b
        .post(
            "/console/messages",
            &page,
            &[
                ("message", "seat_offered"),
                ("message_lang", "fr"),
                ("action", "save"),
                ("subject", "Une place pour vous : {{mission.title}}"),
                (
                    "text",
                    "Réservez-la : {{claim_url}} avant le {{claim_deadline_text}}",
                ),
                ("html", "<a href=\"{{claim_url}}\">Réserver</a>"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let saved = app
        .store
        .message_template_for(org, None, "seat_offered", "fr")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.subject, "Une place pour vous : {{mission.title}}");
    let (_, page) = b
        .get("/console/messages?message=seat_offered&message_lang=fr")
        .await;
    assert!(page.contains("celle de l’organisation"), "{page}");

    // A Slack post: a template that would ping the channel is refused.
    let (_, page) = b
        .get("/console/messages?message=slack_post&message_lang=fr")
        .await;
    assert!(
        page.contains("{{mrkdwn key_message}}"),
        "the built-in JSON template"
    );
    let res = b
        .post(
            "/console/messages",
            &page,
            &[
                ("message", "slack_post"),
                ("message_lang", "fr"),
                ("action", "save"),
                (
                    "payload",
                    r#"{"text": "{{key_message}} {{mrkdwn campaign_url}}"}"#,
                ),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Modèle JSON"));

    // A viewer sees, never changes.
    let v = signed_in(&app, "viewer@acme.example").await;
    let (status, page) = v.get("/console/messages?message=seat_offered").await;
    assert_eq!(status, 200);
    assert!(page.contains("<fieldset disabled>"), "{page}");
    let res = v
        .post(
            "/console/messages",
            &page,
            &[
                ("message", "seat_offered"),
                ("message_lang", "fr"),
                ("action", "reset"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);

    // Back to Declic's wording.
    let (_, page) = b.get("/console/messages?message=seat_offered").await;
    let res = b
        .post(
            "/console/messages",
            &page,
            &[
                ("message", "seat_offered"),
                ("message_lang", "fr"),
                ("action", "reset"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        app.store
            .message_template_for(org, None, "seat_offered", "fr")
            .await
            .unwrap()
            .is_none()
    );
}
