//! Stage 2 of the pipeline: give the loaded text its meaning, or say exactly why not.
//!
//! Each file is parsed into a typed entry; every reference (region, domain, source) is
//! resolved to an id; duplicates are found. All problems across all files are collected
//! before anything is returned, so an editor fixes everything in one round.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use toml::Spanned;

use crate::characters;
use crate::config::{BaseUrl, SiteConfig};
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, SourceFile};
use crate::load::{LoadedSite, MarkdownFile, DOMAINS_FILE, REGIONS_FILE, SOURCES_FILE};
use crate::markdown;
use memo::{Checked, FileMemo};
mod dates;
mod input_hints;
mod memo;
mod quotes;
mod services;
mod standards;

pub use dates::Day;

use crate::model::{
    BodyLink, BodyLinkKind, Content, Domain, DomainId, Figure, FigureKind, HomeIntro, Location,
    Pilot, PilotKind, Region, RegionId, Slug, Source, SourceId,
};

/// What the build was asked for that changes what is valid.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Keep `draft = true` pilots.
    pub drafts: bool,
    /// Overrides `base_url` from `config.toml`.
    pub base_url: Option<String>,
}

/// Checks the whole site. On success returns the content and any warnings; on failure,
/// every problem found (errors and warnings).
pub fn validate(
    loaded: &LoadedSite,
    options: &ValidateOptions,
) -> Result<(Content, Diagnostics), Diagnostics> {
    validate_remembering(loaded, options, None)
}

/// The checks of single files from earlier builds, for `serve` to keep between edits.
#[derive(Default)]
pub struct Memo {
    pilots: FileMemo<CheckedPilot>,
    standards: FileMemo<crate::model::PilotStandards>,
    services: FileMemo<services::CheckedServices>,
}

/// [`validate`], taking from `memo` the check of every file whose text and shared inputs
/// are unchanged since it was made, and remembering the checks made now. The checks
/// across files (unique slugs, rows and codes) are made again every time.
pub fn validate_remembering(
    loaded: &LoadedSite,
    options: &ValidateOptions,
    mut memo: Option<&mut Memo>,
) -> Result<(Content, Diagnostics), Diagnostics> {
    let mut problems = Diagnostics::new();
    let config = parse_file::<SiteConfig>(&loaded.config, &mut problems);
    let base_url = config
        .as_ref()
        .and_then(|c| check_base_url(c, options, &loaded.config, &mut problems));
    if let Some(config) = &config {
        check_config_urls(config, &loaded.config, &mut problems);
    }
    let regions = check_regions(&loaded.regions, &mut problems);
    let domains = check_domains(&loaded.domains, &mut problems);
    let sources = check_sources(&loaded.sources, &mut problems);
    let mut body_links = Vec::new();
    let home = loaded
        .home
        .as_ref()
        .map(|home| check_home(home, &mut body_links, &mut problems));

    let texts = quotes::SourceTexts::new(&sources, &loaded.source_texts);
    let refs = References::new(&regions, &domains, &sources, &texts);
    let today = Day::today();
    let mut pilots = Vec::new();
    let mut slugs: FxHashMap<Slug, (SourceFile, Range<usize>)> = FxHashMap::default();
    let mut rows: FxHashMap<u32, SourceFile> = FxHashMap::default();
    // What every pilot check reads besides its own file.
    let mut inputs = vec![
        Arc::clone(&loaded.regions.text),
        Arc::clone(&loaded.domains.text),
        Arc::clone(&loaded.sources.text),
        Arc::from(today.to_string()),
    ];
    // Quotes are checked against the source texts.
    inputs.extend(loaded.source_texts.iter().map(|f| Arc::clone(&f.text)));
    let pilot_memo = memo.as_deref_mut().map(|m| &mut m.pilots);
    let checked = check_each(
        &loaded.pilots,
        remember(pilot_memo, &inputs),
        |file| &file.file,
        &mut problems,
        |file, problems| check_pilot(file, &refs, today, problems),
    );
    for (file, checked) in loaded.pilots.iter().zip(checked) {
        if let Some((pilot, slug_span, links)) = checked {
            check_unique_slug(
                &pilot.slug,
                &file.file,
                slug_span,
                &mut slugs,
                &mut problems,
            );
            check_unique_rows(&pilot, file, &mut rows, &mut problems);
            if options.drafts || !pilot.draft {
                body_links.extend(links.on_page(&format!("pilots/{}/index.html", pilot.slug)));
                pilots.push(pilot);
            }
        }
    }

    let pilot_slugs: FxHashMap<&str, ()> = loaded
        .pilots
        .iter()
        .filter_map(|p| p.file.path.file_stem().and_then(|s| s.to_str()))
        .map(|s| (s, ()))
        .collect();
    let mut standard_slugs: FxHashMap<String, String> = FxHashMap::default();
    let mut pilot_standards = Vec::new();
    let mut stems: Vec<&str> = pilot_slugs.keys().copied().collect();
    stems.sort_unstable();
    inputs.push(Arc::from(stems.join("\n")));
    let standards_memo = memo.as_deref_mut().map(|m| &mut m.standards);
    let checked = check_each(
        &loaded.standards,
        remember(standards_memo, &inputs),
        |file| file,
        &mut problems,
        |file, problems| {
            standards::check_standards_file(file, &pilot_slugs, &refs, today, problems)
        },
    );
    for (file, checked) in loaded.standards.iter().zip(checked) {
        if let Some(checked) = checked {
            check_standard_slugs(&checked, file, &mut standard_slugs, &mut problems);
            pilot_standards.push(checked);
        }
    }

    inputs.extend(loaded.standards.iter().map(|f| Arc::clone(&f.text)));
    let services_memo = remember(memo.map(|m| &mut m.services), &inputs);
    let pilot_services = check_all_services(
        loaded,
        &pilot_slugs,
        &domains,
        &pilot_standards,
        &refs,
        services_memo,
        &mut problems,
    );

    match (config, base_url) {
        (Some(config), Some(base_url)) if !problems.has_errors() => Ok((
            Content {
                config,
                base_url,
                regions,
                domains,
                sources,
                pilots,
                pilot_standards,
                pilot_services,
                home: home.unwrap_or_default(),
                body_links,
            },
            problems,
        )),
        _ => Err(problems),
    }
}

/// A memo of one kind of file, emptied first if the shared inputs have changed.
fn remember<'m, T>(
    memo: Option<&'m mut FileMemo<T>>,
    inputs: &[Arc<str>],
) -> Option<&'m mut FileMemo<T>> {
    let memo = memo?;
    memo.keep_if_inputs_are(inputs.to_vec());
    Some(memo)
}

/// Checks every file on its own in parallel, each with diagnostics of its own, and
/// gathers results and diagnostics in file order, so the report is the one a single
/// thread would give. Checks across files (unique slugs) come after, in that order.
/// With a memo, a file checked before on the same text is not checked again.
fn check_each<'f, F: Sync, T: Clone + Send + Sync>(
    files: &'f [F],
    memo: Option<&mut FileMemo<T>>,
    source: impl Fn(&'f F) -> &'f SourceFile + Sync,
    problems: &mut Diagnostics,
    check: impl Fn(&'f F, &mut Diagnostics) -> Option<T> + Sync,
) -> Vec<Option<T>> {
    let fresh = |file: &'f F| {
        let mut own = Diagnostics::new();
        (check(file, &mut own), own)
    };
    let checked: Vec<(Option<T>, Diagnostics)> = match memo {
        None => files.par_iter().map(fresh).collect(),
        Some(memo) => {
            let checks: Vec<Checked<T>> = files
                .par_iter()
                .map(|file| {
                    memo.get(source(file))
                        .unwrap_or_else(|| Arc::new(fresh(file)))
                })
                .collect();
            memo.replace(files.iter().map(&source).zip(checks.iter().cloned()));
            checks
                .par_iter()
                .map(|c| (c.0.clone(), c.1.clone()))
                .collect()
        }
    };
    checked
        .into_iter()
        .map(|(result, own)| {
            problems.append(own);
            result
        })
        .collect()
}

/// Parses a TOML text into `T`, reporting the parser's problem at its place.
fn parse_toml<T: DeserializeOwned>(
    file: &SourceFile,
    range: Range<usize>,
    problems: &mut Diagnostics,
) -> Option<T> {
    let text = &file.text[range.clone()];
    if may_escape_a_control(text) {
        refuse_escaped_controls(file, range.start, text, problems);
    }
    match toml::from_str::<T>(text) {
        Ok(value) => Some(value),
        Err(err) => {
            let span = err
                .span()
                .map(|s| range.start + s.start..range.start + s.end)
                .unwrap_or(range.start..range.start);
            problems.push(toml_diagnostic(file, span, err.message()));
            None
        }
    }
}

/// Whether the TOML has an escape that can stand for a control character (`\u0000`,
/// `\b`, `\e` …); raw ones were refused when the file was read. A cheap scan, so that
/// only such files are parsed a second time, with spans, by [`refuse_escaped_controls`].
fn may_escape_a_control(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\\' && matches!(w[1], b'u' | b'U' | b'b' | b'f' | b'e'))
}

/// Every string value or key whose decoded text holds a refused character, located.
fn refuse_escaped_controls(
    file: &SourceFile,
    offset: usize,
    text: &str,
    problems: &mut Diagnostics,
) {
    use toml::de::{DeTable, DeValue};
    fn walk(value: &Spanned<DeValue>, found: &mut Vec<(Range<usize>, char)>) {
        match value.get_ref() {
            DeValue::String(s) => {
                if let Some(c) = s.chars().find(|&c| characters::is_forbidden(c)) {
                    found.push((value.span(), c));
                }
            }
            DeValue::Array(items) => items.iter().for_each(|v| walk(v, found)),
            DeValue::Table(table) => walk_table(table, found),
            _ => {}
        }
    }
    fn walk_table(table: &DeTable, found: &mut Vec<(Range<usize>, char)>) {
        for (key, value) in table {
            if let Some(c) = key.get_ref().chars().find(|&c| characters::is_forbidden(c)) {
                found.push((key.span(), c));
            }
            walk(value, found);
        }
    }
    // A syntax error is reported by the typed parse that follows.
    let Ok(table) = DeTable::parse(text) else {
        return;
    };
    let mut found = Vec::new();
    walk_table(table.get_ref(), &mut found);
    for (span, c) in found {
        problems.push(
            Diagnostic::error(
                file,
                shift(span, offset),
                format!(
                    "this text holds an invisible control character {}",
                    characters::describe(c)
                ),
            )
            .expected("visible text; write a line break as a new line in a \"\"\"…\"\"\" string")
            .hint("delete the \\u… escape"),
        );
    }
}

pub(crate) fn parse_file<T: DeserializeOwned>(
    file: &SourceFile,
    problems: &mut Diagnostics,
) -> Option<T> {
    parse_toml(file, 0..file.text.len(), problems)
}

/// Turns serde's wording into an editor's: what was found, what was expected, a guess.
fn toml_diagnostic(file: &SourceFile, span: Range<usize>, message: &str) -> Diagnostic {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return Diagnostic::error(file, span, format!("unknown key `{field}`"))
            .expected(format!("one of {}", backticked(&candidates)))
            .hint_opt(did_you_mean(field, candidates.iter().copied()));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return Diagnostic::error(file, span, format!("missing required key `{field}`"))
            .expected(format!("`{field} = …` in this table"));
    }
    let hint = input_hints::input_method_hint(file, span.start, message);
    if message.starts_with("invalid type") {
        return Diagnostic::error(file, span, format!("wrong type: {message}")).hint_opt(hint);
    }
    Diagnostic::error(file, span, format!("invalid TOML: {message}")).hint_opt(hint)
}

pub(crate) fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_base_url(
    config: &SiteConfig,
    options: &ValidateOptions,
    file: &SourceFile,
    problems: &mut Diagnostics,
) -> Option<BaseUrl> {
    let url = options.base_url.as_deref().unwrap_or(&config.base_url);
    match BaseUrl::parse(url) {
        Ok(base) => Some(base),
        Err(message) => {
            let span = find_span(&file.text, "base_url");
            problems.push(
                Diagnostic::error(file, span, format!("invalid base URL: {message}"))
                    .expected("an absolute URL such as https://example.gov.cn/bps/"),
            );
            None
        }
    }
}

/// The addresses `config.toml` puts into every page follow the rule body links follow,
/// so that `javascript:` cannot reach the footer of every page.
fn check_config_urls(config: &SiteConfig, file: &SourceFile, problems: &mut Diagnostics) {
    let Some(url) = &config.footer.feedback_url else {
        return;
    };
    if !markdown::is_allowed_url(url) {
        let span = find_span(&file.text, "feedback_url");
        problems.push(
            Diagnostic::error(file, span, format!("feedback_url `{url}` is not allowed"))
                .expected("an https://, http:// or mailto: address, or a site path like /about/"),
        );
    }
}

fn find_span(text: &str, needle: &str) -> Range<usize> {
    text.find(needle).map_or(0..0, |i| i..i + needle.len())
}

pub(crate) fn parse_slug(
    value: &Spanned<String>,
    file: &SourceFile,
    offset: usize,
    problems: &mut Diagnostics,
) -> Option<Slug> {
    match Slug::parse(value.get_ref()) {
        Ok(slug) => Some(slug),
        Err(message) => {
            problems.push(
                Diagnostic::error(file, shift(value.span(), offset), message).expected(
                    "lowercase ASCII letters, digits and single hyphens, e.g. `chengdu-gaoxin`",
                ),
            );
            None
        }
    }
}

fn shift(span: Range<usize>, offset: usize) -> Range<usize> {
    span.start + offset..span.end + offset
}

// ---------------------------------------------------------------- regions

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    region: Vec<RegionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionEntry {
    slug: Spanned<String>,
    name: Spanned<String>,
    full_name: Spanned<String>,
    code: Spanned<String>,
    order: u32,
    tile: Spanned<(u32, u32)>,
}

fn check_regions(file: &SourceFile, problems: &mut Diagnostics) -> Vec<Region> {
    let Some(parsed) = parse_file::<RegionsFile>(file, problems) else {
        return Vec::new();
    };
    if parsed.region.is_empty() {
        problems.push(
            Diagnostic::error(file, 0..0, "no region is defined")
                .expected("[[region]] tables with slug, name, full_name, code and tile"),
        );
    }
    let mut seen = Unique::new(file, "region");
    let mut codes = Unique::new(file, "GB/T 2260 code");
    let mut tiles = Unique::new(file, "tile");
    let mut regions = Vec::new();
    let ctx = EntryContext { file, offset: 0 };
    for entry in parsed.region {
        let slug = parse_slug(&entry.slug, file, 0, problems);
        let name = required_text(&entry.name, "name", &ctx, problems);
        let full_name = required_text(&entry.full_name, "full_name", &ctx, problems);
        let code = entry.code.get_ref();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(
                Diagnostic::error(
                    file,
                    entry.code.span(),
                    format!("`{code}` is not a GB/T 2260 code"),
                )
                .expected("six digits, e.g. \"510000\""),
            );
        }
        codes.check(code.clone(), entry.code.span(), problems);
        let (row, col) = *entry.tile.get_ref();
        if !(1..=12).contains(&row) || !(1..=12).contains(&col) {
            problems.push(
                Diagnostic::error(file, entry.tile.span(), "tile position out of the map")
                    .expected("[row, column], each from 1 to 12"),
            );
        }
        tiles.check(format!("{row},{col}"), entry.tile.span(), problems);
        if let Some(slug) = slug {
            seen.check(slug.to_string(), entry.slug.span(), problems);
            regions.push(Region {
                slug,
                name,
                full_name,
                code: code.clone(),
                order: entry.order,
                tile: (row, col),
            });
        }
    }
    regions.sort_by_key(|r| r.order);
    regions
}

/// Reports the second and later occurrence of a key, pointing back at the first.
struct Unique<'a> {
    file: &'a SourceFile,
    what: &'static str,
    seen: BTreeMap<String, usize>,
}

impl<'a> Unique<'a> {
    fn new(file: &'a SourceFile, what: &'static str) -> Self {
        Unique {
            file,
            what,
            seen: BTreeMap::new(),
        }
    }

    fn check(&mut self, key: String, span: Range<usize>, problems: &mut Diagnostics) {
        if let Some(&first) = self.seen.get(&key) {
            let (line, _) = self.file.line_col(first);
            problems.push(
                Diagnostic::error(self.file, span, format!("duplicate {} `{key}`", self.what))
                    .expected(format!(
                        "each {} once; first defined on line {line}",
                        self.what
                    )),
            );
        } else {
            self.seen.insert(key, span.start);
        }
    }
}

// ---------------------------------------------------------------- domains

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainsFile {
    domain: Vec<DomainEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainEntry {
    slug: Spanned<String>,
    name: Spanned<String>,
    order: u32,
    description: String,
    #[serde(default)]
    categories: Vec<String>,
}

fn check_domains(file: &SourceFile, problems: &mut Diagnostics) -> Vec<Domain> {
    let Some(parsed) = parse_file::<DomainsFile>(file, problems) else {
        return Vec::new();
    };
    let mut slugs = Unique::new(file, "domain slug");
    let mut names = Unique::new(file, "domain name");
    let mut domains = Vec::new();
    for entry in parsed.domain {
        names.check(entry.name.get_ref().clone(), entry.name.span(), problems);
        if let Some(slug) = parse_slug(&entry.slug, file, 0, problems) {
            slugs.check(slug.to_string(), entry.slug.span(), problems);
            domains.push(Domain {
                slug,
                name: entry.name.into_inner(),
                order: entry.order,
                description: entry.description,
                categories: entry.categories,
            });
        }
    }
    domains.sort_by_key(|d| d.order);
    domains
}

// ---------------------------------------------------------------- sources

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    source: Vec<SourceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceEntry {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    short_title: Option<String>,
    #[serde(default)]
    publisher: Option<String>,
    #[serde(default)]
    date: Option<String>,
    period: String,
    #[serde(default)]
    primary: Option<Spanned<bool>>,
}

fn check_sources(file: &SourceFile, problems: &mut Diagnostics) -> Vec<Source> {
    let Some(parsed) = parse_file::<SourcesFile>(file, problems) else {
        return Vec::new();
    };
    let mut ids = Unique::new(file, "source id");
    let mut primary = Unique::new(file, "primary source");
    let mut sources = Vec::new();
    for entry in parsed.source {
        let is_primary = entry.primary.as_ref().is_some_and(|p| *p.get_ref());
        if let Some(flag) = entry.primary.as_ref().filter(|_| is_primary) {
            primary.check("primary = true".into(), flag.span(), problems);
        }
        if let Some(id) = parse_slug(&entry.id, file, 0, problems) {
            ids.check(id.to_string(), entry.id.span(), problems);
            sources.push(Source {
                id,
                short_title: non_empty(&entry.short_title).unwrap_or_else(|| entry.title.clone()),
                title: entry.title,
                publisher: entry.publisher,
                date: entry.date,
                period: entry.period,
                primary: is_primary,
            });
        }
    }
    sources
}

// ---------------------------------------------------------------- home

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct HomeFrontMatter {
    #[serde(default)]
    title: Option<String>,
}

fn check_home(
    file: &MarkdownFile,
    links: &mut Vec<BodyLink>,
    problems: &mut Diagnostics,
) -> HomeIntro {
    let front: HomeFrontMatter =
        parse_toml(&file.file, file.front_matter.clone(), problems).unwrap_or_default();
    links.extend(check_body(file, problems).on_page("index.html"));
    HomeIntro {
        title: front.title,
        body: file.body_text().to_string(),
    }
}

/// The site links of one body, before the page it renders onto is known.
#[derive(Clone)]
struct BodySiteLinks {
    file: MarkdownFile,
    links: Vec<markdown::SiteLink>,
    heading_ids: Vec<markdown::SiteLink>,
}

impl BodySiteLinks {
    fn on_page(self, page: &str) -> Vec<BodyLink> {
        let file = &self.file;
        let link = |link: markdown::SiteLink, kind| BodyLink {
            file: file.file.clone(),
            span: shift(link.span, file.body.start),
            target: link.target,
            page: page.to_string(),
            kind,
        };
        let links = self.links.into_iter().map(|l| link(l, BodyLinkKind::Link));
        let ids = self
            .heading_ids
            .into_iter()
            .map(|l| link(l, BodyLinkKind::OwnHeading));
        links.chain(ids).collect()
    }
}

/// The largest Markdown body: about 340,000 Chinese characters, far past any page a
/// resident reads on a phone (the longest bundled body is a few KiB). A larger one is
/// almost surely a pasted document, and would make one page of megabytes.
const MAX_BODY_BYTES: usize = 1024 * 1024;

fn check_body(file: &MarkdownFile, problems: &mut Diagnostics) -> BodySiteLinks {
    let body = file.body_text();
    if body.trim().is_empty() {
        problems.push(
            Diagnostic::warning(
                &file.file,
                file.body.start..file.body.start,
                "the body is empty",
            )
            .expected("a summary in Markdown after the closing `+++`"),
        );
    }
    if body.len() > MAX_BODY_BYTES {
        problems.push(
            Diagnostic::error(
                &file.file,
                file.body.start..file.body.start,
                format!(
                    "the body is {} KiB, more than the {} KiB a page may have",
                    body.len() / 1024,
                    MAX_BODY_BYTES / 1024
                ),
            )
            .expected("a summary of the pilot; put long documents under static/ and link them"),
        );
        return BodySiteLinks {
            file: file.clone(),
            links: Vec::new(),
            heading_ids: Vec::new(),
        };
    }
    let inspection = markdown::inspect(body);
    for problem in inspection.problems {
        problems.push(
            Diagnostic::error(
                &file.file,
                shift(problem.span, file.body.start),
                problem.message,
            )
            .expected(problem.expected),
        );
    }
    BodySiteLinks {
        file: file.clone(),
        links: inspection.site_links,
        heading_ids: inspection.heading_ids,
    }
}

// ---------------------------------------------------------------- pilots

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PilotFrontMatter {
    title: Spanned<String>,
    slug: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    domains: Option<Spanned<Vec<Spanned<String>>>>,
    summary: Spanned<String>,
    updated: Spanned<toml::value::Datetime>,
    sources: Vec<Spanned<String>>,
    #[serde(default)]
    draft: bool,
    locations: Spanned<Vec<LocationEntry>>,
    #[serde(default)]
    figures: Vec<FigureEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocationEntry {
    region: Spanned<String>,
    /// Only where a source names it: a parent city from general knowledge is no fact.
    #[serde(default)]
    city: Option<Spanned<String>>,
    #[serde(default)]
    county: Option<String>,
    lead_unit: Spanned<String>,
    #[serde(default)]
    evaluation_row: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FigureEntry {
    key: Spanned<String>,
    value: Spanned<f64>,
    source: Spanned<String>,
    #[serde(default)]
    display: Option<String>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    /// The source's exact words the figure rests on, checked against its text.
    #[serde(default)]
    quote: Option<Spanned<String>>,
}

/// Name → id lookups for everything a pilot may refer to.
pub(crate) struct References<'a> {
    regions: FxHashMap<&'a str, RegionId>,
    domains: FxHashMap<&'a str, DomainId>,
    pub(crate) sources: FxHashMap<&'a str, SourceId>,
    primary_source: Option<SourceId>,
    all_domains: Vec<DomainId>,
    texts: &'a quotes::SourceTexts,
}

impl<'a> References<'a> {
    /// The id of a source named in an entry, or a diagnostic with the nearest id.
    pub(crate) fn source(
        &self,
        name: &Spanned<String>,
        ctx: &EntryContext,
        problems: &mut Diagnostics,
    ) -> Option<SourceId> {
        resolve(&self.sources, name, "source", SOURCES_FILE, ctx, problems)
    }

    fn new(
        regions: &'a [Region],
        domains: &'a [Domain],
        sources: &'a [Source],
        texts: &'a quotes::SourceTexts,
    ) -> Self {
        References {
            regions: regions
                .iter()
                .enumerate()
                .map(|(i, r)| (r.slug.as_str(), RegionId(i)))
                .collect(),
            domains: domains
                .iter()
                .enumerate()
                .map(|(i, d)| (d.name.as_str(), DomainId(i)))
                .collect(),
            sources: sources
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.as_str(), SourceId(i)))
                .collect(),
            primary_source: sources.iter().position(|s| s.primary).map(SourceId),
            all_domains: (0..domains.len()).map(DomainId).collect(),
            texts,
        }
    }
}

/// Resolves `name` in `table`, or reports it as unknown with the nearest match.
pub(crate) fn resolve<T: Copy>(
    table: &FxHashMap<&str, T>,
    name: &Spanned<String>,
    what: &str,
    defined_in: &str,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<T> {
    if let Some(&id) = table.get(name.get_ref().as_str()) {
        return Some(id);
    }
    // The defining file failed to parse, and said so: an "unknown region" for every
    // pilot would bury that one error under dozens that follow from it.
    if table.is_empty() {
        return None;
    }
    let mut candidates: Vec<&str> = table.keys().copied().collect();
    candidates.sort_unstable();
    problems.push(
        Diagnostic::error(
            ctx.file,
            ctx.span(name),
            format!("unknown {what} `{}`", name.get_ref()),
        )
        .expected(format!("one of the {what}s defined in {defined_in}"))
        .hint_opt(did_you_mean(name.get_ref(), candidates)),
    );
    None
}

/// The file a pilot comes from and where its front matter starts in it.
pub(crate) struct EntryContext<'a> {
    pub(crate) file: &'a SourceFile,
    pub(crate) offset: usize,
}

impl EntryContext<'_> {
    pub(crate) fn span<T>(&self, value: &Spanned<T>) -> Range<usize> {
        shift(value.span(), self.offset)
    }

    pub(crate) fn error<T>(&self, value: &Spanned<T>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.file, self.span(value), message)
    }
}

/// A checked pilot, the place of its slug (for duplicate reports) and its body's links.
type CheckedPilot = (Pilot, Range<usize>, BodySiteLinks);

fn check_pilot(
    file: &MarkdownFile,
    refs: &References,
    today: Day,
    problems: &mut Diagnostics,
) -> Option<CheckedPilot> {
    let before = problems.error_count();
    let links = check_body(file, problems);
    let front: PilotFrontMatter = parse_toml(&file.file, file.front_matter.clone(), problems)?;
    let ctx = EntryContext {
        file: &file.file,
        offset: file.front_matter.start,
    };

    let slug = parse_slug(&front.slug, &file.file, ctx.offset, problems);
    check_matches_file_name("slug", &front.slug, &ctx, problems);
    let title = required_text(&front.title, "title", &ctx, problems);
    let summary = required_text(&front.summary, "summary", &ctx, problems);
    let kind = check_kind(&front.kind, &ctx, problems);
    let domains = kind
        .and_then(|kind| check_pilot_domains(kind, front.domains.as_ref(), refs, &ctx, problems));
    let updated = check_date(&front.updated, &ctx, problems);
    if let Some(updated) = &updated {
        dates::warn_if_future(
            updated,
            ctx.span(&front.updated),
            "`updated`",
            "the day this entry was last edited, today or earlier",
            today,
            &ctx,
            problems,
        );
    }
    let sources: Vec<SourceId> = front
        .sources
        .iter()
        .filter_map(|s| refs.source(s, &ctx, problems))
        .collect();
    let locations = check_locations(&front.locations, refs, &ctx, problems);
    let figures = check_figures(&front.figures, refs, &ctx, problems);

    if problems.error_count() > before {
        return None;
    }
    Some((
        Pilot {
            slug: slug?,
            title,
            kind: kind?,
            domains: domains?,
            summary,
            updated: updated?,
            sources,
            draft: front.draft,
            locations,
            figures,
            body: file.body_text().to_string(),
        },
        ctx.span(&front.slug),
        links,
    ))
}

/// A title without surrounding space and 《》, as editors often paste them.
pub(crate) fn bare_title(title: &str) -> String {
    title
        .trim()
        .trim_start_matches('《')
        .trim_end_matches('》')
        .to_string()
}

/// One of a fixed set of Chinese names, or a diagnostic with the nearest.
pub(crate) fn one_of<'a>(
    value: &Spanned<String>,
    choices: &[&'a str],
    what: &str,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<&'a str> {
    let found = choices.iter().copied().find(|c| *c == value.get_ref());
    if found.is_none() {
        problems.push(
            ctx.error(value, format!("unknown {what} `{}`", value.get_ref()))
                .expected(format!("one of {}", backticked(choices)))
                .hint_opt(did_you_mean(value.get_ref(), choices.iter().copied())),
        );
    }
    found
}

/// A per-pilot file (`content/standards/x.toml`, `content/services/x.toml`) names an
/// existing pilot, and is named after it.
pub(crate) fn check_pilot_of_file(
    pilot: &Spanned<String>,
    pilots: &FxHashMap<&str, ()>,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) {
    resolve(pilots, pilot, "pilot", "content/pilots/", ctx, problems);
    check_matches_file_name("pilot", pilot, ctx, problems);
}

/// A file named differently from the entry's key makes editors look in the wrong place.
pub(crate) fn check_matches_file_name(
    key: &str,
    value: &Spanned<String>,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) {
    let path = &ctx.file.path;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let ext = path.extension().and_then(|s| s.to_str()).unwrap_or("");
    let value_text = value.get_ref();
    if stem != value_text {
        problems.push(
            ctx.error(
                value,
                format!("{key} `{value_text}` does not match the file name `{stem}.{ext}`"),
            )
            .expected(format!(
                "{key} = \"{stem}\", or rename the file to {value_text}.{ext}"
            )),
        );
    }
}

fn check_kind(
    kind: &Spanned<String>,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<PilotKind> {
    let names = PilotKind::ALL.map(PilotKind::name);
    one_of(kind, &names, "pilot kind", ctx, problems).and_then(PilotKind::from_name)
}

fn check_pilot_domains(
    kind: PilotKind,
    domains: Option<&Spanned<Vec<Spanned<String>>>>,
    refs: &References,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<Vec<DomainId>> {
    match (kind, domains) {
        (PilotKind::Comprehensive, None) => Some(refs.all_domains.clone()),
        (PilotKind::Comprehensive, Some(list)) => {
            problems.push(
                ctx.error(
                    list,
                    "综合试点 cover all nine domains; `domains` must not be given",
                )
                .expected("no `domains` key for a 综合试点"),
            );
            None
        }
        (_, None) => {
            let at = Spanned::new(0..0, ());
            problems.push(
                ctx.error(
                    &at,
                    format!("missing required key `domains` for a {}", kind.name()),
                )
                .expected("domains = [\"老有所养\"] (one or more domain names)"),
            );
            None
        }
        (_, Some(list)) if list.get_ref().is_empty() => {
            problems.push(
                ctx.error(list, "`domains` is empty")
                    .expected("at least one domain name"),
            );
            None
        }
        (_, Some(list)) => {
            let mut ids = Vec::new();
            for name in list.get_ref() {
                let id = resolve(&refs.domains, name, "domain", DOMAINS_FILE, ctx, problems)?;
                if ids.contains(&id) {
                    problems.push(
                        ctx.error(name, format!("domain `{}` is listed twice", name.get_ref())),
                    );
                }
                ids.push(id);
            }
            ids.sort();
            ids.dedup();
            Some(ids)
        }
    }
}

fn check_date(
    value: &Spanned<toml::value::Datetime>,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<String> {
    let datetime = value.get_ref();
    match (datetime.date, datetime.time) {
        // The entries were written in this century; `0000-01-01` is a slip, and a feed
        // or sitemap would publish it.
        (Some(date), None) if date.year < 2000 => {
            problems.push(
                ctx.error(value, format!("`{datetime}` is before the year 2000"))
                    .expected("the date this entry was last updated, e.g. updated = 2026-11-23"),
            );
            None
        }
        (Some(date), None) => Some(date.to_string()),
        _ => {
            problems.push(
                ctx.error(value, format!("`{datetime}` is not a plain date"))
                    .expected("a date without time, e.g. updated = 2026-11-23"),
            );
            None
        }
    }
}

fn check_locations(
    locations: &Spanned<Vec<LocationEntry>>,
    refs: &References,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Vec<Location> {
    if locations.get_ref().is_empty() {
        problems.push(
            ctx.error(locations, "a pilot needs at least one location")
                .expected("a [[locations]] table with region, city and lead_unit"),
        );
    }
    let mut seen_regions = BTreeSet::new();
    let mut checked = Vec::new();
    for entry in locations.get_ref() {
        let city = entry
            .city
            .as_ref()
            .map(|city| required_text(city, "city", ctx, problems));
        let county = entry
            .county
            .as_ref()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if city.is_none() && county.is_none() {
            problems.push(
                ctx.error(
                    &entry.region,
                    "a location names neither `city` nor `county`",
                )
                .expected("the city or county the pilot is in, as a source names it"),
            );
        }
        let lead_unit = required_text(&entry.lead_unit, "lead_unit", ctx, problems);
        let Some(region) = resolve(
            &refs.regions,
            &entry.region,
            "region",
            REGIONS_FILE,
            ctx,
            problems,
        ) else {
            continue;
        };
        if !seen_regions.insert(region) {
            problems.push(
                ctx.error(
                    &entry.region,
                    format!("region `{}` has two locations", entry.region.get_ref()),
                )
                .expected("one [[locations]] table per region"),
            );
        }
        checked.push(Location {
            region,
            city,
            county,
            lead_unit,
            evaluation_row: entry.evaluation_row.as_ref().map(|r| *r.get_ref()),
        });
    }
    checked
}

fn check_figures(
    entries: &[FigureEntry],
    refs: &References,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Vec<Figure> {
    let mut seen: BTreeSet<(String, SourceId)> = BTreeSet::new();
    let mut figures = Vec::new();
    for entry in entries {
        let Some(kind) = check_figure_kind(&entry.key, ctx, problems) else {
            continue;
        };
        let Some(source) = refs.source(&entry.source, ctx, problems) else {
            continue;
        };
        let Some((label, unit)) = figure_label_and_unit(kind, entry, ctx, problems) else {
            continue;
        };
        let value = *entry.value.get_ref();
        if !value.is_finite() || value < 0.0 || (kind.is_percentage() && value > 100.0) {
            problems.push(
                ctx.error(
                    &entry.value,
                    format!("figure value {value} is out of range"),
                )
                .expected(if kind.is_percentage() {
                    "a percentage from 0 to 100"
                } else {
                    "a number ≥ 0"
                }),
            );
            continue;
        }
        if !seen.insert((label.clone(), source)) {
            problems.push(
                ctx.error(&entry.key, format!("figure `{label}` from source `{}` is given twice", entry.source.get_ref()))
                    .expected("one figure per key and source; a second value from the same document needs key = \"other\" with its own label"),
            );
            continue;
        }
        let quote = match &entry.quote {
            Some(quote) => {
                let id = entry.source.get_ref();
                let Some(found) = refs.texts.check(quote, source, id, ctx, problems) else {
                    continue;
                };
                Some(found)
            }
            None => None,
        };
        figures.push(Figure {
            kind,
            label,
            unit,
            value,
            display: non_empty(&entry.display),
            source,
            period: non_empty(&entry.period),
            note: non_empty(&entry.note),
            quote,
        });
    }
    order_figures(&mut figures, refs.primary_source);
    figures
}

/// A required text field, trimmed; blank is an error (scaffolds leave them `""`).
pub(crate) fn required_text(
    value: &Spanned<String>,
    what: &str,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> String {
    let text = value.get_ref().trim();
    if text.is_empty() {
        problems.push(
            ctx.error(value, format!("`{what}` is empty"))
                .expected("some text"),
        );
    }
    text.to_string()
}

pub(crate) fn non_empty(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn check_figure_kind(
    key: &Spanned<String>,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<FigureKind> {
    let keys = FigureKind::ALL.map(FigureKind::key);
    one_of(key, &keys, "figure key", ctx, problems).and_then(FigureKind::from_key)
}

/// `other` figures bring their own label and unit; the named kinds must not.
fn figure_label_and_unit(
    kind: FigureKind,
    entry: &FigureEntry,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<(String, String)> {
    let label = non_empty(&entry.label);
    let unit = non_empty(&entry.unit);
    match (kind.label_and_unit(), label, unit) {
        (Some((l, u)), None, None) => Some((l.to_string(), u.to_string())),
        (Some(_), _, _) => {
            problems.push(
                ctx.error(
                    &entry.key,
                    format!(
                        "figure `{}` has its own label and unit",
                        entry.key.get_ref()
                    ),
                )
                .expected("`label` and `unit` only with key = \"other\""),
            );
            None
        }
        (None, Some(label), Some(unit)) => Some((label, unit)),
        (None, _, _) => {
            problems.push(
                ctx.error(
                    &entry.key,
                    "figure with key = \"other\" needs a `label` and a `unit`",
                )
                .expected("label = \"…\" and unit = \"…\" in this [[figures]] table"),
            );
            None
        }
    }
}

/// Page order: by kind (the enum's order), `other` figures grouped by label in the order
/// first written, and within a group the primary source first.
fn order_figures(figures: &mut [Figure], primary: Option<SourceId>) {
    let mut first_label_position: FxHashMap<String, usize> = FxHashMap::default();
    for (i, f) in figures.iter().enumerate() {
        first_label_position.entry(f.label.clone()).or_insert(i);
    }
    let positions: Vec<usize> = (0..figures.len()).collect();
    let mut keyed: Vec<(FigureKind, usize, bool, usize, Figure)> = figures
        .iter()
        .cloned()
        .zip(positions)
        .map(|(f, i)| {
            (
                f.kind,
                first_label_position[&f.label],
                Some(f.source) != primary,
                i,
                f,
            )
        })
        .collect();
    keyed.sort_by_key(|(kind, label_pos, not_primary, i, _)| (*kind, *label_pos, *not_primary, *i));
    for (slot, (_, _, _, _, figure)) in figures.iter_mut().zip(keyed) {
        *slot = figure;
    }
}

fn check_all_services(
    loaded: &LoadedSite,
    pilots: &FxHashMap<&str, ()>,
    domains: &[Domain],
    pilot_standards: &[crate::model::PilotStandards],
    refs: &References,
    memo: Option<&mut FileMemo<services::CheckedServices>>,
    problems: &mut Diagnostics,
) -> Vec<crate::model::PilotServices> {
    // An item may name a standard by code or by title; both lead to its identity.
    let standards: FxHashMap<String, FxHashMap<String, String>> = pilot_standards
        .iter()
        .map(|file| {
            let keys = file
                .standards
                .iter()
                .flat_map(|s| {
                    let by_title = (format!("《{}》", s.title), s.identity().to_string());
                    s.code_key()
                        .map(|code| (code.to_string(), s.identity().to_string()))
                        .into_iter()
                        .chain([by_title])
                })
                .collect();
            (file.pilot.to_string(), keys)
        })
        .collect();
    let context = services::ServiceContext {
        pilots,
        domains,
        standards: &standards,
    };
    let checked = check_each(
        &loaded.services,
        memo,
        |file| file,
        problems,
        |file, problems| services::check_services_file(file, &context, refs, problems),
    );
    let mut slugs = FxHashMap::default();
    loaded
        .services
        .iter()
        .zip(checked)
        .filter_map(|(file, checked)| {
            services::check_unique_slugs(file, checked?, &mut slugs, problems)
        })
        .collect()
}

/// Two different standards must not share a page: their slugs are compared across files.
fn check_standard_slugs(
    checked: &crate::model::PilotStandards,
    file: &SourceFile,
    seen: &mut FxHashMap<String, String>,
    problems: &mut Diagnostics,
) {
    for entry in &checked.standards {
        let identity = entry.identity();
        match seen.get(entry.slug()) {
            Some(other) if other != identity => {
                let needle = entry.raw_code.as_deref().unwrap_or(&entry.title);
                problems.push(
                    Diagnostic::error(
                        file,
                        find_span(&file.text, needle),
                        format!(
                            "`{identity}` and `{other}` would share the page /standards/{}/",
                            entry.slug()
                        ),
                    )
                    .expected("standard codes that differ in more than punctuation"),
                );
            }
            _ => {
                seen.insert(entry.slug().to_string(), identity.to_string());
            }
        }
    }
}

fn check_unique_slug(
    slug: &Slug,
    file: &SourceFile,
    span: Range<usize>,
    slugs: &mut FxHashMap<Slug, (SourceFile, Range<usize>)>,
    problems: &mut Diagnostics,
) {
    if let Some((first, first_span)) = slugs.get(slug) {
        let (line, _) = first.line_col(first_span.start);
        problems.push(
            Diagnostic::error(file, span, format!("duplicate pilot slug `{slug}`")).expected(
                format!(
                    "a slug no other pilot uses; `{slug}` is already used by {}:{line}",
                    first.display_path()
                ),
            ),
        );
    } else {
        slugs.insert(slug.clone(), (file.clone(), span));
    }
}

fn check_unique_rows(
    pilot: &Pilot,
    file: &MarkdownFile,
    rows: &mut FxHashMap<u32, SourceFile>,
    problems: &mut Diagnostics,
) {
    for row in pilot.locations.iter().filter_map(|l| l.evaluation_row) {
        if let Some(first) = rows.get(&row) {
            // The row as written, not a longer number it starts (`= 2` in `= 23`).
            let needle = format!("evaluation_row = {row}");
            let text = &file.file.text;
            let span = text
                .match_indices(&needle)
                .map(|(at, _)| at..at + needle.len())
                .find(|span| !text[span.end..].starts_with(|c: char| c.is_ascii_digit()))
                .unwrap_or(0..0);
            problems.push(
                Diagnostic::error(
                    &file.file,
                    span,
                    format!("evaluation row {row} is claimed twice"),
                )
                .expected(format!(
                    "each row of the evaluation table in one pilot; row {row} is also in {}",
                    first.display_path()
                )),
            );
        } else {
            rows.insert(row, file.file.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(kind: FigureKind, label: &str, source: usize) -> Figure {
        Figure {
            kind,
            label: label.to_string(),
            unit: "项".into(),
            value: 1.0,
            display: None,
            source: SourceId(source),
            period: None,
            note: None,
            quote: None,
        }
    }

    #[test]
    fn primary_source_first_within_a_kind() {
        let mut figures = vec![
            figure(FigureKind::StandardsTotal, "标准", 2),
            figure(FigureKind::ServiceItems, "事项", 1),
            figure(FigureKind::StandardsTotal, "标准", 0),
        ];
        order_figures(&mut figures, Some(SourceId(0)));
        let order: Vec<(FigureKind, usize)> =
            figures.iter().map(|f| (f.kind, f.source.0)).collect();
        assert_eq!(
            order,
            vec![
                (FigureKind::ServiceItems, 1),
                (FigureKind::StandardsTotal, 0),
                (FigureKind::StandardsTotal, 2)
            ]
        );
    }

    #[test]
    fn unknown_field_message_gets_a_hint() {
        let file = SourceFile::new("x.toml", "titel = 1\n");
        let d = toml_diagnostic(
            &file,
            0..5,
            "unknown field `titel`, expected one of `title`, `slug`",
        );
        assert_eq!(d.message, "unknown key `titel`");
        assert_eq!(d.expected.as_deref(), Some("one of `title`, `slug`"));
        assert_eq!(d.hint.as_deref(), Some("did you mean `title`?"));
    }
}
