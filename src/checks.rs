//! The checks. Each check is a module with one entry point,
//! `fn check(&Ctx, &mut Sink) -> Result<()>`, listed once in [`CHECKS`]; the
//! same list runs for `check` (diff-aware: [`Ctx::change`] is set) and `lint`
//! (the whole system). Checks put findings into the [`Sink`], which gives
//! them their severity; they never print, exit or publish.

pub mod code;
pub mod coverage;
pub mod features;
mod graph;
pub mod incident_loop;
pub mod index;
pub mod kb;
pub mod mishap;
pub mod policies;
pub mod postmortems;
pub mod sink;
pub mod waivers;

use std::collections::{HashMap, HashSet};

use anyhow::{Result, bail};
use serde::Serialize;

pub use sink::Sink;

use crate::config::{self, Config};
use crate::diagnostic::{self as rules, Diagnostic};
use crate::docs::{Doc, DocSet, is_doc_path, parse_doc};
use crate::git::change::{Change, Status};
use crate::snapshot::Snapshot;

/// What a check reads.
pub struct Ctx<'a> {
    pub config: &'a Config,
    /// The tree checked: head of the change, or the snapshot `lint` reads.
    pub head: &'a Snapshot<'a>,
    /// The docs at head.
    pub docs: &'a DocSet,
    /// `check`: the change and its docs; `lint`: `None`.
    pub change: Option<InChange<'a>>,
}

/// The change a `check` looks at.
pub struct InChange<'a> {
    pub change: &'a Change<'a>,
    pub docs: &'a DocChanges,
}

/// A check's entry point.
pub type Check = fn(&Ctx<'_>, &mut Sink<'_>) -> Result<()>;

/// Every check, in the order they run. A new check is a module and a line here.
pub const CHECKS: &[(&str, Check)] = &[
    ("coverage", coverage::check),
    ("graph", graph::check),
    ("index", index::check),
    ("features", features::check),
    ("code", code::check),
    ("kb", kb::check),
    ("postmortems", postmortems::check),
    ("policies", policies::check),
    ("mishap", mishap::check),
    ("incident_loop", incident_loop::check),
];

fn run_all(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    for (_, check) in CHECKS {
        check(ctx, sink)?;
    }
    Ok(())
}

/// How much was checked, so a gate that checked nothing never looks like a pass.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Checked {
    pub changed_files: usize,
    pub ignored_files: usize,
    pub covered_files: usize,
    pub docs: usize,
    pub docs_changed: usize,
    pub docs_unreadable: usize,
    /// Files under the roots with frontmatter that are not read as docs.
    #[serde(skip_serializing_if = "is_zero")]
    pub docs_skipped: usize,
    pub key_files: usize,
    pub commits: usize,
    pub layers: Vec<String>,
    /// Rename detection paired only identical files (too many added × deleted).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub renames_exact_only: bool,
    /// When similarity scoring was cut: the candidates left after exact
    /// pairing and the limit they exceeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renames_cut: Option<RenamesCut>,
    /// One entry per configured training/inference pair.
    pub feature_lists: Vec<features::FeatureListSummary>,
    /// What the code rules read (when configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<code::CodeSummary>,
}

/// Rename detection paired only identical files: `added × deleted`
/// candidates were more than `limit²` (git's `diff.renameLimit`).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct RenamesCut {
    pub added: usize,
    pub deleted: usize,
    pub limit: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A doc at head that covers at least one changed file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DocToRead {
    pub id: Option<String>,
    pub title: Option<String>,
    pub path: String,
    /// The changed files it covers.
    pub covers: Vec<String>,
}

/// Which docs the change touched and how they looked before.
pub struct DocChanges {
    /// Paths of head docs that the change added, modified or renamed to.
    pub head_paths: HashSet<String>,
    /// The base version of every changed doc (modified, deleted, renamed from).
    pub base_versions: Vec<Doc>,
    /// Doc identity → (body fingerprint, whole-file fingerprint, last_updated) at base.
    pub base: HashMap<String, (u64, u64, Option<String>)>,
    /// The same at head.
    pub head: HashMap<String, (u64, u64, Option<String>)>,
    /// Doc paths the change renamed: base path → head path.
    renamed: HashMap<String, String>,
}

impl DocChanges {
    fn compute(change: &Change<'_>, head_docs: &DocSet, config: &Config) -> Result<DocChanges> {
        let mut head_paths = HashSet::new();
        // Base-side doc paths: (display path, raw bytes), sorted, unique.
        let mut base_paths = std::collections::BTreeMap::new();
        for f in &change.files {
            if is_doc_path(&f.path, config) && f.status != Status::Deleted {
                head_paths.insert(f.path.clone());
            }
            let before = match f.status {
                Status::Added => None,
                Status::Renamed => f.old_path.as_deref(),
                Status::Modified | Status::Deleted => Some(f.path.as_str()),
            };
            if let (Some(p), Some(raw)) = (before, &f.base_raw)
                && is_doc_path(p, config)
            {
                base_paths.insert(p.to_string(), raw.clone());
            }
        }
        let mut base_versions = Vec::new();
        for (p, raw) in &base_paths {
            if let Some(doc) = parse_doc(p, &change.base.read_raw(raw)?, config) {
                base_versions.push(doc);
            }
        }
        // A doc is the same doc across the change by its path, not by its id:
        // editing only `id:` is no update of the runbook. A rename git found
        // is followed when the id stayed (git also pairs two similar runbooks
        // when one is deleted and another added: those are two docs).
        let head_ids: HashMap<&str, &Option<String>> = head_docs
            .docs
            .iter()
            .map(|d| (d.path.as_str(), &d.id))
            .collect();
        let base_ids: HashMap<&str, &Option<String>> = base_versions
            .iter()
            .map(|d| (d.path.as_str(), &d.id))
            .collect();
        let renamed: HashMap<String, String> = change
            .files
            .iter()
            .filter(|f| f.status == Status::Renamed)
            .filter_map(|f| Some((f.old_path.clone()?, f.path.clone())))
            .filter(
                |(old, new)| match (base_ids.get(old.as_str()), head_ids.get(new.as_str())) {
                    (Some(b), Some(h)) => b == h,
                    _ => false,
                },
            )
            .collect();
        let entry = |identity: String, d: &Doc| {
            (
                identity,
                (
                    d.body_fingerprint,
                    d.raw_fingerprint,
                    d.last_updated.clone(),
                ),
            )
        };
        let head: HashMap<_, _> = head_docs
            .docs
            .iter()
            .map(|d| entry(d.path.clone(), d))
            .collect();
        // Docs the change did not touch are the same at base.
        let mut base: HashMap<_, _> = head_docs
            .docs
            .iter()
            .filter(|d| !head_paths.contains(&d.path))
            .map(|d| entry(d.path.clone(), d))
            .collect();
        base.extend(base_versions.iter().map(|d| {
            let identity = renamed
                .get(&d.path)
                .cloned()
                .unwrap_or_else(|| d.path.clone());
            entry(identity, d)
        }));
        Ok(DocChanges {
            head_paths,
            base_versions,
            base,
            head,
            renamed,
        })
    }

    /// The identity of a doc of the base (its path at head when the change
    /// renamed it) or of the head (its path).
    pub fn identity(&self, doc: &Doc, at_head: bool) -> String {
        if at_head {
            return doc.path.clone();
        }
        self.renamed
            .get(&doc.path)
            .cloned()
            .unwrap_or_else(|| doc.path.clone())
    }

    /// Is the doc with this identity still a doc at head?
    pub fn at_head(&self, identity: &str) -> bool {
        self.head.contains_key(identity)
    }

    /// How many docs (by identity) the change added, deleted or edited in any way.
    pub fn changed_count(&self) -> usize {
        let keys: HashSet<&String> = self.base.keys().chain(self.head.keys()).collect();
        keys.into_iter().filter(|k| self.updated(k, false)).count()
    }

    /// Did the doc with this identity change (substantively: beyond whitespace, in its body)?
    pub fn updated(&self, key: &str, substantive: bool) -> bool {
        let (b, h) = (self.base.get(key), self.head.get(key));
        match (b, h) {
            (Some(b), Some(h)) if substantive => b.0 != h.0,
            (Some(b), Some(h)) => b.1 != h.1,
            (None, None) => false,
            // Added or deleted.
            _ => true,
        }
    }
}

/// Layers this version reads, for the report.
fn layers(config: &Config, docs: usize) -> Vec<String> {
    // A layer with nothing in it is not active (SPEC §1), so it is not listed.
    let mut layers = Vec::new();
    if docs > 0 {
        layers.push(format!("docs ({})", config.docs.roots.join(", ")));
    }
    if !config.feature_lists.is_empty() {
        layers.push(format!("feature lists ({})", config.feature_lists.len()));
    }
    if !config.code.forbidden_imports.is_empty() {
        layers.push(format!(
            "forbidden imports ({})",
            config.code.forbidden_imports.len()
        ));
    }
    if config.code.silent_fallback.matcher.is_some() {
        layers.push(format!(
            "silent fallbacks ({})",
            config.code.silent_fallback.paths.join(", ")
        ));
    }
    layers
}

/// `docgate check`: findings where the change is involved, into `sink`.
/// `head_docs`: the docs at head when the caller already loaded them (while
/// the diff ran), else they are loaded here.
pub fn check(
    change: &Change<'_>,
    config: &Config,
    head_docs: Option<DocSet>,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let head_docs = match head_docs {
        Some(docs) => docs,
        None => DocSet::load(&change.head, config)?,
    };
    let doc_changes = DocChanges::compute(change, &head_docs, config)?;
    sink.checked = Checked {
        changed_files: change.files.len(),
        docs_changed: doc_changes
            .head_paths
            .len()
            .max(doc_changes.base_versions.len()),
        commits: change.commits.len(),
        renames_exact_only: change.renames.exact_only,
        renames_cut: change.renames.exact_only.then_some(RenamesCut {
            added: change.renames.added,
            deleted: change.renames.deleted,
            limit: change.renames.limit,
        }),
        ..counts(config, &head_docs)
    };
    sink.skipped = head_docs.skipped_summary();
    let ctx = Ctx {
        config,
        head: &change.head,
        docs: &head_docs,
        change: Some(InChange {
            change,
            docs: &doc_changes,
        }),
    };
    run_all(&ctx, sink)
}

/// What every report counts about the docs.
fn counts(config: &Config, docs: &DocSet) -> Checked {
    Checked {
        docs: docs.docs.len(),
        docs_unreadable: docs.docs.iter().filter(|d| !d.coverage_known).count(),
        docs_skipped: docs.skipped.len(),
        key_files: docs.docs.iter().map(|d| d.key_files.len()).sum(),
        layers: layers(config, docs.docs.len()),
        ..Checked::default()
    }
}

/// A change cannot exempt itself by editing the config, as it cannot by
/// editing `key_files`: when the change touched the config file in use, the
/// coverage rules (`doc-not-updated`, `uncovered-change`) also run under the
/// config as it was at the base, and what they find that the head config
/// does not is added (with the base config's severities; a trailer can still
/// waive it). `docs.exclude`, `coverage.ignore`, `enforce: false` or
/// `rules: {doc-not-updated: off}` in the same change no longer let its code
/// through. A base config that cannot be read stands in as the defaults (the
/// strictest reading), never as "nothing to compare with".
pub fn config_change_findings(
    change: &Change<'_>,
    config: &Config,
    head_findings: &[Diagnostic],
) -> Result<Vec<Diagnostic>> {
    let Some(path) = config.repo_path.as_deref() else {
        return Ok(Vec::new());
    };
    if !change.files.iter().any(|f| f.paths().any(|p| p == path)) {
        return Ok(Vec::new());
    }
    let (base_config, which) = match base_config(change, config) {
        Ok(Some(c)) => (c, "the config as it was at the base".to_string()),
        // No config at the base: the base ran on the defaults.
        Ok(None) => (
            Config::defaults(),
            "the defaults (no config at the base)".to_string(),
        ),
        Err(why) => (
            Config::defaults(),
            format!("the defaults (the base's config cannot be read: {why})"),
        ),
    };
    let coverage_rules = [rules::DOC_NOT_UPDATED.id, rules::UNCOVERED_CHANGE.id];
    let seen: HashSet<(&str, Option<&str>)> = head_findings
        .iter()
        .filter(|d| coverage_rules.contains(&d.rule.id))
        .map(|d| (d.rule.id, d.path.as_deref()))
        .collect();
    // Only the coverage pass: the doc graph and feature lists do not depend
    // on what the config exempts. Its own sink gives the base's severities.
    let docs = DocSet::load(&change.head, &base_config)?;
    let doc_changes = DocChanges::compute(change, &docs, &base_config)?;
    let mut sink = Sink::new(&base_config);
    let ctx = Ctx {
        config: &base_config,
        head: &change.head,
        docs: &docs,
        change: Some(InChange {
            change,
            docs: &doc_changes,
        }),
    };
    coverage::check(&ctx, &mut sink)?;
    let extra: Vec<Diagnostic> = sink
        .into_found()
        .into_iter()
        .filter(|d| coverage_rules.contains(&d.rule.id))
        .filter(|d| !seen.contains(&(d.rule.id, d.path.as_deref())))
        .map(|mut d| {
            d.message.push_str(&format!(
                " (under {which}: this change edits {path}, and a change cannot exempt itself by \
                 editing the config)"
            ));
            d
        })
        .collect();
    Ok(extra)
}

/// The config in use as it was at the base, to find where a feature list was
/// before the change moved it: `Ok(None)` when there is none at the base (the
/// change added it, or no config is in use), `Err` when it cannot be known
/// (a `--config` outside the repository has no base version).
pub(crate) fn base_config(change: &Change<'_>, config: &Config) -> Result<Option<Config>, String> {
    let Some(path) = config.repo_path.as_deref() else {
        return match &config.source {
            None => Ok(None),
            Some(source) => Err(format!(
                "the config {source} is outside the repository, so it has no base version"
            )),
        };
    };
    match change.base.read(path) {
        Ok(crate::snapshot::Read::Missing) => Ok(None),
        Ok(crate::snapshot::Read::Bytes(bytes)) => Config::from_bytes(&bytes, path)
            .map(Some)
            .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string()),
        Ok(crate::snapshot::Read::TooLarge(n)) => Err(format!("it is {n} bytes")),
        Ok(crate::snapshot::Read::LfsPointer(p)) => Err(p.describe(path)),
        Ok(crate::snapshot::Read::Symlink(_)) => Err("it is a symbolic link".into()),
        Err(e) => Err(format!("{e:#}")),
    }
}

/// `docgate lint`: every finding in the documentation system, into `sink`.
pub fn lint(snapshot: &Snapshot<'_>, config: &Config, sink: &mut Sink<'_>) -> Result<()> {
    let docs = DocSet::load(snapshot, config)?;
    sink.checked = counts(config, &docs);
    sink.skipped = docs.skipped_summary();
    let ctx = Ctx {
        config,
        head: snapshot,
        docs: &docs,
        change: None,
    };
    run_all(&ctx, sink)
}

/// A layer named explicitly in the config must exist.
pub(crate) fn require_layers(config: &Config, snapshot: &Snapshot<'_>) -> Result<()> {
    let mut missing = Vec::new();
    for layer in [
        &config.knowledge_base,
        &config.mishap_log,
        &config.docs.index,
    ] {
        if layer.explicit && !snapshot.exists(&layer.path)? {
            missing.push(layer.path.clone());
        }
    }
    if config.policies.explicit && policies::resolve(snapshot, &config.policies)?.is_none() {
        missing.push(match &config.policies.path {
            Some(path) => path.clone(),
            None => policies::cfg::DEFAULT_FILES.join(" or "),
        });
    }
    // Configured post-mortem globs must match a post-mortem.
    if config.postmortems.paths_explicit
        && crate::postmortem::files(snapshot, &config.postmortems)?.is_empty()
    {
        missing.push(format!(
            "a post-mortem matching {} (postmortems.paths)",
            config.postmortems.paths.join(", ")
        ));
    }
    // Roots the config names must exist (the default `docs/` may not).
    if config.docs.roots_explicit {
        for root in &config.docs.roots {
            if !snapshot.exists(root)? {
                missing.push(format!("{root}/"));
            }
        }
    }
    if !missing.is_empty() {
        bail!(
            "{} names {} that do{} not exist in the {}: {}",
            config.source.as_deref().unwrap_or(config::FILE_NAME),
            if missing.len() == 1 {
                "a file"
            } else {
                "files"
            },
            if missing.len() == 1 { "es" } else { "" },
            snapshot.describe(),
            missing.join(", ")
        );
    }
    Ok(())
}

/// A repository with no config and no docs has nothing to gate: never a pass.
pub(crate) fn ensure_something_to_check(
    config: &Config,
    docs: usize,
    skipped: &[String],
) -> Result<()> {
    if docs == 0 {
        let roots = config.docs.roots.join(", ");
        if !skipped.is_empty() {
            let shown: Vec<&str> = skipped.iter().take(5).map(String::as_str).collect();
            bail!(
                "nothing to check: no docs under {roots}/; {} there but {} not read as docs (a Markdown \
                 file not named `*.md`, a symbolic link, too large): {}{}. Rename runbooks to `.md` \
                 and keep them under {roots}/ as files",
                if skipped.len() == 1 {
                    "1 file looks like a runbook".to_string()
                } else {
                    format!("{} files look like runbooks", skipped.len())
                },
                if skipped.len() == 1 { "is" } else { "are" },
                shown.join(", "),
                if skipped.len() > 5 { ", ..." } else { "" }
            );
        }
        if config.source.is_none() {
            bail!(
                "nothing to check: no {} and no docs with YAML frontmatter under {roots}/. \
                 Add runbooks (see the README) or a {} whose docs.roots points at them",
                config::FILE_NAME,
                config::FILE_NAME
            );
        }
        bail!(
            "nothing to check: no docs with YAML frontmatter under {roots}/ (docs.roots in {})",
            config.source.as_deref().unwrap_or(config::FILE_NAME)
        );
    }
    Ok(())
}
