//! Text decoding as CPython's unpickler does it: `STRING` literals (`PyBytes_DecodeEscape`),
//! `UNICODE` (`raw-unicode-escape`), Python 2 `str` per [`Py2Str`], and UTF-8 with `surrogatepass`.

use crate::read::Py2Str;
use crate::value::PyStr;

/// The argument of `STRING` (the line without its newline): the quotes must match and enclose
/// it, then the escapes of a Python `bytes` literal are decoded.
pub(crate) fn decode_string_literal(line: &[u8]) -> Result<Vec<u8>, String> {
    let inner = match (line.first(), line.last()) {
        (Some(&q), Some(&last)) if line.len() >= 2 && q == last && (q == b'\'' || q == b'"') => {
            line.get(1..line.len() - 1).unwrap_or(&[])
        }
        _ => return Err("the STRING opcode argument must be quoted".into()),
    };
    decode_escape(inner)
}

/// `PyBytes_DecodeEscape` with `errors="strict"` (also `pickletools`' `codecs.escape_decode`).
pub(crate) fn decode_escape(s: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = s.get(i) else {
            return Err("Trailing \\ in string".into());
        };
        i += 1;
        match e {
            b'\n' => {}
            b'\\' => out.push(b'\\'),
            b'\'' => out.push(b'\''),
            b'"' => out.push(b'"'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'v' => out.push(0x0b),
            b'a' => out.push(0x07),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match s.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = (v << 3) + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                // Values above 0o377 keep their low byte (CPython warns, then truncates).
                out.push(v as u8);
            }
            b'x' => {
                let hex = |b: Option<&u8>| b.and_then(|&b| (b as char).to_digit(16));
                match (hex(s.get(i)), hex(s.get(i + 1))) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => return Err(format!("invalid \\x escape at position {}", i - 2)),
                }
            }
            _ => {
                // Unknown escapes are kept as they are (CPython warns).
                out.push(b'\\');
                i -= 1;
            }
        }
    }
    Ok(out)
}

/// `raw-unicode-escape` decoding (the `UNICODE` opcode): bytes are Latin-1 code points, except
/// `\uXXXX` and `\UXXXXXXXX` after an odd number of backslashes.
pub(crate) fn decode_raw_unicode_escape(s: &[u8]) -> Result<PyStr, String> {
    // Fast path: nothing to unescape and plain ASCII.
    if s.is_ascii() && !s.contains(&b'\\') {
        return Ok(PyStr::from(std::str::from_utf8(s).unwrap_or_default()));
    }
    let cps = raw_unicode_escape_points(s)?;
    PyStr::from_code_points(cps).ok_or_else(|| "code point out of range".to_string())
}

/// The code points `raw-unicode-escape` decodes `s` to (lone surrogates included).
pub(crate) fn raw_unicode_escape_points(s: &[u8]) -> Result<Vec<u32>, String> {
    let mut cps: Vec<u32> = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if c != b'\\' {
            cps.push(u32::from(c));
            i += 1;
            continue;
        }
        let start = i;
        while s.get(i) == Some(&b'\\') {
            cps.push(u32::from(b'\\'));
            i += 1;
        }
        let odd = (i - start) % 2 == 1;
        let count = match s.get(i) {
            Some(b'u') if odd => 4,
            Some(b'U') if odd => 8,
            _ => continue,
        };
        cps.pop();
        i += 1;
        let mut v: u32 = 0;
        for _ in 0..count {
            match s.get(i).and_then(|&b| (b as char).to_digit(16)) {
                Some(d) => {
                    v = (v << 4) | d;
                    i += 1;
                }
                None => {
                    return Err(if count == 4 {
                        "truncated \\uXXXX escape".into()
                    } else {
                        "truncated \\UXXXXXXXX escape".into()
                    })
                }
            }
        }
        if v > 0x10FFFF {
            return Err("\\Uxxxxxxxx out of range".into());
        }
        cps.push(v);
    }
    Ok(cps)
}

/// `true` if `s` is UTF-8 as CPython writes it with `surrogatepass` (valid UTF-8, or with lone
/// surrogates as three-byte sequences).
#[inline]
pub(crate) fn is_surrogatepass_utf8(s: &[u8]) -> bool {
    // Short ASCII (most keys and names): one OR over the bytes, no branch per byte.
    if s.len() <= 32 && s.iter().fold(0u8, |acc, &b| acc | b) < 0x80 {
        return true;
    }
    std::str::from_utf8(s).is_ok() || crate::value::is_surrogatepass(s)
}

/// A Python 2 `str` decoded as text per `mode` (not [`Py2Str::Bytes`], handled by the caller).
pub(crate) fn decode_py2(s: &[u8], mode: Py2Str) -> Result<PyStr, String> {
    match mode {
        Py2Str::Ascii | Py2Str::Bytes => match s.iter().position(|b| !b.is_ascii()) {
            None => Ok(PyStr::from(std::str::from_utf8(s).unwrap_or_default())),
            Some(pos) => Err(format!(
                "'ascii' codec can't decode byte 0x{:02x} in position {pos}: ordinal not in range(128) \
                 (read Python 2 pickles with Py2Str::Latin1 or Py2Str::Bytes)",
                s.get(pos).copied().unwrap_or(0)
            )),
        },
        Py2Str::Latin1 => Ok(PyStr::from(s.iter().map(|&b| char::from(b)).collect::<String>())),
        Py2Str::Utf8 => std::str::from_utf8(s)
            .map(PyStr::from)
            .map_err(|e| format!("'utf-8' codec can't decode bytes: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_like_cpython() {
        // test_correctly_quoted_string
        assert_eq!(decode_string_literal(b"''"), Ok(vec![]));
        assert_eq!(decode_string_literal(b"\"\""), Ok(vec![]));
        assert_eq!(decode_string_literal(b"'\\n'"), Ok(b"\n".to_vec()));
        assert_eq!(decode_string_literal(b"\"\\n\""), Ok(b"\n".to_vec()));
        // test_badly_quoted_string (CPython 3.11's list, plus a few more)
        for bad in [
            &b"'"[..],
            b"\"",
            b"' ",
            b"\" ",
            b"'\"",
            b"\"'",
            b"' ' ",
            b"\" \" ",
            b" ''",
            b" \"\"",
            b" ",
            b"'abc",
            b"abc'",
            b"'abc\"",
            b" 'abc'",
            b"'abc' ",
            b"",
        ] {
            assert!(decode_string_literal(bad).is_err(), "{bad:?}");
        }
        // test_badly_escaped_string: the escape eats the closing quote.
        assert!(decode_string_literal(b"'\\'").is_err());
        assert_eq!(
            decode_string_literal(b"'\\x41\\101\\q\\400'"),
            Ok(b"AA\\q\x00".to_vec())
        );
        assert!(decode_string_literal(b"'\\x4'").is_err());
        // Quotes inside are plain characters: CPython loads S' '' ' as b" '' ".
        assert_eq!(decode_string_literal(b"' '' '"), Ok(b" '' ".to_vec()));
    }

    #[test]
    fn raw_unicode_escape() {
        let s = decode_raw_unicode_escape(b"ab\\u0041\\\\u0042\\x\xe9").unwrap();
        assert_eq!(s.as_str(), Some("abA\\\\u0042\\xé"));
        assert!(decode_raw_unicode_escape(b"\\u12").is_err());
        assert!(decode_raw_unicode_escape(b"\\U00110000").is_err());
        let lone = decode_raw_unicode_escape(b"\\ud800").unwrap();
        assert_eq!(lone.code_points().collect::<Vec<_>>(), [0xD800]);
        assert_eq!(
            decode_raw_unicode_escape(b"\\U0001F600").unwrap().as_str(),
            Some("\u{1F600}")
        );
    }

    #[test]
    fn py2_modes() {
        assert!(decode_py2(b"\xe9", Py2Str::Ascii).is_err());
        assert_eq!(
            decode_py2(b"\xe9", Py2Str::Latin1).unwrap().as_str(),
            Some("é")
        );
        assert_eq!(
            decode_py2(b"\xc3\xa9", Py2Str::Utf8).unwrap().as_str(),
            Some("é")
        );
        assert!(decode_py2(b"\xed\xa0\x80", Py2Str::Utf8).is_err());
    }
}
