//! Markdown bodies: what `validate` refuses in them, and how `render` turns them into HTML.
//!
//! Raw HTML is refused rather than sanitised: editors are not expected to write it, and
//! refusing keeps hostile or broken markup off a public site with a message that says why.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::config::BaseUrl;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A problem in a Markdown body: byte range within the body, message, expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyProblem {
    pub span: Range<usize>,
    pub message: String,
    pub expected: &'static str,
}

/// A link from a body to a page of this site (`/pilots/x/#h`) or to a heading of its
/// own page (`#h`): checked against the rendered site once every page exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLink {
    pub span: Range<usize>,
    pub target: String,
}

/// What a body holds that `validate` cares about.
#[derive(Debug, Default)]
pub struct Inspection {
    /// Everything that must not reach the published page.
    pub problems: Vec<BodyProblem>,
    /// Links within the site, to resolve after rendering.
    pub site_links: Vec<SiteLink>,
    /// Heading ids that could also be an id of the page's layout (those in ASCII, as every
    /// template id is): each must occur once in the rendered page. `target` is `#id`.
    pub heading_ids: Vec<SiteLink>,
}

/// The longest heading id an editor may set with `{#id}`.
const MAX_HEADING_ID_CHARS: usize = 64;

/// Checks a body and collects its links within the site, in one pass.
pub fn inspect(body: &str) -> Inspection {
    let mut problems = Vec::new();
    let mut site_links = Vec::new();
    let mut image_start: Option<(Range<usize>, bool)> = None;
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(body, options())
        .into_offset_iter()
        .collect();
    let heading_ids = heading_ids(events.iter().map(|(event, _)| event));
    let mut headings = heading_ids.iter();
    let mut seen_ids: HashSet<&str> = HashSet::new();
    let mut layout_ids = Vec::new();
    for (event, span) in events.iter().cloned() {
        if let Event::Start(Tag::Heading {
            id, classes, attrs, ..
        }) = &event
        {
            let attrs_span = heading_attrs_span(body, &span);
            problems.extend(check_heading_attrs(
                id.as_deref(),
                classes,
                attrs,
                &attrs_span,
            ));
            if let Some(anchor) = headings.next().map(|(_, anchor)| anchor.as_str()) {
                if !seen_ids.insert(anchor) && id.is_some() {
                    problems.push(duplicate_heading_id(anchor, attrs_span.clone()));
                }
                if anchor.is_ascii() {
                    layout_ids.push(SiteLink {
                        span: span.start..span.start + first_line(&body[span.clone()]).len(),
                        target: format!("#{anchor}"),
                    });
                }
            }
        }
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &event {
            if is_site_target(dest_url) {
                site_links.push(SiteLink {
                    span: span.clone(),
                    target: dest_url.to_string(),
                });
            }
        }
        match event {
            Event::Html(_) | Event::InlineHtml(_) => problems.push(BodyProblem {
                message: format!(
                    "raw HTML is not allowed: `{}`",
                    first_line(&body[span.clone()])
                ),
                // Point at the markup itself, not the line break after it.
                span: span.start..span.start + body[span.clone()].trim_end().len(),
                expected: "Markdown only (headings with ##, lists with -, links with [text](url))",
            }),
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(problem) = check_url(&dest_url, span) {
                    problems.push(problem);
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                if let Some(problem) = check_image_url(&dest_url, span.clone()) {
                    problems.push(problem);
                }
                image_start = Some((span, false));
            }
            Event::Text(text) if image_start.is_some() && !text.trim().is_empty() => {
                if let Some((_, has_alt)) = image_start.as_mut() {
                    *has_alt = true;
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((span, false)) = image_start.take() {
                    problems.push(BodyProblem {
                        span,
                        message: "image has no text alternative".to_string(),
                        expected: "a description in the brackets: ![描述](图片地址)",
                    });
                }
            }
            _ => {}
        }
    }
    Inspection {
        problems,
        site_links,
        heading_ids: layout_ids,
    }
}

/// Where a heading's `{…}` attribute block sits, or the heading's first line without one.
fn heading_attrs_span(body: &str, heading: &Range<usize>) -> Range<usize> {
    let line = first_line_full(&body[heading.clone()]).trim_end();
    let line_span = heading.start..heading.start + line.len();
    match (line.rfind('{'), line.ends_with('}')) {
        (Some(open), true) => heading.start + open..line_span.end,
        _ => line_span,
    }
}

/// A heading may carry one attribute: an id of letters, digits, `-` and `_`, so that
/// links can point at it. Classes, `style`, `on…` handlers and every other attribute are
/// refused: pulldown-cmark writes them into the tag as given, so a heading could restyle
/// the page or run script (issue #25).
fn check_heading_attrs(
    id: Option<&str>,
    classes: &[CowStr],
    attrs: &[(CowStr, Option<CowStr>)],
    span: &Range<usize>,
) -> Vec<BodyProblem> {
    let mut problems = Vec::new();
    let expected = "at most an id after the heading text, of letters, digits, - and _: ## 服务清单 {#fuwu-qingdan}";
    if !classes.is_empty() || !attrs.is_empty() {
        let names: Vec<String> = classes
            .iter()
            .map(|c| format!(".{c}"))
            .chain(attrs.iter().map(|(key, _)| key.to_string()))
            .collect();
        problems.push(BodyProblem {
            span: span.clone(),
            message: format!(
                "heading attributes are not allowed: `{}` (only an id may be set)",
                first_line(&names.join(" "))
            ),
            expected,
        });
    }
    if let Some(id) = id.filter(|id| !is_safe_heading_id(id)) {
        problems.push(BodyProblem {
            span: span.clone(),
            message: format!("heading id `{}` is not allowed", first_line(id)),
            expected,
        });
    }
    problems
}

/// Letters (Chinese included), digits, `-` and `_`, starting with a letter or digit.
pub fn is_safe_heading_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(char::is_alphanumeric)
        && chars.all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        && id.chars().count() <= MAX_HEADING_ID_CHARS
}

fn duplicate_heading_id(id: &str, span: Range<usize>) -> BodyProblem {
    BodyProblem {
        span,
        message: format!("heading id `{id}` is already used by a heading above"),
        expected: "an id no other heading of the page has",
    }
}

/// A path on this site (`/x/`) or an anchor on the same page (`#x`).
fn is_site_target(url: &str) -> bool {
    (url.starts_with('/') && !url.starts_with("//")) || url.starts_with('#')
}

fn first_line_full(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn first_line(text: &str) -> &str {
    let line = first_line_full(text);
    match line.char_indices().nth(60) {
        Some((cut, _)) => &line[..cut],
        None => line,
    }
}

fn check_url(url: &str, span: Range<usize>) -> Option<BodyProblem> {
    if is_allowed_url(url) {
        return None;
    }
    Some(BodyProblem {
        span,
        message: format!("link target `{url}` is not allowed"),
        expected: "an http://, https:// or mailto: address, a site path starting with / like /pilots/xicheng/, or an anchor like #服务清单",
    })
}

/// Images come from this site only: an image from elsewhere makes every reader's browser
/// ask a third party for it, which the site promises not to do.
fn check_image_url(url: &str, span: Range<usize>) -> Option<BodyProblem> {
    if is_site_target(url.trim()) && !url.trim().starts_with('#') {
        return None;
    }
    Some(BodyProblem {
        span,
        message: format!("image `{}` is not on this site", first_line(url)),
        expected:
            "an image under static/, linked by its site path, e.g. ![服务大厅](/images/hall.jpg)",
    })
}

/// The rule for every address an editor writes: http(s), mailto and tel, site paths and
/// same-page anchors.
pub(crate) fn is_allowed_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // A colon before any slash means a scheme; only these are safe to publish.
        Some((scheme, _)) if !scheme.contains('/') && !scheme.contains('#') => {
            matches!(scheme, "http" | "https" | "mailto" | "tel")
        }
        // Relative paths (`xicheng/`, `../x`) depend on the page they sit on and break
        // when a page moves; site paths and same-page anchors do not.
        _ => is_site_target(&lower),
    }
}

/// Renders a checked body to HTML; site paths (`/pilots/x/`) get the base path prefixed
/// so that they still resolve when the site lives under a sub-path.
pub fn to_html(body: &str, base: &BaseUrl) -> String {
    let events = with_heading_ids(Parser::new_ext(body, options()).collect());
    let events = events.into_iter().map(|event| match event {
        // Validation refuses every other heading attribute; dropping them here as well
        // keeps a page safe even if a body reached render unchecked.
        Event::Start(Tag::Heading { level, id, .. }) => Event::Start(Tag::Heading {
            level,
            id,
            classes: Vec::new(),
            attrs: Vec::new(),
        }),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: site_link(dest_url, link_type, base),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: site_link(dest_url, link_type, base),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Gives every heading its id: the explicit `{#id}` when it is safe, else one made from
/// its text, so that links like `/pilots/x/#服务清单` can point at it.
fn with_heading_ids(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    for (at, anchor) in heading_ids(events.iter()) {
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[at] {
            *id = Some(CowStr::from(anchor));
        }
    }
    events
}

/// The id of every heading, by the index of its start event. Explicit safe ids are kept
/// and reserved first, so that a heading made from text never takes one; repeated
/// headings get `-1`, `-2`. `inspect` and `to_html` both use this, so the ids checked
/// are the ids written.
fn heading_ids<'e, 'a: 'e>(events: impl Iterator<Item = &'e Event<'a>>) -> Vec<(usize, String)> {
    let events: Vec<&Event> = events.collect();
    let mut used: HashMap<String, usize> = HashMap::new();
    for event in &events {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
            if is_safe_heading_id(id) {
                used.insert(id.to_string(), 1);
            }
        }
    }
    let mut ids = Vec::new();
    for (at, event) in events.iter().enumerate() {
        let Event::Start(Tag::Heading { id, .. }) = event else {
            continue;
        };
        if let Some(id) = id.as_deref().filter(|id| is_safe_heading_id(id)) {
            ids.push((at, id.to_string()));
            continue;
        }
        let mut text = String::new();
        for event in &events[at + 1..] {
            match event {
                Event::End(TagEnd::Heading(_)) => break,
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                _ => {}
            }
        }
        ids.push((at, unique_anchor(heading_anchor(&text), &mut used)));
    }
    ids
}

fn unique_anchor(anchor: String, used: &mut HashMap<String, usize>) -> String {
    let count = used.entry(anchor.clone()).or_insert(0);
    *count += 1;
    if *count == 1 {
        anchor
    } else {
        format!("{anchor}-{}", *count - 1)
    }
}

/// The anchor of a heading: its text with letters and digits kept (Chinese included),
/// ASCII lowercased, and runs of anything else turned into one `-`.
pub fn heading_anchor(text: &str) -> String {
    let mut anchor = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            anchor.push(c.to_ascii_lowercase());
        } else if !anchor.ends_with('-') && !anchor.is_empty() {
            anchor.push('-');
        }
    }
    let anchor = anchor.trim_end_matches('-');
    if anchor.is_empty() {
        "section".to_string()
    } else {
        anchor.to_string()
    }
}

fn site_link<'a>(url: CowStr<'a>, link_type: LinkType, base: &BaseUrl) -> CowStr<'a> {
    let is_site_path = url.starts_with('/') && !url.starts_with("//");
    if is_site_path && link_type != LinkType::Email {
        CowStr::from(base.link(&url))
    } else {
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str) -> Vec<BodyProblem> {
        inspect(body).problems
    }

    fn base() -> BaseUrl {
        BaseUrl::parse("https://example.gov.cn/bps/").unwrap()
    }

    #[test]
    fn raw_html_is_refused_with_its_place() {
        let body = "段落\n\n<script>alert(1)</script>\n\n文字<b>粗</b>";
        let problems = check(body);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(&body[problems[0].span.clone()], "<script>alert(1)</script>");
        assert!(problems[0].message.contains("<script>"));
    }

    #[test]
    fn dangerous_link_schemes_are_refused() {
        assert_eq!(check("[a](javascript:alert(1))").len(), 1);
        assert_eq!(check("[a](JavaScript:alert(1))").len(), 1);
        assert_eq!(check("[a](data:text/html,x)").len(), 1);
        assert!(
            check("[a](https://www.gov.cn/) [b](/pilots/x/) [c](mailto:a@b.cn) [d](#h)").is_empty()
        );
    }

    #[test]
    fn relative_links_are_refused() {
        let problems = check("[西城](../xicheng/) [外](www.gov.cn)");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].message.contains("../xicheng/"));
    }

    #[test]
    fn site_links_are_collected_with_their_place() {
        let body = "见[西城](/pilots/xicheng/#服务清单)和[本页](#目标)，[外](https://www.gov.cn/)";
        let links = inspect(body).site_links;
        let targets: Vec<&str> = links.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(targets, ["/pilots/xicheng/#服务清单", "#目标"]);
        assert!(body[links[0].span.clone()].starts_with("[西城]"));
    }

    #[test]
    fn headings_get_anchors_from_their_text() {
        assert_eq!(heading_anchor("服务清单"), "服务清单");
        assert_eq!(
            heading_anchor(" 2. Service List（清单） "),
            "2-service-list-清单"
        );
        assert_eq!(heading_anchor("？！"), "section");
        let html = to_html("## 服务清单\n\n## 服务清单\n\n## 标准 {#std}", &base());
        assert!(html.contains("<h2 id=\"服务清单\">"), "{html}");
        assert!(html.contains("<h2 id=\"服务清单-1\">"), "{html}");
    }

    #[test]
    fn heading_attributes_other_than_a_safe_id_are_refused() {
        let hostile = [
            "## 服务 {#x tabindex=0 autofocus onfocus=alert(1)}",
            "## 服务 {onclick=alert(1)}",
            "## 服务 {style=position:fixed;top:0}",
            "## 服务 {.skip-link}",
            "## 服务 {hidden}",
            "## 服务 {#a\"b}",
        ];
        for body in hostile {
            let problems = check(body);
            assert!(!problems.is_empty(), "{body} passed");
            // The error points at the attribute block, not the whole heading.
            assert!(
                body[problems[0].span.clone()].starts_with('{'),
                "{body}: {problems:?}"
            );
            let html = to_html(body, &base());
            for bad in [
                "onfocus",
                "onclick",
                "style=",
                "class=",
                "hidden",
                "tabindex",
                "autofocus",
            ] {
                assert!(!html.contains(bad), "{body} rendered {html}");
            }
        }
        assert!(check("## 服务 {#fuwu-清单_1}").is_empty());
    }

    #[test]
    fn explicit_heading_ids_are_kept_and_never_taken_twice() {
        let html = to_html("## 标准\n\n## 其他 {#标准}", &base());
        assert!(html.contains("<h2 id=\"标准\">其他</h2>"), "{html}");
        assert!(html.contains("<h2 id=\"标准-1\">标准</h2>"), "{html}");
        let problems = check("## 甲 {#a}\n\n## 乙 {#a}");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0]
            .message
            .contains("already used by a heading above"));
    }

    #[test]
    fn ascii_heading_ids_are_handed_to_the_layout_check() {
        let ids: Vec<String> = inspect("## Main\n\n## 服务清单\n\n## 甲 {#figures}")
            .heading_ids
            .into_iter()
            .map(|l| l.target)
            .collect();
        assert_eq!(ids, ["#main", "#figures"]);
    }

    #[test]
    fn images_come_from_this_site_only() {
        assert_eq!(check("![外](https://example.com/a.png)").len(), 1);
        assert_eq!(check("![外](//example.com/a.png)").len(), 1);
        assert!(check("![服务中心](/images/a.png)").is_empty());
    }

    #[test]
    fn images_need_alt_text() {
        assert_eq!(check("![](/a.png)").len(), 1);
        assert!(check("![服务中心](/a.png)").is_empty());
    }

    #[test]
    fn site_links_get_the_base_path() {
        let html = to_html(
            "[西城](/pilots/xicheng/) [外](https://www.gov.cn/)",
            &base(),
        );
        assert!(html.contains("href=\"/bps/pilots/xicheng/\""), "{html}");
        assert!(html.contains("href=\"https://www.gov.cn/\""), "{html}");
    }
}
