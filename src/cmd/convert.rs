//! `vigil convert`.

/// Arguments of `vigil convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file.
    pub input: std::path::PathBuf,
}

/// Runs `vigil convert`.
pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::bail!("vigil convert is not built yet ({})", args.input.display())
}
