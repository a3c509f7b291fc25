//! The one rule table decides: `rules:` overrides reach every situation of a
//! rule, and every finding (an unused waiver too) is data in every format.

use crate::support::*;

/// A repository whose second runbook has broken frontmatter the change does
/// not touch, and a change to the covered code with its runbook.
fn repo_with_an_untouched_broken_doc(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n")
        .write(
            "docs/ops/app.md",
            runbook("ops-01", &["src/app.py"], "How the app works."),
        )
        .write(
            "docs/ops/broken.md",
            "---\nid: ops-02\ntitle: [unclosed\n---\nBody.\n",
        )
        .write(".docgate.yml", config);
    repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src/app.py", "print('v2')\n").write(
        "docs/ops/app.md",
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "2026-06-01",
            "How the app works, v2.",
        ),
    );
    repo.commit("change the app and its runbook");
    repo
}

#[test]
fn a_severity_override_reaches_the_untouched_unreadable_doc_in_check() {
    // The default: a warning that coverage through ops-02 is unknown.
    let repo = repo_with_an_untouched_broken_doc("version: 1\n");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.rules(), vec!["frontmatter-invalid"], "{run:?}");
    assert_eq!(json["findings"][0]["severity"], "warning", "{run:?}");
    assert_eq!(json["findings"][0]["path"], "docs/ops/broken.md");

    // `rules: {frontmatter-invalid: error}`: the team wants it to block.
    let repo = repo_with_an_untouched_broken_doc("rules: {frontmatter-invalid: error}\n");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "the override must fail the gate: {run:?}");
    assert_eq!(run.rules(), vec!["frontmatter-invalid"], "{run:?}");
    assert_eq!(json["findings"][0]["severity"], "error", "{run:?}");
    assert_eq!(json["summary"]["errors"], 1, "{run:?}");

    // `note` and `off` reach it too.
    let repo = repo_with_an_untouched_broken_doc("rules: {frontmatter-invalid: note}\n");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["findings"][0]["severity"], "note", "{run:?}");
    let repo = repo_with_an_untouched_broken_doc("rules: {frontmatter-invalid: off}\n");
    let (run, json) = repo.check_json(&["--base", "main", "--fail-on", "warning"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["findings"], serde_json::json!([]), "{run:?}");
}

#[test]
fn an_unused_waiver_is_a_finding_in_every_format() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n").write(
        "docs/ops/app.md",
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "2026-06-01",
            "How the app works, v2.",
        ),
    );
    let id = repo.commit("change\n\nDocgate-Waive: doc-not-updated(ops-09): no such doc");
    let short = &id[..12];
    let want = format!("the waiver `doc-not-updated(ops-09)` in commit {short} matched no finding");

    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "a note does not fail the gate: {run:?}");
    assert_eq!(run.rules(), vec!["waiver-unused"], "{run:?}");
    let f = &json["findings"][0];
    assert_eq!(f["severity"], "note");
    assert_eq!(f["message"], want.as_str());
    assert_eq!(json["summary"]["notes"], 1);

    for (format, needle) in [
        ("text", format!("note[waiver-unused]: {want}")),
        ("sarif", "\"ruleId\": \"waiver-unused\"".to_string()),
        ("markdown", "waiver-unused".to_string()),
        (
            "github",
            format!("::notice title=docgate waiver-unused::{want}"),
        ),
    ] {
        let run = repo.docgate(&["check", "--base", "main", "--format", format]);
        assert_eq!(run.code, 0, "{format}: {run:?}");
        assert!(
            run.stdout.contains(&needle),
            "{format} lacks `{needle}`: {run:?}"
        );
        if format != "text" {
            assert!(
                run.stdout.contains("matched no finding"),
                "{format}: {run:?}"
            );
        }
    }
}
