//! `brine`: show, disassemble and convert Python pickle, numpy and joblib files, and run saved
//! scikit-learn models, without Python.
//!
//! Exit codes: 0 success, 1 the input is not valid, 2 usage or I/O error.

mod cmd;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cmd::{convert, dis, info, predict, show};

/// The binary allocates with mimalloc (cargo feature `mimalloc`, on by default): decoding makes
/// one allocation per container, and a large decode runs 2-3 times faster than on glibc malloc
/// (README, Benchmarks). The library crates leave the allocator to their users.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LONG_ABOUT: &str = "\
Read, inspect and convert Python pickle, numpy (.npy/.npz) and joblib files, and run saved \
scikit-learn models, without running Python.

The file format is detected from its content, not its name: a pickle, a joblib file with any \
compressor (zlib, gzip, bz2, lzma, xz, lz4), a .npy array or a .npz archive.

A pickle is a program; brine never executes it. Classes it does not know are shown as inert \
objects (the recorded call and its state), never imported or called.";

const EXAMPLES: &str = "\
Examples:
  brine show data.pkl                 print the value, as Python's repr() would
  brine show --json data.pkl          the same value as tagged JSON (see docs/json.md)
  cat data.pkl | brine show -         read the pickle from stdin
  brine dis data.pkl                  list the opcodes, like python -m pickletools
  brine convert old.pkl new.pkl --protocol 2
                                      rewrite a pickle at another protocol
  brine show model.joblib             a joblib file (any compressor); arrays print as numpy does
  brine convert model.pkl model.joblib --compress zlib:3
                                      write a compressed joblib file that joblib.load reads
  brine info model.joblib             the estimator tree, parameters, features and classes
  brine predict model.joblib --input X.csv --method predict_proba --output proba.npy
                                      run the model on samples (CSV with a header row, or .npy)

Exit codes:
  0  success
  1  the input is not valid (for a pickle, the message gives the byte offset and opcode)
  2  bad usage, or a file could not be read or written";

/// Read, inspect and convert pickle, numpy and joblib files, and run scikit-learn models.
#[derive(Parser, Debug)]
#[command(
    name = "brine",
    version,
    long_about = LONG_ABOUT,
    after_long_help = EXAMPLES,
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the value a pickle holds (Python's repr(), or JSON with --json).
    Show(show::ShowArgs),
    /// Disassemble a pickle: offset, opcode, argument, memo index, mark nesting.
    Dis(dis::DisArgs),
    /// Read any pickle and write it again at another protocol.
    Convert(convert::ConvertArgs),
    /// Describe a saved scikit-learn model.
    Info(info::InfoArgs),
    /// Run a saved scikit-learn model on samples from a .npy or .csv file.
    Predict(predict::PredictArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version are "errors" that print to stdout and exit 0.
            let _ = err.print();
            return ExitCode::from(err.exit_code().clamp(0, 255) as u8);
        }
    };
    let result = match &cli.command {
        Command::Show(args) => show::run(args),
        Command::Dis(args) => dis::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Info(args) => info::run(args),
        Command::Predict(args) => predict::run(args),
    };
    match result {
        Ok(()) => ExitCode::from(cmd::EXIT_OK as u8),
        Err(err) => {
            let message = err.to_string();
            // One line: a message never spans lines, whatever the input held.
            let message = message.replace(['\n', '\r'], " ");
            let _ = writeln!(std::io::stderr(), "brine: {message}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
