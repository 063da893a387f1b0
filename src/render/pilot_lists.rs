//! The lists of pilots: every pilot by kind (`pilots/`), a region's by city
//! (`regions/<slug>/`) and a domain's by kind (`domains/<slug>/`). Each is split into
//! pages of [`PAGE_SIZE`](super::pager::PAGE_SIZE) pilots ([`Pager`]); a page shows its
//! pilots under their group's heading, so a group may go on over the next page.

use std::sync::Arc;

use serde::Serialize;

use super::pager::{PageLink, Pager, PAGE_SIZE};
use super::{CountLink, PageJob, PilotCard, Views};
use crate::model::{DomainId, FigureKind, PilotId, PilotKind, RegionId};

/// The group on a region's page of the pilots whose parent city no source names.
const UNNAMED_CITY: &str = "资料未写明所属地级市";

/// A heading of a list of pilots and the pilots under it, in order.
struct PilotGroup {
    /// The heading's `id`, for links to it.
    id: String,
    title: String,
    pilots: Vec<PilotId>,
}

/// A group as one page shows it.
#[derive(Serialize)]
struct GroupView {
    id: String,
    title: String,
    /// Pilots in the whole group, on this page and others.
    count: usize,
    /// The group began on an earlier page.
    continued: bool,
    pilots: Vec<PilotCard>,
}

/// One page of a list of pilots, what the page's own data is made from.
struct ListPage {
    number: usize,
    groups: Vec<GroupView>,
    pages: Vec<PageLink>,
}

/// What a list of pilots shows besides its pilots, made once per page.
type PageData<'j> = dyn Fn(ListPage) -> serde_json::Value + Send + Sync + 'j;

impl ListPage {
    /// The page's data: `extra` (an object) with `page`, `pages`, `groups`.
    fn with(self, mut extra: serde_json::Value) -> serde_json::Value {
        let object = extra.as_object_mut().expect("a list's data is an object");
        object.insert("page".into(), self.number.into());
        object.insert(
            "pages".into(),
            serde_json::to_value(self.pages).expect("views serialize"),
        );
        object.insert(
            "groups".into(),
            serde_json::to_value(self.groups).expect("views serialize"),
        );
        extra
    }
}

impl<'a> Views<'a> {
    /// `pilots/`: every pilot, by kind; the domains link to their own lists.
    pub(super) fn pilots_jobs(&self) -> Vec<PageJob<'_>> {
        let site = self.site;
        let groups = self.kind_groups(&site.pilot_ids().collect::<Vec<_>>());
        let starts = self.group_links("pilots/", &groups);
        let count = site.pilots.len();
        let data = move |page: ListPage| {
            page.with(serde_json::json!({
                "count": count,
                "kinds": starts,
                "domains": self.domain_counts(),
            }))
        };
        self.pilot_list_jobs(
            "pilots/",
            "pilots.html",
            "试点",
            "全部通过考核评估的国家基本公共服务标准化试点，按试点类型列出，并按服务领域索引。",
            "pilots",
            groups,
            Box::new(data),
        )
    }

    /// The links to the kinds of pilot on `pilots/`, each to the page its list begins on.
    pub(super) fn kind_counts(&self) -> Vec<CountLink> {
        let site = self.site;
        let groups = self.kind_groups(&site.pilot_ids().collect::<Vec<_>>());
        self.group_links("pilots/", &groups)
    }

    /// `regions/<slug>/`: the region's pilots by city (those whose city no source names
    /// under [`UNNAMED_CITY`]); its figures and standards on the
    /// first page.
    pub(super) fn region_jobs(&self, id: RegionId) -> Vec<PageJob<'_>> {
        let site = self.site;
        let region = site.region(id);
        let pilots = site.pilots_in_region(id);
        // Group by the city of the pilot's location in this region, in first-seen order.
        let mut groups: Vec<PilotGroup> = Vec::new();
        for &pilot_id in pilots {
            let city = site
                .pilot(pilot_id)
                .locations
                .iter()
                .find(|l| l.region == id)
                .and_then(|l| l.city.clone())
                .unwrap_or_else(|| UNNAMED_CITY.to_string());
            match groups.iter_mut().find(|g| g.title == city) {
                Some(group) => group.pilots.push(pilot_id),
                None => groups.push(PilotGroup {
                    id: format!("city-{}", groups.len() + 1),
                    title: city,
                    pilots: vec![pilot_id],
                }),
            }
        }
        let data = move |page: ListPage| {
            let summary = if page.number == 1 {
                self.region_summary(id)
            } else {
                serde_json::json!({})
            };
            let mut extra = serde_json::json!({
                "name": region.name,
                "full_name": region.full_name,
                "code": region.code,
                "pilot_count": pilots.len(),
            });
            let object = extra.as_object_mut().expect("an object");
            object.extend(summary.as_object().expect("an object").clone());
            page.with(extra)
        };
        self.pilot_list_jobs(
            &format!("regions/{}/", region.slug),
            "region.html",
            &region.full_name,
            &format!("{}的国家基本公共服务标准化试点。", region.full_name),
            "regions",
            groups,
            Box::new(data),
        )
    }

    /// What the first page of a region shows above and below its pilots.
    fn region_summary(&self, id: RegionId) -> serde_json::Value {
        let site = self.site;
        let region = site.region(id);
        let pilots = site.pilots_in_region(id);
        let mut domains: Vec<DomainId> = pilots
            .iter()
            .flat_map(|&p| site.pilot(p).domains.iter().copied())
            .collect();
        domains.sort();
        domains.dedup();
        let standards: f64 = pilots
            .iter()
            .filter_map(|&p| site.pilot(p).headline(FigureKind::StandardsTotal))
            .map(|f| f.value)
            .sum();
        let standard_count: usize = pilots
            .iter()
            .map(|&p| site.standards_of_pilot(p).len())
            .sum();
        // A region's standard system grows with its pilots: past a page of rows, the
        // page names its subsystems and the region's paged standard listing has the rows.
        let (standard_groups, standard_captions) =
            self.subsystem_groups_or_captions(pilots, PAGE_SIZE);
        serde_json::json!({
            "domains": domains.into_iter().map(|d| self.domain_link(d)).collect::<Vec<_>>(),
            "standards_text": crate::model::format_number(standards),
            "standard_groups": standard_groups,
            "standard_captions": standard_captions,
            "standard_count": standard_count,
            "standards_url": self.base.link(&format!("standards/region/{}/", region.slug)),
        })
    }

    /// `domains/<slug>/`: the domain's pilots, by kind.
    pub(super) fn domain_jobs(&self, id: DomainId) -> Vec<PageJob<'_>> {
        let site = self.site;
        let domain = site.domain(id);
        let in_domain = site.pilots_in_domain(id);
        let groups = self.kind_groups(in_domain);
        let data = move |page: ListPage| {
            page.with(serde_json::json!({
                "name": domain.name,
                "description": domain.description,
                "categories": domain.categories,
                "count": in_domain.len(),
            }))
        };
        self.pilot_list_jobs(
            &format!("domains/{}/", domain.slug),
            "domain.html",
            &domain.name,
            &domain.description,
            "domains",
            groups,
            Box::new(data),
        )
    }

    /// `pilots` by kind, in the order of [`PilotKind::ALL`]; kinds with none left out.
    fn kind_groups(&self, pilots: &[PilotId]) -> Vec<PilotGroup> {
        let site = self.site;
        PilotKind::ALL
            .into_iter()
            .map(|kind| PilotGroup {
                id: format!("kind-{}", kind.slug()),
                title: kind.name().to_string(),
                pilots: pilots
                    .iter()
                    .copied()
                    .filter(|&p| site.pilot(p).kind == kind)
                    .collect(),
            })
            .filter(|g| !g.pilots.is_empty())
            .collect()
    }

    /// A link to each group of the list at `path`, on the page the group begins on.
    fn group_links(&self, path: &str, groups: &[PilotGroup]) -> Vec<CountLink> {
        let rows: usize = groups.iter().map(|g| g.pilots.len()).sum();
        let pager = Pager::new(path, rows);
        let mut first = 0;
        groups
            .iter()
            .map(|group| {
                let page = Pager::page_of(first);
                first += group.pilots.len();
                CountLink {
                    name: group.title.clone(),
                    url: format!("{}#{}", self.base.link(&pager.page_path(page)), group.id),
                    count: group.pilots.len(),
                }
            })
            .collect()
    }

    /// The pages of one list of pilots in `groups`, each made when rendered from
    /// `data`.
    #[allow(clippy::too_many_arguments)]
    fn pilot_list_jobs<'j>(
        &'j self,
        path: &str,
        template: &'static str,
        title: &str,
        description: &str,
        nav: &'static str,
        groups: Vec<PilotGroup>,
        data: Box<PageData<'j>>,
    ) -> Vec<PageJob<'j>> {
        // Every pilot with the index of its group, so that a page is a slice of rows.
        let rows: Vec<(usize, PilotId)> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| group.pilots.iter().map(move |&p| (g, p)))
            .collect();
        let pager = Pager::new(path, rows.len());
        let groups = Arc::new(groups);
        let data: Arc<PageData<'j>> = Arc::from(data);
        pager
            .ranges()
            .into_iter()
            .map(|(number, range)| {
                let first = range.start;
                let page_rows = rows[range].to_vec();
                let groups = Arc::clone(&groups);
                let data = Arc::clone(&data);
                let pages = pager.links(number, self.base);
                let continues_from = first.checked_sub(1).map(|i| rows[i].0);
                self.job_later(
                    &pager.page_file(number),
                    template,
                    &pager.page_title(title, number),
                    description,
                    nav,
                    move || {
                        let groups = self.group_views(&groups, &page_rows, continues_from);
                        data(ListPage {
                            number,
                            groups,
                            pages,
                        })
                    },
                )
            })
            .collect()
    }

    /// A page's `rows` under their groups' headings; `continues_from` is the group of
    /// the row before the page's first.
    fn group_views(
        &self,
        groups: &[PilotGroup],
        rows: &[(usize, PilotId)],
        continues_from: Option<usize>,
    ) -> Vec<GroupView> {
        let mut views: Vec<GroupView> = Vec::new();
        let mut current = None;
        for &(g, pilot) in rows {
            if current != Some(g) {
                let group = &groups[g];
                views.push(GroupView {
                    id: group.id.clone(),
                    title: group.title.clone(),
                    count: group.pilots.len(),
                    continued: views.is_empty() && continues_from == Some(g),
                    pilots: Vec::new(),
                });
                current = Some(g);
            }
            views
                .last_mut()
                .expect("a group was pushed")
                .pilots
                .push(self.card(pilot));
        }
        views
    }
}
