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

/// Sends the app's mail over plain SMTP to 127.0.0.1:`port` (a test's server).
pub fn send_to(c: &mut declic_config::Config, port: u16) {
    c.mail.transport = declic_config::MailTransport::Smtp;
    c.mail.smtp.host = "127.0.0.1".into();
    c.mail.smtp.port = port;
    c.mail.smtp.tls = declic_config::SmtpTls::None;
}

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

    /// Stops the server (it refuses connections until started again with [`start_on`]).
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// How many mails arrived so far, without reading them.
    pub fn count(&self) -> usize {
        std::fs::read_dir(self.maildir.join("new")).map_or(0, |d| d.count())
    }

    /// The recipient of every mail received, read from the `To:` header only.
    pub fn recipients(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return vec![];
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter_map(|raw| {
                raw.lines()
                    .take_while(|l| !l.is_empty())
                    .find_map(|l| l.strip_prefix("To: ").map(str::to_owned))
            })
            .map(|to| match (to.rfind('<'), to.rfind('>')) {
                (Some(a), Some(b)) if b > a => to[a + 1..b].to_owned(),
                _ => to,
            })
            .collect()
    }

    /// Waits until `n` mails arrived (delivery to the Maildir is asynchronous).
    pub async fn wait_for(&self, n: usize) -> Vec<super::mail::ReceivedMail> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mails = self.mails();
            if mails.len() >= n || Instant::now() > deadline {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
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
    let python = python_or_skip()?;
    for _ in 0..5 {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        if let Some(server) = spawn(&python, dir, port) {
            return Some(server);
        }
    }
    panic!("aiosmtpd did not start listening");
}

/// Starts a server on a given port (a restart after [`SmtpServer::stop`]), writing
/// into the same Maildir.
pub fn start_on(dir: &Path, port: u16) -> Option<SmtpServer> {
    let python = python_or_skip()?;
    // The old process may take a moment to release the port.
    for _ in 0..20 {
        if let Some(server) = spawn(&python, dir, port) {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("aiosmtpd did not start listening on {port}");
}

fn python_or_skip() -> Option<String> {
    let python = python();
    if python.is_none() {
        if std::env::var("DECLIC_TEST_SMTP").is_ok_and(|v| v == "1") {
            panic!(
                "DECLIC_TEST_SMTP=1 but no Python with aiosmtpd: apt-get install -y python3-aiosmtpd"
            );
        }
        eprintln!("notice: SMTP test skipped (install python3-aiosmtpd to run it)");
    }
    python
}

fn spawn(python: &str, dir: &Path, port: u16) -> Option<SmtpServer> {
    let maildir = dir.join("maildir");
    let child = Command::new(python)
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
    let mut server = SmtpServer {
        child,
        port,
        maildir,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = server.child.try_wait() {
            // Exited: the port is taken.
            return None;
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = server.child.kill();
    None
}
