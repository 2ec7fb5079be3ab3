//! Package-manager commands in `RUN` steps: which ones install packages, and
//! where each package manager keeps its store or cache in a given stage.

use crate::syntax::dockerfile::Environment;
use crate::syntax::npmrc::Npmrc;
use crate::syntax::shell::{SimpleCommand, Word};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Manager {
    Pnpm,
    Npm,
    Yarn,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::Pnpm => "pnpm",
            Manager::Npm => "npm",
            Manager::Yarn => "yarn",
        }
    }
}

/// A package-manager invocation: the manager, its subcommand and the rest.
#[derive(Clone, Debug)]
pub(crate) struct Invocation<'c> {
    pub manager: Manager,
    /// The program word (`pnpm`, `npm`, `yarn`).
    pub program: &'c Word,
    pub subcommand: Option<&'c Word>,
    /// Every word after the program.
    pub args: &'c [Word],
}

impl Invocation<'_> {
    pub(crate) fn has_flag(&self, names: &[&str]) -> bool {
        self.args.iter().any(|w| {
            names.iter().any(|n| {
                w.text == *n
                    || (n.starts_with("--")
                        && w.text.strip_prefix(n).is_some_and(|r| r.starts_with('=')))
            })
        })
    }
    /// Value of `--flag value` or `--flag=value`.
    pub(crate) fn flag_value(&self, name: &str) -> Option<&str> {
        for (i, w) in self.args.iter().enumerate() {
            if w.text == name {
                return self.args.get(i + 1).map(|w| w.text.as_str());
            }
            if let Some(v) = w.text.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                return Some(v);
            }
        }
        None
    }
    pub(crate) fn is_global(&self) -> bool {
        self.has_flag(&["-g", "--global"]) || self.flag_value("--location") == Some("global")
    }
}

/// Flags of the package managers that take a separate value.
const VALUE_FLAGS: &[&str] = &[
    "--filter",
    "-F",
    "--dir",
    "-C",
    "--prefix",
    "--workspace-dir",
    "--store-dir",
    "--reporter",
    "--cache",
    "--cache-folder",
    "--registry",
    "--loglevel",
    "-w",
    "--workspace",
    "--modules-folder",
];

/// Recognises `pnpm …`, `npm …`, `yarn …` (also through `corepack` or `npx`).
pub(crate) fn invocation(cmd: &SimpleCommand) -> Option<Invocation<'_>> {
    let argv = cmd.argv();
    let mut i = 0;
    while i < argv.len() && matches!(basename(&argv[i].text), "corepack" | "npx" | "pnpx") {
        i += 1;
        while i < argv.len() && argv[i].text.starts_with('-') {
            i += 1;
        }
    }
    let program = argv.get(i)?;
    let manager = match basename(&program.text).split('@').next().unwrap_or("") {
        "pnpm" => Manager::Pnpm,
        "npm" => Manager::Npm,
        "yarn" | "yarnpkg" => Manager::Yarn,
        _ => return None,
    };
    let args = &argv[i + 1..];
    let mut j = 0;
    let mut subcommand = None;
    while j < args.len() {
        let t = &args[j].text;
        if t.starts_with('-') {
            if VALUE_FLAGS.contains(&t.as_str()) {
                j += 1;
            }
            j += 1;
            continue;
        }
        subcommand = Some(&args[j]);
        break;
    }
    Some(Invocation {
        manager,
        program,
        subcommand,
        args,
    })
}

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// True when the invocation installs a project's dependencies (not a global tool).
pub(crate) fn is_project_install(inv: &Invocation<'_>) -> bool {
    if inv.is_global() {
        return false;
    }
    let sub = inv.subcommand.map(|w| w.text.as_str());
    match inv.manager {
        Manager::Pnpm => matches!(
            sub,
            Some("install" | "i" | "add" | "fetch" | "install-test" | "it" | "ci")
        ),
        Manager::Npm => matches!(
            sub,
            Some(
                "ci" | "clean-install"
                    | "ic"
                    | "install-clean"
                    | "isntall-clean"
                    | "install"
                    | "i"
                    | "in"
                    | "ins"
                    | "inst"
                    | "insta"
                    | "instal"
                    | "isnt"
                    | "isnta"
                    | "isntal"
                    | "isntall"
                    | "add"
                    | "install-test"
                    | "it"
            )
        ),
        Manager::Yarn => matches!(sub, None | Some("install" | "add")),
    }
}

/// For `npm install -g pnpm@X` (any flag order, `i`/`add` too) or
/// `yarn global add pnpm`: the `pnpm[@X]` word.
pub(crate) fn global_pnpm_install<'c>(inv: &Invocation<'c>) -> Option<&'c Word> {
    let is_pnpm = |w: &&Word| w.text == "pnpm" || w.text.starts_with("pnpm@");
    match inv.manager {
        Manager::Npm if inv.is_global() && is_project_install_sub(inv) => {
            inv.args.iter().find(is_pnpm)
        }
        Manager::Yarn if inv.subcommand.is_some_and(|s| s.text == "global") => {
            inv.args.iter().find(is_pnpm)
        }
        _ => None,
    }
}

fn is_project_install_sub(inv: &Invocation<'_>) -> bool {
    let sub = inv.subcommand.map(|w| w.text.as_str());
    matches!(
        sub,
        Some("install" | "i" | "add" | "in" | "ins" | "inst" | "insta" | "instal" | "isntall")
    )
}

/// `corepack prepare pnpm@X` / `corepack install -g pnpm@X` / `corepack use pnpm@X`: the `pnpm@X` word.
pub(crate) fn corepack_pnpm(cmd: &SimpleCommand) -> Option<&Word> {
    let argv = cmd.argv();
    if argv.first().map(|w| basename(&w.text)) != Some("corepack") {
        return None;
    }
    let sub = argv.iter().skip(1).find(|w| !w.text.starts_with('-'))?;
    if !matches!(sub.text.as_str(), "prepare" | "install" | "use") {
        return None;
    }
    argv.iter().find(|w| w.text.starts_with("pnpm@"))
}

/// The directories where `manager` keeps downloaded packages for this
/// invocation in this stage. A cache mount must cover one of them.
pub(crate) fn store_dirs(
    inv: &Invocation<'_>,
    env: &Environment,
    npmrc: Option<&Npmrc>,
) -> Vec<String> {
    let home = env.home();
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| env.vars.get(*n).filter(|v| !v.is_empty()).cloned())
    };
    let rc = |key: &str| {
        npmrc
            .and_then(|r| r.get(key))
            .map(|e| env.expand(&e.value.value))
    };
    let expand_home = |p: String| match p.strip_prefix("~/") {
        Some(rest) => format!("{home}/{rest}"),
        None => p,
    };
    let dirs = match inv.manager {
        Manager::Pnpm => {
            if let Some(d) = inv.flag_value("--store-dir").map(|v| env.expand(v)) {
                vec![d]
            } else if let Some(d) = var(&[
                "npm_config_store_dir",
                "NPM_CONFIG_STORE_DIR",
                "PNPM_STORE_DIR",
                "pnpm_config_store_dir",
            ])
            .or_else(|| rc("store-dir"))
            {
                vec![d]
            } else if let Some(h) = var(&["PNPM_HOME"]) {
                vec![format!("{}/store", h.trim_end_matches('/'))]
            } else if let Some(x) = var(&["XDG_DATA_HOME"]) {
                vec![format!("{}/pnpm/store", x.trim_end_matches('/'))]
            } else {
                vec![format!("{home}/.local/share/pnpm/store")]
            }
        }
        Manager::Npm => {
            if let Some(d) = inv.flag_value("--cache").map(|v| env.expand(v)) {
                vec![d]
            } else if let Some(d) =
                var(&["npm_config_cache", "NPM_CONFIG_CACHE"]).or_else(|| rc("cache"))
            {
                vec![d]
            } else {
                vec![format!("{home}/.npm")]
            }
        }
        Manager::Yarn => {
            if let Some(d) = inv.flag_value("--cache-folder").map(|v| env.expand(v)) {
                vec![d]
            } else if let Some(d) =
                var(&["YARN_CACHE_FOLDER", "yarn_cache_folder"]).map(|v| env.expand(&v))
            {
                vec![d]
            } else {
                let x = var(&["XDG_CACHE_HOME"]).unwrap_or_else(|| format!("{home}/.cache"));
                vec![
                    format!("{x}/yarn"),
                    "/usr/local/share/.cache/yarn".to_string(),
                    format!("{home}/.yarn/berry/cache"),
                    format!("{}/.yarn/cache", env.workdir.as_deref().unwrap_or("")),
                ]
            }
        }
    };
    dirs.into_iter()
        .map(expand_home)
        .map(|d| normalize_abs(&d, env.workdir.as_deref()))
        .collect()
}

/// Normalises a container path: resolves it against `workdir` when relative,
/// removes `.`/`..` and trailing slashes.
pub(crate) fn normalize_abs(path: &str, workdir: Option<&str>) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", workdir.unwrap_or("/"), path)
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in full.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// True when a mount at `target` contains `dir` (same directory or an ancestor).
pub fn covers(target: &str, dir: &str) -> bool {
    target == dir || target == "/" || dir.strip_prefix(target).is_some_and(|r| r.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::split_commands;

    fn inv_of(s: &str) -> (SimpleCommand, Environment) {
        (split_commands(s, '\\').remove(0), Environment::default())
    }

    #[test]
    fn recognises_installs() {
        for (s, yes) in [
            ("pnpm install --ignore-scripts", true),
            ("pnpm --filter web install", true),
            ("npm ci", true),
            ("yarn", true),
            ("npm install -g pnpm@10.6.5", false),
            ("pnpm run build", false),
            ("corepack pnpm i", true),
        ] {
            let (c, _) = inv_of(s);
            assert_eq!(
                invocation(&c).is_some_and(|i| is_project_install(&i)),
                yes,
                "{s}"
            );
        }
    }

    #[test]
    fn finds_global_pnpm() {
        for (s, yes) in [
            ("npm install -g pnpm@10.6.5", true),
            ("npm -g i pnpm", true),
            ("npm i --global pnpm@9", true),
            ("npm install pnpm", false),
            ("npm install -g typescript", false),
        ] {
            let (c, _) = inv_of(s);
            assert_eq!(
                invocation(&c)
                    .and_then(|i| global_pnpm_install(&i).cloned())
                    .is_some(),
                yes,
                "{s}"
            );
        }
    }

    #[test]
    fn store_paths() {
        let (c, mut env) = inv_of("pnpm install");
        let inv = invocation(&c).unwrap();
        assert_eq!(
            store_dirs(&inv, &env, None),
            vec!["/root/.local/share/pnpm/store"]
        );
        env.vars.insert("PNPM_HOME".into(), "/pnpm".into());
        assert_eq!(store_dirs(&inv, &env, None), vec!["/pnpm/store"]);
        assert!(covers("/pnpm", "/pnpm/store"));
        assert!(!covers("/pnp", "/pnpm/store"));
    }
}
