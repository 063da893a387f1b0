//! `liangbiao serve`: the site rendered in memory and served on 127.0.0.1, rebuilt when a
//! file under `content/`, `templates/`, `static/` or `config.toml` changes.
//!
//! Open pages long-poll `/__liangbiao/poll` and reload when a rebuild succeeds; when one
//! fails, the last good site stays up and every page shows the diagnostics as an overlay
//! until the file is fixed. The live-reload script is added to pages here, as they are
//! served, so it can never reach `build` output.

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use notify::{Event, EventKind, RecursiveMode, Watcher};
use tiny_http::{Header, Request, Response, Server};

use crate::links::percent_decode;
use crate::{render, BuildOptions};

/// The URL prefix of the server's own endpoints; no page of a site uses it.
const OWN_PREFIX: &str = "/__liangbiao/";
/// How long a poll waits for a rebuild before answering "no change".
const POLL_WAIT: Duration = Duration::from_secs(25);
/// Editors save several files at once (and editors write temp files): wait this long
/// after the last change before rebuilding.
const SETTLE: Duration = Duration::from_millis(30);

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
    Built {
        version: u64,
        pages: usize,
        took: Duration,
        warnings: String,
        changed: Vec<PathBuf>,
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
    /// Increases with every build, good or bad.
    version: u64,
    /// Output path → bytes, from the last build that succeeded.
    files: Arc<HashMap<String, Vec<u8>>>,
    /// Diagnostics of the latest build if it failed, without colour codes.
    error: Option<String>,
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
    report: impl Fn(ServeEvent) + Send + 'static,
) -> io::Result<()> {
    let addr = listener.local_addr()?;
    let server = Server::from_listener(listener, None).map_err(io::Error::other)?;
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
    rebuild(&build_options, &shared, Vec::new(), &report);

    let (tx, rx) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(tx).map_err(io::Error::other)?;
    for path in watched_paths(&options.root) {
        watcher
            .watch(&path, RecursiveMode::Recursive)
            .map_err(io::Error::other)?;
    }
    let rebuild_shared = Arc::clone(&shared);
    thread::spawn(move || {
        // The watcher stops when dropped: keep it as long as this thread runs.
        let _watcher = watcher;
        while let Some(changed) = next_changes(&rx) {
            rebuild(&build_options, &rebuild_shared, changed, &report);
        }
    });

    for request in server.incoming_requests() {
        let shared = Arc::clone(&shared);
        if request.url().starts_with(&format!("{OWN_PREFIX}poll")) {
            // A poll can wait for long: give it its own thread.
            thread::spawn(move || answer_poll(request, &shared));
        } else {
            answer_file(request, &shared);
        }
    }
    Ok(())
}

/// What is watched: the content, theme and configuration, never the output folder.
fn watched_paths(root: &Path) -> Vec<PathBuf> {
    ["content", "templates", "static", "config.toml"]
        .iter()
        .map(|p| root.join(p))
        .filter(|p| p.exists())
        .collect()
}

/// Waits for a change, then for the files to settle; `None` when the watcher is gone.
/// Reads are not changes: rendering reads every template, and must not trigger itself.
fn next_changes(rx: &mpsc::Receiver<notify::Result<Event>>) -> Option<Vec<PathBuf>> {
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut take = |event: notify::Result<Event>| match event {
        Ok(event) if !matches!(event.kind, EventKind::Access(_)) => {
            changed.extend(event.paths);
            true
        }
        Ok(_) => false,
        // The watcher lost track (e.g. too many files changed): rebuild to be sure.
        Err(_) => true,
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
    Some(changed)
}

fn rebuild(
    options: &BuildOptions,
    shared: &Shared,
    changed: Vec<PathBuf>,
    report: &impl Fn(ServeEvent),
) {
    let started = Instant::now();
    let outcome = render(options);
    let took = started.elapsed();
    let mut state = shared.state.lock().expect("state lock");
    state.version += 1;
    let version = state.version;
    match outcome {
        Ok(rendered) => {
            let pages = rendered
                .files
                .iter()
                .filter(|f| f.path.ends_with(".html"))
                .count();
            state.files = Arc::new(
                rendered
                    .files
                    .into_iter()
                    .map(|f| (f.path, f.bytes))
                    .collect(),
            );
            state.error = None;
            drop(state);
            report(ServeEvent::Built {
                version,
                pages,
                took,
                warnings: rendered.warnings.render_items(),
                changed,
            });
        }
        Err(err) => {
            let diagnostics = err.to_string();
            state.error = Some(diagnostics.clone());
            drop(state);
            report(ServeEvent::Failed {
                version,
                diagnostics,
                changed,
            });
        }
    }
    shared.changed.notify_all();
}

/// `/__liangbiao/poll?since=N`: answers at once if the site is not at version N, else
/// when it changes (or after [`POLL_WAIT`]), with `{"version":…,"error":…}`.
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
    let body = serde_json::json!({ "version": state.version, "error": state.error });
    drop(state);
    let _ = request.respond(
        Response::from_data(body.to_string())
            .with_header(header("Content-Type", "application/json"))
            .with_header(header("Cache-Control", "no-store")),
    );
}

fn answer_file(request: Request, shared: &Shared) {
    let (files, version) = {
        let state = shared.state.lock().expect("state lock");
        (Arc::clone(&state.files), state.version)
    };
    let url = request.url().to_string();
    if url.split('?').next() == Some(format!("{OWN_PREFIX}live.js").as_str()) {
        let _ = request.respond(
            Response::from_data(LIVE_RELOAD_JS)
                .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
                .with_header(header("Cache-Control", "no-store")),
        );
        return;
    }
    let path = output_path(&url);
    let found = lookup(&files, &path);
    let (status, path, bytes) = match found {
        Some((path, bytes)) => (200, path, bytes.clone()),
        None => match files.get("404.html") {
            Some(bytes) => (404, "404.html".to_string(), bytes.clone()),
            // Nothing built yet (the first build failed): a page to carry the overlay.
            None => (
                503,
                "index.html".to_string(),
                NOT_BUILT_YET.as_bytes().to_vec(),
            ),
        },
    };
    let bytes = if path.ends_with(".html") {
        with_live_reload(bytes, version)
    } else {
        bytes
    };
    let _ = request.respond(
        Response::from_data(bytes)
            .with_status_code(status)
            .with_header(header("Content-Type", content_type(&path)))
            .with_header(header("Cache-Control", "no-store")),
    );
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

/// The file for a path, also `x/index.html` for `x` as static servers do.
fn lookup<'a>(files: &'a HashMap<String, Vec<u8>>, path: &str) -> Option<(String, &'a Vec<u8>)> {
    files.get(path).map(|b| (path.to_string(), b)).or_else(|| {
        let index = format!("{path}/index.html");
        files.get(&index).map(|b| (index, b))
    })
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

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
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
  function poll() {
    fetch("/__liangbiao/poll?since=" + shown, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.version !== shown && !s.error) { location.reload(); return; }
        shown = s.version;
        overlay(s.error);
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
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
