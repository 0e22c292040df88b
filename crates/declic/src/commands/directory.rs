//! `declic import employees` and `declic employee …`.

use std::path::Path;
use std::process::ExitCode;

use declic_config::Config;
use declic_storage::Actor;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::people::user_error;
use super::{open_store, org_id};
use crate::cli::EmployeeCommand;

pub async fn import(
    config: &Config,
    org: &str,
    file: &Path,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let org = org_id(&store, org).await?;
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let domains = store.domains(org).await?;
    // A bar on a terminal only; hidden when output is piped or in CI.
    let bar = ProgressBar::with_draw_target(Some(bytes.len() as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} reading {bytes}/{total_bytes} [{bar:30}] {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let parsed = tokio::task::spawn_blocking({
        let bar = bar.clone();
        move || {
            declic_directory::parse_with_progress(&bytes, &domains, &mut |done, _| {
                bar.set_position(done)
            })
        }
    })
    .await?;
    bar.finish_and_clear();
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return Ok(ExitCode::from(1));
        }
    };
    let summary = store
        .import_employees(org, &parsed, dry_run, &Actor::cli())
        .await?;
    for r in &summary.rejected {
        eprintln!(
            "{}:{}: rejected ({}): {}",
            file.display(),
            r.line,
            r.reason.code(),
            r.reason
        );
    }
    let verb = if dry_run { "would import" } else { "imported" };
    println!(
        "{verb} {} rows: {} new, {} updated, {} unchanged, {} rejected (encoding {}, separator {})",
        summary.total_rows,
        summary.inserted,
        summary.updated,
        summary.unchanged,
        summary.rejected.len(),
        summary.encoding,
        summary.separator
    );
    if !summary.ignored_columns.is_empty() {
        println!("ignored columns: {}", summary.ignored_columns.join(", "));
    }
    Ok(if summary.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

pub async fn employee(config: &Config, cmd: EmployeeCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    match cmd {
        EmployeeCommand::Export { org, email } => {
            let org = org_id(&store, &org).await?;
            let export = store
                .export_person(org, &email, &Actor::cli())
                .await
                .map_err(not_found_person)?;
            println!("{}", serde_json::to_string_pretty(&export)?);
        }
        EmployeeCommand::Erase { org, email } => {
            let org = org_id(&store, &org).await?;
            let app = declic_app::App::new(store.clone(), config.clone())
                .map_err(|e| anyhow::anyhow!("mail settings: {e}"))?;
            let caller = declic_app::caller::Caller::operator(org);
            let r = declic_app::privacy::erase(&app, &caller, &email)
                .await
                .map_err(|e| match e {
                    declic_app::caller::AppError::Storage(e) => not_found_person(e),
                    other => anyhow::anyhow!("{other}"),
                })?;
            println!(
                "erased: employee record {}, {} admin account(s), {} audit entr(y/ies) pseudonymised",
                if r.employee_erased { "yes" } else { "none" },
                r.admin_accounts_erased,
                r.audit_entries_pseudonymised
            );
        }
        EmployeeCommand::AllowAgain { org, email } => {
            let org = org_id(&store, &org).await?;
            store
                .allow_again(org, &email, &Actor::cli())
                .await
                .map_err(|e| match e {
                    declic_storage::StorageError::NotFound(_) => {
                        anyhow::anyhow!("--email {email}: not on the list of erased addresses")
                    }
                    other => user_error(other),
                })?;
            println!("{email} may be imported again");
        }
        EmployeeCommand::Deactivate { org, email } => {
            let org = org_id(&store, &org).await?;
            let e = store
                .employee_by_email(org, &email)
                .await
                .map_err(not_found_person)?;
            store
                .set_employee_active(org, e.id, false, &Actor::cli())
                .await
                .map_err(user_error)?;
            println!("deactivated {}", e.email);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn not_found_person(e: declic_storage::StorageError) -> anyhow::Error {
    match e {
        declic_storage::StorageError::NotFound(_) => {
            anyhow::anyhow!("nobody with this email in this organisation")
        }
        other => user_error(other),
    }
}
