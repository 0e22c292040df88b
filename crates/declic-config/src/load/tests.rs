#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;

fn load_with(file: &str) -> Result<Loaded, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("extra.toml");
    std::fs::write(&path, file).unwrap();
    load(&LoadOptions {
        config_dir: Some(dir.path().to_path_buf()),
        file: Some(path),
    })
}

#[test]
fn defaults_load_without_warnings() {
    let loaded = load_with("").unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.config.server.bind, "127.0.0.1:8080");
    assert_eq!(loaded.config.mail.transport, MailTransport::Outbox);
    assert!(loaded.config.database_url().starts_with("sqlite://"));
}

#[test]
fn unknown_keys_warn() {
    let loaded = load_with("[server]\nbnid = \"x\"\n[nope]\na = 1\n").unwrap();
    assert_eq!(
        loaded.warnings,
        vec![
            "unknown configuration key `nope.a` is ignored".to_owned(),
            "unknown configuration key `server.bnid` is ignored".to_owned()
        ]
    );
}

#[test]
fn the_old_privacy_section_is_refused_not_ignored() {
    let err = load_with("[privacy]\nmessage_history_days = 30\n").unwrap_err();
    assert!(err.to_string().contains("[retention]"), "{err}");
    let loaded = load_with("[retention]\nmessage_history_days = 30\n").unwrap();
    assert_eq!(loaded.config.retention.message_history_days, 30);
    let err = load_with("[retention]\naudit_log_days = 7\n").unwrap_err();
    assert!(
        err.to_string().contains("retention.audit_log_days"),
        "{err}"
    );
}

#[test]
fn production_without_secret_names_the_key() {
    let err = load_with("environment = \"production\"\n").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("security.secret_key"), "{text}");
    assert!(text.contains("DECLIC__SECURITY__SECRET_KEY"), "{text}");
}

#[test]
fn smtp_user_without_password_names_the_key() {
    let err =
        load_with("[mail]\ntransport = \"smtp\"\n[mail.smtp]\nhost = \"mx\"\nusername = \"u\"\n")
            .unwrap_err();
    assert!(err.to_string().contains("mail.smtp.password"), "{err}");
}

#[test]
fn wrong_type_is_a_clear_error() {
    let err = load_with("[server]\nrequest_timeout_secs = \"soon\"\n").unwrap_err();
    assert!(err.to_string().contains("request_timeout_secs"), "{err}");
}

#[test]
fn redacted_toml_hides_secrets() {
    let mut loaded = load_with(
        "[security]\nsecret_key = \"0123456789abcdef0123456789abcdef-x\"\n[database]\nurl = \"postgres://u:pw@db:5432/d\"\n",
    )
    .unwrap();
    loaded.config.mail.smtp.password = Secret::new("smtp-pass");
    let text = loaded.config.to_redacted_toml();
    assert!(!text.contains("0123456789abcdef"), "{text}");
    assert!(!text.contains("smtp-pass"), "{text}");
    assert!(!text.contains(":pw@"), "{text}");
    assert!(text.contains("postgres://u:***@db:5432/d"), "{text}");
}

#[test]
fn generated_secret_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = load_with("").unwrap().config;
    config.data_dir = dir.path().to_path_buf();
    config.ensure_secret_key(|| "k".repeat(40)).unwrap();
    let first = config.security.secret_key.clone();
    config.security.secret_key = Secret::default();
    config.ensure_secret_key(|| "other".repeat(10)).unwrap();
    assert_eq!(config.security.secret_key, first);
}

#[test]
fn trusted_proxies_are_addresses_or_ranges() {
    let ok =
        load_with("[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"192.0.2.1\", \"fd00::/8\"]\n")
            .unwrap();
    assert_eq!(ok.config.server.trusted_proxies.len(), 3);
    for bad in ["proxy.internal", "10.0.0.0/33", "::/200"] {
        let err = load_with(&format!("[server]\ntrusted_proxies = [\"{bad}\"]\n")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("server.trusted_proxies") && text.contains(bad),
            "{text}"
        );
    }
}

#[test]
fn metrics_token_is_a_secret() {
    let loaded = load_with("[server]\nmetrics_token = \"scrape-0123456789\"\n").unwrap();
    assert!(
        !loaded
            .config
            .to_redacted_toml()
            .contains("scrape-0123456789")
    );
}
