//! Employees register through links: the page, the form, the mail, the seat, the waitlist.

use chrono::{Duration, Utc};
use declic_storage::admins::Role;
use serde_json::json;

use crate::missions::eligible_association;
use crate::support::mail::{ics_line, ics_prop};
use crate::support::{TestApp, json};

pub struct Live {
    pub token: String,
    pub campaign_id: i64,
    pub mission_id: i64,
    pub association_id: i64,
    pub link: String,
}

/// An organisation with a live campaign, one mission of `capacity` seats 30 days ahead, and its direct link.
pub async fn live_campaign(app: &TestApp, capacity: i64, title: &str) -> Live {
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let aid = eligible_association(app, &token, "Les Petits Déjeuners").await;
    let day = (Utc::now().date_naive() + Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let m = json(app.post("/api/v1/missions", &token, json!({
        "association_id": aid, "title": title, "format": "marathon", "work_mode": "in_person",
        "place": "12 rue des Lilas, Paris", "starts_at": format!("{day}T09:00:00"), "ends_at": format!("{day}T17:30:00"),
        "time_zone": "Europe/Paris", "capacity": capacity, "confidentiality_note": "Les chiffres restent confidentiels."
    })).await, 201).await;
    let mid = m["id"].as_i64().unwrap();
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
    let today = Utc::now().date_naive();
    let c = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({
                "title": "Printemps <solidaire>", "goal": 5, "mission_ids": [mid],
                "key_message": "Vos compétences comptent.",
                "registration_opens": (today - Duration::days(1)).to_string(),
                "registration_closes": (today + Duration::days(20)).to_string(),
            }),
        )
        .await,
        201,
    )
    .await;
    let cid = c["id"].as_i64().unwrap();
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
    let links = json(
        app.get(&format!("/api/v1/campaigns/{cid}/links"), &token)
            .await,
        200,
    )
    .await;
    let link = links[0]["url"].as_str().unwrap().to_owned();
    Live {
        token,
        campaign_id: cid,
        mission_id: mid,
        association_id: aid,
        link,
    }
}

pub async fn register(
    app: &TestApp,
    link: &str,
    email: &str,
    first: &str,
    mission: i64,
) -> reqwest::Response {
    app.client
        .post(format!("{link}/register"))
        .form(&[
            ("email", email),
            ("first_name", first),
            ("last_name", "Martin"),
            ("choice_1", &mission.to_string()),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap()
}

/// Follows the confirmation mail's link and presses the button; returns the personal page URL.
pub async fn confirm_from_mail(app: &TestApp, email: &str) -> String {
    let mail = app
        .mails_to(email)
        .await
        .into_iter()
        .find(|m| m.link(&format!("{}/r/", app.base)).is_some())
        .unwrap();
    let url = mail.link(&format!("{}/r/", app.base)).unwrap();
    let page = app.client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let res = app.client.post(&url).send().await.unwrap();
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    res.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn from_link_to_confirmed_seat_with_calendar_invitation() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 2, "Marathon <b>stratégie</b>").await;

    let page = app.client.get(&live.link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Marathon &lt;b&gt;stratégie&lt;/b&gt;"),
        "titles are escaped"
    );
    assert!(html.contains("Printemps &lt;solidaire&gt;"));
    assert!(html.contains("2 places restantes"));
    assert!(html.contains("association vérifiée"));
    // People are told what is recorded, why, for how long and their rights before they
    // give anything (in their language).
    let notice_at = html
        .find("Vos données, avant de vous inscrire")
        .expect("the notice");
    assert!(notice_at < html.find("type=\"submit\"").unwrap());
    assert!(html.contains("effacement de vos données"));
    let en = app
        .client
        .get(format!("{}?lang=en", live.link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Your data, before you sign up") && en.contains("CNIL"));

    let res = register(
        &app,
        &live.link,
        "Elodie.Martin@acme.example",
        "Élodie",
        live.mission_id,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Vérifiez votre boîte mail")
    );
    let mails = app.mails_to("elodie.martin@acme.example").await;
    assert_eq!(mails.len(), 1, "one confirmation request");
    assert!(
        mails[0].subject.contains("Printemps <solidaire>"),
        "{}",
        mails[0].subject
    );

    // A second sign-up is the same record, without a second mail; the page answers
    // as for a first one, so the form tells nobody whether a colleague registered.
    let again = register(
        &app,
        &live.link,
        "elodie.martin@acme.example",
        "Élodie",
        live.mission_id,
    )
    .await;
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("Vérifiez votre boîte mail")
    );
    assert_eq!(app.mails_to("elodie.martin@acme.example").await.len(), 1);

    // Pending until the link in the mail is opened and the button pressed.
    let rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(rows[0]["status"], "pending");
    let me = confirm_from_mail(&app, "elodie.martin@acme.example").await;
    let page = app
        .client
        .get(&me)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Place confirmée"), "{page}");

    let seat = app
        .mails_to("elodie.martin@acme.example")
        .await
        .into_iter()
        .find(|m| m.calendar.is_some())
        .unwrap();
    let ics = seat.calendar.clone().unwrap();
    assert_eq!(ics_prop(&ics, "METHOD").as_deref(), Some("REQUEST"));
    assert!(
        ics_line(&ics, "DTSTART")
            .unwrap()
            .starts_with("DTSTART;TZID=Europe/Paris:"),
        "{ics}"
    );
    assert!(ics_prop(&ics, "DTSTART").unwrap().ends_with("T090000"));
    assert!(ics.contains("BEGIN:VTIMEZONE"));
    let uid = ics_prop(&ics, "UID").unwrap();
    assert!(
        seat.text.contains("Les chiffres restent confidentiels."),
        "the confidentiality note is in the mail"
    );

    let rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(rows[0]["status"], "confirmed");
    assert_eq!(rows[0]["source_channel"], "direct");
    assert_eq!(rows[0]["choices"][0]["status"], "seated");

    // Confirming twice changes nothing and sends nothing.
    let before = app.mails().await.len();
    confirm_from_mail(&app, "elodie.martin@acme.example").await;
    assert_eq!(app.mails().await.len(), before);
    // Once its window has passed, the used link opens nothing any more.
    {
        use sea_orm::ConnectionTrait;
        app.store
            .db()
            .execute_unprepared(&format!(
                "UPDATE registrations SET confirm_expires_at = '{}'",
                (Utc::now() - Duration::minutes(1)).format("%Y-%m-%d %H:%M:%S%.6f%:z")
            ))
            .await
            .unwrap();
        let link = app
            .mails_to("elodie.martin@acme.example")
            .await
            .into_iter()
            .find_map(|m| m.link(&format!("{}/r/", app.base)))
            .unwrap();
        let res = app.client.post(&link).send().await.unwrap();
        assert_eq!(res.status(), 410);
    }

    // Cancelling sends a calendar cancellation with the same UID.
    let res = app
        .client
        .post(format!("{}/cancel", me.split('?').next().unwrap()))
        .form(&[("mission_id", live.mission_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cancel = app
        .mails_to("elodie.martin@acme.example")
        .await
        .into_iter()
        .rev()
        .find(|m| m.calendar.is_some())
        .unwrap();
    let ics = cancel.calendar.unwrap();
    assert_eq!(ics_prop(&ics, "METHOD").as_deref(), Some("CANCEL"));
    assert_eq!(ics_prop(&ics, "UID").unwrap(), uid);
    assert_eq!(ics_prop(&ics, "STATUS").as_deref(), Some("CANCELLED"));

    // Registering again after a cancellation works.
    let res = register(
        &app,
        &live.link,
        "elodie.martin@acme.example",
        "Élodie",
        live.mission_id,
    )
    .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Vérifiez votre boîte mail")
    );
}

#[tokio::test]
async fn waitlist_offer_and_claim() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 1, "Atelier").await;
    for (email, name) in [
        ("ann@acme.example", "Ann"),
        ("bob@acme.example", "Bob"),
        ("cid@acme.example", "Cid"),
    ] {
        register(&app, &live.link, email, name, live.mission_id).await;
    }
    let ann = confirm_from_mail(&app, "ann@acme.example").await;
    let bob = confirm_from_mail(&app, "bob@acme.example").await;
    confirm_from_mail(&app, "cid@acme.example").await;
    let waitlisted = app
        .mails_to("bob@acme.example")
        .await
        .into_iter()
        .last()
        .unwrap();
    assert!(
        waitlisted.text.contains('1'),
        "position in the waitlist mail: {}",
        waitlisted.text
    );
    let page = app
        .client
        .get(&bob)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("attente : position 1"), "{page}");
    let page = app.client.get(app.url("/c/x")).send().await.unwrap();
    assert_eq!(page.status(), 404);

    // Ann cancels: Bob, first in line, is offered the seat with a deadline.
    let res = app
        .client
        .post(format!("{}/cancel", ann.split('?').next().unwrap()))
        .form(&Vec::<(String, String)>::new())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let offer = app
        .mails_to("bob@acme.example")
        .await
        .into_iter()
        .last()
        .unwrap();
    assert!(
        offer.text.contains(bob.split('?').next().unwrap()),
        "the offer links to Bob's page: {}",
        offer.text
    );
    let page = app
        .client
        .get(&bob)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Une place vous est proposée"), "{page}");
    let cid_rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let cid = cid_rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == "cid@acme.example")
        .unwrap();
    assert_eq!(cid["choices"][0]["position"], 1, "Cid moves up");

    let res = app
        .client
        .post(format!("{}/claim", bob.split('?').next().unwrap()))
        .form(&[("mission_id", live.mission_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("la place est à vous"));
    let seat = app
        .mails_to("bob@acme.example")
        .await
        .into_iter()
        .last()
        .unwrap();
    assert!(
        seat.calendar.is_some(),
        "the claimed seat comes with an invitation"
    );
}

#[tokio::test]
async fn bad_input_on_the_public_pages() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 3, "Atelier").await;
    let post = |fields: Vec<(&'static str, String)>| {
        app.client
            .post(format!("{}/register", live.link))
            .form(&fields)
            .send()
    };
    let m = live.mission_id.to_string();
    let base = |email: &str| {
        vec![
            ("email", email.to_owned()),
            ("first_name", "Ann".to_owned()),
            ("last_name", "Lee".to_owned()),
            ("choice_1", m.clone()),
            ("consent", "yes".to_owned()),
        ]
    };

    let res = post(base("ann@evil.example")).await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("adresse professionnelle"), "{html}");
    assert!(
        html.contains("value=\"ann@evil.example\""),
        "what was typed is kept"
    );

    let mut f = base("ann@acme.example");
    f[3].1 = "abc".into();
    assert_eq!(post(f).await.unwrap().status(), 422);
    let mut f = base("ann@acme.example");
    f[3].1 = "999999".into();
    assert_eq!(
        post(f).await.unwrap().status(),
        422,
        "a mission of another campaign"
    );
    let mut f = base("ann@acme.example");
    f.pop();
    assert_eq!(post(f).await.unwrap().status(), 422, "no consent");
    let mut f = base("ann@acme.example");
    f[1].1 = "<script>alert(1)</script>".into();
    f.push(("duo_email", "ann@acme.example".into()));
    let res = post(f).await.unwrap();
    assert_eq!(res.status(), 422, "inviting oneself");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert")
    );
    assert!(app.mails().await.is_empty(), "nothing sent");
    let rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(rows, json!([]), "nothing stored half-way");

    // Tampered or unknown tokens.
    assert_eq!(
        app.client
            .get(app.url("/r/dcc_forged"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "the button page reveals nothing"
    );
    assert_eq!(
        app.client
            .post(app.url("/r/dcc_forged"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.client
            .get(app.url("/me/1-00000000000000000000000000000000"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.client
            .get(app.url("/c/zzzzzzzzzzzz"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // A closed campaign says so.
    json(
        app.post(
            &format!("/api/v1/campaigns/{}/status", live.campaign_id),
            &live.token,
            json!({"status": "closed"}),
        )
        .await,
        200,
    )
    .await;
    let res = app.client.get(&live.link).send().await.unwrap();
    assert_eq!(res.status(), 410);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Cette campagne est terminée")
    );
    assert_eq!(post(base("ann@acme.example")).await.unwrap().status(), 422);
}

#[tokio::test]
async fn duo_invitation_and_sources() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 2, "Atelier").await;
    let poster = json(
        app.post(
            &format!("/api/v1/campaigns/{}/links", live.campaign_id),
            &live.token,
            json!({"channel": "poster", "site": "Lyon"}),
        )
        .await,
        200,
    )
    .await;
    let poster_url = poster["url"].as_str().unwrap().to_owned();
    let again = json(
        app.post(
            &format!("/api/v1/campaigns/{}/links", live.campaign_id),
            &live.token,
            json!({"channel": "poster", "site": "Lyon"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(again["url"], poster["url"], "one link per channel variant");
    app.client.get(&poster_url).send().await.unwrap();

    let res = app
        .client
        .post(format!("{poster_url}/register"))
        .form(&[
            ("email", "ann@acme.example"),
            ("first_name", "Ann"),
            ("last_name", "Lee"),
            ("choice_1", &live.mission_id.to_string()),
            ("consent", "yes"),
            ("duo_email", "bob@acme.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        app.mails_to("bob@acme.example").await.is_empty(),
        "nobody is invited before the inviter confirms"
    );
    confirm_from_mail(&app, "ann@acme.example").await;
    let invite = app.mails_to("bob@acme.example").await.pop().unwrap();
    let url = invite.link(&format!("{}/c/", app.base)).unwrap();
    assert!(
        url.contains(&format!("mission={}", live.mission_id)) && url.contains("duo="),
        "{url}"
    );
    let page = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("<option value=\"{}\" selected>", live.mission_id)),
        "the mission is pre-filled"
    );
    let duo = url
        .split("duo=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    app.client
        .post(format!("{poster_url}/register"))
        .form(&[
            ("email", "bob@acme.example"),
            ("first_name", "Bob"),
            ("last_name", "Ray"),
            ("choice_1", &live.mission_id.to_string()),
            ("consent", "yes"),
            ("duo", &duo),
        ])
        .send()
        .await
        .unwrap();
    confirm_from_mail(&app, "bob@acme.example").await;
    let rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let ann = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == "ann@acme.example")
        .unwrap();
    let bob = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == "bob@acme.example")
        .unwrap();
    assert_eq!(ann["duo_registration_id"], bob["id"]);
    assert_eq!(bob["duo_registration_id"], ann["id"]);
    assert_eq!(
        (ann["source_channel"].as_str(), ann["source_site"].as_str()),
        (Some("poster"), Some("Lyon"))
    );
    assert_eq!(bob["choices"][0]["status"], "seated");

    let links = json(
        app.get(
            &format!("/api/v1/campaigns/{}/links", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let lyon = links
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["site"] == "Lyon")
        .unwrap();
    assert_eq!(
        lyon["visits"], 2,
        "two visits (the test's and the invitation's), counted, not who visited"
    );

    // The organiser's CSV and a manual move with its reason in the audit log.
    let csv = app
        .client
        .get(app.url(&format!(
            "/api/v1/campaigns/{}/registrations.csv",
            live.campaign_id
        )))
        .bearer_auth(&live.token)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(
        csv.lines().count() == 3
            && csv.contains("ann@acme.example")
            && csv.contains(",poster,Lyon,"),
        "{csv}"
    );
    let choice = ann["choices"][0]["choice_id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/registration-choices/{choice}/move"),
            &live.token,
            json!({"action": "waitlist", "reason": "asked to go later"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let p = json(
        app.post(
            &format!("/api/v1/registration-choices/{choice}/move"),
            &live.token,
            json!({"action": "seat", "reason": ""}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "reason");
}

#[tokio::test]
async fn five_hundred_concurrent_confirmations_on_ten_seats() {
    // All 500 come from one test client address here; real offices spread over time.
    let app = TestApp::spawn_with(|c| c.limits.public_burst = 1000).await;
    let live = live_campaign(&app, 10, "Marathon").await;
    let page = app
        .store
        .public_campaign(
            live.link.rsplit('/').next().unwrap(),
            Utc::now().date_naive(),
        )
        .await
        .unwrap()
        .unwrap();
    let mut tokens = Vec::new();
    for i in 0..500 {
        let req = declic_storage::registrations::RegistrationRequest {
            email: format!("p{i}@acme.example"),
            first_name: format!("P{i}"),
            last_name: "Person".into(),
            mission_ids: vec![live.mission_id],
            consent: true,
            language: "fr".into(),
            ..Default::default()
        };
        tokens.push(
            app.store
                .register(&page, req, Duration::hours(1), |_| Vec::new())
                .await
                .unwrap()
                .confirm_token
                .unwrap(),
        );
    }
    let handles: Vec<_> = tokens
        .into_iter()
        .map(|t| {
            let client = app.client.clone();
            let url = app.url(&format!("/r/{t}"));
            tokio::spawn(async move { client.post(url).send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap().unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 303),
        "no 5xx: {:?}",
        statuses.iter().filter(|s| **s != 303).collect::<Vec<_>>()
    );
    let rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let choices: Vec<&serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["choices"][0])
        .collect();
    assert_eq!(
        choices.iter().filter(|c| c["status"] == "seated").count(),
        10
    );
    assert_eq!(
        choices
            .iter()
            .filter(|c| c["status"] == "waitlisted")
            .count(),
        490
    );
    let mut positions: Vec<i64> = choices
        .iter()
        .filter_map(|c| c["position"].as_i64())
        .collect();
    positions.sort_unstable();
    assert_eq!(
        positions,
        (1..=490).collect::<Vec<_>>(),
        "one waitlist, in a single order"
    );
}

#[tokio::test]
async fn changing_mission_from_the_personal_page() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 1, "Atelier A").await;
    let mission = json(
        app.get(
            &format!("/api/v1/missions/{}", live.mission_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let mut b = mission.clone();
    for k in ["id", "status", "skills", "created_at", "updated_at"] {
        b.as_object_mut().unwrap().remove(k);
    }
    b["title"] = json!("Atelier B");
    b["capacity"] = json!(5);
    b["skill_ids"] = json!([]);
    let b = json(app.post("/api/v1/missions", &live.token, b).await, 201).await;
    let bid = b["id"].as_i64().unwrap();
    json(
        app.post(
            &format!("/api/v1/missions/{bid}/publish"),
            &live.token,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    json(
        app.patch(
            &format!("/api/v1/campaigns/{}", live.campaign_id),
            &live.token,
            json!({"mission_ids": [live.mission_id, bid]}),
        )
        .await,
        200,
    )
    .await;

    register(&app, &live.link, "ann@acme.example", "Ann", live.mission_id).await;
    let ann = confirm_from_mail(&app, "ann@acme.example").await;
    register(&app, &live.link, "bob@acme.example", "Bob", live.mission_id).await;
    confirm_from_mail(&app, "bob@acme.example").await;

    let page = app
        .client
        .get(&ann)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Changer de mission") && page.contains("Atelier B"),
        "{page}"
    );
    let res = app
        .client
        .post(format!("{}/prefer", ann.split('?').next().unwrap()))
        .form(&[("mission_id", bid.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("place dans la nouvelle mission")
    );
    let mails = app.mails_to("ann@acme.example").await;
    let cancels = mails
        .iter()
        .filter(|m| {
            m.calendar
                .as_deref()
                .is_some_and(|c| c.contains("METHOD:CANCEL"))
        })
        .count();
    assert_eq!(cancels, 1, "the old seat's invitation is cancelled");
    let rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let ann_row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == "ann@acme.example")
        .unwrap();
    assert_eq!(ann_row["choices"][0]["mission_id"], bid);
    assert_eq!(ann_row["choices"][0]["status"], "seated");
    assert_eq!(ann_row["choices"][1]["status"], "released");
    let bob_row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == "bob@acme.example")
        .unwrap();
    assert_eq!(
        bob_row["choices"][0]["status"], "offered",
        "Ann's old seat goes to Bob"
    );
}

#[tokio::test]
async fn pressing_confirm_twice_at_once_keeps_one_seat_and_one_mail() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 1, "Atelier CV").await;
    let res = register(
        &app,
        &live.link,
        "alice@acme.example",
        "Alice",
        live.mission_id,
    )
    .await;
    assert_eq!(res.status(), 200);
    let url = app
        .mails_to("alice@acme.example")
        .await
        .into_iter()
        .find_map(|m| m.link(&format!("{}/r/", app.base)))
        .unwrap();
    let (a, b) = tokio::join!(app.client.post(&url).send(), app.client.post(&url).send());
    assert_eq!(a.unwrap().status(), 303);
    assert_eq!(b.unwrap().status(), 303);
    let regs = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(regs[0]["status"], "confirmed");
    assert_eq!(
        regs[0]["choices"][0]["status"], "seated",
        "the second press must not take her own seat away: {regs}"
    );
    assert_eq!(
        app.mails_to("alice@acme.example").await.len(),
        2,
        "one confirmation request and one seat confirmation"
    );
}
