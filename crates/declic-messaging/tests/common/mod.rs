//! Shared by the outbox, SMTP and DKIM tests: a realistic invitation mail and the checks on
//! the message as received.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

use chrono::{NaiveDate, TimeZone, Utc};
use declic_messaging::{
    Attachment, IcsEvent, IcsMethod, Lang, MailerSettings, MessageKind, MessageTemplates,
    OutgoingMail, TransportSettings, ics, sample_data,
};
use mail_parser::{MessageParser, MimeHeaders};

/// Sender, with an accent so that its encoding is checked too.
pub const FROM: &str = "Déclic <no-reply@declic.test>";
/// Message-ID domain.
pub const DOMAIN: &str = "declic.test";
/// One-click unsubscribe URL.
pub const UNSUBSCRIBE: &str = "https://declic.example.org/unsubscribe/Zk3mR8";

pub fn settings(transport: TransportSettings) -> MailerSettings {
    MailerSettings {
        from: FROM.to_owned(),
        message_id_domain: DOMAIN.to_owned(),
        transport,
        dkim: None,
    }
}

/// A seat confirmation rendered from the real templates, with its invitation attached.
pub fn invitation(to: &str, to_name: &str) -> OutgoingMail {
    let templates = MessageTemplates::load().expect("templates compile");
    let mut data = sample_data(MessageKind::SeatConfirmed);
    data["first_name"] = to_name.split(' ').next().unwrap_or_default().into();
    let rendered = templates
        .render(MessageKind::SeatConfirmed, Lang::Fr, &data)
        .expect("sample data renders");
    let day = NaiveDate::from_ymd_opt(2025, 3, 27).expect("valid date");
    let event = IcsEvent {
        uid: format!("seat-{to}@{DOMAIN}"),
        sequence: 0,
        method: IcsMethod::Request,
        summary: "Revoir le plan de trésorerie d’une épicerie solidaire".to_owned(),
        description: "Avec l’Épicerie Solidaire du Faubourg.\nMerci !".to_owned(),
        location: Some("12 rue des Vinaigriers, 75010 Paris".to_owned()),
        url: Some("https://declic.example.org/me/8Zq3kW1xPv".to_owned()),
        starts_at: day.and_hms_opt(9, 30, 0).expect("valid time"),
        ends_at: day.and_hms_opt(12, 30, 0).expect("valid time"),
        time_zone: "Europe/Paris".to_owned(),
        organizer_email: "no-reply@declic.test".to_owned(),
        organizer_name: Some("Déclic".to_owned()),
        attendee_email: to.to_owned(),
        attendee_name: Some(to_name.to_owned()),
        stamp: Utc
            .with_ymd_and_hms(2025, 3, 1, 8, 0, 0)
            .single()
            .expect("valid"),
    };
    let calendar = ics(&event).expect("valid event");
    OutgoingMail {
        to: to.to_owned(),
        to_name: Some(to_name.to_owned()),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attachments: vec![Attachment::calendar(calendar, IcsMethod::Request)],
        list_unsubscribe: Some(UNSUBSCRIBE.to_owned()),
    }
}

/// Line endings may change on the way (a Maildir stores LF); the content may not.
fn normalized(text: &str) -> String {
    text.replace("\r\n", "\n").trim_end().to_owned()
}

/// Parses a received message and checks it carries `mail` unchanged, under Message-ID `id`.
pub fn check_received(raw: &[u8], id: &str, mail: &OutgoingMail) {
    let msg = MessageParser::default()
        .parse(raw)
        .expect("parsable message");

    let from = msg.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.name(), Some("Déclic"));
    assert_eq!(from.address(), Some("no-reply@declic.test"));
    let to = msg.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.name(), mail.to_name.as_deref());
    assert_eq!(to.address(), Some(mail.to.as_str()));
    assert_eq!(msg.subject(), Some(mail.subject.as_str()));
    assert_eq!(msg.message_id(), Some(id));
    assert!(id.ends_with(&format!("@{DOMAIN}")), "{id}");
    assert!(msg.date().is_some(), "Date header");

    let text = msg.body_text(0).expect("text part");
    assert_eq!(normalized(&text), normalized(&mail.text));
    let html = msg.body_html(0).expect("html part");
    assert_eq!(normalized(&html), normalized(&mail.html));

    let expected = &mail.attachments[0];
    let attachment = msg
        .attachments()
        .find(|p| p.attachment_name() == Some("invite.ics"))
        .expect("invite.ics attached");
    let ct = attachment.content_type().expect("content type");
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("calendar")));
    assert_eq!(ct.attribute("method"), Some("REQUEST"));
    let body = std::str::from_utf8(attachment.contents()).expect("UTF-8 calendar");
    let sent = std::str::from_utf8(&expected.body).expect("UTF-8 calendar");
    assert_eq!(normalized(body), normalized(sent));

    // The invitation is also an alternative to the text and HTML, for calendar clients.
    let calendar_parts = msg
        .parts
        .iter()
        .filter(|p| p.is_content_type("text", "calendar"))
        .count();
    assert_eq!(calendar_parts, 2, "one alternative part and one attachment");
    let raw_text = String::from_utf8_lossy(raw);
    assert!(raw_text.contains("multipart/mixed"));
    assert!(raw_text.contains("multipart/alternative"));

    match &mail.list_unsubscribe {
        Some(url) => {
            let header = msg
                .header_raw("List-Unsubscribe")
                .expect("List-Unsubscribe");
            assert_eq!(header.trim(), format!("<{url}>"));
            let post = msg
                .header_raw("List-Unsubscribe-Post")
                .expect("List-Unsubscribe-Post");
            assert_eq!(post.trim(), "List-Unsubscribe=One-Click");
        }
        None => {
            assert!(msg.header_raw("List-Unsubscribe").is_none());
            assert!(msg.header_raw("List-Unsubscribe-Post").is_none());
        }
    }
}
