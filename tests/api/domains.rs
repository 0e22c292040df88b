//! A mail domain proven by mail: an owner names an address of the domain, the link sent
//! there adds it once someone who reads that mailbox confirms; a domain stays one
//! organisation's on the whole service.

use chrono::{Duration, Utc};
use declic_storage::Actor;
use declic_storage::admins::Role;
use serde_json::json;

use crate::support::{TestApp, json, problem_fields};

#[tokio::test]
async fn an_owner_proves_a_domain_by_mail_and_no_one_else_gets_it() {
    let app = TestApp::spawn().await;
    let acme = app.org("acme", "acme.example").await;
    let owner = app.token(acme, "hr@acme.example", Role::Owner).await;
    let manager = app
        .token(acme, "cm@acme.example", Role::CampaignManager)
        .await;
    let path = "/api/v1/organization/domain-proofs";
    let ask = |domain: &str, address: &str| json!({"domain": domain, "address": address, "language": "en"});

    // Only owners; the address must be of the domain itself; a domain it already has.
    json(
        app.post(path, &manager, ask("acme.fr", "postmaster@acme.fr"))
            .await,
        403,
    )
    .await;
    let p = json(
        app.post(path, &owner, ask("acme.fr", "postmaster@gmail.com"))
            .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), ["address"]);
    let p = json(
        app.post(path, &owner, ask("acme.fr", "postmaster@sub.acme.fr"))
            .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), ["address"]);
    let p = json(
        app.post(path, &owner, ask("not a domain", "postmaster@acme.fr"))
            .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), ["domain"]);
    let p = json(
        app.post(path, &owner, ask("ACME.example", "postmaster@acme.example"))
            .await,
        409,
    )
    .await;
    assert_eq!(problem_fields(&p), ["domain"]);
    assert!(
        app.mails().await.is_empty(),
        "a refused request sends nothing"
    );

    // The proof: one mail however often it is asked for within the hour.
    let sent = json(
        app.post(path, &owner, ask(" ACME.fr ", "PostMaster@acme.fr"))
            .await,
        202,
    )
    .await;
    assert_eq!(sent["domain"], "acme.fr");
    assert_eq!(sent["address"], "postmaster@acme.fr");
    assert_eq!(sent["queued"], true);
    let again = json(
        app.post(path, &owner, ask("acme.fr", "postmaster@acme.fr"))
            .await,
        202,
    )
    .await;
    assert_eq!(again["queued"], false);
    let mails = app.mails_to("postmaster@acme.fr").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(mail.subject.contains("acme.fr"), "{}", mail.subject);
    assert!(mail.text.contains("acme Inc"), "{}", mail.text);
    let link = mail.link(&app.url("/domain-proof/")).expect("the link");
    assert!(mail.html.contains("/domain-proof/"), "{}", mail.html);

    // Opening the link changes nothing (mail scanners follow links); the button adds it.
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("acme.fr") && html.contains("acme Inc"),
        "{html}"
    );
    assert_eq!(app.store.domains(acme).await.unwrap(), ["acme.example"]);
    let done = app.client.post(&link).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("Done"));
    assert_eq!(
        app.store.domains(acme).await.unwrap(),
        ["acme.example", "acme.fr"]
    );
    // Confirming twice changes nothing.
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
    assert_eq!(
        app.store.domains(acme).await.unwrap(),
        ["acme.example", "acme.fr"]
    );

    // Another organisation cannot ask for it, nor take it with a link of its own.
    let globex = app.org("globex", "globex.example").await;
    let boss = app.token(globex, "boss@globex.example", Role::Owner).await;
    let p = json(
        app.post(path, &boss, ask("acme.fr", "postmaster@acme.fr"))
            .await,
        409,
    )
    .await;
    assert_eq!(problem_fields(&p), ["domain"]);
    json(
        app.post(path, &boss, ask("shared.example", "admin@shared.example"))
            .await,
        202,
    )
    .await;
    let link = app.mails_to("admin@shared.example").await[0]
        .link(&app.url("/domain-proof/"))
        .unwrap();
    app.store
        .change_domains(acme, &["shared.example".into()], &[], &Actor::cli())
        .await
        .unwrap();
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 409);
    assert_eq!(app.store.domains(globex).await.unwrap(), ["globex.example"]);

    // Nor a parent or a subdomain of a domain another organisation holds.
    for d in ["eu.acme.fr", "fr.acme.example"] {
        let p = json(
            app.post(path, &boss, ask(d, &format!("postmaster@{d}")))
                .await,
            409,
        )
        .await;
        assert_eq!(problem_fields(&p), ["domain"], "{d}");
    }
    let err = app
        .store
        .change_domains(globex, &["paris.acme.fr".into()], &[], &Actor::cli())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("belongs to another organisation"),
        "{err}"
    );

    // A link for another domain or organisation is not one, an old one has lapsed.
    let forged = link.replace("shared.example", "globex-rival.example");
    assert_eq!(app.client.post(&forged).send().await.unwrap().status(), 404);
    let past = (Utc::now() - Duration::minutes(1)).timestamp();
    let old = declic_app::domains::proof_token(&app.state, globex, "old.example", past);
    let res = app
        .client
        .post(app.url(&format!("/domain-proof/{old}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert!(
        !app.store
            .domains(globex)
            .await
            .unwrap()
            .contains(&"old.example".to_owned())
    );

    // At most five proof mails a day per organisation (globex sent one).
    for i in 0..4 {
        let d = format!("more{i}.example");
        json(
            app.post(path, &boss, ask(&d, &format!("admin@{d}"))).await,
            202,
        )
        .await;
    }
    let p = json(
        app.post(path, &boss, ask("more9.example", "admin@more9.example"))
            .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), ["domain"]);
}
