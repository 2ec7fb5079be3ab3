//! The `dockprep` binary: a thin layer over the library.

#[path = "cli/mod.rs"]
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
