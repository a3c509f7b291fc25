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
