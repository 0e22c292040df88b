//! Where a webhook may post: the outbound policy against server-side request forgery.
//!
//! A webhook URL is typed by an HR user, and the server then makes requests to it. Left
//! open, that lets anyone with the manager role make Declic's server call its own
//! network (a database's admin port, a cloud's metadata address) and read what comes
//! back. So a webhook host must be one of the platforms' documented hosts (or one the
//! operator adds in `[webhooks] allowed_hosts`; `allow_other_hosts` lifts the list),
//! and no address it resolves to may be private, loopback, link-local, shared (CGNAT),
//! multicast or reserved, checked when the webhook is saved *and* when each message is
//! sent (the resolver below only ever hands the connection vetted addresses, so a DNS
//! answer that changes between the two checks changes nothing). Tests and local relays
//! set `allow_private_addresses`; there is no other way around it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::url::{WebhookUrl, WebhookUrlError};

/// The documented hosts of the platforms' incoming webhooks: Slack's incoming webhooks,
/// and Microsoft Teams Workflows (Power Automate; older flows on Logic Apps' hosts).
pub const PLATFORM_HOSTS: &[&str] = &[
    "hooks.slack.com",
    "*.environment.api.powerplatform.com",
    "*.logic.azure.com",
    "*.webhook.office.com",
];

/// Where webhooks may post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Host names allowed, exact or `*.` followed by a domain (any subdomain of it).
    pub allowed_hosts: Vec<String>,
    /// Any host name, not only the allowed ones (a relay the organisation runs).
    pub allow_other_hosts: bool,
    /// Private, loopback and link-local addresses, and plain http to them: only for
    /// tests and a relay on the same machine or network.
    pub allow_private_addresses: bool,
}

impl Default for OutboundPolicy {
    fn default() -> Self {
        OutboundPolicy {
            allowed_hosts: PLATFORM_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            allow_other_hosts: false,
            allow_private_addresses: false,
        }
    }
}

impl OutboundPolicy {
    /// Everything allowed, private addresses included: for tests that run a fake
    /// platform on this machine.
    pub fn local_testing() -> Self {
        OutboundPolicy {
            allowed_hosts: Vec::new(),
            allow_other_hosts: true,
            allow_private_addresses: true,
        }
    }

    /// Checks what can be checked without the network: the scheme, the host against
    /// the list, an address written in the URL. Names are resolved at send time.
    pub fn check(&self, url: &WebhookUrl) -> Result<(), WebhookUrlError> {
        let u = url.as_url();
        if u.scheme() != "https" && !self.allow_private_addresses {
            return Err(WebhookUrlError::NotHttps);
        }
        match literal_ip(u) {
            Some(ip) if forbidden(ip) && !self.allow_private_addresses => {
                Err(WebhookUrlError::PrivateAddress)
            }
            Some(_) if !self.allow_other_hosts => Err(WebhookUrlError::HostNotAllowed),
            Some(_) => Ok(()),
            None => {
                let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
                let host = host.trim_end_matches('.');
                if host == "localhost" || host.ends_with(".localhost") {
                    return if self.allow_private_addresses {
                        Ok(())
                    } else {
                        Err(WebhookUrlError::PrivateAddress)
                    };
                }
                if self.allow_other_hosts
                    || self.allowed_hosts.iter().any(|p| host_matches(p, host))
                {
                    Ok(())
                } else {
                    Err(WebhookUrlError::HostNotAllowed)
                }
            }
        }
    }

    /// The resolver the webhook client connects through.
    pub(crate) fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver {
            allow_private: self.allow_private_addresses,
        })
    }
}

/// `pattern` is a host name, or `*.domain` for any name under `domain` (not `domain`
/// itself).
fn host_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(domain) => host
            .strip_suffix(domain)
            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
        None => host == pattern,
    }
}

fn literal_ip(u: &Url) -> Option<IpAddr> {
    let host = u.host_str()?;
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

/// True for an address a webhook must never reach: anything but a public unicast one.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved, 240.0.0.0/4.
        || a >= 240
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // An IPv4 address in IPv6 clothing is judged as the IPv4 address: mapped
    // (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified() {
        return forbidden_v4(Ipv4Addr::from(embedded_v4(s[6], s[7])));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return forbidden_v4(Ipv4Addr::from(embedded_v4(s[6], s[7])));
    }
    if s[0] == 0x2002 {
        return forbidden_v4(Ipv4Addr::from(embedded_v4(s[1], s[2])));
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local, fc00::/7.
        || (s[0] & 0xfe00) == 0xfc00
        // Link-local, fe80::/10, and the deprecated site-local fec0::/10.
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        // Documentation, 2001:db8::/32.
        || (s[0] == 0x2001 && s[1] == 0x0db8)
}

fn embedded_v4(hi: u16, lo: u16) -> [u8; 4] {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    [a, b, c, d]
}

/// Resolves a webhook's host name and hands the connection only public addresses (all
/// of them when private ones are allowed). A name with none left fails to connect.
#[derive(Debug)]
pub(crate) struct GuardedResolver {
    allow_private: bool,
}

/// No address a webhook may reach.
#[derive(Debug, thiserror::Error)]
#[error("the webhook's host resolves only to private or reserved addresses")]
pub(crate) struct NoPublicAddress;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found
                .filter(|a| allow_private || !forbidden(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(Box::new(NoPublicAddress) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn url(s: &str) -> WebhookUrl {
        WebhookUrl::parse(s).unwrap()
    }

    #[test]
    fn private_and_reserved_addresses_are_forbidden_in_every_form() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "192.0.2.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2001:db8::1",
        ] {
            assert!(forbidden(ip.parse().unwrap()), "{ip} must be forbidden");
        }
        for ip in [
            "8.8.8.8",
            "52.1.2.3",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2600:1f18::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!forbidden(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[test]
    fn only_the_platforms_hosts_unless_the_operator_says_otherwise() {
        let strict = OutboundPolicy::default();
        assert!(
            strict
                .check(&url("https://hooks.slack.com/services/T/B/x"))
                .is_ok()
        );
        assert!(
            strict
                .check(&url(
                    "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers"
                ))
                .is_ok()
        );
        assert!(
            strict
                .check(&url(
                    "https://default1234.56.environment.api.powerplatform.com/powerautomate/x"
                ))
                .is_ok()
        );
        for bad in [
            "https://example.com/hook",
            "https://hooks.slack.com.evil.example/x",
            "https://evilhooks.slack.com/x",
            "https://logic.azure.com/x",
            "https://xlogic.azure.com/x",
        ] {
            assert_eq!(
                strict.check(&url(bad)),
                Err(WebhookUrlError::HostNotAllowed),
                "{bad}"
            );
        }
        for private in [
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.5/x",
            "https://[::ffff:10.0.0.5]/x",
            "https://localhost/x",
            "https://db.localhost/x",
        ] {
            assert_eq!(
                strict.check(&url(private)),
                Err(WebhookUrlError::PrivateAddress),
                "{private}"
            );
        }
        assert_eq!(
            strict.check(&url("http://127.0.0.1:8080/x")),
            Err(WebhookUrlError::NotHttps)
        );
        let relay = OutboundPolicy {
            allowed_hosts: vec!["relay.acme.example".into()],
            ..OutboundPolicy::default()
        };
        assert!(relay.check(&url("https://relay.acme.example/hook")).is_ok());
        assert!(relay.check(&url("https://hooks.slack.com/x")).is_err());
        let open = OutboundPolicy {
            allow_other_hosts: true,
            ..OutboundPolicy::default()
        };
        assert!(open.check(&url("https://example.com/hook")).is_ok());
        assert!(open.check(&url("https://8.8.8.8/hook")).is_ok());
        assert_eq!(
            open.check(&url("https://10.0.0.5/hook")),
            Err(WebhookUrlError::PrivateAddress)
        );
        let local = OutboundPolicy::local_testing();
        assert!(local.check(&url("http://127.0.0.1:9/x")).is_ok());
    }

    #[tokio::test]
    async fn the_resolver_keeps_no_private_address() {
        let strict = OutboundPolicy::default().resolver();
        let name: Name = "localhost".parse().unwrap();
        assert!(strict.resolve(name).await.is_err());
        let local = OutboundPolicy::local_testing().resolver();
        let name: Name = "localhost".parse().unwrap();
        let addrs: Vec<SocketAddr> = local.resolve(name).await.unwrap().collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
