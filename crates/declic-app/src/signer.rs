//! The one signer of every token Declic hands out and the one sealer of every secret
//! it keeps, both keyed with `[security] secret_key`.
//!
//! A tag is HMAC-SHA-256 over `purpose|part|part…`, truncated to 16 bytes and
//! written in hex; [`Signer::verify`] accepts exactly that length (a shorter tag
//! would be forgeable in a few hundred tries). The purpose keeps a tag made for one
//! use (a personal page, an unsubscribe link, a CSRF token…) from being valid for
//! another. Sealed secrets (webhook URLs, tokens waiting in the outbox) use
//! ChaCha20-Poly1305 under a key derived from the same secret, so a database dump or
//! backup alone does not hand them out.

use std::fmt::Display;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Bytes of a tag.
const TAG_BYTES: usize = 16;

/// Signs and verifies tokens, seals and opens secrets.
#[derive(Clone)]
pub struct Signer {
    mac: Hmac<Sha256>,
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    /// A signer keyed with `secret` (any length: HMAC takes any key).
    pub fn new(secret: &str) -> Self {
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        let mut derive = mac.clone();
        derive.update(b"declic/sealed-secret/v1");
        let key = derive.finalize().into_bytes();
        Self {
            mac,
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
        }
    }

    fn mac_of(&self, purpose: &str, parts: &[&dyn Display]) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(purpose.as_bytes());
        for p in parts {
            mac.update(b"|");
            mac.update(p.to_string().as_bytes());
        }
        mac
    }

    /// The tag of `parts` for `purpose`, in hex (32 characters).
    pub fn tag(&self, purpose: &str, parts: &[&dyn Display]) -> String {
        hex::encode(&self.mac_of(purpose, parts).finalize().into_bytes()[..TAG_BYTES])
    }

    /// Whether `tag` is the tag of `parts` for `purpose` (in constant time).
    pub fn verify(&self, purpose: &str, parts: &[&dyn Display], tag: &str) -> bool {
        hex::decode(tag).is_ok_and(|t| {
            t.len() == TAG_BYTES
                && self
                    .mac_of(purpose, parts)
                    .verify_truncated_left(&t)
                    .is_ok()
        })
    }

    /// `v1.<base64url(nonce || ciphertext)>`; `None` only if encryption fails.
    pub fn seal(&self, secret: &str) -> Option<String> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), secret.as_bytes())
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Some(format!("v1.{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// The secret, or `None` when it was sealed under another key or altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix("v1.")?).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, body) = bytes.split_at(12);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_holds_for_its_parts_and_purpose_only() {
        let s = Signer::new("k");
        let t = s.tag("manage", &[&12, &"n"]);
        assert_eq!(t.len(), 32);
        assert!(s.verify("manage", &[&12, &"n"], &t));
        assert!(!s.verify("duo", &[&12, &"n"], &t));
        assert!(!s.verify("manage", &[&13, &"n"], &t));
        assert!(!Signer::new("other").verify("manage", &[&12, &"n"], &t));
        // Truncated or padded tags are refused.
        assert!(!s.verify("manage", &[&12, &"n"], &t[..30]));
        assert!(!s.verify("manage", &[&12, &"n"], &t[..2]));
        assert!(!s.verify("manage", &[&12, &"n"], &format!("{t}00")));
        assert!(!s.verify("manage", &[&12, &"n"], "zz"));
    }

    #[test]
    fn the_message_is_purpose_and_parts_joined_by_bars() {
        // Links already mailed stay valid: the signed text is the one used before the
        // signer was shared (`manage|{id}|{nonce}`).
        let s = Signer::new("secret");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"secret").unwrap();
        mac.update(b"manage|7|abc");
        let old = hex::encode(&mac.finalize().into_bytes()[..16]);
        assert_eq!(s.tag("manage", &[&7, &"abc"]), old);
    }

    #[test]
    fn sealed_secrets_open_under_the_same_key_only() {
        let s = Signer::new("k");
        let sealed = s.seal("https://hooks.example/x").unwrap();
        assert!(!sealed.contains("hooks"));
        assert_eq!(s.open(&sealed).as_deref(), Some("https://hooks.example/x"));
        assert_eq!(Signer::new("k2").open(&sealed), None);
        assert_eq!(s.open("v1.AAAA"), None);
        assert_eq!(s.open("nope"), None);
    }
}
