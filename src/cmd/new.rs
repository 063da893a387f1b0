//! `liangbiao new <kind> <slug>`: writes a new entry for an editor to fill in.

use std::process::ExitCode;

use liangbiao::scaffold::{new_entry, EntryKind};

use crate::{NewArgs, NewKind};

pub fn run(args: NewArgs) -> ExitCode {
    let kind = match args.kind {
        NewKind::Pilot => EntryKind::Pilot,
        NewKind::Standard => EntryKind::Standard,
        NewKind::ServiceList => EntryKind::ServiceList,
        NewKind::Region => EntryKind::Region,
        NewKind::DemoSite => EntryKind::DemoSite,
    };
    match new_entry(&args.root, kind, &args.slug, args.pilot.as_deref()) {
        Ok(entry) => {
            let path = entry
                .path
                .strip_prefix(&args.root)
                .unwrap_or(&entry.path)
                .display();
            let done = if entry.created {
                format!("created {path}")
            } else {
                format!("added a new {} at the end of {path}", kind.name())
            };
            eprintln!(
                "{done}\nfill in the fields marked 必填 (required), then run `liangbiao check`"
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
