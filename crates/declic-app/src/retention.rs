//! How long data is kept: `[retention]` turned into cutoffs and applied by the store,
//! from the scheduler every 10 minutes and from `declic retention run [--dry-run]`.

use chrono::{Duration, Utc};
use declic_storage::retention::{Cutoffs, Removed};

use crate::App;
use crate::caller::AppResult;

/// The cutoffs `[retention]` sets, from now.
pub fn cutoffs(app: &App) -> Cutoffs {
    let r = &app.config.retention;
    let now = Utc::now();
    let days = |d: u32| Duration::days(i64::from(d.max(1)));
    Cutoffs {
        departed: now - days(r.departed_employee_days),
        message_history: now - days(r.message_history_days),
        audit_log: now - days(r.audit_log_days),
        credentials: now - days(r.revoked_credentials_days),
        visit_counts: (now - days(r.visit_counts_days)).date_naive(),
        surveys: now - days(r.survey_days),
    }
}

/// Applies every retention period (or, with `dry_run`, says what would go). People
/// erased after leaving lose their outbox files too, as in an erasure on request.
pub async fn run(app: &App, dry_run: bool) -> AppResult<Vec<Removed>> {
    let cut = cutoffs(app);
    let leaving = if dry_run || !crate::privacy::keeps_mail_files(app) {
        Vec::new()
    } else {
        app.store.departed_addresses(cut.departed).await?
    };
    let report = app.store.apply_retention(&cut, dry_run).await;
    crate::privacy::forget_outbox_files(app, leaving).await;
    Ok(report)
}
