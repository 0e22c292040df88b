//! Registration use cases: a person signs up, confirms and changes their own registration; HR
//! moves someone (seat, waitlist, cancel) with a reason and exports a campaign's
//! registrations.

use chrono::Duration;
use declic_storage::registrations::{
    ChangeOutcome, ChoiceMove, ConfirmOutcome, PublicCampaign, RegisterOutcome, RegistrationRequest,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::App;
use crate::caller::{AppError, AppResult, Caller};

/// An organiser's move of one mission choice.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    pub action: ChoiceMove,
    /// Why (kept in the audit log).
    pub reason: String,
}

/// Moves one mission choice. The person is told (a seat withdrawn comes with a
/// calendar cancellation; a seat given with its invitation) and the offers a freed
/// seat makes are queued with the change; all leave at once.
pub async fn move_choice(app: &App, caller: &Caller, choice_id: i64, b: MoveBody) -> AppResult<()> {
    caller.require_manage()?;
    let window = Duration::minutes(i64::from(app.config.registration.claim_window_minutes));
    app.store
        .move_choice(
            caller.org(),
            choice_id,
            b.action,
            &b.reason,
            window,
            caller.actor(),
            crate::outbox::follow::after_organiser_change,
        )
        .await?;
    app.lane.wake();
    Ok(())
}

/// The registrations of a campaign as CSV, one line per mission choice (for
/// spreadsheets; cells that a spreadsheet would run as formulas are neutralised).
pub async fn export_csv(
    app: &App,
    caller: &Caller,
    campaign_id: i64,
    mission_id: Option<i64>,
) -> AppResult<Vec<u8>> {
    let org = caller.org();
    let rows = app
        .store
        .campaign_registrations(org, campaign_id, mission_id)
        .await?;
    let missions = app.store.missions(org).await?;
    let broken = |e: csv::Error| AppError::Internal(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "registration_id",
        "email",
        "first_name",
        "last_name",
        "department",
        "site",
        "registration_status",
        "source",
        "source_site",
        "referred",
        "mission_id",
        "mission",
        "rank",
        "choice_status",
        "waitlist_position",
        "registered_at",
        "confirmed_at",
    ])
    .map_err(broken)?;
    for r in &rows {
        for c in &r.choices {
            if mission_id.is_some_and(|m| m != c.mission_id) {
                continue;
            }
            let title = missions
                .iter()
                .find(|m| m.id == c.mission_id)
                .map(|m| m.title.as_str())
                .unwrap_or_default();
            w.write_record([
                r.id.to_string(),
                csv_safe(&r.email),
                csv_safe(&r.first_name),
                csv_safe(&r.last_name),
                csv_safe(r.department.as_deref().unwrap_or_default()),
                csv_safe(r.site.as_deref().unwrap_or_default()),
                r.status.clone(),
                r.source_channel.clone(),
                csv_safe(r.source_site.as_deref().unwrap_or_default()),
                r.referrer_employee_id.is_some().to_string(),
                c.mission_id.to_string(),
                csv_safe(title),
                c.rank.to_string(),
                c.status.clone(),
                c.position.map(|p| p.to_string()).unwrap_or_default(),
                r.created_at.to_rfc3339(),
                r.confirmed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            ])
            .map_err(broken)?;
        }
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Spreadsheets run cells starting with = + - @ as formulas: neutralise them (every
/// CSV this crate writes passes its text cells through here).
pub(crate) fn csv_safe(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_safe;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(csv_safe("=1+1"), "'=1+1");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("-2"), "'-2");
        assert_eq!(csv_safe("Marie"), "Marie");
    }
}

/// What a person does from their personal page (the page's signed link is checked by
/// the edge before this is called).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalChange {
    /// Give up one mission, or everything when no mission is named.
    Cancel,
    /// Take the seat offered on a mission.
    Claim,
    /// Let the offered seat go to the next in line.
    Decline,
    /// Keep waiting with the duo partner instead of taking a seat alone.
    WaitWithPartner,
    /// Move to a better-ranked mission.
    Prefer,
}

/// Applies a person's change to their registration in one transaction, with the
/// messages it causes (CANCELs for the seats given up, the new seat, the offers the
/// freed seats make), and sends them off at once.
pub async fn change_own(
    app: &App,
    registration_id: i64,
    what: PersonalChange,
    mission: Option<i64>,
) -> AppResult<ChangeOutcome> {
    let window = Duration::minutes(i64::from(app.config.registration.claim_window_minutes));
    let follow = crate::outbox::follow::after_change;
    let store = &app.store;
    let id = registration_id;
    let outcome = match (what, mission) {
        (PersonalChange::Cancel, m) => store.cancel_registration(id, m, window, follow).await?,
        (PersonalChange::Claim, Some(m)) => store.claim_offer(id, m, window, follow).await?,
        (PersonalChange::Decline, Some(m)) => store.decline_offer(id, m, window, follow).await?,
        (PersonalChange::WaitWithPartner, Some(m)) => {
            store.waitlist_with_partner(id, m, window, follow).await?
        }
        (PersonalChange::Prefer, Some(m)) => store.prefer_mission(id, m, window, follow).await?,
        (_, None) => return Err(AppError::field("mission_id", "choose a mission")),
    };
    app.lane.wake();
    Ok(outcome)
}

/// The person's choice, from their own page, to let the ambassador who brought them
/// see their first name (or to take it back).
pub async fn show_name_to_ambassador(app: &App, registration_id: i64, show: bool) -> AppResult<()> {
    Ok(app
        .store
        .set_shown_to_referrer(registration_id, show)
        .await?)
}

/// Confirms a registration from the mailed link: seats the person or keeps their
/// waitlist places (`declic_planning::placement`), with the mails that follow.
pub async fn confirm(app: &App, token: &str) -> AppResult<ConfirmOutcome> {
    let outcome = app
        .store
        .confirm_registration(token, crate::outbox::follow::after_confirm)
        .await?;
    if outcome.newly_confirmed {
        app.lane.wake();
    }
    Ok(outcome)
}

/// Signs someone up through a campaign link: a pending registration with ranked
/// choices, and the confirmation link (and a duo invitation) queued with it. A second
/// sign-up of the same person answers the same registration and queues nothing.
pub async fn sign_up(
    app: &App,
    page: &PublicCampaign,
    req: RegistrationRequest,
) -> AppResult<RegisterOutcome> {
    let valid = Duration::hours(i64::from(app.config.registration.confirm_link_hours));
    let follow = crate::outbox::follow::after_sign_up(app, valid);
    let outcome = app.store.register(page, req, valid, follow).await?;
    if outcome.confirm_token.is_some() {
        app.lane.wake();
    }
    Ok(outcome)
}

/// Sends a new confirmation link to a pending registration of `email` on this
/// campaign, if there is one; the answer does not tell whether there was.
pub async fn resend_confirmation(app: &App, page: &PublicCampaign, email: &str) -> AppResult<()> {
    let Some(id) = app.store.pending_registration_id(page, email).await? else {
        return Ok(());
    };
    let valid = Duration::hours(i64::from(app.config.registration.confirm_link_hours));
    let follow = crate::outbox::follow::after_renewal(app, valid);
    if app
        .store
        .renew_confirmation(id, valid, follow)
        .await?
        .is_some()
    {
        app.lane.wake();
    }
    Ok(())
}
