//! The declic binary: CLI, server start-up, scheduler and demo data.
//!
//! Errors here are `anyhow`: this is the outermost layer, where a message for
//! the operator is all that is left to produce.

mod cli;
mod commands;
mod demo;
mod scheduler;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

pub use cli::Cli;
pub use demo::seed_demo;
pub use scheduler::{deliver, expire_offers, send_reminders, start_scheduler};

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let mut result = runtime.block_on(commands::run(cli));
    // A command run beside a busy server on SQLite may find the file locked for a
    // moment ("database is locked", which some statements report at once instead of
    // waiting): a failed command wrote nothing (each change is one transaction), so
    // it is run again, a few times, before giving up.
    for attempt in 1..=8 {
        match &result {
            Err(e) if is_sqlite_busy(e) => {
                std::thread::sleep(std::time::Duration::from_millis(100 * attempt));
                result = runtime.block_on(commands::run(Cli::parse()));
            }
            _ => break,
        }
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Whether `e` is SQLite's "database is locked" (SQLITE_BUSY), anywhere in its chain.
fn is_sqlite_busy(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.to_string().contains("(code: 5) database is locked"))
}
