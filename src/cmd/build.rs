//! `liangbiao build`

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use liangbiao::{build_with_progress, BuildError, BuildOptions, NoProgress, Progress};

use crate::BuildArgs;

pub fn run(args: BuildArgs) -> ExitCode {
    let mut options = BuildOptions::new(args.root);
    if let Some(output) = args.output {
        options.output = output;
    }
    options.base_url = args.base_url;
    options.drafts = args.drafts;
    options.precompress = args.precompress;
    options.search = !args.no_search;

    let started = Instant::now();
    // A bar only for a person watching a terminal; CI logs get the summary line alone.
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(StageBar::new);
    let progress: &dyn Progress = match &bar {
        Some(bar) => bar,
        None => &NoProgress,
    };
    let outcome = build_with_progress(&options, progress);
    if let Some(bar) = &bar {
        bar.0.finish_and_clear();
    }
    match outcome {
        Ok(report) => {
            if !report.warnings.is_empty() {
                eprint!("{}", report.warnings.render_items());
            }
            if args.timings {
                for (stage, time) in &report.timings {
                    eprintln!("  {stage:<26} {:>8.1} ms", time.as_secs_f64() * 1000.0);
                }
                print_template_timings(&report.template_timings);
            }
            if !args.quiet {
                let warnings = report.warnings.warning_count();
                eprintln!(
                    "built {} pages ({} files, {} KiB) into {} in {} ms, {} warning{}",
                    report.pages,
                    report.files,
                    report.bytes / 1024,
                    options.output.display(),
                    started.elapsed().as_millis(),
                    warnings,
                    if warnings == 1 { "" } else { "s" }
                );
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprint!("{err}");
            if !matches!(err, BuildError::PathCollision(_)) {
                eprintln!();
            }
            eprintln!(
                "build failed; {} was left unchanged",
                options.output.display()
            );
            ExitCode::FAILURE
        }
    }
}

/// A progress bar per stage, drawn on stderr (indicatif hides it on short builds:
/// it draws at most every 100 ms).
struct StageBar(ProgressBar);

impl StageBar {
    fn new() -> StageBar {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg:>7} [{bar:40}] {pos}/{len} {elapsed}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        StageBar(bar)
    }
}

impl Progress for StageBar {
    fn stage(&self, name: &'static str, total: usize) {
        self.0.set_message(name);
        self.0.set_length(total as u64);
        self.0.set_position(0);
    }

    fn step(&self) {
        self.0.inc(1);
    }
}

/// Per template: pages, the time summed over them (data and rendering; threads run
/// several at once, so the sum exceeds the stage), and the slowest page.
fn print_template_timings(timings: &[liangbiao::render::TemplateTiming]) {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    eprintln!("  template                    pages   total ms  slowest page");
    for t in timings {
        eprintln!(
            "  {:<26} {:>6} {:>10.1}  {} ({:.1} ms)",
            t.template,
            t.pages,
            ms(t.total),
            t.slowest.0,
            ms(t.slowest.1)
        );
    }
}
