//! The `vigil-sim` binary.

fn main() {
    eprintln!("vigil-sim: not built yet");
    std::process::exit(2);
}
