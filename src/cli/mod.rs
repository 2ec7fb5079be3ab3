//! The command line: one file per subcommand. Thin: parse flags, call the
//! library, map results to exit codes. Only this layer prints and exits.

mod audit;
mod bench;
mod build;
mod fix;
mod guard;
mod hook;
mod init;
mod lockfile;
mod lockfile_adr;
mod pack;
mod prep;
mod prune;
mod restore;
mod rules;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "dockprep",
    version,
    about = "Fast, correct and hermetic Docker builds for Node.js/pnpm repositories"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Find the roadmap's Docker-build defects in repositories, with exact locations.
    Audit(audit::Args),
    /// Apply the roadmap's Phase A fixes (safe ones; `--unsafe` for the rest).
    Fix(fix::Args),
    /// Pack a workspace's packages into npm tarballs, natively (no npm/pnpm process).
    Pack(pack::Args),
    // Its about text and the long "when to use it" (roadmap B6) come from `prep::Args`.
    Prep(prep::Args),
    /// Write the subset of a pnpm monorepo that target packages need, with a pruned lockfile (like `turbo prune --docker`).
    Prune(prune::Args),
    /// Undo `prep` byte for byte (also the backups docker-prep.sh leaves).
    Restore(restore::Args),
    /// List the rules, or print one rule's documentation.
    Rules(rules::Args),
    /// Build compose services (or one Dockerfile) with BuildKit and attribute the time to steps.
    Build(build::Args),
    /// Pre-commit check: refuse staged manifests rewritten by `prep` and prep backups.
    Guard(guard::Args),
    /// Write a commented default dockprep.toml.
    Init(init::Args),
    /// Install the guard into the repository's pre-commit hook (husky or .git/hooks).
    Hook(hook::Args),
    // Its about text comes from `lockfile::Args`.
    Lockfile(lockfile::Args),
    /// Measure cold, warm (one source file changed) and no-change builds; print the roadmap's A7 table.
    Bench(bench::Args),
}

/// Why a subcommand could not do its job: `main` prints it once, as
/// `error: {message}`, and exits with `code` (see [`exit`]).
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl std::fmt::Display) -> Failure {
        Failure {
            code,
            message: message.to_string(),
        }
    }

    /// A usage error (exit 2): bad flags, a path or rule that does not exist.
    pub fn usage(message: impl std::fmt::Display) -> Failure {
        Failure::new(exit::USAGE, message)
    }
}

/// The masking of everything printed: credential spans, and the values of
/// the environment's credential-like variables (`GITEA_NPM_TOKEN`,
/// `NPM_TOKEN`, `NPM_CONFIG__AUTH…`, `*_PASSWORD`).
pub fn redactor() -> dockprep::diagnostics::redact::Redactor {
    dockprep::diagnostics::redact::Redactor::from_vars(std::env::vars_os())
}

/// Exit codes shared by the subcommands.
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const USAGE: u8 = 2;
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let ended = match cli.command {
        Command::Audit(a) => audit::run(a),
        Command::Fix(f) => fix::run(f),
        Command::Pack(p) => pack::run(p),
        Command::Prep(p) => prep::run(p),
        Command::Prune(p) => prune::run(p),
        Command::Restore(r) => restore::run(r),
        Command::Rules(r) => rules::run(r),
        Command::Build(b) => build::run(b),
        Command::Bench(b) => bench::run(b),
        Command::Guard(g) => guard::run(g),
        Command::Hook(h) => hook::run(h),
        Command::Init(i) => init::run(i),
        Command::Lockfile(l) => lockfile::run(l),
    };
    // The one place errors are printed.
    match ended {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {}", redactor().redact(&f.message));
            ExitCode::from(f.code)
        }
    }
}
