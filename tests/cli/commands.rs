//! `declic org|admin|token|import|employee|config|migrate|serve`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::TestDb;
use crate::{base_command, declic, ok, stderr, stdout};

fn setup_org(db: &TestDb) {
    ok(declic(
        db,
        &[
            "org",
            "create",
            "--slug",
            "acme",
            "--name",
            "Acme",
            "--domain",
            "acme.example",
        ],
        "",
    ));
}

#[tokio::test]
async fn fresh_install_from_the_shell_then_the_api() {
    let db = TestDb::new().await;
    let out = ok(declic(&db, &["migrate"], ""));
    assert!(stdout(&out).contains("applied m0001"), "{}", stdout(&out));
    assert!(stdout(&ok(declic(&db, &["migrate"], ""))).contains("up to date"));
    setup_org(&db);
    let dup = declic(
        &db,
        &[
            "org",
            "create",
            "--slug",
            "acme",
            "--name",
            "Again",
            "--domain",
            "acme.example",
        ],
        "",
    );
    assert_eq!(dup.status.code(), Some(1));
    assert!(stderr(&dup).contains("already exists"), "{}", stderr(&dup));
    // A mail domain belongs to one organisation on the whole service.
    let taken = declic(
        &db,
        &[
            "org",
            "create",
            "--slug",
            "evil",
            "--name",
            "Evil",
            "--domain",
            "ACME.example",
        ],
        "",
    );
    assert_eq!(taken.status.code(), Some(1));
    assert!(
        stderr(&taken).contains("`acme.example` belongs to another organisation"),
        "{}",
        stderr(&taken)
    );
    let out = ok(declic(
        &db,
        &["org", "domains", "--org", "acme", "--add", "acme.fr"],
        "",
    ));
    assert!(
        stdout(&out).contains("acme: acme.example, acme.fr"),
        "{}",
        stdout(&out)
    );

    let out = ok(declic(
        &db,
        &[
            "admin",
            "create",
            "--org",
            "acme",
            "--email",
            "hr@acme.example",
            "--role",
            "owner",
        ],
        "a-long-password-123\n",
    ));
    assert!(stdout(&out).contains("created owner admin hr@acme.example"));
    assert!(
        !stdout(&out).contains("sign-in"),
        "a piped password means no link"
    );
    let out = ok(declic(
        &db,
        &[
            "token",
            "create",
            "--org",
            "acme",
            "--email",
            "hr@acme.example",
        ],
        "",
    ));
    let token = stdout(&out).lines().last().unwrap().to_owned();
    assert!(
        token.starts_with("dcl_") && !token.contains(' '),
        "the token alone on the last line: {token:?}"
    );

    // The server, started as an operator would, accepts the token.
    let mut child = base_command(&db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("declic listening on ").map(str::to_owned))
        .unwrap();
    // Keep reading what the server prints, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    let res = reqwest::Client::new()
        .get(format!("{base}/api/v1/organization"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let org: serde_json::Value = res.json().await.unwrap();
    assert_eq!(org["slug"], "acme");
    // SIGTERM: a graceful stop with exit status 0.
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[tokio::test]
async fn admin_without_password_gets_a_one_time_link() {
    let db = TestDb::new().await;
    setup_org(&db);
    let out = ok(declic(
        &db,
        &[
            "admin",
            "create",
            "--org",
            "acme",
            "--email",
            "cm@acme.example",
            "--sign-in-link",
        ],
        "",
    ));
    let link = stdout(&out).lines().last().unwrap().to_owned();
    assert!(
        link.starts_with("http://127.0.0.1:8080/sign-in/dcs_"),
        "{link}"
    );
    let bad = declic(
        &db,
        &[
            "admin",
            "create",
            "--org",
            "acme",
            "--email",
            "x@acme.example",
            "--role",
            "boss",
        ],
        "",
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("unknown role `boss`"));
    let short = declic(
        &db,
        &[
            "admin",
            "create",
            "--org",
            "acme",
            "--email",
            "y@acme.example",
        ],
        "short\n",
    );
    assert!(stderr(&short).contains("at least 12 characters"));
    let unknown = declic(
        &db,
        &[
            "token",
            "create",
            "--org",
            "nope",
            "--email",
            "hr@acme.example",
        ],
        "",
    );
    assert!(
        stderr(&unknown).contains("no organisation with slug `nope`"),
        "{}",
        stderr(&unknown)
    );
}

#[tokio::test]
async fn import_reports_lines_and_exit_status() {
    let db = TestDb::new().await;
    setup_org(&db);
    let file = db.dir.path().join("rh.csv");
    std::fs::write(
        &file,
        "Prénom;Nom;Courriel;Service;Site\n\
         Élodie;Lefèvre;elodie@acme.example;Finance;Paris\n\
         Eve;Spy;eve@evil.example;Finance;Paris\n\
         Paul;Martin;paul@acme.example;IT;Lyon\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let dry = declic(
        &db,
        &["import", "employees", "--org", "acme", path, "--dry-run"],
        "",
    );
    assert_eq!(
        dry.status.code(),
        Some(2),
        "a rejected row gives exit status 2"
    );
    assert!(
        stdout(&dry).contains("would import 3 rows: 2 new"),
        "{}",
        stdout(&dry)
    );
    assert!(
        stderr(&dry).contains(&format!("{path}:3: rejected (foreign_domain)")),
        "{}",
        stderr(&dry)
    );
    let none = declic(
        &db,
        &[
            "employee",
            "export",
            "--org",
            "acme",
            "--email",
            "elodie@acme.example",
        ],
        "",
    );
    assert!(stderr(&none).contains("nobody"), "a dry run writes nothing");

    let real = declic(&db, &["import", "employees", "--org", "acme", path], "");
    assert_eq!(real.status.code(), Some(2));
    assert!(
        stdout(&real).contains("imported 3 rows: 2 new, 0 updated, 0 unchanged, 1 rejected"),
        "{}",
        stdout(&real)
    );
    let again = declic(&db, &["import", "employees", "--org", "acme", path], "");
    assert!(
        stdout(&again).contains("0 new, 0 updated, 2 unchanged"),
        "{}",
        stdout(&again)
    );

    let good = db.dir.path().join("good.csv");
    std::fs::write(
        &good,
        "email,first name,last name\nzoe@acme.example,Zoé,Roux\n",
    )
    .unwrap();
    ok(declic(
        &db,
        &[
            "import",
            "employees",
            "--org",
            "acme",
            good.to_str().unwrap(),
        ],
        "",
    ));

    let broken = db.dir.path().join("broken.csv");
    std::fs::write(&broken, "name,site\nAnn,Paris\n").unwrap();
    let out = declic(
        &db,
        &[
            "import",
            "employees",
            "--org",
            "acme",
            broken.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("email"), "{}", stderr(&out));
    let missing = declic(
        &db,
        &["import", "employees", "--org", "acme", "/nonexistent.csv"],
        "",
    );
    assert!(stderr(&missing).contains("cannot read /nonexistent.csv"));

    // Export, then erasure, of one person.
    let out = ok(declic(
        &db,
        &[
            "employee",
            "export",
            "--org",
            "acme",
            "--email",
            "ELODIE@acme.example",
        ],
        "",
    ));
    let export: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(export["employee"]["last_name"], "Lefèvre");
    let out = ok(declic(
        &db,
        &[
            "employee",
            "erase",
            "--org",
            "acme",
            "--email",
            "elodie@acme.example",
        ],
        "",
    ));
    assert!(stdout(&out).contains("employee record yes"));
    let gone = declic(
        &db,
        &[
            "employee",
            "export",
            "--org",
            "acme",
            "--email",
            "elodie@acme.example",
        ],
        "",
    );
    assert_eq!(gone.status.code(), Some(1));
    ok(declic(
        &db,
        &[
            "employee",
            "deactivate",
            "--org",
            "acme",
            "--email",
            "paul@acme.example",
        ],
        "",
    ));
}

#[tokio::test]
async fn config_show_redacts_and_bad_config_is_explained() {
    let db = TestDb::new().await;
    let out = ok(declic(&db, &["config", "show"], ""));
    let text = stdout(&out);
    assert!(text.contains("secret_key = \"[redacted]\""), "{text}");
    assert!(!text.contains(crate::support::SECRET));
    assert!(text.contains("[server]") && text.contains("bind = "));

    let out = base_command(&db)
        .args(["config", "show"])
        .env("DECLIC__SERVER__BIDN", "x")
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("unknown configuration key `server.bidn`"),
        "{}",
        stderr(&out)
    );

    let out = base_command(&db)
        .args(["config", "show"])
        .env("DECLIC__ENVIRONMENT", "production")
        .env_remove("DECLIC__SECURITY__SECRET_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("DECLIC__SECURITY__SECRET_KEY"),
        "{}",
        stderr(&out)
    );

    // A claim window too short to open a mail is refused, naming the key.
    let out = base_command(&db)
        .args(["config", "show"])
        .env("DECLIC__REGISTRATION__CLAIM_WINDOW_MINUTES", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("registration.claim_window_minutes"),
        "{}",
        stderr(&out)
    );

    let cfg = db.dir.path().join("bad.toml");
    std::fs::write(&cfg, "[server]\nrequest_timeout_secs = \"soon\"\n").unwrap();
    let out = declic(
        &db,
        &["--config", cfg.to_str().unwrap(), "config", "show"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("request_timeout_secs"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn demo_seeds_once_and_prints_how_to_sign_in() {
    let db = TestDb::new().await;
    let out = ok(declic(&db, &["demo"], ""));
    let text = stdout(&out);
    assert!(
        text.contains("Demo organisation `demo` created (320 employees"),
        "{text}"
    );
    assert!(text.contains("password: ") && text.contains("dcl_"));
    let again = ok(declic(&db, &["demo"], ""));
    assert!(
        stdout(&again).contains("already there"),
        "{}",
        stdout(&again)
    );
}

#[tokio::test]
async fn retention_runs_from_the_command_line_with_a_dry_run_first() {
    let db = TestDb::new().await;
    ok(declic(&db, &["migrate"], ""));
    setup_org(&db);
    let dry = stdout(&ok(declic(&db, &["retention", "run", "--dry-run"], "")));
    for table in [
        "audit_events",
        "credentials",
        "link_visits",
        "employees",
        "messages",
    ] {
        assert!(dry.contains(table), "{dry}");
    }
    assert!(
        dry.contains("would remove 0 rows (dry run: nothing changed)"),
        "{dry}"
    );
    let run = stdout(&ok(declic(&db, &["retention", "run"], "")));
    assert!(run.contains("removed 0 rows"), "{run}");
    let bad = declic(&db, &["retention", "run", "--dry"], "");
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

/// A server that mails through SMTP with a plain-http public URL says at start that mail
/// clients will not offer one-click unsubscribe (List-Unsubscribe-Post needs https).
#[tokio::test]
async fn an_http_public_url_with_smtp_is_warned_about_at_start() {
    let db = TestDb::new().await;
    ok(declic(&db, &["migrate"], ""));
    let mut child = base_command(&db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DECLIC__MAIL__TRANSPORT", "smtp")
        .env("DECLIC__MAIL__SMTP__HOST", "127.0.0.1")
        .env("DECLIC__MAIL__SMTP__PORT", "2")
        .env("DECLIC__MAIL__SMTP__TLS", "none")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(
        lines
            .by_ref()
            .map_while(Result::ok)
            .any(|l| l.starts_with("declic listening on ")),
        "the server did not start"
    );
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("one-click unsubscribe"), "{err}");
}
