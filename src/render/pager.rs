//! Listings split into pages of [`PAGE_SIZE`] rows: `path`, `path/page/2/`, … The
//! standards listings, the lists of pilots (all pilots, a region's, a domain's), the who
//! groups and the plain listings of [`Views::listing_pages`] (service lists,
//! demonstration sites, satisfaction) share it, so that no page grows with the size of
//! the country: at 2,850 counties one list of every pilot would be tens of megabytes,
//! too much for a phone.

use std::ops::Range;

use serde::Serialize;

use super::{PageJob, Views};
use crate::config::BaseUrl;

/// Rows (standards, pilots) per listing page.
pub const PAGE_SIZE: usize = 100;

/// `rows` in consecutive ranges of at most `per_part`; one empty range for no rows, so
/// that an empty listing (or sitemap) still has its page.
pub(super) fn split(rows: usize, per_part: usize) -> Vec<Range<usize>> {
    (0..rows.max(1))
        .step_by(per_part)
        .map(|start| start..rows.min(start + per_part))
        .collect()
}

/// What a listing of rows is: where, by which template, under which title.
pub(super) struct Listing<'l> {
    pub(super) path: &'l str,
    pub(super) template: &'static str,
    pub(super) title: &'l str,
    pub(super) description: &'l str,
    /// The navigation entry the listing's pages belong to.
    pub(super) nav: &'static str,
}

/// A link of a pager.
#[derive(Serialize)]
pub(super) struct PageLink {
    /// 0 for a gap (…) between page numbers.
    number: usize,
    url: String,
    current: bool,
}

/// The pages of one listing of `rows` rows at `path` (a URL path ending in `/`).
pub(super) struct Pager<'p> {
    path: &'p str,
    rows: usize,
    /// How many pages: at least one, so that an empty listing still has its page.
    pub(super) last: usize,
}

impl<'p> Pager<'p> {
    pub(super) fn new(path: &'p str, rows: usize) -> Self {
        Pager {
            path,
            rows,
            last: rows.div_ceil(PAGE_SIZE).max(1),
        }
    }

    /// The rows of each page: its number (from 1) and the range of its rows; one empty
    /// page for no rows.
    pub(super) fn ranges(&self) -> Vec<(usize, Range<usize>)> {
        (1..).zip(split(self.rows, PAGE_SIZE)).collect()
    }

    /// The number of the page that holds row `index` (from 0).
    pub(super) fn page_of(index: usize) -> usize {
        index / PAGE_SIZE + 1
    }

    /// The URL path of page `number` (from 1).
    pub(super) fn page_path(&self, number: usize) -> String {
        if number == 1 {
            self.path.to_string()
        } else {
            format!("{}page/{number}/", self.path)
        }
    }

    /// The file of page `number`.
    pub(super) fn page_file(&self, number: usize) -> String {
        format!("{}index.html", self.page_path(number))
    }

    /// The page's `<title>`: the listing's, with the page number after the first.
    pub(super) fn page_title(&self, title: &str, number: usize) -> String {
        if number == 1 {
            title.to_string()
        } else {
            format!("{title}（第 {number} 页）")
        }
    }

    /// The pager shown on page `current`; none when the listing has one page.
    pub(super) fn links(&self, current: usize, base: &BaseUrl) -> Vec<PageLink> {
        if self.last == 1 {
            return Vec::new();
        }
        pager_numbers(current, self.last)
            .into_iter()
            .map(|n| match n {
                Some(n) => PageLink {
                    number: n,
                    url: base.link(&self.page_path(n)),
                    current: n == current,
                },
                None => PageLink {
                    number: 0,
                    url: String::new(),
                    current: false,
                },
            })
            .collect()
    }
}

/// The page numbers a pager shows on page `current` of `last`: the first, the last and
/// two either side of the current one, `None` where numbers are left out. A listing of
/// 450 pages would otherwise put 450 links on each of its pages.
fn pager_numbers(current: usize, last: usize) -> Vec<Option<usize>> {
    let mut numbers = Vec::new();
    for n in 1..=last {
        if n == 1 || n == last || n.abs_diff(current) <= 2 {
            numbers.push(Some(n));
        } else if numbers.last() != Some(&None) {
            numbers.push(None);
        }
    }
    numbers
}

impl Views<'_> {
    /// The pages of a listing of `rows`, [`PAGE_SIZE`] a page. A page's data is what
    /// `page_data` makes of its rows as the page renders (an object), with `page`,
    /// `pages` (the pager), `from`, `to` (counted from 1) and `total`.
    ///
    /// `rows` is the site's (a slice) or the listing's own (an `Arc`), shared by its pages.
    pub(super) fn listing_pages<'j, T, Rows>(
        &'j self,
        listing: Listing<'_>,
        rows: Rows,
        page_data: impl Fn(&[T]) -> serde_json::Value + Clone + Send + 'j,
    ) -> Vec<PageJob<'j>>
    where
        Rows: std::ops::Deref<Target = [T]> + Clone + Send + 'j,
    {
        let pager = Pager::new(listing.path, rows.len());
        pager
            .ranges()
            .into_iter()
            .map(|(number, range)| {
                let pages = pager.links(number, self.base);
                let (from, to, total) = (range.start + 1, range.end, rows.len());
                let (rows, page_data) = (rows.clone(), page_data.clone());
                self.job_later(
                    &pager.page_file(number),
                    listing.template,
                    &pager.page_title(listing.title, number),
                    listing.description,
                    listing.nav,
                    move || {
                        let mut data = page_data(&rows[range]);
                        let object = data
                            .as_object_mut()
                            .expect("a listing page's data is an object");
                        let page = [
                            ("page", serde_json::json!(number)),
                            ("pages", serde_json::json!(pages)),
                            ("from", serde_json::json!(from)),
                            ("to", serde_json::json!(to)),
                            ("total", serde_json::json!(total)),
                        ];
                        object.extend(page.map(|(k, v)| (k.to_string(), v)));
                        data
                    },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_split_into_full_parts_and_a_last_one() {
        assert_eq!(split(0, 3), vec![0..0]);
        assert_eq!(split(3, 3), vec![0..3]);
        assert_eq!(split(4, 3), vec![0..3, 3..4]);
        assert_eq!(split(9, 3), vec![0..3, 3..6, 6..9]);
        let pager = Pager::new("x/", 250);
        assert_eq!(
            pager.ranges(),
            vec![(1, 0..100), (2, 100..200), (3, 200..250)]
        );
    }

    #[test]
    fn a_long_pager_shows_the_ends_and_the_neighbours() {
        assert_eq!(pager_numbers(1, 3), [Some(1), Some(2), Some(3)]);
        assert_eq!(
            pager_numbers(6, 450),
            [
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(450)
            ]
        );
        assert_eq!(
            pager_numbers(2, 9),
            [Some(1), Some(2), Some(3), Some(4), None, Some(9)]
        );
    }

    #[test]
    fn a_listing_has_a_page_per_hundred_rows_and_at_least_one() {
        assert_eq!(Pager::new("pilots/", 0).last, 1);
        assert_eq!(Pager::new("pilots/", PAGE_SIZE).last, 1);
        assert_eq!(Pager::new("pilots/", PAGE_SIZE + 1).last, 2);
        let pager = Pager::new("regions/sichuan/", 250);
        assert_eq!(pager.page_file(1), "regions/sichuan/index.html");
        assert_eq!(pager.page_file(3), "regions/sichuan/page/3/index.html");
        assert_eq!(pager.page_title("四川省", 1), "四川省");
        assert_eq!(pager.page_title("四川省", 2), "四川省（第 2 页）");
        assert_eq!(pager.ranges(), [(1, 0..100), (2, 100..200), (3, 200..250)]);
        assert_eq!(Pager::new("pilots/", 0).ranges(), [(1, 0..0)]);
        assert_eq!(
            [0, 99, 100, 249].map(Pager::page_of),
            [1, 1, 2, 3],
            "a row is on the page `pages` puts it on"
        );
    }
}
