//! Money as the rep reads it: one formatter and one rule for what a customer owes, shared
//! by the Customer pane and `frontline customer show` so the two never disagree.

use super::{BillingEvent, BillingKind, Order};

/// Currencies whose amounts have no minor unit (ISO 4217 exponent 0): a yen amount is
/// never written with ".00".
const WHOLE_UNITS: &[&str] = &["JPY", "KRW", "VND", "ISK", "CLP", "PYG", "UGX", "XAF", "XOF", "HUF"];

/// Formats an amount stored in hundredths of its currency: `$1,234.50`, `-€4.00`,
/// `¥1,200`, `CHF 12.00`. Thousands are grouped with commas; a currency without minor
/// units drops ".00" (but keeps a fraction that is really there, so nothing is hidden).
pub fn format(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let code = currency.trim().to_ascii_uppercase();
    let whole = group_thousands(abs / 100);
    let amount = if WHOLE_UNITS.contains(&code.as_str()) && abs.is_multiple_of(100) {
        whole
    } else {
        format!("{whole}.{:02}", abs % 100)
    };
    match code.as_str() {
        "USD" => format!("{sign}${amount}"),
        "CAD" => format!("{sign}CA${amount}"),
        "EUR" => format!("{sign}€{amount}"),
        "GBP" => format!("{sign}£{amount}"),
        "JPY" => format!("{sign}¥{amount}"),
        // A code from an imported file is shown, never interpreted: control characters out.
        _ => format!("{sign}{} {amount}", super::text::for_display(&code)),
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Order statuses that mean the order has not been paid for yet (an invoice, a bank
/// transfer still to come). Every other status was paid at checkout.
const UNPAID_STATUSES: &[&str] = &["unpaid", "invoiced", "pending_payment", "awaiting_payment", "payment_due"];

/// Whether an order is still to be paid.
pub fn order_unpaid(order: &Order) -> bool {
    let status = order.status.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    UNPAID_STATUSES.contains(&status.as_str())
}

/// What the customer owes, in hundredths of the billing currency; negative when the
/// customer is in credit.
///
/// The rule: a charge is money taken from the customer, so it owes nothing by itself —
/// except a charge that bills an order not yet paid (an invoice), which is owed until paid.
/// A refund gives money back for something paid, so it changes nothing owed — except a
/// refund against an unpaid order, which lowers its bill. A credit (goodwill, store credit)
/// and a payment lower what is owed. A dispute is shown but moves no money until it is
/// decided. So a customer whose orders are paid owes nothing, however many charges there are.
pub fn balance(billing: &[BillingEvent], orders: &[Order]) -> i64 {
    running_balance(billing, orders).last().copied().unwrap_or(0)
}

/// [`balance`] after each billing event in turn, for a ledger with a balance column.
pub fn running_balance(billing: &[BillingEvent], orders: &[Order]) -> Vec<i64> {
    let unpaid: Vec<&str> = orders.iter().filter(|o| order_unpaid(o)).map(|o| o.number.as_str()).collect();
    let bills_unpaid_order =
        |b: &BillingEvent| unpaid.iter().any(|n| !n.is_empty() && contains_order_number(&b.description, n));
    let mut owed = 0i64;
    billing
        .iter()
        .map(|b| {
            owed += match b.kind {
                BillingKind::Charge if bills_unpaid_order(b) => b.amount_cents,
                BillingKind::Refund if bills_unpaid_order(b) => -b.amount_cents,
                BillingKind::Credit | BillingKind::Payment => -b.amount_cents,
                _ => 0,
            };
            owed
        })
        .collect()
}

/// Whether `text` names the order `number` as a word of its own (LK-1042 is not LK-10423).
fn contains_order_number(text: &str, number: &str) -> bool {
    let upper = text.to_uppercase();
    let number = number.to_uppercase();
    upper.match_indices(&number).any(|(at, _)| {
        let before = upper[..at].chars().next_back();
        let after = upper[at + number.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// What a balance means in words: "nothing owed", "owes $12.00", "in credit $15.00".
pub fn describe_balance(owed: i64, currency: &str) -> String {
    match owed {
        0 => "nothing owed".to_string(),
        o if o > 0 => format!("owes {}", format(o, currency)),
        o => format!("in credit {}", format(-o, currency)),
    }
}

/// The balance after one billing event, for a row of the history: "owed $12.00", or
/// "credit $5.00" when the customer is in credit ("owed -$5.00" read as a debt).
pub fn after_event(owed: i64, currency: &str) -> (&'static str, String) {
    if owed < 0 { ("credit", format(-owed, currency)) } else { ("owed", format(owed, currency)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_in_credit_says_credit_not_a_negative_debt() {
        assert_eq!(after_event(-500, "USD"), ("credit", format(500, "USD")));
        assert_eq!(after_event(1200, "USD"), ("owed", format(1200, "USD")));
        assert_eq!(after_event(0, "USD").0, "owed");
    }

    fn order(number: &str, status: &str, cents: i64) -> Order {
        Order {
            number: number.into(),
            placed_at: 0,
            status: status.into(),
            total_cents: cents,
            currency: "USD".into(),
            items: String::new(),
            carrier: None,
            tracking: None,
        }
    }

    fn event(kind: &str, cents: i64, description: &str) -> BillingEvent {
        BillingEvent {
            at: 0,
            kind: BillingKind::parse(kind).unwrap_or(BillingKind::Charge),
            amount_cents: cents,
            currency: "USD".into(),
            description: description.into(),
        }
    }

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(format(1230, "USD"), "$12.30");
        assert_eq!(format(-400, "EUR"), "-€4.00");
        assert_eq!(format(143_700, "USD"), "$1,437.00");
        assert_eq!(format(123_456_789, "GBP"), "£1,234,567.89");
        assert_eq!(format(0, "CAD"), "CA$0.00");
        assert_eq!(format(1200, "CHF"), "CHF 12.00", "an unknown code goes first, as the pane always did");
        assert_eq!(format(1200, "usd"), "$12.00", "codes in any case");
    }

    #[test]
    fn currencies_without_minor_units_show_no_decimals() {
        assert_eq!(format(120_000, "JPY"), "¥1,200");
        assert_eq!(format(-50_000, "KRW"), "-KRW 500");
        assert_eq!(format(120_050, "JPY"), "¥1,200.50", "a fraction really there is not hidden");
    }

    #[test]
    fn a_customer_whose_orders_are_paid_owes_nothing() {
        // The demo's Daniel Okafor: a membership, a returned order refunded, a delivered
        // order and a shipped one charged twice — the old rule said he owed $991.90.
        let orders = [
            order("LK-103215", "returned", 21_900),
            order("LK-103959", "delivered", 13_490),
            order("LK-104795", "shipped", 38_900),
        ];
        let billing = [
            event("charge", 7_900, "Larkspur Plus annual membership"),
            event("charge", 21_900, "Order LK-103215"),
            event("refund", 21_900, "Refund — Order LK-103215 (return received)"),
            event("charge", 13_490, "Order LK-103959"),
            event("charge", 38_900, "Order LK-104795"),
            event("charge", 38_900, "Order LK-104795"),
        ];
        assert_eq!(balance(&billing, &orders), 0);
        assert_eq!(describe_balance(0, "USD"), "nothing owed");
    }

    #[test]
    fn unpaid_orders_are_owed_until_paid_and_credits_count_for_the_customer() {
        let orders = [order("LK-1", "invoiced", 100_000), order("LK-10", "delivered", 5_000)];
        let billing = [
            event("charge", 5_000, "Order LK-10"),
            event("charge", 100_000, "Order LK-1 — Net-30 invoice"),
            event("refund", 10_000, "Price adjustment on LK-1"),
            event("payment", 50_000, "Bank transfer"),
            event("dispute", 5_000, "Chargeback — LK-10"),
        ];
        assert_eq!(running_balance(&billing, &orders), vec![0, 100_000, 90_000, 40_000, 40_000]);
        assert_eq!(describe_balance(40_000, "USD"), "owes $400.00");
        let goodwill = [event("charge", 13_990, "Order LK-10"), event("credit", 1_500, "Goodwill credit")];
        assert_eq!(balance(&goodwill, &orders), -1_500);
        assert_eq!(describe_balance(-1_500, "USD"), "in credit $15.00");
    }

    #[test]
    fn an_order_number_is_matched_as_a_whole_word() {
        assert!(contains_order_number("Order lk-1 invoice", "LK-1"));
        assert!(!contains_order_number("Order LK-10", "LK-1"));
        assert!(!contains_order_number("XLK-1", "LK-1"));
    }
}
