#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Builds a deterministic benchmark workspace through Frontline's own store code.
//!
//! ```sh
//! cargo run --release --example generate -- --out /tmp/full.db --tier full --seed 1
//! cargo run --release --example generate -- --tier stress --seed 1 --kb-files /tmp/kb100k
//! cargo run --release --example generate -- --tier full --seed 1 --contacts-csv /tmp/contacts.csv
//! cargo run --release --example generate -- --tier full --seed 1 --maildir /tmp/maildir
//! ```
//!
//! Tiers (see BENCHMARKS.md):
//! - `full`: 200,000 customers (identities, orders, billing), 1,000,000 contacts over two
//!   years with their event logs (about 40 % are a customer's repeat contact; 3,000 waiting),
//!   2,000,000 notes, 20,000 help-centre articles.
//! - `stress`: 100,000 articles, with the records of `small` (it is the knowledge-base tier).
//! - `small`: 2,000 customers, 10,000 contacts, 20,000 notes, 1,000 articles (quick checks).
//!
//! Customer 1 always has 1,000 earlier contacts and one waiting at priority 1 (on the
//! queue's first page); its ids are kept in `meta` as `bench.heavy_customer` / `bench.heavy_contact`.
//! Times are relative to a fixed "now" (`--now`, default 2026-11-20T12:00:00Z) so the same
//! seed gives the same file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use frontline::domain::{BillingEvent, Channel, ContactStatus, IdentityKind, Order};
use frontline::store::{self, contacts, customers, kb, notes};

const DAY: i64 = 86_400;
const DEFAULT_NOW: i64 = 1_795_176_000; // 2026-11-20T12:00:00Z

#[derive(Clone, Copy)]
struct Tier {
    customers: usize,
    contacts: usize,
    notes: usize,
    articles: usize,
    waiting: usize,
}

impl Tier {
    fn named(name: &str) -> Tier {
        let small = Tier { customers: 2_000, contacts: 10_000, notes: 20_000, articles: 1_000, waiting: 200 };
        match name {
            "full" => {
                Tier { customers: 200_000, contacts: 1_000_000, notes: 2_000_000, articles: 20_000, waiting: 3_000 }
            }
            "stress" => Tier { articles: 100_000, ..small },
            "small" => small,
            other => panic!("unknown tier {other} (full, stress, small)"),
        }
    }
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo).max(1) as u64) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
    /// Index by weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = (self.next_u64() % u64::from(total)) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

const FIRST: &[&str] = &[
    "Aiko", "Amara", "Ben", "Carla", "Chen", "Dana", "Diego", "Elena", "Emeka", "Farah", "Gus", "Hana", "Ines", "Ivan",
    "Jada", "Jonas", "Kai", "Lena", "Liam", "Maya", "Mateo", "Nadia", "Noah", "Olga", "Omar", "Priya", "Quinn", "Rosa",
    "Sam", "Sara", "Tariq", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Ada", "Bruno", "Cleo", "Dev", "Eli",
    "Fay", "Gita", "Hugo", "Iris", "Jon", "Kira", "Leo", "Mina", "Nils", "Ona", "Pablo", "Rhea", "Soren", "Tess",
    "Ugo", "Vera", "Will", "Yara",
];
const LAST: &[&str] = &[
    "Tanaka",
    "Okafor",
    "Smith",
    "Garcia",
    "Nguyen",
    "Kim",
    "Müller",
    "Rossi",
    "Haddad",
    "Kowalski",
    "Silva",
    "Patel",
    "Johansson",
    "O'Brien",
    "Novak",
    "Dubois",
    "Costa",
    "Schmidt",
    "Ivanova",
    "Mendes",
    "Larsen",
    "Yilmaz",
    "Khan",
    "Moreau",
    "Fischer",
    "Lopez",
    "Sato",
    "Brown",
    "Walker",
    "Hughes",
    "Reyes",
    "Bauer",
    "Ortiz",
    "Cohen",
    "Adeyemi",
    "Lindqvist",
    "Park",
    "Chowdhury",
    "Fontaine",
    "Varga",
    "Horvat",
    "Nakamura",
    "Wójcik",
    "Andersen",
    "Gallo",
    "Petrov",
    "Ramos",
    "Suzuki",
    "Weber",
    "Young",
];
const COMPANIES: &[&str] =
    &["Northwind Guides", "Blue Ridge Camps", "Harbor Scouts", "Summit School", "Trailhead Co-op", "Pine Lake Lodge"];
const TIERS: &[&str] = &["standard", "standard", "standard", "plus", "plus", "pro"];
const LANGS: &[&str] = &["en", "en", "en", "en", "es", "fr", "de", "ja"];
const ZONES: &[&str] =
    &["America/Los_Angeles", "America/Chicago", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Tokyo"];
const PRODUCTS: &[&str] = &[
    "tent",
    "sleeping bag",
    "backpack",
    "rain jacket",
    "hiking boots",
    "camp stove",
    "headlamp",
    "trekking poles",
    "kayak",
    "paddle",
    "bike helmet",
    "water filter",
    "sleeping pad",
    "down jacket",
    "trail runners",
    "climbing harness",
    "carabiner",
    "tarp",
    "hammock",
    "cooler",
    "lantern",
    "daypack",
    "ski goggles",
    "snowshoes",
    "fleece",
    "base layer",
    "gloves",
    "duffel",
    "camp chair",
    "cookset",
    "GPS watch",
    "bike lights",
    "rope",
    "crampons",
    "bivy",
    "insulated bottle",
];
const MODEL_A: &[&str] = &[
    "Ridge", "Cascade", "Summit", "Alpen", "Granite", "Cedar", "Aspen", "Talus", "Moraine", "Cirque", "Basalt",
    "Juniper", "Tundra", "Sierra", "Canyon", "Boreal", "Quartz", "Lichen", "Osprey", "Kestrel", "Marmot", "Pika",
    "Heron", "Larch", "Fjord", "Mesa", "Dune", "Glacier", "Timber", "Ember",
];
const MODEL_B: &[&str] = &[
    "line", "crest", "view", "trail", "peak", "lite", "pro", "trek", "pass", "ridge", "wing", "shell", "loft", "dome",
    "fall", "run", "star", "field", "wood", "stone",
];
const CARRIERS: &[&str] = &["UPS", "FedEx", "USPS", "DHL", "Canada Post", "Royal Mail"];
const ORDER_STATUS: &[&str] =
    &["delivered", "delivered", "delivered", "shipped", "processing", "returned", "cancelled"];
const DISPOSITIONS: &[&str] = &[
    "Answered question",
    "Refund issued",
    "Replacement sent",
    "Order updated",
    "Return started",
    "Warranty claim",
    "Account fixed",
    "Escalated to billing",
    "No action needed",
    "Shipping claim filed",
];
const DEPARTMENTS: &[&str] = &["Billing", "Tier 2", "Warehouse", "Warranty", "Fraud"];
const TAGS: &[&str] = &[
    "refund",
    "return",
    "shipping",
    "damaged",
    "warranty",
    "billing",
    "account",
    "exchange",
    "sizing",
    "loyalty",
    "gift-card",
    "late-delivery",
    "missing-item",
    "promo-code",
    "repair",
];

/// One kind of problem: how customers phrase it and how reps write it up.
struct Topic {
    subjects: &'static [&'static str],
    bodies: &'static [&'static str],
    tag: &'static str,
}

const TOPICS: &[Topic] = &[
    Topic {
        subjects: &["Where is my order?", "Order {order} not arrived", "Tracking hasn't updated", "Package late"],
        bodies: &[
            "I ordered a {product} last week and the tracking still says label created.",
            "The {carrier} tracking for my {product} has not moved in four days.",
            "My order was supposed to arrive yesterday for a trip this weekend.",
        ],
        tag: "late-delivery",
    },
    Topic {
        subjects: &["Refund request", "Want to return my {product}", "Return label please", "How do I return this?"],
        bodies: &[
            "The {product} is too small, I would like to return it for a refund.",
            "I never used the {product}, it still has the tags. Can I send it back?",
            "Please send me a return label for the {model} {product}.",
        ],
        tag: "return",
    },
    Topic {
        subjects: &["Item arrived damaged", "Broken {product}", "Torn on arrival", "Missing parts"],
        bodies: &[
            "The {product} arrived with a torn seam and a bent pole.",
            "The box was crushed and the {product} inside is cracked.",
            "One of the stakes and the rain fly are missing from the {model}.",
        ],
        tag: "damaged",
    },
    Topic {
        subjects: &["Charged twice", "Billing question", "Unknown charge on my card", "Refund not received"],
        bodies: &[
            "I see two charges for the same order on my statement.",
            "You refunded my {product} two weeks ago but the money is not back yet.",
            "There is a charge I do not recognise from last month.",
        ],
        tag: "billing",
    },
    Topic {
        subjects: &["Warranty claim", "{product} stopped working", "Zipper broke", "Repair request"],
        bodies: &[
            "The zipper on my {model} {product} broke after two trips.",
            "My {product} stopped working after six months, is it under warranty?",
            "The waterproof coating is peeling off the {product}.",
        ],
        tag: "warranty",
    },
    Topic {
        subjects: &["Can't log in", "Password reset not arriving", "Change my email", "Delete my account"],
        bodies: &[
            "The password reset email never arrives, I checked spam.",
            "I need to change the email address on my account.",
            "My account is locked after too many attempts.",
        ],
        tag: "account",
    },
    Topic {
        subjects: &["Exchange for another size", "Wrong size", "Swap colour", "Exchange {product}"],
        bodies: &[
            "Can I exchange the {product} for one size up?",
            "I received the wrong colour, I ordered green.",
            "The {model} fits too tight, I want the wide version.",
        ],
        tag: "exchange",
    },
    Topic {
        subjects: &["Promo code not working", "Gift card balance", "Loyalty points missing", "Price match"],
        bodies: &[
            "The code from your newsletter says it is expired.",
            "My points from the last order are not on my account.",
            "I saw the {product} cheaper on another site, do you price match?",
        ],
        tag: "promo-code",
    },
];

const NOTE_LINES: &[&str] = &[
    "Customer confirmed the shipping address.",
    "Checked tracking with {carrier}: in transit, delayed at the hub.",
    "Issued a prepaid return label by email.",
    "Refund of the {product} processed to the original card.",
    "Explained the 60-day return window.",
    "Customer will send photos of the damage.",
    "Sent a replacement {product}, no return needed.",
    "Verified identity with order number and postcode.",
    "Escalated to billing for the duplicate charge.",
    "Reset the password link manually and confirmed receipt.",
    "Applied a 15% goodwill code for the delay.",
    "Customer prefers email follow-up in the afternoon.",
    "Warranty claim opened; repair centre will contact them.",
    "Advised on sizing: the {model} runs small.",
    "Customer was happy with the outcome.",
];

/// The help centre's vocabulary: section headings and sentences with slots.
const HEADINGS: &[&str] = &[
    "Before you start",
    "What you need",
    "Step by step",
    "How long it takes",
    "Refunds",
    "Exchanges",
    "Shipping and delivery",
    "Fees and charges",
    "Exceptions",
    "Warranty coverage",
    "Care and cleaning",
    "Troubleshooting",
    "Still need help?",
    "Related questions",
    "For members",
    "International orders",
];
const SENTENCES: &[&str] = &[
    "You can return most items within {days} days of delivery for a full refund.",
    "Items must be unused and returned with the original tags and packaging.",
    "Start a return from Your Orders, choose the {product} and print the prepaid label.",
    "Refunds go back to the original payment method within 5 to 10 business days after we receive the item.",
    "We email you as soon as the warehouse has checked your return.",
    "Exchanges for a different size or colour ship free once we scan the return at the post office.",
    "Store credit is issued instantly and never expires.",
    "Orders placed before 2 pm ship the same business day.",
    "Standard shipping takes 3 to 5 business days; express takes 1 to 2.",
    "Tracking updates can take up to 24 hours to appear on the {carrier} website.",
    "If your tracking has not changed in five days, contact us and we will open a claim with {carrier}.",
    "Members of the {plan} plan get free shipping on every order.",
    "Oversized items such as a {product} may ship separately and arrive on different days.",
    "We cannot change the delivery address once the order has shipped.",
    "Duplicate charges are usually authorisation holds that drop off within three days.",
    "A pending charge is not a completed payment and your bank releases it automatically.",
    "Gift cards cannot be refunded or exchanged for cash.",
    "Promo codes cannot be combined and do not apply to gift cards.",
    "Loyalty points appear on your account 14 days after delivery.",
    "The {model} {product} is covered by our lifetime warranty against defects in materials and workmanship.",
    "Normal wear, accidents and damage from improper care are not covered by the warranty.",
    "Send us photos of the damage and your order number so we can assess the claim.",
    "Most repairs take two to three weeks, plus shipping both ways.",
    "If we cannot repair the {product}, we replace it with the same or a comparable model.",
    "Wash the {product} by hand in cold water with a mild, non-detergent soap.",
    "Never put a waterproof {product} in the dryer; hang it to dry out of direct sunlight.",
    "Reproof the shell every season with a spray-on water repellent treatment.",
    "Store the {product} loosely in a cool, dry place rather than compressed in its stuff sack.",
    "Check the seams and zippers before every trip and lubricate stiff zippers with wax.",
    "If the {product} does not power on, charge it for at least two hours with the supplied cable.",
    "Reset the {product} by holding the power button for ten seconds.",
    "Update the firmware from the companion app before contacting support.",
    "Password reset emails can take a few minutes and sometimes land in the spam folder.",
    "For your security, we never ask for your full card number by email or chat.",
    "You can update your email address, phone number and saved addresses under Account settings.",
    "Deleting your account removes your order history and loyalty points permanently.",
    "International orders may be charged import duties and taxes by the destination country.",
    "Returns from outside the country are not prepaid; we recommend a tracked service.",
    "Sizes follow the chart on each product page; if you are between sizes, choose the larger one.",
    "The {model} fits true to size for most customers, with a roomy toe box.",
    "Price adjustments are available within {days} days of purchase if the price drops.",
    "We match prices from authorised retailers for identical items in stock.",
    "Rentals must be returned by the due date to avoid a daily late fee.",
    "Rental gear is cleaned and inspected after every use.",
    "Customers who pick up in store receive an email when the order is ready.",
    "Bring a photo ID and the order confirmation when you collect your order.",
    "Our team is available by phone, chat and email every day from 7 am to 9 pm.",
    "Have your order number ready so we can find your purchase quickly.",
    "If something arrived damaged, keep the packaging until the claim is settled.",
    "Missing parts can be shipped separately at no cost.",
];
const PLANS: &[&str] = &["Basecamp", "Summit", "Expedition"];

fn model(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(MODEL_A), rng.pick(MODEL_B))
}

fn fill(template: &str, rng: &mut Rng) -> String {
    let mut out = template.to_string();
    for (slot, value) in [
        ("{product}", rng.pick(PRODUCTS).to_string()),
        ("{model}", model(rng)),
        ("{carrier}", rng.pick(CARRIERS).to_string()),
        ("{days}", rng.pick(&["30", "60", "90", "14"]).to_string()),
        ("{plan}", rng.pick(PLANS).to_string()),
        ("{order}", format!("LK-{}", rng.range(100_000, 999_999))),
    ] {
        if out.contains(slot) {
            out = out.replace(slot, &value);
        }
    }
    out
}

fn customer_identity(i: usize) -> (String, String, String) {
    let mut rng = Rng::new(i as u64 * 7919);
    let first = FIRST[rng.below(FIRST.len())];
    let last = LAST[rng.below(LAST.len())];
    let name = format!("{first} {last}");
    let local: String = format!("{first}.{last}").to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    let email = format!("{local}{i}@example.net");
    let phone = format!("+1 {:03} 555 {:04}", 200 + (i / 10_000) % 800, i % 10_000);
    (name, email, phone)
}

fn new_customer(i: usize, rng: &mut Rng, now: i64) -> customers::NewCustomer {
    let (name, email, phone) = customer_identity(i);
    let mut identities = vec![(IdentityKind::Email, email), (IdentityKind::Phone, phone)];
    if rng.chance(0.25) {
        let handle: String = name.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
        identities.push((IdentityKind::Handle, format!("@{handle}{i}")));
    }
    let n_orders = rng.weighted(&[15, 30, 25, 15, 10, 5]);
    let mut orders = Vec::new();
    let mut billing = Vec::new();
    for k in 0..n_orders {
        let placed_at = now - rng.range(DAY, 900 * DAY);
        let total_cents = rng.range(1_500, 60_000);
        let status = rng.pick(ORDER_STATUS).to_string();
        let items = format!("{} {}", model(rng), rng.pick(PRODUCTS));
        orders.push(Order {
            number: format!("LK-{i}-{k}"),
            placed_at,
            status: status.clone(),
            total_cents,
            currency: "USD".into(),
            items: items.clone(),
            carrier: Some(rng.pick(CARRIERS).to_string()),
            tracking: Some(format!("1Z{:016}", rng.next_u64() % 10_000_000_000_000_000)),
        });
        billing.push(BillingEvent {
            at: placed_at,
            kind: frontline::domain::BillingKind::Charge,
            amount_cents: total_cents,
            currency: "USD".into(),
            description: format!("Order LK-{i}-{k}: {items}"),
        });
        if status == "returned" || rng.chance(0.08) {
            billing.push(BillingEvent {
                at: placed_at + rng.range(5 * DAY, 40 * DAY),
                kind: frontline::domain::BillingKind::Refund,
                amount_cents: -total_cents,
                currency: "USD".into(),
                description: format!("Refund for LK-{i}-{k}"),
            });
        }
    }
    customers::NewCustomer {
        name,
        company: rng.chance(0.08).then(|| rng.pick(COMPANIES).to_string()),
        tier: Some(rng.pick(TIERS).to_string()),
        language: Some(rng.pick(LANGS).to_string()),
        timezone: Some(rng.pick(ZONES).to_string()),
        vip: rng.chance(0.02),
        fraud_watch: rng.chance(0.003),
        do_not_contact: rng.chance(0.005),
        pinned_note: rng.chance(0.03).then(|| "Prefers email; hard of hearing on the phone.".to_string()),
        identities,
        orders,
        billing,
    }
}

/// One contact before it is written: when, who (customer index, 0 = unknown) and how.
#[derive(Clone, Copy)]
struct Spec {
    created: i64,
    customer: u32,
    channel: u8,
    topic: u8,
    waiting: bool,
    priority: u8,
}

/// Every contact, oldest first: episodes of 1–3 contacts per customer issue (the repeats
/// within days are what FCR counts), customer 1's 1,000, and the waiting queue.
fn contact_specs(tier: Tier, seed: u64, now: i64) -> Vec<Spec> {
    let mut rng = Rng::new(seed ^ 0xC0FFEE);
    let mut specs = Vec::with_capacity(tier.contacts);
    let history = tier.contacts - tier.waiting - 1;
    let heavy = 1_000.min(history / 10);
    let channel_weights = [30, 30, 25, 8, 7];
    let priority = |rng: &mut Rng| [1u8, 2, 3, 4][rng.weighted(&[5, 15, 60, 20])];
    for _ in 0..heavy {
        let created = now - rng.range(DAY, 730 * DAY);
        specs.push(Spec {
            created,
            customer: 1,
            channel: rng.weighted(&channel_weights) as u8,
            topic: rng.below(TOPICS.len()) as u8,
            waiting: false,
            priority: priority(&mut rng),
        });
    }
    while specs.len() < history {
        // More recent days are busier (a growing business); business hours only.
        let day = (730.0 * rng.unit().sqrt()) as i64;
        let start = now - 8 * 3600 - (730 - day) * DAY + rng.range(0, 12 * 3600) - 12 * 3600;
        let customer = if rng.chance(0.1) {
            0
        } else {
            // Skewed: some customers call often, most rarely.
            2 + (((tier.customers - 1) as f64) * rng.unit().powf(1.6)) as u32 % (tier.customers as u32 - 1)
        };
        let topic = rng.below(TOPICS.len()) as u8;
        let episode = 1 + rng.weighted(&[55, 25, 20]);
        let mut at = start;
        for _ in 0..episode {
            if specs.len() >= history || at >= now - 7 * 3600 {
                break;
            }
            specs.push(Spec {
                created: at,
                customer,
                channel: rng.weighted(&channel_weights) as u8,
                topic,
                waiting: false,
                priority: priority(&mut rng),
            });
            at += rng.range(2 * 3600, 5 * DAY);
        }
    }
    for _ in 0..tier.waiting {
        let customer = if rng.chance(0.15) { 0 } else { 2 + rng.below(tier.customers.saturating_sub(2).max(1)) as u32 };
        specs.push(Spec {
            created: now - rng.range(60, 6 * 3600),
            customer,
            channel: rng.weighted(&channel_weights) as u8,
            topic: rng.below(TOPICS.len()) as u8,
            waiting: true,
            priority: priority(&mut rng),
        });
    }
    specs.sort_by_key(|s| s.created);
    // Customer 1's waiting contact, most urgent (among the first page of the queue).
    specs.push(Spec { created: now - 300, customer: 1, channel: 0, topic: 0, waiting: true, priority: 1 });
    specs
}

const CHANNELS: [Channel; 5] = [Channel::Phone, Channel::Email, Channel::Chat, Channel::Social, Channel::InPerson];

fn new_contact(spec: &Spec, rng: &mut Rng, customer_id: Option<i64>) -> contacts::NewContact {
    let channel = CHANNELS[usize::from(spec.channel)];
    let topic = &TOPICS[usize::from(spec.topic)];
    let subject = fill(rng.pick_str(topic.subjects), rng);
    let body = if channel == Channel::Phone || channel == Channel::InPerson {
        String::new()
    } else {
        format!("{} {}", fill(rng.pick_str(topic.bodies), rng), fill(rng.pick_str(topic.bodies), rng))
    };
    let mut tags = vec![topic.tag.to_string()];
    if rng.chance(0.3) {
        tags.push(rng.pick(TAGS).to_string());
    }
    let mut c = contacts::NewContact::waiting(channel, &subject, spec.created);
    c.customer_id = customer_id;
    c.body = body;
    c.priority = spec.priority;
    c.tags = tags;
    if spec.waiting {
        return c;
    }
    let wait = match channel {
        Channel::Phone | Channel::Chat => rng.range(10, 600),
        Channel::Email => rng.range(600, DAY),
        Channel::Social => rng.range(300, 6 * 3600),
        Channel::InPerson => rng.range(0, 900),
    };
    let handle = match channel {
        Channel::Phone => rng.range(120, 1_500),
        Channel::Chat => rng.range(180, 1_800),
        Channel::Email => rng.range(120, 900),
        Channel::Social => rng.range(60, 600),
        Channel::InPerson => rng.range(180, 1_200),
    };
    let accepted = spec.created + wait;
    let hold = if channel == Channel::Phone && rng.chance(0.35) { rng.range(20, 600) } else { 0 };
    let (status, escalated_to) = match rng.weighted(&[85, 8, 7]) {
        0 => (ContactStatus::Resolved, None),
        1 => (ContactStatus::Escalated, Some(rng.pick(DEPARTMENTS).to_string())),
        _ => (ContactStatus::Transferred, Some(rng.pick(DEPARTMENTS).to_string())),
    };
    c.status = status;
    c.accepted_at = Some(accepted);
    c.ended_at = Some(accepted + handle + hold);
    c.hold_seconds = hold;
    c.disposition = Some(rng.pick(DISPOSITIONS).to_string());
    c.escalated_to = escalated_to;
    c.csat = rng.chance(0.25).then(|| [5u8, 5, 5, 4, 4, 3, 2, 1][rng.below(8)]);
    c
}

/// One help-centre article: Markdown body, its plain text, title, category and tags.
struct GenArticle {
    source: String,
    title: String,
    category: String,
    tags: Vec<String>,
    body: String,
    plain: String,
}

const ARTICLE_KINDS: &[(&str, &str)] = &[
    ("How to return a {product}", "Returns and refunds"),
    ("Refund timing for {product} orders", "Returns and refunds"),
    ("Exchanging your {model} {product} for another size", "Returns and refunds"),
    ("Tracking a late {product} delivery with {carrier}", "Shipping"),
    ("Shipping oversized items like a {product}", "Shipping"),
    ("{model} {product}: warranty and repairs", "Warranty"),
    ("Caring for your {model} {product}", "Product care"),
    ("{model} {product} troubleshooting", "Product help"),
    ("{model} {product} sizing and fit", "Product help"),
    ("Duplicate or pending charges", "Billing"),
    ("Promo codes, gift cards and {plan} membership", "Billing"),
    ("Account, password and privacy", "Account"),
    ("Renting a {product}", "Rentals"),
    ("Picking up a {product} in store", "Stores"),
];

fn article(i: usize, seed: u64) -> GenArticle {
    let mut rng = Rng::new(seed.wrapping_mul(31) ^ (i as u64).wrapping_mul(0x5851_F42D_4C95_7F2D));
    let (title_t, category) = ARTICLE_KINDS[rng.below(ARTICLE_KINDS.len())];
    let title = fill(title_t, &mut rng);
    let mut body = String::new();
    let mut plain = String::new();
    // Realistic lengths: most articles 250–700 words, a few long guides.
    let sections = 3 + rng.weighted(&[20, 30, 25, 15, 7, 3]);
    for _ in 0..sections {
        let heading = rng.pick(HEADINGS);
        let _ = writeln!(body, "## {heading}\n");
        let _ = writeln!(plain, "{heading}");
        let sentences: Vec<String> = (0..4 + rng.below(8)).map(|_| fill(rng.pick_str(SENTENCES), &mut rng)).collect();
        if rng.chance(0.3) {
            for (n, s) in sentences.iter().enumerate() {
                let _ = writeln!(body, "{}. {s}", n + 1);
                let _ = writeln!(plain, "{s}");
            }
            body.push('\n');
        } else {
            let para = sentences.join(" ");
            let _ = writeln!(body, "{para}\n");
            let _ = writeln!(plain, "{para}");
        }
    }
    let slug: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let cat_slug = category.to_lowercase().replace(' ', "-");
    let tags = vec![rng.pick(TAGS).to_string(), rng.pick(TAGS).to_string()];
    GenArticle {
        source: format!("helpcentre/{cat_slug}/{slug}-{i}.md"),
        title,
        category: category.into(),
        tags,
        body,
        plain,
    }
}

struct Args {
    out: Option<PathBuf>,
    tier: String,
    seed: u64,
    now: i64,
    kb_files: Option<PathBuf>,
    contacts_csv: Option<PathBuf>,
    maildir: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        out: None,
        tier: "small".into(),
        seed: 1,
        now: DEFAULT_NOW,
        kb_files: None,
        contacts_csv: None,
        maildir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--out" => a.out = Some(value().into()),
            "--tier" => a.tier = value(),
            "--seed" => a.seed = value().parse().expect("--seed N"),
            "--now" => a.now = value().parse().expect("--now UNIX_SECONDS"),
            "--kb-files" => a.kb_files = Some(value().into()),
            "--contacts-csv" => a.contacts_csv = Some(value().into()),
            "--maildir" => a.maildir = Some(value().into()),
            "-h" | "--help" => {
                println!(
                    "generate --out PATH --tier full|stress|small --seed N [--now UNIX] [--kb-files DIR] [--contacts-csv FILE] [--maildir DIR]"
                );
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

fn main() {
    let a = args();
    let tier = Tier::named(&a.tier);
    let started = Instant::now();
    if let Some(dir) = &a.kb_files {
        write_kb_files(dir, tier, a.seed);
        eprintln!("wrote {} article files to {} in {:.1?}", tier.articles, dir.display(), started.elapsed());
    }
    if let Some(csv) = &a.contacts_csv {
        write_contacts_csv(csv, tier, a.seed, a.now);
        eprintln!("wrote {} contacts to {} in {:.1?}", tier.contacts, csv.display(), started.elapsed());
    }
    if let Some(out) = &a.out {
        build_workspace(out, tier, &a);
        eprintln!("built {} ({} tier, seed {}) in {:.1?}", out.display(), a.tier, a.seed, started.elapsed());
    }
    if let Some(dir) = &a.maildir {
        let n = write_maildir(dir, tier, a.seed, a.now);
        eprintln!("wrote {n} messages to {} in {:.1?}", dir.display(), started.elapsed());
    }
    if a.out.is_none() && a.kb_files.is_none() && a.contacts_csv.is_none() && a.maildir.is_none() {
        eprintln!("nothing to do: give --out PATH, --kb-files DIR, --contacts-csv FILE or --maildir DIR");
        std::process::exit(2);
    }
}

fn build_workspace(out: &std::path::Path, tier: Tier, a: &Args) {
    assert!(!out.exists(), "{} exists; generate into a new file", out.display());
    let mut conn = store::open_workspace(out).expect("create workspace");
    // Generation only: a crash means generating again, so skip fsyncs and use a big cache.
    conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA secure_delete = OFF;").unwrap();
    let now = a.now;
    let mut rng = Rng::new(a.seed);
    let t = Instant::now();
    const BATCH: usize = 20_000;
    for chunk_start in (1..=tier.customers).step_by(BATCH) {
        store::write(&mut conn, |tx| -> rusqlite::Result<()> {
            for i in chunk_start..(chunk_start + BATCH).min(tier.customers + 1) {
                let c = new_customer(i, &mut rng, now);
                let id = customers::insert(tx, &c, now - 900 * DAY)?;
                assert_eq!(id, i as i64, "customers are numbered from 1 in a new workspace");
            }
            Ok(())
        })
        .unwrap();
    }
    eprintln!("  {} customers in {:.1?}", tier.customers, t.elapsed());

    let t = Instant::now();
    let specs = contact_specs(tier, a.seed, now);
    let mut ended: Vec<(i64, i64, u32)> = Vec::with_capacity(specs.len()); // (contact, ended_at, customer)
    let mut heavy_contact = 0;
    for chunk in specs.chunks(50_000) {
        store::write(&mut conn, |tx| -> rusqlite::Result<()> {
            for spec in chunk {
                let customer = (spec.customer > 0).then_some(i64::from(spec.customer));
                let c = new_contact(spec, &mut rng, customer);
                let id = contacts::insert(tx, &c)?;
                if spec.waiting && spec.customer == 1 {
                    heavy_contact = id;
                }
                if let Some(end) = c.ended_at {
                    ended.push((id, end, spec.customer));
                }
            }
            Ok(())
        })
        .unwrap();
    }
    eprintln!("  {} contacts (with event logs) in {:.1?}", specs.len(), t.elapsed());

    let t = Instant::now();
    let mut written = 0usize;
    let mut order: Vec<usize> = (0..ended.len()).collect();
    // Notes: 0–4 per handled contact (mean about 2), topped up to exactly the tier's count.
    let mut plan: Vec<u8> = order.iter().map(|_| [0u8, 1, 2, 3, 4][rng.weighted(&[10, 25, 33, 20, 12])]).collect();
    let mut total: usize = plan.iter().map(|&k| usize::from(k)).sum();
    while total < tier.notes && !plan.is_empty() {
        let k = rng.below(plan.len());
        plan[k] += 1;
        total += 1;
    }
    while total > tier.notes {
        let k = rng.below(plan.len());
        if plan[k] > 0 {
            plan[k] -= 1;
            total -= 1;
        }
    }
    order.truncate(ended.len());
    for chunk in order.chunks(50_000) {
        store::write(&mut conn, |tx| -> rusqlite::Result<()> {
            for &k in chunk {
                let (contact, end, customer) = ended[k];
                let customer = (customer > 0).then_some(i64::from(customer));
                for n in 0..plan[k] {
                    let lines = 1 + rng.below(3);
                    let body =
                        (0..lines).map(|_| fill(rng.pick_str(NOTE_LINES), &mut rng)).collect::<Vec<_>>().join(" ");
                    let at = end - 60 * i64::from(plan[k] - n);
                    let promise = rng.chance(0.01);
                    let note = if promise {
                        ("promise", body.as_str(), at, Some(at + rng.range(DAY, 10 * DAY)))
                    } else {
                        ("note", body.as_str(), at, None)
                    };
                    notes::insert_note(tx, Some(contact), customer, note)?;
                    written += 1;
                }
            }
            Ok(())
        })
        .unwrap();
    }
    eprintln!("  {written} notes in {:.1?}", t.elapsed());

    let t = Instant::now();
    for chunk_start in (0..tier.articles).step_by(5_000) {
        store::write(&mut conn, |tx| -> rusqlite::Result<()> {
            let mut batch = kb::ArticleBatch::begin(tx)?;
            for i in chunk_start..(chunk_start + 5_000).min(tier.articles) {
                let g = article(i, a.seed);
                let new = kb::NewArticle {
                    hash: frontline::import::kb::fnv1a(&[&g.title, &g.category, &g.body]),
                    source: g.source,
                    title: g.title,
                    description: String::new(),
                    category: g.category,
                    tags: g.tags,
                    body: g.body,
                    plain: g.plain,
                    url: Some(format!("https://help.example.net/a/{i}")),
                };
                batch.stage(&new)?;
            }
            batch.write(now).map(drop)
        })
        .unwrap();
    }
    // As `frontline import kb` leaves a help centre: each index in one segment.
    store::write(&mut conn, |tx| kb::merge_into_one(tx)).unwrap();
    eprintln!("  {} articles in {:.1?}", tier.articles, t.elapsed());

    store::meta_set(&conn, "bench.heavy_customer", "1").unwrap();
    store::meta_set(&conn, "bench.heavy_contact", &heavy_contact.to_string()).unwrap();
    store::meta_set(&conn, "bench.tier", &a.tier).unwrap();
    store::meta_set(&conn, "bench.seed", &a.seed.to_string()).unwrap();
    store::meta_set(&conn, "bench.now", &now.to_string()).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
}

fn write_kb_files(dir: &std::path::Path, tier: Tier, seed: u64) {
    for i in 0..tier.articles {
        let g = article(i, seed);
        let path = dir.join(&g.source);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = format!("---\ntitle: \"{}\"\ntags: [{}]\n---\n\n{}", g.title, g.tags.join(", "), g.body);
        std::fs::write(path, text).unwrap();
    }
}

/// A support mailbox as mbsync would leave it: one message per tenth customer, a third
/// still in `new/`, the rest read (`cur/`, flagged), one in five a reply to an earlier one,
/// bodies of help-centre length. Returns how many messages were written.
fn write_maildir(dir: &std::path::Path, tier: Tier, seed: u64, now: i64) -> usize {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let mut rng = Rng::new(seed ^ 0x6d61_696c);
    let count = tier.customers / 10;
    for i in 0..count {
        let customer = 1 + rng.below(tier.customers);
        let (name, email, _) = customer_identity(customer);
        let sent = now - ((count - i) as i64) * 300;
        let date = chrono::DateTime::from_timestamp(sent, 0).unwrap().to_rfc2822();
        let body = article(rng.below(tier.articles.max(1)), seed).plain;
        let reply = if i > 0 && rng.below(5) == 0 {
            format!("In-Reply-To: <m{}@mail.example.net>\n", rng.below(i))
        } else {
            String::new()
        };
        let text = format!(
            "From: {name} <{email}>\nTo: support@larkspur.example\nSubject: Question about my order {i}\n\
             Date: {date}\nMessage-ID: <m{i}@mail.example.net>\n{reply}\n{body}\n"
        );
        let (sub, flags) = if i % 3 == 0 { ("new", "") } else { ("cur", ":2,S") };
        std::fs::write(dir.join(sub).join(format!("{sent}.M{i}P1.mx1.example{flags}")), text).unwrap();
    }
    count
}

fn write_contacts_csv(path: &std::path::Path, tier: Tier, seed: u64, now: i64) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    w.write_record(frontline::export::csv::CONTACT_HEADER).unwrap();
    let mut rng = Rng::new(seed);
    let time = |t: Option<i64>| {
        t.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|d| d.to_rfc3339()).unwrap_or_default()
    };
    for spec in contact_specs(tier, seed, now) {
        let c = new_contact(&spec, &mut rng, None);
        let customer = if spec.customer > 0 { customer_identity(spec.customer as usize).1 } else { String::new() };
        w.write_record([
            c.channel.as_str().to_string(),
            customer,
            c.subject,
            c.body,
            c.priority.to_string(),
            c.status.as_str().to_string(),
            time(Some(c.created_at)),
            time(c.accepted_at),
            time(c.ended_at),
            c.hold_seconds.to_string(),
            c.disposition.unwrap_or_default(),
            c.escalated_to.unwrap_or_default(),
            c.csat.map(|v| v.to_string()).unwrap_or_default(),
            c.tags.join(";"),
        ])
        .unwrap();
    }
    w.flush().unwrap();
    let _ = std::io::stdout().flush();
}
