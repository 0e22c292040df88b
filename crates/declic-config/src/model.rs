//! The typed configuration; field names mirror `config/default.toml`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::Secret;

/// The whole effective configuration.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Config {
    pub environment: Environment,
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub security: SecurityConfig,
    pub registration: RegistrationConfig,
    pub limits: LimitsConfig,
    pub mail: MailConfig,
    pub delivery: DeliveryConfig,
    pub webhooks: WebhooksConfig,
    pub retention: RetentionConfig,
    pub log: LogConfig,
}

/// Which kind of deployment this is; production refuses missing secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Test,
    Production,
}

impl Environment {
    /// The name used for `config/<name>.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Production => "production",
        }
    }
}

/// `[server]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ServerConfig {
    pub bind: String,
    pub public_url: String,
    pub body_limit_bytes: usize,
    pub import_limit_bytes: usize,
    pub request_timeout_secs: u64,
    pub shutdown_grace_secs: u64,
    /// The bearer token `/metrics` asks for; empty: `/metrics` is off.
    pub metrics_token: Secret,
    /// Reverse proxies (addresses or ranges) whose `X-Forwarded-For`/`Forwarded`
    /// headers name the client, for rate limits.
    pub trusted_proxies: Vec<String>,
}

/// `[database]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DatabaseConfig {
    pub url: Secret,
    pub max_connections: u32,
    pub migrate_on_start: bool,
}

impl Config {
    /// The database URL to connect to: the configured one, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            let path = self.data_dir.join("declic.db");
            format!("sqlite://{}?mode=rwc", path.display())
        } else {
            self.database.url.expose().to_owned()
        }
    }
}

/// `[security]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SecurityConfig {
    pub secret_key: Secret,
    pub session_hours: u32,
    pub api_token_days: u32,
    pub sign_in_link_minutes: u32,
    /// Seconds an address waits after the 4th failed password in a row (doubling after each further one).
    pub sign_in_slowdown_secs: u32,
    /// Minutes an address is locked after 10 failed passwords in a row.
    pub sign_in_lockout_minutes: u32,
}

/// `[registration]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RegistrationConfig {
    pub confirm_link_hours: u32,
    /// Minutes someone from the waitlist has to claim a freed seat (at least 15).
    pub claim_window_minutes: u32,
    pub referral_window_days: u32,
    pub ambassador_link_minutes: u32,
    pub ambassador_session_hours: u32,
}

/// `[limits]`: rate limits of public routes.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LimitsConfig {
    pub public_per_minute: u32,
    pub public_burst: u32,
    pub sign_in_per_minute: u32,
    pub sign_in_burst: u32,
    pub per_email_per_hour: u32,
}

/// `[delivery]`: how campaign messages leave the delivery queue.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DeliveryConfig {
    pub batch_size: u32,
    pub lease_secs: u64,
    pub mail_concurrency: u32,
    pub mail_per_second: u32,
    pub webhook_concurrency: u32,
    pub max_attempts: u32,
    pub retry_first_secs: u64,
    pub retry_max_secs: u64,
}

/// `[webhooks]`: where Slack and Teams posts may go (checked when a webhook is saved
/// and at every send).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct WebhooksConfig {
    /// Host names, exact or `*.domain` for any subdomain.
    pub allowed_hosts: Vec<String>,
    /// Any other host too (public addresses only).
    pub allow_other_hosts: bool,
    /// Private, loopback and link-local addresses, and plain http to them.
    pub allow_private_addresses: bool,
}

/// `[retention]`: how long each kind of data is kept (`declic retention run`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RetentionConfig {
    /// Days a sent (or failed, withheld) message keeps its recipient's address.
    pub message_history_days: u32,
    /// Days after leaving the directory before a person's data is erased.
    pub departed_employee_days: u32,
    /// Days an entry of the audit log is kept.
    pub audit_log_days: u32,
    /// Days a revoked or expired API token, console link or ambassador link is kept.
    pub revoked_credentials_days: u32,
    /// Days the daily visit counts of campaign links are kept.
    pub visit_counts_days: u32,
    /// Days after a survey wave closes before its invitations (who was asked, who
    /// answered) and its comments go; scores and choices stay as no one's.
    pub survey_days: u32,
}

/// `[mail]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MailConfig {
    pub transport: MailTransport,
    pub from: String,
    pub message_id_domain: String,
    pub smtp: SmtpConfig,
    pub dkim: DkimConfig,
}

/// `[mail.dkim]`: optional DKIM signing.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DkimConfig {
    pub domain: String,
    pub selector: String,
    pub private_key_file: String,
}

/// Where mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    Outbox,
    Smtp,
}

/// `[mail.smtp]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub password: Secret,
    pub pool_size: u32,
    pub timeout_secs: u64,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    Starttls,
    Tls,
    None,
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LogConfig {
    pub format: LogFormat,
    pub level: String,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}
