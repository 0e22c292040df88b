//! Human texts for missions and dates, in French and English, shared by pages and mails.

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use declic_planning::Language;
use declic_storage::missions::Mission;
use serde_json::{Value, json};

use declic_messaging::Lang;

/// The planning crate's language for a page language.
pub fn language(lang: Lang) -> Language {
    match lang {
        Lang::Fr => Language::Fr,
        Lang::En => Language::En,
    }
}

/// "jeudi 5 juin 2031" / "Thursday 5 June 2031" (the planning crate's wording).
pub fn date(lang: Lang, d: NaiveDate) -> String {
    declic_planning::long_date(language(lang), d)
}

fn time(t: NaiveDateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// A mission's dates: one day with hours, or a span of days.
pub fn dates(lang: Lang, starts: NaiveDateTime, ends: NaiveDateTime, tz: &str) -> String {
    if starts.date() == ends.date() {
        format!(
            "{}, {}–{} ({tz})",
            date(lang, starts.date()),
            time(starts),
            time(ends)
        )
    } else {
        let (from, to) = match lang {
            Lang::Fr => ("du", "au"),
            Lang::En => ("from", "to"),
        };
        format!(
            "{from} {} {to} {} ({tz})",
            date(lang, starts.date()),
            date(lang, ends.date())
        )
    }
}

/// Where the mission happens.
pub fn place(lang: Lang, m: &Mission) -> String {
    use declic_planning::WorkMode;
    let remote = match lang {
        Lang::Fr => "à distance",
        Lang::En => "remote",
    };
    match (m.work_mode, &m.place) {
        (WorkMode::Remote, _) => remote.to_owned(),
        (WorkMode::Hybrid, Some(p)) => format!("{p} / {remote}"),
        (_, Some(p)) => p.clone(),
        (_, None) => remote.to_owned(),
    }
}

/// The mission object mails and pages share.
pub fn mission_json(lang: Lang, m: &Mission, association_name: &str) -> Value {
    json!({
        "id": m.id,
        "title": m.title,
        "association_name": association_name,
        "dates_text": dates(lang, m.starts_at, m.ends_at, &m.time_zone),
        "place_text": place(lang, m),
        "format_text": m.format.label(language(lang)),
        "confidentiality_note": m.confidentiality_note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally() {
        let d = NaiveDate::from_ymd_opt(2031, 6, 5).unwrap_or_default();
        assert_eq!(date(Lang::Fr, d), "jeudi 5 juin 2031");
        assert_eq!(date(Lang::En, d), "Thursday 5 June 2031");
        let s = d.and_hms_opt(9, 0, 0).unwrap_or_default();
        let e = d.and_hms_opt(18, 30, 0).unwrap_or_default();
        assert_eq!(
            dates(Lang::Fr, s, e, "Europe/Paris"),
            "jeudi 5 juin 2031, 09:00–18:30 (Europe/Paris)"
        );
    }
}
