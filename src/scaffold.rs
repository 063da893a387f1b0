//! `liangbiao new`: a new entry with every field present and explained in Chinese and
//! English, so editors fill in blanks instead of remembering a format. Required fields
//! start empty, so `check` names each one until it is filled; nothing is overwritten.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diagnostics::did_you_mean;
use crate::load::{PILOTS_DIR, REGIONS_FILE, SERVICES_DIR, STANDARDS_DIR};
use crate::model::Slug;
use crate::validate::Day;

/// The kinds of entry `new` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Pilot,
    Standard,
    ServiceList,
    Region,
    DemoSite,
}

/// What `new` did: the file, and whether it was created or had an entry appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub path: PathBuf,
    pub created: bool,
}

/// Why `new` wrote nothing.
#[derive(Debug)]
pub enum NewEntryError {
    BadSlug(String),
    PilotNeeded(EntryKind),
    UnknownPilot {
        slug: String,
        hint: Option<String>,
    },
    Exists {
        slug: String,
        path: PathBuf,
    },
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl fmt::Display for NewEntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewEntryError::BadSlug(message) => write!(
                f,
                "{message}: use lowercase ASCII letters, digits and single hyphens, e.g. xicheng or chengdu-gaoxin"
            ),
            NewEntryError::PilotNeeded(kind) => write!(
                f,
                "a {} belongs to a pilot: add --pilot <pilot-slug>",
                kind.name()
            ),
            NewEntryError::UnknownPilot { slug, hint } => {
                write!(f, "there is no pilot `{slug}` in {PILOTS_DIR}/")?;
                match hint {
                    Some(hint) => write!(f, "; {hint}"),
                    None => write!(f, "; create it first with `liangbiao new pilot {slug}`"),
                }
            }
            NewEntryError::Exists { slug, path } => write!(
                f,
                "`{slug}` already exists in {}; nothing was written",
                path.display()
            ),
            NewEntryError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for NewEntryError {}

impl EntryKind {
    pub const ALL: [EntryKind; 5] = [
        EntryKind::Pilot,
        EntryKind::Standard,
        EntryKind::ServiceList,
        EntryKind::Region,
        EntryKind::DemoSite,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Pilot => "pilot",
            EntryKind::Standard => "standard",
            EntryKind::ServiceList => "service list",
            EntryKind::Region => "region",
            EntryKind::DemoSite => "demonstration site",
        }
    }
}

/// Writes a new entry of `kind` under `root`. `slug` names the entry; for a standard,
/// which has no slug of its own, it names the pilot whose standard system it joins.
pub fn new_entry(
    root: &Path,
    kind: EntryKind,
    slug: &str,
    pilot: Option<&str>,
) -> Result<NewEntry, NewEntryError> {
    let slug = Slug::parse(slug).map_err(NewEntryError::BadSlug)?;
    let today = Day::today().to_string();
    match kind {
        EntryKind::Pilot => {
            let path = root.join(PILOTS_DIR).join(format!("{slug}.md"));
            if path.exists() {
                return Err(exists(&slug, &path));
            }
            let text = PILOT
                .replace("{slug}", slug.as_str())
                .replace("{today}", &today);
            write_entry(&path, &text, None)
        }
        EntryKind::Standard => {
            let pilot = existing_pilot(root, slug.as_str())?;
            let path = root.join(STANDARDS_DIR).join(format!("{pilot}.toml"));
            write_entry(&path, STANDARD, Some(&format!("pilot = \"{pilot}\"\n")))
        }
        EntryKind::ServiceList | EntryKind::DemoSite => {
            let pilot = existing_pilot(root, pilot.ok_or(NewEntryError::PilotNeeded(kind))?)?;
            if let Some(path) = services_file_with_slug(root, slug.as_str()) {
                return Err(exists(&slug, &path));
            }
            let path = root.join(SERVICES_DIR).join(format!("{pilot}.toml"));
            let template = if kind == EntryKind::ServiceList {
                SERVICE_LIST
            } else {
                DEMO_SITE
            };
            let text = template.replace("{slug}", slug.as_str());
            write_entry(&path, &text, Some(&format!("pilot = \"{pilot}\"\n")))
        }
        EntryKind::Region => {
            let path = root.join(REGIONS_FILE);
            if toml_slugs(&path, &["region"]).contains(&slug.to_string()) {
                return Err(exists(&slug, &path));
            }
            write_entry(&path, &REGION.replace("{slug}", slug.as_str()), None)
        }
    }
}

fn exists(slug: &Slug, path: &Path) -> NewEntryError {
    NewEntryError::Exists {
        slug: slug.to_string(),
        path: path.to_path_buf(),
    }
}

/// The pilot's slug if `content/pilots/<slug>.md` exists, else the nearest one as a hint.
fn existing_pilot(root: &Path, slug: &str) -> Result<String, NewEntryError> {
    let dir = root.join(PILOTS_DIR);
    if dir.join(format!("{slug}.md")).is_file() {
        return Ok(slug.to_string());
    }
    let known: Vec<String> = fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".md").map(str::to_string)
        })
        .collect();
    Err(NewEntryError::UnknownPilot {
        slug: slug.to_string(),
        hint: did_you_mean(slug, known.iter().map(String::as_str)),
    })
}

/// The services file that already has a list or site with this slug, if any.
fn services_file_with_slug(root: &Path, slug: &str) -> Option<PathBuf> {
    let dir = root.join(SERVICES_DIR);
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files.into_iter().find(|path| {
        toml_slugs(path, &["list", "site"])
            .iter()
            .any(|s| s == slug)
    })
}

/// The `slug` values of the arrays of tables `keys` in a TOML file (none if unreadable:
/// `check` reports broken files; `new` only needs to avoid duplicates).
fn toml_slugs(path: &Path, keys: &[&str]) -> Vec<String> {
    let Ok(text) = fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    keys.iter()
        .filter_map(|key| table.get(*key).and_then(|v| v.as_array()))
        .flatten()
        .filter_map(|entry| entry.get("slug").and_then(|s| s.as_str()))
        .map(str::to_string)
        .collect()
}

/// Creates `path` with `header` then `entry`, or appends `entry` to an existing file,
/// leaving everything already in it exactly as it was.
fn write_entry(path: &Path, entry: &str, header: Option<&str>) -> Result<NewEntry, NewEntryError> {
    let io = |error| NewEntryError::Io {
        path: path.to_path_buf(),
        error,
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io)?;
    }
    if path.exists() {
        let existing = fs::read_to_string(path).map_err(io)?;
        let separator = if existing.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        let mut file = fs::OpenOptions::new().append(true).open(path).map_err(io)?;
        file.write_all(format!("{separator}{entry}").as_bytes())
            .map_err(io)?;
        return Ok(NewEntry {
            path: path.to_path_buf(),
            created: false,
        });
    }
    let text = format!(
        "{}{}{entry}",
        header.unwrap_or(""),
        if header.is_some() { "\n" } else { "" }
    );
    // `create_new` so that a file appearing meanwhile is never overwritten.
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    Ok(NewEntry {
        path: path.to_path_buf(),
        created: true,
    })
}

const PILOT: &str = r#"+++
# 新试点 / New pilot. Fill in every field left empty (""), then run `liangbiao check`.
# 格式说明 / Format: docs/content-format.md
title = ""                  # 必填：考核评估项目表中的试点全称 / required: exact name from the evaluation table
slug = "{slug}"             # 网址 /pilots/{slug}/，与文件名一致 / URL and file name; do not change
kind = ""                   # 必填：综合试点 | 专项试点 | 区域协调联动试点 / required: the pilot's kind
# domains = ["老有所养"]     # 专项、区域协调联动试点必填：服务领域；综合试点不填 / required unless 综合试点
summary = ""                # 必填：一两句话概述，用自己的话 / required: one or two sentences, your own words
updated = {today}        # 最后编辑日期 / date of the last edit
sources = ["evaluation"]    # 依据的资料（content/sources.toml 中的 id） / source ids
draft = true                # 草稿不发布；写完后删去此行 / drafts are not published; delete when done

[[locations]]               # 每个所在省份一条 / one per region the pilot is in
region = ""                 # 必填：省份 slug，如 beijing（content/regions.toml） / required: region slug
city = ""                   # 所属地级市或直辖市，只在资料写明时填写，否则删去此行 / the city, only where a source names it; else delete
county = ""                 # 可选：区县 / optional: county or district
lead_unit = ""              # 必填：承担单位，与项目表一致 / required: 承担单位 as in the evaluation table
# evaluation_row = 50       # 可选：项目表序号 / optional: row number in the evaluation table

# [[figures]]               # 可选：每个数字注明来源 / optional: every figure names its source
# key = "service_items"     # 见 docs/content-format.md 的数字键表 / see the figure keys table
# value = 0
# source = "evaluation"
# quote = "……"              # 数字所依据的资料原文，逐字从 sources/<来源>.txt 复制；构建时核对 / the source's exact words, copied from sources/<id>.txt; checked
# display = "0项"           # 可选：资料原文写法 / optional: as the source prints it
# period = "截至2022年10月"  # 可选 / optional: period the figure describes
+++

（用自己的话概述试点的做法和成效；可以用 ## 小标题、- 列表和 [链接](/pilots/其他试点/)。）
（Summarise the pilot's measures and results in your own words.）
"#;

const STANDARD: &str = r#"[[standard]]                # 新标准 / new standard; format: docs/standards-format.md
code = ""                   # 可选：标准编号，照资料原文，如 GB/T 37668-2019 / optional: code as printed
title = ""                  # 必填：标准名称，不带书名号 / required: title without 《》
# level = "地方"            # 资料说明层级时填写：国家 | 行业 | 地方 | 团体 | 企业；省略时按编号推断并注明“按编号推断” / only as the source states it; else inferred from the code and shown as such
status = "未知"             # 现行 | 即将实施 | 废止 | 有更新版 | 被代替 | 未知
subsystem = ""              # 可选：所属子体系 / optional: subsystem as the source files it
relation = ""               # 必填：制定 | 参与制定 | 引用 | 上升为国家标准 | 上升为行业标准 | 上升为地方标准 | 上升为团体标准
issued = ""                 # 可选：发布日期，如 2021-06-01 / optional: date issued
implemented = ""            # 可选：实施日期 / optional: date in force
source = "evaluation"       # 资料 id（content/sources.toml） / source id
note = ""                   # 可选：简短说明，用自己的话 / optional: short note, your own words
"#;

const SERVICE_LIST: &str = r#"[[list]]                    # 新服务清单 / new service list; format: docs/services-format.md
slug = "{slug}"             # 网址 /liangbiao/{slug}/ / URL; unique across all lists
title = ""                  # 必填：清单名称，照资料原文 / required: the list's name as the source gives it
source = "evaluation"       # 资料 id（content/sources.toml） / source id
period = ""                 # 可选：清单所指的时期 / optional: what period the list describes
# count = 0                 # 可选：资料所说的事项数 / optional: number of items the source gives
note = ""                   # 可选 / optional

[[list.item]]               # 每个服务事项一条；资料没有列出事项时删去 / one per item; delete if the source names none
domain = ""                 # 必填：九个服务领域之一，如 老有所养 / required: one of the nine domains
category = ""               # 可选：该领域的服务类别 / optional: one of the domain's categories
name = ""                   # 必填：服务项目 / required: the service
recipients = ""             # 可选：服务对象 / optional: who qualifies
content = ""                # 可选：服务内容 / optional: what one gets
standard_text = ""          # 可选：服务标准（文字） / optional: the standard as text
standards = []              # 可选：本试点标准文件中的编号或名称 / optional: codes or titles from the pilot's standards file
funding = ""                # 可选：支出责任 / optional
lead = ""                   # 可选：牵头负责单位 / optional: responsible agency
window = ""                 # 可选：承办窗口 / optional: where to go
tags = []                   # 可选：老年人 残疾人 儿童 学生 失业人员 退役军人 困难群众 孕产妇 新市民 患者 居民
"#;

const DEMO_SITE: &str = r#"[[site]]                    # 新示范点 / new demonstration site; format: docs/services-format.md
slug = "{slug}"             # 网址 /liangbiao/sites/{slug}/ / URL; unique across all sites
name = ""                   # 必填：示范点名称 / required: name
kind = "示范点"             # 资料中的称呼 / as the source calls it
place = ""                  # 可选：地址或区域 / optional: address or area
description = ""            # 必填：一两句话，用自己的话 / required: one or two sentences
source = "evaluation"       # 资料 id（content/sources.toml） / source id
"#;

const REGION: &str = r#"[[region]]                  # 新地区 / new region; format: docs/content-format.md
slug = "{slug}"             # 网址 /regions/{slug}/ / URL
name = ""                   # 必填：简称，如 北京 / required: short name
full_name = ""              # 必填：全称，如 北京市 / required: full name
code = ""                   # 必填：GB/T 2260 六位代码 / required: six-digit GB/T 2260 code
order = 99                  # 显示顺序 / display order
tile = [8, 1]               # 地图方格 [行, 列] / [row, column] on the tile map
"#;
