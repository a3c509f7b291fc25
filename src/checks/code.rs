//! The code rules for model-serving code (SPEC §6): `forbidden-import`
//! (directly, or reached through the repository's own modules, with the
//! chain printed), `silent-fallback` (an `except` handler that can finish
//! without raising, `contextlib.suppress`, a `return` in `finally`), their
//! `# docgate: allow[<rule>] <reason>` comments (`suppression-invalid`) and
//! `python-parse-error` for a file they read that is not Python to the
//! parser (never taken for clean).
//!
//! `lint` reports everywhere. `check` reports only what the change wrote:
//! findings on lines it added or modified (git's diff of the two blobs,
//! computed only for the files these rules read), and import chains with a
//! hop on such a line, so an unchanged inference file is reported when the
//! change makes a module it imports bring in a forbidden one.
//!
//! The import graph is built once per run, only over the files reachable
//! from the rules' paths, in waves whose files are parsed in parallel.

pub mod cfg;
pub mod suppress;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use anyhow::{Result, bail};
use serde::Serialize;

use super::{Ctx, Sink};
use crate::config::{CodeConfig, ForbiddenImport};
use crate::diagnostic::{self as rules, Diagnostic};
use crate::git::change::ChangedFile;
use crate::python::handlers::{ExitKind, Fallback, FallbackKind};
use crate::python::imports::Import;
use crate::python::modules::{Modules, Resolved};
use crate::snapshot::{Entry, Snapshot};
use suppress::Suppression;

/// What the code rules read, for the report's `checked` section.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CodeSummary {
    /// Python files parsed (in the rules' paths, or reached by their imports).
    pub python_files: usize,
    /// Of those, files that could not be parsed or read.
    pub unparsable: usize,
    /// Import statements and calls read.
    pub imports: usize,
    /// Valid `# docgate: allow[...]` comments that suppressed something.
    pub suppressed: usize,
}

/// One import of a file, resolved.
struct Hop {
    import: Import,
    resolved: Resolved,
    source_line: String,
}

/// A file as the code rules read it.
enum Parsed {
    Ok(ParsedFile),
    /// Not Python to the parser, or not readable as text: (line, column, why).
    Broken(usize, usize, String),
}

struct ParsedFile {
    hops: Vec<Hop>,
    /// The imports were extracted (a file read only for its handlers has none).
    with_imports: bool,
    /// Only for files under `silent_fallback.paths`.
    fallbacks: Vec<(Fallback, String)>,
    suppressions: Vec<(Suppression, String)>,
    /// Head bytes, kept only in `check` for the changed-line diff.
    head: Option<Vec<u8>>,
}

fn line_text(starts: &[usize], text: &str, line: usize) -> String {
    let Some(&start) = starts.get(line.wrapping_sub(1)) else {
        return String::new();
    };
    let end = starts.get(line).map_or(text.len(), |e| e.saturating_sub(1));
    text.get(start..end.max(start))
        .unwrap_or_default()
        .trim_end_matches('\r')
        .to_string()
}

/// Parse one file's text into what the rules need.
fn parse_file(text: &str, want_imports: bool, want_fallbacks: bool, keep: bool) -> Parsed {
    let tree = match crate::python::parse_code(text) {
        Ok(t) => t,
        Err(e) => return Parsed::Broken(e.line, e.column, e.message),
    };
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let hops = if want_imports {
        crate::python::imports::imports(&tree, text)
            .into_iter()
            .filter(|i| !i.type_checking)
            .map(|import| Hop {
                source_line: line_text(&starts, text, import.line),
                import,
                resolved: Resolved::default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let fallbacks = if want_fallbacks {
        crate::python::handlers::fallbacks(&tree, text)
            .into_iter()
            .map(|f| {
                let l = line_text(&starts, text, f.line);
                (f, l)
            })
            .collect()
    } else {
        Vec::new()
    };
    let suppressions = suppress::suppressions(&tree, text)
        .into_iter()
        .map(|s| {
            let l = line_text(&starts, text, s.line);
            (s, l)
        })
        .collect();
    Parsed::Ok(ParsedFile {
        hops,
        fallbacks,
        suppressions,
        head: keep.then(|| text.as_bytes().to_vec()),
        with_imports: want_imports,
    })
}

/// The files read so far.
struct Store<'s> {
    head: &'s Snapshot<'s>,
    entries: HashMap<String, &'s Entry>,
    parsed: BTreeMap<String, Parsed>,
    /// Files whose head bytes are kept (`check`: the changed ones, for the diff).
    keep_text: HashSet<String>,
}

impl Store<'_> {
    /// Read and parse `paths` (not yet parsed), in parallel.
    fn load(
        &mut self,
        paths: Vec<String>,
        want_imports: &(dyn Fn(&str) -> bool + Sync),
        want_fallbacks: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<()> {
        let mut texts = Vec::new();
        for p in paths {
            if self.parsed.contains_key(&p) {
                continue;
            }
            let Some(entry) = self.entries.get(&p) else {
                continue;
            };
            match self.head.read_entry(entry)? {
                crate::snapshot::Read::Bytes(bytes) => match crate::python::decode_source(bytes) {
                    Ok(t) => texts.push((p, t)),
                    Err(e) => {
                        self.parsed
                            .insert(p, Parsed::Broken(e.line, e.column, e.message));
                    }
                },
                other => {
                    let why = other.into_text(&p).err().unwrap_or_default();
                    self.parsed.insert(p, Parsed::Broken(1, 1, why));
                }
            }
        }
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, 8)
            .min(texts.len().max(1));
        let chunk = texts.len().div_ceil(workers).max(1);
        let keep = &self.keep_text;
        let results: Vec<Vec<(String, Parsed)>> = std::thread::scope(|scope| {
            let jobs: Vec<_> = texts
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(p, t)| {
                                (
                                    p.clone(),
                                    parse_file(
                                        t,
                                        want_imports(p),
                                        want_fallbacks(p),
                                        keep.contains(p),
                                    ),
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            jobs.into_iter()
                .map(|j| {
                    j.join()
                        .map_err(|_| anyhow::anyhow!("a parser thread panicked"))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        for (p, parsed) in results.into_iter().flatten() {
            self.parsed.insert(p, parsed);
        }
        Ok(())
    }
}

/// Changed lines per file, computed on first use (`check` only).
struct Changed<'c> {
    files: HashMap<&'c str, &'c ChangedFile>,
    change: &'c crate::git::change::Change<'c>,
    lines: HashMap<String, HashSet<usize>>,
}

impl Changed<'_> {
    fn touched(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Did the change add or modify any line of `from..=to` in `path`?
    fn any(&mut self, store: &Store<'_>, path: &str, from: usize, to: usize) -> Result<bool> {
        let Some(file) = self.files.get(path).copied() else {
            return Ok(false);
        };
        if !self.lines.contains_key(path) {
            // Every touched file's head bytes are kept (`Store::keep_text`):
            // a missing one is a docgate bug, never "no changed lines".
            let Some(Parsed::Ok(ParsedFile {
                head: Some(head), ..
            })) = store.parsed.get(path)
            else {
                bail!("docgate bug: the head of {path} was not kept for its changed lines");
            };
            let lines = self.change.changed_lines(file, head)?;
            self.lines.insert(path.to_string(), lines);
        }
        let lines = &self.lines[path];
        Ok((from..=to.max(from)).any(|l| lines.contains(&l)))
    }
}

/// A forbidden-import chain: hops (file, line, end line) then the module.
struct Chain {
    hops: Vec<(String, usize, usize)>,
    module: String,
}

impl Chain {
    fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .hops
            .iter()
            .map(|(f, l, _)| format!("{f}:{l}"))
            .collect();
        parts.push(self.module.clone());
        parts.join(" → ")
    }
}

pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let code = &ctx.config.code;
    if !code.active() {
        return Ok(());
    }
    let entries = ctx.head.entries_under("")?;
    let py: Vec<(String, &Entry)> = entries
        .iter()
        .filter(|e| e.raw.ends_with(b".py"))
        .map(|e| (String::from_utf8_lossy(&e.raw).into_owned(), e))
        .collect();
    require_matches(ctx, code, &py)?;
    let mut changed = ctx.change.as_ref().map(|c| Changed {
        files: c
            .change
            .files
            .iter()
            .filter(|f| f.status != crate::git::change::Status::Deleted)
            .map(|f| (f.path.as_str(), f))
            .collect(),
        change: c.change,
        lines: HashMap::new(),
    });
    let mut summary = CodeSummary::default();
    if let Some(ch) = &changed
        && !ch.files.keys().any(|p| p.ends_with(".py"))
    {
        // Nothing the change wrote is Python: no line these rules report on.
        sink.checked.code = Some(summary);
        return Ok(());
    }
    let in_import_scope = |p: &str| code.forbidden_imports.iter().any(|r| r.matcher.is_match(p));
    let in_fallback_scope = |p: &str| {
        code.silent_fallback
            .matcher
            .as_ref()
            .is_some_and(|m| m.is_match(p))
    };
    // `check` reports fallbacks only on changed lines: files the change did
    // not touch are not analysed for them (they may still be read for imports).
    let touched: Option<HashSet<String>> = changed
        .as_ref()
        .map(|ch| ch.files.keys().map(|p| p.to_string()).collect());
    let fallbacks_wanted =
        |p: &str| in_fallback_scope(p) && touched.as_ref().is_none_or(|t| t.contains(p));
    let modules = Modules::new(py.iter().map(|(p, _)| p.clone()), &code.python.source_roots);
    let mut store = Store {
        head: ctx.head,
        entries: py.iter().map(|(p, e)| (p.clone(), *e)).collect(),
        parsed: BTreeMap::new(),
        keep_text: touched.clone().unwrap_or_default(),
    };
    // `check`: a chain is reported only when one of its hops is an import on
    // a changed line, and such an import is in a file the change touched. The
    // touched files are read first; when none of them has an import (or a
    // `forbidden-import` suppression) on a changed line, no chain can be the
    // change's, and the import graph is not built at all.
    let mut graph_needed = !code.forbidden_imports.is_empty();
    if graph_needed && let (Some(ch), Some(t)) = (&mut changed, &touched) {
        let mut first: Vec<String> = t
            .iter()
            .filter(|p| store.entries.contains_key(*p))
            .cloned()
            .collect();
        first.sort();
        store.load(first.clone(), &|_| true, &fallbacks_wanted)?;
        graph_needed = false;
        'files: for p in &first {
            let Some(Parsed::Ok(f)) = store.parsed.get(p) else {
                continue;
            };
            let lines: Vec<(usize, usize)> = f
                .hops
                .iter()
                .map(|h| (h.import.line, h.import.end_line))
                .chain(
                    f.suppressions
                        .iter()
                        .filter(|(s, _)| s.rules.iter().any(|r| r == rules::FORBIDDEN_IMPORT.id))
                        .map(|(s, _)| (s.line, s.line)),
                )
                .collect();
            for (from, to) in lines {
                if ch.any(&store, p, from, to)? {
                    graph_needed = true;
                    break 'files;
                }
            }
        }
    }
    // The import graph, in waves from the rules' paths: every file an import
    // reaches is read once, with its imports (it may import further).
    let mut wave: Vec<String> = py
        .iter()
        .map(|(p, _)| p.clone())
        .filter(|p| (graph_needed && in_import_scope(p)) || fallbacks_wanted(p))
        .collect();
    let mut in_graph: HashSet<String> = wave
        .iter()
        .filter(|p| graph_needed && in_import_scope(p))
        .cloned()
        .collect();
    while !wave.is_empty() {
        let want_imports = |p: &str| in_graph.contains(p);
        store.load(wave.clone(), &want_imports, &fallbacks_wanted)?;
        let mut next = Vec::new();
        for p in &wave {
            if !in_graph.contains(p) {
                continue;
            }
            if let Some(Parsed::Ok(f)) = store.parsed.get_mut(p) {
                for hop in &mut f.hops {
                    hop.resolved = modules.resolve(p, &hop.import);
                    for t in &hop.resolved.files {
                        next.push(t.clone());
                    }
                }
            }
        }
        next.sort();
        next.dedup();
        next.retain(|t| !store.parsed.contains_key(t) || !in_graph.contains(t));
        // A file first read for its handlers may be reached by an import:
        // read it again with its imports (only then; a broken file stays broken).
        for t in &next {
            if in_graph.insert(t.clone())
                && matches!(store.parsed.get(t), Some(Parsed::Ok(f)) if !f.with_imports)
            {
                store.parsed.remove(t);
            }
        }
        wave = next;
    }
    summary.python_files = store.parsed.len();
    summary.unparsable = store
        .parsed
        .values()
        .filter(|p| matches!(p, Parsed::Broken(..)))
        .count();
    summary.imports = store
        .parsed
        .values()
        .map(|p| match p {
            Parsed::Ok(f) => f.hops.len(),
            Parsed::Broken(..) => 0,
        })
        .sum();

    let mut found: Vec<Diagnostic> = Vec::new();
    // Suppressions used: (file, line of the comment).
    let mut used: HashSet<(String, usize)> = HashSet::new();
    let allowed = |store: &Store<'_>, path: &str, rule: &str, line: usize| -> Option<usize> {
        match store.parsed.get(path) {
            Some(Parsed::Ok(f)) => f
                .suppressions
                .iter()
                .find(|(s, _)| s.allows(rule, line))
                .map(|(s, _)| s.line),
            _ => None,
        }
    };

    // forbidden-import.
    for rule in code.forbidden_imports.iter().filter(|_| graph_needed) {
        let graph = RuleGraph::build(rule, &store, &allowed);
        let mut reported: HashSet<(&str, usize, usize)> = HashSet::new();
        for (p, f) in &store.parsed {
            let Parsed::Ok(f) = f else { continue };
            for hop in &f.hops {
                let line = hop.import.line;
                let reaches = graph.reaches(hop);
                if reaches.is_none() {
                    continue;
                }
                let suppressed = allowed(&store, p, rules::FORBIDDEN_IMPORT.id, line);
                if let Some(at) = suppressed {
                    // It suppresses something when its file is under the
                    // rule's paths or reached from there.
                    if graph.reached.contains(p.as_str()) {
                        used.insert((p.clone(), at));
                    }
                    continue;
                }
                if !rule.matcher.is_match(p) {
                    continue;
                }
                let chain = graph.chain(p, hop);
                if let Some(ch) = &mut changed {
                    let mut hit = false;
                    for (file, from, to) in &chain.hops {
                        if ch.any(&store, file, *from, *to)? {
                            hit = true;
                            break;
                        }
                    }
                    if !hit {
                        continue;
                    }
                }
                // `import ray, ray.serve` is one statement: one finding.
                if !reported.insert((p.as_str(), hop.import.line, hop.import.column)) {
                    continue;
                }
                found.push(forbidden_finding(rule, p, hop, &chain));
            }
        }
    }

    // silent-fallback.
    for (p, f) in &store.parsed {
        let Parsed::Ok(f) = f else { continue };
        for (fb, source) in &f.fallbacks {
            if let Some(at) = allowed(&store, p, rules::SILENT_FALLBACK.id, fb.line) {
                used.insert((p.clone(), at));
                continue;
            }
            if let Some(ch) = &mut changed
                && !ch.any(&store, p, fb.line, fb.end_line)?
            {
                continue;
            }
            found.push(fallback_finding(p, fb, source));
        }
    }

    summary.suppressed = used.len();

    // Suppressions that are invalid, or suppress nothing.
    for (p, f) in &store.parsed {
        let Parsed::Ok(f) = f else { continue };
        for (s, source) in &f.suppressions {
            let problem = match &s.problem {
                Some(problem) => problem.clone(),
                None if used.contains(&(p.clone(), s.line)) => continue,
                None => format!(
                    "`{}` suppresses nothing: no {} finding on this line or the next",
                    s.text,
                    s.rules.join(" or ")
                ),
            };
            if let Some(ch) = &mut changed
                && !ch.any(&store, p, s.line, s.line)?
            {
                continue;
            }
            let mut d = Diagnostic::new(rules::SUPPRESSION_INVALID, problem).at(p.clone());
            d.line = Some(s.line);
            d.column = Some(s.column);
            d.source_line = Some(source.clone());
            found.push(d);
        }
    }

    // Files that are not Python to the parser.
    let reported_broken: Vec<&String> = match &mut changed {
        None => store
            .parsed
            .iter()
            .filter(|(_, f)| matches!(f, Parsed::Broken(..)))
            .map(|(p, _)| p)
            .collect(),
        Some(ch) => broken_in_change(&store, ch)?,
    };
    for p in reported_broken {
        if let Some(Parsed::Broken(line, column, why)) = store.parsed.get(p) {
            let mut d = Diagnostic::new(
                rules::PYTHON_PARSE_ERROR,
                format!(
                    "cannot be read as Python ({why}, line {line}, column {column}): nothing in it was \
                     checked for {}",
                    reading_rules(p, &in_import_scope, &in_fallback_scope)
                ),
            )
            .at(p.clone());
            d.line = Some(*line);
            d.column = Some(*column);
            found.push(d);
        }
    }
    sink.checked.code = Some(summary);
    sink.extend(found);
    Ok(())
}

/// Which rules read `path` (for a parse error's message).
fn reading_rules(
    path: &str,
    imports: &dyn Fn(&str) -> bool,
    fallbacks: &dyn Fn(&str) -> bool,
) -> String {
    match (imports(path), fallbacks(path)) {
        (true, true) => "forbidden-import and silent-fallback".into(),
        (true, false) => "forbidden-import".into(),
        (false, true) => "silent-fallback".into(),
        // Read because code under a rule's paths imports it.
        (false, false) => "forbidden-import (code under the rules' paths imports it, so what it imports is unknown)".into(),
    }
}

/// `check`: the broken files the change touched, and those an import on a
/// changed line reaches (their imports are unknown, so the chain is).
fn broken_in_change<'s>(store: &'s Store<'_>, ch: &mut Changed<'_>) -> Result<Vec<&'s String>> {
    let mut out = BTreeSet::new();
    let mut queue = VecDeque::new();
    for (p, f) in &store.parsed {
        match f {
            Parsed::Broken(..) if ch.touched(p) => {
                out.insert(p);
            }
            Parsed::Ok(f) => {
                for hop in &f.hops {
                    if ch.touched(p) && ch.any(store, p, hop.import.line, hop.import.end_line)? {
                        queue.extend(hop.resolved.files.iter());
                    }
                }
            }
            Parsed::Broken(..) => {}
        }
    }
    let mut seen = HashSet::new();
    while let Some(t) = queue.pop_front() {
        if !seen.insert(t) {
            continue;
        }
        match store.parsed.get_key_value(t) {
            Some((k, Parsed::Broken(..))) => {
                out.insert(k);
            }
            Some((_, Parsed::Ok(f))) => {
                for hop in &f.hops {
                    queue.extend(hop.resolved.files.iter());
                }
            }
            None => {}
        }
    }
    Ok(out.into_iter().collect())
}

/// A configured rule whose paths match no Python file checks nothing: an
/// error (exit 2), like a configured layer file that does not exist.
fn require_matches(ctx: &Ctx<'_>, code: &CodeConfig, py: &[(String, &Entry)]) -> Result<()> {
    let mut dead = Vec::new();
    for rule in &code.forbidden_imports {
        if !py.iter().any(|(p, _)| rule.matcher.is_match(p)) {
            dead.push(format!(
                "forbidden_imports `{}` (line {}): paths {}",
                rule.id,
                rule.site.1,
                rule.paths.join(", ")
            ));
        }
    }
    if let Some(m) = &code.silent_fallback.matcher
        && !py.iter().any(|(p, _)| m.is_match(p))
    {
        dead.push(format!(
            "silent_fallback (line {}): paths {}",
            code.silent_fallback.site.as_ref().map_or(0, |s| s.1),
            code.silent_fallback.paths.join(", ")
        ));
    }
    if !dead.is_empty() {
        bail!(
            "{}: these code rules match no Python file in the {}, so they would check nothing: {}. \
             Fix the globs (they are repository-relative, like `inference/**/*.py`)",
            ctx.config
                .source
                .as_deref()
                .unwrap_or(crate::config::FILE_NAME),
            ctx.head.describe(),
            dead.join("; ")
        );
    }
    Ok(())
}

/// One rule's view of the graph: for each file, the shortest way to a
/// forbidden module (the next hop), and the files its paths reach.
struct RuleGraph<'s> {
    rule: &'s ForbiddenImport,
    /// file → (distance, the hop's index in the file, the next file or `None` at a forbidden import).
    next: HashMap<&'s str, (usize, usize, Option<&'s str>)>,
    /// Files under the rule's paths, and every file their imports reach.
    reached: HashSet<&'s str>,
    store: &'s Store<'s>,
}

type Allowed<'a> = dyn Fn(&Store<'_>, &str, &str, usize) -> Option<usize> + 'a;

impl<'s> RuleGraph<'s> {
    fn build(
        rule: &'s ForbiddenImport,
        store: &'s Store<'s>,
        allowed: &Allowed<'_>,
    ) -> RuleGraph<'s> {
        let mut next: HashMap<&str, (usize, usize, Option<&str>)> = HashMap::new();
        // Reverse edges: target → (importer, hop index); suppressed hops are no edges.
        let mut importers: HashMap<&str, Vec<(&str, usize)>> = HashMap::new();
        let mut frontier: Vec<&str> = Vec::new();
        for (p, f) in &store.parsed {
            let Parsed::Ok(f) = f else { continue };
            for (i, hop) in f.hops.iter().enumerate() {
                if allowed(store, p, rules::FORBIDDEN_IMPORT.id, hop.import.line).is_some() {
                    continue;
                }
                if hop.resolved.names.iter().any(|n| rule.forbids(n).is_some()) {
                    if !next.contains_key(p.as_str()) {
                        next.insert(p, (0, i, None));
                        frontier.push(p);
                    }
                    continue;
                }
                for t in &hop.resolved.files {
                    importers.entry(t).or_default().push((p, i));
                }
            }
        }
        // Breadth first from the forbidden imports, level by level in path
        // order, so the chain printed is the shortest and always the same.
        let mut dist = 0;
        while !frontier.is_empty() {
            dist += 1;
            let mut level: Vec<(&str, usize, &str)> = Vec::new();
            for t in &frontier {
                for (p, i) in importers.get(t).map(Vec::as_slice).unwrap_or_default() {
                    if !next.contains_key(p) {
                        level.push((p, *i, t));
                    }
                }
            }
            level.sort();
            let mut new = Vec::new();
            for (p, i, t) in level {
                if !next.contains_key(p) {
                    next.insert(p, (dist, i, Some(t)));
                    new.push(p);
                }
            }
            frontier = new;
        }
        // Forward: what the rule's paths reach.
        let mut reached: HashSet<&str> = HashSet::new();
        let mut stack: Vec<&str> = store
            .parsed
            .keys()
            .map(String::as_str)
            .filter(|p| rule.matcher.is_match(p))
            .collect();
        while let Some(p) = stack.pop() {
            if !reached.insert(p) {
                continue;
            }
            if let Some(Parsed::Ok(f)) = store.parsed.get(p) {
                for hop in &f.hops {
                    stack.extend(hop.resolved.files.iter().map(String::as_str));
                }
            }
        }
        RuleGraph {
            rule,
            next,
            reached,
            store,
        }
    }

    /// Does this import lead to a module the rule forbids (ignoring any
    /// suppression on the import itself)?
    fn reaches(&self, hop: &Hop) -> Option<()> {
        if hop
            .resolved
            .names
            .iter()
            .any(|n| self.rule.forbids(n).is_some())
        {
            return Some(());
        }
        hop.resolved
            .files
            .iter()
            .any(|t| self.next.contains_key(t.as_str()))
            .then_some(())
    }

    /// The shortest chain from this import of `file` to a forbidden module.
    fn chain(&self, file: &str, hop: &Hop) -> Chain {
        let mut hops = vec![(file.to_string(), hop.import.line, hop.import.end_line)];
        let direct = hop
            .resolved
            .names
            .iter()
            .find_map(|n| self.rule.forbids(n).map(|_| n.clone()));
        if let Some(module) = direct {
            return Chain { hops, module };
        }
        let mut at = hop
            .resolved
            .files
            .iter()
            .filter_map(|t| self.next.get(t.as_str()).map(|n| (n.0, t.as_str())))
            .min()
            .map(|(_, t)| t);
        let mut guard = 0;
        while let Some(t) = at {
            guard += 1;
            let (Some((_, i, after)), Some(Parsed::Ok(f))) =
                (self.next.get(t), self.store.parsed.get(t))
            else {
                break;
            };
            let h = &f.hops[*i];
            hops.push((t.to_string(), h.import.line, h.import.end_line));
            if after.is_none() || guard > self.next.len() {
                let module = h
                    .resolved
                    .names
                    .iter()
                    .find(|n| self.rule.forbids(n).is_some())
                    .cloned()
                    .unwrap_or_default();
                return Chain { hops, module };
            }
            at = *after;
        }
        Chain {
            hops,
            module: String::new(),
        }
    }
}

/// The import as written on its first line, without a trailing comment: an
/// import statement up to `#`, a call up to its first `)`.
fn written(hop: &Hop) -> String {
    use crate::python::imports::ImportKind;
    let from: String = hop
        .source_line
        .chars()
        .skip(hop.import.column.saturating_sub(1))
        .collect();
    let text = match hop.import.kind {
        ImportKind::Import | ImportKind::From => {
            from.split('#').next().unwrap_or_default().to_string()
        }
        ImportKind::ImportModule | ImportKind::DunderImport => match from.find(')') {
            Some(i) => from[..=i].to_string(),
            None => from,
        },
    };
    let text = text.trim();
    if hop.import.end_line > hop.import.line {
        format!("{text} ...")
    } else {
        text.to_string()
    }
}

fn forbidden_finding(rule: &ForbiddenImport, path: &str, hop: &Hop, chain: &Chain) -> Diagnostic {
    let written = written(hop);
    let message = if chain.hops.len() == 1 {
        format!(
            "`{written}` imports `{}`, which `{}` forbids under {}: {}",
            chain.module,
            rule.id,
            rule.paths.join(", "),
            rule.reason
        )
    } else {
        format!(
            "`{written}` brings in `{}` through the repository's modules ({}), which `{}` forbids \
             under {}: {}",
            chain.module,
            chain.describe(),
            rule.id,
            rule.paths.join(", "),
            rule.reason
        )
    };
    let mut d = Diagnostic::new(rules::FORBIDDEN_IMPORT, message).at(path);
    d.line = Some(hop.import.line);
    d.column = Some(hop.import.column);
    d.source_line = Some(hop.source_line.clone());
    d
}

fn fallback_finding(path: &str, fb: &Fallback, source: &str) -> Diagnostic {
    let clause = match (fb.kind, fb.catches.is_empty()) {
        (FallbackKind::Except, true) => "a bare `except:`".to_string(),
        (FallbackKind::Except, false) => format!("`except {}:`", fb.catches),
        (FallbackKind::ExceptStar, _) => format!("`except* {}:`", fb.catches),
        (FallbackKind::Suppress, _) => format!("`suppress({})`", fb.catches),
        (FallbackKind::FinallyExit, _) => "this `finally` block".to_string(),
    };
    let how = match (fb.kind, fb.exit) {
        (FallbackKind::Suppress, _) | (_, ExitKind::Suppressed) => {
            "drops the exception without a trace: the code after it runs as if nothing failed"
                .to_string()
        }
        (FallbackKind::FinallyExit, exit) => format!(
            "{} at line {}, which discards any exception in flight",
            match exit {
                ExitKind::Breaks => "breaks out of the loop",
                ExitKind::Continues => "continues the loop",
                _ => "returns",
            },
            fb.exit_line
        ),
        (_, ExitKind::FallsThrough) => format!(
            "can finish without raising: its body runs to its end (line {}) with no `raise` on that path",
            fb.exit_line
        ),
        (_, ExitKind::Returns) => format!(
            "can finish without raising: it returns at line {} instead of raising",
            fb.exit_line
        ),
        (_, ExitKind::Breaks) => format!(
            "can finish without raising: it breaks out of the loop at line {}",
            fb.exit_line
        ),
        (_, ExitKind::Continues) => format!(
            "can finish without raising: it continues the loop at line {}",
            fb.exit_line
        ),
    };
    let mut d = Diagnostic::new(
        rules::SILENT_FALLBACK,
        format!("{clause} {how}; logging is not handling, so a failure here falls back silently"),
    )
    .at(path);
    d.line = Some(fb.line);
    d.column = Some(fb.column);
    d.source_line = Some(source.to_string());
    d
}
