//! Checks of single files remembered between builds, for `serve`: after an edit only
//! the files whose text changed are parsed and checked again.

use std::path::PathBuf;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

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

    /// Remembers exactly these checks: files that are gone are forgotten. Updated in
    /// place, since after one edit all but one check are those already held.
    pub(super) fn replace<'f>(
        &mut self,
        checks: impl Iterator<Item = (&'f SourceFile, Checked<T>)> + Clone,
    ) {
        let mut count = 0;
        for (file, checked) in checks.clone() {
            count += 1;
            match self.files.get_mut(&file.path) {
                Some(held) => *held = (Arc::clone(&file.text), checked),
                None => {
                    let held = (Arc::clone(&file.text), checked);
                    self.files.insert(file.path.clone(), held);
                }
            }
        }
        if count != self.files.len() {
            let present: FxHashSet<&PathBuf> = checks.map(|(file, _)| &file.path).collect();
            self.files.retain(|path, _| present.contains(path));
        }
    }
}

/// Texts are compared by address first: a file that was not read again keeps its `Arc`.
fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(n: u32) -> Checked<u32> {
        Arc::new((Some(n), Diagnostics::new()))
    }

    fn held(memo: &FileMemo<u32>, file: &SourceFile) -> Option<u32> {
        memo.get(file).and_then(|c| c.0)
    }

    #[test]
    fn replace_keeps_exactly_the_checks_given() {
        let a = SourceFile::new("a.md", "a");
        let b = SourceFile::new("b.md", "b");
        let mut memo = FileMemo::default();
        memo.replace([(&a, checked(1)), (&b, checked(2))].into_iter());
        assert_eq!((held(&memo, &a), held(&memo, &b)), (Some(1), Some(2)));

        // `a` edited: its new check replaces the old; a check of the old text is gone.
        let a_edited = SourceFile::new("a.md", "a, edited");
        memo.replace([(&a_edited, checked(3)), (&b, checked(2))].into_iter());
        assert_eq!(held(&memo, &a_edited), Some(3));
        assert_eq!(held(&memo, &a), None);

        // `b` deleted, `c` added: `b`'s check is forgotten.
        let c = SourceFile::new("c.md", "c");
        memo.replace([(&a_edited, checked(3)), (&c, checked(4))].into_iter());
        assert_eq!((held(&memo, &b), held(&memo, &c)), (None, Some(4)));
        assert_eq!(memo.files.len(), 2);
    }
}
