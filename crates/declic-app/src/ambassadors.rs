//! Ambassador use cases: HR invites someone who volunteered before, a survey answer
//! leads to the same invitation, an ambassador asks for a sign-in link.

use declic_storage::ambassadors::Ambassador;
use declic_storage::{Actor, OrgId, StorageError};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::App;
use crate::caller::{AppResult, Caller};

/// Whom to invite.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    /// The employee's work email.
    pub email: String,
    /// They volunteered before Declic (imported history); otherwise an attended
    /// mission is required.
    #[serde(default)]
    pub past_volunteer: bool,
}

/// Invites an employee who volunteered before; they opt in from the mail, queued in
/// the same transaction. Inviting again sends nothing; someone who opted out is not
/// invited again. Answers the ambassador and whether the invitation is new.
pub async fn invite(app: &App, caller: &Caller, b: Invitation) -> AppResult<(Ambassador, bool)> {
    caller.require_manage()?;
    let (a, new) = app
        .store
        .invite_ambassador(
            caller.org(),
            &b.email,
            b.past_volunteer,
            caller.actor(),
            crate::outbox::follow::ambassador_invited,
        )
        .await?;
    if new {
        app.lane.wake();
    }
    Ok((a, new))
}

/// After a survey answer "I'd like to be an ambassador": HR's invitation, queued like
/// any other. Refusals (already an ambassador, opted out of the role, no attended
/// mission yet) are expected and only logged.
pub async fn offer_role_after_survey(app: &App, org: OrgId, employee_id: i64) {
    let result = async {
        let e = app.store.employee(org, employee_id).await?;
        let (_, new) = app
            .store
            .invite_ambassador(
                org,
                &e.email,
                false,
                &Actor::survey(),
                crate::outbox::follow::ambassador_invited,
            )
            .await?;
        if new {
            app.lane.wake();
        }
        Ok::<_, StorageError>(())
    }
    .await;
    if let Err(e) = result {
        tracing::info!(error = %e, "survey answer did not lead to an ambassador invitation");
    }
}

/// Queues a single-use sign-in link when `email` is an active ambassador's; nothing
/// otherwise (the edge answers the same either way).
pub async fn request_sign_in_link(app: &App, email: &str) -> AppResult<()> {
    let minutes = app.config.registration.ambassador_link_minutes;
    let follow = crate::outbox::follow::ambassador_link(app);
    if app
        .store
        .request_ambassador_sign_in(email, minutes, follow)
        .await?
        .is_some()
    {
        app.lane.wake();
    }
    Ok(())
}
