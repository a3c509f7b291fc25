mod support;

use support::*;

#[test]
fn doc_not_updated_when_covered_code_changes_alone() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"]);
    let f = &json["findings"][0];
    assert_eq!(f["path"], "src/app.py");
    assert_eq!(f["docs"], serde_json::json!(["ops-01"]));
    assert_eq!(f["severity"], "error");
}

#[test]
fn passes_when_the_runbook_changes_too() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.write("docs/ops/app.md", runbook_dated("ops-01", &["src/app.py"], "2026-02-01", "How the app works now: v2."));
    repo.commit("change app and its runbook");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["checked"]["covered_files"], 1);
}
