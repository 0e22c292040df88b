//! Calendar invitations (RFC 5545 iCalendar, iTIP methods REQUEST and CANCEL).
//!
//! Times are written in the mission's own time zone (`DTSTART;TZID=Europe/Paris:…`) with a
//! VTIMEZONE describing it, so that a calendar shows the right hour whatever its own zone.

mod text;
mod vtimezone;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use text::{Lines, quote_param, uri};

/// iTIP method: what the receiving calendar should do with the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcsMethod {
    /// Add or update the event.
    Request,
    /// Remove the event (same UID, higher SEQUENCE).
    Cancel,
}

impl IcsMethod {
    /// The METHOD value, also used in the `text/calendar; method=…` content type.
    pub fn as_str(self) -> &'static str {
        match self {
            IcsMethod::Request => "REQUEST",
            IcsMethod::Cancel => "CANCEL",
        }
    }
}

/// One event sent to one attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    /// Stable identifier: updates and cancellations reuse it.
    pub uid: String,
    /// Revision number; each update or cancellation must raise it.
    pub sequence: u32,
    /// Add/update or cancel.
    pub method: IcsMethod,
    /// Title.
    pub summary: String,
    /// Free text, may span lines.
    pub description: String,
    /// Where it happens.
    pub location: Option<String>,
    /// Page about the event.
    pub url: Option<String>,
    /// Start, local time in `time_zone`.
    pub starts_at: NaiveDateTime,
    /// End, local time in `time_zone`; after the start.
    pub ends_at: NaiveDateTime,
    /// IANA zone name, e.g. `Europe/Paris`.
    pub time_zone: String,
    /// Organizer address.
    pub organizer_email: String,
    /// Organizer display name.
    pub organizer_name: Option<String>,
    /// Attendee address.
    pub attendee_email: String,
    /// Attendee display name.
    pub attendee_name: Option<String>,
    /// When this revision was made (DTSTAMP).
    pub stamp: DateTime<Utc>,
}

/// Why an event cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    /// Not a zone of the IANA tz database.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// The local time falls in a DST gap (e.g. 02:30 on the spring-forward night).
    #[error("{time} does not exist in {time_zone} (clocks skip it)")]
    NonexistentLocalTime {
        /// The local time asked for.
        time: NaiveDateTime,
        /// Its zone.
        time_zone: String,
    },
    /// DTEND must be later than DTSTART (RFC 5545 §3.6.1).
    #[error("the event ends ({ends_at}) before or when it starts ({starts_at})")]
    EndNotAfterStart {
        /// Start, local time.
        starts_at: NaiveDateTime,
        /// End, local time.
        ends_at: NaiveDateTime,
    },
    /// An organizer or attendee address that cannot be a `mailto:` URI.
    #[error("invalid e-mail address {0:?}")]
    InvalidEmail(String),
}

/// The iCalendar text (CRLF line endings, folded) for one event.
pub fn ics(event: &IcsEvent) -> Result<String, IcsError> {
    let tz: Tz = event
        .time_zone
        .parse()
        .map_err(|_| IcsError::UnknownTimeZone(event.time_zone.clone()))?;
    let start = to_utc(tz, event.starts_at, &event.time_zone)?;
    let end = to_utc(tz, event.ends_at, &event.time_zone)?;
    if end <= start {
        return Err(IcsError::EndNotAfterStart {
            starts_at: event.starts_at,
            ends_at: event.ends_at,
        });
    }
    let organizer = mailto(&event.organizer_email)?;
    let attendee = mailto(&event.attendee_email)?;
    let tzid = tz.name();

    let mut lines = Lines::default();
    lines.raw("BEGIN", "VCALENDAR");
    lines.raw("PRODID", "-//Declic//Declic messaging//EN");
    lines.raw("VERSION", "2.0");
    lines.raw("CALSCALE", "GREGORIAN");
    lines.raw("METHOD", event.method.as_str());
    vtimezone::write(&mut lines, tz, start, end);

    lines.raw("BEGIN", "VEVENT");
    lines.text("UID", &event.uid);
    lines.raw("SEQUENCE", &event.sequence.to_string());
    lines.raw("DTSTAMP", &utc_time(event.stamp));
    let with_tzid = |name: &str| [name, ";TZID=", &quote_if_needed(tzid)].concat();
    lines.raw(&with_tzid("DTSTART"), &local_time(event.starts_at));
    lines.raw(&with_tzid("DTEND"), &local_time(event.ends_at));
    lines.text("SUMMARY", &event.summary);
    if !event.description.is_empty() {
        lines.text("DESCRIPTION", &event.description);
    }
    if let Some(location) = event.location.as_deref().filter(|l| !l.is_empty()) {
        lines.text("LOCATION", location);
    }
    if let Some(url) = event.url.as_deref().filter(|u| !u.is_empty()) {
        lines.raw("URL", &uri(url));
    }
    lines.raw(
        &with_cn("ORGANIZER", event.organizer_name.as_deref()),
        &organizer,
    );
    let attendee_params = match event.method {
        // Declic does not read iTIP replies (people manage their seat on their page), so it
        // asks for none; the calendar still offers to add the event.
        IcsMethod::Request => ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE",
        IcsMethod::Cancel => ";ROLE=REQ-PARTICIPANT",
    };
    let attendee_name = with_cn("ATTENDEE", event.attendee_name.as_deref()) + attendee_params;
    lines.raw(&attendee_name, &attendee);
    let status = match event.method {
        IcsMethod::Request => "CONFIRMED",
        IcsMethod::Cancel => "CANCELLED",
    };
    lines.raw("STATUS", status);
    lines.raw("TRANSP", "OPAQUE");
    lines.raw("END", "VEVENT");
    lines.raw("END", "VCALENDAR");
    Ok(lines.finish())
}

/// Resolves a local time; in the autumn overlap the first (summer-time) instant is taken,
/// which is also how calendar clients read an ambiguous DTSTART.
fn to_utc(tz: Tz, local: NaiveDateTime, zone: &str) -> Result<DateTime<Utc>, IcsError> {
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| IcsError::NonexistentLocalTime {
            time: local,
            time_zone: zone.to_owned(),
        })
}

/// DATE-TIME in local ("floating" + TZID) form.
pub(crate) fn local_time(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// DATE-TIME in UTC form.
fn utc_time(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Zone names are plain (`America/Argentina/Buenos_Aires`), but quoting costs nothing if not.
fn quote_if_needed(value: &str) -> String {
    if value.contains([':', ';', ',']) {
        quote_param(value)
    } else {
        value.to_owned()
    }
}

fn with_cn(property: &str, name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => [property, ";CN=", &quote_param(name)].concat(),
        None => property.to_owned(),
    }
}

fn mailto(email: &str) -> Result<String, IcsError> {
    let email = email.trim();
    let valid = email.contains('@')
        && !email.starts_with('@')
        && !email.ends_with('@')
        && !email
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '<' | '>'));
    if valid {
        Ok(["mailto:", email].concat())
    } else {
        Err(IcsError::InvalidEmail(email.to_owned()))
    }
}
