//! Random tokens stored as hashes, and argon2 password hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token `<prefix>_<43 url-safe chars>`, with its hash and a short display prefix.
pub fn generate_token(prefix: &str) -> (String, String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let plain = format!(
        "{prefix}_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_token(&plain);
    let shown = plain.chars().take(prefix.len() + 7).collect();
    (plain, hash, shown)
}

/// SHA-256 of a high-entropy token, hex; tokens need no slow hash.
pub fn hash_token(plain: &str) -> String {
    let digest = Sha256::digest(plain.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// An argon2id hash of a password.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// True when `password` matches `hash`.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let (a, ha, shown) = generate_token("dcl");
        let (b, _, _) = generate_token("dcl");
        assert_ne!(a, b);
        assert_eq!(ha, hash_token(&a));
        assert!(a.starts_with(&shown));
        assert_eq!(a.len(), 4 + 43);
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse").unwrap_or_default();
        assert!(verify_password(&h, "correct horse"));
        assert!(!verify_password(&h, "wrong"));
        assert!(!verify_password("garbage", "x"));
    }
}
