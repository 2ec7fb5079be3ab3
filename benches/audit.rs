//! Speed of the audit through the library: load + rules + JSON report.
//!
//! Two inputs: `examples/fleet` (3 repositories, 4 Dockerfiles) and a fleet
//! of 1,000 repositories generated into a temporary directory by
//! `scripts/gen-fleet` when the bench starts. For the large fleet the three
//! phases are also measured apart, to show where the time goes.
//!
//! Run: `cargo bench --bench audit` (results and reports in target/criterion).
//! See docs/benchmarks.md for the recorded numbers.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use dockprep::project::{self, Project};
use dockprep::report;
use dockprep::rules::{self, registry};

/// Repositories in the generated fleet.
const FLEET_SIZE: usize = 1000;

/// The whole audit as the CLI does it for `--format json`.
fn audit(paths: &[PathBuf]) -> String {
    let p = project::load(paths, &dockprep::audit::options()).expect("load");
    let findings = rules::run(&p, registry::RULES);
    report::json::render(&p, &findings)
}

fn load(paths: &[PathBuf]) -> Project {
    project::load(paths, &dockprep::audit::options()).expect("load")
}

/// Generates the fleet with `scripts/gen-fleet` under `dir`.
fn generate(n: usize, dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = dir.join("fleet");
    let status = Command::new("python3")
        .arg(root.join("scripts/gen-fleet"))
        .arg(n.to_string())
        .arg(&out)
        .status()
        .expect("run python3 scripts/gen-fleet");
    assert!(status.success(), "scripts/gen-fleet failed: {status}");
    out
}

fn examples_fleet(c: &mut Criterion) {
    let paths = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fleet")];
    let p = load(&paths);
    let n = rules::run(&p, registry::RULES).len();
    assert_eq!(n, 19, "examples/fleet should give 19 findings");

    let mut g = c.benchmark_group("examples_fleet");
    g.sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("audit_json", |b| b.iter(|| audit(black_box(&paths))));
    g.finish();
}

fn generated_fleet(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let fleet = generate(FLEET_SIZE, tmp.path());
    let paths = vec![fleet];

    let p = load(&paths);
    let findings = rules::run(&p, registry::RULES);
    // Sanity: the generated repositories are really audited (about 9 findings each).
    assert!(
        findings.len() >= 5 * FLEET_SIZE,
        "only {} findings for {FLEET_SIZE} repositories",
        findings.len()
    );
    eprintln!(
        "fleet_{FLEET_SIZE}: {} repositories, {} Dockerfiles, {} files, {} findings",
        p.repos.len(),
        p.dockerfiles.len(),
        p.sources.len(),
        findings.len()
    );
    // One timed pass of each rule alone: where the `rules` time goes.
    for rule in registry::RULES {
        let t = Instant::now();
        let n = black_box(rules::run(&p, &[*rule])).len();
        eprintln!(
            "fleet_{FLEET_SIZE}: rule {:32} {:9.2} ms  {n} findings",
            rule.slug,
            t.elapsed().as_secs_f64() * 1e3
        );
    }

    let mut g = c.benchmark_group(format!("fleet_{FLEET_SIZE}"));
    // Each iteration takes about a second: the minimum sample count.
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(15));
    g.bench_function("audit_json", |b| b.iter(|| audit(black_box(&paths))));
    g.bench_function("load", |b| b.iter(|| load(black_box(&paths))));
    g.bench_function("rules", |b| {
        b.iter(|| rules::run(black_box(&p), registry::RULES))
    });
    g.bench_function("render_json", |b| {
        b.iter(|| report::json::render(black_box(&p), black_box(&findings)))
    });
    g.finish();
}

criterion_group!(benches, examples_fleet, generated_fleet);
criterion_main!(benches);
