//! QR codes for printed posters, drawn at build time as plain SVG: one square per dark
//! module, so the code prints sharply at any size and needs no script or image file.

use std::fmt::Write;

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel};

/// An SVG QR code for `url` (error correction M: survives smudged print), with a quiet
/// zone of four modules and `label` as its accessible name.
pub fn qr_svg(url: &str, label: &str) -> Result<String, String> {
    let (width, colors) = draw(url).map_err(|e| e.to_string())?;
    let size = width + 8;
    let mut svg = format!(
        r##"<svg class="qr" viewBox="0 0 {size} {size}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>"##,
        crate::html::escape_markup(label)
    );
    // One rectangle per horizontal run of dark modules keeps the SVG small.
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

/// The modules of the code for `data` at level M, row by row, and its width: what
/// `QrCode::with_error_correction_level` draws, with the mask chosen by [`penalty`]
/// instead of qrcode's own scoring, which gives the same scores but took most of the
/// time of a poster page (boxed closures per module).
fn draw(data: &str) -> qrcode::QrResult<(usize, Vec<Color>)> {
    let bits = qrcode::bits::encode_auto(data.as_bytes(), EcLevel::M)?;
    let version = bits.version();
    let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M)?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let width = version.width() as usize;
    let colors = MASKS
        .iter()
        .map(|&mask| {
            let mut masked = canvas.clone();
            masked.apply_mask(mask);
            masked.into_colors()
        })
        .min_by_key(|colors| penalty(colors, width))
        .expect("eight masks");
    Ok((width, colors))
}

/// The masks in the order qrcode tries them: on a tie the first wins.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The penalty of a masked code (ISO/IEC 18004 §7.8.3), computed as qrcode 0.14 does,
/// so that the same mask is chosen: runs of five or more of one colour, 2×2 blocks,
/// finder-like patterns without four light modules on one side (less the 9 per
/// direction of the three real finders), and the distance of the dark share from half.
fn penalty(colors: &[Color], width: usize) -> i64 {
    // Rows, then columns, as lines of booleans: each rule then reads a slice.
    let rows: Vec<bool> = colors.iter().map(|&c| c == Color::Dark).collect();
    let columns: Vec<bool> = (0..width * width)
        .map(|i| rows[(i % width) * width + i / width])
        .collect();
    let mut score = 0;
    for grid in [&rows, &columns] {
        for line in grid.chunks(width) {
            score += line_penalty(line);
        }
        score -= 360;
    }
    for y in 0..width - 1 {
        let (row, next) = (
            &rows[y * width..][..width],
            &rows[(y + 1) * width..][..width],
        );
        for x in 0..width - 1 {
            let c = row[x];
            if row[x + 1] == c && next[x] == c && next[x + 1] == c {
                score += 3;
            }
        }
    }
    let ratio = rows.iter().filter(|&&dark| dark).count() * 200 / rows.len();
    score + ratio.abs_diff(100) as i64
}

/// Runs of five or more in one line, and finder-like patterns in it.
fn line_penalty(line: &[bool]) -> i64 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let mut score = 0;
    let mut run = 1;
    for j in 1..=line.len() {
        if j < line.len() && line[j] == line[j - 1] {
            run += 1;
        } else {
            if run >= 5 {
                score += run - 2;
            }
            run = 1;
        }
    }
    for (j, window) in line.windows(7).enumerate() {
        if window != FINDER {
            continue;
        }
        let dark_in = |from: usize, to: usize| line[from..to.min(line.len())].contains(&true);
        if !dark_in(j.saturating_sub(4), j) || !dark_in(j + 7, j + 11) {
            score += 40;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    /// qrcode's own drawing is the oracle: the same modules for URLs of every length the
    /// site makes (versions 2 to 6), so the same mask was chosen.
    #[test]
    fn draws_what_qrcode_draws() {
        for n in 0..120 {
            let url = format!(
                "https://example.gov.cn/bps/liangbiao/sites/{}-site-{n}/",
                "hebei-qiaoren-zangxiang".repeat(n % 4)
            );
            let code =
                qrcode::QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).unwrap();
            let (width, colors) = draw(&url).unwrap();
            assert_eq!(width, code.width(), "{url}");
            assert!(colors == code.to_colors(), "{url}: another mask");
        }
    }

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
