//! `liangbiao serve` as an editor uses it: a real server process on a free loopback port,
//! real file edits, and the live-reload endpoint the page script polls.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Kills the server when the test ends, however it ends.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(root: &Path, port: u16) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_liangbiao"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(root)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("serve printed nothing");
    let port = first
        .strip_prefix("serving http://127.0.0.1:")
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"));
    Server { child, port }
}

/// A GET over a plain socket: (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(40)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

fn poll(port: u16, since: Option<u64>) -> serde_json::Value {
    let path = match since {
        Some(v) => format!("/__liangbiao/poll?since={v}"),
        None => "/__liangbiao/poll".to_string(),
    };
    let (status, body) = get(port, &path);
    assert_eq!(status, 200);
    serde_json::from_str(&body).unwrap()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "no `{from}` in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn serve_rebuilds_on_edits_reports_errors_and_recovers() {
    let site = common::minimal_site();
    let pilot = site.path().join("content/pilots/xicheng.md");

    // The asked-for port is taken: serve moves on to a free one.
    let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    let server = start(site.path(), taken_port);
    assert_ne!(server.port, taken_port);
    let port = server.port;

    let (status, page) = get(port, "/pilots/xicheng/");
    assert_eq!(status, 200);
    assert!(page.contains("巡视探访服务。"));
    assert!(page.contains("<script src=\"/__liangbiao/live.js?v=1\"></script></body>"));
    let (status, script) = get(port, "/__liangbiao/live.js?v=1");
    assert_eq!(status, 200);
    assert!(script.contains("location.reload()"));
    let state = poll(port, None);
    assert_eq!(state["version"], 1);
    assert!(state["error"].is_null());

    // An edit: the poll waiting on version 1 answers with the next one.
    edit(&pilot, "巡视探访服务。", "巡视探访服务，每周一次。");
    let state = poll(port, Some(1));
    let edited = state["version"].as_u64().unwrap();
    assert!(edited > 1 && state["error"].is_null(), "{state}");
    assert!(get(port, "/pilots/xicheng/")
        .1
        .contains("巡视探访服务，每周一次。"));

    // A mistake: the poll carries the diagnostics; the last good site is still served.
    edit(&pilot, "kind = \"专项试点\"", "kind = \"专项\"");
    let state = poll(port, Some(edited));
    let error = state["error"].as_str().unwrap_or_default().to_string();
    assert!(
        error.contains("content/pilots/xicheng.md:4:8") && error.contains("专项试点"),
        "{state}"
    );
    let broken = state["version"].as_u64().unwrap();
    let (status, page) = get(port, "/pilots/xicheng/");
    assert_eq!(status, 200);
    assert!(page.contains("巡视探访服务，每周一次。"));

    // Fixed: the next poll has no error, and pages show the fix.
    edit(&pilot, "kind = \"专项\"", "kind = \"专项试点\"");
    let state = poll(port, Some(broken));
    assert!(state["error"].is_null(), "{state}");
    assert_eq!(get(port, "/no/such/page/").0, 404);
    drop(taken);
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until every page of the current version is rendered and its links checked.
fn wait_until_rendered(port: u16) {
    for _ in 0..200 {
        if poll(port, None)["rendering"] == false {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the pages never finished rendering");
}

/// Polls from `since` until a version carries an error; its version and the error.
fn poll_until_error(port: u16, mut since: u64) -> (u64, String) {
    for _ in 0..20 {
        let state = poll(port, Some(since));
        since = state["version"].as_u64().unwrap();
        if let Some(error) = state["error"].as_str() {
            return (since, error.to_string());
        }
    }
    panic!("no error reported after version {since}");
}

#[test]
fn a_broken_link_found_after_the_edit_is_served_brings_back_the_last_good_site() {
    let site = common::minimal_site();
    let pilot = site.path().join("content/pilots/xicheng.md");
    let server = start(site.path(), free_port());
    let port = server.port;
    let body = "西城区建立了巡视探访服务标准体系。";
    assert!(get(port, "/pilots/xicheng/").1.contains(body));
    // A data file is served while the pages render, once it is made.
    let (status, data) = get(port, "/data/pilots.json");
    assert_eq!(status, 200, "{data}");
    assert!(data.contains("xicheng"));
    wait_until_rendered(port);

    // The edit is served at once; the link check across all pages comes after it.
    edit(
        &pilot,
        body,
        "西城区的做法见[别处](/pilots/no-such-pilot/)。",
    );
    let (_, error) = poll_until_error(port, 1);
    assert!(
        error.contains("content/pilots/xicheng.md") && error.contains("/pilots/no-such-pilot/"),
        "{error}"
    );
    let (status, page) = get(port, "/pilots/xicheng/");
    assert_eq!(status, 200);
    assert!(
        page.contains(body) && !page.contains("no-such-pilot"),
        "{page}"
    );
}

#[test]
fn an_edited_template_or_a_new_pilot_is_served_after_the_change() {
    let site = common::minimal_site();
    let root = site.path();
    let server = start(root, free_port());
    let port = server.port;
    wait_until_rendered(port);

    // Templates are parsed once and kept between edits, until one of them changes.
    let base = root.join("templates/base.html");
    edit(
        &base,
        "<footer class=\"site-footer\">",
        "<footer class=\"site-footer\"><p>模板已修改</p>",
    );
    poll(port, Some(1));
    assert!(get(port, "/pilots/xicheng/")
        .1
        .contains("<p>模板已修改</p>"));
    assert!(get(port, "/").1.contains("<p>模板已修改</p>"));

    // A new file is found (the folder is listed again), and its page is served.
    let version = poll(port, None)["version"].as_u64().unwrap();
    let pilot = fs::read_to_string(root.join("content/pilots/xicheng.md")).unwrap();
    let copy = pilot
        .replacen("slug = \"xicheng\"", "slug = \"xicheng-copy\"", 1)
        .replace("evaluation_row = ", "# evaluation_row = ");
    fs::write(root.join("content/pilots/xicheng-copy.md"), copy).unwrap();
    let state = poll(port, Some(version));
    assert!(state["error"].is_null(), "{state}");
    let (status, page) = get(port, "/pilots/xicheng-copy/");
    assert_eq!(status, 200, "{page}");
}

#[test]
fn build_output_never_carries_the_live_reload_script() {
    let site = common::minimal_site();
    let built = common::build_site(site.path(), None);
    let files = built.files();
    assert!(files.len() > 20);
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("__liangbiao"), "{path}");
    }
}
