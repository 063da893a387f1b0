//! The lower bound of a liangbiao build, for the benchmark in `bench/` (issue #6).
//!
//! ```sh
//! cargo run --release --example lower_bound -- <site root> <liangbiao output> <scratch dir>
//! ```
//!
//! It does only the work no static site generator can avoid, in parallel with rayon as
//! liangbiao is: read every input file under `<site root>/content/`, render every
//! Markdown body with pulldown-cmark alone (no templates, no validation, no model), and
//! write as many files, of the same sizes, as the liangbiao output folder holds, filled
//! with the rendered HTML. Listing that folder is set-up and is not timed.
//!
//! `<scratch dir>` is created; it must not exist yet (the benchmark passes a fresh one,
//! as it does to liangbiao and Hugo). The last line on stdout is machine-readable:
//! `lower_bound wall_ms=… inputs=… input_bytes=… bodies=… html_bytes=… files=… bytes=…`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use pulldown_cmark::{html, Options, Parser};
use rayon::prelude::*;
use walkdir::WalkDir;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, mimic, out] = args.as_slice() else {
        eprintln!("usage: lower_bound <site root> <liangbiao output dir> <scratch out dir>");
        return ExitCode::from(2);
    };
    let (root, mimic, out) = (
        PathBuf::from(root),
        PathBuf::from(mimic),
        PathBuf::from(out),
    );
    if out.exists() {
        eprintln!("error: {} exists; pass a fresh folder", out.display());
        return ExitCode::from(2);
    }

    // Set-up, not timed: the shape of the output to reproduce.
    let targets: Vec<(PathBuf, usize)> = files_under(&mimic)
        .into_iter()
        .map(|path| {
            let len = fs::metadata(&path).map(|m| m.len() as usize).unwrap_or(0);
            (path.strip_prefix(&mimic).unwrap().to_path_buf(), len)
        })
        .collect();
    if targets.is_empty() {
        eprintln!("error: no files under {}", mimic.display());
        return ExitCode::from(2);
    }

    let started = Instant::now();

    // 1. Read every input file.
    let inputs: Vec<(PathBuf, Vec<u8>)> = files_under(&root.join("content"))
        .into_par_iter()
        .map(|path| {
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, bytes)
        })
        .collect();
    let input_bytes: usize = inputs.iter().map(|(_, b)| b.len()).sum();

    // 2. Render every Markdown body, front matter cut off, with liangbiao's options.
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let rendered: Vec<String> = inputs
        .par_iter()
        .filter(|(path, _)| path.extension().is_some_and(|e| e == "md"))
        .map(|(path, bytes)| {
            let text =
                std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let body = markdown_body(text);
            let mut html = String::with_capacity(body.len() * 3 / 2);
            html::push_html(&mut html, Parser::new_ext(body, options));
            html
        })
        .collect();
    let html_bytes: usize = rendered.iter().map(String::len).sum();
    let mut filler = rendered.concat().into_bytes();
    if filler.is_empty() {
        filler = b"<p></p>\n".to_vec();
    }

    // 3. Write as many files, of the same sizes, as liangbiao wrote.
    let written: usize = targets
        .par_iter()
        .enumerate()
        .map(|(i, (relative, len))| {
            let path = out.join(relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
            }
            let bytes = cycle(&filler, i.wrapping_mul(7919) % filler.len(), *len);
            fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            bytes.len()
        })
        .sum();

    let wall = started.elapsed();
    println!(
        "lower bound: read {} input files ({} KiB), rendered {} Markdown bodies ({} KiB of HTML), \
         wrote {} files ({} KiB) in {:.1} ms",
        inputs.len(),
        input_bytes / 1024,
        rendered.len(),
        html_bytes / 1024,
        targets.len(),
        written / 1024,
        wall.as_secs_f64() * 1000.0
    );
    println!(
        "lower_bound wall_ms={:.1} inputs={} input_bytes={input_bytes} bodies={} html_bytes={html_bytes} files={} bytes={written}",
        wall.as_secs_f64() * 1000.0,
        inputs.len(),
        rendered.len(),
        targets.len()
    );
    ExitCode::SUCCESS
}

/// Every file under `dir`, in a stable order.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// The Markdown after a `+++` front matter block (the whole text if there is none).
fn markdown_body(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("+++") else {
        return text;
    };
    match rest.find("\n+++") {
        Some(end) => {
            let after = &rest[end + 4..];
            after.split_once('\n').map_or("", |(_, body)| body)
        }
        None => text,
    }
}

/// `len` bytes of `filler`, starting at `start` and wrapping around.
fn cycle(filler: &[u8], start: usize, len: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(len);
    let mut at = start;
    while bytes.len() < len {
        let take = (len - bytes.len()).min(filler.len() - at);
        bytes.extend_from_slice(&filler[at..at + take]);
        at = 0;
    }
    bytes
}
