//! One message per interval per webhook, in arrival order, and a pause after a 429.
//!
//! Hand-written rather than `governor`'s keyed limiter because we need two things it does
//! not give: waiters served in arrival order (a tokio mutex is fair), and a pause that makes
//! later sends return at once with the time left, instead of sleeping through a
//! `Retry-After` of minutes inside a delivery.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// Above this many webhooks known, idle ones are forgotten.
const PRUNE_ABOVE: usize = 256;

/// The per-webhook pace keeper shared by every send of a [`super::WebhookSender`].
#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    webhooks: Mutex<HashMap<String, Arc<Webhook>>>,
}

#[derive(Debug, Default)]
struct Webhook {
    /// Held while waiting for the next slot: later senders queue behind, in order.
    turn: tokio::sync::Mutex<()>,
    state: Mutex<State>,
}

#[derive(Debug, Default, Clone, Copy)]
struct State {
    /// Earliest start of the next message.
    next: Option<Instant>,
    /// No message before this: the platform asked us to wait (429).
    paused_until: Option<Instant>,
}

impl Webhook {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is two instants, valid whatever a panicking holder was doing.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_idle(&self, now: Instant) -> bool {
        let s = *self.state();
        s.next.is_none_or(|t| t <= now) && s.paused_until.is_none_or(|t| t <= now)
    }
}

impl Pacer {
    pub(crate) fn new(interval: Duration) -> Self {
        Pacer {
            interval,
            webhooks: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for this webhook's next slot and takes it. `Err(time left)` when the webhook is
    /// paused: the caller should not send now.
    pub(crate) async fn take_turn(&self, key: &str) -> Result<(), Duration> {
        let webhook = self.webhook(key);
        let _turn = webhook.turn.lock().await;
        let next = webhook.state().next;
        if let Some(left) = paused(&webhook, Instant::now()) {
            return Err(left);
        }
        if let Some(next) = next {
            tokio::time::sleep_until(next).await;
        }
        let now = Instant::now();
        // A 429 for an earlier message may have come in while we slept.
        if let Some(left) = paused(&webhook, now) {
            return Err(left);
        }
        webhook.state().next = Some(now + self.interval);
        Ok(())
    }

    /// No message to this webhook for `wait`.
    pub(crate) fn pause(&self, key: &str, wait: Duration) {
        let webhook = self.webhook(key);
        let mut state = webhook.state();
        let until = Instant::now().checked_add(wait);
        state.paused_until = state.paused_until.max(until);
    }

    fn webhook(&self, key: &str) -> Arc<Webhook> {
        let mut map = self.webhooks.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() > PRUNE_ABOVE {
            let now = Instant::now();
            // Only the map holds an idle entry nobody is using; forgetting it loses nothing.
            map.retain(|_, w| Arc::strong_count(w) > 1 || !w.is_idle(now));
        }
        Arc::clone(map.entry(key.to_owned()).or_default())
    }
}

fn paused(webhook: &Webhook, now: Instant) -> Option<Duration> {
    webhook
        .state()
        .paused_until
        .filter(|until| *until > now)
        .map(|until| until - now)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::time::Instant;

    use super::Pacer;

    const STEP: Duration = Duration::from_millis(100);

    // Real time, but only lower bounds are exact: sleeping never ends early. The upper
    // bound for the other webhook leaves a whole step of margin.
    #[tokio::test]
    async fn sends_to_one_webhook_are_spaced_and_others_are_not_held_up() {
        let pacer = Arc::new(Pacer::new(STEP));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for key in ["a", "a", "a", "b"] {
            let pacer = Arc::clone(&pacer);
            tasks.push(tokio::spawn(async move {
                pacer.take_turn(key).await.map(|()| (key, start.elapsed()))
            }));
        }
        let mut a = Vec::new();
        for task in tasks {
            match task.await {
                Ok(Ok(("a", at))) => a.push(at),
                Ok(Ok((_, at))) => assert!(at < STEP, "b waited {at:?}"),
                other => panic!("{other:?}"),
            }
        }
        a.sort();
        assert!(a[1] - a[0] >= STEP && a[2] - a[1] >= STEP, "{a:?}");
    }

    #[tokio::test]
    async fn a_pause_answers_at_once_with_the_time_left() {
        let pacer = Pacer::new(STEP);
        pacer.pause("a", Duration::from_secs(30));
        let left = pacer.take_turn("a").await;
        assert!(
            matches!(left, Err(d) if d > Duration::from_secs(29) && d <= Duration::from_secs(30)),
            "{left:?}"
        );
        assert_eq!(pacer.take_turn("b").await, Ok(()));
        pacer.pause("c", STEP);
        tokio::time::sleep(STEP).await;
        assert_eq!(pacer.take_turn("c").await, Ok(()));
    }
}
