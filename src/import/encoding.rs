//! Telling UTF-16 from UTF-8 before a file is read as text.

use std::path::Path;

use anyhow::{Result, bail};

/// Refuses a UTF-16 file, by its byte-order mark or, without one, by the zero byte beside
/// every ASCII character: read as UTF-8 it is noise, and the record's first field came out
/// empty ("field `name`: must not be empty") with no word of the encoding.
pub fn refuse_utf16(path: &Path, bytes: &[u8]) -> Result<()> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || looks_like_utf16(bytes) {
        bail!("{}: file is UTF-16; save it as UTF-8", path.display());
    }
    Ok(())
}

/// Whether most two-byte pairs at the start hold one zero byte, always on the same side:
/// UTF-16 text of a Latin script without a byte-order mark. UTF-8 text has no zero bytes.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let pairs: Vec<&[u8]> = bytes[..bytes.len().min(512)].chunks_exact(2).collect();
    if pairs.len() < 2 {
        return false;
    }
    let zero_high = pairs.iter().filter(|p| p[0] != 0 && p[1] == 0).count();
    let zero_low = pairs.iter().filter(|p| p[0] == 0 && p[1] != 0).count();
    zero_high.max(zero_low) * 2 > pairs.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
    }

    #[test]
    fn utf16_is_refused_with_or_without_its_mark() {
        let path = Path::new("c.csv");
        for big_endian in [false, true] {
            let bare = utf16("name,email\nAna,ana@example.com\n", big_endian);
            assert_eq!(refuse_utf16(path, &bare).unwrap_err().to_string(), "c.csv: file is UTF-16; save it as UTF-8");
        }
        assert!(refuse_utf16(path, &[0xFF, 0xFE, b'a', 0]).is_err());
        assert!(refuse_utf16(path, "name,email\nZoë,z@example.com\n".as_bytes()).is_ok());
        assert!(refuse_utf16(path, b"a").is_ok());
    }
}
