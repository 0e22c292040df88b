//! Header values must stay on one line.

/// Replaces each run of control characters (CR, LF, tab…) with one space and trims: a CR or
/// LF inside a header value would let the value start a header of its own choosing.
pub(crate) fn one_line(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut in_break = false;
    for c in value.trim().chars() {
        if c.is_control() {
            if !in_break {
                out.push(' ');
            }
            in_break = true;
        } else {
            out.push(c);
            in_break = false;
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn breaks_become_one_space() {
        assert_eq!(one_line(" a\r\nBcc: b\n\rc\t"), "a Bcc: b c");
        assert_eq!(one_line("Élodie"), "Élodie");
    }
}
