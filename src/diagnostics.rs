//! Problems found in a site's files, as values.
//!
//! Every stage reports into a [`Diagnostics`] list instead of stopping at the first
//! problem, so an editor sees everything that is wrong in one run. Each diagnostic
//! knows its file and byte span; line, column and the quoted source line are derived
//! from them when the diagnostic is shown.

use std::collections::BTreeMap;
use std::fmt::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use unicode_width::UnicodeWidthChar;

use crate::characters::printable;

/// Diagnostics shown in full; past these, a count per kind of problem. One mistake
/// repeated on every line (a pasted table of raw HTML) would otherwise print megabytes
/// to the terminal, and to every tab `serve` has open.
pub const SHOWN_IN_FULL: usize = 200;

/// A quoted source line longer than this many columns is cut around the problem.
const QUOTE_COLUMNS: usize = 100;

/// How bad a problem is: errors stop the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A file as read from disk: its path relative to the site root and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Byte offsets where lines start, made the first time a diagnostic needs them and
    /// shared by every clone, so that locating many problems in one file stays linear.
    line_starts: Arc<OnceLock<Vec<usize>>>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: Arc::default(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(at, _)| at + 1))
                .collect()
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let (index, line) = self.line_of(offset);
        let column = self.text[line.start..offset.max(line.start)]
            .chars()
            .count();
        (index + 1, column + 1)
    }

    /// The text of the line holding a byte offset, without its line break.
    pub(crate) fn line_text(&self, offset: usize) -> &str {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        &self.text[self.line_of(offset).1]
    }

    /// 0-based line index and the byte range of that line (without its line break).
    fn line_of(&self, offset: usize) -> (usize, Range<usize>) {
        let starts = self.line_starts();
        let index = starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = starts[index];
        let end = starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end];
        (index, start..start + line.trim_end_matches('\r').len())
    }

    /// The path as shown to editors: relative, with forward slashes on every platform.
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }
}

pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// One problem at one place in one file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: SourceFile,
    /// Byte range in `file.text`; empty ranges point between two characters.
    pub span: Range<usize>,
    pub message: String,
    pub expected: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &SourceFile, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.clone(),
            span: clamp_span(&file.text, span),
            message: message.into(),
            expected: None,
            hint: None,
        }
    }

    pub fn warning(file: &SourceFile, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, span, message)
        }
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn hint_opt(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// 1-based line and column (in characters) of the start of the span.
    pub fn line_col(&self) -> (usize, usize) {
        self.file.line_col(self.span.start)
    }

    /// The full, human-readable report: location, quoted line with a marker, expectation,
    /// hint; laid out as codespan-reporting does. Its time is linear in the length of the
    /// message and of the one line quoted (cut to [`QUOTE_COLUMNS`]), whatever the file.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = self.write_report(&mut out);
        out
    }

    fn write_report(&self, out: &mut String) -> fmt::Result {
        writeln!(
            out,
            "{}: {}",
            self.severity_word(),
            printable(&self.message)
        )?;
        let path = printable(&self.file.display_path()).into_owned();
        if self.file.text.is_empty() {
            writeln!(out, "  ┌─ {path}")?;
            return self.write_notes(out, "  ");
        }
        let (line_no, column) = self.line_col();
        let (_, line) = self.file.line_of(self.span.start);
        let marked =
            self.span.start.max(line.start)..self.span.end.clamp(self.span.start, line.end);
        let (quoted, marker) = quote_line(&self.file.text, line, marked);
        let number = line_no.to_string();
        let pad = " ".repeat(number.len() + 1);
        writeln!(out, "{pad}┌─ {path}:{line_no}:{column}")?;
        writeln!(out, "{pad}│")?;
        writeln!(out, "{number} │ {quoted}")?;
        writeln!(out, "{pad}│ {marker}")?;
        writeln!(out, "{pad}│")?;
        self.write_notes(out, &pad)
    }

    /// The `= expected:` and `= hint:` lines, then the blank line that ends a report.
    fn write_notes(&self, out: &mut String, pad: &str) -> fmt::Result {
        for (label, note) in [("expected", &self.expected), ("hint", &self.hint)] {
            if let Some(note) = note {
                writeln!(out, "{pad}= {label}: {}", printable(note))?;
            }
        }
        writeln!(out)
    }

    fn severity_word(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// A flat record for `--format json` and CI annotations.
    pub fn to_record(&self) -> DiagnosticRecord {
        let (line, column) = self.line_col();
        DiagnosticRecord {
            severity: self.severity,
            file: self.file.display_path(),
            line,
            column,
            message: self.message.clone(),
            expected: self.expected.clone(),
            hint: self.hint.clone(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, col) = self.line_col();
        write!(
            f,
            "{}: {}:{}:{}: {}",
            self.severity_word(),
            self.file.display_path(),
            line,
            col,
            self.message
        )
    }
}

/// The machine-readable form of a diagnostic.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DiagnosticRecord {
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// All problems found in one run.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Moves every diagnostic of `other` to the end of these.
    pub fn append(&mut self, mut other: Diagnostics) {
        self.items.append(&mut other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, then position, so the report reads top to bottom.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| {
            (a.file.path.as_path(), a.span.start, a.severity, &a.message).cmp(&(
                b.file.path.as_path(),
                b.span.start,
                b.severity,
                &b.message,
            ))
        });
        items
    }

    /// Every diagnostic rendered in order, then a one-line count.
    pub fn render(&self) -> String {
        let mut out = self.render_items();
        out.push_str(&self.summary_line());
        out.push('\n');
        out
    }

    /// Every diagnostic rendered in order, for a caller that prints its own summary: the
    /// first [`SHOWN_IN_FULL`] in full, the rest counted per kind of problem.
    pub fn render_items(&self) -> String {
        let sorted = self.sorted();
        let mut out = String::new();
        for diagnostic in sorted.iter().take(SHOWN_IN_FULL) {
            let _ = diagnostic.write_report(&mut out);
        }
        let rest = sorted.get(SHOWN_IN_FULL..).unwrap_or_default();
        if !rest.is_empty() {
            let _ = write_counts(&mut out, rest);
        }
        out
    }

    pub fn summary_line(&self) -> String {
        format!(
            "{} error{}, {} warning{}",
            self.error_count(),
            plural(self.error_count()),
            self.warning_count(),
            plural(self.warning_count())
        )
    }
}

/// The diagnostics past the ones shown in full: how many of each kind, and where.
fn write_counts(out: &mut String, rest: &[&Diagnostic]) -> fmt::Result {
    let mut kinds: BTreeMap<(Severity, String), (usize, Vec<String>)> = BTreeMap::new();
    for diagnostic in rest {
        let kind = (diagnostic.severity, kind_of(&diagnostic.message));
        let (count, files) = kinds.entry(kind).or_default();
        *count += 1;
        let file = diagnostic.file.display_path();
        if files.len() < 3 && !files.contains(&file) {
            files.push(file);
        }
    }
    writeln!(
        out,
        "… and {} more, not shown in full (the first {SHOWN_IN_FULL} are above):",
        rest.len()
    )?;
    for ((severity, kind), (count, files)) in kinds {
        let word = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(
            out,
            "  {count} × {word}: {} (in {})",
            printable(&kind),
            printable(&files.join(", "))
        )?;
    }
    writeln!(out)
}

/// A message with its quoted particulars left out: `raw HTML is not allowed: `<b>``
/// and `…: `<i>`` are one kind.
fn kind_of(message: &str) -> String {
    let mut kind = String::with_capacity(message.len().min(120));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            kind.push('`');
        }
        kind.push_str(if i % 2 == 1 { "…" } else { part });
    }
    kind
}

/// The quoted line and its marker line of carets, both cut to about [`QUOTE_COLUMNS`]
/// columns around the marked part, with wide (CJK) characters counted as two columns.
fn quote_line(text: &str, line: Range<usize>, marked: Range<usize>) -> (String, String) {
    let width = |s: &str| -> usize { s.chars().map(|c| c.width().unwrap_or(0)).sum() };
    let before = &text[line.start..marked.start];
    let mut start = line.start;
    // Keep at most a third of the room for what comes before the marked part.
    if width(before) > QUOTE_COLUMNS / 3 {
        let mut room = QUOTE_COLUMNS / 3;
        start = marked.start;
        for (at, c) in before.char_indices().rev() {
            let w = c.width().unwrap_or(0);
            if w > room {
                break;
            }
            room -= w;
            start = line.start + at;
        }
    }
    let mut end = start;
    let mut used = 0;
    for (at, c) in text[start..line.end].char_indices() {
        used += c.width().unwrap_or(0);
        if used > QUOTE_COLUMNS {
            break;
        }
        end = start + at + c.len_utf8();
    }
    let lead = if start > line.start { "…" } else { "" };
    let tail = if end < line.end { "…" } else { "" };
    let quoted = format!("{lead}{}{tail}", printable(&text[start..end]));
    let offset = width(lead) + width(&printable(&text[start..marked.start.max(start)]));
    let carets = width(&printable(
        &text[marked.start.max(start)..marked.end.clamp(start, end)],
    ));
    let marker = format!("{}{}", " ".repeat(offset), "^".repeat(carets.max(1)));
    (quoted, marker)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn clamp_span(text: &str, span: Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
    start..end
}

/// The closest of `candidates` to `found`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        // `专项` for `专项试点`: a shortened name is as likely a slip as a typo.
        let contained = is_shortened(found, candidate) || is_shortened(candidate, found);
        // A shortened name scores high, but below a one-letter typo of a long name.
        let typo = strsim::normalized_damerau_levenshtein(found, candidate);
        let score = if contained { typo.max(0.9) } else { typo };
        if score > best.map_or(0.0, |(s, _)| s) {
            best = Some((score, candidate));
        }
    }
    // Chinese names are short, so one wrong character of three already scores 0.67.
    best.filter(|(score, _)| *score >= 0.6)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// `short` is `long` with up to half of it left out (`专项` of `专项试点`), not merely a
/// fragment that any long name contains (`/` of every path).
fn is_shortened(short: &str, long: &str) -> bool {
    !short.is_empty() && long.contains(short) && short.chars().count() * 2 >= long.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let file = SourceFile::new("a.toml", "a = 1\n区域 = \"x\"\n");
        let offset = file.text.find('"').unwrap();
        assert_eq!(file.line_col(offset), (2, 6));
        assert_eq!(file.line_col(0), (1, 1));
        // Inside a character: the character's own column.
        assert_eq!(file.line_col(offset - 5), (2, 2));
    }

    #[test]
    fn did_you_mean_finds_near_misses_only() {
        let domains = ["老有所养", "病有所医", "学有所教"];
        assert_eq!(
            did_you_mean("老有所医", domains).as_deref(),
            Some("did you mean `老有所养`?")
        );
        assert_eq!(
            did_you_mean("sichaun", ["sichuan", "shanxi"]).as_deref(),
            Some("did you mean `sichuan`?")
        );
        assert_eq!(did_you_mean("完全无关", domains), None);
        assert_eq!(did_you_mean("/pilots/gaoxim/", ["/", "/regions/"]), None);
        assert_eq!(
            did_you_mean("专项", ["综合试点", "专项试点"]).as_deref(),
            Some("did you mean `专项试点`?")
        );
    }

    #[test]
    fn render_quotes_the_line_and_hint() {
        let file = SourceFile::new("content/pilots/a.md", "+++\nregion = \"sichaun\"\n+++\n");
        let start = file.text.find("\"sichaun\"").unwrap();
        let d = Diagnostic::error(&file, start..start + 9, "unknown region `sichaun`")
            .expected("a region slug from content/regions.toml")
            .hint("did you mean `sichuan`?");
        let text = d.render();
        assert!(text.contains("┌─ content/pilots/a.md:2:10\n"), "{text}");
        assert!(text.contains("region = \"sichaun\""), "{text}");
        assert!(text.contains("^^^^^^^^^"), "{text}");
        assert!(text.contains("hint: did you mean `sichuan`?"), "{text}");
    }
}
