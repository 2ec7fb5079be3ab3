//! Compose files: each service's `build` (string or map: `context`,
//! `dockerfile`, `args` as map or list, `secrets`, `target`), `extra_hosts`,
//! and the top-level `secrets`, with locations.

use super::span::{Span, Spanned};
use super::yaml::{self, Node, Value};
use super::ParseError;

/// File names compose looks for, in its order of preference.
pub(crate) const FILE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

#[derive(Clone, Debug)]
pub struct BuildArg {
    pub name: Spanned<String>,
    /// `None` for a bare `- NAME` (value taken from the environment).
    pub value: Option<Spanned<String>>,
}

/// An entry of `build.secrets`: `- name` or `{source: name, target: id}`.
#[derive(Clone, Debug)]
pub struct BuildSecret {
    /// The top-level secret it refers to.
    pub source: Spanned<String>,
    /// The id the Dockerfile mounts it as (defaults to `source`).
    pub target: Option<Spanned<String>>,
}

impl BuildSecret {
    /// The id a `RUN --mount=type=secret,id=…` uses for it.
    pub fn id(&self) -> &str {
        self.target
            .as_ref()
            .map_or(&self.source.value, |t| &t.value)
    }
}

#[derive(Clone, Debug)]
pub struct Build {
    /// The `build` key.
    pub key: Span,
    /// The build context (`.` when not given).
    pub context: Spanned<String>,
    pub dockerfile: Option<Spanned<String>>,
    pub args: Vec<BuildArg>,
    /// Secrets the build may use.
    pub secrets: Vec<BuildSecret>,
    pub target: Option<Spanned<String>>,
    /// `build.network` (e.g. `host`).
    pub network: Option<Spanned<String>>,
    /// `build.extra_hosts` (compose allows them here too).
    pub extra_hosts: Vec<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: Spanned<String>,
    pub build: Option<Build>,
    pub image: Option<Spanned<String>>,
    /// Entries as `host:address`.
    pub extra_hosts: Vec<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Secret {
    pub name: Spanned<String>,
    pub file: Option<Spanned<String>>,
    pub environment: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct Compose {
    pub services: Vec<Service>,
    pub secrets: Vec<Secret>,
    /// The top-level `secrets` key, when present.
    pub secrets_key: Option<Span>,
}

impl Compose {
    pub fn parse(text: &str) -> Result<Compose, ParseError> {
        let root = yaml::parse(text)?;
        let mut c = Compose::default();
        if root.is_null() {
            return Ok(c);
        }
        expect_map(&root, "the compose file")?;
        if let Some((_, services)) = root.entry("services") {
            if !services.is_null() {
                for (k, v) in expect_map(services, "`services`")? {
                    c.services.push(service(k, v)?);
                }
            }
        }
        if let Some((k, secrets)) = root.entry("secrets") {
            c.secrets_key = Some(k.span);
            if !secrets.is_null() {
                for (k, v) in expect_map(secrets, "top-level `secrets`")? {
                    c.secrets.push(Secret {
                        name: s(k)?,
                        file: v.get("file").map(s).transpose()?,
                        environment: v.get("environment").map(s).transpose()?,
                    });
                }
            }
        }
        Ok(c)
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name.value == name)
    }

    pub fn secret(&self, name: &str) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.name.value == name)
    }
}

fn expect_map<'n>(n: &'n Node, what: &str) -> Result<&'n [(Node, Node)], ParseError> {
    n.as_map().ok_or_else(|| {
        ParseError::new(
            format!("expected a mapping for {what}, found {}", n.kind_name()),
            n.span,
        )
    })
}

fn s(n: &Node) -> Result<Spanned<String>, ParseError> {
    match &n.value {
        Value::Scalar(v) => Ok(Spanned::new(v.clone(), n.span)),
        Value::Null => Ok(Spanned::new(String::new(), n.span)),
        _ => Err(ParseError::new(
            format!("expected a string, found {}", n.kind_name()),
            n.span,
        )),
    }
}

fn service(k: &Node, v: &Node) -> Result<Service, ParseError> {
    let name = s(k)?;
    let mut svc = Service {
        name,
        build: None,
        image: None,
        extra_hosts: Vec::new(),
    };
    if v.is_null() {
        return Ok(svc);
    }
    expect_map(v, &format!("service `{}`", svc.name.value))?;
    svc.image = v.get("image").map(s).transpose()?;
    if let Some(h) = v.get("extra_hosts") {
        svc.extra_hosts = hosts(h)?;
    }
    if let Some((bk, b)) = v.entry("build") {
        let mut build = Build {
            key: bk.span,
            context: Spanned::new(".".to_string(), bk.span),
            dockerfile: None,
            args: Vec::new(),
            secrets: Vec::new(),
            target: None,
            network: None,
            extra_hosts: Vec::new(),
        };
        match &b.value {
            Value::Scalar(_) => build.context = s(b)?,
            Value::Map(_) => {
                if let Some(c) = b.get("context") {
                    build.context = s(c)?;
                }
                build.dockerfile = b.get("dockerfile").map(s).transpose()?;
                build.target = b.get("target").map(s).transpose()?;
                build.network = b.get("network").map(s).transpose()?;
                if let Some(a) = b.get("args") {
                    build.args = args(a)?;
                }
                if let Some(h) = b.get("extra_hosts") {
                    build.extra_hosts = hosts(h)?;
                }
                if let Some(sec) = b.get("secrets") {
                    for item in sec.as_seq().ok_or_else(|| {
                        ParseError::new(
                            format!(
                                "expected a list for `build.secrets`, found {}",
                                sec.kind_name()
                            ),
                            sec.span,
                        )
                    })? {
                        build.secrets.push(match &item.value {
                            Value::Map(_) => BuildSecret {
                                source: item.get("source").map(s).transpose()?.ok_or_else(
                                    || {
                                        ParseError::new(
                                            "a build secret needs a `source`",
                                            item.span,
                                        )
                                    },
                                )?,
                                target: item.get("target").map(s).transpose()?,
                            },
                            _ => BuildSecret {
                                source: s(item)?,
                                target: None,
                            },
                        });
                    }
                }
            }
            Value::Null => {}
            Value::Seq(_) => {
                return Err(ParseError::new(
                    format!(
                        "expected a string or a mapping for `build`, found {}",
                        b.kind_name()
                    ),
                    b.span,
                ));
            }
        }
        svc.build = Some(build);
    }
    Ok(svc)
}

fn args(a: &Node) -> Result<Vec<BuildArg>, ParseError> {
    let mut out = Vec::new();
    match &a.value {
        Value::Map(m) => {
            for (k, v) in m {
                out.push(BuildArg {
                    name: s(k)?,
                    value: if v.is_null() { None } else { Some(s(v)?) },
                });
            }
        }
        Value::Seq(items) => {
            for i in items {
                let item = s(i)?;
                out.push(match item.value.split_once('=') {
                    Some((k, v)) => {
                        // a quoted list item's span starts at the quote
                        let q = usize::from(item.span.len() > item.value.len());
                        let st = item.span.start + q;
                        BuildArg {
                            name: Spanned::new(k.to_string(), Span::new(st, st + k.len())),
                            value: Some(Spanned::new(
                                v.to_string(),
                                Span::new(st + k.len() + 1, st + item.value.len()),
                            )),
                        }
                    }
                    None => BuildArg {
                        name: item,
                        value: None,
                    },
                });
            }
        }
        Value::Null => {}
        Value::Scalar(_) => {
            return Err(ParseError::new(
                "expected a mapping or a list for `args`, found a scalar",
                a.span,
            ))
        }
    }
    Ok(out)
}

fn hosts(h: &Node) -> Result<Vec<Spanned<String>>, ParseError> {
    match &h.value {
        Value::Seq(items) => items
            .iter()
            .map(|i| s(i).map(|v| Spanned::new(v.value.replacen('=', ":", 1), v.span)))
            .collect(),
        Value::Map(m) => m
            .iter()
            .map(|(k, v)| {
                Ok(Spanned::new(
                    format!("{}:{}", s(k)?.value, s(v)?.value),
                    k.span.cover(v.span),
                ))
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        Value::Scalar(_) => Err(ParseError::new(
            "expected a list or a mapping for `extra_hosts`, found a scalar",
            h.span,
        )),
    }
}

/// The host name of an `extra_hosts` entry (`NAME:IP` or `NAME=IP`).
pub(crate) fn extra_host_name(entry: &str) -> &str {
    entry.split([':', '=']).next().unwrap_or(entry).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = "services:\n  backend:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile\n      args:\n        GITEA_NPM_HOST: host.docker.internal\n      secrets:\n        - gitea_npm_token\n    extra_hosts:\n      - \"host.docker.internal:host-gateway\"\n  web:\n    build: ./web\n    image: x\n  db:\n    image: postgres\nsecrets:\n  gitea_npm_token:\n    environment: GITEA_NPM_TOKEN\n";

    #[test]
    fn reads_services() {
        let c = Compose::parse(C).unwrap();
        assert_eq!(c.services.len(), 3);
        let b = c.services[0].build.as_ref().unwrap();
        assert_eq!(&C[b.key.range()], "build");
        assert_eq!(b.dockerfile.as_ref().unwrap().value, "backend/Dockerfile");
        assert_eq!(b.args[0].name.value, "GITEA_NPM_HOST");
        assert_eq!(b.secrets[0].id(), "gitea_npm_token");
        assert_eq!(
            c.services[0].extra_hosts[0].value,
            "host.docker.internal:host-gateway"
        );
        assert_eq!(c.services[1].build.as_ref().unwrap().context.value, "./web");
        assert!(c.services[2].build.is_none());
        assert_eq!(
            c.secret("gitea_npm_token")
                .unwrap()
                .environment
                .as_ref()
                .unwrap()
                .value,
            "GITEA_NPM_TOKEN"
        );
    }

    #[test]
    fn list_args_and_bad_shapes() {
        let c = Compose::parse(
            "services:\n  a:\n    build:\n      args:\n        - \"X=1\"\n        - Y\n",
        )
        .unwrap();
        let a = &c.services[0].build.as_ref().unwrap().args;
        assert_eq!(a[0].value.as_ref().unwrap().value, "1");
        assert!(a[1].value.is_none());
        let e = Compose::parse("services:\n  - a\n  - b\n").unwrap_err();
        assert!(e.message.contains("mapping"), "{e}");
        assert!(Compose::parse("- 1\n").is_err());
    }
}
