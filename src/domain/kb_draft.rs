//! A draft help-centre article written from a resolved contact: what the customer asked (the
//! contact's subject) and what the rep did (the contact's notes), exported as Markdown with
//! front matter that marks it a draft, so the help centre's editor reviews it first and a
//! re-import into Frontline skips it until then.

use serde::Serialize;

use super::{Id, Timestamp};

/// A draft article kept in the workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KbDraft {
    pub id: Id,
    /// The contact it was written from (gone if that contact was deleted).
    pub contact_id: Option<Id>,
    pub title: String,
    pub tags: Vec<String>,
    /// Markdown.
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A draft article from a contact: written now, or the one an earlier request wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Drafted {
    pub draft: KbDraft,
    /// The contact already had this draft (the rep may have edited it since): it is returned
    /// as it is, not written again from the notes.
    pub earlier: bool,
}

impl Drafted {
    /// One line for the rep: which draft, whether it is new, and how it reaches the help
    /// centre (drafts are edited and exported from the command line, started as `frontline`).
    pub fn summary(&self, frontline: &super::invocation::Invocation) -> String {
        let d = &self.draft;
        let what = if self.earlier { "This contact already has draft article" } else { "Wrote draft article" };
        let export = frontline.command(&format!("kb draft export {}", d.id));
        format!("{what} #{} “{}”: {export} writes it for the help centre", d.id, super::text::for_display(&d.title))
    }
}

/// The title, tags and Markdown body of a draft from a contact's subject, disposition, tags
/// and the text of its notes (oldest first).
pub fn compose(
    subject: &str,
    disposition: Option<&str>,
    tags: &[String],
    notes: &[&str],
) -> (String, Vec<String>, String) {
    let title = subject.trim().to_string();
    let mut all_tags: Vec<String> = tags.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    if let Some(d) = disposition.map(str::trim).filter(|d| !d.is_empty()) {
        all_tags.push(d.to_string());
    }
    all_tags.dedup();
    let mut body = format!("## The question\n\n{title}\n\n## What resolved it\n");
    for note in notes.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        body.push('\n');
        body.push_str(note);
        body.push('\n');
    }
    (title, all_tags, body)
}

/// What identifies the customer a draft was written from, each with what stands in for it
/// in the article: a help-centre page is public, and a rep's notes name the customer ("Good
/// news, Ethan: your refund for order LK-104792…").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Personal {
    /// Names and parts of names, replaced where written as a capitalised whole word.
    pub names: Vec<String>,
    /// Emails, handles, order and tracking numbers, replaced wherever they appear, in any
    /// case, each with its stand-in.
    pub values: Vec<(String, &'static str)>,
    /// Phone numbers: a run of digits and separators ending in the same last seven or more
    /// digits is replaced, however it was written.
    pub phones: Vec<String>,
}

impl Personal {
    /// `text` with every identifying detail replaced by its stand-in.
    pub fn left_out(&self, text: &str) -> String {
        let mut out = text.to_string();
        let mut values: Vec<&(String, &str)> = self.values.iter().filter(|(v, _)| v.chars().count() >= 3).collect();
        // The longest first, so an order number is not cut by a shorter one inside it.
        values.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        for (value, stand_in) in values {
            out = replace_ignoring_case(&out, value, stand_in, Where::Anywhere);
        }
        let mut names: Vec<&String> = self.names.iter().filter(|n| n.chars().count() >= 2).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        for name in names {
            out = replace_ignoring_case(&out, name, "[customer]", Where::CapitalisedWords);
        }
        self.phones_left_out(&out)
    }

    fn phones_left_out(&self, text: &str) -> String {
        let tails: Vec<String> = self
            .phones
            .iter()
            .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|d| d.len() >= 7)
            .map(|d| d[d.len().saturating_sub(10)..].to_string())
            .collect();
        if tails.is_empty() {
            return text.to_string();
        }
        let is_part = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+');
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        // Each step takes one maximal run of digits and separators (at least one character).
        while let Some(start) = rest.find(is_part) {
            let len = rest[start..].find(|c: char| !is_part(c)).unwrap_or(rest.len() - start);
            let mut run = &rest[start..start + len];
            out.push_str(&rest[..start]);
            while let Some((a, b)) = phone_in(run, &tails) {
                out.push_str(&run[..a]);
                out.push_str("[phone]");
                run = &run[b + 1..];
            }
            out.push_str(run);
            rest = &rest[start + len..];
        }
        out.push_str(rest);
        out
    }
}

/// Where in `run` (a stretch of digits and separators) one of the phone numbers ending in
/// `tails` is written: the byte range of its first and last digit (ASCII, so both are
/// character boundaries). A run holding the whole tail (after a country code, before a
/// digit that follows it), or of seven digits or more that end the tail (written without
/// its area code), is one.
fn phone_in(run: &str, tails: &[String]) -> Option<(usize, usize)> {
    let at: Vec<usize> = run.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect();
    let digits: String = at.iter().map(|&i| char::from(run.as_bytes()[i])).collect();
    let (first, last) = tails.iter().find_map(|tail| match digits.find(tail.as_str()) {
        Some(k) => Some((at[k], at[k + tail.len() - 1])),
        None if digits.len() >= 7 && tail.ends_with(&digits) => Some((at[0], at[at.len() - 1])),
        None => None,
    })?;
    Some((with_prefix(run, first), last))
}

/// Where a phone number whose digits begin at `first` is written from: an opening `(` of
/// its area code and a country code (`+1 `) before it belong to it.
fn with_prefix(run: &str, first: usize) -> usize {
    let start = if run[..first].ends_with('(') { first - 1 } else { first };
    let head = run[..start].trim_end_matches([' ', '-', '.']);
    match head.rfind('+') {
        Some(plus)
            if (1..=3).contains(&head[plus + 1..].len()) && head[plus + 1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            plus
        }
        _ => start,
    }
}

/// Where [`replace_ignoring_case`] replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    /// Every occurrence, in any case.
    Anywhere,
    /// Whole words written with a capital (names: "Will" and "May" are names, "will" and
    /// "may" are words a note needs).
    CapitalisedWords,
}

/// `text` with `needle` replaced by `with` where `place` says, the case ignored.
fn replace_ignoring_case(text: &str, needle: &str, with: &str, place: Where) -> String {
    let (folded, needle) = (fold_case(text), fold_case(needle));
    let word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    // `folded` has the same characters at the same byte offsets as `text` (see `fold_case`),
    // so every offset found in it is a character boundary of `text`.
    while let Some(found) = folded[from..].find(&needle) {
        let at = from + found;
        let end = at + needle.len();
        let replace = match place {
            Where::Anywhere => true,
            Where::CapitalisedWords => {
                !word_char(text[..at].chars().next_back())
                    && !word_char(text[end..].chars().next())
                    && text[at..].chars().next().is_some_and(char::is_uppercase)
            }
        };
        out.push_str(&text[from..at]);
        out.push_str(if replace { with } else { &text[at..end] });
        from = end;
    }
    out.push_str(&text[from..]);
    out
}

/// `text` lower-cased character by character where the lower case is one character of the
/// same length in UTF-8 (nearly always), so byte offsets stay those of `text`.
fn fold_case(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
                _ => c,
            }
        })
        .collect()
}

/// A YAML double-quoted string: the front matter stays valid whatever the title holds.
fn yaml_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The draft as a Markdown file for the help centre: front matter (title, tags,
/// `draft: true`), then the body.
pub fn to_markdown(d: &KbDraft) -> String {
    let tags: Vec<String> = d.tags.iter().map(|t| yaml_quoted(t)).collect();
    format!(
        "---\ntitle: {}\ntags: [{}]\ndraft: true\n---\n\n{}\n",
        yaml_quoted(&d.title),
        tags.join(", "),
        d.body.trim_end()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_reads_as_the_question_and_what_resolved_it() {
        let (title, tags, body) = compose(
            " Parcel marked delivered, not received ",
            Some("claim filed"),
            &["shipping".into()],
            &["Checked the address with the customer.", "  ", "Filed a missing package claim; reship sent."],
        );
        assert_eq!(title, "Parcel marked delivered, not received");
        assert_eq!(tags, ["shipping", "claim filed"]);
        assert_eq!(
            body,
            "## The question\n\nParcel marked delivered, not received\n\n## What resolved it\n\n\
             Checked the address with the customer.\n\nFiled a missing package claim; reship sent.\n"
        );
    }

    #[test]
    fn the_customers_details_are_left_out_of_a_draft() {
        let personal = Personal {
            names: vec!["Ethan Brooks".into(), "Ethan".into(), "Brooks".into()],
            values: vec![
                ("ethan.b@example.com".into(), "[email]"),
                ("LK-104792".into(), "[order number]"),
                ("1Z999AA10123456784".into(), "[tracking number]"),
            ],
            phones: vec!["+15035550142".into()],
        };
        let notes = "Good news, Ethan: your refund for order lk-104792 (tracking 1Z999AA10123456784) is on its \
                     way. Mr BROOKS asked us to call 503-555-0142 or +1 (503) 555 0142, or write to Ethan.B@example.com. \
                     Ethanol spills are not covered; order LK-1047 is someone else's.";
        assert_eq!(
            personal.left_out(notes),
            "Good news, [customer]: your refund for order [order number] (tracking [tracking number]) is on its \
             way. Mr [customer] asked us to call [phone] or [phone], or write to [email]. \
             Ethanol spills are not covered; order LK-1047 is someone else's."
        );
        assert_eq!(Personal::default().left_out(notes), notes);
    }

    #[test]
    fn a_name_that_is_also_a_word_is_left_out_only_where_written_as_a_name() {
        let personal = Personal { names: vec!["Will May".into(), "Will".into(), "May".into()], ..Personal::default() };
        assert_eq!(
            personal.left_out("Good news, Will: we will refund it and may call. WILL MAY, İstanbul."),
            "Good news, [customer]: we will refund it and may call. [customer], İstanbul."
        );
    }

    proptest::proptest! {
        #[test]
        fn leaving_details_out_never_panics_and_never_leaves_the_phone(
            before in "[a-zA-Z0-9 ()+.İß€-]{0,40}", after in "[a-zA-Z0-9 ()+.İß€-]{0,40}"
        ) {
            let personal = Personal {
                names: vec!["Ana".into()],
                values: vec![("LK-1".into(), "[order number]")],
                phones: vec!["+1 503 555 0142".into()],
            };
            let text = format!("{before} 503.555.0142 {after}");
            let out = personal.left_out(&text);
            proptest::prop_assert!(!out.contains("503.555.0142"), "{out}");
        }
    }

    #[test]
    fn front_matter_stays_valid_whatever_the_title_holds() {
        let d = KbDraft {
            id: 1,
            contact_id: Some(7),
            title: "Says \"never came\" \\ twice\nagain".into(),
            tags: vec!["ship: ping".into()],
            body: "Body\n\n".into(),
            created_at: 0,
            updated_at: 0,
        };
        assert_eq!(
            to_markdown(&d),
            "---\ntitle: \"Says \\\"never came\\\" \\\\ twice again\"\ntags: [\"ship: ping\"]\ndraft: true\n---\n\nBody\n"
        );
    }
}
