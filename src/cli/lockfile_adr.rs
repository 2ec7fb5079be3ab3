//! `dockprep lockfile --adr`: measures both lockfile policies with
//! `dockprep bench` and writes docs/decisions/0001-docker-lockfile-policy.md.
//!
//! Option 1 is the repository as it is. Option 2 is a copy of it (beside a
//! link to each sibling, so the copy's Docker lockfile stays fresh) with the
//! `docker-lockfile-unused` fix applied. Both are measured in one
//! `dockprep bench --before` run (cold with an emptied cache, then warm),
//! in this process: the bench flags are parsed as `dockprep bench` parses
//! them and the measurement is the bench library's.

use std::path::{Path, PathBuf};

use super::exit;
use dockprep::bench::{BenchReport, Variant};
use dockprep::lockfile::adr::{self, Measured};
use dockprep::lockfile::Output;

pub const ADR_PATH: &str = "docs/decisions/0001-docker-lockfile-policy.md";

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        if name == "node_modules" || name == ".git" || name == ".docker-deps" {
            continue;
        }
        let ft = e.file_type()?;
        let dest = to.join(&name);
        if ft.is_dir() {
            copy_tree(&e.path(), &dest)?;
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(e.path())?, &dest)?;
        } else {
            std::fs::copy(e.path(), &dest)?;
        }
    }
    Ok(())
}

/// Option 2's copy: `tmp/<name>` plus links to the siblings it reads.
fn option2_copy(root: &Path, out: &Output, tmp: &Path) -> Result<PathBuf, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", root.display()))?;
    let name = root.file_name().ok_or("the repository has no name")?;
    let copy = tmp.join(name);
    copy_tree(&root, &copy).map_err(|e| format!("copying {}: {e}", root.display()))?;
    let parent = root.parent().ok_or("the repository has no parent")?;
    // The siblings are audited paths too: the copy reaches them through the
    // links below, which resolve outside the copy, and the model reads only
    // inside the paths it audits (and what they link).
    let mut roots = vec![copy.clone()];
    for ext in &out.externals {
        // `../common/packages/x` → link tmp/common → parent/common.
        let mut parts = ext.importer.split('/');
        let (Some(".."), Some(first)) = (parts.next(), parts.next()) else {
            continue;
        };
        let link = tmp.join(first);
        if !link.exists() {
            std::os::unix::fs::symlink(parent.join(first), &link)
                .map_err(|e| format!("linking {}: {e}", link.display()))?;
            roots.push(parent.join(first));
        }
    }
    let rules =
        vec![dockprep::rules::registry::get("docker-lockfile-unused").ok_or("rule missing")?];
    let mut fixed = dockprep::fix::engine::run(
        &roots,
        &dockprep::audit::options(),
        &rules,
        &Default::default(),
    )
    .map_err(|e| e.to_string())?;
    // Only the copy is changed, never a sibling it links.
    fixed.changes.retain(|c| c.path.starts_with(&copy));
    if fixed.changes.is_empty() {
        return Err("`dockprep fix` found no install step to switch to --frozen-lockfile".into());
    }
    dockprep::fix::engine::write(&fixed.changes).map_err(|e| e.to_string())?;
    Ok(copy)
}

fn measured(report: &BenchReport, variant: Variant) -> Option<Measured> {
    let s = report.surfaces.iter().find(|s| s.variant == variant)?;
    Some(Measured {
        cold: s.cold.median()?,
        cold_install: s.cold_install.median(),
        warm: s.warm.median()?,
        no_change: s.no_change.median().unwrap_or(f64::NAN),
    })
}

/// Measures both options and writes the ADR into the repository.
pub fn write(root: &Path, service: Option<&str>, flags: &[String], out: &Output) -> u8 {
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: temporary directory: {e}");
            return exit::USAGE;
        }
    };
    let mut inputs = adr::Inputs {
        repository: root
            .canonicalize()
            .ok()
            .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| root.display().to_string()),
        image: service.unwrap_or("every compose service").to_string(),
        date: today(),
        command: format!(
            "dockprep lockfile --adr{}{}",
            service
                .map(|s| format!(" --service {s}"))
                .unwrap_or_default(),
            if flags.is_empty() {
                String::new()
            } else {
                format!(" -- {}", flags.join(" "))
            }
        ),
        option1: None,
        option2: None,
        missing: None,
        externals: out
            .externals
            .iter()
            .map(|e| format!("{}@{}", e.name, e.version))
            .collect(),
    };
    match option2_copy(root, out, tmp.path()).and_then(|copy| bench(root, &copy, service, flags)) {
        Ok(report) => {
            inputs.option1 = measured(&report, Variant::Before);
            inputs.option2 = measured(&report, Variant::After);
            if let Some(s) = report.surfaces.first() {
                inputs.image = format!("{}/{}", s.repo, s.surface);
            }
        }
        Err(e) => {
            eprintln!("warning: not measured: {e}");
            inputs.missing = Some(e);
        }
    }
    let path = root.join(ADR_PATH);
    let text = adr::render(&inputs);
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = dockprep::fsutil::write_atomic(&path, text.as_bytes()) {
        eprintln!("error: {}: {e}", path.display());
        return exit::USAGE;
    }
    println!("wrote {}", path.display());
    if inputs.option1.is_some() && inputs.option2.is_some() {
        exit::CLEAN
    } else {
        exit::FINDINGS
    }
}

/// What `dockprep bench COPY [SERVICE] --before ROOT --json --yes FLAGS`
/// measures, in this process (the bench library; progress on stderr).
fn bench(
    root: &Path,
    copy: &Path,
    service: Option<&str>,
    flags: &[String],
) -> Result<BenchReport, String> {
    #[derive(clap::Parser)]
    #[command(name = "dockprep bench")]
    struct Bench {
        #[command(flatten)]
        args: super::bench::Args,
    }
    let mut argv: Vec<std::ffi::OsString> = vec!["bench".into(), copy.into()];
    argv.extend(service.map(Into::into));
    argv.push("--before".into());
    argv.push(root.into());
    argv.extend(["--json".into(), "--yes".into()]);
    argv.extend(flags.iter().map(Into::into));
    let parsed = <Bench as clap::Parser>::try_parse_from(argv)
        .map_err(|e| format!("bench flags: {}", e.to_string().trim()))?;
    super::bench::measured(&parsed.args).map_err(|e| format!("dockprep bench failed: {e}"))
}

fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
