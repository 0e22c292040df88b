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
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
