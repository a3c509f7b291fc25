//! The policy layer: `CLAUDE.md` (else `AGENTS.md`, or the configured file)
//! has a numbered policy list and stays within its line budget.

use crate::postmortems::{lint_of, repo_with};
use crate::support::*;

const POLICIES: &str = "# Agents\n\nIntro.\n\n## Key Policies\n\n1. Fail fast.\n2. Docs are part of the fix.\n3. Keep ray out of inference.\n";

fn layers(run: &Run) -> serde_json::Value {
    run.json()["checked"]["layers"].clone()
}

/// (path, line, severity, message) of each `policy-file-invalid` finding.
fn invalid(run: &Run) -> Vec<(String, u64, String, String)> {
    findings_of(&run.json(), "policy-file-invalid")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["severity"].as_str().unwrap().to_string(),
                message(f).to_string(),
            )
        })
        .collect()
}

#[test]
fn claude_md_else_agents_md_with_its_policies_counted() {
    let run = lint_of(&[("CLAUDE.md", POLICIES)], None);
    assert_clean(&run);
    assert_eq!(
        layers(&run),
        serde_json::json!(["docs (docs)", "policies (CLAUDE.md, 3 policies)"])
    );
    // AGENTS.md when there is no CLAUDE.md; CLAUDE.md first when both are.
    let run = lint_of(&[("AGENTS.md", "1. One policy.\n")], None);
    assert_clean(&run);
    assert_eq!(layers(&run)[1], "policies (AGENTS.md, 1 policy)");
    let run = lint_of(&[("AGENTS.md", "no list\n"), ("CLAUDE.md", POLICIES)], None);
    assert_clean(&run);
    // Neither: the layer is not active.
    let run = lint_of(&[], None);
    assert_clean(&run);
    assert_eq!(layers(&run), serde_json::json!(["docs (docs)"]));
}

#[test]
fn a_policy_file_without_a_numbered_list_is_a_warning() {
    let run = lint_of(
        &[("CLAUDE.md", "# Agents\n\n- be careful\n- be quick\n")],
        None,
    );
    assert_eq!(run.code, 0, "a warning does not fail by default: {run:?}");
    assert_eq!(
        invalid(&run),
        vec![(
            "CLAUDE.md".into(),
            1,
            "warning".into(),
            "CLAUDE.md has no numbered policy list: write the policies as numbered items \
             (`1. ...`), ideally under a `Key Policies` heading"
                .into()
        )]
    );
    assert_eq!(layers(&run)[1], "policies (CLAUDE.md, 0 policies)");
    // A policy heading without a numbered list under it: at the heading,
    // though a numbered list elsewhere exists.
    let run = lint_of(
        &[(
            "CLAUDE.md",
            "# Agents\n\n## Policies\n\n- a bullet\n\n## Setup\n\n1. install\n",
        )],
        None,
    );
    assert_eq!(
        invalid(&run),
        vec![(
            "CLAUDE.md".into(),
            3,
            "warning".into(),
            "the policy section `Policies` has no numbered list: write each policy as a numbered \
             item (`1. ...`) under it"
                .into()
        )]
    );
}

#[test]
fn the_line_budget() {
    let long = format!("{POLICIES}{}", "detail\n".repeat(192));
    assert_eq!(long.lines().count(), 201);
    let run = lint_of(&[("CLAUDE.md", &long)], None);
    assert_eq!(
        invalid(&run),
        vec![(
            "CLAUDE.md".into(),
            201,
            "warning".into(),
            "CLAUDE.md has 201 lines, over its budget of 200 (policies.max_lines): an agent reads \
             all of it in every session; move detail into runbooks and link them"
                .into()
        )]
    );
    // 200 lines are within it; `max_lines` moves it.
    let run = lint_of(&[("CLAUDE.md", &long[..long.len() - 7])], None);
    assert_clean(&run);
    let run = lint_of(
        &[("CLAUDE.md", &long)],
        Some("policies: {path: CLAUDE.md, max_lines: 201}\n"),
    );
    assert_clean(&run);
    let run = lint_of(
        &[("CLAUDE.md", POLICIES)],
        Some("policies: {max_lines: 5}\n"),
    );
    assert_eq!(
        invalid(&run).iter().map(|f| f.1).collect::<Vec<_>>(),
        [6],
        "{run:?}"
    );
}

#[test]
fn a_configured_policy_file_must_exist() {
    let run = lint_of(
        &[("CLAUDE.md", POLICIES)],
        Some("policies: docs/AGENT.md\n"),
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            ".docgate.yml names a file that does not exist in the working tree: docs/AGENT.md"
        ),
        "{run:?}"
    );
    let run = lint_of(&[], Some("policies: {max_lines: 50}\n"));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("does not exist in the working tree: CLAUDE.md or AGENTS.md"),
        "{run:?}"
    );
    // A configured path is read instead of the defaults.
    let run = lint_of(
        &[("CLAUDE.md", POLICIES), ("agents/RULES.md", "no list\n")],
        Some("policies: agents/RULES.md\n"),
    );
    assert_eq!(invalid(&run).len(), 1, "{run:?}");
    assert_eq!(invalid(&run)[0].0, "agents/RULES.md");
}

#[test]
fn the_policies_setting_is_validated() {
    for (config, want) in [
        (
            "policies: {path: CLAUDE.md, max_line: 10}\n",
            ".docgate.yml:1:29: unknown key `max_line` in `policies` (did you mean `max_lines`?)",
        ),
        (
            "policies: [CLAUDE.md]\n",
            ".docgate.yml:1:11: `policies` must be a file path or a mapping {path, max_lines}, found a list",
        ),
        (
            "policies:\n  max_lines: 0\n",
            ".docgate.yml:2:14: `policies.max_lines` must be a whole number of lines, 1 or more, found `0`",
        ),
        (
            "policies: docs/\n",
            ".docgate.yml:1:11: `policies` must be a file path, not a folder or glob",
        ),
    ] {
        let run = lint_of(&[("CLAUDE.md", POLICIES)], Some(config));
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.stderr.contains(want), "lacks {want:?}: {run:?}");
    }
}

/// `check` reports the policy file only when the change touched it.
#[test]
fn check_reports_the_policy_file_only_when_the_change_touched_it() {
    let repo = repo_with(&[("CLAUDE.md", "# Agents\n\nno list\n")], None);
    repo.write("src/app.py", "print('v2')\n")
        .write("docs/ops/app.md", updated_runbook());
    repo.commit("change app and runbook");
    let run = check(&repo);
    assert_clean(&run);
    assert_eq!(layers(&run)[1], "policies (CLAUDE.md, 0 policies)");

    repo.write("CLAUDE.md", "# Agents\n\nstill no list\n");
    repo.commit("edit the policies");
    let run = check(&repo);
    assert_eq!(invalid(&run).len(), 1, "{run:?}");
}

/// A policy file docgate cannot read is named: a symbolic link (never
/// followed), not valid UTF-8.
#[test]
fn an_unreadable_policy_file_is_named() {
    let repo = repo_with(&[("AGENTS.md", POLICIES)], None);
    std::os::unix::fs::symlink("AGENTS.md", repo.path().join("CLAUDE.md")).unwrap();
    repo.commit("link");
    let run = lint(&repo);
    assert_eq!(
        invalid(&run),
        vec![(
            "CLAUDE.md".into(),
            0,
            "warning".into(),
            "CLAUDE.md is a symbolic link (to AGENTS.md), and docgate never follows links (name \
             the file it links to in `policies`), so its policies cannot be read"
                .into()
        )]
    );
    assert_eq!(layers(&run)[1], "policies (CLAUDE.md, unreadable)");

    let repo = repo_with(&[("CLAUDE.md", "1. ok\n2. caf\u{e9}\n")], None);
    repo.write("CLAUDE.md", b"1. ok\n2. caf\xe9\n");
    repo.commit("latin-1");
    let run = lint(&repo);
    assert_eq!(
        invalid(&run)[0].3,
        "CLAUDE.md is not valid UTF-8 (line 2, column 7), so its policies cannot be read"
    );
}
