//! The preview server's HTTP, small and bounded: a fixed number of threads, a request
//! head read within a size and a time limit, one request per connection, and only GET
//! and HEAD requests addressed to this machine answered.
//!
//! tiny_http, which `serve` used before, reads a request line or header of any length
//! into memory and starts a thread for every open connection: a 50 MiB request line left
//! the server holding 325 MiB more, and a few hundred open polls ended the process when
//! no more threads could be started.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The longest request line answered (method, URL and version); a longer one gets 414.
const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The longest request head (request line and headers); a longer one gets 431. Cookies
/// set for 127.0.0.1 by other local tools come with every request, hence the room.
const MAX_HEAD: usize = 32 * 1024;
/// How long a client has to send its request head; a slower one gets 408.
const HEAD_WAIT: Duration = Duration::from_secs(10);
/// How long an answer may take to reach a client that reads slowly.
const WRITE_WAIT: Duration = Duration::from_secs(30);
/// After a refusal, how long and how much of the rest of the request is read and
/// dropped: closing with it unread resets the connection, and the client may lose the
/// answer before reading it.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 1024 * 1024;
/// How long to wait before accepting again after accepting failed.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// A GET or HEAD request addressed to this machine, to be answered once.
pub(super) struct Request {
    stream: TcpStream,
    /// The path and query, as sent.
    url: String,
    /// A HEAD request: the answer's headers without its body.
    head_only: bool,
}

/// An answer, always sent with `Connection: close`: a connection kept open would hold a
/// worker while it waits for the next request.
pub(super) struct Response {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) body: Vec<u8>,
    /// `Allow` or `Retry-After`, for the refusals that need one.
    pub(super) header: Option<(&'static str, &'static str)>,
}

impl Response {
    /// The server is busy (every worker taken, or as many polls open as it holds).
    pub(super) fn busy() -> Response {
        Refusal::Busy.response()
    }
}

/// Why a request is answered without being served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    BadRequest,
    NotLocal,
    NotGetOrHead,
    Timeout,
    UrlTooLong,
    HeadTooLarge,
    Busy,
}

impl Refusal {
    /// The status and a short explanation, Chinese first, then English.
    fn response(self) -> Response {
        let (line, head) = (MAX_REQUEST_LINE / 1024, MAX_HEAD / 1024);
        let (status, text, header) = match self {
            Refusal::BadRequest => (400, "请求格式不对。\nBad request.\n".into(), None),
            Refusal::NotLocal => (
                403,
                "预览服务只回答发往本机的请求（Host 为 127.0.0.1、localhost 或 [::1]）。\n\
                 The preview server answers only requests whose Host is 127.0.0.1, localhost or [::1].\n"
                    .into(),
                None,
            ),
            Refusal::NotGetOrHead => (
                405,
                "预览服务只接受 GET 和 HEAD 请求。\nOnly GET and HEAD requests are answered.\n".into(),
                Some(("Allow", "GET, HEAD")),
            ),
            Refusal::Timeout => (
                408,
                "请求头没有及时发完。\nThe request head did not arrive in time.\n".into(),
                None,
            ),
            Refusal::UrlTooLong => (
                414,
                format!("网址太长（上限 {line} KiB）。\nURL too long (at most {line} KiB).\n"),
                None,
            ),
            Refusal::HeadTooLarge => (
                431,
                format!("请求头太大（上限 {head} KiB）。\nRequest header too large (at most {head} KiB).\n"),
                None,
            ),
            Refusal::Busy => (
                503,
                "预览服务正忙，请稍后重试。\nThe preview server is busy; try again shortly.\n".into(),
                Some(("Retry-After", "1")),
            ),
        };
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: text.into_bytes(),
            header,
        }
    }
}

impl Request {
    /// Reads the request on `stream`. One that is too large, too slow, not addressed to
    /// this machine, or not a GET or HEAD, is answered here and gives `None`.
    pub(super) fn read(mut stream: TcpStream) -> Option<Request> {
        let parsed = read_head(&mut stream).and_then(|head| parse(&head).map_err(Some));
        match parsed {
            Ok((url, head_only)) => Some(Request {
                stream,
                url,
                head_only,
            }),
            Err(Some(refusal)) => {
                refuse(stream, refusal);
                None
            }
            // The client went away.
            Err(None) => None,
        }
    }

    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// Sends `response`; a client that went away is not an error worth reporting.
    pub(super) fn respond(mut self, response: Response) {
        let _ = write_response(&mut self.stream, &response, self.head_only);
    }
}

/// Reads up to the blank line that ends the request head, within [`HEAD_WAIT`] and
/// [`MAX_HEAD`]; the error is the refusal to answer, or `None` when the client left.
fn read_head(stream: &mut TcpStream) -> Result<Vec<u8>, Option<Refusal>> {
    let deadline = Instant::now() + HEAD_WAIT;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Some(Refusal::Timeout));
        }
        stream.set_read_timeout(Some(left)).map_err(|_| None)?;
        let room = chunk.len().min(MAX_HEAD - head.len());
        let read = match stream.read(&mut chunk[..room]) {
            Ok(0) => return Err(None),
            Ok(read) => read,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(Some(Refusal::Timeout))
            }
            Err(_) => return Err(None),
        };
        // The blank line may have begun in the bytes read before.
        let searched = head.len().saturating_sub(2);
        head.extend_from_slice(&chunk[..read]);
        if let Some(end) = head_end(&head[searched..]) {
            head.truncate(searched + end);
            return Ok(head);
        }
        // No need to read on once the request line alone is over its limit.
        let line = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
        if line > MAX_REQUEST_LINE {
            return Err(Some(Refusal::UrlTooLong));
        }
        if head.len() >= MAX_HEAD {
            return Err(Some(Refusal::HeadTooLarge));
        }
    }
}

/// Where the head ends in `bytes`: after the first empty line (`\n\n` or `\n\r\n`).
fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes.iter().enumerate().find_map(|(at, &b)| {
        let rest = bytes.get(at + 1..)?;
        let blank = if rest.starts_with(b"\r\n") {
            3
        } else if rest.starts_with(b"\n") {
            2
        } else {
            return None;
        };
        (b == b'\n').then_some(at + blank)
    })
}

/// The URL of a request head and whether it is a HEAD request, or why it is refused.
/// The Host is checked first: a page on another site that reaches this server through
/// DNS rebinding names its own host, and must not read the preview (drafts included).
fn parse(head: &[u8]) -> Result<(String, bool), Refusal> {
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    if request_line.len() > MAX_REQUEST_LINE {
        return Err(Refusal::UrlTooLong);
    }
    let mut parts = request_line.split(' ');
    let (Some(method), Some(url), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::BadRequest);
    };
    // Only a path: a full URL (`GET http://other/`) would name a host of its own.
    if !matches!(version, "HTTP/1.0" | "HTTP/1.1") || !url.starts_with('/') {
        return Err(Refusal::BadRequest);
    }
    let hosts: Vec<&str> = lines
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.trim())
        .collect();
    if !matches!(hosts.as_slice(), [host] if is_local(host)) {
        return Err(Refusal::NotLocal);
    }
    match method {
        "GET" => Ok((url.to_string(), false)),
        "HEAD" => Ok((url.to_string(), true)),
        _ => Err(Refusal::NotGetOrHead),
    }
}

/// Whether a Host header names this machine: 127.0.0.1, localhost or [::1], with or
/// without a port.
fn is_local(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name == "127.0.0.1" || name == "[::1]" || name.eq_ignore_ascii_case("localhost")
}

fn write_response(stream: &mut TcpStream, response: &Response, head_only: bool) -> io::Result<()> {
    stream.set_write_timeout(Some(WRITE_WAIT))?;
    // One write: a head and a body written apart wait on each other (Nagle's algorithm).
    let mut bytes = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    )
    .into_bytes();
    if let Some((name, value)) = response.header {
        bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    if !head_only {
        bytes.extend_from_slice(&response.body);
    }
    stream.write_all(&bytes)?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Answers `refusal`, then reads and drops the rest of the request for a moment.
fn refuse(mut stream: TcpStream, refusal: Refusal) {
    if write_response(&mut stream, &refusal.response(), false).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut chunk = [0; 8192];
    let mut dropped = 0;
    while dropped < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(read) => dropped += read,
        }
    }
}

/// Answers 503 on the accepting thread, so without waiting for anything: what has come of
/// the request is dropped, and the short answer fits the socket's empty send buffer.
fn refuse_at_once(mut stream: TcpStream) {
    if stream.set_nonblocking(true).is_err() {
        return;
    }
    let mut chunk = [0; 4096];
    let mut dropped = 0;
    while dropped < MAX_HEAD {
        match stream.read(&mut chunk) {
            Ok(read) if read > 0 => dropped += read,
            _ => break,
        }
    }
    let _ = write_response(&mut stream, &Response::busy(), false);
    let _ = stream.shutdown(Shutdown::Write);
}

/// Accepts connections for as long as the process runs and hands each to `workers`;
/// when they are all busy and their queue is full, it is answered 503 at once.
pub(super) fn accept(listener: &TcpListener, workers: &Pool<TcpStream>) -> ! {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                if let Err(stream) = workers.offer(stream) {
                    refuse_at_once(stream);
                }
            }
            // Out of file descriptors, or a connection reset before it was accepted: the
            // preview goes on once some are closed.
            Err(_) => thread::sleep(ACCEPT_PAUSE),
        }
    }
}

/// A fixed number of threads, started at once, that take jobs from a bounded queue.
pub(super) struct Pool<T> {
    jobs: SyncSender<T>,
}

impl<T: Send + 'static> Pool<T> {
    /// Starts `threads` threads named `name` that do `work` on each job, with room for
    /// `queue` jobs waiting.
    pub(super) fn start(
        name: &str,
        threads: usize,
        queue: usize,
        work: impl Fn(T) + Send + Sync + 'static,
    ) -> io::Result<Pool<T>> {
        let (jobs, received) = mpsc::sync_channel(queue);
        let received = Arc::new(Mutex::new(received));
        let work = Arc::new(work);
        for i in 0..threads {
            let (received, work) = (Arc::clone(&received), Arc::clone(&work));
            thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || loop {
                    // The lock is held only while waiting: the next free thread waits next.
                    let Ok(Ok(job)) = received.lock().map(|received| received.recv()) else {
                        return;
                    };
                    // A job that panics (on a poisoned lock) must not end its thread: the
                    // pool would shrink until no request is answered. The panic is printed.
                    let _ = panic::catch_unwind(AssertUnwindSafe(|| work(job)));
                })
                .map_err(|e| {
                    io::Error::new(e.kind(), format!("cannot start {name} threads: {e}"))
                })?;
        }
        Ok(Pool { jobs })
    }

    /// Hands `job` to a free thread or to the queue; gives it back if neither has room.
    pub(super) fn offer(&self, job: T) -> Result<(), T> {
        self.jobs.try_send(job).map_err(|e| match e {
            TrySendError::Full(job) | TrySendError::Disconnected(job) => job,
        })
    }
}

/// A thread for each job, started when the job comes, at most `limit` at once: for jobs
/// that mostly wait, such as polls, which would hold up a [`Pool`]'s threads.
pub(super) struct Bounded<T> {
    name: String,
    limit: usize,
    running: Arc<AtomicUsize>,
    work: Arc<dyn Fn(T) + Send + Sync>,
}

/// One of a [`Bounded`]'s running threads, counted until it ends.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<T: Send + 'static> Bounded<T> {
    pub(super) fn new(name: &str, limit: usize, work: impl Fn(T) + Send + Sync + 'static) -> Self {
        Bounded {
            name: name.to_string(),
            limit,
            running: Arc::default(),
            work: Arc::new(work),
        }
    }

    /// Starts a thread for `job`; gives the job back if `limit` threads are running or
    /// no thread can be started.
    pub(super) fn offer(&self, job: T) -> Result<(), T> {
        if self.running.fetch_add(1, Ordering::SeqCst) >= self.limit {
            self.running.fetch_sub(1, Ordering::SeqCst);
            return Err(job);
        }
        let running = Running(Arc::clone(&self.running));
        let work = Arc::clone(&self.work);
        // The job is sent once the thread is started, so that it is not lost if none can be.
        let (send, received) = mpsc::channel();
        let spawned = thread::Builder::new()
            .name(self.name.clone())
            .spawn(move || {
                let _running = running;
                if let Ok(job) = received.recv() {
                    work(job);
                }
            });
        match spawned {
            Ok(_) => send.send(job).map_err(|unsent| unsent.0),
            Err(_) => Err(job),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(head: &str) -> Result<(String, bool), Refusal> {
        parse(head.as_bytes())
    }

    #[test]
    fn only_requests_for_this_machine_are_answered() {
        for host in [
            "127.0.0.1",
            "127.0.0.1:1950",
            "localhost",
            "LocalHost:80",
            "[::1]",
            "[::1]:1950",
        ] {
            let head = format!("GET /a/?b HTTP/1.1\r\nHost: {host}\r\nAccept: */*");
            assert_eq!(request(&head), Ok(("/a/?b".to_string(), false)), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1950",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "127.0.0.1:x",
            "::1",
            "",
        ] {
            let head = format!("GET / HTTP/1.1\r\nHost: {host}");
            assert_eq!(request(&head), Err(Refusal::NotLocal), "{host}");
        }
        assert_eq!(request("GET / HTTP/1.1"), Err(Refusal::NotLocal));
        let twice = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example";
        assert_eq!(request(twice), Err(Refusal::NotLocal));
        let full_url = "GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1";
        assert_eq!(request(full_url), Err(Refusal::BadRequest));
    }

    #[test]
    fn only_get_and_head_are_answered() {
        let head = |method: &str| request(&format!("{method} / HTTP/1.1\nhost: localhost"));
        assert_eq!(head("HEAD"), Ok(("/".to_string(), true)));
        assert_eq!(head("POST"), Err(Refusal::NotGetOrHead));
        assert_eq!(head("PUT"), Err(Refusal::NotGetOrHead));
        assert_eq!(head("get"), Err(Refusal::NotGetOrHead));
        let long = format!(
            "GET /{} HTTP/1.1\r\nHost: localhost",
            "a".repeat(MAX_REQUEST_LINE)
        );
        assert_eq!(request(&long), Err(Refusal::UrlTooLong));
        assert_eq!(
            request("GET / HTTP/2.0\r\nHost: localhost"),
            Err(Refusal::BadRequest)
        );
    }

    #[test]
    fn the_head_ends_at_the_first_empty_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nbody"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.1\nHost: x\n\nbody"), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
    }

    #[test]
    fn a_pool_with_its_threads_busy_and_its_queue_full_gives_the_job_back() {
        let (release, released) = mpsc::channel::<()>();
        let released = Mutex::new(released);
        let (started, starts) = mpsc::channel();
        let pool = Pool::start("test", 1, 1, move |job: u32| {
            let _ = started.send(job);
            let _ = released.lock().map(|r| r.recv());
        })
        .unwrap();
        assert_eq!(pool.offer(1), Ok(()));
        assert_eq!(starts.recv(), Ok(1));
        assert_eq!(pool.offer(2), Ok(()));
        assert_eq!(pool.offer(3), Err(3));
        drop(release);
        assert_eq!(starts.recv(), Ok(2));
    }

    #[test]
    fn bounded_threads_past_the_limit_give_the_job_back_until_one_ends() {
        let (release, released) = mpsc::channel::<()>();
        let released = Mutex::new(released);
        let threads = Bounded::new("test", 2, move |_: u32| {
            let _ = released.lock().map(|r| r.recv());
        });
        assert_eq!(threads.offer(1), Ok(()));
        assert_eq!(threads.offer(2), Ok(()));
        assert_eq!(threads.offer(3), Err(3));
        release.send(()).unwrap();
        // The released thread ends soon after.
        let mut offered = threads.offer(4);
        for _ in 0..1000 {
            match offered {
                Ok(()) => break,
                Err(job) => {
                    thread::sleep(Duration::from_millis(1));
                    offered = threads.offer(job);
                }
            }
        }
        assert_eq!(offered, Ok(()));
        drop(release);
    }
}
