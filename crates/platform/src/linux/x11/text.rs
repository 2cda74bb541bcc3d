//! Decoding X text properties (`WM_NAME`, `WM_CLASS`, ...) by their declared type.
//!
//! Xlib programs still set titles as `STRING` (Latin-1) or `COMPOUND_TEXT` (ISO 2022); tools
//! such as wmctrl give up on the latter. We decode what maps to Unicode without tables (ASCII,
//! Latin-1 and embedded UTF-8 segments) and show U+FFFD for the rest (e.g. JIS X 0208).

/// The encodings a text property can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextType {
    Utf8,
    Latin1,
    CompoundText,
}

/// Decodes the first string of a text property (lists are separated by NUL bytes).
pub fn decode(kind: TextType, bytes: &[u8]) -> String {
    let first = bytes.split(|&b| b == 0).next().unwrap_or_default();
    match kind {
        TextType::Utf8 => String::from_utf8_lossy(first).into_owned(),
        TextType::Latin1 => latin1(first),
        // NUL never occurs inside compound text either, so splitting first is safe.
        TextType::CompoundText => compound_text(first),
    }
}

/// Splits a `WM_CLASS` value into its instance and class parts (both Latin-1).
pub fn wm_class(bytes: &[u8]) -> (String, String) {
    let mut parts = bytes.split(|&b| b == 0);
    let instance = latin1(parts.next().unwrap_or_default());
    let class = latin1(parts.next().unwrap_or_default());
    (instance, class)
}

pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// What a graphic half (GL: 0x20..0x7F, GR: 0xA0..0xFF) currently decodes to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Charset {
    /// ASCII in GL, the right half of Latin-1 in GR.
    Known,
    /// A character set we have no table for; `width` bytes make one character.
    Unknown { width: usize },
}

/// A best-effort COMPOUND_TEXT decoder (X Consortium Compound Text Encoding 1.1).
fn compound_text(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut gl = Charset::Known;
    let mut gr = Charset::Known;
    let mut pending_unknown = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == 0x1B {
            i += 1;
            let rest = &bytes[i..];
            match rest {
                // UTF-8 segment, up to ESC % @ (or the end).
                [b'%', b'G', tail @ ..] => {
                    let end = tail
                        .windows(3)
                        .position(|w| w == b"\x1b%@")
                        .unwrap_or(tail.len());
                    out.push_str(&String::from_utf8_lossy(&tail[..end]));
                    i += 2 + end + if end < tail.len() { 3 } else { 0 };
                }
                // Extended segment: ESC % / F M L, then (M-128)*128 + (L-128) bytes of data.
                [b'%', b'/', _, m, l, ..] => {
                    let length = usize::from(m.saturating_sub(128)) * 128
                        + usize::from(l.saturating_sub(128));
                    out.push('\u{FFFD}');
                    i += 5 + length;
                }
                // 94-character set into GL (G0): `B` is ASCII, `J` JIS-Roman (nearly ASCII).
                [b'(', f, ..] => {
                    gl = if matches!(f, b'B' | b'J') {
                        Charset::Known
                    } else {
                        Charset::Unknown { width: 1 }
                    };
                    i += 2;
                }
                // 94-character set into GR (G1): never Latin-1.
                [b')', _, ..] => {
                    gr = Charset::Unknown { width: 1 };
                    i += 2;
                }
                // 96-character set into GR: `A` is the right half of Latin-1.
                [b'-', f, ..] => {
                    gr = if *f == b'A' {
                        Charset::Known
                    } else {
                        Charset::Unknown { width: 1 }
                    };
                    i += 2;
                }
                // 94^n multi-byte sets (Japanese, Chinese, Korean): two bytes a character.
                [b'$', b'(', _, ..] => {
                    gl = Charset::Unknown { width: 2 };
                    i += 3;
                }
                [b'$', b')', _, ..] => {
                    gr = Charset::Unknown { width: 2 };
                    i += 3;
                }
                // Direction changes (`ESC [ 1 ]`, `ESC [ 2 ]`, `ESC [ ]`) carry no text.
                [b'[', tail @ ..] => {
                    let end = tail
                        .iter()
                        .position(|&c| c == b']')
                        .map_or(tail.len(), |p| p + 1);
                    i += 1 + end;
                }
                // An escape we do not know: skip its intermediate bytes and final byte.
                _ => {
                    let skip = rest
                        .iter()
                        .position(|&c| (0x30..=0x7E).contains(&c))
                        .map_or(rest.len(), |p| p + 1);
                    i += skip;
                }
            }
            pending_unknown = 0;
            continue;
        }
        let set = match b {
            0x20..=0x7F => Some(gl),
            0xA0..=0xFF => Some(gr),
            _ => None,
        };
        match set {
            // Space and DEL are ASCII in GL whatever is designated.
            Some(Charset::Known) => out.push(char::from(b)),
            Some(Charset::Unknown { .. }) if b == 0x20 => out.push(' '),
            Some(Charset::Unknown { width }) => {
                pending_unknown += 1;
                if pending_unknown == width {
                    out.push('\u{FFFD}');
                    pending_unknown = 0;
                }
            }
            None if b == b'\t' || b == b'\n' => out.push(char::from(b)),
            None => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_types() {
        assert_eq!(
            decode(TextType::Utf8, "Ünï ✓ 日本\0".as_bytes()),
            "Ünï ✓ 日本"
        );
        assert_eq!(decode(TextType::Latin1, b"caf\xe9"), "café");
        assert_eq!(decode(TextType::Utf8, b"a\xffb"), "a\u{FFFD}b");
        assert_eq!(
            wm_class(b"xterm\0XTerm\0"),
            ("xterm".into(), "XTerm".into())
        );
        assert_eq!(wm_class(b""), (String::new(), String::new()));
    }

    #[test]
    fn compound_text_ascii_and_latin1() {
        // ASCII and the Latin-1 right half are the initial state.
        assert_eq!(decode(TextType::CompoundText, b"Caf\xe9 \xdcn"), "Café Ün");
        // Explicit designations change nothing for these.
        assert_eq!(decode(TextType::CompoundText, b"\x1b(B\x1b-Ax\xe9"), "xé");
    }

    #[test]
    fn compound_text_utf8_segment() {
        let mut bytes = b"\x1b%G".to_vec();
        bytes.extend_from_slice("✓ 日本".as_bytes());
        bytes.extend_from_slice(b"\x1b%@ ok");
        assert_eq!(decode(TextType::CompoundText, &bytes), "✓ 日本 ok");
        // An unterminated segment runs to the end.
        let mut open = b"\x1b%G".to_vec();
        open.extend_from_slice("✓".as_bytes());
        assert_eq!(decode(TextType::CompoundText, &open), "✓");
    }

    #[test]
    fn compound_text_unknown_sets_become_replacement_characters() {
        // "Ünï " in Latin-1, then two JIS X 0208 characters into GL, then back to ASCII.
        let bytes = b"\xdcn\xef \x1b$(BF|K\\\x1b(B!";
        assert_eq!(
            decode(TextType::CompoundText, bytes),
            "Ünï \u{FFFD}\u{FFFD}!"
        );
        // GB2312 into GR: two bytes a character.
        let gr = b"\x1b$)A\xc4\xe3\xba\xc3";
        assert_eq!(decode(TextType::CompoundText, gr), "\u{FFFD}\u{FFFD}");
        // An extended segment is skipped by its length.
        let ext = b"a\x1b%/1\x80\x83xyzb";
        assert_eq!(decode(TextType::CompoundText, ext), "a\u{FFFD}b");
        // Direction markers and truncated escapes never panic.
        assert_eq!(decode(TextType::CompoundText, b"\x1b[1]ab\x1b[]"), "ab");
        for cut in [&b"\x1b"[..], b"\x1b%", b"\x1b$", b"\x1b%/1\x80"] {
            let _ = decode(TextType::CompoundText, cut);
        }
    }
}
