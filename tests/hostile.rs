//! Hostile input (issue #25): what an editor's file may try, and what the build must do.
//!
//! Each folder in tests/hostile/ holds a `case.toml`: edits to make to the minimal site
//! (TOML strings, so control characters are written as escapes) and the lines the
//! report must contain. The other tests here build sites and read every page: nothing
//! an editor writes may become a script, a style, an event handler or a second copy of
//! a layout id, and a symbolic link may not print a file from outside the site.

mod common;

use std::fs;
use std::path::Path;

use liangbiao::{check, render, BuildError, BuildOptions};
use scraper::Html;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[allow(dead_code)]
    about: String,
    #[serde(default)]
    edit: Vec<Edit>,
    /// Site files to delete.
    #[serde(default)]
    remove: Vec<String>,
    /// Lines the report must contain.
    expected: Vec<String>,
    /// Text the report must not contain.
    #[serde(default)]
    absent: Vec<String>,
    /// The most bytes the report may have.
    max_report_bytes: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    file: String,
    /// Start from this site file's text instead of `file`'s own.
    from: Option<String>,
    /// The whole text of a new file.
    create: Option<String>,
    append: Option<String>,
    /// `[text, times]`: appended that many times on one line.
    append_repeated: Option<(String, usize)>,
    /// `[old, new]`: the first occurrence of `old` replaced.
    replace: Option<(String, String)>,
    #[serde(default)]
    remove: bool,
}

fn apply(root: &Path, edit: &Edit) {
    let target = root.join(&edit.file);
    if edit.remove {
        fs::remove_file(&target).unwrap();
        return;
    }
    let mut text = match (&edit.create, &edit.from) {
        (Some(text), _) => text.clone(),
        (None, Some(from)) => fs::read_to_string(root.join(from)).unwrap(),
        (None, None) => fs::read_to_string(&target).unwrap(),
    };
    if let Some((old, new)) = &edit.replace {
        assert!(
            text.contains(old.as_str()),
            "{}: no `{old}` to replace",
            edit.file
        );
        text = text.replacen(old.as_str(), new, 1);
    }
    if let Some(more) = &edit.append {
        text.push_str(more);
    }
    if let Some((more, times)) = &edit.append_repeated {
        text.push('\n');
        text.push_str(&more.repeat(*times));
        text.push('\n');
    }
    fs::write(&target, text).unwrap();
}

/// What `check` shows for the site: its error as the CLI prints it.
fn report_of(root: &Path) -> String {
    match render(&BuildOptions::new(root)) {
        Ok(_) => "the site built without an error".to_string(),
        Err(error) => error.to_string(),
    }
}

#[test]
fn every_hostile_case_fails_with_its_located_error() {
    let dir = common::repo_root().join("tests/hostile");
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "only {} hostile cases", cases.len());
    let mut failures = Vec::new();
    for path in &cases {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let case: Case = toml::from_str(&fs::read_to_string(path.join("case.toml")).unwrap())
            .unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
        let site = common::minimal_site();
        for edit in &case.edit {
            apply(site.path(), edit);
        }
        for file in &case.remove {
            fs::remove_file(site.path().join(file)).unwrap();
        }
        let report = report_of(site.path());
        let shown = || report.chars().take(3000).collect::<String>();
        for line in &case.expected {
            if !report.contains(line.as_str()) {
                failures.push(format!("{name}: missing `{line}` in:\n{}", shown()));
            }
        }
        for text in &case.absent {
            if report.contains(text.as_str()) {
                failures.push(format!(
                    "{name}: `{}` printed in:\n{}",
                    text.escape_debug(),
                    shown()
                ));
            }
        }
        if let Some(max) = case.max_report_bytes {
            if report.len() > max {
                failures.push(format!("{name}: report of {} bytes", report.len()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// What no page may hold, whatever its content: an attribute that runs script or
/// restyles, a `javascript:` address, an inline script but the layout's own, an id twice.
fn unsafe_parts_of(page: &str, html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut found = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for element in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let name = element.value().name();
        for (attr, value) in element.value().attrs() {
            let lower = value.trim().to_ascii_lowercase();
            if attr.starts_with("on") || attr == "style" {
                found.push(format!("{page}: <{name} {attr}=…>"));
            }
            if matches!(attr, "href" | "src" | "action" | "formaction")
                && (lower.starts_with("javascript:") || lower.starts_with("data:text"))
            {
                found.push(format!("{page}: <{name} {attr}={value}>"));
            }
            if attr == "id" && !ids.insert(value.to_string()) {
                found.push(format!("{page}: id `{value}` twice"));
            }
        }
        if name == "script" && element.value().attr("src").is_none() {
            let text: String = element.text().collect();
            if !text.starts_with("try{if(localStorage.getItem(\"liangbiao-elder\")") {
                found.push(format!("{page}: inline script `{text}`"));
            }
        }
    }
    found
}

#[test]
fn no_page_of_the_bundled_site_holds_script_styles_or_a_repeated_id() {
    let site = common::build_bundled(None);
    let files = site.files();
    let mut found = Vec::new();
    let mut pages = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        pages += 1;
        found.extend(unsafe_parts_of(path, &String::from_utf8_lossy(bytes)));
    }
    assert!(pages > 100, "{pages} pages");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn hostile_headings_render_inert_even_if_validation_is_skipped() {
    let base = liangbiao::config::BaseUrl::parse("https://example.gov.cn/").unwrap();
    let payloads = [
        "## 服务 {#x tabindex=0 autofocus onfocus=alert(1)}",
        "## 服务 {onclick=alert(1)}",
        "## 服务 {style=position:fixed;top:0}",
        "## 服务 {.skip-link hidden}",
        "## 服务 {#a\"onmouseover=\"x}",
        "## 服务 {#main}\n\n## main",
    ];
    for body in payloads {
        let html = format!("<main>{}</main>", liangbiao::markdown::to_html(body, &base));
        let doc = Html::parse_fragment(&html);
        for element in doc
            .root_element()
            .descendants()
            .filter_map(scraper::ElementRef::wrap)
        {
            for (attr, _) in element.value().attrs() {
                assert!(
                    matches!(attr, "id"),
                    "{body} gave <{} {attr}> in {html}",
                    element.value().name()
                );
            }
        }
        assert!(unsafe_parts_of("body", &html).is_empty(), "{body}: {html}");
    }
}

#[test]
fn standards_csv_cells_cannot_become_spreadsheet_formulas() {
    let site = common::minimal_site();
    let standards = site.path().join("content/standards/xicheng.toml");
    let text = fs::read_to_string(&standards).unwrap().replacen(
        "title = \"信息技术 互联网内容无障碍可访问性技术要求与测试方法\"",
        "title = \"=HYPERLINK(\\\"https://evil.example/\\\",\\\"点此\\\")\"",
        1,
    );
    fs::write(&standards, text).unwrap();
    let built = common::build_site(site.path(), None);
    let csv = built.text("data/standards.csv");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"https://evil.example/\"\",\"\"点此\"\")\""),
        "{csv}"
    );
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_is_refused_and_its_target_never_printed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.toml");
    fs::write(&secret, "CI_DEPLOY_TOKEN = \"s3cr3t-value\"\n").unwrap();

    for (replaced, what) in [
        ("config.toml", "a required file"),
        ("content/pilots/gaoxin.md", "a pilot"),
        ("content/standards/xicheng.toml", "a standards file"),
    ] {
        let site = common::minimal_site();
        fs::remove_file(site.path().join(replaced)).unwrap();
        symlink(&secret, site.path().join(replaced)).unwrap();
        let report = report_of(site.path());
        assert!(
            report.contains("error: symbolic links are not read") && report.contains(replaced),
            "{what}: {report}"
        );
        assert!(
            !report.contains("s3cr3t"),
            "{what} leaked its target: {report}"
        );
    }

    // A linked folder of pilots is refused as a whole, not skipped.
    let site = common::minimal_site();
    let pilots = site.path().join("content/pilots");
    common::copy_tree(&pilots, &outside.path().join("pilots"));
    fs::remove_dir_all(&pilots).unwrap();
    symlink(outside.path().join("pilots"), &pilots).unwrap();
    let report = report_of(site.path());
    assert!(
        report.contains("symbolic links are not read") && report.contains("content/pilots"),
        "{report}"
    );

    // So is a linked static file: it would publish any file of the machine.
    let site = common::minimal_site();
    symlink(&secret, site.path().join("static/leak.txt")).unwrap();
    let report = report_of(site.path());
    assert!(
        report.contains("static/leak.txt") && report.contains("symbolic link"),
        "{report}"
    );
}

/// Mutations of the bundled content with a fixed seed: whatever the bytes, `check`
/// returns a report (no panic), every diagnostic points inside its file, and the report
/// holds no raw control character. 200 runs; `LIANGBIAO_FUZZ_RUNS` sets more.
#[test]
fn mutated_content_never_panics_and_is_always_reported_in_place() {
    let runs: usize = std::env::var("LIANGBIAO_FUZZ_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let site = tempfile::tempdir().unwrap();
    let root = common::repo_root();
    for part in ["config.toml", "content", "sources", "templates", "static"] {
        let from = root.join(part);
        if from.is_dir() {
            common::copy_tree(&from, &site.path().join(part));
        } else {
            fs::copy(&from, site.path().join(part)).unwrap();
        }
    }
    let files: Vec<_> = walkdir::WalkDir::new(site.path().join("content"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    let mut rng = XorShift(0x5eed_1a2b_3c4d_5e6f);
    let mut failed = 0;
    for run in 0..runs {
        let file = &files[rng.below(files.len())];
        let original = fs::read(file).unwrap();
        let mutated = mutate(&original, &mut rng);
        fs::write(file, &mutated).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&BuildOptions::new(site.path())));
        fs::write(file, &original).unwrap();
        let shown = file.strip_prefix(site.path()).unwrap().display();
        match outcome {
            Err(_) => panic!("run {run}: check panicked on a mutation of {shown}"),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                failed += 1;
                if let BuildError::Content(diagnostics) = &error {
                    for d in diagnostics.sorted() {
                        assert!(d.span.end <= d.file.text.len(), "run {run}: {d}");
                    }
                }
                let report = error.to_string();
                assert!(
                    !report.chars().any(|c| c.is_control() && c != '\n'),
                    "run {run} ({shown}): raw control character in:\n{report}"
                );
            }
        }
    }
    // Most mutations break something; a run of all-passing would mean none were made.
    assert!(
        failed * 4 >= runs,
        "only {failed} of {runs} mutations were reported"
    );
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One of the edits careless or hostile hands make: a byte changed, a range dropped or
/// doubled, or a snippet from the list inserted.
fn mutate(bytes: &[u8], rng: &mut XorShift) -> Vec<u8> {
    const SNIPPETS: &[&str] = &[
        "<script>alert(1)</script>",
        "## x {onfocus=alert(1)}",
        "\u{1b}[2K",
        "\u{202e}",
        "\\u0000",
        "\"",
        "+++",
        "[[locations]]\n",
        "[x](javascript:alert(1))",
        "![](https://example.com/a.png)",
        "，",
        "“厦门市”",
        "= 2026/12/08",
        "\u{0}",
        "{{ site.title }}",
        "\n\n| a |\n|---|\n| b |\n",
    ];
    let mut out = bytes.to_vec();
    let at = rng.below(out.len() + 1);
    match rng.below(4) {
        0 if !out.is_empty() => {
            let i = at.min(out.len() - 1);
            out[i] = (rng.next() & 0xff) as u8;
        }
        1 => {
            let end = (at + rng.below(64)).min(out.len());
            out.drain(at..end);
        }
        2 => {
            let end = (at + rng.below(128)).min(out.len());
            let copy = out[at..end].to_vec();
            out.splice(at..at, copy);
        }
        _ => {
            let snippet = SNIPPETS[rng.below(SNIPPETS.len())].as_bytes();
            out.splice(at..at, snippet.iter().copied());
        }
    }
    out
}
