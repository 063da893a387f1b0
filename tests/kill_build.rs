//! A build killed at any moment leaves a complete site, old or new, at the output path,
//! and the next build removes what it left; builds into one output take turns.
//!
//! Each moment is reached through the write stage's test hook (`LIANGBIAO_TEST_PAUSE_AT`,
//! see `src/write.rs`): the `liangbiao` binary stops itself there with SIGSTOP, and the
//! test SIGKILLs it (or lets it go on with SIGCONT).
#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::{copy_tree, minimal_site, repo_root};

/// The rebuilds differ from the first build by their base URL, so every page differs.
const NEW_BASE_URL: &str = "https://example.org/new/";

/// Site path → bytes: a site as it is on disk.
type Files = BTreeMap<String, Vec<u8>>;

/// The minimal site, an output folder beside it (not in it), and both versions of the
/// site as complete builds write them.
struct Fixture {
    site: tempfile::TempDir,
    work: tempfile::TempDir,
    output: PathBuf,
    old: Files,
    new: Files,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Version {
    Old,
    New,
}

impl Fixture {
    fn new() -> Fixture {
        let site = minimal_site();
        let work = tempfile::tempdir().unwrap();
        let output = work.path().join("public");
        let reference = |version, name: &str| {
            let output = work.path().join(name);
            finish(build(site.path(), &output, version));
            let files = files(&output);
            fs::remove_dir_all(&output).unwrap();
            files
        };
        let old = reference(Version::Old, "old");
        let new = reference(Version::New, "new");
        assert_ne!(old, new);
        Fixture {
            site,
            work,
            output,
            old,
            new,
        }
    }

    fn build(&self, version: Version) -> Command {
        build(self.site.path(), &self.output, version)
    }

    /// How many files a build writes, the marker aside (the `written-<N>` steps).
    fn files_written(&self) -> usize {
        self.old.len() - 1
    }

    fn expected(&self, version: Version) -> &Files {
        match version {
            Version::Old => &self.old,
            Version::New => &self.new,
        }
    }

    /// Asserts that the output is exactly one complete version of the site.
    fn assert_output_is(&self, version: Version, context: &str) {
        let found = files(&self.output);
        if &found != self.expected(version) {
            let other = match version {
                Version::Old => Version::New,
                Version::New => Version::Old,
            };
            let what = if &found == self.expected(other) {
                format!("the {other:?} site")
            } else {
                format!("{} files, not a complete site", found.len())
            };
            panic!("{context}: expected the {version:?} site, found {what}");
        }
    }

    /// Builds the old site to the end and asserts that nothing a build leaves is left.
    fn rebuild_old_and_assert_clean(&self, context: &str) {
        finish(self.build(Version::Old));
        self.assert_output_is(Version::Old, &format!("{context}, then a full build"));
        let strays = strays(self.work.path());
        assert!(strays.is_empty(), "{context}: left {strays:?}");
    }
}

/// `liangbiao build` of `site` into `output`; the new version with NEW_BASE_URL.
fn build(site: &Path, output: &Path, version: Version) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_liangbiao"));
    command
        .args(["build", "--quiet", "--root"])
        .arg(site)
        .arg("--output")
        .arg(output);
    if version == Version::New {
        command.args(["--base-url", NEW_BASE_URL]);
    }
    command
}

/// Runs a build to the end and asserts that it succeeded.
fn finish(mut command: Command) {
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
}

/// Every file under `dir`.
fn files(dir: &Path) -> Files {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// What builds leave beside `public` in `dir` while they run: staging and old folders,
/// and the lock file.
fn strays(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public."))
        .collect()
}

/// A running build and the lines of its stderr.
struct Running {
    child: Child,
    stderr: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(mut command: Command, pause_at: Option<&str>, two_renames: bool) -> Running {
        if let Some(step) = pause_at {
            command.env("LIANGBIAO_TEST_PAUSE_AT", step);
        }
        if two_renames {
            command.env("LIANGBIAO_TEST_NO_EXCHANGE", "1");
        }
        let mut child = command.stderr(Stdio::piped()).spawn().unwrap();
        let (lines, stderr) = mpsc::channel();
        let pipe = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in pipe.lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            stderr,
            seen: Vec::new(),
        }
    }

    /// Starts a build that stops itself at `step`, and waits until it has stopped.
    fn paused_at(command: Command, step: &str, two_renames: bool) -> Running {
        let mut build = Running::start(command, Some(step), two_renames);
        build.wait_for_line(&format!("liangbiao: paused at {step}"));
        let started = Instant::now();
        while build.state() != 'T' {
            assert!(started.elapsed() < Duration::from_secs(60), "not stopped");
            std::thread::sleep(Duration::from_millis(1));
        }
        build
    }

    fn wait_for_line(&mut self, expected: &str) {
        loop {
            match self.stderr.recv_timeout(Duration::from_secs(120)) {
                Ok(line) if line == expected => return,
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no `{expected}` on stderr; it said {:?}", self.seen),
            }
        }
    }

    /// The process state from /proc: `T` once stopped.
    fn state(&self) -> char {
        let stat = fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let after_name = &stat[stat.rfind(')').unwrap() + 1..];
        after_name.trim_start().chars().next().unwrap()
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }

    fn resume(&self) {
        let status = Command::new("kill")
            .args(["-CONT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn assert_succeeds(mut self) {
        let status = self.child.wait().unwrap();
        self.seen.extend(self.stderr.try_iter());
        assert!(status.success(), "{:?}", self.seen);
    }
}

/// Where to kill a rebuild, and which site the output must then hold.
struct KillPoint {
    step: String,
    two_renames: bool,
    /// A first build: no site at the output before it.
    first: bool,
    /// The version at the output after the kill; `None`: no site yet, or (the two-rename
    /// swap between its renames) none until the next build puts the old one back.
    expect: Option<Version>,
}

fn kill_points(files: usize) -> Vec<KillPoint> {
    let point = |step: &str, expect| KillPoint {
        step: step.to_string(),
        two_renames: false,
        first: false,
        expect: Some(expect),
    };
    let mut points = vec![
        point("locked", Version::Old),
        point("staging-created", Version::Old),
    ];
    for n in [1, files / 4, files / 2, files * 3 / 4, files] {
        points.push(point(&format!("written-{n}"), Version::Old));
    }
    points.extend([
        point("marked", Version::Old),
        point("swapped", Version::New),
        point("removing-old", Version::New),
        point("done", Version::New),
    ]);
    for (step, expect) in [
        ("marked", Some(Version::Old)),
        ("moved-aside", None),
        ("renamed-in", Some(Version::New)),
        ("swapped", Some(Version::New)),
        ("removing-old", Some(Version::New)),
    ] {
        points.push(KillPoint {
            step: step.to_string(),
            two_renames: true,
            first: false,
            expect,
        });
    }
    for (step, expect) in [("marked", None), ("swapped", Some(Version::New))] {
        points.push(KillPoint {
            step: step.to_string(),
            two_renames: false,
            first: true,
            expect,
        });
    }
    points
}

#[test]
fn a_killed_build_leaves_a_complete_site_and_the_next_build_its_leftovers_removed() {
    let fixture = Fixture::new();
    fixture.rebuild_old_and_assert_clean("the first build");
    // A build whose content is broken: it fails, and must leave the site as it was.
    let broken = minimal_site();
    copy_tree(
        &repo_root().join("tests/fixtures/invalid/many-errors/site"),
        broken.path(),
    );

    let points = kill_points(fixture.files_written());
    for point in &points {
        let context = format!(
            "killed at {}{}{}",
            point.step,
            if point.two_renames {
                " (two-rename swap)"
            } else {
                ""
            },
            if point.first { " (first build)" } else { "" }
        );
        if point.first {
            fs::remove_dir_all(&fixture.output).unwrap();
        }
        Running::paused_at(fixture.build(Version::New), &point.step, point.two_renames).kill();
        match point.expect {
            Some(version) => fixture.assert_output_is(version, &context),
            None => assert!(!fixture.output.exists(), "{context}: a site at the output"),
        }
        if point.two_renames && point.expect.is_none() {
            // The next build puts the old site back before it starts, so even a failing
            // one leaves it in place.
            let out = build(broken.path(), &fixture.output, Version::Old)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1));
            fixture.assert_output_is(Version::Old, &format!("{context}, then a failed build"));
        }
        fixture.rebuild_old_and_assert_clean(&context);
    }

    // A build killed while it removes what an earlier killed build left: here the old
    // site, at the staging folder's name.
    Running::paused_at(fixture.build(Version::New), "swapped", false).kill();
    let left = strays(fixture.work.path());
    assert_eq!(left.len(), 2, "the old site and the lock file: {left:?}");
    Running::paused_at(fixture.build(Version::New), "removing-stale", false).kill();
    fixture.assert_output_is(Version::New, "killed at removing-stale");
    let left = strays(fixture.work.path());
    assert_eq!(left.len(), 2, "the old site half removed: {left:?}");
    fixture.rebuild_old_and_assert_clean("killed at removing-stale");
    assert!(points.len() >= 18);
}

#[test]
fn builds_into_one_output_take_turns() {
    let fixture = Fixture::new();
    let waiting = format!(
        "another liangbiao build is writing {}; waiting for it to finish",
        fixture.output.display()
    );

    // Started at once: both succeed, one after the other.
    let first = Running::start(fixture.build(Version::Old), None, false);
    let second = Running::start(fixture.build(Version::New), None, false);
    first.assert_succeeds();
    second.assert_succeeds();
    let found = files(&fixture.output);
    assert!(
        found == fixture.old || found == fixture.new,
        "not a complete site"
    );
    assert!(strays(fixture.work.path()).is_empty());

    // One waits, says so, and goes on when the other is done.
    let first = Running::paused_at(fixture.build(Version::Old), "staging-created", false);
    let mut second = Running::start(fixture.build(Version::New), None, false);
    second.wait_for_line(&waiting);
    std::thread::sleep(Duration::from_millis(200));
    assert!(second.child.try_wait().unwrap().is_none(), "did not wait");
    first.resume();
    first.assert_succeeds();
    second.assert_succeeds();
    fixture.assert_output_is(Version::New, "after two builds in turn");

    // The OS releases the lock of a killed build; the waiting one removes its staging
    // folder.
    let first = Running::paused_at(fixture.build(Version::Old), "written-1", false);
    let mut second = Running::start(fixture.build(Version::Old), None, false);
    second.wait_for_line(&waiting);
    first.kill();
    second.assert_succeeds();
    fixture.assert_output_is(Version::Old, "after the lock holder was killed");
    assert!(strays(fixture.work.path()).is_empty());
}
