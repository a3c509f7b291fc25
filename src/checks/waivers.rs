//! `Docgate-Waive: <rule>[(<doc id or path glob>)]: <reason>` commit trailers:
//! reading and validating them. The sink applies them.

pub mod cfg;

use crate::config::Config;
use crate::diagnostic::{self as rules, Diagnostic, Waivability};
use crate::git::change::Commit;
use crate::pattern;

pub struct Waiver {
    pub rule: String,
    pub scope: Option<String>,
    /// The scope as a path glob, compiled once (`None`: no scope; a scope
    /// that does not compile is refused when the trailer is read).
    pub(crate) scope_glob: Option<pattern::Matcher>,
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
        let id = commit.short_id();
        let invalid =
            |msg: String| Diagnostic::new(rules::WAIVER_INVALID, format!("commit {id}: {msg}"));
        let trailers = match commit.trailers() {
            Ok(t) => t,
            Err(e) => {
                problems.push(invalid(format!("cannot read the message's trailers: {e}")));
                continue;
            }
        };
        let mut in_trailers = 0;
        for (k, value) in &trailers {
            if !k.eq_ignore_ascii_case(key) {
                continue;
            }
            in_trailers += 1;
            match Waiver::read(value, &id, config) {
                Ok(w) => waivers.push(w),
                Err(why) => problems.push(invalid(why)),
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
    if rules::known_rule(rule).is_none() {
        return Err(format!("unknown rule `{rule}`"));
    }
    if reason.is_empty() {
        return Err("a waiver needs a reason after the rule: `<rule>: <reason>`".into());
    }
    Ok((rule.to_string(), scope, reason.to_string()))
}

impl Waiver {
    /// One trailer's value, `rule[(scope)]: reason`, checked against the
    /// rule table and `waivers.rules`; `Err` is the `waiver-invalid` message.
    pub fn read(value: &str, commit: &str, config: &Config) -> Result<Waiver, String> {
        let key = &config.waivers.trailer;
        let (rule, scope, reason) =
            parse(value).map_err(|why| format!("`{key}: {value}`: {why}"))?;
        match rules::waivability(&rule, &config.waivers.rules) {
            Waivability::Waivable => {}
            Waivability::Never => return Err(format!("`{rule}` can never be waived by a trailer")),
            Waivability::NotListed => {
                return Err(format!(
                    "`{rule}` is not waivable here; `waivers.rules` allows: {}",
                    config.waivers.rules.join(", ")
                ));
            }
        }
        // A scope is a doc id or a path glob. Every doc id
        // (`[a-z0-9][a-z0-9._-]*`, SPEC §1.1) is also a valid glob, so a
        // scope that does not compile as one is neither and would silently
        // waive nothing.
        let scope_glob = scope.as_deref().and_then(|s| {
            pattern::normalize(s)
                .and_then(|g| pattern::Matcher::new(&g))
                .ok()
        });
        if let Some(s) = &scope
            && scope_glob.is_none()
        {
            return Err(format!(
                "the scope `({s})` is neither a doc id nor a valid path glob"
            ));
        }
        Ok(Waiver {
            rule,
            scope,
            scope_glob,
            reason,
            commit: commit.to_string(),
            used: 0,
        })
    }

    /// Does the waiver name this finding: its rule, and its scope (a doc id
    /// among the finding's docs, or a glob matching its path)?
    pub fn matches(&self, d: &Diagnostic) -> bool {
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
