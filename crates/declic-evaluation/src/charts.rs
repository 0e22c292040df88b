//! SVG charts for the impact report: horizontal bars with their figures written
//! out (a chart must read without colour, and a screen reader gets the title and
//! every bar's label and figure as text). Every text is escaped.

use std::fmt::Write;

/// One bar: its label, its length against the chart's largest, and the figure shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 220.0;
const ROW: f64 = 30.0;
const BAR_H: f64 = 20.0;

/// A horizontal bar chart titled `title`. With no bar, a chart that says so (`empty`).
pub fn bar_chart(title: &str, bars: &[Bar], empty: &str) -> String {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let rows = bars.len().max(1) as f64;
    let height = 34.0 + rows * ROW + 8.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" style="max-width:{WIDTH}px" font-family="sans-serif" font-size="14"><title>{t}</title><text x="0" y="20" font-weight="bold" fill="#1f2328">{t}</text>"##,
        t = escape(title)
    );
    if bars.is_empty() {
        let _ = write!(
            s,
            r##"<text x="0" y="54" fill="#57606a">{}</text>"##,
            escape(empty)
        );
    }
    let room = WIDTH - LABEL_W - 90.0;
    for (i, b) in bars.iter().enumerate() {
        let y = 34.0 + i as f64 * ROW;
        let w = if max > 0.0 && b.value.is_finite() {
            (b.value.max(0.0) / max) * room
        } else {
            0.0
        };
        let _ = write!(
            s,
            r##"<g><text x="{lx}" y="{ty}" text-anchor="end" fill="#1f2328">{label}</text><rect x="{LABEL_W}" y="{y}" width="{w:.1}" height="{BAR_H}" fill="#0b6e4f"/><text x="{vx:.1}" y="{ty}" fill="#1f2328">{text}</text></g>"##,
            lx = LABEL_W - 8.0,
            ty = y + 15.0,
            label = escape(&shorten(&b.label, 30)),
            vx = LABEL_W + w + 6.0,
            text = escape(&b.text),
        );
    }
    s.push_str("</svg>");
    s
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// Escapes text for XML and HTML (content and attribute values).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_well_formed_and_escapes_its_texts() {
        let svg = bar_chart(
            "Funnel <script>",
            &[
                Bar {
                    label: "Reached & more".into(),
                    value: 100.0,
                    text: "100".into(),
                },
                Bar {
                    label: "<b>Registered</b>".into(),
                    value: 25.0,
                    text: "25 (25 %)".into(),
                },
            ],
            "no data",
        );
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(texts.contains(&"<b>Registered</b>"));
        assert!(texts.contains(&"Funnel <script>"));
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        let widths: Vec<f64> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .map(|n| n.attribute("width").unwrap().parse().unwrap())
            .collect();
        assert_eq!(widths.len(), 2);
        assert!((widths[0] / widths[1] - 4.0).abs() < 0.01);
    }

    #[test]
    fn an_empty_chart_says_so() {
        let svg = bar_chart("Waves", &[], "Fewer than 5 answers");
        roxmltree::Document::parse(&svg).unwrap();
        assert!(svg.contains("Fewer than 5 answers"));
    }
}
