//! Recurring jobs. tokio-cron-scheduler only ticks; what is due lives in our own
//! tables, so a restart or a second instance neither loses nor doubles work.

use declic_storage::Store;
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
pub async fn start_scheduler(store: Store) -> anyhow::Result<Scheduler> {
    let sched = JobScheduler::new().await?;
    // Every 10 minutes: forget sign-in links and revoked credentials past their use.
    sched
        .add(Job::new_async("0 */10 * * * *", move |_, _| {
            let store = store.clone();
            Box::pin(async move {
                match store.purge_stale_credentials().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(purged = n, "purged stale credentials"),
                    Err(e) => tracing::warn!(error = %e, "credential purge failed"),
                }
            })
        })?)
        .await?;
    sched.start().await?;
    Ok(Scheduler(sched))
}
