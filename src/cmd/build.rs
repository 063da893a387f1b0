//! `liangbiao build`

use std::process::ExitCode;
use std::time::Instant;

use liangbiao::{build, BuildError, BuildOptions};

use crate::BuildArgs;

pub fn run(args: BuildArgs) -> ExitCode {
    let mut options = BuildOptions::new(args.root);
    if let Some(output) = args.output {
        options.output = output;
    }
    options.base_url = args.base_url;
    options.drafts = args.drafts;
    options.precompress = args.precompress;

    let started = Instant::now();
    match build(&options) {
        Ok(report) => {
            if !report.warnings.is_empty() {
                eprint!("{}", report.warnings.render_items());
            }
            if args.timings {
                for (stage, time) in &report.timings {
                    eprintln!("  {stage:<26} {:>8.1} ms", time.as_secs_f64() * 1000.0);
                }
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
