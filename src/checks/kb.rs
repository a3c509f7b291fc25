//! The knowledge-base layer (SPEC §7): `kb-invalid`, `kb-broken-reference`,
//! and the knowledge that reaches the change: the entries whose
//! `reference_files` cover a changed file, as the report's
//! `patterns_to_apply`. Reading the file is `crate::kb`; the
//! `knowledge_base:` key is `cfg`.
//!
//! `lint` reports every problem. `check` reports them all when the change
//! touched the knowledge-base file or the config in use; otherwise only
//! what the change broke
//! from outside: a reference to a file it deleted or renamed away, a
//! decision-tree step naming a doc id it removed, and (a warning) a
//! knowledge base that cannot be read at all, since which patterns apply
//! is then unknown.

pub mod cfg;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use serde::Serialize;

use super::coverage::{Existence, MovedAway, moved_away};
use super::{Ctx, Sink};
use crate::diagnostic::{self as rules, Diagnostic};
use crate::docs::{CoverageIndex, KeyFile};
use crate::git::change::Change;
use crate::kb::{Entry, KbSeverity, Kind, Loaded};

/// A knowledge-base entry whose `reference_files` cover a changed file:
/// what the author must apply (its checklist) in this change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternToApply {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub severity: KbSeverity,
    pub checklist: Vec<String>,
    /// The changed files it covers (a deleted file by its path, a renamed
    /// one by its new path), in the change's order.
    pub covers: Vec<String>,
}

pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let Some(loaded) = crate::kb::load(ctx.head, ctx.config)? else {
        return Ok(());
    };
    sink.checked.layers.push(layer_line(&loaded));
    let doc_ids: BTreeSet<&str> = ctx
        .docs
        .docs
        .iter()
        .filter_map(|d| d.id.as_deref())
        .collect();
    let Some(c) = &ctx.change else {
        sink.extend(loaded.problems.iter().cloned());
        sink.extend(loaded.step_problems(&doc_ids, |_| true));
        let all = all_references(&loaded);
        sink.extend(broken(ctx, &loaded, &all, &MovedAway::default())?);
        return Ok(());
    };
    let change = c.change;
    let moved = moved_away(change);
    // The change owns the knowledge base's findings when it edits the file,
    // or the config in use (which says which file is read), as the feature
    // check does for its lists.
    let config_path = ctx.config.repo_path.as_deref();
    if change.files.iter().any(|f| {
        f.paths()
            .any(|p| p == loaded.path || Some(p) == config_path)
    }) {
        sink.extend(loaded.problems.iter().cloned());
        sink.extend(loaded.step_problems(&doc_ids, |_| true));
        let all = all_references(&loaded);
        sink.extend(broken(ctx, &loaded, &all, &moved)?);
    } else {
        if !loaded.readable && !change.files.is_empty() {
            let why = loaded
                .problems
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_default();
            sink.push(
                Diagnostic::new(
                    rules::KB_UNREADABLE_ELSEWHERE,
                    format!(
                        "the knowledge base {} cannot be read ({why}), so which of its patterns \
                         apply to this change is unknown",
                        loaded.path
                    ),
                )
                .at(&loaded.path)
                .at_line(&loaded.text, 1, 1),
            );
        }
        // Doc ids the change removed, that a step names.
        let removed: BTreeSet<&str> = c
            .docs
            .base_versions
            .iter()
            .filter_map(|d| d.id.as_deref())
            .filter(|id| !doc_ids.contains(id))
            .collect();
        sink.extend(loaded.step_problems(&doc_ids, |r| removed.contains(r.id.as_str())));
        // References that matched a file the change deleted or renamed away.
        let index = CoverageIndex::build(loaded.kb.entries.iter())?;
        let mut candidates = Vec::new();
        for old in moved.paths() {
            candidates.extend(index.covering(old));
        }
        let mut seen = BTreeSet::new();
        candidates.retain(|(e, r)| seen.insert((e.id.as_str(), r.line, r.col)));
        sink.extend(broken(ctx, &loaded, &candidates, &moved)?);
    }
    sink.patterns_to_apply = Some(patterns_to_apply(change, &loaded)?);
    Ok(())
}

/// `knowledge base (.ai-knowledge-base.yaml, 12 entries, 1 decision tree)`.
fn layer_line(loaded: &Loaded) -> String {
    if !loaded.readable {
        return format!("knowledge base ({}, unreadable)", loaded.path);
    }
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    let mut line = format!(
        "knowledge base ({}, {}",
        loaded.path,
        n(loaded.kb.entries.len(), "entry", "entries")
    );
    if !loaded.kb.decision_trees.is_empty() {
        line.push_str(&format!(
            ", {}",
            n(
                loaded.kb.decision_trees.len(),
                "decision tree",
                "decision trees"
            )
        ));
    }
    line.push(')');
    line
}

fn all_references(loaded: &Loaded) -> Vec<(&Entry, &KeyFile)> {
    loaded
        .kb
        .entries
        .iter()
        .flat_map(|e| e.reference_files.iter().map(move |r| (e, r)))
        .collect()
}

/// `kb-broken-reference` for each candidate that matches no file at head.
fn broken(
    ctx: &Ctx<'_>,
    loaded: &Loaded,
    candidates: &[(&Entry, &KeyFile)],
    moved: &MovedAway<'_>,
) -> Result<Vec<Diagnostic>> {
    let mut existence = Existence::new(ctx.head);
    let mut out = Vec::new();
    for (entry, r) in candidates {
        let Some(why) = existence.why_nothing_matches(r, moved)? else {
            continue;
        };
        out.push(
            Diagnostic::new(
                rules::KB_BROKEN_REFERENCE,
                format!(
                    "`reference_files` entry `{}` of {} `{}` matches no file{why}",
                    r.raw,
                    entry.kind.label(),
                    entry.id
                ),
            )
            .at(&loaded.path)
            .at_line(&loaded.text, r.line, r.col),
        );
    }
    Ok(out)
}

/// The entries covering a changed file (either of its paths), CRITICAL
/// first, then by id.
fn patterns_to_apply(change: &Change<'_>, loaded: &Loaded) -> Result<Vec<PatternToApply>> {
    let index = CoverageIndex::build(loaded.kb.entries.iter())?;
    let mut found: BTreeMap<(KbSeverity, &str), PatternToApply> = BTreeMap::new();
    for file in &change.files {
        for p in file.paths() {
            for (entry, _) in index.covering(p) {
                let slot = found
                    .entry((entry.severity, entry.id.as_str()))
                    .or_insert_with(|| PatternToApply {
                        id: entry.id.clone(),
                        kind: entry.kind,
                        name: entry.name.clone(),
                        severity: entry.severity,
                        checklist: entry.checklist.clone(),
                        covers: Vec::new(),
                    });
                if !slot.covers.contains(&file.path) {
                    slot.covers.push(file.path.clone());
                }
            }
        }
    }
    Ok(found.into_values().collect())
}
