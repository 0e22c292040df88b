//! Outgoing mail: one [`Mailer`] per process, sending through SMTP or into a local outbox folder.

mod error;
pub mod health;
mod message;
mod transport;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;

pub use error::{MailError, SendError};

use crate::ics::IcsMethod;
use transport::Transport;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which is required (no silent downgrade).
    Starttls,
    /// Implicit TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a test server.
    None,
}

/// Where messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportSettings {
    /// Each message written as an .eml file (RFC 5322, what would go on the wire) into `dir`.
    Outbox {
        /// Folder of the .eml files, created when missing.
        dir: PathBuf,
    },
    /// Sent through an SMTP server, over a pool of connections.
    Smtp {
        /// Server host name (also the name checked against its TLS certificate).
        host: String,
        /// Server port.
        port: u16,
        /// How the connection is secured.
        tls: SmtpTls,
        /// Login, when the server wants one.
        username: Option<String>,
        /// Password that goes with `username`.
        password: Option<String>,
        /// Connections kept open for reuse.
        pool_size: u32,
        /// Timeout of each SMTP command, connection included.
        timeout: Duration,
    },
}

/// Everything a [`Mailer`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailerSettings {
    /// The From header, e.g. `Declic <no-reply@example.org>`.
    pub from: String,
    /// Right-hand side of every Message-ID.
    pub message_id_domain: String,
    /// Where messages go.
    pub transport: TransportSettings,
    /// DKIM signing, when the domain publishes a key.
    pub dkim: Option<DkimSettings>,
}

/// DKIM signing (RFC 6376): the signature covers From, To, Subject, Date, Message-ID and
/// the List-Unsubscribe headers, so a relay cannot alter the unsubscribe link unseen.
#[derive(Clone, PartialEq, Eq)]
pub struct DkimSettings {
    /// The `d=` domain, usually the From address's.
    pub domain: String,
    /// The `s=` selector: the key is published at `<selector>._domainkey.<domain>`.
    pub selector: String,
    /// An RSA private key in PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), or an
    /// Ed25519 key as base64 of its 32 bytes.
    pub private_key: String,
}

impl std::fmt::Debug for DkimSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimSettings")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

fn dkim_config(d: &DkimSettings) -> Result<DkimConfig, MailError> {
    let key = d.private_key.trim();
    let signing = if key.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
        DkimSigningKey::new(key, DkimSigningAlgorithm::Rsa)
    } else {
        DkimSigningKey::new(key, DkimSigningAlgorithm::Ed25519)
    }
    .map_err(|_| MailError::Config {
        setting: "mail.dkim.private_key_file",
        reason: "not an RSA key in PKCS#1 PEM (BEGIN RSA PRIVATE KEY) nor a base64 Ed25519 key"
            .into(),
    })?;
    if d.selector.trim().is_empty() || d.domain.trim().is_empty() {
        return Err(MailError::Config {
            setting: "mail.dkim",
            reason: "domain and selector are both required".into(),
        });
    }
    let headers = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    ]
    .into_iter()
    .map(HeaderName::new_from_ascii_str)
    .collect();
    Ok(DkimConfig::new(
        d.selector.trim().to_owned(),
        d.domain.trim().to_owned(),
        signing,
        headers,
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    ))
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name shown to the recipient.
    pub filename: String,
    /// Full MIME type with parameters, e.g. `text/calendar; method=REQUEST; charset=utf-8`.
    pub content_type: String,
    /// File content.
    pub body: Vec<u8>,
}

impl Attachment {
    /// The calendar invitation (`invite.ics`) for an iCalendar text made by [`crate::ics()`].
    pub fn calendar(ics: String, method: IcsMethod) -> Self {
        Self {
            filename: "invite.ics".to_owned(),
            content_type: format!("text/calendar; method={}; charset=utf-8", method.as_str()),
            body: ics.into_bytes(),
        }
    }

    /// Whether this is an iCalendar object, which mail clients also want as an alternative part.
    pub(crate) fn is_calendar(&self) -> bool {
        self.content_type
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("text/calendar")
    }
}

/// One message to one person, already rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Recipient address.
    pub to: String,
    /// Recipient display name, any script.
    pub to_name: Option<String>,
    /// Subject, one line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// Attached files (a calendar invitation, usually).
    pub attachments: Vec<Attachment>,
    /// Unsubscribe URL: adds `List-Unsubscribe`, and `List-Unsubscribe-Post` (RFC 8058
    /// one-click) when it is https.
    pub list_unsubscribe: Option<String>,
}

/// Sends [`OutgoingMail`]; cheap to clone, all clones share one connection pool.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    from: Mailbox,
    message_id_domain: String,
    transport: Transport,
    dkim: Option<DkimConfig>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Hand-written so that the SMTP password can never end up in a log line.
        f.debug_struct("Mailer")
            .field("from", &self.inner.from.to_string())
            .field("transport", &self.inner.transport.describe())
            .finish()
    }
}

impl Mailer {
    /// Checks the settings; SMTP connections are opened on the first send, inside the runtime.
    pub fn new(settings: MailerSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = settings
            .from
            .trim()
            .parse()
            .map_err(|err| MailError::From {
                value: settings.from.clone(),
                reason: format!("{err}"),
            })?;
        let domain = settings.message_id_domain.trim();
        if domain.is_empty()
            || !domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        {
            return Err(MailError::Config {
                setting: "mail.message_id_domain",
                reason: format!("{domain:?} is not a domain name (letters, digits, dots, dashes)"),
            });
        }
        let dkim = settings.dkim.as_ref().map(dkim_config).transpose()?;
        let transport = Transport::new(settings.transport)?;
        Ok(Mailer {
            inner: Arc::new(Inner {
                from,
                message_id_domain: domain.to_owned(),
                transport,
                dkim,
            }),
        })
    }

    async fn send_built(
        &self,
        id: &str,
        mail: &OutgoingMail,
        eight_bit: bool,
    ) -> Result<(), SendError> {
        let mut message = message::build(&self.inner.from, id, mail, eight_bit)?;
        if let Some(dkim) = &self.inner.dkim {
            message.sign(dkim);
        }
        self.inner.transport.send(id, &message).await
    }

    /// Sends one message and returns its Message-ID (without the angle brackets).
    pub async fn send(&self, mail: &OutgoingMail) -> Result<String, SendError> {
        let id = format!("{}@{}", uuid::Uuid::new_v4(), self.inner.message_id_domain);
        let eight_bit = self.inner.transport.eight_bit();
        let sent = self.send_built(&id, mail, eight_bit).await;
        match sent {
            // The server turned out not to take 8-bit text: the same message in 7 bits.
            Err(SendError::Temporary(e)) if eight_bit && e == transport::NEEDS_SEVEN_BIT => {
                self.send_built(&id, mail, false).await?;
            }
            other => other?,
        }
        tracing::debug!(message_id = %id, transport = self.inner.transport.describe(), "mail sent");
        Ok(id)
    }
}
