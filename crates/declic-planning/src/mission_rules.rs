//! Validation of a mission's dates, time zone and capacity before it is saved.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use thiserror::Error;

/// Most places one mission may offer; above this the number is almost surely a typing error.
pub const MAX_MISSION_CAPACITY: u32 = 10_000;

/// A mission field whose value breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MissionRuleError {
    /// The mission ends at or before its start.
    #[error("the mission must end after it starts (starts at {starts_at}, ends at {ends_at})")]
    EndNotAfterStart {
        /// The requested start, in local time.
        starts_at: NaiveDateTime,
        /// The requested end, in local time.
        ends_at: NaiveDateTime,
    },
    /// The time zone is not an IANA name.
    #[error("unknown time zone \"{value}\"; use an IANA name such as Europe/Paris")]
    UnknownTimeZone {
        /// The time zone as given.
        value: String,
    },
    /// A local time that clocks skip when summer time starts, so it never happens.
    #[error(
        "{field} {value} does not exist in {time_zone}: clocks skip it when summer time starts"
    )]
    NonexistentLocalTime {
        /// "starts_at" or "ends_at".
        field: &'static str,
        /// The requested local time.
        value: NaiveDateTime,
        /// The mission's time zone.
        time_zone: Tz,
    },
    /// The capacity is not between 1 and [`MAX_MISSION_CAPACITY`].
    #[error("capacity must be between 1 and {MAX_MISSION_CAPACITY}, got {value}")]
    CapacityOutOfRange {
        /// The capacity as given.
        value: i64,
    },
}

impl MissionRuleError {
    /// The name of the input field that is wrong, for forms and API errors.
    pub fn field(&self) -> &'static str {
        match self {
            MissionRuleError::EndNotAfterStart { .. } => "ends_at",
            MissionRuleError::UnknownTimeZone { .. } => "time_zone",
            MissionRuleError::NonexistentLocalTime { field, .. } => field,
            MissionRuleError::CapacityOutOfRange { .. } => "capacity",
        }
    }
}

/// Checks that a mission, given in local time in `tz`, ends after it starts; returns the parsed zone.
pub fn validate_mission_dates(
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    tz: &str,
) -> Result<Tz, MissionRuleError> {
    if ends_at <= starts_at {
        return Err(MissionRuleError::EndNotAfterStart { starts_at, ends_at });
    }
    let zone: Tz = tz
        .trim()
        .parse()
        .map_err(|_| MissionRuleError::UnknownTimeZone {
            value: tz.to_owned(),
        })?;
    // Ambiguous times (when clocks go back) are fine: either reading is a real instant.
    // Skipped times are not, and would fail later when converted to UTC.
    for (field, value) in [("starts_at", starts_at), ("ends_at", ends_at)] {
        if zone.from_local_datetime(&value).earliest().is_none() {
            return Err(MissionRuleError::NonexistentLocalTime {
                field,
                value,
                time_zone: zone,
            });
        }
    }
    Ok(zone)
}

/// Checks that a mission offers between 1 and [`MAX_MISSION_CAPACITY`] places.
pub fn validate_capacity(capacity: i64) -> Result<u32, MissionRuleError> {
    u32::try_from(capacity)
        .ok()
        .filter(|places| (1..=MAX_MISSION_CAPACITY).contains(places))
        .ok_or(MissionRuleError::CapacityOutOfRange { value: capacity })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(h, min, 0))
            .expect("valid test date-time")
    }

    #[test]
    fn accepts_a_normal_mission() {
        let zone = validate_mission_dates(
            at(2026, 5, 12, 9, 0),
            at(2026, 5, 12, 17, 0),
            "Europe/Paris",
        );
        assert_eq!(zone, Ok(chrono_tz::Europe::Paris));
        let zone = validate_mission_dates(
            at(2026, 5, 12, 9, 0),
            at(2026, 6, 30, 17, 0),
            " America/Montreal ",
        );
        assert_eq!(zone, Ok(chrono_tz::America::Montreal));
    }

    #[test]
    fn end_must_be_strictly_after_start() {
        for ends_at in [at(2026, 5, 12, 9, 0), at(2026, 5, 11, 17, 0)] {
            let err = validate_mission_dates(at(2026, 5, 12, 9, 0), ends_at, "Europe/Paris")
                .expect_err("end not after start");
            assert_eq!(err.field(), "ends_at");
            assert!(
                err.to_string()
                    .starts_with("the mission must end after it starts"),
                "{err}"
            );
        }
    }

    #[test]
    fn time_zone_must_be_an_iana_name() {
        for tz in ["", "Paris", "CEST", "europe/paris"] {
            let err = validate_mission_dates(at(2026, 5, 12, 9, 0), at(2026, 5, 12, 17, 0), tz)
                .expect_err("not an IANA name");
            assert_eq!(err.field(), "time_zone", "{tz}");
            assert_eq!(
                err,
                MissionRuleError::UnknownTimeZone {
                    value: tz.to_owned()
                }
            );
        }
        assert!(
            validate_mission_dates(at(2026, 5, 12, 9, 0), at(2026, 5, 12, 17, 0), "UTC").is_ok()
        );
    }

    #[test]
    fn times_skipped_by_summer_time_are_rejected() {
        // Clocks in Paris jumped from 02:00 to 03:00 on 29 March 2026.
        let err = validate_mission_dates(
            at(2026, 3, 29, 2, 30),
            at(2026, 3, 29, 17, 0),
            "Europe/Paris",
        )
        .expect_err("02:30 does not exist");
        assert_eq!(err.field(), "starts_at");
        let err = validate_mission_dates(
            at(2026, 3, 28, 9, 0),
            at(2026, 3, 29, 2, 15),
            "Europe/Paris",
        )
        .expect_err("02:15 does not exist");
        assert_eq!(err.field(), "ends_at");
        // 02:30 on 25 October happens twice, which is fine.
        assert!(
            validate_mission_dates(
                at(2026, 10, 25, 2, 30),
                at(2026, 10, 25, 17, 0),
                "Europe/Paris"
            )
            .is_ok()
        );
    }

    #[test]
    fn capacity_bounds() {
        assert_eq!(validate_capacity(1), Ok(1));
        assert_eq!(validate_capacity(12), Ok(12));
        assert_eq!(validate_capacity(10_000), Ok(10_000));
        for bad in [0, -1, 10_001, i64::MAX, i64::MIN, i64::from(u32::MAX) + 1] {
            let err = validate_capacity(bad).expect_err("out of range");
            assert_eq!(err.field(), "capacity");
            assert_eq!(err, MissionRuleError::CapacityOutOfRange { value: bad });
        }
        assert_eq!(
            validate_capacity(0).map_err(|err| err.to_string()),
            Err("capacity must be between 1 and 10000, got 0".to_owned())
        );
    }
}
