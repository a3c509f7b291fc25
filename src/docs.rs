//! The docs layer: loading every doc under the roots ([`DocSet`]), and the
//! [`CoverageIndex`] that answers "which docs cover this path" (exact paths
//! in a hash map, folder entries by ancestor, globs bucketed by their literal
//! prefix with one matcher each).
//! Reading one doc's frontmatter is `frontmatter`; the `docs:` config
//! section is `cfg`.

pub mod cfg;
mod frontmatter;

use frontmatter::{Frontmatter, split_frontmatter};
pub use frontmatter::{KNOWN_KEYS, parse_doc};

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use anyhow::Result;

use crate::config::Config;
use crate::diagnostic::{self as rules, Diagnostic};
use crate::pattern;
use crate::snapshot::{Read, Snapshot};

#[derive(Debug, Clone)]
pub struct KeyFile {
    /// As written in the frontmatter.
    pub raw: String,
    /// Normalized glob (`dir/` became `dir/**`).
    pub glob: String,
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone)]
pub struct Dependency {
    pub id: String,
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone)]
pub struct Doc {
    pub path: String,
    pub id: Option<String>,
    pub id_line: usize,
    pub title: Option<String>,
    /// One of `docs.perspectives` (`None` when missing or unknown).
    pub perspective: Option<String>,
    pub tags: Vec<String>,
    pub depends_on: Vec<Dependency>,
    pub key_files: Vec<KeyFile>,
    pub last_updated: Option<String>,
    pub last_updated_line: usize,
    /// The frontmatter was read and its `key_files` understood, so what the
    /// doc covers is known.
    pub coverage_known: bool,
    /// Hash of the body (after the frontmatter) with all whitespace removed.
    pub body_fingerprint: u64,
    /// Hash of the whole file.
    pub raw_fingerprint: u64,
    /// Problems found while parsing (frontmatter-invalid, unknown-frontmatter-key).
    pub problems: Vec<Diagnostic>,
    /// The file's text up to the end of the frontmatter, for snippets.
    pub head_text: String,
}

impl Doc {
    /// The identity used to compare a doc across base and head: its id, or its
    /// path when it has none.
    pub fn key(&self) -> std::borrow::Cow<'_, str> {
        match &self.id {
            Some(id) => std::borrow::Cow::Borrowed(id),
            None => std::borrow::Cow::Owned(format!("path:{}", self.path)),
        }
    }

    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("{id} ({})", self.path),
            None => self.path.clone(),
        }
    }
}

fn hash_of(data: impl Hash) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

/// Is `path` a doc file by the config (under a root, `.md`, not excluded)?
pub fn is_doc_path(path: &str, config: &Config) -> bool {
    path.ends_with(".md") && under_roots(path, config)
}

/// Under a doc root and not excluded.
fn under_roots(path: &str, config: &Config) -> bool {
    config.docs.roots.iter().any(|r| {
        path.strip_prefix(r.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    }) && !config.docs.exclude.is_match(path)
}

/// Markdown under other names: files docgate does not read as docs, but which
/// a writer may have meant as one (Cursor's `.mdc`, MDX, `.markdown`).
const OTHER_MARKDOWN: &[&str] = &[
    ".mdc",
    ".markdown",
    ".mdx",
    ".mdown",
    ".mkd",
    ".mkdn",
    ".mdwn",
];

/// All docs of one snapshot.
pub struct DocSet {
    pub docs: Vec<Doc>,
    /// Files under the doc roots that were read (with or without frontmatter).
    pub files_read: usize,
    /// Files under the roots with frontmatter that are not read as docs (a
    /// `.mdc` runbook): one `frontmatter-invalid` finding each, never skipped
    /// without a word (SPEC §1.1).
    pub skipped: Vec<Diagnostic>,
}

impl DocSet {
    /// The skipped files as one line each, for "nothing to check".
    pub fn skipped_summary(&self) -> Vec<String> {
        self.skipped
            .iter()
            .map(|d| d.path.clone().unwrap_or_default())
            .collect()
    }
}

/// A file under the roots that is not a doc by its name but has frontmatter
/// (or cannot be looked at: too large, an LFS pointer).
fn skipped_doc(path: &str, read: &Read) -> Option<Diagnostic> {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    let why = match read {
        Read::Bytes(bytes) if matches!(split_frontmatter(bytes), Frontmatter::None) => return None,
        Read::Bytes(_) => "has YAML frontmatter".to_string(),
        Read::TooLarge(n) => format!(
            "is {n} bytes, over docgate's limit of {} bytes, so whether it is a runbook is unknown",
            crate::snapshot::MAX_FILE_BYTES
        ),
        Read::LfsPointer(p) => p.describe(path),
        Read::Missing | Read::Symlink(_) => return None,
    };
    let mut d = Diagnostic::new(
        rules::FRONTMATTER_INVALID,
        format!(
            "{path} {why}, but docgate reads only `*.md` files under docs.roots as docs, so this \
             `.{ext}` file covers nothing: rename it to `.md`, or add it to `docs.exclude` if it \
             is not a runbook"
        ),
    )
    .at(path);
    d.line = Some(1);
    d.column = Some(1);
    Some(d)
}

/// A doc path under the roots that is a symbolic link: docgate follows no
/// link, so the link is not a doc. When its target is a file of the same
/// snapshot with frontmatter (a runbook kept elsewhere and linked in), that
/// runbook's coverage would silently not count: say so. A target outside the
/// repository is never read.
fn linked_doc(snapshot: &Snapshot<'_>, path: &str, target: &[u8]) -> Result<Option<Diagnostic>> {
    let target = String::from_utf8_lossy(target);
    if target.starts_with('/') {
        return Ok(None);
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Ok(None); // out of the repository
                }
            }
            s => parts.push(s),
        }
    }
    let resolved = parts.join("/");
    let Read::Bytes(bytes) = snapshot.read(&resolved)? else {
        return Ok(None);
    };
    if matches!(split_frontmatter(&bytes), Frontmatter::None) {
        return Ok(None);
    }
    let mut d = Diagnostic::new(
        rules::FRONTMATTER_INVALID,
        format!(
            "{path} is a symbolic link to {resolved}, which has YAML frontmatter; docgate follows \
             no links, so this runbook covers nothing here: move it under docs.roots (or add its \
             folder to docs.roots) instead of linking it"
        ),
    )
    .at(path);
    d.line = Some(1);
    d.column = Some(1);
    Ok(Some(d))
}

impl DocSet {
    pub fn load(snapshot: &Snapshot<'_>, config: &Config) -> Result<DocSet> {
        // Reading goes through libgit2 on this thread; parsing (the larger
        // share) is spread over the cores.
        let mut read = Vec::new();
        let mut files_read = 0;
        let mut seen = HashSet::new();
        let mut skipped = Vec::new();
        for root in &config.docs.roots {
            for entry in snapshot.entries_under(root)? {
                let path = String::from_utf8_lossy(&entry.raw).into_owned();
                if !is_doc_path(&path, config) {
                    let lower = path.to_ascii_lowercase();
                    // `.MD` too: only lower-case `.md` is a doc.
                    if (lower.ends_with(".md") || OTHER_MARKDOWN.iter().any(|e| lower.ends_with(e)))
                        && under_roots(&path, config)
                        && seen.insert(entry.raw.clone())
                        && let Some(d) = skipped_doc(&path, &snapshot.read_entry(&entry)?)
                    {
                        skipped.push(d);
                    }
                    continue;
                }
                if !seen.insert(entry.raw.clone()) {
                    continue;
                }
                files_read += 1;
                let content = snapshot.read_entry(&entry)?;
                if let Read::Symlink(target) = &content {
                    if let Some(d) = linked_doc(snapshot, &path, target)? {
                        skipped.push(d);
                    }
                    continue;
                }
                read.push((path, content));
            }
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunk = read.len().div_ceil(threads).max(64);
        let mut docs: Vec<Doc> = std::thread::scope(|scope| {
            let workers: Vec<_> = read
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .filter_map(|(path, bytes)| parse_doc(path, bytes, config))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("a doc parser panicked"))
                .collect()
        });
        docs.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(DocSet {
            docs,
            files_read,
            skipped,
        })
    }

    pub fn by_id(&self) -> HashMap<&str, Vec<usize>> {
        let mut map: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, d) in self.docs.iter().enumerate() {
            if let Some(id) = &d.id {
                map.entry(id.as_str()).or_default().push(i);
            }
        }
        map
    }
}

/// Every `key_files` entry of a list of docs, indexed so that looking up a
/// path costs O(its depth), not O(entries): exact paths in a hash map, folder
/// entries by each ancestor folder of the path, and real globs bucketed by
/// their literal folder prefix, so a path only tries the globs that live
/// under its own folders (SPEC §10: no doc × file loops).
/// The owners of path patterns an index can hold: docs (`key_files`) and
/// knowledge-base entries (`reference_files`), one matching semantics.
pub trait KeyFiles {
    fn key_files(&self) -> &[KeyFile];
}

impl KeyFiles for Doc {
    fn key_files(&self) -> &[KeyFile] {
        &self.key_files
    }
}

pub struct CoverageIndex<'d, O = Doc> {
    owners: Vec<(&'d O, &'d KeyFile)>,
    exact: HashMap<&'d str, Vec<usize>>,
    folders: HashMap<&'d str, Vec<usize>>,
    globs: HashMap<&'d str, Vec<(pattern::Matcher, usize)>>,
}

impl<'d, O: KeyFiles> CoverageIndex<'d, O> {
    pub fn build(docs: impl IntoIterator<Item = &'d O>) -> Result<CoverageIndex<'d, O>> {
        let mut owners = Vec::new();
        let mut exact: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut folders: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut buckets: HashMap<&str, Vec<usize>> = HashMap::new();
        for doc in docs {
            for kf in doc.key_files() {
                let i = owners.len();
                owners.push((doc, kf));
                let g = kf.glob.as_str();
                if pattern::is_literal(g) {
                    exact.entry(g).or_default().push(i);
                } else if let Some(dir) = g.strip_suffix("/**").filter(|d| pattern::is_literal(d)) {
                    folders.entry(dir).or_default().push(i);
                } else {
                    buckets
                        .entry(pattern::literal_prefix(g))
                        .or_default()
                        .push(i);
                }
            }
        }
        // Buckets are small (the globs under one folder): a matcher each,
        // mostly regex-free (`pattern::Matcher`), is cheaper to build, run and
        // drop than a GlobSet per bucket.
        let mut globs = HashMap::with_capacity(buckets.len());
        for (prefix, members) in buckets {
            let compiled = members
                .iter()
                .map(|&i| {
                    let kf = owners[i].1;
                    // Entries were compiled once while parsing; this cannot fail.
                    pattern::Matcher::new(&kf.glob)
                        .map(|m| (m, i))
                        .map_err(|e| anyhow::anyhow!("{}: {e}", kf.raw))
                })
                .collect::<Result<Vec<_>>>()?;
            globs.insert(prefix, compiled);
        }
        Ok(CoverageIndex {
            owners,
            exact,
            folders,
            globs,
        })
    }

    /// The docs (and the entry that matched) covering `path`, in the order
    /// the docs were given.
    pub fn covering(&self, path: &str) -> Vec<(&'d O, &'d KeyFile)> {
        let mut hits: Vec<usize> = Vec::new();
        if let Some(v) = self.exact.get(path) {
            hits.extend(v);
        }
        let try_globs = |dir: &str, hits: &mut Vec<usize>| {
            if let Some(matchers) = self.globs.get(dir) {
                hits.extend(
                    matchers
                        .iter()
                        .filter(|(m, _)| m.is_match(path))
                        .map(|(_, i)| *i),
                );
            }
        };
        try_globs("", &mut hits);
        // The path itself as a folder: a submodule (gitlink) at `vendor/lib`
        // is what `vendor/lib/` covers.
        if let Some(v) = self.folders.get(path) {
            hits.extend(v);
        }
        for (pos, _) in path.match_indices('/') {
            let dir = &path[..pos];
            if let Some(v) = self.folders.get(dir) {
                hits.extend(v);
            }
            try_globs(dir, &mut hits);
        }
        hits.sort_unstable();
        hits.dedup();
        hits.into_iter().map(|i| self.owners[i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Doc {
        parse_doc(
            "docs/a.md",
            &Read::Bytes(text.as_bytes().to_vec()),
            &Config::defaults(),
        )
        .unwrap()
    }

    #[test]
    fn a_valid_doc() {
        let d = parse(
            "---\nid: ops-05\ntitle: T\nperspective: operations\nkey_files:\n  - src/a.py\n  - src/dir/\nlast_updated: 2026-01-01\n---\nbody\n",
        );
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.id.as_deref(), Some("ops-05"));
        assert_eq!(d.key_files[1].glob, "src/dir/**");
        assert_eq!(d.key_files[0].line, 6);
    }

    #[test]
    fn no_frontmatter_is_not_a_doc() {
        assert!(
            parse_doc(
                "docs/a.md",
                &Read::Bytes(b"# Title\n".to_vec()),
                &Config::defaults()
            )
            .is_none()
        );
    }

    #[test]
    fn whitespace_does_not_change_the_body_fingerprint() {
        let a = parse(
            "---\nid: a\ntitle: T\nperspective: guide\nlast_updated: 2026-01-01\n---\nhello world\n",
        );
        let b = parse(
            "---\nid: a\ntitle: T2\nperspective: guide\nlast_updated: 2026-01-02\n---\nhello   world\n\n",
        );
        assert_eq!(a.body_fingerprint, b.body_fingerprint);
        assert_ne!(a.raw_fingerprint, b.raw_fingerprint);
    }
}
