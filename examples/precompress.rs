//! How `build --precompress` would fare with other compressors and levels, on a built
//! site: for every file it compresses, the time (one thread) and the bytes of each
//! setting, side by side with what liangbiao uses (`write::gzip`, `write::brotli`).
//!
//!     cargo run --release --example precompress -- <built site> [.html,.xml,…]
//!
//! (the optional list: only files ending so; by default every kind it compresses)
//! Prints one row per setting: total seconds, total bytes, and bytes relative to the
//! first gzip and brotli rows. A report, not a test.

use std::path::Path;
use std::time::{Duration, Instant};

type Compress = Box<dyn Fn(&[u8]) -> Vec<u8>>;

fn flate2(level: u32) -> Compress {
    Box::new(move |bytes| {
        use std::io::Write;
        let mut encoder = flate2::GzBuilder::new()
            .mtime(0)
            .write(Vec::new(), flate2::Compression::new(level));
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    })
}

fn brotli_at(quality: i32, lgwin: i32) -> Compress {
    Box::new(move |bytes| {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality,
            lgwin,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).unwrap();
        out
    })
}

fn main() {
    let site = std::env::args()
        .nth(1)
        .expect("usage: precompress <built site> [.html,.xml,…]");
    let kinds: Vec<String> = std::env::args()
        .nth(2)
        .unwrap_or_else(|| ".html,.css,.js,.xml,.json,.csv,.txt,.svg".into())
        .split(',')
        .map(str::to_string)
        .collect();
    let files: Vec<Vec<u8>> = walkdir::WalkDir::new(Path::new(&site))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            kinds.iter().any(|ext| name.ends_with(ext.as_str()))
        })
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    let raw: usize = files.iter().map(Vec::len).sum();
    println!(
        "{} files, {:.1} MiB, one thread",
        files.len(),
        raw as f64 / 1048576.0
    );
    let settings: Vec<(&str, Compress)> = vec![
        (
            "gzip: liangbiao (flate2 zlib-rs, best)",
            Box::new(liangbiao::write::gzip),
        ),
        ("gzip: flate2 zlib-rs, level 6", flate2(6)),
        (
            "brotli: liangbiao (quality 10, window 22)",
            Box::new(liangbiao::write::brotli),
        ),
        ("brotli: quality 11, window 22", brotli_at(11, 22)),
        ("brotli: quality 9, window 22", brotli_at(9, 22)),
        ("brotli: quality 6, window 22", brotli_at(6, 22)),
    ];
    println!("| setting | seconds | MiB | bytes vs the first of its kind |");
    println!("| --- | ---: | ---: | ---: |");
    let mut first: Option<(&str, usize)> = None;
    for (name, compress) in &settings {
        let kind = name.split(':').next().unwrap();
        let mut time = Duration::ZERO;
        let mut bytes = 0;
        for file in &files {
            let start = Instant::now();
            bytes += compress(file).len();
            time += start.elapsed();
        }
        let base = match first {
            Some((k, b)) if k == kind => b,
            _ => {
                first = Some((kind, bytes));
                bytes
            }
        };
        println!(
            "| {name} | {:.2} | {:.2} | {:.3}× |",
            time.as_secs_f64(),
            bytes as f64 / 1048576.0,
            bytes as f64 / base as f64
        );
    }
}
