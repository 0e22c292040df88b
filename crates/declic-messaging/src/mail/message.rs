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
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Body, Mailbox, MultiPart, SinglePart};

use super::{Attachment, OutgoingMail, SendError};
use crate::oneline::one_line;

const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");

/// Builds the message with its Message-ID `<id>`. With `eight_bit` (the server takes
/// 8BITMIME) the text and HTML go as they are, lines permitting, instead of
/// quoted-printable: readable on the wire, and the encoding was most of the cost of
/// building a message.
pub(crate) fn build(
    from: &Mailbox,
    id: &str,
    mail: &OutgoingMail,
    eight_bit: bool,
) -> Result<Message, SendError> {
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
        let (url, https) = unsubscribe_url(url)?;
        builder = builder.raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{url}>")));
        // One-click unsubscribing (RFC 8058) is for https links only; over http the
        // header still shows the reader's mail program where to unsubscribe (RFC 2369).
        if https {
            builder = builder.raw_header(HeaderValue::new(
                LIST_UNSUBSCRIBE_POST,
                "List-Unsubscribe=One-Click".to_owned(),
            ));
        }
    }

    let mut alternative = MultiPart::alternative()
        .singlepart(text_part(ContentType::TEXT_PLAIN, &mail.text, eight_bit))
        .singlepart(text_part(ContentType::TEXT_HTML, &mail.html, eight_bit));
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

/// A text part, 8-bit when allowed and its lines fit SMTP's limit, else lettre's choice
/// (7bit or quoted-printable). lettre only picks 8bit for lines under 76 characters,
/// which no paragraph of a mail meets; RFC 5322 allows 998 octets.
fn text_part(content_type: ContentType, text: &str, eight_bit: bool) -> SinglePart {
    let body = match eight_bit.then(|| eight_bit_body(text)).flatten() {
        Some(body) => body,
        None => Body::new(text.to_owned()),
    };
    SinglePart::builder().header(content_type).body(body)
}

/// `text` with CRLF line endings as an 8-bit body, or `None` when a line is longer than
/// 998 octets or the text holds a NUL or a lone CR.
fn eight_bit_body(text: &str) -> Option<Body> {
    let mut out = String::with_capacity(text.len() + text.len() / 40);
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.len() > 998 || line.contains(['\0', '\r']) {
            return None;
        }
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(line);
    }
    let encoding = if out.is_ascii() {
        ContentTransferEncoding::SevenBit
    } else {
        ContentTransferEncoding::EightBit
    };
    Some(Body::dangerous_pre_encoded(out.into_bytes(), encoding))
}

/// The unsubscribe URL and whether it is https (RFC 8058's one-click needs it); a URL
/// that is neither http nor https would be a bug upstream.
fn unsubscribe_url(url: &str) -> Result<(&str, bool), SendError> {
    let url = url.trim();
    let scheme_is = |scheme: &str| {
        url.len() > scheme.len()
            && url
                .get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    };
    let https = scheme_is("https://");
    let valid = (https || scheme_is("http://"))
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    if valid {
        Ok((url, https))
    } else {
        Err(SendError::Permanent(format!(
            "List-Unsubscribe must be an http(s) URL, got {url:?}"
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod eight_bit_tests {
    use super::eight_bit_body;

    #[test]
    fn lines_end_in_crlf_and_long_lines_fall_back() {
        let body = eight_bit_body("Élodie\nest là\r\n").unwrap();
        assert_eq!(body.as_ref(), "Élodie\r\nest là\r\n".as_bytes());
        assert_eq!(
            body.encoding(),
            lettre::message::header::ContentTransferEncoding::EightBit
        );
        assert!(
            eight_bit_body(&"é".repeat(500)).is_none(),
            "1000 octets on one line"
        );
        assert!(eight_bit_body("a\rb").is_none(), "a lone CR");
        let ascii = eight_bit_body("plain").unwrap();
        assert_eq!(
            ascii.encoding(),
            lettre::message::header::ContentTransferEncoding::SevenBit
        );
    }
}
