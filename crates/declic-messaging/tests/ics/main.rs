//! Calendar invitations: parsed back strictly (folding, CRLF) and property by property.
#![expect(clippy::unwrap_used, reason = "tests")]

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use declic_messaging::{IcsError, IcsEvent, IcsMethod, ics};
mod parse;

use parse::{observances, param, parse, prop, raw_value, unescape, val};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn event(time_zone: &str, starts_at: NaiveDateTime, ends_at: NaiveDateTime) -> IcsEvent {
    IcsEvent {
        uid: "seat-42@declic.test".into(),
        sequence: 0,
        method: IcsMethod::Request,
        summary: "Revoir le plan de trésorerie; étape 1, \\ bilan".into(),
        description: "Rendez-vous à l’accueil.\nApportez votre ordinateur, merci !".into(),
        location: Some("12 rue des Vinaigriers, 75010 Paris".into()),
        url: Some("https://declic.example.org/me/8Zq3kW1xPv".into()),
        starts_at,
        ends_at,
        time_zone: time_zone.into(),
        organizer_email: "no-reply@declic.test".into(),
        organizer_name: Some("Déclic, Groupe Hélios".into()),
        attendee_email: "elodie.durand@example.org".into(),
        attendee_name: Some("Élodie \"Lo\" Durand".into()),
        stamp: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 5).unwrap(),
    }
}

#[test]
fn a_request_round_trips_property_by_property() {
    let e = event(
        "Europe/Paris",
        at(2025, 6, 12, 9, 30),
        at(2025, 6, 12, 12, 30),
    );
    let out = ics(&e).unwrap();
    let p = parse(&out);
    let cal: Vec<(&str, &str)> = p.calendar.iter().map(|(k, v)| (&**k, &**v)).collect();
    assert!(cal.contains(&("VERSION", "2.0")));
    assert!(cal.contains(&("METHOD", "REQUEST")));
    assert!(
        cal.iter()
            .any(|(k, v)| *k == "PRODID" && v.contains("Declic"))
    );

    let ev = &p.event;
    assert_eq!(val(ev, "UID"), "seat-42@declic.test");
    assert_eq!(val(ev, "SEQUENCE"), "0");
    assert_eq!(val(ev, "DTSTAMP"), "20250301T080005Z");
    let start = prop(ev, "DTSTART");
    assert_eq!(param(start, "TZID").as_deref(), Some("Europe/Paris"));
    assert_eq!(start.val.as_str(), "20250612T093000");
    let end = prop(ev, "DTEND");
    assert_eq!(param(end, "TZID").as_deref(), Some("Europe/Paris"));
    assert_eq!(end.val.as_str(), "20250612T123000");
    assert_eq!(val(ev, "SUMMARY"), e.summary);
    assert_eq!(unescape(&raw_value(&out, "SUMMARY")), e.summary);
    assert_eq!(val(ev, "DESCRIPTION"), e.description);
    assert_eq!(unescape(&raw_value(&out, "DESCRIPTION")), e.description);
    assert_eq!(val(ev, "LOCATION"), "12 rue des Vinaigriers, 75010 Paris");
    assert_eq!(val(ev, "URL"), "https://declic.example.org/me/8Zq3kW1xPv");
    assert_eq!(val(ev, "STATUS"), "CONFIRMED");

    let organizer = prop(ev, "ORGANIZER");
    assert_eq!(organizer.val.as_str(), "mailto:no-reply@declic.test");
    assert_eq!(
        param(organizer, "CN").as_deref(),
        Some("Déclic, Groupe Hélios")
    );
    let attendee = prop(ev, "ATTENDEE");
    assert_eq!(attendee.val.as_str(), "mailto:elodie.durand@example.org");
    assert_eq!(param(attendee, "CN").as_deref(), Some("Élodie Lo Durand"));
    assert_eq!(param(attendee, "PARTSTAT").as_deref(), Some("NEEDS-ACTION"));
    assert_eq!(param(attendee, "RSVP").as_deref(), Some("FALSE"));

    // Raw form: the specials are escaped on the wire.
    assert!(out.contains("SUMMARY:Revoir le plan de trésorerie\\; étape 1\\, \\\\ bilan\r\n"));
    assert!(out.contains("Rendez-vous à l’accueil.\\nApportez"));
}

#[test]
fn paris_in_summer_is_on_daylight_time() {
    let e = event(
        "Europe/Paris",
        at(2025, 6, 12, 9, 30),
        at(2025, 6, 12, 12, 30),
    );
    let p = parse(&ics(&e).unwrap());
    assert_eq!(val(&p.timezone, "TZID"), "Europe/Paris");
    assert_eq!(
        observances(&p.timezone),
        [
            (
                "DAYLIGHT".into(),
                "20250330T020000".into(),
                "+0100".into(),
                "+0200".into()
            ),
            (
                "STANDARD".into(),
                "20251026T030000".into(),
                "+0200".into(),
                "+0100".into()
            ),
        ]
    );
    assert_eq!(val(&p.timezone.components[0], "TZNAME"), "CEST");
}

#[test]
fn new_york_in_winter_is_on_standard_time() {
    let e = event(
        "America/New_York",
        at(2026, 1, 15, 18, 0),
        at(2026, 1, 15, 20, 0),
    );
    let p = parse(&ics(&e).unwrap());
    assert_eq!(val(&p.timezone, "TZID"), "America/New_York");
    assert_eq!(
        observances(&p.timezone),
        [
            (
                "STANDARD".into(),
                "20251102T020000".into(),
                "-0400".into(),
                "-0500".into()
            ),
            (
                "DAYLIGHT".into(),
                "20260308T020000".into(),
                "-0500".into(),
                "-0400".into()
            ),
        ]
    );
    assert_eq!(
        param(prop(&p.event, "DTSTART"), "TZID").as_deref(),
        Some("America/New_York")
    );
}

#[test]
fn tokyo_has_a_single_standard_observance() {
    let e = event("Asia/Tokyo", at(2025, 7, 1, 10, 0), at(2025, 7, 1, 11, 0));
    let p = parse(&ics(&e).unwrap());
    assert_eq!(
        observances(&p.timezone),
        [(
            "STANDARD".into(),
            "19700101T000000".into(),
            "+0900".into(),
            "+0900".into()
        )]
    );
}

#[test]
fn a_cancellation_keeps_the_uid_and_raises_the_sequence() {
    let request = event(
        "Europe/Paris",
        at(2025, 6, 12, 9, 30),
        at(2025, 6, 12, 12, 30),
    );
    let cancel = IcsEvent {
        sequence: 1,
        method: IcsMethod::Cancel,
        stamp: Utc.with_ymd_and_hms(2025, 3, 5, 9, 0, 0).unwrap(),
        ..request.clone()
    };
    let first = parse(&ics(&request).unwrap());
    let second_text = ics(&cancel).unwrap();
    let second = parse(&second_text);
    assert!(
        second
            .calendar
            .contains(&("METHOD".into(), "CANCEL".into()))
    );
    assert_eq!(val(&second.event, "UID"), val(&first.event, "UID"));
    let (a, b): (u32, u32) = (
        val(&first.event, "SEQUENCE").parse().unwrap(),
        val(&second.event, "SEQUENCE").parse().unwrap(),
    );
    assert!(b > a);
    assert_eq!(val(&second.event, "STATUS"), "CANCELLED");
    let attendee = prop(&second.event, "ATTENDEE");
    assert_eq!(param(attendee, "PARTSTAT"), None);
    assert_eq!(param(attendee, "RSVP"), None);
    assert_eq!(IcsMethod::Cancel.as_str(), "CANCEL");
}

#[test]
fn a_long_accented_summary_is_folded_at_75_octets() {
    let summary: String = "Été à Noël, ça déçoit — "
        .chars()
        .cycle()
        .take(300)
        .collect();
    let mut e = event(
        "Europe/Paris",
        at(2025, 6, 12, 9, 30),
        at(2025, 6, 12, 12, 30),
    );
    e.summary = summary.clone();
    let out = ics(&e).unwrap();
    let summary_lines = out
        .split("\r\n")
        .skip_while(|l| !l.starts_with("SUMMARY:"))
        .take_while(|l| l.starts_with("SUMMARY:") || l.starts_with(' '))
        .count();
    assert!(summary_lines >= 6, "only {summary_lines} lines");
    // unfold_strict checks the octet limit, UTF-8 on every physical line and CRLF.
    let p = parse(&out);
    assert_eq!(val(&p.event, "SUMMARY"), summary);
    assert_eq!(unescape(&raw_value(&out, "SUMMARY")), summary);
}

#[test]
fn errors_are_reported() {
    let ok = event(
        "Europe/Paris",
        at(2025, 6, 12, 9, 30),
        at(2025, 6, 12, 12, 30),
    );
    let unknown = IcsEvent {
        time_zone: "Mars/Olympus_Mons".into(),
        ..ok.clone()
    };
    assert_eq!(
        ics(&unknown),
        Err(IcsError::UnknownTimeZone("Mars/Olympus_Mons".into()))
    );

    // 02:30 does not exist in Paris on the spring-forward night.
    let gap = IcsEvent {
        starts_at: at(2025, 3, 30, 2, 30),
        ends_at: at(2025, 3, 30, 4, 0),
        ..ok.clone()
    };
    assert!(matches!(
        ics(&gap),
        Err(IcsError::NonexistentLocalTime { .. })
    ));

    let backwards = IcsEvent {
        ends_at: at(2025, 6, 12, 9, 0),
        ..ok.clone()
    };
    assert!(matches!(
        ics(&backwards),
        Err(IcsError::EndNotAfterStart { .. })
    ));

    let bad_email = IcsEvent {
        attendee_email: "not an address".into(),
        ..ok.clone()
    };
    assert!(matches!(ics(&bad_email), Err(IcsError::InvalidEmail(_))));

    // 02:30 happens twice on the fall-back night: accepted, written as given.
    let overlap = IcsEvent {
        starts_at: at(2025, 10, 26, 2, 30),
        ends_at: at(2025, 10, 26, 4, 0),
        ..ok
    };
    let p = parse(&ics(&overlap).unwrap());
    assert_eq!(val(&p.event, "DTSTART"), "20251026T023000");
}
