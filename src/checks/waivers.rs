//! `Docgate-Waive: <rule>[(<doc id or path glob>)]: <reason>` commit trailers,
//! and the one place that applies severity overrides and waivers.

use crate::config::Config;
use crate::diagnostic::{self as rules, Diagnostic, Severity, Waived};
use crate::git::change::Commit;
use crate::git::short;
use crate::pattern;

pub struct Waiver {
    pub rule: String,
    pub scope: Option<String>,
    /// The scope as a path glob, compiled once (`None`: no scope, or a scope
    /// that can only be a doc id).
    scope_glob: Option<pattern::Matcher>,
    pub reason: String,
    pub commit: String,
    /// How many findings it waived.
    pub used: usize,
}

/// Read the waivers in the commits (newest first) and report malformed ones.
pub fn collect(commits: &[Commit], config: &Config) -> (Vec<Waiver>, Vec<Diagnostic>) {
    let key = config.waivers.trailer.as_str();
    let mut waivers = Vec::new();
    let mut problems = Vec::new();
    for commit in commits {
        let id = short(commit.id);
        let invalid =
            |msg: String| Diagnostic::new(rules::WAIVER_INVALID, format!("commit {id}: {msg}"));
        let mut in_trailers = 0;
        let trailers = match git2::message_trailers_strs(&commit.message) {
            Ok(t) => t,
            Err(e) => {
                problems.push(invalid(format!(
                    "cannot read the message's trailers: {}",
                    e.message()
                )));
                continue;
            }
        };
        {
            for (k, value) in trailers.iter() {
                if !k.eq_ignore_ascii_case(key) {
                    continue;
                }
                in_trailers += 1;
                match parse(value) {
                    Ok((rule, scope, reason)) => {
                        if rules::NEVER_WAIVABLE.contains(&rule.as_str()) {
                            problems.push(invalid(format!(
                                "`{rule}` can never be waived by a trailer"
                            )));
                        } else if !config.waivers.rules.contains(&rule) {
                            problems.push(invalid(format!(
                                "`{rule}` is not waivable here; `waivers.rules` allows: {}",
                                config.waivers.rules.join(", ")
                            )));
                        } else {
                            // A scope is a doc id or a path glob; one that is
                            // neither would silently waive nothing.
                            let scope_glob = scope.as_deref().and_then(|s| {
                                pattern::normalize(s)
                                    .and_then(|g| pattern::Matcher::new(&g))
                                    .ok()
                            });
                            match &scope {
                                Some(s) if scope_glob.is_none() && !looks_like_doc_id(s) => {
                                    problems.push(invalid(format!(
                                        "the scope `({s})` is neither a doc id nor a valid path glob"
                                    )))
                                }
                                _ => waivers.push(Waiver {
                                    rule,
                                    scope,
                                    scope_glob,
                                    reason,
                                    commit: id.clone(),
                                    used: 0,
                                }),
                            }
                        }
                    }
                    Err(why) => problems.push(invalid(format!("`{key}: {value}`: {why}"))),
                }
            }
        }
        // A waiver line outside the trailer block is ignored by git: say so.
        let prefix = format!("{}:", key.to_ascii_lowercase());
        let mentioned = commit
            .message
            .lines()
            .filter(|l| l.trim_start().to_ascii_lowercase().starts_with(&prefix))
            .count();
        if mentioned > in_trailers {
            problems.push(invalid(format!(
                "a `{key}:` line is not in the message's trailer block (the last paragraph), so it waives nothing"
            )));
        }
    }
    (waivers, problems)
}

/// Doc ids follow `[a-z0-9][a-z0-9._-]*` (SPEC §1.1).
fn looks_like_doc_id(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// `rule[(scope)]: reason`.
fn parse(value: &str) -> Result<(String, Option<String>, String), String> {
    let value = value.trim();
    let (head, reason) = match value.split_once(':') {
        Some((h, r)) => (h.trim(), r.trim()),
        None => (value, ""),
    };
    let (rule, scope) = match head.split_once('(') {
        Some((rule, rest)) => {
            let scope = rest
                .strip_suffix(')')
                .ok_or("the scope must be closed with `)`")?
                .trim();
            if scope.is_empty() {
                return Err("the scope in `(...)` is empty".into());
            }
            (rule.trim(), Some(scope.to_string()))
        }
        None => (head, None),
    };
    if rules::rule_by_id(rule).is_none() && !rules::NOT_YET_IMPLEMENTED.contains(&rule) {
        return Err(format!("unknown rule `{rule}`"));
    }
    if reason.is_empty() {
        return Err("a waiver needs a reason after the rule: `<rule>: <reason>`".into());
    }
    Ok((rule.to_string(), scope, reason.to_string()))
}

impl Waiver {
    fn matches(&self, d: &Diagnostic) -> bool {
        if d.rule.id != self.rule {
            return false;
        }
        let Some(scope) = &self.scope else {
            return true;
        };
        if d.docs.iter().any(|id| id == scope) {
            return true;
        }
        match (&d.path, &self.scope_glob) {
            (Some(path), Some(glob)) => glob.is_match(path),
            _ => false,
        }
    }
}

/// Apply the config's severity overrides, then the waivers. The one place
/// where a finding's severity changes after a check produced it.
pub fn apply(
    diagnostics: Vec<Diagnostic>,
    config: &Config,
    waivers: &mut [Waiver],
) -> Vec<Diagnostic> {
    waive(overrides(diagnostics, config), config, waivers)
}

/// The config's `rules:` severities (`off` drops a finding).
pub fn overrides(diagnostics: Vec<Diagnostic>, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::with_capacity(diagnostics.len());
    for mut d in diagnostics {
        if let Some(over) = config.rules.get(d.rule.id) {
            match over {
                None => continue,
                // A check that deliberately lowered a finding (a waived-by-version
                // note, an unknown-coverage warning) keeps its severity.
                Some(s) if d.severity == d.rule.severity => d.severity = *s,
                Some(_) => {}
            }
        }
        out.push(d);
    }
    out
}

/// Trailer waivers of the rules the config lets a trailer waive.
pub fn waive(
    diagnostics: Vec<Diagnostic>,
    config: &Config,
    waivers: &mut [Waiver],
) -> Vec<Diagnostic> {
    let mut out = Vec::with_capacity(diagnostics.len());
    for mut d in diagnostics {
        if config.waivers.rules.iter().any(|r| r == d.rule.id)
            && let Some(w) = waivers.iter_mut().find(|w| w.matches(&d))
        {
            w.used += 1;
            d.severity = Severity::Note;
            d.waived = Some(Waived {
                reason: w.reason.clone(),
                commit: w.commit.clone(),
            });
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_rule_scope_reason() {
        assert_eq!(
            parse("doc-not-updated(ops-05): hotfix, runbook follows in #12").unwrap(),
            (
                "doc-not-updated".into(),
                Some("ops-05".into()),
                "hotfix, runbook follows in #12".into()
            )
        );
        assert_eq!(parse("doc-not-updated: x").unwrap().1, None);
        assert!(parse("doc-not-updated").unwrap_err().contains("reason"));
        assert!(parse("doc-not-updated:   ").unwrap_err().contains("reason"));
        assert!(
            parse("no-such-rule: x")
                .unwrap_err()
                .contains("unknown rule")
        );
        assert!(parse("doc-not-updated(ops-05: x").is_err());
    }
}
