//! Ambassadors: HR invites someone who volunteered, they sign in with a magic link,
//! say yes, share their link (remembered by the colleague's browser), see their
//! figures, choose the leaderboard, and opt out.

use declic_storage::admins::Role;
use serde_json::json;

use crate::registration::{confirm_from_mail, live_campaign, register};
use crate::support::{TestApp, json};

/// The value of `name` in a response's Set-Cookie headers.
fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|v| v.split(';').next().unwrap_or("").to_owned())
        })
}

/// Puts someone who signed up (and may not have confirmed yet) in the directory, as
/// the company's file would, with the names they gave.
pub async fn in_directory(app: &TestApp, token: &str, email: &str) {
    let org = declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let e = app.store.employee_by_email(org, email).await.unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(format!(
            "email,first name,last name\n{email},{},{}\n",
            e.first_name, e.last_name
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// Makes `email` an ambassador who said yes (history from before Declic, so in the
/// directory), through the API invitation and the store (the page flow is tested below).
pub async fn make_ambassador(app: &TestApp, token: &str, email: &str) {
    in_directory(app, token, email).await;
    let a = json(
        app.post(
            "/api/v1/ambassadors",
            token,
            json!({"email": email, "past_volunteer": true}),
        )
        .await,
        201,
    )
    .await;
    let org = declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    app.store
        .ambassador_choice(
            org,
            a["id"].as_i64().unwrap(),
            declic_storage::ambassadors::AmbassadorChoice::Accept,
        )
        .await
        .unwrap();
}

fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// Signs in from the mail and returns the session cookie (`declic_ambassador=…`).
async fn sign_in(app: &TestApp, email: &str) -> String {
    let res = app
        .client
        .post(app.url("/a/sign-in"))
        .form(&[("email", email)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The mail goes out after the answer.
    app.state.background.settle().await;
    let mail = app
        .mails_to(email)
        .await
        .into_iter()
        .rev()
        .find(|m| m.link(&format!("{}/a/login/", app.base)).is_some())
        .expect("a sign-in mail");
    let url = mail.link(&format!("{}/a/login/", app.base)).unwrap();
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 200);
    let res = app.client.post(&url).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let session = set_cookie(&res, "declic_ambassador").expect("a session cookie");
    // The link works once.
    assert_eq!(app.client.post(&url).send().await.unwrap().status(), 410);
    format!("declic_ambassador={session}")
}

async fn page(app: &TestApp, cookie: &str) -> (u16, String) {
    let res = app
        .client
        .get(app.url("/a?lang=en"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let res = app
        .client
        .post(app.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn invited_signed_in_by_mail_says_yes_shares_and_opts_out() {
    // Many sign-ins from one address in a few seconds: above the default limit.
    let app = TestApp::spawn_with(|c| c.limits.sign_in_burst = 100).await;
    let live = live_campaign(&app, 20, "Atelier CV").await;
    let (t, cid, mid) = (&live.token, live.campaign_id, live.mission_id);
    let org = declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id);

    // Alice volunteered: registered, confirmed, attended.
    register(&app, &live.link, "alice@acme.example", "Alice", mid).await;
    confirm_from_mail(&app, "alice@acme.example").await;
    let regs = json(
        app.get(&format!("/api/v1/campaigns/{cid}/registrations"), t)
            .await,
        200,
    )
    .await;
    let alice_reg = regs[0]["id"].as_i64().unwrap();
    json(
        app.post(
            &format!("/api/v1/missions/{mid}/attendance"),
            t,
            json!({"marks": [{"registration_id": alice_reg, "attended": true}]}),
        )
        .await,
        200,
    )
    .await;

    // Only people who volunteered can be invited; a viewer cannot invite.
    register(&app, &live.link, "zoe@acme.example", "Zoé", mid).await;
    let bad = json(
        app.post(
            "/api/v1/ambassadors",
            t,
            json!({"email": "zoe@acme.example"}),
        )
        .await,
        422,
    )
    .await;
    assert!(bad.to_string().contains("email"), "{bad}");
    json(
        app.post(
            "/api/v1/ambassadors",
            t,
            json!({"email": "nobody@acme.example", "past_volunteer": true}),
        )
        .await,
        422,
    )
    .await;
    let viewer = app.token(org, "viewer@acme.example", Role::Viewer).await;
    json(
        app.post(
            "/api/v1/ambassadors",
            &viewer,
            json!({"email": "alice@acme.example"}),
        )
        .await,
        403,
    )
    .await;
    let a = json(
        app.post(
            "/api/v1/ambassadors",
            t,
            json!({"email": "Alice@acme.example"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(a["status"], "invited");
    let invitation = app
        .mails_to("alice@acme.example")
        .await
        .into_iter()
        .find(|m| m.link(&format!("{}/a/sign-in", app.base)).is_some())
        .expect("an invitation mail pointing to the sign-in page");
    assert!(invitation.text.contains("ambassad"));
    // Inviting again sends nothing more.
    let before = app.mails_to("alice@acme.example").await.len();
    json(
        app.post(
            "/api/v1/ambassadors",
            t,
            json!({"email": "alice@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(app.mails_to("alice@acme.example").await.len(), before);
    // No ambassador link before she says yes.
    json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/links"),
            t,
            json!({"channel": "ambassador", "ambassador_email": "alice@acme.example"}),
        )
        .await,
        422,
    )
    .await;

    // The sign-in form answers the same whether or not the address is known.
    let known = app
        .client
        .post(app.url("/a/sign-in"))
        .form(&[("email", "alice@acme.example")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let unknown = app
        .client
        .post(app.url("/a/sign-in"))
        .form(&[("email", "ghost@acme.example")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(known, unknown);
    app.state.background.settle().await;
    assert!(app.mails_to("ghost@acme.example").await.is_empty());
    assert_eq!(
        app.client
            .get(app.url("/a/login/dal_forged"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let cookie = sign_in(&app, "alice@acme.example").await;
    let (status, invited) = page(&app, &cookie).await;
    assert_eq!(status, 200);
    assert!(invited.contains("/a/accept"), "{invited}");
    let token = csrf(&invited);
    let (status, _) = post_form(&app, "/a/accept?lang=en", &cookie, &[("csrf", "forged")]).await;
    assert_eq!(status, 403, "a forged form is refused");
    let (status, accepted) =
        post_form(&app, "/a/accept?lang=en", &cookie, &[("csrf", &token)]).await;
    assert_eq!(status, 200);
    assert!(
        accepted.contains("<svg") && accepted.contains("Printemps &lt;solidaire&gt;"),
        "{accepted}"
    );
    let link_at = accepted.find(&format!("{}/c/", app.base)).unwrap();
    let alice_link: String = accepted[link_at..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '<')
        .collect();
    assert!(
        accepted.contains("Shall we go together?") && accepted.contains("On y va ensemble"),
        "texts in both languages"
    );

    // Bob opens Alice's link at the coffee machine; his browser remembers it. He
    // registers later from the campaign mail (the direct link): Alice is credited.
    let visit = app.client.get(&alice_link).send().await.unwrap();
    let remembered =
        set_cookie(&visit, &format!("declic_ref_{cid}")).expect("the link is remembered");
    // A second ambassador link opened later does not replace the first one.
    register(&app, &live.link, "yann@acme.example", "Yann", mid).await;
    crate::ambassadors::make_ambassador(&app, t, "yann@acme.example").await;
    let yann_link = json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/links"),
            t,
            json!({"channel": "ambassador", "ambassador_email": "yann@acme.example"}),
        )
        .await,
        200,
    )
    .await["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app
        .client
        .get(&yann_link)
        .header("cookie", format!("declic_ref_{cid}={remembered}"))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 200);
    assert!(
        set_cookie(&second, &format!("declic_ref_{cid}")).is_none(),
        "the first link opened within the window stays the one credited"
    );
    let res = app
        .client
        .post(format!("{}/register", live.link))
        .header("cookie", format!("declic_ref_{cid}={remembered}"))
        .form(&[
            ("email", "bob@acme.example"),
            ("first_name", "Bob"),
            ("last_name", "Martin"),
            ("choice_1", &mid.to_string()),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    confirm_from_mail(&app, "bob@acme.example").await;
    // His seat's mail names who brought him, so they can go together.
    let seat = app.mails_to("bob@acme.example").await.pop().unwrap();
    assert!(
        seat.text
            .contains("Alice vous a transmis ce lien : dites-lui que vous participez")
            && seat.html.contains("Alice vous a transmis ce lien"),
        "{}",
        seat.text
    );
    // A forged cookie credits no one.
    let res = app
        .client
        .post(format!("{}/register", live.link))
        .header(
            "cookie",
            format!("declic_ref_{cid}=1.{}.00ff", chrono::Utc::now().timestamp()),
        )
        .form(&[
            ("email", "carl@acme.example"),
            ("first_name", "Carl"),
            ("last_name", "Martin"),
            ("choice_1", &mid.to_string()),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    confirm_from_mail(&app, "carl@acme.example").await;
    let seat = app.mails_to("carl@acme.example").await.pop().unwrap();
    assert!(
        !seat.text.contains("vous a transmis ce lien"),
        "{}",
        seat.text
    );

    let f = json(app.get("/api/v1/referrals/figures", t).await, 200).await;
    let alice = f["ambassadors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["first_name"] == "Alice")
        .unwrap();
    assert_eq!(alice["direct_recruits"], 1, "{f}");
    assert_eq!(alice["is_ambassador"], true);
    let (_, mine) = page(&app, &cookie).await;
    assert!(
        mine.contains("<dd>1</dd>"),
        "her figures show one colleague"
    );
    assert!(!mine.contains("Bob"), "Bob did not agree to be shown");

    // The leaderboard shows her name only once she chooses so.
    let (_, p) = page(&app, &cookie).await;
    let (status, saved) = post_form(
        &app,
        "/a/leaderboard?lang=en",
        &cookie,
        &[("csrf", &csrf(&p)), ("show", "yes")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(saved.contains("Stop showing my first name"));
    let list = json(app.get("/api/v1/ambassadors", t).await, 200).await;
    assert_eq!(list[0]["leaderboard_opt_in"], true);

    // Opting out: the session ends, links stop crediting, HR cannot invite again.
    let (status, _) = post_form(
        &app,
        "/a/opt-out?lang=en",
        &cookie,
        &[("csrf", &csrf(&saved))],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(page(&app, &cookie).await.0, 401);
    json(
        app.post(
            "/api/v1/ambassadors",
            t,
            json!({"email": "alice@acme.example"}),
        )
        .await,
        422,
    )
    .await;
    json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/links"),
            t,
            json!({"channel": "ambassador", "ambassador_email": "alice@acme.example"}),
        )
        .await,
        422,
    )
    .await;
    register(&app, &alice_link, "dina@acme.example", "Dina", mid).await;
    confirm_from_mail(&app, "dina@acme.example").await;
    let f = json(app.get("/api/v1/referrals/figures", t).await, 200).await;
    let alice = f["ambassadors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["employee_id"] == a["employee_id"])
        .unwrap();
    assert_eq!(
        alice["first_name"],
        serde_json::Value::Null,
        "former ambassadors are not named"
    );
    assert_eq!(alice["direct_recruits"], 1, "no credit after opting out");
    assert_eq!(alice["is_ambassador"], false);
    // No more ambassador mails; she may still come back herself: the sign-in link she
    // asks for shows her the way (and only she decides: HR still cannot invite her).
    let mails_before = app.mails_to("alice@acme.example").await.len();
    let cookie = sign_in(&app, "alice@acme.example").await;
    assert_eq!(
        app.mails_to("alice@acme.example").await.len(),
        mails_before + 1,
        "only the link she asked for"
    );
    let (status, back) = page(&app, &cookie).await;
    assert_eq!(status, 200);
    assert!(back.contains("become one again"), "{back}");
    assert!(!back.contains("/a/opt-out"), "{back}");
    let (status, _) = post_form(
        &app,
        "/a/accept?lang=en",
        &cookie,
        &[("csrf", &csrf(&back))],
    )
    .await;
    assert_eq!(status, 200);
    let again = json(app.get("/api/v1/ambassadors", t).await, 200).await;
    assert_eq!(again[0]["status"], "active", "{again}");
    // And out again, for what follows.
    let (_, p) = page(&app, &cookie).await;
    post_form(&app, "/a/opt-out?lang=en", &cookie, &[("csrf", &csrf(&p))]).await;

    // Export shows her ambassador record; erasure removes it.
    let owner = app.token(org, "owner@acme.example", Role::Owner).await;
    let export = json(
        app.post(
            "/api/v1/privacy/export",
            &owner,
            json!({"email": "alice@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(export["ambassador"]["status"], "opted_out");
    json(
        app.post(
            "/api/v1/privacy/erase",
            &owner,
            json!({"email": "alice@acme.example"}),
        )
        .await,
        200,
    )
    .await;
    let left = json(app.get("/api/v1/ambassadors", t).await, 200).await;
    assert!(
        left.as_array()
            .unwrap()
            .iter()
            .all(|x| x["employee_id"] != a["employee_id"]),
        "her ambassador record is gone: {left}"
    );

    // Another organisation sees none of it.
    let other_org = app.org("globex", "globex.example").await;
    let other = app.token(other_org, "hr@globex.example", Role::Owner).await;
    json(
        app.get(&format!("/api/v1/ambassadors/{}", a["id"]), &other)
            .await,
        404,
    )
    .await;
}
