//! A real SMTP server process (aiosmtpd, Debian's python3-aiosmtpd) that stores what
//! it receives in a Maildir. With `DECLIC_TEST_SMTP=1` (CI) a missing aiosmtpd fails
//! the test; otherwise the test is skipped with a notice, so a machine with only
//! Rust still passes `cargo test`.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server, killed when dropped.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    /// Mails received so far.
    pub fn mails(&self) -> Vec<super::mail::ReceivedMail> {
        super::mail::read_dir(&self.maildir.join("new"))
    }

    /// Waits until `n` mails arrived (delivery to the Maildir is asynchronous).
    pub fn wait_for(&self, n: usize) -> Vec<super::mail::ReceivedMail> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mails = self.mails();
            if mails.len() >= n || Instant::now() > deadline {
                return mails;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn python() -> Option<String> {
    let candidates = match std::env::var("DECLIC_TEST_PYTHON") {
        Ok(p) if !p.is_empty() => vec![p],
        _ => vec!["/usr/bin/python3".to_owned(), "python3".to_owned()],
    };
    candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Starts a server writing into `dir/maildir`, or None when aiosmtpd is missing outside CI.
pub fn start(dir: &Path) -> Option<SmtpServer> {
    let Some(python) = python() else {
        if std::env::var("DECLIC_TEST_SMTP").is_ok_and(|v| v == "1") {
            panic!(
                "DECLIC_TEST_SMTP=1 but no Python with aiosmtpd: apt-get install -y python3-aiosmtpd"
            );
        }
        eprintln!("notice: SMTP test skipped (install python3-aiosmtpd to run it)");
        return None;
    };
    let maildir = dir.join("maildir");
    for _ in 0..5 {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new(&python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = SmtpServer {
            child,
            port,
            maildir: maildir.clone(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("aiosmtpd did not start listening");
}
