//! Launch-day burst benchmark: 64 clients register at once through the real app
//! (`POST /c/{code}/register`, then `POST /r/{token}` to confirm), on SQLite and, when
//! `DECLIC_TEST_DATABASE_URL` is set, PostgreSQL, beside the raw insert+commit rate of the
//! same database through the same connection pool in the same run.
//!
//! Run with `cargo bench -p declic --bench burst`. `BURST_N` (default 2000) registrations per
//! run, `BURST_RAW_N` (default 10 000) commits per baseline measurement, `BURST_SOLO`
//! (default 200) registrations by a single client first, `BENCH_RUNS` (default 1) runs per
//! backend, each on a fresh database and a freshly started app. Nothing here asserts on a
//! duration.
//!
//! The app runs in this process, as in the API tests: `declic_http::serve` on 127.0.0.1:0,
//! the pool size from `config/default.toml` (`DECLIC__DATABASE__MAX_CONNECTIONS` changes it).
//! The per-address limit on public routes is raised, since every request here comes
//! from 127.0.0.1; the scheduler is not started. The load generator (64 reqwest clients)
//! shares the machine's CPUs with the app.
//!
//! Mail goes over SMTP, as in a production set-up (`[mail] transport = "smtp"`, the default
//! pool of 4 connections, no TLS), to a minimal SMTP server inside this process that accepts
//! every message and keeps the confirmation token of each recipient. Right after a submit
//! returns, the client takes its token from there and presses the button; that wait is not in
//! the request latencies (the bench prints it) and touches no database. (The embedded
//! default, one `.eml` file per mail in an outbox folder, is a development transport: on
//! ext4, creating those files cost about a third of the process CPU in this bench.)
//!
//! The raw baseline inserts one row per transaction into a scratch table (`bench_raw`) with a
//! prepared `INSERT`, from 64 tasks through the app's own pool, opened as the app opens its
//! writes (`Store::write_txn`: `BEGIN IMMEDIATE` on SQLite); it runs before and after the
//! burst. For reference it also runs once through a pool of one connection, where SQLite
//! writers never wait on each other.
//!
//! CPU figures are this process's (app and load generator together; PostgreSQL's own
//! processes are not in them), from `/proc/self/stat`.
//!
//! Two more measurements follow the burst. *Open loop*: registrations arrive at a fixed
//! rate, half the burst's saturation rate, for `BURST_OPEN_SECS` (default 5) seconds,
//! each a new client task (submit, wait for the mail, confirm), so a slow answer does not
//! slow the arrivals; the latency of every request is kept. *Under a campaign*: a launch
//! dispatch to `BURST_CAMPAIGN_N` (default 100 000; 0 skips it) employees is sending
//! through the campaign lane of the delivery worker, to the same SMTP sink, while 10
//! people a second register for 10 s; for each, the time from the submit (an upper bound
//! of the time from its commit) to the sink accepting the confirmation mail.
//!
//! Without `--bench` (e.g. `cargo test --benches`) the binary exits at once, so a test run
//! never times anything.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::with_database;

use anyhow::{Context, anyhow, ensure};
use declic_app::{App, AppCtx};
use declic_config::{LoadOptions, Secret};
use declic_http::AppState;
use declic_storage::admins::Role;
use declic_storage::orgs::NewOrganization;
use declic_storage::registrations::PublicCampaign;
use declic_storage::{Actor, OrgId, Store};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

/// Concurrent clients (and concurrent raw writers).
const CLIENTS: usize = 64;
const DOMAIN: &str = "acme.example";
const SECRET: &str = "bench-secret-key-0123456789abcdefghijklmnop";

/// What a run is asked to do.
#[derive(Clone, Copy)]
struct Plan {
    n: usize,
    raw_n: usize,
    solo: usize,
    open_secs: usize,
    campaign_n: usize,
}

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("burst bench: skipped (run it with `cargo bench -p declic --bench burst`)");
        return Ok(());
    }
    let plan = Plan {
        n: env_or("BURST_N", 2000)?,
        raw_n: env_or("BURST_RAW_N", 10_000)?,
        solo: env_or("BURST_SOLO", 200)?,
        open_secs: env_or("BURST_OPEN_SECS", 5)?,
        campaign_n: env_or("BURST_CAMPAIGN_N", 100_000)?,
    };
    let runs: usize = env_or("BENCH_RUNS", 1)?;
    ensure!(
        plan.n > 0 && plan.raw_n > 0 && runs > 0,
        "BURST_N, BURST_RAW_N and BENCH_RUNS must be positive"
    );
    // Errors the app logs (a failed mail, a 500) show up on stderr; RUST_LOG for more.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    println!(
        "burst bench: {} registrations (submit + confirm) by {CLIENTS} clients after {} by one \
         client, raw baseline {} commits by {CLIENTS} tasks, {runs} run(s) per backend",
        plan.n, plan.solo, plan.raw_n
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let mut summaries = Vec::new();

    let mut sqlite = Vec::new();
    for run in 1..=runs {
        let run_dir = tempfile::tempdir_in(dir.path())?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            run_dir.path().join("declic.db").display()
        );
        sqlite.push(rt.block_on(Box::pin(measure(&url, run_dir.path(), plan)))?);
        eprintln!("  sqlite run {run}/{runs} done");
    }
    summaries.push(("sqlite", Summary::new(&sqlite)));

    match std::env::var("DECLIC_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let mut pg = Vec::new();
            for run in 1..=runs {
                let run_dir = tempfile::tempdir_in(dir.path())?;
                pg.push(rt.block_on(Box::pin(pg_run(&admin_url, run_dir.path(), plan)))?);
                eprintln!("  postgres run {run}/{runs} done");
            }
            summaries.push(("postgres", Summary::new(&pg)));
        }
        _ => println!(
            "postgres: skipped (set DECLIC_TEST_DATABASE_URL, e.g. \
             postgres://postgres@127.0.0.1:5432/test)"
        ),
    }

    println!();
    println!(
        "{:<9} {:>8} {:>10} {:>7} {:>16} {:>16} {:>16}",
        "backend", "reg/s", "raw c/s", "ratio", "submit p50/p99", "confirm p50/p99", "reg p50/p99"
    );
    for (backend, s) in &summaries {
        println!(
            "{backend:<9} {:>8.0} {:>10.0} {:>7.3} {:>16} {:>16} {:>16}",
            s.reg_rate,
            s.raw_rate,
            s.reg_rate / s.raw_rate,
            s.submit.ms(),
            s.confirm.ms(),
            s.registration.ms(),
        );
    }
    println!(
        "(median rates over runs; latencies in ms, pooled over runs; \
         reg = submit + confirm of one registration)"
    );
    for (backend, s) in &summaries {
        println!();
        println!("{backend}:");
        for line in &s.lines {
            println!("  {line}");
        }
    }
    Ok(())
}

/// Process CPU time (user, system) so far.
#[derive(Clone, Copy, Default)]
struct Cpu {
    user: f64,
    sys: f64,
}

impl Cpu {
    /// From `/proc/self/stat` (clock ticks of 1/100 s); zero where unavailable.
    fn now() -> Self {
        let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
            return Self::default();
        };
        // Fields after the command name, which is in parentheses: utime is the 14th field
        // of the line, stime the 15th.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let field = |i: usize| {
            rest.split_whitespace()
                .nth(i)
                .and_then(|v| v.parse::<f64>().ok())
                .map_or(0.0, |t| t / 100.0)
        };
        Self {
            user: field(11),
            sys: field(12),
        }
    }

    fn since(self, start: Self) -> Self {
        Self {
            user: self.user - start.user,
            sys: self.sys - start.sys,
        }
    }
}

/// A measured stretch: how many operations, how long, how much CPU.
#[derive(Clone, Copy)]
struct Phase {
    ops: usize,
    wall: Duration,
    cpu: Cpu,
}

impl Phase {
    fn start() -> (Instant, Cpu) {
        (Instant::now(), Cpu::now())
    }

    fn end(ops: usize, (t0, cpu0): (Instant, Cpu)) -> Self {
        Self {
            ops,
            wall: t0.elapsed(),
            cpu: Cpu::now().since(cpu0),
        }
    }

    fn rate(&self) -> f64 {
        self.ops as f64 / self.wall.as_secs_f64()
    }

    /// CPU milliseconds per operation: (user, system).
    fn cpu_ms(&self) -> (f64, f64) {
        let n = self.ops.max(1) as f64;
        (self.cpu.user * 1e3 / n, self.cpu.sys * 1e3 / n)
    }
}

/// Operations with their latencies.
struct Timed {
    phase: Phase,
    latencies: Vec<Duration>,
}

/// Timings of one registration.
#[derive(Clone, Copy)]
struct Sample {
    /// Its place in the burst (0 first).
    i: usize,
    submit: Duration,
    /// Waiting for the confirmation mail at the SMTP sink, not part of the request latencies.
    renew: Duration,
    confirm: Duration,
}

/// Registrations with their timings, in the order they were started.
struct Burst {
    phase: Phase,
    samples: Vec<Sample>,
}

/// What one run measured.
struct Run {
    /// By `CLIENTS` clients at once.
    burst: Burst,
    /// By one client alone, before the burst (an empty mission) and after it.
    solo: Burst,
    solo_after: Burst,
    /// Raw baseline through the app's pool, before and after the burst.
    raw: Vec<Timed>,
    /// Raw baseline through a pool of one connection.
    raw_single: Timed,
    healthz: Timed,
    page: Timed,
    /// `Store::public_campaign` alone (what every page view and submit starts with),
    /// one call at a time, before and after the burst.
    load_before: Vec<Duration>,
    load_after: Vec<Duration>,
    mails: usize,
    /// Registrations arriving at half the burst's rate.
    open: OpenLoop,
    /// Confirmation mails while a campaign is sending.
    under_campaign: Option<UnderCampaign>,
}

/// Registrations arriving at a fixed rate.
struct OpenLoop {
    rate: f64,
    submit: Vec<Duration>,
    confirm: Vec<Duration>,
}

/// A person's mail while a large campaign is sending.
struct UnderCampaign {
    recipients: usize,
    /// From the submit to the SMTP sink accepting the confirmation mail.
    latencies: Vec<Duration>,
    /// Campaign mails per second meanwhile.
    campaign_rate: f64,
}

/// Sorted latencies.
struct Dist(Vec<Duration>);

impl Dist {
    fn new(samples: impl IntoIterator<Item = Duration>) -> Self {
        let mut v: Vec<Duration> = samples.into_iter().collect();
        v.sort_unstable();
        Self(v)
    }

    /// Nearest-rank percentile.
    fn pct(&self, p: f64) -> Duration {
        let n = self.0.len();
        if n == 0 {
            return Duration::ZERO;
        }
        let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
        self.0[rank - 1]
    }

    fn ms(&self) -> String {
        format!(
            "{:.1} / {:.1}",
            self.pct(0.50).as_secs_f64() * 1e3,
            self.pct(0.99).as_secs_f64() * 1e3
        )
    }
}

/// One backend's runs together: rates are medians over runs, latencies pooled.
struct Summary {
    reg_rate: f64,
    raw_rate: f64,
    submit: Dist,
    confirm: Dist,
    registration: Dist,
    /// The details printed under the table.
    lines: Vec<String>,
}

impl Summary {
    fn new(runs: &[Run]) -> Self {
        let all = || runs.iter().flat_map(|r| r.burst.samples.iter());
        let solo = |f: fn(&Run) -> &Burst, what: &str| {
            let samples = || runs.iter().flat_map(move |r| f(r).samples.iter());
            format!(
                "one client alone, {what}: {:.0} reg/s, submit p50/p99 ms {}, confirm {}",
                median(runs.iter().map(|r| f(r).phase.rate())),
                Dist::new(samples().map(|s| s.submit)).ms(),
                Dist::new(samples().map(|s| s.confirm)).ms()
            )
        };
        let total = |f: fn(&Sample) -> Duration| -> f64 { all().map(|s| f(s).as_secs_f64()).sum() };
        let renew = total(|s| s.renew);
        let client_time = renew + total(|s| s.submit) + total(|s| s.confirm);
        let pooled = |f: fn(&Run) -> &Timed| {
            Dist::new(runs.iter().flat_map(|r| f(r).latencies.iter().copied()))
        };
        let rate = |f: fn(&Run) -> Phase| median(runs.iter().map(|r| f(r).rate()));
        let cpu = |f: fn(&Run) -> Phase| {
            let user = median(runs.iter().map(|r| f(r).cpu_ms().0));
            let sys = median(runs.iter().map(|r| f(r).cpu_ms().1));
            format!("{:.2} ms (user {user:.2}, system {sys:.2})", user + sys)
        };

        let mut lines = vec![
            format!(
                "raw commits/s per measurement: {}",
                runs.iter()
                    .flat_map(|r| r.raw.iter().map(|m| format!("{:.0}", m.phase.rate())))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "raw commit latency p50/p99 ms: {}",
                Dist::new(
                    runs.iter()
                        .flat_map(|r| r.raw.iter().flat_map(|m| m.latencies.iter().copied()))
                )
                .ms()
            ),
            format!(
                "raw commits/s through one connection: {:.0} (latency p50/p99 ms {}, pool wait included)",
                rate(|r| r.raw_single.phase),
                pooled(|r| &r.raw_single).ms()
            ),
            solo(|r| &r.solo, "before the burst"),
            solo(|r| &r.solo_after, "after it"),
            format!(
                "waiting for the confirmation mail (not timed) p50/p99 ms: {}, {:.0}% of the clients' time",
                Dist::new(all().map(|s| s.renew)).ms(),
                if client_time > 0.0 {
                    renew / client_time * 100.0
                } else {
                    0.0
                }
            ),
            format!(
                "process CPU per registration ({CLIENTS} clients, incl. mail pickup and load generator): {}",
                cpu(|r| r.burst.phase)
            ),
            format!(
                "process CPU per registration (one client): {}",
                cpu(|r| r.solo.phase)
            ),
            format!("process CPU per raw commit: {}", cpu(|r| r.raw[0].phase)),
            format!(
                "GET /healthz by {CLIENTS} clients: {:.0} req/s (p50/p99 ms {}), CPU {}",
                rate(|r| r.healthz.phase),
                pooled(|r| &r.healthz).ms(),
                cpu(|r| r.healthz.phase)
            ),
            format!(
                "GET /c/{{code}} by {CLIENTS} clients: {:.0} req/s (p50/p99 ms {}), CPU {}",
                rate(|r| r.page.phase),
                pooled(|r| &r.page).ms(),
                cpu(|r| r.page.phase)
            ),
        ];
        lines.push(format!(
            "Store::public_campaign alone, p50/p99 ms: {} before the burst, {} after it",
            Dist::new(runs.iter().flat_map(|r| r.load_before.iter().copied())).ms(),
            Dist::new(runs.iter().flat_map(|r| r.load_after.iter().copied())).ms()
        ));
        let open_all = || {
            runs.iter()
                .flat_map(|r| r.open.submit.iter().chain(r.open.confirm.iter()).copied())
        };
        lines.push(format!(
            "open loop at {:.0} reg/s (half the burst's rate): submit p50/p99 ms {}, confirm {}, every request {}",
            median(runs.iter().map(|r| r.open.rate)),
            Dist::new(runs.iter().flat_map(|r| r.open.submit.iter().copied())).ms(),
            Dist::new(runs.iter().flat_map(|r| r.open.confirm.iter().copied())).ms(),
            Dist::new(open_all()).ms()
        ));
        let under: Vec<&UnderCampaign> = runs
            .iter()
            .filter_map(|r| r.under_campaign.as_ref())
            .collect();
        if let Some(first) = under.first() {
            lines.push(format!(
                "confirmation mail while a campaign to {} people sends ({:.0} campaign mails/s meanwhile): \
                 submit to SMTP acceptance p50/p99 ms {} over {} registrations",
                first.recipients,
                median(under.iter().map(|u| u.campaign_rate)),
                Dist::new(under.iter().flat_map(|u| u.latencies.iter().copied())).ms(),
                under.iter().map(|u| u.latencies.len()).sum::<usize>()
            ));
        }
        lines.push(format!(
            "mails received by the SMTP sink: {} for {} registrations",
            runs.iter().map(|r| r.mails).sum::<usize>(),
            runs.iter()
                .map(|r| r.burst.samples.len() + r.solo.samples.len() + r.solo_after.samples.len())
                .sum::<usize>()
        ));
        Self {
            reg_rate: rate(|r| r.burst.phase),
            raw_rate: median(
                runs.iter()
                    .flat_map(|r| r.raw.iter().map(|m| m.phase.rate())),
            ),
            submit: Dist::new(all().map(|s| s.submit)),
            confirm: Dist::new(all().map(|s| s.confirm)),
            registration: Dist::new(all().map(|s| s.submit + s.confirm)),
            lines,
        }
    }
}

fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.into_iter().collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// One PostgreSQL run: a fresh database, the measurement, then drop.
async fn pg_run(admin_url: &str, data_dir: &Path, plan: Plan) -> anyhow::Result<Run> {
    let admin = Store::connect(admin_url, 1).await?;
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    admin
        .db()
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    let url = with_database(admin_url, &name)?;
    let result = Box::pin(measure(&url, data_dir, plan)).await;
    admin
        .db()
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    admin.db().clone().close().await?;
    result
}

/// Starts the app on a fresh database at `url`, measures, stops it.
async fn measure(url: &str, data_dir: &Path, plan: Plan) -> anyhow::Result<Run> {
    let mut config = declic_config::load(&LoadOptions {
        config_dir: Some(data_dir.to_path_buf()),
        file: None,
    })?
    .config;
    config.data_dir = data_dir.to_path_buf();
    config.security.secret_key = Secret::new(SECRET);
    config.database.url = Secret::new(url.to_owned());
    // Every request comes from 127.0.0.1: lift the per-address limit of public pages.
    config.limits.public_per_minute = 10_000_000;
    config.limits.public_burst = 10_000_000;
    // Mail goes over SMTP, as in production, to a sink in this process.
    let (inbox, smtp_port) = Inbox::smtp().await?;
    config.mail.transport = declic_config::MailTransport::Smtp;
    config.mail.smtp.host = "127.0.0.1".into();
    config.mail.smtp.port = smtp_port;
    config.mail.smtp.tls = declic_config::SmtpTls::None;
    let store = Store::connect(url, config.database.max_connections).await?;
    store.migrate().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    config.server.public_url.clone_from(&base);
    let state = AppCtx::new(App::new(store.clone(), config).map_err(|e| anyhow!("mail: {e}"))?);
    // Mails leave through the delivery worker's personal lane, as in `declic serve`.
    let lane = declic_app::outbox::lane::start(state.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(declic_http::serve(
        listener,
        AppState::from_ctx(state.clone()),
        async move {
            let _ = stopped.await;
        },
    ));

    let result = Box::pin(drive(&state, url, &base, &inbox, plan)).await;

    let _ = stop.send(());
    server.await??;
    lane.stop(std::time::Duration::from_secs(5)).await;
    store.db().clone().close().await?;
    result
}

/// Everything measured against one running app.
async fn drive(
    state: &AppCtx,
    url: &str,
    base: &str,
    inbox: &Inbox,
    plan: Plan,
) -> anyhow::Result<Run> {
    let store = &state.store;
    let Plan {
        n,
        raw_n,
        solo,
        open_secs,
        campaign_n,
    } = plan;
    let live = Box::pin(live_campaign(store, base)).await?;
    let mut clients = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        // Each client opens its keep-alive connection by loading the page, as a person would.
        let res = client.get(&live.link).send().await?;
        ensure!(res.status() == 200, "campaign page: {}", res.status());
        res.bytes().await?;
        clients.push(client);
    }

    let healthz = closed_loop_get(&clients, &format!("{base}/healthz"), 2 * n).await?;
    let page = closed_loop_get(&clients, &live.link, n).await?;

    let mut raw = Vec::new();
    create_raw_table(store).await?;
    raw.push(raw_commits(store, raw_n, 0).await?);
    let single = Store::connect(url, 1).await?;
    let raw_single = raw_commits(&single, raw_n, raw_n).await?;
    single.db().clone().close().await?;
    let load_before = time_public_campaign(store, &live).await?;
    let solo_run = Box::pin(burst(inbox, &live, &clients[..1], solo, "solo")).await?;
    let crowd = Box::pin(burst(inbox, &live, &clients, n, "burst")).await?;
    let solo_after = Box::pin(burst(inbox, &live, &clients[..1], solo, "after")).await?;
    let load_after = time_public_campaign(store, &live).await?;
    raw.push(raw_commits(store, raw_n, 2 * raw_n).await?);

    let count = |sql: &'static str| async move {
        store
            .db()
            .query_one_raw(Statement::from_string(store.backend(), sql))
            .await?
            .context("no count row")?
            .try_get::<i64>("", "n")
            .map_err(anyhow::Error::from)
    };
    let confirmed =
        count("SELECT count(*) AS n FROM registrations WHERE status = 'confirmed'").await?;
    let seated =
        count("SELECT count(*) AS n FROM registration_choices WHERE status = 'seated'").await?;
    let expected = n + 2 * solo;
    let expected_seats = expected.min(declic_planning::MAX_MISSION_CAPACITY as usize);
    ensure!(
        confirmed == expected as i64 && seated == expected_seats as i64,
        "after the burst: {confirmed} confirmed and {seated} seated, \
         expected {expected} and {expected_seats}"
    );
    let mails = inbox.mails.load(Ordering::Relaxed);
    let open = Box::pin(open_loop(
        inbox,
        &live,
        crowd.phase.rate() / 2.0,
        Duration::from_secs(u64::try_from(open_secs)?),
    ))
    .await?;
    let under_campaign = if campaign_n > 0 {
        Some(Box::pin(under_campaign(state, inbox, &live, campaign_n)).await?)
    } else {
        None
    };

    Ok(Run {
        open,
        under_campaign,
        burst: crowd,
        solo: solo_run,
        solo_after,
        raw,
        raw_single,
        healthz,
        page,
        load_before,
        load_after,
        mails,
    })
}

/// A live campaign with an open registration window, one published mission of the largest
/// capacity, and its direct link; set up like `tests/api/registration.rs` does.
struct Live {
    base: String,
    link: String,
    mission_id: i64,
    page: PublicCampaign,
    org: OrgId,
    campaign_id: i64,
}

async fn live_campaign(store: &Store, base: &str) -> anyhow::Result<Live> {
    let actor = Actor::cli();
    let org = store
        .create_organization(
            NewOrganization {
                slug: "acme".into(),
                name: "Acme".into(),
                domains: vec![DOMAIN.into()],
                default_language: "fr".into(),
            },
            &actor,
        )
        .await?;
    let org = OrgId(org.id);
    let admin = store
        .create_admin(org, "hr@acme.example", Role::CampaignManager, None, &actor)
        .await?;
    let (_, token) = store
        .create_api_token(org, admin.id, "bench", 30, &actor)
        .await?;
    let api = Api {
        client: reqwest::Client::new(),
        base: base.to_owned(),
        token,
    };
    let a = api
        .post(
            "/api/v1/associations",
            json!({
                "name": "Les Petits Déjeuners",
                "eligibility": {"past_activity_feedback": true, "finances_documented": true,
                                "two_people_available": true}
            }),
            201,
        )
        .await?;
    let aid = id(&a)?;
    let today = chrono::Utc::now().date_naive();
    let day = (today + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let m = api
        .post(
            "/api/v1/missions",
            json!({
                "association_id": aid, "title": "Marathon stratégie", "format": "marathon",
                "work_mode": "in_person", "place": "12 rue des Lilas, Paris",
                "starts_at": format!("{day}T09:00:00"), "ends_at": format!("{day}T17:30:00"),
                "time_zone": "Europe/Paris", "capacity": declic_planning::MAX_MISSION_CAPACITY,
            }),
            201,
        )
        .await?;
    let mission_id = id(&m)?;
    api.post(
        &format!("/api/v1/missions/{mission_id}/publish"),
        json!({}),
        200,
    )
    .await?;
    let c = api
        .post(
            "/api/v1/campaigns",
            json!({
                "title": "Printemps solidaire", "goal": 5, "mission_ids": [mission_id],
                "key_message": "Vos compétences comptent.",
                "registration_opens": (today - chrono::Duration::days(1)).to_string(),
                "registration_closes": (today + chrono::Duration::days(20)).to_string(),
            }),
            201,
        )
        .await?;
    let cid = id(&c)?;
    api.post(
        &format!("/api/v1/campaigns/{cid}/status"),
        json!({"status": "live"}),
        200,
    )
    .await?;
    let links = api
        .get(&format!("/api/v1/campaigns/{cid}/links"), 200)
        .await?;
    let link = links[0]["url"]
        .as_str()
        .context("campaign has no link")?
        .to_owned();
    let code = link.rsplit('/').next().context("link has no code")?;
    let page = store
        .public_campaign(code, today)
        .await?
        .context("the link's page is not found")?;
    Ok(Live {
        base: base.to_owned(),
        link,
        mission_id,
        page,
        org,
        campaign_id: cid,
    })
}

fn id(v: &Value) -> anyhow::Result<i64> {
    v["id"].as_i64().with_context(|| format!("no id in {v}"))
}

/// The admin API with a bearer token.
struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn get(&self, path: &str, expect: u16) -> anyhow::Result<Value> {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req, path, expect).await
    }

    async fn post(&self, path: &str, body: Value, expect: u16) -> anyhow::Result<Value> {
        let req = self.client.post(format!("{}{path}", self.base)).json(&body);
        self.send(req, path, expect).await
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        path: &str,
        expect: u16,
    ) -> anyhow::Result<Value> {
        let res = req.bearer_auth(&self.token).send().await?;
        let status = res.status().as_u16();
        let text = res.text().await?;
        ensure!(
            status == expect,
            "{path}: expected {expect}, got {status}: {text}"
        );
        Ok(serde_json::from_str(&text)?)
    }
}

/// A minimal SMTP server in this process that accepts every message and keeps the
/// confirmation token of each recipient. The app sends to it as to a local relay.
#[derive(Clone, Default)]
struct Inbox {
    tokens: Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
    /// Clients waiting for their token (woken when it arrives, without polling, so the
    /// load generator spends no CPU while the mail is on its way).
    waiting: Arc<
        std::sync::Mutex<std::collections::HashMap<String, tokio::sync::oneshot::Sender<String>>>,
    >,
    /// When each recipient's confirmation mail was accepted.
    arrivals: Arc<std::sync::Mutex<std::collections::HashMap<String, Instant>>>,
    mails: Arc<AtomicUsize>,
}

impl Inbox {
    /// Starts listening on 127.0.0.1; returns the inbox and its port.
    async fn smtp() -> anyhow::Result<(Self, u16)> {
        let inbox = Self::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let accepting = inbox.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let inbox = accepting.clone();
                tokio::spawn(async move {
                    let _ = inbox.session(socket).await;
                });
            }
        });
        Ok((inbox, port))
    }

    async fn session(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let (read, mut write) = socket.into_split();
        let mut read = BufReader::new(read);
        write.write_all(b"220 sink ESMTP\r\n").await?;
        let mut line = Vec::new();
        loop {
            line.clear();
            if read.read_until(b'\n', &mut line).await? == 0 {
                return Ok(());
            }
            let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
            match verb.as_slice() {
                b"EHLO" => write.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?,
                b"DATA" => {
                    write.write_all(b"354 go ahead\r\n").await?;
                    let mut data = Vec::new();
                    loop {
                        line.clear();
                        if read.read_until(b'\n', &mut line).await? == 0 {
                            return Ok(());
                        }
                        if line == b".\r\n" {
                            break;
                        }
                        let unstuffed = if line.starts_with(b"..") {
                            &line[1..]
                        } else {
                            &line
                        };
                        data.extend_from_slice(unstuffed);
                    }
                    self.mails.fetch_add(1, Ordering::Relaxed);
                    if let Some((to, token)) = confirmation(&data) {
                        self.arrivals
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .insert(to.clone(), Instant::now());
                        // Held while the token is kept, so a client cannot start
                        // waiting between the two.
                        let mut waiting = self
                            .waiting
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        match waiting.remove(&to) {
                            Some(w) => {
                                let _ = w.send(token);
                            }
                            None => {
                                self.tokens
                                    .lock()
                                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                                    .insert(to, token);
                            }
                        }
                    }
                    write.write_all(b"250 queued\r\n").await?;
                }
                b"QUIT" => {
                    write.write_all(b"221 bye\r\n").await?;
                    return Ok(());
                }
                _ => write.write_all(b"250 ok\r\n").await?,
            }
        }
    }

    /// The token mailed to `email`, waiting up to 30 s for the mail.
    async fn token(&self, email: &str) -> anyhow::Result<String> {
        let rx = {
            // Both locks in the order the session takes them: a mail arriving now
            // is either in `tokens` already or finds the waiter.
            let mut waiting = self
                .waiting
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(t) = self
                .tokens
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(email)
            {
                return Ok(t);
            }
            let (tx, rx) = tokio::sync::oneshot::channel();
            waiting.insert(email.to_owned(), tx);
            rx
        };
        tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .with_context(|| format!("no confirmation mail for {email}"))?
            .map_err(|_| anyhow!("the inbox stopped"))
    }
}

/// The recipient and confirmation token of a confirmation-request mail.
fn confirmation(raw: &[u8]) -> Option<(String, String)> {
    let msg = mail_parser::MessageParser::default().parse(raw)?;
    let to = msg.to()?.first()?.address()?.to_owned();
    let text = msg.body_text(0)?;
    let at = text.find("/r/dcc_")? + 3;
    let token: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    Some((to, token))
}

/// `n` registrations by `clients` at once, each client one after the other: submit the
/// form, pick the confirmation token from the mail in the outbox (not timed), confirm.
async fn burst(
    inbox: &Inbox,
    live: &Live,
    clients: &[reqwest::Client],
    n: usize,
    prefix: &'static str,
) -> anyhow::Result<Burst> {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(clients.len() + 1));
    let register_url = Arc::new(format!("{}/register", live.link));
    let base = Arc::new(live.base.clone());
    let mission = Arc::new(live.mission_id.to_string());
    let mut tasks = JoinSet::new();
    for client in clients {
        let (client, inbox) = (client.clone(), inbox.clone());
        let (next, start, register_url, base, mission) = (
            next.clone(),
            start.clone(),
            register_url.clone(),
            base.clone(),
            mission.clone(),
        );
        tasks.spawn(async move {
            let mut out = Vec::new();
            start.wait().await;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return anyhow::Ok(out);
                }
                let email = format!("{prefix}.{i}@{DOMAIN}");
                let t = Instant::now();
                let res = client
                    .post(register_url.as_str())
                    .form(&[
                        ("email", email.as_str()),
                        ("first_name", "Camille"),
                        ("last_name", "Martin"),
                        ("choice_1", mission.as_str()),
                        ("consent", "yes"),
                    ])
                    .send()
                    .await?;
                let status = res.status();
                let body = res.bytes().await?;
                let submit = t.elapsed();
                ensure!(
                    status == 200,
                    "register {email}: {status}: {}",
                    String::from_utf8_lossy(&body)
                );

                let t = Instant::now();
                let token = inbox.token(&email).await?;
                let renew = t.elapsed();

                let t = Instant::now();
                let res = client.post(format!("{base}/r/{token}")).send().await?;
                let status = res.status();
                res.bytes().await?;
                let confirm = t.elapsed();
                ensure!(status == 303, "confirm {email}: {status}");
                out.push(Sample {
                    i,
                    submit,
                    renew,
                    confirm,
                });
            }
        });
    }
    start.wait().await;
    let started = Phase::start();
    let mut samples = Vec::with_capacity(n);
    while let Some(done) = tasks.join_next().await {
        samples.extend(done??);
    }
    let phase = Phase::end(n, started);
    samples.sort_by_key(|s| s.i);
    Ok(Burst { phase, samples })
}

/// 100 sequential calls of `Store::public_campaign` for the campaign's link.
async fn time_public_campaign(store: &Store, live: &Live) -> anyhow::Result<Vec<Duration>> {
    let code = live.page.link.code.as_str();
    let today = chrono::Utc::now().date_naive();
    let mut out = Vec::with_capacity(100);
    for _ in 0..100 {
        let t = Instant::now();
        store
            .public_campaign(code, today)
            .await?
            .context("the link's page is not found")?;
        out.push(t.elapsed());
    }
    Ok(out)
}

/// `n` GETs of `url` by all clients at once.
async fn closed_loop_get(
    clients: &[reqwest::Client],
    url: &str,
    n: usize,
) -> anyhow::Result<Timed> {
    let next = Arc::new(AtomicUsize::new(0));
    let url = Arc::new(url.to_owned());
    let started = Phase::start();
    let mut tasks = JoinSet::new();
    for client in clients {
        let (client, next, url) = (client.clone(), next.clone(), url.clone());
        tasks.spawn(async move {
            let mut out = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let t = Instant::now();
                let res = client.get(url.as_str()).send().await?;
                let status = res.status();
                res.bytes().await?;
                out.push(t.elapsed());
                ensure!(status == 200, "GET {url}: {status}");
            }
            anyhow::Ok(out)
        });
    }
    let mut latencies = Vec::with_capacity(n);
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done??);
    }
    Ok(Timed {
        phase: Phase::end(n, started),
        latencies,
    })
}

async fn create_raw_table(store: &Store) -> anyhow::Result<()> {
    let sql = match store.backend() {
        DbBackend::Postgres => {
            "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, email text NOT NULL, \
             created_at text NOT NULL)"
        }
        _ => {
            "CREATE TABLE bench_raw (id integer PRIMARY KEY, email text NOT NULL, \
             created_at text NOT NULL)"
        }
    };
    store.db().execute_unprepared(sql).await?;
    Ok(())
}

/// `n` single-row transactions by `CLIENTS` tasks through `store`'s pool, each opened the
/// way the app opens its writes (`Store::write_txn`: `BEGIN IMMEDIATE` on SQLite).
async fn raw_commits(store: &Store, n: usize, offset: usize) -> anyhow::Result<Timed> {
    let sql = match store.backend() {
        DbBackend::Postgres => "INSERT INTO bench_raw (email, created_at) VALUES ($1, $2)",
        _ => "INSERT INTO bench_raw (email, created_at) VALUES (?, ?)",
    };
    let next = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(CLIENTS + 1));
    let mut tasks = JoinSet::new();
    for _ in 0..CLIENTS {
        let (store, next, start) = (store.clone(), next.clone(), start.clone());
        tasks.spawn(async move {
            let mut out = Vec::new();
            start.wait().await;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return anyhow::Ok(out);
                }
                let t = Instant::now();
                let txn = store.write_txn().await?;
                txn.execute_raw(Statement::from_sql_and_values(
                    store.backend(),
                    sql,
                    [
                        format!("raw.{}@{DOMAIN}", offset + i).into(),
                        chrono::Utc::now().to_rfc3339().into(),
                    ],
                ))
                .await?;
                txn.commit().await?;
                out.push(t.elapsed());
            }
        });
    }
    start.wait().await;
    let started = Phase::start();
    let mut latencies = Vec::with_capacity(n);
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done??);
    }
    Ok(Timed {
        phase: Phase::end(n, started),
        latencies,
    })
}

fn env_or(var: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(var) {
        Ok(v) => v
            .trim()
            .parse()
            .with_context(|| format!("{var}={v} is not a number")),
        Err(_) => Ok(default),
    }
}

/// Registrations arriving at `rate` a second for `secs`, each a new task on its own
/// client: submit, wait for the mail, confirm. Latencies per request.
async fn open_loop(
    inbox: &Inbox,
    live: &Live,
    rate: f64,
    secs: Duration,
) -> anyhow::Result<OpenLoop> {
    let rate = rate.max(1.0);
    let every = Duration::from_secs_f64(1.0 / rate);
    let n = (secs.as_secs_f64() * rate).ceil() as usize;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = JoinSet::new();
    for i in 0..n {
        tick.tick().await;
        let (client, inbox) = (client.clone(), inbox.clone());
        let register_url = format!("{}/register", live.link);
        let base = live.base.clone();
        let mission = live.mission_id.to_string();
        tasks.spawn(async move {
            let email = format!("open.{i}@{DOMAIN}");
            let t = Instant::now();
            let res = client
                .post(register_url)
                .form(&[
                    ("email", email.as_str()),
                    ("first_name", "Camille"),
                    ("last_name", "Martin"),
                    ("choice_1", mission.as_str()),
                    ("consent", "yes"),
                ])
                .send()
                .await?;
            let status = res.status();
            res.bytes().await?;
            let submit = t.elapsed();
            ensure!(status == 200, "register {email}: {status}");
            let token = inbox.token(&email).await?;
            let t = Instant::now();
            let res = client.post(format!("{base}/r/{token}")).send().await?;
            let status = res.status();
            res.bytes().await?;
            let confirm = t.elapsed();
            ensure!(status == 303, "confirm {email}: {status}");
            anyhow::Ok((submit, confirm))
        });
    }
    let mut out = OpenLoop {
        rate,
        submit: Vec::with_capacity(n),
        confirm: Vec::with_capacity(n),
    };
    while let Some(done) = tasks.join_next().await {
        let (submit, confirm) = done??;
        out.submit.push(submit);
        out.confirm.push(confirm);
    }
    Ok(out)
}

/// A launch dispatch to `recipients` employees sends through the campaign lane while
/// 10 people a second register for 10 s; the time from each submit to the sink
/// accepting the confirmation mail.
async fn under_campaign(
    state: &AppCtx,
    inbox: &Inbox,
    live: &Live,
    recipients: usize,
) -> anyhow::Result<UnderCampaign> {
    let store = &state.store;
    // The audience, written straight into the directory (setting up is not measured).
    let pg = store.backend() == DbBackend::Postgres;
    let sql = if pg {
        "INSERT INTO employees (organization_id, email, first_name, last_name, active, created_at, updated_at) \
         SELECT $1, 'c' || g || '@acme.example', 'C' || g, 'Test', true, $2, $3 FROM generate_series(1, $4) g"
    } else {
        "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ?) \
         INSERT INTO employees (organization_id, email, first_name, last_name, active, created_at, updated_at) \
         SELECT ?, 'c' || g || '@acme.example', 'C' || g, 'Test', 1, ?, ? FROM s"
    };
    let now = chrono::Utc::now();
    let n = i64::try_from(recipients)?;
    let values: Vec<sea_orm::Value> = if pg {
        vec![live.org.0.into(), now.into(), now.into(), n.into()]
    } else {
        vec![n.into(), live.org.0.into(), now.into(), now.into()]
    };
    store
        .db()
        .execute_raw(Statement::from_sql_and_values(store.backend(), sql, values))
        .await?;
    let d = store
        .create_dispatch(live.org, live.campaign_id, "mail", false, &Actor::cli())
        .await?;
    ensure!(
        d.total >= n,
        "the dispatch reaches {} people, not {n}",
        d.total
    );
    let before = inbox.mails.load(Ordering::Relaxed);
    let worker_state = state.clone();
    let worker = tokio::spawn(async move {
        declic_app::delivery_worker::deliver_for(&worker_state, Duration::from_secs(3600)).await
    });
    // In full swing first.
    let deadline = Instant::now() + Duration::from_secs(120);
    while inbox.mails.load(Ordering::Relaxed) < before + recipients / 20 {
        ensure!(Instant::now() < deadline, "the campaign does not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let campaign_start = (Instant::now(), inbox.mails.load(Ordering::Relaxed));
    let client = reqwest::Client::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut submitted = Vec::new();
    for i in 0..100 {
        tick.tick().await;
        let email = format!("during.{i}@{DOMAIN}");
        let t = Instant::now();
        let res = client
            .post(format!("{}/register", live.link))
            .form(&[
                ("email", email.as_str()),
                ("first_name", "Camille"),
                ("last_name", "Martin"),
                ("choice_1", live.mission_id.to_string().as_str()),
                ("consent", "yes"),
            ])
            .send()
            .await?;
        ensure!(res.status() == 200, "register {email}: {}", res.status());
        res.bytes().await?;
        submitted.push((email, t));
    }
    let mut latencies = Vec::with_capacity(submitted.len());
    for (email, t) in &submitted {
        inbox.token(email).await?;
        let at = inbox
            .arrivals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(email)
            .copied()
            .context("no arrival time")?;
        latencies.push(at.duration_since(*t));
    }
    let campaign_rate = (inbox.mails.load(Ordering::Relaxed) - campaign_start.1) as f64
        / campaign_start.0.elapsed().as_secs_f64();
    let still_sending = !worker.is_finished();
    worker.abort();
    ensure!(
        still_sending,
        "the campaign finished before the measurement ended: raise BURST_CAMPAIGN_N"
    );
    Ok(UnderCampaign {
        recipients,
        latencies,
        campaign_rate,
    })
}
