//! End to end in headless Chromium (Debian's `chromium`, driven through
//! `chromedriver` by fantoccini): HR signs in, prepares a campaign from the default
//! plan, imports a directory with one bad line, invites an ambassador and launches;
//! a colleague follows the ambassador's link, registers and confirms from the mail
//! read on a real SMTP server; the dashboard and the ambassador's count move.
//!
//! With `DECLIC_TEST_BROWSER=1` (CI) a missing chromium or chromedriver fails the
//! test; otherwise it is skipped with a notice. `DECLIC_AXE_JS` names axe-core's
//! `axe.min.js`: the main pages are then checked for serious accessibility
//! violations. `DECLIC_E2E_SCREENSHOTS` names a folder for screenshots of the main
//! pages (docs/screenshots is refreshed that way).
#![expect(clippy::unwrap_used, reason = "tests")]

#[path = "../support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use declic_config::{MailTransport, SmtpTls};
use declic_storage::Actor;
use declic_storage::admins::Role;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use support::{TestApp, smtp};

const PASSWORD: &str = "correct horse battery";

/// A chromedriver process, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn required() -> bool {
    std::env::var("DECLIC_TEST_BROWSER").is_ok_and(|v| v == "1")
}

/// Starts chromedriver, or explains why the test is skipped.
fn chromedriver() -> Option<Driver> {
    let have = |p: &str| std::path::Path::new(p).exists();
    if !have("/usr/bin/chromedriver") || !have("/usr/bin/chromium") {
        assert!(
            !required(),
            "DECLIC_TEST_BROWSER=1 but chromium or chromedriver is missing: apt-get install -y chromium chromium-driver"
        );
        eprintln!("notice: browser test skipped (install chromium and chromium-driver to run it)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Driver { child, port })
}

/// The browser, with the page helpers the scenario uses.
struct Browser {
    c: Client,
    base: String,
    shots: Option<PathBuf>,
    axe: Option<String>,
}

impl Browser {
    async fn open(driver: &Driver, base: &str) -> Self {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": "/usr/bin/chromium",
                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--window-size=1280,1000", "--lang=fr-FR"],
                   "prefs": {"intl.accept_languages": "fr-FR,fr"}}),
        );
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap();
        let axe = std::env::var("DECLIC_AXE_JS")
            .ok()
            .filter(|p| !p.is_empty())
            .map(|p| std::fs::read_to_string(p).unwrap());
        assert!(
            axe.is_some() || !required(),
            "DECLIC_TEST_BROWSER=1 needs DECLIC_AXE_JS (npm install axe-core)"
        );
        Self {
            c,
            base: base.to_owned(),
            shots: std::env::var("DECLIC_E2E_SCREENSHOTS")
                .ok()
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
            axe,
        }
    }

    async fn go(&self, path: &str) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        self.c.goto(&url).await.unwrap();
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.c.find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Sets a field through script (date and time inputs, whose typing is locale-bound).
    async fn set(&self, css: &str, value: &str) {
        self.c
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap();
    }

    /// Clicks what submits a form or follows a link, and waits for the next page.
    async fn submit(&self, css: &str) {
        self.c
            .execute("window.__declicOld = true;", vec![])
            .await
            .unwrap();
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let done = self
                .c
                .execute(
                    "return window.__declicOld === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .unwrap_or(json!(false));
            if done == json!(true) {
                return;
            }
            assert!(Instant::now() < deadline, "{css} led to no new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn click(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    async fn text(&self, css: &str) -> String {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    async fn body(&self) -> String {
        self.text("body").await
    }

    async fn path(&self) -> String {
        self.c.current_url().await.unwrap().path().to_owned()
    }

    /// Waits for `css` to appear (pages that script updates).
    async fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await {
                return e.text().await.unwrap();
            }
            assert!(Instant::now() < deadline, "{css} never appeared");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A screenshot for docs/screenshots, and the accessibility check of the page.
    async fn check(&self, name: &str) {
        if let Some(dir) = &self.shots {
            std::fs::create_dir_all(dir).unwrap();
            let png = self.c.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
        }
        let Some(axe) = &self.axe else { return };
        self.c.execute(axe, vec![]).await.unwrap();
        let found = self
            .c
            .execute_async(
                r"const done = arguments[arguments.length - 1];
                  axe.run(document, {resultTypes: ['violations']}).then(r => done(
                    r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                      .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            found,
            json!([]),
            "serious accessibility violations on {name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hr_plans_launches_and_a_colleague_registers_in_the_browser() {
    let Some(driver) = chromedriver() else { return };
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = smtp::start(dir.path()) else {
        return;
    };
    let port = server.port;
    let app = TestApp::spawn_with(|c| {
        c.mail.transport = MailTransport::Smtp;
        c.mail.smtp.host = "127.0.0.1".into();
        c.mail.smtp.port = port;
        c.mail.smtp.tls = SmtpTls::None;
    })
    .await;
    let org = app.org("acme", "acme.example").await;
    let hash = declic_storage::hash_password(PASSWORD).unwrap();
    app.store
        .create_admin(
            org,
            "rh@acme.example",
            Role::Owner,
            Some(hash),
            &Actor::cli(),
        )
        .await
        .unwrap();
    let b = Browser::open(&driver, &app.base).await;

    // HR signs in (sent to the sign-in page, then back where they were going).
    b.go("/console/campaigns").await;
    assert_eq!(b.path().await, "/console/sign-in");
    b.check("sign-in").await;
    b.fill("#email", "rh@acme.example").await;
    b.fill("#password", PASSWORD).await;
    b.submit("form button[type=submit]").await;
    assert_eq!(b.path().await, "/console/campaigns", "{}", b.body().await);

    // An association with its eligibility checklist, and a mission.
    b.go("/console/associations").await;
    b.fill("#a-name", "Les Restos <du> Cœur").await;
    b.click("input[name=past_activity_feedback]").await;
    b.click("input[name=finances_documented]").await;
    b.click("input[name=two_people_available]").await;
    b.submit("section form button[type=submit]").await;
    assert!(b.body().await.contains("Éligible"), "{}", b.body().await);
    b.go("/console/associations").await;
    b.check("associations").await;
    let day = Utc::now().date_naive() + chrono::Duration::days(45);
    b.go("/console/missions").await;
    b.c.find(Locator::Css("#m-association"))
        .await
        .unwrap()
        .select_by_index(1)
        .await
        .unwrap();
    b.fill("#m-title", "Atelier CV <b>solidaire</b>").await;
    b.set("#m-starts", &format!("{day}T09:00")).await;
    b.set("#m-ends", &format!("{day}T12:00")).await;
    b.fill("#m-capacity", "6").await;
    b.fill("#m-place", "12 rue des Lilas, Paris").await;
    b.click("input[name=publish]").await;
    b.submit("section form button[type=submit]").await;
    assert!(b.body().await.contains("Publiée"), "{}", b.body().await);

    // A campaign from the default plan.
    b.go("/console/campaigns").await;
    b.fill("#new-title", "Printemps <solidaire>").await;
    b.fill("#new-goal", "4").await;
    b.set("#new-date", &day.to_string()).await;
    b.submit("#new-campaign ~ form button[type=submit], section form button[type=submit]")
        .await;
    assert!(b.path().await.starts_with("/console/campaigns/"));
    let campaign_path = b.path().await;
    assert!(
        b.body().await.contains("Printemps <solidaire>"),
        "titles are shown as text"
    );
    // Tick the mission and write the key message; the preview follows as HR types.
    b.click("input[name=mission_ids]").await;
    b.fill("#key_message", "Donnez deux heures, changez un CV")
        .await;
    let preview = b.wait_for("#preview-text").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut preview = preview;
    while !preview.contains("Donnez deux heures") {
        assert!(
            Instant::now() < deadline,
            "the live preview never showed the key message: {preview}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        preview = b.text("#preview-text").await;
    }
    b.submit("#details-form button[type=submit]").await;
    assert!(b.body().await.contains("Enregistré"));
    // Calendar warnings as the dates are edited: a launch moved past the deadline.
    let launch =
        b.c.find(Locator::Css("input[name=step_kind][value=launch] ~ *"))
            .await;
    let _ = launch;
    b.c.execute(
        "const rows = [...document.querySelectorAll('#calendar-form .timeline li')];
         const launch = rows.find(r => r.querySelector('input[name=step_kind]')?.value === 'launch');
         const input = launch.querySelector('input[name=step_date]');
         input.value = arguments[0];
         input.dispatchEvent(new Event('input', {bubbles: true}));",
        vec![json!((day + chrono::Duration::days(1)).to_string())],
    )
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !b.text("#warnings").await.to_lowercase().contains("ordre") {
        assert!(
            Instant::now() < deadline,
            "no live warning: {}",
            b.text("#warnings").await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    b.go(&campaign_path).await;
    b.check("campaign-editor").await;

    // The directory: a file with one bad line, the dry run's report, then the import.
    let csv = dir.path().join("annuaire.csv");
    std::fs::write(
        &csv,
        "email;prénom;nom;service;site\nana@acme.example;Ana;Lopez;IT;Lyon\npas-une-adresse;Bob;Martin;IT;Lyon\nnoel@acme.example;Noël;Durand;Achats;Paris\n",
    )
    .unwrap();
    b.go("/console/directory").await;
    b.c.find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(csv.to_str().unwrap())
        .await
        .unwrap();
    b.submit("form[enctype] button[type=submit]").await;
    let rejected = b.text("#rejected-lines").await;
    assert!(
        rejected.contains("3") && rejected.contains("pas-une-adresse"),
        "{rejected}"
    );
    b.check("directory-dry-run").await;
    b.submit("form[action='/console/directory/import/confirm'] button")
        .await;
    assert!(b.body().await.contains("Import terminé"));
    assert!(b.body().await.contains("noel@acme.example"));

    // Ana volunteered before: HR invites her to be an ambassador.
    b.go("/console/ambassadors").await;
    b.fill("#amb-email", "ana@acme.example").await;
    b.click("input[name=past_volunteer]").await;
    b.submit("form[action='/console/ambassadors'] button").await;
    assert!(b.body().await.contains("Invitation envoyée"));

    // Launch.
    b.go(&campaign_path).await;
    b.submit("button[name=status][value=live]").await;
    assert!(b.body().await.contains("Campagne lancée"));
    b.go("/console").await;
    let figure = b.text(".figure").await;
    assert_eq!(figure.trim(), "0 / 4");
    b.check("dashboard").await;

    // Ana accepts on her ambassador page (signed in by a link sent by mail).
    b.go("/a/sign-in").await;
    b.fill("#email", "ana@acme.example").await;
    b.submit("form button[type=submit]").await;
    let login = wait_for_link(
        &server,
        "ana@acme.example",
        &format!("{}/a/login/", app.base),
    )
    .await;
    b.go(&login).await;
    b.submit("form button[type=submit]").await;
    b.submit("form[action^='/a/accept'] button").await;
    let ambassador_link = b.text("section.mission p.token").await;
    assert!(
        ambassador_link.starts_with(&format!("{}/c/", app.base)),
        "{ambassador_link}"
    );

    // Noël follows Ana's link, registers, and confirms from the mail.
    b.go(&ambassador_link).await;
    b.check("campaign-page").await;
    b.fill("#email", "noel@acme.example").await;
    b.fill("#first_name", "Noël").await;
    b.fill("#last_name", "Durand").await;
    b.c.find(Locator::Css("select#choice_1"))
        .await
        .unwrap()
        .select_by_index(1)
        .await
        .unwrap();
    b.click("#consent").await;
    b.submit("form button[type=submit]").await;
    let confirm = wait_for_link(&server, "noel@acme.example", &format!("{}/r/", app.base)).await;
    b.go(&confirm).await;
    b.submit("form button[type=submit]").await;

    // HR sees the dashboard and Ana's count move.
    b.go("/console").await;
    assert_eq!(b.text(".figure").await.trim(), "1 / 4");
    b.go("/console/ambassadors").await;
    assert_eq!(b.text("#ambassadors td.recruits").await.trim(), "1");
    b.check("ambassadors").await;
    b.go(&format!("{campaign_path}/registrations")).await;
    assert!(b.body().await.contains("Noël Durand"));
    b.check("registrations").await;
    b.go(&format!("{campaign_path}/dispatches")).await;
    b.check("dispatches").await;
    b.go("/console/reports").await;
    b.check("reports").await;
    b.go("/console/directory").await;
    b.check("directory").await;
    b.go("/console/missions").await;
    b.check("missions").await;
    b.go("/console/messages?message=slack_post").await;
    assert!(b.body().await.contains("mrkdwn key_message"));
    b.check("messages").await;
    b.go("/console?lang=en").await;
    assert!(b.body().await.contains("Dashboard"));
    b.check("dashboard-en").await;
    b.c.close().await.unwrap();
}

/// The first link starting with `prefix` in a mail to `to`, once it has arrived.
async fn wait_for_link(server: &smtp::SmtpServer, to: &str, prefix: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(link) = server
            .mails()
            .iter()
            .filter(|m| m.to == to)
            .find_map(|m| m.link(prefix))
        {
            return link;
        }
        assert!(Instant::now() < deadline, "no mail to {to} with {prefix}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
