//! The mailer and the message texts the delivery worker sends with.

use declic_config::{Config, MailTransport, SmtpTls as CfgTls};
use declic_messaging::templates::MessageTemplates;
use declic_messaging::{
    Mailer, MailerSettings, OutgoingMail, SendError, SmtpTls, TransportSettings,
};

use crate::App;

/// The mailer and the message texts.
pub struct Notifier {
    pub mailer: Mailer,
    templates: MessageTemplates,
}

impl Notifier {
    /// Builds the mailer from `[mail]`: the outbox folder by default, SMTP when configured.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let transport = match config.mail.transport {
            MailTransport::Outbox => TransportSettings::Outbox {
                dir: config.data_dir.join("outbox"),
            },
            MailTransport::Smtp => {
                let s = &config.mail.smtp;
                TransportSettings::Smtp {
                    host: s.host.clone(),
                    port: s.port,
                    tls: match s.tls {
                        CfgTls::Starttls => SmtpTls::Starttls,
                        CfgTls::Tls => SmtpTls::Tls,
                        CfgTls::None => SmtpTls::None,
                    },
                    username: (!s.username.is_empty()).then(|| s.username.clone()),
                    password: (!s.password.is_empty()).then(|| s.password.expose().to_owned()),
                    pool_size: s.pool_size,
                    timeout: std::time::Duration::from_secs(s.timeout_secs),
                }
            }
        };
        let d = &config.mail.dkim;
        let dkim = if d.selector.trim().is_empty() {
            None
        } else {
            let key = std::fs::read_to_string(&d.private_key_file).map_err(|e| {
                format!(
                    "mail.dkim.private_key_file: cannot read {:?}: {e}",
                    d.private_key_file
                )
            })?;
            Some(declic_messaging::DkimSettings {
                domain: d.domain.clone(),
                selector: d.selector.clone(),
                private_key: key,
            })
        };
        let mailer = Mailer::new(MailerSettings {
            from: config.mail.from.clone(),
            message_id_domain: config.mail.message_id_domain.clone(),
            transport,
            dkim,
        })
        .map_err(|e| e.to_string())?;
        let templates = MessageTemplates::load().map_err(|e| e.to_string())?;
        Ok(Self { mailer, templates })
    }

    /// The message templates.
    pub fn templates(&self) -> &MessageTemplates {
        &self.templates
    }
}

/// Sends one mail: the delivery worker's only way to the mail server (both lanes).
/// Every send's time and result feed the relay's health.
pub async fn send(state: &App, mail: &OutgoingMail) -> Result<String, SendError> {
    let started = std::time::Instant::now();
    let sent = state.notifier.mailer.send(mail).await;
    crate::relay::observe(state, started.elapsed(), &sent).await;
    sent
}
