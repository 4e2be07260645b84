//! Copying text out: an OSC 52 escape sequence (the terminal puts it on the clipboard, even
//! over SSH and inside tmux with `set-clipboard on`), plus the local clipboard when there is
//! one (a desktop session).

use std::io::Write;

/// Writes text to the clipboard both ways. The local clipboard handle is kept alive because
/// on X11 the text is served by the process that copied it.
#[derive(Default)]
pub struct Clipboard {
    local: Option<arboard::Clipboard>,
    tried_local: bool,
}

impl Clipboard {
    /// Copies `text`; returns whether any way succeeded.
    pub fn copy(&mut self, text: &str, out: &mut impl Write) -> bool {
        let osc = out.write_all(osc52(text).as_bytes()).and_then(|()| out.flush()).is_ok();
        if !self.tried_local {
            self.tried_local = true;
            self.local = arboard::Clipboard::new().ok();
        }
        let local = self.local.as_mut().is_some_and(|c| c.set_text(text.to_string()).is_ok());
        osc || local
    }
}

/// The OSC 52 sequence that asks the terminal to set its clipboard to `text`.
pub fn osc52(text: &str) -> String {
    format!("\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()))
}

/// Standard base64 with padding (RFC 4648): all OSC 52 needs, and what MIME encoded words
/// in mail headers use (see `intake::reply`).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
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
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn osc52_wraps_the_encoded_text() {
        assert_eq!(osc52("hi"), "\u{1b}]52;c;aGk=\u{7}");
    }
}
