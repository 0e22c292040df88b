//! Mail errors: bad settings at start-up, and send failures sorted by whether a retry can help.

use lettre::transport::smtp;

/// The mailer cannot be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// `mail.from` is not a mailbox such as `Declic <no-reply@example.org>`.
    #[error("mail.from: {value:?} is not a valid sender address: {reason}")]
    From {
        /// The configured value.
        value: String,
        /// What the parser said.
        reason: String,
    },
    /// A setting has a value the mailer cannot use.
    #[error("{setting}: {reason}")]
    Config {
        /// The configuration key, e.g. `mail.smtp.host`.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// A message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: SMTP 4xx, connection refused or lost, timeout, full disk.
    #[error("temporary mail failure: {0}")]
    Temporary(String),
    /// Retrying cannot help: SMTP 5xx, invalid recipient address, unbuildable message.
    #[error("permanent mail failure: {0}")]
    Permanent(String),
}

impl SendError {
    /// Whether a retry later may succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(self, SendError::Temporary(_))
    }
}

impl From<smtp::Error> for SendError {
    fn from(err: smtp::Error) -> Self {
        classify(&err)
    }
}

/// Sorts an SMTP client error: only a 5xx reply is final, everything else may pass later.
pub(crate) fn classify(err: &smtp::Error) -> SendError {
    // Display already carries the reply code and the server's text.
    let text = err.to_string();
    if err.is_permanent() {
        SendError::Permanent(text)
    } else {
        // 4xx replies, but also connection, timeout and TLS errors: the server may come
        // back, or its configuration may be fixed, so the message stays queued.
        SendError::Temporary(text)
    }
}
