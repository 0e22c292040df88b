//! Directory import benchmark: a 100 000-row French semicolon CSV imported through Declic
//! (parse + upsert), on SQLite and, when `DECLIC_TEST_DATABASE_URL` is set, PostgreSQL,
//! next to the databases' own bulk loaders (`sqlite3 .import`, `psql \copy`) on the same file.
//!
//! Run with `cargo bench -p declic --bench import`. The figures are medians of
//! `BENCH_RUNS` runs (default 3), each on a fresh database, and ratios to the baseline;
//! nothing here asserts on a duration. `BENCH_ROWS` (default 100 000) changes the file size.
//!
//! Without `--bench` (e.g. `cargo test --benches`) the binary exits at once, so a test run
//! never times anything.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::with_database;

use anyhow::{Context, bail, ensure};
use declic_storage::orgs::NewOrganization;
use declic_storage::{Actor, OrgId, Store};
use sea_orm::ConnectionTrait;

const DOMAIN: &str = "bench.example";
const MAX_CONNECTIONS: u32 = 10; // as in config/default.toml

const FIRST: &[&str] = &[
    "Élodie",
    "François",
    "Hélène",
    "Zoé",
    "Jérôme",
    "Cécile",
    "Noël",
    "Loïc",
    "Gaëlle",
    "Benoît",
    "Agnès",
    "Thérèse",
    "Anaïs",
    "Raphaël",
    "Maëlle",
    "Léa",
    "Mathéo",
    "Inès",
    "Clément",
    "Chloé",
    "Jean-Éric",
    "Marie-Hélène",
    "Aurélien",
    "Stéphane",
    "Solène",
    "Frédéric",
    "Céline",
    "Timothée",
    "Bérénice",
    "Joël",
    "Camille",
    "Lucas",
    "Emma",
    "Hugo",
    "Manon",
    "Nathan",
    "Sarah",
    "Théo",
    "Juliette",
    "Gabriel",
    "Adèle",
    "Océane",
    "Rémi",
    "Sébastien",
    "Ophélie",
    "Grégoire",
];
const LAST: &[&str] = &[
    "Lefèvre",
    "Bénard",
    "Dupré",
    "Mérieux",
    "Château",
    "Féraud",
    "Pérez",
    "Ménard",
    "Brûlé",
    "Lemaître",
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "D'Almeida",
    "Le Gall",
    "Da Silva",
    "Nguyễn",
    "Müller",
    "Gonçalves",
    "Lacroix",
    "Besançon",
    "Crémieux",
    "Hébert",
    "Noël",
    "Étienne",
    "Barthélemy",
    "Desrosiers",
    "Saint-Just",
    "Després",
    "Rivière",
    "Faÿ",
];
const SERVICES: &[&str] = &[
    "Comptabilité",
    "Ressources humaines",
    "Informatique",
    "Achats",
    "Logistique",
    "Direction générale",
    "Communication",
    "Qualité",
    "Recherche & développement",
    "\"Juridique; conformité\"",
    "Service clients",
    "Contrôle de gestion",
];
const SITES: &[&str] = &[
    "Paris – La Défense",
    "Lyon Part-Dieu",
    "Nantes",
    "Saint-Étienne",
    "Lille",
    "Bordeaux",
    "Toulouse",
    "Marseille",
    "Grenoble",
    "Montréal",
];
const LANGS: &[&str] = &[
    "fr",
    "fr",
    "FR",
    "Français",
    "fr",
    "en",
    "fr",
    "fr-FR",
    "fr",
];

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("import bench: skipped (run it with `cargo bench -p declic --bench import`)");
        return Ok(());
    }
    let runs: usize = env_or("BENCH_RUNS", 3)?;
    let rows: usize = env_or("BENCH_ROWS", 100_000)?;
    ensure!(
        runs > 0 && rows > 0,
        "BENCH_RUNS and BENCH_ROWS must be positive"
    );

    let dir = tempfile::tempdir()?;
    let csv_path = dir.path().join("employees.csv");
    let csv = directory_csv(rows);
    std::fs::write(&csv_path, &csv)?;
    drop(csv);
    let size = std::fs::metadata(&csv_path)?.len();
    println!(
        "import bench: {rows} rows, {:.1} MiB, {runs} run(s) per backend",
        size as f64 / (1024.0 * 1024.0)
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut table = Vec::new();

    let sqlite3 = tool_available("sqlite3", "-version", "sqlite3");
    let mut sqlite = Samples::default();
    let mut first_run_rss = None;
    for run in 1..=runs {
        let run_dir = tempfile::tempdir_in(dir.path())?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            run_dir.path().join("declic.db").display()
        );
        rt.block_on(async {
            let store = Box::pin(declic_runs(&url, &csv_path, rows, &mut sqlite)).await?;
            store.db().clone().close().await?;
            anyhow::Ok(())
        })?;
        if sqlite3 {
            let raw_db = run_dir.path().join("raw.db");
            let t = Instant::now();
            run_tool(
                Command::new("sqlite3")
                    .arg(&raw_db)
                    .arg(".mode csv")
                    .arg(".separator ;")
                    .arg(format!(".import {} employees_raw", csv_path.display())),
            )?;
            sqlite.baseline.push(t.elapsed());
            let out = run_tool(
                Command::new("sqlite3")
                    .arg(&raw_db)
                    .arg("SELECT count(*) FROM employees_raw"),
            )?;
            ensure!(
                out.trim() == rows.to_string(),
                "sqlite3 .import loaded {} rows, expected {rows}",
                out.trim()
            );
        }
        if run == 1 {
            first_run_rss = peak_rss_kib();
        }
        eprintln!("  sqlite run {run}/{runs} done");
    }
    sqlite.report("sqlite", "sqlite3 .import", rows, &mut table);

    match std::env::var("DECLIC_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let psql = tool_available("psql", "--version", "postgresql-client");
            let mut pg = Samples::default();
            for run in 1..=runs {
                rt.block_on(Box::pin(pg_run(&admin_url, &csv_path, rows, psql, &mut pg)))?;
                eprintln!("  postgres run {run}/{runs} done");
            }
            pg.report("postgres", "psql \\copy", rows, &mut table);
        }
        _ => println!(
            "postgres: skipped (set DECLIC_TEST_DATABASE_URL, e.g. \
             postgres://postgres@127.0.0.1:5432/test)"
        ),
    }

    println!();
    println!(
        "{:<9} {:<34} {:>10} {:>10} {:>22}",
        "backend", "what", "median s", "rows/s", "declic/baseline rate"
    );
    for line in &table {
        println!("{line}");
    }
    println!();
    // glibc keeps each dead sqlx worker thread's arena, so the peak creeps up with every
    // run; the figure after one SQLite run is the one to compare with the file size.
    match (first_run_rss, peak_rss_kib()) {
        (Some(first), Some(end)) => println!(
            "peak RSS (VmHWM): {:.0} MiB after the first SQLite run, {:.0} MiB at the end",
            first as f64 / 1024.0,
            end as f64 / 1024.0
        ),
        _ => println!("peak RSS: unavailable (no /proc/self/status)"),
    }
    Ok(())
}

/// Durations of one backend's runs.
#[derive(Default)]
struct Samples {
    parse: Vec<Duration>,
    first: Vec<Duration>,
    again: Vec<Duration>,
    baseline: Vec<Duration>,
}

impl Samples {
    fn report(&self, backend: &str, baseline_name: &str, rows: usize, table: &mut Vec<String>) {
        let base = median(&self.baseline);
        let mut line = |what: &str, samples: &[Duration], compare: bool| {
            let Some(secs) = median(samples) else { return };
            let rate = rows as f64 / secs;
            let ratio = match (compare, base) {
                (true, Some(b)) if secs >= b => {
                    format!("{:.3} ({:.1}x slower)", b / secs, secs / b)
                }
                (true, Some(b)) => format!("{:.3} ({:.1}x faster)", b / secs, b / secs),
                _ => "-".to_owned(),
            };
            let mut s = String::new();
            let _ = write!(
                s,
                "{backend:<9} {what:<34} {secs:>10.3} {rate:>10.0} {ratio:>22}"
            );
            table.push(s);
        };
        line("parse only", &self.parse, false);
        line("declic import, new (parse+insert)", &self.first, true);
        line("declic re-import, unchanged", &self.again, true);
        line(baseline_name, &self.baseline, false);
        if self.baseline.is_empty() {
            table.push(format!(
                "{backend:<9} {baseline_name:<32} {:>10}",
                "skipped"
            ));
        }
    }
}

/// Migrates a fresh database at `url`, then times the first import and the re-import.
async fn declic_runs(
    url: &str,
    csv_path: &Path,
    rows: usize,
    samples: &mut Samples,
) -> anyhow::Result<Store> {
    let store = Store::connect(url, MAX_CONNECTIONS).await?;
    store.migrate().await?;
    let actor = Actor::cli();
    let org = store
        .create_organization(
            NewOrganization {
                slug: "bench".into(),
                name: "Banc d'essai".into(),
                domains: vec![DOMAIN.into()],
                default_language: "fr".into(),
            },
            &actor,
        )
        .await?;
    let org = OrgId(org.id);
    let domains = vec![DOMAIN.to_owned()];

    for (pass, durations) in [(0, &mut samples.first), (1, &mut samples.again)] {
        let t = Instant::now();
        let bytes = std::fs::read(csv_path)?;
        let parsed = declic_directory::parse_directory(&bytes, &domains)?;
        let parse_time = t.elapsed();
        let summary = store.import_employees(org, &parsed, false, &actor).await?;
        durations.push(t.elapsed());
        if pass == 0 {
            samples.parse.push(parse_time);
        }
        ensure!(
            summary.rejected.is_empty(),
            "rows rejected: {:?}",
            summary.rejected.first()
        );
        let expected = if pass == 0 {
            (summary.inserted, summary.unchanged)
        } else {
            (summary.unchanged, summary.inserted)
        };
        ensure!(
            expected == (rows as u64, 0) && summary.updated == 0,
            "unexpected import summary on pass {pass}: {summary:?}"
        );
    }
    Ok(store)
}

/// One PostgreSQL run: a fresh database, Declic's imports, `\copy`, then drop.
async fn pg_run(
    admin_url: &str,
    csv_path: &Path,
    rows: usize,
    psql: bool,
    samples: &mut Samples,
) -> anyhow::Result<()> {
    let admin = Store::connect(admin_url, 1).await?;
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    admin
        .db()
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    let url = with_database(admin_url, &name)?;
    let result = pg_measure(&url, csv_path, rows, psql, samples).await;
    admin
        .db()
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    admin.db().clone().close().await?;
    result
}

async fn pg_measure(
    url: &str,
    csv_path: &Path,
    rows: usize,
    psql: bool,
    samples: &mut Samples,
) -> anyhow::Result<()> {
    let store = Box::pin(declic_runs(url, csv_path, rows, samples)).await?;
    if psql {
        store
            .db()
            .execute_unprepared(
                r#"CREATE TABLE employees_raw ("Prénom" text, "Nom" text, "Email" text,
                   "Service" text, "Site" text, "Langue" text)"#,
            )
            .await?;
        let path = csv_path.display().to_string().replace('\'', "''");
        let t = Instant::now();
        run_tool(Command::new("psql").arg(url).arg("-v").arg("ON_ERROR_STOP=1").arg("-c").arg(
            format!(
                "\\copy employees_raw FROM '{path}' WITH (FORMAT csv, DELIMITER ';', HEADER true)"
            ),
        ))?;
        samples.baseline.push(t.elapsed());
        let count = store
            .db()
            .query_one_raw(sea_orm::Statement::from_string(
                store.backend(),
                "SELECT count(*) AS n FROM employees_raw",
            ))
            .await?
            .context("no count row")?
            .try_get::<i64>("", "n")?;
        ensure!(
            count == rows as i64,
            "\\copy loaded {count} rows, expected {rows}"
        );
    }
    store.db().clone().close().await?;
    Ok(())
}

/// The benchmark file: a French HR export, semicolon-separated, UTF-8.
fn directory_csv(rows: usize) -> String {
    let mut csv = String::with_capacity(rows * 90);
    csv.push_str("Prénom;Nom;Email;Service;Site;Langue\n");
    for i in 0..rows {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / FIRST.len() + i * 7) % LAST.len()];
        let email = format!("{}.{}.{i}@{DOMAIN}", ascii_fold(first), ascii_fold(last));
        let _ = writeln!(
            csv,
            "{first};{last};{email};{};{};{}",
            SERVICES[(i / 5) % SERVICES.len()],
            SITES[(i / 3) % SITES.len()],
            LANGS[i % LANGS.len()]
        );
    }
    csv
}

/// Lowercase ASCII for an email's local part: accents dropped, spaces and quotes removed.
fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            Some(match c.to_lowercase().next().unwrap_or(c) {
                'é' | 'è' | 'ê' | 'ë' | 'ễ' => 'e',
                'à' | 'â' | 'ä' => 'a',
                'î' | 'ï' => 'i',
                'ô' | 'ö' => 'o',
                'û' | 'ü' | 'ù' => 'u',
                'ÿ' => 'y',
                'ç' => 'c',
                ' ' | '\'' => return None,
                other => other,
            })
        })
        .collect()
}

/// Whether `program` runs; if not, says how to install it.
fn tool_available(program: &str, version_flag: &str, package: &str) -> bool {
    match Command::new(program).arg(version_flag).output() {
        Ok(out) if out.status.success() => true,
        _ => {
            println!(
                "baseline skipped: `{program}` is not on PATH; install it with \
                 `apt-get install {package}`"
            );
            false
        }
    }
}

/// Runs a command to completion, failing on a non-zero status or anything on stderr.
fn run_tool(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !stderr.trim().is_empty() {
        bail!("{cmd:?} failed ({}): {stderr}", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn median(samples: &[Duration]) -> Option<f64> {
    let mut s: Vec<f64> = samples.iter().map(Duration::as_secs_f64).collect();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(s[n / 2]),
        _ => Some((s[n / 2 - 1] + s[n / 2]) / 2.0),
    }
}

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
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
