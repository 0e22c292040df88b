//! Evaluation waves from the calendar, answers through signed links, the impact
//! report with its k-anonymity floor in every format, the share-back message,
//! anonymity, erasure and tenant isolation.

use chrono::{Duration, Utc};
use declic_storage::OrgId;
use declic_storage::admins::Role;
use declic_storage::entity::{campaign_step, survey_invitation, survey_response};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::registration::{confirm_from_mail, live_campaign, register};
use crate::support::{TestApp, json, problem_fields};

/// The survey link in the last evaluation mail to `email`.
async fn survey_link(app: &TestApp, email: &str) -> String {
    let mails = app.mails_to(email).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.text.contains("/s/"))
        .unwrap_or_else(|| panic!("no survey mail to {email}"));
    let start = mail.text.find("http").unwrap();
    let rest = &mail.text[start..];
    let link: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
    assert!(link.contains("/s/"), "{link}");
    link.split('?').next().unwrap().to_owned()
}

/// Marks everyone registered on the mission as present, but `absent`.
async fn mark_attendance(app: &TestApp, t: &str, cid: i64, mid: i64, absent: Option<&str>) {
    let regs = json(
        app.get(&format!("/api/v1/campaigns/{cid}/registrations"), t)
            .await,
        200,
    )
    .await;
    let marks: Vec<Value> = regs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"registration_id": r["id"], "attended": r["email"].as_str() != absent}))
        .collect();
    json(
        app.post(
            &format!("/api/v1/missions/{mid}/attendance"),
            t,
            json!({"marks": marks}),
        )
        .await,
        200,
    )
    .await;
}

/// Puts the first evaluation wave in the campaign's calendar today.
async fn hot_wave_today(app: &TestApp, cid: i64) {
    campaign_step::ActiveModel {
        campaign_id: Set(cid),
        kind: Set("evaluation_hot".into()),
        scheduled_on: Set(Utc::now().date_naive()),
        note: Set(String::new()),
        ..Default::default()
    }
    .insert(app.store.db())
    .await
    .unwrap();
}

async fn answer(app: &TestApp, link: &str, body: Value) -> reqwest::Response {
    app.client.post(link).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn evaluation_waves_answers_and_the_impact_report() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 10, "Atelier CV").await;
    let (t, cid, mid) = (&live.token, live.campaign_id, live.mission_id);
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    // The association's contact, who is asked too.
    let m = json(app.get(&format!("/api/v1/missions/{mid}"), t).await, 200).await;
    let aid = m["association_id"].as_i64().unwrap();
    json(
        app.patch(
            &format!("/api/v1/associations/{aid}"),
            t,
            json!({"contacts": [{"name": "Claire", "email": "claire@asso.example"}]}),
        )
        .await,
        200,
    )
    .await;
    // Seven volunteers: six came, one is marked absent.
    let people: Vec<String> = (1..=7).map(|i| format!("v{i}@acme.example")).collect();
    for (i, p) in people.iter().enumerate() {
        register(&app, &live.link, p, &format!("V{i}"), mid).await;
        confirm_from_mail(&app, p).await;
    }
    mark_attendance(&app, t, cid, mid, Some("v7@acme.example")).await;

    // The calendar's first wave is today.
    let today = Utc::now().date_naive();
    hot_wave_today(&app, cid).await;
    let created = app.store.dispatch_due_evaluations(today).await.unwrap();
    assert_eq!(created.len(), 1);
    let d = app.store.dispatch(org, created[0]).await.unwrap();
    assert_eq!(d.total, 7, "six attendees and the association's contact");
    let (a, b) = tokio::join!(
        app.store.dispatch_due_evaluations(today),
        app.store.dispatch_due_evaluations(today)
    );
    assert!(
        a.unwrap().is_empty() && b.unwrap().is_empty(),
        "one wave, once"
    );
    declic_app::delivery_worker::deliver_due(&app.state)
        .await
        .unwrap();
    assert!(
        app.mails_to("v7@acme.example")
            .await
            .iter()
            .all(|m| !m.text.contains("/s/")),
        "the absent are not asked"
    );
    let contact_mail = app.mails_to("claire@asso.example").await;
    assert_eq!(contact_mail.len(), 1);
    assert!(
        contact_mail[0].text.contains("accueilli des bénévoles"),
        "{}",
        contact_mail[0].text
    );
    assert!(
        !contact_mail[0].text.contains("/u/"),
        "no unsubscribe link for a non-employee"
    );
    let volunteer_mail = app.mails_to("v1@acme.example").await;
    assert!(
        volunteer_mail.iter().any(|m| m.text.contains("/u/")),
        "employees can opt out"
    );

    // The page works without JavaScript and escapes the campaign title.
    let link1 = survey_link(&app, "v1@acme.example").await;
    let page = app.client.get(&link1).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Printemps &lt;solidaire&gt;") && !html.contains("<solidaire>"));
    assert!(html.contains("name=\"q_satisfaction\""));
    assert!(
        html.contains("href=\"/privacy/acme?lang"),
        "the information notice is linked above the form"
    );

    // Bad input: clear errors naming the fields, nothing stored.
    let bad = answer(
        &app,
        &link1,
        json!({"satisfaction": 7, "usefulness": 3, "happier_at_work": "maybe"}),
    )
    .await;
    let problem = json(bad, 422).await;
    assert_eq!(
        problem_fields(&problem),
        ["satisfaction", "happier_at_work"]
    );
    let bad_form = app
        .client
        .post(&link1)
        .form(&[("q_satisfaction", "0"), ("q_usefulness", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_form.status(), 422);
    assert!(bad_form.text().await.unwrap().contains("1 to 5"));
    assert_eq!(
        survey_response::Entity::find()
            .all(app.store.db())
            .await
            .unwrap()
            .len(),
        0
    );
    // A wrong wave, an altered link, an expired link.
    let wrong_wave = app
        .client
        .post(&link1)
        .form(&[
            ("wave", "2"),
            ("q_satisfaction", "4"),
            ("q_usefulness", "4"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_wave.status(), 409);
    let wrong_wave = answer(
        &app,
        &link1,
        json!({"wave": 2, "satisfaction": 4, "usefulness": 4}),
    )
    .await;
    assert_eq!(problem_fields(&json(wrong_wave, 409).await), ["wave"]);
    let mut altered = link1.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    assert_eq!(app.client.get(&altered).send().await.unwrap().status(), 404);
    let inv1 = link1
        .rsplit('/')
        .next()
        .unwrap()
        .split('-')
        .next()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    let expired =
        declic_app::links::survey_url(&app.state, inv1, 1, Utc::now() - Duration::minutes(1));
    assert_eq!(app.client.get(&expired).send().await.unwrap().status(), 410);
    assert_eq!(
        answer(&app, &expired, json!({"satisfaction": 4, "usefulness": 4}))
            .await
            .status(),
        422
    );
    assert_eq!(
        survey_response::Entity::find()
            .all(app.store.db())
            .await
            .unwrap()
            .len(),
        0
    );

    // Known answers: satisfaction 5,4,3,5,4 (mean 4.2); happier at work 3 yes of 5.
    let sets = [
        (1, 5, true, "Très utile"),
        (2, 4, true, "Bonne équipe"),
        (3, 3, false, ""),
        (4, 5, true, ""),
    ];
    for (i, sat, happier, comment) in sets {
        let link = survey_link(&app, &format!("v{i}@acme.example")).await;
        let body = json!({"satisfaction": sat, "usefulness": 4, "happier_at_work": happier,
            "volunteer_privately": i % 2 == 0, "comment": comment, "ambassador": i == 1});
        assert_eq!(answer(&app, &link, body).await.status(), 201);
    }
    // Four answers: nothing is published yet (steps of five), nothing shown in any format.
    let r = json(
        app.get(&format!("/api/v1/campaigns/{cid}/report"), t).await,
        200,
    )
    .await;
    let wave1 = &r["waves"][0];
    assert_eq!(wave1["audience"], "volunteer");
    assert_eq!(wave1["answered"], 0);
    assert!(
        wave1["questions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|q| q["withheld"] == true)
    );
    let csv = app
        .get(
            &format!("/api/v1/campaigns/{cid}/report?format=csv&lang=en"),
            t,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("fewer than 5 answers") && !csv.contains("satisfaction=5"),
        "{csv}"
    );
    let pdf_tools = crate::posters::tools::pdf_tools();
    if let Some(tools) = &pdf_tools {
        let pdf = app
            .get(
                &format!("/api/v1/campaigns/{cid}/report?format=pdf&lang=en"),
                t,
            )
            .await
            .bytes()
            .await
            .unwrap();
        let text = tools.text(&pdf);
        assert!(
            text.contains("fewer than 5 answers") && !text.contains("mean"),
            "{text}"
        );
    }
    // The fifth answer; the first person changes their mind (same link, until the wave closes).
    let link5 = survey_link(&app, "v5@acme.example").await;
    assert_eq!(
        answer(&app, &link5, json!({"satisfaction": 4, "usefulness": 5, "happier_at_work": false, "comment": "Un peu court"})).await.status(),
        201
    );
    let again = answer(&app, &link1, json!({"satisfaction": 5, "usefulness": 5, "happier_at_work": true, "comment": "Très utile"})).await;
    assert_eq!(again.status(), 200);
    assert!(
        app.client
            .get(&link1)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Très utile"),
        "the page shows the earlier answer"
    );
    assert_eq!(
        survey_response::Entity::find()
            .all(app.store.db())
            .await
            .unwrap()
            .len(),
        5
    );

    let r = json(
        app.get(&format!("/api/v1/campaigns/{cid}/report"), t).await,
        200,
    )
    .await;
    let q = |key: &str| {
        r["waves"][0]["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["key"] == key)
            .unwrap()
            .clone()
    };
    let sat = q("satisfaction");
    assert_eq!(sat["withheld"], false);
    assert!((sat["mean"].as_f64().unwrap() - 4.2).abs() < 1e-9, "{sat}");
    // The first person's change (usefulness 4 → 5) waits for the next step.
    let useful = q("usefulness")["mean"].as_f64().unwrap();
    assert!((useful - 4.2).abs() < 1e-9, "{useful}");
    assert_eq!(sat["response_rate"].as_f64().unwrap(), 5.0 / 6.0);
    assert_eq!(q("happier_at_work")["share_yes"].as_f64().unwrap(), 0.6);
    assert_eq!(
        q("volunteer_privately")["withheld"],
        true,
        "four answers only"
    );
    assert_eq!(q("comment")["withheld"], true, "three comments: under ten");
    let f = &r["funnel"];
    assert_eq!(f["registered"], 7);
    assert_eq!(f["attended"], 6);
    assert_eq!(f["invited"][0], 6);
    assert_eq!(f["answered"][0], 5);
    assert_eq!(f["channels"]["direct"], 7);
    // The association answered nothing yet: withheld, whatever the format.
    assert_eq!(r["waves"][1]["audience"], "association");
    let html = app
        .get(
            &format!("/api/v1/campaigns/{cid}/report?format=html&lang=en"),
            t,
        )
        .await;
    assert_eq!(html.status(), 200);
    assert!(
        html.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src")
    );
    let html = html.text().await.unwrap();
    assert!(html.contains("<svg") && html.contains("4.2 / 5"));
    assert!(html.contains("Printemps &lt;solidaire&gt;") && !html.contains("<solidaire>"));
    let pdf = app
        .get(&format!("/api/v1/campaigns/{cid}/report?format=pdf"), t)
        .await
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(tools) = &pdf_tools {
        let text = tools.text(&pdf);
        assert!(text.contains("moyenne 4.2 / 5"), "{text}");
        assert!(
            !text.contains("Très utile"),
            "free text stays out of the PDF"
        );
    }
    let csv = app
        .get(
            &format!("/api/v1/campaigns/{cid}/report?format=csv&lang=en"),
            t,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("satisfaction=5,2") && csv.contains("satisfaction:mean,4.20"),
        "{csv}"
    );
    assert!(
        !csv.contains("Très utile"),
        "free text stays out of exports"
    );
    let year = json(
        app.get(&format!("/api/v1/reports/{}", Utc::now().format("%Y")), t)
            .await,
        200,
    )
    .await;
    assert_eq!(
        year["campaigns"][0]["happier_at_work"].as_f64().unwrap(),
        0.6
    );
    json(app.get("/api/v1/reports/1815", t).await, 422).await;
    json(
        app.get(&format!("/api/v1/campaigns/{cid}/report?format=xls"), t)
            .await,
        422,
    )
    .await;

    // "I'd like to be an ambassador" led to HR's invitation.
    let ambassadors = json(app.get("/api/v1/ambassadors", t).await, 200).await;
    assert!(
        ambassadors
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["email"] == "v1@acme.example"),
        "{ambassadors}"
    );

    // Association answers kept anonymous: stored without the invitation, final.
    let mut q = json(app.get("/api/v1/questionnaires/association", t).await, 200).await;
    q["anonymous"] = json!(true);
    json(
        app.put("/api/v1/questionnaires/association", t, q).await,
        200,
    )
    .await;
    let claire = survey_link(&app, "claire@asso.example").await;
    assert_eq!(
        answer(
            &app,
            &claire,
            json!({"satisfaction": 5, "usefulness": 5, "recommendations": "most"})
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        answer(&app, &claire, json!({"satisfaction": 1, "usefulness": 1}))
            .await
            .status(),
        409
    );
    let stored = survey_response::Entity::find()
        .all(app.store.db())
        .await
        .unwrap();
    assert_eq!(stored.len(), 6);
    // Nothing that leads back to her: no invitation, no association, a random id, the
    // wave's opening day instead of hers.
    let hers = stored.iter().find(|s| s.audience == "association").unwrap();
    assert!(hers.invitation_id.is_none() && hers.association_id.is_none());
    assert!(hers.id >= 1 << 40, "{}", hers.id);
    // A questionnaire that breaks the rules is refused, naming the field.
    let mut broken = json(app.get("/api/v1/questionnaires/volunteer", t).await, 200).await;
    broken["questions"][2]["kind"] = json!("text");
    let p = json(
        app.put("/api/v1/questionnaires/volunteer", t, broken).await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), ["questions[2].kind"]);

    // The campaign's own wording of the survey reminder (the link and the opt-out kept).
    json(
        app.put(
            &format!("/api/v1/templates/evaluation_reminder/fr?campaign_id={cid}"),
            t,
            json!({
                "subject": "Deux minutes pour {{campaign_title}} ?",
                "text": "Votre avis compte : {{survey_url}} (jusqu'au {{closes_text}}){{#if manage_url}}\nSe désabonner : {{manage_url}}{{/if}}",
                "html": "<p><a href=\"{{survey_url}}\">Donner mon avis</a></p>{{#if manage_url}}<p><a href=\"{{manage_url}}\">Se désabonner</a></p>{{/if}}",
            }),
        )
        .await,
        200,
    )
    .await;
    // A week on, one reminder to whoever has not answered (v6), once.
    let later = app
        .store
        .dispatch_due_evaluations(today + Duration::days(7))
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(app.store.dispatch(org, later[0]).await.unwrap().total, 1);
    assert!(
        app.store
            .dispatch_due_evaluations(today + Duration::days(8))
            .await
            .unwrap()
            .is_empty()
    );

    // Sharing back: figures from five answers or more, and HR's chosen quote.
    let share = json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/share-back"),
            t,
            json!({"note": {"fr": "L'association a revu son CV type.", "en": "The charity reworked its CV template."}, "quotes": ["Très utile <b>vraiment</b>"]}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(share["total"], 6);
    declic_app::delivery_worker::deliver_for(&app.state, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    let reminder = app
        .mails_to("v6@acme.example")
        .await
        .into_iter()
        .find(|m| m.subject == "Deux minutes pour Printemps <solidaire> ?")
        .expect("the reminder in the campaign's own wording");
    assert!(
        reminder.text.contains("/s/") && reminder.text.contains("Se désabonner : http"),
        "{}",
        reminder.text
    );
    let summary = app
        .mails_to("v2@acme.example")
        .await
        .into_iter()
        .find(|m| m.subject.contains("ce que votre mission a changé"))
        .expect("share-back mail");
    assert!(
        summary
            .text
            .contains("Bénévoles plus heureux au travail : 60 %"),
        "{}",
        summary.text
    );
    assert!(
        summary
            .html
            .contains("Très utile &lt;b&gt;vraiment&lt;/b&gt;")
    );
    json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/share-back"),
            t,
            json!({"quotes": [""]}),
        )
        .await,
        422,
    )
    .await;

    // Erasure takes the person's invitations and named answers; an answer already in
    // the published figures stays there as no one's, without its comment, so the
    // report does not change by exactly the erased person's answer.
    let owner = app.token(org, "owner@acme.example", Role::Owner).await;
    let report_before = json(
        app.get(&format!("/api/v1/campaigns/{cid}/report"), t).await,
        200,
    )
    .await;
    let erased = app
        .post(
            "/api/v1/privacy/erase",
            &owner,
            json!({"email": "v2@acme.example"}),
        )
        .await;
    assert!(
        erased.status().is_success(),
        "{}",
        erased.text().await.unwrap()
    );
    let kept = survey_response::Entity::find()
        .all(app.store.db())
        .await
        .unwrap();
    assert_eq!(kept.len(), 6);
    assert!(
        kept.iter().all(|r| !r.answers.contains("Bonne équipe")
            && !r
                .published_answers
                .as_deref()
                .unwrap_or("")
                .contains("Bonne équipe")),
        "her comment went"
    );
    let report_after = json(
        app.get(&format!("/api/v1/campaigns/{cid}/report"), t).await,
        200,
    )
    .await;
    // (Only the number invited drops: her invitation went.)
    for field in ["answered", "mean", "distribution"] {
        assert_eq!(
            report_after["waves"][0]["questions"][0][field],
            report_before["waves"][0]["questions"][0][field],
            "the satisfaction figures do not move: {field}"
        );
    }
    assert!(
        survey_invitation::Entity::find()
            .all(app.store.db())
            .await
            .unwrap()
            .iter()
            .all(|i| i.email.as_deref() != Some("v2@acme.example"))
    );

    // An association's contact can export what is held about them...
    let export = json(
        app.post(
            "/api/v1/privacy/export",
            &owner,
            json!({"email": "claire@asso.example"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        export["survey_answers"].as_array().unwrap().len(),
        1,
        "{export}"
    );
    assert_eq!(export["survey_answers"][0]["answered"], true);
    assert!(
        export["survey_answers"][0].get("answers").is_none(),
        "never the answers themselves"
    );
    // A named answer is not in HR's export either: only that it was given.
    let export = json(
        app.post(
            "/api/v1/privacy/export",
            &owner,
            json!({"email": "v1@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    let theirs = &export["survey_answers"][0];
    assert_eq!(theirs["answered"], true, "{export}");
    assert!(theirs.get("answers").is_none(), "{export}");
    assert!(!export.to_string().contains("Très utile"), "{export}");
    // ...and be erased too: invitations, answers kept with
    // them (none here: anonymous) and their address on past mails.
    let erased = app
        .post(
            "/api/v1/privacy/erase",
            &owner,
            json!({"email": "claire@asso.example"}),
        )
        .await;
    assert!(
        erased.status().is_success(),
        "{}",
        erased.text().await.unwrap()
    );
    assert!(
        survey_invitation::Entity::find()
            .all(app.store.db())
            .await
            .unwrap()
            .iter()
            .all(|i| i.email.is_none())
    );

    // Another organisation sees nothing.
    let other = app.org("globex", "globex.example").await;
    let ot = app.token(other, "hr@globex.example", Role::Owner).await;
    json(
        app.get(&format!("/api/v1/campaigns/{cid}/report"), &ot)
            .await,
        404,
    )
    .await;
    json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/share-back"),
            &ot,
            json!({}),
        )
        .await,
        404,
    )
    .await;
    let viewer = app.token(org, "viewer@acme.example", Role::Viewer).await;
    json(
        app.get(&format!("/api/v1/campaigns/{cid}/report"), &viewer)
            .await,
        200,
    )
    .await;
    let q = json(
        app.get("/api/v1/questionnaires/volunteer", &viewer).await,
        200,
    )
    .await;
    json(
        app.put("/api/v1/questionnaires/volunteer", &viewer, q)
            .await,
        403,
    )
    .await;
}

/// Two reports, one answer apart, are the same: answers are published five at a time,
/// and comments show from ten.
#[tokio::test]
async fn one_new_answer_never_shows_in_a_report() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 20, "Atelier CV").await;
    let (t, cid, mid) = (&live.token, live.campaign_id, live.mission_id);
    let people: Vec<String> = (1..=11).map(|i| format!("v{i}@acme.example")).collect();
    for (i, p) in people.iter().enumerate() {
        register(&app, &live.link, p, &format!("V{i}"), mid).await;
        confirm_from_mail(&app, p).await;
    }
    mark_attendance(&app, t, cid, mid, None).await;
    hot_wave_today(&app, cid).await;
    app.store
        .dispatch_due_evaluations(Utc::now().date_naive())
        .await
        .unwrap();
    declic_app::delivery_worker::deliver_due(&app.state)
        .await
        .unwrap();
    let report = || async {
        let r = json(
            app.get(&format!("/api/v1/campaigns/{cid}/report"), t).await,
            200,
        )
        .await;
        (r["waves"][0].clone(), r["funnel"]["answered"].clone())
    };
    let mut seen = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let link = survey_link(&app, p).await;
        let body =
            json!({"satisfaction": 1 + i % 5, "usefulness": 3, "comment": format!("avis {i}")});
        assert_eq!(answer(&app, &link, body).await.status(), 201);
        seen.push(report().await);
    }
    let answered: Vec<i64> = seen
        .iter()
        .map(|(w, _)| w["answered"].as_i64().unwrap())
        .collect();
    assert_eq!(answered, [0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10]);
    for n in [5, 6, 7, 8, 10] {
        assert_eq!(
            seen[n],
            seen[n - 1],
            "report after answer {} = after {n}",
            n + 1
        );
    }
    let comment = |r: &Value| {
        r["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["key"] == "comment")
            .unwrap()
            .clone()
    };
    assert_eq!(
        comment(&seen[8].0)["withheld"],
        true,
        "five comments: under ten"
    );
    assert_eq!(comment(&seen[9].0)["withheld"], false);
    assert_eq!(comment(&seen[9].0)["texts"].as_array().unwrap().len(), 10);

    // Two years after the wave (`[retention] survey_days`), its invitations and comments
    // go; the published scores stay as no one's, the unpublished answer goes.
    use sea_orm::ConnectionTrait;
    let long_ago = (Utc::now() - Duration::days(800))
        .format("%Y-%m-%d %H:%M:%S%.6f%:z")
        .to_string();
    app.store
        .db()
        .execute_unprepared(&format!(
            "UPDATE survey_invitations SET closes_at = '{long_ago}'"
        ))
        .await
        .unwrap();
    let report = declic_app::retention::run(&app.state, false).await.unwrap();
    assert_eq!(
        declic_storage::retention::Removed::rows_of(&report, "survey_invitations"),
        11
    );
    let kept = survey_response::Entity::find()
        .all(app.store.db())
        .await
        .unwrap();
    assert_eq!(kept.len(), 10, "the unpublished eleventh answer went");
    assert!(
        kept.iter()
            .all(|r| r.invitation_id.is_none() && !r.answers.contains("avis"))
    );
    let (wave, _) = report_now(&app, t, cid).await;
    let sat = wave["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == "satisfaction")
        .unwrap()
        .clone();
    assert_eq!(sat["answered"], 10, "{sat}");
    assert_eq!(comment(&wave)["texts"].as_array().unwrap().len(), 0);
}

async fn report_now(app: &TestApp, t: &str, cid: i64) -> (Value, Value) {
    let r = json(
        app.get(&format!("/api/v1/campaigns/{cid}/report"), t).await,
        200,
    )
    .await;
    (r["waves"][0].clone(), r["funnel"]["answered"].clone())
}
