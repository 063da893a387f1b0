//! Stage 3 of the pipeline: the site as a typed, linked graph.
//!
//! `validate` produces these entries with every reference already resolved to an id;
//! [`Site::new`] adds the indexes pages need (pilots per region and per domain, totals),
//! built once so that no page has to scan the whole content.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::config::{BaseUrl, SiteConfig};
use crate::diagnostics::SourceFile;
use crate::standard_code::{KnownLevel, StandardCode};

/// A URL-safe ASCII identifier, checked once when content is read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// The longest slug: a folder name of the output, which a file system limits (255
    /// bytes on most); `check` must refuse what `build` could not write.
    pub const MAX_LEN: usize = 100;

    /// Windows cannot create files or folders with these names, whatever the extension.
    const RESERVED_ON_WINDOWS: [&'static str; 4] = ["con", "prn", "aux", "nul"];

    /// Lowercase ASCII letters, digits and single inner hyphens.
    pub fn parse(text: &str) -> Result<Slug, String> {
        if text.len() > Slug::MAX_LEN {
            return Err(format!(
                "the slug is {} characters long, more than {}",
                text.len(),
                Slug::MAX_LEN
            ));
        }
        let reserved = Slug::RESERVED_ON_WINDOWS.contains(&text)
            || (text.len() == 4
                && (text.starts_with("com") || text.starts_with("lpt"))
                && text.as_bytes()[3].is_ascii_digit());
        if reserved {
            return Err(format!(
                "`{text}` cannot be a folder name on Windows, where editors may check out the site"
            ));
        }
        let well_formed = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-')
            && !text.contains("--");
        if well_formed {
            Ok(Slug(text.to_string()))
        } else {
            Err(format!("`{text}` is not a valid slug"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub usize);
    };
}

id_type!(
    /// Index into [`Site::regions`].
    RegionId
);
id_type!(
    /// Index into [`Site::domains`].
    DomainId
);
id_type!(
    /// Index into [`Site::sources`].
    SourceId
);
id_type!(
    /// Index into [`Site::pilots`].
    PilotId
);
id_type!(
    /// Index into [`Site::standards`].
    StandardId
);

/// A province-level region (省级行政区).
#[derive(Debug, Clone)]
pub struct Region {
    pub slug: Slug,
    pub name: String,
    pub full_name: String,
    /// GB/T 2260 code.
    pub code: String,
    pub order: u32,
    /// Row and column on the tile map, 1-based.
    pub tile: (u32, u32),
}

/// One of the nine domains of 国家基本公共服务标准.
#[derive(Debug, Clone)]
pub struct Domain {
    pub slug: Slug,
    pub name: String,
    pub order: u32,
    pub description: String,
    pub categories: Vec<String>,
}

/// A document that figures are taken from.
#[derive(Debug, Clone)]
pub struct Source {
    pub id: Slug,
    pub title: String,
    /// Shown beside each figure; the full title is listed once per page.
    pub short_title: String,
    pub publisher: Option<String>,
    pub date: Option<String>,
    /// What period its figures describe unless a figure says otherwise.
    pub period: String,
    /// The evaluation table: its figures are shown before the others.
    pub primary: bool,
}

/// The three kinds of pilot named in the evaluation table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PilotKind {
    Comprehensive,
    Specialized,
    RegionalCoordination,
}

impl PilotKind {
    pub const ALL: [PilotKind; 3] = [
        PilotKind::Comprehensive,
        PilotKind::Specialized,
        PilotKind::RegionalCoordination,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PilotKind::Comprehensive => "综合试点",
            PilotKind::Specialized => "专项试点",
            PilotKind::RegionalCoordination => "区域协调联动试点",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            PilotKind::Comprehensive => "comprehensive",
            PilotKind::Specialized => "specialized",
            PilotKind::RegionalCoordination => "regional",
        }
    }

    pub fn from_name(name: &str) -> Option<PilotKind> {
        PilotKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// What a figure measures. The order here is the order on pilot pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FigureKind {
    ServiceItems,
    ServiceCategories,
    StandardsTotal,
    StandardsReferenced,
    StandardsSelfMade,
    NationalStandards,
    IndustryStandards,
    LocalStandards,
    GroupStandards,
    InternalStandards,
    SatisfactionBefore,
    SatisfactionAfter,
    SatisfactionGain,
    Other,
}

impl FigureKind {
    pub const ALL: [FigureKind; 14] = [
        FigureKind::ServiceItems,
        FigureKind::ServiceCategories,
        FigureKind::StandardsTotal,
        FigureKind::StandardsReferenced,
        FigureKind::StandardsSelfMade,
        FigureKind::NationalStandards,
        FigureKind::IndustryStandards,
        FigureKind::LocalStandards,
        FigureKind::GroupStandards,
        FigureKind::InternalStandards,
        FigureKind::SatisfactionBefore,
        FigureKind::SatisfactionAfter,
        FigureKind::SatisfactionGain,
        FigureKind::Other,
    ];

    /// The key editors write in `[[figures]]`.
    pub fn key(self) -> &'static str {
        match self {
            FigureKind::ServiceItems => "service_items",
            FigureKind::ServiceCategories => "service_categories",
            FigureKind::StandardsTotal => "standards_total",
            FigureKind::StandardsReferenced => "standards_referenced",
            FigureKind::StandardsSelfMade => "standards_self_made",
            FigureKind::NationalStandards => "national_standards",
            FigureKind::IndustryStandards => "industry_standards",
            FigureKind::LocalStandards => "local_standards",
            FigureKind::GroupStandards => "group_standards",
            FigureKind::InternalStandards => "internal_standards",
            FigureKind::SatisfactionBefore => "satisfaction_before",
            FigureKind::SatisfactionAfter => "satisfaction_after",
            FigureKind::SatisfactionGain => "satisfaction_gain",
            FigureKind::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<FigureKind> {
        FigureKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Label and unit on the page; `None` for [`FigureKind::Other`], which brings its own.
    pub fn label_and_unit(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            FigureKind::ServiceItems => ("基本公共服务事项", "项"),
            FigureKind::ServiceCategories => ("服务事项类别", "类"),
            FigureKind::StandardsTotal => ("标准体系收录标准", "项"),
            FigureKind::StandardsReferenced => ("引用标准", "项"),
            FigureKind::StandardsSelfMade => ("自主（新）制定标准", "项"),
            FigureKind::NationalStandards => ("制定或参与制定国家标准", "项"),
            FigureKind::IndustryStandards => ("制定或参与制定行业标准", "项"),
            FigureKind::LocalStandards => ("制定或参与制定地方标准", "项"),
            FigureKind::GroupStandards => ("制定或参与制定团体标准", "项"),
            FigureKind::InternalStandards => ("内部标准", "项"),
            FigureKind::SatisfactionBefore => ("试点前满意度", "%"),
            FigureKind::SatisfactionAfter => ("试点后满意度", "%"),
            FigureKind::SatisfactionGain => ("满意度提升", "个百分点"),
            FigureKind::Other => return None,
        })
    }

    pub fn is_percentage(self) -> bool {
        matches!(
            self,
            FigureKind::SatisfactionBefore | FigureKind::SatisfactionAfter
        )
    }
}

/// A stated number with where it comes from.
#[derive(Debug, Clone)]
pub struct Figure {
    pub kind: FigureKind,
    pub label: String,
    pub unit: String,
    pub value: f64,
    /// The figure as the source prints it, when the bare number loses something.
    pub display: Option<String>,
    pub source: SourceId,
    /// The period the figure describes, when it differs from the source's.
    pub period: Option<String>,
    pub note: Option<String>,
    /// The source's exact words the figure rests on, found in its text when checked.
    pub quote: Option<String>,
}

impl Figure {
    /// The figure as shown: the source's own wording, or the number and its unit.
    pub fn text(&self) -> String {
        self.display
            .clone()
            .unwrap_or_else(|| format!("{}{}", format_number(self.value), self.unit))
    }
}

/// Numbers as the sources print them: no thousands separators, no trailing zeros.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Where a pilot is: one entry per region it spans.
#[derive(Debug, Clone)]
pub struct Location {
    pub region: RegionId,
    /// The prefecture-level city, only where a source names it.
    pub city: Option<String>,
    pub county: Option<String>,
    /// 承担单位
    pub lead_unit: String,
    /// 序号 in the evaluation table.
    pub evaluation_row: Option<u32>,
}

impl Location {
    /// City and county as one place name, e.g. `成都市高新区`; the county alone where no
    /// source names its city.
    pub fn place(&self) -> String {
        [self.city.as_deref(), self.county.as_deref()]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// A national basic public service standardization pilot.
#[derive(Debug, Clone)]
pub struct Pilot {
    pub slug: Slug,
    pub title: String,
    pub kind: PilotKind,
    pub domains: Vec<DomainId>,
    pub summary: String,
    /// `YYYY-MM-DD`
    pub updated: String,
    pub sources: Vec<SourceId>,
    pub draft: bool,
    pub locations: Vec<Location>,
    /// In page order: by kind, primary source first within a kind.
    pub figures: Vec<Figure>,
    /// The Markdown body.
    pub body: String,
}

impl Pilot {
    /// The figure a reader sees first for `kind`: the primary source's when there is one.
    pub fn headline(&self, kind: FigureKind) -> Option<&Figure> {
        self.figures.iter().find(|f| f.kind == kind)
    }

    /// The first evaluation-table row, which orders pilots as the table does.
    pub fn first_row(&self) -> u32 {
        self.locations
            .iter()
            .filter_map(|l| l.evaluation_row)
            .min()
            .unwrap_or(u32::MAX)
    }
}

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The Chinese name editors write and readers see.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn from_name(name: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|v| v.name() == name)
            }
        }
    };
}

named_enum!(
    /// Whether a standard is in force (标准状态).
    StandardStatus {
        Current => "现行",
        Upcoming => "即将实施",
        Abolished => "废止",
        Updated => "有更新版",
        Replaced => "被代替",
        Unknown => "未知",
    }
);

named_enum!(
    /// What a pilot did with a standard.
    Relation {
        Made => "制定",
        Participated => "参与制定",
        Referenced => "引用",
        RaisedNational => "上升为国家标准",
        RaisedIndustry => "上升为行业标准",
        RaisedLocal => "上升为地方标准",
        RaisedGroup => "上升为团体标准",
    }
);

/// A standard as one pilot's file lists it.
#[derive(Debug, Clone)]
pub struct StandardEntry {
    pub code: Option<StandardCode>,
    /// A code that did not parse, kept as written (cleaned of width and dash noise).
    pub raw_code: Option<String>,
    pub title: String,
    /// Stated by the entry, or inferred from the code's prefix (shown as such).
    pub level: Option<KnownLevel>,
    pub status: StandardStatus,
    pub relation: Relation,
    pub subsystem: Option<String>,
    pub control: Option<String>,
    pub doc_type: Option<String>,
    pub issued: Option<String>,
    pub implemented: Option<String>,
    pub url: Option<String>,
    pub source: SourceId,
    pub note: Option<String>,
    /// Made from the code and title once, when the file is checked (and remembered with
    /// it by `serve`), rather than at every comparison across files.
    pub keys: StandardKeys,
}

/// What a standard entry is known by.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardKeys {
    code_key: Option<String>,
    identity: String,
    slug: String,
}

impl StandardKeys {
    pub fn of(code: Option<&StandardCode>, raw_code: Option<&str>, title: &str) -> StandardKeys {
        let code_key = code
            .map(ToString::to_string)
            .or_else(|| raw_code.map(str::to_string));
        let identity = code_key.clone().unwrap_or_else(|| format!("《{title}》"));
        let slug = match code {
            Some(code) => code.slug(),
            None => {
                use sha2::{Digest, Sha256};
                let digest = Sha256::digest(identity.as_bytes());
                let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
                format!("t-{hex}")
            }
        };
        StandardKeys {
            code_key,
            identity,
            slug,
        }
    }
}

impl StandardEntry {
    /// The code as shown: parsed and normalised, or as written.
    pub fn code_key(&self) -> Option<&str> {
        self.keys.code_key.as_deref()
    }

    /// What makes two entries the same standard: the code, or the title when there is none.
    pub fn identity(&self) -> &str {
        &self.keys.identity
    }

    /// The URL slug: from the code where it parses, else a hash of the identity.
    pub fn slug(&self) -> &str {
        &self.keys.slug
    }
}

/// A law, policy or plan a pilot names: not a standard, listed separately.
#[derive(Debug, Clone)]
pub struct Policy {
    pub title: String,
    pub kind: String,
    pub source: SourceId,
    pub note: Option<String>,
}

/// The standards file of one pilot.
#[derive(Debug, Clone)]
pub struct PilotStandards {
    pub pilot: Slug,
    pub standards: Vec<StandardEntry>,
    pub policies: Vec<Policy>,
}

/// A standard with every pilot that uses it.
#[derive(Debug, Clone)]
pub struct Standard {
    /// The code, or the title in 《》 when there is none: what makes two entries one.
    pub identity: String,
    pub slug: String,
    pub code: Option<StandardCode>,
    pub raw_code: Option<String>,
    pub title: String,
    /// Stated by one of its entries, else inferred from the code's prefix.
    pub level: Option<KnownLevel>,
    pub status: StandardStatus,
    pub issued: Option<String>,
    pub implemented: Option<String>,
    pub url: Option<String>,
    pub uses: Vec<StandardUse>,
}

impl Standard {
    pub fn code_text(&self) -> Option<String> {
        self.code
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| self.raw_code.clone())
    }

    /// `GB/T 37668-2019 信息技术 互联网内容无障碍可访问性技术要求与测试方法`, or the title
    /// alone when the sources give no code: how a standard is named as a page or result.
    pub fn code_and_title(&self) -> String {
        match self.code_text() {
            Some(code) => format!("{code} {}", self.title),
            None => self.title.clone(),
        }
    }
}

/// One pilot's use of a standard.
#[derive(Debug, Clone)]
pub struct StandardUse {
    pub pilot: PilotId,
    pub relation: Relation,
    pub subsystem: Option<String>,
    pub control: Option<String>,
    pub doc_type: Option<String>,
    pub source: SourceId,
    pub note: Option<String>,
}

/// A service list as a pilot's services file gives it; items name standards by identity.
#[derive(Debug, Clone)]
pub struct ServiceListEntry {
    pub slug: Slug,
    pub title: String,
    pub source: SourceId,
    pub period: Option<String>,
    /// How many items the source says the list has (it may name fewer, or none).
    pub count: Option<u32>,
    pub note: Option<String>,
    pub items: Vec<ServiceItemEntry>,
}

/// One service a resident can get (服务事项).
#[derive(Debug, Clone)]
pub struct ServiceItemEntry {
    pub domain: DomainId,
    pub category: Option<String>,
    pub name: String,
    /// 服务对象
    pub recipients: Option<String>,
    /// 服务内容
    pub content: Option<String>,
    /// 服务标准, as text
    pub standard_text: Option<String>,
    /// Identities of the standards behind it (see [`StandardEntry::identity`]).
    pub standards: Vec<String>,
    /// 支出责任
    pub funding: Option<String>,
    /// 牵头负责单位
    pub lead: Option<String>,
    /// 承办窗口
    pub window: Option<String>,
    /// Who it serves: 老年人, 残疾人 …
    pub tags: Vec<String>,
}

/// Who a service is for: the groups a resident chooses from on the 我能享受哪些服务
/// pages, with the slug of each group's page (`/liangbiao/who/<slug>/`).
pub const SERVICE_GROUPS: [(&str, &str); 11] = [
    ("老年人", "elderly"),
    ("残疾人", "disabled"),
    ("儿童", "children"),
    ("学生", "students"),
    ("失业人员", "unemployed"),
    ("退役军人", "veterans"),
    ("困难群众", "low-income"),
    ("孕产妇", "maternity"),
    ("新市民", "newcomers"),
    ("患者", "patients"),
    ("居民", "residents"),
];

/// A demonstration site (示范点) a pilot's documents name.
#[derive(Debug, Clone)]
pub struct DemoSiteEntry {
    pub slug: Slug,
    pub name: String,
    pub kind: String,
    pub place: Option<String>,
    pub description: String,
    pub source: SourceId,
}

/// The services file of one pilot.
#[derive(Debug, Clone)]
pub struct PilotServices {
    pub pilot: Slug,
    /// Shared, so that `serve` can keep a checked file's lists without copying them.
    pub lists: Vec<Arc<ServiceListEntry>>,
    pub sites: Vec<DemoSiteEntry>,
}

/// A service list linked to its pilot and its items' standards.
#[derive(Debug, Clone)]
pub struct ServiceList {
    pub pilot: PilotId,
    pub list: Arc<ServiceListEntry>,
    /// Per item, the standards it names, in the item's order.
    pub item_standards: Vec<Vec<StandardId>>,
}

/// A demonstration site linked to its pilot.
#[derive(Debug, Clone)]
pub struct DemoSite {
    pub pilot: PilotId,
    pub site: DemoSiteEntry,
}

/// The home page's own introduction.
#[derive(Debug, Clone, Default)]
pub struct HomeIntro {
    pub title: Option<String>,
    pub body: String,
}

/// Everything `validate` accepted, references resolved.
#[derive(Debug, Clone)]
pub struct Content {
    pub config: SiteConfig,
    pub base_url: BaseUrl,
    pub regions: Vec<Region>,
    pub domains: Vec<Domain>,
    pub sources: Vec<Source>,
    pub pilots: Vec<Pilot>,
    pub pilot_standards: Vec<PilotStandards>,
    pub pilot_services: Vec<PilotServices>,
    pub home: HomeIntro,
    /// Links from Markdown bodies to pages of the site, checked once pages exist.
    pub body_links: Vec<BodyLink>,
}

/// A link from a Markdown body to a page (and maybe a heading) of the site.
#[derive(Debug, Clone)]
pub struct BodyLink {
    pub file: SourceFile,
    /// Byte range of the whole link in `file`.
    pub span: Range<usize>,
    /// As written: `/pilots/x/#h` or `#h`.
    pub target: String,
    /// Output path of the page the body renders onto, e.g. `pilots/x/index.html`.
    pub page: String,
    pub kind: BodyLinkKind,
}

/// What the link check asks of a body's `#id` target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLinkKind {
    /// A link: its page, and its `#anchor` if any, must exist.
    Link,
    /// The id of one of the body's own headings (`target` is `#id`): it must occur once
    /// in the page, not also as an id of the page's layout (`#main`, `#figures`).
    OwnHeading,
}

/// Sums of the headline figures across pilots.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Totals {
    pub pilots: usize,
    pub regions_covered: usize,
    pub standards: f64,
    pub pilots_reporting_standards: usize,
    pub service_items: f64,
    pub pilots_reporting_service_items: usize,
}

/// The linked site: content plus the indexes every page needs.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: SiteConfig,
    pub base_url: BaseUrl,
    pub regions: Vec<Region>,
    pub domains: Vec<Domain>,
    pub sources: Vec<Source>,
    /// In evaluation-table order.
    pub pilots: Vec<Pilot>,
    /// Sorted by level, then code, then title.
    pub standards: Vec<Standard>,
    /// In pilot order, then file order.
    pub service_lists: Vec<ServiceList>,
    pub demo_sites: Vec<DemoSite>,
    pub home: HomeIntro,
    pub body_links: Vec<BodyLink>,
    pilots_by_region: Vec<Vec<PilotId>>,
    pilots_by_domain: Vec<Vec<PilotId>>,
    standards_by_pilot: Vec<Vec<StandardId>>,
    policies_by_pilot: Vec<Vec<Policy>>,
    // Cross-references, built once so that no page scans every list or standard.
    regions_by_standard: Vec<Vec<RegionId>>,
    standards_by_region: Vec<Vec<StandardId>>,
    lists_by_pilot: Vec<Vec<usize>>,
    sites_by_pilot: Vec<Vec<usize>>,
    /// Per standard, the (list, item) indexes of the service items that name it.
    items_by_standard: Vec<Vec<(usize, usize)>>,
}

impl Site {
    pub fn new(content: Content) -> Site {
        let Content {
            config,
            base_url,
            regions,
            domains,
            sources,
            mut pilots,
            pilot_standards,
            pilot_services,
            home,
            body_links,
        } = content;
        // Region and domain ids were handed out by `validate`, which sorts them by
        // `order` first; pilot ids are handed out here, in evaluation-table order.
        pilots.sort_by(|a, b| (a.first_row(), &a.slug).cmp(&(b.first_row(), &b.slug)));

        let mut pilots_by_region = vec![Vec::new(); regions.len()];
        let mut pilots_by_domain = vec![Vec::new(); domains.len()];
        for (index, pilot) in pilots.iter().enumerate() {
            let regions_of_pilot: BTreeSet<RegionId> =
                pilot.locations.iter().map(|l| l.region).collect();
            for region in regions_of_pilot {
                pilots_by_region[region.0].push(PilotId(index));
            }
            for domain in &pilot.domains {
                pilots_by_domain[domain.0].push(PilotId(index));
            }
        }
        let pilot_ids: FxHashMap<&str, PilotId> = pilots
            .iter()
            .enumerate()
            .map(|(i, p)| (p.slug.as_str(), PilotId(i)))
            .collect();
        let (mut standards, standards_by_pilot, policies_by_pilot) =
            merge_standards(pilot_standards, &pilot_ids, pilots.len());
        // Uses in pilot order, so that one pilot's uses are found by binary search.
        for standard in &mut standards {
            standard.uses.sort_by_key(|u| u.pilot);
        }
        let (service_lists, demo_sites) = link_services(pilot_services, &pilot_ids, &standards);
        let regions_by_standard: Vec<Vec<RegionId>> = standards
            .iter()
            .map(|s| {
                let regions: BTreeSet<RegionId> = s
                    .uses
                    .iter()
                    .flat_map(|u| pilots[u.pilot.0].locations.iter().map(|l| l.region))
                    .collect();
                regions.into_iter().collect()
            })
            .collect();
        let mut standards_by_region = vec![Vec::new(); regions.len()];
        for (index, regions_of) in regions_by_standard.iter().enumerate() {
            for region in regions_of {
                standards_by_region[region.0].push(StandardId(index));
            }
        }
        let mut lists_by_pilot = vec![Vec::new(); pilots.len()];
        for (index, list) in service_lists.iter().enumerate() {
            lists_by_pilot[list.pilot.0].push(index);
        }
        let mut sites_by_pilot = vec![Vec::new(); pilots.len()];
        for (index, demo) in demo_sites.iter().enumerate() {
            sites_by_pilot[demo.pilot.0].push(index);
        }
        let mut items_by_standard = vec![Vec::new(); standards.len()];
        for (list_index, list) in service_lists.iter().enumerate() {
            for (item_index, ids) in list.item_standards.iter().enumerate() {
                for id in ids {
                    items_by_standard[id.0].push((list_index, item_index));
                }
            }
        }
        Site {
            config,
            base_url,
            regions,
            domains,
            sources,
            pilots,
            standards,
            service_lists,
            demo_sites,
            home,
            body_links,
            pilots_by_region,
            pilots_by_domain,
            standards_by_pilot,
            policies_by_pilot,
            regions_by_standard,
            standards_by_region,
            lists_by_pilot,
            sites_by_pilot,
            items_by_standard,
        }
    }

    pub fn standard(&self, id: StandardId) -> &Standard {
        &self.standards[id.0]
    }

    pub fn standard_ids(&self) -> impl Iterator<Item = StandardId> {
        (0..self.standards.len()).map(StandardId)
    }

    pub fn standards_of_pilot(&self, id: PilotId) -> &[StandardId] {
        &self.standards_by_pilot[id.0]
    }

    pub fn lists_of_pilot(&self, id: PilotId) -> impl Iterator<Item = &ServiceList> {
        self.lists_by_pilot[id.0]
            .iter()
            .map(|&i| &self.service_lists[i])
    }

    pub fn sites_of_pilot(&self, id: PilotId) -> impl Iterator<Item = &DemoSite> {
        self.sites_by_pilot[id.0]
            .iter()
            .map(|&i| &self.demo_sites[i])
    }

    /// What one pilot did with a standard (usually one use; more if it files it twice).
    pub fn uses_by(&self, standard: StandardId, pilot: PilotId) -> &[StandardUse] {
        let uses = &self.standard(standard).uses;
        let start = uses.partition_point(|u| u.pilot < pilot);
        let end = uses.partition_point(|u| u.pilot <= pilot);
        &uses[start..end]
    }

    /// The standards used by pilots in a region, in standard order.
    pub fn standards_in_region(&self, id: RegionId) -> &[StandardId] {
        &self.standards_by_region[id.0]
    }

    /// The service items that name a standard, with their lists.
    pub fn items_naming(
        &self,
        id: StandardId,
    ) -> impl Iterator<Item = (&ServiceList, &ServiceItemEntry)> {
        self.items_by_standard[id.0].iter().map(|&(l, i)| {
            let list = &self.service_lists[l];
            (list, &list.list.items[i])
        })
    }

    pub fn policies_of_pilot(&self, id: PilotId) -> &[Policy] {
        &self.policies_by_pilot[id.0]
    }

    /// The regions a standard is used in, through its pilots, in region order.
    pub fn regions_of_standard(&self, id: StandardId) -> &[RegionId] {
        &self.regions_by_standard[id.0]
    }

    pub fn pilot(&self, id: PilotId) -> &Pilot {
        &self.pilots[id.0]
    }

    pub fn region(&self, id: RegionId) -> &Region {
        &self.regions[id.0]
    }

    pub fn domain(&self, id: DomainId) -> &Domain {
        &self.domains[id.0]
    }

    pub fn source(&self, id: SourceId) -> &Source {
        &self.sources[id.0]
    }

    pub fn pilots_in_region(&self, id: RegionId) -> &[PilotId] {
        &self.pilots_by_region[id.0]
    }

    pub fn pilots_in_domain(&self, id: DomainId) -> &[PilotId] {
        &self.pilots_by_domain[id.0]
    }

    pub fn pilots_of_kind(&self, kind: PilotKind) -> Vec<PilotId> {
        self.pilot_ids()
            .filter(|&id| self.pilot(id).kind == kind)
            .collect()
    }

    pub fn pilot_ids(&self) -> impl Iterator<Item = PilotId> {
        (0..self.pilots.len()).map(PilotId)
    }

    pub fn region_ids(&self) -> impl Iterator<Item = RegionId> {
        (0..self.regions.len()).map(RegionId)
    }

    pub fn domain_ids(&self) -> impl Iterator<Item = DomainId> {
        (0..self.domains.len()).map(DomainId)
    }

    /// Pilots that report satisfaction both before and after, with the two values.
    pub fn satisfaction_pairs(&self) -> Vec<(PilotId, f64, f64)> {
        self.pilot_ids()
            .filter_map(|id| {
                let pilot = self.pilot(id);
                let before = pilot.headline(FigureKind::SatisfactionBefore)?;
                let after = pilot.headline(FigureKind::SatisfactionAfter)?;
                Some((id, before.value, after.value))
            })
            .collect()
    }

    pub fn totals(&self) -> Totals {
        let regions_covered = self
            .region_ids()
            .filter(|&r| !self.pilots_in_region(r).is_empty())
            .count();
        let (standards, pilots_reporting_standards) =
            self.sum_headlines(FigureKind::StandardsTotal);
        let (service_items, pilots_reporting_service_items) =
            self.sum_headlines(FigureKind::ServiceItems);
        Totals {
            pilots: self.pilots.len(),
            regions_covered,
            standards,
            pilots_reporting_standards,
            service_items,
            pilots_reporting_service_items,
        }
    }

    fn sum_headlines(&self, kind: FigureKind) -> (f64, usize) {
        self.pilots
            .iter()
            .filter_map(|p| p.headline(kind))
            .fold((0.0, 0), |(sum, n), f| (sum + f.value, n + 1))
    }

    /// Up to eight other pilots sharing a region or a specific domain: those sharing both
    /// first, then those sharing a region, then a domain, each in pilot order. Drawn
    /// from the region and domain indexes (a scan of every pilot for every pilot page was
    /// quadratic), and only as far into them as eight are found: the pilots of a region
    /// grow with the site, and gathering all of them for each of its pilots was too
    /// (pilot pages at 100k: 0.25 ms a page against 0.19 ms at 10k).
    pub fn related(&self, id: PilotId) -> Vec<PilotId> {
        const RELATED: usize = 8;
        let pilot = self.pilot(id);
        let regions: BTreeSet<RegionId> = pilot.locations.iter().map(|l| l.region).collect();
        // Every comprehensive pilot covers every domain, so domain overlap only means
        // something for the specific domains of the other kinds.
        let domains: BTreeSet<DomainId> = if pilot.kind == PilotKind::Comprehensive {
            BTreeSet::new()
        } else {
            pilot.domains.iter().copied().collect()
        };
        let shares_domain = |other: PilotId| {
            let p = self.pilot(other);
            p.kind != PilotKind::Comprehensive && p.domains.iter().any(|d| domains.contains(d))
        };
        let mut both = Vec::with_capacity(RELATED);
        let mut region_only = Vec::with_capacity(RELATED);
        for other in self
            .pilots_in_regions(&regions)
            .filter(|&other| other != id)
        {
            if shares_domain(other) {
                both.push(other);
                if both.len() == RELATED {
                    break;
                }
            } else if region_only.len() < RELATED {
                region_only.push(other);
            } else if domains.is_empty() {
                // Nothing can share a domain with it: the first eight are the answer.
                break;
            }
        }
        let mut related = both;
        related.extend(region_only);
        related.truncate(RELATED);
        if related.len() < RELATED {
            // Fewer than eight others in its regions: every one of them is in `related`.
            let domain_only: BTreeSet<PilotId> = domains
                .iter()
                .flat_map(|&d| self.pilots_in_domain(d).iter().copied())
                .filter(|&other| other != id && !related.contains(&other))
                .filter(|&other| shares_domain(other))
                .collect();
            related.extend(domain_only.into_iter().take(RELATED - related.len()));
        }
        related
    }

    /// The pilots of any of `regions`, each once, in pilot order.
    fn pilots_in_regions<'s>(
        &'s self,
        regions: &BTreeSet<RegionId>,
    ) -> Box<dyn Iterator<Item = PilotId> + 's> {
        match regions.first() {
            Some(&only) if regions.len() == 1 => {
                Box::new(self.pilots_in_region(only).iter().copied())
            }
            // A pilot in several regions (rare): their lists merged.
            _ => {
                let all: BTreeSet<PilotId> = regions
                    .iter()
                    .flat_map(|&r| self.pilots_in_region(r).iter().copied())
                    .collect();
                Box::new(all.into_iter())
            }
        }
    }
}

/// Service lists and sites with pilot ids and standard ids; drafts left out drop theirs.
fn link_services(
    files: Vec<PilotServices>,
    pilot_ids: &FxHashMap<&str, PilotId>,
    standards: &[Standard],
) -> (Vec<ServiceList>, Vec<DemoSite>) {
    let standard_ids: FxHashMap<&str, StandardId> = standards
        .iter()
        .enumerate()
        .map(|(i, s)| (s.identity.as_str(), StandardId(i)))
        .collect();
    let mut lists = Vec::new();
    let mut sites = Vec::new();
    for file in files {
        let Some(&pilot) = pilot_ids.get(file.pilot.as_str()) else {
            continue;
        };
        for list in file.lists {
            let item_standards = list
                .items
                .iter()
                .map(|item| {
                    item.standards
                        .iter()
                        .filter_map(|s| standard_ids.get(s.as_str()).copied())
                        .collect()
                })
                .collect();
            lists.push(ServiceList {
                pilot,
                list,
                item_standards,
            });
        }
        sites.extend(file.sites.into_iter().map(|site| DemoSite { pilot, site }));
    }
    lists.sort_by_key(|l| l.pilot);
    sites.sort_by_key(|s| s.pilot);
    (lists, sites)
}

/// The standards, and per pilot its standards (in file order) and its policies.
type MergedStandards = (Vec<Standard>, Vec<Vec<StandardId>>, Vec<Vec<Policy>>);

/// One [`Standard`] per identity across all pilots' files; the first entry's facts win,
/// later entries fill what it left open. Drafts that were left out drop their entries.
fn merge_standards(
    files: Vec<PilotStandards>,
    pilot_ids: &FxHashMap<&str, PilotId>,
    pilot_count: usize,
) -> MergedStandards {
    let mut by_identity: BTreeMap<String, Standard> = BTreeMap::new();
    let mut policies = vec![Vec::new(); pilot_count];
    // Each pilot's standards in the order its file lists them, as the source did.
    let mut listed: Vec<(PilotId, String)> = Vec::new();
    for file in files {
        let Some(&pilot) = pilot_ids.get(file.pilot.as_str()) else {
            continue;
        };
        policies[pilot.0] = file.policies;
        for entry in file.standards {
            let identity = entry.identity().to_string();
            listed.push((pilot, identity.clone()));
            let standard = by_identity
                .entry(identity)
                .or_insert_with_key(|identity| Standard {
                    identity: identity.clone(),
                    slug: entry.slug().to_string(),
                    code: entry.code.clone(),
                    raw_code: entry.raw_code.clone(),
                    title: entry.title.clone(),
                    level: entry.level,
                    status: entry.status,
                    issued: None,
                    implemented: None,
                    url: None,
                    uses: Vec::new(),
                });
            standard.level = KnownLevel::merge(standard.level, entry.level);
            if standard.status == StandardStatus::Unknown {
                standard.status = entry.status;
            }
            standard.issued = standard.issued.take().or(entry.issued);
            standard.implemented = standard.implemented.take().or(entry.implemented);
            standard.url = standard.url.take().or(entry.url);
            standard.uses.push(StandardUse {
                pilot,
                relation: entry.relation,
                subsystem: entry.subsystem,
                control: entry.control,
                doc_type: entry.doc_type,
                source: entry.source,
                note: entry.note,
            });
        }
    }
    let mut standards: Vec<Standard> = by_identity.into_values().collect();
    // The key is made once per standard, not once per comparison.
    standards.sort_by_cached_key(|s| {
        (
            s.level.is_none(),
            s.level,
            s.code.is_none(),
            s.code_text(),
            s.title.clone(),
        )
    });
    let ids: FxHashMap<&str, StandardId> = standards
        .iter()
        .enumerate()
        .map(|(i, s)| (s.identity.as_str(), StandardId(i)))
        .collect();
    let mut by_pilot: Vec<Vec<StandardId>> = vec![Vec::new(); pilot_count];
    for (pilot, identity) in &listed {
        let id = ids[identity.as_str()];
        if !by_pilot[pilot.0].contains(&id) {
            by_pilot[pilot.0].push(id);
        }
    }
    (standards, by_pilot, policies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_ascii_with_inner_hyphens() {
        assert!(Slug::parse("chengdu-gaoxin").is_ok());
        assert!(Slug::parse("a1").is_ok());
        assert!(Slug::parse("auxiliary").is_ok() && Slug::parse("com").is_ok());
        assert!(Slug::parse(&"a".repeat(100)).is_ok());
        for bad in [
            "",
            "Chengdu",
            "成都",
            "-a",
            "a-",
            "a--b",
            "a b",
            "a/b",
            "a_b",
            "aux",
            "con",
            "com1",
            "lpt9",
            &"a".repeat(101),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn numbers_print_as_the_sources_do() {
        assert_eq!(format_number(11100.0), "11100");
        assert_eq!(format_number(96.03), "96.03");
        assert_eq!(format_number(98.9), "98.9");
        assert_eq!(format_number(5.74), "5.74");
    }

    #[test]
    fn figure_keys_round_trip() {
        for kind in FigureKind::ALL {
            assert_eq!(FigureKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(
            PilotKind::from_name("专项试点"),
            Some(PilotKind::Specialized)
        );
        assert_eq!(PilotKind::from_name("专项"), None);
    }
}
