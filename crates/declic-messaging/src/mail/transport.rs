//! The two ways out: an SMTP connection pool, or .eml files in a folder.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{MailError, SendError, SmtpTls, TransportSettings};

pub(crate) enum Transport {
    Outbox(PathBuf),
    Smtp(Smtp),
}

pub(crate) struct Smtp {
    builder: AsyncSmtpTransportBuilder,
    // Built on first use: lettre's pool spawns its clean-up task on the Tokio runtime,
    // which may not be running yet when the mailer is made from the configuration.
    transport: OnceLock<AsyncSmtpTransport<Tokio1Executor>>,
}

impl Transport {
    pub(crate) fn new(settings: TransportSettings) -> Result<Self, MailError> {
        match settings {
            TransportSettings::Outbox { dir } => Ok(Transport::Outbox(dir)),
            TransportSettings::Smtp {
                host,
                port,
                tls,
                username,
                password,
                pool_size,
                timeout,
            } => {
                let host = host.trim().to_owned();
                if host.is_empty() {
                    return Err(config("mail.smtp.host", "no SMTP host is set".to_owned()));
                }
                if port == 0 {
                    return Err(config("mail.smtp.port", "port 0 cannot be used".to_owned()));
                }
                if pool_size == 0 {
                    return Err(config(
                        "mail.smtp.pool_size",
                        "at least one connection is needed".to_owned(),
                    ));
                }
                if timeout.is_zero() {
                    return Err(config(
                        "mail.smtp.timeout_secs",
                        "must be more than zero".to_owned(),
                    ));
                }
                let tls_parameters = || {
                    TlsParameters::new(host.clone())
                        .map_err(|err| config("mail.smtp.tls", format!("cannot set up TLS: {err}")))
                };
                let tls = match tls {
                    SmtpTls::Starttls => Tls::Required(tls_parameters()?),
                    SmtpTls::Tls => Tls::Wrapper(tls_parameters()?),
                    SmtpTls::None => Tls::None,
                };
                // builder_dangerous is lettre's name for "configure everything yourself";
                // TLS is set just below from the settings.
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(port)
                    .tls(tls)
                    .timeout(Some(timeout))
                    .pool_config(PoolConfig::new().max_size(pool_size));
                let username = username.filter(|u| !u.is_empty());
                let password = password.filter(|p| !p.is_empty());
                match (username, password) {
                    (Some(user), Some(password)) => {
                        builder = builder.credentials(Credentials::new(user, password));
                    }
                    (Some(_), None) => {
                        return Err(config(
                            "mail.smtp.password",
                            "required when mail.smtp.username is set".to_owned(),
                        ));
                    }
                    (None, Some(_)) => {
                        return Err(config(
                            "mail.smtp.username",
                            "a password is set but no username".to_owned(),
                        ));
                    }
                    (None, None) => {}
                }
                Ok(Transport::Smtp(Smtp {
                    builder,
                    transport: OnceLock::new(),
                }))
            }
        }
    }

    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Transport::Outbox(_) => "outbox",
            Transport::Smtp(_) => "smtp",
        }
    }

    pub(crate) async fn send(&self, id: &str, message: &Message) -> Result<(), SendError> {
        match self {
            Transport::Outbox(dir) => write_eml(dir, id, &message.formatted()).await,
            Transport::Smtp(smtp) => {
                let transport = smtp
                    .transport
                    .get_or_init(|| smtp.builder.clone().build::<Tokio1Executor>());
                transport.send(message.clone()).await?;
                Ok(())
            }
        }
    }
}

fn config(setting: &'static str, reason: String) -> MailError {
    MailError::Config { setting, reason }
}

/// Writes `<id>.eml` whole or not at all: a reader of the folder never sees half a message.
async fn write_eml(dir: &Path, id: &str, bytes: &[u8]) -> Result<(), SendError> {
    let io = |what: &str, err: std::io::Error| {
        // A full disk or a missing mount may be fixed; a retry is the right answer.
        SendError::Temporary(format!("outbox {}: {what}: {err}", dir.display()))
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|err| io("cannot create the folder", err))?;
    let final_path = dir.join(format!("{id}.eml"));
    let partial_path = dir.join(format!(".{id}.eml.partial"));
    tokio::fs::write(&partial_path, bytes)
        .await
        .map_err(|err| io("cannot write the message", err))?;
    tokio::fs::rename(&partial_path, &final_path)
        .await
        .map_err(|err| io("cannot move the message in place", err))
}
