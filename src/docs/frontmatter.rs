//! A doc's YAML frontmatter (SPEC §1.1): finding it in the file, reading its
//! keys with the shared node helpers of the config, and every problem as a
//! `frontmatter-invalid` (or `unknown-frontmatter-key`) finding at its line.

use super::{Dependency, Doc, KeyFile, hash_of};
use crate::config::Config;
use crate::config::node::Validator;
use crate::config::{did_you_mean, nearest};
use crate::date::{parse_date, today};
use crate::diagnostic::{self as rules, Diagnostic};
use crate::pattern;
use crate::snapshot::Read;
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

fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Where the frontmatter sits in a file.
pub(super) struct Split<'a> {
    yaml: &'a str,
    /// 1-based file line of the first YAML line.
    first_line: usize,
    body: &'a [u8],
}

pub(super) enum Frontmatter<'a> {
    /// The file does not start with `---`: not a doc.
    None,
    Found(Split<'a>),
    Broken {
        line: usize,
        message: String,
    },
}

pub(super) fn split_frontmatter(bytes: &[u8]) -> Frontmatter<'_> {
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
/// Read one doc: `None` when the file is not a doc (no frontmatter, a
/// symbolic link, missing), else the doc with every problem found.
pub fn parse_doc(path: &str, read: &Read, config: &Config) -> Option<Doc> {
    let mut doc = Doc::empty(path);
    let bytes = match read {
        // A link's content is its target, as git stores it: no frontmatter,
        // and never followed (out of the repository or not).
        Read::Missing | Read::Symlink(_) => return None,
        Read::TooLarge(size) => {
            return Some(doc.whole_file_problem(format!(
                "the file is {size} bytes, over docgate's limit of {} bytes; its frontmatter was not read",
                crate::snapshot::MAX_FILE_BYTES
            )));
        }
        Read::LfsPointer(p) => {
            return Some(doc.whole_file_problem(format!(
                "{}; its frontmatter was not read",
                p.describe(path)
            )));
        }
        Read::Bytes(b) => b.as_slice(),
    };
    doc.raw_fingerprint = hash_of(bytes);
    let split = match split_frontmatter(bytes) {
        Frontmatter::None => return None,
        Frontmatter::Broken { line, message } => {
            let text = String::from_utf8_lossy(bytes);
            doc.problems
                .push(invalid(path, message).at_line(&text, line, 1));
            return Some(doc);
        }
        Frontmatter::Found(s) => s,
    };
    doc.body_fingerprint = body_fingerprint(split.body);
    let file_text = String::from_utf8_lossy(&bytes[..bytes.len() - split.body.len()]).into_owned();
    let offset = split.first_line - 1;
    let yaml_text = split.yaml.replace("\r\n", "\n");
    let mut p = FieldParser {
        path,
        text: &file_text,
        offset,
        problems: Vec::new(),
        v: Validator::new(path),
    };
    if let Some(root) = p.root(&yaml_text) {
        let near_miss_coverage = p.keys(&root);
        p.fields(&root, config, &mut doc);
        // With `keyfiles:` (and no `key_files:`) what the doc covers is unknown.
        doc.coverage_known = !near_miss_coverage;
        let problems_before = p.problems.len();
        if let Some(n) = root.get("key_files") {
            if n.as_seq().is_none() && !matches!(n.kind, yaml::Kind::Null) {
                doc.coverage_known = false;
            }
            doc.key_files = p.key_files(n);
        }
        // An entry that could not be read may have been the one covering the
        // changed file: coverage through this doc is unknown, not "the rest".
        if p.problems.len() > problems_before {
            doc.coverage_known = false;
        }
    }
    doc.problems = p.problems;
    doc.head_text = file_text;
    Some(doc)
}

fn invalid(path: &str, msg: String) -> Diagnostic {
    Diagnostic::new(rules::FRONTMATTER_INVALID, msg).at(path)
}

impl Doc {
    fn empty(path: &str) -> Doc {
        Doc {
            path: path.to_string(),
            id: None,
            id_line: 1,
            title: None,
            perspective: None,
            tags: Vec::new(),
            depends_on: Vec::new(),
            key_files: Vec::new(),
            last_updated: None,
            last_updated_line: 1,
            coverage_known: false,
            body_fingerprint: 0,
            raw_fingerprint: 0,
            problems: Vec::new(),
            head_text: String::new(),
        }
    }

    /// A problem of the whole file (too large, an LFS pointer): line 1.
    fn whole_file_problem(mut self, msg: String) -> Doc {
        let mut d = invalid(&self.path, msg);
        d.line = Some(1);
        d.column = Some(1);
        self.problems.push(d);
        self
    }
}

struct FieldParser<'a> {
    path: &'a str,
    text: &'a str,
    offset: usize,
    problems: Vec<Diagnostic>,
    /// The config's node helpers; their problems become findings at the
    /// file line (`flush`).
    v: Validator<'a>,
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

    /// The node helpers' problems, as `frontmatter-invalid` findings.
    fn flush(&mut self) {
        for (line, col, msg) in std::mem::take(&mut self.v.errors) {
            let at = Node {
                kind: yaml::Kind::Null,
                line,
                col,
            };
            self.invalid(&at, msg);
        }
    }

    /// The frontmatter's mapping, or `None` with the problem recorded.
    fn root(&mut self, yaml_text: &str) -> Option<Node> {
        let root = match yaml::parse(yaml_text) {
            Ok(Some(root)) => root,
            Ok(None) => {
                self.problems.push(
                    invalid(
                        self.path,
                        "the frontmatter is empty; a doc needs id, title, perspective and last_updated"
                            .into(),
                    )
                    .at_line(self.text, 1, 1),
                );
                return None;
            }
            Err(e) => {
                self.problems.push(
                    invalid(
                        self.path,
                        format!("invalid YAML in the frontmatter: {}", e.message),
                    )
                    .at_line(self.text, e.line + self.offset, e.col),
                );
                return None;
            }
        };
        if root.as_map().is_none() {
            let msg = format!(
                "the frontmatter must be a mapping of keys, found {}",
                root.type_name()
            );
            self.invalid(&root, msg);
            return None;
        }
        Some(root)
    }

    /// Keys: strings, none twice (the shared helpers), near-misses of known
    /// keys. `true` when what the doc covers is unknown because of them.
    fn keys(&mut self, root: &Node) -> bool {
        let entries = root.as_map().unwrap_or_default();
        let keys = self.v.keys(entries, "<frontmatter>");
        self.flush();
        // Which of two `key_files` lists the writer meant is unknown.
        let mut near_miss_coverage = keys.repeated.contains(&"key_files");
        for (key, k) in keys.keys {
            if KNOWN_KEYS.contains(&key) {
                continue;
            }
            let Some(near) = nearest(key, KNOWN_KEYS) else {
                continue;
            };
            // A typo of a key that carries the doc's coverage or its links
            // silently takes them away: an error, not a hint (SPEC §1.1).
            let d = match near {
                "key_files" | "depends_on" => Diagnostic::new(
                    rules::FRONTMATTER_INVALID,
                    format!(
                        "unknown frontmatter key `{key}`{}: spelled this way it {}",
                        did_you_mean(key, KNOWN_KEYS),
                        if near == "key_files" {
                            "covers no files, so changes to them would not need this doc"
                        } else {
                            "links no docs"
                        }
                    ),
                ),
                _ => Diagnostic::new(
                    rules::UNKNOWN_FRONTMATTER_KEY,
                    format!(
                        "unknown frontmatter key `{key}`{}",
                        did_you_mean(key, KNOWN_KEYS)
                    ),
                ),
            };
            if near == "key_files" && root.get("key_files").is_none() {
                near_miss_coverage = true;
            }
            self.push(d, k);
        }
        near_miss_coverage
    }

    /// A required, non-empty string key.
    fn required<'n>(&mut self, root: &'n Node, key: &str) -> Option<(String, &'n Node)> {
        match root.get(key) {
            None => {
                let at = Node {
                    kind: yaml::Kind::Null,
                    line: root.line,
                    col: 1,
                };
                self.invalid(&at, format!("missing required key `{key}`"));
                None
            }
            Some(n) => match n.as_str() {
                Some(s) if !s.trim().is_empty() => Some((s.trim().to_string(), n)),
                _ => {
                    let msg = format!(
                        "`{key}` must be a non-empty string, found {}",
                        n.type_name()
                    );
                    self.invalid(n, msg);
                    None
                }
            },
        }
    }

    /// id, title, perspective, last_updated, tags, depends_on.
    fn fields(&mut self, root: &Node, config: &Config, f: &mut Doc) {
        if let Some((id, node)) = self.required(root, "id") {
            f.id_line = node.line + self.offset;
            if is_valid_id(&id) {
                f.id = Some(id);
            } else {
                self.invalid(node, format!("id `{id}` must match [a-z0-9][a-z0-9._-]*"));
            }
        }
        f.title = self.required(root, "title").map(|(t, _)| t);
        if let Some((perspective, node)) = self.required(root, "perspective") {
            if config.docs.perspectives.contains(&perspective) {
                f.perspective = Some(perspective);
            } else {
                let msg = format!(
                    "unknown perspective `{perspective}`; expected one of {}",
                    config.docs.perspectives.join(", ")
                );
                self.invalid(node, msg);
            }
        }
        if let Some((date, node)) = self.required(root, "last_updated") {
            f.last_updated_line = node.line + self.offset;
            match parse_date(&date) {
                None => self.invalid(
                    node,
                    format!("`last_updated` must be a date written YYYY-MM-DD, found `{date}`"),
                ),
                Some(d) if d > today() => {
                    self.invalid(node, format!("`last_updated` {date} is in the future"));
                    f.last_updated = Some(date);
                }
                Some(_) => f.last_updated = Some(date),
            }
        }
        if let Some(n) = root.get("tags") {
            f.tags = self
                .string_list(n, "tags")
                .into_iter()
                .map(|(t, _)| t)
                .collect();
        }
        if let Some(n) = root.get("depends_on") {
            for (id, item) in self.string_list(n, "depends_on") {
                f.depends_on.push(Dependency {
                    id,
                    line: item.line + self.offset,
                    col: item.col,
                });
            }
        }
    }

    /// `key_files`: paths, folders and globs, each valid.
    fn key_files(&mut self, n: &Node) -> Vec<KeyFile> {
        let mut out = Vec::new();
        for (raw, item) in self.string_list(n, "key_files") {
            match pattern::entry(&raw) {
                Ok(glob) => out.push(KeyFile {
                    raw,
                    glob,
                    line: item.line + self.offset,
                    col: item.col,
                }),
                Err(why) => self.invalid(item, format!("invalid `key_files` entry: {why}")),
            }
        }
        out
    }

    /// The shared list helper; the good entries even when others are bad
    /// (each bad one is a finding, and makes the doc's coverage unknown).
    fn string_list<'n>(&mut self, node: &'n Node, key: &str) -> Vec<(String, &'n Node)> {
        let list = self.v.strings(node, key).map(|s| s.items);
        self.flush();
        list.unwrap_or_default()
    }
}
