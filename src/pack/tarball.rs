//! Deterministic npm tarballs: entries under `package/`, sorted, mtime
//! 1985-10-26T08:15:00Z, uid/gid 0, modes 0644/0755, long paths in ustar
//! prefix or pax form (never GNU LongLink), gzip by miniz_oxide at a fixed
//! level; plus the `sha512` SRI integrity and the sha1 shasum npm prints.

use std::io::Write;

use base64::Engine;
use sha1::Digest;

/// npm's fixed tarball mtime (1985-10-26T08:15:00Z).
pub(crate) const MTIME: u64 = 499_162_500;

/// One file of the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the package (`src/index.js`), without `package/`.
    pub path: String,
    pub bytes: Vec<u8>,
    pub executable: bool,
}

/// A packed tarball.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tarball {
    pub bytes: Vec<u8>,
    /// `sha512-…` (base64).
    pub integrity: String,
    /// sha1 hex.
    pub shasum: String,
    /// Sum of the files' sizes (npm's `unpackedSize`).
    pub unpacked_size: u64,
}

/// Writes the tarball. `entries` are sorted here by path.
pub fn write(mut entries: Vec<Entry>) -> std::io::Result<Tarball> {
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::new(9));
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut unpacked = 0u64;
    for e in &entries {
        let path = format!("package/{}", e.path);
        let mut h = tar::Header::new_ustar();
        h.set_size(e.bytes.len() as u64);
        h.set_mode(if e.executable { 0o755 } else { 0o644 });
        h.set_mtime(MTIME);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        if h.set_path(&path).is_err() {
            // Too long for ustar's name + prefix: a pax `path` record first.
            tar.append_pax_extensions([("path", path.as_bytes())])?;
            let short: String = path
                .chars()
                .rev()
                .take(90)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            h.set_path(short.trim_start_matches('/'))?;
        }
        h.set_cksum();
        tar.append(&h, e.bytes.as_slice())?;
        unpacked += e.bytes.len() as u64;
    }
    let gz = tar.into_inner()?;
    let mut bytes = gz.finish()?;
    bytes.flush()?;
    let integrity = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(&bytes))
    );
    let shasum = hex(&sha1::Sha1::digest(&bytes));
    Ok(Tarball {
        bytes,
        integrity,
        shasum,
        unpacked_size: unpacked,
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// npm's tarball file name: `@scope/name` 1.2.3 → `scope-name-1.2.3.tgz`.
pub fn file_name(name: &str, version: &str) -> String {
    format!(
        "{}-{version}.tgz",
        name.trim_start_matches('@').replace('/', "-")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry> {
        vec![
            Entry {
                path: "src/index.js".into(),
                bytes: b"export {}\n".to_vec(),
                executable: false,
            },
            Entry {
                path: "package.json".into(),
                bytes: b"{\"name\":\"a\",\"version\":\"1.0.0\"}\n".to_vec(),
                executable: false,
            },
            Entry {
                path: format!("{}/deep.js", "d".repeat(160)),
                bytes: b"1".to_vec(),
                executable: true,
            },
        ]
    }

    #[test]
    fn same_input_same_bytes_and_readable() {
        let a = write(entries()).unwrap();
        let mut rev = entries();
        rev.reverse();
        let b = write(rev).unwrap();
        assert_eq!(a, b);
        assert!(a.integrity.starts_with("sha512-"));
        assert_eq!(a.shasum.len(), 40);
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(a.bytes.as_slice()));
        let mut seen = Vec::new();
        for e in ar.entries().unwrap() {
            let e = e.unwrap();
            let h = e.header();
            assert_eq!(h.mtime().unwrap(), MTIME);
            assert_eq!(h.uid().unwrap(), 0);
            seen.push((
                e.path().unwrap().to_string_lossy().into_owned(),
                h.mode().unwrap(),
            ));
        }
        assert_eq!(seen[0].0, format!("package/{}/deep.js", "d".repeat(160)));
        assert_eq!(seen[0].1, 0o755);
        assert_eq!(seen[1], ("package/package.json".to_string(), 0o644));
        assert_eq!(
            file_name("@bytelyst/config", "1.4.0"),
            "bytelyst-config-1.4.0.tgz"
        );
    }
}
