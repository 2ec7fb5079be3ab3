use std::path::PathBuf;

use super::{exit, Failure};
use dockprep::pack::packer::{pack_workspace, PackOptions};
use dockprep::paths::display_path;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The pnpm workspace whose packages to pack.
    #[arg(long, default_value = ".")]
    workspace: PathBuf,
    /// Where the tarballs go.
    #[arg(long, default_value = ".docker-deps")]
    out: PathBuf,
    /// Only packages whose name matches (e.g. `@bytelyst/*`).
    #[arg(long)]
    filter: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Accept this reviewed file although it looks like it holds a
    /// credential (repeatable; `[pack] allow_secrets` in dockprep.toml does
    /// the same for `pack`, `prep` and `build`). The environment's own token
    /// values are refused in any file.
    #[arg(long = "allow-secret", value_name = "PATH")]
    allow_secrets: Vec<PathBuf>,
}

pub fn run(a: Args) -> Result<u8, Failure> {
    Ok({
        let start = std::time::Instant::now();
        let opts = PackOptions {
            workspace: a.workspace,
            out: a.out,
            filter: a.filter,
            allow_secrets: a.allow_secrets,
        };
        let packed = match pack_workspace(&opts) {
            Ok(p) => p,
            Err(e) => {
                return Err(Failure::new(exit::FINDINGS, e));
            }
        };
        if a.json {
            let v: Vec<_> = packed
            .iter()
            .map(|p| {
                serde_json::json!({"name": p.name, "version": p.version, "tarball": display_path(&p.tarball), "files": p.files,
                                   "size": p.size, "unpackedSize": p.unpacked_size, "integrity": p.integrity, "shasum": p.shasum, "cached": p.cached})
            })
            .collect();
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        } else {
            for p in &packed {
                println!(
                    "{}@{}  {}  {} files, {} B  {}  shasum {}{}",
                    p.name,
                    p.version,
                    display_path(&p.tarball),
                    p.files,
                    p.size,
                    p.integrity,
                    p.shasum,
                    if p.cached { "  (unchanged)" } else { "" }
                );
            }
            let fresh = packed.iter().filter(|p| !p.cached).count();
            eprintln!(
                "packed {} packages ({fresh} repacked) in {:.1} ms",
                packed.len(),
                start.elapsed().as_secs_f64() * 1000.0
            );
        }
        exit::CLEAN
    })
}
