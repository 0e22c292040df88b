//! Real SMTP: mails go through a pooled connection to an aiosmtpd process and land in a
//! Maildir; refusals and connection failures are sorted into permanent and temporary.
//!
//! aiosmtpd is a Python package (Debian: python3-aiosmtpd). Without it the delivery tests
//! print a notice and pass, so that a machine with only Rust passes `cargo test`; with
//! `DECLIC_TEST_SMTP=1` (set by CI) its absence is a failure.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use std::fs::File;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use declic_messaging::{Mailer, OutgoingMail, SendError, SmtpTls, TransportSettings};
use mail_parser::MessageParser;

/// An aiosmtpd process, killed when dropped, so also when an assertion fails.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Python that can import aiosmtpd: `DECLIC_TEST_PYTHON`, else `python3` on the PATH,
/// else the system one (a pyenv or venv `python3` may not see Debian's packages).
fn python_with_aiosmtpd() -> Result<String, String> {
    let candidates = match std::env::var("DECLIC_TEST_PYTHON") {
        Ok(python) if !python.is_empty() => vec![python],
        _ => vec!["python3".to_owned(), "/usr/bin/python3".to_owned()],
    };
    for python in &candidates {
        let imported = Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if imported {
            return Ok(python.clone());
        }
    }
    Err(format!(
        "no Python with aiosmtpd (tried {}); install it with `apt-get install -y python3-aiosmtpd`",
        candidates.join(", ")
    ))
}

/// Starts a server in `dir`, or returns None (after a notice) when aiosmtpd is missing and
/// CI did not ask for the SMTP tests.
fn start_server(dir: &Path) -> Option<SmtpServer> {
    start_server_on(dir, None)
}

/// [`start_server`] on a given port (for a restart), else on a free one.
fn start_server_on(dir: &Path, fixed_port: Option<u16>) -> Option<SmtpServer> {
    let python = match python_with_aiosmtpd() {
        Ok(python) => python,
        Err(why) if std::env::var("DECLIC_TEST_SMTP").as_deref() == Ok("1") => {
            panic!("DECLIC_TEST_SMTP=1 but the SMTP test server cannot run: {why}")
        }
        Err(why) => {
            // Straight to stderr: eprintln! would be captured and hidden by the test harness.
            let _ = writeln!(
                std::io::stderr(),
                "notice: SMTP delivery test skipped: {why}"
            );
            return None;
        }
    };
    let support = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support");
    let maildir = dir.join("maildir");
    let log_path = dir.join("aiosmtpd.log");
    // The port is free when asked for, but another process may take it before aiosmtpd
    // binds it: try a few.
    for _ in 0..3 {
        let port = fixed_port.unwrap_or_else(|| {
            TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        });
        let log = File::create(&log_path).unwrap();
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "declic_smtp_handler.RefusingMailbox"])
            .arg(&maildir)
            .env("PYTHONPATH", &support)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = SmtpServer {
            child,
            port,
            maildir: maildir.clone(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if server.child.try_wait().unwrap().is_some() {
                break;
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = server.child.kill();
    }
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    panic!("aiosmtpd did not start listening:\n{log}");
}

fn smtp_mailer(port: u16) -> Mailer {
    Mailer::new(common::settings(TransportSettings::Smtp {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        pool_size: 2,
        timeout: Duration::from_secs(10),
    }))
    .unwrap()
}

fn delivered(server: &SmtpServer) -> Vec<Vec<u8>> {
    let new = server.maildir.join("new");
    let Ok(entries) = std::fs::read_dir(&new) else {
        return Vec::new();
    };
    entries
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect()
}

#[tokio::test]
async fn three_mails_go_through_a_pool_of_two() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(server) = start_server(tmp.path()) else {
        return;
    };
    let mailer = smtp_mailer(server.port);
    let mails = [
        common::invitation("elodie.durand@example.org", "Élodie Durand"),
        common::invitation("zoe.lefevre@example.org", "Zoé Lefèvre"),
        common::invitation("jurgen.muller@example.org", "Jürgen Müller"),
    ];
    let sends: Vec<_> = mails
        .iter()
        .map(|mail| {
            let (mailer, mail) = (mailer.clone(), mail.clone());
            tokio::spawn(async move { mailer.send(&mail).await })
        })
        .collect();
    let mut ids = Vec::new();
    for send in sends {
        ids.push(send.await.unwrap().unwrap());
    }

    let received = delivered(&server);
    assert_eq!(received.len(), 3, "three messages in the Maildir");
    for raw in &received {
        let parsed = MessageParser::default().parse(raw).unwrap();
        let id = parsed.message_id().unwrap().to_owned();
        let i = ids
            .iter()
            .position(|x| *x == id)
            .expect("a Message-ID we returned");
        common::check_received(raw, &ids[i], &mails[i]);
        let rcpt = parsed.header_raw("X-RcptTo").unwrap();
        assert_eq!(rcpt.trim(), mails[i].to, "envelope recipient");
    }
}

#[tokio::test]
async fn a_pooled_connection_closed_by_a_restart_is_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(server) = start_server(tmp.path()) else {
        return;
    };
    let port = server.port;
    let mailer = smtp_mailer(port);
    let first = common::invitation("elodie.durand@example.org", "Élodie Durand");
    mailer.send(&first).await.unwrap();
    assert_eq!(delivered(&server).len(), 1);
    // The idle pooled connection dies with the server; the next mail must open a new one.
    drop(server);
    let tmp2 = tempfile::tempdir().unwrap();
    let server = start_server_on(tmp2.path(), Some(port)).unwrap();
    let second = common::invitation("zoe.lefevre@example.org", "Zoé Lefèvre");
    let id = mailer.send(&second).await.unwrap();
    let received = delivered(&server);
    assert_eq!(received.len(), 1, "the second mail reached the new server");
    common::check_received(&received[0], &id, &second);
}

#[tokio::test]
async fn refusals_are_sorted_into_permanent_and_temporary() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(server) = start_server(tmp.path()) else {
        return;
    };
    let mailer = smtp_mailer(server.port);
    let to = |address: &str| OutgoingMail {
        to: address.into(),
        ..common::invitation("x@example.org", "X")
    };

    let err = mailer
        .send(&to("unknown.person@example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SendError::Permanent(m) if m.contains("550")),
        "{err}"
    );

    let err = mailer
        .send(&to("busy.person@example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SendError::Temporary(m) if m.contains("451")),
        "{err}"
    );

    // The pool recovers: the next mail goes through.
    let mail = common::invitation("elodie.durand@example.org", "Élodie Durand");
    let id = mailer.send(&mail).await.unwrap();
    let received = delivered(&server);
    assert_eq!(received.len(), 1);
    common::check_received(&received[0], &id, &mail);
}

#[tokio::test]
async fn nothing_listening_is_a_temporary_failure() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The listener is dropped: connections to the port are refused.
    let mailer = smtp_mailer(port);
    let mail = common::invitation("elodie.durand@example.org", "Élodie Durand");
    let err = mailer.send(&mail).await.unwrap_err();
    assert!(err.is_temporary(), "{err}");
}

/// The Content-Transfer-Encoding of the text/plain part of a raw message.
fn text_encoding(raw: &[u8]) -> String {
    let raw = String::from_utf8_lossy(raw);
    let part = raw
        .find("Content-Type: text/plain")
        .map_or("", |i| &raw[i..]);
    part.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("Content-Transfer-Encoding: "))
        .unwrap_or("")
        .trim()
        .to_owned()
}

#[tokio::test]
async fn bodies_go_as_8bit_text_when_the_server_offers_8bitmime() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(server) = start_server(tmp.path()) else {
        return;
    };
    let mailer = smtp_mailer(server.port);
    // The first message learns what the server offers; the second goes as 8-bit text.
    for to in ["elodie.durand@example.org", "zoe.lefevre@example.org"] {
        let mail = common::invitation(to, "Élodie Durand");
        let id = mailer.send(&mail).await.unwrap();
        let raw = delivered(&server)
            .into_iter()
            .find(|r| String::from_utf8_lossy(r).contains(&id))
            .unwrap();
        common::check_received(&raw, &id, &mail);
    }
    let encodings: Vec<String> = delivered(&server)
        .iter()
        .map(|r| text_encoding(r))
        .collect();
    assert!(encodings.contains(&"8bit".to_owned()), "{encodings:?}");
}

/// postfix's `smtp-sink` with `-8`: a real server that does not offer 8BITMIME.
struct Sink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_seven_bit_sink(dir: &Path) -> Option<Sink> {
    let binary = ["/usr/sbin/smtp-sink", "/usr/lib/postfix/sbin/smtp-sink"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(binary) = binary else {
        assert!(
            std::env::var("DECLIC_TEST_SMTP").as_deref() != Ok("1"),
            "DECLIC_TEST_SMTP=1 but postfix's smtp-sink is missing: apt-get install -y postfix"
        );
        let _ = writeln!(
            std::io::stderr(),
            "notice: 7-bit test skipped (no smtp-sink)"
        );
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dumps = dir.join("dumps");
    std::fs::create_dir_all(&dumps).unwrap();
    // smtp-sink runs as `nobody`: it must reach and write its dump folder.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&dumps, std::fs::Permissions::from_mode(0o777)).unwrap();
    // As root, smtp-sink wants a user to run as.
    let child = Command::new(binary)
        .args(["-u", "nobody"])
        .arg("-8")
        .arg("-d")
        .arg(dumps.join("%H%M%S."))
        .arg(format!("127.0.0.1:{port}"))
        .arg("10")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "smtp-sink did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Sink {
        child,
        port,
        dir: dumps,
    })
}

#[tokio::test]
async fn a_server_without_8bitmime_gets_quoted_printable() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(sink) = start_seven_bit_sink(tmp.path()) else {
        return;
    };
    let mailer = smtp_mailer(sink.port);
    for to in ["elodie.durand@example.org", "zoe.lefevre@example.org"] {
        let mail = common::invitation(to, "Élodie Durand");
        mailer.send(&mail).await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let dumps = loop {
        let dumps: Vec<Vec<u8>> = std::fs::read_dir(&sink.dir)
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        if dumps.len() >= 2 || Instant::now() > deadline {
            break dumps;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(dumps.len(), 2, "both messages went through");
    for raw in &dumps {
        let body = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n" || w[..2] == *b"\n\n")
            .map_or(&raw[..], |i| &raw[i..]);
        assert!(
            body.is_ascii(),
            "7-bit message for a server without 8BITMIME"
        );
        assert_eq!(text_encoding(raw), "quoted-printable");
    }
}
