//! 我能享受哪些服务: a resident picks who they are (老年人, 学生 …) and where they live,
//! and sees the service items for them, with the standard behind each and who provides
//! it. `/liangbiao/who/` filters in the browser, fetching only the chosen group's items
//! in the chosen region (`/liangbiao/who/<group>/<region>.json`: at national scale one
//! group's items are tens of megabytes), and keeps the choice in the URL; each group's
//! pre-rendered pages (by region, 100 items a page) serve readers without JavaScript.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;

use super::pager::Pager;
use super::{Link, PageJob, Views};
use crate::model::{RegionId, ServiceItemEntry, ServiceList, StandardId, SERVICE_GROUPS};
use crate::output::OutputFile;

/// Where a group's pages and its items as JSON (for the filter on the who index) are.
fn group_path(slug: &str) -> String {
    format!("liangbiao/who/{slug}/")
}

/// The tagged service items, each with the regions of its pilot.
pub(super) type WhoItems = Vec<(Vec<RegionId>, WhoItem)>;

/// [`WhoItems`] gathered once, by the first page or file that needs them.
pub(super) type LazyWhoItems = OnceLock<WhoItems>;

/// A group's items, and its rows: an item of a pilot in two regions is listed in both.
#[derive(Default, Clone)]
struct GroupSize {
    items: usize,
    rows: usize,
    /// Rows by region, indexed by [`RegionId`].
    by_region: Vec<usize>,
}

/// One group's rows, by region: the region and the index of the item in [`WhoItems`].
type GroupRows = Vec<(RegionId, usize)>;

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
    /// Where its items in a region are: `<data_url><region>.json`.
    data_url: String,
    count: usize,
    /// Region slug → the group's items there, for the regions that have any.
    regions: std::collections::BTreeMap<String, usize>,
}

/// A region's items of a group, as one page shows them.
#[derive(Serialize)]
struct RegionItems<'i> {
    id: String,
    name: String,
    /// The region's items of the group, on this page and others.
    count: usize,
    /// The region's items began on an earlier page.
    continued: bool,
    items: Vec<&'i WhoItem>,
}

/// A link to a region's items of a group, on the page they begin on.
#[derive(Serialize)]
struct RegionLink {
    name: String,
    url: String,
    count: usize,
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
        let region_ids = self.regions_of(list);
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

    /// The who index and the pages of each group, whose data is made as each renders,
    /// and the tagged items they share with the data files by region (see
    /// [`Views::who_data_files`]), gathered by the first of them to be made.
    pub(super) fn who_pages(&self) -> (Vec<PageJob<'_>>, Arc<LazyWhoItems>) {
        let items: Arc<LazyWhoItems> = Arc::default();
        let sizes = self.group_sizes();
        let mut jobs = Vec::new();
        for (&(name, slug), size) in SERVICE_GROUPS.iter().zip(&sizes) {
            jobs.extend(self.group_jobs(name, slug, size, &items));
        }
        jobs.push(self.job_later(
            "liangbiao/who/index.html",
            "who.html",
            "我能享受哪些服务",
            "选择您的身份和所在地区，查看试点公开的可以享受的基本公共服务、依据的标准和提供单位。",
            "liangbiao",
            move || self.who_index(sizes),
        ));
        (jobs, items)
    }

    /// The size of each group of [`SERVICE_GROUPS`], counted without making the items,
    /// so that the number of its pages is known before any renders.
    fn group_sizes(&self) -> [GroupSize; SERVICE_GROUPS.len()] {
        let site = self.site;
        let mut sizes: [GroupSize; SERVICE_GROUPS.len()] = std::array::from_fn(|_| GroupSize {
            by_region: vec![0; site.regions.len()],
            ..GroupSize::default()
        });
        for list in &site.service_lists {
            let regions = self.regions_of(list);
            for item in &list.list.items {
                for (group, size) in SERVICE_GROUPS.iter().zip(sizes.iter_mut()) {
                    if item.tags.iter().any(|t| t == group.0) {
                        size.items += 1;
                        size.rows += regions.len();
                        for region in &regions {
                            size.by_region[region.0] += 1;
                        }
                    }
                }
            }
        }
        sizes
    }

    /// The regions of a list's pilot, in region order.
    fn regions_of(&self, list: &ServiceList) -> Vec<RegionId> {
        let mut region_ids: Vec<RegionId> = self
            .site
            .pilot(list.pilot)
            .locations
            .iter()
            .map(|l| l.region)
            .collect();
        region_ids.sort();
        region_ids.dedup();
        region_ids
    }

    /// The pages of one group: its items by region, 100 rows a page.
    fn group_jobs<'j>(
        &'j self,
        name: &'static str,
        slug: &'static str,
        size: &GroupSize,
        items: &Arc<LazyWhoItems>,
    ) -> Vec<PageJob<'j>> {
        let path = group_path(slug);
        let pager = Pager::new(&path, size.rows);
        let (item_count, row_count) = (size.items, size.rows);
        // The group's rows, by the first of its pages to render.
        let rows: Arc<OnceLock<GroupRows>> = Arc::default();
        let title = format!("{name}能享受哪些服务");
        let description =
            format!("各试点公开的面向{name}的基本公共服务事项、依据的标准和提供单位。");
        pager
            .ranges()
            .into_iter()
            .map(|(number, range)| {
                let items = Arc::clone(items);
                let rows = Arc::clone(&rows);
                let pages = pager.links(number, self.base);
                let path = path.clone();
                self.job_later(
                    &pager.page_file(number),
                    "who_group.html",
                    &pager.page_title(&title, number),
                    &description,
                    "liangbiao",
                    move || {
                        let items = self.gathered(&items);
                        let rows = rows.get_or_init(|| group_rows(name, items));
                        debug_assert_eq!(rows.len(), row_count, "counted as made");
                        serde_json::json!({
                            "group": name,
                            "count": item_count,
                            "page": number,
                            "pages": pages,
                            "region_links": self.region_links(&path, rows),
                            "regions": self.who_sections(items, rows, range),
                            "index_url": self.base.link("liangbiao/who/"),
                        })
                    },
                )
            })
            .collect()
    }

    /// The tagged items, gathered now if no page or file has needed them yet.
    pub(super) fn gathered<'i>(&self, items: &'i LazyWhoItems) -> &'i WhoItems {
        items.get_or_init(|| self.who_items())
    }

    fn who_index(&self, sizes: [GroupSize; SERVICE_GROUPS.len()]) -> serde_json::Value {
        let groups: Vec<GroupLink> = SERVICE_GROUPS
            .iter()
            .zip(sizes)
            .map(|(&(name, slug), size)| GroupLink {
                name,
                slug,
                url: self.base.link(&group_path(slug)),
                data_url: self.base.link(&group_path(slug)),
                count: size.items,
                regions: self
                    .site
                    .region_ids()
                    .filter(|r| size.by_region[r.0] > 0)
                    .map(|r| (self.site.region(r).slug.to_string(), size.by_region[r.0]))
                    .collect(),
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
        serde_json::json!({ "groups": groups, "regions": regions })
    }

    /// The `range` of a group's `rows` under their regions' headings.
    fn who_sections<'i>(
        &self,
        items: &'i WhoItems,
        rows: &GroupRows,
        range: std::ops::Range<usize>,
    ) -> Vec<RegionItems<'i>> {
        let before = range.start.checked_sub(1).map(|i| rows[i].0);
        rows[range]
            .chunk_by(|a, b| a.0 == b.0)
            .enumerate()
            .map(|(i, run)| {
                let region = run[0].0;
                RegionItems {
                    id: self.site.region(region).slug.to_string(),
                    name: self.site.region(region).full_name.clone(),
                    // Rows are sorted by region (see `group_rows`).
                    count: rows.partition_point(|r| r.0 <= region)
                        - rows.partition_point(|r| r.0 < region),
                    continued: i == 0 && before == Some(region),
                    items: run.iter().map(|&(_, item)| &items[item].1).collect(),
                }
            })
            .collect()
    }

    /// A link to each region's items of a group, on the page they begin on.
    fn region_links(&self, path: &str, rows: &GroupRows) -> Vec<RegionLink> {
        let pager = Pager::new(path, rows.len());
        let mut first = 0;
        rows.chunk_by(|a, b| a.0 == b.0)
            .map(|run| {
                let region = self.site.region(run[0].0);
                let page = Pager::page_of(first);
                first += run.len();
                RegionLink {
                    name: region.full_name.clone(),
                    url: format!("{}#{}", self.base.link(&pager.page_path(page)), region.slug),
                    count: run.len(),
                }
            })
            .collect()
    }

    /// Each group's items in each region with any, `<group>/<region>.json`, the data
    /// the who index filters in the browser; in item order, as the group's pages.
    pub(super) fn who_data_files(&self, items: &WhoItems) -> Vec<OutputFile> {
        SERVICE_GROUPS
            .par_iter()
            .flat_map_iter(|&(name, slug)| {
                group_rows(name, items)
                    .chunk_by(|a, b| a.0 == b.0)
                    .map(|run| {
                        let data: Vec<&WhoItem> = run.iter().map(|&(_, i)| &items[i].1).collect();
                        let region = &self.site.region(run[0].0).slug;
                        OutputFile {
                            path: format!("{}{region}.json", group_path(slug)),
                            bytes: serde_json::to_vec(&data).expect("items serialize"),
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// A group's rows: its items by region, in item order within a region.
fn group_rows(group: &str, items: &WhoItems) -> GroupRows {
    let mut rows: GroupRows = items
        .iter()
        .enumerate()
        .filter(|(_, (_, item))| item.groups.iter().any(|g| g == group))
        .flat_map(|(index, (regions, _))| regions.iter().map(move |&r| (r, index)))
        .collect();
    // Stable: items stay in their order within a region.
    rows.sort_by_key(|&(region, _)| region);
    rows
}
