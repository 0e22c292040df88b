//! The browser remembers the first ambassador link it opened for a campaign, for the
//! attribution window, so that this ambassador is credited even if the colleague
//! registers later through another link (a mail, a poster). The cookie holds the
//! ambassador's id and the time, signed; nothing is stored on the server until the
//! person registers.

use axum::http::HeaderMap;
use axum::response::Response;
use declic_referral::{LinkUse, PersonId};

use crate::AppState;

fn name(campaign_id: i64) -> String {
    format!("declic_ref_{campaign_id}")
}

fn window_secs(state: &AppState) -> i64 {
    i64::from(state.config.registration.referral_window_days) * 24 * 3600
}

/// The remembered link use for `campaign_id`, when the cookie is there, signed by
/// us and within the window.
pub fn read(state: &AppState, headers: &HeaderMap, campaign_id: i64) -> Option<LinkUse> {
    let value = crate::pages::cookie_value(headers, &name(campaign_id))?;
    let mut parts = value.splitn(3, '.');
    let ambassador = parts.next()?.parse::<i64>().ok()?;
    let at = parts.next()?.parse::<i64>().ok()?;
    let sig = parts.next()?;
    if !state
        .signer
        .verify("ref", &[&campaign_id, &ambassador, &at], sig)
    {
        return None;
    }
    let now = chrono::Utc::now().timestamp();
    let age = now.checked_sub(at)?;
    ((0..=window_secs(state)).contains(&age)).then_some(LinkUse {
        referrer: PersonId(ambassador),
        at,
    })
}

/// Remembers this ambassador link unless an earlier one is remembered already.
pub fn remember(
    state: &AppState,
    headers: &HeaderMap,
    res: &mut Response,
    campaign_id: i64,
    ambassador: i64,
) {
    if read(state, headers, campaign_id).is_some() {
        return;
    }
    let at = chrono::Utc::now().timestamp();
    let sig = state.signer.tag("ref", &[&campaign_id, &ambassador, &at]);
    crate::pages::set_cookie(
        res,
        &state.config.server.public_url,
        &name(campaign_id),
        "/c/",
        &format!("{ambassador}.{at}.{sig}"),
        window_secs(state),
    );
}

/// [`uses`], keeping only ambassadors who are active now: the link of someone who
/// opted out must not take the credit from an active one opened later.
pub async fn active_uses(
    state: &AppState,
    headers: &HeaderMap,
    org: declic_storage::OrgId,
    campaign_id: i64,
    current: Option<i64>,
) -> Vec<LinkUse> {
    let mut out = Vec::new();
    for u in uses(state, headers, campaign_id, current) {
        if let Ok(Some(_)) = state.store.active_ambassador_of(org, u.referrer.0).await {
            out.push(u);
        }
    }
    out
}

/// The link uses to weigh when someone registers now through `current` (the
/// ambassador of the link in hand, if any).
pub fn uses(
    state: &AppState,
    headers: &HeaderMap,
    campaign_id: i64,
    current: Option<i64>,
) -> Vec<LinkUse> {
    let mut out: Vec<LinkUse> = read(state, headers, campaign_id).into_iter().collect();
    if let Some(a) = current {
        out.push(LinkUse {
            referrer: PersonId(a),
            at: chrono::Utc::now().timestamp(),
        });
    }
    out
}
