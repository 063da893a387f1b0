//! What the search index holds: one record per pilot, standard, service item,
//! demonstration site and region, with the text to match, the facts a result shows
//! (type, region) and the facets to filter by. The index itself is built in `search`.

use std::collections::BTreeSet;

use super::services::item_anchor;
use super::Views;
use crate::model::{FigureKind, Pilot, RegionId, StandardId};
use crate::search::{SearchRecord, SearchSection};
use crate::standard_code::StandardCode;

impl Views<'_> {
    pub(super) fn search_records(&self) -> Vec<SearchRecord> {
        let mut records = Vec::new();
        records.extend(
            self.site
                .pilot_ids()
                .map(|id| self.pilot_search_record(self.site.pilot(id))),
        );
        records.extend(
            self.site
                .standard_ids()
                .map(|id| self.standard_search_record(id)),
        );
        records.extend(self.service_records());
        records.extend(self.site.demo_sites.iter().map(|demo| {
            let pilot = self.site.pilot(demo.pilot);
            SearchRecord {
                url: self
                    .base
                    .link(&format!("liangbiao/sites/{}/", demo.site.slug)),
                title: demo.site.name.clone(),
                kind: "示范点",
                regions: self.region_names(pilot.locations.iter().map(|l| l.region)),
                domains: self.domain_names(pilot),
                level: None,
                sections: Vec::new(),
                text: join(&[
                    &demo.site.name,
                    &demo.site.kind,
                    demo.site.place.as_deref().unwrap_or(""),
                    &demo.site.description,
                    &pilot.title,
                    &places(pilot),
                ]),
            }
        }));
        records.extend(self.site.domain_ids().map(|id| {
            let domain = self.site.domain(id);
            SearchRecord {
                url: self.base.link(&format!("domains/{}/", domain.slug)),
                title: domain.name.clone(),
                kind: "领域",
                regions: Vec::new(),
                domains: vec![domain.name.clone()],
                level: None,
                sections: Vec::new(),
                text: join(&[
                    &domain.name,
                    &domain.description,
                    &domain.categories.join(" "),
                ]),
            }
        }));
        records.extend(self.site.region_ids().map(|id| {
            let region = self.site.region(id);
            let pilots: Vec<&str> = self
                .site
                .pilots_in_region(id)
                .iter()
                .map(|&p| self.site.pilot(p).title.as_str())
                .collect();
            SearchRecord {
                url: self.base.link(&format!("regions/{}/", region.slug)),
                title: region.full_name.clone(),
                kind: "地区",
                regions: vec![region.name.clone()],
                domains: Vec::new(),
                level: None,
                sections: Vec::new(),
                text: format!("{} {} {}", region.full_name, region.name, pilots.join(" ")),
            }
        }));
        records
    }

    /// The search page: the facets to filter by, and where to browse without JavaScript.
    pub(super) fn search_page(&self) -> serde_json::Value {
        let site = self.site;
        let regions: Vec<&str> = site
            .region_ids()
            .map(|id| site.region(id).name.as_str())
            .collect();
        let domains: Vec<&str> = site
            .domain_ids()
            .map(|id| site.domain(id).name.as_str())
            .collect();
        serde_json::json!({
            "bundle_url": self.base.link(&format!("{}/", crate::search::SEARCH_DIR)),
            "facets": [
                { "param": "type", "label": "类型", "values": crate::search::RECORD_KINDS },
                { "param": "region", "label": "地区", "values": regions },
                { "param": "domain", "label": "服务领域", "values": domains },
                { "param": "level", "label": "标准层级", "values": ["国家", "行业", "地方", "团体", "企业"] },
            ],
            "browse": [
                { "name": "试点", "url": self.base.link("pilots/") },
                { "name": "标准", "url": self.base.link("standards/") },
                { "name": "地区", "url": self.base.link("regions/") },
                { "name": "服务领域", "url": self.base.link("domains/") },
                { "name": "亮标惠民服务清单", "url": self.base.link("liangbiao/") },
                { "name": "我能享受哪些服务", "url": self.base.link("liangbiao/who/") },
            ],
        })
    }

    fn pilot_search_record(&self, pilot: &Pilot) -> SearchRecord {
        let units: Vec<&str> = pilot
            .locations
            .iter()
            .map(|l| l.lead_unit.as_str())
            .collect();
        // Figures of kind `other` carry their own label (e.g. 公租房房源): words people search.
        let labels: Vec<&str> = pilot
            .figures
            .iter()
            .filter(|f| f.kind == FigureKind::Other)
            .map(|f| f.label.as_str())
            .collect();
        SearchRecord {
            url: self.pilot_url(pilot),
            title: pilot.title.clone(),
            kind: "试点",
            regions: self.region_names(pilot.locations.iter().map(|l| l.region)),
            domains: self.domain_names(pilot),
            level: None,
            sections: Vec::new(),
            text: join(&[
                &pilot.title,
                pilot.kind.name(),
                &places(pilot),
                &units.join(" "),
                &pilot.summary,
                &labels.join(" "),
                &pilot.body,
            ]),
        }
    }

    fn standard_search_record(&self, id: StandardId) -> SearchRecord {
        let standard = self.site.standard(id);
        let pilots: Vec<&str> = standard
            .uses
            .iter()
            .map(|u| self.site.pilot(u.pilot).title.as_str())
            .collect();
        let code = standard.code_text().unwrap_or_default();
        let variants = standard
            .code
            .as_ref()
            .map(code_variants)
            .unwrap_or_default();
        SearchRecord {
            url: self.standard_url(standard),
            title: standard.code_and_title(),
            kind: "标准",
            regions: self.region_names(self.site.regions_of_standard(id).iter().copied()),
            domains: Vec::new(),
            // Only a stated level is a filter: one a code's prefix suggests is no fact.
            level: standard
                .level
                .filter(|l| l.is_stated())
                .map(|l| l.level.name().to_string()),
            sections: Vec::new(),
            // The title first, so that snippets show it rather than the code variants.
            text: join(&[
                &standard.title,
                &code,
                &pilots.join(" "),
                &variants.join(" "),
            ]),
        }
    }

    /// One record per service list, its items as sections: a place or list name is
    /// matched once for the list, and an item's own words lead to the item.
    fn service_records(&self) -> Vec<SearchRecord> {
        let site = self.site;
        site.service_lists
            .iter()
            .map(|list| {
                let pilot = site.pilot(list.pilot);
                let sections: Vec<SearchSection> = list
                    .list
                    .items
                    .iter()
                    .zip(&list.item_standards)
                    .enumerate()
                    .map(|(index, (item, standards))| {
                        let standard_names: Vec<String> = standards
                            .iter()
                            .map(|&s| {
                                let s = site.standard(s);
                                format!("{} {}", s.code_text().unwrap_or_default(), s.title)
                            })
                            .collect();
                        SearchSection {
                            anchor: item_anchor(index),
                            title: item.name.clone(),
                            domain: site.domain(item.domain).name.clone(),
                            text: join(&[
                                item.category.as_deref().unwrap_or(""),
                                item.recipients.as_deref().unwrap_or(""),
                                item.content.as_deref().unwrap_or(""),
                                item.standard_text.as_deref().unwrap_or(""),
                                &standard_names.join(" "),
                                item.lead.as_deref().unwrap_or(""),
                                item.window.as_deref().unwrap_or(""),
                                &item.tags.join(" "),
                            ]),
                        }
                    })
                    .collect();
                let domains: BTreeSet<&str> = sections.iter().map(|s| s.domain.as_str()).collect();
                SearchRecord {
                    url: self.list_url(list),
                    title: list.list.title.clone(),
                    kind: "服务",
                    regions: self.region_names(pilot.locations.iter().map(|l| l.region)),
                    domains: domains.into_iter().map(str::to_string).collect(),
                    level: None,
                    text: join(&[&pilot.title, &places(pilot)]),
                    sections,
                }
            })
            .collect()
    }

    fn region_names(&self, ids: impl Iterator<Item = RegionId>) -> Vec<String> {
        let ids: BTreeSet<RegionId> = ids.collect();
        ids.into_iter()
            .map(|id| self.site.region(id).name.clone())
            .collect()
    }

    fn domain_names(&self, pilot: &Pilot) -> Vec<String> {
        pilot
            .domains
            .iter()
            .map(|&d| self.site.domain(d).name.clone())
            .collect()
    }
}

fn places(pilot: &Pilot) -> String {
    let places: Vec<String> = pilot
        .locations
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l.city.as_deref().unwrap_or(""),
                l.county.as_deref().unwrap_or("")
            )
        })
        .collect();
    places.join(" ")
}

fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("。")
}

/// How residents type a code from a poster: `GBT37668`, `GB/T37668`, `37668`,
/// `TG101`, `TG10101`. Each variant is indexed as one word, so that a query written
/// without spaces or punctuation still finds the standard.
pub(crate) fn code_variants(code: &StandardCode) -> Vec<String> {
    let squash = |s: &str| -> String { s.chars().filter(|c| c.is_ascii_alphanumeric()).collect() };
    let prefix = squash(&code.prefix);
    let number = squash(&code.number);
    let mut variants = vec![
        format!("{prefix}{number}"),
        format!("{}{}", code.prefix, code.number),
        number.clone(),
    ];
    if let Some(year) = code.year {
        variants.push(format!("{prefix}{number}{year}"));
        variants.push(format!("{number}{year}"));
    }
    // `TG101.01` → `TG101`; `1598.12` → `1598`: the part before the dot is what people
    // remember of a numbered series.
    if let Some((head, _)) = code.number.split_once('.') {
        variants.push(squash(head));
        variants.push(format!("{prefix}{}", squash(head)));
    }
    let mut seen = BTreeSet::new();
    variants.retain(|v| !v.is_empty() && seen.insert(v.clone()));
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_get_the_variants_people_type() {
        let code = StandardCode::parse("GB/T 37668-2019").unwrap();
        assert_eq!(
            code_variants(&code),
            [
                "GBT37668",
                "GB/T37668",
                "37668",
                "GBT376682019",
                "376682019"
            ]
        );
        let code = StandardCode::parse("Q/TWL TG101.01-2021").unwrap();
        let variants = code_variants(&code);
        for v in ["QTWLTG10101", "TG10101", "TG101", "QTWLTG101"] {
            assert!(variants.contains(&v.to_string()), "{v} not in {variants:?}");
        }
    }
}
