//! Registry preflight: before spending a build, check that the registry of
//! every private scope the image installs answers, as the build will reach it.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::spec::{effective_hosts, image_of, BuildSpec};
use crate::project::Project;
use crate::syntax::npmrc::{parse_url, EntryKind};
use crate::syntax::Spanned;

/// One registry the build needs, with the URL as the build will use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `@bytelyst` or `default`.
    pub scope: String,
    /// The URL after substituting build args and environment.
    pub url: String,
    /// Host and port actually dialled (after `--add-host`/`host-gateway` mapping).
    pub dial: (String, u16),
}

/// Why a registry did not answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("registry {url} (for {scope}) {reason}")]
pub struct Failure {
    pub scope: String,
    pub url: String,
    pub reason: String,
}

/// Substitutes `${VAR}` with build args first, then the environment.
fn substitute(text: &str, args: &[(String, String)]) -> Result<String, String> {
    let mut out = String::new();
    let mut last = 0;
    for r in crate::syntax::shell::var_refs(text, '\0') {
        out.push_str(&text[last..r.span.start]);
        let v = args
            .iter()
            .rev()
            .find(|(k, _)| *k == r.name)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(&r.name).ok())
            .ok_or_else(|| r.name.clone())?;
        out.push_str(&v);
        last = r.span.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// The registries a build needs: each private scope's registry in the `.npmrc`
/// the image copies (and a non-public default registry).
pub fn targets(project: &Project, spec: &BuildSpec) -> Result<Vec<Target>, Failure> {
    let Some(image) = image_of(project, spec) else {
        return Ok(Vec::new());
    };
    let hosts = effective_hosts(spec);
    // Build args first, then the Dockerfile's own ARG defaults.
    let mut args: Vec<(String, String)> = project.dockerfiles[image.dockerfile]
        .value
        .instructions
        .iter()
        .filter(|i| i.kind == crate::syntax::dockerfile::Kind::Arg)
        .flat_map(|i| &i.decls)
        .filter_map(|d| Some((d.name.value.clone(), d.value.as_ref()?.value.clone())))
        .collect();
    args.extend(spec.args.iter().cloned());
    let mut out: Vec<Target> = Vec::new();
    for copy in &image.npmrcs {
        for e in project.npmrcs[copy.npmrc].value.registry_entries() {
            let scope = match &e.kind {
                EntryKind::ScopeRegistry { scope } if project.private_scopes.contains(scope) => {
                    format!("@{scope}")
                }
                EntryKind::Registry if !e.value.value.contains("registry.npmjs.org") => {
                    "default".to_string()
                }
                _ => continue,
            };
            let url = substitute(&e.value.value, &args).map_err(|var| Failure {
                scope: scope.clone(),
                url: e.value.value.clone(),
                reason: format!(
                    "names `${{{var}}}`, which no build arg or environment variable sets"
                ),
            })?;
            let parsed =
                parse_url(&Spanned::new(url.clone(), Default::default())).ok_or_else(|| {
                    Failure {
                        scope: scope.clone(),
                        url: url.clone(),
                        reason: "is not a URL".to_string(),
                    }
                })?;
            let host = parsed
                .host
                .value
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let mapped = hosts
                .iter()
                .find_map(|h| {
                    h.rsplit_once(':')
                        .filter(|(n, _)| *n == host)
                        .map(|(_, ip)| ip.to_string())
                })
                .unwrap_or(host);
            let port = parsed
                .port
                .unwrap_or(if parsed.scheme == "https" { 443 } else { 80 });
            if !out.iter().any(|t| t.url == url) {
                out.push(Target {
                    scope,
                    url,
                    dial: (mapped, port),
                });
            }
        }
    }
    Ok(out)
}

/// Checks that `t` answers: for `http`, a GET of the registry's ping path
/// (`<path>/-/ping`) sent to the dialled address with the URL's `Host`
/// (through ureq, the crate's one HTTP client); a 5xx (a proxy whose
/// registry is down) counts as failure. Other schemes (`https`, whose
/// certificate the build's own trust store judges): a TCP connect.
pub fn check(t: &Target, timeout: Duration) -> Result<(), Failure> {
    let fail = |reason: String| Failure {
        scope: t.scope.clone(),
        url: t.url.clone(),
        reason,
    };
    let Some(rest) = t.url.strip_prefix("http://") else {
        let addr = (t.dial.0.as_str(), t.dial.1)
            .to_socket_addrs()
            .map_err(|e| {
                fail(format!(
                    "cannot be resolved ({}:{}): {e}",
                    t.dial.0, t.dial.1
                ))
            })?
            .next()
            .ok_or_else(|| fail(format!("cannot be resolved ({})", t.dial.0)))?;
        TcpStream::connect_timeout(&addr, timeout)
            .map_err(|e| fail(format!("does not answer at {addr}: {e}")))?;
        return Ok(());
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    // The authority without any `user:password@`.
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let base = path.trim_end_matches('/');
    let path = if base.is_empty() {
        "/-/ping".to_string()
    } else {
        format!("/{base}/-/ping")
    };
    let dial = if t.dial.0.contains(':') {
        format!("[{}]:{}", t.dial.0, t.dial.1)
    } else {
        format!("{}:{}", t.dial.0, t.dial.1)
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let status = agent
        .get(format!("http://{dial}{path}"))
        .header("Host", host)
        .header("User-Agent", "dockprep")
        .call()
        .map_err(|e| match e {
            ureq::Error::HostNotFound => fail(format!("cannot be resolved ({})", t.dial.0)),
            ureq::Error::Timeout(_) => fail(format!("does not answer at {dial}: timed out")),
            ureq::Error::Io(e) => fail(format!("does not answer at {dial}: {e}")),
            ureq::Error::ConnectionFailed => fail(format!("does not answer at {dial}")),
            e => fail(format!("answered something that is not HTTP ({e})")),
        })?
        .status()
        .as_u16();
    if status >= 500 {
        return Err(fail(format!("answered HTTP {status} for {path}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn substitutes_args_then_env() {
        let args = vec![("H".to_string(), "h1".to_string())];
        assert_eq!(
            substitute("http://${H}:3300/x", &args).unwrap(),
            "http://h1:3300/x"
        );
        assert_eq!(
            substitute("http://${DOCKPREP_SURELY_UNSET_VAR}/", &args).unwrap_err(),
            "DOCKPREP_SURELY_UNSET_VAR"
        );
    }

    #[test]
    fn refused_connection_is_a_failure() {
        // Bind then drop to get a loopback port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let t = Target {
            scope: "@x".into(),
            url: format!("http://127.0.0.1:{port}/npm/"),
            dial: ("127.0.0.1".into(), port),
        };
        let e = check(&t, Duration::from_secs(2)).unwrap_err();
        assert!(e.to_string().contains("does not answer"), "{e}");
    }

    #[test]
    fn http_5xx_is_a_failure_and_404_is_not() {
        for (code, ok) in [(502, false), (404, true)] {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = l.local_addr().unwrap().port();
            let h = std::thread::spawn(move || {
                let (mut s, _) = l.accept().unwrap();
                let mut b = [0u8; 512];
                let _ = s.read(&mut b);
                let _ = s.write_all(
                    format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\n\r\n").as_bytes(),
                );
            });
            let t = Target {
                scope: "@x".into(),
                url: format!("http://127.0.0.1:{port}/api/npm/"),
                dial: ("127.0.0.1".into(), port),
            };
            assert_eq!(check(&t, Duration::from_secs(2)).is_ok(), ok, "{code}");
            h.join().unwrap();
        }
    }

    #[test]
    fn dials_the_mapped_address_with_the_urls_host() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let h = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut b = [0u8; 1024];
            let n = s.read(&mut b).unwrap();
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            String::from_utf8_lossy(&b[..n]).to_ascii_lowercase()
        });
        let t = Target {
            scope: "@x".into(),
            url: "http://registry.internal:3300/api/packages/o/npm/".into(),
            dial: ("127.0.0.1".into(), port),
        };
        check(&t, Duration::from_secs(2)).unwrap();
        let req = h.join().unwrap();
        assert!(
            req.starts_with("get /api/packages/o/npm/-/ping http/1.1"),
            "{req}"
        );
        assert!(req.contains("host: registry.internal:3300"), "{req}");
    }
}
