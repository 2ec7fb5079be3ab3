//! TEMPORARY stub, replaced by the real matcher.
pub struct Pattern {
    pub raw: String,
    pub cleaned: String,
    pub exception: bool,
    pub line: usize,
    pub span: std::ops::Range<usize>,
    pub error: Option<String>,
}
pub struct DockerIgnore {
    pub patterns: Vec<Pattern>,
}
impl DockerIgnore {
    pub fn parse(text: &str) -> DockerIgnore {
        let mut patterns = Vec::new();
        let mut off = 0;
        for (n, l) in text.split_inclusive('\n').enumerate() {
            let t = l.trim();
            if !t.is_empty() && !l.starts_with('#') {
                let s = off + l.find(t).unwrap_or(0);
                let exception = t.starts_with('!');
                let cleaned = t
                    .trim_start_matches('!')
                    .trim()
                    .trim_start_matches('/')
                    .trim_end_matches('/')
                    .to_string();
                patterns.push(Pattern {
                    raw: t.to_string(),
                    cleaned,
                    exception,
                    line: n + 1,
                    span: s..s + t.len(),
                    error: None,
                });
            }
            off += l.len();
        }
        DockerIgnore { patterns }
    }
    pub fn is_excluded(&self, path: &str) -> bool {
        self.excluded_by(path).is_some()
    }
    pub fn excluded_by(&self, path: &str) -> Option<&Pattern> {
        let mut by = None;
        for p in &self.patterns {
            if p.matches(path) {
                by = if p.exception { None } else { Some(p) };
            }
        }
        by
    }
}
impl Pattern {
    pub fn matches(&self, path: &str) -> bool {
        let c = &self.cleaned;
        if let Some(suffix) = c.strip_prefix("**/") {
            return path == suffix || path.ends_with(&format!("/{suffix}"));
        }
        if let Some(ext) = c.strip_prefix("*.") {
            return !path.contains('/') && path.ends_with(&format!(".{ext}"));
        }
        path == c || path.starts_with(&format!("{c}/"))
    }
}
