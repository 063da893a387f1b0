//! `config.toml`: site-wide settings. Unknown keys are errors so that a typo never
//! silently changes nothing.

use serde::{Deserialize, Serialize};

/// The site's settings, as written in `config.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Absolute URL the site is served from, e.g. `https://example.gov.cn/bps/`.
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    pub footer: FooterConfig,
    /// Free-form values for templates.
    #[serde(default)]
    pub extra: toml::Table,
}

/// Facts a Chinese government-style site shows in its footer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FooterConfig {
    /// 主办单位
    pub organizer: String,
    /// 联系方式
    pub contact: String,
    /// 网站标识码
    #[serde(default)]
    pub site_code: Option<String>,
    /// ICP备案号
    #[serde(default)]
    pub icp: Option<String>,
    /// 公安机关备案号
    #[serde(default)]
    pub police_record: Option<String>,
    /// Where readers report mistakes (a URL or `mailto:`).
    #[serde(default)]
    pub feedback_url: Option<String>,
    /// A line every page shows under its content and keeps in print (posters too): for
    /// a site that is not a government's own, that it is not (非政府官方网站). A
    /// government deploying the site on its own domain replaces or removes it.
    #[serde(default)]
    pub notice: Option<String>,
}

fn default_language() -> String {
    "zh-CN".to_string()
}

/// The base URL split into what links need: the absolute origin+path for feeds and
/// sitemaps, and the path prefix for every link inside pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseUrl {
    /// Always ends with `/`, e.g. `https://example.gov.cn/bps/`.
    pub absolute: String,
    /// Always starts and ends with `/`, e.g. `/bps/`.
    pub path: String,
}

impl BaseUrl {
    /// Parses `http(s)://host[:port][/path]`; anything else is an error message.
    pub fn parse(url: &str) -> Result<BaseUrl, String> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| format!("`{url}` does not start with http:// or https://"))?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() || host.contains(['?', '#', ' ']) {
            return Err(format!("`{url}` has no valid host"));
        }
        if path.contains(['?', '#', ' ']) {
            return Err(format!(
                "`{url}` must not contain a query, fragment or space"
            ));
        }
        let path = path.trim_matches('/');
        let path = if path.is_empty() {
            "/".to_string()
        } else {
            format!("/{path}/")
        };
        let scheme = if url.starts_with("https://") {
            "https"
        } else {
            "http"
        };
        Ok(BaseUrl {
            absolute: format!("{scheme}://{host}{path}"),
            path,
        })
    }

    /// A site path (`pilots/x/`) as a link inside pages (`/bps/pilots/x/`).
    pub fn link(&self, site_path: &str) -> String {
        format!("{}{}", self.path, site_path.trim_start_matches('/'))
    }

    /// A site path as an absolute URL, for sitemaps and feeds.
    pub fn absolute(&self, site_path: &str) -> String {
        format!("{}{}", self.absolute, site_path.trim_start_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_under_a_sub_path() {
        let base = BaseUrl::parse("https://example.gov.cn/bps").unwrap();
        assert_eq!(base.absolute, "https://example.gov.cn/bps/");
        assert_eq!(base.path, "/bps/");
        assert_eq!(base.link("/pilots/a/"), "/bps/pilots/a/");
        assert_eq!(
            base.absolute("feed.xml"),
            "https://example.gov.cn/bps/feed.xml"
        );
    }

    #[test]
    fn base_url_at_the_root_and_with_port() {
        let base = BaseUrl::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(base.path, "/");
        assert_eq!(base.link("regions/"), "/regions/");
    }

    #[test]
    fn base_url_rejects_non_http() {
        assert!(BaseUrl::parse("example.gov.cn/bps/").is_err());
        assert!(BaseUrl::parse("https:///x").is_err());
        assert!(BaseUrl::parse("https://a.cn/x?y=1").is_err());
    }
}
