//! Builds the bundled content (the real site) and checks it against the evaluation
//! table, derived from the seed document into tests/data/evaluation_rows.tsv.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use common::{
    build_bundled, build_site_with, bundled, has_number, links, main_text, repo_root, resolve,
    select, BuiltSite,
};
use liangbiao::{load_site, BuildOptions};

/// One row of the evaluation table.
struct Row {
    number: u32,
    region: String,
    name: String,
    lead_unit: String,
    kind: String,
    counts: Vec<String>,
}

fn evaluation_rows() -> Vec<Row> {
    let text = std::fs::read_to_string(repo_root().join("tests/data/evaluation_rows.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            Row {
                number: cells[0].parse().unwrap(),
                region: cells[1].into(),
                name: cells[2].into(),
                lead_unit: cells[3].into(),
                kind: cells[4].into(),
                counts: cells[5]
                    .split(';')
                    .filter(|c| !c.is_empty())
                    .map(String::from)
                    .collect(),
            }
        })
        .collect()
}

/// Pilot title → site path, read from the built pilots index.
fn pilot_paths(site: &BuiltSite) -> BTreeMap<String, String> {
    let index = site.page("pilots/");
    select(&index, "main .card-title a")
        .iter()
        .map(|a| {
            let title: String = a.text().collect();
            (title, a.value().attr("href").unwrap().to_string())
        })
        .collect()
}

/// Region short name (北京) → slug (beijing), from the content via the library.
fn region_slugs() -> BTreeMap<String, String> {
    let (site, _) = load_site(&BuildOptions::new(repo_root())).unwrap();
    site.regions
        .iter()
        .map(|r| (r.name.clone(), r.slug.to_string()))
        .collect()
}

#[test]
fn every_evaluation_row_has_its_pilot_page_with_name_unit_kind_and_counts() {
    let site = bundled();
    let paths = pilot_paths(site);
    let rows = evaluation_rows();
    assert_eq!(rows.len(), 49);
    let mut problems = Vec::new();
    for row in &rows {
        let Some(path) = paths.get(&row.name) else {
            problems.push(format!("row {}: no pilot titled {}", row.number, row.name));
            continue;
        };
        let page = site.page(path);
        let h1: String = select(&page, "h1")[0].text().collect();
        let text = main_text(&page);
        if h1 != row.name {
            problems.push(format!("row {}: h1 is {h1}", row.number));
        }
        for (what, expected) in [
            ("承担单位", &row.lead_unit),
            ("kind", &row.kind),
            ("region", &row.region),
        ] {
            if !text.contains(expected.as_str()) {
                problems.push(format!(
                    "row {}: {what} `{expected}` missing on {path}",
                    row.number
                ));
            }
        }
        if !text.contains(&format!("考核评估项目表第 {} 行", row.number)) {
            problems.push(format!(
                "row {}: row number not shown on {path}",
                row.number
            ));
        }
        for count in &row.counts {
            if !has_number(&text, count) {
                problems.push(format!(
                    "row {}: stated count {count} missing on {path}",
                    row.number
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // 49 rows, 47 pilots: rows 1, 4 and 6 are the one 通武廊 pilot.
    assert_eq!(paths.len(), 47);
}

#[test]
fn each_region_page_lists_exactly_its_pilots() {
    let site = bundled();
    let paths = pilot_paths(site);
    let slugs = region_slugs();
    assert_eq!(slugs.len(), 31);
    let mut expected: BTreeMap<String, BTreeSet<String>> = slugs
        .values()
        .map(|s| (s.clone(), BTreeSet::new()))
        .collect();
    for row in evaluation_rows() {
        let region = &slugs[&row.region];
        expected
            .get_mut(region)
            .unwrap()
            .insert(paths[&row.name].clone());
    }
    for (region, pilots) in &expected {
        let page = site.page(&format!("regions/{region}/"));
        let listed: BTreeSet<String> = links(&page, "main .card-title a").into_iter().collect();
        assert_eq!(&listed, pilots, "region {region}");
        if pilots.is_empty() {
            assert!(
                main_text(&page).contains("暂无"),
                "region {region} should say it has no pilots"
            );
        }
    }
}

#[test]
fn tongwulang_is_one_pilot_on_three_region_pages() {
    let site = bundled();
    for region in ["beijing", "tianjin", "hebei"] {
        let page = site.page(&format!("regions/{region}/"));
        assert!(
            links(&page, "main .card-title a").contains(&"/pilots/tongwulang/".to_string()),
            "通武廊 missing on {region}"
        );
    }
    let text = main_text(&site.page("pilots/tongwulang/"));
    for unit in [
        "北京市通州区人民政府",
        "天津市武清区人民政府",
        "廊坊市人民政府",
    ] {
        assert!(text.contains(unit), "{unit}");
    }
}

#[test]
fn disagreeing_sources_are_both_shown_evaluation_first() {
    let site = bundled();
    // (pilot, evaluation figure, other source's figure)
    for (pilot, first, second) in [
        ("chengdu-gaoxin", "314项", "279项"),
        ("beijing-xicheng", "36项", "63项"),
        ("qingdao-chengyang", "115项", "112项"),
    ] {
        let text = main_text(&site.page(&format!("pilots/{pilot}/")));
        let a = text
            .find(first)
            .unwrap_or_else(|| panic!("{pilot}: {first} missing"));
        let b = text
            .find(second)
            .unwrap_or_else(|| panic!("{pilot}: {second} missing"));
        assert!(a < b, "{pilot}: {first} should come before {second}");
    }
}

/// Issue 24's fact-check: statements the sources do not make stay out, and the two
/// conflicts between sources are shown both ways.
#[test]
fn statements_the_sources_do_not_make_stay_out() {
    let site = bundled();
    let page = |slug: &str| main_text(&site.page(&format!("pilots/{slug}/")));
    // (pilot, words no source says)
    for (pilot, unsourced) in [
        ("xuchang", "首创"),
        ("tongwulang", "京津冀三地第一次"),
        ("haiyan", "469项"),
        ("chengdu-gaoxin", "2021年7月"),
        ("shenzhen-futian", "征求人大代表"),
        ("shenzhen-futian", "集团化办学覆盖率（试点"),
        ("qianxinan", "新制定的36项州地方标准包括"),
        ("qingdao-chengyang", "国家确定的"),
        ("tianjin-heping", "试点后满意度"),
    ] {
        assert!(!page(pilot).contains(unsourced), "{pilot}: {unsourced}");
    }
    // (pilot, one source's words, the other's)
    for (pilot, one, other) in [
        (
            "haiyan",
            "全国首个义务教育优质均衡发展县",
            "获评首批义务教育优质均衡发展县",
        ),
        ("chengdu-gaoxin", "华西妇儿联盟", "华西医妇联盟"),
    ] {
        let text = page(pilot);
        assert!(
            text.contains(one) && text.contains(other),
            "{pilot}: {one} / {other}"
        );
    }
}

/// Every `href`/`src` in every page that points inside the site, as (page, target).
fn internal_references(site: &BuiltSite, base_path: &str) -> Vec<(String, String)> {
    let mut refs = Vec::new();
    for page in site.html_pages() {
        let doc = site.page(&page);
        for element in select(&doc, "[href], [src]") {
            for attr in ["href", "src"] {
                if let Some(url) = element.value().attr(attr) {
                    if url.starts_with('/') || url.starts_with('#') {
                        refs.push((page.clone(), url.to_string()));
                    } else {
                        assert!(
                            url.starts_with("https://")
                                || url.starts_with("mailto:")
                                || url.starts_with("http://"),
                            "{page}: unexpected relative link {url}"
                        );
                    }
                }
            }
        }
    }
    let _ = base_path;
    refs
}

/// Resolves a link under `base_path` to an output file and checks its fragment exists.
fn check_link(site: &BuiltSite, base_path: &str, page: &str, url: &str) -> Result<(), String> {
    let (path, fragment) = url.split_once('#').unwrap_or((url, ""));
    let target = if path.is_empty() {
        page.to_string()
    } else {
        let inside = path
            .strip_prefix(base_path)
            .ok_or_else(|| format!("{page}: link {url} escapes {base_path}"))?;
        let file =
            resolve(&site.output, inside).ok_or_else(|| format!("{page}: broken link {url}"))?;
        file.strip_prefix(&site.output)
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    if !fragment.is_empty() {
        let doc = site.page(&target);
        if select(&doc, &format!("[id=\"{fragment}\"]")).is_empty() {
            return Err(format!("{page}: {url} has no element with id {fragment}"));
        }
    }
    Ok(())
}

#[test]
fn built_under_a_sub_path_every_internal_link_and_asset_resolves_inside_it() {
    let site = build_site_with(&repo_root(), Some("https://example.gov.cn/bps/"), false);
    let refs = internal_references(&site, "/bps/");
    assert!(refs.len() > 1000, "only {} internal references", refs.len());
    let problems: Vec<String> = refs
        .iter()
        .filter_map(|(page, url)| check_link(&site, "/bps/", page, url).err())
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let sitemap = site.text("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.gov.cn/bps/pilots/tongwulang/</loc>"));
    assert!(!sitemap.contains("<loc>https://example.gov.cn/pilots/"));
    let feed = site.text("feed.xml");
    assert!(feed.contains("href=\"https://example.gov.cn/bps/feed.xml\""));
}

#[test]
fn every_page_is_reachable_from_the_home_page() {
    let site = bundled();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue = VecDeque::from(["/".to_string()]);
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let doc = site.page(&path);
        for href in links(&doc, "a[href^='/']") {
            let href = href.split('#').next().unwrap().to_string();
            if href.ends_with('/') && !seen.contains(&href) {
                queue.push_back(href);
            }
        }
    }
    let pages: Vec<String> = site
        .html_pages()
        .into_iter()
        .filter(|p| p != "404.html")
        .map(|p| format!("/{}", p.trim_end_matches("index.html")))
        .collect();
    let unreachable: Vec<&String> = pages.iter().filter(|p| !seen.contains(*p)).collect();
    assert!(
        unreachable.is_empty(),
        "not reachable from /: {unreachable:?}"
    );
    // Entry pages sit one level below their index: /regions/<slug>/.
    let count = |prefix: &str| {
        pages
            .iter()
            .filter_map(|p| p.strip_prefix(prefix))
            .filter(|rest| !rest.is_empty() && rest.matches('/').count() == 1)
            .count()
    };
    assert_eq!(count("/regions/"), 31);
    assert_eq!(count("/pilots/"), 47);
    assert_eq!(count("/domains/"), 9);
}

#[test]
fn two_builds_of_the_same_content_are_byte_identical() {
    // Two builds of their own, with the search index: the only test here that reads
    // `pagefind/`. The others share `bundled()`, built once without it.
    let a = build_bundled(None).files();
    let b = build_bundled(None).files();
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between builds");
    }
}

/// The pages are minified through their templates (`render/templates.rs`), not one by
/// one. Minifying each page as written gives the same result either way, so the
/// minified templates changed no text, attribute or element.
#[test]
fn minified_templates_give_the_pages_that_minifying_each_page_gives() {
    let render = |minify| {
        let options = BuildOptions {
            minify,
            ..BuildOptions::new(repo_root())
        };
        liangbiao::render(&options).unwrap().files
    };
    let minify_page = |html: &[u8]| {
        let cfg = minify_html::Cfg {
            keep_closing_tags: true,
            keep_html_and_head_opening_tags: true,
            ..minify_html::Cfg::default()
        };
        String::from_utf8(minify_html::minify(html, &cfg)).unwrap()
    };
    let (as_written, minified) = (render(false), render(true));
    assert_eq!(as_written.len(), minified.len());
    let mut pages = 0;
    let mut bytes = (0, 0);
    for (a, b) in as_written.iter().zip(&minified) {
        assert_eq!(a.path, b.path);
        if !a.path.ends_with(".html") {
            assert!(
                a.bytes == b.bytes,
                "{} is not HTML and must not change",
                a.path
            );
            continue;
        }
        let (expected, got) = (minify_page(&a.bytes), minify_page(&b.bytes));
        if expected != got {
            let at = expected
                .char_indices()
                .zip(got.chars())
                .find(|((_, x), y)| x != y)
                .map_or(expected.len().min(got.len()), |((i, _), _)| i);
            let around = |text: &str| {
                let start = text.floor_char_boundary(at.saturating_sub(120));
                text[start..text.ceil_char_boundary((at + 120).min(text.len()))].to_string()
            };
            panic!(
                "{} differs at byte {at}:\n  page minified: {}\n  via templates: {}",
                a.path,
                around(&expected),
                around(&got)
            );
        }
        pages += 1;
        bytes = (bytes.0 + a.bytes.len(), bytes.1 + b.bytes.len());
    }
    assert!(pages > 300, "{pages} pages compared");
    assert!(
        bytes.1 * 10 < bytes.0 * 9,
        "minified templates should save at least a tenth: {bytes:?}"
    );
}

#[test]
fn pages_are_chinese_minified_and_free_of_third_party_requests() {
    let site = bundled();
    for page in site.html_pages() {
        let html = site.text(&page);
        assert!(
            html.starts_with("<!doctype html><html lang=\"zh-CN\">"),
            "{page}"
        );
        assert!(!html.contains("\n  "), "{page} is not minified");
        let doc = site.page(&page);
        for element in select(&doc, "script[src], link[href], img[src]") {
            let url = element
                .value()
                .attr("src")
                .or(element.value().attr("href"))
                .unwrap();
            let is_canonical = element.value().attr("rel") == Some("canonical");
            assert!(
                url.starts_with('/') || is_canonical,
                "{page}: third-party resource {url}"
            );
        }
        assert_eq!(select(&doc, "h1").len(), 1, "{page} has one h1");
    }
    let css: Vec<String> = site
        .files()
        .into_keys()
        .filter(|p| p.ends_with(".css"))
        .collect();
    assert_eq!(css.len(), 1);
    assert!(
        css[0].starts_with("css/site.") && css[0].len() == "css/site..css".len() + 10,
        "{css:?}"
    );
}

#[test]
fn home_page_shows_totals_and_a_satisfaction_chart_with_its_table() {
    let site = bundled();
    let home = site.page("");
    let text = main_text(&home);
    assert!(text.contains("47 个"), "pilot count");
    assert!(text.contains("21 / 31"), "regions covered");
    let svg = select(&home, "svg.chart[role=img]");
    assert_eq!(svg.len(), 1);
    let rows = select(&home, "table tbody tr");
    let bars = select(&home, "svg.chart g:not(.legend) rect.bar-after");
    assert_eq!(rows.len(), bars.len());
    assert!(
        rows.len() >= 5,
        "only {} pilots report before and after",
        rows.len()
    );
    // 成都高新 reports 84.73% → 90.32% in the evaluation table.
    assert!(text.contains("84.73%") && text.contains("90.32%"));
}

#[test]
fn every_standard_has_its_page_and_is_in_its_pilots_tables() {
    let built = bundled();
    let (site, _) = load_site(&BuildOptions::new(repo_root())).unwrap();
    assert!(
        site.standards.len() >= 100,
        "only {} standards",
        site.standards.len()
    );
    let listing = main_text(&built.page("standards/"));
    assert!(
        listing.contains(&format!("共 {} 项", site.standards.len())),
        "{listing}"
    );
    let mut listed = BTreeSet::new();
    for page in ["standards/", "standards/page/2/"] {
        listed.extend(links(&built.page(page), "table.standards th a"));
    }
    for standard in &site.standards {
        let url = format!("/standards/{}/", standard.slug);
        assert!(listed.contains(&url), "{url} missing from the listing");
        let page = built.page(&url);
        assert!(main_text(&page).contains(&standard.title), "{url}");
        for usage in &standard.uses {
            let pilot = site.pilot(usage.pilot);
            let pilot_page = built.page(&format!("pilots/{}/", pilot.slug));
            assert!(
                links(&pilot_page, "table.standards a").contains(&url),
                "{url} missing from {}",
                pilot.slug
            );
        }
    }
    // 通武廊's 20 coded standards, grouped into its three subsystems.
    let tongwulang = built.page("pilots/tongwulang/");
    let captions: Vec<String> = select(&tongwulang, "table.standards caption")
        .iter()
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(
        captions,
        [
            "TG100 服务提供标准子体系（10 项）",
            "ZC200 服务支撑标准子体系（6 项）",
            "PJ300 服务质量与评价标准子体系（4 项）"
        ]
    );
}

#[test]
fn the_sitemap_lists_every_page_but_404() {
    let site = bundled();
    let sitemap = site.text("sitemap.xml");
    let listed: BTreeSet<String> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|rest| rest.split("</loc>").next().unwrap().to_string())
        .collect();
    let pages: BTreeSet<String> = site
        .html_pages()
        .into_iter()
        .filter(|p| p != "404.html")
        .map(|p| {
            format!(
                "https://liangbiao.example.org/{}",
                p.trim_end_matches("index.html")
            )
        })
        .collect();
    assert_eq!(listed, pages);
}

#[test]
fn open_data_parses_and_its_counts_match_the_pages() {
    let built = bundled();
    let files = built.files();
    let pilot_pages = files
        .keys()
        .filter(|p| p.starts_with("pilots/") && p.matches('/').count() == 2)
        .count();
    let standard_pages = links(&built.page("standards/"), "table.standards th a").len()
        + links(&built.page("standards/page/2/"), "table.standards th a").len();

    let pilots: serde_json::Value = serde_json::from_slice(&files["data/pilots.json"]).unwrap();
    assert_eq!(pilots["schema_version"], 1);
    let records = pilots["pilots"].as_array().unwrap();
    assert_eq!(records.len(), pilot_pages);
    let slugs: Vec<&str> = records
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    assert!(
        slugs.windows(2).all(|w| w[0] < w[1]),
        "records sorted by slug"
    );
    let tongwulang = records.iter().find(|r| r["slug"] == "tongwulang").unwrap();
    assert_eq!(tongwulang["locations"].as_array().unwrap().len(), 3);

    let standards: serde_json::Value =
        serde_json::from_slice(&files["data/standards.json"]).unwrap();
    assert_eq!(
        standards["standards"].as_array().unwrap().len(),
        standard_pages
    );

    let services: serde_json::Value = serde_json::from_slice(&files["data/services.json"]).unwrap();
    let lists = services["services"].as_array().unwrap();
    let list_pages = files
        .keys()
        .filter(|p| {
            p.starts_with("liangbiao/")
                && p.matches('/').count() == 2
                && !p.starts_with("liangbiao/sites/")
                && !p.starts_with("liangbiao/who/")
                && !p.starts_with("liangbiao/page/")
        })
        .count();
    assert_eq!(lists.len(), list_pages);

    let csv_bytes = &files["data/standards.csv"];
    assert!(
        csv_bytes.starts_with(b"\xEF\xBB\xBF"),
        "CSV starts with a BOM for Excel"
    );
    let mut reader = csv::Reader::from_reader(&csv_bytes[3..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "slug");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), standard_pages);
    assert!(rows.iter().any(|r| &r[1] == "Q/TWL TG101.01-2021"
        && &r[2] == "预约挂号服务规范"
        && &r[5] == "tongwulang"));
}

#[test]
fn every_service_list_and_site_has_its_page_with_its_items() {
    let built = bundled();
    let (site, _) = load_site(&BuildOptions::new(repo_root())).unwrap();
    assert!(
        site.service_lists.len() >= 30,
        "{} lists",
        site.service_lists.len()
    );
    let index = built.page("liangbiao/");
    let listed: BTreeSet<String> = links(&index, "main table a").into_iter().collect();
    for list in &site.service_lists {
        let url = format!("/liangbiao/{}/", list.list.slug);
        assert!(listed.contains(&url), "{url} not on /liangbiao/");
        let page = built.page(&url);
        assert_eq!(
            select(&page, "article.service").len(),
            list.list.items.len(),
            "{url}"
        );
        if list.list.items.is_empty() {
            assert!(
                main_text(&page).contains("没有列出具体事项"),
                "{url} must say it lists no items"
            );
        }
    }
    let sites_index = built.page("liangbiao/sites/");
    let sites_listed: BTreeSet<String> = links(&sites_index, "main .cards .card-title a")
        .into_iter()
        .collect();
    assert_eq!(sites_listed.len(), site.demo_sites.len());
    assert!(links(&index, "main a").contains(&"/liangbiao/sites/".to_string()));
    for demo in &site.demo_sites {
        let url = format!("/liangbiao/sites/{}/", demo.site.slug);
        assert!(
            sites_listed.contains(&url),
            "{url} not on /liangbiao/sites/"
        );
        assert_eq!(
            select(&built.page(&format!("{url}poster/")), "svg.qr").len(),
            1
        );
    }
    // 通武廊's named services link to the Q/TWL standards behind them.
    let tongwulang = built.page("liangbiao/tongwulang-services/");
    assert!(links(&tongwulang, "main .service a")
        .contains(&"/standards/q-twl-tg101-01-2021/".to_string()));
}

#[test]
fn each_who_page_lists_exactly_the_items_tagged_for_its_group_by_region() {
    let site = bundled();
    let files = site.files();
    let json = |path: &str| -> serde_json::Value { serde_json::from_slice(&files[path]).unwrap() };
    let pilots = json("data/pilots.json");
    let regions_of: BTreeMap<String, BTreeSet<String>> = pilots["pilots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let regions = p["locations"].as_array().unwrap().iter();
            let regions = regions.map(|l| l["region"].as_str().unwrap().to_string());
            (p["slug"].as_str().unwrap().to_string(), regions.collect())
        })
        .collect();
    let services = json("data/services.json");
    let mut tagged_items = 0;
    for (group, slug) in liangbiao::model::SERVICE_GROUPS {
        let mut expected: Vec<(String, String)> = Vec::new();
        for list in services["services"].as_array().unwrap() {
            let regions = &regions_of[list["pilot"].as_str().unwrap()];
            for item in list["items"].as_array().unwrap() {
                if item["tags"].as_array().unwrap().iter().any(|t| t == group) {
                    for region in regions {
                        expected.push((region.clone(), item["name"].as_str().unwrap().to_string()));
                    }
                }
            }
        }
        let page = site.page(&format!("/liangbiao/who/{slug}/"));
        let mut shown: Vec<(String, String)> = Vec::new();
        for section in select(&page, "main section") {
            let region = section
                .select(&scraper::Selector::parse("h2").unwrap())
                .next()
                .unwrap()
                .value()
                .attr("id")
                .unwrap()
                .to_string();
            for name in section.select(&scraper::Selector::parse("h3").unwrap()) {
                shown.push((
                    region.clone(),
                    name.text().collect::<String>().trim().to_string(),
                ));
            }
        }
        expected.sort();
        shown.sort();
        assert_eq!(shown, expected, "{group}");
        tagged_items += expected.len();
        if expected.is_empty() {
            assert!(main_text(&page).contains(&format!("暂时没有写明面向{group}的服务事项")));
        }
    }
    assert!(tagged_items >= 30, "only {tagged_items} tagged items");
}

/// Listing rows are rendered once per standard through the theme's `standard_row` macro.
/// A theme without that macro (its `standards_table` renders each row, as themes did
/// before) must list the same rows.
#[test]
fn a_theme_without_the_standard_row_macro_lists_the_same_rows() {
    let theme = tempfile::tempdir().unwrap();
    for part in ["content", "sources", "templates", "static"] {
        common::copy_tree(&repo_root().join(part), &theme.path().join(part));
    }
    std::fs::copy(
        repo_root().join("config.toml"),
        theme.path().join("config.toml"),
    )
    .unwrap();
    let macros_path = theme.path().join("templates/partials/macros.html");
    let macros = std::fs::read_to_string(&macros_path).unwrap();
    let start = macros.find("{% macro standard_row(").unwrap();
    let end = macros.find("{% endmacro standard_row %}").unwrap();
    let body = &macros[macros[start..].find("%}").unwrap() + start + 2..end];
    let old_theme = format!("{}{}", &macros[..start], &macros[end + "{% endmacro standard_row %}".len()..])
        .replace(
            "{% if row.html %}{{ row.html | safe }}{% else %}{{ self::standard_row(row=row, show_relation=show_relation) }}{% endif %}",
            body,
        );
    assert!(
        !old_theme.contains("macro standard_row") && !old_theme.contains("self::standard_row"),
        "the row is inline again"
    );
    std::fs::write(&macros_path, old_theme).unwrap();

    let rows = |root: &std::path::Path| {
        let files = liangbiao::render(&BuildOptions::new(root)).unwrap().files;
        files
            .into_iter()
            .filter(|f| f.path.starts_with("standards/") && f.path.contains("index.html"))
            .map(|f| {
                let page = scraper::Html::parse_document(&String::from_utf8(f.bytes).unwrap());
                let rows: Vec<String> = select(&page, "table.standards tbody tr")
                    .iter()
                    .map(|tr| tr.text().collect::<String>().split_whitespace().collect())
                    .collect();
                (f.path, rows)
            })
            .collect::<BTreeMap<_, _>>()
    };
    let (made_once, inline) = (rows(&repo_root()), rows(theme.path()));
    assert!(made_once["standards/index.html"].len() > 50);
    assert_eq!(made_once, inline);
}
