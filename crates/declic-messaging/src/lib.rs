//! Multi-channel messaging: templates, mail (SMTP or local outbox), Slack/Teams webhooks, posters.
//!
//! - [`templates`]: the bilingual message texts under `templates/mail/`, compiled in.
//! - [`mail`]: builds RFC 5322 messages and hands them to SMTP or to a local outbox folder.
//! - [`mod@ics`]: RFC 5545 calendar invitations attached to seat confirmations.
//! - [`posters`]: printable campaign posters and ambassador flyers (PDF) with QR codes.
//! - [`webhooks`]: campaign announcements to Slack and Microsoft Teams channels.
//! - [`policy`]: whether a queued message may go now (opt-outs, erasure, expired links).

pub mod ics;
pub mod mail;
mod oneline;
pub mod policy;
pub mod posters;
pub mod templates;
pub mod webhooks;

pub use ics::{IcsError, IcsEvent, IcsMethod, ics};
pub use mail::{
    Attachment, DkimSettings, MailError, Mailer, MailerSettings, OutgoingMail, SendError, SmtpTls,
    TransportSettings,
};
pub use templates::{
    Lang, MessageKind, MessageTemplates, Rendered, TemplateError, sample_data, sample_data_for,
};
pub use webhooks::{
    OutboundPolicy, WebhookMessage, WebhookOutcome, WebhookPlatform, WebhookSender, WebhookUrl,
};
