//! Hints for the TOML mistakes a Chinese input method makes: full-width quotes, commas,
//! equals signs and spaces look right to an editor but are not TOML, and a date typed
//! as `2026/12/08` or in quotes is not a TOML date. The parser's own words ("expected
//! literal string") say nothing to an editor; these say what to type instead.

use std::ops::Range;

/// A hint for the line the parser stopped on, in Chinese then English, if the line
/// holds one of the usual slips.
pub(crate) fn input_method_hint(text: &str, span: &Range<usize>, message: &str) -> Option<String> {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    let slips: [(&[char], &str); 5] = [
        (
            &['“', '”', '‘', '’', '＂'],
            "把中文引号 “ ” 改成英文引号 \"（use ASCII quotes \"…\"）",
        ),
        (
            &['，'],
            "把中文逗号 ， 改成英文逗号 ,（use an ASCII comma）",
        ),
        (&['＝'], "把全角等号 ＝ 改成 =（use an ASCII =）"),
        (
            &['　'],
            "把全角空格改成普通空格，或删掉（use an ASCII space）",
        ),
        (
            &['：'],
            "TOML 用 = 连接键和值，不用冒号（write key = value）",
        ),
    ];
    for (chars, hint) in slips {
        if line.contains(chars) {
            return Some(hint.to_string());
        }
    }
    if message.contains("datetime") || message.contains("date") {
        if line.contains('/') || line.contains('年') {
            return Some(
                "日期写成 YYYY-MM-DD，如 2026-12-08（a date is written 2026-12-08）".into(),
            );
        }
        if line.contains('"') {
            return Some(
                "日期不加引号：updated = 2026-12-08（write the date without quotes）".into(),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(text: &str, message: &str) -> Option<String> {
        let at = text.find('=').unwrap_or(0);
        input_method_hint(text, &(at..at + 1), message)
    }

    #[test]
    fn slips_of_a_chinese_input_method_get_a_hint() {
        let quotes = hint("city = “厦门市”\n", "string values must be quoted");
        assert!(quotes.unwrap().contains("中文引号"));
        let comma = hint("domains = [\"老有所养\"，\"病有所医\"]\n", "missing comma");
        assert!(comma.unwrap().contains("中文逗号"));
        let slash = hint("updated = 2026/12/08\n", "expected a TOML datetime");
        assert!(slash.unwrap().contains("YYYY-MM-DD"));
        let quoted = hint(
            "updated = \"2026-12-08\"\n",
            "invalid type: string, expected a TOML datetime",
        );
        assert!(quoted.unwrap().contains("不加引号"));
        assert_eq!(hint("title = \"x\"\n", "invalid TOML"), None);
    }
}
