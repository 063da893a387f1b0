//! Stage 4 of the pipeline: one Tera context per page, prepared entirely on the Rust
//! side (sorted lists, totals, links), so templates only lay things out.

mod data;
mod pager;
mod pilot_lists;
mod satisfaction;
mod search;
mod services;
mod standards;
mod templates;
mod who;

pub use templates::Templates;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::assets::Assets;
use crate::config::BaseUrl;
use crate::error::BuildError;
use crate::markdown;
use crate::model::{
    format_number, DomainId, FigureKind, Pilot, PilotId, PilotKind, RegionId, Site, Totals,
};
use crate::output::OutputFile;
use crate::progress::Progress;

/// Tera nests the useful part of its messages in `source()`.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// A page to render: its output path, its template and its own data. The data of the
/// numerous pages (pilots, standards, service lists) is made by the render thread just
/// before the page is rendered, so that the data of 100,000 pages is never held at once.
struct PageJob<'a> {
    path: String,
    template: &'static str,
    title: String,
    description: String,
    nav: &'static str,
    data: Box<dyn FnOnce() -> Result<serde_json::Value, BuildError> + Send + 'a>,
}

/// What the search index holds, one record per pilot, standard, service item,
/// demonstration site and region.
pub fn search_records(site: &Site) -> Vec<crate::search::SearchRecord> {
    Views::new(site).search_records()
}

/// Time spent on the pages of one template (making their data and rendering them), for
/// `build --timings`, as Hugo's `--templateMetrics` does.
#[derive(Debug, Clone)]
pub struct TemplateTiming {
    pub template: &'static str,
    pub pages: usize,
    pub total: Duration,
    /// The slowest page, and how long it took.
    pub slowest: (String, Duration),
}

/// Where each rendered file goes the moment it is ready (written, or kept in memory);
/// called from the render threads.
pub type FileSink<'a> = dyn Fn(OutputFile) -> Result<(), BuildError> + Sync + 'a;

/// Renders every page and data file of the site into `sink`, pages in parallel. No page
/// is kept once it is handed on, so memory does not grow with the size of the site.
/// Returns the time spent per template, the most first.
pub fn render_site(
    site: &Site,
    templates: &Templates,
    assets: &Assets,
    progress: &dyn Progress,
    sink: &FileSink,
) -> Result<Vec<TemplateTiming>, BuildError> {
    let rows = standards::ListedRows::new(templates, site.standards.len());
    let views = Views::rendering(site, &rows);
    let (jobs, who_items) = views.jobs();
    progress.stage("render", jobs.len());
    let pages = PageRenderer::new(site, templates, assets, progress, sink)?;
    // The data files are made beside the pages: one of them alone would keep a core
    // waiting before the first page renders.
    let (data_files, rendered) = rayon::join(
        || write_data_files(&views, &who_items, sink),
        || jobs.into_par_iter().try_for_each(|job| pages.render(job)),
    );
    data_files.and(rendered)?;
    Ok(pages.timings())
}

/// What `serve` asks of a site being rendered: the first of `paths` that is a page not
/// yet rendered is rendered now; `done` is told when the file is in the sink, or when
/// none of the paths is a file of the site.
pub struct PageRequest {
    pub paths: Vec<String>,
    pub done: mpsc::Sender<()>,
}

/// How many pages are rendered between two looks at the requests and the steering:
/// small enough that a request or an edit waits a millisecond or two, large enough to
/// keep every core busy.
const PAGES_BETWEEN_REQUESTS: usize = 8;
/// How often a paused render looks whether it may go on.
const PAUSED_LOOK: Duration = Duration::from_millis(5);
/// Open pages reload the moment a new version is ready: for this long only the pages
/// asked for are rendered, so that their requests do not share the cores with the rest.
const RELOAD_GRACE: Duration = Duration::from_millis(150);

/// How `serve` steers a render in the background: paused while an edit is read (the
/// edit gets the cores; pages asked for are still rendered), stopped when the edit
/// replaces it.
#[derive(Default)]
pub struct Steering {
    paused: AtomicBool,
    stopped: AtomicBool,
}

impl Steering {
    pub fn pause(&self) {
        self.paused.store(true, Ordering::Relaxed);
    }

    pub fn resume(&self) {
        self.paused.store(false, Ordering::Relaxed);
    }

    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }
}

/// Renders the site for `serve`: the pages `requests` ask for as soon as they are asked
/// for, and all the others in between, into `sink`. Returns `Ok(false)` if `steering`
/// stopped it (a newer edit) before every file was rendered.
pub fn render_on_request(
    site: &Site,
    templates: &Templates,
    assets: &Assets,
    requests: &mpsc::Receiver<PageRequest>,
    steering: &Steering,
    sink: &FileSink,
) -> Result<bool, BuildError> {
    let started = Instant::now();
    let rows = standards::ListedRows::new(templates, site.standards.len());
    let views = Views::rendering(site, &rows);
    let (jobs, who_items) = views.jobs();
    let pages = PageRenderer::new(site, templates, assets, &crate::NoProgress, sink)?;
    // In site order, taken from the end.
    let mut order: Vec<String> = jobs.iter().rev().map(|job| job.path.clone()).collect();
    let mut asked = AskedPages {
        pending: jobs
            .into_iter()
            .map(|job| (job.path.clone(), job))
            .collect(),
        waiting: Vec::new(),
        data_made: false,
    };
    loop {
        while let Ok(request) = requests.try_recv() {
            asked.answer(request, &pages)?;
        }
        if steering.stopped.load(Ordering::Relaxed) {
            return Ok(false);
        }
        if steering.paused.load(Ordering::Relaxed) || started.elapsed() < RELOAD_GRACE {
            if let Ok(request) = requests.recv_timeout(PAUSED_LOOK) {
                asked.answer(request, &pages)?;
            }
            continue;
        }
        let mut next = Vec::with_capacity(PAGES_BETWEEN_REQUESTS);
        while next.len() < PAGES_BETWEEN_REQUESTS {
            let Some(path) = order.pop() else { break };
            next.extend(asked.pending.remove(&path));
        }
        if asked.data_made && next.is_empty() {
            break;
        }
        let render_next = || next.into_par_iter().try_for_each(|job| pages.render(job));
        if asked.data_made {
            render_next()?;
        } else {
            let (data_files, rendered) =
                rayon::join(|| write_data_files(&views, &who_items, sink), render_next);
            data_files.and(rendered)?;
            asked.data_made = true;
            for request in asked.waiting.drain(..) {
                let _ = request.done.send(());
            }
        }
    }
    Ok(true)
}

/// The pages of a render on request not rendered yet, and the requests for other files.
struct AskedPages<'a> {
    pending: HashMap<String, PageJob<'a>>,
    /// Asked for files that are not pages: answered once the data files are made.
    waiting: Vec<PageRequest>,
    data_made: bool,
}

impl AskedPages<'_> {
    fn answer(&mut self, request: PageRequest, pages: &PageRenderer) -> Result<(), BuildError> {
        match request
            .paths
            .iter()
            .find_map(|path| self.pending.remove(path))
        {
            Some(job) => {
                pages.render(job)?;
                let _ = request.done.send(());
            }
            None if self.data_made => {
                let _ = request.done.send(());
            }
            None => self.waiting.push(request),
        }
        Ok(())
    }
}

fn write_data_files(
    views: &Views,
    who_items: &who::LazyWhoItems,
    sink: &FileSink,
) -> Result<(), BuildError> {
    let (files, who_data) = rayon::join(
        || views.data_files(),
        || views.who_data_files(views.gathered(who_items)),
    );
    // In parallel: with --precompress each file is also compressed as it is written.
    files?.into_par_iter().chain(who_data).try_for_each(sink)
}

/// Renders one page at a time from any thread, and keeps the time each template took.
struct PageRenderer<'a> {
    site: &'a Site,
    templates: &'a Templates,
    /// What every page shows, serialized once: every page's context holds a copy.
    common: serde_json::Value,
    progress: &'a dyn Progress,
    sink: &'a FileSink<'a>,
    timings: Mutex<HashMap<&'static str, TemplateTiming>>,
}

impl<'a> PageRenderer<'a> {
    fn new(
        site: &'a Site,
        templates: &'a Templates,
        assets: &Assets,
        progress: &'a dyn Progress,
        sink: &'a FileSink<'a>,
    ) -> Result<Self, BuildError> {
        let common = serde_json::to_value(CommonView::new(site, assets)?).map_err(|e| {
            BuildError::Template {
                template: "site".to_string(),
                message: e.to_string(),
            }
        })?;
        Ok(PageRenderer {
            site,
            templates,
            common,
            progress,
            sink,
            timings: Mutex::default(),
        })
    }

    fn render(&self, job: PageJob) -> Result<(), BuildError> {
        let started = Instant::now();
        let page = PageView {
            title: &job.title,
            description: &job.description,
            url: self.site.base_url.link(&job.path_url()),
            canonical: self.site.base_url.absolute(&job.path_url()),
            nav: job.nav,
        };
        // `from_value` moves the page data in, where `Context::insert` (and `json!`, which
        // calls `to_value` on each member) would copy it once more.
        let mut root = serde_json::Map::new();
        root.insert("site".to_string(), self.common.clone());
        root.insert(
            "page".to_string(),
            serde_json::to_value(page).expect("views serialize"),
        );
        root.insert("data".to_string(), (job.data)()?);
        let context = Context::from_value(serde_json::Value::Object(root)).map_err(|e| {
            BuildError::Template {
                template: job.template.to_string(),
                message: error_chain(&e),
            }
        })?;
        let html = self.templates.render_page(job.template, &context)?;
        drop(context);
        record_time(&self.timings, job.template, &job.path, started.elapsed());
        (self.sink)(OutputFile {
            path: job.path,
            bytes: html,
        })?;
        self.progress.step();
        Ok(())
    }

    /// Time per template, the most first.
    fn timings(self) -> Vec<TemplateTiming> {
        let mut timings: Vec<TemplateTiming> = self
            .timings
            .into_inner()
            .expect("a render thread panicked")
            .into_values()
            .collect();
        timings.sort_by(|a, b| b.total.cmp(&a.total).then(a.template.cmp(b.template)));
        timings
    }
}

fn record_time(
    timings: &Mutex<HashMap<&'static str, TemplateTiming>>,
    template: &'static str,
    path: &str,
    took: Duration,
) {
    let mut timings = timings.lock().expect("a render thread panicked");
    let timing = timings.entry(template).or_insert_with(|| TemplateTiming {
        template,
        pages: 0,
        total: Duration::ZERO,
        slowest: (String::new(), Duration::ZERO),
    });
    timing.pages += 1;
    timing.total += took;
    if took > timing.slowest.1 {
        timing.slowest = (path.to_string(), took);
    }
}

impl PageJob<'_> {
    /// The URL path of the page: `pilots/x/` for `pilots/x/index.html`.
    fn path_url(&self) -> String {
        self.path
            .strip_suffix("index.html")
            .unwrap_or(&self.path)
            .to_string()
    }
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: &'a str,
    url: String,
    canonical: String,
    nav: &'static str,
}

/// What every page shows: site facts, navigation, footer, asset URLs.
#[derive(Serialize)]
struct CommonView {
    title: String,
    description: String,
    language: String,
    base_path: String,
    base_url: String,
    home_url: String,
    css_url: String,
    js_url: String,
    search_js_url: String,
    who_js_url: String,
    footer: crate::config::FooterConfig,
    nav: Vec<NavItem>,
    extra: toml::Table,
}

#[derive(Serialize)]
struct NavItem {
    key: &'static str,
    label: &'static str,
    url: String,
}

impl CommonView {
    fn new(site: &Site, assets: &Assets) -> Result<CommonView, BuildError> {
        let base = &site.base_url;
        // Every page links these: a page must not point at a file the build did not write.
        let asset = |name: &str| match assets.names.get(name) {
            Some(path) => Ok(base.link(path)),
            None => Err(BuildError::Asset {
                path: format!("static/{name}"),
                message: "this file is missing, and every page links to it".to_string(),
            }),
        };
        let nav = [
            ("home", "首页", ""),
            ("regions", "地区", "regions/"),
            ("pilots", "试点", "pilots/"),
            ("domains", "服务领域", "domains/"),
            ("standards", "标准", "standards/"),
            ("liangbiao", "亮标惠民", "liangbiao/"),
        ]
        .into_iter()
        .map(|(key, label, path)| NavItem {
            key,
            label,
            url: base.link(path),
        })
        .collect();
        Ok(CommonView {
            title: site.config.title.clone(),
            description: site.config.description.clone(),
            language: site.config.language.clone(),
            base_path: base.path.clone(),
            base_url: base.absolute.clone(),
            home_url: base.link(""),
            css_url: asset("css/site.css")?,
            js_url: asset("js/site.js")?,
            search_js_url: asset("js/search.js")?,
            who_js_url: asset("js/who.js")?,
            footer: site.config.footer.clone(),
            nav,
            extra: site.config.extra.clone(),
        })
    }
}

/// Builds the view structs from the model; holds nothing but the site reference.
struct Views<'a> {
    site: &'a Site,
    base: &'a BaseUrl,
    /// Listing rows rendered once per standard, when rendering pages (not for search).
    listed_rows: Option<&'a standards::ListedRows<'a>>,
}

#[derive(Serialize, Clone)]
struct Link {
    name: String,
    url: String,
}

#[derive(Serialize, Clone)]
struct PilotCard {
    title: String,
    url: String,
    kind: &'static str,
    places: String,
    regions: Vec<Link>,
    domains: Vec<Link>,
    summary: String,
    standards: Option<String>,
    service_items: Option<String>,
}

#[derive(Serialize)]
struct FigureGroup {
    label: String,
    entries: Vec<FigureEntryView>,
}

#[derive(Serialize)]
struct FigureEntryView {
    text: String,
    source: String,
    source_id: String,
    /// The source's full title, under the quote.
    source_title: String,
    period: String,
    note: Option<String>,
    /// The source's exact words, checked against its text.
    quote: Option<String>,
    primary: bool,
}

#[derive(Serialize)]
struct LocationView {
    region: Link,
    place: String,
    lead_unit: String,
    evaluation_row: Option<u32>,
}

#[derive(Serialize)]
struct SourceView {
    id: String,
    title: String,
    publisher: Option<String>,
    date: Option<String>,
    primary: bool,
}

#[derive(Serialize)]
struct CountLink {
    name: String,
    url: String,
    count: usize,
}

impl CountLink {
    fn new(link: Link, count: usize) -> Self {
        CountLink {
            name: link.name,
            url: link.url,
            count,
        }
    }
}

#[derive(Serialize)]
struct Tile {
    name: String,
    full_name: String,
    code: String,
    url: String,
    row: u32,
    col: u32,
    count: usize,
}

#[derive(Serialize)]
struct TotalsView {
    #[serde(flatten)]
    totals: Totals,
    standards_text: String,
    service_items_text: String,
    regions_total: usize,
}

impl<'a> Views<'a> {
    fn new(site: &'a Site) -> Self {
        Views {
            site,
            base: &site.base_url,
            listed_rows: None,
        }
    }

    /// Views for rendering pages, whose standards listings take their rows from `rows`.
    fn rendering(site: &'a Site, rows: &'a standards::ListedRows<'a>) -> Self {
        Views {
            listed_rows: Some(rows),
            ..Views::new(site)
        }
    }

    /// Every page to render, and the tagged items the who pages share with the data file
    /// the who index reads (gathered once for both).
    fn jobs(&self) -> (Vec<PageJob<'_>>, std::sync::Arc<who::LazyWhoItems>) {
        let site = self.site;
        let mut jobs = vec![
            self.job_later(
                "index.html",
                "index.html",
                &site.config.title,
                &site.config.description,
                "home",
                move || self.home(),
            ),
            self.job_later(
                "regions/index.html",
                "regions.html",
                "地区",
                "全国31个省级行政区的国家基本公共服务标准化试点分布。",
                "regions",
                move || self.regions_index(),
            ),
            self.job_later(
                "domains/index.html",
                "domains.html",
                "服务领域",
                "国家基本公共服务标准的九个服务领域及其试点。",
                "domains",
                move || self.domains_index(),
            ),
            self.job(
                "404.html",
                "404.html",
                "页面未找到",
                "您访问的页面不存在。",
                "",
                serde_json::Value::Null,
            ),
            self.job_later(
                "feed.xml",
                "feed.xml",
                &site.config.title,
                "",
                "",
                move || self.feed(),
            ),
            self.job(
                "robots.txt",
                "robots.txt",
                "",
                "",
                "",
                serde_json::Value::Null,
            ),
        ];
        jobs.extend(self.pilots_jobs());
        for region in site.region_ids() {
            jobs.extend(self.region_jobs(region));
        }
        // Pilot pages are the most numerous and each gathers its standards: in parallel.
        let pilot_ids: Vec<PilotId> = site.pilot_ids().collect();
        jobs.par_extend(pilot_ids.par_iter().map(|&id| {
            let p = site.pilot(id);
            self.job_later(
                &format!("pilots/{}/index.html", p.slug),
                "pilot.html",
                &p.title,
                &p.summary,
                "pilots",
                move || self.pilot(id),
            )
        }));
        jobs.extend(self.standards_jobs());
        jobs.push(self.job_later(
            "data/index.html",
            "data.html",
            "开放数据",
            "本站全部试点和标准的 JSON 与 CSV 数据，以及每个字段的含义。",
            "",
            move || self.data_page(),
        ));
        for domain in site.domain_ids() {
            jobs.extend(self.domain_jobs(domain));
        }
        jobs.extend(self.satisfaction_jobs());
        jobs.extend(self.disclosure_jobs());
        let (who_jobs, who_items) = self.who_pages();
        jobs.extend(who_jobs);
        jobs.push(self.job_later(
            "search/index.html",
            "search.html",
            "搜索",
            "搜索试点、标准、服务事项、示范点和地区。",
            "",
            move || self.search_page(),
        ));
        // Every HTML page that was made, except 404, so no page kind can be forgotten;
        // their URLs are made when the sitemap renders.
        let pages: Vec<String> = jobs
            .iter()
            .filter(|job| job.path.ends_with("index.html"))
            .map(PageJob::path_url)
            .collect();
        jobs.extend(self.sitemap_jobs(pages));
        (jobs, who_items)
    }

    fn job(
        &self,
        path: &str,
        template: &'static str,
        title: &str,
        description: &str,
        nav: &'static str,
        data: impl Serialize,
    ) -> PageJob<'static> {
        let data = serde_json::to_value(data).expect("views serialize to JSON");
        self.job_later(path, template, title, description, nav, move || data)
    }

    /// A job whose data is made when the page is rendered.
    fn job_later<'j>(
        &self,
        path: &str,
        template: &'static str,
        title: &str,
        description: &str,
        nav: &'static str,
        data: impl FnOnce() -> serde_json::Value + Send + 'j,
    ) -> PageJob<'j> {
        self.job_trying(path, template, title, description, nav, move || Ok(data()))
    }

    /// A job whose data is made when the page is rendered, and may fail (failing the
    /// build).
    fn job_trying<'j>(
        &self,
        path: &str,
        template: &'static str,
        title: &str,
        description: &str,
        nav: &'static str,
        data: impl FnOnce() -> Result<serde_json::Value, BuildError> + Send + 'j,
    ) -> PageJob<'j> {
        PageJob {
            path: path.to_string(),
            template,
            title: title.to_string(),
            description: description.to_string(),
            nav,
            data: Box::new(data),
        }
    }

    fn pilot_url(&self, pilot: &Pilot) -> String {
        self.base.link(&format!("pilots/{}/", pilot.slug))
    }

    fn region_link(&self, id: RegionId) -> Link {
        let r = self.site.region(id);
        Link {
            name: r.name.clone(),
            url: self.base.link(&format!("regions/{}/", r.slug)),
        }
    }

    fn domain_link(&self, id: DomainId) -> Link {
        let d = self.site.domain(id);
        Link {
            name: d.name.clone(),
            url: self.base.link(&format!("domains/{}/", d.slug)),
        }
    }

    fn card(&self, id: PilotId) -> PilotCard {
        let site = self.site;
        let pilot = site.pilot(id);
        let headline = |kind| pilot.headline(kind).map(|f| f.text());
        let mut regions: Vec<RegionId> = pilot.locations.iter().map(|l| l.region).collect();
        regions.dedup();
        PilotCard {
            title: pilot.title.clone(),
            url: self.pilot_url(pilot),
            kind: pilot.kind.name(),
            places: places(pilot),
            regions: regions.into_iter().map(|r| self.region_link(r)).collect(),
            domains: if pilot.kind == PilotKind::Comprehensive {
                Vec::new()
            } else {
                pilot.domains.iter().map(|&d| self.domain_link(d)).collect()
            },
            summary: pilot.summary.clone(),
            standards: headline(FigureKind::StandardsTotal),
            service_items: headline(FigureKind::ServiceItems),
        }
    }

    fn cards(&self, ids: &[PilotId]) -> Vec<PilotCard> {
        ids.iter().map(|&id| self.card(id)).collect()
    }

    fn totals(&self) -> TotalsView {
        let totals = self.site.totals();
        TotalsView {
            standards_text: format_number(totals.standards),
            service_items_text: format_number(totals.service_items),
            regions_total: self.site.regions.len(),
            totals,
        }
    }

    fn home(&self) -> serde_json::Value {
        let site = self.site;
        serde_json::json!({
            "intro_title": site.home.title,
            "intro_html": markdown::to_html(&site.home.body, self.base),
            "totals": self.totals(),
            "kinds": self.kind_counts(),
            "domains": self.domain_counts(),
            "satisfaction": self.home_satisfaction(),
            "regions": self.region_counts(),
        })
    }

    fn domain_counts(&self) -> Vec<CountLink> {
        let site = self.site;
        site.domain_ids()
            .map(|d| CountLink::new(self.domain_link(d), site.pilots_in_domain(d).len()))
            .collect()
    }

    fn region_counts(&self) -> Vec<CountLink> {
        let site = self.site;
        site.region_ids()
            .map(|r| CountLink::new(self.region_link(r), site.pilots_in_region(r).len()))
            .collect()
    }

    fn regions_index(&self) -> serde_json::Value {
        let site = self.site;
        let tiles: Vec<Tile> = site
            .region_ids()
            .map(|id| {
                let r = site.region(id);
                Tile {
                    name: r.name.clone(),
                    full_name: r.full_name.clone(),
                    code: r.code.clone(),
                    url: self.region_link(id).url,
                    row: r.tile.0,
                    col: r.tile.1,
                    count: site.pilots_in_region(id).len(),
                }
            })
            .collect();
        serde_json::json!({ "tiles": tiles, "totals": self.totals() })
    }

    fn pilot(&self, id: PilotId) -> serde_json::Value {
        let site = self.site;
        let pilot = site.pilot(id);
        let locations: Vec<LocationView> = pilot
            .locations
            .iter()
            .map(|l| LocationView {
                region: self.region_link(l.region),
                place: l.place(),
                lead_unit: l.lead_unit.clone(),
                evaluation_row: l.evaluation_row,
            })
            .collect();
        let sources: Vec<SourceView> = pilot
            .sources
            .iter()
            .map(|&s| {
                let source = site.source(s);
                SourceView {
                    id: source.id.to_string(),
                    title: source.title.clone(),
                    publisher: source.publisher.clone(),
                    date: source.date.clone(),
                    primary: source.primary,
                }
            })
            .collect();
        serde_json::json!({
            "card": self.card(id),
            "locations": locations,
            "all_domains": pilot.kind == PilotKind::Comprehensive,
            "figures": self.figure_groups(pilot),
            "sources": sources,
            "body_html": markdown::to_html(&pilot.body, self.base),
            "updated": pilot.updated,
            "related": self.cards(&site.related(id)),
            "standard_groups": self.subsystem_groups(&[id]),
            "lists": site.lists_of_pilot(id).map(|l| self.list_card(l)).collect::<Vec<_>>(),
            "sites": site.sites_of_pilot(id).map(|s| self.site_card(s)).collect::<Vec<_>>(),
            "standard_count": site.standards_of_pilot(id).len(),
            "policies": site.policies_of_pilot(id).iter().map(|p| serde_json::json!({
                "title": p.title,
                "kind": p.kind,
                "source": site.source(p.source).short_title,
                "note": p.note,
            })).collect::<Vec<_>>(),
        })
    }

    /// Figures grouped by what they measure; figures are already in page order.
    fn figure_groups(&self, pilot: &Pilot) -> Vec<FigureGroup> {
        let mut groups: Vec<FigureGroup> = Vec::new();
        for figure in &pilot.figures {
            let source = self.site.source(figure.source);
            let entry = FigureEntryView {
                text: figure.text(),
                source: source.short_title.clone(),
                source_id: source.id.to_string(),
                source_title: source.title.clone(),
                period: figure
                    .period
                    .clone()
                    .unwrap_or_else(|| source.period.clone()),
                note: figure.note.clone(),
                quote: figure.quote.clone(),
                primary: source.primary,
            };
            match groups.last_mut() {
                Some(group) if group.label == figure.label => group.entries.push(entry),
                _ => groups.push(FigureGroup {
                    label: figure.label.clone(),
                    entries: vec![entry],
                }),
            }
        }
        groups
    }

    fn domains_index(&self) -> serde_json::Value {
        let site = self.site;
        let domains: Vec<serde_json::Value> = site
            .domain_ids()
            .map(|d| {
                let domain = site.domain(d);
                serde_json::json!({
                    "name": domain.name,
                    "url": self.domain_link(d).url,
                    "description": domain.description,
                    "categories": domain.categories,
                    "count": site.pilots_in_domain(d).len(),
                })
            })
            .collect();
        serde_json::json!({ "domains": domains })
    }

    /// `sitemap.xml` of the pages given by their URL paths; past [`SITEMAP_URLS`] pages
    /// (the sitemaps protocol's limit for one file) an index of `sitemaps/1.xml`, … that
    /// hold them in order. Search engines read either from the same address.
    fn sitemap_jobs(&self, mut pages: Vec<String>) -> Vec<PageJob<'_>> {
        pages.sort();
        let parts = pager::split(pages.len(), SITEMAP_URLS);
        if parts.len() == 1 {
            return vec![
                self.job_later("sitemap.xml", "sitemap.xml", "", "", "", move || {
                    self.sitemap(&pages)
                }),
            ];
        }
        let pages: std::sync::Arc<[String]> = pages.into();
        let files: Vec<String> = (1..=parts.len())
            .map(|n| format!("sitemaps/{n}.xml"))
            .collect();
        let mut jobs: Vec<PageJob<'_>> = files
            .iter()
            .zip(parts)
            .map(|(file, range)| {
                let pages = std::sync::Arc::clone(&pages);
                self.job_later(file, "sitemap.xml", "", "", "", move || {
                    self.sitemap(&pages[range])
                })
            })
            .collect();
        jobs.push(
            self.job_later("sitemap.xml", "sitemap_index.xml", "", "", "", move || {
                let sitemaps: Vec<String> = files.iter().map(|f| self.base.absolute(f)).collect();
                serde_json::json!({ "sitemaps": sitemaps })
            }),
        );
        jobs
    }

    /// A sitemap of pages given by their URL paths, in order.
    fn sitemap(&self, pages: &[String]) -> serde_json::Value {
        let urls: Vec<String> = pages.iter().map(|page| self.base.absolute(page)).collect();
        serde_json::json!({ "urls": urls })
    }

    fn feed(&self) -> serde_json::Value {
        let site = self.site;
        let mut pilots: Vec<&Pilot> = site.pilots.iter().collect();
        pilots.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.slug.cmp(&b.slug)));
        let entries: Vec<serde_json::Value> = pilots
            .iter()
            .take(FEED_ENTRIES)
            .map(|p| {
                serde_json::json!({
                    "title": p.title,
                    "url": self.base.absolute(&format!("pilots/{}/", p.slug)),
                    "updated": p.updated,
                    "summary": p.summary,
                })
            })
            .collect();
        let updated = pilots
            .first()
            .map(|p| p.updated.clone())
            .unwrap_or_else(|| "1970-01-01".into());
        serde_json::json!({
            "id": self.base.absolute(""),
            "self_url": self.base.absolute("feed.xml"),
            "updated": updated,
            "entries": entries,
        })
    }
}

/// The pilots the feed carries, the most recently updated: feed readers fetch it again
/// and again, and every pilot of the country would be megabytes each time.
const FEED_ENTRIES: usize = 50;

/// The most URLs one sitemap file may list (sitemaps.org protocol).
const SITEMAP_URLS: usize = 50_000;

/// Where a pilot is, as readers name it: `北京市通州区、天津市武清区、廊坊市`.
fn places(pilot: &Pilot) -> String {
    pilot
        .locations
        .iter()
        .map(|l| l.place())
        .collect::<Vec<_>>()
        .join("、")
}
