//! French public holidays (metropolitan France), so the calendar avoids days colleagues are off.

use chrono::{Datelike, NaiveDate, TimeDelta};

/// Easter Sunday of `year` by the anonymous Gregorian computus, or `None` outside chrono's range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    // Euclidean division keeps the arithmetic total for every i32, including negative
    // (proleptic) years; the result is only meaningful for Gregorian years.
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    let month = u32::try_from(n.div_euclid(31)).ok()?;
    let day = u32::try_from(n.rem_euclid(31) + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// One public holiday with its French and English names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Holiday {
    pub(crate) date: NaiveDate,
    pub(crate) name_fr: &'static str,
    pub(crate) name_en: &'static str,
}

/// Fixed-date holidays as (month, day, French name, English name).
const FIXED: [(u32, u32, &str, &str); 8] = [
    (1, 1, "Jour de l'an", "New Year's Day"),
    (5, 1, "Fête du Travail", "Labour Day"),
    (5, 8, "Victoire 1945", "Victory in Europe Day"),
    (7, 14, "Fête nationale", "Bastille Day"),
    (8, 15, "Assomption", "Assumption Day"),
    (11, 1, "Toussaint", "All Saints' Day"),
    (11, 11, "Armistice 1918", "Armistice Day"),
    (12, 25, "Noël", "Christmas Day"),
];

/// Easter-based holidays as (days after Easter Sunday, French name, English name).
const MOVABLE: [(i64, &str, &str); 3] = [
    (1, "Lundi de Pâques", "Easter Monday"),
    (39, "Ascension", "Ascension Day"),
    (50, "Lundi de Pentecôte", "Whit Monday"),
];

/// All public holidays of `year`, sorted by date (empty outside chrono's range).
pub(crate) fn holidays(year: i32) -> Vec<Holiday> {
    let fixed = FIXED.iter().filter_map(|&(month, day, name_fr, name_en)| {
        Some(Holiday {
            date: NaiveDate::from_ymd_opt(year, month, day)?,
            name_fr,
            name_en,
        })
    });
    let easter = easter_sunday(year);
    let movable = MOVABLE.iter().filter_map(|&(offset, name_fr, name_en)| {
        Some(Holiday {
            date: easter?.checked_add_signed(TimeDelta::try_days(offset)?)?,
            name_fr,
            name_en,
        })
    });
    let mut all: Vec<Holiday> = fixed.chain(movable).collect();
    // Ascension moves between 30 April and 3 June, so only sorting gives date order;
    // the sort is stable so a fixed holiday stays ahead of a movable one on the same day.
    all.sort_by_key(|holiday| holiday.date);
    all
}

/// The holiday falling on `date`, if any.
pub(crate) fn holiday_on(date: NaiveDate) -> Option<Holiday> {
    // Ascension can coincide with 1 or 8 May; `holidays` lists fixed holidays first and
    // sorts stably, so the fixed holiday's name is the one reported then.
    holidays(date.year())
        .into_iter()
        .find(|holiday| holiday.date == date)
}

/// The 11 public holidays of metropolitan France in `year`, with their French names, by date.
pub fn french_public_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    holidays(year)
        .into_iter()
        .map(|holiday| (holiday.date, holiday.name_fr))
        .collect()
}

/// The French name of the public holiday on `date`, if it is one.
pub fn is_french_public_holiday(date: NaiveDate) -> Option<&'static str> {
    holiday_on(date).map(|holiday| holiday.name_fr)
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;
    use proptest::prelude::*;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn known_easter_dates() {
        let known = [
            (2024, date(2024, 3, 31)),
            (2025, date(2025, 4, 20)),
            (2026, date(2026, 4, 5)),
            (2027, date(2027, 3, 28)),
            (2038, date(2038, 4, 25)),
            (2285, date(2285, 3, 22)),
            (1961, date(1961, 4, 2)),
            (2000, date(2000, 4, 23)),
        ];
        for (year, expected) in known {
            assert_eq!(easter_sunday(year), Some(expected), "{year}");
        }
    }

    #[test]
    fn holidays_of_2026() {
        let expected = [
            (date(2026, 1, 1), "Jour de l'an"),
            (date(2026, 4, 6), "Lundi de Pâques"),
            (date(2026, 5, 1), "Fête du Travail"),
            (date(2026, 5, 8), "Victoire 1945"),
            (date(2026, 5, 14), "Ascension"),
            (date(2026, 5, 25), "Lundi de Pentecôte"),
            (date(2026, 7, 14), "Fête nationale"),
            (date(2026, 8, 15), "Assomption"),
            (date(2026, 11, 1), "Toussaint"),
            (date(2026, 11, 11), "Armistice 1918"),
            (date(2026, 12, 25), "Noël"),
        ];
        assert_eq!(french_public_holidays(2026), expected);
    }

    #[test]
    fn ascension_before_labour_day_is_sorted_first() {
        // Easter on 22 March 2285 puts Ascension on 30 April.
        let holidays = french_public_holidays(2285);
        assert_eq!(holidays[2], (date(2285, 4, 30), "Ascension"));
        assert!(holidays.windows(2).all(|pair| pair[0].0 <= pair[1].0));
    }

    #[test]
    fn lookup_by_date() {
        assert_eq!(
            is_french_public_holiday(date(2026, 7, 14)),
            Some("Fête nationale")
        );
        assert_eq!(
            is_french_public_holiday(date(2025, 6, 9)),
            Some("Lundi de Pentecôte")
        );
        assert_eq!(is_french_public_holiday(date(2026, 7, 15)), None);
        // Good Friday and Whit Sunday are not public holidays in metropolitan France.
        assert_eq!(is_french_public_holiday(date(2026, 4, 3)), None);
        assert_eq!(is_french_public_holiday(date(2026, 5, 24)), None);
    }

    #[test]
    fn coinciding_holidays_report_the_fixed_one() {
        // In 2008 Easter was 23 March, so Ascension fell on 1 May.
        assert_eq!(
            is_french_public_holiday(date(2008, 5, 1)),
            Some("Fête du Travail")
        );
        let on_may_first = french_public_holidays(2008)
            .into_iter()
            .filter(|(d, _)| *d == date(2008, 5, 1))
            .count();
        assert_eq!(on_may_first, 2);
    }

    #[test]
    fn out_of_range_years_yield_nothing_rather_than_panicking() {
        assert_eq!(easter_sunday(i32::MAX), None);
        assert_eq!(easter_sunday(i32::MIN), None);
        assert!(french_public_holidays(i32::MAX).is_empty());
        assert_eq!(is_french_public_holiday(NaiveDate::MAX), None);
        // chrono's first representable day is a 1 January.
        assert_eq!(
            is_french_public_holiday(NaiveDate::MIN),
            Some("Jour de l'an")
        );
    }

    proptest! {
        #[test]
        fn easter_is_a_sunday_between_22_march_and_25_april(year in 1583i32..=9999) {
            let easter = easter_sunday(year).expect("year within chrono's range");
            prop_assert_eq!(easter.weekday(), Weekday::Sun);
            prop_assert!(easter >= date(year, 3, 22), "{}", easter);
            prop_assert!(easter <= date(year, 4, 25), "{}", easter);
        }

        #[test]
        fn every_year_has_eleven_sorted_holidays(year in 1583i32..=9999) {
            let holidays = french_public_holidays(year);
            prop_assert_eq!(holidays.len(), 11);
            prop_assert!(holidays.windows(2).all(|pair| pair[0].0 <= pair[1].0));
            prop_assert!(holidays.iter().all(|(d, _)| d.year() == year));
        }

        #[test]
        fn easter_never_panics(year in any::<i32>()) {
            let _ = french_public_holidays(year);
        }
    }
}
