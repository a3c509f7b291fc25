//! The mishap cost log (SPEC §7): `mishap-entry-invalid` (an entry heading
//! that does not read, a missing, empty, misspelled or repeated field, a
//! cost that does not parse, a post-mortem that does not exist, a log that
//! cannot be read) and `mishap-unknown-pattern` (an entry's `Pattern` that
//! is no knowledge-base id; only when the knowledge base is active). The
//! log is read by `crate::mishap`; its config setting is `cfg`.
//!
//! In `check`, a finding is reported when the change touched the log (or
//! the config in use); a missing post-mortem also when the change touched
//! that path (deleted or renamed it); an unknown pattern also when the
//! change touched the knowledge base.

pub mod cfg;

use std::collections::{BTreeMap, HashSet};

use anyhow::Result;

use super::{Ctx, Sink};
use crate::config::Config;
use crate::diagnostic::{self as rules, Diagnostic};
use crate::kb;
use crate::mishap::{self, CostLog};
use crate::snapshot::Snapshot;

/// What a finding is about, for `check`'s "is the change involved?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum About {
    /// The log itself.
    Log,
    /// The log, or this file it points at.
    File(String),
    /// The log, or the knowledge base.
    KnowledgeBase,
}

/// A finding with what it belongs to.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The heading line of the entry it makes uncountable (`None`: the log).
    pub entry_line: Option<usize>,
    pub about: About,
    pub diagnostic: Diagnostic,
}

/// The knowledge base's pattern ids, as far as the cost log needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KnownPatterns {
    /// `id` → `name` of every entry under `patterns` and `anti_patterns`.
    Ids(BTreeMap<String, Option<String>>),
    /// The file cannot be read or parsed: why (its own check says more).
    Unreadable(String),
}

/// The knowledge base's ids (through [`kb::load`], the one reader of the
/// file); `None` when the layer is not active.
pub fn known_pattern_ids(head: &Snapshot<'_>, config: &Config) -> Result<Option<KnownPatterns>> {
    let Some(loaded) = kb::load(head, config)? else {
        return Ok(None);
    };
    if !loaded.readable {
        let why = loaded
            .problems
            .first()
            .map_or_else(|| "it cannot be read".to_string(), |d| d.message.clone());
        return Ok(Some(KnownPatterns::Unreadable(why)));
    }
    let mut ids: BTreeMap<String, Option<String>> = loaded
        .kb
        .entries
        .iter()
        .map(|e| (e.id.clone(), Some(e.name.clone())))
        .collect();
    for (id, _, _) in &loaded.kb.incomplete {
        ids.entry(id.clone()).or_insert(None);
    }
    Ok(Some(KnownPatterns::Ids(ids)))
}

/// Every finding of the log; `kb` is the knowledge base (`None`: inactive,
/// patterns are not checked), `kb_path` its path for messages.
pub fn findings(log: &CostLog, kb: Option<&KnownPatterns>, kb_path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(why) = &log.unreadable {
        out.push(Finding {
            entry_line: None,
            about: About::Log,
            diagnostic: Diagnostic::new(
                rules::MISHAP_ENTRY_INVALID,
                format!("the cost log cannot be read, so none of its entries is checked: {why}"),
            )
            .at(&log.path),
        });
        return out;
    }
    for p in &log.problems {
        out.push(Finding {
            entry_line: Some(p.entry_line),
            about: p.about.clone().map_or(About::Log, About::File),
            diagnostic: Diagnostic::new(rules::MISHAP_ENTRY_INVALID, p.message.clone())
                .at(&log.path)
                .at_line(&log.text, p.line, p.col),
        });
    }
    match kb {
        None => {}
        Some(KnownPatterns::Ids(ids)) => {
            let known: Vec<&str> = ids.keys().map(String::as_str).collect();
            out.extend(unknown_patterns(log, &|id| ids.contains_key(id), |id| {
                format!(
                    "is not an id in the knowledge base {kb_path}{}",
                    crate::config::did_you_mean(id, &known)
                )
            }));
        }
        Some(KnownPatterns::Unreadable(why)) => {
            out.extend(unknown_patterns(log, &|_| false, |_| {
                format!("cannot be checked: the knowledge base {kb_path} cannot be read ({why})")
            }));
        }
    }
    out
}

/// `mishap-unknown-pattern` for each entry whose `Pattern` `known` does not
/// accept; `why` finishes the message for an id.
pub fn unknown_patterns(
    log: &CostLog,
    known: &dyn Fn(&str) -> bool,
    why: impl Fn(&str) -> String,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in &log.entries {
        let (Some(id), Some(field)) = (&e.pattern, e.field("Pattern")) else {
            continue;
        };
        if known(id) {
            continue;
        }
        out.push(Finding {
            entry_line: Some(e.line),
            about: About::KnowledgeBase,
            diagnostic: Diagnostic::new(
                rules::MISHAP_UNKNOWN_PATTERN,
                format!("the pattern `{id}` of `{}` {}", e.heading(), why(id)),
            )
            .at(&log.path)
            .at_line(&log.text, field.line, field.col),
        });
    }
    out
}

/// What the report says the layer read.
fn layer(log: &CostLog, kb: Option<&KnownPatterns>, kb_path: &str) -> String {
    let n = log.headings;
    let mut s = format!(
        "cost log ({}, {n} entr{}",
        log.path,
        if n == 1 { "y" } else { "ies" }
    );
    if kb.is_none() && log.entries.iter().any(|e| e.pattern.is_some()) {
        s.push_str(&format!(
            "; patterns not checked: no knowledge base {kb_path}"
        ));
    }
    s.push(')');
    s
}

pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let Some(log) = mishap::load(ctx.head, ctx.config)? else {
        return Ok(());
    };
    let kb_path = ctx.config.knowledge_base.path.as_str();
    let kb = known_pattern_ids(ctx.head, ctx.config)?;
    sink.checked.layers.push(layer(&log, kb.as_ref(), kb_path));
    let found = findings(&log, kb.as_ref(), kb_path);
    let Some(c) = &ctx.change else {
        sink.extend(found.into_iter().map(|f| f.diagnostic));
        return Ok(());
    };
    let changed: HashSet<&str> = c.change.files.iter().flat_map(|f| f.paths()).collect();
    let log_touched = changed.contains(log.path.as_str())
        || ctx
            .config
            .repo_path
            .as_deref()
            .is_some_and(|p| changed.contains(p));
    for f in found {
        let involved = log_touched
            || match &f.about {
                About::Log => false,
                About::File(p) => changed.contains(p.as_str()),
                About::KnowledgeBase => changed.contains(kb_path),
            };
        if involved {
            sink.push(f.diagnostic);
        }
    }
    Ok(())
}
