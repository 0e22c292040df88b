//! Mail dispatch benchmark: one campaign announcement to 100 000 recipients through
//! the real `declic` binary (`declic dispatch resume --wait`, the delivery worker in
//! one process) into postfix's `smtp-sink`, beside postfix's `smtp-source` sending
//! the same number of messages of the same size over the same number of
//! connections into the same sink, in the same run.
//!
//! Run with `cargo bench -p declic --bench dispatch` (needs Debian's `postfix`
//! package for smtp-sink and smtp-source). `DISPATCH_N` (default 100 000)
//! recipients, `DISPATCH_SESSIONS` (default 4) SMTP connections on both sides
//! (Declic's `[mail.smtp] pool_size`; `[delivery] mail_concurrency` is twice that, as
//! by default),
//! `BENCH_RUNS` (default 1) runs per backend: SQLite, and PostgreSQL when
//! `DECLIC_TEST_DATABASE_URL` is set. Each run queues a new dispatch of the same
//! audience (the audience is frozen when the dispatch is created, which is not
//! timed) and times the worker from process start to the dispatch finished.
//! Peak memory is the worker process's high-water mark (`VmHWM` in
//! `/proc/<pid>/status`, read until it exits). Nothing asserts on a duration.
//!
//! Without `--bench` (e.g. `cargo test --benches`) the binary exits at once.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use declic_config::{Config, LoadOptions};
use declic_storage::dispatches::{DispatchAction, delivery_status, status};
use declic_storage::{Actor, OrgId, Store};
use support::with_database;

const SECRET: &str = "bench-secret-key-0123456789abcdefghijklmnop";

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("dispatch bench: skipped (run it with `cargo bench -p declic --bench dispatch`)");
        return Ok(());
    }
    for tool in ["/usr/sbin/smtp-sink", "/usr/sbin/smtp-source"] {
        if !Path::new(tool).exists() {
            bail!("{tool} is missing: apt-get install -y postfix");
        }
    }
    let n = env_or("DISPATCH_N", 100_000)?;
    let sessions = env_or("DISPATCH_SESSIONS", 4)?;
    let runs = env_or("BENCH_RUNS", 1)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut backends = vec![("SQLite", None)];
    if let Ok(url) = std::env::var("DECLIC_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        backends.push(("PostgreSQL", Some(url)));
    }
    println!(
        "dispatch bench: {n} recipients, {sessions} SMTP connections, {runs} run(s) per backend"
    );
    for (name, pg) in backends {
        let mut rows = Vec::new();
        for run in 0..runs {
            let r = rt.block_on(one_run(name, pg.as_deref(), n, sessions, run))?;
            println!(
                "  {name} run {}: smtp-source {:.0} msg/s, declic {:.0} msg/s (ratio {:.2}), \
                 declic peak RSS {:.1} MB, message {} bytes",
                run + 1,
                r.source_rate,
                r.declic_rate,
                r.declic_rate / r.source_rate,
                r.peak_kb as f64 / 1024.0,
                r.message_bytes
            );
            rows.push(r);
        }
        let med = |f: fn(&Run) -> f64| {
            let mut v: Vec<f64> = rows.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        println!(
            "{name}: median smtp-source {:.0} msg/s, declic {:.0} msg/s, ratio {:.2}, peak RSS {:.1} MB",
            med(|r| r.source_rate),
            med(|r| r.declic_rate),
            med(|r| r.declic_rate / r.source_rate),
            med(|r| r.peak_kb as f64) / 1024.0
        );
    }
    Ok(())
}

struct Run {
    source_rate: f64,
    declic_rate: f64,
    peak_kb: u64,
    message_bytes: usize,
}

/// The environment of the `declic` processes: the run's database, mail to the sink.
struct Env {
    dir: tempfile::TempDir,
    db_url: String,
    smtp_port: u16,
    sessions: usize,
}

impl Env {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_declic"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG")
            .env("DECLIC__DATA_DIR", self.dir.path())
            .env("DECLIC__DATABASE__URL", &self.db_url)
            .env("DECLIC__SECURITY__SECRET_KEY", SECRET)
            // DISPATCH_LOG=declic_http=debug shows the time of each batch's phases.
            .env(
                "DECLIC__LOG__LEVEL",
                std::env::var("DISPATCH_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .env("DECLIC__MAIL__TRANSPORT", "smtp")
            .env("DECLIC__MAIL__SMTP__HOST", "127.0.0.1")
            .env("DECLIC__MAIL__SMTP__PORT", self.smtp_port.to_string())
            .env("DECLIC__MAIL__SMTP__TLS", "none")
            .env("DECLIC__MAIL__SMTP__POOL_SIZE", self.sessions.to_string())
            // Twice the connections, as by default: while some sends wait for
            // their outcome to be written, the others keep every connection busy.
            .env(
                "DECLIC__DELIVERY__MAIL_CONCURRENCY",
                (2 * self.sessions).to_string(),
            )
            .stdin(Stdio::null());
        cmd
    }
}

async fn one_run(
    backend: &str,
    pg: Option<&str>,
    n: usize,
    sessions: usize,
    run: usize,
) -> anyhow::Result<Run> {
    let dir = tempfile::tempdir()?;
    let db_url = match pg {
        None => format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        ),
        Some(admin) => {
            let name = format!("declic_bench_dispatch_{}_{run}", std::process::id());
            let a = Store::connect(admin, 1).await?;
            use sea_orm::ConnectionTrait;
            a.db()
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\""))
                .await?;
            a.db()
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await?;
            a.db().clone().close().await?;
            with_database(admin, &name)?
        }
    };
    let (sink, smtp_port) = start_sink()?;
    let env = Env {
        dir,
        db_url,
        smtp_port,
        sessions,
    };
    let result = measure(&env, n, sessions).await;
    stop(sink);
    println!("  ({backend} database: {})", redact(&env.db_url));
    result
}

fn redact(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

async fn measure(env: &Env, n: usize, sessions: usize) -> anyhow::Result<Run> {
    // The organisation, its campaign and the directory (not timed).
    let mut config: Config = declic_config::load(&LoadOptions {
        config_dir: Some(env.dir.path().to_path_buf()),
        file: None,
    })?
    .config;
    config.data_dir = env.dir.path().to_path_buf();
    config.security.secret_key = declic_config::Secret::new(SECRET.to_owned());
    let store = Store::connect(&env.db_url, 5).await?;
    store.migrate().await?;
    declic::seed_demo(&store, &config).await?;
    let org = OrgId(store.organization_by_slug("demo").await?.id);
    let mut csv = String::from("email,first name,last name,department,site\n");
    for i in 0..n {
        csv.push_str(&format!(
            "bench.{i}@demo.example,Prénom{i},Nom{i},Dept {},Site {}\n",
            i % 20,
            i % 7
        ));
    }
    let parsed = declic_directory::parse_directory(csv.as_bytes(), &store.domains(org).await?)?;
    store
        .import_employees(org, &parsed, false, &Actor::cli())
        .await?;
    let campaign = store.campaigns(org).await?[0].id;
    // The whole directory is the audience.
    {
        use sea_orm::ConnectionTrait;
        store
            .db()
            .execute_unprepared(&format!(
                "UPDATE campaigns SET audience_departments = '[]', audience_sites = '[]' WHERE id = {campaign}"
            ))
            .await?;
    }
    let d = store
        .dispatch_step_now(org, campaign, "mail", "launch", &Actor::cli())
        .await?;
    // Paused until the timed worker resumes it.
    store
        .dispatch_action(org, d.id, DispatchAction::Pause, &Actor::cli())
        .await?;
    let total = usize::try_from(d.total)?;
    ensure!(total >= n, "audience {total} < {n}");
    let message_bytes = message_size(&config, &store, org, campaign).await?;
    store.db().clone().close().await?;

    // smtp-source: the same number of messages, of the same size, over the same
    // number of connections, into the same sink.
    let t = Instant::now();
    let out = Command::new("/usr/sbin/smtp-source")
        .args([
            "-s",
            &sessions.to_string(),
            "-m",
            &total.to_string(),
            "-l",
            &message_bytes.to_string(),
            "-f",
            "no-reply@declic.localhost",
            "-t",
            "bench@demo.example",
            &format!("127.0.0.1:{}", env.smtp_port),
        ])
        .output()?;
    let source_secs = t.elapsed().as_secs_f64();
    ensure!(
        out.status.success(),
        "smtp-source failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Declic: the worker in its own process, from start to the dispatch finished.
    let t = Instant::now();
    let child = env
        .command(&[
            "dispatch",
            "resume",
            "--org",
            "demo",
            &d.id.to_string(),
            "--wait",
        ])
        // Files, not pipes: nobody reads a pipe while the worker runs.
        .stdout(std::fs::File::create(env.dir.path().join("worker.out"))?)
        .stderr(std::fs::File::create(env.dir.path().join("worker.err"))?)
        .spawn()?;
    let (peak_kb, output) = wait_with_peak(child)?;
    let err = std::fs::read_to_string(env.dir.path().join("worker.err"))?;
    if std::env::var("DISPATCH_LOG").is_ok() {
        eprint!("{err}");
    }
    let declic_secs = t.elapsed().as_secs_f64();
    ensure!(output.status.success(), "declic dispatch failed: {err}");
    let store = Store::connect(&env.db_url, 1).await?;
    let done = store.dispatch(org, d.id).await?;
    ensure!(
        done.status == status::FINISHED
            && done.counts[delivery_status::SENT] == i64::try_from(total)?,
        "dispatch not fully sent: {done:?}"
    );
    store.db().clone().close().await?;
    Ok(Run {
        source_rate: total as f64 / source_secs,
        declic_rate: total as f64 / declic_secs,
        peak_kb,
        message_bytes,
    })
}

/// The size of one rendered announcement as it goes on the wire (written by the
/// outbox transport, which stores exactly what SMTP would carry).
async fn message_size(
    config: &Config,
    store: &Store,
    org: OrgId,
    campaign: i64,
) -> anyhow::Result<usize> {
    let mut c = config.clone();
    c.mail.transport = declic_config::MailTransport::Outbox;
    let outbox = c.data_dir.join("outbox");
    let state = declic_app::App::new(store.clone(), c).map_err(|e| anyhow::anyhow!(e))?;
    let p =
        declic_app::delivery_worker::preview(&state, org, campaign, "launch", "mail", None, None)
            .await?;
    let mail = declic_messaging::OutgoingMail {
        to: "bench.1@demo.example".into(),
        to_name: Some("Prénom1".into()),
        subject: p.subject,
        text: p.text,
        html: p.html,
        attachments: vec![],
        list_unsubscribe: None,
    };
    state.notifier.mailer.send(&mail).await?;
    let file = std::fs::read_dir(&outbox)?
        .filter_map(Result::ok)
        .next()
        .context("no message in the outbox")?;
    let size = usize::try_from(file.metadata()?.len())?;
    std::fs::remove_dir_all(outbox)?;
    Ok(size)
}

/// Waits for the process, reading its memory high-water mark while it runs.
fn wait_with_peak(mut child: Child) -> anyhow::Result<(u64, std::process::Output)> {
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if child.try_wait()?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((peak, child.wait_with_output()?))
}

/// postfix's smtp-sink on a free port: accepts every message and throws it away.
fn start_sink() -> anyhow::Result<(Child, u16)> {
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut child = Command::new("/usr/sbin/smtp-sink")
            // -u: the user to run as when started by root; 1024: the listen backlog.
            .args(["-u", "nobody", &format!("127.0.0.1:{port}"), "1024"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                break;
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok((child, port));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
    }
    bail!("smtp-sink did not start")
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn env_or(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v.parse().with_context(|| format!("{name}={v}")),
        _ => Ok(default),
    }
}
