//! The `rules:` section: per-rule severity overrides that the sink applies.

use std::collections::BTreeMap;

use crate::config::node::{Validator, describe, did_you_mean};
use crate::diagnostic::{self, Severity};
use crate::yaml::Node;

/// `rules:` validated: rule id → severity (`None`: `off`).
pub(crate) fn parse(v: &mut Validator, node: Option<&Node>) -> BTreeMap<String, Option<Severity>> {
    let mut rules = BTreeMap::new();
    let Some(node) = node else {
        return rules;
    };
    for (k, val) in v.free_map(node, "rules") {
        let Some(id) = k.as_str() else { continue };
        let severity = match val.as_str() {
            Some("off") => None,
            word => match word.map(str::parse::<Severity>) {
                Some(Ok(severity)) => Some(severity),
                _ => {
                    v.err(
                        val,
                        format!(
                            "severity of `{id}` must be {} or off, found {}",
                            Severity::NAMES.join(", "),
                            describe(val)
                        ),
                    );
                    continue;
                }
            },
        };
        match crate::diagnostic::known_rule(id) {
            Some((_, true)) => {
                rules.insert(id.to_string(), severity);
            }
            Some((_, false)) => {
                if severity.is_some() {
                    v.err(k, format!("rule `{id}` is not implemented in docgate {} yet; only `off` is accepted for it", env!("CARGO_PKG_VERSION")));
                }
            }
            None => v.err(k, unknown_rule_message(id)),
        }
    }
    rules
}

pub(crate) fn unknown_rule_message(id: &str) -> String {
    let known: Vec<&str> = diagnostic::ALL.iter().map(|r| r.id).collect();
    format!("unknown rule `{id}`{}", did_you_mean(id, &known))
}
