//! `.npz` archives: a zip file of `.npy` members (`numpy.savez` stores them, `numpy.savez_compressed`
//! deflates them).
//!
//! ```
//! use brine_numpy::{npz, NdArray};
//! let a = NdArray::from_i64_slice(&[1, 2, 3]);
//! let b = NdArray::from_f64_slice(&[0.5]);
//! let mut buf = std::io::Cursor::new(Vec::new());
//! npz::write(&[("a", &a), ("b", &b)], &mut buf, true).unwrap();
//! let back = npz::read(buf.get_ref()).unwrap();
//! assert_eq!(back, vec![("a".to_string(), a), ("b".to_string(), b)]);
//! ```

use std::io::{Cursor, Read, Seek, Write};

use bytes::Bytes;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::array::NdArray;
use crate::error::{NumpyError, Result};
use crate::npy;

fn zip_err(e: zip::result::ZipError) -> NumpyError {
    NumpyError::Npz(e.to_string())
}

/// Reads every `.npy` member of an `.npz` archive, in archive order, as (name without `.npy`,
/// array). Object arrays are refused (see [`npy::read_pickled`] for reading members one by one).
pub fn read(data: &[u8]) -> Result<Vec<(String, NdArray)>> {
    let mut archive = ZipArchive::new(Cursor::new(data)).map_err(zip_err)?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(zip_err)?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().to_string();
        let mut buf = Vec::new();
        file.read_to_end(&mut buf)?;
        let key = name.strip_suffix(".npy").unwrap_or(&name).to_string();
        let arr = npy::read_bytes(Bytes::from(buf))
            .map_err(|e| NumpyError::Npz(format!("member {name:?}: {e}")))?;
        out.push((key, arr));
    }
    Ok(out)
}

/// Writes arrays as an `.npz` archive (members named `<name>.npy`), deflated if `compressed`
/// (`numpy.savez_compressed`) or stored (`numpy.savez`).
pub fn write<W: Write + Seek>(
    entries: &[(&str, &NdArray)],
    out: W,
    compressed: bool,
) -> Result<()> {
    let mut zip = ZipWriter::new(out);
    let method = if compressed {
        CompressionMethod::Deflated
    } else {
        CompressionMethod::Stored
    };
    let options = SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    for (name, arr) in entries {
        let bytes = npy::to_vec(arr)?;
        let member = if name.ends_with(".npy") {
            name.to_string()
        } else {
            format!("{name}.npy")
        };
        zip.start_file(member, options).map_err(zip_err)?;
        zip.write_all(&bytes)?;
    }
    zip.finish().map_err(zip_err)?;
    Ok(())
}

/// The arrays as `.npz` bytes.
pub fn to_vec(entries: &[(&str, &NdArray)], compressed: bool) -> Result<Vec<u8>> {
    let mut cur = Cursor::new(Vec::new());
    write(entries, &mut cur, compressed)?;
    Ok(cur.into_inner())
}
