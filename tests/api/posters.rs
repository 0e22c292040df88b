//! Posters and flyers through the API, checked as a person would: the PDF is rasterised
//! (`pdftoppm`), its QR code scanned (`zbarimg`) and its text read back (`pdftotext`).
//!
//! These tools come from Debian's poppler-utils and zbar-tools. Without them the tests that
//! need them print a notice and pass, unless `DECLIC_TEST_POSTERS=1` (CI) makes that a failure.

mod hostile;
pub mod tools;

use declic_storage::admins::Role;
use serde_json::{Value, json};

use crate::registration::{Live, live_campaign};
use crate::support::{TestApp, json};
use tools::pdf_tools;

/// Imports employees from CSV lines `email,first,last,site`.
pub async fn import(app: &TestApp, token: &str, lines: &[&str]) {
    let csv = format!("email,first name,last name,site\n{}\n", lines.join("\n"));
    let res = app
        .client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let body = json(res, 200).await;
    assert_eq!(body["rejected"], json!([]), "{body}");
}

/// The campaign's link of `channel` whose `key` is `value`.
pub async fn link(app: &TestApp, live: &Live, channel: &str, key: &str, value: Value) -> Value {
    let links = json(
        app.get(
            &format!("/api/v1/campaigns/{}/links", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    links
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["channel"] == channel && l[key] == value)
        .unwrap_or_else(|| panic!("no {channel} link with {key}={value} in {links}"))
        .clone()
}

/// Downloads a PDF (or ZIP), asserting the status and content type.
pub async fn download(app: &TestApp, token: &str, path: &str, content_type: &str) -> Vec<u8> {
    let res = app.get(path, token).await;
    let status = res.status().as_u16();
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    let body = res.bytes().await.unwrap().to_vec();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(ct, content_type);
    body
}

#[tokio::test]
async fn a_site_poster_scans_to_the_sites_tagged_link() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Marathon <b>stratégie</b> numérique").await;
    let path = format!(
        "/api/v1/campaigns/{}/posters.pdf?site=Lyon%20Part-Dieu",
        live.campaign_id
    );
    let pdf = download(&app, &live.token, &path, "application/pdf").await;
    let poster = link(&app, &live, "poster", "site", json!("Lyon Part-Dieu")).await;
    let url = poster["url"].as_str().unwrap();
    assert_ne!(url, live.link, "the poster has its own tagged link");

    let Some(tools) = pdf_tools() else { return };
    assert_eq!(tools.qr_codes(&pdf), [url]);
    let text = tools.text(&pdf);
    for expected in [
        "Printemps <solidaire>",
        "Vos compétences comptent.",
        "Marathon <b>stratégie</b> numérique",
        "Inscriptions jusqu'au",
        &declic_messaging::posters::short_link(url),
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // Scanning it opens the campaign and counts a visit for that site's poster.
    assert_eq!(app.client.get(url).send().await.unwrap().status(), 200);
    let poster = link(&app, &live, "poster", "site", json!("Lyon Part-Dieu")).await;
    assert_eq!(poster["visits"], 1);

    // English and A3 too; without a site, the generic poster link.
    let path = format!(
        "/api/v1/campaigns/{}/posters.pdf?size=a3&lang=en",
        live.campaign_id
    );
    let pdf = download(&app, &live.token, &path, "application/pdf").await;
    let generic = link(&app, &live, "poster", "site", Value::Null).await;
    assert_eq!(tools.qr_codes(&pdf), [generic["url"].as_str().unwrap()]);
    assert!(tools.text(&pdf).contains("Sign up by"));
    assert!(tools.info(&pdf).contains("841.89 x 1190.55 pts (A3)"));
}

#[tokio::test]
async fn every_site_gets_its_own_page_or_file() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    import(
        &app,
        &live.token,
        &[
            "a@acme.example,Ana,Roy,Lyon",
            "b@acme.example,Bo,Li,Île-de-France",
        ],
    )
    .await;
    let id = live.campaign_id;
    let path = format!("/api/v1/campaigns/{id}/posters.pdf?all_sites=true");
    let pdf = download(&app, &live.token, &path, "application/pdf").await;
    // The directory's sites, in order.
    let sites = ["Lyon", "Île-de-France"];
    let mut urls = Vec::new();
    for site in sites {
        let l = link(&app, &live, "poster", "site", json!(site)).await;
        urls.push(l["url"].as_str().unwrap().to_owned());
    }

    // A ZIP of one PDF per named site.
    let path = format!("/api/v1/campaigns/{id}/posters.zip?sites=Lyon,%20Gare%20du%20Nord");
    let zip = download(&app, &live.token, &path, "application/zip").await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    names.sort();
    assert_eq!(names, ["poster-gare-du-nord.pdf", "poster-lyon.pdf"]);
    let mut lyon = Vec::new();
    std::io::copy(&mut archive.by_name("poster-lyon.pdf").unwrap(), &mut lyon).unwrap();

    let Some(tools) = pdf_tools() else { return };
    assert_eq!(tools.qr_codes(&pdf), urls);
    assert_eq!(tools.qr_codes(&lyon), [urls[0].as_str()]);
}

#[tokio::test]
async fn ambassador_flyers_one_or_all() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    import(
        &app,
        &live.token,
        &[
            "zoe@acme.example,Zoé,Lefèvre-Ærø,Lyon",
            "sam@acme.example,Samuël,Dąbrowski,Lyon",
        ],
    )
    .await;
    let id = live.campaign_id;
    // Zoé is not an ambassador: no flyer for her.
    json(
        app.get(
            &format!("/api/v1/campaigns/{id}/flyers.pdf?ambassador_email=zoe@acme.example"),
            &live.token,
        )
        .await,
        422,
    )
    .await;
    for email in ["zoe@acme.example", "sam@acme.example"] {
        crate::ambassadors::make_ambassador(&app, &live.token, email).await;
    }
    // No ambassador link yet: a clear 422 naming the parameter.
    let p = json(
        app.get(&format!("/api/v1/campaigns/{id}/flyers.pdf"), &live.token)
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "ambassador_email");

    let path =
        format!("/api/v1/campaigns/{id}/flyers.pdf?ambassador_email=zoe@acme.example&size=a6");
    let zoe = download(&app, &live.token, &path, "application/pdf").await;
    let path =
        format!("/api/v1/campaigns/{id}/flyers.pdf?ambassador_email=sam@acme.example&lang=en");
    download(&app, &live.token, &path, "application/pdf").await;
    let all = download(
        &app,
        &live.token,
        &format!("/api/v1/campaigns/{id}/flyers.pdf"),
        "application/pdf",
    )
    .await;
    let links = json(
        app.get(&format!("/api/v1/campaigns/{id}/links"), &live.token)
            .await,
        200,
    )
    .await;
    let urls: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["channel"] == "ambassador")
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), 2);

    let p = json(
        app.get(
            &format!("/api/v1/campaigns/{id}/flyers.pdf?ambassador_email=nobody@acme.example"),
            &live.token,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "ambassador_email");

    let Some(tools) = pdf_tools() else { return };
    assert_eq!(tools.qr_codes(&zoe), [urls[0]]);
    let text = tools.text(&zoe);
    assert!(text.contains("Zoé Lefèvre-Ærø"), "{text}");
    assert!(text.contains("Parlez-m'en"), "{text}");
    assert_eq!(tools.qr_codes(&all), urls);
    let text = tools.text(&all);
    assert!(
        text.contains("Zoé Lefèvre-Ærø") && text.contains("Samuël Dąbrowski"),
        "{text}"
    );
}

#[tokio::test]
async fn viewers_download_managers_upload_the_logo() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = app.store.organization_by_slug("acme").await.unwrap();
    let viewer = app
        .token(
            declic_storage::OrgId(org.id),
            "viewer@acme.example",
            Role::Viewer,
        )
        .await;
    let put = |token: &str, ct: &str, body: Vec<u8>| {
        app.client
            .put(app.url("/api/v1/organization/logo"))
            .bearer_auth(token)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    json(put(&viewer, "image/png", PNG.to_vec()).await.unwrap(), 403).await;
    let p = json(
        put(&live.token, "image/gif", b"GIF89a".to_vec())
            .await
            .unwrap(),
        415,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("image/png"));
    let p = json(
        put(&live.token, "image/svg+xml", PNG.to_vec())
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "logo");
    json(
        put(&live.token, "image/png", vec![0; 3 * 1024 * 1024])
            .await
            .unwrap(),
        413,
    )
    .await;
    let ok = json(
        put(&live.token, "image/png", PNG.to_vec()).await.unwrap(),
        200,
    )
    .await;
    assert_eq!(ok, json!({"content_type": "image/png", "bytes": PNG.len()}));

    let path = format!("/api/v1/campaigns/{}/posters.pdf", live.campaign_id);
    // A viewer's download creates nothing: the poster's tagged link must exist first.
    let links_before = app
        .store
        .campaign_links(declic_storage::OrgId(org.id), live.campaign_id)
        .await
        .unwrap()
        .len();
    let p = json(app.get(&path, &viewer).await, 422).await;
    assert!(p["detail"].as_str().unwrap().contains("manager"), "{p}");
    assert_eq!(
        app.store
            .campaign_links(declic_storage::OrgId(org.id), live.campaign_id)
            .await
            .unwrap()
            .len(),
        links_before
    );
    download(&app, &live.token, &path, "application/pdf").await;
    let pdf = download(&app, &viewer, &path, "application/pdf").await;
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40"><rect width="160" height="40" rx="6" fill="#0b6e4f"/><text x="12" y="28" font-size="22" fill="#fff">Acm&#233;</text></svg>"##;
    json(
        put(&live.token, "image/svg+xml; charset=utf-8", svg.to_vec())
            .await
            .unwrap(),
        200,
    )
    .await;
    let with_svg = download(&app, &viewer, &path, "application/pdf").await;

    let Some(tools) = pdf_tools() else { return };
    let url = link(&app, &live, "poster", "site", Value::Null).await["url"].clone();
    for pdf in [&pdf, &with_svg] {
        assert_eq!(tools.qr_codes(pdf), [url.as_str().unwrap()]);
    }
    assert!(
        tools.images(&pdf).contains("rgb"),
        "the PNG logo is embedded"
    );
}

/// A valid 4×2 PNG in the accent colour.
pub const PNG: [u8; 73] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xf0, 0xca, 0xea,
    0x34, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xe0, 0xce, 0xf3, 0x87,
    0x23, 0x06, 0x64, 0x0e, 0x00, 0x4f, 0x3a, 0x06, 0x41, 0x9f, 0xf6, 0xcd, 0x4e, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
