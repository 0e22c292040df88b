//! The command line contract, run as a user would: the real `declic` binary
//! against a database of the test's own.
#![expect(clippy::unwrap_used, reason = "tests")]

#[path = "../support/mod.rs"]
mod support;

mod commands;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use support::{SECRET, TestDb};

/// Runs `declic ARGS` with `stdin` piped in.
pub fn declic(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    let mut child = base_command(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The binary with the test's database, data directory and secret.
pub fn base_command(db: &TestDb) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_declic"));
    cmd.current_dir(db.dir.path())
        .env_remove("RUST_LOG")
        .env("DECLIC__DATA_DIR", db.dir.path())
        .env("DECLIC__DATABASE__URL", &db.url)
        .env("DECLIC__SECURITY__SECRET_KEY", SECRET)
        .env("DECLIC__LOG__LEVEL", "warn");
    cmd
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success, showing both streams otherwise.
pub fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(&o),
        stderr(&o)
    );
    o
}
