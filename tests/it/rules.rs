use crate::support::*;

/// [`covered_repo`] with a commit (`message`) changing the covered file:
/// the repository and `check --base main --format json`.
fn change_app(message: &str) -> (TestRepo, Run, serde_json::Value) {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.commit(message);
    let (run, json) = repo.check_json(&["--base", "main"]);
    (repo, run, json)
}

#[test]
fn doc_not_updated_when_covered_code_changes_alone() {
    let (_repo, run, json) = change_app("change app");
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
    repo.write("docs/ops/app.md", updated_runbook());
    repo.commit("change app and its runbook");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["checked"]["covered_files"], 1);
}

#[test]
fn editing_key_files_cannot_exempt_the_change() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    // The runbook drops the file from key_files but its body stays the same.
    repo.write(
        "docs/ops/app.md",
        runbook("ops-01", &["src/other.py"], "How the app works."),
    );
    repo.commit("sneaky");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"]);
    assert_eq!(json["findings"][0]["path"], "src/app.py");
    assert!(message(&json["findings"][0]).contains("changed only in whitespace or frontmatter"));
}

#[test]
fn whitespace_only_doc_edit_does_not_count() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    let doc = repo
        .read("docs/ops/app.md")
        .replace("How the app works.", "How  the app\n\nworks.   ");
    repo.write("docs/ops/app.md", doc);
    repo.commit("reflow");
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
}

/// [`covered_repo`] with `config` already at the base (committed on main):
/// a change is judged by the config it starts from and the one it ends with.
fn covered_repo_with(config: &str) -> TestRepo {
    let repo = covered_repo();
    repo.git(&["checkout", "-q", "main"]);
    repo.write(".docgate.yml", config);
    repo.commit("the config");
    repo.git(&["checkout", "-q", "-B", "feature"]);
    repo
}

#[test]
fn frontmatter_only_doc_edit_does_not_count_unless_substantive_is_off() {
    // The code changes and the runbook only gets a new date.
    let bump_date_only = |repo: &TestRepo| {
        repo.write("src/app.py", "print('v2')\n");
        repo.write(
            "docs/ops/app.md",
            runbook_dated(
                "ops-01",
                &["src/app.py"],
                "2026-03-01",
                "How the app works.",
            ),
        );
        repo.commit("bump date only");
        repo.check_json(&["--base", "main"]).0
    };
    let run = bump_date_only(&covered_repo());
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
    let run = bump_date_only(&covered_repo_with("coverage:\n  substantive: false\n"));
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn enforce_false_turns_doc_not_updated_off() {
    let repo = covered_repo_with("coverage:\n  enforce: false\n");
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["checked"]["covered_files"], 1);
}

#[test]
fn ignored_files_never_need_a_doc() {
    let repo = covered_repo_with("coverage:\n  ignore: [\"src/*.py\"]\n");
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["checked"]["ignored_files"], 1, "{run:?}");
    assert_eq!(json["checked"]["changed_files"], 1, "{run:?}");
}

#[test]
fn uncovered_change_only_for_required_paths() {
    let repo = covered_repo();
    repo.write(".docgate.yml", "coverage:\n  require: [\"src/**\"]\n");
    repo.write("src/other.py", "x = 2\n");
    repo.write("tools/script.sh", "echo hi\n");
    repo.commit("change uncovered files");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["uncovered-change"]);
    assert_eq!(json["findings"][0]["path"], "src/other.py");
}

#[test]
fn folder_and_glob_key_files_cover_nested_files() {
    let repo = TestRepo::new();
    repo.write("svc/a/b/risk_x.py", "1\n")
        .write("svc/a/other.py", "1\n")
        .write("pkg/deep/er/mod.py", "1\n")
        .write(
            "docs/a.md",
            runbook("risk-01", &["svc/**/risk_*.py", "pkg/"], "body"),
        );
    repo.commit("init");
    repo.git(&["checkout", "-q", "-b", "f"]);
    repo.write("svc/a/b/risk_x.py", "2\n")
        .write("svc/a/other.py", "2\n")
        .write("pkg/deep/er/mod.py", "2\n");
    repo.commit("change");
    let (run, json) = repo.check_json(&["--base", "main"]);
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec!["pkg/deep/er/mod.py", "svc/a/b/risk_x.py"],
        "{run:?}"
    );
}

#[test]
fn star_does_not_cross_folders() {
    let repo = TestRepo::new();
    repo.write("src/x/a.py", "1\n")
        .write("src/b.py", "1\n")
        .write("docs/a.md", runbook("a", &["src/*.py"], "body"));
    repo.commit("init");
    repo.git(&["checkout", "-q", "-b", "f"]);
    repo.write("src/x/a.py", "2\n");
    repo.commit("change nested");
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn stale_key_file_after_rename_names_the_new_path() {
    let repo = covered_repo();
    repo.git(&["mv", "src/app.py", "src/service.py"]);
    repo.commit("rename");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(
        run.rules(),
        vec!["stale-key-file", "doc-not-updated"],
        "{run:?}"
    );
    let stale = findings_of(&json, "stale-key-file")[0];
    assert_eq!(stale["path"], "docs/ops/app.md");
    assert_eq!(stale["line"], 6);
    let msg = message(stale);
    assert!(
        msg.contains("`src/app.py` was renamed to `src/service.py`"),
        "{msg}"
    );
}

#[test]
fn stale_key_file_in_a_changed_doc_and_folder_hint() {
    let repo = covered_repo();
    repo.write(
        "docs/ops/app.md",
        runbook_dated(
            "ops-01",
            &["src/app.py", "src/gone.py", "src"],
            "2026-02-01",
            "New body.",
        ),
    );
    repo.commit("edit runbook");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(
        run.rules(),
        vec!["stale-key-file", "stale-key-file"],
        "{run:?}"
    );
    assert_eq!(json["findings"][0]["line"], 7);
    assert!(
        message(&json["findings"][1]).contains("it is a folder; write `src/`"),
        "{run:?}"
    );
}

#[test]
fn last_updated_not_bumped_is_a_warning() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    let doc = repo
        .read("docs/ops/app.md")
        .replace("How the app works.", "How the app works, v2.");
    repo.write("docs/ops/app.md", doc);
    repo.commit("update both, forget date");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.rules(), vec!["last-updated-not-bumped"]);
    assert_eq!(json["findings"][0]["severity"], "warning");
    assert_eq!(json["findings"][0]["line"], 7);
    let run = repo.docgate(&["check", "--base", "main", "--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn rules_config_changes_severity_and_turns_off() {
    let repo = covered_repo_with("rules:\n  doc-not-updated: warning\n");
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["findings"][0]["severity"], "warning");
    let repo = covered_repo_with("rules:\n  doc-not-updated: off\n");
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change");
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), Vec::<String>::new());
}

/// The commits are judged by the config they carry, as CI judges them: an
/// untracked or uncommitted `.docgate.yml` does not change what `check
/// --base` and the pre-push hook decide; `--worktree` and `--staged` read
/// the config of what they check.
#[test]
fn range_mode_reads_the_config_of_the_head_commit() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change");
    repo.write(".docgate.yml", "coverage:\n  enforce: false\n");
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_eq!(
        run.code, 1,
        "an untracked config turns nothing off: {run:?}"
    );
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
    let head = repo.git(&["rev-parse", "HEAD"]);
    let main = repo.git(&["rev-parse", "main"]);
    let run = repo.docgate_env(
        &["pre-push"],
        &[
            ("PRE_COMMIT_FROM_REF", main.as_str()),
            ("PRE_COMMIT_TO_REF", head.as_str()),
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    // --worktree and --staged read the config of what they check: a config
    // that requires coverage of src/ makes the uncovered src/other.py a
    // finding only once it is in the working tree, or staged.
    let repo = covered_repo();
    repo.write(".docgate.yml", "coverage:\n  require: [\"src/**\"]\n")
        .write("src/other.py", "x = 2\n");
    let (run, _) = repo.check_json(&["--worktree"]);
    assert_eq!(run.rules(), vec!["uncovered-change"], "{run:?}");
    repo.git(&["add", "src/other.py"]);
    let (run, _) = repo.check_json(&["--staged"]);
    assert_eq!(run.code, 0, "the index has no config yet: {run:?}");
    repo.git(&["add", ".docgate.yml"]);
    let (run, _) = repo.check_json(&["--staged"]);
    assert_eq!(run.rules(), vec!["uncovered-change"], "{run:?}");
}

fn graph_repo(docs: &[(&str, String)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/a.py", "1\n");
    for (path, text) in docs {
        repo.write(path, text);
    }
    repo.commit("init");
    repo
}

fn with_deps(id: &str, deps: &[&str]) -> String {
    runbook(id, &["src/a.py"], "body").replacen(
        "perspective: operations\n",
        &format!(
            "perspective: operations\ndepends_on: [{}]\n",
            deps.join(", ")
        ),
        1,
    )
}

#[test]
fn duplicate_ids_unknown_dependencies_and_cycles_in_lint() {
    let repo = graph_repo(&[
        ("docs/a.md", with_deps("a", &["b"])),
        ("docs/b.md", with_deps("b", &["c"])),
        ("docs/c.md", with_deps("c", &["a", "nope"])),
        ("docs/d.md", with_deps("a", &[])),
    ]);
    let run = repo.docgate(&["lint", "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    let by_rule = |r: &str| -> Vec<serde_json::Value> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == r)
            .cloned()
            .collect()
    };
    let dup = by_rule("duplicate-doc-id");
    assert_eq!(dup.len(), 1, "{run:?}");
    assert_eq!(dup[0]["path"], "docs/d.md");
    assert_eq!(dup[0]["line"], 2);
    let unknown = by_rule("unknown-dependency");
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0]["path"], "docs/c.md");
    assert!(message(&unknown[0]).contains("`nope`"));
    let cycle = by_rule("dependency-cycle");
    assert_eq!(cycle.len(), 1, "{run:?}");
    assert!(message(&cycle[0]).contains("a → b → c → a"), "{run:?}");
}

#[test]
fn check_reports_graph_problems_only_where_the_change_is_involved() {
    let repo = graph_repo(&[
        ("docs/a.md", with_deps("a", &["nope"])),
        ("docs/b.md", with_deps("b", &[])),
        ("docs/c.md", with_deps("c", &["b"])),
    ]);
    repo.git(&["checkout", "-q", "-b", "f"]);
    // An unrelated change: the pre-existing unknown dependency is lint's business.
    repo.write("README.txt", "hello\n");
    repo.commit("unrelated");
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), Vec::<String>::new(), "{run:?}");
    // Deleting doc b breaks c's dependency: the change is involved.
    repo.remove("docs/b.md");
    repo.commit("delete b");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), vec!["unknown-dependency"], "{run:?}");
    assert_eq!(json["findings"][0]["path"], "docs/c.md");
    assert!(message(&json["findings"][0]).contains("this change removed or renamed it"));
}

#[test]
fn unknown_frontmatter_key_close_to_a_known_one() {
    let repo = graph_repo(&[(
        "docs/a.md",
        runbook("a", &["src/a.py"], "b").replace("title:", "tag: [x]\ntitle:"),
    )]);
    let run = repo.docgate(&["lint", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 0, "a warning: {run:?}");
    assert_eq!(run.rules(), vec!["unknown-frontmatter-key"], "{run:?}");
    assert_eq!(json["findings"][0]["severity"], "warning");
    assert!(
        message(&json["findings"][0])
            .contains("unknown frontmatter key `tag` (did you mean `tags`?)")
    );
    assert_eq!(json["findings"][0]["line"], 3);
    // Far-away keys are allowed silently.
    let repo = graph_repo(&[(
        "docs/a.md",
        runbook("a", &["src/a.py"], "b").replace("title:", "owner: me\ntitle:"),
    )]);
    let run = repo.docgate(&["lint", "--format", "json"]);
    assert_eq!(run.rules(), Vec::<String>::new(), "{run:?}");
}

#[test]
fn unreadable_unchanged_doc_is_a_warning_in_check() {
    let repo = covered_repo();
    repo.write("docs/broken.md", "---\nid: [unclosed\n---\nbody\n");
    repo.commit("broken doc");
    repo.git(&["checkout", "-q", "-b", "g"]);
    repo.write("src/other.py", "x = 2\n");
    repo.commit("change");
    let (run, json) = repo.check_json(&["--base", "feature"]);
    assert_eq!(run.rules(), vec!["frontmatter-invalid"], "{run:?}");
    assert_eq!(json["findings"][0]["severity"], "warning");
    assert!(message(&json["findings"][0]).contains("unknown for this change"));
    assert_eq!(run.code, 0);
}

#[test]
fn waiver_with_reason_turns_the_finding_into_a_note() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    let id = repo.commit(
        "hotfix\n\nDocgate-Waive: doc-not-updated(ops-01): incident hotfix, runbook follows in #42",
    );
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "doc-not-updated");
    assert_eq!(f["severity"], "note");
    assert_eq!(
        f["waived"]["reason"],
        "incident hotfix, runbook follows in #42"
    );
    assert_eq!(f["waived"]["commit"], &id[..12]);
    assert_eq!(json["summary"]["waived"], 1);
}

#[test]
fn waiver_scope_by_path_glob_and_mismatched_scope() {
    let (repo, run, _) =
        change_app("hotfix\n\nDocgate-Waive: doc-not-updated(other-doc): wrong scope");
    assert_eq!(
        run.code, 1,
        "a waiver for another doc must not apply: {run:?}"
    );
    let text = repo.docgate(&["check", "--base", "main"]);
    assert!(text.stdout.contains("matched no finding"), "{text:?}");
    repo.commit("again\n\nDocgate-Waive: doc-not-updated(src/*.py): scoped by path");
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn waiver_without_reason_is_an_error_and_waives_nothing() {
    let (_repo, run, json) = change_app("hotfix\n\nDocgate-Waive: doc-not-updated");
    assert_eq!(run.code, 1);
    assert_eq!(
        run.sorted_rules(),
        vec!["doc-not-updated", "waiver-invalid"],
        "{run:?}"
    );
    let w = findings_of(&json, "waiver-invalid")[0];
    assert!(message(w).contains("needs a reason"), "{w}");
}

#[test]
fn waiver_outside_the_trailer_block_is_reported() {
    let (_repo, run, json) =
        change_app("hotfix\n\nDocgate-Waive: doc-not-updated: reason\n\nMore text after it.");
    assert_eq!(run.code, 1, "{run:?}");
    let w = findings_of(&json, "waiver-invalid")[0];
    assert!(
        message(w).contains("not in the message's trailer block"),
        "{w}"
    );
}

#[test]
fn waivers_cannot_waive_rules_outside_waivers_rules() {
    let repo = covered_repo();
    repo.write(
        "docs/ops/app.md",
        runbook_dated("ops-01", &["src/gone.py"], "2026-02-01", "x"),
    );
    repo.commit("edit\n\nDocgate-Waive: stale-key-file: not allowed by default");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.sorted_rules(),
        vec!["stale-key-file", "waiver-invalid"],
        "{run:?}"
    );
    let w = findings_of(&json, "waiver-invalid")[0];
    assert!(message(w).contains("not waivable here"), "{w}");
}

#[test]
fn context_lists_covering_docs_and_dependency_closure() {
    let repo = graph_repo(&[
        ("docs/a.md", with_deps("a", &["b"])),
        (
            "docs/b.md",
            with_deps("b", &["c"]).replace("src/a.py", "src/none.py"),
        ),
        (
            "docs/c.md",
            with_deps("c", &[]).replace("src/a.py", "src/none.py"),
        ),
    ]);
    let run = repo.docgate(&["context", "src/a.py", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    let p = &json["paths"][0];
    assert_eq!(p["path"], "src/a.py");
    assert_eq!(p["covering"][0]["id"], "a");
    assert_eq!(
        p["covering"][0]["key_files"],
        serde_json::json!(["src/a.py"])
    );
    let deps: Vec<&str> = p["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(deps, vec!["b", "c"]);
    assert_eq!(p["depends_on"][1]["via"], "b");
    let text = repo.docgate(&["context", "src/none2.py"]);
    assert!(text.stdout.contains("no doc covers this path"), "{text:?}");
    let sub = repo.path().join("src");
    let run = repo.docgate(&["-C", sub.to_str().unwrap(), "context", "a.py"]);
    assert!(run.stdout.starts_with("src/a.py\n  covered by:"), "{run:?}");
}

#[test]
fn last_updated_already_at_the_change_day_needs_no_bump() {
    // TestRepo commits are dated 2026-06-01 (plus a minute each).
    let repo = TestRepo::new();
    repo.write("src/a.py", "1\n").write(
        "docs/a.md",
        runbook_dated("a", &["src/a.py"], "2026-06-01", "first"),
    );
    repo.commit("init");
    repo.git(&["checkout", "-q", "-b", "f"]);
    repo.write("src/a.py", "2\n").write(
        "docs/a.md",
        runbook_dated("a", &["src/a.py"], "2026-06-01", "second edit the same day"),
    );
    repo.commit("same day");
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.rules(), Vec::<String>::new(), "{run:?}");
}

#[test]
fn cycle_message_is_a_real_cycle_in_a_branching_component() {
    // a → b, a → c, b → a, c → b: the component {a, b, c}; shortest cycle from a is a → b → a.
    let repo = graph_repo(&[
        ("docs/a.md", with_deps("a", &["c", "b"])),
        ("docs/b.md", with_deps("b", &["a"])),
        ("docs/c.md", with_deps("c", &["b"])),
        ("docs/s.md", with_deps("s", &["s"])),
    ]);
    let run = repo.docgate(&["lint", "--format", "json"]);
    let json = run.json();
    let msgs: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "dependency-cycle")
        .map(message)
        .collect();
    assert_eq!(
        msgs,
        vec![
            "`depends_on` forms a cycle: a → b → a",
            "`depends_on` forms a cycle: s → s"
        ],
        "{run:?}"
    );
}

#[test]
fn waiver_with_a_scope_that_is_neither_doc_id_nor_glob_is_invalid() {
    let (_repo, run, json) =
        change_app("hotfix\n\nDocgate-Waive: doc-not-updated(src/[app.py): typo in the scope");
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.sorted_rules(),
        vec!["doc-not-updated", "waiver-invalid"],
        "{run:?}"
    );
    let w = findings_of(&json, "waiver-invalid")[0];
    assert!(
        message(w).contains("neither a doc id nor a valid path glob"),
        "{w}"
    );
}

/// Deleting the runbook that covers a changed file (or moving it out of the
/// doc roots) is no update of it for code that still exists.
#[test]
fn deleting_or_moving_out_the_covering_doc_does_not_count_as_updating_it() {
    for how in ["delete", "move out"] {
        let repo = covered_repo();
        repo.write("src/app.py", "print('v2')\n");
        let doc = repo.path().join("docs/ops/app.md");
        if how == "delete" {
            std::fs::remove_file(&doc).unwrap();
        } else {
            let text = std::fs::read(&doc).unwrap();
            std::fs::remove_file(&doc).unwrap();
            repo.write("attic/app.md", text);
        }
        repo.write(
            "docs/other.md",
            runbook("ops-02", &["src/other.py"], "Other."),
        );
        repo.commit("change the app and drop its runbook");
        let run = repo.docgate(&["check", "--base", "main", "--format", "json"]);
        assert_eq!(run.code, 1, "{how}: {run:?}");
        let f = &run.json()["findings"][0];
        assert_eq!(f["rule"], "doc-not-updated", "{run:?}");
        assert_eq!(f["path"], "src/app.py", "{run:?}");
        assert!(
            message(f).contains(
                "(docs/ops/app.md was deleted or moved out of docs.roots in this change, which does not count for a file that still exists)"
            ),
            "{run:?}"
        );
    }
    // Deleting the code with its runbook is a documented removal.
    let repo = covered_repo();
    std::fs::remove_file(repo.path().join("src/app.py")).unwrap();
    std::fs::remove_file(repo.path().join("docs/ops/app.md")).unwrap();
    repo.write(
        "docs/other.md",
        runbook("ops-02", &["src/other.py"], "Other."),
    );
    repo.commit("remove the app and its runbook");
    let run = repo.docgate(&["check", "--base", "main", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
}

/// Changing only a doc's `id` is no update of the runbook (docs are the same
/// doc by path across a change); a git rename of a runbook is not either.
#[test]
fn changing_only_the_id_or_the_file_name_of_a_doc_is_no_update() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.write(
        "docs/ops/app.md",
        runbook("ops-01", &["src/app.py"], "How the app works.")
            .replace("id: ops-01", "id: ops-99"),
    );
    repo.commit("rename the id");
    let run = repo.docgate(&["check", "--base", "main", "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");

    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.git(&["mv", "docs/ops/app.md", "docs/ops/application.md"]);
    repo.commit("rename the runbook file");
    let run = repo.docgate(&["check", "--base", "main", "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
    // The rename and an edit of its body: updated.
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.git(&["mv", "docs/ops/app.md", "docs/ops/application.md"]);
    repo.write(
        "docs/ops/application.md",
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "2026-06-01",
            "How the app works, v2.",
        ),
    );
    repo.commit("rename and update the runbook");
    let run = repo.docgate(&["check", "--base", "main", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
}

/// A change cannot exempt itself by editing the config in the same change:
/// the coverage rules also run under the base config.
#[test]
fn a_change_cannot_exempt_itself_by_editing_the_config() {
    for config in [
        "coverage:\n  enforce: false\n",
        "coverage:\n  ignore: [\"src/**\"]\n",
        "docs:\n  exclude: [\"docs/ops/**\"]\n",
        "rules:\n  doc-not-updated: off\n",
    ] {
        let repo = covered_repo();
        repo.write("src/app.py", "print('v2')\n")
            .write(".docgate.yml", config)
            .write(
                "docs/other.md",
                runbook("ops-02", &["src/other.py"], "Other."),
            );
        repo.commit("change the app and relax the gate");
        let (run, json) = repo.check_json(&["--base", "main"]);
        assert_eq!(run.code, 1, "{config}: {run:?}");
        let f: Vec<&serde_json::Value> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "doc-not-updated" && f["path"] == "src/app.py")
            .collect();
        assert_eq!(f.len(), 1, "{config}: {run:?}");
        assert!(
            message(f[0]).contains(
                "(under the defaults (no config at the base): this change edits .docgate.yml, and a change cannot exempt itself by editing the config)"
            ),
            "{run:?}"
        );
        // The next change, with the relaxed config already at its base, is
        // judged by it.
        repo.git(&["checkout", "-q", "-b", "next"]);
        repo.write("src/app.py", "print('v3')\n");
        repo.commit("next change");
        let (run, _) = repo.check_json(&["--base", "feature"]);
        assert_eq!(run.code, 0, "{config}: {run:?}");
    }
    // A base config with its own settings is the one the change is held to;
    // one that cannot be read stands in as the defaults, never as nothing.
    for (base, said) in [
        (
            "coverage:\n  substantive: false\n",
            "(under the config as it was at the base: this change edits .docgate.yml",
        ),
        (
            "coverage: [unclosed\n",
            "(under the defaults (the base's config cannot be read: ",
        ),
    ] {
        let repo = covered_repo_with(base);
        repo.write("src/app.py", "print('v2')\n")
            .write(".docgate.yml", "coverage:\n  enforce: false\n");
        repo.commit("change the app and relax the gate");
        let (run, json) = repo.check_json(&["--base", "main"]);
        assert_eq!(run.code, 1, "{base}: {run:?}");
        assert_eq!(run.rules(), vec!["doc-not-updated"], "{run:?}");
        assert!(message(&json["findings"][0]).contains(said), "{run:?}");
    }
    // A trailer can still waive it, on purpose.
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n")
        .write(".docgate.yml", "coverage:\n  enforce: false\n");
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        "relax the gate\n\nDocgate-Waive: doc-not-updated: the runbook is being rewritten (#42)",
    ]);
    let (run, _) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
}
