//! `liangbiao new`: every kind writes an entry that `check` refuses until its required
//! fields are filled, and accepts once they are; nothing existing is overwritten.

mod common;

use std::fs;
use std::path::Path;

use liangbiao::scaffold::{new_entry, EntryKind, NewEntryError};
use liangbiao::{load_site, BuildError, BuildOptions};

/// The error messages `check` gives for the site, or none.
fn check_errors(root: &Path) -> Vec<String> {
    let mut options = BuildOptions::new(root);
    options.drafts = true;
    match load_site(&options) {
        Ok(_) => Vec::new(),
        Err(BuildError::Content(d)) => d.sorted().iter().map(|d| d.message.clone()).collect(),
        Err(other) => panic!("{other}"),
    }
}

/// Fills `field = ""` (or `= []`) in the entry the scaffold appended last to `rel`.
fn fill(root: &Path, rel: &str, fields: &[(&str, &str)]) {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (field, value) in fields {
        let line = lines
            .iter_mut()
            .rev()
            .find(|l| {
                l.starts_with(&format!("{field} ")) && (l.contains("\"\"") || l.contains("[]"))
            })
            .unwrap_or_else(|| panic!("no empty `{field}` in {rel}:\n{text}"));
        let comment = line
            .find('#')
            .map(|i| line[i..].to_string())
            .unwrap_or_default();
        *line = format!("{field} = {value}  {comment}");
    }
    fs::write(&path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn every_kind_passes_check_once_its_required_fields_are_filled() {
    let site = common::minimal_site();
    let root = site.path();
    assert!(check_errors(root).is_empty());
    let regions_before = fs::read_to_string(root.join("content/regions.toml")).unwrap();

    let created = [
        new_entry(root, EntryKind::Pilot, "haidian", None).unwrap(),
        new_entry(root, EntryKind::Standard, "haidian", None).unwrap(),
        new_entry(
            root,
            EntryKind::ServiceList,
            "haidian-elderly",
            Some("haidian"),
        )
        .unwrap(),
        new_entry(
            root,
            EntryKind::DemoSite,
            "haidian-station",
            Some("haidian"),
        )
        .unwrap(),
        new_entry(root, EntryKind::Region, "xianggang", None).unwrap(),
        // A second standard in the same file, and a list in an existing services file.
        new_entry(root, EntryKind::Standard, "haidian", None).unwrap(),
        new_entry(
            root,
            EntryKind::ServiceList,
            "xicheng-more",
            Some("xicheng"),
        )
        .unwrap(),
    ];
    let created_flags: Vec<bool> = created.iter().map(|e| e.created).collect();
    assert_eq!(
        created_flags,
        [true, true, true, false, false, false, false]
    );
    // Appending keeps every existing line as it was.
    let regions_after = fs::read_to_string(root.join("content/regions.toml")).unwrap();
    assert!(regions_after.starts_with(&regions_before));

    // Unfilled, each required field is named.
    let errors = check_errors(root);
    for expected in [
        "`title` is empty",
        "unknown pilot kind ``",
        "`summary` is empty",
        "`city` is empty",
        "`lead_unit` is empty",
        "`name` is empty",
        "`full_name` is empty",
        "`description` is empty",
        "unknown region ``",
        "is not a GB/T 2260 code",
        "unknown domain ``",
        "unknown relation ``",
    ] {
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "no `{expected}` in {errors:#?}"
        );
    }

    fill(
        root,
        "content/pilots/haidian.md",
        &[
            ("title", "\"北京市海淀区基本公共服务标准化综合试点\""),
            ("kind", "\"综合试点\""),
            ("summary", "\"海淀区的试点。\""),
            ("region", "\"beijing\""),
            ("city", "\"北京市\""),
            ("lead_unit", "\"北京市海淀区人民政府\""),
        ],
    );
    for _ in 0..2 {
        fill(
            root,
            "content/standards/haidian.toml",
            &[("title", "\"养老服务规范\""), ("relation", "\"制定\"")],
        );
    }
    fill(
        root,
        "content/services/haidian.toml",
        &[
            ("title", "\"海淀区养老服务清单\""),
            ("domain", "\"老有所养\""),
            ("name", "\"居家养老服务\""),
            ("name", "\"海淀区养老服务驿站\""),
            ("description", "\"提供助餐和照料服务的驿站。\""),
        ],
    );
    fill(
        root,
        "content/services/xicheng.toml",
        &[
            ("title", "\"西城区补充清单\""),
            ("domain", "\"老有所养\""),
            ("name", "\"助餐服务\""),
        ],
    );
    fill(
        root,
        "content/regions.toml",
        &[
            ("name", "\"香港\""),
            ("full_name", "\"香港特别行政区\""),
            ("code", "\"810000\""),
        ],
    );
    let errors = check_errors(root);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn new_refuses_to_overwrite_and_explains_what_is_wrong() {
    let site = common::minimal_site();
    let root = site.path();
    let pilot = root.join("content/pilots/xicheng.md");
    let before = fs::read(&pilot).unwrap();

    let err = new_entry(root, EntryKind::Pilot, "xicheng", None).unwrap_err();
    assert!(matches!(err, NewEntryError::Exists { .. }), "{err}");
    assert_eq!(fs::read(&pilot).unwrap(), before);

    let err = new_entry(root, EntryKind::DemoSite, "xicheng-station", Some("gaoxin")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("`xicheng-station` already exists in"),
        "{err}"
    );
    let err = new_entry(root, EntryKind::Region, "beijing", None).unwrap_err();
    assert!(matches!(err, NewEntryError::Exists { .. }), "{err}");

    let err = new_entry(root, EntryKind::Standard, "xichen", None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no pilot `xichen` in content/pilots/; did you mean `xicheng`?"
    );
    let err = new_entry(root, EntryKind::ServiceList, "a-list", None).unwrap_err();
    assert!(matches!(err, NewEntryError::PilotNeeded(_)), "{err}");
    let err = new_entry(root, EntryKind::Pilot, "Hai Dian", None).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("`Hai Dian` is not a valid slug"),
        "{err}"
    );
    assert!(check_errors(root).is_empty());
}
