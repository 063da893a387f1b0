//! Why a build failed: one error type every stage returns, in a leaf module so that no
//! stage imports it from `lib.rs` or from a sibling stage.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;

/// Why a build failed. Content problems come as diagnostics; the rest name a path.
#[derive(Debug)]
pub enum BuildError {
    Content(Diagnostics),
    Template {
        template: String,
        message: String,
    },
    Asset {
        path: String,
        message: String,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
    UnsafeOutput {
        path: PathBuf,
        reason: String,
    },
    PathCollision(Vec<String>),
    /// The search index could not be built; `message` is Pagefind's own word.
    Search {
        message: String,
    },
}

impl BuildError {
    pub fn io(path: &Path, error: io::Error) -> Self {
        BuildError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Content(diagnostics) => write!(f, "{}", diagnostics.render()),
            BuildError::Template { template, message } => {
                write!(f, "error: template {template} failed: {message}")
            }
            BuildError::Asset { path, message } => write!(f, "error: {path}: {message}"),
            BuildError::Io { path, error } => write!(f, "error: {}: {error}", path.display()),
            BuildError::UnsafeOutput { path, reason } => {
                write!(f, "error: will not replace {}: {reason}", path.display())
            }
            BuildError::PathCollision(paths) => {
                writeln!(
                    f,
                    "error: {} output paths would be written twice:",
                    paths.len()
                )?;
                for (i, path) in paths.iter().enumerate() {
                    writeln!(f, "  {}. {path}", i + 1)?;
                }
                Ok(())
            }
            BuildError::Search { message } => {
                write!(f, "error: building the search index failed: {message}")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}
