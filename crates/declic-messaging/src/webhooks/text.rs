//! Text fitted to the platforms' limits: Slack's mrkdwn escaping and safe truncation.
//!
//! Lengths are counted in UTF-16 code units, as the platforms' JavaScript-side checks count
//! them; that is never less than the number of characters, so a text that fits here fits
//! whichever way the platform counts. Cuts fall between characters, never inside one, and
//! never inside an escape such as `&amp;`.

/// Marks a shortened text.
pub(crate) const ELLIPSIS: char = '…';

/// Escapes the three characters Slack's mrkdwn reserves, then keeps at most `max` UTF-16
/// units, ending with `…` when shortened. Only these three: Slack decodes no other entity,
/// so escaping more would show `&#39;` to the reader. This also turns `<!channel>` or
/// `<@U123>` from the caller's text into plain text instead of a mention.
pub(crate) fn slack_escape_within(text: &str, max: usize) -> String {
    fit(text, max, |c| match c {
        '&' => Piece::Str("&amp;"),
        '<' => Piece::Str("&lt;"),
        '>' => Piece::Str("&gt;"),
        c => Piece::Char(c),
    })
}

/// At most `max` UTF-16 units of `text`, ending with `…` when shortened.
pub(crate) fn within(text: &str, max: usize) -> String {
    fit(text, max, Piece::Char)
}

/// `text` cut to its first `chars` characters, ending with `…` when shortened.
pub(crate) fn first_chars(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        None => text.to_owned(),
        Some((end, _)) => {
            let mut out = text[..end].trim_end().to_owned();
            out.push(ELLIPSIS);
            out
        }
    }
}

/// What one character of the input becomes in the output.
enum Piece {
    Char(char),
    Str(&'static str),
}

impl Piece {
    fn units(&self) -> usize {
        match self {
            Piece::Char(c) => c.len_utf16(),
            Piece::Str(s) => s.encode_utf16().count(),
        }
    }

    fn push_to(&self, out: &mut String) {
        match self {
            Piece::Char(c) => out.push(*c),
            Piece::Str(s) => out.push_str(s),
        }
    }
}

fn fit(text: &str, max: usize, piece: impl Fn(char) -> Piece) -> String {
    let total: usize = text.chars().map(|c| piece(c).units()).sum();
    let mut out = String::with_capacity(text.len().min(max.saturating_mul(4)));
    if total <= max {
        text.chars().for_each(|c| piece(c).push_to(&mut out));
        return out;
    }
    if max == 0 {
        return out;
    }
    let budget = max - ELLIPSIS.len_utf16();
    let mut used = 0;
    for c in text.chars() {
        let p = piece(c);
        used += p.units();
        if used > budget {
            break;
        }
        p.push_to(&mut out);
    }
    // "Bonjour …" reads worse than "Bonjour…".
    out.truncate(out.trim_end().len());
    out.push(ELLIPSIS);
    out
}

#[cfg(test)]
mod tests {
    use super::{first_chars, slack_escape_within, within};

    fn units(s: &str) -> usize {
        s.encode_utf16().count()
    }

    #[test]
    fn slack_escape_touches_only_the_three_reserved_characters() {
        assert_eq!(
            slack_escape_within(
                "<script>alert('x')</script> & \"co\" <!channel> *gras*",
                usize::MAX
            ),
            "&lt;script&gt;alert('x')&lt;/script&gt; &amp; \"co\" &lt;!channel&gt; *gras*"
        );
        assert_eq!(
            slack_escape_within("déjà &amp;", usize::MAX),
            "déjà &amp;amp;"
        );
    }

    #[test]
    fn a_text_within_the_limit_is_unchanged() {
        assert_eq!(within("Bonjour", 7), "Bonjour");
        assert_eq!(slack_escape_within("a&b", 7), "a&amp;b");
    }

    #[test]
    fn truncation_ends_with_an_ellipsis_and_respects_the_limit() {
        assert_eq!(within("Bonjour à tous", 9), "Bonjour…");
        assert_eq!(within("abcdef", 1), "…");
        assert_eq!(within("abcdef", 0), "");
        let long = "é".repeat(5000);
        let cut = within(&long, 3000);
        assert_eq!(units(&cut), 3000);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn truncation_never_splits_a_character_or_an_escape() {
        // Each emoji is two UTF-16 units: an odd budget cannot take half of one.
        let emojis = "🎉".repeat(10);
        let cut = within(&emojis, 6);
        assert_eq!(cut, "🎉🎉…");
        // "&amp;" is five units: with four left it is dropped whole, not cut to "&am".
        let cut = slack_escape_within("abcd&efgh", 9);
        assert_eq!(cut, "abcd…");
        let cut = slack_escape_within("abcd&efgh", 10);
        assert_eq!(cut, "abcd&amp;…");
        for max in 0..40 {
            let cut = slack_escape_within("<a> & <b> & ünïcödé 🎉 <c>", max);
            assert!(units(&cut) <= max, "{max}: {cut}");
            let stripped = cut
                .replace("&amp;", "")
                .replace("&lt;", "")
                .replace("&gt;", "");
            assert!(
                !stripped.contains('&'),
                "{max}: cut inside an escape: {cut}"
            );
        }
    }

    #[test]
    fn first_chars_counts_characters() {
        assert_eq!(first_chars("Élodie", 10), "Élodie");
        assert_eq!(first_chars("Élodie Durand", 6), "Élodie…");
        assert_eq!(first_chars("abc", 0), "…");
    }
}
