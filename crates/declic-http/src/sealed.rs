//! Secrets Declic must keep but never show (webhook URLs): sealed with
//! ChaCha20-Poly1305 under a key derived from `[security] secret_key`, so a database
//! dump or backup alone does not hand out the organisation's channels.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::AppState;

fn cipher(state: &AppState) -> Option<ChaCha20Poly1305> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(state.config.security.secret_key.expose().as_bytes())
            .ok()?;
    mac.update(b"declic/sealed-secret/v1");
    let key = mac.finalize().into_bytes();
    Some(ChaCha20Poly1305::new(Key::from_slice(&key)))
}

/// `v1.<base64url(nonce || ciphertext)>`.
pub fn seal(state: &AppState, secret: &str) -> Option<String> {
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = cipher(state)?
        .encrypt(Nonce::from_slice(&nonce), secret.as_bytes())
        .ok()?;
    let mut out = nonce.to_vec();
    out.extend(sealed);
    Some(format!("v1.{}", URL_SAFE_NO_PAD.encode(out)))
}

/// The secret, or None when it was sealed under another key or altered.
pub fn open(state: &AppState, sealed: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix("v1.")?).ok()?;
    if bytes.len() < 12 {
        return None;
    }
    let (nonce, body) = bytes.split_at(12);
    let plain = cipher(state)?
        .decrypt(Nonce::from_slice(nonce), body)
        .ok()?;
    String::from_utf8(plain).ok()
}
