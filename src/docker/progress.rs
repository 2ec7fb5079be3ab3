//! Parser of BuildKit's plain progress stream (`--progress=plain`):
//! `#N [stage i/n] INSTR`, `#N CACHED`, `#N DONE 1.4s`, `#N ERROR …`, and the
//! steps' log lines, into steps with their times and logs.

use std::collections::BTreeMap;

/// How a step ended.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "state", content = "message")]
pub enum Status {
    Running,
    Done,
    Cached,
    Error(String),
    Canceled,
}

/// One BuildKit vertex.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Step {
    pub id: u32,
    /// The vertex name as BuildKit prints it (`[builder 5/8] RUN pnpm install`).
    pub name: String,
    /// `builder` of `[builder 5/8]`; `None` for the final unnamed stage or internal steps.
    pub stage: Option<String>,
    /// `(5, 8)` of `[builder 5/8]`.
    pub position: Option<(u32, u32)>,
    /// The instruction text after the bracket (`RUN pnpm install`).
    pub instruction: String,
    pub status: Status,
    /// Seconds BuildKit reported at `DONE` or `ERROR`.
    pub seconds: Option<f64>,
    /// Log lines without the `#N` and timestamp prefix.
    pub logs: Vec<String>,
}

impl Step {
    /// True for Dockerfile instructions (`[stage i/n] …`), false for
    /// BuildKit's internal steps (load definition, metadata, context transfer).
    pub fn is_instruction(&self) -> bool {
        self.position.is_some()
    }
    pub fn cached(&self) -> bool {
        self.status == Status::Cached
    }
}

/// What one input line changed.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Started(u32),
    Finished(u32),
    Log(u32),
    Other,
}

/// Accumulates steps from the stream, line by line.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    steps: BTreeMap<u32, Step>,
    order: Vec<u32>,
}

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a whole captured stream.
    pub fn parse(text: &str) -> Self {
        let mut p = Progress::new();
        for line in text.lines() {
            p.feed(line);
        }
        p
    }

    /// Feeds one line of the plain progress output.
    pub(crate) fn feed(&mut self, line: &str) -> Event {
        let line = line.trim_end_matches(['\r', '\n']);
        let Some(rest) = line.strip_prefix('#') else {
            return Event::Other;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Event::Other;
        }
        let Ok(id) = rest[..digits].parse::<u32>() else {
            return Event::Other;
        };
        let body = rest[digits..].strip_prefix(' ').unwrap_or(&rest[digits..]);
        if !self.steps.contains_key(&id) {
            self.order.push(id);
            self.steps.insert(id, new_step(id, body));
            return Event::Started(id);
        }
        let step = self.steps.get_mut(&id).expect("present");
        if body == step.name || body.is_empty() || body.starts_with("sha256:") {
            return Event::Other;
        }
        if body == "CACHED" {
            step.status = Status::Cached;
            return Event::Finished(id);
        }
        if let Some(t) = body.strip_prefix("DONE ") {
            step.status = Status::Done;
            step.seconds = parse_seconds(t);
            return Event::Finished(id);
        }
        if body == "CANCELED" || body.starts_with("CANCELED ") {
            step.status = Status::Canceled;
            step.seconds = body.strip_prefix("CANCELED ").and_then(parse_seconds);
            return Event::Finished(id);
        }
        if let Some(msg) = body.strip_prefix("ERROR") {
            let msg = msg.trim_start_matches(':').trim();
            // `#9 ERROR: process "/bin/sh -c false" did not complete…` or `#9 ERROR 1.2s`
            match parse_seconds(msg) {
                Some(s) if !msg.contains(' ') => {
                    step.seconds = Some(s);
                    if step.status == Status::Running {
                        step.status = Status::Error(String::new());
                    }
                }
                _ => step.status = Status::Error(msg.to_string()),
            }
            return Event::Finished(id);
        }
        step.logs.push(strip_timestamp(body).to_string());
        Event::Log(id)
    }

    /// Steps in the order BuildKit first reported them.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.order.iter().filter_map(|id| self.steps.get(id))
    }

    pub fn step(&self, id: u32) -> Option<&Step> {
        self.steps.get(&id)
    }

    /// The first step that failed.
    pub fn failed(&self) -> Option<&Step> {
        self.steps().find(|s| matches!(s.status, Status::Error(_)))
    }
}

fn new_step(id: u32, name: &str) -> Step {
    let (stage, position, instruction) =
        match name.strip_prefix('[').and_then(|r| r.split_once("] ")) {
            Some((inside, instr)) => {
                let mut parts: Vec<&str> = inside.split_whitespace().collect();
                let pos = parts.last().and_then(|p| {
                    let (a, b) = p.split_once('/')?;
                    Some((a.parse().ok()?, b.parse().ok()?))
                });
                if pos.is_some() {
                    parts.pop();
                }
                let stage = (!parts.is_empty()).then(|| parts.join(" "));
                (stage, pos, instr.to_string())
            }
            None => (None, None, name.to_string()),
        };
    Step {
        id,
        name: name.to_string(),
        stage,
        position,
        instruction,
        status: Status::Running,
        seconds: None,
        logs: Vec::new(),
    }
}

/// `1.4s` → 1.4; `1m2.5s` → 62.5.
fn parse_seconds(t: &str) -> Option<f64> {
    let t = t.trim();
    let t = t.strip_suffix('s')?;
    match t.split_once('m') {
        Some((m, s)) => Some(m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?),
        None => t.parse().ok(),
    }
}

/// Drops the `12.34 ` timestamp BuildKit puts before a log line.
fn strip_timestamp(body: &str) -> &str {
    match body.split_once(' ') {
        Some((ts, rest))
            if !ts.is_empty()
                && ts.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && ts.contains('.') =>
        {
            rest
        }
        _ => body,
    }
}

/// pnpm's own account of an install: `Progress: resolved N, reused R, downloaded D, added A`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PnpmStats {
    pub resolved: u64,
    pub reused: u64,
    pub downloaded: u64,
    pub added: u64,
}

impl PnpmStats {
    /// The last `Progress:` line of a step's logs.
    pub(crate) fn from_logs<'a>(logs: impl IntoIterator<Item = &'a String>) -> Option<PnpmStats> {
        let mut last = None;
        for l in logs {
            let Some(i) = l.find("Progress: resolved ") else {
                continue;
            };
            let mut s = PnpmStats::default();
            for part in l[i + "Progress: ".len()..].split(',') {
                let mut it = part.split_whitespace();
                let (Some(k), Some(v)) = (it.next(), it.next()) else {
                    continue;
                };
                let Ok(v) = v.parse::<u64>() else { continue };
                match k {
                    "resolved" => s.resolved = v,
                    "reused" => s.reused = v,
                    "downloaded" => s.downloaded = v,
                    "added" => s.added = v,
                    _ => {}
                }
            }
            last = Some(s);
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = "\
#1 [internal] load build definition from Dockerfile
#1 sha256:0123
#1 transferring dockerfile: 37B done
#1 DONE 0.0s

#5 [builder 1/8] FROM docker.io/library/node:22-alpine
#5 DONE 0.1s

#6 [builder 2/8] WORKDIR /app/backend
#6 CACHED

#9 [builder 5/8] RUN pnpm install --lockfile=false
#9 0.512 Progress: resolved 1, reused 0, downloaded 0, added 0
#9 [builder 5/8] RUN pnpm install --lockfile=false
#9 12.30 Progress: resolved 101, reused 0, downloaded 101, added 101, done
#9 DONE 1m2.5s

#10 [3/3] RUN false
#10 ERROR: process \"/bin/sh -c false\" did not complete successfully: exit code: 1
------
 > [3/3] RUN false:
------
";

    #[test]
    fn parses_steps() {
        let p = Progress::parse(STREAM);
        let steps: Vec<_> = p.steps().collect();
        assert_eq!(steps.len(), 5);
        assert!(!steps[0].is_instruction());
        assert_eq!(steps[2].status, Status::Cached);
        assert_eq!(steps[3].stage.as_deref(), Some("builder"));
        assert_eq!(steps[3].position, Some((5, 8)));
        assert_eq!(steps[3].instruction, "RUN pnpm install --lockfile=false");
        assert_eq!(steps[3].seconds, Some(62.5));
        assert_eq!(steps[3].logs.len(), 2);
        let stats = PnpmStats::from_logs(&steps[3].logs).unwrap();
        assert_eq!(
            (stats.resolved, stats.reused, stats.downloaded),
            (101, 0, 101)
        );
        assert_eq!(steps[4].stage, None);
        assert_eq!(steps[4].position, Some((3, 3)));
        assert!(
            matches!(&p.failed().unwrap().status, Status::Error(m) if m.contains("exit code: 1"))
        );
    }

    #[test]
    fn odd_lines_do_not_panic() {
        let p =
            Progress::parse("#\n#x\n#99999999999999999999 a\n#1\n#1 DONE\n#1 ERROR 0.3s\nplain\n");
        assert_eq!(p.steps().count(), 1);
    }
}
