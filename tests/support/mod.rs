//! Test harness: each test gets its own database (a SQLite file, or a fresh
//! PostgreSQL database when `DECLIC_TEST_DATABASE_URL` is set) and, for API
//! tests, the real app on port 0.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test harness: a failure here is a test failure"
)]

pub mod mail;
pub mod smtp;

use declic_config::{Config, LoadOptions, Secret};
use declic_storage::admins::Role;
use declic_storage::orgs::NewOrganization;
use declic_storage::{Actor, OrgId, Store};

pub const SECRET: &str = "test-secret-key-0123456789abcdefghijklmnop";

/// A database owned by one test.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh, empty database on the backend chosen by the environment.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        match std::env::var("DECLIC_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            None => {
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Self { url, dir, pg: None }
            }
            Some(admin_url) => {
                let name = format!("declic_t_{}", uuid::Uuid::new_v4().simple());
                let admin = Store::connect(&admin_url, 1).await.unwrap();
                use sea_orm::ConnectionTrait;
                admin
                    .db()
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap();
                admin.db().clone().close().await.unwrap();
                let url = replace_db_name(&admin_url, &name);
                Self {
                    url,
                    dir,
                    pg: Some((admin_url, name)),
                }
            }
        }
    }

    /// True when running on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let cut = base.rfind('/').unwrap();
    let mut out = format!("{}/{name}", &base[..cut]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            // Drop cannot be async: use a throwaway runtime on a plain thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    use sea_orm::ConnectionTrait;
                    let admin = Store::connect(&admin_url, 1).await.ok()?;
                    admin
                        .db()
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}

/// The configuration tests run with: defaults, a fixed secret, the test's data dir.
pub fn test_config(db: &TestDb) -> Config {
    let mut config = declic_config::load(&LoadOptions {
        config_dir: Some(db.dir.path().to_path_buf()),
        file: None,
    })
    .unwrap()
    .config;
    config.data_dir = db.dir.path().to_path_buf();
    config.security.secret_key = Secret::new(SECRET);
    config.database.url = Secret::new(db.url.clone());
    // The fake Slack and Teams run on this machine (tests/api/webhooks.rs checks the
    // default policy, which refuses them).
    config.webhooks.allow_other_hosts = true;
    config.webhooks.allow_private_addresses = true;
    config
}

/// The real app, listening on a free port.
pub struct TestApp {
    pub base: String,
    /// The app's shared state, for jobs a test runs by hand (scheduler ticks).
    pub state: declic_app::AppCtx,
    pub client: reqwest::Client,
    pub store: Store,
    pub db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the app after letting the test adjust the configuration; the
    /// delivery worker's personal lane runs beside it, as in `declic serve`.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_full(adjust, true).await
    }

    /// The app without the personal lane: messages wait in the outbox until a
    /// test delivers them (or another process does).
    pub async fn spawn_without_lane(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_full(adjust, false).await
    }

    async fn spawn_full(adjust: impl FnOnce(&mut Config), lane: bool) -> Self {
        // Errors the app logs show up under the failing test (RUST_LOG for more).
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "warn".into()),
            )
            .with_test_writer()
            .try_init();
        let db = TestDb::new().await;
        let mut config = test_config(&db);
        let default_url = config.server.public_url.clone();
        adjust(&mut config);
        // A test may name its own public address (an https one, for links in mails).
        let own_url = config.server.public_url != default_url;
        let store = Store::connect(&db.url, 5).await.unwrap();
        store.migrate().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        if !own_url {
            config.server.public_url = format!("http://{addr}");
        }
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = declic_app::AppCtx::new(declic_app::App::new(store.clone(), config).unwrap());
        if lane {
            // Stops with the test's runtime.
            std::mem::forget(declic_app::outbox::lane::start(state.clone()));
        }
        let app = declic_http::AppState::from_ctx(state.clone());
        tokio::spawn(async move {
            let _ = declic_http::serve(listener, app, async move {
                let _ = rx.await;
            })
            .await;
        });
        Self {
            base: format!("http://{addr}"),
            state,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            store,
            db,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates an organisation and returns its id.
    pub async fn org(&self, slug: &str, domain: &str) -> OrgId {
        let o = self
            .store
            .create_organization(
                NewOrganization {
                    slug: slug.into(),
                    name: format!("{slug} Inc"),
                    domains: vec![domain.into()],
                    default_language: "fr".into(),
                },
                &Actor::cli(),
            )
            .await
            .unwrap();
        OrgId(o.id)
    }

    /// Creates an admin with `role` in `org` and returns an API token for them.
    pub async fn token(&self, org: OrgId, email: &str, role: Role) -> String {
        let admin = self
            .store
            .create_admin(org, email, role, None, &Actor::cli())
            .await
            .unwrap();
        self.store
            .create_api_token(org, admin.id, "test", 30, &Actor::cli())
            .await
            .unwrap()
            .1
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Mails sent so far (read from the outbox folder), once every message queued
    /// so far and due now has left.
    pub async fn mails(&self) -> Vec<mail::ReceivedMail> {
        self.settle_messages().await;
        mail::read_dir(&self.db.dir.path().join("outbox"))
    }

    /// Mails sent so far to `email`.
    pub async fn mails_to(&self, email: &str) -> Vec<mail::ReceivedMail> {
        self.mails()
            .await
            .into_iter()
            .filter(|m| m.to == email)
            .collect()
    }

    /// Waits until no message of a person is due or being sent: the request's own
    /// background work first (it may queue one), then the delivery worker's lane
    /// (run here too, so a test does not wait for the lane's next wake-up).
    pub async fn settle_messages(&self) {
        self.state.background.settle().await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            declic_app::outbox::deliver_messages(&self.state)
                .await
                .unwrap();
            if self.store.messages_pending().await.unwrap() == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "messages still pending after 30 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Uploads a directory file (CSV) as `token`'s organisation.
    pub async fn import_csv(&self, token: &str, csv: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/employees/import"))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv.to_owned())
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, token: &str, body: serde_json::Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Reads a JSON body, asserting the status first (and showing the body when it differs).
pub async fn json(res: reqwest::Response, status: u16) -> serde_json::Value {
    let got = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "unexpected status; body: {text}");
    if got >= 400 {
        assert_eq!(
            ct.as_deref(),
            Some("application/problem+json"),
            "errors are problem+json"
        );
    }
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}

/// The fields named by a problem document.
pub fn problem_fields(problem: &serde_json::Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads `declic serve`'s "declic listening on …" line and returns the address;
/// the rest of what it prints is read and dropped, as a terminal would.
pub fn listening_address(child: &mut std::process::Child) -> String {
    use std::io::{BufRead, BufReader};
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("declic listening on ").map(str::to_owned))
        .unwrap();
    std::thread::spawn(move || lines.for_each(drop));
    base
}
