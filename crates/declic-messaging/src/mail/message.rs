//! Turns an [`OutgoingMail`] into an RFC 5322 message.
//!
//! Layout, the one calendar clients recognise best (it is what Google Calendar sends):
//!
//! ```text
//! multipart/mixed                       (only when there are attachments)
//! ├── multipart/alternative
//! │   ├── text/plain
//! │   ├── text/html
//! │   └── text/calendar; method=…       (the invitation, when one is attached)
//! └── invite.ics                        (each attachment)
//! ```

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Body, Mailbox, MultiPart, SinglePart};

use super::{Attachment, OutgoingMail, SendError};
use crate::oneline::one_line;

const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");

/// Builds the message with its Message-ID `<id>`.
pub(crate) fn build(from: &Mailbox, id: &str, mail: &OutgoingMail) -> Result<Message, SendError> {
    let address = mail.to.trim().parse().map_err(|err| {
        SendError::Permanent(format!("invalid recipient address {:?}: {err}", mail.to))
    })?;
    let name = mail
        .to_name
        .as_deref()
        .map(one_line)
        .filter(|name| !name.is_empty());
    let mut builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(name, address))
        .subject(one_line(&mail.subject))
        .message_id(Some(format!("<{id}>")))
        .date_now();
    if let Some(url) = &mail.list_unsubscribe {
        let url = unsubscribe_url(url)?;
        builder = builder
            .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{url}>")))
            .raw_header(HeaderValue::new(
                LIST_UNSUBSCRIBE_POST,
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }

    let mut alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(mail.text.clone()))
        .singlepart(SinglePart::html(mail.html.clone()));
    for calendar in mail.attachments.iter().filter(|a| a.is_calendar()) {
        alternative = alternative.singlepart(
            SinglePart::builder()
                .content_type(content_type(calendar)?)
                .body(body(calendar)),
        );
    }
    let result = if mail.attachments.is_empty() {
        builder.multipart(alternative)
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for attachment in &mail.attachments {
            mixed = mixed.singlepart(
                MimeAttachment::new(one_line(&attachment.filename))
                    .body(body(attachment), content_type(attachment)?),
            );
        }
        builder.multipart(mixed)
    };
    result.map_err(|err| SendError::Permanent(format!("cannot build the message: {err}")))
}

/// RFC 8058 wants an HTTPS URL; anything else in the header would be a bug upstream.
fn unsubscribe_url(url: &str) -> Result<&str, SendError> {
    let url = url.trim();
    let valid = url.len() > "https://".len()
        && url
            .get(.."https://".len())
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    if valid {
        Ok(url)
    } else {
        Err(SendError::Permanent(format!(
            "List-Unsubscribe must be an https URL, got {url:?}"
        )))
    }
}

fn content_type(attachment: &Attachment) -> Result<ContentType, SendError> {
    ContentType::parse(&attachment.content_type).map_err(|err| {
        SendError::Permanent(format!(
            "attachment {:?} has an invalid content type {:?}: {err}",
            attachment.filename, attachment.content_type
        ))
    })
}

/// Text stays readable on the wire (7bit or quoted-printable); other bytes go as base64.
fn body(attachment: &Attachment) -> Body {
    match std::str::from_utf8(&attachment.body) {
        Ok(text) if attachment.content_type.trim_start().starts_with("text/") => {
            Body::new(text.to_owned())
        }
        _ => Body::new(attachment.body.clone()),
    }
}
