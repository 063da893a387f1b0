//! How many figures rest on a quote of their source, checked word for word against
//! `sources/<id>.txt` when the site loads, and which do not yet:
//!
//!     cargo run --release --example quotes [-- <site folder>]
//!
//! Prints one line per figure without a quote (pilot, label, value, source), then the
//! totals. A report, not a test: a figure without a quote is allowed, a quote that is
//! not in its source fails the build.

use std::path::PathBuf;

use liangbiao::{load_site, BuildOptions};

fn main() {
    let root = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let (site, _) = match load_site(&BuildOptions::new(&root)) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    };
    let (mut quoted, mut unquoted) = (0, 0);
    for pilot in &site.pilots {
        for figure in &pilot.figures {
            if figure.quote.is_some() {
                quoted += 1;
            } else {
                unquoted += 1;
                println!(
                    "without a quote: {} · {} · {} · {}",
                    pilot.slug,
                    figure.label,
                    figure.text(),
                    site.source(figure.source).id
                );
            }
        }
    }
    println!(
        "{} figures: {quoted} with a quote found in its source, {unquoted} without",
        quoted + unquoted
    );
}
