//! The site's Tera templates, parsed once per build and minified once, as source.
//!
//! Minifying every rendered page cost more than rendering it (about 40% of a 10,000-page
//! build). The whitespace and quoting that minification removes come from the template
//! text, not from the data, so minify-html runs over each HTML template instead, with
//! Tera's `{{ }}`, `{% %}` and `{# #}` passed through untouched, and pages are written as
//! rendered. `tests/build_bundled.rs` checks that this gives the same pages as minifying
//! each page would.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use tera::{Context, Tera};
use walkdir::WalkDir;

use super::error_chain;
use crate::error::BuildError;
use crate::html::escape_markup;

/// The templates, parsed once per build.
pub struct Templates {
    tera: Tera,
    /// Whether the theme's macros have `standard_row`, so that a listing's rows can be
    /// rendered once per standard ([`STANDARD_ROW`]).
    renders_rows: bool,
}

/// The internal template that renders one row of a standards listing with the theme's
/// `standard_row` macro. A standard is listed several times (under its level, status,
/// domains and regions); the row is rendered once, which was a quarter of a build.
const STANDARD_ROW: &str = "__liangbiao/standard_row.html";
const MACROS: &str = "partials/macros.html";

impl Templates {
    /// Reads `<root>/templates/**`. With `minify`, HTML templates are minified and the
    /// rest (XML, text) kept as written. Syntax errors are reported against the files as
    /// written.
    pub fn load(root: &Path, minify: bool) -> Result<Templates, BuildError> {
        let dir = root.join("templates");
        let sources = read_sources(&dir)?;
        refuse_recursive_macros(&sources)?;
        let renders_rows = sources
            .iter()
            .any(|(name, text)| name == MACROS && text.contains("macro standard_row("));
        // Parsed as written first, so that an error names the editor's line.
        let as_written = tera_from(&dir, sources.clone())?;
        if !minify {
            return Templates::with_rows(as_written, renders_rows);
        }
        let minified = sources
            .into_iter()
            .map(|(name, text)| {
                let text = if name.ends_with(".html") {
                    minify_template(&text)
                } else {
                    text
                };
                (name, text)
            })
            .collect();
        let tera = tera_from(&dir, minified).map_err(|e| match e {
            BuildError::Template { template, message } => BuildError::Template {
                template,
                message: format!(
                    "{message}\n(the templates parse as written but not once minified: keep \
                     Tera tags out of the space between attributes, see minify_template)"
                ),
            },
            other => other,
        })?;
        Templates::with_rows(tera, renders_rows)
    }

    fn with_rows(mut tera: Tera, renders_rows: bool) -> Result<Templates, BuildError> {
        if renders_rows {
            tera.add_raw_template(
                STANDARD_ROW,
                &format!(
                    "{{% import \"{MACROS}\" as m %}}{{{{ m::standard_row(row=row, show_relation=false) }}}}"
                ),
            )
            .map_err(|e| template_error(MACROS, &e))?;
        }
        Ok(Templates { tera, renders_rows })
    }

    /// One listing row of a standard, rendered with the theme's `standard_row` macro; None
    /// when the theme has no such macro (its `standards_table` then renders the row).
    pub(super) fn standard_row(
        &self,
        row: &impl serde::Serialize,
    ) -> Option<Result<String, BuildError>> {
        self.renders_rows.then(|| {
            let mut context = Context::new();
            context.insert("row", row);
            self.render(STANDARD_ROW, &context)
        })
    }

    pub(super) fn render(&self, template: &str, context: &Context) -> Result<String, BuildError> {
        self.tera
            .render(template, context)
            .map_err(|e| template_error(template, &e))
    }

    /// A page as the bytes to write: `render` would check 100 MB of output for UTF-8
    /// only for it to be turned back into bytes.
    pub(super) fn render_page(
        &self,
        template: &str,
        context: &Context,
    ) -> Result<Vec<u8>, BuildError> {
        let mut page = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, context, &mut page)
            .map_err(|e| template_error(template, &e))?;
        Ok(page)
    }
}

fn template_error(template: &str, error: &tera::Error) -> BuildError {
    BuildError::Template {
        template: template.to_string(),
        message: error_chain(error),
    }
}

/// Every file under `dir`, named by its path below it with `/` (as `Tera::new` names
/// them), sorted so that the build does not depend on the order of the directory.
fn read_sources(dir: &Path) -> Result<Vec<(String, String)>, BuildError> {
    let template_error = |message: String| BuildError::Template {
        template: dir.display().to_string(),
        message,
    };
    let mut sources = Vec::new();
    for entry in WalkDir::new(dir)
        .follow_root_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| template_error(e.to_string()))?;
        // As with content (load.rs): a link could read any file of the machine.
        if entry.path_is_symlink() {
            return Err(template_error(format!(
                "{} is a symbolic link; put the template itself there",
                entry.path().display()
            )));
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let name = path
            .strip_prefix(dir)
            .expect("walkdir stays below its root")
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let text = fs::read_to_string(path).map_err(|e| BuildError::io(path, e))?;
        sources.push((name, text));
    }
    if sources.is_empty() {
        return Err(template_error("no templates found".to_string()));
    }
    Ok(sources)
}

/// A macro that calls itself, directly or through others, is refused before rendering:
/// Tera sets no depth limit, so one would overflow the stack and abort the process
/// (killing `serve`) with no word on which template did it.
fn refuse_recursive_macros(sources: &[(String, String)]) -> Result<(), BuildError> {
    type Macro = (String, String);
    let mut calls: HashMap<Macro, Vec<Macro>> = HashMap::new();
    for (file, text) in sources {
        let imports = imports_of(text);
        for (name, called) in macro_calls(text) {
            let targets = called
                .into_iter()
                .filter_map(|(namespace, callee)| match namespace.as_str() {
                    "self" => Some((file.clone(), callee)),
                    alias => imports.get(alias).map(|f| (f.clone(), callee)),
                })
                .collect();
            calls.insert((file.clone(), name), targets);
        }
    }
    let mut roots: Vec<&Macro> = calls.keys().collect();
    roots.sort();
    for root in roots {
        let mut path = vec![root.clone()];
        if let Some(cycle) = find_cycle(&calls, &mut path) {
            let names: Vec<&str> = cycle.iter().map(|(_, name)| name.as_str()).collect();
            return Err(BuildError::Template {
                template: root.0.clone(),
                message: format!(
                    "macro `{}` calls itself ({}); recursive macros are not allowed",
                    root.1,
                    names.join(" → ")
                ),
            });
        }
    }
    Ok(())
}

/// The path from `path[0]` back to itself, if the calls from its last macro lead there.
fn find_cycle(
    calls: &HashMap<(String, String), Vec<(String, String)>>,
    path: &mut Vec<(String, String)>,
) -> Option<Vec<(String, String)>> {
    let last = path.last()?.clone();
    for next in calls.get(&last).into_iter().flatten() {
        if *next == path[0] {
            let mut cycle = path.clone();
            cycle.push(next.clone());
            return Some(cycle);
        }
        if !path.contains(next) {
            path.push(next.clone());
            if let Some(cycle) = find_cycle(calls, path) {
                return Some(cycle);
            }
            path.pop();
        }
    }
    None
}

/// Each `{% macro name(…) %}` of a template with the `namespace::macro(` calls in its body.
fn macro_calls(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut macros = Vec::new();
    let mut current: Option<(String, Vec<(String, String)>)> = None;
    for (i, part) in text.split("{%").enumerate() {
        let tag = part.trim_start_matches('-').trim_start();
        if i > 0 && tag.starts_with("endmacro") {
            macros.extend(current.take());
        } else if let Some(rest) = tag.strip_prefix("macro ").filter(|_| i > 0) {
            let name = rest.split('(').next().unwrap_or("").trim().to_string();
            macros.extend(current.replace((name, Vec::new())));
        }
        if let Some((_, called)) = current.as_mut() {
            called.extend(namespaced_calls(part));
        }
    }
    macros.extend(current);
    macros
}

/// `ns::name(` in a piece of template text.
fn namespaced_calls(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices("::").filter_map(move |(at, _)| {
        let before = &text[..at];
        let namespace = &before[before.trim_end_matches(ident).len()..];
        let after = &text[at + 2..];
        let name_len = after.len() - after.trim_start_matches(ident).len();
        let name = &after[..name_len];
        (!namespace.is_empty()
            && !name.is_empty()
            && after[name_len..].trim_start().starts_with('('))
        .then(|| (namespace.to_string(), name.to_string()))
    })
}

/// `{% import "file" as alias %}` → alias → file.
fn imports_of(text: &str) -> HashMap<String, String> {
    text.split("{%")
        .filter_map(|part| {
            let tag = part
                .trim_start_matches('-')
                .trim_start()
                .strip_prefix("import ")?;
            let tag = tag.split("%}").next()?;
            let (file, alias) = tag.rsplit_once(" as ")?;
            let file = file.trim().trim_matches(|c| c == '"' || c == '\'');
            Some((
                alias.trim().trim_end_matches('-').trim().to_string(),
                file.to_string(),
            ))
        })
        .collect()
}

fn tera_from(dir: &Path, sources: Vec<(String, String)>) -> Result<Tera, BuildError> {
    let mut tera = Tera::default();
    tera.add_raw_templates(sources)
        .map_err(|e| template_error(&dir.display().to_string(), &e))?;
    tera.autoescape_on(vec![".html", ".xml"]);
    // Tera's default also escapes `/`, which turns every URL into `&#x2F;` soup.
    tera.set_escape_fn(escape_markup);
    Ok(tera)
}

/// Minifies one HTML template. Closing tags and `<html>`/`<head>` are kept so that the
/// output stays valid HTML, and Tera syntax in content is left as it is. Template tags
/// must therefore stand in content or inside a quoted attribute value, never between
/// attributes (`<a{% if x %} class="y"{% endif %}>`), and no branch may open a tag that
/// another closes: give the attribute a value in every branch instead
/// (`aria-current="{% if x %}page{% else %}false{% endif %}"`).
fn minify_template(source: &str) -> String {
    let cfg = minify_html::Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        preserve_brace_template_syntax: true,
        ..minify_html::Cfg::default()
    };
    String::from_utf8(minify_html::minify(source.as_bytes(), &cfg))
        .expect("minify-html keeps UTF-8 as UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursive_macros_are_refused_before_they_overflow_the_stack() {
        let sources = |a: &str, b: &str| {
            vec![
                ("m.html".to_string(), a.to_string()),
                ("page.html".to_string(), b.to_string()),
            ]
        };
        let direct = sources("{% macro walk(n) %}{{ self::walk(n=n) }}{% endmacro %}", "");
        let error = refuse_recursive_macros(&direct).unwrap_err().to_string();
        assert!(
            error.contains("macro `walk` calls itself (walk → walk)"),
            "{error}"
        );

        let through = sources(
            "{%- macro a() -%}{{ self::b() }}{%- endmacro -%}{% macro b() %}{% if x %}{{ self::a() }}{% endif %}{% endmacro %}",
            "",
        );
        let error = refuse_recursive_macros(&through).unwrap_err().to_string();
        assert!(error.contains("(a → b → a)"), "{error}");

        let fine = sources(
            "{% macro a() %}{{ self::b() }}{% endmacro %}{% macro b() %}x{% endmacro %}",
            "{% import \"m.html\" as m %}{{ m::a() }}{{ m::a() }}",
        );
        assert!(refuse_recursive_macros(&fine).is_ok());
    }

    #[test]
    fn minified_templates_keep_tera_syntax_and_closing_tags() {
        let source = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n  <title>{{ page.title }}</title>\n</head>\n<body>\n  <ul>\n  {% for item in items %}\n    <li class=\"a {{ item.kind }}\">{{ item.name }}</li>\n  {% endfor %}\n  </ul>\n</body>\n</html>\n";
        let minified = minify_template(source);
        assert!(!minified.contains('\n'), "{minified}");
        for kept in [
            "{{ page.title }}",
            "{% for item in items %}",
            "{% endfor %}",
            "class=\"a {{ item.kind }}\"",
            "</li>",
            "<head>",
            "</html>",
        ] {
            assert!(minified.contains(kept), "{kept} in {minified}");
        }
        let mut tera = Tera::default();
        tera.add_raw_template("t.html", &minified).unwrap();
        let mut context = Context::new();
        context.insert("page", &serde_json::json!({"title": "试点"}));
        context.insert("items", &serde_json::json!([{"kind": "b", "name": "养老"}]));
        let html = tera.render("t.html", &context).unwrap();
        assert!(
            html.contains("<title>试点</title>") && html.contains("<li class=\"a b\">养老</li>"),
            "{html}"
        );
    }
}
