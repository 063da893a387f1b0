//! Open data: the same model as the pages, as JSON and CSV under `/data/`, with stable
//! keys, sorted records and a `schema_version`, plus the field descriptions the `/data/`
//! page shows. One model, several output formats, as Hugo does it.

use std::borrow::Cow;

use serde::Serialize;

use super::Views;
use crate::error::BuildError;
use crate::model::{Pilot, PilotId, StandardId};
use crate::output::OutputFile;

/// Bumped whenever a key is renamed or removed (adding keys keeps the version).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct PilotRecord {
    slug: String,
    url: String,
    title: String,
    kind: &'static str,
    domains: Vec<String>,
    locations: Vec<LocationRecord>,
    summary: String,
    updated: String,
    figures: Vec<FigureRecord>,
    standards: Vec<String>,
}

#[derive(Serialize)]
struct LocationRecord {
    region: String,
    region_name: String,
    city: Option<String>,
    county: Option<String>,
    lead_unit: String,
    evaluation_row: Option<u32>,
}

#[derive(Serialize)]
struct FigureRecord {
    key: &'static str,
    label: String,
    value: f64,
    unit: String,
    display: String,
    source: String,
    period: String,
    note: Option<String>,
    /// The source's exact words, checked against its text.
    quote: Option<String>,
}

#[derive(Serialize)]
struct StandardRecord {
    slug: String,
    url: String,
    code: Option<String>,
    prefix: Option<String>,
    number: Option<String>,
    year: Option<u16>,
    title: String,
    /// Only a level a source states.
    level: Option<&'static str>,
    /// The level the code's prefix suggests, when no source states one.
    level_from_code: Option<&'static str>,
    status: &'static str,
    issued: Option<String>,
    implemented: Option<String>,
    full_text_url: Option<String>,
    regions: Vec<String>,
    uses: Vec<UseRecord>,
}

#[derive(Serialize)]
struct UseRecord {
    pilot: String,
    relation: &'static str,
    subsystem: Option<String>,
    source: String,
}

#[derive(Serialize)]
struct ServiceListRecord {
    slug: String,
    url: String,
    pilot: String,
    title: String,
    source: String,
    period: Option<String>,
    count: Option<u32>,
    items: Vec<ServiceItemRecord>,
}

#[derive(Serialize)]
struct ServiceItemRecord {
    domain: String,
    category: Option<String>,
    name: String,
    recipients: Option<String>,
    content: Option<String>,
    standard_text: Option<String>,
    standards: Vec<String>,
    funding: Option<String>,
    lead: Option<String>,
    window: Option<String>,
    tags: Vec<String>,
}

/// One documented field of a data file, for the `/data/` page.
#[derive(Serialize)]
pub(super) struct FieldDoc {
    name: &'static str,
    meaning: &'static str,
}

impl Views<'_> {
    fn pilot_record(&self, id: PilotId) -> PilotRecord {
        let site = self.site;
        let pilot: &Pilot = site.pilot(id);
        let mut standards: Vec<String> = site
            .standards_of_pilot(id)
            .iter()
            .map(|&s| site.standard(s).slug.clone())
            .collect();
        standards.sort();
        PilotRecord {
            slug: pilot.slug.to_string(),
            url: self.base.absolute(&format!("pilots/{}/", pilot.slug)),
            title: pilot.title.clone(),
            kind: pilot.kind.name(),
            domains: pilot
                .domains
                .iter()
                .map(|&d| site.domain(d).name.clone())
                .collect(),
            locations: pilot
                .locations
                .iter()
                .map(|l| LocationRecord {
                    region: site.region(l.region).slug.to_string(),
                    region_name: site.region(l.region).name.clone(),
                    city: l.city.clone(),
                    county: l.county.clone(),
                    lead_unit: l.lead_unit.clone(),
                    evaluation_row: l.evaluation_row,
                })
                .collect(),
            summary: pilot.summary.clone(),
            updated: pilot.updated.clone(),
            figures: pilot
                .figures
                .iter()
                .map(|f| {
                    let source = site.source(f.source);
                    FigureRecord {
                        key: f.kind.key(),
                        label: f.label.clone(),
                        value: f.value,
                        unit: f.unit.clone(),
                        display: f.text(),
                        source: source.id.to_string(),
                        period: f.period.clone().unwrap_or_else(|| source.period.clone()),
                        note: f.note.clone(),
                        quote: f.quote.clone(),
                    }
                })
                .collect(),
            standards,
        }
    }

    fn standard_record(&self, id: StandardId) -> StandardRecord {
        let site = self.site;
        let standard = site.standard(id);
        StandardRecord {
            slug: standard.slug.clone(),
            url: self.base.absolute(&format!("standards/{}/", standard.slug)),
            code: standard.code_text(),
            prefix: standard.code.as_ref().map(|c| c.prefix.clone()),
            number: standard.code.as_ref().map(|c| c.number.clone()),
            year: standard.code.as_ref().and_then(|c| c.year),
            title: standard.title.clone(),
            level: standard
                .level
                .filter(|l| l.is_stated())
                .map(|l| l.level.name()),
            level_from_code: standard
                .level
                .filter(|l| !l.is_stated())
                .map(|l| l.level.name()),
            status: standard.status.name(),
            issued: standard.issued.clone(),
            implemented: standard.implemented.clone(),
            full_text_url: standard.url.clone(),
            regions: site
                .regions_of_standard(id)
                .iter()
                .map(|&r| site.region(r).slug.to_string())
                .collect(),
            uses: standard
                .uses
                .iter()
                .map(|u| UseRecord {
                    pilot: site.pilot(u.pilot).slug.to_string(),
                    relation: u.relation.name(),
                    subsystem: u.subsystem.clone(),
                    source: site.source(u.source).id.to_string(),
                })
                .collect(),
        }
    }

    fn service_list_record(&self, list: &crate::model::ServiceList) -> ServiceListRecord {
        let site = self.site;
        let entry = &list.list;
        ServiceListRecord {
            slug: entry.slug.to_string(),
            url: self.base.absolute(&format!("liangbiao/{}/", entry.slug)),
            pilot: site.pilot(list.pilot).slug.to_string(),
            title: entry.title.clone(),
            source: site.source(entry.source).id.to_string(),
            period: entry.period.clone(),
            count: entry.count,
            items: entry
                .items
                .iter()
                .zip(&list.item_standards)
                .map(|(item, standards)| ServiceItemRecord {
                    domain: site.domain(item.domain).name.clone(),
                    category: item.category.clone(),
                    name: item.name.clone(),
                    recipients: item.recipients.clone(),
                    content: item.content.clone(),
                    standard_text: item.standard_text.clone(),
                    standards: standards
                        .iter()
                        .map(|&s| site.standard(s).slug.clone())
                        .collect(),
                    funding: item.funding.clone(),
                    lead: item.lead.clone(),
                    window: item.window.clone(),
                    tags: item.tags.clone(),
                })
                .collect(),
        }
    }

    /// `data/pilots.json`, `data/standards.json`, `data/services.json` and `data/standards.csv`.
    pub(super) fn data_files(&self) -> Result<Vec<OutputFile>, BuildError> {
        let site = self.site;
        let mut pilots: Vec<PilotRecord> =
            site.pilot_ids().map(|id| self.pilot_record(id)).collect();
        pilots.sort_by(|a, b| a.slug.cmp(&b.slug));
        let mut standards: Vec<StandardRecord> = site
            .standard_ids()
            .map(|id| self.standard_record(id))
            .collect();
        standards.sort_by(|a, b| a.slug.cmp(&b.slug));
        let mut services: Vec<ServiceListRecord> = site
            .service_lists
            .iter()
            .map(|l| self.service_list_record(l))
            .collect();
        services.sort_by(|a, b| a.slug.cmp(&b.slug));

        Ok(vec![
            json_file("pilots", &pilots),
            json_file("standards", &standards),
            json_file("services", &services),
            OutputFile {
                path: "data/standards.csv".into(),
                bytes: standards_csv(&standards).map_err(|message| BuildError::Asset {
                    path: "data/standards.csv".into(),
                    message,
                })?,
            },
        ])
    }

    pub(super) fn data_page(&self) -> serde_json::Value {
        let site = self.site;
        serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "files": [
                { "name": "pilots.json", "url": self.base.link("data/pilots.json"), "records": site.pilots.len(), "what": "试点", "fields": PILOT_FIELDS },
                { "name": "standards.json", "url": self.base.link("data/standards.json"), "records": site.standards.len(), "what": "标准", "fields": STANDARD_FIELDS },
                { "name": "services.json", "url": self.base.link("data/services.json"), "records": site.service_lists.len(), "what": "服务清单", "fields": SERVICE_FIELDS },
                { "name": "standards.csv", "url": self.base.link("data/standards.csv"), "records": site.standards.len(), "what": "标准（表格）", "fields": CSV_FIELDS },
            ],
        })
    }
}

/// `{"schema_version": N, "<key>": [records]}` at `data/<key>.json`.
fn json_file<T: Serialize>(key: &str, records: &[T]) -> OutputFile {
    let body = serde_json::json!({ "schema_version": SCHEMA_VERSION, key: records });
    OutputFile {
        path: format!("data/{key}.json"),
        bytes: format!("{body}\n").into_bytes(),
    }
}

const CSV_HEADER: [&str; 10] = [
    "slug",
    "code",
    "title",
    "level",
    "status",
    "pilots",
    "relations",
    "regions",
    "url",
    "level_from_code",
];

/// UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly.
fn standards_csv(standards: &[StandardRecord]) -> Result<Vec<u8>, String> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(CSV_HEADER).map_err(|e| e.to_string())?;
    for s in standards {
        let join =
            |f: &dyn Fn(&UseRecord) -> String| s.uses.iter().map(f).collect::<Vec<_>>().join(";");
        writer
            .write_record(
                [
                    s.slug.as_str(),
                    s.code.as_deref().unwrap_or(""),
                    &s.title,
                    s.level.unwrap_or(""),
                    s.status,
                    &join(&|u| u.pilot.clone()),
                    &join(&|u| u.relation.to_string()),
                    &s.regions.join(";"),
                    &s.url,
                    s.level_from_code.unwrap_or(""),
                ]
                .map(|cell| spreadsheet_cell(cell).into_owned()),
            )
            .map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

/// A cell as a spreadsheet will read it as text: one starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return would be run as a formula when an official opens the file
/// (the BOM makes Excel open it directly), so it gets a leading `'` (OWASP's rule). Every
/// cell of every CSV the site publishes goes through here.
fn spreadsheet_cell(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

const PILOT_FIELDS: &[FieldDoc] = &[
    FieldDoc { name: "slug", meaning: "试点的英文标识，也是页面地址的一部分" },
    FieldDoc { name: "url", meaning: "试点页面的完整地址" },
    FieldDoc { name: "title", meaning: "试点项目名称（与考核评估通过项目表一致）" },
    FieldDoc { name: "kind", meaning: "试点类型：综合试点、专项试点或区域协调联动试点" },
    FieldDoc { name: "domains", meaning: "涉及的服务领域名称；综合试点为全部九个领域" },
    FieldDoc { name: "locations", meaning: "所在地区，每个省级行政区一条：region（地区标识）、region_name、city（所属地级市，只在资料写明时给出，否则为 null）、county、lead_unit（承担单位）、evaluation_row（项目表序号）" },
    FieldDoc { name: "summary", meaning: "一两句话的概括" },
    FieldDoc { name: "updated", meaning: "本条内容最后更新日期（YYYY-MM-DD）" },
    FieldDoc { name: "figures", meaning: "主要数字：key、label、value（数值）、unit、display（按资料原文的写法）、source（资料标识）、period（所描述的时期）、note、quote（数字所依据的资料原文，逐字核对过；尚未摘录时为 null）；同一 key 可有多条，来自不同资料，考核评估项目表的在前" },
    FieldDoc { name: "standards", meaning: "资料中点名的标准的标识（对应 standards.json 的 slug）" },
];

const STANDARD_FIELDS: &[FieldDoc] = &[
    FieldDoc { name: "slug", meaning: "标准的英文标识，也是页面地址的一部分" },
    FieldDoc { name: "url", meaning: "标准页面的完整地址" },
    FieldDoc { name: "code", meaning: "标准编号（统一了全角字符、破折号和空格的写法）；资料未给出编号时为 null" },
    FieldDoc { name: "prefix / number / year", meaning: "标准编号拆分出的代号、顺序号和年号" },
    FieldDoc { name: "title", meaning: "标准名称" },
    FieldDoc { name: "level", meaning: "层级：国家、行业、地方、团体、企业，只限资料说明的层级；资料未说明时为 null" },
    FieldDoc { name: "level_from_code", meaning: "资料未说明层级时，按编号代号推断的层级（如 Q/ 开头推断为企业）；这是推断，不是资料所说的事实；其余为 null" },
    FieldDoc { name: "status", meaning: "状态：现行、即将实施、废止、有更新版、被代替或未知" },
    FieldDoc { name: "issued / implemented", meaning: "发布、实施日期（按资料原文）" },
    FieldDoc { name: "full_text_url", meaning: "标准全文的公开地址（资料给出时）" },
    FieldDoc { name: "regions", meaning: "使用该标准的试点所在地区标识" },
    FieldDoc { name: "uses", meaning: "使用该标准的试点：pilot（试点标识）、relation（制定、参与制定、引用等）、subsystem（所属子体系）、source（资料标识）" },
];

const SERVICE_FIELDS: &[FieldDoc] = &[
    FieldDoc { name: "slug, url", meaning: "服务清单的标识和页面地址" },
    FieldDoc { name: "pilot", meaning: "所属试点的标识" },
    FieldDoc { name: "title, source, period", meaning: "清单名称、资料标识、所描述的时期" },
    FieldDoc { name: "count", meaning: "资料所述的事项数量；资料只给数量时 items 为空" },
    FieldDoc { name: "items", meaning: "事项：domain（领域）、category（服务类别）、name、recipients（服务对象）、content（服务内容）、standard_text（服务标准）、standards（标准标识）、funding（支出责任）、lead（牵头负责单位）、window（承办窗口）、tags（服务人群）" },
];

const CSV_FIELDS: &[FieldDoc] = &[
    FieldDoc {
        name: "slug, code, title, level, status, url, level_from_code",
        meaning: "同 standards.json",
    },
    FieldDoc {
        name: "pilots",
        meaning: "使用该标准的试点标识，多个时以分号分隔",
    },
    FieldDoc {
        name: "relations",
        meaning: "与 pilots 一一对应的关系，以分号分隔",
    },
    FieldDoc {
        name: "regions",
        meaning: "地区标识，以分号分隔",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_get_a_quote() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_cell(cell), format!("'{cell}"));
        }
        for cell in ["GB/T 37668-2019", "养老服务", "", "1+1"] {
            assert_eq!(spreadsheet_cell(cell), cell);
        }
    }
}
