//! Published versions from an npm registry (Gitea, Verdaccio, npmjs): the
//! abbreviated packument, `GET <registry>/<@scope%2fname>`.

use super::{Published, Source, SourceError};
use crate::diagnostics::redact::{display_url, Redactor};

/// One registry, with an optional bearer token (never printed).
pub struct Registry {
    url: String,
    /// The URL as printed: without userinfo, query or fragment.
    pub shown: String,
    token: Option<String>,
    agent: ureq::Agent,
}

impl Registry {
    pub fn new(url: &str, token: Option<String>) -> Registry {
        let mut url = url.to_string();
        if !url.ends_with('/') {
            url.push('/');
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .http_status_as_error(false)
            .build()
            .into();
        let shown = display_url(&url);
        Registry {
            url,
            shown,
            token,
            agent,
        }
    }

    /// The tarball address pnpm assumes when a lockfile records none.
    pub(crate) fn standard_tarball(&self, name: &str, version: &str) -> String {
        let base = name.rsplit('/').next().unwrap_or(name);
        format!("{}{name}/-/{base}-{version}.tgz", self.url)
    }
}

fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The parts of one version's metadata a lockfile records.
pub(crate) fn published_from(
    meta: &serde_json::Value,
    standard_tarball: &str,
) -> Result<Published, SourceError> {
    let dist = meta.get("dist").ok_or(SourceError::Metadata(
        "no `dist` in the registry's metadata",
    ))?;
    let integrity = match (
        dist.get("integrity").and_then(|x| x.as_str()),
        dist.get("shasum").and_then(|x| x.as_str()),
    ) {
        (Some(i), _) => i.to_string(),
        (None, Some(sha1)) => {
            // pnpm falls back to the sha1 shasum, as an SRI string.
            let bytes: Vec<u8> = (0..sha1.len() / 2)
                .filter_map(|i| u8::from_str_radix(&sha1[2 * i..2 * i + 2], 16).ok())
                .collect();
            use base64::Engine;
            format!(
                "sha1-{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        }
        _ => {
            return Err(SourceError::Metadata(
                "the registry publishes no integrity for it",
            ))
        }
    };
    let tarball = dist
        .get("tarball")
        .and_then(|x| x.as_str())
        .filter(|t| *t != standard_tarball)
        .map(str::to_string);
    let engines = meta
        .get("engines")
        .and_then(|x| x.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let names = |field: &str| {
        meta.get(field)
            .and_then(|x| x.as_object())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut dependencies: std::collections::BTreeSet<String> = names("dependencies");
    dependencies.extend(names("optionalDependencies"));
    Ok(Published {
        integrity,
        tarball,
        engines,
        os: strings(meta.get("os")),
        cpu: strings(meta.get("cpu")),
        libc: strings(meta.get("libc")),
        has_bin: meta.get("bin").is_some_and(|b| !b.is_null())
            || meta.get("directories").and_then(|d| d.get("bin")).is_some(),
        deprecated: meta
            .get("deprecated")
            .and_then(|x| x.as_str())
            .map(str::to_string),
        dependencies,
        peer_dependencies: names("peerDependencies"),
    })
}

impl Source for Registry {
    fn published(&self, name: &str, version: &str) -> Result<Published, SourceError> {
        let url = format!("{}{}", self.url, name.replace('/', "%2f"));
        let mut req = self.agent.get(&url).header("Accept", "application/json");
        if let Some(t) = &self.token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        let mut resp = req.call().map_err(|e| SourceError::Unreachable {
            registry: self.shown.clone(),
            // The client's message may quote the URL.
            message: Redactor::default().redact(&e.to_string()),
        })?;
        let status = resp.status().as_u16();
        if status == 404 {
            return Err(SourceError::NotPublished {
                name: name.to_string(),
                registry: self.shown.clone(),
            });
        }
        if status == 401 || status == 403 {
            return Err(SourceError::Refused {
                registry: self.shown.clone(),
                status,
            });
        }
        if status != 200 {
            return Err(SourceError::Status {
                registry: self.shown.clone(),
                status,
                name: name.to_string(),
            });
        }
        let body: serde_json::Value = resp
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_json()
            .map_err(|e| SourceError::NotJson {
                name: name.to_string(),
                message: e.to_string(),
            })?;
        let meta = body
            .get("versions")
            .and_then(|v| v.get(version))
            .ok_or_else(|| SourceError::VersionMissing {
                name: name.to_string(),
                version: version.to_string(),
                registry: self.shown.clone(),
            })?;
        published_from(meta, &self.standard_tarball(name, version))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn printed_url_has_no_credentials() {
        let r = super::Registry::new("https://u:secret@reg.example/api/npm", None);
        assert_eq!(r.shown, "https://reg.example/api/npm/");
        assert_eq!(
            r.standard_tarball("@s/x", "1.0.0"),
            "https://u:secret@reg.example/api/npm/@s/x/-/x-1.0.0.tgz"
        );
        let r = super::Registry::new("http://127.0.0.1:1/npm/?token=pw", None);
        assert_eq!(r.shown, "http://127.0.0.1:1/npm/");
        let r = super::Registry::new("user:pw@127.0.0.1:1", None);
        assert!(!r.shown.contains("pw"), "{}", r.shown);
    }
}
