//! Small phrasing helpers so warning messages read naturally in English and French.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::calendar::StepKind;

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// English weekday name.
fn weekday_en(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// French weekday name, lowercase as French writes it.
fn weekday_fr(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

/// Month name from a table, tolerating any index so no input can make it panic.
fn month(table: &[&'static str; 12], date: NaiveDate) -> &'static str {
    table
        .get(date.month0() as usize)
        .copied()
        .unwrap_or_default()
}

/// "Saturday 16 May 2026".
pub(crate) fn date_en(date: NaiveDate) -> String {
    let weekday = weekday_en(date.weekday());
    format!(
        "{weekday} {} {} {}",
        date.day(),
        month(&MONTHS_EN, date),
        date.year()
    )
}

/// "samedi 16 mai 2026", with "1er" for the first of the month as French writes it.
pub(crate) fn date_fr(date: NaiveDate) -> String {
    let weekday = weekday_fr(date.weekday());
    let day = match date.day() {
        1 => "1er".to_owned(),
        n => n.to_string(),
    };
    format!(
        "{weekday} {day} {} {}",
        month(&MONTHS_FR, date),
        date.year()
    )
}

/// A date written out in `lang`: "samedi 1er mai 2026" / "Saturday 1 May 2026".
pub fn long_date(lang: crate::Language, date: NaiveDate) -> String {
    match lang {
        crate::Language::Fr => date_fr(date),
        crate::Language::En => date_en(date),
    }
}

/// "1 day" / "12 days".
pub(crate) fn count_en(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 jour" / "12 jours"; French uses the singular for 0 and 1.
pub(crate) fn count_fr(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n.abs() <= 1 { one } else { many })
}

/// The step as a noun phrase mid-sentence in English: "the launch".
pub(crate) fn step_en(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Teaser => "the teaser",
        StepKind::Launch => "the launch",
        StepKind::Reminder => "the reminder",
        StepKind::LastCall => "the last call",
        StepKind::RegistrationDeadline => "the registration deadline",
        StepKind::MissionDay => "the mission day",
        StepKind::EvaluationHot => "the immediate evaluation",
        StepKind::EvaluationShortTerm => "the short-term evaluation",
        StepKind::EvaluationLongTerm => "the long-term evaluation",
    }
}

/// The step as a noun phrase with its article in French: "le lancement".
pub(crate) fn step_fr(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Teaser => "le teasing",
        StepKind::Launch => "le lancement",
        StepKind::Reminder => "la relance",
        StepKind::LastCall => "le dernier appel",
        StepKind::RegistrationDeadline => "la clôture des inscriptions",
        StepKind::MissionDay => "le jour de la mission",
        StepKind::EvaluationHot => "l'évaluation à chaud",
        StepKind::EvaluationShortTerm => "l'évaluation à court terme",
        StepKind::EvaluationLongTerm => "l'évaluation à long terme",
    }
}

/// Upper-cases the first letter, to start a sentence with a noun phrase.
pub(crate) fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a date relates to the mission, e.g. "12 days before the mission".
pub(crate) fn gap_en(days_before: i64, mission: &str) -> String {
    match days_before {
        0 => format!("on the day {mission} starts"),
        n if n > 0 => format!("{} before {mission}", count_en(n, "day", "days")),
        n => format!("{} after {mission} starts", count_en(-n, "day", "days")),
    }
}

/// How a date relates to the mission in French, e.g. "12 jours avant la mission".
pub(crate) fn gap_fr(days_before: i64, mission: &str) -> String {
    match days_before {
        0 => format!("le jour même du début de {mission}"),
        n if n > 0 => format!("{} avant {mission}", count_fr(n, "jour", "jours")),
        n => format!(
            "{} après le début de {mission}",
            count_fr(-n, "jour", "jours")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn formats_dates() {
        assert_eq!(date_en(date(2026, 5, 16)), "Saturday 16 May 2026");
        assert_eq!(date_fr(date(2026, 5, 16)), "samedi 16 mai 2026");
        assert_eq!(date_fr(date(2026, 5, 1)), "vendredi 1er mai 2026");
        assert_eq!(date_fr(date(2026, 8, 3)), "lundi 3 août 2026");
    }

    #[test]
    fn pluralises() {
        assert_eq!(count_en(1, "day", "days"), "1 day");
        assert_eq!(count_en(0, "day", "days"), "0 days");
        assert_eq!(count_fr(0, "jour", "jours"), "0 jour");
        assert_eq!(count_fr(2, "jour", "jours"), "2 jours");
    }

    #[test]
    fn describes_gaps() {
        assert_eq!(gap_en(12, "the mission"), "12 days before the mission");
        assert_eq!(gap_en(0, "the mission"), "on the day the mission starts");
        assert_eq!(gap_en(-1, "the mission"), "1 day after the mission starts");
        assert_eq!(gap_fr(12, "la mission"), "12 jours avant la mission");
        assert_eq!(
            gap_fr(-3, "la mission"),
            "3 jours après le début de la mission"
        );
    }

    #[test]
    fn capitalizes_accented_and_empty_text() {
        assert_eq!(capitalize("l'évaluation"), "L'évaluation");
        assert_eq!(capitalize("été"), "Été");
        assert_eq!(capitalize(""), "");
    }
}
