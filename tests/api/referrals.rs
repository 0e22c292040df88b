//! Ambassador links become referral edges at confirmation; attendance, figures,
//! leaderboard, exports, erasure and tenant isolation.

use declic_storage::admins::Role;
use serde_json::{Value, json};

use crate::registration::{confirm_from_mail, live_campaign, register};
use crate::support::{TestApp, json};

/// Makes `email` an ambassador who said yes (history from before Declic), then
/// creates (or gets) their link for the campaign.
async fn ambassador_link(app: &TestApp, token: &str, campaign: i64, email: &str) -> String {
    crate::ambassadors::make_ambassador(app, token, email).await;
    let l = json(
        app.post(
            &format!("/api/v1/campaigns/{campaign}/links"),
            token,
            json!({"channel": "ambassador", "ambassador_email": email}),
        )
        .await,
        200,
    )
    .await;
    l["url"].as_str().unwrap().to_owned()
}

async fn register_and_confirm(
    app: &TestApp,
    link: &str,
    email: &str,
    first: &str,
    mission: i64,
    show: bool,
) {
    let mut form = vec![
        ("email", email.to_owned()),
        ("first_name", first.to_owned()),
        ("last_name", "Martin".to_owned()),
        ("choice_1", mission.to_string()),
        ("consent", "yes".to_owned()),
    ];
    if show {
        form.push(("show_to_referrer", "yes".to_owned()));
    }
    let res = app
        .client
        .post(format!("{link}/register"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    confirm_from_mail(app, email).await;
}

fn row(figures: &Value, employee_id: i64) -> &Value {
    figures["ambassadors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["employee_id"] == employee_id)
        .unwrap_or_else(|| panic!("no figures for {employee_id}: {figures}"))
}

async fn employee_id(app: &TestApp, token: &str, campaign: i64, email: &str) -> i64 {
    let regs = json(
        app.get(
            &format!("/api/v1/campaigns/{campaign}/registrations"),
            token,
        )
        .await,
        200,
    )
    .await;
    regs.as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == email)
        .unwrap()["employee_id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_chain_of_referrals_with_figures_exports_and_rules() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 20, "Atelier CV").await;
    let (t, cid, mid) = (&live.token, live.campaign_id, live.mission_id);

    // Alice volunteered (direct link), then shares her ambassador link.
    register_and_confirm(&app, &live.link, "alice@acme.example", "Alice", mid, false).await;
    let alice = employee_id(&app, t, cid, "alice@acme.example").await;
    let alice_link = ambassador_link(&app, t, cid, "alice@acme.example").await;
    assert!(
        app.client
            .get(&alice_link)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("show_to_referrer"),
        "an ambassador link offers the choice to be shown"
    );
    // Bob comes through Alice and agrees to be shown; Bob's link brings Chloé and Eve, who
    // do not (Chloé becomes an ambassador later, so her name shows anyway).
    register_and_confirm(&app, &alice_link, "bob@acme.example", "Bob", mid, true).await;
    let bob = employee_id(&app, t, cid, "bob@acme.example").await;
    let bob_link = ambassador_link(&app, t, cid, "bob@acme.example").await;
    register_and_confirm(&app, &bob_link, "chloe@acme.example", "Chloé", mid, false).await;
    let chloe = employee_id(&app, t, cid, "chloe@acme.example").await;
    register_and_confirm(&app, &bob_link, "eve@acme.example", "Eve", mid, false).await;
    // Alice using her own link (already registered: same record) and Bob through Chloé's
    // link would close a loop or re-attribute: no new credit.
    register(&app, &alice_link, "alice@acme.example", "Alice", mid).await;
    let chloe_link = ambassador_link(&app, t, cid, "chloe@acme.example").await;
    register(&app, &chloe_link, "bob@acme.example", "Bob", mid).await;
    // A registration through a link that is never confirmed makes no edge.
    register(&app, &alice_link, "dora@acme.example", "Dora", mid).await;

    let f = json(app.get("/api/v1/referrals/figures", t).await, 200).await;
    let a = row(&f, alice);
    assert_eq!(a["direct_recruits"], 1, "{a}");
    assert_eq!(a["reach"], 3, "Bob and, through him, Chloé and Eve");
    assert_eq!(a["depth"], 2);
    assert_eq!(a["first_name"], "Alice");
    assert_eq!(a["conversion"]["confirmed"], 1);
    assert_eq!(
        a["conversion"]["visits"], 1,
        "the one page view of Alice's link, counted anonymously"
    );
    let b = row(&f, bob);
    assert_eq!(b["direct_recruits"], 2);
    assert_eq!(b["reach"], 2);
    assert_eq!(f["campaigns"][0]["recruits"], 3);
    // Alice came through the direct link, Bob, Chloé and Eve through ambassadors, Dora
    // (pending) through Alice's link too.
    let sources = f["sources"].as_array().unwrap();
    let share = |channel: &str| {
        sources.iter().find(|s| s["channel"] == channel).map(|s| {
            (
                s["registrations"].as_u64().unwrap(),
                s["confirmed"].as_u64().unwrap(),
            )
        })
    };
    assert_eq!(share("direct"), Some((1, 1)), "{sources:?}");
    assert_eq!(share("ambassador"), Some((4, 3)), "{sources:?}");
    assert_eq!(f["campaigns"][0]["generations"], 2);

    // Attendance: Bob came; Chloé is marked absent; Dora (pending) cannot be marked.
    let regs = json(
        app.get(&format!("/api/v1/campaigns/{cid}/registrations"), t)
            .await,
        200,
    )
    .await;
    let reg_of = |email: &str| {
        regs.as_array()
            .unwrap()
            .iter()
            .find(|r| r["email"] == email)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let sheet = json!({"marks": [
        {"registration_id": reg_of("bob@acme.example"), "attended": true},
        {"registration_id": reg_of("chloe@acme.example"), "attended": false},
    ]});
    let viewer = app
        .token(
            declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id),
            "viewer@acme.example",
            Role::Viewer,
        )
        .await;
    json(
        app.post(
            &format!("/api/v1/missions/{mid}/attendance"),
            &viewer,
            sheet.clone(),
        )
        .await,
        403,
    )
    .await;
    let done = json(
        app.post(&format!("/api/v1/missions/{mid}/attendance"), t, sheet)
            .await,
        200,
    )
    .await;
    assert_eq!(done["marked"], 2);
    let bad = json(
        app.post(
            &format!("/api/v1/missions/{mid}/attendance"),
            t,
            json!({"marks": [{"registration_id": reg_of("dora@acme.example"), "attended": true}]}),
        )
        .await,
        422,
    )
    .await;
    assert!(
        bad.to_string().contains("marks[0].registration_id"),
        "{bad}"
    );
    let f = json(app.get("/api/v1/referrals/figures", &viewer).await, 200).await;
    assert_eq!(row(&f, alice)["conversion"]["attended"], 1, "Bob attended");
    assert_eq!(row(&f, bob)["conversion"]["attended"], 0, "Chloé did not");

    // Exports: Bob agreed to be shown, Chloé did not (pseudonym).
    let g = app
        .get("/api/v1/referrals/graph?format=json", t)
        .await
        .text()
        .await
        .unwrap();
    assert!(g.contains("Bob") && !g.contains("Eve"), "{g}");
    for (format, needle) in [("csv", "Bob"), ("graphml", "<graphml"), ("dot", "digraph")] {
        let res = app
            .get(
                &format!("/api/v1/referrals/graph?format={format}&campaign_id={cid}"),
                t,
            )
            .await;
        assert_eq!(res.status(), 200);
        let body = res.text().await.unwrap();
        assert!(body.contains(needle), "{format}: {body}");
    }
    json(app.get("/api/v1/referrals/graph?format=xlsx", t).await, 422).await;
    let svg = app
        .get(&format!("/api/v1/campaigns/{cid}/referrals.svg"), t)
        .await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let svg = svg.text().await.unwrap();
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{svg}");
    assert!(svg.contains("Alice") && !svg.contains("Eve"));
    let board = json(
        app.get("/api/v1/referrals/leaderboard?limit=5", t).await,
        200,
    )
    .await;
    // Ranked by direct recruits, then reach.
    assert_eq!(board["top"][0]["person"], bob);
    assert_eq!(board["top"][1]["person"], alice);

    // Erasing Bob keeps the shape: Alice still reaches three people; Bob's name is gone.
    let owner = app
        .token(
            declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id),
            "owner@acme.example",
            Role::Owner,
        )
        .await;
    let export = json(
        app.post(
            "/api/v1/privacy/export",
            &owner,
            json!({"email": "bob@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    let roles: Vec<&str> = export["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["referee", "referrer", "referrer"], "{export}");
    assert_eq!(export["registrations"][0]["show_to_referrer"], true);
    json(
        app.post(
            "/api/v1/privacy/erase",
            &owner,
            json!({"email": "bob@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    let f = json(app.get("/api/v1/referrals/figures", t).await, 200).await;
    assert_eq!(row(&f, alice)["reach"], 3);
    assert!(
        f["ambassadors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["employee_id"] != bob),
        "an erased person has no figures of their own"
    );
    let g = app
        .get("/api/v1/referrals/graph", t)
        .await
        .text()
        .await
        .unwrap();
    assert!(!g.contains("Bob"), "{g}");
    let _ = chloe;

    // Another organisation sees none of it, and cannot name this campaign.
    let other_org = app.org("globex", "globex.example").await;
    let other = app.token(other_org, "hr@globex.example", Role::Owner).await;
    let f = json(app.get("/api/v1/referrals/figures", &other).await, 200).await;
    assert_eq!(f["ambassadors"], json!([]));
    json(
        app.get(
            &format!("/api/v1/referrals/graph?campaign_id={cid}"),
            &other,
        )
        .await,
        404,
    )
    .await;
    json(
        app.get(&format!("/api/v1/campaigns/{cid}/referrals.svg"), &other)
            .await,
        404,
    )
    .await;
    json(
        app.post(
            &format!("/api/v1/missions/{mid}/attendance"),
            &other,
            json!({"marks": [{"registration_id": reg_of("bob@acme.example"), "attended": true}]}),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn the_name_shown_to_an_ambassador_is_given_and_taken_back_from_the_personal_page() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 20, "Atelier CV").await;
    let (t, cid, mid) = (&live.token, live.campaign_id, live.mission_id);
    register_and_confirm(&app, &live.link, "alice@acme.example", "Alice", mid, false).await;
    let alice_link = ambassador_link(&app, t, cid, "alice@acme.example").await;
    // Eve comes through Alice's link and does not tick the box.
    register_and_confirm(&app, &alice_link, "eve@acme.example", "Eve", mid, false).await;
    // What Alice sees on her ambassador page.
    let org = declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let alice = employee_id(&app, t, cid, "alice@acme.example").await;
    let graph = || async {
        app.store
            .ambassador_overview(org, alice)
            .await
            .unwrap()
            .recruits_shown
            .join(",")
    };
    assert!(!graph().await.contains("Eve"));
    let me = app
        .mails_to("eve@acme.example")
        .await
        .into_iter()
        .find_map(|m| m.link(&format!("{}/me/", app.base)))
        .unwrap();
    let base = me.split('?').next().unwrap().to_owned();
    let page = app
        .client
        .get(&me)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("ne voit pas votre prénom"), "{page}");
    let choose = |show: &'static str| {
        app.client
            .post(format!("{base}/name-shown"))
            .form(&[("show", show)])
            .send()
    };
    let res = choose("yes").await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("votre prénom est visible")
    );
    assert!(graph().await.contains("Eve"), "shown at once");
    // Withdrawn as easily as it was given.
    let res = choose("no").await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(!graph().await.contains("Eve"), "hidden at once");
    // Alice came through no one's link: nothing to choose.
    let alice_me = app
        .mails_to("alice@acme.example")
        .await
        .into_iter()
        .find_map(|m| m.link(&format!("{}/me/", app.base)))
        .unwrap();
    let page = app
        .client
        .get(&alice_me)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("name-shown"));
}

/// Retention erases someone who left long ago as an erasure does; the ambassadors'
/// figures do not move (the referral edges stay, pointing at no one).
#[tokio::test]
async fn retention_erasing_someone_who_left_leaves_the_others_figures_unchanged() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 20, "Atelier CV").await;
    let (t, cid, mid) = (&live.token, live.campaign_id, live.mission_id);
    register_and_confirm(&app, &live.link, "alice@acme.example", "Alice", mid, false).await;
    let alice = employee_id(&app, t, cid, "alice@acme.example").await;
    let alice_link = ambassador_link(&app, t, cid, "alice@acme.example").await;
    register_and_confirm(&app, &alice_link, "bob@acme.example", "Bob", mid, true).await;
    let bob = employee_id(&app, t, cid, "bob@acme.example").await;
    let bob_link = ambassador_link(&app, t, cid, "bob@acme.example").await;
    register_and_confirm(&app, &bob_link, "chloe@acme.example", "Chloé", mid, false).await;
    let before = json(app.get("/api/v1/referrals/figures", t).await, 200).await;
    let alice_before = row(&before, alice).clone();
    assert_eq!(alice_before["reach"], 2, "{alice_before}");

    // Bob leaves the company; 400 days later the retention job erases him.
    json(
        app.post(&format!("/api/v1/employees/{bob}/deactivate"), t, json!({}))
            .await,
        200,
    )
    .await;
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(400))
        .format("%Y-%m-%d %H:%M:%S%.6f%:z")
        .to_string();
    use sea_orm::ConnectionTrait;
    app.store
        .db()
        .execute_unprepared(&format!(
            "UPDATE employees SET deactivated_at = '{long_ago}' WHERE id = {bob}"
        ))
        .await
        .unwrap();
    let report = declic_app::retention::run(&app.state, false).await.unwrap();
    assert_eq!(
        declic_storage::retention::Removed::rows_of(&report, "departed_people"),
        1
    );
    assert!(
        app.store
            .employee_by_email(
                declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id),
                "bob@acme.example"
            )
            .await
            .is_err()
    );
    let after = json(app.get("/api/v1/referrals/figures", t).await, 200).await;
    let alice_after = row(&after, alice);
    for field in ["direct_recruits", "reach", "depth"] {
        assert_eq!(
            alice_after[field], alice_before[field],
            "{field}: {alice_after}"
        );
    }
}
