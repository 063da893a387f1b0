//! Issue 24: every value the site shows says how it was obtained. A level that only a
//! code's prefix suggests is labelled as inferred, and a parent city no source gives is
//! not shown; built from the bundled content.

mod common;

use common::{bundled, links, main_text, repo_root, select};
use liangbiao::{load_site, BuildOptions};

#[test]
fn a_level_inferred_from_a_code_is_shown_and_listed_as_inferred() {
    let site = bundled();
    let (model, _) = load_site(&BuildOptions::new(repo_root())).unwrap();
    let mut inferred = 0;
    for standard in &model.standards {
        let page = site.page(&format!("standards/{}/", standard.slug));
        let shown: String = select(&page, "main dl dd")
            .iter()
            .zip(select(&page, "main dl dt"))
            .find(|(_, dt)| dt.text().collect::<String>() == "层级")
            .map(|(dd, _)| dd.text().collect())
            .unwrap_or_default();
        match standard.level {
            Some(level) if level.is_stated() => assert_eq!(shown, level.level.name()),
            Some(level) => {
                inferred += 1;
                assert_eq!(shown, format!("{}（按编号推断）", level.level.name()));
            }
            None => assert_eq!(shown, "未注明", "{}", standard.title),
        }
    }
    // The 20 Q/TWL codes of 通武廊: the source calls them 内控文件, never 企业标准.
    assert_eq!(inferred, 20);
    assert!(common::resolve(&site.output, "standards/level/enterprise/").is_none());
    let by_code = links(
        &site.page("standards/level/enterprise-by-code/"),
        "table.standards th a",
    );
    assert_eq!(by_code.len(), 20, "{by_code:?}");
    let data: serde_json::Value =
        serde_json::from_slice(&site.files()["data/standards.json"]).unwrap();
    let twl = data["standards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "Q/TWL TG101.01-2021")
        .unwrap();
    assert_eq!(twl["level"], serde_json::Value::Null);
    assert_eq!(twl["level_from_code"], "企业");
}

#[test]
fn parent_cities_no_source_gives_are_not_shown() {
    let site = bundled();
    // (pilot, the city general knowledge would add)
    for (pilot, city) in [
        ("beian", "黑河"),
        ("boxing", "滨州"),
        ("changdao", "烟台"),
        ("cixi", "宁波市"),
        ("dafang", "毕节"),
        ("dongfeng", "辽源"),
        ("haibei-haiyan", "海北"),
        ("haiyan", "嘉兴"),
        ("jiangyin", "无锡"),
        ("lankao", "开封"),
        ("qianan", "唐山"),
        ("qianxian", "咸阳"),
        ("xiangzhou", "来宾"),
        ("yuqing", "遵义"),
    ] {
        let text = main_text(&site.page(&format!("pilots/{pilot}/")));
        assert!(!text.contains(city), "{pilot}: {city}");
    }
    let home = main_text(&site.page(""));
    for city in ["嘉兴", "唐山", "黑河"] {
        assert!(!home.contains(city), "home: {city}");
    }
}

#[test]
fn no_page_looks_official_on_screen_or_in_print() {
    let site = bundled();
    let files = site.files();
    // Canonical links, the sitemap, the feed and poster QR codes follow base_url.
    for (path, bytes) in &files {
        if path.ends_with(".html") || path.ends_with(".xml") {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains("example.gov.cn"),
                "{path} points at a .gov.cn address"
            );
        }
    }
    // The notice is on every page, outside the header and footer that print hides.
    let css: String = files
        .iter()
        .filter(|(p, _)| p.ends_with(".css"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    for page in site.html_pages() {
        let doc = site.page(&page);
        let notices = select(&doc, "aside.site-notice");
        assert_eq!(notices.len(), 1, "{page}");
        let notice = notices[0];
        assert!(
            notice.text().collect::<String>().contains("非政府官方网站"),
            "{page}"
        );
        let parent = notice.parent().and_then(scraper::ElementRef::wrap).unwrap();
        assert_eq!(parent.value().name(), "body", "{page}");
    }
    // No print rule hides it: every rule naming it leaves it displayed.
    for rule in css.split('}') {
        if rule.contains("site-notice") {
            assert!(!rule.contains("display:none"), "{rule}");
            assert!(!rule.contains("display: none"), "{rule}");
        }
    }
}

/// The bundled figures rest on quotes checked against `sources/<id>.txt` when the site
/// loads; each shows its quote under its source note. The two without one are where the
/// evaluation table's text breaks its sentence across a page (迁安's 设置率 … 达 100%, 城阳's
/// 130 项基 / 准指标标准): their number is never printed next to its words.
#[test]
fn bundled_figures_show_the_quotes_they_rest_on() {
    let site = bundled();
    let (model, _) = load_site(&BuildOptions::new(repo_root())).unwrap();
    let mut unquoted = Vec::new();
    let mut quoted = 0;
    for pilot in &model.pilots {
        let page = site.page(&format!("pilots/{}/", pilot.slug));
        let shown: Vec<String> = select(&page, "details.figure-quote blockquote")
            .iter()
            .map(|q| q.text().collect())
            .collect();
        for figure in &pilot.figures {
            match &figure.quote {
                Some(quote) => {
                    quoted += 1;
                    assert!(shown.contains(quote), "{}: {quote}", pilot.slug);
                }
                None => unquoted.push(format!("{} {}", pilot.slug, figure.label)),
            }
        }
    }
    assert!(quoted >= 487, "{quoted} quotes");
    assert_eq!(
        unquoted,
        [
            "qianan 村（社区）综合服务中心设置率",
            "qingdao-chengyang 基准指标标准"
        ]
    );
}
