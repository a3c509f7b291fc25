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

use serde::Serialize;

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

/// What the loop is looked for in.
pub struct Sources<'a> {
    /// (entry id, does it mention `needle`?)
    pub kb: Vec<(&'a str, Box<dyn Fn(&str) -> bool + 'a>)>,
    /// (post-mortem path the entry points at, `log:line`)
    pub cost_entries: Vec<(String, String)>,
    /// (policy file path, text)
    pub policy: Option<(&'a str, &'a str)>,
    /// (doc id or path, text) of every doc that is not a post-mortem
    pub runbooks: Vec<(String, String)>,
    /// (config path, text)
    pub config: Option<(&'a str, &'a str)>,
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
