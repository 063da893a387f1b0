//! Problems found in a site's files, as values.
//!
//! Every stage reports into a [`Diagnostics`] list instead of stopping at the first
//! problem, so an editor sees everything that is wrong in one run. Each diagnostic
//! knows its file and byte span; line, column and the quoted source line are derived
//! from them when the diagnostic is shown.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;
use serde::Serialize;

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
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
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
        line_col(&self.file.text, self.span.start)
    }

    /// The full, human-readable report: location, quoted line with a marker, expectation, hint.
    pub fn render(&self) -> String {
        let name = self.file.display_path();
        let files = SimpleFile::new(name.clone(), self.file.text.as_ref());
        let report = match self.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
        };
        let mut notes = Vec::new();
        if let Some(expected) = &self.expected {
            notes.push(format!("expected: {expected}"));
        }
        if let Some(hint) = &self.hint {
            notes.push(format!("hint: {hint}"));
        }
        let report = report
            .with_message(&self.message)
            .with_labels(vec![Label::primary((), self.span.clone())])
            .with_notes(notes);
        let config = term::Config::default();
        term::emit_into_string(&config, &files, &report).unwrap_or_else(|_| format!("{self}\n"))
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

    /// Every diagnostic rendered in order, for a caller that prints its own summary.
    pub fn render_items(&self) -> String {
        self.sorted().iter().map(|d| d.render()).collect()
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

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
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
        let text = "a = 1\n区域 = \"x\"\n";
        let offset = text.find('"').unwrap();
        assert_eq!(line_col(text, offset), (2, 6));
        assert_eq!(line_col(text, 0), (1, 1));
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
