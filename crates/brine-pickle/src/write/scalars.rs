//! Text and binary forms of atoms, as CPython's pickler writes them: ints (`save_long`), floats
//! (`save_float`, with `repr()` at protocol 0) and `raw-unicode-escape` strings.

use num_bigint::{BigInt, Sign};

/// Decimal digits of `v` into `out`.
pub(crate) fn push_decimal(out: &mut Vec<u8>, v: i64) {
    let mut digits = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[i..]);
}

/// The minimal little-endian two's-complement bytes of a non-zero `v` (what `LONG1` carries).
pub(crate) fn long_bytes_i64(v: i64) -> ([u8; 8], usize) {
    let bytes = v.to_le_bytes();
    let mut len = 8;
    while len > 1 {
        let last = bytes[len - 1];
        let prev = bytes[len - 2];
        if (last == 0 && prev & 0x80 == 0) || (last == 0xff && prev & 0x80 != 0) {
            len -= 1;
        } else {
            break;
        }
    }
    (bytes, len)
}

/// The minimal little-endian two's-complement bytes of a big int (empty for zero).
pub(crate) fn long_bytes_big(v: &BigInt) -> Vec<u8> {
    if v.sign() == Sign::NoSign {
        return Vec::new();
    }
    v.to_signed_bytes_le()
}

/// Python's `repr(float)`, as protocol 0's `FLOAT` writes it: the same text as
/// [`crate::repr::float_repr`] (shortest round-tripping digits, the nearest when several are
/// that short; fixed notation for a decimal exponent in `[-4, 16)`; `inf`, `-inf`, `nan`).
pub(crate) fn float_repr(x: f64) -> String {
    crate::repr::float_repr(x)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `_pickle.c`'s `raw_unicode_escape`: code points of 0x10000 and up as `\Uxxxxxxxx`; 256 and up,
/// backslash, NUL, `\n`, `\r` and `\x1a` as `\uxxxx`; anything else as its Latin-1 byte.
pub(crate) fn raw_unicode_escape(points: impl Iterator<Item = u32>, out: &mut Vec<u8>) {
    for ch in points {
        if ch >= 0x10000 {
            out.extend_from_slice(b"\\U");
            for shift in (0..8).rev() {
                out.push(HEX[((ch >> (shift * 4)) & 0xf) as usize]);
            }
        } else if ch >= 256 || matches!(ch, 0x5c | 0 | 0x0a | 0x0d | 0x1a) {
            out.extend_from_slice(b"\\u");
            for shift in (0..4).rev() {
                out.push(HEX[((ch >> (shift * 4)) & 0xf) as usize]);
            }
        } else {
            out.push(ch as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e300, "1e+300"),
            (1e-300, "1e-300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (12345.678, "12345.678"),
            // Two 16-digit strings round-trip; Python takes the nearer one.
            (149636667324797.2, "149636667324797.2"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "{x:e}");
        }
    }

    #[test]
    fn long_bytes_are_minimal() {
        let (b, n) = long_bytes_i64(1 << 31);
        assert_eq!(&b[..n], &[0, 0, 0, 0x80, 0]);
        let (b, n) = long_bytes_i64(i64::MIN);
        assert_eq!(&b[..n], &[0, 0, 0, 0, 0, 0, 0, 0x80]);
        let (b, n) = long_bytes_i64(-(1 << 31) - 1);
        assert_eq!(&b[..n], &[0xff, 0xff, 0xff, 0x7f, 0xff]);
        assert_eq!(long_bytes_big(&BigInt::from(-256)), vec![0x00, 0xff]);
        assert_eq!(long_bytes_big(&BigInt::from(-128)), vec![0x80]);
    }

    #[test]
    fn decimal() {
        let mut v = Vec::new();
        push_decimal(&mut v, i64::MIN);
        assert_eq!(v, b"-9223372036854775808");
    }
}
