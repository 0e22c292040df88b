//! The two ways out: an SMTP connection pool, or .eml files in a folder.
//!
//! Plain and STARTTLS connections go through our own small pool of lettre
//! connections, opened on sockets with `TCP_NODELAY`. lettre 0.11.23 leaves
//! Nagle's algorithm on: the five-byte end of every message then waits for the
//! server's delayed ACK, 40 ms per message per connection (fixed upstream in
//! lettre#1159, not released yet). Implicit TLS (port 465) still goes through
//! lettre's own transport and pays that delay until the fix ships.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::extension::{ClientId, Extension};
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{MailError, SendError, SmtpTls, TransportSettings};
use crate::mail::error::classify;

pub(crate) enum Transport {
    Outbox(PathBuf),
    Smtp(Box<Smtp>),
}

pub(crate) enum Smtp {
    /// Plain or STARTTLS: our pool, no Nagle delay.
    Pooled(Pool),
    /// Implicit TLS: lettre's transport.
    Lettre {
        builder: AsyncSmtpTransportBuilder,
        // Built on first use: lettre's pool spawns its clean-up task on the Tokio runtime,
        // which may not be running yet when the mailer is made from the configuration.
        transport: OnceLock<AsyncSmtpTransport<Tokio1Executor>>,
    },
}

/// Idle connections older than this are closed rather than reused (servers
/// drop idle clients after a few minutes; postfix after 300 s).
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Up to `size` SMTP connections, reused one message after another.
pub(crate) struct Pool {
    host: String,
    port: u16,
    starttls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
    permits: tokio::sync::Semaphore,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    /// What the server said of 8BITMIME: [`UNKNOWN`], [`EIGHT_BIT`] or [`SEVEN_BIT`].
    eight_bit: AtomicU8,
}

const UNKNOWN: u8 = 0;
const EIGHT_BIT: u8 = 1;
const SEVEN_BIT: u8 = 2;

/// The message needs 8BITMIME and this server does not offer it: build it again in 7 bits.
pub(crate) const NEEDS_SEVEN_BIT: &str = "the SMTP server does not accept 8-bit messages";

impl Pool {
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let unreachable =
            |e: std::io::Error| SendError::Temporary(format!("cannot reach the SMTP server: {e}"));
        let tcp = tokio::time::timeout(
            self.timeout,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| SendError::Temporary("connecting to the SMTP server timed out".into()))?
        .map_err(unreachable)?;
        tcp.set_nodelay(true).map_err(unreachable)?;
        let setup = async {
            let mut conn =
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?;
            if let Some(tls) = &self.starttls {
                conn.starttls(tls.clone(), &self.hello).await?;
            }
            if let Some(c) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], c).await?;
            }
            Ok::<_, lettre::transport::smtp::Error>(conn)
        };
        match tokio::time::timeout(self.timeout, setup).await {
            Ok(r) => r.map_err(|e| classify(&e)),
            Err(_) => Err(SendError::Temporary(
                "the SMTP server did not answer in time".into(),
            )),
        }
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while let Some((conn, since)) = idle.pop() {
            if since.elapsed() < MAX_IDLE {
                return Some(conn);
            }
        }
        None
    }

    async fn send(&self, message: &Message) -> Result<(), SendError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| SendError::Temporary("the mailer is shutting down".into()))?;
        let envelope = message.envelope();
        let bytes = message.formatted();
        let mut reused = self.take_idle();
        loop {
            let was_reused = reused.is_some();
            let mut conn = match reused.take() {
                Some(c) => c,
                None => self.connect().await?,
            };
            let offers = conn.server_info().supports_feature(Extension::EightBitMime);
            self.eight_bit.store(
                if offers { EIGHT_BIT } else { SEVEN_BIT },
                Ordering::Relaxed,
            );
            if !offers && !bytes.is_ascii() {
                self.idle
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((conn, Instant::now()));
                return Err(SendError::Temporary(NEEDS_SEVEN_BIT.into()));
            }
            match tokio::time::timeout(self.timeout, conn.send(envelope, &bytes)).await {
                Ok(Ok(_)) => {
                    self.idle
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((conn, Instant::now()));
                    return Ok(());
                }
                // A connection kept idle may have been closed by the server: try
                // once more on a new one unless the server answered with a code.
                Ok(Err(e)) if was_reused && !e.is_transient() && !e.is_permanent() => {}
                Ok(Err(e)) => return Err(classify(&e)),
                Err(_) => {
                    return Err(SendError::Temporary(
                        "the SMTP server did not answer in time".into(),
                    ));
                }
            }
        }
    }
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
                let username = username.filter(|u| !u.is_empty());
                let password = password.filter(|p| !p.is_empty());
                let credentials = match (username, password) {
                    (Some(user), Some(password)) => Some(Credentials::new(user, password)),
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
                    (None, None) => None,
                };
                let tls = match tls {
                    SmtpTls::Starttls => Tls::Required(tls_parameters()?),
                    SmtpTls::Tls => Tls::Wrapper(tls_parameters()?),
                    SmtpTls::None => Tls::None,
                };
                let starttls = match &tls {
                    Tls::Required(p) => Some(p.clone()),
                    Tls::None => None,
                    _ => {
                        return Ok(Transport::Smtp(Box::new(Smtp::Lettre {
                            builder: lettre_builder(
                                host,
                                port,
                                tls,
                                timeout,
                                pool_size,
                                credentials,
                            ),
                            transport: OnceLock::new(),
                        })));
                    }
                };
                Ok(Transport::Smtp(Box::new(Smtp::Pooled(Pool {
                    host,
                    port,
                    starttls,
                    credentials,
                    timeout,
                    hello: ClientId::default(),
                    permits: tokio::sync::Semaphore::new(pool_size as usize),
                    idle: Mutex::new(Vec::new()),
                    eight_bit: AtomicU8::new(UNKNOWN),
                }))))
            }
        }
    }

    /// Whether bodies may go as 8-bit text (no quoted-printable): an outbox file always,
    /// an SMTP server once one of its connections said it offers 8BITMIME (RFC 6152).
    pub(crate) fn eight_bit(&self) -> bool {
        match self {
            Transport::Outbox(_) => true,
            Transport::Smtp(smtp) => match smtp.as_ref() {
                Smtp::Pooled(pool) => pool.eight_bit.load(Ordering::Relaxed) == EIGHT_BIT,
                Smtp::Lettre { .. } => false,
            },
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
            Transport::Smtp(smtp) => match smtp.as_ref() {
                Smtp::Pooled(pool) => pool.send(message).await,
                Smtp::Lettre { builder, transport } => {
                    let transport =
                        transport.get_or_init(|| builder.clone().build::<Tokio1Executor>());
                    transport.send(message.clone()).await?;
                    Ok(())
                }
            },
        }
    }
}

/// lettre's own transport, for implicit TLS.
fn lettre_builder(
    host: String,
    port: u16,
    tls: Tls,
    timeout: Duration,
    pool_size: u32,
    credentials: Option<Credentials>,
) -> AsyncSmtpTransportBuilder {
    // builder_dangerous is lettre's name for "configure everything yourself";
    // TLS is set just below from the settings.
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .tls(tls)
        .timeout(Some(timeout))
        .pool_config(PoolConfig::new().max_size(pool_size));
    if let Some(c) = credentials {
        builder = builder.credentials(c);
    }
    builder
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
