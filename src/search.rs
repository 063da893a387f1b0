//! Stage between render and write: the Pagefind search index, built in-process from one
//! record per entity (see `render/search.rs`), written under `pagefind/` with the site.
//!
//! Records rather than whole pages: a page has navigation, footers and tables that would
//! match every query, while a record holds what a resident searches for, and the code
//! variants (`GBT37668`, `TG101`) that a page does not show.

use pagefind::api::PagefindIndex;
#[cfg(not(feature = "pristine-pagefind"))]
use pagefind::api::RecordPage;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;

use crate::error::BuildError;
#[cfg(any(test, feature = "pristine-pagefind"))]
use crate::html::escape_markup;
use crate::output::OutputFile;

/// The folder under the site root that holds the index and `pagefind.js`.
pub const SEARCH_DIR: &str = "pagefind";

/// The kinds of record, as results and the type filter name them.
pub const RECORD_KINDS: [&str; 6] = ["试点", "标准", "服务", "示范点", "地区", "领域"];

/// The `meta` key that lists, in item order, the 领域 of each section of a record:
/// Pagefind filters whole records, so `search.js` filters sections by this.
pub const SECTION_DOMAINS_META: &str = "section_domains";

/// One searchable thing and where it lives.
#[derive(Debug, Clone)]
pub struct SearchRecord {
    /// Link to the page (with the base path), maybe with a `#fragment`.
    pub url: String,
    pub title: String,
    /// One of [`RECORD_KINDS`].
    pub kind: &'static str,
    pub regions: Vec<String>,
    pub domains: Vec<String>,
    /// For standards: 国家 | 行业 | 地方 | 团体 | 企业
    pub level: Option<String>,
    /// What a query is matched against.
    pub text: String,
    /// Parts of the page with an anchor of their own (the items of a service list): one
    /// record with sections instead of a record each, so the index grows with pages, not
    /// items. Pagefind returns the matching sections as sub-results.
    pub sections: Vec<SearchSection>,
}

/// A heading with an `id` on the record's page, and the text under it.
#[derive(Debug, Clone)]
pub struct SearchSection {
    /// The `id` on the page, without `#`.
    pub anchor: String,
    pub title: String,
    pub domain: String,
    pub text: String,
}

/// The files of the index: `pagefind/pagefind.js`, its WebAssembly, index chunks,
/// fragments and filters. The Pagefind UI bundles are left out: the site has its own.
pub fn index(records: Vec<SearchRecord>) -> Result<Vec<OutputFile>, BuildError> {
    let files = runtime()?.block_on(build_index(records))?;
    Ok(files
        .into_iter()
        .filter(|f| is_needed(&f.filename.to_string_lossy()))
        .map(|f| OutputFile {
            path: format!(
                "{SEARCH_DIR}/{}",
                f.filename.to_string_lossy().replace('\\', "/")
            ),
            bytes: f.contents,
        })
        .collect())
}

async fn build_index(
    records: Vec<SearchRecord>,
) -> Result<Vec<pagefind::api::SyntheticFile>, BuildError> {
    let mut index = new_index()?;
    add_records(&mut index, records).await?;
    index
        .get_files()
        .await
        .map_err(|e| search_error(e.to_string()))
}

/// The records as `RecordPage`s, through the API that vendor/pagefind's patches add:
/// parsed in parallel and merged into the index as they come.
#[cfg(not(feature = "pristine-pagefind"))]
async fn add_records(
    index: &mut PagefindIndex,
    records: Vec<SearchRecord>,
) -> Result<(), BuildError> {
    let pages = records
        .par_iter()
        .map(|record| (record.url.clone(), record_page(record)))
        .collect();
    // The records are not needed past here, and the index takes long to build.
    drop(records);
    index
        .add_record_pages(pages)
        .await
        .map_err(|e| search_error(e.to_string()))?;
    Ok(())
}

/// The records through the published crate's API (feature `pristine-pagefind`): each as
/// the HTML its `RecordPage` stands for, parsed one at a time. The same index, slower;
/// a URL twice is refused here as the patched API refuses it.
#[cfg(feature = "pristine-pagefind")]
async fn add_records(
    index: &mut PagefindIndex,
    records: Vec<SearchRecord>,
) -> Result<(), BuildError> {
    let pages: Vec<(String, String)> = records
        .par_iter()
        .map(|record| (record.url.clone(), record_html(record)))
        .collect();
    drop(records);
    let mut urls = std::collections::HashSet::new();
    for (url, html) in pages {
        if !urls.insert(url.clone()) {
            return Err(search_error(format!("two pages have the URL {url}")));
        }
        index
            .add_html_file(None, Some(url), html)
            .await
            .map_err(|e| search_error(e.to_string()))?;
    }
    Ok(())
}

/// Pagefind's API is async; its work runs on rayon, so one thread drives it.
fn runtime() -> Result<tokio::runtime::Runtime, BuildError> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| search_error(e.to_string()))
}

fn new_index() -> Result<PagefindIndex, BuildError> {
    let config = PagefindServiceConfig::builder()
        .force_language("zh".to_string())
        .keep_index_url(false)
        .build();
    PagefindIndex::new(Some(config)).map_err(|e| search_error(e.to_string()))
}

/// One part of a record, in the order Pagefind reads it: the same list becomes the
/// `RecordPage` handed to Pagefind and, in the tests, the HTML it stands for.
enum RecordPart<'r> {
    /// A heading of `level`, with an anchor `id` and a weight.
    Heading {
        level: u8,
        id: Option<&'r str>,
        weight: &'static str,
        text: &'r str,
    },
    Paragraph(&'r str),
    /// A meta field whose text is indexed too.
    Meta(&'static str, String),
    /// A meta field given as a value only.
    MetaValue(&'static str, String),
    /// A filter value, indexed too.
    Filter(&'static str, &'r str),
}

/// A record as parts: the title as a weighted heading (a match in it ranks above one in
/// the text), the text, the facets as meta and filters, and each section as a heading
/// with an anchor.
fn record_parts(record: &SearchRecord) -> Vec<RecordPart<'_>> {
    use RecordPart::*;
    let mut parts = vec![
        Heading {
            level: 1,
            id: None,
            weight: title_weight(record),
            text: &record.title,
        },
        Paragraph(&record.text),
        // Facets come before the sections: text after a section's heading counts as its
        // text.
        Meta("type", record.kind.to_string()),
        Filter("类型", record.kind),
    ];
    if !record.regions.is_empty() {
        parts.push(Meta("region", record.regions.join("、")));
    }
    parts.extend(record.regions.iter().map(|r| Filter("地区", r)));
    parts.extend(record.domains.iter().map(|d| Filter("领域", d)));
    parts.extend(record.level.iter().map(|l| Filter("层级", l)));
    if !record.sections.is_empty() {
        // A value, not text: as text it would be indexed, and a list with fifty 养老 items
        // would match 养老 fifty times over.
        let domains: Vec<&str> = record.sections.iter().map(|s| s.domain.as_str()).collect();
        parts.push(MetaValue(SECTION_DOMAINS_META, domains.join("|")));
    }
    for section in &record.sections {
        // Weighed like a record's title: an item named by the query ranks as it did
        // when each item was a record of its own.
        parts.push(Heading {
            level: 2,
            id: Some(&section.anchor),
            weight: "7",
            text: &section.title,
        });
        parts.push(Paragraph(&section.text));
    }
    parts
}

/// A record as Pagefind would read it from its HTML (see `record_html`).
#[cfg(not(feature = "pristine-pagefind"))]
fn record_page(record: &SearchRecord) -> RecordPage {
    let mut page = RecordPage::default();
    for part in record_parts(record) {
        match part {
            RecordPart::Heading {
                level,
                id,
                weight,
                text,
            } => page.heading(level, id, Some(weight), text),
            RecordPart::Paragraph(text) => page.paragraph(text),
            RecordPart::Meta(name, text) => page.meta(name, &text),
            RecordPart::MetaValue(name, value) => page.meta_value(name, &value),
            RecordPart::Filter(name, text) => page.filter(name, text),
        }
    }
    page
}

/// A record as the small HTML page `record_page` stands for: what Pagefind's own
/// parser reads. The tests check that the two make the same index; the published
/// crate, without `RecordPage`, is given this (feature `pristine-pagefind`).
#[cfg(any(test, feature = "pristine-pagefind"))]
fn record_html(record: &SearchRecord) -> String {
    let mut html = String::from("<html lang=\"zh-CN\"><body>");
    for part in record_parts(record) {
        html.push_str(&match part {
            RecordPart::Heading {
                level,
                id,
                weight,
                text,
            } => {
                let id = id.map(|id| format!(" id=\"{}\"", escape_markup(id)));
                format!(
                    "<h{level}{} data-pagefind-weight=\"{weight}\">{}</h{level}>",
                    id.unwrap_or_default(),
                    escape_markup(text)
                )
            }
            RecordPart::Paragraph(text) => format!("<p>{}</p>", escape_markup(text)),
            RecordPart::Meta(name, text) => format!(
                "<span data-pagefind-meta=\"{name}\">{}</span>",
                escape_markup(&text)
            ),
            RecordPart::MetaValue(name, value) => format!(
                "<span data-pagefind-meta=\"{name}:{}\"></span>",
                escape_markup(&value)
            ),
            RecordPart::Filter(name, text) => format!(
                "<span data-pagefind-filter=\"{name}\">{}</span>",
                escape_markup(text)
            ),
        });
    }
    html.push_str("</body></html>");
    html
}

/// Pilots and regions are what a place-name query is after; standards named after the
/// same city should not crowd them out. Pagefind weighs an <h1> 7 by default.
fn title_weight(record: &SearchRecord) -> &'static str {
    match record.kind {
        "试点" | "地区" => "10",
        _ => "7",
    }
}

fn is_needed(name: &str) -> bool {
    ![
        "pagefind-ui",
        "pagefind-modular-ui",
        "pagefind-component-ui",
        "playground",
    ]
    .iter()
    .any(|ui| name.starts_with(ui))
}

fn search_error(message: String) -> BuildError {
    BuildError::Search { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: usize) -> SearchRecord {
        SearchRecord {
            url: format!("/r/{n}/"),
            // Titles, texts and facets with markup characters, quotes, line breaks and
            // runs of spaces: Pagefind escapes, decodes and spaces them in its own way.
            title: match n % 4 {
                0 => format!("第{n}项 养老服务 Café"),
                1 => format!("第{n}项 \"家政\" & <托育>"),
                2 => format!("第{n}项 '居家'"),
                _ => format!("第{n}项\n  服务  "),
            },
            kind: RECORD_KINDS[n % RECORD_KINDS.len()],
            // Records differ in their meta fields: without a region or without sections,
            // a page numbers its meta fields unlike the index does.
            regions: if n % 3 == 0 {
                Vec::new()
            } else {
                vec![format!("地区{}", n % 7)]
            },
            domains: vec![if n % 5 == 0 {
                "养老&托育"
            } else {
                "养老"
            }
            .to_string()],
            level: (n % 2 == 0).then(|| "地方".to_string()),
            text: match n % 11 {
                0 => String::new(),
                1 | 4 => format!("a & b <c> 'd' \"e\"\r\n第二行 &amp; 第{n}号 "),
                _ => format!("GB/T 3766{} 居民 résumé 服务指南 第{n}号", n % 10),
            },
            sections: (0..n % 4)
                .map(|i| SearchSection {
                    anchor: format!("item-{i}"),
                    title: format!("项目{i} naïve\""),
                    domain: if i == 1 { "文化&体育" } else { "养老" }.to_string(),
                    text: format!("由 窗口{i} 提供\r\n& 办理"),
                })
                .collect(),
        }
    }

    fn files(files: Vec<pagefind::api::SyntheticFile>) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = files
            .into_iter()
            .map(|f| (f.filename.to_string_lossy().into_owned(), f.contents))
            .collect();
        files.sort();
        files
    }

    /// `build_index` gives Pagefind each record as a `RecordPage`, fossicked in chunks and
    /// merged into the index on another thread while the next is fossicked;
    /// `add_html_file` parses the record's HTML with Pagefind's own parser, keeps every
    /// page and indexes them all at the end. Neither the record pages, nor chunk
    /// boundaries, the pipeline or fragment hashing may change what is written.
    #[test]
    fn index_built_as_pages_are_parsed_equals_pagefinds_own() {
        // More than one chunk, and two records with the same text (one fragment hash).
        let mut records: Vec<SearchRecord> = (0..1100).map(record).collect();
        records[7].title = records[6].title.clone();
        let runtime = runtime().unwrap();
        let own = runtime.block_on(async {
            let mut index = new_index().unwrap();
            for record in &records {
                let html = record_html(record);
                index
                    .add_html_file(None, Some(record.url.clone()), html)
                    .await
                    .unwrap();
            }
            index.get_files().await.unwrap()
        });
        let streamed = runtime.block_on(build_index(records)).unwrap();
        let (own, streamed) = (files(own), files(streamed));
        assert!(own.iter().any(|(name, _)| name.starts_with("fragment/")));
        assert_eq!(
            own.iter().map(|f| &f.0).collect::<Vec<_>>(),
            streamed.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for ((name, own), (_, streamed)) in own.iter().zip(&streamed) {
            assert!(own == streamed, "{name} differs");
        }
    }

    /// A file of the index, unzipped and decoded (`pagefind_dcd` + gzip + CBOR).
    fn decode(bytes: &[u8]) -> ciborium::Value {
        use std::io::Read;
        let mut cbor = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut cbor)
            .unwrap();
        let cbor = cbor
            .strip_prefix(b"pagefind_dcd")
            .expect("the index's prefix");
        ciborium::from_reader(cbor).unwrap()
    }

    fn array(value: &ciborium::Value) -> &Vec<ciborium::Value> {
        value.as_array().expect("a CBOR array")
    }

    fn int(value: &ciborium::Value) -> i64 {
        value
            .as_integer()
            .expect("a CBOR integer")
            .try_into()
            .unwrap()
    }

    /// Where a word occurs in the meta fields of the pages that have it, as Pagefind
    /// encodes it: a field's id as -(id + 1), then positions.
    fn meta_locations(files: &[(String, Vec<u8>)], word: &str) -> Vec<Vec<i64>> {
        for (_, bytes) in files.iter().filter(|(name, _)| name.starts_with("index/")) {
            let chunk = decode(bytes);
            for entry in array(&array(&chunk)[0]) {
                let entry = array(entry);
                if entry[0].as_text() == Some(word) {
                    return array(&entry[1])
                        .iter()
                        .map(|page| array(&array(page)[2]).iter().map(int).collect())
                        .collect();
                }
            }
        }
        panic!("{word} is not in the index");
    }

    /// A page numbers its meta fields by their names; the index numbers the names of all
    /// pages. A page without some fields must have its ids renumbered, or a match in its
    /// title would count as a match in another field.
    #[test]
    fn meta_field_ids_are_the_indexs_not_the_pages() {
        let mut bare = record(0);
        assert!(bare.regions.is_empty() && bare.sections.is_empty());
        bare.title = "zzqbare".to_string();
        let mut full = record(5);
        assert!(!full.regions.is_empty() && !full.sections.is_empty());
        full.title = "zzqfull".to_string();
        let runtime = runtime().unwrap();
        let files = files(runtime.block_on(build_index(vec![bare, full])).unwrap());
        let (_, meta) = files
            .iter()
            .find(|(name, _)| name.ends_with(".pf_meta"))
            .expect("the meta index");
        let fields: Vec<String> = array(&array(&decode(meta))[5])
            .iter()
            .map(|f| f.as_text().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["region", "section_domains", "title", "type"]);
        let title = fields.iter().position(|f| f == "title").unwrap() as i64;
        for word in ["zzqbare", "zzqfull"] {
            assert_eq!(
                meta_locations(&files, word),
                vec![vec![-(title + 1), 0]],
                "{word}"
            );
        }
    }

    #[test]
    fn a_url_twice_is_an_error_not_a_silent_replacement() {
        let mut records = vec![record(1), record(2)];
        records[1].url = records[0].url.clone();
        let runtime = runtime().unwrap();
        let Err(error) = runtime.block_on(build_index(records)) else {
            panic!("two records with one URL were indexed");
        };
        assert!(error.to_string().contains("/r/1/"), "{error}");
    }
}
