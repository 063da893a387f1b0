//! Stage between render and write: the Pagefind search index, built in-process from one
//! record per entity (see `render/search.rs`), written under `pagefind/` with the site.
//!
//! Records rather than whole pages: a page has navigation, footers and tables that would
//! match every query, while a record holds what a resident searches for, and the code
//! variants (`GBT37668`, `TG101`) that a page does not show.

use std::collections::BTreeMap;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::assets::OutputFile;
use crate::BuildError;

/// The folder under the site root that holds the index and `pagefind.js`.
pub const SEARCH_DIR: &str = "pagefind";

/// The kinds of record, as results and the type filter name them.
pub const RECORD_KINDS: [&str; 6] = ["试点", "标准", "服务", "示范点", "地区", "领域"];

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
    for record in records {
        let mut meta = BTreeMap::from([
            ("title".to_string(), record.title),
            ("type".to_string(), record.kind.to_string()),
        ]);
        if !record.regions.is_empty() {
            meta.insert("region".to_string(), record.regions.join("、"));
        }
        let mut filters = BTreeMap::from([("类型".to_string(), vec![record.kind.to_string()])]);
        for (name, values) in [("地区", record.regions), ("领域", record.domains)] {
            if !values.is_empty() {
                filters.insert(name.to_string(), values);
            }
        }
        if let Some(level) = record.level {
            filters.insert("层级".to_string(), vec![level]);
        }
        index
            .add_custom_record(
                record.url,
                record.text,
                "zh".to_string(),
                Some(meta),
                Some(filters),
                None,
            )
            .await
            .map_err(|e| search_error(e.to_string()))?;
    }
    index
        .get_files()
        .await
        .map_err(|e| search_error(e.to_string()))
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
