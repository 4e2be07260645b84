//! A private Request Tracker 5 for the team tests: SQLite in a temp dir, three reps
//! (rep1..rep3) with rights on queues General and Billing, `rt-server` on a free loopback
//! port. Started once per test run and shared by every test in the binary; it stops when
//! the test process ends (a small shell wrapper holds the server and kills it, and removes
//! its folder, when the pipe from this process closes).
//!
//! Without RT installed, [`shared`] prints one line saying the test was skipped and why;
//! under `CI=true` a missing RT fails the test instead.
#![allow(dead_code)]

pub mod proxy;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const RT_SERVER: &str = "/usr/share/request-tracker5/libexec/rt-server";
const SETUP: &str = "/usr/sbin/rt-setup-database";

/// The shared instance.
pub struct RtServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub port: u16,
    dir: PathBuf,
    /// The wrapper holding the server; its stdin is the pipe that keeps it alive.
    holder: Mutex<Child>,
}

/// Each rep's password (the secret the tests sign in with).
pub fn password(user: &str) -> String {
    format!("{user}-secret-pw")
}

/// The running instance, or `None` (after printing why) when RT is not installed.
pub fn shared() -> Option<&'static RtServer> {
    static SERVER: OnceLock<Result<RtServer, String>> = OnceLock::new();
    match SERVER.get_or_init(start) {
        Ok(server) => Some(server),
        Err(why) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("request-tracker5 is needed under CI=true: {why}");
            }
            println!("skipped: request-tracker5 is not installed ({why})");
            None
        }
    }
}

fn start() -> Result<RtServer, String> {
    for tool in [RT_SERVER, SETUP] {
        if !Path::new(tool).exists() {
            return Err(format!("{tool} not found; apt-get install request-tracker5"));
        }
    }
    // The folder outlives this function on purpose: the holder removes it at exit.
    let dir = tempfile::Builder::new().prefix("frontline-rt-").tempdir().map_err(|e| e.to_string())?.keep();
    let port = free_port();
    write_site_config(&dir, port);
    setup(&dir, &["--action", "init", "--skip-create"])?;
    setup(&dir, &["--action", "insert", "--datafile", &dir.join("reps.pl").display().to_string()])?;
    let holder = hold(&dir, port)?;
    let server = RtServer { url: format!("http://127.0.0.1:{port}"), port, dir, holder: Mutex::new(holder) };
    server.wait_until_up()?;
    Ok(server)
}

/// A port nobody listens on right now (the OS picks it; loopback only).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn write_site_config(dir: &Path, port: u16) {
    std::fs::create_dir_all(dir.join("conf.d")).unwrap();
    for sub in ["mason", "session"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let d = dir.display();
    // RT checks the password on every REST call with bcrypt; at its default cost (12) that is
    // about one second of server time per request here. The reps' test passwords use cost 4.
    let config = format!(
        "Set($rtname, 'frontline-test');\nSet($Organization, 'frontline-test');\n\
         Set($DatabaseType, 'SQLite');\nSet($DatabaseName, '{d}/rt.db');\n\
         Set($WebDomain, '127.0.0.1');\nSet($WebPort, {port});\nSet($WebPath, '');\n\
         Set($WebBaseURL, 'http://127.0.0.1:{port}');\n\
         Set($MailCommand, 'mbox');\nSet($LogToSyslog, undef);\nSet($LogToSTDERR, 'error');\n\
         Set($MasonDataDir, '{d}/mason');\nSet($MasonSessionDir, '{d}/session');\nSet($Timezone, 'UTC');\n\
         Set($BcryptCost, 4);\n1;\n"
    );
    std::fs::write(dir.join("RT_SiteConfig.pm"), config).unwrap();
    // Three reps in one group with the rights a Frontline rep needs, on both queues.
    let reps = r#"@Users = map { { Name => "rep$_", Password => "rep$_-secret-pw", EmailAddress => "rep$_\@team.test", RealName => "Rep $_", Privileged => 1 } } 1..3;
@Groups = ( { Name => 'Reps', Description => 'Frontline reps', Members => { Users => [ map { "rep$_" } 1..3 ] } } );
@Queues = ( { Name => 'Billing', Description => 'Billing', CorrespondAddress => '', CommentAddress => '' } );
@ACL = map { my $q = $_; map { { GroupId => 'Reps', GroupDomain => 'UserDefined', Queue => $q, Right => $_ } }
    qw(SeeQueue ShowTicket CreateTicket ReplyToTicket CommentOnTicket OwnTicket TakeTicket StealTicket ModifyTicket ShowTicketComments Watch) } qw(General Billing);
1;
"#;
    std::fs::write(dir.join("reps.pl"), reps).unwrap();
}

fn rt_env(cmd: &mut Command, dir: &Path) {
    cmd.env("RT_SITE_CONFIG", dir.join("RT_SiteConfig.pm")).env("RT_SITE_CONFIG_DIR", dir.join("conf.d"));
}

fn setup(dir: &Path, args: &[&str]) -> Result<(), String> {
    let mut cmd = Command::new(SETUP);
    rt_env(&mut cmd, dir);
    let out = cmd.args(args).output().map_err(|e| format!("{SETUP}: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || stderr.contains("[critical]") || stderr.contains("[error]") {
        return Err(format!("{SETUP} {args:?} failed: {stderr}"));
    }
    Ok(())
}

/// Starts `rt-server` under a shell that kills it (and removes the folder) when its stdin
/// closes, which happens when this test process exits, however it exits.
fn hold(dir: &Path, port: u16) -> Result<Child, String> {
    let script = format!(
        "{RT_SERVER} --host 127.0.0.1 --port {port} --max-workers 3 >'{d}/server.log' 2>&1 & pid=$!\n\
         cat >/dev/null\nkill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf '{d}'\n",
        d = dir.display()
    );
    let mut cmd = Command::new("sh");
    rt_env(&mut cmd, dir);
    cmd.arg("-c").arg(script).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
    cmd.spawn().map_err(|e| format!("sh: {e}"))
}

impl RtServer {
    fn wait_until_up(&self) -> Result<(), String> {
        // Readiness, not timing: RT answers in ~4 s here; give up after a minute.
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.call("GET", "rt", "root", None).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        Err(format!("rt-server did not answer on port {}: {log}", self.port))
    }

    /// The server's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// A REST 2.0 call as `user` (root's password is `password`); the answer's JSON.
    pub fn call(&self, method: &str, path: &str, user: &str, body: Option<Value>) -> Result<Value, String> {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(20))).build().into();
        let url = format!("{}/REST/2.0/{path}", self.url);
        let pw = if user == "root" { "password".to_string() } else { password(user) };
        let auth = format!("Basic {}", basic(&format!("{user}:{pw}")));
        let result = match method {
            "GET" => agent.get(&url).header("Authorization", &auth).call(),
            "PUT" => agent
                .put(&url)
                .header("Authorization", &auth)
                .content_type("application/json")
                .send(body.unwrap_or(json!({})).to_string().as_str()),
            _ => agent
                .post(&url)
                .header("Authorization", &auth)
                .content_type("application/json")
                .send(body.unwrap_or(json!({})).to_string().as_str()),
        };
        let mut response = result.map_err(|e| e.to_string())?;
        let text = response.body_mut().read_to_string().map_err(|e| e.to_string())?;
        serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
    }

    /// A new ticket from `requestor` in `queue`; its id.
    pub fn create_ticket(&self, queue: &str, subject: &str, requestor: &str, content: &str) -> String {
        let body = json!({"Queue": queue, "Subject": subject, "Requestor": requestor,
                          "Content": content, "ContentType": "text/plain"});
        let answer = self.call("POST", "ticket", "root", Some(body)).unwrap();
        answer["id"].as_str().map(str::to_string).unwrap_or_else(|| answer["id"].to_string())
    }

    /// The ticket's owner as RT has it ("Nobody" when unowned).
    pub fn owner(&self, ticket: &str) -> String {
        self.call("GET", &format!("ticket/{ticket}"), "root", None).unwrap()["Owner"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The ticket's status as RT has it.
    pub fn status(&self, ticket: &str) -> String {
        self.call("GET", &format!("ticket/{ticket}"), "root", None).unwrap()["Status"].as_str().unwrap().to_string()
    }

    /// The texts of the ticket's transactions of one type ("Correspond", "Comment"), oldest first.
    pub fn texts(&self, ticket: &str, kind: &str) -> Vec<String> {
        let history =
            self.call("GET", &format!("ticket/{ticket}/history?fields=Type&per_page=100"), "root", None).unwrap();
        let mut out = Vec::new();
        for item in history["items"].as_array().unwrap() {
            if item["Type"] != kind {
                continue;
            }
            let id = item["id"].as_str().unwrap();
            let atts = self
                .call("GET", &format!("transaction/{id}/attachments?fields=Content,ContentType"), "root", None)
                .unwrap();
            for a in atts["items"].as_array().unwrap() {
                if a["ContentType"] == "text/plain" {
                    out.push(a["Content"].as_str().unwrap_or_default().trim_end().to_string());
                }
            }
        }
        out
    }
}

impl Drop for RtServer {
    fn drop(&mut self) {
        // Statics are not dropped at exit (the closed pipe ends the holder then); this is
        // for an instance dropped early.
        if let Ok(mut child) = self.holder.lock() {
            drop(child.stdin.take().map(|mut s| s.flush()));
            let _ = child.wait();
        }
    }
}

fn basic(text: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(A[((n >> (18 - 6 * i)) & 63) as usize]) } else { '=' });
        }
    }
    out
}
