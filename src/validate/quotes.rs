//! Quotes: the exact words of a source that a figure rests on. Each is looked up in the
//! source's text (`sources/<id>.txt`) with whitespace removed from both, and nothing
//! else changed: the documents' text breaks lines mid-sentence and spaces out numbers
//! (`36 项`), but a different character, even a half-width comma, is a different quote.
//! A quote that is not found is reported at its place with the nearest passage.

use std::collections::HashMap;
use std::sync::OnceLock;

use toml::Spanned;

use super::EntryContext;
use crate::diagnostics::{Diagnostics, SourceFile};
use crate::load::SOURCE_TEXTS_DIR;
use crate::model::{Source, SourceId};

/// The text of every source that has one, by source id.
pub(crate) struct SourceTexts {
    texts: Vec<Option<SourceText>>,
}

/// One source document's text, with its characters other than whitespace.
struct SourceText {
    file: SourceFile,
    /// The text without whitespace.
    squeezed: String,
    /// Each character of `squeezed`, with its byte offset in the file.
    chars: Vec<(usize, char)>,
    /// Where each run of [`SHINGLE`] characters of `squeezed` starts, by character;
    /// made when the first quote is not found (a broken text may fail hundreds).
    runs: OnceLock<HashMap<[char; SHINGLE], Vec<usize>>>,
}

/// The most characters of a passage shown in a report.
const PASSAGE_CHARS: usize = 80;

/// Characters in a row that a passage must share with a quote to count as near it.
const SHINGLE: usize = 3;

impl SourceTexts {
    /// The texts in `files` (`sources/<id>.txt`) of `sources`, indexed by source id.
    pub(crate) fn new(sources: &[Source], files: &[SourceFile]) -> SourceTexts {
        let texts = sources
            .iter()
            .map(|source| {
                let path = text_path(source.id.as_str());
                files
                    .iter()
                    .find(|f| f.display_path() == path)
                    .map(SourceText::new)
            })
            .collect();
        SourceTexts { texts }
    }

    /// Checks `quote` against the text of `source` (named `id`); the quote as written
    /// when it is found, else a located error and `None`.
    pub(crate) fn check(
        &self,
        quote: &Spanned<String>,
        source: SourceId,
        id: &str,
        ctx: &EntryContext,
        problems: &mut Diagnostics,
    ) -> Option<String> {
        let written = quote.get_ref().trim();
        let squeezed = squeeze(written);
        if squeezed.is_empty() {
            problems.push(
                ctx.error(quote, "`quote` is empty")
                    .expected("the source's exact words the figure rests on"),
            );
            return None;
        }
        let Some(text) = self.texts.get(source.0).and_then(Option::as_ref) else {
            problems.push(
                ctx.error(
                    quote,
                    format!("source `{id}` has no text to check this quote against"),
                )
                .expected(format!(
                    "the document's text in {}, copied from the source",
                    text_path(id)
                )),
            );
            return None;
        };
        if text.squeezed.contains(&squeezed) {
            return Some(written.to_string());
        }
        problems.push(
            ctx.error(
                quote,
                format!(
                    "quote not found in source `{id}` ({})",
                    text.file.display_path()
                ),
            )
            .expected("the source's exact words; only whitespace and line breaks may differ")
            .hint(text.nearest(&squeezed)),
        );
        None
    }
}

/// Where the text of source `id` is kept.
pub(crate) fn text_path(id: &str) -> String {
    format!("{SOURCE_TEXTS_DIR}/{id}.txt")
}

fn shingle(run: &[char]) -> [char; SHINGLE] {
    std::array::from_fn(|i| run[i])
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

impl SourceText {
    fn new(file: &SourceFile) -> SourceText {
        let chars: Vec<(usize, char)> = file
            .text
            .char_indices()
            .filter(|(_, c)| !c.is_whitespace())
            .collect();
        SourceText {
            file: file.clone(),
            squeezed: chars.iter().map(|&(_, c)| c).collect(),
            chars,
            runs: OnceLock::new(),
        }
    }

    /// The passage of the text that shares the most runs of [`SHINGLE`] characters with
    /// the quote at the same distance from its start, and where the two first differ:
    /// found only when a quote fails, so the index is made then.
    fn nearest(&self, quote: &str) -> String {
        let quote: Vec<char> = quote.chars().collect();
        let text: Vec<char> = self.chars.iter().map(|&(_, c)| c).collect();
        let index = self.runs.get_or_init(|| {
            let mut index: HashMap<[char; SHINGLE], Vec<usize>> = HashMap::new();
            for (at, run) in text.windows(SHINGLE).enumerate() {
                index.entry(shingle(run)).or_default().push(at);
            }
            index
        });
        let positions = |run: &[char]| index.get(&shingle(run)).map_or(&[][..], Vec::as_slice);
        let mut votes: HashMap<usize, usize> = HashMap::new();
        for (offset, run) in quote.windows(SHINGLE).enumerate() {
            for &at in positions(run) {
                if at >= offset {
                    *votes.entry(at - offset).or_default() += 1;
                }
            }
        }
        // The most votes; of equals, the earliest, so that the report is stable.
        let Some((best, _)) = votes
            .into_iter()
            .max_by_key(|&(start, count)| (count, std::cmp::Reverse(start)))
        else {
            return format!(
                "no passage of {} shares {SHINGLE} characters in a row with the quote",
                self.file.display_path()
            );
        };
        // A word added or left out shifts the rest of the quote: the passage starts where
        // the quote's first run shared near the best alignment does, so that the first
        // difference shown is the real one.
        let near = best.saturating_sub(quote.len())..best + quote.len();
        let start = quote
            .windows(SHINGLE)
            .enumerate()
            .find_map(|(offset, run)| {
                let at = positions(run).iter().find(|at| near.contains(at))?;
                at.checked_sub(offset)
            })
            .unwrap_or(best);
        let end = (start + quote.len()).min(text.len());
        let shown_end = (end + 10).min(start + PASSAGE_CHARS).min(text.len());
        let differs = quote
            .iter()
            .zip(&text[start..end])
            .position(|(q, t)| q != t)
            .unwrap_or(end - start);
        let line = self.file.text[..self.chars[start].0].matches('\n').count() + 1;
        let passage = self.original(start, shown_end);
        let mut hint = format!(
            "nearest passage, line {line} of {}: “{passage}”",
            self.file.display_path()
        );
        if differs < quote.len() {
            let from = differs.saturating_sub(4);
            let quoted: String = quote[from..(differs + 6).min(quote.len())].iter().collect();
            let source = self.original(start + from, (start + differs + 6).min(text.len()));
            hint.push_str(&format!(
                "; they first differ at “{quoted}” (the source has “{source}”)"
            ));
        }
        hint
    }

    /// The file's text from the `start`th to before the `end`th character of `chars`,
    /// with each run of whitespace shown as one space.
    fn original(&self, start: usize, end: usize) -> String {
        if start >= end {
            return String::new();
        }
        let (last, c) = self.chars[end - 1];
        let raw = &self.file.text[self.chars[start].0..last + c.len_utf8()];
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> SourceText {
        SourceText::new(&SourceFile::new("sources/cases.txt", body))
    }

    #[test]
    fn whitespace_and_line_breaks_are_all_that_may_differ() {
        let source = text("梳理基本公共服务清单90项，构建了包含491项\n\n标准的易地扶贫搬迁");
        assert!(source
            .squeezed
            .contains(&squeeze("清单 90 项，构建了包含 491 项标准")));
        // A half-width comma is another character.
        assert!(!source.squeezed.contains(&squeeze("清单90项,构建了")));
    }

    #[test]
    fn a_quote_not_found_names_the_nearest_passage_and_the_first_difference() {
        let source = text(
            "第一行无关。\n州政府高质量发展重点考核目标，2 项标准被政府规范性文件引用，各居住区",
        );
        let hint = source.nearest(&squeeze("2项标准被政府文件引用"));
        assert!(
            hint.starts_with(
                "nearest passage, line 2 of sources/cases.txt: “2 项标准被政府规范性文件"
            ),
            "{hint}"
        );
        assert!(
            hint.contains(
                "they first differ at “准被政府文件引用” (the source has “准被政府规范性文件引”)"
            ),
            "{hint}"
        );
        assert!(source.nearest("完全无关的话").starts_with("no passage"));
    }
}
