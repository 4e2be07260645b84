//! Request Tracker 5 over REST 2.0, the first [`HelpDesk`] engine.
//!
//! What RT 5.0.3 does, measured against the real server (see the team tests):
//! - `PUT /ticket/N/take` with `{}` answers 200 to the winner and to every loser alike
//!   (`["Owner changed from Nobody to rep3"]` / `["You can only take tickets that are
//!   unowned"]`), so a take is only believed once `GET /ticket/N` shows the rep as Owner.
//! - ETag/If-Match does not stop two reps' edits from overwriting each other, so nothing
//!   here relies on it: replies and comments only ever add, and a change is made by the
//!   ticket's owner after a confirmed take.
//! - The change feed is a transaction search by id (`id > N`), one request per poll.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::config::{Auth, Secret, TeamSettings};
use super::{Entry, EntryKind, HelpDesk, Ownership, TakeOutcome, TeamError, Ticket, TicketId};

/// How long to wait for a connection; the server is on the rep's network or loopback.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one whole call may take (connect, send, answer, body).
const CALL_TIMEOUT: Duration = Duration::from_secs(8);
/// RT's largest page.
const PAGE: usize = 100;

/// A Request Tracker 5 server, signed in as one rep.
pub struct RtEngine {
    base: String,
    user: String,
    authorization: Secret,
    agent: ureq::Agent,
}

impl RtEngine {
    /// An engine for the `[team]` settings and the secret read for them. Makes no call.
    pub fn new(settings: &TeamSettings, secret: &Secret) -> Self {
        let authorization = match settings.auth {
            Auth::Basic => {
                Secret::new(format!("Basic {}", base64(format!("{}:{}", settings.user, secret.expose()).as_bytes())))
            }
            Auth::Token => Secret::new(format!("token {}", secret.expose())),
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(CALL_TIMEOUT))
            .http_status_as_error(false)
            .build()
            .into();
        Self { base: settings.url.clone(), user: settings.user.clone(), authorization, agent }
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}/REST/2.0/{path}", self.base)
    }

    /// One call: the method, the path under `/REST/2.0/`, query pairs and an optional JSON
    /// body. Returns the answer's JSON; a non-2xx answer is `Refused` with RT's message.
    fn call(&self, method: &str, path: &str, query: &[(&str, &str)], body: Option<&Value>) -> Result<Value, TeamError> {
        let url = self.endpoint(path);
        let auth = self.authorization.expose();
        let result = match (method, body) {
            ("GET", _) => {
                let mut request = self.agent.get(&url).header("Authorization", auth);
                for (k, v) in query {
                    request = request.query(*k, *v);
                }
                request.call()
            }
            (_, body) => {
                let text = body.map_or_else(|| "{}".to_string(), Value::to_string);
                let request = if method == "PUT" { self.agent.put(&url) } else { self.agent.post(&url) };
                request.header("Authorization", auth).content_type("application/json").send(text.as_str())
            }
        };
        // ureq's error text names the address at most, never a header: safe to show.
        let mut response = result.map_err(|e| TeamError::Offline(e.to_string()))?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().map_err(|e| TeamError::Offline(e.to_string()))?;
        if !(200..300).contains(&status) {
            return Err(TeamError::Refused { status, message: rt_message(&text) });
        }
        serde_json::from_str(&text).map_err(|e| TeamError::Invalid(format!("{method} {path}: {e}")))
    }

    fn owner_name(&self, which: Ownership) -> &str {
        match which {
            Ownership::Unowned => "Nobody",
            Ownership::Mine => self.user.as_str(),
        }
    }

    fn put(&self, path: &str, body: &Value) -> Result<Value, TeamError> {
        self.call("PUT", path, &[], Some(body))
    }

    fn post_message(&self, ticket: &TicketId, what: &str, body: &str) -> Result<(), TeamError> {
        let payload = json!({ "Content": body, "ContentType": "text/plain" });
        self.call("POST", &format!("ticket/{}/{what}", ticket.0), &[], Some(&payload)).map(drop)
    }

    /// Every page of a collection (history can be longer than one page).
    fn all_pages(&self, path: &str, query: &[(&str, &str)]) -> Result<Vec<Value>, TeamError> {
        let per_page = PAGE.to_string();
        let mut items = Vec::new();
        for page in 1u64.. {
            let number = page.to_string();
            let mut q = query.to_vec();
            q.extend([("per_page", per_page.as_str()), ("page", number.as_str())]);
            let answer = self.call("GET", path, &q, None)?;
            let batch = answer["items"].as_array().cloned().unwrap_or_default();
            let full = batch.len() >= PAGE;
            items.extend(batch);
            // RT says how many pages there are: a last page that happens to be full needs no
            // empty page after it to prove it was the last.
            let last = answer["pages"].as_u64().is_some_and(|pages| page >= pages);
            if !full || last {
                break;
            }
        }
        Ok(items)
    }
}

/// RT's own words from an error answer (`{"message": …}` or a list of strings), one line.
fn rt_message(text: &str) -> String {
    let message = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => o.get("message").and_then(Value::as_str).unwrap_or_default().to_string(),
        Ok(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "),
        _ => text.chars().take(200).collect(),
    };
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A field that RT writes either as a string or as `{ "id": … }`.
fn id_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(o) => o.get("id").map(id_of).unwrap_or_default(),
        _ => String::new(),
    }
}

fn seconds(value: &Value) -> i64 {
    value.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).map_or(0, |t| t.timestamp())
}

fn ticket_from(value: &Value) -> Result<Ticket, TeamError> {
    let id = id_of(&value["id"]);
    if id.is_empty() {
        return Err(TeamError::Invalid("a ticket without an id".into()));
    }
    let owner = id_of(&value["Owner"]);
    let queue = value["Queue"]["Name"].as_str().map_or_else(|| id_of(&value["Queue"]), str::to_string);
    let requestor = value["Requestor"]
        .as_array()
        .and_then(|r| r.first())
        .map(|r| r["EmailAddress"].as_str().filter(|e| !e.is_empty()).map_or_else(|| id_of(r), str::to_string));
    Ok(Ticket {
        id: TicketId(id),
        subject: value["Subject"].as_str().unwrap_or_default().to_string(),
        queue,
        owner: (!owner.is_empty() && owner != "Nobody").then_some(owner),
        status: value["Status"].as_str().unwrap_or_default().to_string(),
        requestor,
        created: seconds(&value["Created"]),
    })
}

fn entry_from(value: &Value, ticket: Option<&TicketId>) -> Option<Entry> {
    let id = id_of(&value["id"]).parse().ok()?;
    let kind = match value["Type"].as_str()? {
        "Create" => EntryKind::Create,
        "Correspond" => EntryKind::Correspond,
        "Comment" => EntryKind::Comment,
        _ => EntryKind::Other,
    };
    let ticket = ticket.cloned().unwrap_or_else(|| TicketId(id_of(&value["ObjectId"])));
    Some(Entry { id, ticket, kind, creator: id_of(&value["Creator"]), created: seconds(&value["Created"]) })
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// TicketSQL for open tickets in these queues, unowned or the rep's.
fn queue_query(queues: &[String], owner: &str) -> String {
    let queues: Vec<String> = queues.iter().map(|q| format!("Queue = {}", quoted(q))).collect();
    format!("({}) AND Owner = {} AND Status = '__Active__'", queues.join(" OR "), quoted(owner))
}

/// TransactionSQL for the messages of the tickets [`queue_query`] selects.
fn queue_history_query(queues: &[String], owner: &str) -> String {
    let queues: Vec<String> = queues.iter().map(|q| format!("TicketQueue = {}", quoted(q))).collect();
    format!(
        "ObjectType = 'RT::Ticket' AND (Type = 'Create' OR Type = 'Correspond' OR Type = 'Comment') \
         AND ({}) AND TicketOwner = {} AND TicketStatus = '__Active__'",
        queues.join(" OR "),
        quoted(owner)
    )
}

/// How many transactions one attachment search asks about: each costs RT ~33 ms whatever
/// its size, and 50 ids keep the address near 5 KB, under the 8 KB many servers allow.
const CONTENTS_CHUNK: usize = 50;

const TICKET_FIELDS: [(&str, &str); 3] = [
    ("fields", "Owner,Status,Subject,Queue,Requestor,Created"),
    ("fields[Queue]", "Name"),
    ("fields[Requestor]", "EmailAddress"),
];

impl HelpDesk for RtEngine {
    fn backend(&self) -> &'static str {
        "rt"
    }

    fn url(&self) -> &str {
        &self.base
    }

    fn user(&self) -> &str {
        &self.user
    }

    fn ping(&self) -> Result<(), TeamError> {
        self.call("GET", "rt", &[], None).map(drop)
    }

    fn take(&self, ticket: &TicketId) -> Result<TakeOutcome, TeamError> {
        // Winner and loser both get 200; RT's message is only a hint, the owner decides.
        let answer = self.put(&format!("ticket/{}/take", ticket.0), &json!({}))?;
        tracing::debug!(ticket = %ticket, answer = %rt_message(&answer.to_string()), "take");
        match self.ticket(ticket)?.owner {
            Some(owner) if owner == self.user => Ok(TakeOutcome::Taken),
            Some(owner) => Ok(TakeOutcome::TakenBy(owner)),
            None => Err(TeamError::Refused { status: 200, message: rt_message(&answer.to_string()) }),
        }
    }

    fn correspond(&self, ticket: &TicketId, body: &str) -> Result<(), TeamError> {
        self.post_message(ticket, "correspond", body)
    }

    fn comment(&self, ticket: &TicketId, body: &str) -> Result<(), TeamError> {
        self.post_message(ticket, "comment", body)
    }

    fn set_status(&self, ticket: &TicketId, status: &str) -> Result<(), TeamError> {
        let answer = self.put(&format!("ticket/{}", ticket.0), &json!({ "Status": status }))?;
        // RT answers 200 with its messages even when a change was not allowed: read it back.
        if self.ticket(ticket)?.status == status {
            Ok(())
        } else {
            Err(TeamError::Refused { status: 200, message: rt_message(&answer.to_string()) })
        }
    }

    fn move_queue(&self, ticket: &TicketId, queue: &str) -> Result<(), TeamError> {
        let answer = self.put(&format!("ticket/{}", ticket.0), &json!({ "Queue": queue }))?;
        if self.ticket(ticket)?.queue == queue {
            Ok(())
        } else {
            Err(TeamError::Refused { status: 200, message: rt_message(&answer.to_string()) })
        }
    }

    fn ticket(&self, ticket: &TicketId) -> Result<Ticket, TeamError> {
        let query = [("fields[Queue]", "Name"), ("fields[Requestor]", "EmailAddress")];
        ticket_from(&self.call("GET", &format!("ticket/{}", ticket.0), &query, None)?)
    }

    fn list(&self, queues: &[String], which: Ownership) -> Result<Vec<Ticket>, TeamError> {
        let sql = queue_query(queues, self.owner_name(which));
        let mut query = vec![("query", sql.as_str()), ("orderby", "id")];
        query.extend(TICKET_FIELDS);
        self.all_pages("tickets", &query)?.iter().map(ticket_from).collect()
    }

    fn changes_since(&self, position: i64, limit: usize) -> Result<Vec<Entry>, TeamError> {
        let search = json!([
            { "field": "id", "operator": ">", "value": position },
            { "field": "ObjectType", "operator": "=", "value": "RT::Ticket", "entry_aggregator": "AND" },
        ])
        .to_string();
        let per_page = limit.clamp(1, PAGE).to_string();
        let query = [
            ("query", search.as_str()),
            ("fields", "Type,Creator,Created,ObjectId"),
            ("orderby", "id"),
            ("per_page", per_page.as_str()),
        ];
        let answer = self.call("GET", "transactions", &query, None)?;
        let items = answer["items"].as_array().cloned().unwrap_or_default();
        Ok(items.iter().filter_map(|v| entry_from(v, None)).collect())
    }

    fn latest_position(&self) -> Result<i64, TeamError> {
        let search = json!([{ "field": "id", "operator": ">", "value": 0 }]).to_string();
        let query = [("query", search.as_str()), ("orderby", "id"), ("order", "DESC"), ("per_page", "1")];
        let answer = self.call("GET", "transactions", &query, None)?;
        Ok(answer["items"].get(0).map_or(0, |v| id_of(&v["id"]).parse().unwrap_or(0)))
    }

    fn history(&self, ticket: &TicketId, after: i64) -> Result<Vec<Entry>, TeamError> {
        let path = format!("ticket/{}/history", ticket.0);
        let items = self.all_pages(&path, &[("fields", "Type,Creator,Created"), ("orderby", "id")])?;
        Ok(items.iter().filter_map(|v| entry_from(v, Some(ticket))).filter(|e| e.id > after).collect())
    }

    fn tickets(&self, ids: &[TicketId]) -> Result<Vec<Ticket>, TeamError> {
        let mut found = Vec::new();
        for chunk in ids.chunks(CONTENTS_CHUNK) {
            // Ticket ids are RT's own numbers from the feed; anything else is skipped.
            let terms: Vec<String> = chunk
                .iter()
                .filter(|id| !id.0.is_empty() && id.0.bytes().all(|b| b.is_ascii_digit()))
                .map(|id| format!("id = {}", id.0))
                .collect();
            if terms.is_empty() {
                continue;
            }
            let sql = terms.join(" OR ");
            let mut query = vec![("query", sql.as_str()), ("orderby", "id")];
            query.extend(TICKET_FIELDS);
            for t in self.all_pages("tickets", &query)? {
                found.push(ticket_from(&t)?);
            }
        }
        Ok(found)
    }

    fn queue_history(&self, queues: &[String], which: Ownership) -> Result<Vec<Entry>, TeamError> {
        let sql = queue_history_query(queues, self.owner_name(which));
        let query = [("query", sql.as_str()), ("fields", "Type,Creator,Created,ObjectId"), ("orderby", "id")];
        Ok(self.all_pages("transactions", &query)?.iter().filter_map(|v| entry_from(v, None)).collect())
    }

    fn contents(&self, entries: &[i64]) -> Result<HashMap<i64, String>, TeamError> {
        let mut texts: HashMap<i64, String> = entries.iter().map(|&id| (id, String::new())).collect();
        for chunk in entries.chunks(CONTENTS_CHUNK) {
            let search: Vec<Value> =
                chunk.iter().map(|id| json!({ "field": "TransactionId", "operator": "=", "value": id })).collect();
            let search = Value::Array(search).to_string();
            let query =
                [("query", search.as_str()), ("fields", "Content,ContentType,TransactionId"), ("orderby", "id")];
            for a in self.all_pages("attachments", &query)? {
                let Ok(txn) = id_of(&a["TransactionId"]).parse::<i64>() else { continue };
                let plain = a["ContentType"].as_str().is_some_and(|t| t.starts_with("text/plain"));
                match (plain, a["Content"].as_str(), texts.get_mut(&txn)) {
                    (true, Some(content), Some(slot)) if slot.is_empty() && !content.is_empty() => {
                        *slot = content.to_string();
                    }
                    _ => {}
                }
            }
        }
        Ok(texts)
    }

    fn content(&self, entry: i64) -> Result<String, TeamError> {
        let path = format!("transaction/{entry}/attachments");
        let items = self.all_pages(&path, &[("fields", "Content,ContentType")])?;
        let text = items
            .iter()
            .filter(|a| a["ContentType"].as_str().is_some_and(|t| t.starts_with("text/plain")))
            .filter_map(|a| a["Content"].as_str())
            .find(|c| !c.is_empty());
        Ok(text.unwrap_or_default().to_string())
    }
}

/// Standard base64 (RFC 4648, with padding), for the basic-auth header.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn queue_names_are_quoted_in_ticketsql() {
        let sql = queue_query(&["General".into(), "it's".into()], "Nobody");
        assert_eq!(sql, "(Queue = 'General' OR Queue = 'it\\'s') AND Owner = 'Nobody' AND Status = '__Active__'");
    }

    #[test]
    fn a_ticket_reads_owner_queue_and_requestor() {
        let v = json!({"id": 7, "Subject": "Late", "Owner": {"id": "Nobody"}, "Status": "new",
            "Queue": {"id": "1", "Name": "General"}, "Requestor": [{"id": "ana@example.com"}],
            "Created": "2026-12-06T03:42:08Z"});
        let t = ticket_from(&v).unwrap();
        assert_eq!((t.id.0.as_str(), t.owner, t.queue.as_str()), ("7", None, "General"));
        assert_eq!(t.requestor.as_deref(), Some("ana@example.com"));
    }
}
