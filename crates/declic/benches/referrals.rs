//! Referral graph benchmark: a synthetic organisation of `BENCH_EMPLOYEES` (default
//! 1 000 000) employees and `BENCH_EDGES` (default 1 000 000) confirmed referrals over
//! 20 campaigns, on SQLite and, when `DECLIC_TEST_DATABASE_URL` is set, PostgreSQL.
//!
//! Declic's way: `Store::referral_data` (read the edges and facts, build the compact
//! graph), then `ReferralGraph::all_figures` (reach, depth, recruits… of every ambassador)
//! and `leaderboard`. Timed in three parts, the median of `BENCH_RUNS` (default 3).
//!
//! The naive way, on the same data in the same run: one recursive CTE per ambassador
//! (the set of descendants, counted: the reach, without depth), plus one GROUP BY for
//! the leaderboard's direct recruits. Running it for all ~50 000
//! ambassadors would take hours, so it runs for `BENCH_CTE_SAMPLE` (default 200)
//! ambassadors drawn at random, and the total is the median per ambassador times the
//! number of ambassadors. Each sampled reach and depth is checked against Declic's.
//!
//! The graph: 5% of employees are ambassadors. In each campaign, 1/20 of the edges; each
//! referee is someone not yet referred in that campaign, and the referrer is an
//! ambassador (half the time) or an earlier referee of the same campaign (recruits of
//! recruits), so each campaign is a forest several generations deep and people recur
//! across campaigns. A fixed seed makes every run build the same graph.
//!
//! Without `--bench` the binary exits at once, so a test run never times anything.

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};
use support::with_database;

use anyhow::{Context, ensure};
use chrono::Utc;
use declic_referral::{PersonId, Viewer};
use declic_storage::entity::{ambassador, campaign, employee, referral_edge, registration};
use declic_storage::orgs::NewOrganization;
use declic_storage::{Actor, OrgId, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Set, Statement, TransactionTrait};

const CAMPAIGNS: usize = 20;

fn env_or(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(v) => v.parse().with_context(|| format!("{name}={v}")),
        Err(_) => Ok(default),
    }
}

struct Plan {
    employees: usize,
    edges: usize,
    runs: usize,
    sample: usize,
}

/// The synthetic graph: (campaign index, referrer index, referee index), and ambassadors.
struct Synthetic {
    ambassadors: Vec<usize>,
    edges: Vec<(usize, usize, usize)>,
}

fn synthesize(employees: usize, edges: usize) -> Synthetic {
    let mut rng = StdRng::seed_from_u64(20_261_126);
    let ambassadors: Vec<usize> = (0..employees).step_by(20).collect();
    let per_campaign = edges / CAMPAIGNS;
    let mut out = Vec::with_capacity(edges);
    for c in 0..CAMPAIGNS {
        let mut referred: HashSet<usize> = HashSet::with_capacity(per_campaign);
        let mut earlier: Vec<usize> = Vec::with_capacity(per_campaign);
        while earlier.len() < per_campaign {
            let referee = rng.random_range(0..employees);
            if referee % 20 == 0 || !referred.insert(referee) {
                continue;
            }
            let referrer = if earlier.is_empty() || rng.random_bool(0.5) {
                ambassadors[rng.random_range(0..ambassadors.len())]
            } else {
                earlier[rng.random_range(0..earlier.len())]
            };
            out.push((c, referrer, referee));
            earlier.push(referee);
        }
    }
    Synthetic {
        ambassadors,
        edges: out,
    }
}

/// Loads the synthetic organisation through multi-row inserts; returns the org and
/// the database ids of employees (by index) and campaigns.
async fn load(store: &Store, g: &Synthetic, employees: usize) -> anyhow::Result<(OrgId, i64)> {
    let org = store
        .create_organization(
            NewOrganization {
                slug: "graph".into(),
                name: "Graph Inc".into(),
                domains: vec!["graph.example".into()],
                default_language: "fr".into(),
            },
            &Actor::cli(),
        )
        .await?;
    let org = OrgId(org.id);
    let t = Utc::now();
    let db = store.db();
    // Ids are assigned in insertion order on a fresh database: employee i gets id base + i.
    let txn = db.begin().await?;
    for chunk in (0..employees).collect::<Vec<_>>().chunks(2_000) {
        employee::Entity::insert_many(chunk.iter().map(|i| employee::ActiveModel {
            organization_id: Set(org.0),
            email: Set(format!("p{i}@graph.example")),
            first_name: Set(format!("P{i}")),
            last_name: Set("Graph".into()),
            active: Set(true),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    let first_employee: i64 = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT MIN(id) AS id FROM employees",
        ))
        .await?
        .context("no employees")?
        .try_get("", "id")?;
    let txn = db.begin().await?;
    campaign::Entity::insert_many((0..CAMPAIGNS).map(|c| campaign::ActiveModel {
        organization_id: Set(org.0),
        title: Set(format!("Campaign {c}")),
        goal: Set(100),
        audience_departments: Set("[]".into()),
        audience_sites: Set("[]".into()),
        key_message: Set(String::new()),
        why_it_matters: Set(String::new()),
        status: Set("closed".into()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }))
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    let first_campaign: i64 = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT MIN(id) AS id FROM campaigns",
        ))
        .await?
        .context("no campaigns")?
        .try_get("", "id")?;
    let person = |i: usize| first_employee + i as i64;
    let txn = db.begin().await?;
    for chunk in g.ambassadors.chunks(2_000) {
        ambassador::Entity::insert_many(chunk.iter().map(|&a| ambassador::ActiveModel {
            organization_id: Set(org.0),
            employee_id: Set(person(a)),
            status: Set("active".into()),
            past_volunteer: Set(true),
            leaderboard_opt_in: Set(a % 3 == 0),
            invited_at: Set(t),
            accepted_at: Set(Some(t)),
            opted_out_at: Set(None),
            updated_at: Set(t),
            ..Default::default()
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    // One registration per edge (the referee's, confirmed), then the edge itself.
    for (n, chunk) in g.edges.chunks(1_000).enumerate() {
        let txn = db.begin().await?;
        let base = n * 1_000;
        registration::Entity::insert_many(chunk.iter().enumerate().map(|(k, &(c, from, to))| {
            registration::ActiveModel {
                organization_id: Set(org.0),
                campaign_id: Set(first_campaign + c as i64),
                employee_id: Set(person(to)),
                status: Set("confirmed".into()),
                source_channel: Set("ambassador".into()),
                referrer_employee_id: Set(Some(person(from))),
                language: Set("fr".into()),
                manage_nonce: Set(format!("n{}", base + k)),
                consented_at: Set(t),
                confirmed_at: Set(Some(t)),
                created_at: Set(t),
                updated_at: Set(t),
                show_to_referrer: Set((base + k) % 4 == 0),
                ..Default::default()
            }
        }))
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
    }
    let first_registration: i64 = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT MIN(id) AS id FROM registrations",
        ))
        .await?
        .context("no registrations")?
        .try_get("", "id")?;
    for (n, chunk) in g.edges.chunks(2_000).enumerate() {
        let txn = db.begin().await?;
        let base = n * 2_000;
        referral_edge::Entity::insert_many(chunk.iter().enumerate().map(|(k, &(c, from, to))| {
            referral_edge::ActiveModel {
                organization_id: Set(org.0),
                campaign_id: Set(first_campaign + c as i64),
                referrer_employee_id: Set(person(from)),
                referee_employee_id: Set(person(to)),
                registration_id: Set(first_registration + (base + k) as i64),
                // Campaigns follow each other; within one, edges in order.
                confirmed_at: Set(t + chrono::Duration::seconds((c * 1_000_000 + base + k) as i64)),
                ..Default::default()
            }
        }))
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
    }
    // Fresh statistics for both planners, as a database that has lived would have.
    db.execute_unprepared("ANALYZE").await?;
    Ok((org, first_employee))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

struct Figures {
    warm: Duration,
    load: Duration,
    figures: Duration,
    leaderboard: Duration,
    cte_each: Duration,
    cte_group_by: Duration,
    ambassadors: usize,
    nodes: usize,
    checked: usize,
}

async fn measure(store: &Store, plan: &Plan) -> anyhow::Result<Figures> {
    let started = Instant::now();
    let g = synthesize(plan.employees, plan.edges);
    let (org, first_employee) = load(store, &g, plan.employees).await?;
    println!("  loaded in {:.0} s", started.elapsed().as_secs_f64());

    // Cold: read and build, then every ambassador's figures, then the leaderboard from them.
    let (mut load_t, mut fig_t, mut board_t, mut warm_t) = (vec![], vec![], vec![], vec![]);
    let mut last = None;
    for _ in 0..plan.runs {
        let t = Instant::now();
        let data = store.read_referral_data(org).await?;
        load_t.push(t.elapsed());
        let t = Instant::now();
        let n = data.figures().len();
        fig_t.push(t.elapsed());
        let t = Instant::now();
        let board = declic_referral::leaderboard(data.figures(), Viewer::Hr, 10);
        board_t.push(t.elapsed());
        ensure!(board.top.len() == 10 && n > 0, "a leaderboard of 10");
        last = Some(data);
    }
    // Warm: what a page asks once the organisation's graph is in the process cache.
    store.referral_data(org).await?.figures();
    for _ in 0..plan.runs {
        let t = Instant::now();
        let data = store.referral_data(org).await?;
        let board = declic_referral::leaderboard(data.figures(), Viewer::Hr, 10);
        warm_t.push(t.elapsed());
        ensure!(board.top.len() == 10, "a leaderboard of 10");
    }
    let data = last.context("no run")?;
    let figures = data.figures();
    let ambassadors = figures.iter().filter(|f| f.is_ambassador).count();

    // The naive way, on a random sample of ambassadors, checked against Declic's figures.
    let backend = store.backend();
    let p = |n: usize| {
        if backend == DbBackend::Postgres {
            format!("${n}")
        } else {
            "?".to_owned()
        }
    };
    // Set semantics (UNION) make it stop on loops across campaigns; it gives the reach
    // (the descendant set's size), not the depth, which a naive CTE can only get by
    // carrying the distance and exploring every path.
    let cte = format!(
        "WITH RECURSIVE reach(id) AS ( \
           SELECT referee_employee_id FROM referral_edges \
             WHERE organization_id = {o} AND referrer_employee_id = {a} \
           UNION \
           SELECT e.referee_employee_id FROM referral_edges e \
             JOIN reach r ON e.referrer_employee_id = r.id \
             WHERE e.organization_id = {o2} \
         ) \
         SELECT COUNT(*) AS reach FROM reach WHERE id <> {a2}",
        o = p(1),
        a = p(2),
        o2 = p(3),
        a2 = p(4)
    );
    let mut rng = StdRng::seed_from_u64(7);
    let mut cte_t = Vec::new();
    let mut checked = 0;
    for _ in 0..plan.sample {
        let a = g.ambassadors[rng.random_range(0..g.ambassadors.len())];
        let id = first_employee + a as i64;
        let values: Vec<sea_orm::Value> = vec![org.0.into(), id.into(), org.0.into(), id.into()];
        let t = Instant::now();
        let row = store
            .db()
            .query_one_raw(Statement::from_sql_and_values(backend, cte.clone(), values))
            .await?
            .context("no CTE row")?;
        cte_t.push(t.elapsed());
        let reach: i64 = row.try_get("", "reach")?;
        if let Some(f) = figures.iter().find(|f| f.person == PersonId(id)) {
            ensure!(
                i64::from(f.reach) == reach,
                "ambassador {id}: Declic reach {}, CTE reach {reach}",
                f.reach
            );
            checked += 1;
        }
    }
    let group_by = format!(
        "SELECT referrer_employee_id, COUNT(DISTINCT referee_employee_id) AS n \
         FROM referral_edges WHERE organization_id = {} \
         GROUP BY referrer_employee_id ORDER BY n DESC LIMIT 10",
        p(1)
    );
    let t = Instant::now();
    store
        .db()
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            group_by.clone(),
            vec![org.0.into()],
        ))
        .await?;
    let cte_group_by = t.elapsed();
    Ok(Figures {
        warm: median(warm_t),
        load: median(load_t),
        figures: median(fig_t),
        leaderboard: median(board_t),
        cte_each: median(cte_t),
        cte_group_by,
        ambassadors,
        nodes: data.graph.node_count(),
        checked,
    })
}

fn report(name: &str, f: &Figures) {
    let declic = f.load + f.figures + f.leaderboard;
    let compute = f.figures + f.leaderboard;
    let naive = f.cte_each * f.ambassadors as u32 + f.cte_group_by;
    println!(
        "{name}: {} nodes, {} ambassadors with figures; {} sampled reaches checked against the CTE",
        f.nodes, f.ambassadors, f.checked
    );
    println!(
        "  Declic: read + build {} ms, all figures {} ms, leaderboard {} ms: total {} ms (in memory {} ms)",
        ms(f.load),
        ms(f.figures),
        ms(f.leaderboard),
        ms(declic),
        ms(compute)
    );
    println!(
        "  naive recursive CTE: {} ms per ambassador (median), GROUP BY {} ms: {:.1} s for all",
        ms(f.cte_each),
        ms(f.cte_group_by),
        naive.as_secs_f64()
    );
    println!(
        "  Declic warm (graph and figures cached in the process): {} ms",
        ms(f.warm)
    );
    println!(
        "  Declic vs naive: cold {:.1}x faster, in memory {:.0}x, warm {:.0}x",
        naive.as_secs_f64() / declic.as_secs_f64(),
        naive.as_secs_f64() / compute.as_secs_f64().max(1e-9),
        naive.as_secs_f64() / f.warm.as_secs_f64().max(1e-9)
    );
}

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "referrals bench: skipped (run it with `cargo bench -p declic --bench referrals`)"
        );
        return Ok(());
    }
    let plan = Plan {
        employees: env_or("BENCH_EMPLOYEES", 1_000_000)?,
        edges: env_or("BENCH_EDGES", 1_000_000)?,
        runs: env_or("BENCH_RUNS", 3)?.max(1),
        sample: env_or("BENCH_CTE_SAMPLE", 200)?.max(1),
    };
    ensure!(
        plan.edges >= CAMPAIGNS && plan.employees >= 100,
        "too small a graph"
    );
    println!(
        "referrals bench: {} employees, {} edges over {CAMPAIGNS} campaigns, {} run(s), {} CTE samples",
        plan.employees, plan.edges, plan.runs, plan.sample
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let dir = tempfile::tempdir()?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("graph.db").display()
        );
        let store = Store::connect(&url, 4).await?;
        store.migrate().await?;
        let f = measure(&store, &plan).await?;
        report("sqlite", &f);
        store.db().clone().close().await?;

        if let Ok(admin_url) = std::env::var("DECLIC_TEST_DATABASE_URL") {
            let admin = Store::connect(&admin_url, 1).await?;
            let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
            admin
                .db()
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            let url = with_database(&admin_url, &name)?;
            let result = async {
                let store = Store::connect(&url, 4).await?;
                store.migrate().await?;
                let f = measure(&store, &plan).await?;
                report("postgres", &f);
                store.db().clone().close().await?;
                anyhow::Ok(())
            }
            .await;
            admin
                .db()
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await?;
            result?;
        } else {
            println!("postgres: skipped (set DECLIC_TEST_DATABASE_URL)");
        }
        anyhow::Ok(())
    })
}
