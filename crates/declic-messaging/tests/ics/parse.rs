//! A strict reader for the tests: unfolding that refuses what RFC 5545 §3.1 forbids, then
//! the icalendar crate's parser, as a calendar client would read the invitation.
#![expect(clippy::unwrap_used, reason = "tests")]

use icalendar::parser::{Component, Property, read_calendar};

/// Unfolds as RFC 5545 §3.1 says, failing on anything a strict reader would refuse.
pub fn unfold_strict(ics: &str) -> String {
    assert!(ics.ends_with("\r\n"), "must end with CRLF");
    let bytes = ics.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\n' => assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at {i}"),
            b'\r' => assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at {i}"),
            _ => {}
        }
    }
    let mut out = String::new();
    for (n, line) in ics.as_bytes()[..ics.len() - 2]
        .split(|&b| b == b'\n')
        .enumerate()
    {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(line.len() <= 75, "line {n} has {} octets", line.len());
        // A fold inside a UTF-8 character would leave invalid bytes on both sides.
        let line = std::str::from_utf8(line).unwrap_or_else(|e| panic!("line {n}: {e}"));
        match line.strip_prefix(' ') {
            Some(rest) if n > 0 => out.push_str(rest),
            _ => {
                assert!(
                    !line.starts_with(['\t', ' ']),
                    "line {n} starts with white space"
                );
                if n > 0 {
                    out.push_str("\r\n");
                }
                out.push_str(line);
            }
        }
    }
    out.push_str("\r\n");
    out
}

/// The value of a property as written, after unfolding (the parser unescapes TEXT itself).
pub fn raw_value(ics: &str, name: &str) -> String {
    let unfolded = unfold_strict(ics);
    let prefix = format!("{name}:");
    let line = unfolded
        .split("\r\n")
        .find(|l| l.starts_with(&prefix))
        .unwrap();
    line[prefix.len()..].to_owned()
}

/// Strict TEXT unescaping: a bare `;` or `,` is an error.
pub fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next().unwrap() {
                'n' | 'N' => out.push('\n'),
                other @ ('\\' | ';' | ',') => out.push(other),
                other => panic!("invalid escape \\{other}"),
            }
        } else {
            assert!(!matches!(c, ';' | ','), "unescaped {c:?} in {value:?}");
            out.push(c);
        }
    }
    out
}

pub struct Parsed {
    pub calendar: Vec<(String, String)>,
    pub timezone: Component<'static>,
    pub event: Component<'static>,
}

pub fn parse(ics: &str) -> Parsed {
    let unfolded = unfold_strict(ics);
    let cal = read_calendar(&unfolded).unwrap();
    let find = |name: &str| {
        let mut found = cal.components.iter().filter(|c| c.name == name);
        let one = found.next().unwrap_or_else(|| panic!("no {name}"));
        assert!(found.next().is_none(), "two {name}");
        to_owned(one)
    };
    Parsed {
        calendar: cal
            .properties
            .iter()
            .map(|p| (p.name.to_string(), p.val.to_string()))
            .collect(),
        timezone: find("VTIMEZONE"),
        event: find("VEVENT"),
    }
}

pub fn to_owned(c: &Component<'_>) -> Component<'static> {
    Component {
        name: c.name.to_owned(),
        properties: c
            .properties
            .iter()
            .map(|p| Property {
                name: p.name.to_owned(),
                val: p.val.to_owned(),
                params: p
                    .params
                    .iter()
                    .map(|q| icalendar::parser::Parameter {
                        key: q.key.to_owned(),
                        val: q.val.as_ref().map(|v| v.to_owned()),
                    })
                    .collect(),
            })
            .collect(),
        components: c.components.iter().map(to_owned).collect(),
    }
}

pub fn prop<'a>(c: &'a Component<'static>, name: &str) -> &'a Property<'static> {
    let mut all = c.properties.iter().filter(|p| p.name == name);
    let one = all
        .next()
        .unwrap_or_else(|| panic!("{} has no {name}", c.name));
    assert!(all.next().is_none(), "{} has two {name}", c.name);
    one
}

pub fn val(c: &Component<'static>, name: &str) -> String {
    prop(c, name).val.to_string()
}

pub fn param(p: &Property<'static>, key: &str) -> Option<String> {
    p.params
        .iter()
        .find(|q| q.key == key)
        .map(|q| q.val.as_ref().map(|v| v.to_string()).unwrap_or_default())
}

/// (kind, DTSTART, TZOFFSETFROM, TZOFFSETTO) of each observance.
pub fn observances(tz: &Component<'static>) -> Vec<(String, String, String, String)> {
    tz.components
        .iter()
        .map(|o| {
            (
                o.name.to_string(),
                val(o, "DTSTART"),
                val(o, "TZOFFSETFROM"),
                val(o, "TZOFFSETTO"),
            )
        })
        .collect()
}
