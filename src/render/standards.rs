//! Views of standards: the paginated listing and its groupings, one page per standard,
//! and the standard-system tables shown on pilot and region pages.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;

use super::pager::{Listing, Pager};
use super::{Link, PageJob, Templates, Views};
use crate::error::BuildError;
use crate::model::{Relation, Standard, StandardId, StandardStatus, StandardUse};
use crate::standard_code::{KnownLevel, LevelBasis, StandardLevel};

/// The listing rows of the standards, each rendered when first listed (by index of
/// standard). A standard is listed under its level, status, domains and regions.
pub(super) struct ListedRows<'a> {
    templates: &'a Templates,
    rows: Vec<OnceLock<String>>,
}

impl<'a> ListedRows<'a> {
    pub(super) fn new(templates: &'a Templates, standards: usize) -> Self {
        ListedRows {
            templates,
            rows: (0..standards).map(|_| OnceLock::new()).collect(),
        }
    }
}

#[derive(Serialize, Clone)]
pub(super) struct StandardRow {
    url: String,
    code: Option<String>,
    title: String,
    level: &'static str,
    status: &'static str,
    pilots: Vec<Link>,
    /// Pilots using it beyond those named in `pilots`.
    more_pilots: usize,
    regions: Vec<Link>,
    /// What the pilot of the table did with it (only in a pilot's or region's table).
    relation: Option<&'static str>,
}

/// The most pilots and services a standard's page lists; the rest are on its listings.
const STANDARD_ROWS: usize = super::pager::PAGE_SIZE;

/// Where a standard's pilots and services are listed when its page shows only the first.
struct StandardListings {
    uses: String,
    services: String,
}

impl StandardListings {
    fn of(slug: &str) -> Self {
        StandardListings {
            uses: format!("standards/{slug}/pilots/"),
            services: format!("standards/{slug}/services/"),
        }
    }
}

/// How a pilot uses a standard, as its page and listing show it.
#[derive(Serialize)]
struct UseView {
    pilot: Link,
    relation: &'static str,
    subsystem: Option<String>,
    control: Option<String>,
    doc_type: Option<String>,
    source: String,
    note: Option<String>,
}

/// What a group of a standard system is headed by.
enum SubsystemTitle<'t> {
    /// A subsystem the content names.
    Named(&'t str),
    /// The standards without a subsystem, after those with one.
    Unnamed,
    /// The standards, none of which has a subsystem.
    NoneNamed,
}

/// A group's table caption: `title（N 项）`.
fn caption(title: &SubsystemTitle, rows: usize) -> String {
    format!("{}（{rows} 项）", title.text())
}

impl SubsystemTitle<'_> {
    fn text(&self) -> &str {
        match self {
            SubsystemTitle::Named(title) => title,
            SubsystemTitle::Unnamed => "未注明子体系",
            SubsystemTitle::NoneNamed => "资料中点名的标准",
        }
    }
}

#[derive(Serialize)]
pub(super) struct SubsystemGroup {
    id: String,
    title: String,
    /// `title（N 项）`, the table caption.
    caption: String,
    rows: Vec<StandardRow>,
}

#[derive(Serialize)]
struct Grouping {
    title: &'static str,
    items: Vec<GroupLink>,
}

#[derive(Serialize)]
struct GroupLink {
    name: String,
    url: String,
    count: usize,
}

fn level_name(level: Option<KnownLevel>) -> &'static str {
    level.map_or("未注明", KnownLevel::label)
}

/// A level's listing: `standards/level/enterprise/` lists only the standards whose level
/// is stated, `…/enterprise-by-code/` those whose code's prefix suggests it.
fn level_slug(level: Option<KnownLevel>) -> String {
    let Some(known) = level else {
        return "unspecified".into();
    };
    let name = match known.level {
        StandardLevel::National => "national",
        StandardLevel::Industry => "industry",
        StandardLevel::Local => "local",
        StandardLevel::Group => "group",
        StandardLevel::Enterprise => "enterprise",
    };
    match known.basis {
        LevelBasis::Stated => name.into(),
        LevelBasis::FromCode => format!("{name}-by-code"),
    }
}

/// The heading and introduction of a level's listing.
fn level_listing_text(level: Option<KnownLevel>) -> (String, String) {
    match level {
        Some(known) if !known.is_stated() => (
            format!("按编号推断为{}标准", known.level.name()),
            format!(
                "资料没有说明层级、只按编号的代号推断为“{}”的标准；推断不是资料所说的事实。",
                known.level.name()
            ),
        ),
        _ => (
            format!("{}标准", level_name(level)),
            format!("层级为“{}”的标准。", level_name(level)),
        ),
    }
}

fn status_slug(status: StandardStatus) -> &'static str {
    match status {
        StandardStatus::Current => "current",
        StandardStatus::Upcoming => "upcoming",
        StandardStatus::Abolished => "abolished",
        StandardStatus::Updated => "updated",
        StandardStatus::Replaced => "replaced",
        StandardStatus::Unknown => "unknown",
    }
}

/// Each level stated, then each inferred from a code, then none.
fn all_levels() -> impl Iterator<Item = Option<KnownLevel>> {
    let stated = StandardLevel::ALL.into_iter().map(KnownLevel::stated);
    let by_code = StandardLevel::ALL.into_iter().map(|level| KnownLevel {
        level,
        basis: LevelBasis::FromCode,
    });
    stated.chain(by_code).map(Some).chain([None])
}

/// Pilots named in a row of a standards listing; the rest are counted.
const ROW_PILOTS: usize = 3;

impl Views<'_> {
    pub(super) fn standard_url(&self, standard: &Standard) -> String {
        self.base.link(&format!("standards/{}/", standard.slug))
    }

    /// A row of a standards listing: made once per standard and kept, as HTML, when the
    /// theme can render it alone; else the row's data, for `standards_table` to render.
    fn listed_row(&self, id: StandardId) -> Result<serde_json::Value, BuildError> {
        let Some(rows) = self.listed_rows else {
            return Ok(serde_json::to_value(self.standard_row(id, None)).expect("views serialize"));
        };
        let cell = &rows.rows[id.0];
        if let Some(html) = cell.get() {
            return Ok(serde_json::json!({ "html": html }));
        }
        let row = self.standard_row(id, None);
        match rows.templates.standard_row(&row) {
            // Two pages may render the row at once; the first kept serves both.
            Some(html) => {
                let html = html?;
                Ok(serde_json::json!({ "html": cell.get_or_init(|| html) }))
            }
            None => Ok(serde_json::to_value(row).expect("views serialize")),
        }
    }

    /// A row of a standards table. A pilot's own table (`relation` given) shows what
    /// the pilot did with the standard; other tables show who uses it, the first few
    /// pilots by name and the rest as a count (the standard's page lists them all, and a
    /// national standard may be used by thousands).
    pub(super) fn standard_row(&self, id: StandardId, relation: Option<Relation>) -> StandardRow {
        let site = self.site;
        let standard = site.standard(id);
        let mut pilots: Vec<Link> = Vec::new();
        let mut more_pilots = 0;
        if relation.is_none() {
            let mut users: Vec<crate::model::PilotId> =
                standard.uses.iter().map(|u| u.pilot).collect();
            users.dedup();
            more_pilots = users.len().saturating_sub(ROW_PILOTS);
            pilots = users
                .iter()
                .take(ROW_PILOTS)
                .map(|&p| {
                    let pilot = site.pilot(p);
                    Link {
                        name: pilot.title.clone(),
                        url: self.pilot_url(pilot),
                    }
                })
                .collect();
        }
        StandardRow {
            url: self.standard_url(standard),
            code: standard.code_text(),
            title: standard.title.clone(),
            level: level_name(standard.level),
            status: standard.status.name(),
            pilots,
            more_pilots,
            regions: match relation {
                Some(_) => Vec::new(),
                None => site
                    .regions_of_standard(id)
                    .iter()
                    .map(|&r| self.region_link(r))
                    .collect(),
            },
            relation: relation.map(Relation::name),
        }
    }

    /// A standard system as a pilot (or a region's pilots) reported it, grouped by
    /// subsystem in first-seen order; standards without one come last.
    pub(super) fn subsystem_groups(&self, pilots: &[crate::model::PilotId]) -> Vec<SubsystemGroup> {
        self.by_subsystem(pilots, |id, relation| self.standard_row(id, Some(relation)))
            .into_iter()
            .enumerate()
            .map(|(i, (title, rows))| SubsystemGroup {
                id: match title {
                    SubsystemTitle::Named(_) => format!("subsystem-{}", i + 1),
                    _ => "subsystem-other".into(),
                },
                caption: caption(&title, rows.len()),
                title: title.text().to_string(),
                rows,
            })
            .collect()
    }

    /// The standard system of many pilots (a region's): [`Views::subsystem_groups`] while
    /// it has at most `max_rows` rows; past that no rows (its pages grow with the region)
    /// but the groups' captions, counted without making the rows.
    pub(super) fn subsystem_groups_or_captions(
        &self,
        pilots: &[crate::model::PilotId],
        max_rows: usize,
    ) -> (Vec<SubsystemGroup>, Vec<String>) {
        let counted = self.by_subsystem(pilots, |_, _| ());
        if counted.iter().map(|(_, rows)| rows.len()).sum::<usize>() <= max_rows {
            return (self.subsystem_groups(pilots), Vec::new());
        }
        let captions = counted
            .into_iter()
            .map(|(title, rows)| caption(&title, rows.len()))
            .collect();
        (Vec::new(), captions)
    }

    /// The uses of standards by `pilots`, each made a row by `row`, under their
    /// subsystems in first-seen order; uses without one come last.
    fn by_subsystem<'t, R>(
        &'t self,
        pilots: &[crate::model::PilotId],
        row: impl Fn(StandardId, Relation) -> R,
    ) -> Vec<(SubsystemTitle<'t>, Vec<R>)> {
        let site = self.site;
        let mut groups: Vec<(SubsystemTitle, Vec<R>)> = Vec::new();
        let mut ungrouped = Vec::new();
        for &pilot in pilots {
            for &id in site.standards_of_pilot(pilot) {
                for u in site.uses_by(id, pilot) {
                    let made = row(id, u.relation);
                    match &u.subsystem {
                        None => ungrouped.push(made),
                        Some(title) => {
                            match groups.iter_mut().find(|(t, _)| t.text() == title.as_str()) {
                                Some((_, rows)) => rows.push(made),
                                None => groups.push((SubsystemTitle::Named(title), vec![made])),
                            }
                        }
                    }
                }
            }
        }
        if !ungrouped.is_empty() {
            let title = if groups.is_empty() {
                SubsystemTitle::NoneNamed
            } else {
                SubsystemTitle::Unnamed
            };
            groups.push((title, ungrouped));
        }
        groups
    }

    /// `/standards/`, its further pages and every grouping page.
    pub(super) fn standards_jobs(&self) -> Vec<PageJob<'_>> {
        let site = self.site;
        let all: Vec<StandardId> = site.standard_ids().collect();
        let mut jobs = self.listing_jobs(
            "standards/",
            "标准",
            "试点点名、制定或引用的全部标准。",
            &all,
            true,
        );
        for level in all_levels() {
            let ids: Vec<StandardId> = all
                .iter()
                .copied()
                .filter(|&id| site.standard(id).level == level)
                .collect();
            let (title, intro) = level_listing_text(level);
            jobs.extend(self.listing_jobs(
                &format!("standards/level/{}/", level_slug(level)),
                &title,
                &intro,
                &ids,
                false,
            ));
        }
        for status in StandardStatus::ALL {
            let ids: Vec<StandardId> = all
                .iter()
                .copied()
                .filter(|&id| site.standard(id).status == status)
                .collect();
            let title = format!("状态：{}", status.name());
            jobs.extend(self.listing_jobs(
                &format!("standards/status/{}/", status_slug(status)),
                &title,
                &format!("状态为“{}”的标准。", status.name()),
                &ids,
                false,
            ));
        }
        for region in site.region_ids() {
            let ids = site.standards_in_region(region).to_vec();
            let r = site.region(region);
            jobs.extend(self.listing_jobs(
                &format!("standards/region/{}/", r.slug),
                &format!("{}的标准", r.name),
                &format!("{}的试点点名的标准。", r.full_name),
                &ids,
                false,
            ));
        }
        for domain in site.domain_ids() {
            let ids: Vec<StandardId> = all
                .iter()
                .copied()
                .filter(|&id| {
                    site.standard(id)
                        .uses
                        .iter()
                        .any(|u| site.pilot(u.pilot).domains.contains(&domain))
                })
                .collect();
            let d = site.domain(domain);
            jobs.extend(self.listing_jobs(
                &format!("standards/domain/{}/", d.slug),
                &format!("{}领域试点的标准", d.name),
                &format!("{}领域试点点名的标准。", d.name),
                &ids,
                false,
            ));
        }
        jobs.extend(all.iter().flat_map(|&id| self.standard_listing_jobs(id)));
        jobs.par_extend(all.par_iter().map(|&id| {
            let standard = site.standard(id);
            self.job_later(
                &format!("standards/{}/index.html", standard.slug),
                "standard.html",
                &standard.code_and_title(),
                &format!(
                    "标准《{}》的编号、层级、状态和使用它的试点。",
                    standard.title
                ),
                "standards",
                move || serde_json::to_value(self.standard_page(id)).expect("views serialize"),
            )
        }));
        jobs
    }

    /// One listing split into pages (see [`Pager`]).
    fn listing_jobs(
        &self,
        path: &str,
        title: &str,
        description: &str,
        ids: &[StandardId],
        with_groupings: bool,
    ) -> Vec<PageJob<'_>> {
        // A grouping with nothing in it gets no page (and no link from the index).
        if ids.is_empty() && !with_groupings {
            return Vec::new();
        }
        let pager = Pager::new(path, ids.len());
        let total = ids.len();
        // Once for all the pages of the listing, by the first to render: each count
        // scans every standard.
        let groupings: Arc<OnceLock<serde_json::Value>> = Arc::default();
        pager
            .ranges()
            .into_iter()
            .map(|(number, range)| {
                let first = range.start;
                let chunk = &ids[range];
                // Made when the page renders: 45,000 standards make ~450 listing pages per
                // grouping, too many rows to hold as JSON all at once.
                let chunk = chunk.to_vec();
                let links = pager.links(number, self.base);
                let (heading, intro) = (title.to_string(), description.to_string());
                let groupings = Arc::clone(&groupings);
                let data = move || Ok(serde_json::json!({
                    "caption": format!("{heading}（第 {}–{} 项，共 {total} 项）", first + 1, first + chunk.len()),
                    "heading": heading,
                    "intro": intro,
                    "total": total,
                    "from": if total == 0 { 0 } else { first + 1 },
                    "to": first + chunk.len(),
                    "rows": chunk.iter().map(|&id| self.listed_row(id)).collect::<Result<Vec<_>, _>>()?,
                    "pages": links,
                    "groupings": if with_groupings {
                        groupings.get_or_init(|| serde_json::to_value(self.groupings()).expect("views serialize")).clone()
                    } else {
                        serde_json::Value::Array(Vec::new())
                    },
                    "index_url": self.base.link("standards/"),
                }));
                self.job_trying(&pager.page_file(number), "standards.html", &pager.page_title(title, number), description, "standards", data)
            })
            .collect()
    }

    fn groupings(&self) -> Vec<Grouping> {
        let site = self.site;
        let count = |f: &dyn Fn(&Standard) -> bool| site.standards.iter().filter(|s| f(s)).count();
        let levels = all_levels()
            .map(|level| GroupLink {
                name: level_name(level).to_string(),
                url: self
                    .base
                    .link(&format!("standards/level/{}/", level_slug(level))),
                count: count(&|s| s.level == level),
            })
            .filter(|g| g.count > 0)
            .collect();
        let statuses = StandardStatus::ALL
            .into_iter()
            .map(|status| GroupLink {
                name: status.name().to_string(),
                url: self
                    .base
                    .link(&format!("standards/status/{}/", status_slug(status))),
                count: count(&|s| s.status == status),
            })
            .filter(|g| g.count > 0)
            .collect();
        let regions = site
            .region_ids()
            .map(|r| GroupLink {
                name: site.region(r).name.clone(),
                url: self
                    .base
                    .link(&format!("standards/region/{}/", site.region(r).slug)),
                count: site.standards_in_region(r).len(),
            })
            .filter(|g| g.count > 0)
            .collect();
        let domains = site
            .domain_ids()
            .map(|d| GroupLink {
                name: site.domain(d).name.clone(),
                url: self
                    .base
                    .link(&format!("standards/domain/{}/", site.domain(d).slug)),
                count: count(&|s| {
                    s.uses
                        .iter()
                        .any(|u| site.pilot(u.pilot).domains.contains(&d))
                }),
            })
            .filter(|g| g.count > 0)
            .collect();
        vec![
            Grouping {
                title: "按层级",
                items: levels,
            },
            Grouping {
                title: "按状态",
                items: statuses,
            },
            Grouping {
                title: "按地区",
                items: regions,
            },
            Grouping {
                title: "按服务领域",
                items: domains,
            },
        ]
    }

    fn standard_page(&self, id: StandardId) -> serde_json::Value {
        let site = self.site;
        let standard = site.standard(id);
        let shown = standard.uses.len().min(STANDARD_ROWS);
        let uses: Vec<UseView> = standard.uses[..shown]
            .iter()
            .map(|u| self.use_view(u))
            .collect();
        let service_count = site.items_naming(id).count();
        let paths = StandardListings::of(&standard.slug);
        let more = |count: usize, path: &str| (count > STANDARD_ROWS).then(|| self.base.link(path));
        serde_json::json!({
            "row": self.standard_row(id, None),
            "prefix": standard.code.as_ref().map(|c| c.prefix.clone()),
            "number": standard.code.as_ref().map(|c| c.number.clone()),
            "year": standard.code.as_ref().and_then(|c| c.year),
            "unparsed_code": standard.raw_code,
            "issued": standard.issued,
            "implemented": standard.implemented,
            "url": standard.url,
            "uses": uses,
            "use_count": standard.uses.len(),
            "uses_url": more(standard.uses.len(), &paths.uses),
            "service_count": service_count,
            "services_url": more(service_count, &paths.services),
            "services": self.services_of_standard(id).take(STANDARD_ROWS).collect::<Vec<_>>(),
        })
    }

    fn use_view(&self, u: &StandardUse) -> UseView {
        let site = self.site;
        let pilot = site.pilot(u.pilot);
        UseView {
            pilot: Link {
                name: pilot.title.clone(),
                url: self.pilot_url(pilot),
            },
            relation: u.relation.name(),
            subsystem: u.subsystem.clone(),
            control: u.control.clone(),
            doc_type: u.doc_type.clone(),
            source: site.source(u.source).short_title.clone(),
            note: u.note.clone(),
        }
    }

    /// Past [`STANDARD_ROWS`] pilots or services, a standard's page shows the first and
    /// links to all of them, 100 a page: `standards/<slug>/pilots/`, `…/services/`.
    fn standard_listing_jobs(&self, id: StandardId) -> Vec<PageJob<'_>> {
        let standard = self.site.standard(id);
        let paths = StandardListings::of(&standard.slug);
        let name = standard.code_and_title();
        let page_url = self.base.link(&format!("standards/{}/", standard.slug));
        let mut jobs = Vec::new();
        if standard.uses.len() > STANDARD_ROWS {
            let title = format!("使用{name}的试点");
            let description = format!("使用标准《{}》的全部试点。", standard.title);
            let (name, page_url) = (name.clone(), page_url.clone());
            jobs.extend(self.listing_pages(
                Listing {
                    path: &paths.uses,
                    template: "standard_uses.html",
                    title: &title,
                    description: &description,
                    nav: "standards",
                },
                standard.uses.as_slice(),
                move |uses| {
                    let uses: Vec<UseView> = uses.iter().map(|u| self.use_view(u)).collect();
                    serde_json::json!({ "standard": name, "standard_url": page_url, "rows": uses })
                },
            ));
        }
        let services = self.site.items_naming(id).count();
        if services > STANDARD_ROWS {
            let title = format!("依据{name}提供的服务");
            let description = format!("依据标准《{}》提供的全部服务事项。", standard.title);
            let services: Arc<[Link]> = self.services_of_standard(id).collect();
            jobs.extend(self.listing_pages(
                Listing {
                    path: &paths.services,
                    template: "standard_services.html",
                    title: &title,
                    description: &description,
                    nav: "standards",
                },
                services,
                move |rows| {
                    serde_json::json!({ "standard": name, "standard_url": page_url, "rows": rows })
                },
            ));
        }
        jobs
    }
}
