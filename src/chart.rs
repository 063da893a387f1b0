//! Inline SVG charts drawn at build time: no script, no third-party library, and a
//! text equivalent always rendered next to them by the templates.

use std::fmt::Write;

use crate::model::format_number;
use crate::html::escape_markup;

/// One pilot's satisfaction before and after, in percent.
#[derive(Debug, Clone)]
pub struct SatisfactionRow {
    pub label: String,
    pub before: f64,
    pub after: f64,
}

const WIDTH: f64 = 400.0;
const VALUE_WIDTH: f64 = 64.0;
const LABEL_HEIGHT: f64 = 22.0;
const BAR_HEIGHT: f64 = 16.0;
const ROW_GAP: f64 = 14.0;
const ROW_HEIGHT: f64 = LABEL_HEIGHT + 2.0 * BAR_HEIGHT + 2.0 + ROW_GAP;
const TOP: f64 = 34.0;

/// Paired horizontal bars, before (grey) and after (blue), each with its value printed,
/// so the chart never depends on colour alone. Labels sit above the bars so the bars
/// keep the full width on a phone. The x axis starts at `floor` to make small changes
/// visible; the description says so.
pub fn satisfaction_svg(rows: &[SatisfactionRow], title_id: &str, desc_id: &str) -> String {
    let floor = axis_floor(rows);
    let plot_width = WIDTH - VALUE_WIDTH;
    let x = |value: f64| (value - floor) / (100.0 - floor) * plot_width;
    let height = TOP + ROW_HEIGHT * rows.len() as f64;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(
        svg,
        r#"<title id="{title_id}">试点前后群众满意度对比</title><desc id="{desc_id}">图中是 {} 个试点在试点前和试点后的满意度。横轴从 {}% 到 100%。逐项数据见下表。</desc>"#,
        rows.len(),
        format_number(floor)
    );
    // Legend: shape and text, not colour alone.
    svg.push_str(r#"<g class="legend"><rect class="bar-before" x="0" y="6" width="16" height="16"/><text x="22" y="20">试点前</text><rect class="bar-after" x="90" y="6" width="16" height="16"/><text x="112" y="20">试点后</text></g>"#);
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW_HEIGHT * i as f64;
        let _ = write!(
            svg,
            r#"<g><text class="label" x="0" y="{}">{}</text>"#,
            y + LABEL_HEIGHT - 6.0,
            escape_markup(&row.label)
        );
        let bars = [
            ("bar-before", row.before, 0.0),
            ("bar-after", row.after, BAR_HEIGHT + 2.0),
        ];
        for (class, value, dy) in bars {
            let top = y + LABEL_HEIGHT + dy;
            let width = x(value.max(floor)).max(1.0);
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="0" y="{top}" width="{width:.1}" height="{BAR_HEIGHT}"/><text class="value" x="{:.1}" y="{}">{}%</text>"#,
                width + 4.0,
                top + BAR_HEIGHT - 3.0,
                format_number(value)
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// The largest multiple of 10 below every value, so all bars have visible length.
fn axis_floor(rows: &[SatisfactionRow]) -> f64 {
    let min = rows
        .iter()
        .flat_map(|r| [r.before, r.after])
        .fold(100.0_f64, f64::min);
    ((min - 5.0) / 10.0).floor().clamp(0.0, 9.0) * 10.0
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
    fn axis_starts_below_the_smallest_value() {
        assert_eq!(axis_floor(&[row("a", 84.0, 90.0)]), 70.0);
        assert_eq!(axis_floor(&[row("a", 71.42, 96.0)]), 60.0);
        assert_eq!(axis_floor(&[row("a", 3.0, 9.0)]), 0.0);
    }
}
