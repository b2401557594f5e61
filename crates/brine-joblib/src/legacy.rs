//! joblib < 0.10: the Z-file container (`ZF` + hex length + zlib) used for compressed main files and
//! for `ZNDArrayWrapper` companion files.

use crate::compress::{decompress_with_hint, Format};
use crate::error::{JoblibError, Result};

/// `len(hex(2**64))`: the width of the length field after `ZF`.
const MAX_LEN: usize = 19;

/// Decodes a Z-file: checks the header, inflates the zlib stream (at most `limit` bytes) and checks
/// that the length matches the header's.
pub(crate) fn read_zfile(data: &[u8], limit: u64) -> Result<bytes::Bytes> {
    let header = data
        .get(..2 + MAX_LEN)
        .ok_or_else(|| JoblibError::Legacy("Z-file shorter than its 21-byte header".into()))?;
    if !header.starts_with(b"ZF") {
        return Err(JoblibError::Legacy("not a Z-file (no ZF prefix)".into()));
    }
    let field = header.get(2..).unwrap_or(&[]);
    let text = std::str::from_utf8(field)
        .map_err(|_| JoblibError::Legacy("Z-file length is not ASCII".into()))?
        .trim();
    let hex = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let declared = u64::from_str_radix(hex, 16)
        .map_err(|_| JoblibError::Legacy(format!("Z-file length {text:?} is not a hex number")))?;
    // joblib <= 0.8.4 under Python 2 wrote one more space; a zlib stream never starts with one.
    let mut start = 2 + MAX_LEN;
    if data.get(start) == Some(&b' ') {
        start += 1;
    }
    let body = data.get(start..).unwrap_or(&[]);
    if declared > limit {
        return Err(JoblibError::TooLarge {
            format: "zfile",
            limit,
        });
    }
    let out = decompress_with_hint(body, Format::LegacyZfile, declared, body.len() as u64)
        .map_err(|e| match e {
            JoblibError::TooLarge { .. } => JoblibError::Legacy(format!(
                "Z-file data decompresses to more than the {declared} bytes its header declares"
            )),
            other => other,
        })?;
    if out.len() as u64 != declared {
        return Err(JoblibError::Legacy(format!(
            "Z-file header declares {declared} bytes but the data decompresses to {}",
            out.len()
        )));
    }
    Ok(out)
}

/// Writes `data` as a Z-file (zlib at `level`), as joblib 0.9's `write_zfile`.
pub fn write_zfile(data: &[u8], level: u32) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 2 + 32);
    out.extend_from_slice(b"ZF");
    let len = format!("{:#x}", data.len());
    out.extend_from_slice(format!("{len:<MAX_LEN$}").as_bytes());
    out.extend_from_slice(&crate::compress::compress_bytes(
        data,
        crate::compress::Method::Zlib,
        level,
    )?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zfile_round_trip_and_errors() {
        let data = b"\x80\x02K\x2a.".repeat(10);
        let z = write_zfile(&data, 3).unwrap();
        assert_eq!(&z[..2], b"ZF");
        assert_eq!(&z[2..21], b"0x32               ");
        assert_eq!(read_zfile(&z, 1 << 20).unwrap(), data);
        // The one-space-wider Python 2 header.
        let mut wide = z[..21].to_vec();
        wide.push(b' ');
        wide.extend_from_slice(&z[21..]);
        assert_eq!(read_zfile(&wide, 1 << 20).unwrap(), data);
        // Limits, truncation, bad headers.
        assert!(matches!(
            read_zfile(&z, 10),
            Err(JoblibError::TooLarge { .. })
        ));
        assert!(matches!(
            read_zfile(&z[..z.len() - 3], 1 << 20),
            Err(JoblibError::Truncated { .. })
        ));
        assert!(matches!(
            read_zfile(b"ZF0x", 1 << 20),
            Err(JoblibError::Legacy(_))
        ));
        let mut bad = z.clone();
        bad[2..6].copy_from_slice(b"0xzz");
        assert!(matches!(
            read_zfile(&bad, 1 << 20),
            Err(JoblibError::Legacy(_))
        ));
        let mut short = z.clone();
        short[2..21].copy_from_slice(b"0x10               ");
        assert!(matches!(
            read_zfile(&short, 1 << 20),
            Err(JoblibError::Legacy(_))
        ));
    }
}
