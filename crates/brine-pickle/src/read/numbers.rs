//! Number parsing as CPython's unpickler does it: `strtol` then `int(s, 0)` for `INT`, `int(s, 0)`
//! for `LONG`, `int(s, 10)` for memo indexes, `PyOS_string_to_double` for `FLOAT`, and
//! two's-complement little-endian for `LONG1`/`LONG4`.

use num_bigint::BigInt;

/// An integer that may not fit in 64 bits.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum IntVal {
    Small(i64),
    Big(BigInt),
}

impl IntVal {
    fn from_big(v: BigInt) -> IntVal {
        match i64::try_from(&v) {
            Ok(s) => IntVal::Small(s),
            Err(_) => IntVal::Big(v),
        }
    }
}

/// Why a textual integer was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntError {
    /// Not an integer literal.
    Invalid,
    /// More decimal digits than allowed.
    TooLong,
}

/// Python's whitespace, as `Py_ISSPACE` sees it.
#[inline]
fn is_py_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The text up to the first NUL: CPython parses these lines as C strings.
#[inline]
fn c_str(text: &[u8]) -> &[u8] {
    match text.iter().position(|&b| b == 0) {
        Some(n) => text.get(..n).unwrap_or(text),
        None => text,
    }
}

/// `PyLong_FromString(text, NULL, base)` for base 10 or 0: surrounding whitespace, a sign,
/// `0x`/`0o`/`0b` prefixes (base 0), single underscores between digits.
pub(crate) fn parse_py_int(
    text: &[u8],
    base0: bool,
    max_digits: usize,
) -> Result<IntVal, IntError> {
    let text = c_str(text);
    let start = text
        .iter()
        .position(|&b| !is_py_space(b))
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|&b| !is_py_space(b))
        .map_or(start, |e| e + 1);
    let mut s = text.get(start..end).ok_or(IntError::Invalid)?;
    let mut negative = false;
    if let Some((&c, rest)) = s.split_first() {
        if c == b'+' || c == b'-' {
            negative = c == b'-';
            s = rest;
        }
    }
    let mut radix = 10u32;
    let mut after_prefix = false;
    if base0 && s.len() >= 2 && s.first() == Some(&b'0') {
        let r = match s.get(1).map(|b| b.to_ascii_lowercase()) {
            Some(b'x') => 16,
            Some(b'o') => 8,
            Some(b'b') => 2,
            _ => 10,
        };
        if r != 10 {
            radix = r;
            s = s.get(2..).unwrap_or(&[]);
            after_prefix = true;
        }
    }
    // Validate digits and underscores, collecting the digits.
    let mut digits: Vec<u8> = Vec::with_capacity(s.len());
    let mut prev_underscore = false;
    for (i, &b) in s.iter().enumerate() {
        if b == b'_' {
            // An underscore must follow a digit, or the prefix; never two in a row.
            if prev_underscore || (i == 0 && !after_prefix) {
                return Err(IntError::Invalid);
            }
            prev_underscore = true;
            continue;
        }
        if !(b as char).is_digit(radix) {
            return Err(IntError::Invalid);
        }
        prev_underscore = false;
        digits.push(b);
    }
    if digits.is_empty() || prev_underscore {
        return Err(IntError::Invalid);
    }
    // Base 0 forbids leading zeros in a decimal number other than zero itself.
    if base0 && radix == 10 && digits.first() == Some(&b'0') && digits.iter().any(|&d| d != b'0') {
        return Err(IntError::Invalid);
    }
    if radix == 10 && digits.len() > max_digits {
        return Err(IntError::TooLong);
    }
    if digits.len() <= 18 && radix == 10 {
        let mut v: i64 = 0;
        for &d in &digits {
            v = v * 10 + i64::from(d - b'0');
        }
        return Ok(IntVal::Small(if negative { -v } else { v }));
    }
    let mag = BigInt::parse_bytes(&digits, radix).ok_or(IntError::Invalid)?;
    Ok(IntVal::from_big(if negative { -mag } else { mag }))
}

/// C's `strtol(s, &end, 0)` on a line: `Some((value, end))`, or `None` on overflow (`ERANGE`).
/// With no digits, `end` is 0 and the value 0, as C does.
fn strtol0(s: &[u8]) -> Option<(i64, usize)> {
    let mut i = 0;
    // C's isspace: space, \t \n \v \f \r.
    while s.get(i).is_some_and(|&b| matches!(b, b' ' | b'\t'..=b'\r')) {
        i += 1;
    }
    let mut negative = false;
    if let Some(&c) = s.get(i) {
        if c == b'+' || c == b'-' {
            negative = c == b'-';
            i += 1;
        }
    }
    let mut radix = 10u32;
    if s.get(i) == Some(&b'0') {
        if matches!(s.get(i + 1), Some(b'x' | b'X'))
            && s.get(i + 2).is_some_and(|b| b.is_ascii_hexdigit())
        {
            radix = 16;
            i += 2;
        } else {
            radix = 8;
        }
    }
    let digits_start = i;
    // Accumulate as a negative number to reach i64::MIN.
    let mut acc: i64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&b| (b as char).to_digit(radix)) {
        if !overflow {
            match acc
                .checked_mul(radix as i64)
                .and_then(|v| v.checked_sub(d as i64))
            {
                Some(v) => acc = v,
                None => overflow = true,
            }
        }
        i += 1;
    }
    if i == digits_start {
        return Some((0, 0));
    }
    if overflow {
        return None;
    }
    if negative {
        Some((acc, i))
    } else {
        acc.checked_neg().map(|v| (v, i))
    }
}

/// The value of an `INT` opcode's line (without its newline), exactly as CPython's `load_int`:
/// `strtol` in base 0; if that does not consume the whole line, `int(line, 0)`. A line of two
/// characters holding 0 or 1 is a bool (`I00`/`I01`).
pub(crate) enum IntOrBool {
    Int(IntVal),
    Bool(bool),
}

pub(crate) fn parse_int_line(line: &[u8], max_digits: usize) -> Result<IntOrBool, IntError> {
    if let Some((x, end)) = strtol0(line) {
        // CPython: `*endptr` must be the newline (the line's end here) or 'L' followed by the
        // terminating NUL; the latter cannot happen since the line ends in a newline.
        if end == line.len() && end > 0 {
            if line.len() == 2 && (x == 0 || x == 1) {
                return Ok(IntOrBool::Bool(x == 1));
            }
            return Ok(IntOrBool::Int(IntVal::Small(x)));
        }
    }
    // PyLong_FromString sees the newline as trailing whitespace.
    parse_py_int(line, true, max_digits).map(IntOrBool::Int)
}

/// The value of a `LONG` line: a trailing `L` is dropped, then `int(line, 0)`.
pub(crate) fn parse_long_line(line: &[u8], max_digits: usize) -> Result<IntVal, IntError> {
    let line = match line.split_last() {
        Some((b'L', rest)) => rest,
        _ => line,
    };
    parse_py_int(line, true, max_digits)
}

/// Why a float line was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FloatError {
    Invalid,
    Overflow,
}

/// `PyOS_string_to_double` on a `FLOAT` line: the longest float prefix, which must end the line
/// (or be followed by a NUL). Overflow to infinity is an error, as in CPython.
pub(crate) fn parse_float_line(line: &[u8]) -> Result<f64, FloatError> {
    let n = float_prefix_len(line);
    if n == 0 {
        return Err(FloatError::Invalid);
    }
    match line.get(n) {
        None | Some(0) => {}
        Some(_) => return Err(FloatError::Invalid),
    }
    let text = std::str::from_utf8(line.get(..n).ok_or(FloatError::Invalid)?)
        .map_err(|_| FloatError::Invalid)?;
    let v: f64 = text.parse().map_err(|_| FloatError::Invalid)?;
    if v.is_infinite() && !text.bytes().any(|b| b == b'i' || b == b'I') {
        return Err(FloatError::Overflow);
    }
    Ok(v)
}

/// Length of the longest prefix `_Py_dg_strtod`/`_Py_parse_inf_or_nan` accept.
fn float_prefix_len(s: &[u8]) -> usize {
    let mut i = 0;
    if matches!(s.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let rest = s.get(i..).unwrap_or(&[]);
    let lower = |n: usize| -> Vec<u8> {
        rest.iter()
            .take(n)
            .map(|b| b.to_ascii_lowercase())
            .collect()
    };
    if lower(8) == b"infinity" {
        return i + 8;
    }
    let l3 = lower(3);
    if l3 == b"inf" || l3 == b"nan" {
        return i + 3;
    }
    let digits = |mut j: usize| {
        while s.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        j
    };
    let int_end = digits(i);
    let mut j = int_end;
    let mut frac_digits = 0;
    if s.get(j) == Some(&b'.') {
        let f = digits(j + 1);
        frac_digits = f - (j + 1);
        j = f;
    }
    if int_end == i && frac_digits == 0 {
        return 0;
    }
    if matches!(s.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(s.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        let e = digits(k);
        if e > k {
            j = e;
        }
    }
    j
}

/// A two's-complement little-endian integer (`LONG1`/`LONG4`; empty is 0).
pub(crate) fn from_twos_complement_le(bytes: &[u8]) -> IntVal {
    if bytes.len() <= 8 {
        if bytes.is_empty() {
            return IntVal::Small(0);
        }
        let mut buf = [0u8; 8];
        let negative = bytes.last().is_some_and(|&b| b & 0x80 != 0);
        if negative {
            buf = [0xff; 8];
        }
        for (dst, &src) in buf.iter_mut().zip(bytes) {
            *dst = src;
        }
        return IntVal::Small(i64::from_le_bytes(buf));
    }
    let v = BigInt::from_signed_bytes_le(bytes);
    IntVal::from_big(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(line: &str) -> Option<String> {
        match parse_int_line(line.as_bytes(), 4300) {
            Ok(IntOrBool::Bool(b)) => Some(format!("bool {b}")),
            Ok(IntOrBool::Int(IntVal::Small(v))) => Some(v.to_string()),
            Ok(IntOrBool::Int(IntVal::Big(v))) => Some(v.to_string()),
            Err(_) => None,
        }
    }

    #[test]
    fn int_lines_like_cpython() {
        // Results checked against CPython 3.11's pickle.loads.
        assert_eq!(int("123L"), None);
        assert_eq!(int("010").as_deref(), Some("8"));
        assert_eq!(int("+1").as_deref(), Some("bool true"));
        assert_eq!(int(" 1").as_deref(), Some("bool true"));
        assert_eq!(int("01").as_deref(), Some("bool true"));
        assert_eq!(int("00").as_deref(), Some("bool false"));
        assert_eq!(int("1").as_deref(), Some("1"));
        assert_eq!(int("0x1f").as_deref(), Some("31"));
        assert_eq!(int("1_000").as_deref(), Some("1000"));
        assert_eq!(int("0o17").as_deref(), Some("15"));
        assert_eq!(
            int("99999999999999999999").as_deref(),
            Some("99999999999999999999")
        );
        assert_eq!(
            int(" 99999999999999999999 ").as_deref(),
            Some("99999999999999999999")
        );
        assert_eq!(
            int("9223372036854775807").as_deref(),
            Some("9223372036854775807")
        );
        assert_eq!(
            int("-9223372036854775808").as_deref(),
            Some("-9223372036854775808")
        );
        assert_eq!(int("9223372036854775807JUNK"), None);
        assert_eq!(int("08"), None);
        assert_eq!(int("1__0"), None);
        assert_eq!(int("_1"), None);
        assert_eq!(int("1_"), None);
        assert_eq!(int(" "), None);
        assert_eq!(int("0x_1f").as_deref(), Some("31"));
    }

    #[test]
    fn long_lines_like_cpython() {
        let long = |s: &str| match parse_long_line(s.as_bytes(), 4300) {
            Ok(IntVal::Small(v)) => Some(v.to_string()),
            Ok(IntVal::Big(v)) => Some(v.to_string()),
            Err(_) => None,
        };
        assert_eq!(long("123L").as_deref(), Some("123"));
        assert_eq!(long("1_0L").as_deref(), Some("10"));
        assert_eq!(long(" 12 L").as_deref(), Some("12"));
        assert_eq!(long("0x10").as_deref(), Some("16"));
        assert_eq!(long("010"), None);
        assert_eq!(long("L"), None);
        assert_eq!(
            long("-18446744073709551616L").as_deref(),
            Some("-18446744073709551616")
        );
        assert_eq!(
            parse_long_line("1".repeat(5000).as_bytes(), 4300),
            Err(IntError::TooLong)
        );
    }

    #[test]
    fn float_lines_like_cpython() {
        assert_eq!(parse_float_line(b"1.5"), Ok(1.5));
        assert_eq!(parse_float_line(b"1e400"), Err(FloatError::Overflow));
        assert_eq!(parse_float_line(b"1e-400"), Ok(0.0));
        assert_eq!(parse_float_line(b"inf"), Ok(f64::INFINITY));
        assert_eq!(parse_float_line(b"-Infinity"), Ok(f64::NEG_INFINITY));
        assert!(parse_float_line(b"-nan").is_ok_and(f64::is_nan));
        assert_eq!(parse_float_line(b" 1.5"), Err(FloatError::Invalid));
        assert_eq!(parse_float_line(b"1.5 "), Err(FloatError::Invalid));
        assert_eq!(parse_float_line(b"1_0"), Err(FloatError::Invalid));
        assert_eq!(parse_float_line(b"1.5\0junk"), Ok(1.5));
        assert_eq!(parse_float_line(b".5"), Ok(0.5));
        assert_eq!(parse_float_line(b"5."), Ok(5.0));
        assert_eq!(parse_float_line(b"1e"), Err(FloatError::Invalid));
        assert_eq!(parse_float_line(b""), Err(FloatError::Invalid));
    }

    #[test]
    fn twos_complement() {
        assert_eq!(from_twos_complement_le(&[]), IntVal::Small(0));
        assert_eq!(from_twos_complement_le(&[0xff]), IntVal::Small(-1));
        assert_eq!(from_twos_complement_le(&[0xff, 0x00]), IntVal::Small(255));
        assert_eq!(
            from_twos_complement_le(&[0, 0, 0, 0, 0, 0, 0, 0x80]),
            IntVal::Small(i64::MIN)
        );
        assert_eq!(
            from_twos_complement_le(&[0, 0, 0, 0, 0, 0, 0, 0x80, 0]),
            IntVal::Big(BigInt::from(1u64 << 63))
        );
    }
}
