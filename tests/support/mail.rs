//! Reading mails the app sent: the outbox folder (default transport) or a real
//! SMTP server's maildir.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

use std::path::Path;

use mail_parser::MimeHeaders;

/// A mail as a recipient sees it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub calendar: Option<String>,
    pub raw: String,
}

impl ReceivedMail {
    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let start = self.text.find(prefix)?;
        let rest = &self.text[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == ')')
            .unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }
}

/// Parses one RFC 5322 message.
pub fn parse(raw: &[u8]) -> Option<ReceivedMail> {
    let m = mail_parser::MessageParser::default().parse(raw)?;
    let to = m.to()?.first()?.address()?.to_owned();
    let calendar = m
        .attachments()
        .find(|a| a.is_content_type("text", "calendar"))
        .and_then(|a| std::str::from_utf8(a.contents()).ok().map(str::to_owned));
    Some(ReceivedMail {
        to,
        subject: m.subject().unwrap_or_default().to_owned(),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        calendar,
        raw: String::from_utf8_lossy(raw).into_owned(),
    })
}

/// Every mail in a folder (outbox `*.eml`, or a maildir's `new/`), oldest first.
pub fn read_dir(dir: &Path) -> Vec<ReceivedMail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .collect();
    files.sort_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
    files
        .iter()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| parse(&b))
        .collect()
}

/// Unfolds an iCalendar text and returns its content lines.
pub fn ics_lines(ics: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // A Maildir may store LF line ends; RFC 5545 sends CRLF.
    for line in ics.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)) {
        if let Some(rest) = line.strip_prefix(' ').or_else(|| line.strip_prefix('\t')) {
            if let Some(last) = out.last_mut() {
                last.push_str(rest);
            }
        } else if !line.is_empty() {
            out.push(line.to_owned());
        }
    }
    out
}

/// The full line (with parameters) of property `name`: METHOD from the calendar,
/// anything else from the event.
pub fn ics_line(ics: &str, name: &str) -> Option<String> {
    let lines = ics_lines(ics);
    let from = if name == "METHOD" {
        0
    } else {
        lines.iter().position(|l| l == "BEGIN:VEVENT")?
    };
    lines[from..].iter().find_map(|l| {
        let (key, _) = l.split_once(':')?;
        (key.split(';').next()? == name).then(|| l.clone())
    })
}

/// The value of property `name` (see [`ics_line`]).
pub fn ics_prop(ics: &str, name: &str) -> Option<String> {
    ics_line(ics, name).and_then(|l| l.split_once(':').map(|(_, v)| v.to_owned()))
}
