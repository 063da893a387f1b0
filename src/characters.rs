//! Characters no site file may hold, whether typed raw or written as a TOML escape.
//!
//! Control characters and bidirectional overrides are invisible in an editor and in a
//! review, yet they reach HTML, JSON, the feed (where they make the XML invalid) and the
//! build log (where ANSI escapes can fake "0 errors"). `load` looks for them in the raw
//! text, `validate` in decoded TOML strings, and `diagnostics` never prints them.

use std::fmt::Write;

/// Whether `c` is refused: C0 and C1 controls but tab, line feed and carriage return;
/// DEL; the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069); line and paragraph separators, which end a line in JavaScript
/// but not in an editor; and a byte-order mark past the start of a file.
pub fn is_forbidden(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        c if c.is_control() => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        '\u{2028}' | '\u{2029}' | '\u{feff}' => true,
        _ => false,
    }
}

/// How a refused character is named to an editor: `U+202E (RIGHT-TO-LEFT OVERRIDE)` for
/// the common ones, `U+0007` otherwise.
pub fn describe(c: char) -> String {
    let name = match c {
        '\0' => Some("NUL"),
        '\u{1b}' => Some("ESC, a terminal escape"),
        '\u{b}' => Some("vertical tab"),
        '\u{c}' => Some("form feed"),
        '\u{7f}' => Some("DEL"),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some("a bidirectional override"),
        '\u{2028}' => Some("LINE SEPARATOR"),
        '\u{2029}' => Some("PARAGRAPH SEPARATOR"),
        '\u{feff}' => Some("a byte-order mark inside the text"),
        _ => None,
    };
    match name {
        Some(name) => format!("U+{:04X} ({name})", c as u32),
        None => format!("U+{:04X}", c as u32),
    }
}

/// Byte ranges of the runs of refused characters in `text`, each with its first one.
pub fn forbidden_runs(text: &str) -> Vec<(std::ops::Range<usize>, char)> {
    let mut runs: Vec<(std::ops::Range<usize>, char)> = Vec::new();
    for (at, c) in text.char_indices().filter(|&(_, c)| is_forbidden(c)) {
        match runs.last_mut() {
            Some((run, _)) if run.end == at => run.end = at + c.len_utf8(),
            _ => runs.push((at..at + c.len_utf8(), c)),
        }
    }
    runs
}

/// `text` safe to print to a terminal or a log: refused characters (and tabs, which
/// would shift a caret) as visible `\u{…}` escapes.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| is_forbidden(c) || c == '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\t' {
            out.push(' ');
        } else if is_forbidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_overrides_are_refused_and_ordinary_text_is_not() {
        for c in [
            '\0', '\u{b}', '\u{1b}', '\u{7f}', '\u{85}', '\u{202e}', '\u{2066}', '\u{2028}',
        ] {
            assert!(is_forbidden(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', 'a', '中', '，', '　', '—', '\u{200d}'] {
            assert!(!is_forbidden(c), "{c:?}");
        }
    }

    #[test]
    fn runs_are_located_and_printing_escapes_them() {
        let text = "标题\u{1b}[32m0 errors\u{202e}\u{202e}x";
        let runs = forbidden_runs(text);
        assert_eq!(runs.len(), 2);
        assert_eq!(&text[runs[0].0.clone()], "\u{1b}");
        assert_eq!(&text[runs[1].0.clone()], "\u{202e}\u{202e}");
        assert_eq!(
            printable(text),
            "标题\\u{1b}[32m0 errors\\u{202e}\\u{202e}x"
        );
        assert_eq!(describe('\u{202e}'), "U+202E (a bidirectional override)");
    }
}
