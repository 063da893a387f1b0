//! `liangbiao serve`: the site rendered in memory and served on 127.0.0.1, rebuilt when a
//! file under `content/`, `templates/`, `static/` or `config.toml` changes.
//!
//! After an edit only the changed files are read and checked again; the site is then
//! ready at once and its pages are rendered as they are asked for, the others in the
//! background, after which the links across all of them are checked as `build` does.
//!
//! Open pages long-poll `/__liangbiao/poll` and reload when a rebuild is ready; when one
//! fails (at once, or when the link check finds a broken link), the last good site stays
//! up and every page shows the diagnostics as an overlay until the file is fixed. The
//! live-reload script is added to pages here, as they are served, so it can never reach
//! `build` output. Requests are read and answered by [`http`], with a fixed number of
//! threads, and only when addressed to this machine.

mod http;

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use notify::{Event, EventKind, RecursiveMode, Watcher};

use self::http::{Bounded, Pool, Request, Response};

use crate::assets;
use crate::links::percent_decode;
use crate::output::OutputFile;
use crate::render::{PageRequest, Steering, Templates};
use crate::{load_site_again, render_on_request, BuildError, BuildOptions, Remembered};

/// The URL prefix of the server's own endpoints; no page of a site uses it.
const OWN_PREFIX: &str = "/__liangbiao/";
/// How long a poll waits for a rebuild before answering "no change".
const POLL_WAIT: Duration = Duration::from_secs(25);
/// Editors save several files at once (and editors write temp files): wait this long
/// after the last change before rebuilding.
const SETTLE: Duration = Duration::from_millis(10);
/// How long a request waits for its page to render before it is given up.
const RENDER_WAIT: Duration = Duration::from_secs(120);
/// Threads that read requests and answer them: more than one, as a page may wait for its
/// render while its styles are asked for; a fixed number, so that a flood of requests
/// cannot exhaust the threads the process may start.
const WORKERS: usize = 8;
/// Connections that may wait for a worker; a connection beyond them is answered 503.
const WAITING: usize = 64;
/// Polls held open at once (one for each open page), each on a thread of its own; a poll
/// beyond them, or when no thread can be started, is answered 503 with `Retry-After`,
/// and the page asks again a moment later.
const OPEN_POLLS: usize = 64;

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// The port to try first; the next free one is taken if it is busy.
    pub port: u16,
    pub drafts: bool,
}

/// What the server reports as it runs, for the command to print.
#[derive(Debug)]
pub enum ServeEvent {
    Listening(SocketAddr),
    /// The changed files are read and checked: pages are served from this version on.
    Ready {
        version: u64,
        took: Duration,
        warnings: String,
        changed: Vec<PathBuf>,
    },
    /// Every page of the version is rendered and its links checked.
    Built {
        version: u64,
        pages: usize,
        took: Duration,
        warnings: String,
    },
    Failed {
        version: u64,
        diagnostics: String,
        changed: Vec<PathBuf>,
    },
}

/// The site as last built, and the outcome of the latest build.
#[derive(Default)]
struct State {
    /// Increases with every build, good or bad, and when a build fails its link check.
    version: u64,
    /// Output path → bytes, from the last build that was rendered and checked in full
    /// (or, when no build was, from one that failed its link check).
    files: Arc<HashMap<String, Vec<u8>>>,
    /// The build being rendered, if any: pages are served from it, rendered on request.
    rendering: Option<Arc<Rendering>>,
    /// Diagnostics of the latest build if it failed, without colour codes.
    error: Option<String>,
}

/// A build whose pages are being rendered, those asked for first.
struct Rendering {
    /// The files rendered so far.
    files: Mutex<HashMap<String, Vec<u8>>>,
    requests: mpsc::Sender<PageRequest>,
    /// Paused while an edit is read, stopped when the edit replaces this build.
    steering: Steering,
}

/// What a rendering build answers for a path.
enum Found {
    File(String, Vec<u8>),
    /// No file of this build has the path.
    Missing,
    /// The build stopped rendering before it answered: ask the state again.
    Gone,
}

impl Rendering {
    /// The first of `paths` that is a file of this build, rendered now if need be.
    fn file(&self, paths: &[String]) -> Found {
        if let Some(found) = self.rendered(paths) {
            return found;
        }
        let (done, answered) = mpsc::channel();
        let request = PageRequest {
            paths: paths.to_vec(),
            done,
        };
        let answer = match self.requests.send(request) {
            Ok(()) => answered.recv_timeout(RENDER_WAIT).ok(),
            Err(_) => None,
        };
        match (self.rendered(paths), answer) {
            (Some(found), _) => found,
            (None, Some(())) => Found::Missing,
            (None, None) => Found::Gone,
        }
    }

    fn rendered(&self, paths: &[String]) -> Option<Found> {
        let files = self.files.lock().expect("files lock");
        found_in(&files, paths).map(|(path, bytes)| Found::File(path, bytes))
    }
}

/// What is remembered from build to build, so that an edit reads only what changed.
struct Rebuilder {
    options: BuildOptions,
    remembered: Remembered,
    templates: Option<Arc<Templates>>,
}

/// A reporter that the render threads share.
type Report = Arc<dyn Fn(ServeEvent) + Send + Sync>;

/// A version read and checked, ready to render: the model, its warnings, the
/// templates and the assets.
type Prepared = (
    crate::model::Site,
    crate::Diagnostics,
    Arc<Templates>,
    assets::Assets,
);

/// What changed since the last build, as far as the watcher can tell.
struct Changes {
    paths: Vec<PathBuf>,
    /// False when the watcher lost track: then every file is read again.
    complete: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

/// Binds 127.0.0.1 on `port`, or the next free port above it (up to 100 further).
pub fn bind(port: u16) -> io::Result<TcpListener> {
    let mut last_error = None;
    for candidate in port..=port.saturating_add(100) {
        match TcpListener::bind((Ipv4Addr::LOCALHOST, candidate)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no port to try")))
}

/// Builds, serves and rebuilds until the process ends.
pub fn serve(
    options: &ServeOptions,
    listener: TcpListener,
    report: impl Fn(ServeEvent) + Send + Sync + 'static,
) -> io::Result<()> {
    let report: Report = Arc::new(report);
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::default());
    let build_options = BuildOptions {
        base_url: Some(format!("http://{addr}/")),
        drafts: options.drafts,
        // The index takes longer to build than the pages; previews do without it.
        search: false,
        // Pages as the templates are written, for reading the source in the browser.
        minify: false,
        ..BuildOptions::new(&options.root)
    };
    report(ServeEvent::Listening(addr));
    let mut rebuilder = Rebuilder {
        options: build_options,
        remembered: Remembered::default(),
        templates: None,
    };
    let first = Changes {
        paths: Vec::new(),
        complete: false,
    };
    rebuilder.rebuild(&shared, first, &report);

    let (tx, rx) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(tx).map_err(io::Error::other)?;
    for path in watched_paths(&options.root) {
        watcher
            .watch(&path, RecursiveMode::Recursive)
            .map_err(io::Error::other)?;
    }
    let rebuild_shared = Arc::clone(&shared);
    thread::Builder::new().name("watch".into()).spawn(move || {
        // The watcher stops when dropped: keep it as long as this thread runs.
        let _watcher = watcher;
        while let Some(changes) = next_changes(&rx) {
            rebuilder.rebuild(&rebuild_shared, changes, &report);
        }
    })?;

    // A poll waits for the next build, for up to POLL_WAIT: polls have threads of their
    // own, so that open pages do not hold up the workers that answer requests.
    let poll_shared = Arc::clone(&shared);
    let polls = Bounded::new("poll", OPEN_POLLS, move |request: Request| {
        answer_poll(request, &poll_shared)
    });
    let poll_prefix = format!("{OWN_PREFIX}poll");
    let workers = Pool::start("request", WORKERS, WAITING, move |stream| {
        let Some(request) = Request::read(stream) else {
            return;
        };
        if request.url().starts_with(&poll_prefix) {
            if let Err(request) = polls.offer(request) {
                request.respond(Response::busy());
            }
        } else {
            answer_file(request, &shared);
        }
    })?;
    http::accept(&listener, &workers)
}

/// What is watched: the content, the source texts its quotes are checked against, the
/// theme and configuration, never the output folder.
fn watched_paths(root: &Path) -> Vec<PathBuf> {
    [
        "content",
        crate::load::SOURCE_TEXTS_DIR,
        "templates",
        "static",
        "config.toml",
    ]
    .iter()
    .map(|p| root.join(p))
    .filter(|p| p.exists())
    .collect()
}

/// Waits for a change, then for the files to settle; `None` when the watcher is gone.
/// Reads are not changes: rendering reads every template, and must not trigger itself.
fn next_changes(rx: &mpsc::Receiver<notify::Result<Event>>) -> Option<Changes> {
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut complete = true;
    let mut take = |event: notify::Result<Event>| match event {
        Ok(event) if event.need_rescan() => {
            complete = false;
            true
        }
        Ok(event) if !matches!(event.kind, EventKind::Access(_)) => {
            changed.extend(event.paths);
            true
        }
        Ok(_) => false,
        // The watcher lost track (e.g. too many files changed): read everything again.
        Err(_) => {
            complete = false;
            true
        }
    };
    loop {
        if take(rx.recv().ok()?) {
            break;
        }
    }
    while let Ok(event) = rx.recv_timeout(SETTLE) {
        take(event);
    }
    changed.sort();
    changed.dedup();
    Some(Changes {
        paths: changed,
        complete,
    })
}

impl Rebuilder {
    /// Reads and checks what changed. When that succeeds, the new version is served at
    /// once, its pages rendered on another thread, and a build still rendering is
    /// stopped; when it fails, that build goes on being served and rendered.
    fn rebuild(&mut self, shared: &Arc<Shared>, changes: Changes, report: &Report) {
        let started = Instant::now();
        let current = shared.state.lock().expect("state lock").rendering.clone();
        if let Some(rendering) = &current {
            rendering.steering.pause();
        }
        let outcome = self.prepare(&changes);
        let took = started.elapsed();
        let mut state = shared.state.lock().expect("state lock");
        state.version += 1;
        let version = state.version;
        match outcome {
            Ok(prepared) => {
                if let Some(rendering) = &current {
                    rendering.steering.stop();
                }
                let (requests, received) = mpsc::channel();
                let rendering = Arc::new(Rendering {
                    files: Mutex::default(),
                    requests,
                    steering: Steering::default(),
                });
                let replaced = state.rendering.replace(Arc::clone(&rendering));
                state.error = None;
                drop(state);
                // Freeing a whole site's pages takes a while: not on the way to serving.
                // If no thread can be started, the closure is dropped, and frees them here.
                let _ = thread::Builder::new().spawn(move || drop((replaced, current)));
                report(ServeEvent::Ready {
                    version,
                    took,
                    warnings: prepared.1.render_items(),
                    changed: changes.paths,
                });
                let build = RenderedBuild { version, started };
                let rendered = Arc::clone(&rendering);
                let (render_shared, render_report) = (Arc::clone(shared), Arc::clone(report));
                let spawned = thread::Builder::new().name("render".into()).spawn(move || {
                    build.render(
                        prepared,
                        received,
                        &rendered,
                        &render_shared,
                        &render_report,
                    )
                });
                // No pages for this version, then: the last good build is served again.
                if let Err(err) = spawned {
                    let message = format!("cannot start the thread that renders the pages: {err}");
                    let err =
                        BuildError::io(&self.options.root, io::Error::new(err.kind(), message));
                    let build = RenderedBuild { version, started };
                    build.finish(Err(err), &rendering, shared, report);
                }
            }
            Err(err) => {
                if let Some(rendering) = &current {
                    rendering.steering.resume();
                }
                let diagnostics = err.to_string();
                state.error = Some(diagnostics.clone());
                drop(state);
                report(ServeEvent::Failed {
                    version,
                    diagnostics,
                    changed: changes.paths,
                });
            }
        }
        shared.changed.notify_all();
    }

    /// The model of the site after `changes`, the templates (parsed again only if one
    /// changed) and the assets.
    fn prepare(&mut self, changes: &Changes) -> Result<Prepared, BuildError> {
        let root = &self.options.root;
        let changed = changes.complete.then_some(changes.paths.as_slice());
        let templates_changed =
            changed.is_none_or(|paths| paths.iter().any(|p| p.starts_with(root.join("templates"))));
        let loaded = load_site_again(&self.options, &mut self.remembered, changed);
        let templates = match &self.templates {
            Some(templates) if !templates_changed => Arc::clone(templates),
            _ => {
                self.templates = None;
                let templates = Arc::new(Templates::load(root, self.options.minify)?);
                self.templates = Some(Arc::clone(&templates));
                templates
            }
        };
        let (site, warnings) = loaded?;
        Ok((site, warnings, templates, assets::collect(root)?))
    }
}

/// A version whose pages render in the background.
struct RenderedBuild {
    version: u64,
    started: Instant,
}

impl RenderedBuild {
    /// Renders every page, those asked for through `requests` first, then finishes.
    fn render(
        self,
        (site, _, templates, assets): Prepared,
        requests: mpsc::Receiver<PageRequest>,
        rendering: &Arc<Rendering>,
        shared: &Shared,
        report: &Report,
    ) {
        let keep = |file: OutputFile| {
            let mut files = rendering.files.lock().expect("files lock");
            files.insert(file.path, file.bytes);
            Ok(())
        };
        let outcome = render_on_request(
            &site,
            &templates,
            assets,
            &requests,
            &rendering.steering,
            &keep,
        );
        self.finish(outcome, rendering, shared, report);
    }

    /// Serves the version's files once all are rendered and checked; on a failure, the
    /// last good build again, with the diagnostics. Says nothing if a newer edit came.
    fn finish(
        self,
        outcome: Result<Option<crate::Diagnostics>, BuildError>,
        rendering: &Arc<Rendering>,
        shared: &Shared,
        report: &Report,
    ) {
        let mut state = shared.state.lock().expect("state lock");
        let current = state
            .rendering
            .as_ref()
            .is_some_and(|r| Arc::ptr_eq(r, rendering));
        if !current {
            return;
        }
        state.rendering = None;
        match outcome {
            Ok(Some(warnings)) => {
                let files = std::mem::take(&mut *rendering.files.lock().expect("files lock"));
                let pages = files.keys().filter(|path| path.ends_with(".html")).count();
                state.files = Arc::new(files);
                drop(state);
                report(ServeEvent::Built {
                    version: self.version,
                    pages,
                    took: self.started.elapsed(),
                    warnings: warnings.render_items(),
                });
            }
            // Stopped for a newer edit that has not replaced it yet: that edit will.
            Ok(None) => {}
            Err(err) => {
                state.version += 1;
                let version = state.version;
                let diagnostics = err.to_string();
                // A newer edit that failed to load says more than this older build.
                state.error.get_or_insert_with(|| diagnostics.clone());
                // With no good build before it (edits came faster than whole renders),
                // its pages are served under the diagnostics rather than none at all.
                if state.files.is_empty() {
                    let files = std::mem::take(&mut *rendering.files.lock().expect("files lock"));
                    state.files = Arc::new(files);
                }
                drop(state);
                report(ServeEvent::Failed {
                    version,
                    diagnostics,
                    changed: Vec::new(),
                });
                shared.changed.notify_all();
            }
        }
    }
}

/// `/__liangbiao/poll?since=N`: answers at once if the site is not at version N, else
/// when it changes (or after [`POLL_WAIT`]), with `{"version":…,"error":…,"rendering":…}`.
fn answer_poll(request: Request, shared: &Shared) {
    let since: Option<u64> = request
        .url()
        .split_once("since=")
        .and_then(|(_, v)| v.split('&').next())
        .and_then(|v| v.parse().ok());
    let state = shared.state.lock().expect("state lock");
    let state = match since {
        Some(since) => {
            shared
                .changed
                .wait_timeout_while(state, POLL_WAIT, |s| s.version == since)
                .expect("state lock")
                .0
        }
        None => state,
    };
    let body = serde_json::json!({
        "version": state.version,
        "error": state.error,
        // Whether pages are still being rendered (and links not yet checked).
        "rendering": state.rendering.is_some(),
    });
    drop(state);
    request.respond(Response {
        status: 200,
        content_type: "application/json",
        body: body.to_string().into_bytes(),
        header: None,
    });
}

fn answer_file(request: Request, shared: &Shared) {
    let url = request.url();
    if url.split('?').next() == Some(format!("{OWN_PREFIX}live.js").as_str()) {
        request.respond(Response {
            status: 200,
            content_type: "text/javascript; charset=utf-8",
            body: LIVE_RELOAD_JS.as_bytes().to_vec(),
            header: None,
        });
        return;
    }
    let (status, path, bytes, version) = find_file(shared, &output_path(url));
    let body = if path.ends_with(".html") {
        with_live_reload(bytes, version)
    } else {
        bytes
    };
    request.respond(Response {
        status,
        content_type: content_type(&path),
        body,
        header: None,
    });
}

/// The status, path and bytes to answer for an output path, and the version they are
/// of: from the build being rendered if there is one, else from the last good build.
/// `x` is also found as `x/index.html`, as static servers do; else the 404 page.
fn find_file(shared: &Shared, path: &str) -> (u16, String, Vec<u8>, u64) {
    let wanted = [path.to_string(), format!("{path}/index.html")];
    let not_found = ["404.html".to_string()];
    let mut version = 0;
    // A build that stops rendering while asked has been replaced: ask the newer one.
    for _ in 0..3 {
        let (files, rendering) = {
            let state = shared.state.lock().expect("state lock");
            version = state.version;
            (Arc::clone(&state.files), state.rendering.clone())
        };
        let found = match rendering {
            Some(rendering) => match rendering.file(&wanted) {
                Found::File(path, bytes) => Some((200, path, bytes)),
                Found::Missing => match rendering.file(&not_found) {
                    Found::File(path, bytes) => Some((404, path, bytes)),
                    Found::Missing => None,
                    Found::Gone => continue,
                },
                Found::Gone => continue,
            },
            None => found_in(&files, &wanted)
                .map(|(path, bytes)| (200, path, bytes))
                .or_else(|| found_in(&files, &not_found).map(|(path, bytes)| (404, path, bytes))),
        };
        if let Some((status, path, bytes)) = found {
            return (status, path, bytes, version);
        }
        break;
    }
    // Nothing built yet (the first build failed): a page to carry the overlay.
    let page = NOT_BUILT_YET.as_bytes().to_vec();
    (503, "index.html".to_string(), page, version)
}

/// The first of `paths` that is in `files`.
fn found_in(files: &HashMap<String, Vec<u8>>, paths: &[String]) -> Option<(String, Vec<u8>)> {
    paths
        .iter()
        .find_map(|path| files.get(path).map(|bytes| (path.clone(), bytes.clone())))
}

/// `/pilots/x/?q#h` → `pilots/x/index.html`, percent-decoded.
fn output_path(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let path = percent_decode(path.trim_start_matches('/'));
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    }
}

/// Adds the live-reload script before `</body>`, tagged with the version it shows.
fn with_live_reload(html: Vec<u8>, version: u64) -> Vec<u8> {
    let tag = format!(r#"<script src="{OWN_PREFIX}live.js?v={version}"></script>"#);
    let text = String::from_utf8_lossy(&html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit('.').next().unwrap_or_default();
    match extension {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

const NOT_BUILT_YET: &str = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>liangbiao serve</title></head><body><h1>网站尚未构建成功</h1><p>The site has not built yet; the problems are listed over this page.</p></body></html>";

/// Polls for the next build; reloads after a good one, shows the diagnostics after a bad one.
const LIVE_RELOAD_JS: &str = r#"(function () {
  var script = document.currentScript;
  var shown = Number(new URL(script.src).searchParams.get("v"));
  function overlay(text) {
    var box = document.getElementById("liangbiao-error");
    if (!text) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "liangbiao-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;background:#1b1b1b;color:#fff;font:15px/1.6 monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "liangbiao：构建失败，页面显示的是上一次成功的构建。修正文件后会自动刷新。\nBuild failed; this page is the last good build. Fix the file and it reloads.\n\n" + text;
  }
  // Spread out, so that many open pages do not all ask again at the same moment.
  function later(seconds) { setTimeout(poll, seconds * 1000 * (1 + Math.random())); }
  function poll() {
    fetch("/__liangbiao/poll?since=" + shown, { cache: "no-store" })
      .then(function (r) {
        // The server holds as many polls as it can: ask again when it says.
        if (r.status === 503) { later(Number(r.headers.get("Retry-After")) || 1); return; }
        return r.json().then(function (s) {
          if (s.version !== shown && !s.error) { location.reload(); return; }
          shown = s.version;
          overlay(s.error);
          poll();
        });
      })
      .catch(function () { later(1); });
  }
  poll();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_output_paths() {
        assert_eq!(output_path("/"), "index.html");
        assert_eq!(output_path("/pilots/x/?a=1#h"), "pilots/x/index.html");
        assert_eq!(output_path("/css/site.css"), "css/site.css");
        assert_eq!(
            output_path("/search/%E5%85%BB%E8%80%81/"),
            "search/养老/index.html"
        );
    }

    #[test]
    fn the_script_goes_before_the_body_ends() {
        let html = with_live_reload(b"<html><body><p>x</p></body></html>".to_vec(), 7);
        assert_eq!(
            String::from_utf8(html).unwrap(),
            "<html><body><p>x</p><script src=\"/__liangbiao/live.js?v=7\"></script></body></html>"
        );
    }
}
