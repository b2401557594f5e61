//! `brine show FILE`: print the value a pickle holds, as Python's `repr()` or as JSON.

use std::path::PathBuf;

use brine_pickle::repr::{repr_with, ReprOptions};
use clap::Args;

use super::{load_input, print_stdout, CliResult, Loaded};

/// Arguments of `brine show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The pickle file; `-` reads stdin.
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

/// Runs `brine show`.
pub fn run(args: &ShowArgs) -> CliResult {
    let loaded = load_input(&args.file)?;
    let text = match &loaded {
        Loaded::Pickle(graph) => {
            let Some(root) = graph.root() else {
                return print_stdout("None\n");
            };
            if args.json {
                let mut text = brine_pickle::json::to_json_string(graph, root);
                text.push('\n');
                text
            } else {
                let max_len = if args.max_len == 0 {
                    usize::MAX
                } else {
                    args.max_len
                };
                let r = repr_with(graph, root, &ReprOptions { max_len });
                let mut text = r.text;
                if r.truncated {
                    text.push_str(&format!(
                        "...\n[output truncated at {max_len} bytes; --max-len N changes the limit, 0 removes it]"
                    ));
                }
                text.push('\n');
                text
            }
        }
    };
    print_stdout(&text)
}
