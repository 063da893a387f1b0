//! Correctness at scale (not speed) of the benchmark corpus from `bench/corpus.py`:
//! the generator is deterministic, liangbiao writes exactly the pages the generator
//! says it will, and the cross-links between pilots, standards and service lists hold
//! in both directions. Shells out to `python3` (standard library only).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use common::{build_site_with, links, repo_root, resolve, select, BuiltSite};
use scraper::Html;

const PAGES: &str = "1000";

/// Runs the generator for about 1,000 pages into `out` and returns its manifest.
fn generate(out: &Path, seed: &str) -> serde_json::Value {
    generate_pages(out, seed, PAGES)
}

/// Runs the generator for about `pages` pages into `out` and returns its manifest.
fn generate_pages(out: &Path, seed: &str, pages: &str) -> serde_json::Value {
    let script = repo_root().join("bench").join("corpus.py");
    let status = Command::new("python3")
        .arg(&script)
        .args(["--pages", pages, "--seed", seed, "--quiet", "--out"])
        .arg(out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
    assert!(status.success(), "{} failed: {status}", script.display());
    let manifest = fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&manifest).expect("manifest.json is JSON")
}

/// The 1k corpus of seed 1, generated once per test binary (the tests only read it),
/// and its manifest.
fn corpus_1k() -> &'static (tempfile::TempDir, serde_json::Value) {
    static CORPUS: OnceLock<(tempfile::TempDir, serde_json::Value)> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        common::remove_at_exit(dir.path());
        let manifest = generate(dir.path(), "1");
        (dir, manifest)
    })
}

/// Every file under `dir`, relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().replace('\\', "/"),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_same_seed_gives_byte_identical_corpora() {
    // The shared corpus is one of the two runs.
    let b = tempfile::tempdir().unwrap();
    generate(b.path(), "1");
    let (ta, tb) = (tree(corpus_1k().0.path()), tree(b.path()));
    assert!(ta.len() > 1000, "only {} files generated", ta.len());
    let only_a: Vec<_> = ta.keys().filter(|k| !tb.contains_key(*k)).collect();
    let only_b: Vec<_> = tb.keys().filter(|k| !ta.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "file sets differ: {only_a:?} / {only_b:?}"
    );
    let differing: Vec<_> = ta.keys().filter(|k| ta[*k] != tb[*k]).take(10).collect();
    assert!(
        differing.is_empty(),
        "files differ between two runs: {differing:?}"
    );
}

/// A built page's internal links under `<main>` that start with `prefix`.
struct Pages<'a> {
    site: &'a BuiltSite,
    cache: HashMap<String, Html>,
}

impl Pages<'_> {
    fn links(&mut self, page: &str, prefix: &str) -> BTreeSet<String> {
        let site = self.site;
        let doc = self
            .cache
            .entry(page.to_string())
            .or_insert_with(|| site.page(page));
        links(doc, "main a")
            .into_iter()
            .map(|href| href.split('#').next().unwrap_or("").to_string())
            .filter(|href| href.starts_with(prefix))
            .collect()
    }
}

/// The links to what a paginated list shows (`card`: a CSS selector of the link in a
/// row), page after page, from its first page (following its pager); no page shows
/// more than 100 rows.
fn listed(site: &BuiltSite, first_page: &str, card: &str) -> Vec<String> {
    let mut to_visit = vec![first_page.to_string()];
    let mut visited = BTreeSet::new();
    let mut listed = Vec::new();
    while let Some(page) = to_visit.pop() {
        if !visited.insert(page.clone()) {
            continue;
        }
        let doc = site.page(&page);
        let cards = links(&doc, card);
        assert!(cards.len() <= 100, "{page} shows {} rows", cards.len());
        listed.extend(cards);
        to_visit.extend(links(&doc, "main nav.pagination a"));
    }
    listed
}

/// The pilots a paginated list of pilots shows.
fn listed_pilots(site: &BuiltSite, first_page: &str) -> Vec<String> {
    listed(site, first_page, "main ul.cards .card-title a")
}

#[test]
fn the_1k_corpus_builds_to_the_expected_pages_and_its_cross_links_hold() {
    let (dir, manifest) = corpus_1k();
    let root = dir.path().join("liangbiao");
    let site = build_site_with(&root, None, false);

    // Page count: exactly what the generator computed with liangbiao's page rules,
    // and within 10% of what was asked for.
    let expected = manifest["liangbiao_html_pages"].as_u64().unwrap() as usize;
    assert_eq!(
        site.report.pages, expected,
        "liangbiao wrote {} HTML pages, the generator expected {expected} ({})",
        site.report.pages, manifest["liangbiao_html_pages_by_kind"]
    );
    assert_eq!(site.html_pages().len(), expected);
    let requested: f64 = PAGES.parse().unwrap();
    assert!((expected as f64 - requested).abs() <= requested * 0.1);
    let counts = &manifest["counts"];
    let pilots: Vec<String> = fs::read_dir(root.join("content/pilots"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(pilots.len() as u64, counts["pilots"].as_u64().unwrap());

    let mut pages = Pages {
        site: &site,
        cache: HashMap::new(),
    };

    let mut checked_standards = 0;
    let mut checked_bodies = 0;
    for pilot in &pilots {
        let page = format!("/pilots/{pilot}/");
        let standards = pages.links(&page, "/standards/");
        assert!(!standards.is_empty(), "{page} links to no standard");
        for standard in &standards {
            assert!(
                resolve(&site.output, standard).is_some(),
                "{page} links to {standard}, which was not written"
            );
            assert!(
                pages.links(standard, "/pilots/").contains(&page),
                "{standard} does not link back to {page}"
            );
            checked_standards += 1;
        }
        // The body links to another pilot of the same region, when it has one.
        for other in pages.links(&page, "/pilots/") {
            assert!(
                resolve(&site.output, &other).is_some(),
                "{page} links to {other}"
            );
            checked_bodies += 1;
        }
    }
    assert!(
        checked_standards >= 5 * pilots.len(),
        "{checked_standards} standard links"
    );
    assert!(checked_bodies > 0);

    // Service lists: each item's standard exists and names the list among its services.
    let lists: Vec<String> = fs::read_dir(root.join("content/services"))
        .unwrap()
        .flat_map(|e| {
            let text = fs::read_to_string(e.unwrap().path()).unwrap();
            let file: toml::Table = toml::from_str(&text).unwrap();
            let lists = file.get("list").and_then(|l| l.as_array()).cloned();
            lists
                .unwrap_or_default()
                .into_iter()
                .map(|list| list["slug"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        lists.len() as u64,
        counts["service_lists"].as_u64().unwrap()
    );
    let mut item_links = 0;
    for list in &lists {
        let page = format!("/liangbiao/{list}/");
        for standard in pages.links(&page, "/standards/") {
            assert!(
                resolve(&site.output, &standard).is_some(),
                "{page} links to {standard}, which was not written"
            );
            assert!(
                pages.links(&standard, "/liangbiao/").contains(&page),
                "{standard} does not list the services of {page}"
            );
            item_links += 1;
        }
    }
    assert!(
        item_links > lists.len(),
        "only {item_links} item → standard links"
    );

    // The most shared standard lists every pilot that names it.
    let shared = manifest["samples"]["most_shared_standard"]
        .as_str()
        .unwrap();
    let users = pages.links(&format!("/standards/{shared}/"), "/pilots/");
    assert_eq!(
        users.len() as u64,
        counts["max_pilots_per_standard"].as_u64().unwrap(),
        "/standards/{shared}/ lists {users:?}"
    );

    // The feed carries the 50 most recently updated pilots, newest first.
    let data: serde_json::Value = serde_json::from_str(&site.text("/data/pilots.json")).unwrap();
    let text = |p: &serde_json::Value, key: &str| p[key].as_str().unwrap().to_string();
    let mut by_date: Vec<(String, String, String)> = data["pilots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (text(p, "updated"), text(p, "slug"), text(p, "url")))
        .collect();
    assert!(by_date.len() > 50, "{} pilots", by_date.len());
    // Newest first; on the same day, by slug.
    by_date.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let feed = site.text("/feed.xml");
    let entries: Vec<&str> = feed
        .split("<entry>")
        .skip(1)
        .map(|e| {
            e.split("<id>")
                .nth(1)
                .unwrap()
                .split("</id>")
                .next()
                .unwrap()
        })
        .collect();
    let newest: Vec<&str> = by_date[..50]
        .iter()
        .map(|(_, _, url)| url.as_str())
        .collect();
    assert_eq!(entries, newest);
}

/// At 3,000 pages (about 250 pilots) the lists of pilots run over several pages of 100:
/// the list of every pilot shows each once, a region's the pilots whose pages name the
/// region, a domain's the pilots whose pages name the domain, or all of it; a service
/// group's pages (我能享受哪些服务) show its items once per region.
#[test]
fn the_lists_of_pilots_run_over_pages_and_show_each_pilot_once() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = generate_pages(dir.path(), "1", "3000");
    let root = dir.path().join("liangbiao");
    let site = build_site_with(&root, None, false);
    let pilots: Vec<String> = fs::read_dir(root.join("content/pilots"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            format!("/pilots/{}/", path.file_stem().unwrap().to_string_lossy())
        })
        .collect();
    assert_eq!(
        pilots.len() as u64,
        manifest["counts"]["pilots"].as_u64().unwrap()
    );
    assert!(
        pilots.len() > 200,
        "{} pilots: fewer than three pages",
        pilots.len()
    );
    assert_eq!(
        site.report.pages as u64,
        manifest["liangbiao_html_pages"].as_u64().unwrap(),
        "the generator's count of pages, {}",
        manifest["liangbiao_html_pages_by_kind"]
    );
    let mut pages = Pages {
        site: &site,
        cache: HashMap::new(),
    };

    let mut all_listed = listed_pilots(&site, "/pilots/");
    all_listed.sort();
    let mut all_pilots = pilots.clone();
    all_pilots.sort();
    assert_eq!(all_listed, all_pilots);

    let mut by_place: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for pilot in &pilots {
        for place in pages
            .links(pilot, "/regions/")
            .into_iter()
            .chain(pages.links(pilot, "/domains/"))
        {
            by_place.entry(place).or_default().insert(pilot.clone());
        }
    }
    let mut several_pages = 0;
    for (place, named_by) in &by_place {
        let listed = listed_pilots(&site, place);
        if listed.len() > 100 {
            several_pages += 1;
        }
        let listed_set: BTreeSet<String> = listed.iter().cloned().collect();
        assert_eq!(
            listed.len(),
            listed_set.len(),
            "{place} lists a pilot twice"
        );
        // A comprehensive pilot covers every domain without its page naming them.
        if place.starts_with("/domains/") {
            assert!(listed_set.is_superset(named_by), "{place}");
        } else {
            assert_eq!(&listed_set, named_by, "{place}");
        }
    }
    assert!(
        several_pages >= 3,
        "{several_pages} region or domain lists over one page"
    );

    // A region's standard system is its pilots' together: in tables up to a page of
    // rows, past that by subsystem with counts (the rows are on the paged listing).
    let standard_rows = |doc: &Html| select(doc, "main table.standards tbody tr").len();
    let mut summarised = 0;
    for (region, named_by) in by_place.iter().filter(|(p, _)| p.starts_with("/regions/")) {
        let uses: usize = named_by
            .iter()
            .map(|pilot| standard_rows(&site.page(pilot)))
            .sum();
        let doc = site.page(region);
        let captions: Vec<usize> = select(&doc, "h2#standards ~ ul li")
            .iter()
            .map(|li| {
                let text: String = li.text().collect();
                let count = text.rsplit('（').next().unwrap().trim_end_matches(" 项）");
                count
                    .parse()
                    .unwrap_or_else(|_| panic!("{region}: caption {text}"))
            })
            .collect();
        if captions.is_empty() {
            assert!(uses <= 100, "{region}: {uses} rows in tables");
            assert_eq!(standard_rows(&doc), uses, "{region}");
        } else {
            summarised += 1;
            assert!(uses > 100, "{region}: {uses} rows summarised");
            assert_eq!(standard_rows(&doc), 0, "{region}");
            assert_eq!(captions.iter().sum::<usize>(), uses, "{region}");
            let slug = region.trim_start_matches("/regions/").trim_end_matches('/');
            let listing = format!("/standards/region/{slug}/");
            assert!(links(&doc, "main a").contains(&listing), "{region}");
        }
    }
    assert!(summarised >= 1, "no region's standard system summarised");

    // 满意度: past 20 pilots the home page shows their averages, not a chart, and
    // /satisfaction/ lists every pilot reporting before and after, chart and table.
    let reporting = satisfaction_pairs(&site);
    assert!(
        reporting.len() > 20,
        "{} report satisfaction",
        reporting.len()
    );
    let home = site.page("/");
    assert!(
        select(&home, "svg.chart").is_empty(),
        "the home page charts them"
    );
    let averages: Vec<String> = select(&home, "#satisfaction-heading ~ dl.stats dd")
        .iter()
        .map(|dd| dd.text().collect())
        .collect();
    let mean = |values: Vec<f64>| {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        liangbiao::model::format_number((mean * 100.0).round() / 100.0)
    };
    let before = mean(reporting.values().map(|p| p.0).collect());
    let after = mean(reporting.values().map(|p| p.1).collect());
    assert_eq!(
        averages[..3],
        [
            format!("{} 个", reporting.len()),
            format!("{before}%"),
            format!("{after}%")
        ],
        "{averages:?}"
    );
    let mut charted = listed(&site, "/satisfaction/", "main table tbody th a");
    charted.sort();
    let expected: Vec<&String> = reporting.keys().collect();
    assert_eq!(charted.iter().collect::<Vec<_>>(), expected);
    let first = site.page("/satisfaction/");
    assert_eq!(
        select(&first, "svg.chart g:not(.legend) rect.bar-after").len(),
        select(&first, "main table tbody tr").len()
    );

    // 亮标惠民: every service list once over the pages of /liangbiao/, and every
    // demonstration site once over those of /liangbiao/sites/.
    let list_pages = manifest["counts"]["service_lists"].as_u64().unwrap() as usize;
    let mut lists = listed(&site, "/liangbiao/", "main table th a");
    assert!(lists.len() > 100, "{} lists: one page", lists.len());
    assert_eq!(lists.len(), list_pages);
    lists.sort();
    lists.dedup();
    assert_eq!(lists.len(), list_pages, "a list is shown twice");
    let sites = listed(&site, "/liangbiao/sites/", "main .cards .card-title a");
    let distinct: BTreeSet<&String> = sites.iter().collect();
    assert_eq!(
        sites.len(),
        manifest["counts"]["demo_sites"].as_u64().unwrap() as usize
    );
    assert_eq!(distinct.len(), sites.len(), "a site is shown twice");
    assert!(sites.iter().all(|s| s.starts_with("/liangbiao/sites/")));

    // 我能享受哪些服务: a group's items in a region are `<group>/<region>.json`, which the
    // who index counts for each region; its pages show the same items, by region.
    let who = site.page("/liangbiao/who/");
    let mut several_pages = 0;
    for entry in fs::read_dir(site.output.join("liangbiao/who")).unwrap() {
        let entry = entry.unwrap();
        if !entry.path().is_dir() {
            continue;
        }
        let slug = entry.file_name().to_string_lossy().into_owned();
        let mut expected = Vec::new();
        let mut counts = serde_json::Map::new();
        for file in fs::read_dir(entry.path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let region = path.file_stem().unwrap().to_string_lossy().into_owned();
            let items: Vec<serde_json::Value> =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            for item in &items {
                let regions = item["regions"].as_array().unwrap();
                assert!(
                    regions.contains(&region.clone().into()),
                    "{}",
                    path.display()
                );
                expected.push(item["url"].as_str().unwrap().to_string());
            }
            counts.insert(region, items.len().into());
        }
        expected.sort();
        let radio = select(&who, &format!("input[data-items='/liangbiao/who/{slug}/']"));
        let offered: serde_json::Value =
            serde_json::from_str(radio[0].value().attr("data-regions").unwrap()).unwrap();
        assert_eq!(offered, serde_json::Value::Object(counts), "{slug}");
        let mut shown = listed(
            &site,
            &format!("/liangbiao/who/{slug}/"),
            "main article.service h3 a",
        );
        if shown.len() > 100 {
            several_pages += 1;
        }
        shown.sort();
        assert_eq!(shown, expected, "/liangbiao/who/{slug}/");
    }
    assert!(several_pages >= 1, "no group's items run over one page");
}

/// The pilots that report satisfaction before and after (their headline figures: the
/// evaluation table's first), by URL path, from the open data.
fn satisfaction_pairs(site: &BuiltSite) -> BTreeMap<String, (f64, f64)> {
    let data: serde_json::Value = serde_json::from_str(&site.text("/data/pilots.json")).unwrap();
    let headline = |figures: &[serde_json::Value], key: &str| {
        let of_key = || figures.iter().filter(move |f| f["key"] == key);
        of_key()
            .find(|f| f["source"] == "evaluation")
            .or_else(|| of_key().next())
            .map(|f| f["value"].as_f64().unwrap())
    };
    data["pilots"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|pilot| {
            let figures = pilot["figures"].as_array().unwrap();
            let pair = (
                headline(figures, "satisfaction_before")?,
                headline(figures, "satisfaction_after")?,
            );
            Some((
                format!("/pilots/{}/", pilot["slug"].as_str().unwrap()),
                pair,
            ))
        })
        .collect()
}

/// `Site::related` draws from the region and domain indexes; on the 1k corpus it picks
/// exactly the pilots that scoring every other pilot picks (sharing a region counts 2,
/// a specific domain 1; highest score first, then pilot order; eight at most).
#[test]
fn related_pilots_from_the_indexes_match_a_scan_of_every_pilot() {
    use liangbiao::model::{PilotId, PilotKind, Site};
    let dir = corpus_1k().0.path();
    let (site, _) =
        liangbiao::load_site(&liangbiao::BuildOptions::new(dir.join("liangbiao"))).unwrap();
    let scan = |site: &Site, id: PilotId| -> Vec<PilotId> {
        let pilot = site.pilot(id);
        let specific = |p: &liangbiao::model::Pilot| p.kind != PilotKind::Comprehensive;
        let mut scored: Vec<(u32, PilotId)> = site
            .pilot_ids()
            .filter(|&other| other != id)
            .filter_map(|other| {
                let p = site.pilot(other);
                let region = p
                    .locations
                    .iter()
                    .any(|l| pilot.locations.iter().any(|m| m.region == l.region));
                let domain = specific(pilot)
                    && specific(p)
                    && p.domains.iter().any(|d| pilot.domains.contains(d));
                let score = u32::from(region) * 2 + u32::from(domain);
                (score > 0).then_some((score, other))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, id)| id).take(8).collect()
    };
    let (mut full, mut filled_from_domains) = (0, 0);
    for id in site.pilot_ids() {
        let related = site.related(id);
        assert_eq!(related, scan(&site, id), "{}", site.pilot(id).slug);
        full += usize::from(related.len() == 8);
        let regions: Vec<_> = site.pilot(id).locations.iter().map(|l| l.region).collect();
        filled_from_domains += usize::from(related.iter().any(|&r| {
            site.pilot(r)
                .locations
                .iter()
                .all(|l| !regions.contains(&l.region))
        }));
    }
    assert!(
        full > 0 && filled_from_domains > 0,
        "{full} {filled_from_domains}"
    );
}
