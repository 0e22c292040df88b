//! The one-time sign-in link, the page session and the account page.

use declic_storage::admins::Role;
use serde_json::json;

use crate::support::{TestApp, json};

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap() + start.len();
    let to = text[from..].find(end).unwrap() + from;
    &text[from..to]
}

#[tokio::test]
async fn sign_in_link_sets_a_password_and_opens_a_session() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let owner = app.token(org, "hr@acme.example", Role::Owner).await;
    json(
        app.patch(
            "/api/v1/organization",
            &owner,
            json!({"name": "<script>alert(1)</script> & Co"}),
        )
        .await,
        200,
    )
    .await;
    let created = json(
        app.post(
            "/api/v1/admins",
            &owner,
            json!({"email": "cm@acme.example", "role": "campaign_manager"}),
        )
        .await,
        201,
    )
    .await;
    let link = created["sign_in_link"].as_str().unwrap().to_owned();

    // Viewing the form (as a mail scanner would) does not use the link up.
    for _ in 0..2 {
        let res = app.client.get(&link).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
        assert!(
            res.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Choisissez votre mot de passe")
        );
    }
    let en = app
        .client
        .get(&link)
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(en.text().await.unwrap().contains("Choose your password"));

    let form = |p: &str, c: &str| {
        app.client
            .post(&link)
            .form(&[("password", p), ("confirm", c)])
            .send()
    };
    let res = form("long-enough-password", "long-enough-passwrod")
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("ne correspondent pas"));
    assert_eq!(form("short", "short").await.unwrap().status(), 422);

    let res = form("long-enough-password", "long-enough-password")
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();

    // The link is used up.
    assert_eq!(
        form("long-enough-password", "long-enough-password")
            .await
            .unwrap()
            .status(),
        410
    );
    assert_eq!(app.client.get(&link).send().await.unwrap().status(), 404);

    let page = app
        .client
        .get(app.url("/account"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("cm@acme.example"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"),
        "organisation name is escaped"
    );
    assert!(!html.contains("<script>"));

    // Forms need the CSRF token of this session.
    let csrf = between(&html, "name=\"csrf\" value=\"", "\"").to_owned();
    let forged = app
        .client
        .post(app.url("/account/tokens"))
        .header("cookie", &session)
        .form(&[("csrf", "00"), ("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let res = app
        .client
        .post(app.url("/account/tokens"))
        .header("cookie", &session)
        .form(&[("csrf", csrf.as_str()), ("name", "laptop")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let token = between(&html, "id=\"new-token\">", "<").to_owned();
    assert_eq!(
        json(app.get("/api/v1/organization", &token).await, 200).await["slug"],
        "acme"
    );

    let res = app
        .client
        .post(app.url("/sign-out"))
        .header("cookie", &session)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        app.client
            .get(app.url("/account"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn sign_in_pages_are_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    let mut statuses = Vec::new();
    for i in 0..40 {
        let res = app
            .client
            .get(app.url(&format!("/sign-in/dcs_guess{i}")))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
    }
    assert!(statuses.iter().take(20).all(|s| *s == 404), "{statuses:?}");
    assert!(
        statuses.contains(&429),
        "a script guessing links is slowed down: {statuses:?}"
    );
    // The API is not affected by the page limiter.
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// `/` says what Declic is and sends each kind of user on: HR to the console,
/// ambassadors to their sign-in, employees to the link they received; in both languages.
#[tokio::test]
async fn the_root_leads_each_kind_of_user_somewhere_useful() {
    let app = TestApp::spawn().await;
    for (lang, needle) in [
        ("fr", "mécénat de compétences"),
        ("en", "skills-based volunteering"),
    ] {
        let res = app
            .client
            .get(app.url(&format!("/?lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers().contains_key("content-security-policy"));
        let html = res.text().await.unwrap();
        assert!(html.contains(needle), "{lang}");
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{lang}");
        assert!(html.contains("href=\"/console/sign-in?lang"), "{lang}");
        assert!(html.contains("href=\"/a/sign-in?lang"), "{lang}");
    }
}
