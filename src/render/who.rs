//! 我能享受哪些服务: a resident picks who they are (老年人, 学生 …) and where they live,
//! and sees the service items for them, with the standard behind each and who provides
//! it. `/liangbiao/who/` filters in the browser from `items.json` and keeps the choice
//! in the URL; one pre-rendered page per group serves readers without JavaScript.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;

use super::{Link, PageJob, Views};
use crate::assets::OutputFile;
use crate::model::{RegionId, ServiceItemEntry, ServiceList, StandardId, SERVICE_GROUPS};

/// The tagged items as JSON, for the filter on the who index.
const ITEMS_PATH: &str = "liangbiao/who/items.json";

/// The tagged service items, each with the regions of its pilot.
pub(super) type WhoItems = Vec<(Vec<RegionId>, WhoItem)>;

/// [`WhoItems`] gathered once, by the first page or file that needs them.
pub(super) type LazyWhoItems = OnceLock<WhoItems>;

fn count_in_group(items: &WhoItems, group: &str) -> usize {
    items
        .iter()
        .filter(|(_, i)| i.groups.iter().any(|g| g == group))
        .count()
}

/// One service item as the who pages show it.
#[derive(Serialize, Clone)]
pub(super) struct WhoItem {
    name: String,
    url: String,
    groups: Vec<String>,
    regions: Vec<String>,
    place: String,
    recipients: Option<String>,
    content: Option<String>,
    standard_text: Option<String>,
    standards: Vec<Link>,
    lead: Option<String>,
    window: Option<String>,
    list: Link,
}

#[derive(Serialize)]
struct GroupLink {
    name: &'static str,
    slug: &'static str,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct RegionItems {
    id: String,
    name: String,
    items: Vec<WhoItem>,
}

#[derive(Serialize)]
struct RegionOption {
    slug: String,
    name: String,
}

impl Views<'_> {
    fn who_items(&self) -> WhoItems {
        self.site
            .service_lists
            .par_iter()
            .flat_map_iter(|list| {
                list.list
                    .items
                    .iter()
                    .zip(&list.item_standards)
                    .enumerate()
                    .filter(|(_, (item, _))| !item.tags.is_empty())
                    .map(move |(index, (item, standards))| {
                        self.who_item(list, index, item, standards)
                    })
            })
            .collect()
    }

    fn who_item(
        &self,
        list: &ServiceList,
        index: usize,
        item: &ServiceItemEntry,
        standards: &[StandardId],
    ) -> (Vec<RegionId>, WhoItem) {
        let site = self.site;
        let pilot = site.pilot(list.pilot);
        let mut region_ids: Vec<RegionId> = pilot.locations.iter().map(|l| l.region).collect();
        region_ids.sort();
        region_ids.dedup();
        let item = WhoItem {
            name: item.name.clone(),
            url: self.item_url(list, index),
            groups: item.tags.clone(),
            regions: region_ids
                .iter()
                .map(|&r| site.region(r).slug.to_string())
                .collect(),
            place: pilot
                .locations
                .iter()
                .map(|l| l.place())
                .collect::<Vec<_>>()
                .join("、"),
            recipients: item.recipients.clone(),
            content: item.content.clone(),
            standard_text: item.standard_text.clone(),
            standards: self.standard_links(standards),
            lead: item.lead.clone(),
            window: item.window.clone(),
            list: Link {
                name: list.list.title.clone(),
                url: self.list_url(list),
            },
        };
        (region_ids, item)
    }

    /// The who index and one page per group, whose data is made as each renders, and
    /// the tagged items they share with `items.json` (see [`Views::who_data_file`]),
    /// gathered by the first of them to be made.
    pub(super) fn who_pages(&self) -> (Vec<PageJob<'_>>, Arc<LazyWhoItems>) {
        let items: Arc<LazyWhoItems> = Arc::default();
        let mut jobs = Vec::new();
        for (name, slug) in SERVICE_GROUPS {
            let items = Arc::clone(&items);
            jobs.push(self.job_later(
                &format!("liangbiao/who/{slug}/index.html"),
                "who_group.html",
                &format!("{name}能享受哪些服务"),
                &format!("各试点公开的面向{name}的基本公共服务事项、依据的标准和提供单位。"),
                "liangbiao",
                move || {
                    let items = self.gathered(&items);
                    serde_json::json!({
                        "group": name,
                        "count": count_in_group(items, name),
                        "regions": self.who_sections(name, items),
                        "index_url": self.base.link("liangbiao/who/"),
                    })
                },
            ));
        }
        let gathered = Arc::clone(&items);
        jobs.push(self.job_later(
            "liangbiao/who/index.html",
            "who.html",
            "我能享受哪些服务",
            "选择您的身份和所在地区，查看试点公开的可以享受的基本公共服务、依据的标准和提供单位。",
            "liangbiao",
            move || self.who_index(self.gathered(&gathered)),
        ));
        (jobs, items)
    }

    /// The tagged items, gathered now if no page or file has needed them yet.
    pub(super) fn gathered<'i>(&self, items: &'i LazyWhoItems) -> &'i WhoItems {
        items.get_or_init(|| self.who_items())
    }

    fn who_index(&self, items: &WhoItems) -> serde_json::Value {
        let groups: Vec<GroupLink> = SERVICE_GROUPS
            .iter()
            .map(|&(name, slug)| GroupLink {
                name,
                slug,
                url: self.base.link(&format!("liangbiao/who/{slug}/")),
                count: count_in_group(items, name),
            })
            .collect();
        let regions: Vec<RegionOption> = self
            .site
            .region_ids()
            .map(|id| {
                let r = self.site.region(id);
                RegionOption {
                    slug: r.slug.to_string(),
                    name: r.name.clone(),
                }
            })
            .collect();
        let data_url = self.base.link(ITEMS_PATH);
        serde_json::json!({ "groups": groups, "regions": regions, "data_url": data_url })
    }

    /// One group's items, by region (an item of a pilot in two regions is in both).
    fn who_sections(&self, group: &str, items: &WhoItems) -> Vec<RegionItems> {
        let mut by_region: BTreeMap<RegionId, Vec<WhoItem>> = BTreeMap::new();
        for (region_ids, item) in items
            .iter()
            .filter(|(_, i)| i.groups.iter().any(|g| g == group))
        {
            for &region in region_ids {
                by_region.entry(region).or_default().push(item.clone());
            }
        }
        by_region
            .into_iter()
            .map(|(region, items)| {
                let r = self.site.region(region);
                RegionItems {
                    id: r.slug.to_string(),
                    name: r.full_name.clone(),
                    items,
                }
            })
            .collect()
    }

    /// `items.json`, the data the who index filters in the browser.
    pub(super) fn who_data_file(items: &WhoItems) -> OutputFile {
        let data: Vec<&WhoItem> = items.iter().map(|(_, i)| i).collect();
        OutputFile {
            path: ITEMS_PATH.to_string(),
            bytes: serde_json::to_vec(&data).expect("items serialize"),
        }
    }
}
