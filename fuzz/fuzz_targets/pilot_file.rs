//! A pilot file as an editor might save it: split at its `+++` fences, the front matter
//! parsed as TOML, the body inspected and rendered, every problem rendered as the CLI
//! prints it. Nothing may panic, and a body that passes inspection renders no tag
//! attribute but an id (issue #25: heading attributes ran script).
#![no_main]

use liangbiao::config::BaseUrl;
use liangbiao::diagnostics::{Diagnostics, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut problems = Diagnostics::new();
    let file = SourceFile::new("content/pilots/fuzz.md", text);
    if let Some(pilot) = liangbiao::load::split_front_matter(file, &mut problems) {
        let _ = toml::from_str::<toml::Table>(&pilot.file.text[pilot.front_matter.clone()]);
        let body = pilot.body_text();
        let inspection = liangbiao::markdown::inspect(body);
        if inspection.problems.is_empty() {
            let base = BaseUrl::parse("https://example.gov.cn/").expect("a valid base URL");
            let html = liangbiao::markdown::to_html(body, &base);
            for tag in html.split('<').skip(1) {
                let head = tag.split('>').next().unwrap_or("");
                if head.starts_with(['h', 'H'])
                    && head.as_bytes().get(1).is_some_and(u8::is_ascii_digit)
                {
                    let attrs = head[2..].trim();
                    assert!(attrs.is_empty() || attrs.starts_with("id=\""), "{head}");
                }
            }
        }
    }
    let _ = problems.render();
});
