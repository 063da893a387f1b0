//! Static assets: copied from `static/`, CSS minified, CSS and JS given content-hashed
//! names so hosts can cache them forever. Runs before `render`, which needs the names.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::diagnostics::display_path;
use crate::error::BuildError;
use crate::output::OutputFile;

/// Processed static files and the URL path each logical name maps to.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    pub files: Vec<OutputFile>,
    /// Logical name (`css/site.css`) → output site path (`css/site.1a2b3c4d5e.css`).
    pub names: BTreeMap<String, String>,
}

/// Reads `static/` under `root`. A missing folder is fine: the site then has no assets.
pub fn collect(root: &Path) -> Result<Assets, BuildError> {
    let dir = root.join("static");
    let mut assets = Assets::default();
    if !dir.is_dir() {
        return Ok(assets);
    }
    for entry in WalkDir::new(&dir)
        .follow_root_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| BuildError::io(&dir, e.into()))?;
        // As with content (load.rs): a link could publish any file of the machine.
        if entry.path_is_symlink() {
            return Err(BuildError::Asset {
                path: display_path(entry.path().strip_prefix(root).unwrap_or(entry.path())),
                message: "symbolic links are not copied; put the file itself under static/"
                    .to_string(),
            });
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let logical = display_path(entry.path().strip_prefix(&dir).unwrap_or(entry.path()));
        let bytes = fs::read(entry.path()).map_err(|e| BuildError::io(entry.path(), e))?;
        let (path, bytes) = process(&logical, bytes).map_err(|message| BuildError::Asset {
            path: format!("static/{logical}"),
            message,
        })?;
        assets.names.insert(logical, path.clone());
        assets.files.push(OutputFile { path, bytes });
    }
    Ok(assets)
}

fn process(logical: &str, bytes: Vec<u8>) -> Result<(String, Vec<u8>), String> {
    if logical.ends_with(".css") {
        let css = String::from_utf8(bytes).map_err(|_| "CSS file is not UTF-8".to_string())?;
        let minified = minify_css(&css)?.into_bytes();
        Ok((fingerprinted(logical, &minified), minified))
    } else if logical.ends_with(".js") {
        Ok((fingerprinted(logical, &bytes), bytes))
    } else {
        Ok((logical.to_string(), bytes))
    }
}

pub fn minify_css(css: &str) -> Result<String, String> {
    let mut sheet = StyleSheet::parse(css, ParserOptions::default()).map_err(|e| e.to_string())?;
    sheet
        .minify(MinifyOptions::default())
        .map_err(|e| e.to_string())?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            ..PrinterOptions::default()
        })
        .map_err(|e| e.to_string())?;
    Ok(printed.code)
}

/// `css/site.css` → `css/site.<10 hex digits of SHA-256>.css`.
fn fingerprinted(logical: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    match logical.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{logical}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_is_minified_and_named_by_content() {
        let (path, bytes) =
            process("css/site.css", b"body {  color : #000000; }\n".to_vec()).unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "body{color:#000}"
        );
        assert!(
            path.starts_with("css/site.")
                && path.ends_with(".css")
                && path.len() == "css/site..css".len() + 10
        );
        let (other, _) = process("css/site.css", b"body{color:red}".to_vec()).unwrap();
        assert_ne!(path, other);
    }

    #[test]
    fn other_files_keep_their_names() {
        let (path, bytes) = process("favicon.svg", b"<svg/>".to_vec()).unwrap();
        assert_eq!(path, "favicon.svg");
        assert_eq!(bytes, b"<svg/>");
    }

    #[test]
    fn css_that_is_not_utf8_is_an_error() {
        assert!(process("css/a.css", vec![0xff]).is_err());
    }
}
