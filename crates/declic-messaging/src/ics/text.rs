//! RFC 5545 content lines: value escaping, parameter quoting, folding at 75 octets, CRLF.

/// An iCalendar object being written, one content line at a time.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    out: String,
}

/// Longest line allowed, in octets, without the CRLF (RFC 5545 §3.1).
const MAX_OCTETS: usize = 75;

impl Lines {
    /// Appends `NAME:value`, the value already escaped or of a type that needs none.
    pub(crate) fn raw(&mut self, name_and_params: &str, value: &str) {
        let mut line = String::with_capacity(name_and_params.len() + 1 + value.len());
        line.push_str(name_and_params);
        line.push(':');
        line.push_str(value);
        self.fold(&line);
    }

    /// Appends a TEXT property, escaping the value.
    pub(crate) fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    /// The finished object.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// Splits a long line into a first line and continuation lines that start with one space;
    /// both count towards 75 octets, and a split never falls inside a UTF-8 character.
    fn fold(&mut self, line: &str) {
        let mut used = 0;
        for ch in line.chars() {
            let width = ch.len_utf8();
            if used + width > MAX_OCTETS {
                self.out.push_str("\r\n ");
                used = 1;
            }
            self.out.push(ch);
            used += width;
        }
        self.out.push_str("\r\n");
    }
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, and line breaks.
pub(crate) fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                // CRLF and a lone CR are one line break each.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            // Other control characters are not allowed in a content line at all.
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value in double quotes (RFC 5545 §3.1), so `:`, `;` and `,` are safe;
/// DQUOTE and control characters cannot be quoted, so they are dropped.
pub(crate) fn quote_param(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    out.extend(value.chars().filter(|&c| c != '"' && !c.is_control()));
    out.push('"');
    out
}

/// A value of a type that has no escaping (URI, CAL-ADDRESS): control characters are dropped
/// so that the value cannot end its line early.
pub(crate) fn uri(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_four_specials() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg\u{7}"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng"
        );
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut lines = Lines::default();
        lines.text("SUMMARY", &"é".repeat(100));
        let out = lines.finish();
        for (i, line) in out.split_terminator("\r\n").enumerate() {
            assert!(
                line.len() <= MAX_OCTETS,
                "line {i} has {} octets",
                line.len()
            );
            assert_eq!(i > 0, line.starts_with(' '));
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(100)));
    }

    #[test]
    fn quotes_parameters() {
        assert_eq!(quote_param("Dupont, \"Jo\"; a:b"), "\"Dupont, Jo; a:b\"");
    }
}
