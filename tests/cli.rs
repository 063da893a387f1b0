//! The `liangbiao` command as editors and CI use it: exit codes and what it prints.

mod common;

use std::process::Command;

use common::{copy_tree, repo_root};

fn liangbiao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_liangbiao"))
}

/// Runs `liangbiao <args> --root <root>`.
fn run(args: &[&str], root: &std::path::Path) -> std::process::Output {
    liangbiao()
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

fn minimal_site_with(case: Option<&str>) -> tempfile::TempDir {
    let dir = common::minimal_site();
    if let Some(case) = case {
        copy_tree(
            &repo_root()
                .join("tests/fixtures/invalid")
                .join(case)
                .join("site"),
            dir.path(),
        );
    }
    dir
}

#[test]
fn build_succeeds_with_exit_0_and_a_summary() {
    let site = minimal_site_with(None);
    let out = run(&["build"], site.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.starts_with("built 39 pages ("), "{stderr}");
    assert!(site.path().join("public/index.html").is_file());
}

#[test]
fn broken_content_exits_1_with_every_diagnostic_and_writes_nothing() {
    let site = minimal_site_with(Some("many-errors"));
    let out = run(&["build"], site.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let expected_tail = format!(
        "2 errors, 0 warnings\n\nbuild failed; {} was left unchanged\n",
        site.path().join("public").display()
    );
    assert!(stderr.ends_with(&expected_tail), "{stderr}");
    assert!(
        stderr.contains("error: unknown pilot kind `综合`\n  ┌─ content/pilots/gaoxin.md:4:8\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: unknown region `bejing`\n   ┌─ content/pilots/xicheng.md:11:10\n"),
        "{stderr}"
    );
    assert!(!site.path().join("public").exists());
}

#[test]
fn usage_errors_exit_2() {
    let out = liangbiao()
        .args(["build", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn quiet_prints_nothing_on_success_and_timings_lists_the_stages() {
    let site = minimal_site_with(None);
    let out = run(&["build", "--quiet"], site.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(&["build", "--quiet", "--timings"], site.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for stage in [
        "load + validate + model",
        "templates + assets",
        "render",
        "write",
    ] {
        assert!(stderr.contains(stage), "{stderr}");
    }
    // One line per template with its page count: the minimal site has one home page.
    let home = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("index.html "))
        .unwrap_or_else(|| panic!("no index.html template line in {stderr}"));
    let columns: Vec<&str> = home.split_whitespace().collect();
    assert_eq!(columns[1], "1", "{home}");
    assert_eq!(columns[3], "index.html", "{home}");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = minimal_site_with(None);
    let pilot = site.path().join("content/pilots/gaoxin.md");
    let text = std::fs::read_to_string(&pilot).unwrap();
    std::fs::write(
        &pilot,
        text.replacen(
            "updated = 2026-11-23",
            "updated = 2026-11-23\ndraft = true",
            1,
        ),
    )
    .unwrap();

    // xicheng links to gaoxin: publishing without the draft would break that link.
    let out = run(&["build", "--quiet"], site.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: link to `/pilots/gaoxin/#facts` leads to no page of this site"),
        "{stderr}"
    );
    let xicheng = site.path().join("content/pilots/xicheng.md");
    let text = std::fs::read_to_string(&xicheng).unwrap();
    let unlinked = text.replace("[高新区的基本信息](/pilots/gaoxin/#facts)", "高新区");
    assert_ne!(text, unlinked);
    std::fs::write(&xicheng, unlinked).unwrap();

    let out = run(&["build", "--quiet"], site.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(!site.path().join("public/pilots/gaoxin/index.html").exists());

    let out = run(&["build", "--quiet", "--drafts"], site.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(site
        .path()
        .join("public/pilots/gaoxin/index.html")
        .is_file());
}

#[test]
fn check_reports_without_writing_and_speaks_json() {
    let site = minimal_site_with(None);
    let out = run(&["check"], site.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "checked 2 pilots, 2 regions, 2 domains: 0 errors, 0 warnings\n"
    );
    assert!(!site.path().join("public").exists());

    let broken = minimal_site_with(Some("many-errors"));
    let out = run(&["check", "--format", "json"], broken.path());
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["errors"], 2);
    let first = &report["diagnostics"][0];
    assert_eq!(first["file"], "content/pilots/gaoxin.md");
    assert_eq!(first["line"], 4);
    assert_eq!(first["column"], 8);
    assert_eq!(first["severity"], "error");
    assert_eq!(first["hint"], "did you mean `综合试点`?");
}

#[test]
fn check_passes_on_the_bundled_content() {
    let out = run(&["check"], &repo_root());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.ends_with("0 errors, 0 warnings\n"), "{stderr}");
}

#[test]
fn dates_in_the_future_warn_but_do_not_fail() {
    let site = minimal_site_with(None);
    let edit = |rel: &str, from: &str, to: &str| {
        let path = site.path().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "content/pilots/xicheng.md",
        "updated = 2026-11-23",
        "updated = 2999-01-01",
    );
    edit(
        "content/standards/xicheng.toml",
        "status = \"现行\"",
        "status = \"现行\"\nimplemented = \"2999年7月\"",
    );
    let out = run(&["check"], site.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: `updated` `2999-01-01` is in the future (today is "),
        "{stderr}"
    );
    assert!(
        stderr.contains("┌─ content/pilots/xicheng.md:7:11"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: `implemented` of a 现行 standard `2999年7月` is in the future"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= expected: status = \"即将实施\""),
        "{stderr}"
    );
    assert!(stderr.ends_with("0 errors, 2 warnings\n"), "{stderr}");
}
