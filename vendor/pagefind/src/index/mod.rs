use hashbrown::HashMap;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

use crate::{
    fossick::{FossickedData, FossickedWord, MetaFossickedWord},
    index::index_metadata::MetaFilter,
    utils::full_hash,
    SearchOptions,
};
use anyhow::{bail, Result};
use index_filter::{FilterIndex, PackedValue};
use index_metadata::{MetaChunk, MetaIndex, MetaPage};
use index_words::{PackedPage, PackedVariant, PackedWord, WordIndex};

use self::index_metadata::MetaSort;

mod index_filter;
mod index_metadata;
mod index_words;

pub struct PagefindIndexes {
    pub word_indexes: HashMap<String, Vec<u8>>,
    pub filter_indexes: HashMap<String, Vec<u8>>,
    pub meta_index: (String, Vec<u8>),
    pub fragments: Vec<(String, String)>,
    pub sorts: Vec<String>,
    pub language: String,
    pub word_count: usize,
    pub page_count: usize,
}

#[derive(Clone)]
struct IntermediaryPageData {
    full_hash: String,
    encoded_data: String,
    word_count: usize,
    page_number: usize,
}

#[derive(Debug)]
enum SortType {
    String,
    Number,
}

/// Results from processing a single page in parallel.
/// Contains the words, filter entries, and encoded page data for one page.
struct PageProcessingResult {
    words: Vec<(String, PageWord)>,
    filter_entries: Vec<(String, String, usize)>, // (filter, value, page_number)
    encoded_page: IntermediaryPageData,
}

/// liangbiao patch: a page's entry for one of its words. Most are body positions
/// without a variant, one page's worth: those need no list of their own. At 100,000
/// pages that is tens of millions of one-element lists less to allocate in the parallel
/// part and to free in the merge, which runs on one thread.
enum PageWord {
    Plain(PackedPage),
    Full(PackedWord),
}

pub async fn build_indexes(
    pages: Vec<FossickedData>,
    language: String,
    options: &SearchOptions,
) -> Result<PagefindIndexes> {
    // liangbiao patch: pages are processed and merged a chunk at a time. Collecting the
    // word maps of every page before merging kept them all alive at once: at 20k pages
    // that was most of the peak memory, and faulting it in most of the time.
    let mut builder = IndexBuilder::new(language);
    builder.add_chunks(in_chunks(pages).map(Ok))?;
    builder.finish(options)
}

/// liangbiao patch: upstream's sort orders, from what `IndexBuilder` keeps of each page:
/// for each sort key, the pages that have it, in its order.
fn sort_orders(pages: &[PageSummary], options: &SearchOptions) -> (Vec<String>, Vec<MetaSort>) {
    // Get all possible sort keys
    let mut sorts: Vec<_> = pages
        .iter()
        .flat_map(|page| page.sort.keys().cloned())
        .collect();
    sorts.sort_unstable();
    sorts.dedup();

    // Determine the best sorting parser that fits all available values for each given key
    let mut sort_types: BTreeMap<String, SortType> = BTreeMap::new();
    for sort in sorts.iter() {
        let mut sort_values = pages.iter().flat_map(|page| page.sort.get(sort));
        sort_types.insert(
            sort.clone(),
            if sort_values.all(|v| parse_int_sort(v).is_some() || parse_float_sort(v).is_some()) {
                SortType::Number
            } else {
                SortType::String
            },
        );
    }

    let mut meta_sorts = Vec::new();
    for (sort_key, sort_type) in sort_types {
        let mut page_values: Vec<_> = pages
            .iter()
            .enumerate()
            .flat_map(|(page_number, page)| {
                page.sort
                    .get(&sort_key)
                    .map(|v| (v, page_number))
            })
            .collect();
        options.logger.v_info(format!(
            "Prebuilding sort order for {sort_key}, processed as type: {sort_type:#?}"
        ));
        match sort_type {
            SortType::String => page_values.sort_by_key(|p| p.0),
            SortType::Number => page_values.sort_by(|p1, p2| {
                let p1 = parse_int_sort(p1.0)
                    .map(|i| i as f32)
                    .unwrap_or_else(|| parse_float_sort(p1.0).unwrap_or_default());
                let p2 = parse_int_sort(p2.0)
                    .map(|i| i as f32)
                    .unwrap_or_else(|| parse_float_sort(p2.0).unwrap_or_default());

                p1.total_cmp(&p2)
            }),
        }
        meta_sorts.push(MetaSort {
            sort: sort_key,
            pages: page_values.into_iter().map(|p| p.1).collect(),
        });
    }
    (sorts, meta_sorts)
}

/// How many pages are parsed, then merged into the index, at a time.
pub const PAGES_PER_CHUNK: usize = 1024;

/// liangbiao patch: `items` in chunks of [`PAGES_PER_CHUNK`], in order.
pub fn in_chunks<T>(items: Vec<T>) -> impl Iterator<Item = Vec<T>> {
    let mut remaining = items.into_iter();
    std::iter::from_fn(move || {
        let chunk: Vec<T> = remaining.by_ref().take(PAGES_PER_CHUNK).collect();
        (!chunk.is_empty()).then_some(chunk)
    })
}

/// One page's words, filters and fragment, made ready to merge into the index. The
/// page's meta field ids are its own; `IndexBuilder::finish` renumbers them.
fn process_page(page: FossickedData, language: &str) -> PageProcessingResult {
    // liangbiao patch: a list rather than a map, since each word of `word_data` is
    // there once; a meta word takes its body positions out of `word_data` first, so
    // that both land in the same entry, as they did in the map.
    let page_number = page.fragment.page_number;
    let mut word_data = page.word_data;
    let mut words: Vec<(String, PageWord)> =
        Vec::with_capacity(word_data.len() + page.meta_word_data.len());
    for (word, meta_positions) in page.meta_word_data {
        let mut packed = PackedWord::for_page();
        if let Some(positions) = word_data.remove(&word) {
            add_body_positions(&mut packed, positions, page_number);
        }
        add_meta_positions(&mut packed, meta_positions, page_number);
        words.push((word, PageWord::Full(packed)));
    }
    for (word, positions) in word_data {
        words.push((word, body_word(positions, page_number)));
    }

    // Collect filter entries for this page
    let filter_entries: Vec<(String, String, usize)> = page
        .fragment
        .data
        .filters
        .iter()
        .flat_map(|(filter, values)| {
            values
                .iter()
                .map(move |value| (filter.clone(), value.clone(), page_number))
        })
        .collect();

    // Compute encoded page data
    let encoded_data = serde_json::to_string(&page.fragment.data).unwrap();
    let encoded_page = IntermediaryPageData {
        full_hash: format!("{}_{}", language, full_hash(encoded_data.as_bytes())),
        word_count: page.fragment.data.word_count,
        page_number: page.fragment.page_number,
        encoded_data,
    };

    PageProcessingResult {
        words,
        filter_entries,
        encoded_page,
    }
}

impl PackedWord {
    /// liangbiao patch: an entry of a page's word list; the word is beside it, and put in
    /// by `IndexBuilder::merge` once per index.
    fn for_page() -> Self {
        PackedWord {
            word: String::new(),
            pages: Vec::new(),
            additional_variants: Vec::new(),
        }
    }
}

/// Where a word occurs in a page's text: on the word, or on the variant with the
/// diacritics it was written with.
fn add_body_positions(
    packed_word: &mut PackedWord,
    positions: Vec<FossickedWord>,
    page_number: usize,
) {
    // liangbiao patch: most words have no variant; their positions are used as they are.
    if has_no_variant(&positions) {
        packed_word
            .pages
            .push(positions_to_packed_page(positions, page_number));
        return;
    }
    // Group positions by original_word for this page
    let mut normalized_positions: Vec<FossickedWord> = Vec::new();
    let mut variant_positions: BTreeMap<String, Vec<FossickedWord>> = BTreeMap::new();

    for fossicked in positions {
        if fossicked.original_word.is_none() {
            // No diacritics - original matches normalized form
            normalized_positions.push(fossicked);
        } else {
            // Original form differs (has diacritics) - stored instead in additional_variants
            variant_positions
                .entry(fossicked.original_word.as_deref().cloned().unwrap())
                .or_default()
                .push(fossicked);
        }
    }

    if !normalized_positions.is_empty() {
        packed_word
            .pages
            .push(positions_to_packed_page(normalized_positions, page_number));
    }

    for (variant_form, variant_pos) in variant_positions {
        let variant_page = positions_to_packed_page(variant_pos, page_number);

        if let Some(existing_variant) = packed_word
            .additional_variants
            .iter_mut()
            .find(|v| v.form == variant_form)
        {
            existing_variant.pages.push(variant_page);
        } else {
            packed_word.additional_variants.push(PackedVariant {
                form: variant_form,
                pages: vec![variant_page],
            });
        }
    }
}

/// liangbiao patch: a page's entry for a word found in its text only.
fn body_word(positions: Vec<FossickedWord>, page_number: usize) -> PageWord {
    if has_no_variant(&positions) {
        return PageWord::Plain(positions_to_packed_page(positions, page_number));
    }
    let mut packed = PackedWord::for_page();
    add_body_positions(&mut packed, positions, page_number);
    PageWord::Full(packed)
}

/// liangbiao patch: the word occurs on the page, and only in its normalised form.
fn has_no_variant(positions: &[FossickedWord]) -> bool {
    !positions.is_empty() && positions.iter().all(|p| p.original_word.is_none())
}

/// Where a word occurs in a page's meta fields, on the page's entry for the word (or
/// the variant's) if its text has one.
fn add_meta_positions(
    packed_word: &mut PackedWord,
    meta_positions: Vec<MetaFossickedWord>,
    page_number: usize,
) {
    let mut normalized_meta_positions: Vec<MetaFossickedWord> = Vec::new();
    let mut variant_meta_positions: BTreeMap<String, Vec<MetaFossickedWord>> = BTreeMap::new();

    for meta_fossicked in meta_positions {
        if let Some(original) = meta_fossicked.original_word.clone() {
            variant_meta_positions
                .entry(original)
                .or_default()
                .push(meta_fossicked);
        } else {
            normalized_meta_positions.push(meta_fossicked);
        }
    }

    if !normalized_meta_positions.is_empty() {
        let meta_locs = meta_positions_to_packed(normalized_meta_positions);

        if let Some(existing_page) = packed_word
            .pages
            .iter_mut()
            .find(|p| p.page_number == page_number)
        {
            existing_page.set_meta_locs(meta_locs);
        } else {
            packed_word
                .pages
                .push(PackedPage::with_meta(page_number, meta_locs));
        }
    }

    // Handle diacritic variants in meta
    for (variant_form, variant_pos) in variant_meta_positions {
        let meta_locs = meta_positions_to_packed(variant_pos);

        if let Some(existing_variant) = packed_word
            .additional_variants
            .iter_mut()
            .find(|v| v.form == variant_form)
        {
            if let Some(existing_page) = existing_variant
                .pages
                .iter_mut()
                .find(|p| p.page_number == page_number)
            {
                existing_page.set_meta_locs(meta_locs);
            } else {
                existing_variant
                    .pages
                    .push(PackedPage::with_meta(page_number, meta_locs));
            }
        } else {
            packed_word.additional_variants.push(PackedVariant {
                form: variant_form,
                pages: vec![PackedPage::with_meta(page_number, meta_locs)],
            });
        }
    }
}

/// liangbiao patch: what the end of the index needs from each page once its words are
/// merged: its sort keys, and the names of its meta fields in the order of its own ids.
struct PageSummary {
    sort: BTreeMap<String, String>,
    meta_fields: Vec<String>,
}

/// liangbiao patch: the index of one language, built a chunk of pages at a time.
///
/// `build_indexes` held every page's word map until it began, most of the peak memory of
/// a large site. Here a page's words are merged into the index as soon as its chunk is
/// parsed, and the page is dropped. Only two things need every page, and both wait for
/// `finish`: the sort orders, and the global numbering of meta fields (a page numbers its
/// meta fields in the order of their names; the index numbers the union of all names the
/// same way, so a page's ids map to the index's monotonically and only the markers in
/// `meta_locs` change). The output is the same as `build_indexes` made before.
pub struct IndexBuilder {
    language: String,
    pages: Vec<PageSummary>,
    merged: MergedPages,
}

/// The words, filters and fragments of the pages merged so far.
#[derive(Default)]
struct MergedPages {
    word_map: HashMap<String, PackedWord>,
    filter_map: HashMap<String, HashMap<String, Vec<usize>>>,
    fragment_hashes: HashMap<String, IntermediaryPageData>,
    fragments: Vec<(usize, (String, IntermediaryPageData))>,
}

impl IndexBuilder {
    pub fn new(language: String) -> Self {
        Self {
            language,
            pages: Vec::new(),
            merged: MergedPages::default(),
        }
    }

    /// Number the pages of each chunk after those added before, and merge their words,
    /// filters and fragments into the index. A chunk's pages are processed in parallel;
    /// the merge, in order, runs on a thread of its own while the next chunk is made and
    /// processed (alone it would leave the other cores idle for a fifth of the time).
    /// Stops at the first error.
    pub fn add_chunks(
        &mut self,
        chunks: impl Iterator<Item = Result<Vec<FossickedData>>>,
    ) -> Result<()> {
        let IndexBuilder {
            language,
            pages: summaries,
            merged,
        } = self;
        let language: &str = language;
        std::thread::scope(|scope| {
            // One chunk waiting at most, so that memory holds about three chunks.
            let (send, receive) = std::sync::mpsc::sync_channel::<Vec<PageProcessingResult>>(1);
            let merger = scope.spawn(move || {
                for results in receive {
                    merged.merge_all(results, language);
                }
            });
            let mut outcome = Ok(());
            for chunk in chunks {
                match chunk {
                    Ok(pages) => {
                        let results = prepare_pages(summaries, language, pages);
                        if send.send(results).is_err() {
                            break;
                        }
                    }
                    Err(error) => {
                        outcome = Err(error);
                        break;
                    }
                }
            }
            drop(send);
            merger.join().expect("the search index merge panicked");
            outcome
        })
    }
}

/// Number the pages after `summaries`, keep what the end needs of each, and make their
/// words ready to merge, in parallel.
fn prepare_pages(
    summaries: &mut Vec<PageSummary>,
    language: &str,
    mut pages: Vec<FossickedData>,
) -> Vec<PageProcessingResult> {
    for page in pages.iter_mut() {
        page.fragment.page_number = summaries.len();
        summaries.push(PageSummary {
            sort: std::mem::take(&mut page.sort),
            meta_fields: page.fragment.data.meta.keys().cloned().collect(),
        });
    }
    pages
        .into_par_iter()
        .map(|page| process_page(page, language))
        .collect()
}

impl MergedPages {
    fn merge_all(&mut self, results: Vec<PageProcessingResult>, language: &str) {
        for result in results {
            self.merge(result, language);
        }
    }

    fn merge(&mut self, result: PageProcessingResult, language: &str) {
        for (word, entry) in result.words {
            merge_word(&mut self.word_map, word, entry);
        }

        for (filter, value, page_number) in result.filter_entries {
            self.filter_map
                .entry(filter)
                .or_default()
                .entry(value)
                .or_default()
                .push(page_number);
        }

        // Handle fragment hashing (must be sequential due to collision handling)
        let encoded_page = result.encoded_page;
        let mut short_hash = &encoded_page.full_hash[0..=(language.len() + 7)];

        // If we hit a collision, extend one until we stop colliding
        // TODO: There are some collision issues here.
        // If two builds match a collision in different orders the hashes will swap,
        // which could return incorrect data due to files being cached.
        while let Some(collision) = self.fragment_hashes.get(short_hash) {
            if collision.full_hash == encoded_page.full_hash {
                // These pages are identical. Add both under the same hash.
                self.fragments.push((
                    collision.word_count,
                    (collision.full_hash.clone(), collision.clone()),
                ));
            } else {
                let new_length = short_hash.len();
                short_hash = &encoded_page.full_hash[0..=new_length];
            }
        }
        self.fragment_hashes
            .insert(short_hash.to_string(), encoded_page);
    }
}

/// liangbiao patch: a page's entry for `word` merged into the index, after the pages
/// before it.
fn merge_word(word_map: &mut HashMap<String, PackedWord>, word: String, entry: PageWord) {
    match (word_map.entry(word), entry) {
        (hashbrown::hash_map::Entry::Occupied(mut entry), PageWord::Plain(page)) => {
            entry.get_mut().pages.push(page)
        }
        (hashbrown::hash_map::Entry::Occupied(mut entry), PageWord::Full(packed)) => {
            let existing = entry.get_mut();
            existing.pages.extend(packed.pages);
            for variant in packed.additional_variants {
                if let Some(existing_variant) = existing
                    .additional_variants
                    .iter_mut()
                    .find(|v| v.form == variant.form)
                {
                    existing_variant.pages.extend(variant.pages);
                } else {
                    existing.additional_variants.push(variant);
                }
            }
        }
        // A page's word list leaves the word out of its entry; the index holds one copy
        // per word rather than one per page.
        (hashbrown::hash_map::Entry::Vacant(entry), PageWord::Plain(page)) => {
            let word = entry.key().clone();
            entry.insert(PackedWord {
                word,
                pages: vec![page],
                additional_variants: Vec::new(),
            });
        }
        (hashbrown::hash_map::Entry::Vacant(entry), PageWord::Full(packed)) => {
            let word = entry.key().clone();
            entry.insert(PackedWord { word, ..packed });
        }
    }
}

impl IndexBuilder {
    /// The meta field names of every page, sorted; and each page's ids renumbered to them.
    fn number_meta_fields(&mut self) -> Vec<String> {
        let meta_fields: Vec<String> = self
            .pages
            .iter()
            .flat_map(|page| page.meta_fields.iter().cloned())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        // Per page, its ids in the index, or None where they are the same.
        let renumbering: Vec<Option<Vec<i32>>> = self
            .pages
            .iter()
            .map(|page| {
                let ids: Vec<i32> = page
                    .meta_fields
                    .iter()
                    .map(|name| meta_fields.binary_search(name).unwrap() as i32)
                    .collect();
                let same = ids.iter().enumerate().all(|(i, &id)| id == i as i32);
                (!same).then_some(ids)
            })
            .collect();
        if renumbering.iter().any(Option::is_some) {
            let renumber = |page: &mut PackedPage| {
                if let Some(ids) = &renumbering[page.page_number] {
                    for loc in page.meta_locs_mut().iter_mut().filter(|loc| **loc < 0) {
                        *loc = -(ids[(-*loc - 1) as usize] + 1);
                    }
                }
            };
            for word in self.merged.word_map.values_mut() {
                word.pages.iter_mut().for_each(renumber);
                for variant in &mut word.additional_variants {
                    variant.pages.iter_mut().for_each(renumber);
                }
            }
        }
        meta_fields
    }

    /// Encode the index: word chunks, filters, fragments and the meta index.
    pub fn finish(mut self, options: &SearchOptions) -> Result<PagefindIndexes> {
        let meta_fields = self.number_meta_fields();
        let (sorts, meta_sorts) = sort_orders(&self.pages, options);
        let meta = MetaIndex {
            version: options.version.into(),
            pages: Vec::new(),
            index_chunks: Vec::new(),
            filters: Vec::new(),
            sorts: meta_sorts,
            meta_fields,
        };
        let IndexBuilder {
            language,
            merged,
            pages: _,
        } = self;
        encode_indexes(meta, sorts, merged, language, options)
    }
}

/// liangbiao patch: the end of upstream's `build_indexes`, unchanged: the merged pages'
/// words, filters and fragments encoded, and the meta index.
fn encode_indexes(
    mut meta: MetaIndex,
    sorts: Vec<String>,
    merged: MergedPages,
    language: String,
    options: &SearchOptions,
) -> Result<PagefindIndexes> {
    let MergedPages {
        mut word_map,
        filter_map,
        fragment_hashes,
        mut fragments,
    } = merged;

    // Sort pages within each word by page_number to maintain correct order after parallel processing
    for packed_word in word_map.values_mut() {
        packed_word.pages.sort_by_key(|p| p.page_number);
        for variant in &mut packed_word.additional_variants {
            variant.pages.sort_by_key(|p| p.page_number);
        }
    }

    fragments.extend(
        fragment_hashes
            .into_iter()
            .map(|(hash, frag)| (frag.word_count, (hash, frag))),
    );
    fragments.sort_by_cached_key(|(_, (_, fragment))| fragment.page_number);

    let page_count = fragments.len();
    let mut final_fragments = Vec::new();

    if let Some(max_fragments) =
        options.max_fragments.filter(|&m| m > 0 && (m as usize) < fragments.len())
    {
        let group_size = (fragments.len() as f32 / max_fragments as f32).ceil() as usize;
        options.logger.info(format!(
            "Bundling {} fragments into groups of {}, resulting in {} files",
            fragments.len(),
            group_size,
            fragments.chunks(group_size).len()
        ));
        let mut group_hashes: BTreeSet<String> = BTreeSet::new();
        for chunk in fragments.chunks(group_size) {
            let mut group_map = BTreeMap::new();
            for (_, (hash, frag)) in chunk {
                let val: serde_json::Value = serde_json::from_str(&frag.encoded_data).unwrap();
                group_map.insert(hash.clone(), val);
            }
            let group_json = serde_json::to_string(&group_map).unwrap();
            let prefix = format!("{language}_group_");
            let group_hash = format!("{prefix}{}", full_hash(group_json.as_bytes()));

            // If we hit a collision, extend one hash until we stop colliding
            let mut hash_length = 7;
            let mut short_group_hash = &group_hash[..prefix.len() + hash_length];
            while group_hashes.contains(short_group_hash) && hash_length < 40 {
                hash_length += 1;
                short_group_hash = &group_hash[..prefix.len() + hash_length];
            }
            group_hashes.insert(short_group_hash.to_string());

            final_fragments.push((short_group_hash.to_string(), group_json));

            for (word_count, (hash, _)) in chunk {
                meta.pages.push(MetaPage {
                    hash: hash.clone(),
                    word_count: *word_count as u32,
                    group_hash: short_group_hash.to_string(),
                });
            }
        }
    } else {
        for (word_count, (hash, frag)) in fragments {
            final_fragments.push((hash.clone(), frag.encoded_data));
            meta.pages.push(MetaPage {
                hash: hash.clone(),
                word_count: word_count as u32,
                group_hash: "".into(),
            });
        }
    }

    // Encode filter indexes in parallel
    // Accumulate into HashMap for O(1) inserts, then sort once before encoding
    // to produce a stable hash without paying BTreeMap's per-insert overhead.
    let mut filter_map_vec: Vec<_> = filter_map.into_iter().collect();
    filter_map_vec.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    let encoded_filters: Vec<(String, Vec<u8>, String)> = filter_map_vec
        .into_par_iter()
        .map(|(filter, values)| {
            let mut sorted_values: Vec<_> = values.into_iter().collect();
            sorted_values.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
            let mut filter_index: Vec<u8> = Vec::new();
            let _ = minicbor::encode::<FilterIndex, &mut Vec<u8>>(
                FilterIndex {
                    filter: filter.clone(),
                    values: sorted_values
                        .into_iter()
                        .map(|(value, pages)| PackedValue { value, pages })
                        .collect(),
                },
                filter_index.as_mut(),
            );
            let hash = format!("{}_{}", language, full_hash(&filter_index));
            (filter, filter_index, hash)
        })
        .collect();

    // Handle hash collisions sequentially (required for correctness)
    let mut filter_indexes = HashMap::new();
    for (filter, filter_index, hash) in encoded_filters {
        let mut short_hash = &hash[0..=(language.len() + 7)];

        // If we hit a collision, extend one hash until we stop colliding
        // TODO: DRY
        while filter_indexes.contains_key(short_hash) {
            let new_length = short_hash.len() + 1;
            short_hash = &hash[0..=new_length];

            if short_hash.len() == hash.len() {
                break;
            }
        }
        filter_indexes.insert(short_hash.to_string(), filter_index);
        meta.filters.push(MetaFilter {
            filter,
            hash: short_hash.to_string(),
        })
    }

    if TryInto::<u32>::try_into(meta.pages.len()).is_err() {
        options.logger.error(format!(
            "Language {} has too many documents to index, must be < {}",
            language,
            u32::MAX
        ));
        bail!(
            "Language {language} has too many documents to index, must be < {}",
            u32::MAX
        );
    }

    // TODO: Parameterize these chunk sizes via byte size rather than word count
    let word_count = word_map.len();
    let chunks = chunk_index(word_map, options.index_chunk_size);
    meta.index_chunks = chunk_meta(&chunks);

    // Encode word index chunks in parallel (delta encoding + CBOR serialization)
    let encoded_chunks: Vec<(usize, Vec<u8>, String)> = chunks
        .into_par_iter()
        .enumerate()
        .map(|(i, chunk)| {
            // Delta-encode page numbers within each word's page list
            let delta_chunk: Vec<PackedWord> = chunk
                .into_iter()
                .map(|mut word| {
                    let mut last_page: usize = 0;
                    for page in &mut word.pages {
                        let delta = page.page_number - last_page;
                        last_page = page.page_number;
                        page.page_number = delta;
                    }
                    // Also handle additional_variants
                    for variant in &mut word.additional_variants {
                        let mut last_page: usize = 0;
                        for page in &mut variant.pages {
                            let delta = page.page_number - last_page;
                            last_page = page.page_number;
                            page.page_number = delta;
                        }
                    }
                    word
                })
                .collect();

            let mut word_index: Vec<u8> = Vec::new();
            let _ = minicbor::encode::<WordIndex, &mut Vec<u8>>(
                WordIndex { words: delta_chunk },
                word_index.as_mut(),
            );

            let hash = format!("{}_{}", language, full_hash(&word_index));
            (i, word_index, hash)
        })
        .collect();

    // Handle hash collisions sequentially (required for correctness)
    let mut word_indexes: HashMap<String, Vec<u8>> = HashMap::new();
    for (i, word_index, hash) in encoded_chunks {
        let mut short_hash = &hash[0..=(language.len() + 7)];

        // If we hit a collision, extend one hash until we stop colliding
        while word_indexes.contains_key(short_hash) {
            let new_length = short_hash.len() + 1;
            short_hash = &hash[0..=new_length];

            if short_hash.len() == hash.len() {
                break;
            }
        }
        word_indexes.insert(short_hash.to_string(), word_index);
        meta.index_chunks[i].hash = short_hash.into();
    }

    let mut meta_index: Vec<u8> = Vec::new();
    let _ = minicbor::encode::<MetaIndex, &mut Vec<u8>>(meta, meta_index.as_mut());

    let meta_hash = format!(
        "{}_{}",
        language,
        &full_hash(&meta_index)[0..=(language.len() + 7)]
    );

    Ok(PagefindIndexes {
        word_indexes,
        filter_indexes,
        sorts,
        meta_index: (meta_hash, meta_index),
        fragments: final_fragments,
        language,
        word_count,
        page_count,
    })
}

/// Convert fossicked word positions to a packed page representation.
/// Sorts by weight (with common weight 25 first) then by position for delta encoding.
fn positions_to_packed_page(mut positions: Vec<FossickedWord>, page_number: usize) -> PackedPage {
    // A page weight of 1 is encoded as 25. Since most words should be this weight,
    // we want to sort them to be first in the locations array to reduce filesize
    // when we inline weight changes.
    // We then sort by position within each weight group,
    // which helps us delta encode the index.
    // liangbiao patch: `sort_by_key`, stable as `sort_by_cached_key` is, so the order is the
    // same; the key is two small numbers, not worth a vector of keys per word per page.
    positions.sort_by_key(|p| (if p.weight == 25 { 0 } else { p.weight }, p.position));

    let mut current_weight = 25;
    let mut weighted_positions = Vec::with_capacity(positions.len());
    let mut last_position = 0;

    // Calculate our output list of positions with weights.
    // This is a vec of page positions, with a change in weight for subsequent positions
    // denoted by a negative integer.
    for FossickedWord {
        position, weight, ..
    } in positions
    {
        if weight != current_weight {
            // Weight change: emit marker + absolute position, new delta base
            weighted_positions.push(-(weight as i32) - 1);
            weighted_positions.push(position as i32);
            last_position = position;
            current_weight = weight;
        } else {
            // emit delta from previous position
            weighted_positions.push((position - last_position) as i32);
            last_position = position;
        }
    }

    PackedPage::new(page_number, weighted_positions)
}

fn chunk_index(word_map: HashMap<String, PackedWord>, chunk_size: usize) -> Vec<Vec<PackedWord>> {
    // Accumulate into HashMap for O(1) inserts, then sort once before encoding
    // to produce a stable hash without paying BTreeMap's per-insert overhead.
    let mut words = word_map
        .into_iter()
        .map(|(_, w)| w)
        .collect::<Vec<PackedWord>>();
    // liangbiao patch: compared in place, and each chunk moved out rather than cloned.
    words.sort_unstable_by(|a, b| a.word.cmp(&b.word));

    let mut index_chunks = Vec::new();

    let mut index_chunk = Vec::new();
    let mut index_chunk_size = 0;
    for word in words.into_iter() {
        index_chunk_size += word
            .pages
            .iter()
            .chain(word.additional_variants.iter().flat_map(|v| &v.pages))
            .map(|p| p.location_count() + 1)
            .sum::<usize>()
            + word.additional_variants.len();
        index_chunk.push(word);
        if index_chunk_size >= chunk_size {
            index_chunks.push(std::mem::take(&mut index_chunk));
            index_chunk_size = 0;
        }
    }
    if !index_chunk.is_empty() {
        index_chunks.push(index_chunk);
    }

    index_chunks
}

fn chunk_meta(indexes: &[Vec<PackedWord>]) -> Vec<MetaChunk> {
    let mut named_chunks: Vec<MetaChunk> = Vec::new();

    for chunk in indexes.iter() {
        named_chunks.push(MetaChunk {
            from: chunk.first().map_or("".into(), |w| w.word.clone()),
            to: chunk.last().map_or("".into(), |w| w.word.clone()),
            hash: "".into(),
        });
    }
    if named_chunks.len() > 1 {
        for i in 0..named_chunks.len() - 1 {
            let chunks = &mut named_chunks[i..=i + 1];
            let prefixes = get_prefixes((&chunks[0].to, &chunks[1].from));
            // Only trim 'to' if it won't create an invalid range (to < from)
            if prefixes.0 >= chunks[0].from {
                chunks[0].to = prefixes.0;
            }
            // Always trim the next chunk's 'from'
            chunks[1].from = prefixes.1;
        }
    }

    named_chunks
}

fn get_prefixes((a, b): (&str, &str)) -> (String, String) {
    let common_prefix_length: usize = b
        .chars()
        .zip(a.chars())
        .take_while(|&(a, b)| a == b)
        .count();

    let a_prefix = a.chars().take(common_prefix_length + 1).collect::<String>();
    let b_prefix = b.chars().take(common_prefix_length + 1).collect::<String>();

    (a_prefix, b_prefix)
}

fn parse_int_sort(value: &str) -> Option<i32> {
    lexical_core::parse::<i32>(value.as_bytes()).ok()
}

fn parse_float_sort(value: &str) -> Option<f32> {
    lexical_core::parse::<f32>(value.as_bytes()).ok()
}

/// Encode meta positions with field ID markers.
/// Negative numbers switch field IDs, positive numbers are delta-encoded positions.
/// e.g., [-1, 0, 5, -4, 2] means: field 0 positions [0, 5], field 3 positions [2]
fn meta_positions_to_packed(mut positions: Vec<MetaFossickedWord>) -> Vec<i32> {
    if positions.is_empty() {
        return vec![];
    }

    positions.sort_by_key(|p| (p.field_id, p.position));

    let mut current_field: Option<u16> = None;
    let mut last_position: u32 = 0;
    let mut result = Vec::with_capacity(positions.len() + 8);

    for MetaFossickedWord {
        field_id, position, ..
    } in positions
    {
        if Some(field_id) != current_field {
            result.push(-((field_id as i32) + 1));
            current_field = Some(field_id);
            last_position = 0;
        }
        result.push((position - last_position) as i32);
        last_position = position;
    }

    result
}

#[cfg(test)]
mod tests {
    use super::*;

    trait Mock {
        fn word(&mut self, word: &str, page_number: usize, locs: Vec<i32>);
    }
    impl Mock for HashMap<String, PackedWord> {
        fn word(&mut self, word: &str, page_number: usize, locs: Vec<i32>) {
            let page = PackedPage::new(page_number, locs);
            match self.get_mut(word) {
                Some(w) => w.pages.push(page),
                None => {
                    let _ = self.insert(
                        word.into(),
                        PackedWord {
                            word: word.into(),
                            pages: vec![page],
                            additional_variants: vec![],
                        },
                    );
                }
            }
        }
    }

    fn test_words() -> HashMap<String, PackedWord> {
        let mut words = HashMap::new();
        words.word("apple", 1, vec![20, 40, 60]);
        words.word("apple", 5, vec![3, 6, 9]);
        words.word("apricot", 5, vec![45, 3432, 6003]);
        words.word("banana", 5, vec![100, 500, 900, 566]);
        words.word("peach", 5, vec![383, 2, 678]);

        words
    }

    /// The same postings, but held as diacritic variants rather than on the word itself
    fn test_variant_words() -> HashMap<String, PackedWord> {
        let mut words = test_words();
        for word in words.values_mut() {
            word.additional_variants.push(PackedVariant {
                form: format!("{}\u{0301}", word.word),
                pages: std::mem::take(&mut word.pages),
            });
        }
        words
    }

    fn body(position: u32, original_word: Option<&str>) -> FossickedWord {
        FossickedWord {
            position,
            weight: 25,
            original_word: original_word.map(|w| Box::new(w.to_string())),
        }
    }

    /// liangbiao patch: a word that is `PageWord::Plain` on some pages and `Full` on
    /// others (a meta position, a variant) merges to the entry the upstream code built,
    /// which made a `PackedWord` for every page and extended the index's with it.
    #[test]
    fn plain_and_full_page_words_merge_as_upstream() {
        let meta = |position| MetaFossickedWord {
            field_id: 0,
            position,
            original_word: None,
        };
        let pages: Vec<(Vec<FossickedWord>, Vec<MetaFossickedWord>)> = vec![
            (vec![body(9, None), body(5, None)], vec![]),
            (vec![body(3, None)], vec![meta(1)]),
            (vec![body(2, None), body(7, Some("applé"))], vec![]),
            (vec![body(4, None)], vec![]),
            (vec![body(8, Some("applé"))], vec![meta(0)]),
        ];

        let mut merged: HashMap<String, PackedWord> = HashMap::new();
        let mut plain_pages = Vec::new();
        for (page_number, (positions, meta_positions)) in pages.clone().into_iter().enumerate() {
            let entry = if meta_positions.is_empty() {
                body_word(positions, page_number)
            } else {
                let mut packed = PackedWord::for_page();
                add_body_positions(&mut packed, positions, page_number);
                add_meta_positions(&mut packed, meta_positions, page_number);
                PageWord::Full(packed)
            };
            if matches!(entry, PageWord::Plain(_)) {
                plain_pages.push(page_number);
            }
            merge_word(&mut merged, "apple".to_string(), entry);
        }
        assert_eq!(plain_pages, vec![0, 3], "both paths are taken");

        let mut upstream: Option<PackedWord> = None;
        for (page_number, (positions, meta_positions)) in pages.into_iter().enumerate() {
            let mut packed = PackedWord::for_page();
            add_body_positions(&mut packed, positions, page_number);
            add_meta_positions(&mut packed, meta_positions, page_number);
            match upstream.as_mut() {
                None => {
                    upstream = Some(PackedWord {
                        word: "apple".to_string(),
                        ..packed
                    })
                }
                Some(existing) => {
                    existing.pages.extend(packed.pages);
                    for variant in packed.additional_variants {
                        match existing
                            .additional_variants
                            .iter_mut()
                            .find(|v| v.form == variant.form)
                        {
                            Some(found) => found.pages.extend(variant.pages),
                            None => existing.additional_variants.push(variant),
                        }
                    }
                }
            }
        }
        assert_eq!(
            format!("{:?}", merged["apple"]),
            format!("{:?}", upstream.unwrap())
        );
    }

    #[test]
    fn build_index_chunks() {
        let chunks = chunk_index(test_words(), 8);

        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0][0].word, "apple");
        assert_eq!(chunks[1][0].word, "apricot");
        assert_eq!(chunks[1][1].word, "banana");
        assert_eq!(chunks[2][0].word, "peach");
    }

    #[test]
    fn build_index_chunks_from_variant_words() {
        let chunks = chunk_index(test_variant_words(), 8);

        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0][0].word, "apple");
        assert_eq!(chunks[1][0].word, "apricot");
        assert_eq!(chunks[1][1].word, "banana");
        assert_eq!(chunks[2][0].word, "peach");
    }

    #[test]
    fn build_chunk_meta() {
        let chunks = chunk_index(test_words(), 8);
        let meta = chunk_meta(&chunks);
        assert_eq!(meta.len(), 3);
        assert_eq!(
            meta[0],
            MetaChunk {
                from: "apple".into(),
                to: "apple".into(), // Not trimmed to "app" since that would make to < from
                hash: "".into(),
            }
        );
        assert_eq!(
            meta[1],
            MetaChunk {
                from: "apr".into(),
                to: "b".into(),
                hash: "".into(),
            }
        );
        assert_eq!(
            meta[2],
            MetaChunk {
                from: "p".into(),
                to: "peach".into(),
                hash: "".into(),
            }
        );
    }

    #[test]
    fn common_prefix() {
        assert_eq!(
            get_prefixes(("apple", "apricot")),
            ("app".into(), "apr".into())
        );
        assert_eq!(
            get_prefixes(("cataraman", "yacht")),
            ("c".into(), "y".into())
        );
        assert_eq!(
            get_prefixes(("cath", "cathartic")),
            ("cath".into(), "catha".into())
        );
        // This should be an invalid state, but just in case:
        assert_eq!(
            get_prefixes(("catha", "cath")),
            ("catha".into(), "cath".into())
        );
    }
}
