//! Stage 1 of the pipeline: read the site's files from disk.
//!
//! Nothing is interpreted here beyond decoding UTF-8 and splitting Markdown files
//! into TOML front matter and body; `validate` gives the text its meaning.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::characters;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile};

/// The files of a site, read but not yet understood.
#[derive(Debug, Clone)]
pub struct LoadedSite {
    pub root: PathBuf,
    pub config: SourceFile,
    pub regions: SourceFile,
    pub domains: SourceFile,
    pub sources: SourceFile,
    pub home: Option<MarkdownFile>,
    pub pilots: Vec<MarkdownFile>,
    /// `content/standards/*.toml`, one per pilot.
    pub standards: Vec<SourceFile>,
    /// `content/services/*.toml`, one per pilot.
    pub services: Vec<SourceFile>,
    /// `sources/<id>.txt`: the text of each source document, against which quotes are
    /// checked.
    pub source_texts: Vec<SourceFile>,
}

/// A Markdown file split at its `+++` fences.
#[derive(Debug, Clone)]
pub struct MarkdownFile {
    pub file: SourceFile,
    /// Byte range of the TOML between the fences.
    pub front_matter: Range<usize>,
    /// Byte range of the Markdown after the closing fence.
    pub body: Range<usize>,
}

impl MarkdownFile {
    pub fn body_text(&self) -> &str {
        &self.file.text[self.body.clone()]
    }
}

pub const CONFIG_FILE: &str = "config.toml";
pub const REGIONS_FILE: &str = "content/regions.toml";
pub const DOMAINS_FILE: &str = "content/domains.toml";
pub const SOURCES_FILE: &str = "content/sources.toml";
pub const HOME_FILE: &str = "content/_index.md";
pub const PILOTS_DIR: &str = "content/pilots";
pub const STANDARDS_DIR: &str = "content/standards";
pub const SERVICES_DIR: &str = "content/services";
/// The source documents' text, one `<id>.txt` per id of `content/sources.toml`.
pub const SOURCE_TEXTS_DIR: &str = "sources";

/// Reads every file the site is made of. Problems with one file do not stop the others
/// from being read, so that all of them are reported together.
pub fn load_site(root: &Path) -> Result<LoadedSite, Diagnostics> {
    read_site(root, &HashMap::new())
}

/// [`load_site`] after `changed` files (paths under `root`, as a file watcher gives them)
/// have changed, were added or removed: only those are read again, the others are taken
/// from `previous`. Folders are listed again only if a file was added or removed. Paths
/// outside `content/`, `sources/` and `config.toml` are not site files and change
/// nothing here.
pub fn load_site_again(
    previous: &LoadedSite,
    changed: &[PathBuf],
) -> Result<LoadedSite, Diagnostics> {
    let root = previous.root.as_path();
    let changed: Option<Vec<PathBuf>> = changed.iter().map(|p| site_relative(root, p)).collect();
    // A path outside the root cannot be matched to a file: read everything to be sure.
    let Some(changed) = changed else {
        return load_site(root);
    };
    let mut changed: HashSet<&Path> = changed.iter().map(PathBuf::as_path).collect();
    // Templates and static files are not content.
    changed.retain(|path| {
        path.starts_with("content")
            || path.starts_with(SOURCE_TEXTS_DIR)
            || *path == Path::new(CONFIG_FILE)
    });
    if let Some(edited) = read_edited(previous, &changed) {
        return edited;
    }
    let unchanged = previous
        .files()
        .filter(|file| !changed.contains(file.path.as_path()))
        .map(|file| (file.path.as_path(), file))
        .collect();
    read_site(root, &unchanged)
}

/// `path` below `root`, as the site's files are named. The watcher names files by the
/// path it was given to watch, so `serve` run in the site's folder hears of
/// `/site/./content/x.md` for a root of `.`: both are made absolute and rid of `.` first,
/// then, failing that (a symbolic link on the way), compared as canonical paths.
fn site_relative(root: &Path, path: &Path) -> Option<PathBuf> {
    let lexical = |p: &Path| -> Option<PathBuf> {
        let absolute = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().ok()?.join(p)
        };
        Some(
            absolute
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect(),
        )
    };
    let below = |root: PathBuf, path: PathBuf| path.strip_prefix(root).ok().map(Path::to_path_buf);
    below(lexical(root)?, lexical(path)?)
        .or_else(|| below(root.canonicalize().ok()?, path.canonicalize().ok()?))
}

/// `previous` with the `changed` files read again, if each of them is a file of the site
/// that is still there (it was edited, not added, removed or renamed); else `None`.
fn read_edited(
    previous: &LoadedSite,
    changed: &HashSet<&Path>,
) -> Option<Result<LoadedSite, Diagnostics>> {
    let root = previous.root.as_path();
    let known = previous
        .files()
        .filter(|file| changed.contains(file.path.as_path()))
        .count();
    if known < changed.len() || !changed.iter().all(|path| root.join(path).is_file()) {
        return None;
    }
    let mut site = previous.clone();
    let mut problems = Diagnostics::new();
    // A file that cannot be read keeps its old text; its problem fails the load.
    let again = |file: &SourceFile, problems: &mut Diagnostics| {
        changed
            .contains(file.path.as_path())
            .then(|| read_source(root, &file.path, problems))
            .flatten()
    };
    for file in [
        &mut site.config,
        &mut site.regions,
        &mut site.domains,
        &mut site.sources,
    ]
    .into_iter()
    .chain(&mut site.standards)
    .chain(&mut site.services)
    .chain(&mut site.source_texts)
    {
        if let Some(read) = again(file, &mut problems) {
            *file = read;
        }
    }
    for markdown in site.home.iter_mut().chain(&mut site.pilots) {
        if let Some(read) = again(&markdown.file, &mut problems) {
            if let Some(split) = split_front_matter(read, &mut problems) {
                *markdown = split;
            }
        }
    }
    Some(if problems.has_errors() {
        Err(problems)
    } else {
        Ok(site)
    })
}

impl LoadedSite {
    /// Every file read, in no particular order.
    fn files(&self) -> impl Iterator<Item = &SourceFile> {
        [&self.config, &self.regions, &self.domains, &self.sources]
            .into_iter()
            .chain(self.home.iter().map(|m| &m.file))
            .chain(self.pilots.iter().map(|m| &m.file))
            .chain(&self.standards)
            .chain(&self.services)
            .chain(&self.source_texts)
    }
}

/// Reads the site, taking the files in `unchanged` as they are instead of reading them.
fn read_site(
    root: &Path,
    unchanged: &HashMap<&Path, &SourceFile>,
) -> Result<LoadedSite, Diagnostics> {
    let read_source =
        |root: &Path, relative: &Path, problems: &mut Diagnostics| match unchanged.get(relative) {
            Some(&file) => Some(file.clone()),
            None => read_source(root, relative, problems),
        };
    let read_required = |root: &Path, relative: &Path, problems: &mut Diagnostics| {
        required(root, relative, problems)
            .then(|| read_source(root, relative, problems))
            .flatten()
    };
    let mut problems = Diagnostics::new();
    let mut read = |relative: &str| read_required(root, Path::new(relative), &mut problems);
    let config = read(CONFIG_FILE);
    let regions = read(REGIONS_FILE);
    let domains = read(DOMAINS_FILE);
    let sources = read(SOURCES_FILE);

    let home = if root.join(HOME_FILE).exists() {
        read_source(root, Path::new(HOME_FILE), &mut problems)
            .and_then(|file| split_front_matter(file, &mut problems))
    } else {
        None
    };

    let mut pilots = Vec::new();
    let mut read_all = |dir: &str| -> Vec<SourceFile> {
        files_with_extension(root, Path::new(dir), "toml", &mut problems)
            .into_iter()
            .filter_map(|relative| read_source(root, &relative, &mut problems))
            .collect()
    };
    let standards = read_all(STANDARDS_DIR);
    let services = read_all(SERVICES_DIR);
    let source_texts =
        files_with_extension(root, Path::new(SOURCE_TEXTS_DIR), "txt", &mut problems)
            .into_iter()
            .filter_map(|relative| read_source(root, &relative, &mut problems))
            .collect();

    for relative in files_with_extension(root, Path::new(PILOTS_DIR), "md", &mut problems) {
        if let Some(file) = read_source(root, &relative, &mut problems) {
            if let Some(markdown) = split_front_matter(file, &mut problems) {
                pilots.push(markdown);
            }
        }
    }

    match (config, regions, domains, sources) {
        (Some(config), Some(regions), Some(domains), Some(sources)) if !problems.has_errors() => {
            Ok(LoadedSite {
                root: root.to_path_buf(),
                config,
                regions,
                domains,
                sources,
                home,
                pilots,
                standards,
                services,
                source_texts,
            })
        }
        _ => Err(problems),
    }
}

/// Whether a file that must exist does; a diagnostic if not.
fn required(root: &Path, relative: &Path, problems: &mut Diagnostics) -> bool {
    if !root.join(relative).is_file() {
        let missing = SourceFile::new(relative, "");
        problems.push(
            Diagnostic::error(&missing, 0..0, "required file is missing").expected(format!(
                "a file at {} under {}",
                missing.display_path(),
                root.display()
            )),
        );
        return false;
    }
    true
}

/// Reads one file as UTF-8, dropping a byte-order mark. CRLF line endings are kept:
/// the TOML and Markdown parsers accept them.
pub fn read_source(root: &Path, relative: &Path, problems: &mut Diagnostics) -> Option<SourceFile> {
    if let Some(link) = symlink_on_the_way(root, relative) {
        problems.push(symlink_refused(&link));
        return None;
    }
    let bytes = match fs::read(root.join(relative)) {
        Ok(bytes) => bytes,
        Err(err) => {
            let file = SourceFile::new(relative, "");
            problems.push(Diagnostic::error(
                &file,
                0..0,
                format!("cannot read file: {err}"),
            ));
            return None;
        }
    };
    match decode_utf8(bytes) {
        Ok(text) => {
            let file = SourceFile::new(relative, text);
            refuse_forbidden_characters(&file, problems);
            Some(file)
        }
        Err(bad_offset) => {
            let file = SourceFile::new(relative, "");
            problems.push(
                Diagnostic::error(
                    &file,
                    0..0,
                    format!("file is not valid UTF-8: invalid byte at offset {bad_offset}"),
                )
                .expected("UTF-8 text")
                .hint("save the file as UTF-8 (in most editors: Save with Encoding → UTF-8)"),
            );
            None
        }
    }
}

/// The first symbolic link among `relative`'s folders and the file itself, if any.
/// A link could point anywhere (`/etc/passwd`, `/proc/self/environ`), and the build
/// quotes the lines of the files it reads in its errors: a committed link could print a
/// CI secret into a public build log. So the site's files must be regular files inside
/// the site folder.
pub fn symlink_on_the_way(root: &Path, relative: &Path) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for part in relative.components() {
        path.push(part);
        let is_link =
            fs::symlink_metadata(root.join(&path)).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            return Some(path);
        }
    }
    None
}

pub fn symlink_refused(relative: &Path) -> Diagnostic {
    Diagnostic::error(
        &SourceFile::new(relative, ""),
        0..0,
        "symbolic links are not read",
    )
    .expected("a regular file or folder inside the site folder")
    .hint("copy the file into place instead of linking to it")
}

/// Every run of control characters or bidirectional overrides in a file, located.
fn refuse_forbidden_characters(file: &SourceFile, problems: &mut Diagnostics) {
    for (span, first) in characters::forbidden_runs(&file.text) {
        problems.push(
            Diagnostic::error(
                file,
                span,
                format!(
                    "invisible control character {}",
                    characters::describe(first)
                ),
            )
            .expected("visible text; tabs and line breaks are fine")
            .hint("delete it: it was probably pasted in with the text"),
        );
    }
}

/// The text without a leading BOM, or the offset of the first invalid byte.
fn decode_utf8(bytes: Vec<u8>) -> Result<String, usize> {
    let mut text = String::from_utf8(bytes).map_err(|e| e.utf8_error().valid_up_to())?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Files ending in `.extension` under `dir`, relative to `root`, in a stable order.
fn files_with_extension(
    root: &Path,
    dir: &Path,
    extension: &str,
    problems: &mut Diagnostics,
) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Some(link) = symlink_on_the_way(root, dir) {
        problems.push(symlink_refused(&link));
        return found;
    }
    if !root.join(dir).is_dir() {
        return found;
    }
    for entry in WalkDir::new(root.join(dir)).sort_by_file_name() {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                let relative = path.strip_prefix(root).unwrap_or(path);
                let ext = path.extension().and_then(|e| e.to_str());
                let is_file = entry.file_type().is_file();
                if entry.path_is_symlink() {
                    problems.push(symlink_refused(relative));
                } else if is_file && ext == Some(extension) {
                    found.push(relative.to_path_buf());
                } else if is_file && ext.is_some_and(|e| e.eq_ignore_ascii_case(extension)) {
                    // `.MD` from a Windows editor: it would be skipped without a word.
                    problems.push(
                        Diagnostic::error(
                            &SourceFile::new(relative, ""),
                            0..0,
                            format!(
                                "file name ends in `.{}`, which is not read",
                                ext.unwrap_or("")
                            ),
                        )
                        .expected(format!("the extension in lowercase: `.{extension}`")),
                    );
                }
            }
            Err(err) => {
                let file = SourceFile::new(dir, "");
                problems.push(Diagnostic::error(
                    &file,
                    0..0,
                    format!("cannot read folder: {err}"),
                ));
            }
        }
    }
    found
}

/// Splits a Markdown file into TOML front matter and body at its `+++` fences.
pub fn split_front_matter(file: SourceFile, problems: &mut Diagnostics) -> Option<MarkdownFile> {
    match front_matter_ranges(&file.text) {
        Ok((front_matter, body)) => Some(MarkdownFile {
            file,
            front_matter,
            body,
        }),
        Err(FenceError::NoOpening) => {
            let end = file.text.find('\n').unwrap_or(file.text.len());
            problems.push(
                Diagnostic::error(&file, 0..end, "the file does not start with front matter")
                    .expected("a first line `+++`, then TOML, then a line `+++`"),
            );
            None
        }
        Err(FenceError::NoClosing) => {
            problems.push(
                Diagnostic::error(&file, 0..3, "front matter is never closed")
                    .expected("a line `+++` after the TOML front matter"),
            );
            None
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum FenceError {
    NoOpening,
    NoClosing,
}

/// Byte ranges of the front matter and the body, for text that opens with a `+++` line.
fn front_matter_ranges(text: &str) -> Result<(Range<usize>, Range<usize>), FenceError> {
    let mut lines = line_spans(text);
    let first = lines.next().ok_or(FenceError::NoOpening)?;
    if !is_fence(&text[first.clone()]) {
        return Err(FenceError::NoOpening);
    }
    let fm_start = first.end;
    for line in lines {
        if is_fence(&text[line.clone()]) {
            return Ok((fm_start..line.start, line.end..text.len()));
        }
    }
    Err(FenceError::NoClosing)
}

fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\n', '\r']).trim_end() == "+++"
}

/// Ranges of each line including its line ending.
fn line_spans(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        let span = start..end;
        start = end;
        Some(span)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watched_path_is_named_as_the_sites_files_are() {
        let here = std::env::current_dir().unwrap();
        let named = |root: &str, path: PathBuf| site_relative(Path::new(root), &path);
        let expected = Some(PathBuf::from("content/pilots/a.md"));
        assert_eq!(named(".", here.join("./content/pilots/a.md")), expected);
        assert_eq!(named("./", here.join("content/pilots/a.md")), expected);
        let root = here.to_string_lossy().into_owned();
        assert_eq!(
            named(&root, PathBuf::from("./content/pilots/a.md")),
            expected
        );
        assert_eq!(named(&root, here.join("content/pilots/a.md")), expected);
        assert_eq!(
            named(&format!("{root}/content"), here.join("config.toml")),
            None
        );
    }

    fn split(text: &str) -> Result<(String, String), FenceError> {
        front_matter_ranges(text).map(|(fm, body)| (text[fm].to_string(), text[body].to_string()))
    }

    #[test]
    fn splits_front_matter_and_body() {
        let (fm, body) = split("+++\ntitle = \"a\"\n+++\n正文\n").unwrap();
        assert_eq!(fm, "title = \"a\"\n");
        assert_eq!(body, "正文\n");
    }

    #[test]
    fn accepts_crlf_and_trailing_spaces_on_fences() {
        let (fm, body) = split("+++ \r\ntitle = \"a\"\r\n+++\r\nbody").unwrap();
        assert_eq!(fm, "title = \"a\"\r\n");
        assert_eq!(body, "body");
    }

    #[test]
    fn empty_front_matter_and_body_are_allowed() {
        assert_eq!(split("+++\n+++\n").unwrap(), (String::new(), String::new()));
        assert_eq!(split("+++\n+++").unwrap(), (String::new(), String::new()));
    }

    #[test]
    fn a_fence_inside_a_line_is_not_a_fence() {
        assert_eq!(split("+++\na = \"+++\"\n"), Err(FenceError::NoClosing));
        assert_eq!(split("title = 1\n+++\n"), Err(FenceError::NoOpening));
        assert_eq!(split(""), Err(FenceError::NoOpening));
    }

    #[test]
    fn bom_is_dropped_and_bad_utf8_reports_offset() {
        assert_eq!(decode_utf8(b"\xef\xbb\xbf+++".to_vec()).unwrap(), "+++");
        assert_eq!(decode_utf8(b"ab\xffcd".to_vec()), Err(2));
    }
}
