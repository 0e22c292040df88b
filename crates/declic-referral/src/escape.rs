//! Escaping of caller-supplied labels for each export format; labels are hostile until escaped.

/// Whether XML 1.0 allows the character at all (even escaped, most control characters are not).
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Text safe in XML element content and in quoted attributes (GraphML, SVG).
///
/// Whitespace controls become character references so attribute-value normalisation keeps them.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|&c| xml_allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// Body of a double-quoted DOT string: quotes and backslashes escaped, line breaks as `\n`.
///
/// Escaping the backslash also defuses Graphviz's own escapes (`\N`, `\G`, `\l`) in labels.
pub fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A quoted CSV cell; text a spreadsheet would run as a formula gets a leading apostrophe.
///
/// Covers the OWASP list (`=`, `+`, `-`, `@`, tab, carriage return) for text cells; numeric
/// columns are written by the exporter itself and never pass through here.
pub fn csv_cell(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let mut out = String::with_capacity(text.len() + 3);
    out.push('"');
    if risky {
        out.push('\'');
    }
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// At most `max` characters of `text`, with an ellipsis when cut (char boundaries, not bytes).
pub fn truncate(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}
