//! Email address normalisation and the organisation-domain check.

/// Longest accepted address (RFC 5321 path limit minus the angle brackets).
const MAX_EMAIL_LEN: usize = 254;
/// Longest accepted local part (RFC 5321).
const MAX_LOCAL_LEN: usize = 64;

/// Trims, ASCII-lowercases and validates an email address; `None` when malformed.
///
/// Deliberately simpler than RFC 5322 (no quoted local parts, no IP literals): the goal is
/// to catch typos and spreadsheet accidents in HR exports. Accepted: exactly one `@`, a
/// non-empty local part of at most 64 characters without spaces or `"(),:;<>[\]`, a domain
/// of at least two dot-separated labels made of letters, digits and inner hyphens, no
/// consecutive dots, at most 254 characters in total. Non-ASCII letters are kept as
/// written (internationalised addresses), only ASCII is lowercased.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim();
    if email.len() > MAX_EMAIL_LEN {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    if domain.contains('@') || !valid_local(local) || !valid_domain(domain) {
        return None;
    }
    Some(email.to_ascii_lowercase())
}

fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | '\\' | ']'
                )
        })
}

fn valid_domain(domain: &str) -> bool {
    let mut labels = 0;
    for label in domain.split('.') {
        let ok = !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !ok {
            return false;
        }
        labels += 1;
    }
    labels >= 2
}

/// Whether `email`'s domain is one of `domains` or a subdomain of one, ignoring ASCII case.
///
/// Entries of `domains` may be written `acme.fr`, `@acme.fr` or ` ACME.FR `; empty entries
/// match nothing, so an organisation without domains accepts no address.
pub fn email_in_domains(email: &str, domains: &[String]) -> bool {
    let Some((_, domain)) = email.trim().rsplit_once('@') else {
        return false;
    };
    let domain = domain.as_bytes();
    domains.iter().any(|allowed| {
        let allowed = allowed
            .trim()
            .trim_start_matches('@')
            .trim_matches('.')
            .as_bytes();
        if allowed.is_empty() || domain.len() < allowed.len() {
            return false;
        }
        let (head, tail) = domain.split_at(domain.len() - allowed.len());
        // Comparing bytes keeps this allocation-free and never slices inside a character;
        // the '.' test stops "evilacme.fr" from passing for "acme.fr".
        tail.eq_ignore_ascii_case(allowed) && (head.is_empty() || head.ends_with(b"."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_valid_addresses() {
        assert_eq!(
            normalize_email("  Jean.Dupont@ACME.fr "),
            Some("jean.dupont@acme.fr".into())
        );
        assert_eq!(
            normalize_email("a+tag@mail.acme.co.uk"),
            Some("a+tag@mail.acme.co.uk".into())
        );
        assert_eq!(
            normalize_email("élodie@société.fr"),
            Some("élodie@société.fr".into())
        );
    }

    #[test]
    fn rejects_malformed_addresses() {
        let long = format!("{}@acme.fr", "a".repeat(250));
        for bad in [
            "",
            "jean",
            "@acme.fr",
            "jean@",
            "jean@acme",
            "jean@@acme.fr",
            "a@b@acme.fr",
            "jean dupont@acme.fr",
            "jean@acme .fr",
            "jean..d@acme.fr",
            "jean@acme..fr",
            ".jean@acme.fr",
            "jean.@acme.fr",
            "jean@.acme.fr",
            "jean@acme.fr.",
            "j,d@acme.fr",
            "jean@-acme.fr",
            "jean@acme_corp.fr",
            "<jean@acme.fr>",
            long.as_str(),
        ] {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn domain_membership() {
        let domains = vec![
            "acme.fr".to_owned(),
            " @Acme-Group.COM ".to_owned(),
            String::new(),
        ];
        assert!(email_in_domains("a@acme.fr", &domains));
        assert!(email_in_domains("a@ACME.FR", &domains));
        assert!(email_in_domains("a@paris.acme.fr", &domains));
        assert!(email_in_domains("a@acme-group.com", &domains));
        assert!(!email_in_domains("a@evilacme.fr", &domains));
        assert!(!email_in_domains("a@acme.fr.evil.com", &domains));
        assert!(!email_in_domains("a@other.fr", &domains));
        assert!(!email_in_domains("no-at-sign", &domains));
        assert!(!email_in_domains("a@acme.fr", &[]));
    }
}
