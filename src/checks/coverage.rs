//! "Documentation update is part of the fix": doc-not-updated,
//! uncovered-change, stale-key-file, last-updated-not-bumped.

pub mod cfg;

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;

use super::{Checked, Ctx, DocChanges, DocToRead, Sink};
use crate::config::Config;
use crate::date::parse_date;
use crate::diagnostic::{self as rules, Diagnostic};
use crate::docs::{CoverageIndex, Doc, DocSet, KeyFile};
use crate::git::change::{Change, ChangedFile, Status};
use crate::pattern;
use crate::snapshot::Snapshot;

/// The check: in a change, each changed file against its covering docs;
/// in `lint`, key_files that match nothing.
pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let mut out = Vec::new();
    match &ctx.change {
        Some(c) => {
            let to_read = in_change(
                c.change,
                ctx.config,
                ctx.docs,
                c.docs,
                &mut sink.checked,
                &mut out,
            )?;
            sink.docs_to_read = to_read;
        }
        None => lint(ctx.head, ctx.docs, &mut out)?,
    }
    sink.extend(out);
    Ok(())
}

/// Below this many changed files the coverage loop runs on one thread.
const PART_FILES: usize = 2048;

/// What one part of the changed files gave.
#[derive(Default)]
struct Part {
    to_read: BTreeMap<String, DocToRead>,
    out: Vec<Diagnostic>,
    ignored: usize,
    covered: usize,
}

/// Covering docs by identity (path at head), with the entries that matched.
type Covering<'d> = BTreeMap<String, (&'d Doc, Vec<&'d KeyFile>)>;

fn in_change(
    change: &Change<'_>,
    config: &Config,
    head_docs: &DocSet,
    doc_changes: &DocChanges,
    checked: &mut Checked,
    out: &mut Vec<Diagnostic>,
) -> Result<Vec<DocToRead>> {
    let mut to_read: BTreeMap<String, DocToRead> = BTreeMap::new();
    // Coverage is the union of key_files at base and at head, so a change
    // cannot exempt itself by editing key_files.
    let index = CoverageIndex::build(head_docs.docs.iter().chain(&doc_changes.base_versions))?;
    let head_by_path: HashMap<&str, &Doc> = head_docs
        .docs
        .iter()
        .map(|d| (d.path.as_str(), d))
        .collect();
    // Each changed file is judged on its own: in parts over the cores, put
    // back together in file order (a large range has tens of thousands).
    let judge = |files: &[ChangedFile]| {
        let mut part = Part::default();
        for file in files {
            if file.paths().all(|p| config.coverage.ignore.is_match(p)) {
                part.ignored += 1;
                continue;
            }
            let covering = covering(file, &index, head_docs, doc_changes);
            if covering.is_empty() {
                if file.paths().any(|p| config.coverage.require.is_match(p)) {
                    part.out.push(uncovered(file));
                }
                continue;
            }
            part.covered += 1;
            add_to_read(&mut part.to_read, file, &covering, &head_by_path);
            if let Some(d) = not_updated(file, &covering, config, doc_changes) {
                part.out.push(d);
            }
        }
        part
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    let chunk = change.files.len().div_ceil(threads).max(PART_FILES);
    let parts: Vec<Part> = if change.files.len() <= chunk {
        vec![judge(&change.files)]
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = change
                .files
                .chunks(chunk)
                .map(|files| scope.spawn(move || judge(files)))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("a coverage worker panicked"))
                .collect()
        })
    };
    for part in parts {
        checked.ignored_files += part.ignored;
        checked.covered_files += part.covered;
        out.extend(part.out);
        for (key, doc) in part.to_read {
            match to_read.entry(key) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(doc);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => {
                    o.get_mut().covers.extend(doc.covers);
                }
            }
        }
    }
    stale_in_change(change, &head_by_path, doc_changes, &index, out)?;
    last_updated(change, head_docs, doc_changes, out);
    Ok(to_read.into_values().collect())
}

/// The docs covering a changed file (at either of its paths).
fn covering<'d>(
    file: &ChangedFile,
    index: &CoverageIndex<'d>,
    head_docs: &DocSet,
    doc_changes: &DocChanges,
) -> Covering<'d> {
    let head_range = head_docs.docs.as_ptr_range();
    let mut covering: Covering<'d> = BTreeMap::new();
    for p in file.paths() {
        for (doc, kf) in index.covering(p) {
            let at_head = head_range.contains(&std::ptr::from_ref(doc));
            let identity = doc_changes.identity(doc, at_head);
            let slot = covering.entry(identity).or_insert((doc, Vec::new()));
            if !slot.1.iter().any(|k| k.raw == kf.raw) {
                slot.1.push(kf);
            }
        }
    }
    covering
}

/// The covering docs a reviewer must read: those at head (a doc the change
/// deleted cannot be linked there).
fn add_to_read(
    to_read: &mut BTreeMap<String, DocToRead>,
    file: &ChangedFile,
    covering: &Covering<'_>,
    head_by_path: &HashMap<&str, &Doc>,
) {
    for key in covering.keys() {
        let Some(doc) = head_by_path.get(key.as_str()) else {
            continue;
        };
        to_read
            .entry(key.to_string())
            .or_insert_with(|| DocToRead {
                id: doc.id.clone(),
                title: doc.title.clone(),
                path: doc.path.clone(),
                covers: Vec::new(),
            })
            .covers
            .push(file.path.clone());
    }
}

fn uncovered(file: &ChangedFile) -> Diagnostic {
    Diagnostic::new(
        rules::UNCOVERED_CHANGE,
        format!(
            "{} is under `coverage.require`, but no doc's `key_files` cover it",
            describe_file(file)
        ),
    )
    .at(&file.path)
}

/// `doc-not-updated` unless a covering doc changed (substantively). Deleting
/// the covering doc (or moving it out of the roots) updates it only for a
/// file the change deleted too: code that still exists without its runbook
/// is not a documented fix.
fn not_updated(
    file: &ChangedFile,
    covering: &Covering<'_>,
    config: &Config,
    doc_changes: &DocChanges,
) -> Option<Diagnostic> {
    let file_gone = file.status == Status::Deleted;
    if !config.coverage.enforce
        || covering.keys().any(|k| {
            doc_changes.updated(k, config.coverage.substantive)
                && (file_gone || doc_changes.at_head(k))
        })
    {
        return None;
    }
    let mut names = Vec::new();
    let mut only_whitespace = Vec::new();
    let mut deleted = Vec::new();
    for (key, (doc, kfs)) in covering {
        let via: Vec<String> = kfs.iter().map(|k| format!("`{}`", k.raw)).collect();
        names.push(format!("{} via {}", doc.label(), via.join(", ")));
        if !doc_changes.at_head(key) {
            deleted.push(doc.path.clone());
        } else if doc_changes.updated(key, false) {
            only_whitespace.push(doc.path.clone());
        }
    }
    let mut message = format!(
        "{} changed, but {}: {}",
        describe_file(file),
        if covering.len() == 1 {
            "the doc that covers it did not"
        } else {
            "none of the docs that cover it did"
        },
        names.join("; ")
    );
    if !only_whitespace.is_empty() {
        message.push_str(&format!(
            " ({} changed only in whitespace or frontmatter, which does not count)",
            only_whitespace.join(", ")
        ));
    }
    if !deleted.is_empty() {
        message.push_str(&format!(
            " ({} {} deleted or moved out of docs.roots in this change, which does not count \
             for a file that still exists)",
            deleted.join(", "),
            if deleted.len() == 1 { "was" } else { "were" }
        ));
    }
    Some(
        Diagnostic::new(rules::DOC_NOT_UPDATED, message)
            .at(&file.path)
            .with_docs(
                covering
                    .values()
                    .map(|(d, _)| d.id.clone().unwrap_or_else(|| d.path.clone())),
            ),
    )
}

/// Stale key_files: entries of the docs the change touched, and entries that
/// matched a file the change deleted or renamed away.
fn stale_in_change<'d>(
    change: &Change<'_>,
    head_by_path: &HashMap<&str, &'d Doc>,
    doc_changes: &DocChanges,
    index: &CoverageIndex<'d>,
    out: &mut Vec<Diagnostic>,
) -> Result<()> {
    let mut candidates: Vec<(&Doc, &KeyFile)> = Vec::new();
    for path in &doc_changes.head_paths {
        if let Some(doc) = head_by_path.get(path.as_str()) {
            candidates.extend(doc.key_files.iter().map(|kf| (*doc, kf)));
        }
    }
    let moved_away = moved_away(change);
    for old in moved_away.paths() {
        candidates.extend(
            index
                .covering(old)
                .into_iter()
                // One index serves both views: a doc at head is one
                // of `head_by_path` (the same object, not one of the
                // base versions with that path).
                .filter(|(d, _)| {
                    head_by_path
                        .get(d.path.as_str())
                        .is_some_and(|h| std::ptr::eq(*h, *d))
                }),
        );
    }
    let mut seen = std::collections::HashSet::new();
    candidates.retain(|(d, k)| seen.insert((d.path.as_str(), k.raw.as_str(), k.line)));
    stale(&change.head, &candidates, &moved_away, out)
}

/// `last_updated` must move when the body does.
fn last_updated(
    change: &Change<'_>,
    head_docs: &DocSet,
    doc_changes: &DocChanges,
    out: &mut Vec<Diagnostic>,
) {
    let change_day = change.date();
    for doc in &head_docs.docs {
        if !doc_changes.head_paths.contains(&doc.path) {
            continue;
        }
        let key = doc.path.as_str();
        if let (Some(b), Some(h)) = (doc_changes.base.get(key), doc_changes.head.get(key))
            && b.0 != h.0
            && b.2.is_some()
            && b.2 == h.2
            // Already dated on or after the day of the change: nothing to bump.
            && h.2.as_deref().and_then(parse_date).is_none_or(|d| d < change_day)
        {
            out.push(
                Diagnostic::new(
                    rules::LAST_UPDATED_NOT_BUMPED,
                    format!(
                        "the body of {} changed but `last_updated` is still {}",
                        doc.label(),
                        h.2.as_deref().unwrap_or("?")
                    ),
                )
                .at(&doc.path)
                .at_line(&doc.head_text, doc.last_updated_line, 1)
                .with_docs(doc.id.clone()),
            );
        }
    }
}

fn lint(snapshot: &Snapshot<'_>, docs: &DocSet, out: &mut Vec<Diagnostic>) -> Result<()> {
    let candidates: Vec<(&Doc, &KeyFile)> = docs
        .docs
        .iter()
        .flat_map(|d| d.key_files.iter().map(move |k| (d, k)))
        .collect();
    stale(snapshot, &candidates, &MovedAway::default(), out)
}

fn describe_file(file: &ChangedFile) -> String {
    match (&file.status, &file.old_path) {
        (Status::Renamed, Some(old)) => format!("`{}` (renamed from `{old}`)", file.path),
        (Status::Deleted, _) => format!("`{}` (deleted)", file.path),
        (Status::Added, _) => format!("`{}` (added)", file.path),
        _ => format!("`{}`", file.path),
    }
}

/// Report each candidate entry that matches no file in `snapshot`.
fn stale(
    snapshot: &Snapshot<'_>,
    candidates: &[(&Doc, &KeyFile)],
    moved_away: &MovedAway<'_>,
    out: &mut Vec<Diagnostic>,
) -> Result<()> {
    let mut existence = Existence::new(snapshot);
    for (doc, kf) in candidates {
        let Some(why) = existence.why_nothing_matches(kf, moved_away)? else {
            continue;
        };
        out.push(
            Diagnostic::new(
                rules::STALE_KEY_FILE,
                format!(
                    "`key_files` entry `{}` of {} matches no file{why}",
                    kf.raw,
                    doc.label()
                ),
            )
            .at(&doc.path)
            .at_line(&doc.head_text, kf.line, kf.col)
            .with_docs(doc.id.clone()),
        );
    }
    Ok(())
}

/// The paths a change deleted (→ `None`) or renamed away (→ the new path):
/// what an entry that now matches nothing may have pointed at. Sorted, so
/// the paths a pattern can match are found by its literal prefix, not by
/// matching every moved path against every stale entry.
#[derive(Default)]
pub(crate) struct MovedAway<'c> {
    /// (old path, new path), by old path.
    sorted: Vec<(&'c str, Option<&'c str>)>,
}

impl<'c> MovedAway<'c> {
    /// The old paths, sorted.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &'c str> + '_ {
        self.sorted.iter().map(|(old, _)| *old)
    }

    /// The moved paths that `glob` matches, in path order.
    fn matched_by(&self, glob: &str) -> Result<Vec<(&'c str, Option<&'c str>)>> {
        if pattern::is_literal(glob) {
            return Ok(
                match self.sorted.binary_search_by(|(old, _)| (*old).cmp(glob)) {
                    Ok(k) => vec![self.sorted[k]],
                    Err(_) => Vec::new(),
                },
            );
        }
        let matcher = pattern::Matcher::new(glob).map_err(|e| anyhow::anyhow!("{glob}: {e}"))?;
        // Every path the glob can match lies under its literal prefix, and
        // the paths under `prefix/` are one run of the sorted list.
        let prefix = pattern::literal_prefix(glob);
        let under = if prefix.is_empty() {
            &self.sorted[..]
        } else {
            let folder = format!("{prefix}/");
            let start = self
                .sorted
                .partition_point(|(old, _)| *old < folder.as_str());
            let len = self.sorted[start..]
                .iter()
                .take_while(|(old, _)| old.starts_with(folder.as_str()))
                .count();
            &self.sorted[start..start + len]
        };
        Ok(under
            .iter()
            .filter(|(old, _)| matcher.is_match(old))
            .copied()
            .collect())
    }
}

pub(crate) fn moved_away<'c>(change: &'c Change<'_>) -> MovedAway<'c> {
    let mut sorted = Vec::new();
    for file in &change.files {
        match file.status {
            Status::Deleted => sorted.push((file.path.as_str(), None)),
            Status::Renamed => {
                if let Some(old) = file.old_path.as_deref() {
                    sorted.push((old, Some(file.path.as_str())));
                }
            }
            _ => {}
        }
    }
    sorted.sort_unstable();
    sorted.dedup_by(|a, b| a.0 == b.0);
    MovedAway { sorted }
}

/// Does a path pattern (`key_files`, `reference_files`) match a file of a
/// snapshot? Literal paths are looked up directly, folders by a first file
/// under them, globs against a listing of their literal prefix (listed once
/// per prefix). Each pattern is answered once: a knowledge base repeats
/// its folders, and the working tree's `has_files_under` reads the index.
pub(crate) struct Existence<'s, 'r> {
    snapshot: &'s Snapshot<'r>,
    listings: HashMap<String, Vec<String>>,
    answers: HashMap<String, bool>,
}

impl<'s, 'r> Existence<'s, 'r> {
    pub(crate) fn new(snapshot: &'s Snapshot<'r>) -> Existence<'s, 'r> {
        Existence {
            snapshot,
            listings: HashMap::new(),
            answers: HashMap::new(),
        }
    }

    /// `None` when the entry matches a file; else what to add to "matches
    /// no file": the paths of `moved_away` it matched (`: in this change
    /// `a` was renamed to `b``), or the hint that a literal names a folder.
    pub(crate) fn why_nothing_matches(
        &mut self,
        kf: &KeyFile,
        moved_away: &MovedAway<'_>,
    ) -> Result<Option<String>> {
        let matches_something = match self.answers.get(&kf.glob) {
            Some(known) => *known,
            None => {
                let answer = self.matches_a_file(kf)?;
                self.answers.insert(kf.glob.clone(), answer);
                answer
            }
        };
        if matches_something {
            return Ok(None);
        }
        let mut why = String::new();
        let mut fates: Vec<String> = moved_away
            .matched_by(&kf.glob)?
            .into_iter()
            .map(|(old, new)| match new {
                Some(new) => format!("`{old}` was renamed to `{new}`"),
                None => format!("`{old}` was deleted"),
            })
            .collect();
        fates.sort();
        if !fates.is_empty() {
            let more = fates.len().saturating_sub(3);
            fates.truncate(3);
            why.push_str(&format!(": in this change {}", fates.join(", ")));
            if more > 0 {
                why.push_str(&format!(" and {more} more"));
            }
        } else if pattern::is_literal(&kf.glob) && self.snapshot.exists(&kf.glob)? {
            why.push_str(&format!(
                ": it is a folder; write `{}/` to cover what is inside",
                kf.glob
            ));
        }
        Ok(Some(why))
    }

    /// Does the pattern match a file of the snapshot (not asked before)?
    fn matches_a_file(&mut self, kf: &KeyFile) -> Result<bool> {
        let snapshot = self.snapshot;
        Ok(if pattern::is_literal(&kf.glob) {
            snapshot.is_file(&kf.glob)?
        } else if let Some(dir) = kf
            .glob
            .strip_suffix("/**")
            .filter(|d| pattern::is_literal(d))
        {
            snapshot.has_files_under(dir)?
        } else {
            let prefix = pattern::literal_prefix(&kf.glob).to_string();
            if !self.listings.contains_key(&prefix) {
                self.listings
                    .insert(prefix.clone(), snapshot.files_under(&prefix)?);
            }
            let matcher =
                pattern::Matcher::new(&kf.glob).map_err(|e| anyhow::anyhow!("{}: {e}", kf.raw))?;
            self.listings[&prefix].iter().any(|f| matcher.is_match(f))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::MovedAway;

    fn moved(paths: &[(&'static str, Option<&'static str>)]) -> MovedAway<'static> {
        let mut sorted = paths.to_vec();
        sorted.sort_unstable();
        MovedAway { sorted }
    }

    fn olds(m: &MovedAway<'static>, glob: &str) -> Vec<&'static str> {
        m.matched_by(glob)
            .unwrap()
            .into_iter()
            .map(|(o, _)| o)
            .collect()
    }

    #[test]
    fn a_pattern_finds_the_moved_paths_it_matches_and_no_others() {
        // `a/b-c` sorts between `a/b` and `a/b/...`: the run under `a/b/`
        // must not stop at it.
        let m = moved(&[
            ("a/b", None),
            ("a/b-c/x.py", None),
            ("a/b/x.py", Some("a/b/y.py")),
            ("a/b/sub/z.py", None),
            ("a/bc/x.py", None),
            ("b/x.py", None),
        ]);
        assert_eq!(olds(&m, "a/b/x.py"), ["a/b/x.py"]);
        assert_eq!(olds(&m, "a/b"), ["a/b"]);
        assert!(olds(&m, "a/b/none.py").is_empty());
        assert_eq!(olds(&m, "a/b/**"), ["a/b/sub/z.py", "a/b/x.py"]);
        assert_eq!(olds(&m, "a/b/*.py"), ["a/b/x.py"]);
        assert_eq!(
            olds(&m, "**/x.py"),
            ["a/b-c/x.py", "a/b/x.py", "a/bc/x.py", "b/x.py"]
        );
        assert_eq!(
            olds(&m, "a/b*/x.py"),
            ["a/b-c/x.py", "a/b/x.py", "a/bc/x.py"]
        );
        assert!(olds(&MovedAway::default(), "**").is_empty());
        // A pattern that does not compile is an error, not "nothing moved".
        assert!(m.matched_by("a/[").is_err());
        assert_eq!(m.paths().count(), 6);
    }
}
