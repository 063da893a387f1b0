//! Progress reports from a long build to whoever draws them (the CLI's bar), in a leaf
//! module: render and write report, `cmd/build.rs` listens.

/// Told how far a long build has come, e.g. to draw a progress bar. Called from the
/// worker threads, so it must be `Sync`; every method has a do-nothing default.
pub trait Progress: Sync {
    /// A stage starts that will do `total` steps (pages, files).
    fn stage(&self, _name: &'static str, _total: usize) {}
    /// One step of the current stage is done.
    fn step(&self) {}
}

/// For callers that want no progress reports.
pub struct NoProgress;

impl Progress for NoProgress {}
