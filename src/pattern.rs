//! Repo-relative path patterns (`key_files`, config globs), compiled with
//! globset so `*` stays inside one segment and `**` crosses segments.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Normalize and validate one repo-relative pattern. Returns the glob text to
/// compile (a folder `dir/` becomes `dir/**`) or why it is invalid.
pub fn normalize(raw: &str) -> Result<String, String> {
    let mut s = raw.trim();
    if s.is_empty() {
        return Err("empty path".into());
    }
    // git cannot store a path with a NUL in it, and the OS cannot open one
    // (`cannot read t` at run time instead of the config line).
    if s.contains('\0') {
        return Err(format!(
            "`{}` contains a NUL byte, which no file name can",
            raw.escape_debug()
        ));
    }
    if s.contains('\\') {
        return Err(format!(
            "`{raw}` contains a backslash; use `/` between folders"
        ));
    }
    if s.starts_with('/') || (s.len() > 1 && s.as_bytes()[1] == b':') {
        return Err(format!(
            "`{raw}` is absolute; paths are relative to the repository root"
        ));
    }
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if s.split('/').any(|seg| seg == "..") {
        return Err(format!(
            "`{raw}` has a `..` segment; paths stay inside the repository"
        ));
    }
    if s.is_empty() || s == "." {
        return Err(format!("`{raw}` names the whole repository"));
    }
    let s = s.replace("//", "/");
    if let Some(dir) = s.strip_suffix('/') {
        Ok(format!("{dir}/**"))
    } else {
        Ok(s)
    }
}

/// A `key_files` / `reference_files` entry as written: its normalized
/// glob, or why it is invalid. A plain path needs no glob compilation to be
/// valid (most entries).
pub fn entry(raw: &str) -> Result<String, String> {
    let g = normalize(raw)?;
    if is_literal(&g) {
        Ok(g)
    } else {
        compile(&g).map(|_| g)
    }
}

pub fn compile(glob: &str) -> Result<Glob, String> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// Is this normalized pattern a plain path (no glob metacharacters)?
pub fn is_literal(glob: &str) -> bool {
    !glob.contains(['*', '?', '[', ']', '{', '}'])
}

/// The folder part of a glob before its first metacharacter
/// (`a/b/**/*.py` → `a/b`, `*.py` → ``): every path the glob can match lies
/// under it.
pub fn literal_prefix(glob: &str) -> &str {
    let mut end = 0;
    let mut pos = 0;
    for seg in glob.split('/') {
        if !is_literal(seg) {
            return &glob[..end];
        }
        // The last segment is a file name, not a folder.
        if pos + seg.len() >= glob.len() {
            break;
        }
        pos += seg.len() + 1;
        end = pos - 1;
    }
    &glob[..end]
}

/// Build a set from already-validated globs. It can still fail (a set too
/// large for the regex engine), and then says so.
pub fn build_set(globs: impl IntoIterator<Item = Glob>) -> anyhow::Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(g);
    }
    b.build()
        .map_err(|e| anyhow::anyhow!("cannot build the set of path patterns: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_refuses() {
        assert_eq!(normalize("./src/a.rs").unwrap(), "src/a.rs");
        assert_eq!(normalize("src/").unwrap(), "src/**");
        assert!(normalize("/etc/passwd").is_err());
        assert!(normalize("a/../b").is_err());
        assert!(normalize("a\\b").is_err());
        assert!(normalize("").is_err());
        assert!(normalize("C:/x").is_err());
        assert!(normalize("a\0b").unwrap_err().contains("NUL"));
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix("a/b/**/*.py"), "a/b");
        assert_eq!(literal_prefix("*.py"), "");
        assert_eq!(literal_prefix("a/*/c"), "a");
        assert_eq!(literal_prefix("a/b/c*.py"), "a/b");
        assert_eq!(literal_prefix("a/b"), "a");
    }

    #[test]
    fn star_stays_in_segment() {
        let g = compile("src/*.py").unwrap().compile_matcher();
        assert!(g.is_match("src/a.py"));
        assert!(!g.is_match("src/x/a.py"));
        let g = compile("src/**/risk_*.py").unwrap().compile_matcher();
        assert!(g.is_match("src/risk_a.py"));
        assert!(g.is_match("src/x/y/risk_a.py"));
    }
}

/// A glob matcher that does not need a regex for the usual `key_files`
/// shapes (`*`, `?`, `**` as whole segments); anything else (`[...]`,
/// `{a,b}`, escapes, `**` inside a segment) goes to globset. Same semantics
/// as globset with `literal_separator`: `*` and `?` stay in one segment, a
/// `**` segment spans zero or more segments, and a trailing `/**` at least one.
pub enum Matcher {
    Fast(Vec<Segment>),
    Globset(globset::GlobMatcher),
}

pub enum Segment {
    /// `**`: any number of whole segments.
    Deep,
    /// One segment with `*` and `?` wildcards.
    Part(Vec<u8>),
}

impl Matcher {
    pub fn new(glob: &str) -> Result<Matcher, String> {
        let simple = !glob.contains(['[', ']', '{', '}', '\\'])
            && glob
                .split('/')
                .all(|seg| seg == "**" || !seg.contains("**"));
        if !simple {
            return compile(glob).map(|g| Matcher::Globset(g.compile_matcher()));
        }
        Ok(Matcher::Fast(
            glob.split('/')
                .map(|seg| {
                    if seg == "**" {
                        Segment::Deep
                    } else {
                        Segment::Part(seg.as_bytes().to_vec())
                    }
                })
                .collect(),
        ))
    }

    pub fn is_match(&self, path: &str) -> bool {
        match self {
            Matcher::Globset(m) => m.is_match(path),
            Matcher::Fast(segs) => {
                let parts: Vec<&[u8]> = path.as_bytes().split(|&b| b == b'/').collect();
                match_segments(segs, &parts)
            }
        }
    }
}

/// Can `segs` match `parts`, whole? One pass per segment over the path's
/// segments (`ends[j]`: `segs[..i]` matches `parts[..j]`), so a pattern of
/// many `**` costs O(segments x path depth) and no recursion: backtracking
/// over `**/**/…` was exponential in the path's depth, and one frame a
/// segment could overflow the stack on a long pattern.
fn match_segments(segs: &[Segment], parts: &[&[u8]]) -> bool {
    let mut ends = vec![false; parts.len() + 1];
    ends[0] = true;
    for (i, seg) in segs.iter().enumerate() {
        let mut next = vec![false; parts.len() + 1];
        match seg {
            Segment::Deep => {
                // A trailing `**` needs at least one segment (`a/**` is not `a`).
                let min = usize::from(i + 1 == segs.len());
                let mut reached = false;
                for j in min..=parts.len() {
                    reached |= ends[j - min];
                    next[j] = reached;
                }
            }
            Segment::Part(p) => {
                for j in 1..=parts.len() {
                    next[j] = ends[j - 1] && match_part(p, parts[j - 1]);
                }
            }
        }
        if !next.contains(&true) {
            return false;
        }
        ends = next;
    }
    ends[parts.len()]
}

/// `*` and `?` within one segment (the classic two-pointer wildcard match),
/// byte by byte like globset, whose `?` is one byte (`(?-u)[^/]`), not one
/// character.
fn match_part(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        // `*` first: a `*` in the path (a legal file name) is no literal match
        // for the pattern's wildcard.
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            si += 1;
            pi += 1;
        } else if let Some((sp, ss)) = star {
            star = Some((sp, ss + 1));
            pi = sp + 1;
            si = ss + 1;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod matcher_tests {
    use super::*;

    /// The fast matcher agrees with globset on every pattern × path pair.
    #[test]
    fn fast_matcher_agrees_with_globset() {
        let patterns = [
            "src/*.py",
            "src/**/*.py",
            "**/*.py",
            "src/**",
            "src/**/risk_*.py",
            "a/*/c",
            "a/**/b/**/c",
            "*",
            "**",
            "a/b",
            "a/?.py",
            "a/*x*y*.py",
            "a/**/b",
            "**/b",
            "x/é?.md",
            "a*",
            "*a",
            "a/**/**/b",
        ];
        let paths = [
            "src/a.py",
            "src/x/a.py",
            "src/x/y/a.py",
            "src",
            "a.py",
            "src/risk_a.py",
            "src/x/risk_b.py",
            "a/b/c",
            "a/x/c",
            "a/b/x/c",
            "a/b",
            "a/b/c/b/c",
            "a/1.py",
            "a/12.py",
            "a/xAyB.py",
            "a/yx.py",
            "b",
            "a/x/y/b",
            "x/éa.md",
            "x/é.md",
            "abc",
            "cba",
            "a/c",
            "a/x/b/y/c",
            "src/",
            "a//b",
        ];
        for p in patterns {
            let fast = Matcher::new(p).unwrap();
            assert!(
                matches!(fast, Matcher::Fast(_)),
                "{p} should take the fast path"
            );
            let reference = compile(p).unwrap().compile_matcher();
            for path in paths {
                assert_eq!(
                    fast.is_match(path),
                    reference.is_match(path),
                    "pattern {p:?} path {path:?}"
                );
            }
        }
        assert!(matches!(
            Matcher::new("a/[bc].py").unwrap(),
            Matcher::Globset(_)
        ));
        assert!(matches!(
            Matcher::new("a/{b,c}.py").unwrap(),
            Matcher::Globset(_)
        ));
    }
}
