//! The search index's cost against the length of one page's text: a pilot whose body is
//! megabytes of Chinese, for the figures in `bench/README.md`.
//!
//! ```sh
//! cargo run --release --example big_body              # 0.5, 1, 2, 4 and 8 MB
//! cargo run --release --example big_body -- 1 16      # other sizes, in MB (10^6 bytes)
//! ```
//!
//! Each size is indexed in three shapes, one record each, by `search::index` as `liangbiao
//! build` indexes a pilot: sentences (clauses, punctuation, a paragraph break every few
//! sentences); the same text without punctuation or line breaks, one run the segmenter
//! takes whole; and one short phrase repeated, so that the pairs across its word
//! boundaries recur at every repeat (what made the index quadratic, see
//! `holds_position` in `vendor/pagefind/src/fossick/mod.rs`). The record is handed to the
//! index directly, so that validation's limit on a body's size does not stop it. Prints
//! the seconds per size and shape and, under them, the seconds per MB, which stay about
//! the same when the cost is linear. A report, not a test: nothing is asserted.

use std::time::Instant;

use liangbiao::search::{self, SearchRecord};

// As in `liangbiao` itself (see main.rs): the index allocates from several threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a pilot's report is made of.
const PHRASES: [&str; 48] = [
    "基本公共服务",
    "标准化",
    "综合试点",
    "养老服务",
    "居家社区",
    "日间照料中心",
    "助餐点",
    "托育机构",
    "婴幼儿照护",
    "义务教育",
    "学前教育",
    "公共文化",
    "全民健身",
    "社会保险",
    "医疗保障",
    "住房保障",
    "公租房",
    "残疾人",
    "康复服务",
    "就业创业",
    "职业技能培训",
    "困难群众",
    "最低生活保障",
    "特困人员",
    "供养",
    "服务清单",
    "服务标准",
    "办事指南",
    "政务服务中心",
    "一窗通办",
    "群众满意度",
    "第三方评估",
    "街道",
    "社区",
    "乡镇",
    "村",
    "县级",
    "全覆盖",
    "均等化",
    "可及性",
    "持续提升",
    "统一规范",
    "落实落细",
    "试点单位",
    "牵头部门",
    "评估验收",
    "经验做法",
    "推广",
];

/// The phrase of the repeated shape.
const REPEATED: &str = "公共服务";

/// A deterministic xorshift: the same text on every run and machine.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }
}

/// About `bytes` of sentences: 2–4 phrases a clause, 2–4 clauses a sentence, 3–6
/// sentences a paragraph. `punctuated: false` leaves out every mark and break.
fn sentences(bytes: usize, punctuated: bool) -> String {
    let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
    let mut text = String::with_capacity(bytes + 64);
    while text.len() < bytes {
        for _ in 0..draw.between(3, 6) {
            let clauses = draw.between(2, 4);
            for clause in 0..clauses {
                for _ in 0..draw.between(2, 4) {
                    text.push_str(PHRASES[draw.below(PHRASES.len())]);
                }
                if punctuated {
                    text.push(if clause + 1 == clauses { '。' } else { '，' });
                }
            }
        }
        if punctuated {
            text.push_str("\n\n");
        }
    }
    text
}

fn record(text: String) -> SearchRecord {
    SearchRecord {
        url: "/pilots/big-body/".to_string(),
        title: "成都市高新区基本公共服务标准化综合试点".to_string(),
        kind: "试点",
        regions: vec!["四川".to_string()],
        domains: vec!["养老服务".to_string()],
        level: None,
        text,
        sections: Vec::new(),
    }
}

/// Seconds to index one record of `text`.
fn index_seconds(text: String) -> f64 {
    let started = Instant::now();
    let files = search::index(vec![record(text)]).expect("the index builds");
    let seconds = started.elapsed().as_secs_f64();
    assert!(!files.is_empty());
    seconds
}

type Shape = (&'static str, fn(usize) -> String);

const SHAPES: [Shape; 3] = [
    ("sentences", |bytes| sentences(bytes, true)),
    ("no punctuation", |bytes| sentences(bytes, false)),
    ("one phrase repeated", |bytes| {
        REPEATED.repeat(bytes.div_ceil(REPEATED.len()))
    }),
];

fn main() {
    let sizes: Vec<f64> = match std::env::args()
        .skip(1)
        .map(|a| a.parse::<f64>())
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(sizes) if !sizes.is_empty() => sizes,
        Ok(_) => vec![0.5, 1.0, 2.0, 4.0, 8.0],
        Err(e) => {
            eprintln!("usage: big_body [MB …] ({e})");
            std::process::exit(2);
        }
    };
    // Warm-up: the segmenter's dictionary and the thread pool.
    index_seconds(sentences(100_000, true));

    let mut rows = Vec::new();
    for &mb in &sizes {
        let bytes = (mb * 1_000_000.0) as usize;
        let seconds: Vec<f64> = SHAPES
            .iter()
            .map(|(_, text)| index_seconds(text(bytes)))
            .collect();
        eprintln!("{mb} MB: {seconds:.2?} s");
        rows.push((mb, seconds));
    }

    let names: Vec<&str> = SHAPES.iter().map(|(name, _)| *name).collect();
    println!("search index of one record, seconds");
    println!();
    println!("| MB | {} |", names.join(" | "));
    println!("| ---: |{}", " ---: |".repeat(names.len()));
    for (mb, seconds) in &rows {
        let cells: Vec<String> = seconds.iter().map(|s| format!("{s:.2}")).collect();
        println!("| {mb} | {} |", cells.join(" | "));
    }
    println!();
    println!("seconds per MB");
    println!();
    println!("| MB | {} |", names.join(" | "));
    println!("| ---: |{}", " ---: |".repeat(names.len()));
    for (mb, seconds) in &rows {
        let cells: Vec<String> = seconds.iter().map(|s| format!("{:.3}", s / mb)).collect();
        println!("| {mb} | {} |", cells.join(" | "));
    }
}
