//! Seats under HR's changes and the clock: an organiser's cancellation is told once,
//! a closed campaign seats nobody new, capacity changes go to the waitlist first,
//! and a claim racing the job that passes lapsed offers on keeps what it was told.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::registration::{Live, confirm_from_mail, live_campaign, register};
use crate::support::mail::ics_prop;
use crate::support::{TestApp, json};

async fn rows(app: &TestApp, live: &Live) -> Vec<Value> {
    json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

/// The (only) choice of `email`.
async fn choice_of(app: &TestApp, live: &Live, email: &str) -> Value {
    rows(app, live)
        .await
        .into_iter()
        .find(|r| r["email"] == email)
        .unwrap_or_else(|| panic!("no registration of {email}"))["choices"][0]
        .clone()
}

fn mission_body(live: &Live, capacity: i64) -> Value {
    mission_at(live, capacity, 30, 9, "Atelier")
}

/// The mission `days` ahead, from `hour` o'clock to 17:30.
pub fn mission_at(live: &Live, capacity: i64, days: i64, hour: u32, title: &str) -> Value {
    let day = (Utc::now().date_naive() + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string();
    json!({
        "association_id": live.association_id, "title": title, "format": "marathon",
        "work_mode": "in_person", "place": "12 rue des Lilas, Paris",
        "starts_at": format!("{day}T{hour:02}:00:00"), "ends_at": format!("{day}T17:30:00"),
        "time_zone": "Europe/Paris", "capacity": capacity,
    })
}

/// Every offer now lapses at `at` (as if its claim window ended then); answers how many.
pub async fn set_offer_deadline(app: &TestApp, at: chrono::DateTime<Utc>) -> u64 {
    use sea_orm::ConnectionTrait;
    app.store
        .db()
        .execute_unprepared(&format!(
            "UPDATE registration_choices SET offer_expires_at = '{}' WHERE status = 'offered'",
            at.format("%Y-%m-%d %H:%M:%S%.6f%:z")
        ))
        .await
        .unwrap()
        .rows_affected()
}

async fn seat_and_queue(app: &TestApp, live: &Live, people: &[(&str, &str)]) -> Vec<String> {
    let mut pages = Vec::new();
    for (email, first) in people {
        register(app, &live.link, email, first, live.mission_id).await;
        pages.push(confirm_from_mail(app, email).await);
    }
    pages
}

#[tokio::test]
async fn an_organisers_cancellation_is_told_once_with_a_calendar_cancel() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 1, "Atelier").await;
    seat_and_queue(
        &app,
        &live,
        &[("ann@acme.example", "Ann"), ("bob@acme.example", "Bob")],
    )
    .await;
    let ann = choice_of(&app, &live, "ann@acme.example").await;
    assert_eq!(ann["status"], "seated");
    let before = app.mails_to("ann@acme.example").await.len();
    let move_path = format!(
        "/api/v1/registration-choices/{}/move",
        ann["choice_id"].as_i64().unwrap()
    );
    let cancel = |reason: &'static str| {
        app.post(
            &move_path,
            &live.token,
            json!({"action": "cancel", "reason": reason}),
        )
    };
    assert_eq!(cancel("Absente ce jour-là").await.status(), 204);
    let mails = app.mails_to("ann@acme.example").await;
    assert_eq!(mails.len(), before + 1, "one mail to the person");
    let told = mails.last().unwrap();
    assert!(
        told.subject.contains("Votre place est annulée"),
        "{}",
        told.subject
    );
    assert!(
        told.text.contains("organisateurs"),
        "the mail says who cancelled: {}",
        told.text
    );
    assert!(
        !told.text.contains("Absente"),
        "HR's reason stays in the audit log"
    );
    let ics = told.calendar.as_deref().expect("a calendar cancellation");
    assert!(ics.contains("METHOD:CANCEL"), "{ics}");
    // The freed seat goes to Bob, first in line.
    let bob = app.mails_to("bob@acme.example").await;
    assert!(
        bob.last().unwrap().subject.contains("place"),
        "{}",
        bob.last().unwrap().subject
    );
    assert_eq!(
        choice_of(&app, &live, "bob@acme.example").await["status"],
        "offered"
    );

    // A second press tells nobody anything twice.
    let again = cancel("Absente ce jour-là").await;
    assert_eq!(again.status(), 422);
    let problem: Value = again.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "action");
    assert_eq!(app.mails_to("ann@acme.example").await.len(), before + 1);

    // HR cancels Bob's offer: he is told too, without a calendar (he had no invitation).
    let bob_choice = choice_of(&app, &live, "bob@acme.example").await;
    let bob_before = app.mails_to("bob@acme.example").await.len();
    let res = app
        .post(
            &format!(
                "/api/v1/registration-choices/{}/move",
                bob_choice["choice_id"].as_i64().unwrap()
            ),
            &live.token,
            json!({"action": "cancel", "reason": "Doublon"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let bob = app.mails_to("bob@acme.example").await;
    assert_eq!(bob.len(), bob_before + 1);
    let told = bob.last().unwrap();
    assert!(
        told.subject.contains("Votre place est annulée"),
        "{}",
        told.subject
    );
    assert!(told.calendar.is_none(), "no invitation to take back");
}

#[tokio::test]
async fn a_closed_campaign_confirms_nobody_new() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 3, "Atelier").await;
    register(&app, &live.link, "cid@acme.example", "Cid", live.mission_id).await;
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
    let mail = app.mails_to("cid@acme.example").await;
    let url = mail[0].link(&format!("{}/r/", app.base)).unwrap();
    let res = app.client.post(&url).send().await.unwrap();
    assert_eq!(res.status(), 409);
    let page = res.text().await.unwrap();
    assert!(page.contains("Inscriptions closes"), "{page}");
    let row = rows(&app, &live)
        .await
        .into_iter()
        .find(|r| r["email"] == "cid@acme.example")
        .unwrap();
    assert_eq!(row["status"], "pending");
    assert_eq!(row["choices"][0]["status"], "pending");
}

#[tokio::test]
async fn more_seats_go_to_the_waitlist_first_and_fewer_than_held_is_refused() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 1, "Atelier").await;
    seat_and_queue(
        &app,
        &live,
        &[
            ("ann@acme.example", "Ann"),
            ("bob@acme.example", "Bob"),
            ("cid@acme.example", "Cid"),
        ],
    )
    .await;
    assert_eq!(
        choice_of(&app, &live, "bob@acme.example").await["position"],
        1
    );
    let mission = format!("/api/v1/missions/{}", live.mission_id);
    json(
        app.put(&mission, &live.token, mission_body(&live, 2)).await,
        200,
    )
    .await;
    // Bob, first in line, is offered the new seat before anyone new can take it.
    let bob = choice_of(&app, &live, "bob@acme.example").await;
    assert_eq!(bob["status"], "offered", "{bob}");
    assert!(bob["offer_expires_at"].is_string());
    let offer = app.mails_to("bob@acme.example").await;
    assert!(
        offer.last().unwrap().text.contains("/me/"),
        "the offer links to Bob's page"
    );
    assert_eq!(
        choice_of(&app, &live, "cid@acme.example").await["position"],
        1
    );

    // Two seats are held (Ann's, Bob's offer): one is refused, naming them.
    let res = app.put(&mission, &live.token, mission_body(&live, 1)).await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "capacity");
    let why = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        why.contains("Ann Martin") && why.contains("Bob Martin"),
        "{why}"
    );
    let m = json(app.get(&mission, &live.token).await, 200).await;
    assert_eq!(m["capacity"], 2, "nothing changed");
    assert_eq!(
        choice_of(&app, &live, "bob@acme.example").await["status"],
        "offered"
    );
}

/// Claims and the minute job race on offers lapsing right now: whoever is told "the
/// place is yours" keeps it (the job used to write a stale copy back on PostgreSQL),
/// and no seat is held twice.
#[tokio::test]
async fn a_claim_racing_the_lapse_job_keeps_what_it_was_told() {
    // Three rounds: the race is a matter of milliseconds (the old code lost a seat in
    // about one round out of three on PostgreSQL).
    for _ in 0..3 {
        race_round().await;
    }
}

async fn race_round() {
    const N: usize = 12;
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, N as i64, "Atelier").await;
    let people: Vec<(String, String)> = (0..2 * N)
        .map(|i| (format!("p{i}@acme.example"), format!("P{i}")))
        .collect();
    let refs: Vec<(&str, &str)> = people
        .iter()
        .map(|(e, f)| (e.as_str(), f.as_str()))
        .collect();
    let pages = seat_and_queue(&app, &live, &refs).await;
    // The first N cancel: the N waiting are offered their seats.
    for page in &pages[..N] {
        let res = app
            .client
            .post(format!("{}/cancel", page.split('?').next().unwrap()))
            .form(&Vec::<(String, String)>::new())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    // Every offer lapses a moment from now.
    assert_eq!(
        set_offer_deadline(&app, Utc::now() + Duration::milliseconds(300)).await,
        N as u64
    );

    let job = {
        let state = app.state.clone();
        tokio::spawn(async move {
            let end = std::time::Instant::now() + std::time::Duration::from_millis(900);
            while std::time::Instant::now() < end {
                declic_app::jobs::pass_lapsed_offers(&state).await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        })
    };
    let mut claims = tokio::task::JoinSet::new();
    for (i, page) in pages[N..].iter().enumerate() {
        let url = format!("{}/claim", page.split('?').next().unwrap());
        let client = app.client.clone();
        let mission = live.mission_id.to_string();
        claims.spawn(async move {
            // Spread over the lapse (a claim takes tens of milliseconds here): they
            // queue on the mission's lock while the offers lapse and the job reads them.
            tokio::time::sleep(std::time::Duration::from_millis(220 + 15 * (i as u64 % 5))).await;
            let res = client
                .post(url)
                .form(&[("mission_id", mission)])
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let told = res.text().await.unwrap().contains("la place est à vous");
            (N + i, status, told)
        });
    }
    let mut told_seated = Vec::new();
    while let Some(r) = claims.join_next().await {
        let (i, status, told) = r.unwrap();
        assert!(
            status == 200 || status == 409,
            "claim {i} answered {status}"
        );
        if told {
            told_seated.push(i);
        }
    }
    job.await.unwrap();
    declic_app::jobs::pass_lapsed_offers(&app.state)
        .await
        .unwrap();
    let all = rows(&app, &live).await;
    let seated = all
        .iter()
        .filter(|r| r["choices"][0]["status"] == "seated")
        .count();
    assert!(seated <= N, "{seated} seats on {N}");
    for i in &told_seated {
        let (email, _) = &people[*i];
        let c = choice_of(&app, &live, email).await;
        assert_eq!(
            c["status"], "seated",
            "{email} was told the place is theirs and lost it: {c}"
        );
    }
}

#[tokio::test]
async fn moving_a_mission_sends_each_holder_an_updated_invitation() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 2, "Atelier").await;
    seat_and_queue(
        &app,
        &live,
        &[
            ("ann@acme.example", "Ann"),
            ("bob@acme.example", "Bob"),
            ("cid@acme.example", "Cid"),
        ],
    )
    .await;
    let seat = app.mails_to("ann@acme.example").await;
    let first = seat
        .last()
        .unwrap()
        .calendar
        .clone()
        .expect("the seat's invitation");
    let uid = ics_prop(&first, "UID").unwrap();
    let seq = |ics: &str| ics_prop(ics, "SEQUENCE").unwrap().parse::<u64>().unwrap();
    let mut last_seq = seq(&first);
    let cid_before = app.mails_to("cid@acme.example").await.len();
    let mission = format!("/api/v1/missions/{}", live.mission_id);

    // Two moves within the same minute: each one a new invitation, each numbered higher.
    for (days, hour) in [(31, 10), (32, 11)] {
        let before = app.mails_to("ann@acme.example").await.len();
        json(
            app.put(
                &mission,
                &live.token,
                mission_at(&live, 2, days, hour, "Atelier"),
            )
            .await,
            200,
        )
        .await;
        for who in ["ann@acme.example", "bob@acme.example"] {
            let mails = app.mails_to(who).await;
            let told = mails.last().unwrap();
            assert!(
                told.subject.contains("La mission a changé"),
                "{}",
                told.subject
            );
            assert!(told.text.contains("nouvel horaire"), "{}", told.text);
            let ics = told.calendar.as_deref().expect("the updated invitation");
            assert_eq!(ics_prop(ics, "METHOD").as_deref(), Some("REQUEST"));
            let start = ics_prop(ics, "DTSTART").unwrap();
            assert!(start.ends_with(&format!("T{hour:02}0000")), "{start}");
            if who == "ann@acme.example" {
                assert_eq!(mails.len(), before + 1, "one mail per change");
                assert_eq!(ics_prop(ics, "UID").unwrap(), uid, "the same event");
                let n = seq(ics);
                assert!(n > last_seq, "SEQUENCE {n} after {last_seq}");
                last_seq = n;
            }
        }
    }
    assert_eq!(
        app.mails_to("cid@acme.example").await.len(),
        cid_before,
        "the waitlist has nothing to update"
    );

    // A new title alone changes nobody's calendar.
    let before = app.mails_to("ann@acme.example").await.len();
    json(
        app.put(
            &mission,
            &live.token,
            mission_at(&live, 2, 32, 11, "Atelier CV"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(app.mails_to("ann@acme.example").await.len(), before);

    // Ann cancels: the CANCEL is numbered above the last update.
    let ann_page = app
        .mails_to("ann@acme.example")
        .await
        .last()
        .unwrap()
        .link(&format!("{}/me/", app.base))
        .unwrap();
    let res = app
        .client
        .post(format!("{}/cancel", ann_page.split('?').next().unwrap()))
        .form(&Vec::<(String, String)>::new())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cancel = app.mails_to("ann@acme.example").await;
    let ics = cancel.last().unwrap().calendar.clone().unwrap();
    assert_eq!(ics_prop(&ics, "METHOD").as_deref(), Some("CANCEL"));
    assert!(seq(&ics) > last_seq);
}

#[tokio::test]
async fn a_late_claim_and_a_disguised_name_get_a_clear_answer() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 1, "Atelier").await;
    let pages = seat_and_queue(
        &app,
        &live,
        &[("ann@acme.example", "Ann"), ("bob@acme.example", "Bob")],
    )
    .await;
    // The seat's invitation does not carry the personal page (it is often forwarded).
    let ics = app.mails_to("ann@acme.example").await[1]
        .calendar
        .clone()
        .unwrap();
    assert!(!ics.contains("/me/"), "{ics}");

    let res = app
        .client
        .post(format!("{}/cancel", pages[0].split('?').next().unwrap()))
        .form(&Vec::<(String, String)>::new())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Bob's offer lapses before the minute job has passed it on.
    set_offer_deadline(&app, Utc::now() - Duration::minutes(1)).await;
    let bob = pages[1].split('?').next().unwrap().to_owned();
    let page = app
        .client
        .get(&bob)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Le délai pour accepter la place proposée est passé"),
        "{page}"
    );
    assert!(
        !page.contains("/claim"),
        "no claim button for a lapsed offer"
    );
    let res = app
        .client
        .post(format!("{bob}/claim"))
        .form(&[("mission_id", live.mission_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Le délai pour accepter cette place est passé"),
        "{page}"
    );

    // A right-to-left override in a name is refused, and nothing is stored.
    let before = rows(&app, &live).await.len();
    let res = register(
        &app,
        &live.link,
        "eve@acme.example",
        "Eve\u{202E}nimda",
        live.mission_id,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(rows(&app, &live).await.len(), before);
}

#[tokio::test]
async fn a_colleague_is_invited_once_the_inviter_confirmed_and_only_once() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 3, "Atelier").await;
    let sign_up = |email: &'static str, first: &'static str, duo: &'static str| {
        let app = &app;
        let link = live.link.clone();
        let mission = live.mission_id.to_string();
        async move {
            let res = app
                .client
                .post(format!("{link}/register"))
                .form(&[
                    ("email", email),
                    ("first_name", first),
                    ("last_name", "Martin"),
                    ("choice_1", mission.as_str()),
                    ("consent", "yes"),
                    ("duo_email", duo),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
    };
    // Sign-ups with invented addresses never confirm: they invite nobody.
    for fake in ["x1@acme.example", "x2@acme.example", "x3@acme.example"] {
        sign_up(fake, "Mallory", "zoe@acme.example").await;
    }
    assert!(app.mails_to("zoe@acme.example").await.is_empty());
    // Two real colleagues name Zoé and confirm: she is invited once.
    sign_up("ann@acme.example", "Ann", "zoe@acme.example").await;
    sign_up("bob@acme.example", "Bob", "zoe@acme.example").await;
    confirm_from_mail(&app, "ann@acme.example").await;
    confirm_from_mail(&app, "bob@acme.example").await;
    let zoe = app.mails_to("zoe@acme.example").await;
    assert_eq!(zoe.len(), 1, "one invitation per colleague and campaign");
    assert!(zoe[0].text.contains("Ann"), "{}", zoe[0].text);

    // A colleague who opted out of mail is not invited, and HR sees why.
    let res = app
        .client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(&live.token)
        .header("content-type", "text/csv")
        .body("email,first name,last name\nyan@acme.example,Yan,Roy\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let org = declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let yan = app
        .store
        .employee_by_email(org, "yan@acme.example")
        .await
        .unwrap()
        .id;
    app.store.opt_out(org, yan, "mail").await.unwrap();
    sign_up("cid@acme.example", "Cid", "yan@acme.example").await;
    confirm_from_mail(&app, "cid@acme.example").await;
    assert!(app.mails_to("yan@acme.example").await.is_empty());
    let history = json(
        app.get(&format!("/api/v1/employees/{yan}/deliveries"), &live.token)
            .await,
        200,
    )
    .await;
    let d = history
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message"] == "duo_invitation")
        .unwrap_or_else(|| panic!("{history}"));
    assert_eq!(d["status"], "cancelled", "{d}");
    assert!(
        d["last_error"].as_str().unwrap().contains("opted out"),
        "{d}"
    );
}

#[tokio::test]
async fn a_duo_waiting_together_is_offered_two_seats_at_once() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 2, "Atelier").await;
    let mission = live.mission_id.to_string();
    let res = app
        .client
        .post(format!("{}/register", live.link))
        .form(&[
            ("email", "ann@acme.example"),
            ("first_name", "Ann"),
            ("last_name", "Martin"),
            ("choice_1", mission.as_str()),
            ("consent", "yes"),
            ("duo_email", "bob@acme.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let ann = confirm_from_mail(&app, "ann@acme.example").await;
    seat_and_queue(&app, &live, &[("cid@acme.example", "Cid")]).await;
    // Bob accepts Ann's invitation, but the mission is full now.
    let invite = app.mails_to("bob@acme.example").await.pop().unwrap();
    let url = invite.link(&format!("{}/c/", app.base)).unwrap();
    let duo = url
        .split("duo=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .post(format!("{}/register", live.link))
        .form(&[
            ("email", "bob@acme.example"),
            ("first_name", "Bob"),
            ("last_name", "Martin"),
            ("choice_1", mission.as_str()),
            ("consent", "yes"),
            ("duo", duo.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    confirm_from_mail(&app, "bob@acme.example").await;
    let dan = seat_and_queue(&app, &live, &[("dan@acme.example", "Dan")]).await;
    assert_eq!(
        choice_of(&app, &live, "bob@acme.example").await["position"],
        1
    );

    // Ann gives up her seat to wait with Bob: the pair keeps her place, at the head.
    let status = app
        .client
        .post(format!(
            "{}/wait-with-partner",
            ann.split('?').next().unwrap()
        ))
        .form(&[("mission_id", mission.as_str())])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    let ann_c = choice_of(&app, &live, "ann@acme.example").await;
    let bob_c = choice_of(&app, &live, "bob@acme.example").await;
    assert_eq!(
        (ann_c["status"].as_str(), ann_c["position"].as_u64()),
        (Some("waitlisted"), Some(1))
    );
    assert_eq!(
        (bob_c["status"].as_str(), bob_c["position"].as_u64()),
        (Some("waitlisted"), Some(2))
    );
    // One seat is not enough for two: it goes to Dan meanwhile.
    assert_eq!(
        choice_of(&app, &live, "dan@acme.example").await["status"],
        "offered"
    );

    // Cid leaves: still one free seat only (Dan's offer holds the other); the pair waits.
    let cid = app.mails_to("cid@acme.example").await[1]
        .link(&format!("{}/me/", app.base))
        .unwrap();
    let res = app
        .client
        .post(format!("{}/cancel", cid.split('?').next().unwrap()))
        .form(&Vec::<(String, String)>::new())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        choice_of(&app, &live, "ann@acme.example").await["status"],
        "waitlisted"
    );
    assert_eq!(
        choice_of(&app, &live, "bob@acme.example").await["status"],
        "waitlisted"
    );

    // Dan declines: two seats are free, and both go to the pair together.
    let res = app
        .client
        .post(format!("{}/decline", dan[0].split('?').next().unwrap()))
        .form(&[("mission_id", mission.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        choice_of(&app, &live, "ann@acme.example").await["status"],
        "offered"
    );
    assert_eq!(
        choice_of(&app, &live, "bob@acme.example").await["status"],
        "offered"
    );
}

#[tokio::test]
async fn an_address_nobody_confirmed_is_nobody_in_the_directory() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 3, "Atelier").await;
    let org = declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let audience_before = app.store.audience_size(org, &[], &[]).await.unwrap();
    // Invented addresses in the company's domain, and a real colleague not yet confirmed.
    for fake in ["x1@acme.example", "x2@acme.example"] {
        assert_eq!(
            register(&app, &live.link, fake, "Mallory", live.mission_id)
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        register(&app, &live.link, "ann@acme.example", "Ann", live.mission_id)
            .await
            .status(),
        200
    );
    assert!(
        listed(&app, &live.token).await.is_empty(),
        "nobody confirmed: nobody listed"
    );
    assert_eq!(
        app.store.audience_size(org, &[], &[]).await.unwrap(),
        audience_before,
        "no campaign mail to an address nobody confirmed"
    );
    // The owner of x1 signs up with her own name: the names nobody confirmed give way.
    assert_eq!(
        register(&app, &live.link, "x1@acme.example", "Xena", live.mission_id)
            .await
            .status(),
        200
    );
    let x1 = app
        .store
        .employee_by_email(org, "x1@acme.example")
        .await
        .unwrap();
    assert_eq!(x1.first_name, "Xena");

    // Ann confirms from her mailbox: a person of the organisation now, with her name.
    confirm_from_mail(&app, "ann@acme.example").await;
    assert_eq!(
        listed(&app, &live.token).await,
        vec!["ann@acme.example".to_owned()]
    );
    // Her name is hers: a later sign-up for her address cannot rename her.
    assert_eq!(
        register(
            &app,
            &live.link,
            "ann@acme.example",
            "Mallory",
            live.mission_id
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.store
            .employee_by_email(org, "ann@acme.example")
            .await
            .unwrap()
            .first_name,
        "Ann"
    );

    // x1's confirmation link lapses unused: the purge forgets her and her sign-up.
    app.store
        .db()
        .execute_unprepared(&format!(
            "UPDATE registrations SET confirm_expires_at = '{}' WHERE employee_id = {}",
            (Utc::now() - chrono::Duration::minutes(1)).format("%Y-%m-%d %H:%M:%S%.6f%:z"),
            x1.id
        ))
        .await
        .unwrap();
    assert_eq!(
        declic_storage::retention::Removed::rows_of(
            &declic_app::retention::run(&app.state, false).await.unwrap(),
            "unconfirmed_sign_ups"
        ),
        1
    );
    assert!(
        app.store
            .employee_by_email(org, "x1@acme.example")
            .await
            .is_err()
    );
    let regs = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let emails: Vec<&str> = regs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert!(!emails.contains(&"x1@acme.example"), "{regs}");
    assert!(
        emails.contains(&"x2@acme.example"),
        "x2's link is still valid: {regs}"
    );
    // A second pass forgets nobody more.
    assert_eq!(
        declic_storage::retention::Removed::rows_of(
            &declic_app::retention::run(&app.state, false).await.unwrap(),
            "unconfirmed_sign_ups"
        ),
        0
    );

    // The directory's file names x2: a person from now on.
    let res = app
        .client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(&live.token)
        .header("content-type", "text/csv")
        .body("email,first name,last name\nx2@acme.example,Xavier,Roy\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        listed(&app, &live.token).await,
        vec!["ann@acme.example".to_owned(), "x2@acme.example".to_owned()]
    );
}

/// The addresses the directory lists, sorted.
async fn listed(app: &TestApp, token: &str) -> Vec<String> {
    let list = json(app.get("/api/v1/employees?limit=100", token).await, 200).await;
    let mut emails: Vec<String> = list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|e| e["email"].as_str().unwrap().to_owned())
        .collect();
    emails.sort();
    emails
}
