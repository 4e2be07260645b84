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
