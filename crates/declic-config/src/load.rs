//! Layered loading: built-in defaults, environment file, `--config` file, `DECLIC__…` variables.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};

use crate::{Config, DEFAULT_TOML, Environment, MailTransport, Secret};

/// Where to look besides the built-in defaults.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Directory holding `<environment>.toml` (default `./config`).
    pub config_dir: Option<PathBuf>,
    /// An extra file given on the command line.
    pub file: Option<PathBuf>,
}

/// A loaded configuration and the warnings found while loading it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// Unknown keys and other things worth telling the operator.
    pub warnings: Vec<String>,
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path} cannot be read: {message}")]
    File { path: PathBuf, message: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error(
        "missing secret `{key}`: set it in a config file or with the environment variable {env}"
    )]
    MissingSecret {
        key: &'static str,
        env: &'static str,
    },
    #[error("`{key}` is not usable: {reason}")]
    BadValue { key: &'static str, reason: String },
    #[error("cannot create or read {path}: {message}")]
    Io { path: PathBuf, message: String },
}

/// Loads the configuration from all layers and checks it.
pub fn load(opts: &LoadOptions) -> Result<Loaded, ConfigError> {
    let env_layer = || Env::prefixed("DECLIC__").split("__");
    // The environment name can itself come from a file or a variable, so read it first.
    let mut probe = Figment::from(Toml::string(DEFAULT_TOML));
    if let Some(file) = &opts.file {
        probe = probe.merge(Toml::file_exact(file));
    }
    let environment: Environment = probe
        .merge(env_layer())
        .extract_inner("environment")
        .map_err(|e| ConfigError::Invalid(e.to_string()))?;

    let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
    let dir = opts
        .config_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("config"));
    let env_file = dir.join(format!("{}.toml", environment.as_str()));
    if env_file.is_file() {
        figment = figment.merge(Toml::file_exact(&env_file));
    }
    if let Some(file) = &opts.file {
        if !file.is_file() {
            return Err(ConfigError::File {
                path: file.clone(),
                message: "no such file".into(),
            });
        }
        figment = figment.merge(Toml::file_exact(file));
    }
    figment = figment.merge(env_layer());

    let config: Config = figment
        .extract()
        .map_err(|e| ConfigError::Invalid(e.to_string()))?;
    let given: serde_json::Value = figment
        .extract()
        .map_err(|e| ConfigError::Invalid(e.to_string()))?;
    let unknown = unknown_keys(&given)?;
    // Retention periods kept longer than the operator set, in silence, would be worse
    // than refusing to start.
    if unknown.iter().any(|k| k.starts_with("privacy.")) {
        return Err(ConfigError::BadValue {
            key: "privacy",
            reason: "the [privacy] section is now [retention] (same keys, and more): rename it"
                .into(),
        });
    }
    let warnings = unknown
        .into_iter()
        .map(|k| format!("unknown configuration key `{k}` is ignored"))
        .collect();
    check(&config)?;
    Ok(Loaded { config, warnings })
}

/// Checks values that the types alone cannot.
fn check(config: &Config) -> Result<(), ConfigError> {
    let key = config.security.secret_key.expose();
    if key.is_empty() && config.environment == Environment::Production {
        return Err(ConfigError::MissingSecret {
            key: "security.secret_key",
            env: "DECLIC__SECURITY__SECRET_KEY",
        });
    }
    if !key.is_empty() && key.len() < 32 {
        return Err(ConfigError::BadValue {
            key: "security.secret_key",
            reason: "it must be at least 32 characters long".into(),
        });
    }
    if config.mail.transport == MailTransport::Smtp {
        if config.mail.smtp.host.is_empty() {
            return Err(ConfigError::BadValue {
                key: "mail.smtp.host",
                reason: "mail.transport is smtp but no host is set".into(),
            });
        }
        if !config.mail.smtp.username.is_empty() && config.mail.smtp.password.is_empty() {
            return Err(ConfigError::MissingSecret {
                key: "mail.smtp.password",
                env: "DECLIC__MAIL__SMTP__PASSWORD",
            });
        }
    }
    let d = &config.delivery;
    for (key, value) in [
        ("delivery.batch_size", u64::from(d.batch_size)),
        ("delivery.lease_secs", d.lease_secs),
        ("delivery.mail_concurrency", u64::from(d.mail_concurrency)),
        (
            "delivery.webhook_concurrency",
            u64::from(d.webhook_concurrency),
        ),
        ("delivery.max_attempts", u64::from(d.max_attempts)),
    ] {
        if value == 0 {
            return Err(ConfigError::BadValue {
                key,
                reason: "it must be at least 1".into(),
            });
        }
    }
    if d.retry_first_secs > d.retry_max_secs {
        return Err(ConfigError::BadValue {
            key: "delivery.retry_first_secs",
            reason: "it must not exceed delivery.retry_max_secs".into(),
        });
    }
    for p in &config.server.trusted_proxies {
        if crate::Cidr::parse(p).is_none() {
            return Err(ConfigError::BadValue {
                key: "server.trusted_proxies",
                reason: format!("`{p}` is not an IP address or a range such as 10.0.0.0/8"),
            });
        }
    }
    let r = &config.retention;
    for (key, days, floor, why) in [
        (
            "retention.departed_employee_days",
            r.departed_employee_days,
            1,
            "",
        ),
        (
            "retention.message_history_days",
            r.message_history_days,
            1,
            ": HR needs to see what went out, and why not",
        ),
        (
            "retention.audit_log_days",
            r.audit_log_days,
            30,
            ": the audit log answers who did what, for a while at least",
        ),
        (
            "retention.revoked_credentials_days",
            r.revoked_credentials_days,
            1,
            "",
        ),
        ("retention.visit_counts_days", r.visit_counts_days, 1, ""),
    ] {
        if days < floor {
            return Err(ConfigError::BadValue {
                key,
                reason: format!("it must be at least {floor}{why}"),
            });
        }
    }
    if config.registration.claim_window_minutes < 15 {
        return Err(ConfigError::BadValue {
            key: "registration.claim_window_minutes",
            reason: "it must be at least 15: people need time to open the mail".into(),
        });
    }
    if !(config.server.public_url.starts_with("http://")
        || config.server.public_url.starts_with("https://"))
    {
        return Err(ConfigError::BadValue {
            key: "server.public_url",
            reason: "it must start with http:// or https://".into(),
        });
    }
    Ok(())
}

/// Keys present in the merged layers but absent from the documented defaults.
fn unknown_keys(given: &serde_json::Value) -> Result<BTreeSet<String>, ConfigError> {
    let defaults: serde_json::Value =
        toml::from_str(DEFAULT_TOML).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    let mut known = BTreeSet::new();
    key_paths(&defaults, "", &mut known);
    let mut seen = BTreeSet::new();
    key_paths(given, "", &mut seen);
    Ok(seen.difference(&known).cloned().collect())
}

fn key_paths(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if v.is_object() {
                key_paths(v, &path, out);
            } else {
                out.insert(path);
            }
        }
    }
}

impl Config {
    /// Outside production, makes sure a signing key exists, generating one into
    /// `<data_dir>/secret.key` on first start so that links survive restarts.
    pub fn ensure_secret_key(
        &mut self,
        generate: impl FnOnce() -> String,
    ) -> Result<(), ConfigError> {
        if !self.security.secret_key.is_empty() {
            return Ok(());
        }
        let path = self.data_dir.join("secret.key");
        let io = |e: std::io::Error| ConfigError::Io {
            path: path.clone(),
            message: e.to_string(),
        };
        if path.is_file() {
            let key = std::fs::read_to_string(&path).map_err(io)?;
            self.security.secret_key = Secret::new(key.trim());
        } else {
            std::fs::create_dir_all(&self.data_dir).map_err(io)?;
            let key = generate();
            write_private(&path, &key).map_err(io)?;
            self.security.secret_key = Secret::new(key);
        }
        check(self)
    }

    /// The configuration as TOML with every secret redacted.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        if !shown.database.url.is_empty() {
            shown.database.url = Secret::new(redact_url_password(self.database.url.expose()));
        }
        let text = toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# error: {e}\n"));
        // The database URL is only partly secret: show it with its password masked.
        text.replace(
            "url = \"[redacted]\"",
            &format!(
                "url = {:?}",
                redact_url_password(self.database.url.expose())
            ),
        )
    }
}

/// `postgres://user:pw@host/db` → `postgres://user:***@host/db`.
fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((creds, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match creds.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(content.as_bytes())
}

#[cfg(test)]
mod tests;
