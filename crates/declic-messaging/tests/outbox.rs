//! The outbox transport writes the exact RFC 5322 message, and settings are checked up front.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use std::time::Duration;

use declic_messaging::{MailError, Mailer, OutgoingMail, SendError, SmtpTls, TransportSettings};
use mail_parser::MessageParser;

fn outbox_mailer(dir: &std::path::Path) -> Mailer {
    Mailer::new(common::settings(TransportSettings::Outbox {
        dir: dir.to_path_buf(),
    }))
    .unwrap()
}

#[tokio::test]
async fn an_invitation_lands_in_the_outbox_as_sent() {
    let tmp = tempfile::tempdir().unwrap();
    // The folder does not exist yet: the mailer creates it.
    let dir = tmp.path().join("data/outbox");
    let mailer = outbox_mailer(&dir);
    let mail = common::invitation("elodie.durand@example.org", "Élodie Durand");

    let id = mailer.send(&mail).await.unwrap();

    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [format!("{id}.eml")],
        "one file, no leftover partial"
    );
    let raw = std::fs::read(dir.join(format!("{id}.eml"))).unwrap();
    common::check_received(&raw, &id, &mail);

    // What is on disk is what would go on the wire: CRLF everywhere, 7-bit headers.
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF");
    let headers = &text[..text.find("\r\n\r\n").unwrap()];
    assert!(headers.is_ascii(), "non-ASCII header bytes:\n{headers}");
    assert!(
        headers.contains("=?utf-8?"),
        "encoded words expected:\n{headers}"
    );
}

#[tokio::test]
async fn a_plain_mail_is_multipart_alternative_without_list_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let mailer = outbox_mailer(tmp.path());
    let mail = OutgoingMail {
        to: "sam@example.org".into(),
        to_name: None,
        subject: "Hello\r\nBcc: evil@example.org".into(),
        text: "Hi Sam".into(),
        html: "<p>Hi Sam</p>".into(),
        attachments: vec![],
        list_unsubscribe: None,
    };
    let id = mailer.send(&mail).await.unwrap();
    let raw = std::fs::read(tmp.path().join(format!("{id}.eml"))).unwrap();
    let msg = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(msg.subject(), Some("Hello Bcc: evil@example.org"));
    assert!(msg.header_raw("Bcc").is_none());
    assert!(msg.header_raw("List-Unsubscribe").is_none());
    let ct = msg
        .root_part()
        .headers
        .iter()
        .find(|h| h.name() == "Content-Type")
        .unwrap();
    let ct = ct.value().as_content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );
    assert_eq!(msg.body_text(0).unwrap().trim_end(), "Hi Sam");
    assert_eq!(msg.to().unwrap().first().unwrap().name(), None);
}

#[tokio::test]
async fn bad_mails_are_permanent_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let mailer = outbox_mailer(tmp.path());
    let good = common::invitation("elodie.durand@example.org", "Élodie Durand");

    let bad_to = OutgoingMail {
        to: "not an address".into(),
        ..good.clone()
    };
    let err = mailer.send(&bad_to).await.unwrap_err();
    assert!(
        matches!(&err, SendError::Permanent(m) if m.contains("recipient")),
        "{err}"
    );

    let bad_url = OutgoingMail {
        list_unsubscribe: Some("http://example.org/u\r\nX: y".into()),
        ..good.clone()
    };
    let err = mailer.send(&bad_url).await.unwrap_err();
    assert!(
        matches!(&err, SendError::Permanent(m) if m.contains("http(s) URL")),
        "{err}"
    );
    assert!(!err.is_temporary());
    let not_web = OutgoingMail {
        list_unsubscribe: Some("javascript:alert(1)".into()),
        ..good.clone()
    };
    assert!(mailer.send(&not_web).await.is_err());

    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[tokio::test]
async fn an_unwritable_outbox_is_a_temporary_failure() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where the folder should be: creating the folder fails.
    let blocker = tmp.path().join("outbox");
    std::fs::write(&blocker, b"").unwrap();
    let mailer = outbox_mailer(&blocker);
    let mail = common::invitation("elodie.durand@example.org", "Élodie Durand");
    let err = mailer.send(&mail).await.unwrap_err();
    assert!(err.is_temporary(), "{err}");
}

#[test]
fn settings_are_checked_and_named() {
    let outbox = || TransportSettings::Outbox {
        dir: "outbox".into(),
    };
    let mut s = common::settings(outbox());
    s.from = "Declic no-reply at example".into();
    assert!(matches!(Mailer::new(s), Err(MailError::From { .. })));

    let mut s = common::settings(outbox());
    s.message_id_domain = "bad domain>".into();
    let err = Mailer::new(s).unwrap_err();
    assert!(
        err.to_string().starts_with("mail.message_id_domain:"),
        "{err}"
    );

    let smtp = |host: &str, pool_size: u32, username: Option<&str>, password: Option<&str>| {
        common::settings(TransportSettings::Smtp {
            host: host.into(),
            port: 587,
            tls: SmtpTls::None,
            username: username.map(Into::into),
            password: password.map(Into::into),
            pool_size,
            timeout: Duration::from_secs(5),
        })
    };
    let setting = |s| match Mailer::new(s) {
        Err(MailError::Config { setting, .. }) => setting,
        other => panic!("expected a config error, got {other:?}"),
    };
    assert_eq!(setting(smtp(" ", 2, None, None)), "mail.smtp.host");
    assert_eq!(
        setting(smtp("mail.example.org", 0, None, None)),
        "mail.smtp.pool_size"
    );
    assert_eq!(
        setting(smtp("mail.example.org", 2, Some("u"), None)),
        "mail.smtp.password"
    );
    assert_eq!(
        setting(smtp("mail.example.org", 2, None, Some("p"))),
        "mail.smtp.username"
    );
    let ok = Mailer::new(smtp("mail.example.org", 2, Some("u"), Some("secret"))).unwrap();
    let shown = format!("{ok:?}");
    assert!(!shown.contains("secret"), "{shown}");
}

#[tokio::test]
async fn an_http_unsubscribe_link_is_listed_without_one_click() {
    let tmp = tempfile::tempdir().unwrap();
    let mailer = outbox_mailer(tmp.path());
    for (url, one_click) in [
        ("http://127.0.0.1:8080/u/abc", false),
        ("https://declic.example.org/u/abc", true),
    ] {
        let id = mailer
            .send(&OutgoingMail {
                to: "sam@example.org".into(),
                to_name: None,
                subject: "Hello".into(),
                text: "Hi".into(),
                html: "<p>Hi</p>".into(),
                attachments: vec![],
                list_unsubscribe: Some(url.into()),
            })
            .await
            .unwrap();
        let raw = std::fs::read(tmp.path().join(format!("{id}.eml"))).unwrap();
        let msg = MessageParser::default().parse(&raw).unwrap();
        assert!(
            msg.header_raw("List-Unsubscribe")
                .is_some_and(|h| h.contains(url)),
            "{url}"
        );
        assert_eq!(
            msg.header_raw("List-Unsubscribe-Post").is_some(),
            one_click,
            "{url}"
        );
    }
}
