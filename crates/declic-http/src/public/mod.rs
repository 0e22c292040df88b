//! The public side: campaign pages reached through tagged links, sign-up,
//! confirmation by mail and the person's own page. No account, no JavaScript.

pub mod campaign;
pub mod confirm;
pub mod manage;
pub mod referral_cookie;
pub mod survey;
pub mod texts;
pub mod unsubscribe;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::AppState;

/// The personal-page token of a registration: its id and an HMAC over the id and
/// the registration's nonce (rotating the nonce revokes every link).
pub fn manage_token(state: &AppState, registration_id: i64, nonce: &str) -> String {
    format!(
        "{registration_id}-{}",
        sign(state, &format!("manage|{registration_id}|{nonce}"))
    )
}

/// Splits a personal-page token into the registration id and its signature.
pub fn parse_manage_token(token: &str) -> Option<(i64, &str)> {
    let (id, sig) = token.split_once('-')?;
    let id = id.parse::<i64>().ok().filter(|i| *i > 0)?;
    (sig.len() == 32 && sig.bytes().all(|b| b.is_ascii_hexdigit())).then_some((id, sig))
}

/// Whether `sig` is the signature of a registration's personal-page token.
pub fn manage_token_ok(state: &AppState, registration_id: i64, nonce: &str, sig: &str) -> bool {
    let Ok(mut mac) =
        Hmac::<Sha256>::new_from_slice(state.config.security.secret_key.expose().as_bytes())
    else {
        return false;
    };
    mac.update(format!("manage|{registration_id}|{nonce}").as_bytes());
    hex::decode(sig).is_ok_and(|s| mac.verify_truncated_left(&s).is_ok())
}

/// A duo invitation parameter: the inviter's registration id, signed.
pub fn duo_param(state: &AppState, registration_id: i64) -> String {
    format!(
        "{registration_id}-{}",
        sign(state, &format!("duo|{registration_id}"))
    )
}

/// The inviter's registration id from a duo parameter, when its signature holds.
pub fn parse_duo_param(state: &AppState, param: &str) -> Option<i64> {
    let (id, sig) = parse_manage_token(param)?;
    let Ok(mut mac) =
        Hmac::<Sha256>::new_from_slice(state.config.security.secret_key.expose().as_bytes())
    else {
        return None;
    };
    mac.update(format!("duo|{id}").as_bytes());
    hex::decode(sig)
        .is_ok_and(|s| mac.verify_truncated_left(&s).is_ok())
        .then_some(id)
}

fn sign(state: &AppState, message: &str) -> String {
    let Ok(mut mac) =
        Hmac::<Sha256>::new_from_slice(state.config.security.secret_key.expose().as_bytes())
    else {
        return String::new();
    };
    mac.update(message.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// The public base URL without a trailing slash.
pub fn base_url(state: &AppState) -> &str {
    state.config.server.public_url.trim_end_matches('/')
}
