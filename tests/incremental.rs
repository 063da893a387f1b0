//! What `serve` does after an edit: only the changed files are read and checked again.
//! Whatever the edit, the outcome must be exactly that of loading the site from scratch.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use liangbiao::{load_site, load_site_again, BuildOptions, Remembered};

/// A copy of the bundled site's content, to edit.
fn bundled_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = common::repo_root();
    common::copy_tree(&root.join("content"), &dir.path().join("content"));
    // The texts the figures' quotes are checked against.
    common::copy_tree(&root.join("sources"), &dir.path().join("sources"));
    fs::copy(root.join("config.toml"), dir.path().join("config.toml")).unwrap();
    dir
}

/// The model and warnings, or the diagnostics, as text that can be compared.
fn outcome(
    result: Result<
        (liangbiao::model::Site, liangbiao::diagnostics::Diagnostics),
        liangbiao::BuildError,
    >,
) -> Result<String, String> {
    result
        .map(|(site, warnings)| format!("{site:?}\n{}", warnings.render()))
        .map_err(|e| e.to_string())
}

/// Loads the site again after `changed`, and checks that it is what a load from
/// scratch gives.
fn again(
    options: &BuildOptions,
    remembered: &mut Remembered,
    changed: &[&Path],
) -> Result<String, String> {
    let changed: Vec<PathBuf> = changed.iter().map(|p| options.root.join(p)).collect();
    let again = outcome(load_site_again(options, remembered, Some(&changed)));
    let fresh = outcome(load_site(options));
    assert!(again == fresh, "after a change to {changed:?}, loading again differs from loading anew:\nagain: {}\nfresh: {}",
        short(&again), short(&fresh));
    again
}

fn short(outcome: &Result<String, String>) -> String {
    match outcome {
        Ok(text) => format!("ok, {} bytes", text.len()),
        Err(text) => format!("error:\n{text}"),
    }
}

fn edit(root: &Path, file: &Path, from: &str, to: &str) {
    let path = root.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "no `{from}` in {}", path.display());
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The first file of a folder by name, as a path under `root`.
fn first_file(root: &Path, folder: &str) -> PathBuf {
    let mut names: Vec<_> = fs::read_dir(root.join(folder))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    Path::new(folder).join(&names[0])
}

/// The first `key = "value"` line of a TOML or front matter text.
fn value_of<'t>(text: &'t str, key: &str) -> &'t str {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {key} in the text"))
}

#[test]
fn loading_again_after_each_kind_of_edit_is_loading_anew() {
    let dir = bundled_copy();
    let root = dir.path();
    let options = BuildOptions::new(root);
    let mut remembered = Remembered::default();
    let first =
        outcome(load_site_again(&options, &mut remembered, None)).expect("the bundled site loads");

    let pilot = first_file(root, "content/pilots");
    let pilot_text = fs::read_to_string(root.join(&pilot)).unwrap();
    let region = value_of(&pilot_text, "region").to_string();

    // The body of one pilot: only that file is new, the others come from the memo.
    fs::write(
        root.join(&pilot),
        format!("{pilot_text}\n增量加载的一句话。\n"),
    )
    .unwrap();
    let edited = again(&options, &mut remembered, &[&pilot]).unwrap();
    assert!(edited.contains("增量加载的一句话。") && edited != first);

    // Saved in another encoding: the file cannot be read, and says so.
    let edited_text = fs::read(root.join(&pilot)).unwrap();
    fs::write(root.join(&pilot), [&edited_text[..], b"\xff\xfe"].concat()).unwrap();
    let error = again(&options, &mut remembered, &[&pilot]).unwrap_err();
    assert!(error.contains("not valid UTF-8"), "{error}");
    fs::write(root.join(&pilot), &edited_text).unwrap();
    assert_eq!(again(&options, &mut remembered, &[&pilot]).unwrap(), edited);

    // A mistake in it, then the fix.
    edit(
        root,
        &pilot,
        &format!("region = \"{region}\""),
        "region = \"atlantis\"",
    );
    let error = again(&options, &mut remembered, &[&pilot]).unwrap_err();
    assert!(
        error.contains(&pilot.display().to_string()) && error.contains("atlantis"),
        "{error}"
    );
    edit(
        root,
        &pilot,
        "region = \"atlantis\"",
        &format!("region = \"{region}\""),
    );
    again(&options, &mut remembered, &[&pilot]).unwrap();

    // A shared input: with the region renamed, every pilot in it is checked again.
    let regions = Path::new("content/regions.toml");
    edit(
        root,
        regions,
        &format!("slug = \"{region}\""),
        "slug = \"renamed-region\"",
    );
    let error = again(&options, &mut remembered, &[regions]).unwrap_err();
    assert!(error.contains(&region), "{error}");
    edit(
        root,
        regions,
        "slug = \"renamed-region\"",
        &format!("slug = \"{region}\""),
    );
    again(&options, &mut remembered, &[regions]).unwrap();

    // A file added (the folder is listed again) and removed.
    let added = Path::new("content/pilots/zz-added.md");
    fs::write(root.join(added), "+++\ntitle = \"新增试点\"\n+++\n正文。\n").unwrap();
    let error = again(&options, &mut remembered, &[added]).unwrap_err();
    assert!(error.contains("zz-added.md"), "{error}");
    fs::remove_file(root.join(added)).unwrap();
    assert_eq!(again(&options, &mut remembered, &[added]).unwrap(), edited);

    // A standards file, which the service lists of its pilot refer to.
    let standards = first_file(root, "content/standards");
    let text = fs::read_to_string(root.join(&standards)).unwrap();
    let title = value_of(&text, "title").to_string();
    edit(
        root,
        &standards,
        &format!("title = \"{title}\""),
        &format!("title = \"{title}（修订）\""),
    );
    let retitled = again(&options, &mut remembered, &[&standards]);
    assert_ne!(retitled, Ok(edited));

    // A template or static file is no content: nothing is read again.
    assert_eq!(
        again(
            &options,
            &mut remembered,
            &[Path::new("templates/base.html")]
        ),
        retitled
    );
}
