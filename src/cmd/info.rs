//! `brine info MODEL [--json]`: what a saved scikit-learn model is (placeholder in this build).

use std::path::PathBuf;

use clap::Args;

use super::{CliError, CliResult};

/// Arguments of `brine info`.
#[derive(Args, Debug)]
pub struct InfoArgs {
    /// The model file (joblib or pickle); `-` reads stdin.
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// Print the description as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `brine info`.
pub fn run(args: &InfoArgs) -> CliResult {
    let _ = args;
    Err(CliError::Unavailable("brine info"))
}
