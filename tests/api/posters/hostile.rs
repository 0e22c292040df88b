//! Hostile input: a readable poster or a clear 422 naming the field, never a 500 or a
//! broken PDF.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::{PNG, download, import, link, pdf_tools};
use crate::registration::live_campaign;
use crate::support::{TestApp, json};

/// Adds `n` more published missions with long accented titles to the campaign.
async fn add_missions(app: &TestApp, token: &str, campaign_id: i64, first: i64, n: usize) {
    let aid = crate::missions::eligible_association(app, token, "Épicerie “Solidaire”").await;
    let day = (Utc::now().date_naive() + Duration::days(40))
        .format("%Y-%m-%d")
        .to_string();
    let mut ids = vec![json!(first)];
    for i in 0..n {
        let title =
            format!("Mission n°{i} — conseil juridique, finances et stratégie numérique ✨");
        let m = json(app.post("/api/v1/missions", token, json!({
            "association_id": aid, "title": title, "format": "marathon", "work_mode": "hybrid",
            "place": "Tour Ève, 92800 Puteaux", "starts_at": format!("{day}T09:00:00"),
            "ends_at": format!("{day}T17:30:00"), "time_zone": "Europe/Paris", "capacity": 4,
        })).await, 201).await;
        let mid = m["id"].as_i64().unwrap();
        json(
            app.post(&format!("/api/v1/missions/{mid}/publish"), token, json!({}))
                .await,
            200,
        )
        .await;
        ids.push(json!(mid));
    }
    let path = format!("/api/v1/campaigns/{campaign_id}");
    json(
        app.patch(&path, token, json!({"mission_ids": ids})).await,
        200,
    )
    .await;
}

#[tokio::test]
async fn long_titles_forty_missions_emoji_and_rtl_names_still_print() {
    let app = TestApp::spawn().await;
    let live = live_campaign(
        &app,
        5,
        &"Stratégie de marque pour une association ".repeat(7),
    )
    .await;
    let id = live.campaign_id;
    let title =
        "Campagne d'été “Déclic” : mettez vos compétences au service d'associations ".repeat(4);
    let title: String = title.chars().take(300).collect();
    let title = title.trim().to_owned();
    let key_message = "Une journée, une équipe, une association. 🚀 שלום עולם مرحبا ".repeat(6);
    let path = format!("/api/v1/campaigns/{id}");
    json(
        app.patch(
            &path,
            &live.token,
            json!({"title": title, "key_message": key_message}),
        )
        .await,
        200,
    )
    .await;
    add_missions(&app, &live.token, id, live.mission_id, 39).await;
    import(
        &app,
        &live.token,
        &[
            "uni@acme.example,🦄 Licorne,Ça-Va 👩‍💻,Lyon",
            "rtl@acme.example,محمد,אברהם,Lyon",
            "long@acme.example,Anne-Élisabeth-Marie-Thérèse-Joséphine,de La Tour d'Auvergne-Lauraguais,Lyon",
        ],
    )
    .await;

    let poster = download(
        &app,
        &live.token,
        &format!("/api/v1/campaigns/{id}/posters.pdf?site=Lyon"),
        "application/pdf",
    )
    .await;
    for email in ["uni", "rtl", "long"] {
        crate::ambassadors::make_ambassador(&app, &live.token, &format!("{email}@acme.example"))
            .await;
        let path = format!(
            "/api/v1/campaigns/{id}/flyers.pdf?ambassador_email={email}@acme.example&size=a6"
        );
        download(&app, &live.token, &path, "application/pdf").await;
    }
    let flyers = download(
        &app,
        &live.token,
        &format!("/api/v1/campaigns/{id}/flyers.pdf"),
        "application/pdf",
    )
    .await;

    let Some(tools) = pdf_tools() else { return };
    let url = link(&app, &live, "poster", "site", json!("Lyon")).await["url"].clone();
    assert_eq!(tools.qr_codes(&poster), [url.as_str().unwrap()]);
    assert!(tools.info(&poster).contains("Pages:           1"));
    // The whole title is there, wrapped over lines; the missions that did not fit are counted.
    let text = tools.text(&poster);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&title), "title cut:\n{text}");
    assert!(
        flat.contains("autres missions : voir"),
        "no 'and N more':\n{text}"
    );
    let flyer_text = tools.text(&flyers);
    assert!(flyer_text.contains("Anne-Élisabeth"), "{flyer_text}");
    assert!(flyer_text.contains("Licorne"), "{flyer_text}");
    assert_eq!(tools.qr_codes(&flyers).len(), 3);
}

#[tokio::test]
async fn bad_parameters_and_files_are_clear_errors() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let id = live.campaign_id;
    let field = |p: &Value| {
        p["errors"][0]["field"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    for (query, expected) in [
        ("size=a2", "size"),
        ("lang=de", "lang"),
        ("colour=red", "colour"),
        ("all_sites=maybe", "all_sites"),
    ] {
        let res = app
            .get(
                &format!("/api/v1/campaigns/{id}/posters.pdf?{query}"),
                &live.token,
            )
            .await;
        assert_eq!(field(&json(res, 422).await), expected, "{query}");
    }
    let res = app
        .get(
            &format!("/api/v1/campaigns/{id}/flyers.pdf?size=a4&ambassador_email=x@acme.example"),
            &live.token,
        )
        .await;
    assert_eq!(field(&json(res, 422).await), "size");
    // No site in the directory and none named.
    let res = app
        .get(&format!("/api/v1/campaigns/{id}/posters.zip"), &live.token)
        .await;
    assert_eq!(field(&json(res, 422).await), "sites");
    // Another organisation's or no campaign: 404 whatever else is asked.
    for path in [
        "posters.pdf",
        "posters.zip",
        "posters.pdf?all_sites=true",
        "flyers.pdf",
    ] {
        let res = app
            .get(&format!("/api/v1/campaigns/999999/{path}"), &live.token)
            .await;
        json(res, 404).await;
    }

    // A key message too long for any page: 422 naming it, not a cut-off poster.
    let path = format!("/api/v1/campaigns/{id}");
    json(
        app.patch(
            &path,
            &live.token,
            json!({"key_message": "bla ".repeat(40_000)}),
        )
        .await,
        200,
    )
    .await;
    let res = app
        .get(&format!("/api/v1/campaigns/{id}/posters.pdf"), &live.token)
        .await;
    assert_eq!(field(&json(res, 422).await), "key_message");

    // Corrupt logos are refused at upload with the reason; the poster stays printable.
    json(
        app.patch(
            &path,
            &live.token,
            json!({"key_message": "Vos compétences comptent."}),
        )
        .await,
        200,
    )
    .await;
    let mut truncated = PNG.to_vec();
    truncated.truncate(45);
    let bad_svg =
        br#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"#.to_vec();
    let filter = br#"<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><filter id="f"><feGaussianBlur stdDeviation="9"/></filter><rect width="9" height="9" filter="url(#f)"/></svg>"#.to_vec();
    for (ct, body) in [
        ("image/png", truncated),
        ("image/png", b"\x89PNG\r\n\x1a\nnot really".to_vec()),
        ("image/svg+xml", bad_svg),
        ("image/svg+xml", filter),
        ("image/png", Vec::new()),
    ] {
        let res = app
            .client
            .put(app.url("/api/v1/organization/logo"))
            .bearer_auth(&live.token)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        let p = json(res, 422).await;
        assert_eq!(field(&p), "logo", "{p}");
    }
    let pdf = download(
        &app,
        &live.token,
        &format!("/api/v1/campaigns/{id}/posters.pdf"),
        "application/pdf",
    )
    .await;
    let Some(tools) = pdf_tools() else { return };
    assert_eq!(
        tools.images(&pdf).lines().count(),
        2,
        "header lines only: no logo stored"
    );
    assert_eq!(tools.qr_codes(&pdf).len(), 1);
}
