//! VTIMEZONE from the tz database (chrono-tz): the observances in force around an event.
//!
//! Rather than recurrence rules, which the tz database does not give, each observance is a
//! single onset found by scanning the offsets: the transition last before the event, those
//! during it, and the next one after it, so both halves of the year are described.

use chrono::{DateTime, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use super::text::Lines;

/// How far around the event to look for transitions: a little over a year each side.
const WINDOW: TimeDelta = TimeDelta::days(400);
/// Scan step; tz transitions are weeks apart, so none is missed.
const STEP: TimeDelta = TimeDelta::hours(12);

/// The offset rules in force at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observance {
    /// Seconds east of UTC, DST included.
    utc_offset: i32,
    daylight: bool,
    name: Option<String>,
}

impl Observance {
    fn at(tz: Tz, instant: DateTime<Utc>) -> Self {
        let offset = tz.offset_from_utc_datetime(&instant.naive_utc());
        let total = offset.base_utc_offset() + offset.dst_offset();
        Self {
            utc_offset: i32::try_from(total.num_seconds()).unwrap_or(0),
            daylight: !offset.dst_offset().is_zero(),
            name: offset.abbreviation().map(str::to_owned),
        }
    }

    /// Same offset and kind: a change of abbreviation alone is not worth an observance.
    fn same_rules(&self, other: &Self) -> bool {
        self.utc_offset == other.utc_offset && self.daylight == other.daylight
    }
}

/// A change from one observance to the next.
#[derive(Debug, Clone)]
struct Transition {
    at: DateTime<Utc>,
    from: Observance,
    to: Observance,
}

/// Writes the VTIMEZONE for `tz` covering `start`..`end` (UTC instants).
pub(crate) fn write(lines: &mut Lines, tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>) {
    let transitions = transitions(tz, start - WINDOW, end + WINDOW);
    let before = transitions.iter().rposition(|t| t.at <= start);
    let after_end = transitions.iter().position(|t| t.at > end);
    let first = before.unwrap_or(0);
    let last = match after_end {
        Some(i) => i + 1,
        None => transitions.len(),
    };
    let chosen = transitions.get(first..last).unwrap_or_default();

    lines.raw("BEGIN", "VTIMEZONE");
    lines.text("TZID", tz.name());
    if before.is_none() {
        // No change in the year before the event: the offset has held since before then.
        let now = Observance::at(tz, start);
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        observance(lines, &now, &now, epoch);
    }
    for t in chosen {
        // DTSTART of an observance is the local time of the onset, read on the old offset.
        let onset = t.at.naive_utc() + TimeDelta::seconds(i64::from(t.from.utc_offset));
        observance(lines, &t.from, &t.to, onset);
    }
    lines.raw("END", "VTIMEZONE");
}

fn observance(lines: &mut Lines, from: &Observance, to: &Observance, onset: NaiveDateTime) {
    let kind = if to.daylight { "DAYLIGHT" } else { "STANDARD" };
    lines.raw("BEGIN", kind);
    lines.raw("DTSTART", &super::local_time(onset));
    lines.raw("TZOFFSETFROM", &offset(from.utc_offset));
    lines.raw("TZOFFSETTO", &offset(to.utc_offset));
    if let Some(name) = to.name.as_deref().filter(|n| !n.is_empty()) {
        lines.text("TZNAME", name);
    }
    lines.raw("END", kind);
}

/// UTC-OFFSET value: `+HHMM`, or `+HHMMSS` for the odd historical offset with seconds.
fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs % 3600 / 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// Every transition in `from..=to`, each located to the second.
fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let mut found = Vec::new();
    let mut at = from;
    let mut current = Observance::at(tz, at);
    while at < to {
        let next_at = (at + STEP).min(to);
        let next = Observance::at(tz, next_at);
        if !next.same_rules(&current) {
            let change = first_change(tz, &current, at, next_at);
            found.push(Transition {
                at: change,
                from: current,
                to: next.clone(),
            });
        }
        current = next;
        at = next_at;
    }
    found
}

/// Bisects `(lo, hi]` for the first second whose rules differ from `before`.
fn first_change(
    tz: Tz,
    before: &Observance,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
) -> DateTime<Utc> {
    let (mut lo, mut hi) = (lo.timestamp(), hi.timestamp());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let probe = Utc.timestamp_opt(mid, 0).single().unwrap_or_default();
        if Observance::at(tz, probe).same_rules(before) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Utc.timestamp_opt(hi, 0).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_formatted_with_sign() {
        assert_eq!(offset(7200), "+0200");
        assert_eq!(offset(-5 * 3600), "-0500");
        assert_eq!(offset(19800), "+0530");
        assert_eq!(offset(561), "+000921");
        assert_eq!(offset(0), "+0000");
    }

    #[test]
    fn paris_2025_transitions_are_found_to_the_second() {
        let from = Utc
            .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let to = Utc
            .with_ymd_and_hms(2025, 12, 31, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let found = transitions(chrono_tz::Europe::Paris, from, to);
        let instants: Vec<String> = found.iter().map(|t| t.at.to_rfc3339()).collect();
        assert_eq!(
            instants,
            ["2025-03-30T01:00:00+00:00", "2025-10-26T01:00:00+00:00"]
        );
        assert!(found[0].to.daylight && !found[1].to.daylight);
    }
}
