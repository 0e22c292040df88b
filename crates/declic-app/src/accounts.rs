//! HR accounts: the console's password reset by mail.

use declic_messaging::Lang;

use crate::App;
use crate::caller::AppResult;

/// Queues a reset link to every account with this address (one per organisation);
/// nothing when there is none. The edge answers the same either way, and runs this
/// after its answer so that the time taken tells nothing.
pub async fn request_password_reset(
    app: &App,
    email: &str,
    lang: Lang,
    request_id: Option<String>,
) -> AppResult<()> {
    for (org, admin_id, _email) in app.store.admins_with_email(email).await? {
        let actor = declic_storage::Actor {
            admin_id: Some(admin_id),
            label: "password reset".into(),
            request_id: request_id.clone(),
        };
        let minutes = app.config.security.sign_in_link_minutes;
        let follow = crate::outbox::follow::password_reset(app, admin_id, lang);
        app.store
            .create_sign_in_token(org, admin_id, minutes, &actor, follow)
            .await?;
        app.lane.wake();
    }
    Ok(())
}
