//! The scheduler's work, as use cases: the binary's scheduler only ticks and logs.
//! Every job may run on several instances at once (the store's claims and unique
//! keys keep them from doing the same work twice).

use chrono::Duration;

use crate::App;
use crate::caller::AppResult;

/// Passes lapsed seat offers on to the next in line and queues the new offers' mails;
/// answers how many offers were made.
pub async fn pass_lapsed_offers(app: &App) -> AppResult<usize> {
    let window = Duration::minutes(i64::from(app.config.registration.claim_window_minutes));
    let offers = app
        .store
        .expire_offers(window, crate::outbox::follow::offers)
        .await?;
    if !offers.is_empty() {
        app.lane.wake();
    }
    Ok(offers.len())
}

/// Queues the reminder of seated people whose mission starts within the next day
/// (once each); answers how many were queued.
///
/// Mission times are local and compared with UTC, an hour or two off in Europe, which
/// does not matter for a reminder sent the day before; `reminded_at` makes each go
/// exactly once.
pub async fn queue_mission_reminders(app: &App) -> AppResult<usize> {
    let now = chrono::Utc::now().naive_utc();
    let due = app
        .store
        .due_mission_reminders(
            now,
            now + Duration::hours(24),
            crate::outbox::follow::mission_reminders,
        )
        .await?;
    if !due.is_empty() {
        app.lane.wake();
    }
    Ok(due.len())
}
