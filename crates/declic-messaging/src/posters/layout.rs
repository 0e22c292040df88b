//! Text layout rules, free of any PDF: wrapping, shrinking to fit, and how many missions fit
//! before "and N more". Everything is measured, so nothing is cut off or runs off the page.

/// Measures the width of a line of text. Widths add up (no kerning): the width of "ab" is
/// the width of "a" plus that of "b", which lets wrapping measure each word once.
pub(crate) trait Measure {
    /// Width of `text` at font size `size`, in points.
    fn width(&self, text: &str, size: f32) -> f32;
}

/// Line height as a multiple of the font size.
pub(crate) const LINE_HEIGHT: f32 = 1.22;

/// Lines of text set at one size.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    pub(crate) lines: Vec<String>,
    pub(crate) size: f32,
}

impl Block {
    /// The height the lines take.
    pub(crate) fn height(&self) -> f32 {
        self.lines.len() as f32 * self.size * LINE_HEIGHT
    }
}

/// Greedy word wrap into lines no wider than `max_width`. A word wider than a whole line
/// (a long hyphenated name, a link) is broken after its hyphens, else between characters,
/// rather than overflow.
pub(crate) fn wrap(m: &impl Measure, text: &str, size: f32, max_width: f32) -> Vec<String> {
    let space = m.width(" ", size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_w = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_w = m.width(word, size);
        let joined = if line.is_empty() {
            word_w
        } else {
            line_w + space + word_w
        };
        if joined <= max_width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            line_w = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_w <= max_width {
            line.push_str(word);
            line_w = word_w;
            continue;
        }
        // Too wide for any line: break after its hyphens first, then between characters.
        line_w = 0.0;
        for piece in word.split_inclusive('-') {
            let piece_w = m.width(piece, size);
            if line_w + piece_w <= max_width {
                line.push_str(piece);
                line_w += piece_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if piece_w <= max_width {
                line.push_str(piece);
                line_w = piece_w;
                continue;
            }
            let mut buf = [0; 4];
            for c in piece.chars() {
                let c_w = m.width(c.encode_utf8(&mut buf), size);
                // A single character always stays, so every line makes progress.
                if line_w + c_w > max_width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += c_w;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Sizes to try, from largest to smallest.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SizeRange {
    pub(crate) max: f32,
    pub(crate) min: f32,
}

/// The largest size in `range` (in steps of 5%) at which `text` wraps into `width` and fits
/// in `height`; `None` when even the smallest size does not fit. Line breaks in `text`
/// separate paragraphs.
pub(crate) fn fit(
    m: &impl Measure,
    text: &str,
    range: SizeRange,
    width: f32,
    height: f32,
) -> Option<Block> {
    // However it wraps, each line holds at most `width` of text: more text than all the
    // lines hold even at the smallest size cannot fit. Checked first, so a huge text is
    // refused in linear time.
    let lines_at_min = (height / (range.min * LINE_HEIGHT)).floor();
    let ink: f32 = text.split([' ', '\n']).map(|w| m.width(w, range.min)).sum();
    if ink > lines_at_min * width {
        return None;
    }
    let mut size = range.max;
    loop {
        let block = Block {
            lines: text
                .split('\n')
                .flat_map(|p| wrap(m, p, size, width))
                .collect(),
            size,
        };
        if block.height() <= height {
            return Some(block);
        }
        if size <= range.min {
            return None;
        }
        size = (size * 0.95).max(range.min);
    }
}

/// How many of the missions (block heights in order) fit in `available`, keeping room for
/// the "and N more" line (of height `more`) whenever some are left out.
pub(crate) fn missions_that_fit(heights: &[f32], available: f32, more: f32) -> usize {
    let total: f32 = heights.iter().sum();
    if total <= available {
        return heights.len();
    }
    let mut used = 0.0;
    let mut shown = 0;
    for h in heights {
        if used + h + more > available {
            break;
        }
        used += h;
        shown += 1;
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character is half the font size wide.
    struct Mono;
    impl Measure for Mono {
        fn width(&self, text: &str, size: f32) -> f32 {
            text.chars().count() as f32 * size * 0.5
        }
    }

    #[test]
    fn wraps_at_spaces_within_the_width() {
        // 10 characters per line at size 10 in 50 points.
        let lines = wrap(&Mono, "Vos compétences comptent pour nous", 10.0, 50.0);
        assert_eq!(lines, ["Vos", "compétence", "s comptent", "pour nous"]);
        let lines = wrap(&Mono, "un deux trois quatre", 10.0, 50.0);
        assert_eq!(lines, ["un deux", "trois", "quatre"]);
        for l in &lines {
            assert!(Mono.width(l, 10.0) <= 50.0);
        }
    }

    #[test]
    fn breaks_a_word_longer_than_a_line() {
        let long = "x".repeat(25);
        let lines = wrap(&Mono, &format!("go {long}"), 10.0, 50.0);
        assert_eq!(lines, ["go", "xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"]);
        // Hyphens first: "Anne-Élisabeth-Marie" keeps whole parts.
        let lines = wrap(&Mono, "Anne-Élisabeth-Marie-Thérèse", 10.0, 80.0);
        assert_eq!(lines, ["Anne-Élisabeth-", "Marie-Thérèse"]);
        // Even a line narrower than one character makes progress.
        assert_eq!(wrap(&Mono, "abc", 10.0, 1.0), ["a", "b", "c"]);
        assert!(wrap(&Mono, "   ", 10.0, 50.0).is_empty());
    }

    #[test]
    fn shrinks_a_long_title_until_it_fits_and_never_cuts_it() {
        let title = "Grande campagne de mécénat de compétences ".repeat(7); // ~300 chars
        let range = SizeRange {
            max: 40.0,
            min: 10.0,
        };
        let block = fit(&Mono, &title, range, 500.0, 200.0).unwrap_or_else(|| panic!("fits"));
        assert!(block.size < 40.0 && block.size >= 10.0);
        assert!(block.height() <= 200.0);
        assert_eq!(block.lines.join(" "), title.trim());
        // Short titles keep the largest size.
        let short = fit(&Mono, "Printemps", range, 500.0, 200.0).unwrap_or_else(|| panic!());
        assert_eq!(short.size, 40.0);
        // Paragraphs start on a new line.
        let two = fit(&Mono, "Un\ndeux trois", range, 500.0, 200.0).unwrap_or_else(|| panic!());
        assert_eq!(two.lines, ["Un", "deux trois"]);
        // Too much text for the box even at the smallest size: the caller must decide.
        assert!(fit(&Mono, &title.repeat(20), range, 500.0, 200.0).is_none());
    }

    #[test]
    fn keeps_room_for_and_n_more() {
        // All fit: no "more" line needed.
        assert_eq!(missions_that_fit(&[30.0; 4], 120.0, 20.0), 4);
        // 40 missions of 30 in 300 with a 20-point "more" line: 9 shown, 31 more.
        assert_eq!(missions_that_fit(&[30.0; 40], 300.0, 20.0), 9);
        // Not even one fits beside the line.
        assert_eq!(missions_that_fit(&[30.0; 3], 40.0, 20.0), 0);
        assert_eq!(missions_that_fit(&[], 10.0, 20.0), 0);
    }
}
