//! The `liangbiao` command: argument definitions and dispatch only. Each command lives
//! in `cmd/<name>.rs`; the library does the work.

mod cmd;

// Rendering and indexing allocate many small strings from several threads at once;
// glibc's allocator spent a quarter of a 10k-page build in malloc and free.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
    Build(BuildArgs),
    /// Check all content and report every problem, without writing anything.
    Check(CheckArgs),
    /// Write a new entry with every field explained, for you to fill in.
    New(NewArgs),
    /// Serve the site on 127.0.0.1, rebuilding and reloading pages as files change.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Site folder with config.toml, content/, templates/ and static/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Port to listen on; the next free one is used if it is taken.
    #[arg(long, default_value_t = 1950)]
    port: u16,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    /// Include entries marked draft = true.
    #[arg(long)]
    drafts: bool,
}

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  liangbiao new pilot haidian\n  liangbiao new standard haidian\n  liangbiao new service-list haidian-elderly --pilot haidian\n  liangbiao new demo-site haidian-station --pilot haidian\n  liangbiao new region xianggang"
)]
struct NewArgs {
    /// What to create.
    #[arg(value_enum)]
    kind: NewKind,
    /// The new entry's slug (for `standard`: the pilot whose standards file gets it).
    slug: String,
    /// The pilot a service list or demonstration site belongs to.
    #[arg(long)]
    pilot: Option<String>,
    /// Site folder with content/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum NewKind {
    /// content/pilots/<slug>.md
    Pilot,
    /// A [[standard]] in content/standards/<pilot>.toml
    Standard,
    /// A [[list]] in content/services/<pilot>.toml
    ServiceList,
    /// A [[region]] in content/regions.toml
    Region,
    /// A [[site]] in content/services/<pilot>.toml
    DemoSite,
}

#[derive(clap::Args)]
struct BuildArgs {
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
    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    quiet: bool,
    /// Print the time spent in each pipeline stage.
    #[arg(long)]
    timings: bool,
    /// Also write .gz and .br siblings of text files (for nginx gzip_static).
    #[arg(long)]
    precompress: bool,
    /// Leave out the search index (/pagefind/); the search page then finds nothing.
    #[arg(long)]
    no_search: bool,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Site folder with config.toml and content/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output format: readable text, or JSON for CI annotations.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` (the sys crate names no constant).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How the allocator treats memory, set before any other thread exists.
///
/// A build frees and reuses memory throughout. By default mimalloc hands freed pages
/// back to the kernel after 10 ms, and the kernel must zero them again on their next
/// use: a tenth of the CPU time of a 10,000-page build went to that, and a third of the
/// time `serve` took to make a site ready after an edit. A build is short and its peak is
/// what it needs, so it keeps its pages (`-1`); `serve` runs for hours and keeps them for
/// a minute, long enough for the next edit to reuse them.
///
/// Transparent huge pages are off for the process (mimalloc asks for them where the
/// kernel allows it, and reads its own option for that before `main`): the kernel zeroes
/// a whole 2 MiB page on the first touch of any byte of it, which on the 10k corpus
/// cost 0.5 s more CPU than 4 KiB pages.
fn configure_memory(purge_delay_ms: std::ffi::c_long) {
    // SAFETY: sets a plain integer option, before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, purge_delay_ms) };
    #[cfg(target_os = "linux")]
    // SAFETY: a process-wide flag, no pointers; failure (an old kernel) changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build(args) => {
            configure_memory(-1);
            cmd::build::run(args)
        }
        Command::Check(args) => {
            configure_memory(-1);
            cmd::check::run(args)
        }
        Command::New(args) => cmd::new::run(args),
        Command::Serve(args) => {
            configure_memory(60_000);
            cmd::serve::run(args)
        }
    }
}
