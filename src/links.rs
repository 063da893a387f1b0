//! Between render and write: every link a Markdown body makes within the site must land
//! on a page that was rendered, and its `#anchor` on an id in that page. This runs on the
//! rendered output because only then are all pages and their section ids known.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};
use crate::model::{BodyLink, BodyLinkKind};
use crate::output::OutputFile;

/// What the link check needs of the rendered site, gathered while pages stream from
/// render to write (nothing else keeps them): every output path, and the ids of the
/// pages that body links point into. Also notices a path rendered twice.
pub struct PageIndex {
    /// Output paths whose ids a link needs.
    wanted: HashSet<String>,
    /// Per rendered path, how often each id occurs in it (for the wanted paths only).
    pages: Mutex<HashMap<String, Option<IdCounts>>>,
    collisions: Mutex<Vec<String>>,
}

impl PageIndex {
    pub fn new(links: &[BodyLink]) -> PageIndex {
        let mut wanted = HashSet::new();
        for link in links {
            let (path, fragment) = split_target(&link.target);
            if fragment.is_none_or(|f| f.is_empty()) {
                continue;
            }
            match path {
                None => {
                    wanted.insert(link.page.clone());
                }
                Some(path) => wanted.extend(candidates(path)),
            }
        }
        PageIndex {
            wanted,
            pages: Mutex::default(),
            collisions: Mutex::default(),
        }
    }

    /// Records a rendered file; called from many threads.
    pub fn add(&self, file: &OutputFile) {
        let ids = self
            .wanted
            .contains(&file.path)
            .then(|| id_counts(&file.bytes));
        let previous = lock(&self.pages).insert(file.path.clone(), ids);
        if previous.is_some() {
            lock(&self.collisions).push(file.path.clone());
        }
    }

    /// Paths that were rendered more than once, sorted.
    pub fn collisions(&self) -> Vec<String> {
        let mut paths = lock(&self.collisions).clone();
        paths.sort_unstable();
        paths.dedup();
        paths
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Poisoned only by a panicking render thread, and rayon re-raises that panic in the
    // caller before anything reads the index again.
    mutex.lock().expect("a render thread panicked")
}

/// Checks every body link against the rendered pages; one error per broken link.
pub fn check(links: &[BodyLink], index: &PageIndex) -> Diagnostics {
    let mut problems = Diagnostics::new();
    let pages = lock(&index.pages);
    for link in links {
        let (path, fragment) = split_target(&link.target);
        let page = match path {
            None => Some(link.page.as_str()),
            Some(path) => candidates(path)
                .into_iter()
                .find_map(|c| pages.get_key_value(&c).map(|(k, _)| k.as_str())),
        };
        let Some(page) = page else {
            problems.push(page_not_found(link, pages.keys()));
            continue;
        };
        let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
            continue;
        };
        let no_ids = IdCounts::new();
        let page_ids = pages.get(page).and_then(Option::as_ref).unwrap_or(&no_ids);
        match (link.kind, page_ids.get(&fragment).copied().unwrap_or(0)) {
            (BodyLinkKind::Link, 0) => {
                problems.push(anchor_not_found(link, page, &fragment, page_ids))
            }
            (BodyLinkKind::OwnHeading, n) if n > 1 => {
                problems.push(heading_id_taken(link, &fragment))
            }
            _ => {}
        }
    }
    problems
}

/// `/pilots/x/?a#h` → (`Some("pilots/x/")`, `Some("h")`); `#h` → (`None`, `Some("h")`).
fn split_target(target: &str) -> (Option<&str>, Option<String>) {
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, Some(percent_decode(fragment))),
        None => (target, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() {
        (None, fragment)
    } else {
        (Some(path.trim_start_matches('/')), fragment)
    }
}

/// The output files a site path may be served from, the way a static server finds
/// them: `x/` → `x/index.html`, `x` → `x` or `x/index.html`.
fn candidates(path: &str) -> Vec<String> {
    let path = percent_decode(path);
    if path.is_empty() || path.ends_with('/') {
        vec![format!("{path}index.html")]
    } else {
        vec![path.clone(), format!("{path}/index.html")]
    }
}

type IdCounts = HashMap<String, usize>;

/// Every `id` in a rendered page, with how often it occurs: quoted (`id="…"`, as
/// Markdown writes them) or bare (`id=facts`, as the minified templates write them).
fn id_counts(html: &[u8]) -> IdCounts {
    let text = String::from_utf8_lossy(html);
    let mut counts = IdCounts::new();
    let ids = text.match_indices(" id=").filter_map(|(at, needle)| {
        let rest = &text[at + needle.len()..];
        let value = match rest.chars().next()? {
            quote @ ('"' | '\'') => &rest[1..1 + rest[1..].find(quote)?],
            _ => &rest[..rest.find(|c: char| c.is_ascii_whitespace() || c == '>')?],
        };
        Some(unescape(value))
    });
    for id in ids {
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

/// A heading whose id the page's layout also uses: a link to it, or the layout's own
/// skip link or script, would find the wrong element.
fn heading_id_taken(link: &BodyLink, id: &str) -> Diagnostic {
    Diagnostic::error(
        &link.file,
        link.span.clone(),
        format!(
            "heading id `{id}` is also an id of the page {} itself",
            url_of(&link.page)
        ),
    )
    .expected("a heading id the page does not already use")
    .hint(format!(
        "give the heading an id of its own, e.g. `{{#{id}-section}}`"
    ))
}

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Decodes `%E6%9C%8D` sequences, so a pasted, encoded link matches its heading.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn url_of(output_path: &str) -> String {
    format!(
        "/{}",
        output_path
            .strip_suffix("index.html")
            .unwrap_or(output_path)
    )
}

fn page_not_found<'a>(link: &BodyLink, pages: impl Iterator<Item = &'a String>) -> Diagnostic {
    let urls: Vec<String> = pages
        .filter(|p| p.ends_with(".html"))
        .map(|p| url_of(p))
        .collect();
    let path = link.target.split('#').next().unwrap_or_default();
    Diagnostic::error(
        &link.file,
        link.span.clone(),
        format!("link to `{}` leads to no page of this site", link.target),
    )
    .expected("the path of a page of this site, e.g. /pilots/xicheng/")
    .hint_opt(did_you_mean(path, urls.iter().map(String::as_str)))
}

fn anchor_not_found(link: &BodyLink, page: &str, fragment: &str, ids: &IdCounts) -> Diagnostic {
    let mut known: Vec<&str> = ids.keys().map(String::as_str).collect();
    known.sort_unstable();
    let listed: Vec<String> = known.iter().take(12).map(|id| format!("#{id}")).collect();
    Diagnostic::error(
        &link.file,
        link.span.clone(),
        format!(
            "`#{fragment}` is not a heading or section of {}",
            url_of(page)
        ),
    )
    .expected(if listed.is_empty() {
        "a page that has headings to link to".to_string()
    } else {
        format!("one of its anchors: {}", listed.join(" "))
    })
    .hint_opt(did_you_mean(fragment, known.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceFile;

    fn page(path: &str, html: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: html.as_bytes().to_vec(),
        }
    }

    fn link(target: &str) -> BodyLink {
        let text = format!("[x]({target})");
        BodyLink {
            span: 0..text.len(),
            file: SourceFile::new("content/pilots/a.md", text),
            target: target.to_string(),
            page: "pilots/a/index.html".to_string(),
            kind: BodyLinkKind::Link,
        }
    }

    fn index(links: &[BodyLink], files: &[OutputFile]) -> PageIndex {
        let index = PageIndex::new(links);
        files.iter().for_each(|f| index.add(f));
        index
    }

    #[test]
    fn a_heading_id_the_layout_also_has_is_an_error() {
        let files = [page(
            "pilots/a/index.html",
            r#"<main id=main><h2 id="main">x</h2><h2 id="own">y</h2></main>"#,
        )];
        let links: Vec<BodyLink> = ["#main", "#own"]
            .iter()
            .map(|t| BodyLink {
                kind: BodyLinkKind::OwnHeading,
                ..link(t)
            })
            .collect();
        let problems = check(&links, &index(&links, &files));
        let messages: Vec<&str> = problems
            .sorted()
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            ["heading id `main` is also an id of the page /pilots/a/ itself"]
        );
    }

    #[test]
    fn a_path_rendered_twice_is_a_collision() {
        let index = index(
            &[],
            &[page("a.txt", "1"), page("b.txt", "2"), page("a.txt", "3")],
        );
        assert_eq!(index.collisions(), ["a.txt"]);
    }

    fn messages(targets: &[&str]) -> Vec<String> {
        let files = [
            page(
                "pilots/a/index.html",
                r#"<h2 id="目标">目标</h2><h2 id=facts>数据</h2><p id='x'>"#,
            ),
            page(
                "pilots/b/index.html",
                r#"<section id="standards"><h2 id="服务清单">"#,
            ),
            page("data/pilots.json", "[]"),
        ];
        let links: Vec<BodyLink> = targets.iter().map(|t| link(t)).collect();
        check(&links, &index(&links, &files))
            .sorted()
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn links_to_pages_and_their_anchors_resolve() {
        let ok = [
            "/pilots/b/",
            "/pilots/b",
            "/pilots/b/#服务清单",
            "/pilots/b/#%E6%9C%8D%E5%8A%A1%E6%B8%85%E5%8D%95",
            "/pilots/b/?x=1#standards",
            "#目标",
            "#facts",
            "#x",
            "/data/pilots.json",
        ];
        assert_eq!(messages(&ok), Vec::<String>::new());
    }

    #[test]
    fn missing_pages_and_anchors_are_errors() {
        assert_eq!(
            messages(&["/pilots/c/", "/pilots/b/#服务", "#没有"]),
            [
                "`#服务` is not a heading or section of /pilots/b/",
                "`#没有` is not a heading or section of /pilots/a/",
                "link to `/pilots/c/` leads to no page of this site",
            ]
        );
    }

    #[test]
    fn near_misses_get_a_hint() {
        let files = [page("pilots/xicheng/index.html", "")];
        let links = [link("/pilots/xichen/")];
        let problems = check(&links, &index(&links, &files));
        let hint = problems.sorted()[0].hint.clone();
        assert_eq!(hint.as_deref(), Some("did you mean `/pilots/xicheng/`?"));
    }
}
