//! HTML escaping, in a leaf module: Tera's autoescape, the search records, charts and
//! QR posters all write editors' text into markup through this one function.

/// Escapes text for HTML and XML content and quoted attributes.
pub fn escape_markup(text: &str) -> String {
    // Tera calls this for every `{{ }}`, so runs without a special byte are copied whole.
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The five are ASCII, so `at` is a char boundary.
        out.push_str(&text[copied..at]);
        out.push_str(entity);
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::escape_markup;

    #[test]
    fn markup_is_escaped_between_runs_of_plain_text() {
        assert_eq!(
            escape_markup("<a href=\"x\">'亮标'&惠民</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;亮标&#39;&amp;惠民&lt;/a&gt;"
        );
        assert_eq!(escape_markup("服务清单"), "服务清单");
        assert_eq!(escape_markup(""), "");
        assert_eq!(escape_markup("&&"), "&amp;&amp;");
    }
}
