//! QR codes for printed posters, drawn at build time as plain SVG: one square per dark
//! module, so the code prints sharply at any size and needs no script or image file.

use std::fmt::Write;

use qrcode::{Color, EcLevel, QrCode};

/// An SVG QR code for `url` (error correction M: survives smudged print), with a quiet
/// zone of four modules and `label` as its accessible name.
pub fn qr_svg(url: &str, label: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| e.to_string())?;
    let width = code.width();
    let size = width + 8;
    let mut svg = format!(
        r##"<svg class="qr" viewBox="0 0 {size} {size}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>"##,
        crate::render::escape_markup(label)
    );
    // One rectangle per horizontal run of dark modules keeps the SVG small.
    let colors = code.to_colors();
    for (row, line) in colors.chunks(width).enumerate() {
        let mut col = 0;
        while col < width {
            if line[col] == Color::Dark {
                let run = line[col..]
                    .iter()
                    .take_while(|c| **c == Color::Dark)
                    .count();
                let _ = write!(
                    svg,
                    r#"<rect x="{}" y="{}" width="{run}" height="1"/>"#,
                    col + 4,
                    row + 4
                );
                col += run;
            } else {
                col += 1;
            }
        }
    }
    svg.push_str("</svg>");
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_dark_modules_inside_a_quiet_zone() {
        let svg = qr_svg("https://example.gov.cn/bps/liangbiao/sites/a/", "二维码").unwrap();
        // Version 4 at level M for a URL this long: 33 modules plus a 4-module quiet zone.
        assert!(svg.starts_with("<svg class=\"qr\" viewBox=\"0 0 41 41\""));
        // The top-left finder pattern's first row is a run of 7 at the quiet zone's edge.
        assert!(svg.contains(r#"<rect x="4" y="4" width="7" height="1"/>"#));
        assert!(!svg.contains(r#"x="3""#) && !svg.contains(r#"y="3""#));
    }
}
