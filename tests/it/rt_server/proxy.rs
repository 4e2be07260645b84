//! A loopback proxy in front of the shared RT, so one test can take "its" help desk away
//! without disturbing the others: `Up` forwards, `Down` hangs up on every connection as a
//! dead server would, `DropAnswer` forwards a change (not a read; RT acts on it) and hangs up
//! before any of the answer reaches the client — the lost answer of the exactly-once rule.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// What the proxy does with the next connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Up = 0,
    Down = 1,
    DropAnswer = 2,
}

/// A running proxy; its threads end with the test process.
pub struct Proxy {
    pub url: String,
    mode: Arc<AtomicU8>,
    /// Requests forwarded to RT so far.
    forwarded: Arc<AtomicUsize>,
}

impl Proxy {
    /// A proxy on a free loopback port in front of `upstream_port`.
    pub fn start(upstream_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let mode = Arc::new(AtomicU8::new(Mode::Up as u8));
        let forwarded = Arc::new(AtomicUsize::new(0));
        let (m, f) = (mode.clone(), forwarded.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (m, f) = (m.load(Ordering::SeqCst), f.clone());
                std::thread::spawn(move || serve(client, upstream_port, m, &f));
            }
        });
        Self { url, mode, forwarded }
    }

    pub fn set(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }

    pub fn forwarded(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }
}

fn serve(client: TcpStream, upstream_port: u16, mode: u8, forwarded: &AtomicUsize) {
    if mode == Mode::Down as u8 {
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    let Ok(upstream) = TcpStream::connect(("127.0.0.1", upstream_port)) else { return };
    forwarded.fetch_add(1, Ordering::SeqCst);
    let (mut from_client, mut to_upstream) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    // The request line decides: only changes (not reads) lose their answer.
    let mut first = [0u8; 4096];
    let n = from_client.read(&mut first).unwrap_or(0);
    let is_read = first[..n].starts_with(b"GET ");
    if to_upstream.write_all(&first[..n]).is_err() {
        return;
    }
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_upstream);
    });
    let (mut from_upstream, mut to_client) = (upstream, client);
    if mode == Mode::DropAnswer as u8 && !is_read {
        // RT has the whole request and answers (it sends Connection: close); the answer
        // is read to its end so RT finishes the action, and thrown away.
        let mut sink = Vec::new();
        let _ = from_upstream.read_to_end(&mut sink);
        let _ = to_client.shutdown(Shutdown::Both);
        return;
    }
    let _ = std::io::copy(&mut from_upstream, &mut to_client);
    let _ = to_client.flush();
    let _ = to_client.shutdown(Shutdown::Both);
}
