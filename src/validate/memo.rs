//! Checks of single files remembered between builds, for `serve`: after an edit only
//! the files whose text changed are parsed and checked again.

use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::{Diagnostics, SourceFile};

/// What checking one file gave: its entry (`None` if it had errors) and its diagnostics.
pub(super) type Checked<T> = Arc<(Option<T>, Diagnostics)>;

/// The checks of one kind of file. They hold while the texts that every check of that
/// kind reads (the shared inputs: regions, domains, the list of pilots ...) stay the same.
pub(super) struct FileMemo<T> {
    inputs: Vec<Arc<str>>,
    files: FxHashMap<PathBuf, (Arc<str>, Checked<T>)>,
}

impl<T> Default for FileMemo<T> {
    fn default() -> Self {
        FileMemo {
            inputs: Vec::new(),
            files: FxHashMap::default(),
        }
    }
}

impl<T> FileMemo<T> {
    /// Forgets every check if the shared inputs are not those the checks were made with.
    pub(super) fn keep_if_inputs_are(&mut self, inputs: Vec<Arc<str>>) {
        let same = self.inputs.len() == inputs.len()
            && self
                .inputs
                .iter()
                .zip(&inputs)
                .all(|(a, b)| same_text(a, b));
        if !same {
            self.files.clear();
        }
        self.inputs = inputs;
    }

    /// The check of `file` if it was made on the same text.
    pub(super) fn get(&self, file: &SourceFile) -> Option<Checked<T>> {
        let (text, checked) = self.files.get(&file.path)?;
        same_text(text, &file.text).then(|| Arc::clone(checked))
    }

    /// Remembers exactly these checks: files that are gone are forgotten.
    pub(super) fn replace<'f>(
        &mut self,
        checks: impl Iterator<Item = (&'f SourceFile, Checked<T>)>,
    ) {
        self.files = checks
            .map(|(file, checked)| (file.path.clone(), (Arc::clone(&file.text), checked)))
            .collect();
    }
}

/// Texts are compared by address first: a file that was not read again keeps its `Arc`.
fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}
