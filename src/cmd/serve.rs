//! `liangbiao serve`: prints what the server does; the library does the serving.

use std::process::{Command, ExitCode, Stdio};

use liangbiao::serve::{bind, serve, ServeEvent, ServeOptions};

use crate::ServeArgs;

pub fn run(args: ServeArgs) -> ExitCode {
    let options = ServeOptions {
        root: args.root,
        port: args.port,
        drafts: args.drafts,
    };
    let listener = match bind(options.port) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!(
                "error: no free port from {} on 127.0.0.1: {err}",
                options.port
            );
            return ExitCode::FAILURE;
        }
    };
    let open = args.open;
    let result = serve(&options, listener, move |event| print_event(event, open));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn print_event(event: ServeEvent, open: bool) {
    match event {
        ServeEvent::Listening(addr) => {
            eprintln!("serving http://{addr}/ (Ctrl+C to stop)");
            if open {
                open_browser(&format!("http://{addr}/"));
            }
        }
        ServeEvent::Ready {
            version,
            took,
            warnings,
            changed,
        } => {
            eprint!("{warnings}");
            eprintln!(
                "[{version}] ready in {} ms{}; pages render as they are asked for",
                took.as_millis(),
                because(&changed)
            );
        }
        ServeEvent::Built {
            version,
            pages,
            took,
            warnings,
        } => {
            eprint!("{warnings}");
            eprintln!(
                "[{version}] built {pages} pages and checked their links in {} ms",
                took.as_millis()
            );
        }
        ServeEvent::Failed {
            version,
            diagnostics,
            changed,
        } => {
            eprintln!("{diagnostics}");
            eprintln!(
                "[{version}] build failed{}; still serving the last good build",
                because(&changed)
            );
        }
    }
}

fn because(changed: &[std::path::PathBuf]) -> String {
    match changed {
        [] => String::new(),
        [one] => format!(" after a change to {}", one.display()),
        [first, rest @ ..] => format!(
            " after changes to {} and {} more",
            first.display(),
            rest.len()
        ),
    }
}

/// The platform's own way to open a URL; failing to open is not worth stopping for.
fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "windows") {
        ("cmd", vec!["/C", "start", "", url])
    } else if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    if spawned.is_err() {
        eprintln!("could not open a browser; open {url} yourself");
    }
}
