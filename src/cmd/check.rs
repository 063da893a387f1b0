//! `liangbiao check`: the same validation `build` runs, without writing anything.

use std::process::ExitCode;

use liangbiao::diagnostics::Diagnostics;
use liangbiao::{check, BuildError, BuildOptions};

use crate::{CheckArgs, Format};

pub fn run(args: CheckArgs) -> ExitCode {
    // Drafts count too: a draft is validated like any entry, only not published.
    let mut options = BuildOptions::new(&args.root);
    options.drafts = true;
    let (diagnostics, summary) = match check(&options) {
        Ok((site, warnings)) => {
            let summary = format!(
                "checked {} pilots, {} regions, {} domains",
                site.pilots.len(),
                site.regions.len(),
                site.domains.len()
            );
            (warnings, Some(summary))
        }
        Err(BuildError::Content(diagnostics)) => (diagnostics, None),
        Err(other) => {
            eprintln!("{other}");
            return ExitCode::FAILURE;
        }
    };
    match args.format {
        Format::Human => print_human(&diagnostics, summary.as_deref()),
        Format::Json => print_json(&diagnostics),
    }
    if diagnostics.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_human(diagnostics: &Diagnostics, summary: Option<&str>) {
    if !diagnostics.is_empty() {
        match summary {
            Some(_) => eprint!("{}", diagnostics.render_items()),
            None => eprint!("{}", diagnostics.render()),
        }
    }
    if let Some(summary) = summary {
        eprintln!("{summary}: {}", diagnostics.summary_line());
    }
}

fn print_json(diagnostics: &Diagnostics) {
    let records: Vec<_> = diagnostics
        .sorted()
        .into_iter()
        .map(|d| d.to_record())
        .collect();
    let report = serde_json::json!({
        "errors": diagnostics.error_count(),
        "warnings": diagnostics.warning_count(),
        "diagnostics": records,
    });
    println!("{report:#}");
}
