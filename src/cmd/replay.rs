//! `vigil replay`.

/// Arguments of `vigil replay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file.
    pub input: std::path::PathBuf,
}

/// Runs `vigil replay`.
pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::bail!("vigil replay is not built yet ({})", args.input.display())
}
