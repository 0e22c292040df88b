//! Recurring jobs. tokio-cron-scheduler only ticks; what is due lives in our own
//! tables, so a restart or a second instance neither loses nor doubles work.

use declic_app::AppCtx;
use tokio_cron_scheduler::{Job, JobScheduler};

/// The running scheduler; stop it on shutdown.
pub struct Scheduler(JobScheduler);

impl Scheduler {
    /// Stops ticking.
    pub async fn stop(mut self) {
        if let Err(e) = self.0.shutdown().await {
            tracing::warn!(error = %e, "scheduler did not stop cleanly");
        }
    }
}

/// Starts the recurring jobs.
pub async fn start_scheduler(state: AppCtx) -> anyhow::Result<Scheduler> {
    let sched = JobScheduler::new().await?;
    // Every minute: offers whose claim window passed go to the next person.
    let s = state.clone();
    sched
        .add(Job::new_async("0 * * * * *", move |_, _| {
            let state = s.clone();
            Box::pin(async move { expire_offers(&state).await })
        })?)
        .await?;
    // Every 10 minutes: the mission-eve reminders, then every retention period.
    let s = state.clone();
    sched
        .add(Job::new_async("30 */10 * * * *", move |_, _| {
            let state = s.clone();
            Box::pin(async move {
                send_reminders(&state).await;
                // Every retention period, in one place (`[retention]`).
                match declic_app::retention::run(&state, false).await {
                    Ok(report) => {
                        for r in report.iter().filter(|r| r.rows > 0) {
                            tracing::info!(table = r.table, rows = r.rows, "retention: {}", r.what);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "retention failed"),
                }
            })
        })?)
        .await?;
    // Every 5 seconds: due deliveries of running dispatches, a batch at a time.
    let s = state.clone();
    sched
        .add(Job::new_async("*/5 * * * * *", move |_, _| {
            let state = s.clone();
            Box::pin(async move { deliver(&state).await })
        })?)
        .await?;
    sched.start().await?;
    Ok(Scheduler(sched))
}

/// Turns due calendar steps into dispatches, then sends due deliveries until none
/// is left or a minute has passed (the next tick continues). A tick that finds the
/// previous one still sending leaves it alone: one worker per process (instances
/// share the work through their claims).
pub async fn deliver(state: &AppCtx) {
    let Ok(_running) = state.delivery.worker.try_lock() else {
        return;
    };
    match state
        .store
        .dispatch_due_steps(chrono::Utc::now().date_naive())
        .await
    {
        Ok(created) if !created.is_empty() => {
            tracing::info!(dispatches = ?created, "calendar steps dispatched");
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "calendar steps not dispatched"),
    }
    match state
        .store
        .dispatch_due_evaluations(chrono::Utc::now().date_naive())
        .await
    {
        Ok(created) if !created.is_empty() => {
            tracing::info!(dispatches = ?created, "evaluation waves dispatched");
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "evaluation waves not dispatched"),
    }
    if let Err(e) =
        declic_app::delivery_worker::deliver_for(state, std::time::Duration::from_secs(60)).await
    {
        tracing::warn!(error = %e, "delivery batch failed");
    }
}

/// Passes lapsed seat offers on and queues the new ones' mails.
pub async fn expire_offers(state: &AppCtx) {
    if let Err(e) = declic_app::jobs::pass_lapsed_offers(state).await {
        tracing::warn!(error = %e, "offer expiry failed");
    }
}

/// Queues the reminder of seated people whose mission starts within the next day (once each).
pub async fn send_reminders(state: &AppCtx) {
    if let Err(e) = declic_app::jobs::queue_mission_reminders(state).await {
        tracing::warn!(error = %e, "mission reminders failed");
    }
}
