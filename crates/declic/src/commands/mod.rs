//! One function per command; each loads what it needs and prints for a human,
//! except where a script reads the output (token create: the token alone on the last line).

mod directory;
mod dispatch;
mod people;
mod poster;
mod serve;

use std::process::ExitCode;

use anyhow::Context;
use declic_config::{Config, LoadOptions};
use declic_storage::{OrgId, Store};

use crate::cli::{Cli, Command, ConfigCommand, ImportCommand, RetentionCommand};

/// Loads the configuration, printing warnings about unknown keys.
pub fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let loaded = declic_config::load(&LoadOptions {
        config_dir: None,
        file: cli.config.clone(),
    })?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let mut config = loaded.config;
    config.ensure_secret_key(random_key)?;
    Ok(config)
}

fn random_key() -> String {
    use rand::Rng;
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(48)
        .map(char::from)
        .collect()
}

/// Opens the database and applies migrations when the configuration allows.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let url = config.database_url();
    let store = Store::connect(&url, config.database.max_connections)
        .await
        .with_context(|| format!("cannot open the database ({})", redact(&url)))?;
    if config.database.migrate_on_start {
        store
            .migrate()
            .await
            .context("cannot apply database migrations")?;
    }
    Ok(store)
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_owned(),
    }
}

/// Resolves `--org SLUG`.
pub async fn org_id(store: &Store, slug: &str) -> anyhow::Result<OrgId> {
    match store.organization_by_slug(slug).await {
        Ok(o) => Ok(OrgId(o.id)),
        Err(declic_storage::StorageError::NotFound(_)) => {
            anyhow::bail!("no organisation with slug `{slug}` (see `declic org list`)")
        }
        Err(e) => Err(e.into()),
    }
}

/// Dispatches a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = load_config(&cli)?;
    crate::telemetry::init(&config.log);
    match cli.command {
        Command::Serve(args) => serve::serve(config, args).await,
        Command::Migrate => {
            let url = config.database_url();
            let store = Store::connect(&url, 1)
                .await
                .context("cannot open the database")?;
            let pending = store.pending_migrations().await?;
            store.migrate().await?;
            if pending.is_empty() {
                println!("database is up to date");
            } else {
                for m in pending {
                    println!("applied {m}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let store = open_store(&config).await?;
            let demo = crate::seed_demo(&store, &config).await?;
            print!("{}", demo.instructions(&config.server.public_url));
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(ConfigCommand::Show) => {
            print!("{}", config.to_redacted_toml());
            Ok(ExitCode::SUCCESS)
        }
        Command::Org(c) => people::org(&config, c).await,
        Command::Admin(c) => people::admin(&config, c).await,
        Command::Token(c) => people::token(&config, c).await,
        Command::Import(ImportCommand::Employees { org, file, dry_run }) => {
            directory::import(&config, &org, &file, dry_run).await
        }
        Command::Employee(c) => directory::employee(&config, c).await,
        Command::Poster(c) => poster::poster(&config, c).await,
        Command::Dispatch(c) => dispatch::dispatch(config, c).await,
        Command::Retention(RetentionCommand::Run { dry_run }) => retention(config, dry_run).await,
    }
}

/// `declic retention run [--dry-run]`: one line per kind of data, then a total.
async fn retention(config: Config, dry_run: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(&config).await?;
    let app = declic_app::App::new(store, config).map_err(|e| anyhow::anyhow!(e))?;
    let report = declic_app::retention::run(&app, dry_run)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let verb = if dry_run { "would remove" } else { "removed" };
    for r in &report {
        println!("{:<18} {:>8}  {} ({})", r.table, r.rows, r.what, r.key);
    }
    let total: u64 = report.iter().map(|r| r.rows).sum();
    println!(
        "{verb} {total} rows{}",
        if dry_run {
            " (dry run: nothing changed)"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}
