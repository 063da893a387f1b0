use minicbor::Encode;

/// The word index chunks in `pagefind/index/`

/// A single word index chunk: `pagefind/index/*.pf_index`
#[derive(Encode)]
pub struct WordIndex {
    #[n(0)]
    pub words: Vec<PackedWord>,
}

/// A single word as an inverse index of all locations on the site
#[derive(Encode, Clone, Debug)]
pub struct PackedWord {
    #[n(0)]
    pub word: String,
    #[n(1)]
    pub pages: Vec<PackedPage>,
    #[n(2)]
    pub additional_variants: Vec<PackedVariant>,
}

/// A variant of a word with different diacritics (e.g., "café" vs "cafe")
#[derive(Encode, Clone, Debug)]
pub struct PackedVariant {
    #[n(0)]
    pub form: String,
    #[n(1)]
    pub pages: Vec<PackedPage>,
}

/// A set of locations on a given page
/// liangbiao patch: the body and meta locations in one allocation, `locs` before
/// `meta_locs` (32 bytes a page instead of 56). An index of 100,000 pages holds tens of
/// millions of these until it is written, and growing the lists of them was a good part
/// of the memory the kernel had to zero.
#[derive(Clone, Debug)]
pub struct PackedPage {
    pub page_number: usize, // Won't exceed u32 but saves us some into()s
    body_len: u32,
    locations: Box<[i32]>,
}

impl PackedPage {
    pub fn new(page_number: usize, locs: Vec<i32>) -> Self {
        PackedPage {
            page_number,
            body_len: u32::try_from(locs.len()).expect("fewer than 2^32 locations on a page"),
            locations: locs.into_boxed_slice(),
        }
    }

    pub fn with_meta(page_number: usize, meta_locs: Vec<i32>) -> Self {
        PackedPage {
            page_number,
            body_len: 0,
            locations: meta_locs.into_boxed_slice(),
        }
    }

    pub fn locs(&self) -> &[i32] {
        &self.locations[..self.body_len as usize]
    }

    pub fn meta_locs(&self) -> &[i32] {
        &self.locations[self.body_len as usize..]
    }

    pub fn meta_locs_mut(&mut self) -> &mut [i32] {
        &mut self.locations[self.body_len as usize..]
    }

    /// Replaces the meta locations, keeping the body's.
    pub fn set_meta_locs(&mut self, meta_locs: Vec<i32>) {
        let mut locations = Vec::with_capacity(self.body_len as usize + meta_locs.len());
        locations.extend_from_slice(self.locs());
        locations.extend(meta_locs);
        self.locations = locations.into_boxed_slice();
    }

    /// How many locations the page has, body and meta.
    pub fn location_count(&self) -> usize {
        self.locations.len()
    }
}

std::thread_local! {
    /// liangbiao patch: the buffer a thread encodes its pages in, reused from page to page
    /// (one allocation per page and word was a good part of the index's malloc and free).
    static PAGE_BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// liangbiao patch: the bytes `#[derive(Encode)]` with fields `#[n(0)]`, `#[n(1)]` and
/// `#[n(2)]` would write (an array of three: the page number, then each list as an array
/// of integers, each in its shortest form), made in a buffer and written at once. There
/// are millions of locations in an index of 100,000 pages, and minicbor's writer call per
/// integer was 6% of a liangbiao build.
impl<C> Encode<C> for PackedPage {
    fn encode<W: minicbor::encode::Write>(
        &self,
        e: &mut minicbor::Encoder<W>,
        _: &mut C,
    ) -> Result<(), minicbor::encode::Error<W::Error>> {
        PAGE_BYTES.with_borrow_mut(|bytes| {
            bytes.clear();
            cbor_head(bytes, CBOR_ARRAY, 3);
            cbor_head(bytes, CBOR_UNSIGNED, self.page_number as u64);
            for list in [self.locs(), self.meta_locs()] {
                cbor_head(bytes, CBOR_ARRAY, list.len() as u64);
                for &n in list.iter() {
                    if n >= 0 {
                        cbor_head(bytes, CBOR_UNSIGNED, n as u64);
                    } else {
                        cbor_head(bytes, CBOR_NEGATIVE, (-1 - n as i64) as u64);
                    }
                }
            }
            e.writer_mut()
                .write_all(bytes)
                .map_err(minicbor::encode::Error::write)
        })
    }
}

const CBOR_UNSIGNED: u8 = 0x00;
const CBOR_NEGATIVE: u8 = 0x20;
const CBOR_ARRAY: u8 = 0x80;

/// A CBOR head in its shortest form, as minicbor writes one.
fn cbor_head(bytes: &mut Vec<u8>, major: u8, value: u64) {
    match value {
        0..=0x17 => bytes.push(major | value as u8),
        0x18..=0xff => bytes.extend_from_slice(&[major | 24, value as u8]),
        0x100..=0xffff => {
            bytes.push(major | 25);
            bytes.extend_from_slice(&(value as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            bytes.push(major | 26);
            bytes.extend_from_slice(&(value as u32).to_be_bytes());
        }
        _ => {
            bytes.push(major | 27);
            bytes.extend_from_slice(&value.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `#[derive(Encode)]` wrote before the hand-written encoding.
    #[derive(Encode)]
    struct DerivedPage {
        #[n(0)]
        page_number: usize,
        #[n(1)]
        locs: Vec<i32>,
        #[n(2)]
        meta_locs: Vec<i32>,
    }

    #[test]
    fn a_packed_page_encodes_as_the_derived_encoding_did() {
        let edges = [
            0,
            1,
            23,
            24,
            255,
            256,
            65535,
            65536,
            i32::MAX,
            -1,
            -24,
            -25,
            -256,
            -257,
            -65536,
            -65537,
            i32::MIN,
        ];
        for page_number in [0usize, 23, 24, 300, 70_000, 5_000_000_000] {
            for (locs, meta_locs) in [
                (vec![], vec![]),
                (edges.to_vec(), vec![-3, 0, 7]),
                (vec![5; 30], edges.to_vec()),
            ] {
                let mut page = PackedPage::new(page_number, locs.clone());
                if !meta_locs.is_empty() {
                    page.set_meta_locs(meta_locs.clone());
                }
                let derived = DerivedPage {
                    page_number,
                    locs,
                    meta_locs,
                };
                assert_eq!(
                    minicbor::to_vec(&page).unwrap(),
                    minicbor::to_vec(&derived).unwrap()
                );
            }
        }
    }
}
