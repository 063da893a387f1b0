//! `content/standards/<pilot>.toml`: the standards of one pilot's standard system and
//! the policy documents it names. Standard codes are parsed here, once; a code that does
//! not parse is kept verbatim with a warning, never dropped.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use toml::Spanned;

use super::dates::{warn_if_future, Day};
use super::{
    bare_title, check_pilot_of_file, non_empty, one_of, parse_file, EntryContext, References,
};
use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile};
use crate::model::{
    PilotStandards, Policy, Relation, Slug, StandardEntry, StandardKeys, StandardStatus,
};
use crate::standard_code::{KnownLevel, StandardCode, StandardLevel};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardsFile {
    pilot: Spanned<String>,
    #[serde(default)]
    standard: Vec<StandardToml>,
    #[serde(default)]
    policy: Vec<PolicyToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardToml {
    #[serde(default)]
    code: Option<Spanned<String>>,
    title: Spanned<String>,
    #[serde(default)]
    level: Option<Spanned<String>>,
    #[serde(default)]
    status: Option<Spanned<String>>,
    #[serde(default)]
    subsystem: Option<String>,
    relation: Spanned<String>,
    #[serde(default)]
    control: Option<String>,
    #[serde(default)]
    doc_type: Option<String>,
    #[serde(default)]
    issued: Option<Spanned<String>>,
    #[serde(default)]
    implemented: Option<Spanned<String>>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    source: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyToml {
    title: Spanned<String>,
    kind: Spanned<String>,
    source: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
}

const POLICY_KINDS: [&str; 8] = [
    "意见", "办法", "通知", "方案", "规划", "条例", "清单", "其他",
];

/// Checks one standards file. `pilots` are the slugs of the pilots that exist.
pub fn check_standards_file(
    file: &SourceFile,
    pilots: &FxHashMap<&str, ()>,
    refs: &References,
    today: Day,
    problems: &mut Diagnostics,
) -> Option<PilotStandards> {
    let parsed: StandardsFile = parse_file(file, problems)?;
    let ctx = EntryContext { file, offset: 0 };
    let before = problems.error_count();
    check_pilot_of_file(&parsed.pilot, pilots, &ctx, problems);

    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    let mut standards = Vec::new();
    for entry in &parsed.standard {
        if let Some(standard) = check_standard(entry, refs, &ctx, problems) {
            check_dates(entry, &standard, today, &ctx, problems);
            if let Some(key) = standard.code_key() {
                check_unique_code(key, entry, &mut codes, &ctx, problems);
            }
            standards.push(standard);
        }
    }
    let policies = parsed
        .policy
        .iter()
        .filter_map(|entry| check_policy(entry, refs, &ctx, problems))
        .collect();
    if problems.error_count() > before {
        return None;
    }
    Some(PilotStandards {
        pilot: Slug::parse(parsed.pilot.get_ref()).ok()?,
        standards,
        policies,
    })
}

fn check_standard(
    entry: &StandardToml,
    refs: &References,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<StandardEntry> {
    let title = bare_title(entry.title.get_ref());
    if title.is_empty() {
        problems.push(
            ctx.error(&entry.title, "`title` is empty")
                .expected("the standard's title"),
        );
    }
    let (code, raw_code) = check_code(entry.code.as_ref(), ctx, problems);
    let level = match &entry.level {
        Some(level) => Some(
            one_of(
                level,
                &StandardLevel::ALL.map(StandardLevel::name),
                "standard level",
                ctx,
                problems,
            )
            .and_then(StandardLevel::from_name)
            .map(KnownLevel::stated)?,
        ),
        None => code.as_ref().map(KnownLevel::from_code),
    };
    let status = match &entry.status {
        Some(status) => StandardStatus::from_name(one_of(
            status,
            &StandardStatus::ALL.map(StandardStatus::name),
            "status",
            ctx,
            problems,
        )?)?,
        None => StandardStatus::Unknown,
    };
    let relation = Relation::from_name(one_of(
        &entry.relation,
        &Relation::ALL.map(Relation::name),
        "relation",
        ctx,
        problems,
    )?)?;
    let source = refs.source(&entry.source, ctx, problems)?;
    if let Some(url) = &entry.url {
        if !(url.get_ref().starts_with("https://") || url.get_ref().starts_with("http://")) {
            problems.push(
                ctx.error(url, format!("`{}` is not a web address", url.get_ref()))
                    .expected("an http:// or https:// link to the full text"),
            );
            return None;
        }
    }
    let keys = StandardKeys::of(code.as_ref(), raw_code.as_deref(), &title);
    Some(StandardEntry {
        keys,
        code,
        raw_code,
        title,
        level,
        status,
        relation,
        subsystem: non_empty(&entry.subsystem),
        control: non_empty(&entry.control),
        doc_type: non_empty(&entry.doc_type),
        issued: non_empty_spanned(&entry.issued),
        implemented: non_empty_spanned(&entry.implemented),
        url: entry.url.as_ref().map(|u| u.get_ref().clone()),
        source,
        note: non_empty(&entry.note),
    })
}

fn non_empty_spanned(text: &Option<Spanned<String>>) -> Option<String> {
    non_empty(&text.as_ref().map(|t| t.get_ref().clone()))
}

/// A standard that is 现行 was issued and took effect; dates after today contradict it.
fn check_dates(
    entry: &StandardToml,
    standard: &StandardEntry,
    today: Day,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) {
    if let Some(issued) = &entry.issued {
        warn_if_future(
            issued.get_ref(),
            ctx.span(issued),
            "`issued`",
            "the date the standard was published, today or earlier",
            today,
            ctx,
            problems,
        );
    }
    if let Some(implemented) = entry.implemented.as_ref() {
        if standard.status == StandardStatus::Current {
            warn_if_future(
                implemented.get_ref(),
                ctx.span(implemented),
                "`implemented` of a 现行 standard",
                "status = \"即将实施\" for a standard not yet in force",
                today,
                ctx,
                problems,
            );
        }
    }
}

/// A parsed code, or the verbatim text of one that does not parse (with a warning).
fn check_code(
    code: Option<&Spanned<String>>,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> (Option<StandardCode>, Option<String>) {
    let Some(code) = code.filter(|c| !c.get_ref().trim().is_empty()) else {
        return (None, None);
    };
    match StandardCode::parse(code.get_ref()) {
        // The code names the standard's folder: `check` refuses what `build` could not write.
        Ok(parsed) if parsed.slug().len() > Slug::MAX_LEN => {
            problems.push(
                Diagnostic::error(
                    ctx.file,
                    ctx.span(code),
                    format!(
                        "this code makes a page address of {} characters, /standards/{}…/",
                        parsed.slug().len(),
                        parsed.slug().chars().take(24).collect::<String>()
                    ),
                )
                .expected(format!(
                    "a standard code that gives at most {} letters and digits",
                    Slug::MAX_LEN
                )),
            );
            (None, None)
        }
        Ok(parsed) => (Some(parsed), None),
        Err(cleaned) => {
            problems.push(
                Diagnostic::warning(
                    ctx.file,
                    ctx.span(code),
                    format!(
                        "standard code `{}` does not parse; it is kept as written",
                        code.get_ref()
                    ),
                )
                .expected(
                    "a code like `GB/T 37668-2019`, `DB11/T 1598.12-2021` or `Q/TWL TG101.01-2021`",
                ),
            );
            (None, Some(cleaned))
        }
    }
}

fn check_unique_code(
    key: &str,
    entry: &StandardToml,
    codes: &mut BTreeMap<String, usize>,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) {
    let Some(code) = &entry.code else { return };
    if let Some(&first) = codes.get(key) {
        let (line, _) = ctx.file.line_col(first);
        problems.push(
            ctx.error(
                code,
                format!("standard `{key}` is listed twice for this pilot"),
            )
            .expected(format!(
                "each standard once per pilot; first listed on line {line}"
            )),
        );
    } else {
        codes.insert(key.to_string(), ctx.span(code).start);
    }
}

fn check_policy(
    entry: &PolicyToml,
    refs: &References,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) -> Option<Policy> {
    let kind = one_of(&entry.kind, &POLICY_KINDS, "policy kind", ctx, problems)?;
    let source = refs.source(&entry.source, ctx, problems)?;
    Some(Policy {
        title: bare_title(entry.title.get_ref()),
        kind: kind.to_string(),
        source,
        note: non_empty(&entry.note),
    })
}
