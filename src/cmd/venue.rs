//! `vigil venue`.

/// Arguments of `vigil venue`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file.
    pub input: std::path::PathBuf,
}

/// Runs `vigil venue`.
pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::bail!("vigil venue is not built yet ({})", args.input.display())
}
