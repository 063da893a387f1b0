//! The 亮标惠民 disclosure: `/liangbiao/` with every service list and demonstration
//! site, one page per list as a resident reads it, one page per site and a printable
//! poster whose QR code leads to that page.

use std::sync::{Arc, OnceLock};

use serde::Serialize;

use super::pager::Listing;
use super::{Link, PageJob, Views};
use crate::error::BuildError;
use crate::model::{DemoSite, ServiceList, StandardId};
use crate::qr::qr_svg;

#[derive(Serialize)]
struct ItemView {
    /// `item-<n>`, n counting from 1 in the file's order: search results link here.
    id: String,
    name: String,
    category: Option<String>,
    recipients: Option<String>,
    content: Option<String>,
    standard_text: Option<String>,
    standards: Vec<Link>,
    funding: Option<String>,
    lead: Option<String>,
    window: Option<String>,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct DomainGroup {
    id: String,
    domain: Link,
    count: usize,
    categories: Vec<CategoryGroup>,
}

/// Items of one service category (服务类别); `title` is None for uncategorised items.
#[derive(Serialize)]
struct CategoryGroup {
    title: Option<String>,
    items: Vec<ItemView>,
}

#[derive(Serialize)]
pub(super) struct ListCard {
    title: String,
    url: String,
    pilot: Link,
    items: usize,
    count: Option<u32>,
    source: String,
}

#[derive(Serialize)]
pub(super) struct SiteCard {
    name: String,
    kind: String,
    url: String,
    pilot: Link,
}

/// `item-<n>`, n counting from 1: the id of an item on its list's page.
pub(super) fn item_anchor(index: usize) -> String {
    format!("item-{}", index + 1)
}

impl Views<'_> {
    pub(super) fn list_url(&self, list: &ServiceList) -> String {
        self.base.link(&format!("liangbiao/{}/", list.list.slug))
    }

    /// The link to one item on its list's page; `index` counts from 0 in file order.
    pub(super) fn item_url(&self, list: &ServiceList, index: usize) -> String {
        format!("{}#{}", self.list_url(list), item_anchor(index))
    }

    /// Links to the standards an item names, with code and title as a resident reads them.
    pub(super) fn standard_links(&self, ids: &[StandardId]) -> Vec<Link> {
        ids.iter()
            .map(|&id| {
                let standard = self.site.standard(id);
                Link {
                    name: match standard.code_text() {
                        Some(code) => format!("{code}《{}》", standard.title),
                        None => format!("《{}》", standard.title),
                    },
                    url: self.standard_url(standard),
                }
            })
            .collect()
    }

    fn site_path(site: &DemoSite) -> String {
        format!("liangbiao/sites/{}/", site.site.slug)
    }

    fn pilot_link(&self, id: crate::model::PilotId) -> Link {
        let pilot = self.site.pilot(id);
        Link {
            name: pilot.title.clone(),
            url: self.pilot_url(pilot),
        }
    }

    pub(super) fn list_card(&self, list: &ServiceList) -> ListCard {
        ListCard {
            title: list.list.title.clone(),
            url: self.list_url(list),
            pilot: self.pilot_link(list.pilot),
            items: list.list.items.len(),
            count: list.list.count,
            source: self.site.source(list.list.source).short_title.clone(),
        }
    }

    pub(super) fn site_card(&self, site: &DemoSite) -> SiteCard {
        SiteCard {
            name: site.site.name.clone(),
            kind: site.site.kind.clone(),
            url: self.base.link(&Self::site_path(site)),
            pilot: self.pilot_link(site.pilot),
        }
    }

    /// `liangbiao/`: every service list, 100 a page; and `liangbiao/sites/`: every
    /// demonstration site, 100 a page.
    fn disclosure_index_jobs(&self) -> Vec<PageJob<'_>> {
        let site = self.site;
        let mut jobs = self.listing_pages(
            Listing {
                path: "liangbiao/",
                template: "liangbiao.html",
                title: "亮标惠民",
                description: "亮标惠民：把基本公共服务的清单和标准公开给群众。各试点公开的服务清单和标准惠民示范点。",
                nav: "liangbiao",
            },
            site.service_lists.as_slice(),
            move |lists| {
                serde_json::json!({
                    "rows": lists.iter().map(|l| self.list_card(l)).collect::<Vec<_>>(),
                    "site_count": site.demo_sites.len(),
                    "sites_url": self.base.link("liangbiao/sites/"),
                })
            },
        );
        jobs.extend(self.listing_pages(
            Listing {
                path: "liangbiao/sites/",
                template: "demo_sites.html",
                title: "标准惠民示范点",
                description: "各试点资料中的标准惠民示范点：服务标准在哪里落地、到哪里可以看到。",
                nav: "liangbiao",
            },
            site.demo_sites.as_slice(),
            move |sites| {
                serde_json::json!({
                    "rows": sites.iter().map(|s| self.site_card(s)).collect::<Vec<_>>(),
                })
            },
        ));
        jobs
    }

    /// Every disclosure page; posters need their QR code, which can fail for absurd URLs
    /// (the page then fails to render).
    pub(super) fn disclosure_jobs(&self) -> Vec<PageJob<'_>> {
        let site = self.site;
        let mut jobs = self.disclosure_index_jobs();
        for list in &site.service_lists {
            jobs.push(self.job_later(
                &format!("liangbiao/{}/index.html", list.list.slug),
                "service_list.html",
                &list.list.title,
                &format!(
                    "{}：能享受哪些服务、谁可以享受、依据什么标准、由谁提供。",
                    list.list.title
                ),
                "liangbiao",
                move || serde_json::to_value(self.list_page(list)).expect("views serialize"),
            ));
        }
        for demo in &site.demo_sites {
            let path = Self::site_path(demo);
            // The site's page and its poster show the same QR code: drawn once, by the
            // first of the two to render, so that no code is drawn before it is needed.
            let data: Arc<OnceLock<Result<serde_json::Value, String>>> = Arc::default();
            let drawn = |data: Arc<OnceLock<_>>| {
                let path = path.clone();
                move || {
                    let page = data.get_or_init(|| self.site_page(demo)).clone();
                    page.map_err(|message| BuildError::Asset {
                        path,
                        message: format!("QR code: {message}"),
                    })
                }
            };
            let description = &demo.site.description;
            jobs.push(self.job_trying(
                &format!("{path}index.html"),
                "demo_site.html",
                &demo.site.name,
                description,
                "liangbiao",
                drawn(Arc::clone(&data)),
            ));
            jobs.push(self.job_trying(
                &format!("{path}poster/index.html"),
                "poster.html",
                &format!("{}（海报）", demo.site.name),
                description,
                "liangbiao",
                drawn(data),
            ));
        }
        jobs
    }

    fn list_page(&self, list: &ServiceList) -> serde_json::Value {
        let site = self.site;
        let mut groups: Vec<DomainGroup> = Vec::new();
        let items = list.list.items.iter().zip(&list.item_standards);
        for (index, (item, standards)) in items.enumerate() {
            let view = ItemView {
                id: item_anchor(index),
                name: item.name.clone(),
                category: item.category.clone(),
                recipients: item.recipients.clone(),
                content: item.content.clone(),
                standard_text: item.standard_text.clone(),
                standards: self.standard_links(standards),
                funding: item.funding.clone(),
                lead: item.lead.clone(),
                window: item.window.clone(),
                tags: item.tags.clone(),
            };
            let domain = site.domain(item.domain);
            let index = match groups.iter().position(|g| g.domain.name == domain.name) {
                Some(index) => index,
                None => {
                    groups.push(DomainGroup {
                        id: format!("domain-{}", domain.slug),
                        domain: self.domain_link(item.domain),
                        count: 0,
                        categories: Vec::new(),
                    });
                    groups.len() - 1
                }
            };
            let group = &mut groups[index];
            group.count += 1;
            match group
                .categories
                .iter_mut()
                .find(|c| c.title == view.category)
            {
                Some(category) => category.items.push(view),
                None => group.categories.push(CategoryGroup {
                    title: view.category.clone(),
                    items: vec![view],
                }),
            }
        }
        // Domains and categories in the national standard's order (uncategorised last);
        // items within a category as the source lists them.
        groups.sort_by_key(|g| site.domains.iter().position(|d| d.name == g.domain.name));
        for group in &mut groups {
            let domain = site
                .domains
                .iter()
                .find(|d| d.name == group.domain.name)
                .expect("a known domain");
            group.categories.sort_by_key(|c| {
                c.title
                    .as_ref()
                    .and_then(|t| domain.categories.iter().position(|x| x == t))
                    .unwrap_or(usize::MAX)
            });
        }
        let source = site.source(list.list.source);
        serde_json::json!({
            "card": self.list_card(list),
            "period": list.list.period.clone().unwrap_or_else(|| source.period.clone()),
            "note": list.list.note,
            "source_title": source.title,
            "groups": groups,
        })
    }

    /// The service items that name a standard, as links to their lists.
    pub(super) fn services_of_standard(
        &self,
        id: StandardId,
    ) -> impl Iterator<Item = Link> + use<'_> {
        self.site.items_naming(id).map(|(list, item)| Link {
            name: format!("{}（{}）", item.name, list.list.title),
            url: self.list_url(list),
        })
    }

    /// The data of a site's page and poster, or why its QR code cannot be drawn.
    fn site_page(&self, demo: &DemoSite) -> Result<serde_json::Value, String> {
        let page_url = self.base.absolute(&Self::site_path(demo));
        let qr = qr_svg(&page_url, &format!("二维码：{}", demo.site.name))?;
        Ok(serde_json::json!({
            "card": self.site_card(demo),
            "place": demo.site.place,
            "description": demo.site.description,
            "source": self.site.source(demo.site.source).short_title,
            "page_url": page_url,
            "poster_url": self.base.link(&format!("{}poster/", Self::site_path(demo))),
            "qr_svg": qr,
        }))
    }
}
