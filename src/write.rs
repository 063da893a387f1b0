//! Stage 5 of the pipeline: write the site, all or nothing (pages arrive minified: the
//! templates are, see `render/templates.rs`).
//!
//! Everything is written into a staging folder beside the output, and swapped in only
//! when every file is written: on Linux by one `renameat2(RENAME_EXCHANGE)` of the two
//! folders, so that at every instant, even if the build is killed, the output path holds
//! the complete old site or the complete new one. Builds into one output take turns on a
//! lock file beside it, and the build holding the lock removes what killed builds left.

use std::fs::{self, File};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::error::BuildError;
use crate::output::OutputFile;

/// Marks a folder as liangbiao's output, so a rebuild may replace it.
pub const OUTPUT_MARKER: &str = ".liangbiao-output";

/// The site's own folders, which a build reads and so must never write into.
const SOURCE_FOLDERS: [&str; 3] = ["content", "templates", "static"];

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct WriteReport {
    pub files: usize,
    pub html_pages: usize,
    pub bytes: u64,
}

/// A staging folder beside the output, filled file by file (from many threads) while the
/// site renders. [`Staging::finish`] swaps it in; dropped unfinished (a failed build),
/// it is deleted and the old output stays as it was. It holds the output's lock from
/// creation to the end of the swap.
pub struct Staging {
    output: PathBuf,
    place: Place,
    dir: PathBuf,
    precompress: bool,
    files: AtomicUsize,
    html_pages: AtomicUsize,
    bytes: AtomicU64,
    finished: bool,
    _lock: OutputLock,
}

impl Staging {
    /// Checks that `output` may be replaced by a build of the site at `root`, waits for
    /// any other build into it to end, removes what killed builds left beside it, and
    /// creates an empty staging folder.
    pub fn create(root: &Path, output: &Path, precompress: bool) -> Result<Staging, BuildError> {
        check_output_location(root, output)?;
        check_output_is_replaceable(output)?;
        let place = Place::of(output);
        fs::create_dir_all(&place.parent).map_err(|e| BuildError::io(&place.parent, e))?;
        let lock = OutputLock::acquire(&place.sibling("lock"), output)?;
        test_hook::pause_at("locked");
        remove_leftovers(&place, output)?;
        let dir = place.own("staging");
        fs::create_dir(&dir).map_err(|e| BuildError::io(&dir, e))?;
        test_hook::pause_at("staging-created");
        Ok(Staging {
            output: output.to_path_buf(),
            place,
            dir,
            precompress,
            files: AtomicUsize::new(0),
            html_pages: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            finished: false,
            _lock: lock,
        })
    }

    /// Writes one file, with `.gz`/`.br` siblings if asked.
    pub fn write(&self, file: OutputFile) -> Result<(), BuildError> {
        let (is_html, bytes) = write_one(&self.dir, file, self.precompress)?;
        let written = self.files.fetch_add(1, Ordering::Relaxed) + 1;
        self.html_pages
            .fetch_add(usize::from(is_html), Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        test_hook::pause_after_file(written);
        Ok(())
    }

    /// Marks the folder as liangbiao's, swaps it in place of the output and removes the
    /// old site.
    pub fn finish(mut self) -> Result<WriteReport, BuildError> {
        fs::write(
            self.dir.join(OUTPUT_MARKER),
            b"Written by liangbiao; replaced on every build.\n",
        )
        .map_err(|e| BuildError::io(&self.dir, e))?;
        test_hook::pause_at("marked");
        let swap = if test_hook::no_exchange() {
            Swap::TwoRenames
        } else {
            Swap::Exchange
        };
        let replaced_old = swap_into_place(&self.dir, &self.output, &self.place, swap)?;
        self.finished = true;
        test_hook::pause_at("swapped");
        if replaced_old {
            // The new site is online and the old one has the staging folder's name. A
            // failure to remove it does not fail the build: the next build removes it.
            if let Err(e) = remove_tree(&self.dir, "removing-old") {
                eprintln!(
                    "warning: could not remove the previous site, now at {}: {e}; the next build removes it",
                    self.dir.display()
                );
            }
        }
        test_hook::pause_at("done");
        Ok(WriteReport {
            files: self.files.load(Ordering::Relaxed),
            html_pages: self.html_pages.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn write_one(
    staging: &Path,
    file: OutputFile,
    precompress: bool,
) -> Result<(bool, u64), BuildError> {
    let is_html = file.path.ends_with(".html");
    let bytes = file.bytes;
    let target = staging.join(&file.path);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| BuildError::io(parent, e))?;
    }
    fs::write(&target, &bytes).map_err(|e| BuildError::io(&target, e))?;
    if precompress && is_compressible(&file.path) {
        for (extension, compressed) in [("gz", gzip(&bytes)), ("br", brotli(&bytes))] {
            let path = staging.join(format!("{}.{extension}", file.path));
            fs::write(&path, compressed).map_err(|e| BuildError::io(&path, e))?;
        }
    }
    Ok((is_html, bytes.len() as u64))
}

/// Text formats worth compressing; images and fonts already are.
fn is_compressible(path: &str) -> bool {
    [
        ".html", ".css", ".js", ".xml", ".json", ".csv", ".txt", ".svg",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

/// Gzip at the highest level, with no file name or time in the header, so that two
/// builds stay byte-identical (for nginx `gzip_static`).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Brotli at quality 10 (for nginx `brotli_static` or a CDN that serves `.br`). Quality
/// 11 made files 2% smaller in three times the time: 35 s of one core for 20 MiB of
/// pages, which at national scale is most of an hour (`examples/precompress.rs`).
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 10,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out
}

/// Refuses to delete a folder that liangbiao did not write (e.g. `--output .`).
fn check_output_is_replaceable(output: &Path) -> Result<(), BuildError> {
    if !output.exists() {
        return Ok(());
    }
    let unsafe_output = |reason: &str| BuildError::UnsafeOutput {
        path: output.to_path_buf(),
        reason: reason.to_string(),
    };
    if !output.is_dir() {
        return Err(unsafe_output("it exists and is not a folder"));
    }
    let mut entries = fs::read_dir(output).map_err(|e| BuildError::io(output, e))?;
    let is_empty = entries.next().is_none();
    if is_empty || output.join(OUTPUT_MARKER).is_file() {
        Ok(())
    } else {
        Err(unsafe_output(&format!(
            "it is a folder liangbiao did not write (no {OUTPUT_MARKER} in it); choose another --output or empty it first"
        )))
    }
}

/// Refuses an output folder among the site's sources, or the site folder itself: a build
/// reads `static/`, so `--output static/site` would copy each build into the next.
fn check_output_location(root: &Path, output: &Path) -> Result<(), BuildError> {
    let root = resolve(root);
    let output_path = resolve(output);
    let reason = if output_path == root {
        Some("it is the site folder itself".to_string())
    } else {
        SOURCE_FOLDERS
            .iter()
            .find(|folder| output_path.starts_with(resolve(&root.join(folder))))
            .map(|folder| {
                format!("it is inside the site's {folder}/ folder, which the build reads")
            })
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(BuildError::UnsafeOutput {
            path: output.to_path_buf(),
            reason: format!(
                "{reason}; choose an --output outside content/, templates/ and static/"
            ),
        }),
    }
}

/// `path` made absolute, with `..` and symbolic links resolved as far as it exists (an
/// output folder may not exist yet).
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            other => {
                resolved.push(other);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    resolved
}

/// The output's folder and name, which name its siblings: `public` has
/// `.public.staging-<pid>`, `.public.old-<pid>` and `.public.lock` beside it, in the same
/// folder so that every rename stays on one file system.
struct Place {
    parent: PathBuf,
    name: String,
}

/// The kinds of folder a build leaves beside the output while it runs.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Leftover {
    /// `.public.staging-<pid>`: a site being written, or the old one being removed.
    Staging,
    /// `.public.old-<pid>`: the old site, moved aside by the two-rename swap.
    Old,
}

impl Place {
    fn of(output: &Path) -> Place {
        // `--output .` or `..` has no name of its own: take the folder's real one.
        let named = match output.file_name() {
            Some(_) => output.to_path_buf(),
            None => resolve(output),
        };
        let name = named
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        let parent = named
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Place { parent, name }
    }

    fn sibling(&self, what: &str) -> PathBuf {
        self.parent.join(format!(".{}.{what}", self.name))
    }

    /// This process's sibling of a kind: `.public.staging-<pid>`.
    fn own(&self, kind: &str) -> PathBuf {
        self.sibling(&format!("{kind}-{}", std::process::id()))
    }

    /// Which kind of leftover `file_name` is, if it is one of this output's.
    fn leftover(&self, file_name: &str) -> Option<Leftover> {
        let rest = file_name.strip_prefix(&format!(".{}.", self.name))?;
        let pid_after = |prefix: &str| {
            rest.strip_prefix(prefix)
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        };
        if pid_after("staging-") {
            Some(Leftover::Staging)
        } else if pid_after("old-") {
            Some(Leftover::Old)
        } else {
            None
        }
    }
}

/// An advisory lock (`flock`) on `.public.lock`, held from before the staging folder is
/// created to the end of the swap, so that builds into one output take turns. A build that finds
/// it held says so and waits, as cargo does for its build folder: the user asked for
/// both builds. The OS releases the lock when the process ends, however it ends. The
/// holder removes the file as it lets go, so that none is left beside the output; a
/// build that then finds its lock on a removed file opens the path again. Outside Linux
/// (no `libc` there) builds are not serialised.
struct OutputLock {
    path: PathBuf,
    _file: File,
}

impl OutputLock {
    fn acquire(path: &Path, output: &Path) -> Result<OutputLock, BuildError> {
        let io_error = |e| BuildError::io(path, e);
        let mut said_waiting = false;
        loop {
            let file = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)
                .map_err(io_error)?;
            if !lock_exclusive(&file, false).map_err(io_error)? {
                if !said_waiting {
                    eprintln!(
                        "another liangbiao build is writing {}; waiting for it to finish",
                        output.display()
                    );
                    said_waiting = true;
                }
                lock_exclusive(&file, true).map_err(io_error)?;
            }
            if is_at(&file, path) {
                return Ok(OutputLock {
                    path: path.to_path_buf(),
                    _file: file,
                });
            }
        }
    }
}

impl Drop for OutputLock {
    /// Removes the file, then closes it, which releases the lock.
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether `path` still names the open `file` (the build before may have removed it).
#[cfg(unix)]
fn is_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_at(_file: &File, _path: &Path) -> bool {
    true
}

/// Takes the lock; `Ok(false)` when another process holds it and `wait` is false.
#[cfg(target_os = "linux")]
fn lock_exclusive(file: &File, wait: bool) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    let operation = if wait {
        libc::LOCK_EX
    } else {
        libc::LOCK_EX | libc::LOCK_NB
    };
    loop {
        // SAFETY: flock only reads the descriptor, which `file` keeps open.
        if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
            return Ok(true);
        }
        let error = io::Error::last_os_error();
        match error.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) => return Ok(false),
            _ => return Err(error),
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn lock_exclusive(_file: &File, _wait: bool) -> io::Result<bool> {
    Ok(true)
}

/// Removes the staging and old folders that killed builds left beside the output. With
/// the lock held no other build is using them. Only folders named as this output's
/// staging folders are removed, and old folders that carry [`OUTPUT_MARKER`]; any other
/// folder is someone else's. An old folder is the complete previous site (see
/// [`swap_by_two_renames`]): if a kill left the output missing, it goes back into place,
/// so that a build that then fails leaves the site as it was.
fn remove_leftovers(place: &Place, output: &Path) -> Result<(), BuildError> {
    let entries = fs::read_dir(&place.parent).map_err(|e| BuildError::io(&place.parent, e))?;
    let mut leftovers: Vec<(Leftover, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|entry| {
            let kind = place.leftover(entry.file_name().to_str()?)?;
            Some((kind, entry.path()))
        })
        .filter(|(kind, path)| *kind == Leftover::Staging || path.join(OUTPUT_MARKER).is_file())
        .collect();
    leftovers.sort();
    for (kind, path) in leftovers {
        let output_missing = fs::symlink_metadata(output).is_err();
        if kind == Leftover::Old && output_missing {
            fs::rename(&path, output).map_err(|e| BuildError::io(output, e))?;
        } else if let Err(e) = remove_tree(&path, "removing-stale") {
            eprintln!(
                "warning: could not remove {}, left by a build that was killed: {e}",
                path.display()
            );
        }
    }
    Ok(())
}

/// How [`swap_into_place`] swaps.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Swap {
    /// One `renameat2(RENAME_EXCHANGE)`, falling back to two renames where it is refused.
    Exchange,
    /// Two renames from the start (for the tests of that path).
    TwoRenames,
}

/// Puts the staging folder at the output path. Returns whether an old site was there,
/// which then has the staging folder's name and is to be removed.
fn swap_into_place(
    staging: &Path,
    output: &Path,
    place: &Place,
    swap: Swap,
) -> Result<bool, BuildError> {
    if fs::symlink_metadata(output).is_err() {
        // A first build: one rename, atomic, and nothing to keep online meanwhile.
        fs::rename(staging, output).map_err(|e| BuildError::io(output, e))?;
        return Ok(false);
    }
    let exchanged = swap == Swap::Exchange
        && exchange(staging, output).map_err(|e| BuildError::io(output, e))?;
    if !exchanged {
        swap_by_two_renames(staging, output, place)?;
    }
    Ok(true)
}

/// Swaps two paths in one step; `Ok(false)` where the system or the file system cannot
/// (other systems; on Linux EINVAL from some file systems, ENOSYS before 3.15).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        return Ok(true);
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(error),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// The swap where the exchange is refused: the output moves aside, then the new site
/// moves in. Killed between the two, the output path is empty until the next build puts
/// the old site back ([`remove_leftovers`]). Ends as the exchange does, with the old site
/// at the staging folder's name, so that it is never removed under the old folder's name
/// (a half-removed old folder would lose its marker and be taken for someone else's).
fn swap_by_two_renames(staging: &Path, output: &Path, place: &Place) -> Result<(), BuildError> {
    let old = place.own("old");
    fs::rename(output, &old).map_err(|e| BuildError::io(output, e))?;
    test_hook::pause_at("moved-aside");
    if let Err(e) = fs::rename(staging, output) {
        let _ = fs::rename(&old, output);
        return Err(BuildError::io(output, e));
    }
    test_hook::pause_at("renamed-in");
    fs::rename(&old, staging).map_err(|e| BuildError::io(&old, e))
}

/// [`fs::remove_dir_all`], one entry of the top folder at a time so that the kill test can
/// stop it halfway (at `pause`). A symbolic link is removed, not followed.
fn remove_tree(dir: &Path, pause: &str) -> io::Result<()> {
    if !fs::symlink_metadata(dir)?.is_dir() {
        return fs::remove_file(dir);
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
        test_hook::pause_at(pause);
    }
    fs::remove_dir(dir)
}

/// Hooks for `tests/kill_build.rs`, read once per process from the environment.
///
/// `LIANGBIAO_TEST_PAUSE_AT=<step>` makes a build stop itself the first time it reaches
/// that step: it prints `liangbiao: paused at <step>` to stderr and sends itself SIGSTOP
/// (outside Linux it sleeps), so that the test can SIGKILL it at an exact point, or let
/// it go on with SIGCONT. The steps, in order: `locked`; `removing-stale` (after the
/// first entry of a killed build's folder is removed); `staging-created`; `written-<N>`
/// (after the N-th file); `marked` (the new site complete, before the swap);
/// `moved-aside` and `renamed-in` (the two-rename swap only); `swapped` (the new site in
/// place, the old one at the staging name); `removing-old` (after its first entry is
/// removed); `done` (the lock still held).
///
/// `LIANGBIAO_TEST_NO_EXCHANGE=1` swaps by two renames, as where RENAME_EXCHANGE is
/// refused.
mod test_hook {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::OnceLock;

    enum PauseAt {
        Step(String),
        AfterFile(usize),
    }

    fn pause_at_setting() -> Option<&'static PauseAt> {
        static SETTING: OnceLock<Option<PauseAt>> = OnceLock::new();
        SETTING
            .get_or_init(|| {
                let step = std::env::var("LIANGBIAO_TEST_PAUSE_AT").ok()?;
                let after_file = step.strip_prefix("written-").and_then(|n| n.parse().ok());
                Some(after_file.map_or(PauseAt::Step(step), PauseAt::AfterFile))
            })
            .as_ref()
    }

    pub fn pause_at(step: &str) {
        if matches!(pause_at_setting(), Some(PauseAt::Step(s)) if s == step) {
            pause(step);
        }
    }

    pub fn pause_after_file(written: usize) {
        if matches!(pause_at_setting(), Some(PauseAt::AfterFile(n)) if *n == written) {
            pause(&format!("written-{written}"));
        }
    }

    pub fn no_exchange() -> bool {
        static SETTING: OnceLock<bool> = OnceLock::new();
        *SETTING.get_or_init(|| {
            std::env::var_os("LIANGBIAO_TEST_NO_EXCHANGE").is_some_and(|v| v == "1")
        })
    }

    fn pause(step: &str) {
        static PAUSED: AtomicBool = AtomicBool::new(false);
        if PAUSED.swap(true, Ordering::SeqCst) {
            return;
        }
        eprintln!("liangbiao: paused at {step}");
        #[cfg(target_os = "linux")]
        // SAFETY: raise has no preconditions; SIGSTOP stops every thread of the process.
        unsafe {
            libc::raise(libc::SIGSTOP);
        }
        #[cfg(not(target_os = "linux"))]
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a build does with its files, without rendering them.
    fn write_site(
        output: &Path,
        files: Vec<OutputFile>,
        precompress: bool,
    ) -> Result<WriteReport, BuildError> {
        let root = output.parent().unwrap();
        let staging = Staging::create(root, output, precompress)?;
        files.into_iter().try_for_each(|f| staging.write(f))?;
        staging.finish()
    }

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn replaces_its_own_output_and_refuses_a_foreign_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, vec![file("a/index.html", "<p>一</p>")], false).unwrap();
        write_site(&out, vec![file("b.txt", "二")], false).unwrap();
        assert!(
            !out.join("a/index.html").exists(),
            "old files are gone after a rebuild"
        );
        assert_eq!(fs::read_to_string(out.join("b.txt")).unwrap(), "二");

        let foreign = dir.path().join("notes");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("keep.txt"), "mine").unwrap();
        let err = write_site(&foreign, vec![file("x.txt", "x")], false).unwrap_err();
        assert!(matches!(err, BuildError::UnsafeOutput { .. }));
        assert_eq!(
            fs::read_to_string(foreign.join("keep.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn an_unfinished_staging_folder_is_deleted_and_the_output_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, vec![file("a.txt", "old")], false).unwrap();
        let staging = Staging::create(dir.path(), &out, false).unwrap();
        staging.write(file("a.txt", "new")).unwrap();
        let staging_dir = staging.dir.clone();
        assert!(staging_dir.join("a.txt").exists());
        drop(staging); // as when a later stage fails
        assert!(!staging_dir.exists(), "staging folder removed");
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "old");
    }

    #[test]
    fn refuses_an_output_among_the_sources_or_the_site_folder_itself() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        for folder in SOURCE_FOLDERS {
            fs::create_dir_all(root.join(folder)).unwrap();
        }
        let refused = |output: &Path| match check_output_location(&root, output) {
            Err(BuildError::UnsafeOutput { reason, .. }) => reason,
            other => panic!("{} was accepted: {other:?}", output.display()),
        };
        assert!(refused(&root.join("static/site")).starts_with(
            "it is inside the site's static/ folder, which the build reads; choose an --output outside"
        ));
        assert!(refused(&root.join("content")).contains("content/ folder"));
        assert!(refused(&root.join("public/../templates/x/y")).contains("templates/ folder"));
        assert!(refused(&root.join(".")).starts_with("it is the site folder itself"));
        #[cfg(unix)]
        {
            // A link into static/ is static/.
            std::os::unix::fs::symlink(root.join("static"), dir.path().join("link")).unwrap();
            assert!(refused(&dir.path().join("link/site")).contains("static/ folder"));
        }
        for fine in ["public", "static-site", "../public"] {
            check_output_location(&root, &root.join(fine)).unwrap();
        }
        let err = Staging::create(&root, &root.join("static/site"), false);
        assert!(matches!(err, Err(BuildError::UnsafeOutput { .. })));
        assert_eq!(fs::read_dir(root.join("static")).unwrap().count(), 0);
    }

    #[test]
    fn leftovers_of_killed_builds_are_removed_and_foreign_folders_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, vec![file("a.txt", "old")], false).unwrap();
        let folder = |name: &str, marked: bool| {
            let path = dir.path().join(name);
            fs::create_dir_all(path.join("sub")).unwrap();
            fs::write(path.join("sub/page.html"), "x").unwrap();
            if marked {
                fs::write(path.join(OUTPUT_MARKER), "").unwrap();
            }
            path
        };
        let stale = [
            folder(".public.staging-4000001", false),
            folder(".public.staging-4000002", true),
            folder(".public.old-4000003", true),
        ];
        let foreign = [
            folder(".public.old-4000004", false),
            folder(".public.staging-x1", false),
            folder(".public.staging-", false),
            folder(".public2.staging-4000005", false),
            folder(".other.old-4000006", true),
            folder("public.staging-4000007", false),
        ];
        write_site(&out, vec![file("b.txt", "new")], false).unwrap();
        for path in &stale {
            assert!(!path.exists(), "{} is left", path.display());
        }
        for path in &foreign {
            assert!(
                path.join("sub/page.html").exists(),
                "{} was removed",
                path.display()
            );
        }
        assert_eq!(fs::read_to_string(out.join("b.txt")).unwrap(), "new");
        assert!(
            !dir.path().join(".public.lock").exists(),
            "the lock file is removed"
        );
    }

    #[test]
    fn the_two_rename_swap_replaces_the_site_and_a_killed_one_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, vec![file("a.txt", "old")], false).unwrap();
        let staging = Staging::create(dir.path(), &out, false).unwrap();
        staging.write(file("b.txt", "new")).unwrap();
        staging.write(file(OUTPUT_MARKER, "")).unwrap();
        let replaced = swap_into_place(&staging.dir, &out, &staging.place, Swap::TwoRenames);
        assert!(replaced.unwrap());
        assert_eq!(fs::read_to_string(out.join("b.txt")).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(staging.dir.join("a.txt")).unwrap(),
            "old",
            "the old site ends at the staging name, to be removed"
        );
        drop(staging);

        // Killed between its two renames: the old site is beside the output, not in it.
        let old = dir.path().join(".public.old-4000001");
        fs::rename(&out, &old).unwrap();
        let staging = Staging::create(dir.path(), &out, false).unwrap();
        assert!(!old.exists());
        assert_eq!(
            fs::read_to_string(out.join("b.txt")).unwrap(),
            "new",
            "put back before the build starts"
        );
        drop(staging); // the build fails: the site stays
        assert_eq!(fs::read_to_string(out.join("b.txt")).unwrap(), "new");
    }

    #[test]
    fn precompressed_siblings_decompress_to_the_file_and_are_stable() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let css = "body{color:#000}".repeat(50);
        write_site(
            &out,
            vec![file("site.css", &css), file("a.png", "png")],
            true,
        )
        .unwrap();
        let gz = fs::read(out.join("site.css.gz")).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, css);
        let mut text = Vec::new();
        brotli::BrotliDecompress(
            &mut &fs::read(out.join("site.css.br")).unwrap()[..],
            &mut text,
        )
        .unwrap();
        assert_eq!(text, css.as_bytes());
        assert!(!out.join("a.png.gz").exists(), "images are not compressed");
        assert_eq!(gzip(css.as_bytes()), gz, "same bytes every time");
    }
}
