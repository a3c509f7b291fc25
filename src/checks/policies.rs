//! The policy check (SPEC §7): the agent policy file (`CLAUDE.md`, else
//! `AGENTS.md`, or the file `policies` names) has a numbered policy list and
//! stays within its line budget. `lint` always checks it; `check` only when
//! the change touched it. [`load`] gives the file and its policies to other
//! checks (the incident loop looks for a post-mortem's policy there).

pub mod cfg;

use anyhow::Result;

use super::{Ctx, Sink};
use crate::diagnostic::{self as rules, Diagnostic};
use crate::markdown::{self, BlockKind, heading_key, item_number};
use crate::snapshot::{Read, Snapshot};

pub use cfg::PoliciesConfig;

/// The policy file as docgate reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFile {
    pub path: String,
    /// Its text (empty when it cannot be read).
    pub text: String,
    pub lines: usize,
    /// The headings whose name contains "polic" (`Key Policies`): (text,
    /// line). The policies are read under them when there is one.
    pub sections: Vec<(String, usize)>,
    pub policies: Vec<Policy>,
    /// Why the file cannot be read as text (then it has no policies).
    pub unreadable: Option<String>,
}

/// One numbered policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The number it is written with (`3.` → 3).
    pub number: u64,
    pub text: String,
    pub line: usize,
}

/// The policy file in use: the configured path, else the first of
/// `CLAUDE.md`, `AGENTS.md` that is a file; `None` when there is none (the
/// layer is not active; a configured one is exit 2 in `require_layers`).
pub fn resolve(snapshot: &Snapshot<'_>, config: &PoliciesConfig) -> Result<Option<String>> {
    if let Some(path) = &config.path {
        return Ok(snapshot.is_file(path)?.then(|| path.clone()));
    }
    for path in cfg::DEFAULT_FILES {
        if snapshot.is_file(path)? {
            return Ok(Some(path.to_string()));
        }
    }
    Ok(None)
}

/// The policy file in use, read (`None`: there is none).
pub fn load(snapshot: &Snapshot<'_>, config: &PoliciesConfig) -> Result<Option<PolicyFile>> {
    let Some(path) = resolve(snapshot, config)? else {
        return Ok(None);
    };
    let read = snapshot.read(&path)?;
    let link = matches!(read, Read::Symlink(_));
    Ok(Some(match read.into_text(&path) {
        Ok(text) => parse(&path, &text),
        Err(why) => PolicyFile {
            path,
            text: String::new(),
            lines: 0,
            sections: Vec::new(),
            policies: Vec::new(),
            unreadable: Some(if link {
                format!("{why} (name the file it links to in `policies`)")
            } else {
                why
            }),
        },
    }))
}

/// Read a policy file's text: its numbered policies are the top-level
/// ordered list items under the headings whose name contains "polic" when
/// there is such a heading, else anywhere in the file.
pub fn parse(path: &str, text: &str) -> PolicyFile {
    let outline = markdown::parse(text);
    let sections: Vec<_> = outline
        .sections()
        .into_iter()
        .filter(|s| heading_key(&s.heading.text).contains("polic"))
        .collect();
    let mut scope: Vec<&markdown::Block> = if sections.is_empty() {
        outline.blocks.iter().collect()
    } else {
        sections.iter().flat_map(|s| s.blocks.iter()).collect()
    };
    // Nested policy sections hold the same blocks twice.
    scope.sort_by_key(|b| (b.line, b.col));
    scope.dedup_by_key(|b| (b.line, b.col));
    let depth = |b: &markdown::Block| match b.kind {
        BlockKind::Item {
            depth,
            ordered: true,
            ..
        } => Some(depth),
        _ => None,
    };
    let top = scope.iter().filter_map(|b| depth(b)).min();
    let policies = scope
        .iter()
        .filter(|b| top.is_some() && depth(b) == top)
        .enumerate()
        .map(|(i, b)| Policy {
            number: item_number(text, b).unwrap_or(i as u64 + 1),
            text: b.text.clone(),
            line: b.line,
        })
        .collect();
    PolicyFile {
        path: path.to_string(),
        text: text.to_string(),
        lines: text.lines().count(),
        sections: sections
            .iter()
            .map(|s| (s.heading.text.clone(), s.heading.line))
            .collect(),
        policies,
        unreadable: None,
    }
}

pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let config = &ctx.config.policies;
    let Some(file) = load(ctx.head, config)? else {
        return Ok(());
    };
    let n = file.policies.len();
    sink.checked.layers.push(match &file.unreadable {
        Some(_) => format!("policies ({}, unreadable)", file.path),
        None => format!(
            "policies ({}, {n} polic{})",
            file.path,
            if n == 1 { "y" } else { "ies" }
        ),
    });
    if let Some(c) = &ctx.change
        && !c
            .change
            .files
            .iter()
            .any(|f| f.paths().any(|p| p == file.path))
    {
        return Ok(());
    }
    sink.extend(findings(&file, config));
    Ok(())
}

fn findings(file: &PolicyFile, config: &PoliciesConfig) -> Vec<Diagnostic> {
    let path = &file.path;
    let invalid = |msg: String| Diagnostic::new(rules::POLICY_FILE_INVALID, msg).at(path);
    if let Some(why) = &file.unreadable {
        return vec![invalid(format!("{why}, so its policies cannot be read"))];
    }
    let mut out = Vec::new();
    if file.policies.is_empty() {
        out.push(match file.sections.first() {
            Some((heading, line)) => invalid(format!(
                "the policy section `{heading}` has no numbered list: write each policy as a \
                 numbered item (`1. ...`) under it"
            ))
            .at_line(&file.text, *line, 1),
            None => invalid(format!(
                "{path} has no numbered policy list: write the policies as numbered items \
                 (`1. ...`), ideally under a `Key Policies` heading"
            ))
            .at_line(&file.text, 1, 1),
        });
    }
    if file.lines as u64 > config.max_lines {
        let over = config.max_lines as usize + 1;
        out.push(
            invalid(format!(
                "{path} has {} lines, over its budget of {} (policies.max_lines): an agent reads \
                 all of it in every session; move detail into runbooks and link them",
                file.lines, config.max_lines
            ))
            .at_line(&file.text, over, 1),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Vec<(u64, String, usize)> {
        parse("CLAUDE.md", text)
            .policies
            .into_iter()
            .map(|p| (p.number, p.text, p.line))
            .collect()
    }

    #[test]
    fn policies_under_a_policy_heading_else_anywhere() {
        let text = "# Repo\n\n1. not a policy\n\n## Key Policies\n\n1. **Fail fast.**\n   1. detail\n\
                    3. Docs are part of the fix.\n\n## Setup\n\n1. install\n";
        assert_eq!(
            numbers(text),
            vec![
                (1, "Fail fast.".to_string(), 7),
                (3, "Docs are part of the fix.".to_string(), 9)
            ]
        );
        let file = parse("CLAUDE.md", text);
        assert_eq!(file.sections, vec![("Key Policies".to_string(), 5)]);
        assert_eq!(file.lines, 13);
        // No policy heading: the top-level numbered items anywhere.
        assert_eq!(
            numbers("# A\n\n- x\n  1. nested\n\n2. b\n"),
            vec![(2, "b".to_string(), 6)]
        );
        assert!(numbers("## Policies\n\n- a bullet\n\n## Other\n\n1. x\n").is_empty());
    }
}
