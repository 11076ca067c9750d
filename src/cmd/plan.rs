//! `vigil plan`.

/// Arguments of `vigil plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file.
    pub input: std::path::PathBuf,
}

/// Runs `vigil plan`.
pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::bail!("vigil plan is not built yet ({})", args.input.display())
}
