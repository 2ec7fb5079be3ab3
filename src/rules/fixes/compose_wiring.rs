//! Roadmap A0-3/A0-4 as edits to a compose file: a service's build arg(s),
//! build secret(s) and `extra_hosts`, and the top-level `secrets` they name.
//!
//! The edits are made by key path with [`crate::syntax::yaml_edit`], so
//! comments, quoting, key order and indentation stay as written and new keys
//! follow the file's own layout. What is left here is what compose means:
//! which keys to ensure, the forms `args` and `extra_hosts` may take, the
//! string form of `build`, and the check that the result is still a compose
//! file (edits that would not yield one are dropped).

use crate::diagnostics::Edit;
use crate::syntax::compose::{extra_host_name, Compose};
use crate::syntax::yaml::Value;
use crate::syntax::yaml_edit::{Editor, NewValue, Place};

/// What to ensure for one service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Wiring {
    /// Build args to ensure in `services.<svc>.build.args`, e.g. `("GITEA_NPM_HOST", "host.docker.internal")`.
    /// Any value counts as present.
    pub args: Vec<(String, String)>,
    /// Secret names to ensure in `services.<svc>.build.secrets`.
    pub secrets: Vec<String>,
    /// Entries to ensure in `services.<svc>.extra_hosts`, e.g. `host.docker.internal:host-gateway`.
    /// An entry for the same host name counts as present.
    pub extra_hosts: Vec<String>,
    /// Entries to ensure in `services.<svc>.build.extra_hosts` (the hosts the
    /// build's `RUN` steps resolve). An entry for the same host name counts as present.
    pub build_extra_hosts: Vec<String>,
    /// `(name, environment variable)` to ensure in the top-level `secrets` as `name: {environment: VAR}`.
    pub top_secrets: Vec<(String, String)>,
}

impl Wiring {
    /// The roadmap's wiring (§7.3): `GITEA_NPM_HOST=host.docker.internal`,
    /// secret `gitea_npm_token` from `$GITEA_NPM_TOKEN`, and the host gateway:
    /// the tests' example (the rules wire what each repository's
    /// configuration names).
    #[cfg(test)]
    pub(crate) fn gitea() -> Wiring {
        Wiring {
            args: vec![("GITEA_NPM_HOST".into(), "host.docker.internal".into())],
            secrets: vec!["gitea_npm_token".into()],
            extra_hosts: vec!["host.docker.internal:host-gateway".into()],
            top_secrets: vec![("gitea_npm_token".into(), "GITEA_NPM_TOKEN".into())],
            build_extra_hosts: Vec::new(),
        }
    }
}

/// Edits that wire `service` of the compose file `text` (parsed as `compose`)
/// as `w` asks. Empty when everything is present, when the service does not
/// exist, or when the places to edit have a shape this does not rewrite.
pub(crate) fn wire_service(text: &str, compose: &Compose, service: &str, w: &Wiring) -> Vec<Edit> {
    let Some(svc) = compose.service(service) else {
        return Vec::new();
    };
    let Ok(mut ed) = Editor::new(text).map(Editor::deferred) else {
        return Vec::new();
    };
    let svc_path = ["services", service];
    if !ed.is_editable(&svc_path) {
        return Vec::new();
    }

    // What is missing, deduplicated.
    let mut args: Vec<(String, String)> = Vec::new();
    let mut secrets: Vec<String> = Vec::new();
    if let Some(b) = &svc.build {
        for (k, v) in &w.args {
            if !b.args.iter().any(|a| &a.name.value == k) && !args.iter().any(|(n, _)| n == k) {
                args.push((k.clone(), v.clone()));
            }
        }
        for s in &w.secrets {
            if !b
                .secrets
                .iter()
                .any(|x| &x.source.value == s || x.id() == s)
                && !secrets.contains(s)
            {
                secrets.push(s.clone());
            }
        }
    }
    let build_hosts = match &svc.build {
        Some(b) => missing_hosts(&w.build_extra_hosts, &b.extra_hosts),
        None => Vec::new(),
    };
    let hosts = missing_hosts(&w.extra_hosts, &svc.extra_hosts);
    let mut tops: Vec<(String, String)> = Vec::new();
    for (n, var) in &w.top_secrets {
        if compose.secret(n).is_none() && !tops.iter().any(|(x, _)| x == n) {
            tops.push((n.clone(), var.clone()));
        }
    }

    // Each edit is checked by the editor; one that cannot be made is left
    // out (`ok()`), and the compose check below decides on the whole.
    match ed.get(&svc_path).map(|n| &n.value) {
        Some(Value::Map(_)) => {
            let mut new_keys: Vec<(String, NewValue)> = Vec::new();
            if !args.is_empty() || !secrets.is_empty() || !build_hosts.is_empty() {
                let build = ["services", service, "build"];
                if ed.is_editable(&build) {
                    wire_build(&mut ed, &build, &args, &secrets, &build_hosts);
                }
            }
            wire_hosts(&mut ed, &svc_path, &hosts, &mut new_keys);
            if !new_keys.is_empty() {
                ed.insert_entries(&svc_path, new_keys, Place::End).ok();
            }
        }
        Some(Value::Null) if !hosts.is_empty() => {
            let entries = vec![("extra_hosts".into(), NewValue::Seq(hosts.clone()))];
            ed.insert_entries(&svc_path, entries, Place::End).ok();
        }
        _ => {}
    }

    if !tops.is_empty() {
        let entries: Vec<(String, NewValue)> = tops
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    NewValue::Map(vec![("environment".into(), NewValue::str(v))]),
                )
            })
            .collect();
        if ed.get(&["secrets"]).is_none() {
            // Top-level entries (or services) apart: the new one too.
            let place = if ed.blank_separated(&[]) || ed.blank_separated(&["services"]) {
                Place::EndAfterBlankLine
            } else {
                Place::End
            };
            let top = vec![("secrets".into(), NewValue::Map(entries))];
            ed.insert_entries(&[], top, place).ok();
        } else {
            ed.insert_entries(&["secrets"], entries, Place::End).ok();
        }
    }
    match ed.finish() {
        Ok(done) if Compose::parse(&done.text).is_ok() => done
            .edits
            .into_iter()
            .map(|e| Edit::replace(e.start, e.end, e.text))
            .collect(),
        _ => Vec::new(),
    }
}

/// Adds the missing `args`, `secrets` and `extra_hosts` to the `build` at
/// `build`, in the form each already has; a string `build` becomes the
/// mapping form with its context kept as written.
fn wire_build(
    ed: &mut Editor<'_>,
    build: &[&str],
    args: &[(String, String)],
    secrets: &[String],
    hosts: &[String],
) {
    let args_map = || {
        args.iter()
            .map(|(k, v)| (k.clone(), NewValue::str(v)))
            .collect::<Vec<_>>()
    };
    let at = |key: &'static str| {
        let mut p = build.to_vec();
        p.push(key);
        p
    };
    match ed.get(build).map(|n| &n.value) {
        Some(Value::Scalar(_)) => {
            let Some(orig) = ed.source(build) else {
                return;
            };
            let mut entries = vec![("context".to_string(), NewValue::Raw(orig.to_string()))];
            if !args.is_empty() {
                entries.push(("args".into(), NewValue::Map(args_map())));
            }
            if !secrets.is_empty() {
                entries.push(("secrets".into(), NewValue::Seq(secrets.to_vec())));
            }
            if !hosts.is_empty() {
                entries.push(("extra_hosts".into(), NewValue::Seq(hosts.to_vec())));
            }
            ed.set(build, NewValue::Map(entries), Place::End).ok();
        }
        Some(Value::Map(_)) => {
            let mut new_keys = Vec::new();
            if !args.is_empty() {
                let p = at("args");
                match ed.get(&p).map(|n| &n.value) {
                    None => new_keys.push(("args".to_string(), NewValue::Map(args_map()))),
                    // list form: `- NAME=value`
                    Some(Value::Seq(_)) => {
                        let items: Vec<String> =
                            args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        ed.append_items(&p, &items).ok();
                    }
                    Some(Value::Map(_) | Value::Null) => {
                        ed.insert_entries(&p, args_map(), Place::End).ok();
                    }
                    Some(Value::Scalar(_)) => {}
                }
            }
            if !secrets.is_empty() {
                let p = at("secrets");
                match ed.get(&p).map(|n| &n.value) {
                    None => new_keys.push(("secrets".to_string(), NewValue::Seq(secrets.to_vec()))),
                    Some(Value::Seq(_) | Value::Null) => {
                        ed.append_items(&p, secrets).ok();
                    }
                    _ => {}
                }
            }
            wire_hosts(ed, build, hosts, &mut new_keys);
            if !new_keys.is_empty() {
                ed.insert_entries(build, new_keys, Place::End).ok();
            }
        }
        _ => {}
    }
}

/// Adds `hosts` to the `extra_hosts` of the mapping at `map` (a service or
/// its `build`), in the form it already has; a missing key goes to `new_keys`.
fn wire_hosts(
    ed: &mut Editor<'_>,
    map: &[&str],
    hosts: &[String],
    new_keys: &mut Vec<(String, NewValue)>,
) {
    if hosts.is_empty() {
        return;
    }
    let mut p = map.to_vec();
    p.push("extra_hosts");
    match ed.get(&p).map(|n| &n.value) {
        None => new_keys.push(("extra_hosts".to_string(), NewValue::Seq(hosts.to_vec()))),
        Some(Value::Seq(_) | Value::Null) => {
            ed.append_items(&p, hosts).ok();
        }
        // mapping form: `name: address`
        Some(Value::Map(_)) => {
            let entries = hosts
                .iter()
                .map(|h| {
                    let (n, a) = h.split_once(':').unwrap_or((h, ""));
                    (n.to_string(), NewValue::str(a))
                })
                .collect();
            ed.insert_entries(&p, entries, Place::End).ok();
        }
        Some(Value::Scalar(_)) => {}
    }
}

/// The entries of `wanted` (`NAME:IP` or `NAME=IP`) whose host name `present`
/// does not map yet, as `NAME:IP`, each name once.
fn missing_hosts(wanted: &[String], present: &[crate::syntax::Spanned<String>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in wanted {
        let h = h.replacen('=', ":", 1);
        let name = extra_host_name(&h);
        if !present.iter().any(|e| extra_host_name(&e.value) == name)
            && !out.iter().any(|x| extra_host_name(x) == name)
        {
            out.push(h);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::apply_edits;

    const PEAKPULSE: &str =
        include_str!("../../../examples/fleet/learning_ai_peakpulse/docker-compose.yml");
    const CLOCK: &str =
        include_str!("../../../examples/fleet/learning_ai_clock/docker-compose.yml");

    /// Wires `svc`, checks that the edits apply, that the result parses and
    /// that a second call finds nothing to do; returns the new text.
    fn wire(text: &str, svc: &str, w: &Wiring) -> String {
        let c = Compose::parse(text).unwrap();
        let edits = wire_service(text, &c, svc, w);
        let fixed = apply_edits(text, &edits).expect("edits overlap");
        let c2 = Compose::parse(&fixed).unwrap_or_else(|e| panic!("{e}:\n{fixed}"));
        let again = wire_service(&fixed, &c2, svc, w);
        assert!(again.is_empty(), "not idempotent: {again:?}\n{fixed}");
        fixed
    }

    fn wire_all(text: &str, svcs: &[&str], w: &Wiring) -> String {
        svcs.iter().fold(text.to_string(), |t, s| wire(&t, s, w))
    }

    /// The parsed result has exactly the wiring `w` asks for `svc`.
    fn assert_wired(text: &str, svc: &str, w: &Wiring) {
        let c = Compose::parse(text).unwrap();
        let s = c.service(svc).unwrap();
        let b = s.build.as_ref().unwrap();
        for (k, v) in &w.args {
            let found: Vec<_> = b.args.iter().filter(|a| &a.name.value == k).collect();
            assert_eq!(found.len(), 1, "arg {k} in\n{text}");
            assert_eq!(found[0].value.as_ref().unwrap().value, *v);
        }
        for name in &w.secrets {
            assert_eq!(
                b.secrets.iter().filter(|x| &x.source.value == name).count(),
                1,
                "secret {name} in\n{text}"
            );
        }
        for h in &w.extra_hosts {
            assert_eq!(
                s.extra_hosts.iter().filter(|x| &x.value == h).count(),
                1,
                "host {h} in\n{text}"
            );
        }
        for (n, var) in &w.top_secrets {
            let sec: Vec<_> = c.secrets.iter().filter(|x| &x.name.value == n).collect();
            assert_eq!(sec.len(), 1, "top secret {n} in\n{text}");
            assert_eq!(sec[0].environment.as_ref().unwrap().value, *var);
        }
    }

    /// Every line of `before` is still in `after`, byte for byte and in order.
    fn assert_lines_kept(before: &str, after: &str) {
        let mut rest = after.split_inclusive('\n');
        for l in before.split_inclusive('\n') {
            let l = l.trim_end_matches(['\r', '\n']);
            assert!(
                rest.any(|x| x.trim_end_matches(['\r', '\n']) == l),
                "lost {l:?} in\n{after}"
            );
        }
    }

    fn no_edits(text: &str, svc: &str, w: &Wiring) -> bool {
        let c = Compose::parse(text).unwrap();
        wire_service(text, &c, svc, w).is_empty()
    }

    #[test]
    fn peakpulse_nothing_wired() {
        let w = Wiring::gitea();
        let fixed = wire_all(PEAKPULSE, &["backend", "web"], &w);
        assert_wired(&fixed, "backend", &w);
        assert_wired(&fixed, "web", &w);
        assert_lines_kept(PEAKPULSE, &fixed);
        insta::assert_snapshot!("peakpulse_compose", fixed);
    }

    #[test]
    fn clock_web_partly_wired() {
        let w = Wiring::gitea();
        // web already has the arg: only the secret, the host and the top-level secret come
        let c = Compose::parse(CLOCK).unwrap();
        let edits = wire_service(CLOCK, &c, "web", &w);
        let web = apply_edits(CLOCK, &edits).unwrap();
        assert_eq!(web.matches("GITEA_NPM_HOST").count(), 1);
        let fixed = wire_all(CLOCK, &["backend", "web"], &w);
        assert_wired(&fixed, "backend", &w);
        assert_wired(&fixed, "web", &w);
        let c = Compose::parse(&fixed).unwrap();
        let names: Vec<_> = c
            .service("web")
            .unwrap()
            .build
            .as_ref()
            .unwrap()
            .args
            .iter()
            .map(|a| a.name.value.as_str())
            .collect();
        assert_eq!(names, ["GITEA_NPM_HOST", "NEXT_PUBLIC_API_URL"]);
        assert_lines_kept(CLOCK, &fixed);
        insta::assert_snapshot!("clock_compose", fixed);
    }

    #[test]
    fn comments_and_layout_survive() {
        let t = "# top comment\nservices:\n  # the api\n  api:   # trailing\n    build:\n      context: ./api  # ctx\n      # dockerfile: other\n    image: 'x'   # img\n    # end of api\n\n# before db\n  db:\n    image: postgres\n# footer\n";
        let w = Wiring::gitea();
        let fixed = wire(t, "api", &w);
        assert_wired(&fixed, "api", &w);
        assert_lines_kept(t, &fixed);
        assert_eq!(
            fixed,
            "# top comment\nservices:\n  # the api\n  api:   # trailing\n    build:\n      context: ./api  # ctx\n      args:\n        GITEA_NPM_HOST: host.docker.internal\n      secrets:\n        - gitea_npm_token\n      # dockerfile: other\n    image: 'x'   # img\n    extra_hosts:\n      - 'host.docker.internal:host-gateway'\n    # end of api\n\n# before db\n  db:\n    image: postgres\n\nsecrets:\n  gitea_npm_token:\n    environment: GITEA_NPM_TOKEN\n# footer\n"
        );
    }

    #[test]
    fn string_form_build_becomes_a_mapping() {
        let w = Wiring::gitea();
        let fixed = wire(
            "services:\n  web:\n    build: \"./web\" # ctx\n    image: x\n",
            "web",
            &w,
        );
        assert_wired(&fixed, "web", &w);
        assert_eq!(
            fixed,
            "services:\n  web:\n    build:\n      context: \"./web\" # ctx\n      args:\n        GITEA_NPM_HOST: host.docker.internal\n      secrets:\n        - gitea_npm_token\n    image: x\n    extra_hosts:\n      - \"host.docker.internal:host-gateway\"\nsecrets:\n  gitea_npm_token:\n    environment: GITEA_NPM_TOKEN\n"
        );
        assert_eq!(
            Compose::parse(&fixed).unwrap().services[0]
                .build
                .as_ref()
                .unwrap()
                .context
                .value,
            "./web"
        );
        // at the end of a file without a final newline
        let fixed = wire("services:\n  web:\n    build: .", "web", &w);
        assert_wired(&fixed, "web", &w);
        assert!(
            fixed.starts_with("services:\n  web:\n    build:\n      context: .\n      args:\n"),
            "{fixed}"
        );
        // only what is asked
        let only_arg = Wiring {
            args: w.args.clone(),
            ..Wiring::default()
        };
        assert_eq!(
            wire("services:\n  web:\n    build: .\n", "web", &only_arg),
            "services:\n  web:\n    build:\n      context: .\n      args:\n        GITEA_NPM_HOST: host.docker.internal\n"
        );
        // nothing to add to the build: the string form stays
        let hosts_only = Wiring {
            extra_hosts: w.extra_hosts.clone(),
            ..Wiring::default()
        };
        assert!(
            wire("services:\n  web:\n    build: .\n", "web", &hosts_only)
                .contains("    build: .\n")
        );
    }

    #[test]
    fn build_extra_hosts_in_every_shape() {
        let w = Wiring {
            build_extra_hosts: vec!["host.docker.internal:host-gateway".into()],
            ..Wiring::default()
        };
        let hosts = |t: &str| {
            Compose::parse(t).unwrap().services[0]
                .build
                .as_ref()
                .unwrap()
                .extra_hosts
                .iter()
                .map(|h| h.value.clone())
                .collect::<Vec<_>>()
        };
        for t in [
            "services:\n  web:\n    build: .\n",
            "services:\n  web:\n    build:\n      context: .\n",
            "services:\n  web:\n    build:\n      context: .\n      extra_hosts:\n        - \"db:10.0.0.2\"\n",
            "services:\n  web:\n    build:\n      context: .\n      extra_hosts:\n        db: 10.0.0.2\n",
            "services:\n  web:\n    build:\n      context: .\n      extra_hosts:\n",
            "services:\n  web:\n    build: {context: ., extra_hosts: [\"db:10.0.0.2\"]}\n",
        ] {
            let fixed = wire(t, "web", &w);
            assert!(
                hosts(&fixed).contains(&"host.docker.internal:host-gateway".to_string()),
                "{fixed}"
            );
        }
        // a mapping of the same host to an address counts as present
        let t = "services:\n  web:\n    build:\n      extra_hosts: [\"host.docker.internal=10.0.0.1\"]\n";
        assert!(no_edits(t, "web", &w));
    }

    #[test]
    fn list_form_args_get_list_items() {
        let w = Wiring::gitea();
        let t = "services:\n  web:\n    build:\n      context: .\n      args:\n        - B\n        - \"A=1\"\n      secrets: [other]\n    extra_hosts:\n      db: 10.0.0.2\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert!(
            fixed
                .contains("        - \"A=1\"\n        - \"GITEA_NPM_HOST=host.docker.internal\"\n"),
            "{fixed}"
        );
        assert!(
            fixed.contains("secrets: [other, gitea_npm_token]"),
            "{fixed}"
        );
        assert!(
            fixed.contains("      db: 10.0.0.2\n      host.docker.internal: host-gateway\n"),
            "{fixed}"
        );
        // a bare `- NAME` or another value counts as present
        let t = "services:\n  web:\n    build:\n      args:\n        - GITEA_NPM_HOST\n";
        let only_arg = Wiring {
            args: w.args.clone(),
            ..Wiring::default()
        };
        assert!(no_edits(t, "web", &only_arg));
        let t = "services:\n  web:\n    build:\n      args:\n        GITEA_NPM_HOST: localhost\n    extra_hosts: [\"host.docker.internal=10.0.0.1\"]\nsecrets:\n  gitea_npm_token:\n    file: ./token\n";
        let hosts = Wiring {
            args: w.args.clone(),
            extra_hosts: w.extra_hosts.clone(),
            top_secrets: w.top_secrets.clone(),
            ..Wiring::default()
        };
        assert!(no_edits(t, "web", &hosts));
    }

    #[test]
    fn flow_style_gets_flow_additions() {
        let w = Wiring::gitea();
        let t = "services:\n  web:\n    build: {context: ., args: {A: \"1\"}, secrets: []}\n    extra_hosts: [\"a:b\"]   # hosts\nsecrets: {}\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert_eq!(
            fixed,
            "services:\n  web:\n    build: {context: ., args: {A: \"1\", GITEA_NPM_HOST: \"host.docker.internal\"}, secrets: [gitea_npm_token]}\n    extra_hosts: [\"a:b\", \"host.docker.internal:host-gateway\"]   # hosts\nsecrets: {gitea_npm_token: {environment: GITEA_NPM_TOKEN}}\n"
        );
        // a flow service, string build, multi-line list with a trailing comma
        let t = "services:\n  web: {build: ./web, extra_hosts: [\n    \"a:b\",\n  ]}\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert_eq!(
            fixed,
            "services:\n  web: {build: {context: ./web, args: {GITEA_NPM_HOST: host.docker.internal}, secrets: [gitea_npm_token]}, extra_hosts: [\n    \"a:b\", \"host.docker.internal:host-gateway\",\n  ]}\nsecrets:\n  gitea_npm_token:\n    environment: GITEA_NPM_TOKEN\n"
        );
        // a whole flow file
        let t = "{services: {web: {build: {context: .}}}}\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        // a file with only flow lists gets flow lists
        let t = "services:\n  web:\n    build:\n      context: .\n    ports: [\"80:80\"]\n";
        let fixed = wire(t, "web", &w);
        assert!(
            fixed.contains("      secrets: [gitea_npm_token]\n"),
            "{fixed}"
        );
        assert!(
            fixed.contains("    extra_hosts: [\"host.docker.internal:host-gateway\"]\n"),
            "{fixed}"
        );
    }

    #[test]
    fn crlf_and_indentation_are_the_files() {
        let w = Wiring::gitea();
        let t = "services:\r\n    web:\r\n        build:\r\n            context: .\r\n        ports:\r\n        - 80:80\r\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert_lines_kept(t, &fixed);
        assert_eq!(
            fixed,
            "services:\r\n    web:\r\n        build:\r\n            context: .\r\n            args:\r\n                GITEA_NPM_HOST: host.docker.internal\r\n            secrets:\r\n            - gitea_npm_token\r\n        ports:\r\n        - 80:80\r\n        extra_hosts:\r\n        - \"host.docker.internal:host-gateway\"\r\nsecrets:\r\n    gitea_npm_token:\r\n        environment: GITEA_NPM_TOKEN\r\n"
        );
        assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count());
    }

    #[test]
    fn empty_values_are_filled() {
        let w = Wiring::gitea();
        let t = "services:\n  web:\n    build:\n      context: .\n      args: ~ # none yet\n    extra_hosts:\nsecrets:\n";
        let fixed = wire(t, "web", &w);
        assert_wired(&fixed, "web", &w);
        assert_eq!(
            fixed,
            "services:\n  web:\n    build:\n      context: .\n      args: # none yet\n        GITEA_NPM_HOST: host.docker.internal\n      secrets:\n        - gitea_npm_token\n    extra_hosts:\n      - \"host.docker.internal:host-gateway\"\nsecrets:\n  gitea_npm_token:\n    environment: GITEA_NPM_TOKEN\n"
        );
        // a service with nothing in it gets its host entry
        let fixed = wire("services:\n  db:\n", "db", &w);
        assert!(fixed.starts_with("services:\n  db:\n    extra_hosts:\n      - \"host.docker.internal:host-gateway\"\n"), "{fixed}");
    }

    #[test]
    fn nothing_to_do() {
        let w = Wiring::gitea();
        for t in [
            "",
            "# just a comment\n",
            "version: \"3\"\n",
            "services:\n",
            "services: {}\n",
            "services:\n  other:\n    image: x\n",
        ] {
            assert!(no_edits(t, "web", &w), "{t:?}");
        }
        assert!(no_edits(&wire(PEAKPULSE, "web", &w), "web", &w));
        assert!(no_edits(
            &wire(PEAKPULSE, "web", &w),
            "web",
            &Wiring::default()
        ));
    }

    #[test]
    fn odd_shapes_are_left_alone() {
        let w = Wiring::gitea();
        let only_build = Wiring {
            args: w.args.clone(),
            secrets: w.secrets.clone(),
            ..Wiring::default()
        };
        for t in [
            // an aliased build is shared: not edited through the alias
            "x-b: &b\n  context: .\nservices:\n  web:\n    build: *b\n",
            // a merge key may bring the keys: none are added next to it
            "x-b: &b\n  context: .\nservices:\n  web:\n    build:\n      <<: *b\n",
            // tagged or aliased values
            "x-a: &a {A: 1}\nx-s: &s [x]\nservices:\n  web:\n    build:\n      args: *a\n      secrets: *s\n",
            "services:\n  web:\n    build:\n      args: !reset null\n      secrets: !reset []\n",
            // null build
            "services:\n  web:\n    build:\n",
        ] {
            assert!(no_edits(t, "web", &only_build), "{t}");
        }
        let t = "x-s: &s\n  extra_hosts: [\"a:b\"]\nservices:\n  web:\n    <<: *s\n    image: x\n";
        let hosts_only = Wiring {
            extra_hosts: w.extra_hosts.clone(),
            ..Wiring::default()
        };
        assert!(no_edits(t, "web", &hosts_only));
    }
}
