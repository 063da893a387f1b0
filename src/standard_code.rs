//! Standard codes (标准编号) such as `GB/T 37668-2019` or `Q/TWL TG101.01-2021`, parsed
//! once into prefix, number and year after cleaning up how real documents write them:
//! full-width characters, em and en dashes, `∕` for `/`, a missing space.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// The level of a standard (标准层级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StandardLevel {
    National,
    Industry,
    Local,
    Group,
    Enterprise,
}

impl StandardLevel {
    pub const ALL: [StandardLevel; 5] = [
        StandardLevel::National,
        StandardLevel::Industry,
        StandardLevel::Local,
        StandardLevel::Group,
        StandardLevel::Enterprise,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StandardLevel::National => "国家",
            StandardLevel::Industry => "行业",
            StandardLevel::Local => "地方",
            StandardLevel::Group => "团体",
            StandardLevel::Enterprise => "企业",
        }
    }

    pub fn from_name(name: &str) -> Option<StandardLevel> {
        StandardLevel::ALL.into_iter().find(|l| l.name() == name)
    }
}

/// How the site knows a standard's level. A code's prefix only suggests one: the 20
/// `Q/TWL` codes of 通武廊 read as 企业, yet their source calls them 内控文件 and
/// 试点文件, so a level taken from the prefix is never shown as a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LevelBasis {
    /// The entry gives it (`level = "国家"`), from what its source says.
    Stated,
    /// Inferred from the code's prefix alone: shown as 按编号推断.
    FromCode,
}

/// A standard's level with how it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KnownLevel {
    pub level: StandardLevel,
    pub basis: LevelBasis,
}

impl KnownLevel {
    pub fn stated(level: StandardLevel) -> KnownLevel {
        KnownLevel {
            level,
            basis: LevelBasis::Stated,
        }
    }

    pub fn from_code(code: &StandardCode) -> KnownLevel {
        KnownLevel {
            level: code.implied_level(),
            basis: LevelBasis::FromCode,
        }
    }

    pub fn is_stated(self) -> bool {
        self.basis == LevelBasis::Stated
    }

    /// The level as pages show it: `企业`, or `企业（按编号推断）`.
    pub fn label(self) -> &'static str {
        use StandardLevel::*;
        match (self.basis, self.level) {
            (LevelBasis::Stated, level) => level.name(),
            (LevelBasis::FromCode, National) => "国家（按编号推断）",
            (LevelBasis::FromCode, Industry) => "行业（按编号推断）",
            (LevelBasis::FromCode, Local) => "地方（按编号推断）",
            (LevelBasis::FromCode, Group) => "团体（按编号推断）",
            (LevelBasis::FromCode, Enterprise) => "企业（按编号推断）",
        }
    }

    /// One standard listed by several pilots: a level an entry states wins over one
    /// another entry's code implies, and the first stated wins over later ones.
    pub fn merge(first: Option<KnownLevel>, next: Option<KnownLevel>) -> Option<KnownLevel> {
        match (first, next) {
            (Some(a), Some(b)) if !a.is_stated() && b.is_stated() => Some(b),
            (a, b) => a.or(b),
        }
    }
}

/// A parsed standard code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StandardCode {
    /// `GB/T`, `DB11/T`, `Q/TWL`, `T/CAS`, `YC/T` …
    pub prefix: String,
    /// `37668`, `1598.12`, `TG101.01` …
    pub number: String,
    /// Four-digit year; two-digit years of old codes are read as 19xx.
    pub year: Option<u16>,
}

impl StandardCode {
    /// Parses a code as written in a document. `Err` carries the cleaned-up text, so that
    /// a code that does not parse can still be shown verbatim.
    pub fn parse(raw: &str) -> Result<StandardCode, String> {
        let text = normalize(raw);
        let (prefix, rest) = split_prefix(&text).ok_or_else(|| text.clone())?;
        let rest = rest.trim();
        let (number, year) = match rest.rsplit_once('-') {
            Some((number, year)) if is_year(year) => (number.trim(), Some(parse_year(year))),
            _ => (rest, None),
        };
        if !is_number(number) {
            return Err(text);
        }
        Ok(StandardCode {
            prefix,
            number: number.to_string(),
            year,
        })
    }

    /// The level the prefix implies: a guess from the code's form, never a stated fact
    /// (see [`KnownLevel`]).
    pub fn implied_level(&self) -> StandardLevel {
        let base = self.prefix.split('/').next().unwrap_or("");
        match (base, self.prefix.contains('/')) {
            ("GB" | "GBZ", _) => StandardLevel::National,
            ("T", true) => StandardLevel::Group,
            ("Q", true) => StandardLevel::Enterprise,
            // `DB/T` is the earthquake industry's prefix, not a local standard.
            ("DB", _) => StandardLevel::Industry,
            (db, _) if db.starts_with("DB") => StandardLevel::Local,
            _ => StandardLevel::Industry,
        }
    }

    /// A URL-safe slug: `GB/T 37668-2019` → `gb-t-37668-2019`.
    pub fn slug(&self) -> String {
        let mut slug = String::new();
        for c in self.to_string().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') {
                slug.push('-');
            }
        }
        slug.trim_matches('-').to_string()
    }
}

impl fmt::Display for StandardCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.prefix, self.number)?;
        if let Some(year) = self.year {
            write!(f, "-{year}")?;
        }
        Ok(())
    }
}

/// NFKC (full-width → ASCII), every dash → `-`, `∕` → `/`, spaces collapsed, upper case.
fn normalize(raw: &str) -> String {
    let text: String = raw
        .nfkc()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => '-',
            '\u{2215}' | '\u{2044}' => '/',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.replace(" / ", "/")
        .replace("/ ", "/")
        .replace(" /", "/")
        .replace(" - ", "-")
        .replace(" -", "-")
        .replace("- ", "-")
}

/// Splits `GB/T 37668-2019` into `GB/T` and `37668-2019`, also without the space.
fn split_prefix(text: &str) -> Option<(String, &str)> {
    let letters = text.bytes().take_while(u8::is_ascii_uppercase).count();
    if letters == 0 {
        return None;
    }
    let mut end = letters;
    let bytes = text.as_bytes();
    // Local standards carry an area code: DB11, DB4403.
    if &text[..letters] == "DB" {
        end += bytes[end..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    }
    if bytes.get(end) == Some(&b'/') {
        let org = &text[end + 1..];
        let org_len = if matches!(&text[..letters], "T" | "Q") {
            // Group and enterprise codes name their organisation: T/CAS, Q/TWL.
            org.find(' ')
                .unwrap_or_else(|| org.bytes().take_while(u8::is_ascii_uppercase).count())
        } else {
            org.bytes().take_while(u8::is_ascii_uppercase).count()
        };
        if org_len == 0 {
            return None;
        }
        end += 1 + org_len;
    } else if letters > 4 && end == letters {
        return None;
    }
    Some((text[..end].to_string(), &text[end..]))
}

fn is_year(text: &str) -> bool {
    (text.len() == 4 || text.len() == 2) && text.bytes().all(|b| b.is_ascii_digit())
}

fn parse_year(text: &str) -> u16 {
    let value: u16 = text.parse().unwrap_or(0);
    if text.len() == 2 {
        1900 + value
    } else {
        value
    }
}

/// `37668`, `1598.12`, `TG101.01`, `2.1`: optional letters, then digits and dots.
fn is_number(text: &str) -> bool {
    let digits_from = text.bytes().take_while(u8::is_ascii_uppercase).count();
    let tail = &text[digits_from..];
    !tail.is_empty()
        && tail.as_bytes()[0].is_ascii_digit()
        && tail.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !tail.ends_with('.')
}

#[cfg(test)]
mod tests {
    use super::StandardLevel::*;
    use super::*;

    /// As written, prefix, number, year, level, slug.
    type CodeCase = (
        &'static str,
        &'static str,
        &'static str,
        Option<u16>,
        StandardLevel,
        &'static str,
    );

    #[test]
    fn real_world_codes_parse_into_their_parts() {
        let table: &[CodeCase] = &[
            (
                "GB/T 37668-2019",
                "GB/T",
                "37668",
                Some(2019),
                National,
                "gb-t-37668-2019",
            ),
            (
                "DB11/T 1598.12-2021",
                "DB11/T",
                "1598.12",
                Some(2021),
                Local,
                "db11-t-1598-12-2021",
            ),
            (
                "Q/TWL TG101.01-2021",
                "Q/TWL",
                "TG101.01",
                Some(2021),
                Enterprise,
                "q-twl-tg101-01-2021",
            ),
            (
                "T/CAS 290-2017",
                "T/CAS",
                "290",
                Some(2017),
                Group,
                "t-cas-290-2017",
            ),
            (
                "DB4403/T 489—2024",
                "DB4403/T",
                "489",
                Some(2024),
                Local,
                "db4403-t-489-2024",
            ),
            (
                "GB/T1.1—2020",
                "GB/T",
                "1.1",
                Some(2020),
                National,
                "gb-t-1-1-2020",
            ),
            (
                "YC∕T 578-2019",
                "YC/T",
                "578",
                Some(2019),
                Industry,
                "yc-t-578-2019",
            ),
            (
                "GB/Z 39087-2020",
                "GB/Z",
                "39087",
                Some(2020),
                National,
                "gb-z-39087-2020",
            ),
            (
                "GBZ 2.1-2019",
                "GBZ",
                "2.1",
                Some(2019),
                National,
                "gbz-2-1-2019",
            ),
            (
                "DB/T 29-2017",
                "DB/T",
                "29",
                Some(2017),
                Industry,
                "db-t-29-2017",
            ),
            (
                "MZ/T 064-2016",
                "MZ/T",
                "064",
                Some(2016),
                Industry,
                "mz-t-064-2016",
            ),
            (
                "WS 375.1-2012",
                "WS",
                "375.1",
                Some(2012),
                Industry,
                "ws-375-1-2012",
            ),
            (
                "GB 50763-2012",
                "GB",
                "50763",
                Some(2012),
                National,
                "gb-50763-2012",
            ),
            (
                "DB32/T 3929-2020",
                "DB32/T",
                "3929",
                Some(2020),
                Local,
                "db32-t-3929-2020",
            ),
            (
                "DB33 123-2020",
                "DB33",
                "123",
                Some(2020),
                Local,
                "db33-123-2020",
            ),
            (
                "GB 3100-93",
                "GB",
                "3100",
                Some(1993),
                National,
                "gb-3100-1993",
            ),
            (
                "GB/T 20000.1",
                "GB/T",
                "20000.1",
                None,
                National,
                "gb-t-20000-1",
            ),
        ];
        for &(raw, prefix, number, year, level, slug) in table {
            let code =
                StandardCode::parse(raw).unwrap_or_else(|t| panic!("{raw} did not parse ({t})"));
            assert_eq!(
                (code.prefix.as_str(), code.number.as_str(), code.year),
                (prefix, number, year),
                "{raw}"
            );
            assert_eq!(code.implied_level(), level, "{raw}");
            assert_eq!(code.slug(), slug, "{raw}");
        }
    }

    #[test]
    fn a_level_a_code_implies_is_labelled_and_yields_to_a_stated_one() {
        let code = StandardCode::parse("Q/TWL TG101.01-2021").unwrap();
        let inferred = KnownLevel::from_code(&code);
        assert_eq!(inferred.label(), "企业（按编号推断）");
        assert_eq!(KnownLevel::stated(Enterprise).label(), "企业");
        let stated = Some(KnownLevel::stated(Local));
        assert_eq!(KnownLevel::merge(Some(inferred), stated), stated);
        assert_eq!(KnownLevel::merge(stated, Some(inferred)), stated);
        assert_eq!(KnownLevel::merge(None, Some(inferred)), Some(inferred));
    }

    #[test]
    fn noisy_variants_normalise_to_the_same_code() {
        let canonical = StandardCode::parse("GB/T 37668-2019").unwrap();
        for noisy in [
            "ＧＢ／Ｔ　３７６６８－２０１９", // full width
            "GB/T 37668–2019",                // en dash
            "GB/T 37668—2019",                // em dash
            "GB∕T 37668-2019",                // U+2215
            "GB/T37668-2019",                 // no space
            "gb/t 37668-2019",                // lower case
            "GB / T  37668 - 2019",           // stray spaces
        ] {
            assert_eq!(
                StandardCode::parse(noisy).as_ref(),
                Ok(&canonical),
                "{noisy}"
            );
        }
        assert_eq!(canonical.to_string(), "GB/T 37668-2019");
    }

    #[test]
    fn what_is_not_a_code_is_kept_verbatim() {
        for bad in [
            "",
            "预约挂号服务规范",
            "GB/T",
            "GB/T 标准",
            "12345-2019",
            "Q/ 1-2020",
        ] {
            assert!(StandardCode::parse(bad).is_err(), "{bad} should not parse");
        }
        assert_eq!(
            StandardCode::parse("ＧＢ／Ｔ 标准"),
            Err("GB/T 标准".to_string())
        );
    }
}
