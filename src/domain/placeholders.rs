//! Filling a snippet's placeholders (`{{customer.first_name}}`, `{{order.number}}`, …) from
//! the open contact. A placeholder that is unknown or has no value stays visible as
//! `[order.number?]`, so the rep notices before sending instead of the customer.

use super::{ContactDetail, Id, IdentityKind};

/// What a snippet can be filled with: the open contact, its customer and the rep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    /// The customer's most recent order.
    pub order_number: Option<String>,
    pub rep_name: String,
    pub contact_subject: Option<String>,
    pub contact_id: Option<Id>,
    /// Today's date as the rep reads it (e.g. `2026-11-20`).
    pub today: String,
}

/// Every placeholder [`fill`] knows, for help text and pickers.
pub const NAMES: [&str; 9] = [
    "customer.first_name",
    "customer.last_name",
    "customer.name",
    "customer.email",
    "order.number",
    "rep.name",
    "contact.subject",
    "contact.id",
    "date.today",
];

impl Context {
    /// The value of one placeholder (name already lower-cased), if it is known and has one.
    pub fn value(&self, name: &str) -> Option<String> {
        let name_part = |first: bool| {
            let full = self.customer_name.as_deref()?.trim();
            let (head, tail) = full.split_once(char::is_whitespace).unwrap_or((full, ""));
            let part = if first { head } else { tail.trim() };
            Some(part.to_string())
        };
        let value = match name {
            "customer.first_name" => name_part(true),
            "customer.last_name" => name_part(false),
            "customer.name" => self.customer_name.clone(),
            "customer.email" => self.customer_email.clone(),
            "order.number" => self.order_number.clone(),
            REP_NAME => Some(self.rep_name.clone()),
            "contact.subject" => self.contact_subject.clone(),
            "contact.id" => self.contact_id.map(|id| id.to_string()),
            "date.today" => Some(self.today.clone()),
            _ => None,
        };
        value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }
}

/// The placeholder of the rep's own name.
pub const REP_NAME: &str = "rep.name";

/// What [`fill`] leaves of a placeholder it has no value for: `[name?]`, for the rep to see.
pub fn unfilled(name: &str) -> String {
    format!("[{name}?]")
}

/// Replaces every `{{ name }}` in `template` (spaces inside the braces and any letter case
/// allowed). Unknown or empty placeholders become `[name?]`; braces around anything that is
/// not a placeholder name are left as written.
pub fn fill(template: &str, ctx: &Context) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let inner = after[..end].trim();
        out.push_str(&rest[..start]);
        if is_placeholder_name(inner) {
            let name = inner.to_lowercase();
            match ctx.value(&name) {
                Some(v) => out.push_str(&v),
                None => out.push_str(&unfilled(&name)),
            }
            rest = &after[end + 2..];
        } else {
            // Not ours (`{{ }}`, `{{#if}}`…): keep the first brace and look again after it.
            out.push('{');
            rest = &rest[start + 1..];
        }
    }
    out.push_str(rest);
    out
}

fn is_placeholder_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '-')
        && s.chars().next().is_some_and(char::is_alphabetic)
}

/// The fill context of an opened contact: its customer's name and first email, the order it
/// is about, the subject and id.
pub fn context_from(detail: &ContactDetail, rep_name: &str, today: &str) -> Context {
    let record = detail.customer.as_ref();
    let subject = detail.contact.subject.trim();
    Context {
        customer_name: record.map(|r| r.customer.name.trim().to_string()).filter(|n| !n.is_empty()),
        customer_email: record
            .and_then(|r| r.identities.iter().find(|i| i.kind == IdentityKind::Email).map(|i| i.value.clone())),
        order_number: record
            .and_then(|r| {
                let said = [detail.customer_said_last(), detail.contact.body.as_str(), detail.contact.subject.as_str()];
                order_in_question(&said, &r.orders)
            })
            .map(|o| o.number.clone()),
        rep_name: rep_name.to_string(),
        contact_subject: (!subject.is_empty()).then(|| subject.to_string()),
        contact_id: Some(detail.contact.id),
        today: today.to_string(),
    }
}

/// The order a contact is about: one of the customer's orders that the first of `said` to
/// name one names (the latest naming in it wins), else the newest order. "Return label sent
/// for order {{order.number}}" took the newest order even when the customer wrote about an
/// older one.
fn order_in_question<'o>(said: &[&str], orders: &'o [crate::domain::Order]) -> Option<&'o crate::domain::Order> {
    let named = said.iter().find_map(|text| {
        let text = text.to_uppercase();
        orders
            .iter()
            .filter(|o| !o.number.trim().is_empty())
            .filter_map(|o| last_naming(&text, &o.number.trim().to_uppercase()).map(|at| (at, o)))
            .max_by_key(|(at, _)| *at)
            .map(|(_, o)| o)
    });
    named.or_else(|| orders.iter().max_by_key(|o| o.placed_at))
}

/// Where `text` last names `number` as a whole word (not "LK-104" inside "LK-104320").
fn last_naming(text: &str, number: &str) -> Option<usize> {
    let word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.rmatch_indices(number)
        .map(|(at, _)| at)
        .find(|&at| !word_char(text[..at].chars().next_back()) && !word_char(text[at + number.len()..].chars().next()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            customer_name: Some("Ana María Souza".into()),
            customer_email: Some("ana@example.com".into()),
            order_number: Some("LK-104233".into()),
            rep_name: "Sam".into(),
            contact_subject: Some("Tent pole snapped".into()),
            contact_id: Some(42),
            today: "2026-11-20".into(),
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        let t = "{{customer.first_name}}|{{customer.last_name}}|{{customer.name}}|{{customer.email}}|\
                 {{order.number}}|{{rep.name}}|{{contact.subject}}|{{contact.id}}|{{date.today}}";
        assert_eq!(
            fill(t, &ctx()),
            "Ana|María Souza|Ana María Souza|ana@example.com|LK-104233|Sam|Tent pole snapped|42|2026-11-20"
        );
    }

    #[test]
    fn spaces_and_case_inside_the_braces_are_fine() {
        assert_eq!(fill("Hi {{ Customer.First_Name }}!", &ctx()), "Hi Ana!");
        assert_eq!(fill("{{\torder.number\t}}", &ctx()), "LK-104233");
    }

    #[test]
    fn missing_and_unknown_values_stay_visible() {
        let empty = Context { rep_name: "Sam".into(), ..Context::default() };
        assert_eq!(
            fill("Order {{order.number}} for {{customer.first_name}}", &empty),
            "Order [order.number?] for [customer.first_name?]"
        );
        assert_eq!(fill("{{ customer.shoe_size }}", &ctx()), "[customer.shoe_size?]");
        let one_name = Context { customer_name: Some("Prince".into()), ..ctx() };
        assert_eq!(fill("{{customer.last_name}}", &one_name), "[customer.last_name?]");
    }

    #[test]
    fn text_that_is_not_a_placeholder_is_kept() {
        assert_eq!(fill("a {{ }} b {{ unclosed", &ctx()), "a {{ }} b {{ unclosed");
        assert_eq!(fill("{{{rep.name}}}", &ctx()), "{Sam}");
        assert_eq!(fill("{{#if x}}", &ctx()), "{{#if x}}");
        assert_eq!(fill("", &ctx()), "");
        assert_eq!(fill("no braces", &ctx()), "no braces");
    }

    #[test]
    fn the_order_is_the_one_the_customer_names_else_the_newest() {
        use crate::domain::Order;
        let order = |number: &str, placed_at: i64| Order {
            number: number.into(),
            placed_at,
            status: "delivered".into(),
            total_cents: 0,
            currency: "USD".into(),
            items: String::new(),
            carrier: None,
            tracking: None,
        };
        let orders = [order("LK-104", 1), order("LK-104320", 2), order("LK-104588", 3)];
        let about = |body: &str| order_in_question(&[body, "Re: my order"], &orders).map(|o| o.number.clone());
        assert_eq!(about("The return for lk-104320 never got a label").as_deref(), Some("LK-104320"));
        assert_eq!(about("Order LK-104 arrived broken").as_deref(), Some("LK-104"), "a whole word, not a prefix");
        assert_eq!(about("LK-104 first, then LK-104320 too").as_deref(), Some("LK-104320"), "the latest named");
        assert_eq!(about("Where is my parcel?").as_deref(), Some("LK-104588"), "else the newest");
    }
}
