//! Every folder in tests/fixtures/invalid/ is a broken variant of tests/fixtures/minimal/
//! (its `site/` files laid over the minimal site, `remove.txt` naming files to delete).
//! Each must fail with the diagnostics in its `expected.txt`: error messages are part of
//! the contract with editors.

mod common;

use std::fs;
use std::path::Path;

use common::{copy_tree, repo_root};
use liangbiao::{build, load_site, render, BuildError, BuildOptions};

fn fixtures() -> std::path::PathBuf {
    repo_root().join("tests/fixtures")
}

/// The minimal site with the case's changes applied, in a temporary folder.
fn broken_site(case: &Path) -> tempfile::TempDir {
    let dir = common::minimal_site();
    if case.join("site").is_dir() {
        copy_tree(&case.join("site"), dir.path());
    }
    if let Ok(list) = fs::read_to_string(case.join("remove.txt")) {
        for rel in list.lines().filter(|l| !l.trim().is_empty()) {
            fs::remove_file(dir.path().join(rel)).unwrap();
        }
    }
    dir
}

/// What `check` reports: validation, then rendering and the link check.
fn diagnostics_of(root: &Path) -> String {
    match render(&BuildOptions::new(root)) {
        Ok(_) => panic!("{} should not validate", root.display()),
        Err(BuildError::Content(diagnostics)) => {
            assert!(diagnostics.has_errors());
            diagnostics.render()
        }
        Err(other) => panic!("expected content diagnostics, got {other}"),
    }
}

/// The minimal fixture built with the bundled templates and static files.
fn build_minimal(base_url: Option<&str>) -> common::BuiltSite {
    let dir = common::minimal_site();
    // The output lives in its own temporary folder; the source may go.
    common::build_site(dir.path(), base_url)
}

#[test]
fn the_minimal_fixture_is_valid() {
    let (site, warnings) = load_site(&BuildOptions::new(fixtures().join("minimal"))).unwrap();
    assert_eq!(site.pilots.len(), 2);
    assert!(warnings.is_empty(), "{}", warnings.render());
}

#[test]
fn every_invalid_fixture_fails_with_its_expected_diagnostics() {
    let mut cases: Vec<_> = fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "only {} invalid fixtures", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let site = broken_site(case);
        let output = diagnostics_of(site.path());
        let expected = fs::read_to_string(case.join("expected.txt")).unwrap();
        for line in expected.lines().filter(|l| !l.trim().is_empty()) {
            if !output.contains(line) {
                failures.push(format!(
                    "{}: missing `{line}` in:\n{output}",
                    case.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn all_problems_are_reported_sorted_by_file_and_line() {
    let site = broken_site(&fixtures().join("invalid/many-errors"));
    let output = diagnostics_of(site.path());
    let gaoxin = output.find("content/pilots/gaoxin.md:4:8").unwrap();
    let xicheng = output.find("content/pilots/xicheng.md:11:10").unwrap();
    assert!(gaoxin < xicheng, "{output}");
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    // One fails validation, before anything is written; the other fails the link check,
    // after every page has been streamed into the staging folder.
    for fixture in ["unknown-region", "broken-link"] {
        let site = broken_site(&fixtures().join("invalid").join(fixture));
        let root = site.path();
        let output = root.join("public");
        fs::create_dir_all(&output).unwrap();
        fs::write(output.join(liangbiao::write::OUTPUT_MARKER), "").unwrap();
        fs::write(output.join("index.html"), "previous site").unwrap();

        let mut options = BuildOptions::new(root);
        options.output = output.clone();
        assert!(
            matches!(build(&options), Err(BuildError::Content(_))),
            "{fixture} fails"
        );
        assert_eq!(
            fs::read_to_string(output.join("index.html")).unwrap(),
            "previous site",
            "{fixture}"
        );
        let entries: Vec<_> = fs::read_dir(&output).unwrap().collect();
        assert_eq!(entries.len(), 2, "{fixture}: nothing added to the output");
        let leftovers: Vec<_> = fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("staging"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "{fixture}: staging folders left: {leftovers:?}"
        );
    }
}

#[test]
fn the_minimal_fixture_builds_with_the_bundled_templates() {
    let built = build_minimal(None);
    // Home, 3 indexes, 404, the data and search pages; 2 regions, 2 pilots, 2 domains;
    // the standards index, its 6 non-empty groupings and 2 standard pages; the
    // disclosure index, the sites' index, one list, one site and its poster; the who
    // index and 11 groups.
    assert_eq!(built.report.pages, 39);
    let pilot = built.text("pilots/xicheng/");
    // The evaluation table's figure comes first, the other source's after it.
    let first = pilot.find(">36项<").expect("36 shown");
    let second = pilot.find(">63项<").expect("63 shown");
    assert!(first < second);
    assert!(pilot.contains("另据《报道》"));
    // Body headings get anchors; body links to other pages get the site's base path.
    let page = built.page("pilots/xicheng/");
    assert_eq!(common::select(&page, "h2[id='巡视探访']").len(), 1);
    let body_links = common::links(&page, "main p a");
    // pulldown-cmark percent-encodes the href; browsers decode it to match the id.
    assert!(
        body_links.contains(&"#%E5%B7%A1%E8%A7%86%E6%8E%A2%E8%AE%BF".to_string()),
        "{body_links:?}"
    );
    assert!(
        body_links.contains(&"/pilots/gaoxin/#facts".to_string()),
        "{body_links:?}"
    );
}

#[test]
fn standards_link_both_ways_with_their_parsed_code() {
    let built = build_minimal(None);
    // The full-width code in the content is normalised, and its level inferred from the
    // prefix: shown as an inference, listed apart from the levels a source states.
    let standard = built.page("standards/gb-t-37668-2019/");
    let text = common::main_text(&standard);
    assert!(text.contains("GB/T 37668-2019"), "{text}");
    assert!(
        text.contains("代号 GB/T，顺序号 37668，年号 2019"),
        "{text}"
    );
    assert!(text.contains("层级国家（按编号推断）"), "{text}");
    assert!(common::links(&standard, "main .uses a").contains(&"/pilots/xicheng/".to_string()));
    // The pilot's table, grouped by subsystem, links back.
    let pilot = built.page("pilots/xicheng/");
    let captions: Vec<String> = common::select(&pilot, "table.standards caption")
        .iter()
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(captions, ["通用基础标准（1 项）", "服务提供标准（1 项）"]);
    let links = common::links(&pilot, "table.standards a");
    assert!(
        links.contains(&"/standards/gb-t-37668-2019/".to_string()),
        "{links:?}"
    );
    assert!(common::main_text(&pilot).contains("《北京市基本养老服务清单（2021年版）》（清单"));
    // Listed on the index and on the inferred national-level grouping, not the stated one.
    assert!(common::resolve(&built.output, "standards/level/national/").is_none());
    for listing in ["standards/", "standards/level/national-by-code/"] {
        let links = common::links(&built.page(listing), "table.standards a");
        assert!(
            links.contains(&"/standards/gb-t-37668-2019/".to_string()),
            "{listing}"
        );
    }
}

#[test]
fn a_figure_with_a_quote_shows_it_in_a_details_under_its_source_note() {
    let built = build_minimal(None);
    let pilot = built.page("pilots/xicheng/");
    let quotes: Vec<String> = common::select(&pilot, "dl.figures dd details.figure-quote")
        .iter()
        .map(|d| d.text().collect::<String>())
        .collect();
    assert_eq!(quotes.len(), 1, "{quotes:?}");
    assert!(quotes[0].starts_with("原文"), "{quotes:?}");
    assert!(quotes[0].contains("累计制定 36 项标准"), "{quotes:?}");
    assert!(quotes[0].contains("——《考核评估通过项目表》"), "{quotes:?}");
    let data: serde_json::Value =
        serde_json::from_slice(&built.files()["data/pilots.json"]).unwrap();
    let figures = &data["pilots"][1]["figures"];
    assert_eq!(figures[0]["quote"], "累计制定 36 项标准", "{figures}");
    assert_eq!(figures[1]["quote"], serde_json::Value::Null, "{figures}");
}

/// Decodes the QR code drawn as `<rect>` runs inside `svg.qr` on a page.
fn decode_qr(page: &scraper::Html) -> String {
    let svg = common::select(page, "svg.qr")[0];
    let view_box = svg
        .value()
        .attr("viewbox")
        .or(svg.value().attr("viewBox"))
        .unwrap();
    let size: usize = view_box.split_whitespace().last().unwrap().parse().unwrap();
    let scale = 4;
    let mut dark = vec![false; size * size];
    for rect in common::select(page, "svg.qr rect[height='1']") {
        let attr = |name: &str| -> usize { rect.value().attr(name).unwrap().parse().unwrap() };
        for dx in 0..attr("width") {
            dark[attr("y") * size + attr("x") + dx] = true;
        }
    }
    let pixels = size * scale;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
        if dark[(y / scale) * size + x / scale] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    grids[0].decode().unwrap().1
}

#[test]
fn a_poster_qr_code_decodes_to_its_page_under_the_base_url() {
    let built = build_minimal(Some("https://example.gov.cn/bps/"));
    let poster = built.page("liangbiao/sites/xicheng-station/poster/");
    assert_eq!(
        decode_qr(&poster),
        "https://example.gov.cn/bps/liangbiao/sites/xicheng-station/"
    );

    // The list shows its item with the standards behind it, linked both by title and code.
    let list = built.page("liangbiao/xicheng-visits/");
    let text = common::main_text(&list);
    for expected in [
        "上门访视",
        "独居、空巢、高龄老年人",
        "北京市西城区民政局",
        "资料所述事项数4 项",
    ] {
        assert!(text.contains(expected), "{expected} missing: {text}");
    }
    let links = common::links(&list, "main .service a");
    assert!(
        links.contains(&"/bps/standards/gb-t-37668-2019/".to_string()),
        "{links:?}"
    );
    assert_eq!(links.len(), 2, "{links:?}");
    assert_eq!(
        common::select(&list, "main h3.category").len(),
        1,
        "grouped by category"
    );
    // The standard's page names the service that relies on it.
    let standard = built.page("standards/gb-t-37668-2019/");
    assert!(common::links(&standard, "main .uses a")
        .contains(&"/bps/liangbiao/xicheng-visits/".to_string()));
    // The pilot page points at its disclosure.
    let pilot = built.page("pilots/xicheng/");
    assert!(common::links(&pilot, "main .disclosures a")
        .contains(&"/bps/liangbiao/xicheng-visits/".to_string()));
}

#[test]
fn the_footer_shows_the_government_site_facts_when_configured() {
    let built = build_minimal(None);
    let home = built.page("");
    let footer: String = common::select(&home, "footer")[0].text().collect();
    for fact in [
        "主办单位",
        "测试单位",
        "联系方式",
        "网站标识码",
        "1100000001",
        "京ICP备00000000号",
        "京公网安备11000000000000号",
        "我为网站找错",
    ] {
        assert!(
            footer.contains(fact),
            "{fact} missing from the footer: {footer}"
        );
    }
    let links = common::links(&home, "footer a");
    assert!(
        links.contains(&"https://beian.miit.gov.cn/".to_string()),
        "ICP number links to the MIIT filing site"
    );
    assert!(links.contains(&"mailto:test@example.org".to_string()));
}
