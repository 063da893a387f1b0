//! Markdown bodies: what `validate` refuses in them, and how `render` turns them into HTML.
//!
//! Raw HTML is refused rather than sanitised: editors are not expected to write it, and
//! refusing keeps hostile or broken markup off a public site with a message that says why.

use std::ops::Range;

use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag};

use crate::config::BaseUrl;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// A problem in a Markdown body: byte range within the body, message, expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyProblem {
    pub span: Range<usize>,
    pub message: String,
    pub expected: &'static str,
}

/// Everything in `body` that must not reach the published page.
pub fn check(body: &str) -> Vec<BodyProblem> {
    let mut problems = Vec::new();
    let mut image_start: Option<(Range<usize>, bool)> = None;
    for (event, span) in Parser::new_ext(body, options()).into_offset_iter() {
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
                if let Some(problem) = check_url(&dest_url, span.clone()) {
                    problems.push(problem);
                }
                image_start = Some((span, false));
            }
            Event::Text(text) if image_start.is_some() && !text.trim().is_empty() => {
                if let Some((_, has_alt)) = image_start.as_mut() {
                    *has_alt = true;
                }
            }
            Event::End(pulldown_cmark::TagEnd::Image) => {
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
    problems
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("");
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
        expected: "an http://, https:// or mailto: address, or a site path like /pilots/xicheng/",
    })
}

fn is_allowed_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // A colon before any slash means a scheme; only these are safe to publish.
        Some((scheme, _)) if !scheme.contains('/') && !scheme.contains('#') => {
            matches!(scheme, "http" | "https" | "mailto" | "tel")
        }
        _ => !lower.is_empty(),
    }
}

/// Renders a checked body to HTML; site paths (`/pilots/x/`) get the base path prefixed
/// so that they still resolve when the site lives under a sub-path.
pub fn to_html(body: &str, base: &BaseUrl) -> String {
    let events = Parser::new_ext(body, options()).map(|event| match event {
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
