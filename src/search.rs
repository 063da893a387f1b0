//! Stage between render and write: the Pagefind search index, built in-process from one
//! record per entity (see `render/search.rs`), written under `pagefind/` with the site.
//!
//! Records rather than whole pages: a page has navigation, footers and tables that would
//! match every query, while a record holds what a resident searches for, and the code
//! variants (`GBT37668`, `TG101`) that a page does not show.

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;

use crate::assets::OutputFile;
use crate::render::escape_markup;
use crate::BuildError;

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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| search_error(e.to_string()))?;
    let files = runtime.block_on(build_index(records))?;
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
    let config = PagefindServiceConfig::builder()
        .force_language("zh".to_string())
        .keep_index_url(false)
        .build();
    let mut index = PagefindIndex::new(Some(config)).map_err(|e| search_error(e.to_string()))?;
    let files = records
        .par_iter()
        .map(|record| (record.url.clone(), record_html(record)))
        .collect();
    // The records are not needed past here, and the index takes long to build.
    drop(records);
    index
        .add_html_files(files)
        .await
        .map_err(|e| search_error(e.to_string()))?;
    index
        .get_files()
        .await
        .map_err(|e| search_error(e.to_string()))
}

/// A record as a small HTML page, so that Pagefind weighs the title as a heading
/// (a match in the `<h1>` ranks above one in the text) and reads meta and filters
/// from its attributes.
fn record_html(record: &SearchRecord) -> String {
    // Pilots and regions are what a place-name query is after; standards named after the
    // same city should not crowd them out. Pagefind weighs an <h1> 7 by default.
    let weight = match record.kind {
        "试点" | "地区" => 10,
        _ => 7,
    };
    let mut html = format!(
        "<html lang=\"zh-CN\"><body><h1 data-pagefind-weight=\"{weight}\">{}</h1><p>{}</p>",
        escape_markup(&record.title),
        escape_markup(&record.text)
    );
    // Facets come before the sections: text after a section's heading counts as its text.
    let mut tag = |attribute: &str, name: &str, value: &str| {
        html.push_str(&format!(
            "<span {attribute}=\"{name}\">{}</span>",
            escape_markup(value)
        ));
    };
    tag("data-pagefind-meta", "type", record.kind);
    tag("data-pagefind-filter", "类型", record.kind);
    if !record.regions.is_empty() {
        tag("data-pagefind-meta", "region", &record.regions.join("、"));
    }
    for region in &record.regions {
        tag("data-pagefind-filter", "地区", region);
    }
    for domain in &record.domains {
        tag("data-pagefind-filter", "领域", domain);
    }
    if let Some(level) = &record.level {
        tag("data-pagefind-filter", "层级", level);
    }
    if !record.sections.is_empty() {
        // In the attribute, not as text: as text it would be indexed, and a list with
        // fifty 养老 items would match 养老 fifty times over.
        let domains: Vec<&str> = record.sections.iter().map(|s| s.domain.as_str()).collect();
        html.push_str(&format!(
            "<span data-pagefind-meta=\"{SECTION_DOMAINS_META}:{}\"></span>",
            escape_markup(&domains.join("|"))
        ));
    }
    for section in &record.sections {
        // Weighed like a record's title: an item named by the query ranks as it did
        // when each item was a record of its own.
        html.push_str(&format!(
            "<h2 id=\"{}\" data-pagefind-weight=\"7\">{}</h2><p>{}</p>",
            escape_markup(&section.anchor),
            escape_markup(&section.title),
            escape_markup(&section.text)
        ));
    }
    html.push_str("</body></html>");
    html
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
    BuildError::Asset {
        path: SEARCH_DIR.to_string(),
        message: format!("building the search index failed: {message}"),
    }
}
