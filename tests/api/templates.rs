//! An organisation's own wording of the mails that follow a registration and of the
//! ambassador mails: checked when saved, scoped to the organisation or a campaign, used
//! when the mail goes out.

use declic_storage::OrgId;
use declic_storage::admins::Role;
use serde_json::json;

use crate::dispatches::import;
use crate::registration::{live_campaign, register};
use crate::support::{TestApp, json as body, problem_fields};

fn confirm_template(subject: &str) -> serde_json::Value {
    json!({
        "subject": subject,
        "text": "{{> greeting_fr}}\nUn clic pour confirmer : {{confirm_url}} ({{expires_text}})\n{{#each missions}}{{rank @index}}. {{title}}\n{{/each}}",
        "html": "<p>Un clic : <a href=\"{{confirm_url}}\">confirmer</a></p>{{#each missions}}<p>{{title}}</p>{{/each}}",
    })
}

#[tokio::test]
async fn registration_and_ambassador_mails_in_the_organisations_own_wording() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier <CV>").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let cid = live.campaign_id;
    let base = "/api/v1/templates/confirm_registration/fr";

    // The template in force, with what it may use and must keep.
    let shown = body(app.get(base, &live.token).await, 200).await;
    assert_eq!(shown["source"], "builtin");
    assert!(shown["text"].as_str().unwrap().contains("{{confirm_url}}"));
    let variables = shown["variables"].to_string();
    assert!(
        variables.contains("\"confirm_url\"") && variables.contains("\"missions[].title\""),
        "{variables}"
    );
    assert_eq!(shown["required"], json!(["confirm_url"]));

    // Refused, each with its reason; nothing stored.
    let mut bad = confirm_template("Confirmez");
    bad["text"] = "Bonjour {{first_name}}".into();
    let p = body(app.put(base, &live.token, bad).await, 422).await;
    assert_eq!(problem_fields(&p), ["text"], "{p}");
    assert!(
        p.to_string()
            .contains("the confirmation link {{confirm_url}}"),
        "{p}"
    );
    let p = body(
        app.put(base, &live.token, json!({"subject": "x", "text": "y"}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), ["html"], "{p}");
    let p = body(
        app.put(
            base,
            &live.token,
            json!({"subject": "x", "text": "y", "html": "z", "payload": "{}"}),
        )
        .await,
        422,
    )
    .await;
    assert!(problem_fields(&p).contains(&"payload".to_owned()), "{p}");
    // The console's password reset stays Declic's; ambassador mails have no campaign.
    let p = body(
        app.put(
            "/api/v1/templates/admin_password_reset/fr",
            &live.token,
            confirm_template("x"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), ["message"], "{p}");
    let p = body(
        app.put(
            &format!("/api/v1/templates/ambassador_invitation/fr?campaign_id={cid}"),
            &live.token,
            confirm_template("x"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), ["campaign_id"], "{p}");
    assert_eq!(
        body(app.get("/api/v1/templates", &live.token).await, 200).await,
        json!([])
    );
    // A viewer may read, not write; another organisation's campaign is not found.
    let viewer = app.token(org, "viewer@acme.example", Role::Viewer).await;
    body(app.get(base, &viewer).await, 200).await;
    body(app.put(base, &viewer, confirm_template("x")).await, 403).await;
    let other = app.org("globex", "globex.example").await;
    let outsider = app
        .token(other, "hr@globex.example", Role::CampaignManager)
        .await;
    body(
        app.get(&format!("{base}?campaign_id={cid}"), &outsider)
            .await,
        404,
    )
    .await;

    // The organisation's wording, then the campaign's own, which wins.
    body(
        app.put(
            base,
            &live.token,
            confirm_template("Confirmez, {{first_name}}"),
        )
        .await,
        200,
    )
    .await;
    body(
        app.put(
            &format!("{base}?campaign_id={cid}"),
            &live.token,
            confirm_template("{{campaign_title}} : confirmez, {{first_name}}"),
        )
        .await,
        200,
    )
    .await;
    let shown = body(
        app.get(&format!("{base}?campaign_id={cid}"), &live.token)
            .await,
        200,
    )
    .await;
    assert_eq!(shown["source"], "campaign");
    assert_eq!(
        body(app.get(base, &live.token).await, 200).await["source"],
        "organization"
    );
    // Another organisation still gets the built-in mail.
    assert_eq!(
        body(app.get(base, &outsider).await, 200).await["source"],
        "builtin"
    );

    let res = register(&app, &live.link, "lea@acme.example", "Léa", live.mission_id).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let mail = app.mails_to("lea@acme.example").await.pop().unwrap();
    assert_eq!(mail.subject, "Printemps <solidaire> : confirmez, Léa");
    assert!(
        mail.text.contains("Un clic pour confirmer : http"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("1. Atelier <CV>"), "{}", mail.text);
    assert!(mail.html.contains("Atelier &lt;CV&gt;"), "{}", mail.html);
    // The link in the own wording works.
    crate::registration::confirm_from_mail(&app, "lea@acme.example").await;

    // Without the campaign's own, the organisation's applies.
    let res = app
        .client
        .delete(app.url(&format!("{base}?campaign_id={cid}")))
        .bearer_auth(&live.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    register(&app, &live.link, "noe@acme.example", "Noé", live.mission_id).await;
    let mail = app.mails_to("noe@acme.example").await.pop().unwrap();
    assert_eq!(mail.subject, "Confirmez, Noé");

    // Ambassador mails: the organisation's wording.
    import(&app, &live.token, 1).await;
    body(
        app.put(
            "/api/v1/templates/ambassador_invitation/fr",
            &live.token,
            json!({
                "subject": "{{first_name}}, devenez ambassadrice ou ambassadeur",
                "text": "Votre expérience compte. Votre page : {{manage_url}}",
                "html": "<p>Votre expérience compte. <a href=\"{{manage_url}}\">Votre page</a></p>",
            }),
        )
        .await,
        200,
    )
    .await;
    body(
        app.post(
            "/api/v1/ambassadors",
            &live.token,
            json!({"email": "p0@acme.example", "past_volunteer": true}),
        )
        .await,
        201,
    )
    .await;
    let mail = app.mails_to("p0@acme.example").await.pop().unwrap();
    assert_eq!(mail.subject, "P0, devenez ambassadrice ou ambassadeur");
    assert!(mail.text.contains("/a/sign-in"), "{}", mail.text);
}
