//! A person's erasure, complete: the store erases rows, pseudonymises the audit log
//! and remembers a hash of the address; this also removes what lies outside the
//! database, the mails the local outbox transport wrote as files.

use std::path::Path;

use declic_storage::privacy::ErasureReport;

use crate::App;
use crate::caller::{AppResult, Caller};

/// Erases the person with `email` at their request (owners only).
pub async fn erase(app: &App, caller: &Caller, email: &str) -> AppResult<ErasureReport> {
    caller.require_owner()?;
    let report = app
        .store
        .erase_person(caller.org(), email, caller.actor())
        .await?;
    forget_outbox_files(app, vec![email.trim().to_ascii_lowercase()]).await;
    Ok(report)
}

/// Adds to a mail, whatever its wording (built-in or the organisation's own), the link to
/// the organisation's information notice: the last line of the text, the last paragraph
/// of the HTML. The one place every mail passes before it is sent.
pub(crate) fn with_notice_link(
    app: &App,
    mail: &mut declic_messaging::OutgoingMail,
    org_slug: &str,
    lang: declic_messaging::Lang,
) {
    let url = format!(
        "{}{}",
        crate::links::base_url(app),
        crate::links::privacy_notice_path(org_slug, lang)
    );
    let label = match lang {
        declic_messaging::Lang::Fr => "Vos données personnelles",
        declic_messaging::Lang::En => "Your personal data",
    };
    let sep = if lang == declic_messaging::Lang::Fr {
        " : "
    } else {
        ": "
    };
    mail.text = format!("{}\n\n{label}{sep}{url}\n", mail.text.trim_end());
    let paragraph = format!(
        "<p style=\"margin:8px 8px 0;font-size:12px;color:#555555;\"><a href=\"{url}\" style=\"color:#0b5394;\">{label}</a></p>"
    );
    match mail.html.rfind("</body>") {
        Some(i) => mail.html.insert_str(i, &paragraph),
        None if !mail.html.is_empty() => mail.html.push_str(&paragraph),
        None => {}
    }
}

/// Lets the directory import again someone erased at their request (owners only).
pub async fn allow_again(app: &App, caller: &Caller, email: &str) -> AppResult<()> {
    caller.require_owner()?;
    Ok(app
        .store
        .allow_again(caller.org(), email, caller.actor())
        .await?)
}

/// Whether mails are kept as files (the `outbox` transport), which erasure must remove.
pub(crate) fn keeps_mail_files(app: &App) -> bool {
    app.config.mail.transport == declic_config::MailTransport::Outbox
}

/// Removes the outbox's `.eml` files addressed to, or naming, any of `addresses`
/// (the `outbox` mail transport keeps every mail as a file). Best effort: a file that
/// cannot be read or removed is logged, not an error.
pub(crate) async fn forget_outbox_files(app: &App, addresses: Vec<String>) {
    if addresses.is_empty() || !keeps_mail_files(app) {
        return;
    }
    let dir = app.config.data_dir.join("outbox");
    let done = tokio::task::spawn_blocking(move || remove_naming(&dir, &addresses)).await;
    match done {
        Ok(0) | Err(_) => {}
        Ok(n) => tracing::info!(files = n, "erasure removed outbox files"),
    }
}

fn remove_naming(dir: &Path, addresses: &[String]) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
        if addresses.iter().any(|a| names_address(&text, a)) {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) => tracing::warn!(error = %e, "an outbox file could not be removed"),
            }
        }
    }
    removed
}

/// Whether `text` holds `address` as a whole address (not inside a longer one:
/// `an@acme.fr` is not in `jean@acme.fr`, nor `a@b.co` in `a@b.com`).
fn names_address(text: &str, address: &str) -> bool {
    text.match_indices(address).any(|(i, _)| {
        let end = i + address.len();
        let before_ok = !text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
        let after_ok = match text[end..].chars().next() {
            None => true,
            Some(c) if c.is_ascii_alphanumeric() || c == '-' || c == '_' => false,
            // A dot ends a sentence, or goes on to a longer domain.
            Some('.') => !text[end + 1..].starts_with(|c: char| c.is_ascii_alphanumeric()),
            Some(_) => true,
        };
        before_ok && after_ok
    })
}

#[cfg(test)]
mod tests {
    use super::names_address;

    #[test]
    fn an_address_is_found_whole_only() {
        let mail = "to: jean@acme.fr, <an@acme.fr>\r\ncc: a@b.com. bye";
        assert!(names_address(mail, "an@acme.fr"));
        assert!(names_address(mail, "jean@acme.fr"));
        assert!(!names_address(mail, "ean@acme.fr"));
        assert!(!names_address(mail, "a@b.co"));
        assert!(
            names_address(mail, "a@b.com"),
            "a full stop ends a sentence"
        );
        assert!(!names_address("x@acme.fr.evil", "x@acme.fr"));
    }
}
