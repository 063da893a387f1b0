//! Stage 5 of the pipeline: write the site, all or nothing (pages arrive minified: the
//! templates are, see `render/templates.rs`).
//!
//! Everything is written into a staging folder beside the output; only when every file
//! is written is the old output swapped out. A failed build therefore never leaves a
//! half-written site, and the previous one stays online.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::assets::OutputFile;
use crate::BuildError;

/// Marks a folder as liangbiao's output, so a rebuild may replace it.
pub const OUTPUT_MARKER: &str = ".liangbiao-output";

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct WriteReport {
    pub files: usize,
    pub html_pages: usize,
    pub bytes: u64,
}

/// A staging folder beside the output, filled file by file (from many threads) while the
/// site renders. [`Staging::finish`] swaps it in; dropped unfinished (a failed build),
/// it is deleted and the old output stays as it was.
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    precompress: bool,
    files: AtomicUsize,
    html_pages: AtomicUsize,
    bytes: AtomicU64,
    finished: bool,
}

impl Staging {
    /// Checks that `output` may be replaced and creates an empty staging folder.
    pub fn create(output: &Path, precompress: bool) -> Result<Staging, BuildError> {
        check_output_is_replaceable(output)?;
        let dir = sibling(output, "staging");
        remove_dir_if_exists(&dir)?;
        fs::create_dir_all(&dir).map_err(|e| BuildError::io(&dir, e))?;
        Ok(Staging {
            output: output.to_path_buf(),
            dir,
            precompress,
            files: AtomicUsize::new(0),
            html_pages: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            finished: false,
        })
    }

    /// Writes one file, with `.gz`/`.br` siblings if asked.
    pub fn write(&self, file: OutputFile) -> Result<(), BuildError> {
        let (is_html, bytes) = write_one(&self.dir, file, self.precompress)?;
        self.files.fetch_add(1, Ordering::Relaxed);
        self.html_pages
            .fetch_add(usize::from(is_html), Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        Ok(())
    }

    /// Marks the folder as liangbiao's and swaps it in place of the output.
    pub fn finish(mut self) -> Result<WriteReport, BuildError> {
        fs::write(
            self.dir.join(OUTPUT_MARKER),
            b"Written by liangbiao; replaced on every build.\n",
        )
        .map_err(|e| BuildError::io(&self.dir, e))?;
        swap_into_place(&self.dir, &self.output)?;
        self.finished = true;
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

/// `public` → `.public.staging-<pid>` in the same folder, so the final rename stays on
/// one file system.
fn sibling(output: &Path, what: &str) -> PathBuf {
    let name = output
        .file_name()
        .map_or("public".into(), |n| n.to_string_lossy().into_owned());
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{what}-{}", std::process::id()))
}

fn swap_into_place(staging: &Path, output: &Path) -> Result<(), BuildError> {
    let old = sibling(output, "old");
    let had_old = output.exists();
    if had_old {
        remove_dir_if_exists(&old)?;
        fs::rename(output, &old).map_err(|e| BuildError::io(output, e))?;
    }
    if let Err(err) = fs::rename(staging, output) {
        if had_old {
            let _ = fs::rename(&old, output);
        }
        return Err(BuildError::io(output, err));
    }
    if had_old {
        remove_dir_if_exists(&old)?;
    }
    Ok(())
}

fn remove_dir_if_exists(dir: &Path) -> Result<(), BuildError> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(BuildError::io(dir, e)),
        _ => Ok(()),
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
        let staging = Staging::create(output, precompress)?;
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
        let staging = Staging::create(&out, false).unwrap();
        staging.write(file("a.txt", "new")).unwrap();
        let staging_dir = staging.dir.clone();
        assert!(staging_dir.join("a.txt").exists());
        drop(staging); // as when a later stage fails
        assert!(!staging_dir.exists(), "staging folder removed");
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "old");
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
