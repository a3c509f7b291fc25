use crate::support::*;

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

// ---------------------------------------------------------------------------
// Local helpers: run git/docgate in a directory other than `repo.path()`
// (a clone, a plain folder, a different current directory), with the same
// isolated environment as the TestRepo helpers.
// ---------------------------------------------------------------------------

/// Run docgate with `dir` as the current directory.
fn docgate_in(repo: &TestRepo, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(docgate_bin());
    cmd.current_dir(dir).stdin(Stdio::null());
    isolate(&mut cmd, &repo.home());
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("docgate runs"))
}

fn write_in(dir: &Path, path: &str, content: &str) {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, content).unwrap();
}

fn commit_in(repo: &TestRepo, dir: &Path, message: &str) -> String {
    git_in(repo, dir, &["add", "-A"]);
    git_in(repo, dir, &["commit", "-q", "-m", message]);
    git_in(repo, dir, &["rev-parse", "HEAD"])
}

/// A JSON report from a run that must have produced one (exit 0 or 1).
fn report(run: &Run) -> Value {
    assert!(run.code == 0 || run.code == 1, "expected a report: {run:?}");
    run.json()
}

/// [`covered_repo`] with two commits on `feature`: the code change alone,
/// then its runbook's update.
struct CodeThenDoc {
    repo: TestRepo,
    /// `main`, where `feature` forks.
    fork: String,
    code_only: String,
    with_doc: String,
}

fn code_then_doc() -> CodeThenDoc {
    let repo = covered_repo();
    let fork = main_sha(&repo);
    repo.write("src/app.py", "print('v2')\n");
    let code_only = repo.commit("change app");
    repo.write("docs/ops/app.md", updated_runbook());
    let with_doc = repo.commit("update its runbook");
    CodeThenDoc {
        repo,
        fork,
        code_only,
        with_doc,
    }
}

/// The first commit on `main` of `covered_repo()`.
fn main_sha(repo: &TestRepo) -> String {
    repo.git(&["rev-parse", "main"])
}

// ---------------------------------------------------------------------------
// --base / --head
// ---------------------------------------------------------------------------

#[test]
fn base_uses_three_dot_semantics_so_later_main_changes_do_not_count() {
    let repo = covered_repo();
    let fork = main_sha(&repo);
    // The feature branch changes an uncovered file only.
    repo.write("src/other.py", "x = 2\n");
    let feature = repo.commit("feature: other");
    // main moves on: it changes the covered file without its runbook.
    repo.git(&["checkout", "-q", "main"]);
    repo.write("src/app.py", "print('main moved on')\n");
    let main_tip = repo.commit("main: change app");
    repo.git(&["checkout", "-q", "feature"]);
    assert_ne!(main_tip, fork);

    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["findings"], serde_json::json!([]));
    assert_eq!(json["range"]["mode"], "range");
    // The merge-base, not main's tip, is the base of the comparison.
    assert_eq!(json["range"]["base"], fork.as_str());
    assert_eq!(json["range"]["head"], feature.as_str());
    assert_eq!(json["range"]["base_ref"], "main");
    assert_eq!(json["checked"]["changed_files"], 1);
    assert_eq!(json["checked"]["covered_files"], 0);
    assert_eq!(json["checked"]["commits"], 1);

    // Two-dot (main's tip against the feature) would have included src/app.py;
    // sanity-check that git itself sees the difference.
    let two_dot = repo.git(&["diff", "--name-only", "main", "feature"]);
    assert!(two_dot.contains("src/app.py"), "{two_dot}");
}

#[test]
fn head_can_name_a_revision_other_than_head() {
    let CodeThenDoc {
        repo,
        fork,
        code_only,
        with_doc,
    } = code_then_doc();

    // The whole branch is fine.
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["range"]["head"], with_doc.as_str());

    // Stopping at the first commit is not.
    let (run, json) = repo.check_json(&["--base", "main", "--head", &code_only]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"]);
    assert_eq!(json["findings"][0]["path"], "src/app.py");
    assert_eq!(json["range"]["base"], fork.as_str());
    assert_eq!(json["range"]["head"], code_only.as_str());
    assert_eq!(json["range"]["head_ref"], code_only.as_str());
    assert_eq!(json["checked"]["commits"], 1);

    // --head works while a different branch is checked out.
    repo.git(&["checkout", "-q", "main"]);
    let (run, json) = repo.check_json(&["--base", "main", "--head", "feature~1"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"]);
    assert_eq!(json["range"]["head"], code_only.as_str());
}

#[test]
fn head_alone_uses_the_default_base() {
    let CodeThenDoc {
        repo,
        fork,
        code_only,
        ..
    } = code_then_doc();

    let (run, json) = repo.check_json(&["--head", &code_only]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"]);
    assert_eq!(json["range"]["base_ref"], "main");
    assert_eq!(json["range"]["base"], fork.as_str());
    assert_eq!(json["range"]["head"], code_only.as_str());

    let text = repo.docgate(&["check", "--head", &code_only]);
    assert_eq!(text.code, 1, "{text:?}");
    assert!(
        text.stdout.contains(&format!("main...{code_only}")),
        "{text:?}"
    );
    assert!(text.stdout.contains("base from default"), "{text:?}");
}

// ---------------------------------------------------------------------------
// --staged / --worktree
// ---------------------------------------------------------------------------

#[test]
fn staged_compares_the_index_with_head_and_ignores_unstaged_edits() {
    let repo = covered_repo();
    let head = repo.head();

    // Staged code change; the runbook edit stays unstaged and does not count.
    repo.write("src/app.py", "print('v2')\n");
    repo.git(&["add", "src/app.py"]);
    repo.write(
        "docs/ops/app.md",
        runbook_dated("ops-01", &["src/app.py"], "2026-02-01", "Unstaged rewrite."),
    );
    let (run, json) = repo.check_json(&["--staged"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"]);
    assert_eq!(json["findings"][0]["path"], "src/app.py");
    assert_eq!(json["range"]["mode"], "staged");
    assert_eq!(json["range"]["base"], head.as_str());
    assert_eq!(json["checked"]["changed_files"], 1);

    // Staging the runbook too makes it pass.
    repo.git(&["add", "docs/ops/app.md"]);
    let (run, json) = repo.check_json(&["--staged"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["checked"]["changed_files"], 2);
    assert_eq!(json["summary"]["errors"], 0);

    // Only unstaged edits: nothing staged, nothing to report.
    repo.git(&["reset", "-q", "--hard"]);
    repo.write("src/app.py", "print('unstaged only')\n");
    let (run, json) = repo.check_json(&["--staged"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["checked"]["changed_files"], 0);
    assert_eq!(json["findings"], serde_json::json!([]));
}

#[test]
fn worktree_sees_unstaged_edits_and_untracked_files() {
    let repo = covered_repo();
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        ".docgate.yml",
        "version: 1\ncoverage:\n  require: [\"src/**\"]\n",
    );
    let head = repo.commit("require coverage for src");

    repo.write("src/app.py", "print('edited, not staged')\n");
    repo.write("src/new_module.py", "y = 1\n"); // untracked

    let (run, json) = repo.check_json(&["--worktree"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(json["range"]["mode"], "worktree");
    assert_eq!(json["range"]["base"], head.as_str());
    assert_eq!(
        run.sorted_rules(),
        vec!["doc-not-updated", "uncovered-change"]
    );
    let dnu = findings_of(&json, "doc-not-updated");
    assert_eq!(dnu[0]["path"], "src/app.py");
    let unc = findings_of(&json, "uncovered-change");
    assert_eq!(unc[0]["path"], "src/new_module.py");
    assert!(message(unc[0]).contains("coverage.require"), "{json}");
    assert_eq!(json["checked"]["changed_files"], 2);

    // --staged sees none of it.
    let (run, json) = repo.check_json(&["--staged"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["checked"]["changed_files"], 0);

    // Editing the runbook on disk (body and date) satisfies the worktree check
    // for src/app.py; the untracked uncovered file still fails.
    repo.write(
        "docs/ops/app.md",
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "2026-02-01",
            "Rewritten for the edit.",
        ),
    );
    let (run, _) = repo.check_json(&["--worktree"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["uncovered-change"]);
}

// ---------------------------------------------------------------------------
// The default base
// ---------------------------------------------------------------------------

#[test]
fn default_base_prefers_origin_head_in_a_clone() {
    let origin = covered_repo();
    let fork = main_sha(&origin);
    origin.git(&["checkout", "-q", "main"]);
    let clone = clone_repo(&origin, "clone", &[]);
    assert_eq!(
        git_in(
            &origin,
            &clone,
            &["symbolic-ref", "refs/remotes/origin/HEAD"]
        ),
        "refs/remotes/origin/main"
    );

    // Local main gets a commit the remote does not have (covered code, no doc);
    // the feature branch forks from it. Judged against origin, that commit is
    // part of the change; judged against local main, it would not be.
    write_in(&clone, "src/app.py", "print('local main')\n");
    commit_in(&origin, &clone, "local main: change app");
    git_in(&origin, &clone, &["checkout", "-q", "-b", "feature"]);
    write_in(&clone, "src/other.py", "x = 3\n");
    commit_in(&origin, &clone, "feature: other");

    let run = docgate_in(&origin, &clone, &["check", "--format", "json"], &[]);
    let json = report(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(json["range"]["base_ref"], "refs/remotes/origin/HEAD");
    assert_eq!(json["range"]["base"], fork.as_str());
    assert_eq!(run.rules(), vec!["doc-not-updated"]);
    assert_eq!(json["findings"][0]["path"], "src/app.py");

    let text = docgate_in(&origin, &clone, &["check"], &[]);
    assert_eq!(text.code, 1, "{text:?}");
    assert!(
        text.stdout.contains("refs/remotes/origin/HEAD...HEAD"),
        "{text:?}"
    );
    assert!(text.stdout.contains("base from default"), "{text:?}");

    // Without origin/HEAD, origin/main is next (still before local main).
    git_in(&origin, &clone, &["remote", "set-head", "origin", "-d"]);
    let run = docgate_in(&origin, &clone, &["check", "--format", "json"], &[]);
    let json = report(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(json["range"]["base_ref"], "origin/main");
    assert_eq!(json["range"]["base"], fork.as_str());
}

#[test]
fn default_base_is_local_main_without_a_remote() {
    let repo = covered_repo();
    let fork = main_sha(&repo);
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");

    let (run, json) = repo.check_json(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(json["range"]["base_ref"], "main");
    assert_eq!(json["range"]["base"], fork.as_str());
    assert_eq!(run.rules(), vec!["doc-not-updated"]);

    let text = repo.docgate(&["check"]);
    assert_eq!(text.code, 1, "{text:?}");
    assert!(text.stdout.contains("main...HEAD"), "{text:?}");
    assert!(text.stdout.contains("base from default"), "{text:?}");
}

#[test]
fn default_base_falls_back_to_master() {
    let repo = covered_repo();
    let fork = main_sha(&repo);
    repo.git(&["branch", "-m", "main", "master"]);
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");

    let (run, json) = repo.check_json(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(json["range"]["base_ref"], "master");
    assert_eq!(json["range"]["base"], fork.as_str());
    assert_eq!(run.rules(), vec!["doc-not-updated"]);

    let text = repo.docgate(&["check"]);
    assert!(text.stdout.contains("master...HEAD"), "{text:?}");
}

#[test]
fn no_default_base_is_exit_2_and_says_to_pass_base() {
    let repo = covered_repo();
    repo.git(&["branch", "-m", "main", "trunk"]);
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");

    let run = repo.docgate(&["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--base"), "{run:?}");
    assert!(run.stderr.contains("no base"), "{run:?}");
    assert_eq!(run.stdout, "", "no report on exit 2: {run:?}");

    // With an explicit base it works.
    let (run, _) = repo.check_json(&["--base", "trunk"]);
    assert_eq!(run.code, 1, "{run:?}");
}

// ---------------------------------------------------------------------------
// pre-commit's environment
// ---------------------------------------------------------------------------

#[test]
fn pre_commit_refs_act_as_base_and_head_and_flags_win() {
    let CodeThenDoc {
        repo,
        fork,
        code_only,
        with_doc,
    } = code_then_doc();
    let env = [
        ("PRE_COMMIT_FROM_REF", "main"),
        ("PRE_COMMIT_TO_REF", code_only.as_str()),
    ];

    // No flag: the env decides the range (main...code_only) → finding.
    let run = repo.docgate_env(&["check", "--format", "json"], &env);
    let json = report(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"]);
    assert_eq!(json["range"]["base_ref"], "main");
    assert_eq!(json["range"]["base"], fork.as_str());
    assert_eq!(json["range"]["head"], code_only.as_str());

    let text = repo.docgate_env(&["check"], &env);
    assert_eq!(text.code, 1, "{text:?}");
    assert!(
        text.stdout.contains("PRE_COMMIT_FROM_REF"),
        "the report names where the base came from: {text:?}"
    );

    // --base wins over both variables: main...HEAD, which is clean.
    let run = repo.docgate_env(&["check", "--format", "json", "--base", "main"], &env);
    let json = report(&run);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["range"]["head"], with_doc.as_str());

    // --head alone also wins: default base, the given head.
    let run = repo.docgate_env(&["check", "--format", "json", "--head", "HEAD"], &env);
    let json = report(&run);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["range"]["head"], with_doc.as_str());

    // --staged wins too.
    let run = repo.docgate_env(&["check", "--format", "json", "--staged"], &env);
    let json = report(&run);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["range"]["mode"], "staged");
}

// ---------------------------------------------------------------------------
// Renames and deletions
// ---------------------------------------------------------------------------

#[test]
fn renaming_a_covered_file_names_both_paths_and_the_stale_entry() {
    let repo = covered_repo();
    repo.git(&["mv", "src/app.py", "src/main.py"]);
    repo.commit("rename app");

    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.sorted_rules(),
        vec!["doc-not-updated", "stale-key-file"]
    );

    let dnu = findings_of(&json, "doc-not-updated");
    assert_eq!(dnu.len(), 1, "{json}");
    assert_eq!(dnu[0]["path"], "src/main.py");
    assert!(message(dnu[0]).contains("src/main.py"), "{json}");
    assert!(
        message(dnu[0]).contains("renamed from `src/app.py`"),
        "{json}"
    );
    assert_eq!(dnu[0]["docs"], serde_json::json!(["ops-01"]));

    let stale = findings_of(&json, "stale-key-file");
    assert_eq!(stale.len(), 1, "{json}");
    assert_eq!(stale[0]["path"], "docs/ops/app.md");
    assert!(message(stale[0]).contains("`src/app.py`"), "{json}");
    assert!(
        message(stale[0]).contains("src/main.py"),
        "names the new path: {json}"
    );
    assert!(stale[0]["line"].is_number(), "points at the entry: {json}");
}

#[test]
fn renaming_with_the_runbook_updated_to_the_new_path_passes() {
    let repo = covered_repo();
    repo.git(&["mv", "src/app.py", "src/main.py"]);
    repo.write(
        "docs/ops/app.md",
        runbook_dated(
            "ops-01",
            &["src/main.py"],
            "2026-02-01",
            "The app now lives in src/main.py.",
        ),
    );
    repo.commit("rename app, update runbook");

    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["findings"], serde_json::json!([]));
}

#[test]
fn deleting_a_covered_file_is_a_change_to_it() {
    let repo = covered_repo();
    repo.git(&["rm", "-q", "src/app.py"]);
    repo.commit("delete app");

    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.sorted_rules(),
        vec!["doc-not-updated", "stale-key-file"]
    );

    let dnu = findings_of(&json, "doc-not-updated");
    assert_eq!(dnu[0]["path"], "src/app.py");
    assert!(message(dnu[0]).contains("deleted"), "{json}");
    assert_eq!(dnu[0]["docs"], serde_json::json!(["ops-01"]));

    let stale = findings_of(&json, "stale-key-file");
    assert_eq!(stale[0]["path"], "docs/ops/app.md");
    assert!(message(stale[0]).contains("`src/app.py`"), "{json}");
    assert!(message(stale[0]).contains("deleted"), "{json}");
    assert_eq!(json["checked"]["covered_files"], 1);
}

// ---------------------------------------------------------------------------
// Shallow clones
// ---------------------------------------------------------------------------

fn assert_shallow_fix(run: &Run) {
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("shallow"), "{run:?}");
    assert!(run.stderr.contains("fetch-depth: 0"), "{run:?}");
    assert!(run.stderr.contains("git fetch --unshallow"), "{run:?}");
    assert_eq!(run.stdout, "", "never a guessed report: {run:?}");
}

#[test]
fn shallow_clone_missing_the_base_is_exit_2_with_the_fix() {
    let origin = covered_repo();
    origin.git(&["checkout", "-q", "main"]);
    let first = origin.head();
    origin.write("src/other.py", "x = 2\n");
    origin.commit("second");
    origin.write("src/other.py", "x = 3\n");
    origin.commit("third");

    let clone = clone_repo(&origin, "shallow", &["--depth", "1"]);
    assert_eq!(
        git_in(&origin, &clone, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );

    let run = docgate_in(&origin, &clone, &["check", "--base", &first], &[]);
    assert_shallow_fix(&run);
    assert!(run.stderr.contains(&first), "names the revision: {run:?}");

    let run = docgate_in(&origin, &clone, &["check", "--base", "HEAD~2"], &[]);
    assert_shallow_fix(&run);
}

#[test]
fn shallow_clone_without_a_merge_base_is_exit_2_with_the_fix() {
    let origin = covered_repo(); // on `feature`, forked from main's first commit
    origin.write("src/other.py", "x = 10\n");
    origin.commit("feature work");
    origin.git(&["checkout", "-q", "main"]);
    origin.write("src/other.py", "x = 20\n");
    origin.commit("main work");

    let clone = clone_repo(&origin, "shallow", &["--depth", "1", "--no-single-branch"]);
    git_in(&origin, &clone, &["checkout", "-q", "feature"]);
    assert_eq!(
        git_in(&origin, &clone, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );

    let run = docgate_in(&origin, &clone, &["check", "--base", "origin/main"], &[]);
    assert_shallow_fix(&run);

    // The default base (origin/HEAD → origin/main) hits the same wall.
    let run = docgate_in(&origin, &clone, &["check"], &[]);
    assert_shallow_fix(&run);
}

// ---------------------------------------------------------------------------
// Empty repositories, bad revisions, not a repository, bad flags
// ---------------------------------------------------------------------------

#[test]
fn empty_repository_check_is_exit_2_saying_there_are_no_commits() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n").write(
        "docs/ops/app.md",
        runbook("ops-01", &["src/app.py"], "How the app works."),
    );

    let run = repo.docgate(&["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no commits"), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");

    let run = repo.docgate(&["check", "--base", "main"]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn staged_on_an_unborn_branch_compares_with_the_empty_tree() {
    let repo = TestRepo::new();
    repo.write(
        ".docgate.yml",
        "version: 1\ncoverage:\n  require: [\"src/**\"]\n",
    )
    .write("src/app.py", "print('v1')\n")
    .write("src/lonely.py", "z = 0\n")
    .write(
        "docs/ops/app.md",
        runbook("ops-01", &["src/app.py"], "How the app works."),
    );
    repo.git(&["add", ".docgate.yml", "src/app.py", "docs/ops/app.md"]);

    // Everything staged is added; the runbook is added with its code.
    let (run, json) = repo.check_json(&["--staged"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["range"]["mode"], "staged");
    assert_eq!(json["range"]["base"], Value::Null);
    assert_eq!(json["checked"]["changed_files"], 3);
    assert_eq!(json["checked"]["covered_files"], 1);
    assert_eq!(json["findings"], serde_json::json!([]));

    // An uncovered required file staged on the unborn branch is reported.
    repo.git(&["add", "src/lonely.py"]);
    let (run, json) = repo.check_json(&["--staged"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["uncovered-change"]);
    assert_eq!(json["findings"][0]["path"], "src/lonely.py");
    assert!(message(&json["findings"][0]).contains("(added)"), "{json}");
}

#[test]
fn unknown_revision_is_exit_2_naming_it() {
    let repo = covered_repo();
    let run = repo.docgate(&["check", "--base", "nope"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("nope"), "{run:?}");
    assert!(run.stderr.contains("unknown revision"), "{run:?}");
    assert!(
        !run.stderr.contains("shallow"),
        "not a shallow clone: {run:?}"
    );
    assert_eq!(run.stdout, "", "{run:?}");

    let run = repo.docgate(&["check", "--base", "main", "--head", "no-such-head"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no-such-head"), "{run:?}");

    let run = repo.docgate_env(
        &["check"],
        &[
            ("PRE_COMMIT_FROM_REF", "gone-ref"),
            ("PRE_COMMIT_TO_REF", "HEAD"),
        ],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("gone-ref"), "{run:?}");
}

#[test]
fn outside_a_git_repository_is_exit_2() {
    let repo = TestRepo::new();
    let plain = repo.dir.path().join("plain");
    std::fs::create_dir_all(plain.join("docs")).unwrap();
    std::fs::write(
        plain.join("docs/app.md"),
        runbook("ops-01", &["app.py"], "x"),
    )
    .unwrap();

    let run = docgate_in(
        &repo,
        &plain,
        &["check"],
        &[("GIT_CEILING_DIRECTORIES", path_str(repo.dir.path()))],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not a git repository"), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");

    // Same through -C from inside a repository.
    let run = repo.docgate(&["-C", path_str(&plain), "check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not a git repository"), "{run:?}");
}

#[test]
fn bad_flags_are_exit_2() {
    let repo = covered_repo();
    let cases: &[(&[&str], &str)] = &[
        (&["check", "--format", "nope"], "nope"),
        (&["check", "--staged", "--worktree"], "--worktree"),
        (&["check", "--staged", "--base", "main"], "--base"),
        (&["check", "--worktree", "--head", "HEAD"], "--head"),
        (&["check", "--fail-on", "sometimes"], "sometimes"),
        (&["check", "--color", "rainbow"], "rainbow"),
        (&["check", "--no-such-flag"], "--no-such-flag"),
        (
            &["check", "-C", "/definitely/not/here"],
            "/definitely/not/here",
        ),
    ];
    for (args, mention) in cases {
        let run = repo.docgate(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains(mention),
            "{args:?} should mention {mention}: {run:?}"
        );
        assert_eq!(run.stdout, "", "{args:?}: {run:?}");
    }
}

// ---------------------------------------------------------------------------
// Exit codes and --fail-on
// ---------------------------------------------------------------------------

#[test]
fn exit_codes_follow_findings_and_fail_on() {
    // 0: clean.
    let repo = covered_repo();
    repo.write("src/other.py", "x = 2\n");
    repo.commit("uncovered change");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        json["summary"],
        serde_json::json!({"errors":0,"warnings":0,"notes":0,"waived":0})
    );

    // 1: an error.
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("covered change");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(json["summary"]["errors"], 1);

    // A warning only: 0 by default, 1 with --fail-on warning.
    let repo = covered_repo();
    repo.write(
        "docs/ops/app.md",
        runbook(
            "ops-01",
            &["src/app.py"],
            "Clarified the body, kept the date.",
        ),
    );
    repo.commit("doc body only");
    let (run, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.rules(), vec!["last-updated-not-bumped"]);
    assert_eq!(json["findings"][0]["severity"], "warning");
    assert_eq!(json["findings"][0]["path"], "docs/ops/app.md");
    assert_eq!(json["summary"]["warnings"], 1);

    let (run, _) = repo.check_json(&["--base", "main", "--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.rules(), vec!["last-updated-not-bumped"]);

    let (run, _) = repo.check_json(&["--base", "main", "--fail-on", "error"]);
    assert_eq!(run.code, 0, "{run:?}");

    // Text report agrees.
    let text = repo.docgate(&["check", "--base", "main", "--fail-on", "warning"]);
    assert_eq!(text.code, 1, "{text:?}");
    assert!(
        text.stdout.contains("warning[last-updated-not-bumped]"),
        "{text:?}"
    );
    assert!(text.stdout.contains("failed"), "{text:?}");
}

// ---------------------------------------------------------------------------
// -C, --output, broken pipe, nothing to check, empty change, color
// ---------------------------------------------------------------------------

#[test]
fn dash_c_works_before_and_after_the_command_name() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");
    let elsewhere = repo.home(); // not inside the repository

    let before = docgate_in(
        &repo,
        &elsewhere,
        &[
            "-C", "../repo", "check", "--format", "json", "--base", "main",
        ],
        &[],
    );
    let after = docgate_in(
        &repo,
        &elsewhere,
        &[
            "check", "-C", "../repo", "--format", "json", "--base", "main",
        ],
        &[],
    );
    assert_eq!(before.code, 1, "{before:?}");
    assert_eq!(after.code, 1, "{after:?}");
    assert_eq!(before.rules(), vec!["doc-not-updated"]);
    assert_eq!(before.json(), after.json());
    assert_eq!(before.json()["findings"][0]["path"], "src/app.py");

    // Absolute path, and a subdirectory of the repository.
    let abs = repo.path();
    let run = docgate_in(
        &repo,
        &elsewhere,
        &["-C", path_str(&abs.join("src")), "check", "--base", "main"],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("error[doc-not-updated]"), "{run:?}");

    // Without -C, the same current directory is not a repository.
    let run = docgate_in(
        &repo,
        &elsewhere,
        &["check", "--base", "main"],
        &[("GIT_CEILING_DIRECTORIES", path_str(repo.dir.path()))],
    );
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn output_file_replaces_stdout_and_format_file_adds_to_it() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");

    // --output FILE: the report goes there, stdout stays empty.
    let out = repo.dir.path().join("report.txt");
    let run = repo.docgate(&["check", "--base", "main", "--output", path_str(&out)]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    let text = std::fs::read_to_string(&out).expect("report written");
    assert!(text.contains("error[doc-not-updated]"), "{text}");
    assert!(text.contains("src/app.py"), "{text}");
    assert!(text.contains("docgate check failed"), "{text}");
    assert!(!text.contains('\x1b'), "files never get color: {text:?}");

    // --format json --output FILE: the file is JSON.
    let out_json = repo.dir.path().join("plain.json");
    let run = repo.docgate(&[
        "check",
        "--base",
        "main",
        "--format",
        "json",
        "--output",
        path_str(&out_json),
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&out_json).unwrap()).unwrap();
    assert_eq!(json["findings"][0]["rule"], "doc-not-updated");

    // --output json=FILE: stdout keeps the text report, the file has JSON.
    let side = repo.dir.path().join("side.json");
    let spec = format!("json={}", side.display());
    let run = repo.docgate(&["check", "--base", "main", "--output", &spec]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("error[doc-not-updated]"), "{run:?}");
    assert!(run.stdout.contains("docgate check failed"), "{run:?}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&side).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["findings"][0]["rule"], "doc-not-updated");
    assert_eq!(json["findings"][0]["path"], "src/app.py");
    assert_eq!(json["range"]["base"], main_sha(&repo).as_str());

    // A clean run still writes the file.
    let clean = repo.dir.path().join("clean.json");
    let spec = format!("json={}", clean.display());
    let run = repo.docgate(&["check", "--base", "HEAD", "--output", &spec]);
    assert_eq!(run.code, 0, "{run:?}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&clean).unwrap()).unwrap();
    assert_eq!(json["findings"], serde_json::json!([]));
}

/// A repository whose feature branch changes `n` covered files without their runbook.
fn big_report_repo(n: usize) -> TestRepo {
    let repo = TestRepo::new();
    for i in 0..n {
        repo.write(
            &format!("src/gen/module_{i:04}.py"),
            format!("value = {i}\n"),
        );
    }
    repo.write(
        "docs/ops/gen.md",
        runbook("ops-gen", &["src/gen/"], "Generated modules."),
    );
    repo.commit_base("initial");
    for i in 0..n {
        repo.write(
            &format!("src/gen/module_{i:04}.py"),
            format!("value = {}\n", i + 1),
        );
    }
    repo.commit("change every module");
    repo
}

/// SPEC §2.2: the exit code is the verdict whether or not the report could
/// be written. A reader that goes away never turns a failing gate into 0.
#[test]
fn broken_pipe_keeps_the_verdict() {
    let repo = big_report_repo(300);
    // Sanity: the report is large and fails the gate.
    let full = repo.docgate(&["check", "--base", "main"]);
    assert_eq!(full.code, 1, "{full:?}");
    assert!(
        full.stdout.len() > 65_536,
        "report of {} bytes",
        full.stdout.len()
    );
    assert_eq!(full.stdout.matches("error[doc-not-updated]").count(), 300);

    for format in ["text", "json", "sarif", "github", "markdown"] {
        let code = repo.docgate_closed_pipes(&["check", "--base", "main", "--format", format], &[]);
        assert_eq!(
            code,
            Some(1),
            "--format {format}: status {code:?} (None = killed by a signal)"
        );
    }
    // The same with --output: the file is written, stdout is closed.
    let code = repo.docgate_closed_pipes(
        &["check", "--base", "main", "--output", "json=report.json"],
        &[],
    );
    assert_eq!(code, Some(1));
    let written = std::fs::read_to_string(repo.path().join("report.json")).unwrap();
    assert_eq!(written.matches("\"doc-not-updated\"").count(), 300);
    std::fs::remove_file(repo.path().join("report.json")).unwrap();
}

/// Every command keeps its exit code when both output pipes are closed.
#[test]
fn every_command_keeps_its_exit_code_with_closed_pipes() {
    let repo = big_report_repo(5);
    let cases: &[(&[&str], i32)] = &[
        (&["check", "--base", "main"], 1),
        (&["check", "--base", "main", "--format", "json"], 1),
        (&["check", "--base", "main", "-q"], 1),
        (&["check", "--base", "no-such-rev"], 2),
        (&["lint"], 0),
        (
            &["lint", "--fail-on", "warning", "--config", "missing.yml"],
            2,
        ),
        (&["context", "src/gen/module_0000.py"], 0),
        (&["context", "/etc/passwd"], 2),
        (&["install", "--uninstall"], 0),
        (&["nonsense-command"], 2),
        (&["--help"], 0),
    ];
    for (args, want) in cases {
        let open = repo.docgate(args);
        assert_eq!(open.code, *want, "docgate {args:?}: {open:?}");
        let closed = repo.docgate_closed_pipes(args, &[]);
        assert_eq!(
            closed,
            Some(*want),
            "docgate {args:?} with closed pipes (None = killed by a signal)"
        );
    }
}

#[test]
fn no_config_and_no_docs_is_exit_2_with_a_hint() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('v1')\n");
    repo.commit_base("initial");
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change");

    let run = repo.docgate(&["check", "--base", "main"]);
    assert_eq!(
        run.code, 2,
        "never a pass when nothing was checked: {run:?}"
    );
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(run.stderr.contains("nothing to check"), "{run:?}");
    // `docgate init` does not exist yet, so the hint names what to add.
    assert!(
        run.stderr.contains("Add runbooks") && run.stderr.contains(".docgate.yml"),
        "the hint says what to add: {run:?}"
    );

    // Same with --staged and with JSON output: still exit 2, no report.
    let run = repo.docgate(&["check", "--staged", "--format", "json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
}

#[test]
fn an_empty_change_passes_and_says_zero_changed_files() {
    let repo = covered_repo();
    let head = repo.head();

    let (run, json) = repo.check_json(&["--base", "HEAD"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json["range"]["base"], head.as_str());
    assert_eq!(json["range"]["head"], head.as_str());
    assert_eq!(json["checked"]["changed_files"], 0);
    assert_eq!(json["checked"]["commits"], 0);
    assert_eq!(
        json["checked"]["docs"], 1,
        "it still says what it looked at: {json}"
    );
    assert_eq!(json["findings"], serde_json::json!([]));

    let text = repo.docgate(&["check", "--base", "HEAD"]);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(text.stdout.contains("passed"), "{text:?}");
    assert!(text.stdout.contains("0 changed files"), "{text:?}");
    assert!(text.stdout.contains("1 doc"), "{text:?}");
}

#[test]
fn color_always_paints_and_no_color_with_auto_does_not() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("change app");

    let run = repo.docgate(&["check", "--base", "main", "--color", "always"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("\x1b["), "{run:?}");
    assert!(run.stdout.contains("doc-not-updated"), "{run:?}");

    let run = repo.docgate_env(
        &["check", "--base", "main", "--color", "auto"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!run.stdout.contains('\x1b'), "{run:?}");
    assert!(run.stdout.contains("error[doc-not-updated]"), "{run:?}");

    let run = repo.docgate(&["check", "--base", "main", "--color", "never"]);
    assert!(!run.stdout.contains('\x1b'), "{run:?}");

    // An explicit --color always beats NO_COLOR (a per-invocation flag overrides the environment).
    let run = repo.docgate_env(
        &["check", "--base", "main", "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    assert!(run.stdout.contains("\x1b["), "{run:?}");

    // JSON is never painted.
    let run = repo.docgate(&[
        "check", "--base", "main", "--color", "always", "--format", "json",
    ]);
    assert!(!run.stdout.contains('\x1b'), "{run:?}");
    assert_eq!(run.rules(), vec!["doc-not-updated"]);
}

/// A panic (a bug) is exit 2, docgate could not do its job: never 0, and not
/// Rust's 101, which no hook or CI documents.
#[test]
fn a_panic_is_exit_2() {
    let repo = big_report_repo(1);
    for args in [&["check", "--base", "main"][..], &["lint"][..]] {
        let run = repo.docgate_env(args, &[("DOCGATE_PANIC_FOR_TESTS", "1")]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            run.stderr.contains("DOCGATE_PANIC_FOR_TESTS is set"),
            "{run:?}"
        );
        assert!(
            run.stderr.contains(
                "docgate: error: internal error (docgate panicked; this is a bug, please report it)"
            ),
            "{run:?}"
        );
    }
}

/// Half of the pre-commit framework's range is an error, never a quiet
/// fallback to the default base.
#[test]
fn half_a_pre_commit_range_is_exit_2() {
    let repo = big_report_repo(1);
    let main = repo.git(&["rev-parse", "main"]);
    for (k, other) in [
        ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_FROM_REF"),
        ("PRE_COMMIT_TO_REF", "PRE_COMMIT_TO_REF"),
    ] {
        for args in [&["check"][..], &["pre-push"][..]] {
            let run = repo.docgate_env(args, &[(k, main.as_str())]);
            assert_eq!(run.code, 2, "{args:?} {k}: {run:?}");
            assert!(
                run.stderr.contains(&format!(
                    "PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF come together (the pre-commit framework sets both); only {other} is set"
                )),
                "{run:?}"
            );
        }
    }
}

/// A default-base candidate that exists but is not a commit is an error,
/// not a quiet switch to the next candidate.
#[test]
fn a_default_base_that_is_not_a_commit_is_exit_2() {
    let repo = big_report_repo(1);
    let tree = repo.git(&["rev-parse", "main^{tree}"]);
    repo.git(&["update-ref", "refs/remotes/origin/main", &tree]);
    let run = repo.docgate(&["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("origin/main exists but does not point at a commit"),
        "{run:?}"
    );
}

/// `--output jsno=report.json` is a misspelled format, not a file named
/// `jsno=report.json` in the repository; a path with `=` still works.
#[test]
fn a_misspelled_output_format_is_exit_2_and_writes_nothing() {
    let repo = big_report_repo(1);
    let run = repo.docgate(&["check", "--base", "main", "--output", "jsno=report.json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "`--output jsno=report.json`: `jsno` is not a report format (did you mean `json`?); the formats are text, json, sarif, github, markdown"
        ),
        "{run:?}"
    );
    assert!(!repo.path().join("jsno=report.json").exists());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let run = repo.docgate(&["check", "--base", "main", "--output", "out/a=b.json"]);
    assert_eq!(run.code, 2, "the folder does not exist: {run:?}");
    assert!(
        run.stderr
            .contains("cannot write the report to out/a=b.json"),
        "{run:?}"
    );
    std::fs::create_dir(repo.path().join("out")).unwrap();
    let run = repo.docgate(&["check", "--base", "main", "--output", "out/a=b.json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(repo.path().join("out/a=b.json").exists());
}

// ---------------------------------------------------------------------------
// The changed files and renames are git's own (issue 12: docgate pairs
// renames itself, the way `git diff --name-status` does).
// ---------------------------------------------------------------------------

/// The changes docgate reported, read back from its doc-not-updated
/// findings (one doc covers every file): `R old new`, `A p`, `D p`, `M p`.
fn changes_docgate_saw(json: &Value) -> std::collections::BTreeSet<String> {
    findings_of(json, "doc-not-updated")
        .iter()
        .map(|f| {
            let m = message(f);
            let path = |s: &str| s.split('`').nth(1).unwrap().to_string();
            if let Some((new, old)) = m.split_once(" (renamed from ") {
                format!("R {} {}", path(old), path(new))
            } else if m.contains("` (added)") {
                format!("A {}", path(m))
            } else if m.contains("` (deleted)") {
                format!("D {}", path(m))
            } else {
                format!("M {}", path(m))
            }
        })
        .collect()
}

/// `git diff --name-status` of the range, in the same form.
fn changes_git_saw(repo: &TestRepo, extra: &[&str]) -> std::collections::BTreeSet<String> {
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["diff", "--name-status", "main", "feature"]);
    repo.git(&args)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            match f[0].chars().next().unwrap() {
                'R' => format!("R {} {}", f[1], f[2]),
                c => format!("{c} {}", f[1]),
            }
        })
        .collect()
}

fn rename_scenario() -> TestRepo {
    let repo = TestRepo::new();
    let lines = |tag: &str, n: usize| -> String {
        (0..n)
            .map(|i| format!("{tag} line {i} of a file long enough to score\n"))
            .collect()
    };
    repo.write(".docgate.yml", "version: 1\ncoverage:\n  ignore: []\n")
        .write("docs/all.md", runbook("all-01", &["**"], "Everything."))
        .write("a/same.txt", lines("same", 20))
        .write("a/moved.c", lines("moved", 20))
        .write("a/old_name.py", lines("renamed", 20))
        .write("a/gone.txt", "deleted\n")
        .write("a/dup.txt", lines("dup", 10))
        .write("a/mode.sh", "echo hi\n")
        .write("a/becomes_dir", "a file, then a folder\n")
        .write("a/unrelated_old.txt", lines("alpha", 20));
    std::os::unix::fs::symlink("target-one", repo.path().join("a/link")).unwrap();
    std::os::unix::fs::symlink("target-two", repo.path().join("a/link2")).unwrap();
    repo.commit_base("base");
    // Exact rename across folders.
    std::fs::create_dir_all(repo.path().join("b")).unwrap();
    std::fs::rename(
        repo.path().join("a/same.txt"),
        repo.path().join("b/other.txt"),
    )
    .unwrap();
    // Same base name, another folder, edited (the basename step).
    let mut moved = lines("moved", 20);
    moved.push_str("one more line\n");
    repo.remove("a/moved.c").write("c/moved.c", moved);
    // Another name, edited (similarity over every pair).
    let mut renamed = lines("renamed", 18);
    renamed.push_str("changed tail\n");
    repo.remove("a/old_name.py").write("b/new_name.py", renamed);
    // Two copies of one deleted file: one rename, one addition.
    repo.remove("a/dup.txt")
        .write("d/dup_one.txt", lines("dup", 10))
        .write("d/dup_two.txt", lines("dup", 10));
    // Deleted, added, unrelated contents (no pair).
    repo.remove("a/gone.txt")
        .remove("a/unrelated_old.txt")
        .write("e/unrelated_new.txt", lines("omega", 20));
    // A mode change, a file replaced by a folder.
    {
        use std::os::unix::fs::PermissionsExt;
        let p = repo.path().join("a/mode.sh");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    repo.remove("a/becomes_dir")
        .write("a/becomes_dir/inside.txt", "now a folder\n");
    // A symbolic link renamed unchanged, one renamed and retargeted.
    std::fs::create_dir_all(repo.path().join("f")).unwrap();
    std::fs::rename(repo.path().join("a/link"), repo.path().join("f/link")).unwrap();
    std::fs::remove_file(repo.path().join("a/link2")).unwrap();
    std::os::unix::fs::symlink("target-three", repo.path().join("f/link2")).unwrap();
    repo.commit("every kind of change");
    repo
}

#[test]
fn changed_files_and_renames_are_the_ones_git_diff_lists() {
    let repo = rename_scenario();
    let git = changes_git_saw(&repo, &[]);
    // The scenario exercises each step: exact, basename, similarity, none.
    for expected in [
        "R a/same.txt b/other.txt",
        "R a/moved.c c/moved.c",
        "R a/old_name.py b/new_name.py",
        "M a/mode.sh",
        "D a/becomes_dir",
        "A a/becomes_dir/inside.txt",
        "R a/link f/link",
        "D a/link2",
        "A f/link2",
    ] {
        assert!(git.contains(expected), "git lists {expected}: {git:?}");
    }
    assert_eq!(
        git.iter().filter(|c| c.contains("dup_")).count(),
        2,
        "one copy renamed, one added: {git:?}"
    );
    let (_, json) = repo.check_json(&["--base", "main", "--head", "feature"]);
    assert_eq!(changes_docgate_saw(&json), git);
    assert_eq!(json["checked"]["changed_files"], git.len());
    assert!(
        json["checked"].get("renames_exact_only").is_none(),
        "{json}"
    );
}

#[test]
fn past_diff_rename_limit_only_identical_files_pair_and_the_report_says_so() {
    let repo = rename_scenario();
    repo.git(&["config", "diff.renameLimit", "1"]);
    let git = changes_git_saw(&repo, &[]);
    assert!(git.contains("R a/same.txt b/other.txt"), "{git:?}");
    assert!(!git.contains("R a/old_name.py b/new_name.py"), "{git:?}");
    let (run, json) = repo.check_json(&["--base", "main", "--head", "feature"]);
    assert_eq!(changes_docgate_saw(&json), git);
    let checked = &json["checked"];
    assert_eq!(checked["renames_exact_only"], true, "{json}");
    assert_eq!(checked["renames_cut"]["limit"], 1, "{json}");
    assert!(
        checked["renames_cut"]["added"].as_u64().unwrap() >= 2,
        "{json}"
    );
    let text = repo.docgate(&["check", "--base", "main", "--head", "feature"]);
    assert!(
        text.stdout
            .contains("exceed diff.renameLimit 1² to compare contents"),
        "{}{:?}",
        text.stdout,
        run
    );
}

#[test]
fn a_rename_limit_that_is_not_a_number_is_an_error() {
    let repo = rename_scenario();
    repo.git(&["config", "diff.renameLimit", "lots"]);
    let run = repo.docgate(&["check", "--base", "main", "--head", "feature"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("diff.renameLimit"), "{run:?}");
}

/// More changed files than one coverage part holds (2,048): the parts are
/// put back together in file order, every file counted once, the covering
/// doc listing every file it covers.
#[test]
fn a_change_of_thousands_of_files_is_judged_whole_and_in_path_order() {
    let n = 2_600;
    let repo = big_report_repo(n);
    let (_, json) = repo.check_json(&["--base", "main"]);
    assert_eq!(json["checked"]["changed_files"], n);
    assert_eq!(json["checked"]["covered_files"], n);
    let want: Vec<String> = (0..n)
        .map(|i| format!("src/gen/module_{i:04}.py"))
        .collect();
    let found = findings_of(&json, "doc-not-updated");
    let paths: Vec<&str> = found.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, want, "one finding per changed file, in path order");
    let docs = json["docs_to_read"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{docs:?}");
    let covers: Vec<&str> = docs[0]["covers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(covers, want, "the doc covers every file, in path order");
}

/// `base` near `head` (a parent of a merge whose other side is long), `base`
/// far behind `head` on one line, and a `base` that moved on: the
/// merge-base is git's in each, found near or the long way.
#[test]
fn the_merge_base_is_gits_whether_base_is_near_far_or_moved_on() {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 0\n");
    repo.write(
        "docs/ops/a.md",
        runbook("ops-a", &["src/a.py"], "How a works."),
    );
    let root = repo.commit_base("root");
    let long = |n: usize, tag: &str| {
        for k in 0..n {
            repo.write("src/a.py", format!("x = '{tag} {k}'\n"));
            repo.commit(&format!("{tag} {k}"));
        }
    };
    // Far: 100 commits on one line above the root.
    long(100, "far");
    let far_head = repo.head();
    // Near: a side branch of 100 commits from the root, merged with `side`,
    // whose one commit sits on the root.
    repo.git(&["checkout", "-q", "-b", "side", &root]);
    repo.write("src/b.py", "y = 1\n");
    let side = repo.commit("side");
    repo.git(&["checkout", "-q", "feature"]);
    repo.git(&["merge", "-q", "--no-edit", "side"]);
    let near_head = repo.head();
    // Moved on: `side` gets a commit the feature does not have.
    repo.git(&["checkout", "-q", "side"]);
    repo.write("src/c.py", "z = 2\n");
    let moved = repo.commit("side moves on");
    repo.git(&["checkout", "-q", "feature"]);
    let cases = [
        (side.as_str(), near_head.as_str(), side.as_str()),
        (root.as_str(), far_head.as_str(), root.as_str()),
        (moved.as_str(), near_head.as_str(), side.as_str()),
        (root.as_str(), near_head.as_str(), root.as_str()),
    ];
    for (base, head, want) in cases {
        assert_eq!(repo.git(&["merge-base", base, head]), want, "git agrees");
        let (_, json) = repo.check_json(&["--base", base, "--head", head]);
        assert_eq!(json["range"]["base"], want, "--base {base} --head {head}");
    }
}
