//! Inline SVG charts drawn at build time: no script, no third-party library, and a
//! text equivalent always rendered next to them by the templates.

use std::fmt::Write;

use crate::html::escape_markup;
use crate::model::format_number;

/// One pilot's satisfaction before and after, in percent.
#[derive(Debug, Clone)]
pub struct SatisfactionRow {
    pub label: String,
    pub before: f64,
    pub after: f64,
}

// The chart has no viewBox: across it runs in percent of its width (0% to 100% on the
// scale), down in em of its font size. So its text is the page's text size, 长者模式
// included, and a phone's narrow screen shortens the bars, never the text.
const LEGEND: f64 = 2.0;
const LABEL: f64 = 1.5;
const BAR: f64 = 1.3;
const BAR_GAP: f64 = 0.1;
const ROW_GAP: f64 = 0.5;
const ROW: f64 = LABEL + 2.0 * BAR + BAR_GAP + ROW_GAP;
const AXIS: f64 = 1.8;
/// A value is printed inside its bar from here up, past the bar's end below it.
const VALUE_INSIDE_FROM: f64 = 40.0;
/// Four steps, the unit only on the last: "75" and "100%" at 长者模式's text size
/// still stand apart at 360 px.
const TICKS: [u32; 5] = [0, 25, 50, 75, 100];

/// Paired horizontal bars, before (grey) and after (blue), each with its value printed,
/// so the chart never depends on colour alone. Labels sit above the bars so the bars
/// keep the full width on a phone. The scale runs from 0 to 100%, drawn as an axis
/// with a tick and grid line every 25%, so a bar's length is its value.
pub fn satisfaction_svg(rows: &[SatisfactionRow], title_id: &str, desc_id: &str) -> String {
    let plot_bottom = LEGEND + ROW * rows.len() as f64;
    let height = plot_bottom + AXIS;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" width="100%" height="{}em" role="img" aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">"#,
        em(height)
    );
    let _ = write!(
        svg,
        r#"<title id="{title_id}">试点前后群众满意度对比</title><desc id="{desc_id}">图中是 {} 个试点在试点前和试点后的满意度，横轴从 0 到 100%。逐项数据见下表。</desc>"#,
        rows.len(),
    );
    // Legend: shape and text, not colour alone.
    svg.push_str(r#"<g class="legend"><rect class="bar-before" x="0" y="0.3em" width="1em" height="1em"/><text x="1.4em" y="1.15em">试点前</text><rect class="bar-after" x="6em" y="0.3em" width="1em" height="1em"/><text x="7.4em" y="1.15em">试点后</text></g>"#);
    // Grid lines and ticks under the bars, the axis line over them.
    svg.push_str(r#"<g class="axis">"#);
    for tick in TICKS {
        let (anchor, unit) = match tick {
            0 => ("start", ""),
            100 => ("end", "%"),
            _ => ("middle", ""),
        };
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{tick}%" x2="{tick}%" y1="{}em" y2="{}em"/><text x="{tick}%" y="{}em" text-anchor="{anchor}">{tick}{unit}</text>"#,
            em(LEGEND),
            em(plot_bottom + 0.3),
            em(plot_bottom + 1.4),
        );
    }
    let _ = write!(
        svg,
        r#"<line x1="0" x2="100%" y1="{0}em" y2="{0}em"/><line x1="0" x2="0" y1="{1}em" y2="{0}em"/></g>"#,
        em(plot_bottom),
        em(LEGEND),
    );
    for (i, row) in rows.iter().enumerate() {
        let top = LEGEND + ROW * i as f64;
        let _ = write!(
            svg,
            r#"<g><text class="label" x="0" y="{}em">{}</text>"#,
            em(top + 1.1),
            escape_markup(&row.label)
        );
        let bars = [
            ("bar-before", row.before, LABEL),
            ("bar-after", row.after, LABEL + BAR + BAR_GAP),
        ];
        for (class, value, dy) in bars {
            let y = top + dy;
            let length = value.clamp(0.0, 100.0);
            let (place, dx) = if length >= VALUE_INSIDE_FROM {
                ("value inside", "-0.3em")
            } else {
                ("value", "0.3em")
            };
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="0" y="{}em" width="{}%" height="{}em"/><text class="{place}" x="{}%" dx="{dx}" y="{}em">{}%</text>"#,
                em(y),
                format_number(round2(length)),
                em(BAR),
                format_number(round2(length)),
                em(y + 1.0),
                format_number(value)
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// A length in em, without float noise (4.7 × 3 is 14.100000000000001).
fn em(value: f64) -> String {
    format_number((value * 100.0).round() / 100.0)
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, before: f64, after: f64) -> SatisfactionRow {
        SatisfactionRow {
            label: label.into(),
            before,
            after,
        }
    }

    #[test]
    fn every_value_is_printed_as_text() {
        let svg = satisfaction_svg(
            &[row("成都市高新区", 84.73, 90.32), row("A<B", 79.6, 86.67)],
            "t",
            "d",
        );
        for text in [
            "84.73%",
            "90.32%",
            "79.6%",
            "86.67%",
            "成都市高新区",
            "A&lt;B",
            "试点前",
            "试点后",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert!(svg.contains(r#"aria-labelledby="t d""#));
    }

    #[test]
    fn bars_are_as_long_as_their_value_on_a_scale_from_zero() {
        let svg = satisfaction_svg(&[row("a", 79.6, 95.0)], "t", "d");
        assert!(
            svg.contains(r#"class="bar-before" x="0" y="3.5em" width="79.6%""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"class="bar-after" x="0" y="4.9em" width="95%""#),
            "{svg}"
        );
        for tick in ["0", "25", "50", "75", "100%"] {
            assert!(
                svg.contains(&format!(">{tick}</text>")),
                "tick {tick} missing"
            );
        }
        assert!(svg.contains("横轴从 0 到 100%"));
        // Legend, one row and the axis: 2 + 4.7 + 1.8 em.
        assert!(svg.contains(r#"height="8.5em""#), "{svg}");
    }

    #[test]
    fn a_short_bar_prints_its_value_past_its_end() {
        let svg = satisfaction_svg(&[row("a", 12.5, 60.0)], "t", "d");
        assert!(
            svg.contains(r#"<text class="value" x="12.5%" dx="0.3em""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<text class="value inside" x="60%" dx="-0.3em""#),
            "{svg}"
        );
    }
}
