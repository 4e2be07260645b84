//! A small, careful HTML-to-text conversion for HTML-only mail: what a rep needs is the words
//! in reading order, not the layout. Scripts, styles and the head are dropped; block tags
//! become line breaks (paragraphs and headings a blank line, list items `- `); whitespace
//! collapses as a browser would (except inside `<pre>`); entities are decoded with the HTML5
//! table; a link's address follows its text when the text does not already show it.
//! Not a full HTML parser: malformed markup degrades to reasonable text, never an error.

/// Converts an HTML document or fragment to readable plain text, in time linear in its
/// size (any mail body can be hostile: every scan below moves forward through the text, or
/// is known to succeed before it is made).
pub fn to_text(html: &str) -> String {
    // A `<!…>` or `<?…>` scans ahead for its `>`; past the last `>` of the document that
    // scan can only fail, and failing again at every `<` of `<!<!<!…` was quadratic.
    let last_gt = html.rfind('>');
    let mut state = Walk::default();
    let mut skip_until: Option<&'static str> = None;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip_until.is_none() {
                state.out.text(rest, state.pre > 0);
            }
            break;
        };
        if skip_until.is_none() {
            state.out.text(&rest[..lt], state.pre > 0);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let closable = last_gt.is_some_and(|gt| gt > html.len() - rest.len());
        let Some((tag, after)) = read_tag(rest, closable) else {
            // A lone `<` that starts no tag ("a < b") is text.
            if skip_until.is_none() {
                state.out.text("<", state.pre > 0);
            }
            rest = &rest[1..];
            continue;
        };
        rest = after;
        if let Some(until) = skip_until {
            if tag.closing && tag.name == until {
                skip_until = None;
            }
            continue;
        }
        if tag.closing {
            state.close(&tag.name);
        } else {
            skip_until = state.open(&tag);
        }
    }
    state.out.finish()
}

/// What the walk carries between tags: the text so far, how deep in `<pre>` it is, and
/// the link being read (its address and where its text starts).
#[derive(Default)]
struct Walk {
    out: Out,
    pre: usize,
    link: Option<(String, usize)>,
}

impl Walk {
    fn close(&mut self, name: &str) {
        match name {
            "pre" => {
                self.pre = self.pre.saturating_sub(1);
                self.out.newline(2);
            }
            "a" => {
                if let Some((href, start)) = self.link.take() {
                    // A link whose text already shows its address needs no repeat.
                    let shown = self.out.buf.get(start..).unwrap_or_default();
                    if !shown.contains(href.trim_start_matches("mailto:")) {
                        self.out.literal(&format!(" <{href}>"));
                    }
                }
            }
            name => self.out.newline(block_break(name)),
        }
    }

    /// Writes what an opening tag stands for; returns the closing tag to skip to when the
    /// element's content is not text (scripts, styles…).
    fn open(&mut self, tag: &Tag) -> Option<&'static str> {
        match tag.name.as_str() {
            "script" | "style" | "head" | "title" | "template" | "noscript" | "svg" | "object" => {
                return (!tag.self_closing).then(|| static_name(&tag.name));
            }
            "br" => self.out.newline(1),
            "hr" => {
                self.out.newline(1);
                self.out.literal("----");
                self.out.newline(1);
            }
            "li" => {
                self.out.newline(1);
                self.out.literal("- ");
            }
            "td" | "th" => self.out.space(),
            "img" => {
                if let Some(alt) = tag.attr("alt").filter(|a| !a.trim().is_empty()) {
                    self.out.text(&format!("[{}]", decode_entities(&alt)), false);
                }
            }
            "a" => {
                self.link = tag
                    .attr("href")
                    .map(|h| decode_entities(h.trim()))
                    .filter(|h| h.starts_with("http://") || h.starts_with("https://") || h.starts_with("mailto:"))
                    .map(|h| (h, self.out.buf.len()));
            }
            "pre" => {
                self.pre += 1;
                self.out.newline(2);
            }
            name => self.out.newline(block_break(name)),
        }
        None
    }
}

/// The tag names skipped with their content, as `'static` strings for the skip state.
fn static_name(name: &str) -> &'static str {
    match name {
        "script" => "script",
        "style" => "style",
        "head" => "head",
        "title" => "title",
        "template" => "template",
        "noscript" => "noscript",
        "svg" => "svg",
        _ => "object",
    }
}

/// How many line breaks a block element puts around itself (0: inline).
fn block_break(name: &str) -> usize {
    match name {
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "table" | "ul" | "ol" | "dl" => 2,
        "div" | "tr" | "li" | "dt" | "dd" | "section" | "article" | "header" | "footer" | "nav" | "aside" | "main"
        | "address" | "center" | "form" | "fieldset" | "figure" | "figcaption" | "caption" | "body" | "html"
        | "tbody" | "thead" | "tfoot" => 1,
        _ => 0,
    }
}

struct Tag<'a> {
    name: String,
    closing: bool,
    self_closing: bool,
    attrs: &'a str,
}

impl Tag<'_> {
    /// An attribute's value (quoted or not), by case-insensitive name.
    fn attr(&self, name: &str) -> Option<String> {
        let lower = self.attrs.to_ascii_lowercase();
        let mut from = 0;
        while let Some(pos) = lower[from..].find(name).map(|p| p + from) {
            from = pos + name.len();
            let before_ok = pos == 0 || lower[..pos].ends_with(|c: char| c.is_whitespace() || c == '/');
            let after = lower[from..].trim_start();
            if !before_ok || !after.starts_with('=') {
                continue;
            }
            let value_start = self.attrs.len() - after.len() + 1;
            let value = self.attrs[value_start..].trim_start();
            return Some(match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default().to_string(),
                _ => value.split(|c: char| c.is_whitespace() || c == '>').next().unwrap_or_default().to_string(),
            });
        }
        None
    }
}

/// Reads one tag starting at `<`: its name, whether it closes, and the text after it.
/// `None` when `<` does not start a tag. `closable`: whether a `>` follows somewhere.
fn read_tag(s: &str, closable: bool) -> Option<(Tag<'_>, &str)> {
    let body = s.strip_prefix('<')?;
    let (closing, body) = match body.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let first = body.chars().next()?;
    if first == '!' || first == '?' {
        // <!DOCTYPE …>, <![CDATA[…]]>, <?xml …?>: no text of their own.
        if !closable {
            return None;
        }
        let end = body.find('>')?;
        return Some((Tag { name: String::new(), closing: true, self_closing: true, attrs: "" }, &body[end + 1..]));
    }
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let name_len = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':')).unwrap_or(body.len());
    // The tag ends at the first `>` outside a quoted attribute value.
    let mut quote: Option<char> = None;
    let mut end = None;
    for (i, c) in body.char_indices().skip(name_len) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => {
                end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let end = end.unwrap_or(body.len());
    let attrs = &body[name_len..end];
    let tag = Tag {
        name: body[..name_len].to_ascii_lowercase(),
        closing,
        self_closing: attrs.trim_end().ends_with('/'),
        attrs,
    };
    Some((tag, body.get(end + 1..).unwrap_or("")))
}

/// Decodes `&amp;`, `&eacute;`, `&#8217;`, `&#x20AC;` … (the HTML5 named set); anything
/// that is not an entity stays as it is.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest
            .char_indices()
            .skip(1)
            .take(33)
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '#'))
            .filter(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        match end {
            Some(end) if end > 1 => {
                mail_parser::decoders::html::add_html_token(&mut out, &rest.as_bytes()[..=end], false);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text being built, with whitespace collapsed and line breaks merged.
#[derive(Default)]
struct Out {
    buf: String,
    breaks: usize,
    space: bool,
}

impl Out {
    fn text(&mut self, raw: &str, preformatted: bool) {
        // Most text has no entity: no copy for it (a flood of stray `<` is one call each).
        let decoded: std::borrow::Cow<'_, str> =
            if raw.contains('&') { decode_entities(raw).into() } else { raw.into() };
        if preformatted {
            self.literal(&decoded);
            return;
        }
        for c in decoded.chars() {
            if c.is_whitespace() {
                self.space = true;
            } else {
                self.flush();
                self.buf.push(c);
            }
        }
    }

    /// Text pushed as it is (after any pending break).
    fn literal(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.flush();
        self.buf.push_str(s);
    }

    fn space(&mut self) {
        self.space = true;
    }

    fn newline(&mut self, n: usize) {
        if n > 0 {
            self.breaks = self.breaks.max(n);
            self.space = false;
        }
    }

    fn flush(&mut self) {
        if self.breaks > 0 {
            if !self.buf.is_empty() {
                let have = self.buf.len() - self.buf.trim_end_matches('\n').len();
                for _ in have..self.breaks.min(2) {
                    self.buf.push('\n');
                }
            }
            self.breaks = 0;
        } else if self.space && !self.buf.is_empty() && !self.buf.ends_with(['\n', ' ']) {
            self.buf.push(' ');
        }
        self.space = false;
    }

    fn finish(self) -> String {
        // Leading blank lines skipped in one pass (removing them one by one from the front
        // of a vector was quadratic on a `<pre>` of a million newlines).
        let lines = self.buf.lines().map(str::trim_end).skip_while(|l| l.is_empty());
        let mut out = String::with_capacity(self.buf.len());
        let mut blank = 0;
        for line in lines {
            if line.is_empty() {
                blank += 1;
                if blank > 1 {
                    continue;
                }
            } else {
                blank = 0;
            }
            out.push_str(line);
            out.push('\n');
        }
        out.trim_end().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_styles_and_head_are_dropped_and_blocks_break_lines() {
        let html = "<!DOCTYPE html><html><head><title>Order</title><style>p{color:red}</style></head>\
            <body><script>alert('x')</script><h1>Hello&nbsp;Ana</h1><p>Your order   <b>LK-1</b>\n shipped.</p>\
            <ul><li>Boots</li><li>Socks &amp; liners</li></ul><div>Caf&eacute; &#8217;n&#x2019; more</div>\
            <!-- a comment --><br>Thanks</body></html>";
        assert_eq!(
            to_text(html),
            "Hello Ana\n\nYour order LK-1 shipped.\n\n- Boots\n- Socks & liners\n\nCafé ’n’ more\nThanks"
        );
    }

    #[test]
    fn links_show_their_address_and_odd_markup_survives() {
        assert_eq!(
            to_text(
                "Track <a href=\"https://t.example/1?a=1&amp;b=2\">here</a>, or <a href='https://x.example'>https://x.example</a>"
            ),
            "Track here <https://t.example/1?a=1&b=2>, or https://x.example"
        );
        assert_eq!(to_text("a < b and c > d & e"), "a < b and c > d & e");
        assert_eq!(to_text("<p>unclosed <b attr=\"x>y\">bold"), "unclosed bold");
        assert_eq!(to_text("<pre>  two\n    lines</pre>after"), "  two\n    lines\n\nafter");
        assert_eq!(
            to_text("<table><tr><td>Item</td><td>Qty</td></tr><tr><td>Boots</td><td>1</td></tr></table>"),
            "Item Qty\nBoots 1"
        );
        assert_eq!(to_text(""), "");
    }

    /// Bodies an attacker can mail in, each about 1.6 MB: every one converts in one pass (a
    /// quadratic conversion of the first took 45 s) and gives no more text than it was given.
    fn hostile_bodies() -> Vec<(&'static str, String)> {
        vec![
            ("<! x800k", "<!".repeat(800_000)),
            ("<? x800k", "<?".repeat(800_000)),
            ("<a  x530k", "<a ".repeat(530_000)),
            ("<a \" x400k", "<a \"".repeat(400_000)),
            ("nested <div> x320k", "<div>".repeat(320_000)),
            ("nested cells x100k", "<table><tr><td>".repeat(100_000)),
            ("unclosed comment", format!("<!--{}", "x".repeat(1_600_000))),
            ("comment openers x400k", "<!--".repeat(400_000)),
            ("< flood", "<".repeat(1_600_000)),
            ("</ flood", "</".repeat(800_000)),
            ("& flood", "&".repeat(1_600_000)),
            ("leading pre newlines", format!("<pre>{}</pre>x", "\n".repeat(1_600_000))),
            ("links x100k", "<a href=\"https://x.example/\">y</a>".repeat(50_000)),
        ]
    }

    #[test]
    fn hostile_bodies_convert_in_one_pass_with_bounded_output() {
        for (name, html) in hostile_bodies() {
            let text = to_text(&html);
            assert!(text.len() <= html.len() * 2, "{name}: {} bytes out of {}", text.len(), html.len());
        }
        // What they read as: markup that never closes is dropped, stray `<` and `&` are text.
        assert_eq!(to_text(&"<!".repeat(5)), "<!<!<!<!<!");
        assert_eq!(to_text("<pre>\n\n\nx</pre>"), "x");
        assert_eq!(to_text("<!<!<!>after"), "after");
    }

    /// Throughput in MB/s on the hostile bodies and on ordinary mail, for BENCHMARKS.md:
    /// `cargo test --release --lib intake::html::tests::throughput -- --ignored --nocapture`
    #[test]
    #[ignore = "a measurement, not a check"]
    fn throughput() {
        let ordinary = "<html><head><style>p{margin:0}</style></head><body><p>Hi Ana,</p>\
            <p>Your order <b>LK-1042</b> shipped today &mdash; track it <a href=\"https://t.example/LK-1042\">here</a>.</p>\
            <table><tr><th>Item</th><th>Qty</th></tr><tr><td>Boots</td><td>1</td></tr></table>\
            <ul><li>Returns within 30 days</li><li>Free exchanges</li></ul><p>Thanks,<br>Larkspur</p></body></html>";
        let mut bodies = hostile_bodies();
        bodies.push(("ordinary mail (x4000)", ordinary.repeat(4000)));
        for (name, html) in bodies {
            let start = std::time::Instant::now();
            let text = to_text(&html);
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{name}: {} bytes in {:.1} ms, {:.0} MB/s ({} bytes out)",
                html.len(),
                secs * 1e3,
                html.len() as f64 / 1e6 / secs,
                text.len()
            );
        }
    }
}
