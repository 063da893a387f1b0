//! Helpers shared by the integration tests: build a site into a temporary folder and
//! read what came out.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use liangbiao::{build, BuildOptions, BuildReport};
use scraper::{Html, Selector};

/// The repository root, which is also the bundled site.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A built site in a temporary folder, removed when dropped.
pub struct BuiltSite {
    pub dir: tempfile::TempDir,
    pub output: PathBuf,
    pub report: BuildReport,
}

impl BuiltSite {
    pub fn page(&self, site_path: &str) -> Html {
        Html::parse_document(&self.text(site_path))
    }

    /// Raw text of an output file at a site path (`pilots/x/` reads its index.html).
    pub fn text(&self, site_path: &str) -> String {
        let path = resolve(&self.output, site_path)
            .unwrap_or_else(|| panic!("no output file for {site_path}"));
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Every file in the output, site path → bytes.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(&self.output)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(&self.output).unwrap();
                (
                    rel.to_string_lossy().replace('\\', "/"),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    }

    pub fn html_pages(&self) -> Vec<String> {
        self.files()
            .into_keys()
            .filter(|p| p.ends_with(".html"))
            .collect()
    }
}

/// Builds the site at `root` with an optional base URL, with the search index.
pub fn build_site(root: &Path, base_url: Option<&str>) -> BuiltSite {
    build_site_with(root, base_url, true)
}

/// Builds the site at `root`, with the search index (`/pagefind/`) or without it. The
/// index takes about a third of a build; a test that does not read it leaves it out.
pub fn build_site_with(root: &Path, base_url: Option<&str>, search: bool) -> BuiltSite {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("public");
    let mut options = BuildOptions::new(root);
    options.output = output.clone();
    options.base_url = base_url.map(str::to_string);
    options.search = search;
    let report = build(&options).unwrap_or_else(|e| panic!("build failed:\n{e}"));
    BuiltSite {
        dir,
        output,
        report,
    }
}

/// A fresh build of the bundled site, with the search index. Most tests want
/// [`bundled`], which builds it once.
pub fn build_bundled(base_url: Option<&str>) -> BuiltSite {
    build_site(&repo_root(), base_url)
}

/// The bundled site, built once per test binary (the first test to ask builds it, the
/// others wait for it and share it), without the search index. A test that reads
/// `pagefind/` builds its own with [`build_bundled`].
pub fn bundled() -> &'static BuiltSite {
    static SITE: OnceLock<BuiltSite> = OnceLock::new();
    SITE.get_or_init(|| {
        let site = build_site_with(&repo_root(), None, false);
        remove_at_exit(site.dir.path());
        site
    })
}

/// Statics are never dropped, so the temporary folder of something shared through one
/// would outlive the test binary: it is removed when the process exits instead (passing
/// or failing: the harness ends with `exit`, which runs these handlers).
pub fn remove_at_exit(folder: &Path) {
    static FOLDERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    extern "C" fn remove_folders() {
        if let Ok(folders) = FOLDERS.lock() {
            for folder in folders.iter() {
                let _ = fs::remove_dir_all(folder);
            }
        }
    }
    extern "C" {
        fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
    }
    let mut folders = FOLDERS.lock().unwrap();
    if folders.is_empty() {
        // SAFETY: `atexit` is the C library's; the handler is a plain function that
        // touches only a static.
        unsafe { atexit(remove_folders) };
    }
    folders.push(folder.to_path_buf());
}

/// The output file a site path (no base path) is served from.
pub fn resolve(output: &Path, site_path: &str) -> Option<PathBuf> {
    let path = site_path.trim_start_matches('/');
    let file = if path.is_empty() || path.ends_with('/') {
        output.join(path).join("index.html")
    } else {
        output.join(path)
    };
    file.is_file().then_some(file)
}

pub fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector).collect()
}

/// Visible text of the `<main>` element, whitespace collapsed.
pub fn main_text(doc: &Html) -> String {
    let main = select(doc, "main");
    let text: String = main.iter().flat_map(|m| m.text()).collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `href`s of `<a>` elements under `css`.
pub fn links(doc: &Html, css: &str) -> Vec<String> {
    select(doc, css)
        .iter()
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

/// True when `number` stands in `text` as a whole number (not part of a longer one).
pub fn has_number(text: &str, number: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(number).any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + number.len()).copied();
        let digitish = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_digit() || b == b'.');
        !digitish(before) && !digitish(after)
    })
}

/// The minimal fixture with the bundled templates and static files (which the fixture
/// does not carry), in a temporary folder: a complete site to build or serve.
pub fn minimal_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo_root().join("tests/fixtures/minimal"), dir.path());
    copy_tree(
        &repo_root().join("templates"),
        &dir.path().join("templates"),
    );
    copy_tree(&repo_root().join("static"), &dir.path().join("static"));
    dir
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}
