//! Docs with YAML frontmatter: parsing, the doc graph, and the one GlobSet
//! that answers "which docs cover this path".

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use anyhow::Result;

use crate::config::{Config, nearest};
use crate::diagnostic::{self as rules, Diagnostic};
use crate::pattern;
use crate::snapshot::{Read, Snapshot};
use crate::yaml::{self, Node};

pub const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "perspective",
    "tags",
    "depends_on",
    "key_files",
    "last_updated",
];

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

/// Today's date as (year, month, day) in UTC.
pub fn today() -> (i64, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    civil_from_days(secs.div_euclid(86_400))
}

/// Howard Hinnant's days-to-civil algorithm.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parse `YYYY-MM-DD` into a valid calendar date.
pub fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        s.get(r.clone())?
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s[r].parse().ok())?
    };
    let (y, m, d) = (digits(0..4)? as i64, digits(5..7)?, digits(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Where the frontmatter sits in a file.
struct Split<'a> {
    yaml: &'a str,
    /// 1-based file line of the first YAML line.
    first_line: usize,
    body: &'a [u8],
}

enum Frontmatter<'a> {
    /// The file does not start with `---`: not a doc.
    None,
    Found(Split<'a>),
    Broken {
        line: usize,
        message: String,
    },
}

fn split_frontmatter(bytes: &[u8]) -> Frontmatter<'_> {
    // UTF-16 (a Windows editor's "Unicode"), with or without its byte-order
    // mark: read as UTF-8 it has no `---` line, and the doc would vanish.
    if bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || bytes.starts_with(b"-\0-\0-\0")
        || bytes.starts_with(b"\0-\0-\0-")
    {
        return Frontmatter::Broken {
            line: 1,
            message: "the file is UTF-16, not UTF-8: docgate reads docs as UTF-8, so its \
                      frontmatter cannot be read; save it as UTF-8"
                .into(),
        };
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    if trim_cr(&bytes[..first_end]) != b"---" {
        // Blank lines, then `---`: meant as frontmatter, but no reader of
        // frontmatter (GitHub, Jekyll, Hugo, docgate) takes it. Say so
        // rather than drop the doc and its coverage (SPEC §1.1).
        let mut line = 1;
        let mut pos = 0;
        while pos < bytes.len() {
            let end = bytes[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| pos + i);
            let text = trim_cr(&bytes[pos..end]);
            if text == b"---" && line > 1 {
                return Frontmatter::Broken {
                    line,
                    message: format!(
                        "the frontmatter starts on line {line}, after {} blank line{}: frontmatter \
                         is read only when `---` is the first line, so this file is not a doc; \
                         delete the blank lines above it",
                        line - 1,
                        if line == 2 { "" } else { "s" }
                    ),
                };
            }
            if !text.iter().all(|b| b.is_ascii_whitespace()) {
                break;
            }
            line += 1;
            pos = end + 1;
        }
        return Frontmatter::None;
    }
    let mut pos = (first_end + 1).min(bytes.len());
    let start = pos;
    loop {
        if pos >= bytes.len() {
            return Frontmatter::Broken {
                line: 1,
                message:
                    "the frontmatter opened with `---` on line 1 is never closed by a `---` line"
                        .into(),
            };
        }
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| pos + i);
        let text = trim_cr(&bytes[pos..end]);
        if text == b"---" || text == b"..." {
            let yaml_bytes = &bytes[start..pos];
            if let Some(nul) = yaml_bytes.iter().position(|&b| b == 0) {
                return Frontmatter::Broken {
                    line: 1 + yaml_bytes[..nul].iter().filter(|&&b| b == b'\n').count() + 1,
                    message: "the frontmatter contains a NUL byte: this looks like a binary file"
                        .into(),
                };
            }
            let yaml = match std::str::from_utf8(yaml_bytes) {
                Ok(s) => s,
                Err(e) => {
                    let bad = e.valid_up_to();
                    let line = 2 + yaml_bytes[..bad].iter().filter(|&&b| b == b'\n').count();
                    return Frontmatter::Broken {
                        line,
                        message: format!(
                            "the frontmatter is not valid UTF-8 (invalid byte 0x{:02X})",
                            yaml_bytes[bad]
                        ),
                    };
                }
            };
            let body = &bytes[(end + 1).min(bytes.len())..];
            return Frontmatter::Found(Split {
                yaml,
                first_line: 2,
                body,
            });
        }
        pos = end + 1;
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // Allow trailing spaces after the fence.
    let end = line
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    &line[..end]
}

fn body_fingerprint(body: &[u8]) -> u64 {
    // Keep every non-whitespace character, then hash once (hashing per
    // character was a visible share of loading 5,000 docs).
    let text = String::from_utf8_lossy(body);
    let kept: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hash_of(kept.as_bytes())
}

/// Parse one file as a doc. `Ok(None)`: the file has no frontmatter, so it is
/// not part of the doc graph.
pub fn parse_doc(path: &str, read: &Read, config: &Config) -> Option<Doc> {
    let mut doc = Doc {
        path: path.to_string(),
        id: None,
        id_line: 1,
        title: None,
        depends_on: Vec::new(),
        key_files: Vec::new(),
        last_updated: None,
        last_updated_line: 1,
        coverage_known: false,
        body_fingerprint: 0,
        raw_fingerprint: 0,
        problems: Vec::new(),
        head_text: String::new(),
    };
    let invalid = |msg: String| Diagnostic::new(rules::FRONTMATTER_INVALID, msg).at(path);
    let bytes = match read {
        // A link's content is its target, as git stores it: no frontmatter,
        // and never followed (out of the repository or not).
        Read::Missing | Read::Symlink(_) => return None,
        Read::TooLarge(size) => {
            let mut d = invalid(format!(
                "the file is {size} bytes, over docgate's limit of {} bytes; its frontmatter was not read",
                crate::snapshot::MAX_FILE_BYTES
            ));
            d.line = Some(1);
            d.column = Some(1);
            doc.problems.push(d);
            return Some(doc);
        }
        Read::LfsPointer(p) => {
            let mut d = invalid(format!(
                "{}; its frontmatter was not read",
                p.describe(path)
            ));
            d.line = Some(1);
            d.column = Some(1);
            doc.problems.push(d);
            return Some(doc);
        }
        Read::Bytes(b) => b.as_slice(),
    };
    doc.raw_fingerprint = hash_of(bytes);
    let split = match split_frontmatter(bytes) {
        Frontmatter::None => return None,
        Frontmatter::Broken { line, message } => {
            let text = String::from_utf8_lossy(bytes);
            doc.problems.push(invalid(message).at_line(&text, line, 1));
            return Some(doc);
        }
        Frontmatter::Found(s) => s,
    };
    doc.body_fingerprint = body_fingerprint(split.body);
    let file_text = String::from_utf8_lossy(&bytes[..bytes.len() - split.body.len()]).into_owned();
    let offset = split.first_line - 1;
    let yaml_text = split.yaml.replace("\r\n", "\n");
    let root = match yaml::parse(&yaml_text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            doc.problems.push(
                invalid(
                    "the frontmatter is empty; a doc needs id, title, perspective and last_updated"
                        .into(),
                )
                .at_line(&file_text, 1, 1),
            );
            return Some(doc);
        }
        Err(e) => {
            doc.problems.push(
                invalid(format!("invalid YAML in the frontmatter: {}", e.message)).at_line(
                    &file_text,
                    e.line + offset,
                    e.col,
                ),
            );
            return Some(doc);
        }
    };
    let Some(entries) = root.as_map() else {
        doc.problems.push(
            invalid(format!(
                "the frontmatter must be a mapping of keys, found {}",
                root.type_name()
            ))
            .at_line(&file_text, root.line + offset, root.col),
        );
        return Some(doc);
    };
    let mut p = FieldParser {
        path,
        text: &file_text,
        offset,
        problems: &mut doc.problems,
    };

    let mut seen: Vec<&str> = Vec::new();
    let mut near_miss_coverage = false;
    for (k, _) in entries {
        let Some(key) = k.as_str() else {
            p.invalid(
                k,
                format!("frontmatter keys must be strings, found {}", k.type_name()),
            );
            continue;
        };
        if seen.contains(&key) {
            p.invalid(k, format!("`{key}` is given twice"));
            if key == "key_files" {
                // Which of the two lists the writer meant is unknown.
                near_miss_coverage = true;
            }
        }
        seen.push(key);
        if !KNOWN_KEYS.contains(&key)
            && let Some(near) = nearest(key, KNOWN_KEYS)
        {
            // A typo of a key that carries the doc's coverage or its links
            // silently takes them away: an error, not a hint (SPEC §1.1).
            let d = match near {
                "key_files" | "depends_on" => Diagnostic::new(
                    rules::FRONTMATTER_INVALID,
                    format!(
                        "unknown frontmatter key `{key}` (did you mean `{near}`?): spelled this way \
                         it {}",
                        if near == "key_files" {
                            "covers no files, so changes to them would not need this doc"
                        } else {
                            "links no docs"
                        }
                    ),
                ),
                _ => Diagnostic::new(
                    rules::UNKNOWN_FRONTMATTER_KEY,
                    format!("unknown frontmatter key `{key}` (did you mean `{near}`?)"),
                ),
            };
            if near == "key_files" && root.get("key_files").is_none() {
                near_miss_coverage = true;
            }
            p.push(d, k);
        }
    }

    let required = |p: &mut FieldParser, key: &str| -> Option<(String, &Node)> {
        match root.get(key) {
            None => {
                let at = Node {
                    kind: yaml::Kind::Null,
                    line: root.line,
                    col: 1,
                };
                p.invalid(&at, format!("missing required key `{key}`"));
                None
            }
            Some(n) => match n.as_str() {
                Some(s) if !s.trim().is_empty() => Some((s.trim().to_string(), n)),
                _ => {
                    p.invalid(
                        n,
                        format!(
                            "`{key}` must be a non-empty string, found {}",
                            n.type_name()
                        ),
                    );
                    None
                }
            },
        }
    };

    if let Some((id, node)) = required(&mut p, "id") {
        doc.id_line = node.line + offset;
        if is_valid_id(&id) {
            doc.id = Some(id);
        } else {
            p.invalid(node, format!("id `{id}` must match [a-z0-9][a-z0-9._-]*"));
        }
    }
    doc.title = required(&mut p, "title").map(|(t, _)| t);
    if let Some((perspective, node)) = required(&mut p, "perspective")
        && !config.docs.perspectives.contains(&perspective)
    {
        p.invalid(
            node,
            format!(
                "unknown perspective `{perspective}`; expected one of {}",
                config.docs.perspectives.join(", ")
            ),
        );
    }
    if let Some((date, node)) = required(&mut p, "last_updated") {
        doc.last_updated_line = node.line + offset;
        match parse_date(&date) {
            None => p.invalid(
                node,
                format!("`last_updated` must be a date written YYYY-MM-DD, found `{date}`"),
            ),
            Some(d) if d > today() => {
                p.invalid(node, format!("`last_updated` {date} is in the future"));
                doc.last_updated = Some(date);
            }
            Some(_) => doc.last_updated = Some(date),
        }
    }
    if let Some(n) = root.get("tags") {
        p.string_list(n, "tags");
    }
    if let Some(n) = root.get("depends_on") {
        for (id, item) in p.string_list(n, "depends_on") {
            doc.depends_on.push(Dependency {
                id,
                line: item.line + offset,
                col: item.col,
            });
        }
    }
    // With `keyfiles:` (and no `key_files:`) what the doc covers is unknown.
    doc.coverage_known = !near_miss_coverage;
    let problems_before = p.problems.len();
    if let Some(n) = root.get("key_files") {
        if n.as_seq().is_none() && !matches!(n.kind, yaml::Kind::Null) {
            doc.coverage_known = false;
        }
        for (raw, item) in p.string_list(n, "key_files") {
            // A plain path needs no glob compilation to be valid (most entries).
            match pattern::normalize(&raw).and_then(|g| {
                if pattern::is_literal(&g) {
                    Ok(g)
                } else {
                    pattern::compile(&g).map(|_| g)
                }
            }) {
                Ok(glob) => doc.key_files.push(KeyFile {
                    raw,
                    glob,
                    line: item.line + offset,
                    col: item.col,
                }),
                Err(why) => p.invalid(item, format!("invalid `key_files` entry: {why}")),
            }
        }
    }
    // An entry that could not be read may have been the one covering the
    // changed file: coverage through this doc is unknown, not "the rest".
    if p.problems.len() > problems_before {
        doc.coverage_known = false;
    }
    doc.head_text = file_text;
    Some(doc)
}

struct FieldParser<'a> {
    path: &'a str,
    text: &'a str,
    offset: usize,
    problems: &'a mut Vec<Diagnostic>,
}

impl FieldParser<'_> {
    fn push(&mut self, d: Diagnostic, node: &Node) {
        self.problems.push(
            d.at(self.path)
                .at_line(self.text, node.line + self.offset, node.col),
        );
    }

    fn invalid(&mut self, node: &Node, msg: String) {
        self.push(Diagnostic::new(rules::FRONTMATTER_INVALID, msg), node);
    }

    fn string_list<'n>(&mut self, node: &'n Node, key: &str) -> Vec<(String, &'n Node)> {
        if matches!(node.kind, yaml::Kind::Null) {
            return Vec::new();
        }
        let Some(items) = node.as_seq() else {
            self.invalid(
                node,
                format!("`{key}` must be a list, found {}", node.type_name()),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_str() {
                Some(s) => out.push((s.to_string(), item)),
                None => self.invalid(
                    item,
                    format!(
                        "`{key}` entries must be strings, found {}",
                        item.type_name()
                    ),
                ),
            }
        }
        out
    }
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
pub struct CoverageIndex<'d> {
    owners: Vec<(&'d Doc, &'d KeyFile)>,
    exact: HashMap<&'d str, Vec<usize>>,
    folders: HashMap<&'d str, Vec<usize>>,
    globs: HashMap<&'d str, Vec<(pattern::Matcher, usize)>>,
}

impl<'d> CoverageIndex<'d> {
    pub fn build(docs: impl IntoIterator<Item = &'d Doc>) -> Result<CoverageIndex<'d>> {
        let mut owners = Vec::new();
        let mut exact: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut folders: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut buckets: HashMap<&str, Vec<usize>> = HashMap::new();
        for doc in docs {
            for kf in &doc.key_files {
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
    pub fn covering(&self, path: &str) -> Vec<(&'d Doc, &'d KeyFile)> {
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
    fn dates() {
        assert_eq!(parse_date("2026-02-28"), Some((2026, 2, 28)));
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("26-1-1"), None);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_000), (2024, 10, 4));
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
