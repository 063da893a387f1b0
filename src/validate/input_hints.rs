//! Hints for the TOML mistakes a Chinese input method makes: full-width quotes, commas,
//! equals signs and spaces look right to an editor but are not TOML, and a date typed
//! as `2026/12/08` or in quotes is not a TOML date. The parser's own words ("expected
//! literal string") say nothing to an editor; these say what to type instead.

use crate::diagnostics::SourceFile;

/// A hint for the line the parser stopped on, in Chinese then English, if the line
/// holds one of the usual slips outside its quoted strings (a “ ” inside `"…"` is text).
pub(crate) fn input_method_hint(file: &SourceFile, offset: usize, message: &str) -> Option<String> {
    let line = file.line_text(offset);
    let unquoted = outside_quotes(line);
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
        if unquoted.contains(chars) {
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

/// The line without its `"…"` strings (escaped quotes inside them kept inside).
fn outside_quotes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quoted = false;
    let mut escaped = false;
    for c in line.chars() {
        match (quoted, escaped, c) {
            (true, false, '\\') => escaped = true,
            (true, true, _) => escaped = false,
            (_, _, '"') => quoted = !quoted,
            (false, _, c) => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(text: &str, message: &str) -> Option<String> {
        let file = SourceFile::new("content/pilots/a.md", format!("+++\n{text}+++\n"));
        let at = file.text.find('=').unwrap_or(0);
        input_method_hint(&file, at, message)
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
        // Chinese quotes and commas inside a proper string are text, not a slip.
        let inside = "title = \"“十四五”规划，试点\" x\n";
        assert_eq!(hint(inside, "expected newline"), None);
    }
}
