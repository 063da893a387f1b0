//! `content/services/<pilot>.toml`: a pilot's service lists (服务清单) and the
//! demonstration sites (示范点) its documents name. Items may point at standards of the
//! same pilot by code or exact title; every such reference must resolve.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use toml::Spanned;

use super::{
    backticked, bare_title, check_pilot_of_file, non_empty, one_of, parse_file, parse_slug,
    required_text, resolve, EntryContext, References,
};
use crate::diagnostics::{did_you_mean, Diagnostics, SourceFile};
use crate::load::DOMAINS_FILE;
use crate::model::{
    DemoSiteEntry, Domain, PilotServices, ServiceItemEntry, ServiceListEntry, SERVICE_GROUPS,
};
use crate::standard_code::StandardCode;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    pilot: Spanned<String>,
    #[serde(default)]
    list: Vec<ListToml>,
    #[serde(default)]
    site: Vec<SiteToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListToml {
    slug: Spanned<String>,
    title: Spanned<String>,
    source: Spanned<String>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    item: Vec<ItemToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemToml {
    domain: Spanned<String>,
    #[serde(default)]
    category: Option<Spanned<String>>,
    name: Spanned<String>,
    #[serde(default)]
    recipients: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    standard_text: Option<String>,
    #[serde(default)]
    standards: Vec<Spanned<String>>,
    #[serde(default)]
    funding: Option<String>,
    #[serde(default)]
    lead: Option<String>,
    #[serde(default)]
    window: Option<String>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteToml {
    slug: Spanned<String>,
    name: Spanned<String>,
    kind: String,
    #[serde(default)]
    place: Option<String>,
    description: Spanned<String>,
    source: Spanned<String>,
}

/// What the other files tell a services file: pilots, domains and each pilot's standards.
pub struct ServiceContext<'a> {
    pub pilots: &'a FxHashMap<&'a str, ()>,
    pub domains: &'a [Domain],
    /// Pilot slug → (normalised code or 《title》 → identity) for each of its standards,
    /// so an item may name a standard by either.
    pub standards: &'a FxHashMap<String, FxHashMap<String, String>>,
}

/// One services file, checked on its own: its lists and sites (none if it has errors),
/// and their slugs, which [`check_unique_slugs`] then compares across files.
#[derive(Clone)]
pub struct CheckedServices {
    services: Option<PilotServices>,
    slugs: Vec<Spanned<String>>,
}

/// Checks one services file, all but the uniqueness of its slugs across files.
pub fn check_services_file(
    file: &SourceFile,
    context: &ServiceContext,
    refs: &References,
    problems: &mut Diagnostics,
) -> Option<CheckedServices> {
    let parsed: ServicesFile = parse_file(file, problems)?;
    let slugs = parsed
        .list
        .iter()
        .map(|l| l.slug.clone())
        .chain(parsed.site.iter().map(|s| s.slug.clone()))
        .collect();
    Some(CheckedServices {
        services: check_entries(file, parsed, context, refs, problems),
        slugs,
    })
}

/// The lists and sites of a file that has no errors. `seen` holds the slugs of the
/// files before it, and where each was first used.
pub fn check_unique_slugs(
    file: &SourceFile,
    checked: CheckedServices,
    seen: &mut FxHashMap<String, String>,
    problems: &mut Diagnostics,
) -> Option<PilotServices> {
    let ctx = EntryContext { file, offset: 0 };
    let before = problems.error_count();
    for slug in &checked.slugs {
        check_unique(slug, seen, &ctx, problems);
    }
    if problems.error_count() > before {
        return None;
    }
    checked.services
}

fn check_entries(
    file: &SourceFile,
    parsed: ServicesFile,
    context: &ServiceContext,
    refs: &References,
    problems: &mut Diagnostics,
) -> Option<PilotServices> {
    let ctx = EntryContext { file, offset: 0 };
    let before = problems.error_count();
    check_pilot_of_file(&parsed.pilot, context.pilots, &ctx, problems);
    let pilot = parsed.pilot.get_ref().clone();
    let empty = FxHashMap::default();
    let pilot_standards = context.standards.get(&pilot).unwrap_or(&empty);

    let mut lists = Vec::new();
    for list in &parsed.list {
        let slug = parse_slug(&list.slug, file, 0, problems);
        let source = refs.source(&list.source, &ctx, problems);
        let title = required_text(&list.title, "title", &ctx, problems);
        let items: Vec<ServiceItemEntry> = list
            .item
            .iter()
            .filter_map(|item| check_item(item, context, pilot_standards, &ctx, problems))
            .collect();
        if let (Some(slug), Some(source)) = (slug, source) {
            lists.push(Arc::new(ServiceListEntry {
                slug,
                title,
                source,
                period: non_empty(&list.period),
                count: list.count,
                note: non_empty(&list.note),
                items,
            }));
        }
    }
    let mut sites = Vec::new();
    for site in &parsed.site {
        let slug = parse_slug(&site.slug, file, 0, problems);
        let source = refs.source(&site.source, &ctx, problems);
        let name = required_text(&site.name, "name", &ctx, problems);
        let description = required_text(&site.description, "description", &ctx, problems);
        if let (Some(slug), Some(source)) = (slug, source) {
            sites.push(DemoSiteEntry {
                slug,
                name,
                kind: site.kind.trim().to_string(),
                place: non_empty(&site.place),
                description,
                source,
            });
        }
    }
    if problems.error_count() > before {
        return None;
    }
    Some(PilotServices {
        pilot: crate::model::Slug::parse(&pilot).ok()?,
        lists,
        sites,
    })
}

fn check_unique(
    slug: &Spanned<String>,
    seen: &mut FxHashMap<String, String>,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) {
    let here = ctx.file.display_path();
    if let Some(first) = seen.get(slug.get_ref()) {
        problems.push(
            ctx.error(slug, format!("duplicate slug `{}`", slug.get_ref()))
                .expected(format!(
                    "a slug no other list or site uses; it is already used in {first}"
                )),
        );
    } else {
        seen.insert(slug.get_ref().clone(), here);
    }
}

fn check_item(
    item: &ItemToml,
    context: &ServiceContext,
    pilot_standards: &FxHashMap<String, String>,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<ServiceItemEntry> {
    let names: FxHashMap<&str, usize> = context
        .domains
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), i))
        .collect();
    let domain = resolve(&names, &item.domain, "domain", DOMAINS_FILE, ctx, problems)?;
    // An empty optional field is the same as a missing one (templates leave them "").
    let category = match item
        .category
        .as_ref()
        .filter(|c| !c.get_ref().trim().is_empty())
    {
        Some(category) => {
            let allowed: Vec<&str> = context.domains[domain]
                .categories
                .iter()
                .map(String::as_str)
                .collect();
            if !allowed.contains(&category.get_ref().as_str()) {
                problems.push(
                    ctx.error(
                        category,
                        format!(
                            "`{}` is not a category of {}",
                            category.get_ref(),
                            item.domain.get_ref()
                        ),
                    )
                    .expected(format!("one of {}", backticked(&allowed)))
                    .hint_opt(did_you_mean(category.get_ref(), allowed.iter().copied())),
                );
                return None;
            }
            Some(category.get_ref().clone())
        }
        None => None,
    };
    let mut standards = Vec::new();
    for reference in &item.standards {
        let Some(identity) = pilot_standards.get(&standard_identity(reference.get_ref())) else {
            problems.push(
                ctx.error(
                    reference,
                    format!(
                        "standard `{}` is not in this pilot's standards file",
                        reference.get_ref()
                    ),
                )
                .expected(
                    "the code or exact title of a standard in content/standards/<pilot>.toml",
                ),
            );
            continue;
        };
        standards.push(identity.clone());
    }
    let tags = item
        .tags
        .iter()
        .filter_map(|tag| {
            let names = SERVICE_GROUPS.map(|(name, _)| name);
            one_of(tag, &names, "tag", ctx, problems)
        })
        .map(str::to_string)
        .collect();
    Some(ServiceItemEntry {
        domain: crate::model::DomainId(domain),
        category,
        name: required_text(&item.name, "name", ctx, problems),
        recipients: non_empty(&item.recipients),
        content: non_empty(&item.content),
        standard_text: non_empty(&item.standard_text),
        standards,
        funding: non_empty(&item.funding),
        lead: non_empty(&item.lead),
        window: non_empty(&item.window),
        tags,
    })
}

/// The identity a reference from an item names: a normalised code, or the title in 《》.
pub fn standard_identity(reference: &str) -> String {
    match StandardCode::parse(reference) {
        Ok(code) => code.to_string(),
        Err(_) => format!("《{}》", bare_title(reference)),
    }
}
