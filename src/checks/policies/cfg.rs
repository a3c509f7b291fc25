//! The `policies:` setting (SPEC §3, §7), owned by the policy check: the
//! agent policy file and its line budget. Either a path (`policies:
//! AGENTS.md`) or a mapping (`policies: {path: CLAUDE.md, max_lines: 200}`).

use crate::config::node::{Validator, describe};
use crate::yaml::{self, Node};

#[derive(Debug, Clone)]
pub struct PoliciesConfig {
    /// The file named in the config; `None`: `CLAUDE.md`, else `AGENTS.md`.
    pub path: Option<String>,
    /// The most lines the file may have.
    pub max_lines: u64,
    /// `policies` is set in the config: then a policy file must exist.
    pub explicit: bool,
}

/// The files looked for when `policies` names none, in order (SPEC §1).
pub const DEFAULT_FILES: &[&str] = &["CLAUDE.md", "AGENTS.md"];
pub const DEFAULT_MAX_LINES: u64 = 200;

impl Default for PoliciesConfig {
    fn default() -> PoliciesConfig {
        PoliciesConfig {
            path: None,
            max_lines: DEFAULT_MAX_LINES,
            explicit: false,
        }
    }
}

/// `policies:` validated; the defaults when absent.
pub(crate) fn parse(v: &mut Validator, node: Option<&Node>) -> PoliciesConfig {
    let mut p = PoliciesConfig::default();
    let Some(node) = node else {
        return p;
    };
    p.explicit = true;
    match &node.kind {
        yaml::Kind::Map(_) => {
            v.map(node, "policies", &["path", "max_lines"]);
            if let Some(n) = node.get("path") {
                p.path = v.path(n, "policies.path");
            }
            if let Some(n) = node.get("max_lines") {
                match n.as_u64() {
                    Some(x) if x >= 1 => p.max_lines = x,
                    _ => v.err(
                        n,
                        format!(
                            "`policies.max_lines` must be a whole number of lines, 1 or more, found {}",
                            describe(n)
                        ),
                    ),
                }
            }
        }
        _ if node.as_str().is_some() => p.path = v.path(node, "policies"),
        _ => v.err(
            node,
            format!(
                "`policies` must be a file path or a mapping {{path, max_lines}}, found {}",
                node.type_name()
            ),
        ),
    }
    p
}
