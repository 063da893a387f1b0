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
    let (status, _, body) = send(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    );
    (status, body)
}

/// A request as written, over a plain socket: (status, head, body).
fn send(port: u16, request: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(40)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    parse_response(&response)
}

fn parse_response(response: &[u8]) -> (u16, String, String) {
    let response = String::from_utf8_lossy(response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
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

/// The server's resident memory and thread count, from /proc.
#[cfg(target_os = "linux")]
fn resident_kib_and_threads(server: &Server) -> (u64, u64) {
    let status = fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let field = |name: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    (field("VmRSS:"), field("Threads:"))
}

#[test]
fn five_hundred_open_polls_are_held_or_told_to_retry_and_pages_still_load() {
    let site = common::minimal_site();
    let mut server = start(site.path(), free_port());
    let port = server.port;
    let version = poll(port, None)["version"].as_u64().unwrap();
    let request =
        format!("GET /__liangbiao/poll?since={version} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    let mut polls: Vec<TcpStream> = (0..500)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream.write_all(request.as_bytes()).unwrap();
            stream.set_nonblocking(true).unwrap();
            stream
        })
        .collect();

    // The server holds 64 polls at most: the others are answered at once, 503 with a
    // time to ask again after.
    let mut busy = 0;
    for _ in 0..600 {
        polls.retain_mut(|stream| {
            let mut response = Vec::new();
            match stream.read_to_end(&mut response) {
                Ok(_) => {
                    let (status, head, _) = parse_response(&response);
                    assert_eq!(status, 503, "{head}");
                    assert!(head.contains("Retry-After: 1"), "{head}");
                    busy += 1;
                    false
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => true,
                Err(e) => panic!("a poll failed: {e}"),
            }
        });
        if polls.len() <= 64 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(polls.len(), 64, "{busy} polls told to retry");
    assert!(server.child.try_wait().unwrap().is_none(), "serve ended");
    #[cfg(target_os = "linux")]
    {
        let (_, threads) = resident_kib_and_threads(&server);
        assert!(threads < 100, "{threads} threads");
    }
    let (status, page) = get(port, "/pilots/xicheng/");
    assert_eq!(status, 200, "{page}");
}

#[test]
fn a_request_for_another_host_is_forbidden() {
    let site = common::minimal_site();
    let server = start(site.path(), free_port());
    let port = server.port;
    // A page of another site that reaches the server through DNS rebinding.
    let rebound =
        format!("GET / HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n");
    let (status, head, body) = send(port, &rebound);
    assert_eq!(status, 403, "{head}");
    assert!(
        head.contains("Content-Type: text/plain; charset=utf-8"),
        "{head}"
    );
    assert!(body.starts_with("预览服务只回答发往本机的请求"), "{body}");
    assert!(
        body.contains("whose Host is 127.0.0.1, localhost or [::1]"),
        "{body}"
    );
    let (status, _, _) = send(port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 403, "no Host");
    let drafts = "GET /pilots/ HTTP/1.1\r\nHost: 127.0.0.1.evil.example\r\n\r\n";
    assert_eq!(send(port, drafts).0, 403);
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        assert_eq!(send(port, &request).0, 200, "{host}");
    }
}

#[test]
fn only_get_and_head_are_answered() {
    let site = common::minimal_site();
    let server = start(site.path(), free_port());
    let port = server.port;
    let post = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\na=1";
    let (status, head, body) = send(port, post);
    assert_eq!(status, 405, "{head}");
    assert!(head.contains("Allow: GET, HEAD"), "{head}");
    assert!(body.contains("Only GET and HEAD"), "{body}");
    let (status, head, body) = send(port, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(status, 200, "{head}");
    assert!(
        body.is_empty() && !head.contains("Content-Length: 0"),
        "{head}"
    );
}

#[test]
fn a_very_long_request_line_is_refused_without_keeping_it() {
    let site = common::minimal_site();
    let server = start(site.path(), free_port());
    let port = server.port;
    assert_eq!(get(port, "/").0, 200);
    #[cfg(target_os = "linux")]
    let (resident_before, _) = resident_kib_and_threads(&server);

    // Just over the limit, sent whole: answered 414.
    let long = format!("/{}", "a".repeat(9 * 1024));
    let (status, head, body) = send(
        port,
        &format!("GET {long} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
    );
    assert_eq!(status, 414, "{head}");
    assert!(body.contains("URL too long"), "{body}");

    // 50 MiB with no end of line: the server stops reading after the limit and closes the
    // connection, which may reset it before the answer is read.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let chunk = vec![b'a'; 1024 * 1024];
    let mut sent = 0;
    let _ = stream.write_all(b"GET /");
    while sent < 50 && stream.write_all(&chunk).is_ok() {
        sent += 1;
    }
    assert!(sent < 50, "the server read all 50 MiB");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    if !response.is_empty() {
        assert_eq!(parse_response(&response).0, 414);
    }
    drop(stream);

    #[cfg(target_os = "linux")]
    {
        let (resident_after, _) = resident_kib_and_threads(&server);
        let grown = resident_after.saturating_sub(resident_before);
        assert!(grown < 16 * 1024, "resident memory grew by {grown} KiB");
    }
    assert_eq!(get(port, "/pilots/xicheng/").0, 200);
}

#[test]
fn connections_past_the_workers_and_their_queue_are_told_to_retry() {
    let site = common::minimal_site();
    let mut server = start(site.path(), free_port());
    let port = server.port;
    assert_eq!(get(port, "/").0, 200);
    // Connections that send nothing hold the 8 workers (each waits for a request head)
    // and fill the 64 places in their queue; those past them are answered 503 at once.
    let mut idle: Vec<TcpStream> = (0..100)
        .map(|_| {
            let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream.set_nonblocking(true).unwrap();
            stream
        })
        .collect();
    let mut refused = 0;
    // Refusals come at once: a second is ample for them all.
    for _ in 0..20 {
        for stream in &mut idle {
            let mut response = Vec::new();
            if stream.read_to_end(&mut response).is_ok() && !response.is_empty() {
                let (status, head, _) = parse_response(&response);
                assert_eq!(status, 503, "{head}");
                assert!(head.contains("Retry-After: 1"), "{head}");
                refused += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // 64 waiting in the queue, and up to 8 more taken from it by the workers (fewer
    // when the last connections came before the workers took theirs).
    assert!((28..=36).contains(&refused), "{refused} refused");
    assert!(server.child.try_wait().unwrap().is_none(), "serve ended");
    // Once they close, the workers are free again (when they have seen them close).
    drop(idle);
    let mut status = 0;
    for _ in 0..100 {
        status = get(port, "/pilots/xicheng/").0;
        if status != 503 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(status, 200);
}
