//! liangbiao (亮标): a static site generator for China's national basic public service
//! standardization pilots.
//!
//! The pipeline, one module per stage: [`load`] (files → raw entries) → [`validate`]
//! (all diagnostics at once) → [`model`] (typed, linked graph) → [`render`] (one Tera
//! context per page; HTML is minified through the templates, see [`render::Templates`]) →
//! [`write`] (staging folder, optional `.gz`/`.br`, atomic swap into the output folder).
//! Beside render, [`search`] builds the Pagefind index. [`build`] runs it end to end;
//! `serve` renders pages on request instead ([`render_on_request`]); the CLI in
//! `main.rs` only parses arguments.

pub mod assets;
pub mod characters;
pub mod chart;
pub mod config;
pub mod diagnostics;
pub mod error;
pub mod html;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod progress;
pub mod qr;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod standard_code;
pub mod validate;
pub mod write;

pub use error::BuildError;
pub use progress::{NoProgress, Progress};

use std::path::PathBuf;
use std::time::{Duration, Instant};

use diagnostics::Diagnostics;
use model::Site;
use rayon::prelude::*;

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder: `config.toml`, `content/`, `templates/`, `static/`.
    pub root: PathBuf,
    /// Where the site is written; replaced as a whole.
    pub output: PathBuf,
    /// Overrides `base_url` from `config.toml`.
    pub base_url: Option<String>,
    /// Include entries marked `draft = true`.
    pub drafts: bool,
    /// Also write `.gz` and `.br` siblings of text files, for `gzip_static`.
    pub precompress: bool,
    /// Build the search index (`/pagefind/`); `serve` leaves it out to rebuild fast.
    pub search: bool,
    /// Minify the HTML (through the templates); `serve` leaves pages readable.
    pub minify: bool,
}

impl BuildOptions {
    /// Defaults for a site folder: output to `<root>/public`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        BuildOptions {
            output: root.join("public"),
            root,
            base_url: None,
            drafts: false,
            precompress: false,
            search: true,
            minify: true,
        }
    }
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// HTML pages written.
    pub pages: usize,
    /// All files written: pages, feeds, data and assets.
    pub files: usize,
    pub bytes: u64,
    pub warnings: Diagnostics,
    /// Wall time per pipeline stage, in pipeline order.
    pub timings: Vec<(&'static str, Duration)>,
    /// Time per template, the most first (`--timings`).
    pub template_timings: Vec<render::TemplateTiming>,
}

/// Loads and checks a site, returning the linked model and any warnings.
pub fn load_site(options: &BuildOptions) -> Result<(Site, Diagnostics), BuildError> {
    let loaded = load::load_site(&options.root).map_err(BuildError::Content)?;
    model_of(&loaded, options, None)
}

/// What `serve` keeps between edits, so that after one only what changed is read and
/// checked again.
#[derive(Default)]
pub struct Remembered {
    /// The files as last read, if they could all be read.
    loaded: Option<load::LoadedSite>,
    memo: validate::Memo,
}

/// [`load_site`] after the files in `changed` have changed (`None`: any file may have),
/// reading and checking again only those, from what `remembered` holds.
pub fn load_site_again(
    options: &BuildOptions,
    remembered: &mut Remembered,
    changed: Option<&[PathBuf]>,
) -> Result<(Site, Diagnostics), BuildError> {
    let loaded = match (remembered.loaded.take(), changed) {
        (Some(previous), Some(changed)) => load::load_site_again(&previous, changed),
        _ => load::load_site(&options.root),
    }
    .map_err(BuildError::Content)?;
    let model = model_of(&loaded, options, Some(&mut remembered.memo));
    remembered.loaded = Some(loaded);
    model
}

fn model_of(
    loaded: &load::LoadedSite,
    options: &BuildOptions,
    memo: Option<&mut validate::Memo>,
) -> Result<(Site, Diagnostics), BuildError> {
    let validate_options = validate::ValidateOptions {
        drafts: options.drafts,
        base_url: options.base_url.clone(),
    };
    let (content, warnings) = validate::validate_remembering(loaded, &validate_options, memo)
        .map_err(BuildError::Content)?;
    Ok((Site::new(content), warnings))
}

/// Renders a loaded site for `serve`: pages asked for through `requests` first, then all
/// the others, each into `sink`; then checks the links across them all, as `build`
/// does. `Ok(None)` if `steering` stopped it (for a newer edit) before the end.
pub fn render_on_request(
    site: &Site,
    templates: &render::Templates,
    mut assets: assets::Assets,
    requests: &std::sync::mpsc::Receiver<render::PageRequest>,
    steering: &render::Steering,
    sink: &render::FileSink,
) -> Result<Option<Diagnostics>, BuildError> {
    let pages = links::PageIndex::new(&site.body_links);
    let put = |file: output::OutputFile| {
        pages.add(&file);
        sink(file)
    };
    std::mem::take(&mut assets.files)
        .into_iter()
        .try_for_each(put)?;
    if !render::render_on_request(site, templates, &assets, requests, steering, &put)? {
        return Ok(None);
    }
    check_output(site, &pages, &mut Timings::default(), Diagnostics::new()).map(Some)
}

/// A site rendered in memory: every file `build` would write, as it would write it.
pub struct RenderedSite {
    pub site: Site,
    pub files: Vec<output::OutputFile>,
    pub warnings: Diagnostics,
}

/// Loads, checks and renders the whole site into memory without writing anything, with
/// the link check: for tests and tools that read every page (`serve` renders on request
/// instead, see [`render_on_request`]).
pub fn render(options: &BuildOptions) -> Result<RenderedSite, BuildError> {
    let files = std::sync::Mutex::new(Vec::new());
    let keep = |file: output::OutputFile| {
        files.lock().expect("a render thread panicked").push(file);
        Ok(())
    };
    let (site, warnings) = run_pipeline(options, &mut Timings::default(), &NoProgress, &keep)?;
    let mut files = files.into_inner().expect("a render thread panicked");
    files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(RenderedSite {
        site,
        files,
        warnings,
    })
}

/// What `check` runs: every stage of `build` but the search index (made from entries that
/// have passed validation) and writing. Pages are rendered, checked and dropped, so memory
/// stays flat however large the site.
pub fn check(options: &BuildOptions) -> Result<(Site, Diagnostics), BuildError> {
    let options = BuildOptions {
        search: false,
        ..options.clone()
    };
    run_pipeline(&options, &mut Timings::default(), &NoProgress, &|_| Ok(()))
}

/// How long each stage and each template took.
#[derive(Default)]
struct Timings {
    stages: Vec<(&'static str, Duration)>,
    templates: Vec<render::TemplateTiming>,
}

/// Every stage but the last: each file goes to `sink` as soon as it is rendered, and is
/// recorded for the link check. A failure anywhere returns before anything is final:
/// the sink holds a staging folder or memory, never the live output.
fn run_pipeline(
    options: &BuildOptions,
    timings: &mut Timings,
    progress: &dyn Progress,
    sink: &render::FileSink,
) -> Result<(Site, Diagnostics), BuildError> {
    let mut stage = |name: &'static str, took: Duration| timings.stages.push((name, took));

    let started = Instant::now();
    let (site, warnings) = load_site(options)?;
    stage("load + validate + model", started.elapsed());

    let started = Instant::now();
    let templates = render::Templates::load(&options.root, options.minify)?;
    let assets = assets::collect(&options.root)?;
    stage("templates + assets", started.elapsed());

    let pages = links::PageIndex::new(&site.body_links);
    let put = |file: output::OutputFile| {
        pages.add(&file);
        sink(file)
    };
    // The search index is made from the model, not from the pages, so it starts beside
    // the render. Its serial steps overlap the render; its parallel work shares rayon's
    // pool and mostly waits until the render's is done. A pool of its own was measured
    // slower (the build is CPU-bound; two pools only add switching). On a thread of its
    // own, not a rayon task: Pagefind blocks its thread on a runtime while its parallel
    // work goes to the pool, and a blocked rayon worker would take a core from it.
    let started = Instant::now();
    let (rendered, search_files) = std::thread::scope(|scope| {
        let search = scope.spawn(|| {
            options
                .search
                .then(|| search::index(render::search_records(&site)))
                .transpose()
                .map(|files| (files, started.elapsed()))
        });
        let rendered =
            render::render_site(&site, &templates, &assets, progress, &put).and_then(|templates| {
                assets.files.into_par_iter().try_for_each(put)?;
                Ok((templates, started.elapsed()))
            });
        let search_files = search.join().expect("the search index thread panicked");
        (rendered, search_files)
    });
    let (template_timings, rendered) = rendered?;
    timings.templates = template_timings;
    stage("render + write", rendered);
    let (search_files, indexed) = search_files?;
    if let Some(files) = search_files {
        stage("search index (beside render)", indexed);
        let started = Instant::now();
        files.into_par_iter().try_for_each(put)?;
        stage("search index write", started.elapsed());
    }

    let warnings = check_output(&site, &pages, timings, warnings)?;
    Ok((site, warnings))
}

/// The checks across every file written: no path twice, no link to a page or anchor
/// that is not there. Link problems join `warnings`; an error fails the build.
fn check_output(
    site: &Site,
    pages: &links::PageIndex,
    timings: &mut Timings,
    mut warnings: Diagnostics,
) -> Result<Diagnostics, BuildError> {
    let collisions = pages.collisions();
    if !collisions.is_empty() {
        return Err(BuildError::PathCollision(collisions));
    }
    let started = Instant::now();
    let link_problems = links::check(&site.body_links, pages);
    timings.stages.push(("check links", started.elapsed()));
    let broken = link_problems.has_errors();
    for problem in link_problems.sorted() {
        warnings.push(problem.clone());
    }
    if broken {
        return Err(BuildError::Content(warnings));
    }
    Ok(warnings)
}

/// Builds the site end to end. On any error nothing in `options.output` changes.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_with_progress(options, &NoProgress)
}

/// [`build`], reporting each stage and step to `progress`.
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildReport, BuildError> {
    let mut timings = Timings::default();
    let staging = write::Staging::create(&options.root, &options.output, options.precompress)?;
    let write = |file| staging.write(file);
    // On an error the staging folder is dropped, and with it everything written so far.
    let (_, warnings) = run_pipeline(options, &mut timings, progress, &write)?;
    let started = Instant::now();
    let written = staging.finish()?;
    timings.stages.push(("swap into place", started.elapsed()));

    Ok(BuildReport {
        pages: written.html_pages,
        files: written.files,
        bytes: written.bytes,
        warnings,
        timings: timings.stages,
        template_timings: timings.templates,
    })
}
