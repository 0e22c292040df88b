//! How the mail relay is doing, from the sends themselves: a relay that refuses
//! connections, or accepts them and never answers, shows as `failing`; one that
//! answers slowly as `slow`. Pure: the delivery worker feeds it each send's time
//! and result and stores the state when it changes, for the dispatch pages and
//! the dashboard.

use std::collections::VecDeque;
use std::time::Duration;

/// Sends looked at.
const WINDOW: usize = 20;
/// Consecutive relay failures that make it `failing`.
const FAILURES: usize = 3;
/// A median send time over this is `slow` (a local relay takes milliseconds).
const SLOW: Duration = Duration::from_secs(2);
/// Sends taken by the relay needed before their median says anything.
const MIN_FOR_SLOW: usize = 5;

/// The relay's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayState {
    Ok,
    Slow,
    Failing,
}

impl RelayState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RelayState::Ok => "ok",
            RelayState::Slow => "slow",
            RelayState::Failing => "failing",
        }
    }
}

/// One send as the relay answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub took: Duration,
    /// `None`: the relay took the message, or refused it for a reason of that message
    /// (a permanent reply about one address); `Some`: the relay itself failed
    /// (refused connection, timeout, a temporary reply), with the reason.
    pub relay_error: Option<String>,
}

/// The last sends, and the state they give.
#[derive(Debug, Default)]
pub struct RelayHealth {
    samples: VecDeque<Sample>,
    reported: Option<RelayState>,
}

/// A change worth storing: the new state and the latest relay error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub state: RelayState,
    pub last_error: Option<String>,
}

impl RelayHealth {
    /// Notes a send; returns the state when it differs from the last one returned.
    pub fn record(&mut self, sample: Sample) -> Option<Change> {
        if self.samples.len() == WINDOW {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
        let state = self.state();
        if self.reported == Some(state) {
            return None;
        }
        self.reported = Some(state);
        Some(Change {
            state,
            last_error: self
                .samples
                .iter()
                .rev()
                .find_map(|s| s.relay_error.clone())
                .map(|e| redact(&e)),
        })
    }

    /// The state the last sends give.
    pub fn state(&self) -> RelayState {
        let failing = self.samples.len() >= FAILURES
            && self
                .samples
                .iter()
                .rev()
                .take(FAILURES)
                .all(|s| s.relay_error.is_some());
        if failing {
            return RelayState::Failing;
        }
        // Speed is that of the sends the relay took: a failure's time is its timeout.
        let mut times: Vec<Duration> = self
            .samples
            .iter()
            .filter(|s| s.relay_error.is_none())
            .map(|s| s.took)
            .collect();
        if times.len() >= MIN_FOR_SLOW {
            times.sort_unstable();
            if times[times.len() / 2] > SLOW {
                return RelayState::Slow;
            }
        }
        RelayState::Ok
    }
}

/// A relay's error without the addresses it may quote ("450 <bob@acme.example>: …"):
/// the state is shown to every console user.
pub fn redact(error: &str) -> String {
    error
        .split_inclusive(char::is_whitespace)
        .map(|word| {
            if word.contains('@') {
                let end: String = word.chars().filter(|c| c.is_whitespace()).collect();
                format!("<address>{end}")
            } else {
                word.to_owned()
            }
        })
        .collect::<String>()
        .chars()
        .take(300)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(ms: u64) -> Sample {
        Sample {
            took: Duration::from_millis(ms),
            relay_error: None,
        }
    }

    fn failed(e: &str) -> Sample {
        Sample {
            took: Duration::from_secs(30),
            relay_error: Some(e.to_owned()),
        }
    }

    #[test]
    fn three_relay_failures_in_a_row_make_it_failing_and_one_success_heals_it() {
        let mut h = RelayHealth::default();
        assert_eq!(h.record(ok(3)).map(|c| c.state), Some(RelayState::Ok));
        assert_eq!(h.record(failed("timeout")), None);
        assert_eq!(h.record(failed("timeout")), None);
        let change = h.record(failed("the SMTP server did not answer in time"));
        assert_eq!(
            change,
            Some(Change {
                state: RelayState::Failing,
                last_error: Some("the SMTP server did not answer in time".into()),
            })
        );
        assert_eq!(h.record(failed("refused")), None, "reported once");
        assert_eq!(h.record(ok(3)).map(|c| c.state), Some(RelayState::Ok));
    }

    #[test]
    fn a_slow_median_is_slow_a_slow_outlier_is_not() {
        let mut h = RelayHealth::default();
        for _ in 0..4 {
            h.record(ok(5));
        }
        h.record(ok(10_000));
        assert_eq!(h.state(), RelayState::Ok);
        for _ in 0..6 {
            h.record(ok(2_500));
        }
        assert_eq!(h.state(), RelayState::Slow);
    }

    #[test]
    fn too_few_sends_say_nothing_of_speed() {
        let mut h = RelayHealth::default();
        for _ in 0..4 {
            h.record(ok(9_000));
        }
        assert_eq!(h.state(), RelayState::Ok);
    }

    #[test]
    fn addresses_are_taken_out_of_errors() {
        assert_eq!(
            redact("450 4.2.0 <bob@acme.example>: Recipient address rejected"),
            "450 4.2.0 <address> Recipient address rejected"
        );
        assert_eq!(redact("connection refused"), "connection refused");
        assert!(redact(&"x".repeat(1000)).chars().count() <= 300);
    }
}
