//! 试点前后的群众满意度: the pilots that report satisfaction before and after, as a chart
//! with its table. While they are few the home page shows them all; past
//! [`HOME_CHART_PILOTS`] (a chart of 300 pilots is 20,000 pixels tall on a phone) it
//! shows their averages and links `satisfaction/`, the pilots 100 a page.

use std::sync::Arc;

use serde::Serialize;

use super::pager::Listing;
use super::{places, PageJob, Views};
use crate::chart::{satisfaction_svg, SatisfactionRow};
use crate::model::{format_number, PilotId};

/// The most pilots the home page charts one by one.
pub(super) const HOME_CHART_PILOTS: usize = 20;

/// Where the pilots are listed when the home page shows only their averages.
const LISTING_PATH: &str = "satisfaction/";

/// One pilot's satisfaction before and after, in percent.
type Pair = (PilotId, f64, f64);

#[derive(Serialize)]
struct PilotRow {
    label: String,
    url: String,
    before: String,
    after: String,
    gain: String,
}

/// What a page shows of some pilots: the chart and its rows in a table.
#[derive(Serialize)]
struct Chart {
    svg: String,
    rows: Vec<PilotRow>,
}

/// The averages the home page shows in place of a long chart.
#[derive(Serialize)]
struct Averages {
    pilots: usize,
    before: String,
    after: String,
    gain: String,
    url: String,
}

impl Views<'_> {
    /// The home page's `satisfaction`: null when no pilot reports it, `{chart}` while
    /// few do, `{averages}` past that.
    pub(super) fn home_satisfaction(&self) -> serde_json::Value {
        let pairs = self.site.satisfaction_pairs();
        if pairs.is_empty() {
            serde_json::Value::Null
        } else if pairs.len() <= HOME_CHART_PILOTS {
            serde_json::json!({ "chart": self.chart(&pairs) })
        } else {
            serde_json::json!({ "averages": self.averages(&pairs) })
        }
    }

    /// `satisfaction/`, 100 pilots a page, when the home page shows only averages.
    pub(super) fn satisfaction_jobs(&self) -> Vec<PageJob<'_>> {
        let pairs = self.site.satisfaction_pairs();
        if pairs.len() <= HOME_CHART_PILOTS {
            return Vec::new();
        }
        let pairs: Arc<[Pair]> = pairs.into();
        self.listing_pages(
            Listing {
                path: LISTING_PATH,
                template: "satisfaction.html",
                title: "试点前后的群众满意度",
                description:
                    "报告了试点前和试点后群众满意度的国家基本公共服务标准化试点，逐个列出。",
                nav: "pilots",
            },
            pairs,
            move |page| serde_json::json!({ "chart": self.chart(page) }),
        )
    }

    fn chart(&self, pairs: &[Pair]) -> Chart {
        let site = self.site;
        let bars: Vec<SatisfactionRow> = pairs
            .iter()
            .map(|&(id, before, after)| SatisfactionRow {
                label: places(site.pilot(id)),
                before,
                after,
            })
            .collect();
        let rows = pairs
            .iter()
            .map(|&(id, before, after)| PilotRow {
                label: places(site.pilot(id)),
                url: self.pilot_url(site.pilot(id)),
                before: percent(before),
                after: percent(after),
                gain: points(after - before),
            })
            .collect();
        Chart {
            svg: satisfaction_svg(&bars, "chart-title", "chart-desc"),
            rows,
        }
    }

    fn averages(&self, pairs: &[Pair]) -> Averages {
        let n = pairs.len() as f64;
        let before = pairs.iter().map(|p| p.1).sum::<f64>() / n;
        let after = pairs.iter().map(|p| p.2).sum::<f64>() / n;
        Averages {
            pilots: pairs.len(),
            before: percent(round2(before)),
            after: percent(round2(after)),
            gain: points(after - before),
            url: self.base.link(LISTING_PATH),
        }
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn percent(value: f64) -> String {
    format!("{}%", format_number(value))
}

/// A difference of percentages, in percentage points to two decimals.
fn points(value: f64) -> String {
    format_number(round2(value))
}
