//! Physical line numbers of records.
//!
//! csv's `Position::line()` is taken where the previous record stopped reading, which is
//! before any blank lines and, with CRLF endings, before the `\n` of the previous line
//! ending; it also never counts lone `\r` (old Mac Excel). So the parser gives us record
//! byte offsets and this counter turns them into the line where the record really starts.

/// Counts line breaks incrementally as records advance through the text.
pub(crate) struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    /// Starts at line 1, byte 0 of `text`.
    pub(crate) fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// Line on which the record read from byte `pos` begins.
    ///
    /// `pos` must not go backwards between calls (records are read in order); the work
    /// done over a whole file is therefore linear in its size.
    pub(crate) fn record_line(&mut self, pos: usize) -> u64 {
        let text = self.text;
        let mut pos = pos.clamp(self.offset, text.len());
        // A record never starts with a line break: those are leftovers of the previous
        // line ending or blank lines the reader skipped.
        while matches!(text.get(pos), Some(b'\r' | b'\n')) {
            pos += 1;
        }
        for i in self.offset..pos {
            // "\r\n" counts once (at its '\n'), a lone '\r' counts as a break of its own.
            let breaks = match text[i] {
                b'\n' => true,
                b'\r' => text.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            self.line += u64::from(breaks);
        }
        self.offset = pos;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_all_line_endings() {
        let text = b"h\r\na\n\n\rb\r\n\"x\r\ny\"\r\nc";
        let mut lines = LineCounter::new(text);
        assert_eq!(lines.record_line(0), 1);
        assert_eq!(lines.record_line(2), 2); // points at the '\n' of the CRLF
        assert_eq!(lines.record_line(5), 5); // "\n\r" before b: blank line then a lone CR
        assert_eq!(lines.record_line(9), 6); // quoted field spanning two lines
        assert_eq!(lines.record_line(18), 8);
        assert_eq!(lines.record_line(99), 8); // past the end is clamped
    }
}
