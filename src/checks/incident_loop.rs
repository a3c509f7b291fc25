//! The incident loop (SPEC §7): incident → post-mortem → knowledge-base
//! entry → policy → runbook → gate, with a priced cost-log entry. For each
//! post-mortem, which steps exist and where; `incident-loop-gap` names the
//! missing ones. "Skip any step and the loop has a gap."
//!
//! A step names a post-mortem when it mentions it: its repo-relative path,
//! or its file name (which a relative Markdown link to it contains too):
//! - knowledge base: an entry any of whose values mentions it;
//! - cost log: an entry whose `Post-mortem` field resolves to it;
//! - policy: the policy file mentions it, or the id of a knowledge-base
//!   entry of the first step;
//! - runbook: a doc (not a post-mortem) mentions it;
//! - gate: the docgate config file mentions it (an entry or a comment on it).

use std::collections::BTreeSet;

use anyhow::Result;
use serde::Serialize;

use super::{Ctx, Sink};
use crate::checks::policies;
use crate::config::Config;
use crate::diagnostic::{self as rules, Diagnostic};
use crate::docs::Doc;
use crate::snapshot::Snapshot;
use crate::{kb, mishap, postmortem};

/// The steps, in the loop's order, as reports name them.
pub const STEPS: [&str; 5] = ["knowledge base", "cost log", "policy", "runbook", "gate"];

/// One post-mortem's loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentLoop {
    pub postmortem: String,
    pub title: Option<String>,
    /// Per step (in [`STEPS`] order): what carries it (ids, `path:line`);
    /// empty when the step is missing.
    pub steps: Vec<LoopStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoopStep {
    pub step: &'static str,
    pub found: Vec<String>,
}

impl IncidentLoop {
    pub fn missing(&self) -> Vec<&'static str> {
        self.steps
            .iter()
            .filter(|s| s.found.is_empty())
            .map(|s| s.step)
            .collect()
    }
}

/// Does a knowledge-base entry mention this needle?
pub type Mentions<'a> = Box<dyn Fn(&str) -> bool + 'a>;

/// What the loop is looked for in.
pub struct Sources<'a> {
    /// (entry id, does it mention `needle`?)
    pub kb: Vec<(&'a str, Mentions<'a>)>,
    /// (post-mortem path the entry points at, `log:line`)
    pub cost_entries: Vec<(String, String)>,
    /// (policy file path, text)
    pub policy: Option<(&'a str, &'a str)>,
    /// (doc id or path, text) of every doc that is not a post-mortem
    pub runbooks: Vec<(String, String)>,
    /// (config path, text)
    pub config: Option<(&'a str, &'a str)>,
}

/// The layers a loop is traced in, read from one snapshot.
struct Layers {
    kb: Option<kb::Loaded>,
    log: Option<mishap::CostLog>,
    policy: Option<policies::PolicyFile>,
    /// (config path, text) when the config in use is a file of the snapshot.
    config: Option<(String, String)>,
}

impl Layers {
    fn read(snapshot: &Snapshot<'_>, config: &Config) -> Result<Layers> {
        let config_text = match config.repo_path.as_deref() {
            Some(path) => snapshot
                .read(path)?
                .into_text(path)
                .ok()
                .map(|t| (path.to_string(), t)),
            None => None,
        };
        Ok(Layers {
            kb: kb::load(snapshot, config)?,
            log: mishap::load(snapshot, config)?,
            policy: policies::load(snapshot, &config.policies)?,
            config: config_text,
        })
    }

    fn sources<'a>(&'a self, runbooks: Vec<(String, String)>) -> Sources<'a> {
        let kb = self.kb.as_ref().map_or_else(Vec::new, |l| {
            l.kb.entries
                .iter()
                .map(|e| {
                    let m: Mentions<'a> = Box::new(move |n| e.mentions(n));
                    (e.id.as_str(), m)
                })
                .collect()
        });
        let cost_entries = self.log.as_ref().map_or_else(Vec::new, |log| {
            log.entries
                .iter()
                .filter_map(|e| {
                    e.post_mortem
                        .clone()
                        .map(|pm| (pm, format!("{}:{}", log.path, e.line)))
                })
                .collect()
        });
        Sources {
            kb,
            cost_entries,
            policy: self
                .policy
                .as_ref()
                .map(|p| (p.path.as_str(), p.text.as_str())),
            runbooks,
            config: self.config.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
        }
    }
}

/// The docs that can carry the runbook step: every doc with frontmatter
/// but the post-mortems themselves, the index and the cost log. `(label,
/// text)`; a doc that cannot be read as text carries nothing (its own
/// rules report it).
fn runbooks<'d>(
    snapshot: &Snapshot<'_>,
    config: &Config,
    docs: impl IntoIterator<Item = &'d Doc>,
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for d in docs {
        if config.postmortems.is_postmortem(&d.path)
            || d.path == config.docs.index.path
            || d.path == config.mishap_log.path
        {
            continue;
        }
        if let Ok(text) = snapshot.read(&d.path)?.into_text(&d.path) {
            out.push((d.id.clone().unwrap_or_else(|| d.path.clone()), text));
        }
    }
    Ok(out)
}

/// Every post-mortem's loop in a snapshot. The runbooks' texts are read
/// only when there is a post-mortem to trace (a large doc set without
/// post-mortems reads none of them again).
fn trace_all(
    snapshot: &Snapshot<'_>,
    config: &Config,
    runbooks: impl FnOnce() -> Result<Vec<(String, String)>>,
) -> Result<Vec<IncidentLoop>> {
    let pms = postmortem::load_texts(snapshot, &config.postmortems)?;
    if pms.is_empty() {
        return Ok(Vec::new());
    }
    let layers = Layers::read(snapshot, config)?;
    let src = layers.sources(runbooks()?);
    let paths: Vec<&str> = pms.iter().map(|p| p.path.as_str()).collect();
    Ok(pms
        .iter()
        .map(|p| {
            let title = p.postmortem.title.clone();
            trace(&p.path, title, &needles(&p.path, &paths), &src)
        })
        .collect())
}

/// The loop of every post-mortem; `incident-loop-gap` for each with a
/// missing step. In `check`: the post-mortems the change added or edited,
/// and gaps the change opened (a step that existed at the base and is gone).
pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let loops = trace_all(ctx.head, ctx.config, || {
        runbooks(ctx.head, ctx.config, &ctx.docs.docs)
    })?;
    if loops.is_empty() {
        return Ok(());
    }
    let reported: Vec<&IncidentLoop> = match &ctx.change {
        None => loops.iter().collect(),
        Some(c) => {
            let touched: BTreeSet<&str> = c
                .change
                .files
                .iter()
                .filter(|f| f.status != crate::git::change::Status::Deleted)
                .map(|f| f.path.as_str())
                .collect();
            // The base's gaps, only when the change touched a file a step
            // lives in (any file but code: the layers, the config, a doc).
            let base_gaps: Option<BTreeSet<(String, &str)>> = if c
                .change
                .files
                .iter()
                .any(|f| f.paths().any(|p| is_loop_source(p, ctx.config)))
            {
                let unchanged = ctx
                    .docs
                    .docs
                    .iter()
                    .filter(|d| !c.docs.head_paths.contains(&d.path));
                let base = trace_all(&c.change.base, ctx.config, || {
                    let mut base_runbooks = runbooks(ctx.head, ctx.config, unchanged)?;
                    base_runbooks.extend(runbooks(
                        &c.change.base,
                        ctx.config,
                        &c.docs.base_versions,
                    )?);
                    Ok(base_runbooks)
                })?;
                Some(
                    base.iter()
                        .flat_map(|l| l.missing().into_iter().map(|s| (l.postmortem.clone(), s)))
                        .collect(),
                )
            } else {
                None
            };
            loops
                .iter()
                .filter(|l| {
                    touched.contains(l.postmortem.as_str())
                        || base_gaps.as_ref().is_some_and(|gaps| {
                            l.missing()
                                .iter()
                                .any(|s| !gaps.contains(&(l.postmortem.clone(), *s)))
                        })
                })
                .collect()
        }
    };
    for l in &reported {
        let missing = l.missing();
        if missing.is_empty() {
            continue;
        }
        sink.push(
            Diagnostic::new(rules::INCIDENT_LOOP_GAP, gap_message(l, &missing)).at(&l.postmortem),
        );
    }
    sink.incident_loop = Some(reported.into_iter().cloned().collect());
    Ok(())
}

/// A file a loop step can live in: the layers, the config, a Markdown file.
fn is_loop_source(path: &str, config: &Config) -> bool {
    path == config.knowledge_base.path
        || path == config.mishap_log.path
        || config.repo_path.as_deref() == Some(path)
        || config.policies.path.as_deref() == Some(path)
        || path.ends_with(".md")
}

fn gap_message(l: &IncidentLoop, missing: &[&str]) -> String {
    let what = |step: &str| match step {
        "knowledge base" => "no knowledge-base entry mentions it",
        "cost log" => "no cost-log entry points at it (`Post-mortem:`)",
        "policy" => "the policy file names neither it nor its knowledge-base entry",
        "runbook" => "no runbook mentions it",
        _ => "no docgate config entry names it (the gate that stops a repeat)",
    };
    let has: Vec<String> = l
        .steps
        .iter()
        .filter(|s| !s.found.is_empty())
        .map(|s| format!("{} ({})", s.step, s.found.join(", ")))
        .collect();
    format!(
        "the incident loop of this post-mortem has {} gap{}: {}{}",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" },
        missing
            .iter()
            .map(|s| what(s))
            .collect::<Vec<_>>()
            .join("; "),
        if has.is_empty() {
            String::new()
        } else {
            format!(". It has: {}", has.join(", "))
        }
    )
}

/// The needles a post-mortem is found by: its path, and its file name when
/// no other post-mortem has the same one.
pub fn needles(path: &str, all: &[&str]) -> Vec<String> {
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let own = name(path);
    let shared = all.iter().filter(|p| name(p) == own).count() > 1;
    if shared || own == path {
        vec![path.to_string()]
    } else {
        vec![path.to_string(), own]
    }
}

/// The loop of the post-mortem at `path`.
pub fn trace(
    path: &str,
    title: Option<String>,
    needles: &[String],
    src: &Sources<'_>,
) -> IncidentLoop {
    let mentions = |text: &str| needles.iter().any(|n| text.contains(n.as_str()));
    let kb: Vec<String> = src
        .kb
        .iter()
        .filter(|(_, m)| needles.iter().any(|n| m(n)))
        .map(|(id, _)| id.to_string())
        .collect();
    let cost: Vec<String> = src
        .cost_entries
        .iter()
        .filter(|(pm, _)| pm == path)
        .map(|(_, at)| at.clone())
        .collect();
    let policy: Vec<String> = src
        .policy
        .iter()
        .filter(|(_, text)| mentions(text) || kb.iter().any(|id| mentions_word(text, id)))
        .map(|(p, _)| p.to_string())
        .collect();
    let runbooks: Vec<String> = src
        .runbooks
        .iter()
        .filter(|(_, text)| mentions(text))
        .map(|(id, _)| id.clone())
        .collect();
    let gate: Vec<String> = src
        .config
        .iter()
        .filter(|(_, text)| mentions(text))
        .map(|(p, _)| p.to_string())
        .collect();
    let steps = [kb, cost, policy, runbooks, gate]
        .into_iter()
        .zip(STEPS)
        .map(|(found, step)| LoopStep { step, found })
        .collect();
    IncidentLoop {
        postmortem: path.to_string(),
        title,
        steps,
    }
}

/// Does `text` contain `word` not as part of a longer id (`silent-fallback`
/// is not in `silent-fallback-v2`)?
fn mentions_word(text: &str, word: &str) -> bool {
    let is_id = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_id) && !after.is_some_and(is_id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PM: &str = "docs/post-mortems/2026-02-06-ray.md";

    fn sources<'a>(policy: &'a str, config: &'a str) -> Sources<'a> {
        Sources {
            kb: vec![
                (
                    "silent-fallback",
                    Box::new(|n: &str| "see 2026-02-06-ray.md".contains(n)),
                ),
                ("other", Box::new(|_: &str| false)),
            ],
            cost_entries: vec![
                (PM.to_string(), "docs/MISHAP_COST_LOG.md:12".to_string()),
                (
                    "docs/post-mortems/x.md".to_string(),
                    "docs/MISHAP_COST_LOG.md:20".to_string(),
                ),
            ],
            policy: Some(("CLAUDE.md", policy)),
            runbooks: vec![
                (
                    "ops-01".into(),
                    "[the incident](../post-mortems/2026-02-06-ray.md)".into(),
                ),
                ("ops-02".into(), "nothing".into()),
            ],
            config: Some((".docgate.yml", config)),
        }
    }

    #[test]
    fn every_step_found_with_what_carries_it() {
        let n = needles(PM, &[PM]);
        assert_eq!(n, vec![PM.to_string(), "2026-02-06-ray.md".to_string()]);
        let src = sources("1. No `silent-fallback`.", "# gate for 2026-02-06-ray.md\n");
        let l = trace(PM, Some("Ray".into()), &n, &src);
        let found: Vec<(&str, Vec<String>)> =
            l.steps.iter().map(|s| (s.step, s.found.clone())).collect();
        assert_eq!(
            found,
            vec![
                ("knowledge base", vec!["silent-fallback".to_string()]),
                ("cost log", vec!["docs/MISHAP_COST_LOG.md:12".to_string()]),
                ("policy", vec!["CLAUDE.md".to_string()]),
                ("runbook", vec!["ops-01".to_string()]),
                ("gate", vec![".docgate.yml".to_string()]),
            ]
        );
        assert!(l.missing().is_empty());
    }

    #[test]
    fn missing_steps_are_named_and_ids_match_as_words() {
        let n = needles(PM, &[PM]);
        let src = sources("1. No `silent-fallback-v2`.", "version: 1\n");
        let l = trace(PM, None, &n, &src);
        assert_eq!(l.missing(), vec!["policy", "gate"]);
    }

    #[test]
    fn a_shared_file_name_is_no_needle() {
        let other = "docs/post-mortems/2025/2026-02-06-ray.md";
        assert_eq!(needles(PM, &[PM, other]), vec![PM.to_string()]);
        assert!(mentions_word("a silent-fallback.", "silent-fallback"));
        assert!(!mentions_word("xsilent-fallback", "silent-fallback"));
        assert!(!mentions_word("silent-fallback_2", "silent-fallback"));
    }
}
