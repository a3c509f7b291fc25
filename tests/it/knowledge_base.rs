//! The knowledge-base layer (SPEC §7): `kb-invalid` and `kb-broken-reference`
//! with file and line, where `check` reports them, and the knowledge that
//! reaches the change (`patterns_to_apply` in the JSON report, the PR
//! comment, the text report and `docgate context`).

use serde_json::json;

use crate::support::*;

const KB: &str = ".ai-knowledge-base.yaml";

/// A knowledge base whose entries reference the files of [`covered_repo`].
fn kb_text() -> String {
    "\
patterns:
  - id: additive
    name: Additive change
    severity: HIGH
    description: Only append.
    checklist: [List only grew]
    reference_files: [src/app.py]
  - id: app-folder
    name: Everything under src
    severity: LOW
    description: The src folder.
    reference_files: [src/]
anti_patterns:
  - id: silent-fallback
    name: Silent fallback
    severity: CRITICAL
    description: Catching and returning a default.
    checklist:
      - fail fast
      - no except without raise in inference
    reference_files: [\"src/*.py\"]
decision_trees:
  - id: changing-app
    name: I need to change the app
    steps:
      - Read the runbook first.
      - {doc: ops-01}
      - {see: silent-fallback}
"
    .to_string()
}

/// [`covered_repo`] with the knowledge base at the base.
fn kb_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write_covered_app().write(KB, kb_text());
    repo.commit_base("initial");
    repo
}

/// The findings of `rule` as (path, line, message).
fn located(json: &serde_json::Value, rule: &str) -> Vec<(String, u64, String)> {
    findings_of(json, rule)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                message(f).to_string(),
            )
        })
        .collect()
}

#[test]
fn a_valid_knowledge_base_lints_clean_and_is_listed_as_a_layer() {
    let repo = kb_repo();
    let run = lint(&repo);
    assert_clean(&run);
    assert_eq!(
        run.json()["checked"]["layers"],
        json!([
            "docs (docs)",
            "knowledge base (.ai-knowledge-base.yaml, 3 entries, 1 decision tree)"
        ])
    );
}

#[test]
fn lint_reports_every_schema_problem_with_file_and_line() {
    let repo = TestRepo::new();
    repo.write_covered_app().write(
        KB,
        "\
patterns:
  - id: a
    name: A
    severity: high
    description: d
    refrence_files: [src/app.py]
  - id: a
    name: again
    severity: LOW
    description: d
anti-patterns: []
decision_trees:
  - id: t
    name: T
    steps:
      - {pattern: missing}
      - {doc: ops-99}
      - \"`ops-01`\"
",
    );
    repo.commit("kb");
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    let want = [
        (
            4,
            "`severity` must be CRITICAL, HIGH, MEDIUM or LOW (upper case), found `high` (write it in upper case: `HIGH`)",
        ),
        (
            6,
            "unknown key `refrence_files` in an entry of `patterns` (did you mean `reference_files`?)",
        ),
        (7, "id `a` is already used by the pattern on line 2"),
        (
            11,
            "unknown top-level key `anti-patterns` (did you mean `anti_patterns`?): spelled this way its entries would not be read",
        ),
        (
            16,
            "a step of decision tree `t` names `missing`, which is not a pattern of the knowledge base",
        ),
        (
            17,
            "a step of decision tree `t` names `ops-99`, which is not a doc (did you mean `ops-01`?)",
        ),
    ];
    let got = located(&json, "kb-invalid");
    assert_eq!(
        got,
        want.map(|(l, m)| (KB.to_string(), l, m.to_string())),
        "{run:?}"
    );
    // The snippet and column of the first.
    let f = findings_of(&json, "kb-invalid")[0];
    assert_eq!(f["column"], 15);
    assert_eq!(f["severity"], "error");
}

#[test]
fn aliases_and_deep_nesting_are_refused_with_the_exact_error() {
    for (text, line, col, want) in [
        (
            "a: &a [x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\npatterns: []\n".to_string(),
            2,
            8,
            "invalid YAML: YAML aliases are not supported; quote values that start with `*`; the knowledge base cannot be read",
        ),
        (
            format!("patterns:\n{}x\n", "- ".repeat(10_000)),
            2,
            127,
            "invalid YAML: nesting deeper than 64 levels; the knowledge base cannot be read",
        ),
    ] {
        let repo = TestRepo::new();
        repo.write_covered_app().write(KB, &text);
        repo.commit("kb");
        let run = lint(&repo);
        assert_no_panic(&run);
        assert_eq!(run.code, 1, "{run:?}");
        assert_eq!(
            located(&run.json(), "kb-invalid"),
            [(KB.to_string(), line, want.to_string())],
            "{run:?}"
        );
        assert_eq!(findings_of(&run.json(), "kb-invalid")[0]["column"], col);
        assert_eq!(
            run.json()["checked"]["layers"][1],
            "knowledge base (.ai-knowledge-base.yaml, unreadable)"
        );
    }
}

#[test]
fn an_lfs_pointer_is_named_never_parsed() {
    let repo = TestRepo::new();
    repo.write_covered_app().write(
        KB,
        "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n",
    );
    repo.commit("kb");
    let run = lint(&repo);
    assert_eq!(
        located(&run.json(), "kb-invalid"),
        [(
            KB.to_string(),
            1,
            ".ai-knowledge-base.yaml is a Git LFS pointer (oid sha256:abc, 12 bytes), not the file: \
             its content is not in the git objects docgate reads, so it cannot be checked; keep \
             docs, the config and feature sources out of Git LFS (.gitattributes): the knowledge \
             base cannot be read"
                .to_string()
        )],
        "{run:?}"
    );
}

#[test]
fn lint_reports_references_that_match_no_file() {
    let repo = TestRepo::new();
    repo.write_covered_app().write(
        KB,
        kb_text().replace("[src/app.py]", "[src/gone.py, docs/ops]"),
    );
    repo.commit("kb");
    let run = lint(&repo);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        located(&run.json(), "kb-broken-reference"),
        [
            (
                KB.to_string(),
                7,
                "`reference_files` entry `src/gone.py` of pattern `additive` matches no file"
                    .to_string()
            ),
            (
                KB.to_string(),
                7,
                "`reference_files` entry `docs/ops` of pattern `additive` matches no file: it is \
                 a folder; write `docs/ops/` to cover what is inside"
                    .to_string()
            ),
        ],
        "{run:?}"
    );
}

#[test]
fn check_reports_the_knowledge_base_only_when_the_change_touches_it() {
    // A broken entry already at the base: a change elsewhere does not own it.
    let repo = TestRepo::new();
    repo.write_covered_app()
        .write(KB, kb_text().replace("severity: LOW", "severity: low"));
    repo.commit_base("initial");
    repo.write("src/other.py", "x = 2\n");
    repo.commit("other");
    let (_, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(located(&json, "kb-invalid"), [], "{json}");
    // Editing the config in use (which names the file read) owns them too.
    repo.write(".docgate.yml", "version: 1\n");
    repo.commit("config");
    let (_, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(located(&json, "kb-invalid").len(), 1, "{json}");
    repo.remove(".docgate.yml");
    repo.commit("no config");
    // The change that edits the knowledge base gets all its findings.
    repo.write(
        KB,
        kb_text().replace("severity: LOW", "severity: low") + "  - id: t2\n",
    );
    repo.commit("edit kb");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<u64> = located(&json, "kb-invalid").iter().map(|f| f.1).collect();
    assert_eq!(lines, [10, 29, 29], "{run:?}");
    let msgs: Vec<String> = located(&json, "kb-invalid")
        .into_iter()
        .map(|f| f.2)
        .collect();
    assert_eq!(
        msgs,
        [
            "`severity` must be CRITICAL, HIGH, MEDIUM or LOW (upper case), found `low` (write it in upper case: `LOW`)",
            "decision tree `t2` has no `name`",
            "decision tree `t2` has no `steps`",
        ]
    );
}

#[test]
fn deleting_or_renaming_a_referenced_file_is_a_broken_reference() {
    let repo = kb_repo();
    repo.git(&["mv", "src/app.py", "src/main_app.py"]);
    repo.commit("rename app");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        located(&json, "kb-broken-reference"),
        [(
            KB.to_string(),
            7,
            "`reference_files` entry `src/app.py` of pattern `additive` matches no file: in this \
             change `src/app.py` was renamed to `src/main_app.py`"
                .to_string()
        )],
        "{run:?}"
    );
    let repo = kb_repo();
    repo.remove("src/app.py").remove("src/other.py");
    repo.commit("delete the app");
    let (_, json) = repo.check_json(&["--base", "main"]);
    let got: Vec<String> = located(&json, "kb-broken-reference")
        .into_iter()
        .map(|(_, l, m)| format!("{l}: {m}"))
        .collect();
    assert_eq!(
        got,
        [
            "7: `reference_files` entry `src/app.py` of pattern `additive` matches no file: in this change `src/app.py` was deleted",
            "12: `reference_files` entry `src/` of pattern `app-folder` matches no file: in this change `src/app.py` was deleted, `src/other.py` was deleted",
            "21: `reference_files` entry `src/*.py` of anti-pattern `silent-fallback` matches no file: in this change `src/app.py` was deleted, `src/other.py` was deleted",
        ],
        "{json}"
    );
}

#[test]
fn a_change_that_removes_a_doc_a_step_names_is_reported() {
    let repo = kb_repo();
    repo.remove("docs/ops/app.md")
        .write("docs/ops/new.md", runbook("ops-02", &[], "New."));
    repo.commit("replace the runbook");
    let (_, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(
        located(&json, "kb-invalid"),
        [(
            KB.to_string(),
            27,
            "a step of decision tree `changing-app` names `ops-01`, which is not a doc (did you mean `ops-02`?)"
                .to_string()
        )],
        "{json}"
    );
}

#[test]
fn an_unreadable_knowledge_base_the_change_did_not_touch_is_a_warning() {
    let repo = TestRepo::new();
    repo.write_covered_app().write(KB, "patterns: [\n");
    repo.commit_base("initial");
    repo.write("src/other.py", "x = 2\n");
    repo.commit("other");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "a warning: {run:?}");
    let f = findings_of(&json, "kb-invalid");
    assert_eq!(f.len(), 1, "{json}");
    assert_eq!(f[0]["severity"], "warning");
    assert!(
        message(f[0]).starts_with(
            "the knowledge base .ai-knowledge-base.yaml cannot be read (invalid YAML: "
        ),
        "{json}"
    );
    assert!(
        message(f[0]).ends_with("so which of its patterns apply to this change is unknown"),
        "{json}"
    );
    assert_eq!(json["patterns_to_apply"], json!([]));
}

#[test]
fn patterns_covering_the_changed_files_are_in_the_json_report() {
    let repo = kb_repo();
    repo.write("src/app.py", "print('v2')\n")
        .write("docs/ops/app.md", updated_runbook());
    repo.commit("change the app");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_clean(&run);
    assert_eq!(
        json["patterns_to_apply"],
        json!([
            {"id": "silent-fallback", "kind": "anti_pattern", "name": "Silent fallback",
             "severity": "CRITICAL", "checklist": ["fail fast", "no except without raise in inference"],
             "covers": ["src/app.py"]},
            {"id": "additive", "kind": "pattern", "name": "Additive change", "severity": "HIGH",
             "checklist": ["List only grew"], "covers": ["src/app.py"]},
            {"id": "app-folder", "kind": "pattern", "name": "Everything under src", "severity": "LOW",
             "checklist": [], "covers": ["src/app.py"]},
        ])
    );
    // A change no entry covers: an empty list (the layer is active).
    let repo = kb_repo();
    repo.write("docs/ops/app.md", updated_runbook());
    repo.commit("docs only");
    let (_, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(json["patterns_to_apply"], json!([]));
    // No knowledge base: no field.
    let repo = covered_repo();
    repo.write("docs/ops/app.md", updated_runbook());
    repo.commit("docs only");
    let (_, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(json.get("patterns_to_apply"), None, "{json}");
}

#[test]
fn a_deleted_file_brings_its_patterns_by_path() {
    let repo = kb_repo();
    repo.remove("src/other.py");
    repo.commit("delete other");
    let (_, json) = repo.check_json(&["--base", "main"]);
    let ids: Vec<&str> = json["patterns_to_apply"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["silent-fallback", "app-folder"], "{json}");
    assert_eq!(
        json["patterns_to_apply"][0]["covers"],
        json!(["src/other.py"])
    );
}

/// The PR comment (and job summary) with patterns to apply, snapshotted.
#[test]
fn the_pr_comment_lists_patterns_with_their_checklists() {
    let repo = kb_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change the app");
    let run = repo.docgate(&["check", "--base", "main", "--format", "markdown"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "**CRITICAL** anti-pattern `silent-fallback`: Silent fallback (covers `src/app.py`)\n\n\
             - [ ] fail fast\n- [ ] no except without raise in inference\n"
        ),
        "{run:?}"
    );
    insta_settings().bind(|| insta::assert_snapshot!("kb_pr_comment", run.stdout));
}

#[test]
fn the_text_report_lists_patterns_before_the_summary() {
    let repo = kb_repo();
    repo.write("src/app.py", "print('v2')\n")
        .write("docs/ops/app.md", updated_runbook());
    repo.commit("change the app");
    let run = repo.docgate(&["check", "--base", "main", "--color", "never"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with(
            "patterns to apply (knowledge base):\n  CRITICAL anti-pattern silent-fallback: Silent \
             fallback (covers src/app.py)\n    [ ] fail fast\n    [ ] no except without raise in \
             inference\n  HIGH pattern additive: Additive change (covers src/app.py)\n    [ ] List \
             only grew\n  LOW pattern app-folder: Everything under src (covers src/app.py)\n\n\
             docgate check passed"
        ),
        "{run:?}"
    );
}

#[test]
fn context_lists_the_entries_covering_each_path() {
    let repo = kb_repo();
    let run = repo.docgate(&["context", "src/app.py", "docs/ops/app.md"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "src/app.py\n  covered by:\n    ops-01  docs/ops/app.md  Runbook ops-01  (key_files: src/app.py)\n  \
         patterns to apply (knowledge base):\n    CRITICAL anti-pattern silent-fallback: Silent \
         fallback  (reference_files: src/*.py)\n      [ ] fail fast\n      [ ] no except without \
         raise in inference\n    HIGH pattern additive: Additive change  (reference_files: \
         src/app.py)\n      [ ] List only grew\n    LOW pattern app-folder: Everything under src  \
         (reference_files: src/)\n\ndocs/ops/app.md\n  no doc covers this path\n"
    );
    let run = repo.docgate(&["context", "--format", "json", "src/other.py"]);
    assert_eq!(
        run.json()["paths"][0]["patterns_to_apply"],
        json!([
            {"id": "silent-fallback", "kind": "anti_pattern", "name": "Silent fallback",
             "severity": "CRITICAL", "checklist": ["fail fast", "no except without raise in inference"],
             "reference_files": ["src/*.py"]},
            {"id": "app-folder", "kind": "pattern", "name": "Everything under src",
             "severity": "LOW", "checklist": [], "reference_files": ["src/"]},
        ]),
        "{run:?}"
    );
}

#[test]
fn a_configured_path_is_read_and_a_missing_one_is_exit_2() {
    let repo = TestRepo::new();
    repo.write_covered_app()
        .write(".docgate.yml", "knowledge_base: knowledge/kb.yaml\n")
        .write(
            "knowledge/kb.yaml",
            kb_text().replace("severity: LOW", "severity: Low"),
        );
    repo.commit("kb elsewhere");
    let run = lint(&repo);
    assert_eq!(
        located(&run.json(), "kb-invalid"),
        [(
            "knowledge/kb.yaml".to_string(),
            10,
            "`severity` must be CRITICAL, HIGH, MEDIUM or LOW (upper case), found `Low` (write it in upper case: `LOW`)"
                .to_string()
        )],
        "{run:?}"
    );
    // The default file is not read when another is configured.
    repo.write(KB, "not: [valid\n");
    repo.commit("stray default");
    assert_eq!(lint(&repo).rules(), ["kb-invalid"]);

    let repo = TestRepo::new();
    repo.write_covered_app()
        .write(".docgate.yml", "knowledge_base: knowledge/kb.yaml\n");
    repo.commit("named, absent");
    let run = lint(&repo);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            ".docgate.yml names a file that does not exist in the working tree: knowledge/kb.yaml"
        ),
        "{run:?}"
    );
    let run = check(&repo);
    assert_eq!(run.code, 2, "{run:?}");
    let run = repo.docgate(&["context", "src/app.py"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("knowledge/kb.yaml"), "{run:?}");
    // A near-miss of the key is an error with the nearest key, as before.
    let repo = TestRepo::new();
    repo.write_covered_app()
        .write(".docgate.yml", "knowledge_bse: kb.yaml\n");
    repo.commit("typo");
    let run = lint(&repo);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "unknown key `knowledge_bse` in `<top level>` (did you mean `knowledge_base`?)"
        ),
        "{run:?}"
    );
}
