//! The signed links that messages carry and pages open: a registration's personal
//! page, a duo invitation, a one-click unsubscribe and a survey. Every tag comes from
//! the one [`Signer`](crate::signer::Signer).

use declic_storage::OrgId;

use crate::App;

/// The public base URL without a trailing slash.
pub fn base_url(app: &App) -> &str {
    app.config.server.public_url.trim_end_matches('/')
}

/// The personal-page token of a registration: its id and a tag over the id and the
/// registration's nonce (rotating the nonce revokes every link).
pub fn manage_token(app: &App, registration_id: i64, nonce: &str) -> String {
    format!(
        "{registration_id}-{}",
        app.signer.tag("manage", &[&registration_id, &nonce])
    )
}

/// Splits a personal-page token into the registration id and its tag.
pub fn parse_manage_token(token: &str) -> Option<(i64, &str)> {
    let (id, sig) = token.split_once('-')?;
    let id = id.parse::<i64>().ok().filter(|i| *i > 0)?;
    (sig.len() == 32 && sig.bytes().all(|b| b.is_ascii_hexdigit())).then_some((id, sig))
}

/// Whether `sig` is the tag of a registration's personal-page token.
pub fn manage_token_ok(app: &App, registration_id: i64, nonce: &str, sig: &str) -> bool {
    app.signer
        .verify("manage", &[&registration_id, &nonce], sig)
}

/// A duo invitation parameter: the inviter's registration id, signed.
pub fn duo_param(app: &App, registration_id: i64) -> String {
    format!(
        "{registration_id}-{}",
        app.signer.tag("duo", &[&registration_id])
    )
}

/// The inviter's registration id from a duo parameter, when its tag holds.
pub fn parse_duo_param(app: &App, param: &str) -> Option<i64> {
    let (id, sig) = parse_manage_token(param)?;
    app.signer.verify("duo", &[&id], sig).then_some(id)
}

/// The token of a person's unsubscribe link for `channel`.
pub fn unsubscribe_token(app: &App, org: OrgId, employee_id: i64, channel: &str) -> String {
    let sig = app
        .signer
        .tag("unsubscribe", &[&org.0, &employee_id, &channel]);
    format!("{}-{employee_id}-{channel}-{sig}", org.0)
}

/// The path of an organisation's information notice, in `lang` (pages link to it
/// as it is, mails with [`base_url`] before it).
pub fn privacy_notice_path(org_slug: &str, lang: declic_messaging::Lang) -> String {
    format!("/privacy/{org_slug}?lang={}", lang.as_str())
}

/// The full one-click unsubscribe URL to put in `List-Unsubscribe`.
pub fn unsubscribe_url(app: &App, org: OrgId, employee_id: i64, channel: &str) -> String {
    format!(
        "{}/u/{}",
        base_url(app),
        unsubscribe_token(app, org, employee_id, channel)
    )
}

/// The organisation, employee and channel of an unsubscribe token whose tag holds.
pub fn parse_unsubscribe(app: &App, token: &str) -> Option<(OrgId, i64, String)> {
    let mut parts = token.splitn(4, '-');
    let org = parts.next()?.parse::<i64>().ok()?;
    let employee = parts.next()?.parse::<i64>().ok()?;
    let channel = parts.next()?.to_owned();
    let sig = parts.next()?;
    if !declic_storage::opt_outs::CHANNELS.contains(&channel.as_str()) {
        return None;
    }
    app.signer
        .verify("unsubscribe", &[&org, &employee, &channel], sig)
        .then_some((OrgId(org), employee, channel))
}

/// The survey link of an invitation, valid until the wave closes.
pub fn survey_url(
    app: &App,
    invitation_id: i64,
    wave: i32,
    closes_at: chrono::DateTime<chrono::Utc>,
) -> String {
    let expires = closes_at.timestamp();
    let sig = app.signer.tag("survey", &[&invitation_id, &wave, &expires]);
    format!("{}/s/{invitation_id}-{wave}-{expires}-{sig}", base_url(app))
}

/// Why a survey link does not open a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyLinkError {
    /// Not one of ours (or altered).
    Invalid,
    /// The wave is over.
    Expired,
}

/// The invitation id and wave of a survey token whose tag holds and has not expired.
pub fn parse_survey(app: &App, token: &str) -> Result<(i64, i32), SurveyLinkError> {
    let mut parts = token.splitn(4, '-');
    let mut next = || parts.next().ok_or(SurveyLinkError::Invalid);
    let id = next()?
        .parse::<i64>()
        .map_err(|_| SurveyLinkError::Invalid)?;
    let wave = next()?
        .parse::<i32>()
        .map_err(|_| SurveyLinkError::Invalid)?;
    let expires = next()?
        .parse::<i64>()
        .map_err(|_| SurveyLinkError::Invalid)?;
    if !app
        .signer
        .verify("survey", &[&id, &wave, &expires], next()?)
    {
        return Err(SurveyLinkError::Invalid);
    }
    if chrono::Utc::now().timestamp() >= expires {
        return Err(SurveyLinkError::Expired);
    }
    Ok((id, wave))
}
