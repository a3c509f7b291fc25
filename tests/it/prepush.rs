//! The pre-push hook end to end: `docgate install` writes hooks/pre-push into
//! a real repository, the real `git push` runs it against a local bare
//! remote, and the remote is compared before and after (`git ls-remote`).
//! Also `docgate pre-push` fed by hand, `docgate install`'s cases, and the
//! pre-commit framework from PyPI running `.pre-commit-hooks.yaml`.

use crate::support::*;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the built docgate first, as a user who ran `cargo install` has it.
fn path_with_docgate() -> String {
    let bin = docgate_bin();
    let dir = bin.parent().expect("the binary has a folder");
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Run `program` in `dir` with the isolated test environment, `stdin` piped in.
fn run_in(
    repo: &TestRepo,
    dir: &Path,
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
    stdin: &[u8],
    env: &[(&str, &str)],
) -> Run {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    isolate(&mut cmd, &repo.home());
    cmd.env("PATH", path_with_docgate());
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the program runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin)
        .expect("stdin is written");
    Run::from(child.wait_with_output().expect("the program ends"))
}

/// `docgate <args>` in `repo` with the environment of a hook, `env` added.
fn docgate_env_in(repo: &TestRepo, args: &[&str], env: &[(&str, &str)]) -> Run {
    run_in(repo, &repo.path(), docgate_bin(), args, b"", env)
}

/// `docgate pre-push origin <url>` fed `stdin`, as git runs the hook.
fn pre_push(repo: &TestRepo, url: &str, stdin: &[u8]) -> Run {
    run_in(
        repo,
        &repo.path(),
        docgate_bin(),
        &["pre-push", "origin", url],
        stdin,
        &[],
    )
}

/// A repository with a runbook covering `src/app.py`, a bare remote `origin`
/// and docgate's hook installed. Nothing pushed yet; on `main`.
struct Pushing {
    repo: TestRepo,
    remote: PathBuf,
}

impl Pushing {
    fn new() -> Pushing {
        Pushing::with_format(None)
    }

    fn with_format(format: Option<&str>) -> Pushing {
        let repo = TestRepo::new();
        let remote = repo.dir.path().join("remote.git");
        if let Some(format) = format {
            // Start over in the other object format.
            std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
            let arg = format!("--object-format={format}");
            repo.git(&["init", "-q", &arg, "-b", "main"]);
            repo.git(&["init", "-q", "--bare", &arg, path_str(&remote)]);
        } else {
            repo.git(&["init", "-q", "--bare", path_str(&remote)]);
        }
        repo.git(&["remote", "add", "origin", path_str(&remote)]);
        repo.write_covered_app();
        repo.commit("initial");
        let run = repo.docgate(&["install"]);
        assert_eq!(run.code, 0, "{run:?}");
        Pushing { repo, remote }
    }

    /// `git push <args>` through the installed hook.
    fn push(&self, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        run_in(&self.repo, &self.repo.path(), "git", &all, b"", &[])
    }

    fn push_ok(&self, args: &[&str]) -> Run {
        let run = self.push(args);
        assert_eq!(run.code, 0, "git push {args:?} should pass: {run:?}");
        run
    }

    /// What the remote has: `git ls-remote` output.
    fn remote_refs(&self) -> String {
        self.repo.git(&["ls-remote", path_str(&self.remote)])
    }

    /// `git push <args>` must be blocked by the gate and leave the remote as it was.
    fn push_blocked(&self, args: &[&str]) -> Run {
        let before = self.remote_refs();
        let run = self.push(args);
        assert_ne!(run.code, 0, "git push {args:?} should be blocked: {run:?}");
        assert!(
            run.stderr.contains("failed to push some refs"),
            "git reports the push failed: {run:?}"
        );
        assert_eq!(self.remote_refs(), before, "the remote must be unchanged");
        run
    }

    /// A commit changing the covered file, with or without its runbook.
    fn change_app(&self, version: &str, with_doc: bool) -> String {
        self.repo
            .write("src/app.py", format!("print('{version}')\n"));
        if with_doc {
            self.repo.write(
                "docs/ops/app.md",
                runbook(
                    "ops-01",
                    &["src/app.py"],
                    &format!("How the app works, {version}."),
                ),
            );
        }
        self.repo.commit(&format!("app {version}"))
    }
}

fn assert_blocked_by_doc_not_updated(run: &Run) {
    let err = &run.stderr;
    assert!(err.contains("error[doc-not-updated]"), "{run:?}");
    assert!(err.contains("docgate: push blocked"), "{run:?}");
    assert!(
        err.contains("update the runbooks named above (ops-01)"),
        "{run:?}"
    );
    assert!(
        err.contains("Docgate-Waive: doc-not-updated(ops-01): <reason>"),
        "{run:?}"
    );
    assert!(err.contains("git push --no-verify"), "{run:?}");
}

// ---------------------------------------------------------------------------
// Real pushes through the installed hook
// ---------------------------------------------------------------------------

#[test]
fn the_installed_hook_is_hooks_pre_push() {
    let p = Pushing::new();
    let installed = std::fs::read(p.repo.path().join(".git/hooks/pre-push")).unwrap();
    let shipped = std::fs::read(manifest_dir().join("hooks/pre-push")).unwrap();
    assert_eq!(installed, shipped);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p.repo.path().join(".git/hooks/pre-push"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}

#[test]
fn first_push_of_the_default_branch_checks_the_whole_history() {
    let p = Pushing::new();
    let run = p.push_ok(&["origin", "main"]);
    assert!(
        run.stderr
            .contains("origin has no branches yet: the whole history, 1 commit"),
        "{run:?}"
    );
    assert!(run.stderr.contains("docgate pre-push passed"), "{run:?}");
    assert!(p.remote_refs().contains("refs/heads/main"));
}

#[test]
fn first_push_of_a_new_branch_checks_only_its_commits() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    p.repo.git(&["checkout", "-q", "-b", "feature"]);
    p.repo.write("src/other.py", "x = 2\n");
    p.repo.commit("uncovered change");
    p.change_app("v2", true);
    let run = p.push_ok(&["origin", "feature"]);
    let main = p.repo.git(&["rev-parse", "--short=12", "main"]);
    assert!(
        run.stderr
            .contains(&format!("new on origin: 2 commits since {main}")),
        "{run:?}"
    );
    assert!(run.stderr.contains("in 2 commits"), "{run:?}");
    assert!(p.remote_refs().contains("refs/heads/feature"));
}

#[test]
fn first_push_of_a_new_branch_to_an_empty_remote_uses_the_merge_base_with_main() {
    let p = Pushing::new();
    p.repo.git(&["checkout", "-q", "-b", "feature"]);
    p.change_app("v2", false);
    let run = p.push_blocked(&["origin", "feature"]);
    assert!(
        run.stderr
            .contains("origin has no branches yet: 1 commit since the merge-base with main"),
        "{run:?}"
    );
    assert_blocked_by_doc_not_updated(&run);
}

#[test]
fn a_new_branch_that_breaks_the_gate_is_blocked_and_the_remote_unchanged() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    p.repo.git(&["checkout", "-q", "-b", "feature"]);
    p.change_app("v2", false);
    let run = p.push_blocked(&["origin", "feature"]);
    assert_blocked_by_doc_not_updated(&run);
    assert!(!p.remote_refs().contains("refs/heads/feature"));
}

/// `git push origin feature 2>&1 | head -3`: the reader of the hook's output
/// goes away, and the push must still be blocked (SPEC §2.2).
#[test]
fn a_closed_output_pipe_does_not_let_a_failing_push_through() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    p.repo.git(&["checkout", "-q", "-b", "feature"]);
    p.change_app("v2", false);
    let before = p.remote_refs();
    let mut cmd = Command::new("git");
    cmd.current_dir(p.repo.path())
        .stdin(Stdio::null())
        .args(["push", "origin", "feature"]);
    isolate(&mut cmd, &p.repo.home());
    cmd.env("PATH", path_with_docgate());
    let status = status_with_closed_pipes(&mut cmd);
    assert_ne!(status, Some(0), "git push must fail");
    assert_eq!(p.remote_refs(), before, "the remote must be unchanged");
    assert!(!p.remote_refs().contains("refs/heads/feature"));

    // The hook itself, fed by hand: exit 1 with both pipes closed.
    let head = p.repo.git(&["rev-parse", "HEAD"]);
    let main = p.repo.git(&["rev-parse", "main"]);
    let mut cmd = Command::new(docgate_bin());
    cmd.current_dir(p.repo.path())
        .args(["pre-push", "origin", path_str(&p.remote)]);
    isolate(&mut cmd, &p.repo.home());
    let stdin = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        stdin.path(),
        format!("refs/heads/feature {head} refs/heads/feature {main}\n"),
    )
    .unwrap();
    cmd.stdin(std::fs::File::open(stdin.path()).unwrap());
    assert_eq!(status_with_closed_pipes(&mut cmd), Some(1));
}

/// A pushed tag whose commit the repository cannot read is not "no commits to
/// check": the push is refused, naming the ref.
#[test]
fn a_tag_whose_commit_cannot_be_read_refuses_the_push() {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    let commit = repo.commit("change without its runbook");
    repo.git(&["tag", "-a", "-m", "release", "v2"]);
    let tag = repo.git(&["rev-parse", "refs/tags/v2"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-D", "feature"]);
    // The commit's loose object disappears (a broken or partial clone).
    let object = repo
        .path()
        .join(".git/objects")
        .join(&commit[..2])
        .join(&commit[2..]);
    std::fs::remove_file(&object).expect("the commit is a loose object");
    let zero = "0".repeat(40);
    let line = format!("refs/tags/v2 {tag} refs/tags/v2 {zero}\n");
    let run = pre_push(&repo, "/nowhere", line.as_bytes());
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("refs/tags/v2") && run.stderr.contains(&commit),
        "the ref and the missing commit are named: {run:?}"
    );
    assert!(!run.stderr.contains("skipped"), "{run:?}");
}

#[test]
fn fast_forward_push_checks_remote_to_local() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    let old = p.repo.git(&["rev-parse", "--short=12", "HEAD"]);
    let new = p.change_app("v2", true);
    let run = p.push_ok(&["origin", "main"]);
    assert!(
        run.stderr.contains(&format!(
            "refs/heads/main -> refs/heads/main ({old}..{})",
            &new[..12]
        )),
        "{run:?}"
    );
    assert!(run.stderr.contains("base from the remote ref"), "{run:?}");
    // The next fast-forward forgets the runbook: blocked.
    p.change_app("v3", false);
    let run = p.push_blocked(&["origin", "main"]);
    assert_blocked_by_doc_not_updated(&run);
    // Only the new commit is judged: 1 commit, not the one already pushed.
    assert!(run.stderr.contains("in 1 commit"), "{run:?}");
}

#[test]
fn force_push_checks_the_rewritten_commits_from_the_fork_point() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    p.repo.git(&["checkout", "-q", "-b", "feature"]);
    p.change_app("v2", true);
    p.push_ok(&["origin", "feature"]);
    // Rewrite the branch: same change without the runbook update.
    p.repo.git(&["reset", "-q", "--hard", "main"]);
    p.change_app("v2-rewritten", false);
    let run = p.push_blocked(&["--force", "origin", "feature"]);
    assert_blocked_by_doc_not_updated(&run);
    let fork = p.repo.git(&["rev-parse", "--short=12", "main"]);
    assert!(
        run.stderr.contains(&format!("(merge-base {fork}")),
        "the range starts at the fork point: {run:?}"
    );
    // The rewrite with the runbook passes.
    p.repo.git(&["reset", "-q", "--hard", "main"]);
    p.change_app("v2-fixed", true);
    p.push_ok(&["--force", "origin", "feature"]);
}

#[test]
fn several_refs_are_checked_and_reported_together() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    p.repo.git(&["checkout", "-q", "-b", "good"]);
    p.change_app("good", true);
    p.repo.git(&["checkout", "-q", "main"]);
    p.repo.git(&["checkout", "-q", "-b", "bad"]);
    p.change_app("bad", false);
    let run = p.push_blocked(&["origin", "good", "bad"]);
    assert!(
        run.stderr
            .contains("docgate pre-push: checking 2 refs pushed to origin"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("refs/heads/good -> refs/heads/good"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("refs/heads/bad -> refs/heads/bad"),
        "{run:?}"
    );
    assert!(run.stderr.contains("docgate pre-push passed"), "{run:?}");
    assert!(run.stderr.contains("docgate pre-push failed"), "{run:?}");
    assert!(
        run.stderr
            .contains("push blocked: refs/heads/bad -> refs/heads/bad failed"),
        "{run:?}"
    );
    // One bad ref blocks the whole push: git sends neither.
    let refs = p.remote_refs();
    assert!(!refs.contains("refs/heads/good") && !refs.contains("refs/heads/bad"));
    // Both good: both pushed.
    p.repo.git(&["checkout", "-q", "bad"]);
    p.change_app("bad-fixed", true);
    p.push_ok(&["origin", "good", "bad"]);
    let refs = p.remote_refs();
    assert!(refs.contains("refs/heads/good") && refs.contains("refs/heads/bad"));
}

#[test]
fn tag_push() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    // A tag on a commit the remote has: nothing new.
    p.repo.git(&["tag", "-a", "-m", "release", "v1"]);
    let run = p.push_ok(&["origin", "v1"]);
    assert!(
        run.stderr
            .contains("refs/tags/v1 -> refs/tags/v1: skipped: origin already has every commit"),
        "{run:?}"
    );
    // An annotated tag on an unpushed commit that breaks the gate: blocked.
    p.repo.git(&["checkout", "-q", "-b", "release"]);
    p.change_app("v2", false);
    p.repo.git(&["tag", "-a", "-m", "release 2", "v2"]);
    let run = p.push_blocked(&["origin", "v2"]);
    assert_blocked_by_doc_not_updated(&run);
    assert!(
        run.stderr.contains("refs/tags/v2 -> refs/tags/v2"),
        "{run:?}"
    );
}

#[test]
fn delete_is_not_checked() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    p.repo.git(&["checkout", "-q", "-b", "feature"]);
    p.change_app("v2", true);
    p.push_ok(&["origin", "feature"]);
    // Even a branch whose commits would fail now can be deleted.
    p.change_app("v3", false);
    let run = p.push_ok(&["origin", "--delete", "feature"]);
    assert!(
        run.stderr
            .contains("(delete) -> refs/heads/feature: skipped: deletes the remote ref"),
        "{run:?}"
    );
    assert!(!p.remote_refs().contains("refs/heads/feature"));
}

#[test]
fn a_waiver_trailer_lets_the_push_through() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    p.repo.write("src/app.py", "print('v2')\n");
    p.repo.commit(
        "app v2\n\nDocgate-Waive: doc-not-updated(ops-01): log wording only, behaviour unchanged",
    );
    let run = p.push_ok(&["origin", "main"]);
    assert!(run.stderr.contains("1 waived"), "{run:?}");
}

#[test]
fn an_unknown_remote_commit_is_said_and_the_new_branch_rule_used() {
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    // Someone else pushes to main; this clone never fetches it.
    let other = p.repo.dir.path().join("other");
    p.repo.git(&[
        "clone",
        "-q",
        "-b",
        "main",
        path_str(&p.remote),
        path_str(&other),
    ]);
    std::fs::write(other.join("src/other.py"), "x = 3\n").unwrap();
    p.repo
        .git(&["-C", path_str(&other), "commit", "-q", "-am", "other"]);
    p.repo.git(&[
        "-C",
        path_str(&other),
        "push",
        "-q",
        "--no-verify",
        "origin",
        "main",
    ]);
    let theirs = p
        .repo
        .git(&["-C", path_str(&other), "rev-parse", "--short=12", "HEAD"]);
    p.change_app("v2", false);
    let run = p.push_blocked(&["--force", "origin", "main"]);
    assert!(
        run.stderr.contains(&format!(
            "note: origin has refs/heads/main at {theirs}, which this repository does not have"
        )),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("new on origin: 1 commit since"),
        "{run:?}"
    );
    assert_blocked_by_doc_not_updated(&run);
}

#[test]
fn sha256_repository_push() {
    let p = Pushing::with_format(Some("sha256"));
    assert_eq!(p.repo.head().len(), 64, "the repository uses SHA-256");
    let run = p.push_ok(&["origin", "main"]);
    assert!(run.stderr.contains("docgate pre-push passed"), "{run:?}");
    p.repo.git(&["checkout", "-q", "-b", "feature"]);
    p.change_app("v2", false);
    let run = p.push_blocked(&["origin", "feature"]);
    assert_blocked_by_doc_not_updated(&run);
    p.change_app("v3", true);
    p.push_ok(&["origin", "feature"]);
    // A delete: 64 zeros as the local object id.
    let run = p.push_ok(&["origin", "--delete", "feature"]);
    assert!(
        run.stderr.contains("skipped: deletes the remote ref"),
        "{run:?}"
    );
}

#[test]
fn the_hook_fails_loudly_when_docgate_is_not_installed() {
    let p = Pushing::new();
    let before = p.remote_refs();
    // A PATH with git and sh but no docgate.
    let git = which("git").expect("git is on PATH");
    let sh = which("sh").expect("sh is on PATH");
    let path = format!(
        "{}:{}",
        git.parent().unwrap().display(),
        sh.parent().unwrap().display()
    );
    let mut cmd = Command::new(&git);
    cmd.current_dir(p.repo.path())
        .stdin(Stdio::null())
        .args(["push", "origin", "main"]);
    isolate(&mut cmd, &p.repo.home());
    cmd.env("PATH", &path);
    assert!(
        path.split(':')
            .all(|d| !Path::new(d).join("docgate").exists()),
        "this test needs a PATH without docgate: {path}"
    );
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("docgate is not installed"), "{stderr}");
    assert!(
        stderr.contains("cargo install --locked --path <docgate checkout>"),
        "{stderr}"
    );
    assert_eq!(p.remote_refs(), before);
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

// ---------------------------------------------------------------------------
// `docgate pre-push` fed by hand
// ---------------------------------------------------------------------------

#[test]
fn empty_stdin_is_nothing_to_check_only_when_every_branch_is_pushed() {
    // Everything pushed: git's "Everything up-to-date" sends no refs.
    let p = Pushing::new();
    p.push_ok(&["origin", "main"]);
    let run = pre_push(&p.repo, path_str(&p.remote), b"");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "docgate pre-push: nothing to check (git sent no refs, and every branch is on origin)\n"
    );
    // A branch with unpushed commits and an empty stdin: another command in
    // the hook read the ref list first. Never "nothing to check".
    p.repo.git(&["checkout", "-q", "-b", "feat"]);
    p.change_app("v2", false);
    let run = pre_push(&p.repo, path_str(&p.remote), b"");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "git sent no refs on stdin, but branch feat has commits that origin does not have; \
             if another command in this hook reads stdin first (git lfs pre-push does)"
        ),
        "{run:?}"
    );
    // The real thing: a hook that lets `git lfs pre-push`-like command eat
    // stdin before docgate. The push is blocked and the remote unchanged.
    let hook = p.repo.path().join(".git/hooks/pre-push");
    std::fs::write(
        &hook,
        "#!/bin/sh\ncat >/dev/null\nexec docgate pre-push \"$@\"\n",
    )
    .unwrap();
    let run = p.push_blocked(&["origin", "feat"]);
    assert!(run.stderr.contains("git sent no refs on stdin"), "{run:?}");
}

#[test]
fn the_report_goes_to_stderr_and_exit_1_blocks() {
    let (repo, main, head) = pr_repo();
    let line = format!("refs/heads/feature {head} refs/heads/feature {main}\n");
    let run = pre_push(&repo, "/nowhere", line.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stdout, "",
        "nothing on stdout: git shows the hook's stderr"
    );
    assert!(run.stderr.contains("error[doc-not-updated]"), "{run:?}");
}

#[test]
fn malformed_stdin_is_exit_2_naming_the_line() {
    let repo = covered_repo();
    let head = repo.head();
    let input = format!("refs/heads/feature {head} refs/heads/feature\n");
    let run = pre_push(&repo, "/nowhere", input.as_bytes());
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("line 1 of the ref list on stdin"),
        "{run:?}"
    );
    // A 64-digit id in a SHA-1 repository.
    let input = format!(
        "refs/heads/feature {} refs/heads/feature {}\n",
        "a".repeat(64),
        "0".repeat(64)
    );
    let run = pre_push(&repo, "/nowhere", input.as_bytes());
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not a sha1 object id"), "{run:?}");
}

#[test]
fn without_arguments_or_pre_commit_variables_it_says_what_it_needs() {
    let repo = covered_repo();
    let run = docgate_env_in(&repo, &["pre-push"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("PRE_COMMIT_FROM_REF"), "{run:?}");
    assert!(
        run.stderr.contains("docgate pre-push <remote> <url>"),
        "{run:?}"
    );
}

#[test]
fn pre_commit_variables_give_the_range() {
    let (repo, main, head) = pr_repo();
    let run = run_in(
        &repo,
        &repo.path(),
        docgate_bin(),
        &["pre-push"],
        b"",
        &[
            ("PRE_COMMIT_FROM_REF", &main),
            ("PRE_COMMIT_TO_REF", &head),
            ("PRE_COMMIT_REMOTE_NAME", "origin"),
            ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/feature"),
            ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/feature"),
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("error[doc-not-updated]"), "{run:?}");
    assert!(
        run.stderr.contains("base from PRE_COMMIT_FROM_REF"),
        "{run:?}"
    );
}

#[test]
fn format_and_output_are_refused() {
    let repo = covered_repo();
    let run = docgate_env_in(
        &repo,
        &["pre-push", "--format", "json", "origin", "/nowhere"],
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("--format and --output are for `docgate check`")
    );
}

// ---------------------------------------------------------------------------
// docgate install
// ---------------------------------------------------------------------------

fn hook_text() -> String {
    std::fs::read_to_string(manifest_dir().join("hooks/pre-push")).unwrap()
}

#[test]
fn install_is_idempotent() {
    let repo = covered_repo();
    let first = repo.docgate(&["install"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(first.stdout.contains("installed the pre-push hook at"));
    let again = repo.docgate(&["install"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stdout.contains("already installed (unchanged)"),
        "{again:?}"
    );
    assert_eq!(repo.read(".git/hooks/pre-push"), hook_text());
    assert!(
        !repo
            .path()
            .join(".git/hooks/pre-push.docgate-backup")
            .exists()
    );
}

#[test]
fn install_refuses_a_foreign_hook_and_force_keeps_a_backup() {
    let repo = covered_repo();
    let foreign = "#!/bin/sh\necho 'the team hook'\n";
    repo.write(".git/hooks/pre-push", foreign);
    let run = repo.docgate(&["install"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("is not docgate's hook"), "{run:?}");
    assert!(run.stderr.contains("--force"), "{run:?}");
    assert_eq!(repo.read(".git/hooks/pre-push"), foreign, "left alone");

    let run = repo.docgate(&["install", "--force"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("pre-push.docgate-backup"), "{run:?}");
    assert_eq!(repo.read(".git/hooks/pre-push"), hook_text());
    assert_eq!(repo.read(".git/hooks/pre-push.docgate-backup"), foreign);

    // --uninstall removes docgate's hook and puts the old one back.
    let run = repo.docgate(&["install", "--uninstall"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("restored"), "{run:?}");
    assert_eq!(repo.read(".git/hooks/pre-push"), foreign);
    assert!(
        !repo
            .path()
            .join(".git/hooks/pre-push.docgate-backup")
            .exists()
    );

    // ...and never removes a hook that is not its own.
    let run = repo.docgate(&["install", "--uninstall"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("removes only its own hook"), "{run:?}");
    assert_eq!(repo.read(".git/hooks/pre-push"), foreign);
}

#[test]
fn force_does_not_overwrite_an_existing_backup() {
    let repo = covered_repo();
    repo.write(".git/hooks/pre-push", "#!/bin/sh\necho one\n");
    repo.write(
        ".git/hooks/pre-push.docgate-backup",
        "#!/bin/sh\necho old\n",
    );
    let run = repo.docgate(&["install", "--force"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("move one of them away"), "{run:?}");
    assert_eq!(repo.read(".git/hooks/pre-push"), "#!/bin/sh\necho one\n");
}

#[test]
fn install_updates_an_older_docgate_hook() {
    let repo = covered_repo();
    repo.write(
        ".git/hooks/pre-push",
        "#!/bin/sh\n# docgate-managed-hook: pre-push (an older version)\nexec docgate pre-push \"$@\"\n",
    );
    let run = repo.docgate(&["install"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("updated docgate's pre-push hook"),
        "{run:?}"
    );
    assert_eq!(repo.read(".git/hooks/pre-push"), hook_text());
}

#[test]
fn uninstall_without_a_hook_says_so() {
    let repo = covered_repo();
    let run = repo.docgate(&["install", "--uninstall"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("nothing to remove"), "{run:?}");
    let run = repo.docgate(&["install"]);
    assert_eq!(run.code, 0);
    let run = repo.docgate(&["install", "--uninstall"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!repo.path().join(".git/hooks/pre-push").exists());
}

#[test]
fn install_honours_core_hooks_path_and_git_runs_it() {
    let p = Pushing::new();
    p.repo.git(&["config", "core.hooksPath", ".githooks"]);
    let run = p.repo.docgate(&["install"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(p.repo.read(".githooks/pre-push"), hook_text());
    // git runs the hook from there: a bad push is blocked.
    p.push_ok(&["origin", "main"]);
    p.change_app("v2", false);
    let run = p.push_blocked(&["origin", "main"]);
    assert_blocked_by_doc_not_updated(&run);
}

#[test]
fn install_from_a_linked_worktree_writes_the_shared_hooks_folder() {
    let p = Pushing::new();
    std::fs::remove_file(p.repo.path().join(".git/hooks/pre-push")).unwrap();
    let wt = p.repo.dir.path().join("wt");
    p.repo
        .git(&["worktree", "add", "-q", "-b", "wt-branch", path_str(&wt)]);
    let run = run_in(&p.repo, &wt, docgate_bin(), &["install"], b"", &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(p.repo.read(".git/hooks/pre-push"), hook_text());
    // A push from the worktree runs it.
    p.push_ok(&["origin", "main"]);
    std::fs::write(wt.join("src/app.py"), "print('wt')\n").unwrap();
    p.repo
        .git(&["-C", path_str(&wt), "commit", "-q", "-am", "wt change"]);
    let before = p.remote_refs();
    let run = run_in(
        &p.repo,
        &wt,
        "git",
        &["push", "origin", "wt-branch"],
        b"",
        &[],
    );
    assert_ne!(run.code, 0, "{run:?}");
    assert_blocked_by_doc_not_updated(&run);
    assert_eq!(p.remote_refs(), before);
}

// ---------------------------------------------------------------------------
// The pre-commit framework (PyPI) running this repository's .pre-commit-hooks.yaml
// ---------------------------------------------------------------------------

/// `pre-commit` from PATH, else from the test venv that scripts/test-deps.sh
/// fills. Missing is a failure with the install command, never a skip.
fn pre_commit() -> PathBuf {
    which("pre-commit")
        .or_else(|| {
            let venv = manifest_dir().join(".cache/venv/bin/pre-commit");
            venv.is_file().then_some(venv)
        })
        .unwrap_or_else(|| {
            panic!(
                "pre-commit is not installed. Install the pinned test tools with \
                 `bash scripts/test-deps.sh` (pip install -r scripts/test-requirements.txt \
                 into .cache/venv), or run the whole suite with `bash scripts/test.sh`"
            )
        })
}

/// A git repository holding what `cargo install --path .` needs to build
/// docgate from this working tree, plus the real `.pre-commit-hooks.yaml`:
/// what pre-commit clones as the hook repository. Returns (path, commit).
fn hook_repository(repo: &TestRepo) -> (PathBuf, String) {
    fn copy(from: &Path, to: &Path) {
        if from.is_dir() {
            std::fs::create_dir_all(to).unwrap();
            for entry in std::fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                copy(&entry.path(), &to.join(entry.file_name()));
            }
        } else {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(from, to).unwrap();
        }
    }
    let dir = repo.dir.path().join("docgate-hook-repo");
    for item in [
        "Cargo.toml",
        "Cargo.lock",
        "src",
        "hooks",
        ".pre-commit-hooks.yaml",
    ] {
        copy(&manifest_dir().join(item), &dir.join(item));
    }
    repo.git(&["init", "-q", "-b", "main", path_str(&dir)]);
    repo.git(&["-C", path_str(&dir), "add", "-A"]);
    repo.git(&["-C", path_str(&dir), "commit", "-q", "-m", "docgate"]);
    let rev = repo.git(&["-C", path_str(&dir), "rev-parse", "HEAD"]);
    (dir, rev)
}

#[test]
fn pre_commit_framework_pre_push_stage_runs_docgate() {
    let pre_commit = pre_commit();
    let repo = TestRepo::new();
    let remote = repo.dir.path().join("remote.git");
    repo.git(&["init", "-q", "--bare", path_str(&remote)]);
    repo.git(&["remote", "add", "origin", path_str(&remote)]);
    let (hook_repo, rev) = hook_repository(&repo);
    repo.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: docgate\n",
            hook_repo.display()
        ),
    )
    .write("src/app.py", "print('v1')\n")
    .write(
        "docs/ops/app.md",
        runbook("ops-01", &["src/app.py"], "How the app works."),
    );
    repo.commit("initial");

    // The test's HOME is a temp dir: point cargo and rustup at the real ones.
    let real_home = std::env::var("HOME").unwrap_or_default();
    let cargo_home = std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{real_home}/.cargo"));
    let rustup_home =
        std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{real_home}/.rustup"));
    let pre_commit_home = repo.dir.path().join("pre-commit-home");
    // pre-commit's `language: rust` runs `cargo install --path .` in its
    // clone of the hook repository. A target folder that outlives the test
    // keeps the dependencies built, and an unoptimized profile keeps the
    // first build short; what is tested is that pre-commit builds and runs
    // the hook the yaml declares, not how fast docgate runs.
    let target = manifest_dir().join("target/pre-commit-hook");
    let target = path_str(&target).to_string();
    let venv_bin = pre_commit.parent().unwrap().display().to_string();
    let path = format!("{venv_bin}:{}", std::env::var("PATH").unwrap_or_default());
    let env: Vec<(&str, &str)> = vec![
        ("CARGO_HOME", &cargo_home),
        ("RUSTUP_HOME", &rustup_home),
        ("PRE_COMMIT_HOME", path_str(&pre_commit_home)),
        ("CARGO_TARGET_DIR", &target),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
        ("CARGO_PROFILE_RELEASE_LTO", "false"),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256"),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
        ("PATH", &path),
    ];
    let run = |program: &Path, args: &[&str]| {
        let mut cmd = Command::new(program);
        cmd.current_dir(repo.path()).stdin(Stdio::null()).args(args);
        isolate(&mut cmd, &repo.home());
        for (k, v) in &env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().expect("runs"))
    };
    let git = which("git").expect("git is on PATH");
    let ls_remote = || repo.git(&["ls-remote", path_str(&remote)]);

    let install = run(&pre_commit, &["install", "--hook-type", "pre-push"]);
    assert_eq!(install.code, 0, "{install:?}");

    // The first push starts at a root commit: pre-commit passes no range and
    // docgate applies its own rule (the whole history).
    let first = run(&git, &["push", "origin", "main"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first
            .stdout
            .contains("docgate (documentation update is part of the fix)")
            && first.stdout.contains("Passed"),
        "{first:?}"
    );
    assert!(ls_remote().contains("refs/heads/main"));

    // A new branch that changes the covered file without its runbook: blocked.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src/app.py", "print('v2')\n");
    repo.commit("app v2");
    let before = ls_remote();
    let blocked = run(&git, &["push", "origin", "feature"]);
    assert_ne!(blocked.code, 0, "{blocked:?}");
    assert!(blocked.stdout.contains("Failed"), "{blocked:?}");
    assert!(
        blocked.stdout.contains("error[doc-not-updated]"),
        "{blocked:?}"
    );
    assert!(
        blocked.stdout.contains("base from PRE_COMMIT_FROM_REF"),
        "{blocked:?}"
    );
    assert_eq!(ls_remote(), before, "the remote must be unchanged");

    // With the runbook updated it goes through.
    repo.write(
        "docs/ops/app.md",
        runbook("ops-01", &["src/app.py"], "How the app works, v2."),
    );
    repo.commit("runbook for v2");
    let passed = run(&git, &["push", "origin", "feature"]);
    assert_eq!(passed.code, 0, "{passed:?}");
    assert!(ls_remote().contains("refs/heads/feature"));
}
