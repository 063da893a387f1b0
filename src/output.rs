//! What every stage hands to the writer: a file's site path and bytes. A leaf module,
//! shared by assets, render, search, the link check, write and serve.

/// One file to write into the output, at a site path such as `css/site.1a2b3c4d5e.css`.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}
