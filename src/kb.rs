//! The knowledge base (`.ai-knowledge-base.yaml`, SPEC §7): patterns and
//! anti-patterns learned from incidents, and decision trees. [`parse`] reads
//! one file into a [`KnowledgeBase`] and every schema problem (`kb-invalid`,
//! with line and column); it never panics. [`load`] is the one loader the
//! checks call (the knowledge-base check, the cost log's pattern ids, the
//! incident loop): `None` when the layer is not active.
//!
//! The format accepted:
//!
//! - The top level is a mapping with the lists `patterns`, `anti_patterns`
//!   and `decision_trees` (each optional; `~` is an empty list), an optional
//!   `version` (a string or number) and `metadata` (a mapping, not read).
//!   Any other top-level key is allowed and ignored, unless it is within edit
//!   distance 2 of a known one (`anti-patterns`, `pattern`): then it is a
//!   typo that would silently drop a whole list, so `kb-invalid` with "did
//!   you mean".
//! - An entry (of `patterns` or `anti_patterns`) is a mapping. Required:
//!   `id` (a non-empty string, unique across patterns, anti-patterns and
//!   decision trees), `name`, `severity` (exactly `CRITICAL`, `HIGH`,
//!   `MEDIUM` or `LOW`, upper case), `description`. Optional: `category`
//!   (a string), `do`, `dont`, `checklist` (lists of strings),
//!   `reference_files` (a list of paths, folders with a trailing `/`, or
//!   globs, as `key_files`). Other keys (`examples`, `related`, ...) are
//!   allowed and kept in [`Entry::extra`], unless close to a known key
//!   (edit distance 1 for the short keys `id`, `do`, `name`, `dont`; 2 for
//!   the others): then `kb-invalid` with "did you mean".
//! - A decision tree is a mapping with `id`, `name` and `steps` (a list;
//!   other keys allowed as for entries). A step is a string or a mapping.
//!   A step names ids in two ways: a mapping key `pattern`, `anti_pattern`,
//!   `decision_tree`, `doc` or `see` anywhere inside the step (its value an
//!   id or a list of ids), and a string (a step, or any string inside a
//!   mapping step) that is exactly one id in backquotes, `` `silent-fallback` ``.
//!   `pattern` / `anti_pattern` / `decision_tree` must name an entry of that
//!   list, `doc` a doc id, `see` and a backquoted id any of these. The KB
//!   ids are checked here; doc ids by [`Loaded::step_problems`], which has
//!   the docs.
//! - YAML goes through `crate::yaml`: aliases are refused (an alias bomb
//!   never expands), nesting is limited to 64 levels, a NUL byte, invalid
//!   UTF-8, a file over 8 MiB, a Git LFS pointer or a symbolic link is a
//!   `kb-invalid` finding at line 1 (or at the byte), never parsed as content.

use std::collections::{BTreeSet, HashMap};

use anyhow::{Result, bail};

use crate::config::Config;
use crate::config::node::{Validator, nearest};
use crate::diagnostic::{self as rules, Diagnostic};
use crate::docs::KeyFile;
use crate::pattern;
use crate::snapshot::{Read, Snapshot};
use crate::yaml::{self, Kind as YamlKind, Node};

/// Which list an entry is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Pattern,
    AntiPattern,
}

impl Kind {
    /// As the JSON report writes it: `pattern` or `anti_pattern`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pattern => "pattern",
            Kind::AntiPattern => "anti_pattern",
        }
    }

    /// As a sentence says it: `pattern` or `anti-pattern`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Pattern => "pattern",
            Kind::AntiPattern => "anti-pattern",
        }
    }

    /// The top-level list the entries of this kind are in.
    pub fn list(self) -> &'static str {
        match self {
            Kind::Pattern => "patterns",
            Kind::AntiPattern => "anti_patterns",
        }
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::str::FromStr for Kind {
    type Err = rules::NotOneOf;

    fn from_str(s: &str) -> Result<Kind, rules::NotOneOf> {
        match s {
            "pattern" => Ok(Kind::Pattern),
            "anti_pattern" => Ok(Kind::AntiPattern),
            _ => Err(rules::NotOneOf(&["pattern", "anti_pattern"])),
        }
    }
}

/// An entry's severity; the order is the order they are listed in
/// (`Critical` first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KbSeverity {
    Critical,
    High,
    Medium,
    Low,
}

impl KbSeverity {
    pub const NAMES: &'static [&'static str] = &["CRITICAL", "HIGH", "MEDIUM", "LOW"];

    /// As written in the knowledge base (upper case).
    pub fn as_str(self) -> &'static str {
        match self {
            KbSeverity::Critical => "CRITICAL",
            KbSeverity::High => "HIGH",
            KbSeverity::Medium => "MEDIUM",
            KbSeverity::Low => "LOW",
        }
    }
}

impl serde::Serialize for KbSeverity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The one parser of a severity's name: exactly the upper-case words.
impl std::str::FromStr for KbSeverity {
    type Err = rules::NotOneOf;

    fn from_str(s: &str) -> Result<KbSeverity, rules::NotOneOf> {
        [
            KbSeverity::Critical,
            KbSeverity::High,
            KbSeverity::Medium,
            KbSeverity::Low,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or(rules::NotOneOf(KbSeverity::NAMES))
    }
}

/// A pattern or anti-pattern whose required keys could be read.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub severity: KbSeverity,
    pub category: Option<String>,
    pub description: String,
    pub do_: Vec<String>,
    pub dont: Vec<String>,
    pub checklist: Vec<String>,
    /// The valid `reference_files` entries (an invalid one is a problem):
    /// as written (`raw`), normalized (`glob`: `dir/` became `dir/**`), and
    /// where.
    pub reference_files: Vec<KeyFile>,
    /// Keys the schema does not know (`examples`, `related`, ...), with
    /// their values.
    pub extra: Vec<(String, Node)>,
    /// The line of the entry's mapping (its first key).
    pub line: usize,
}

impl Entry {
    /// Does any of the entry's string values (`id`, `name`, `category`,
    /// `description`, `do`, `dont`, `checklist`, `reference_files` as
    /// written, any string anywhere under an extra key) contain `needle`?
    pub fn mentions(&self, needle: &str) -> bool {
        let mut fixed = [&self.id, &self.name, &self.description]
            .into_iter()
            .chain(&self.category)
            .chain(&self.do_)
            .chain(&self.dont)
            .chain(&self.checklist)
            .chain(self.reference_files.iter().map(|r| &r.raw));
        fixed.any(|s| s.contains(needle))
            || self.extra.iter().any(|(_, n)| node_mentions(n, needle))
    }
}

impl crate::docs::KeyFiles for Entry {
    fn key_files(&self) -> &[KeyFile] {
        &self.reference_files
    }
}

fn node_mentions(node: &Node, needle: &str) -> bool {
    match &node.kind {
        YamlKind::Null => false,
        YamlKind::Scalar { value, .. } => value.contains(needle),
        YamlKind::Seq(items) => items.iter().any(|n| node_mentions(n, needle)),
        YamlKind::Map(entries) => entries.iter().any(|(_, v)| node_mentions(v, needle)),
    }
}

/// What a decision-tree step's reference must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Pattern,
    AntiPattern,
    DecisionTree,
    Doc,
    /// `see:` or a backquoted id: any entry, decision tree or doc.
    Any,
}

impl RefKind {
    fn from_key(key: &str) -> Option<RefKind> {
        match key {
            "pattern" => Some(RefKind::Pattern),
            "anti_pattern" => Some(RefKind::AntiPattern),
            "decision_tree" => Some(RefKind::DecisionTree),
            "doc" => Some(RefKind::Doc),
            "see" => Some(RefKind::Any),
            _ => None,
        }
    }

    fn what(self) -> &'static str {
        match self {
            RefKind::Pattern => "a pattern of the knowledge base",
            RefKind::AntiPattern => "an anti-pattern of the knowledge base",
            RefKind::DecisionTree => "a decision tree of the knowledge base",
            RefKind::Doc => "a doc",
            RefKind::Any => "a knowledge-base entry, decision tree or doc",
        }
    }
}

/// An id a step names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRef {
    pub kind: RefKind,
    pub id: String,
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone)]
pub struct DecisionTree {
    pub id: String,
    pub name: String,
    /// The steps as written (strings or mappings).
    pub steps: Vec<Node>,
    /// Every id the steps name.
    pub refs: Vec<StepRef>,
    pub line: usize,
}

/// One knowledge-base file, as far as it could be read.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeBase {
    /// Patterns, then anti-patterns, in file order.
    pub entries: Vec<Entry>,
    pub decision_trees: Vec<DecisionTree>,
    /// Ids of entries that have an id but whose other required keys could
    /// not be read (a problem says why): not in `entries`, but their ids
    /// exist, so naming one is no unknown id.
    pub incomplete: Vec<(String, Kind, usize)>,
}

impl KnowledgeBase {
    /// Every pattern and anti-pattern id (complete or not).
    pub fn ids(&self) -> BTreeSet<&str> {
        self.entries
            .iter()
            .map(|e| e.id.as_str())
            .chain(self.incomplete.iter().map(|(id, _, _)| id.as_str()))
            .collect()
    }

    fn has_tree(&self, id: &str) -> bool {
        self.decision_trees.iter().any(|t| t.id == id)
    }
}

const TOP_KEYS: &[&str] = &[
    "patterns",
    "anti_patterns",
    "decision_trees",
    "version",
    "metadata",
];
const ENTRY_KEYS: &[&str] = &[
    "id",
    "name",
    "severity",
    "category",
    "description",
    "do",
    "dont",
    "checklist",
    "reference_files",
];
const TREE_KEYS: &[&str] = &["id", "name", "steps"];
/// What a decision tree is called in messages (and in `Parser::ids`).
const TREE: &str = "decision tree";

/// A key the schema does not know that is close enough to a known one to
/// be a typo (short keys: one edit; others: two).
fn near_miss(key: &str, known: &[&'static str]) -> Option<&'static str> {
    nearest(key, known).filter(|k| k.len() > 4 || strsim::levenshtein(key, k) <= 1)
}

/// Parse knowledge-base bytes (invalid UTF-8 is a problem at its byte).
pub fn parse_bytes(bytes: &[u8], path: &str) -> (KnowledgeBase, Vec<Diagnostic>) {
    let (kb, problems, _) = parse_bytes_readable(bytes, path);
    (kb, problems)
}

/// [`parse_bytes`], and whether the file could be read at all (UTF-8, YAML,
/// a mapping or nothing at the top).
fn parse_bytes_readable(bytes: &[u8], path: &str) -> (KnowledgeBase, Vec<Diagnostic>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_readable(text, path),
        Err(e) => {
            let (line, col) = yaml::position_of(bytes, e.valid_up_to());
            let text = String::from_utf8_lossy(bytes);
            let d = Diagnostic::new(
                rules::KB_INVALID,
                format!(
                    "not valid UTF-8 (byte 0x{:02X}): the knowledge base cannot be read",
                    bytes[e.valid_up_to()]
                ),
            )
            .at(path)
            .at_line(&text, line, col);
            (KnowledgeBase::default(), vec![d], false)
        }
    }
}

/// Parse knowledge-base text: what could be read, and every problem
/// (`kb-invalid`, at `path` with line and column). Never panics.
pub fn parse(text: &str, path: &str) -> (KnowledgeBase, Vec<Diagnostic>) {
    let (kb, problems, _) = parse_readable(text, path);
    (kb, problems)
}

fn parse_readable(text: &str, path: &str) -> (KnowledgeBase, Vec<Diagnostic>, bool) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser {
        path,
        text,
        v: Validator::new(path),
        problems: Vec::new(),
        kb: KnowledgeBase::default(),
        ids: HashMap::new(),
    };
    let readable = match yaml::parse(text) {
        Err(e) => {
            p.problem_at(
                e.line,
                e.col,
                format!(
                    "invalid YAML: {}; the knowledge base cannot be read",
                    e.message
                ),
            );
            false
        }
        Ok(None) => true,
        Ok(Some(root)) => {
            p.root(&root);
            root.as_map().is_some()
        }
    };
    p.flush();
    let Parser {
        kb, mut problems, ..
    } = p;
    problems.sort_by_key(|d| (d.line, d.column));
    (kb, problems, readable)
}

/// Where a mapping starts, for "has no `id`": its first key (the
/// parser's mark for a block mapping is the first `:`).
fn start(item: &Node) -> &Node {
    match item.as_map() {
        Some([(k, _), ..]) => k,
        _ => item,
    }
}

struct Parser<'a> {
    path: &'a str,
    text: &'a str,
    /// The config's node helpers; their errors become problems in `flush`.
    v: Validator<'a>,
    problems: Vec<Diagnostic>,
    kb: KnowledgeBase,
    /// Every id seen: where, and what it is (for "already used by").
    ids: HashMap<String, (usize, &'static str)>,
}

impl Parser<'_> {
    fn problem_at(&mut self, line: usize, col: usize, msg: String) {
        self.problems.push(
            Diagnostic::new(rules::KB_INVALID, msg)
                .at(self.path)
                .at_line(self.text, line, col),
        );
    }

    fn problem(&mut self, node: &Node, msg: String) {
        self.flush();
        self.problem_at(node.line, node.col, msg);
    }

    /// Move the validator's errors into the problems, in order.
    fn flush(&mut self) {
        for (line, col, msg) in std::mem::take(&mut self.v.errors) {
            self.problem_at(line, col, msg);
        }
    }

    fn root(&mut self, root: &Node) {
        let Some(entries) = root.as_map() else {
            self.problem(
                root,
                format!(
                    "the knowledge base must be a mapping with `patterns`, `anti_patterns` and \
                     `decision_trees`, found {}",
                    root.type_name()
                ),
            );
            return;
        };
        let keys = self.v.keys(entries, "<knowledge base>").keys;
        for (key, k) in keys {
            if !TOP_KEYS.contains(&key)
                && let Some(near) = near_miss(key, TOP_KEYS)
            {
                self.problem(
                    k,
                    format!(
                        "unknown top-level key `{key}` (did you mean `{near}`?): spelled this \
                         way its entries would not be read"
                    ),
                );
            }
        }
        if let Some(n) = root.get("version")
            && !matches!(n.kind, YamlKind::Scalar { .. })
        {
            self.problem(
                n,
                format!(
                    "`version` must be a string or a number, found {}",
                    n.type_name()
                ),
            );
        }
        if let Some(n) = root.get("metadata")
            && !matches!(n.kind, YamlKind::Map(_) | YamlKind::Null)
        {
            self.problem(
                n,
                format!("`metadata` must be a mapping, found {}", n.type_name()),
            );
        }
        for kind in [Kind::Pattern, Kind::AntiPattern] {
            for item in self.list(root, kind.list()) {
                self.entry(item, kind);
            }
        }
        let trees = self.list(root, "decision_trees");
        for item in trees {
            self.tree(item);
        }
        // Step references to entries and trees, now that all are known.
        let mut unknown = Vec::new();
        for tree in &self.kb.decision_trees {
            for r in &tree.refs {
                // Every id read (complete or not), with what it is.
                let is = |what: &str| self.ids.get(&r.id).is_some_and(|(_, w)| *w == what);
                let known = match r.kind {
                    RefKind::Pattern => is(Kind::Pattern.label()),
                    RefKind::AntiPattern => is(Kind::AntiPattern.label()),
                    RefKind::DecisionTree => is(TREE),
                    // Need the docs: `Loaded::step_problems`.
                    RefKind::Doc | RefKind::Any => true,
                };
                if !known {
                    unknown.push((r.clone(), tree.id.clone()));
                }
            }
        }
        for (r, tree) in unknown {
            let msg = unknown_ref(&r, &tree, &self.kb);
            self.problem_at(r.line, r.col, msg);
        }
    }

    /// The items of a top-level list (`~` or absent: none).
    fn list<'n>(&mut self, root: &'n Node, key: &str) -> &'n [Node] {
        match root.get(key) {
            None => &[],
            Some(n) if matches!(n.kind, YamlKind::Null) => &[],
            Some(n) => match n.as_seq() {
                Some(items) => items,
                None => {
                    self.problem(
                        n,
                        format!("`{key}` must be a list, found {}", n.type_name()),
                    );
                    &[]
                }
            },
        }
    }

    /// The keys of an entry or tree mapping: not strings, twice, near
    /// misses of `known`. `None` when it is not a mapping.
    fn mapping<'n>(
        &mut self,
        item: &'n Node,
        list: &str,
        known: &[&'static str],
    ) -> Option<Vec<(&'n str, &'n Node, &'n Node)>> {
        let Some(entries) = item.as_map() else {
            self.problem(
                item,
                format!(
                    "entries of `{list}` must be mappings, found {}",
                    item.type_name()
                ),
            );
            return None;
        };
        let section = format!("{list}[]");
        let _ = self.v.keys(entries, &section);
        let mut out = Vec::new();
        for (k, val) in entries {
            let Some(key) = k.as_str() else { continue };
            if !known.contains(&key)
                && let Some(near) = near_miss(key, known)
            {
                self.problem(
                    k,
                    format!("unknown key `{key}` in an entry of `{list}` (did you mean `{near}`?)"),
                );
            }
            out.push((key, k, val));
        }
        Some(out)
    }

    /// A required string: missing (at the mapping) or not a non-empty string.
    fn required(&mut self, item: &Node, what: &str, key: &str) -> Option<String> {
        match item.get(key) {
            None => {
                self.problem(start(item), format!("{what} has no `{key}`"));
                None
            }
            Some(n) => {
                let s = self.v.string(n, key);
                self.flush();
                s
            }
        }
    }

    /// The id: a string, and not used before.
    fn id(&mut self, item: &Node, what: &'static str, list: &str) -> Option<String> {
        let id = self.required(item, &format!("an entry of `{list}`"), "id")?;
        let node = item.get("id").unwrap_or(item);
        if let Some((line, other)) = self.ids.get(&id) {
            let msg = format!("id `{id}` is already used by the {other} on line {line}");
            self.problem(node, msg);
            return None;
        }
        self.ids.insert(id.clone(), (node.line, what));
        Some(id)
    }

    /// A list of strings: each bad item is a problem, the good ones are kept.
    fn strings<'n>(&mut self, item: &'n Node, key: &str) -> Vec<(String, &'n Node)> {
        let Some(n) = item.get(key) else {
            return Vec::new();
        };
        let list = self.v.strings(n, key).map(|l| l.items).unwrap_or_default();
        let mut out = Vec::new();
        for (s, node) in list {
            if s.trim().is_empty() {
                self.v
                    .err(node, format!("`{key}` entries must not be empty"));
            } else {
                out.push((s, node));
            }
        }
        self.flush();
        out
    }

    fn entry(&mut self, item: &Node, kind: Kind) {
        let Some(keys) = self.mapping(item, kind.list(), ENTRY_KEYS) else {
            return;
        };
        let id = self.id(item, kind.label(), kind.list());
        let what = match &id {
            Some(id) => format!("{} `{id}`", kind.label()),
            None => format!("an entry of `{}`", kind.list()),
        };
        let name = self.required(item, &what, "name");
        let description = self.required(item, &what, "description");
        let severity = match item.get("severity") {
            None => {
                self.problem(start(item), format!("{what} has no `severity`"));
                None
            }
            Some(n) => self.severity(n),
        };
        let category = match item.get("category") {
            Some(n) if !matches!(n.kind, YamlKind::Null) => {
                let s = self.v.string(n, "category");
                self.flush();
                s
            }
            _ => None,
        };
        let list = |p: &mut Self, key| p.strings(item, key).into_iter().map(|(s, _)| s).collect();
        let do_ = list(self, "do");
        let dont = list(self, "dont");
        let checklist = list(self, "checklist");
        let mut reference_files = Vec::new();
        for (raw, node) in self.strings(item, "reference_files") {
            match pattern::entry(&raw) {
                Ok(glob) => reference_files.push(KeyFile {
                    raw,
                    glob,
                    line: node.line,
                    col: node.col,
                }),
                Err(why) => {
                    self.problem(node, format!("invalid `reference_files` entry: {why}"));
                }
            }
        }
        let extra = keys
            .iter()
            .filter(|(k, _, _)| !ENTRY_KEYS.contains(k))
            .map(|(k, _, v)| (k.to_string(), (*v).clone()))
            .collect();
        match (id, name, severity, description) {
            (Some(id), Some(name), Some(severity), Some(description)) => {
                self.kb.entries.push(Entry {
                    id,
                    kind,
                    name,
                    severity,
                    category,
                    description,
                    do_,
                    dont,
                    checklist,
                    reference_files,
                    extra,
                    line: start(item).line,
                })
            }
            (Some(id), ..) => self.kb.incomplete.push((id, kind, start(item).line)),
            _ => {}
        }
    }

    fn severity(&mut self, n: &Node) -> Option<KbSeverity> {
        let Some(word) = n.as_str() else {
            self.problem(
                n,
                format!(
                    "`severity` must be one of {}, found {}",
                    rules::NotOneOf(KbSeverity::NAMES).or_list(),
                    n.type_name()
                ),
            );
            return None;
        };
        match word.parse::<KbSeverity>() {
            Ok(s) => Some(s),
            Err(e) => {
                let hint = match word.to_ascii_uppercase().parse::<KbSeverity>() {
                    Ok(s) => format!(" (write it in upper case: `{}`)", s.as_str()),
                    Err(_) => String::new(),
                };
                self.problem(
                    n,
                    format!(
                        "`severity` must be {} (upper case), found `{word}`{hint}",
                        e.or_list()
                    ),
                );
                None
            }
        }
    }

    fn tree(&mut self, item: &Node) {
        if self.mapping(item, "decision_trees", TREE_KEYS).is_none() {
            return;
        }
        let id = self.id(item, TREE, "decision_trees");
        let what = match &id {
            Some(id) => format!("decision tree `{id}`"),
            None => "an entry of `decision_trees`".to_string(),
        };
        let name = self.required(item, &what, "name");
        let steps: Vec<Node> = match item.get("steps") {
            None => {
                self.problem(start(item), format!("{what} has no `steps`"));
                Vec::new()
            }
            Some(n) => match n.as_seq() {
                Some(items) => items.to_vec(),
                None => {
                    self.problem(
                        n,
                        format!("`steps` must be a list, found {}", n.type_name()),
                    );
                    Vec::new()
                }
            },
        };
        let mut refs = Vec::new();
        for step in &steps {
            match &step.kind {
                YamlKind::Scalar { .. } | YamlKind::Map(_) => self.step_refs(step, &mut refs),
                _ => self.problem(
                    step,
                    format!(
                        "a step must be a string or a mapping, found {}",
                        step.type_name()
                    ),
                ),
            }
        }
        if let (Some(id), Some(name)) = (id, name) {
            self.kb.decision_trees.push(DecisionTree {
                id,
                name,
                steps,
                refs,
                line: start(item).line,
            });
        }
    }

    /// The ids a step (or a value inside one) names.
    fn step_refs(&mut self, node: &Node, refs: &mut Vec<StepRef>) {
        match &node.kind {
            YamlKind::Null => {}
            YamlKind::Scalar { value, .. } => {
                if let Some(id) = backquoted_id(value) {
                    refs.push(StepRef {
                        kind: RefKind::Any,
                        id: id.to_string(),
                        line: node.line,
                        col: node.col,
                    });
                }
            }
            YamlKind::Seq(items) => {
                for item in items {
                    self.step_refs(item, refs);
                }
            }
            YamlKind::Map(entries) => {
                for (k, v) in entries {
                    match k.as_str().and_then(RefKind::from_key) {
                        Some(kind) => self.ref_values(kind, k, v, refs),
                        None => self.step_refs(v, refs),
                    }
                }
            }
        }
    }

    /// The value of a `pattern:` (...) key: an id or a list of ids.
    fn ref_values(&mut self, kind: RefKind, key: &Node, v: &Node, refs: &mut Vec<StepRef>) {
        let key = key.as_str().unwrap_or_default();
        let one = |n: &Node| {
            n.as_str()
                .filter(|s| !s.trim().is_empty())
                .map(|s| StepRef {
                    kind,
                    id: s.trim().to_string(),
                    line: n.line,
                    col: n.col,
                })
        };
        let items: Vec<&Node> = match &v.kind {
            YamlKind::Seq(items) => items.iter().collect(),
            _ => vec![v],
        };
        for n in items {
            match one(n) {
                Some(r) => refs.push(r),
                None => self.problem(
                    n,
                    format!(
                        "`{key}` in a step must name an id (a string or a list of strings), \
                         found {}",
                        n.type_name()
                    ),
                ),
            }
        }
    }
}

/// `` `id` `` and nothing else: the id.
fn backquoted_id(s: &str) -> Option<&str> {
    let inner = s.trim().strip_prefix('`')?.strip_suffix('`')?;
    (!inner.is_empty() && !inner.contains(['`', ' ', '\t', '\n'])).then_some(inner)
}

fn unknown_ref(r: &StepRef, tree: &str, kb: &KnowledgeBase) -> String {
    let mut known: Vec<&str> = match r.kind {
        RefKind::Pattern => kb
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Pattern)
            .map(|e| e.id.as_str())
            .collect(),
        RefKind::AntiPattern => kb
            .entries
            .iter()
            .filter(|e| e.kind == Kind::AntiPattern)
            .map(|e| e.id.as_str())
            .collect(),
        RefKind::DecisionTree => kb.decision_trees.iter().map(|t| t.id.as_str()).collect(),
        RefKind::Doc | RefKind::Any => kb.ids().into_iter().collect(),
    };
    known.sort_unstable();
    format!(
        "a step of decision tree `{tree}` names `{}`, which is not {}{}",
        r.id,
        r.kind.what(),
        crate::config::did_you_mean(&r.id, &known)
    )
}

/// A knowledge base read from a snapshot.
#[derive(Debug)]
pub struct Loaded {
    /// The file (repo-relative).
    pub path: String,
    /// Its text (for snippets); empty when it could not be read.
    pub text: String,
    pub kb: KnowledgeBase,
    /// `kb-invalid` problems found while parsing.
    pub problems: Vec<Diagnostic>,
    /// The file was parsed (as YAML, to a mapping): what it holds is
    /// known. `false` when it is too large, an LFS pointer, a link, not
    /// UTF-8 or not YAML: then no id can be judged unknown.
    pub readable: bool,
}

impl Loaded {
    /// Step references that need the docs: `doc:` (a doc id) and `see:` /
    /// a backquoted id (an entry, decision tree or doc id).
    /// Only the references `which` selects (`check` asks about the doc ids
    /// the change removed).
    pub fn step_problems(
        &self,
        doc_ids: &BTreeSet<&str>,
        which: impl Fn(&StepRef) -> bool,
    ) -> Vec<Diagnostic> {
        let ids = self.kb.ids();
        let mut out = Vec::new();
        for tree in &self.kb.decision_trees {
            for r in tree.refs.iter().filter(|r| which(r)) {
                let known = match r.kind {
                    RefKind::Doc => doc_ids.contains(r.id.as_str()),
                    RefKind::Any => {
                        doc_ids.contains(r.id.as_str())
                            || ids.contains(r.id.as_str())
                            || self.kb.has_tree(&r.id)
                    }
                    _ => continue,
                };
                if known {
                    continue;
                }
                let mut msg = unknown_ref(r, &tree.id, &self.kb);
                if r.kind == RefKind::Doc {
                    let docs: Vec<&str> = doc_ids.iter().copied().collect();
                    msg = format!(
                        "a step of decision tree `{}` names `{}`, which is not {}{}",
                        tree.id,
                        r.id,
                        r.kind.what(),
                        crate::config::did_you_mean(&r.id, &docs)
                    );
                }
                out.push(
                    Diagnostic::new(rules::KB_INVALID, msg)
                        .at(&self.path)
                        .at_line(&self.text, r.line, r.col),
                );
            }
        }
        out
    }
}

/// The knowledge base of `snapshot` under `config`: `None` when the layer is
/// not active (the default file is absent). A file named in the config that
/// is absent is an error (exit 2; `checks::require_layers` says it first).
/// A file that cannot be read as text is one `kb-invalid` problem at line 1,
/// never parsed as content. `Err` only when the snapshot cannot be read.
pub fn load(snapshot: &Snapshot<'_>, config: &Config) -> Result<Option<Loaded>> {
    let layer = &config.knowledge_base;
    let path = layer.path.as_str();
    let whole_file = |why: String| Loaded {
        path: path.to_string(),
        text: String::new(),
        kb: KnowledgeBase::default(),
        problems: vec![
            Diagnostic::new(
                rules::KB_INVALID,
                format!("{why}: the knowledge base cannot be read"),
            )
            .at(path)
            .at_line("", 1, 1),
        ],
        readable: false,
    };
    let loaded = match snapshot.read(path)? {
        Read::Missing if layer.explicit => bail!(
            "{} names the knowledge base {path}, which does not exist in the {}",
            config.source.as_deref().unwrap_or(crate::config::FILE_NAME),
            snapshot.describe()
        ),
        Read::Missing => return Ok(None),
        Read::TooLarge(n) => whole_file(format!(
            "{path} is {n} bytes, over docgate's limit of {} bytes",
            crate::snapshot::MAX_FILE_BYTES
        )),
        Read::LfsPointer(p) => whole_file(p.describe(path)),
        Read::Symlink(_) => whole_file(format!(
            "{path} is a symbolic link; docgate follows no links (keep the knowledge base a file)"
        )),
        Read::Bytes(bytes) => {
            let (kb, problems, readable) = parse_bytes_readable(&bytes, path);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            Loaded {
                path: path.to_string(),
                text,
                kb,
                problems,
                readable,
            }
        }
    };
    Ok(Some(loaded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (KnowledgeBase, Vec<String>) {
        let (kb, problems) = parse(text, "kb.yaml");
        let shown = problems
            .iter()
            .map(|d| format!("{}:{}: {}", d.line.unwrap(), d.column.unwrap(), d.message))
            .collect();
        (kb, shown)
    }

    const GOOD: &str = "\
version: 2
metadata: {owner: ml}
patterns:
  - id: additive
    name: Additive feature expansion
    severity: HIGH
    category: ml
    description: Append only.
    do: [Append at the end]
    dont: [Reorder]
    checklist: [Only grew, Version bumped]
    reference_files: [training/features.py, \"inference/**/*.py\", docs/]
    examples: [see docs/post-mortems/2026-02-06.md]
anti_patterns:
  - id: silent-fallback
    name: Silent fallback
    severity: CRITICAL
    description: Catching and returning a default.
    checklist: [fail fast]
decision_trees:
  - id: features
    name: Changing features
    steps:
      - Are you adding a feature?
      - {if: removing, see: silent-fallback, pattern: [additive]}
      - \"`additive`\"
";

    #[test]
    fn a_valid_knowledge_base() {
        let (kb, problems) = parsed(GOOD);
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(kb.entries.len(), 2);
        let e = &kb.entries[0];
        assert_eq!(
            (e.id.as_str(), e.kind, e.severity),
            ("additive", Kind::Pattern, KbSeverity::High)
        );
        assert_eq!(e.checklist, ["Only grew", "Version bumped"]);
        assert_eq!(e.reference_files[2].glob, "docs/**");
        assert_eq!(
            (e.reference_files[0].line, e.reference_files[0].col),
            (12, 23)
        );
        assert_eq!(e.line, 4);
        assert_eq!(e.extra[0].0, "examples");
        assert!(e.mentions("2026-02-06.md"));
        assert!(e.mentions("inference/**"));
        assert!(!e.mentions("silent"));
        assert_eq!(kb.entries[1].kind, Kind::AntiPattern);
        let t = &kb.decision_trees[0];
        let refs: Vec<(&str, RefKind, usize)> = t
            .refs
            .iter()
            .map(|r| (r.id.as_str(), r.kind, r.line))
            .collect();
        assert_eq!(
            refs,
            [
                ("silent-fallback", RefKind::Any, 25),
                ("additive", RefKind::Pattern, 25),
                ("additive", RefKind::Any, 26)
            ]
        );
    }

    #[test]
    fn every_problem_with_its_line() {
        let text = "\
patterns:
  - id: a
    name: A
    severity: high
    description: d
    checklist: fail fast
    refrence_files: [x]
  - id: a
    name: B
    severity: LOW
    description: d
  - name: no id
    severity: URGENT
    description: d
  - just a string
anti-patterns: []
decision_trees:
  - id: t
    name: T
    step: []
  - id: u
    name: U
    steps:
      - {anti_pattern: a}
      - [nested]
";
        let (kb, problems) = parsed(text);
        assert_eq!(
            problems,
            [
                "4:15: `severity` must be CRITICAL, HIGH, MEDIUM or LOW (upper case), found `high` (write it in upper case: `HIGH`)",
                "6:16: `checklist` must be a list, found a string",
                "7:5: unknown key `refrence_files` in an entry of `patterns` (did you mean `reference_files`?)",
                "8:9: id `a` is already used by the pattern on line 2",
                "12:5: an entry of `patterns` has no `id`",
                "13:15: `severity` must be CRITICAL, HIGH, MEDIUM or LOW (upper case), found `URGENT`",
                "15:5: entries of `patterns` must be mappings, found a string",
                "16:1: unknown top-level key `anti-patterns` (did you mean `anti_patterns`?): spelled this way its entries would not be read",
                "18:5: decision tree `t` has no `steps`",
                "20:5: unknown key `step` in an entry of `decision_trees` (did you mean `steps`?)",
                "24:24: a step of decision tree `u` names `a`, which is not an anti-pattern of the knowledge base",
                "25:9: a step must be a string or a mapping, found a list",
            ]
        );
        // `a` is incomplete (bad severity): its id exists, it is not an entry.
        assert!(kb.entries.is_empty(), "{:?}", kb.entries);
        assert_eq!(kb.ids().into_iter().collect::<Vec<_>>(), ["a"]);
        // The second `a` (B) is no entry: its id was refused.
        assert_eq!(kb.decision_trees.len(), 2);
    }

    #[test]
    fn the_top_level_must_be_a_mapping_and_lists_lists() {
        let (_, p) = parsed("- a\n");
        assert_eq!(
            p,
            [
                "1:1: the knowledge base must be a mapping with `patterns`, `anti_patterns` and `decision_trees`, found a list"
            ]
        );
        let (_, p) = parsed("patterns: {id: a}\nversion: [1]\nmetadata: x\nnotes: free\n");
        assert_eq!(
            p,
            [
                "1:11: `patterns` must be a list, found a mapping",
                "2:10: `version` must be a string or a number, found a list",
                "3:11: `metadata` must be a mapping, found a string",
            ]
        );
        let (kb, p) = parsed("# nothing yet\n");
        assert!(p.is_empty() && kb.entries.is_empty());
        let (_, p) = parsed("patterns: ~\nanti_patterns:\n");
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn aliases_deep_nesting_and_bad_bytes_are_refused_with_the_exact_error() {
        let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\npatterns: [*c]\n";
        let (_, p) = parsed(bomb);
        assert_eq!(
            p,
            [
                "2:8: invalid YAML: YAML aliases are not supported; quote values that start with `*`; the knowledge base cannot be read"
            ]
        );
        let deep = format!("patterns:\n{}x\n", "- ".repeat(5_000));
        let (_, p) = parsed(&deep);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].ends_with(
                ": invalid YAML: nesting deeper than 64 levels; the knowledge base cannot be read"
            ),
            "{p:?}"
        );
        let (_, p) = parse_bytes(b"patterns:\n  - id: \xff\n", "kb.yaml");
        assert_eq!(
            p[0].message,
            "not valid UTF-8 (byte 0xFF): the knowledge base cannot be read"
        );
        assert_eq!((p[0].line, p[0].column), (Some(2), Some(9)));
        let (_, p) = parsed("patterns: []\0\n");
        assert!(p[0].contains("NUL"), "{p:?}");
    }

    #[test]
    fn invalid_reference_files_are_problems_and_the_others_are_kept() {
        let (kb, p) = parsed(
            "patterns:\n  - id: a\n    name: A\n    severity: LOW\n    description: d\n    reference_files: [/etc/passwd, \"a/[\", ok.py, true, \"\"]\n",
        );
        assert_eq!(
            p,
            [
                "6:23: invalid `reference_files` entry: `/etc/passwd` is absolute; paths are relative to the repository root",
                "6:36: invalid `reference_files` entry: unclosed character class; missing ']'",
                "6:50: `reference_files` entries must be strings, found a boolean",
                "6:56: `reference_files` entries must not be empty",
            ]
        );
        let kept: Vec<&str> = kb.entries[0]
            .reference_files
            .iter()
            .map(|r| r.raw.as_str())
            .collect();
        assert_eq!(kept, ["ok.py"]);
    }

    #[test]
    fn severities_parse_exactly() {
        assert_eq!("CRITICAL".parse::<KbSeverity>(), Ok(KbSeverity::Critical));
        assert!("Critical".parse::<KbSeverity>().is_err());
        assert!(KbSeverity::Critical < KbSeverity::Low);
        assert_eq!("anti_pattern".parse::<Kind>(), Ok(Kind::AntiPattern));
    }
}
