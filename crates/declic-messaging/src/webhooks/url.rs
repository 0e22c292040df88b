//! The webhook URL: a secret, checked once, never printed whole.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use reqwest::Url;

/// Characters of the URL's end shown by `Debug` and `Display`, to tell two webhooks apart.
const SHOWN_TAIL: usize = 4;
/// Below this many characters after the host, the tail is hidden too: it would give away
/// too large a share of a short secret.
const MIN_SECRET_FOR_TAIL: usize = 16;

/// An incoming-webhook URL (Slack or Teams Workflows).
///
/// Whoever holds it can post to the channel: the path (Slack) or the `sig` query parameter
/// (Teams) is the credential. `Debug` and `Display` therefore show only the scheme, the
/// host and the last four characters, e.g. `https://hooks.slack.com/…/Xy9Q`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WebhookUrl(Url);

/// Why a string is not accepted as a webhook URL. The messages never repeat the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookUrlError {
    /// Not an absolute URL at all.
    #[error("the webhook URL is not a valid absolute URL ({0})")]
    Invalid(String),
    /// Not https, and not plain http to this machine either.
    #[error(
        "the webhook URL must start with https:// (http:// is accepted only for localhost, \
         127.0.0.1 or [::1], for tests and local relays)"
    )]
    NotHttps,
    /// A user name or password in the URL: webhooks never need one.
    #[error("the webhook URL must not contain a user name or password")]
    Credentials,
    /// A host that is not one of the platforms' (see `[webhooks] allowed_hosts`).
    #[error(
        "the webhook URL must be a Slack (hooks.slack.com) or Teams Workflows \
         (Power Automate) webhook; other hosts need the operator's `[webhooks] allowed_hosts`"
    )]
    HostNotAllowed,
    /// An address inside a private network, this machine or a reserved range.
    #[error(
        "the webhook URL points to a private, local or reserved address; Declic posts only \
         to public addresses"
    )]
    PrivateAddress,
}

impl WebhookUrl {
    /// Checks `url`: https, or http to a loopback address; no user name or password.
    pub fn parse(url: &str) -> Result<Self, WebhookUrlError> {
        // url::ParseError's messages describe the fault without quoting the input.
        let parsed = Url::parse(url).map_err(|e| WebhookUrlError::Invalid(e.to_string()))?;
        let allowed = match parsed.scheme() {
            "https" => parsed.host_str().is_some_and(|h| !h.is_empty()),
            "http" => parsed.host_str().is_some_and(is_loopback),
            _ => false,
        };
        if !allowed {
            return Err(WebhookUrlError::NotHttps);
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(WebhookUrlError::Credentials);
        }
        Ok(WebhookUrl(parsed))
    }

    /// The whole URL, secret included: only for the HTTP request and for storage, never
    /// for a log line or an error message.
    pub fn expose_secret(&self) -> &str {
        self.0.as_str()
    }

    pub(crate) fn as_url(&self) -> &Url {
        &self.0
    }

    /// The secret parts as they may appear in a foreign error text: the whole URL, and
    /// everything after the host (path and query).
    pub(crate) fn secret_parts(&self) -> [&str; 2] {
        let whole = self.0.as_str();
        let after_host = &whole[self.authority_end()..];
        [whole, after_host]
    }

    /// Byte offset where the path starts (after `scheme://host[:port]`).
    fn authority_end(&self) -> usize {
        let whole = self.0.as_str();
        let start = self.0.scheme().len() + "://".len();
        whole[start..]
            .find('/')
            .map_or(whole.len(), |slash| start + slash)
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0.as_str();
        let (origin, secret) = whole.split_at(self.authority_end());
        f.write_str(origin)?;
        f.write_str("/…")?;
        let secret_len = secret.chars().count();
        if secret_len >= MIN_SECRET_FOR_TAIL {
            let tail: String = secret.chars().skip(secret_len - SHOWN_TAIL).collect();
            write!(f, "/{tail}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl(\"{self}\")")
    }
}

impl FromStr for WebhookUrl {
    type Err = WebhookUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WebhookUrl::parse(s)
    }
}

impl TryFrom<&str> for WebhookUrl {
    type Error = WebhookUrlError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        WebhookUrl::parse(s)
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::{WebhookUrl, WebhookUrlError};

    const SLACK: &str = "https://hooks.slack.com/services/T0AAAA1/B0BBBB2/q8Zr4LmN0pXyVw3KsT1u";

    #[test]
    fn display_and_debug_show_the_host_and_a_short_tail_only() {
        let url = WebhookUrl::parse(SLACK).unwrap();
        assert_eq!(url.to_string(), "https://hooks.slack.com/…/sT1u");
        assert_eq!(
            format!("{url:?}"),
            "WebhookUrl(\"https://hooks.slack.com/…/sT1u\")"
        );
        assert_eq!(url.expose_secret(), SLACK);
    }

    #[test]
    fn a_short_secret_shows_no_tail_and_a_port_stays_visible() {
        let url = WebhookUrl::parse("http://127.0.0.1:8080/hook").unwrap();
        assert_eq!(url.to_string(), "http://127.0.0.1:8080/…");
    }

    #[test]
    fn https_is_required_except_on_this_machine() {
        for ok in [
            SLACK,
            "http://localhost/x",
            "http://127.0.0.1:3000/x",
            "http://[::1]/x",
        ] {
            assert!(WebhookUrl::parse(ok).is_ok(), "{ok}");
        }
        for (bad, err) in [
            (
                "http://hooks.slack.com/services/x",
                WebhookUrlError::NotHttps,
            ),
            ("ftp://hooks.slack.com/x", WebhookUrlError::NotHttps),
            ("http://10.0.0.1/x", WebhookUrlError::NotHttps),
            (
                "https://u:p@hooks.slack.com/x",
                WebhookUrlError::Credentials,
            ),
        ] {
            assert_eq!(WebhookUrl::parse(bad), Err(err), "{bad}");
        }
        let Err(WebhookUrlError::Invalid(why)) = WebhookUrl::parse("hooks.slack.com/services/x")
        else {
            panic!("a relative URL must be refused");
        };
        assert!(!why.contains("services"), "{why}");
    }
}
