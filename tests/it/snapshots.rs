//! What a user sees, snapshotted: the text and JSON reports over one shared
//! set of findings, and the CLI help.

use crate::support::*;

/// A change that produces one finding of each kind the core gate reports.
fn mixed_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".docgate.yml", "coverage:\n  require: [\"src/**\"]\n")
        .write("src/app.py", "print('v1')\n")
        .write("src/risk/limits.py", "LIMIT = 1\n")
        .write("src/hotfix.py", "x = 1\n")
        .write(
            "docs/ops/app.md",
            runbook(
                "ops-01",
                &["src/app.py", "src/hotfix.py"],
                "How the app works.",
            ),
        )
        .write(
            "docs/risk/limits.md",
            runbook("risk-01", &["src/risk/"], "Risk limits."),
        );
    repo.commit_base("initial");
    repo.write("src/app.py", "print('v2')\n")
        .write("src/new_module.py", "y = 2\n")
        .write("docs/risk/limits.md", runbook("risk-01", &["src/risk/", "src/risk/gone.py"], "Risk limits, raised."))
        .write("docs/ops/broken.md", "---\nid: ops-09\ntitle: Broken\nperspective: operations\nlast_updated: 2026-13-40\n---\nbody\n");
    repo.commit("feature work");
    repo.write("src/hotfix.py", "x = 2\n");
    repo.commit("hotfix\n\nDocgate-Waive: doc-not-updated(src/hotfix.py): production incident, runbook update in #7");
    repo
}

#[test]
fn text_report() {
    let repo = mixed_repo();
    let run = repo.docgate(&["check", "--base", "main", "--color", "never"]);
    assert_eq!(run.code, 1, "{run:?}");
    insta_settings().bind(|| insta::assert_snapshot!("check_text", run.stdout));
}

#[test]
fn json_report() {
    let repo = mixed_repo();
    let run = repo.docgate(&["check", "--base", "main", "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    insta_settings().bind(|| insta::assert_snapshot!("check_json", run.stdout));
}

#[test]
fn lint_text_report() {
    let repo = mixed_repo();
    let run = repo.docgate(&["lint", "--color", "never"]);
    assert_eq!(run.code, 1, "{run:?}");
    insta_settings().bind(|| insta::assert_snapshot!("lint_text", run.stdout));
}

#[test]
fn quiet_clean_run_prints_nothing() {
    let repo = mixed_repo();
    let run = repo.docgate(&["check", "--base", "HEAD", "-q"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "");
}

#[test]
fn help() {
    let repo = TestRepo::new();
    let run = repo.docgate(&["--help"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("help", run.stdout);
    let run = repo.docgate(&["check", "--help"]);
    insta::assert_snapshot!("help_check", run.stdout);
}
