//! `brine convert IN OUT --protocol N`: read any pickle and write it again at protocol N.

use std::path::PathBuf;

use brine_pickle::WriteOptions;
use clap::Args;

use super::{load_input, write_bytes, CliError, CliResult, Loaded};

/// Arguments of `brine convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The input pickle; `-` reads stdin.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// The output file; `-` writes stdout.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    /// The protocol to write, 0 to 5.
    #[arg(long, short, default_value_t = 4, value_parser = clap::value_parser!(u8).range(0..=5))]
    pub protocol: u8,
}

/// Runs `brine convert`.
pub fn run(args: &ConvertArgs) -> CliResult {
    let loaded = load_input(&args.input)?;
    let bytes = match &loaded {
        Loaded::Pickle(graph) => {
            brine_pickle::to_vec(graph, &WriteOptions::protocol(args.protocol)).map_err(|e| {
                CliError::Invalid(format!("cannot write protocol {}: {e}", args.protocol))
            })?
        }
    };
    write_bytes(&args.output, &bytes)
}
