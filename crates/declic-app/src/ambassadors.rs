//! Ambassador use cases on HR's side: invite someone who volunteered before.

use declic_storage::ambassadors::Ambassador;
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
