//! The personal lane of the delivery worker: a person's own messages, claimed
//! from the outbox as soon as a request queues one (or within a second when
//! another instance did), beside and never behind a campaign's deliveries.
//!
//! Each message is claimed with a short lease that is renewed while its send goes
//! on, so a worker that dies hands its messages on within seconds; the policy is
//! asked immediately before the send; the outcome is recorded right after it, so a
//! crash re-sends at most the messages that were in flight.

use std::time::Duration;

use declic_messaging::policy::{Decision, decide};
use declic_messaging::{MessageKind, SendError};
use declic_storage::StorageError;
use declic_storage::dispatches::Outcome;
use declic_storage::outbox::{ClaimedMessage, MessageOutcome};
use tokio::task::JoinSet;

use super::compose::{ComposeError, compose};
use crate::{App, AppCtx};

/// How long a claimed message is this worker's before another may take it; renewed
/// every third of it while the send goes on.
const LEASE: Duration = Duration::from_secs(15);
/// Messages being composed or sent at once; the sends themselves wait for one of
/// the SMTP pool's connections, handed out in order with the campaign lane's.
const CONCURRENCY: usize = 8;

/// Wakes the lane when a request has queued a message.
#[derive(Default)]
pub struct Lane {
    wake: tokio::sync::Notify,
}

impl Lane {
    /// Tells the lane a message is waiting (after the transaction that queued it).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// The running lane of a process.
pub struct Running {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// Starts the lane in the background (`declic serve` does, beside the scheduler).
pub fn start(state: AppCtx) -> Running {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    Running {
        stop,
        task: tokio::spawn(run(state, stopped)),
    }
}

impl Running {
    /// Stops after the sends in flight (waiting at most `grace`); what is left
    /// waits in the outbox for the next start or another instance.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(grace, self.task).await.is_err() {
            tracing::warn!("message sends still running after the shutdown grace period");
        }
    }
}

/// Runs the lane until `stop` turns true: sends what is due, then waits for a
/// wake-up or a second (messages queued by another instance or a retry's time).
async fn run(state: AppCtx, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        match deliver_messages(&state).await {
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "messages not delivered"),
        }
        tokio::select! {
            () = state.lane.wake.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Sends every message due now; returns how many were handled. A stream, not
/// batches: whenever a send finishes, the next due message is claimed, so one slow
/// message does not hold the others back.
pub async fn deliver_messages(state: &AppCtx) -> Result<usize, StorageError> {
    let lease = chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::seconds(15));
    let mut handled = 0;
    let mut sends = JoinSet::new();
    let mut drained = false;
    loop {
        let room = CONCURRENCY - sends.len();
        if room > 0 && !drained {
            let claimed = state.store.claim_messages(room as u64, lease).await?;
            // Nothing due now: finish what is in flight, then stop.
            drained = claimed.is_empty();
            handled += claimed.len();
            for m in claimed {
                let state = state.clone();
                sends.spawn(async move { Box::pin(one(&state, m)).await });
            }
        }
        if sends.is_empty() {
            return Ok(handled);
        }
        if drained || sends.len() == CONCURRENCY {
            sends.join_next().await;
            // Messages queued meanwhile are worth a look once a slot is free.
            drained = false;
        }
    }
}

async fn one(state: &AppCtx, m: ClaimedMessage) {
    let outcome = with_lease(state, m.row.id, Box::pin(attempt(state, &m))).await;
    if let Err(e) = state
        .store
        .record_message(&m, &outcome, &state.delivery.policy)
        .await
    {
        // The row stays claimed; it is tried again when the lease ends.
        tracing::warn!(message = m.row.id, error = %e, "message outcome not recorded");
    }
    metrics::counter!("declic_messages_total", "outcome" => label(&outcome)).increment(1);
}

fn label(o: &MessageOutcome) -> &'static str {
    match o {
        MessageOutcome::Sent | MessageOutcome::Tried(Outcome::Sent) => "sent",
        MessageOutcome::Expired => "expired",
        MessageOutcome::Withheld(_) => "withheld",
        MessageOutcome::Tried(Outcome::Permanent(_)) => "failed",
        MessageOutcome::Tried(_) => "retry",
    }
}

/// Runs `work` while renewing the message's lease, so a slow relay does not let
/// another worker send it a second time.
async fn with_lease<T>(state: &AppCtx, id: i64, work: impl Future<Output = T>) -> T {
    let lease = chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::seconds(15));
    let mut renew = tokio::time::interval(LEASE / 3);
    renew.tick().await;
    tokio::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = renew.tick() => {
                // Beside the work, never inside this select: the write may wait for the
                // SQLite writer that the suspended work holds.
                let state = state.clone();
                tokio::spawn(async move {
                    if let Err(e) = state.store.renew_message_lease(id, lease).await {
                        tracing::warn!(message = id, error = %e, "lease not renewed");
                    }
                });
            }
        }
    }
}

/// Decides, composes and sends one message.
async fn attempt(state: &App, m: &ClaimedMessage) -> MessageOutcome {
    let Some(kind) = MessageKind::from_name(&m.row.kind) else {
        return MessageOutcome::Tried(Outcome::Permanent(format!(
            "unknown message {}",
            m.row.kind
        )));
    };
    let recipient = match state.store.message_recipient(&m.row).await {
        Ok(r) => r,
        Err(e) => return MessageOutcome::Tried(Outcome::Temporary(e.to_string())),
    };
    let facts = super::facts(m.row.expires_at, recipient.person, recipient.opted_out);
    match decide(kind, &facts) {
        Decision::Send => {}
        Decision::Expired => return MessageOutcome::Expired,
        Decision::Withheld(why) => return MessageOutcome::Withheld(why.to_owned()),
    }
    let mail = match compose(state, &m.row, &recipient.address).await {
        Ok(mail) => mail,
        Err(ComposeError::Storage(e)) => {
            return MessageOutcome::Tried(Outcome::Temporary(e.to_string()));
        }
        Err(ComposeError::Broken(e)) => return MessageOutcome::Tried(Outcome::Permanent(e)),
    };
    match crate::notify::send(state, &mail).await {
        Ok(_) => MessageOutcome::Sent,
        Err(SendError::Temporary(e)) => MessageOutcome::Tried(Outcome::Temporary(e)),
        Err(SendError::Permanent(e)) => MessageOutcome::Tried(Outcome::Permanent(e)),
    }
}
