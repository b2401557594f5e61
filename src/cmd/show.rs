//! `brine show FILE`: print the value a pickle, joblib, `.npy` or `.npz` file holds, as Python's
//! `repr()` (numpy arrays as numpy prints them) or as JSON.
//!
//! The format is told from the content (magic bytes), never the file name: pickles, joblib files
//! of any compressor and version, numpy `.npy` files and `.npz` archives.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use brine_joblib::{Format, JoblibError, LoadOptions, Loaded, ProgressFn};
use brine_numpy::pickle::is_array;
use brine_pickle::repr::{repr_with, ReprOptions};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::{is_stdio, print_stdout, read_bytes, CliError, CliResult};

/// Arguments of `brine show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The file: a pickle, a joblib file (any compressor), a `.npy` or an `.npz`; `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print the documented JSON form (docs/json.md) instead of Python's repr().
    #[arg(long)]
    pub json: bool,
    /// Cut the repr after this many bytes (0: no limit). Shared references print again each time,
    /// as in Python, so a pickle that shares heavily can have an enormous repr.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_len: usize,
}

/// Files smaller than this never show a progress bar.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

/// A progress bar on stderr for reading or writing `total` bytes, when stderr is a terminal and
/// the work is big enough to take a while; `None` otherwise.
pub fn progress_bar(verb: &str, total: Option<u64>) -> Option<ProgressBar> {
    if !io::stderr().is_terminal() || total.is_some_and(|t| t < PROGRESS_MIN_BYTES) {
        return None;
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::new_spinner(),
    };
    let template =
        format!("{verb} {{bar:40}} {{bytes}}/{{total_bytes}} ({{bytes_per_sec}}, {{eta}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    Some(bar)
}

/// The callback form of a progress bar, for brine-joblib's `progress` options.
pub fn progress_fn(bar: &ProgressBar) -> ProgressFn {
    let bar = bar.clone();
    Arc::new(move |done, total| {
        if let Some(t) = total {
            bar.set_length(t);
        }
        bar.set_position(done);
    })
}

/// The CLI error for a failed load: an unreadable file is exit code 2, invalid content 1.
pub fn joblib_error(path: &Path, err: JoblibError) -> CliError {
    match err {
        JoblibError::File { path, source } => CliError::io(&path, source),
        other => CliError::Invalid(format!("{}: {other}", path.display())),
    }
}

/// Reads any file Brine understands (pickle, joblib, `.npy`, `.npz`; `-` for stdin), detecting
/// the format from its first bytes; arrays of uncompressed files are memory-mapped. Shows a
/// progress bar for big files when stderr is a terminal.
///
/// With `native`, arrays stored in the other byte order come back in the host's, as
/// `joblib.load(path)` gives them; without, they keep the file's byte order.
pub fn open_input(path: &Path, native: bool) -> CliResult<Loaded> {
    let size = if is_stdio(path) {
        None
    } else {
        Some(
            std::fs::metadata(path)
                .map_err(|e| CliError::io(path, e))?
                .len(),
        )
    };
    let bar = size.and_then(|s| progress_bar("reading", Some(s)));
    let mut options = LoadOptions {
        mmap: true,
        ensure_native_byte_order: Some(native),
        ..LoadOptions::default()
    };
    options.progress = bar.as_ref().map(progress_fn);
    let result = if is_stdio(path) {
        let data = read_bytes(path)?;
        brine_joblib::open_bytes(data.into(), &options)
    } else {
        brine_joblib::open_any(path, &options)
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result.map_err(|e| joblib_error(path, e))
}

/// A one-line `# ...` description of what the file held, for numpy and joblib files.
fn header(loaded: &Loaded) -> Option<String> {
    let graph = &loaded.graph;
    let root = graph.root()?;
    let describe = |id| {
        brine_numpy::array_from_node(graph, id)
            .map(|a| {
                format!(
                    "dtype={}, shape={}",
                    brine_numpy::repr::dtype_short_repr(&a.dtype),
                    py_tuple(&a.shape)
                )
            })
            .unwrap_or_else(|e| format!("invalid array ({e})"))
    };
    match loaded.format {
        Format::Npy => Some(format!("# npy file: {}", describe(root))),
        Format::Npz => {
            let pairs = graph
                .value(root)
                .as_dict()
                .map(<[_]>::to_vec)
                .unwrap_or_default();
            let mut text = format!("# npz archive: {} arrays", pairs.len());
            for (k, v) in pairs {
                let name = graph.value(k).as_str().unwrap_or("?").to_string();
                text.push_str(&format!("\n#   {name}: {}", describe(v)));
            }
            Some(text)
        }
        Format::Pickle if loaded.arrays == 0 && !is_array(graph, root) => None,
        format => {
            let kind = match format {
                Format::Pickle if loaded.arrays == 0 => "pickle".to_string(),
                Format::Pickle => "joblib file".to_string(),
                other => format!("joblib file ({} compressed)", other.name()),
            };
            let arrays = if is_array(graph, root) && loaded.arrays == 0 {
                describe(root)
            } else {
                format!("{} arrays", loaded.arrays)
            };
            Some(format!("# {kind}: {arrays}"))
        }
    }
}

fn py_tuple(shape: &[usize]) -> String {
    match shape {
        [d] => format!("({d},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Runs `brine show`.
pub fn run(args: &ShowArgs) -> CliResult {
    // What `joblib.load(path)` returns: arrays in the host's byte order.
    let loaded = open_input(&args.file, true)?;
    let graph = &loaded.graph;
    let Some(root) = graph.root() else {
        return print_stdout("None\n");
    };
    // A numpy array whose shape, dtype and data disagree makes the file invalid.
    let mut has_numpy = false;
    for i in 0..graph.len() {
        let id = brine_pickle::NodeId::from_index(i);
        if is_array(graph, id) {
            has_numpy = true;
            if let Err(e) = brine_numpy::array_from_node(graph, id) {
                return Err(CliError::Invalid(format!(
                    "{}: invalid numpy array: {e}",
                    args.file.display()
                )));
            }
        }
    }
    if args.json {
        let mut text = brine_pickle::json::to_json_string(graph, root);
        text.push('\n');
        return print_stdout(&text);
    }
    let max_len = if args.max_len == 0 {
        usize::MAX
    } else {
        args.max_len
    };
    let mut text = String::new();
    if let Some(h) = header(&loaded) {
        text.push_str(&h);
        text.push('\n');
    }
    let (body, truncated) = if loaded.format == Format::Pickle && loaded.arrays == 0 && !has_numpy {
        let r = repr_with(graph, root, &ReprOptions { max_len });
        (r.text, r.truncated)
    } else {
        brine_numpy::repr::value_repr(graph, root, max_len)
    };
    text.push_str(&body);
    if truncated {
        text.push_str(&format!(
            "...\n[output truncated at {max_len} bytes; --max-len N changes the limit, 0 removes it]"
        ));
    }
    text.push('\n');
    print_stdout(&text)
}
