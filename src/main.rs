//! The `liangbiao` command: argument parsing and error printing only; the library
//! does the work.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use liangbiao::{build, BuildError, BuildOptions};

#[derive(Parser)]
#[command(
    name = "liangbiao",
    version,
    about = "亮标: builds the public site of the national basic public service standardization pilots"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (replaced only when the build succeeds).
    Build {
        /// Site folder with config.toml, content/, templates/ and static/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder [default: <root>/public].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Base URL to build for, overriding config.toml (e.g. https://example.gov.cn/bps/).
        #[arg(long)]
        base_url: Option<String>,
        /// Include entries marked draft = true.
        #[arg(long)]
        drafts: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Print the time spent in each pipeline stage.
        #[arg(long)]
        timings: bool,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            quiet,
            timings,
        } => {
            let mut options = BuildOptions::new(root);
            if let Some(output) = output {
                options.output = output;
            }
            options.base_url = base_url;
            options.drafts = drafts;
            run_build(&options, quiet, timings)
        }
    }
}

fn run_build(options: &BuildOptions, quiet: bool, show_timings: bool) -> ExitCode {
    let started = Instant::now();
    match build(options) {
        Ok(report) => {
            if !report.warnings.is_empty() {
                eprint!("{}", report.warnings.render());
            }
            if show_timings {
                for (stage, time) in &report.timings {
                    eprintln!("  {stage:<26} {:>8.1} ms", time.as_secs_f64() * 1000.0);
                }
            }
            if !quiet {
                eprintln!(
                    "built {} pages ({} files, {} KiB) into {} in {} ms, {} warning{}",
                    report.pages,
                    report.files,
                    report.bytes / 1024,
                    options.output.display(),
                    started.elapsed().as_millis(),
                    report.warnings.warning_count(),
                    if report.warnings.warning_count() == 1 {
                        ""
                    } else {
                        "s"
                    }
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
