//! Test support: real git repositories in temp dirs, isolated from the
//! user's git config, and a runner for the built `docgate` binary.

pub mod gh;
pub mod prism;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct TestRepo {
    pub dir: tempfile::TempDir,
    /// Seconds added to the commit clock, so commits are ordered and stable.
    clock: std::cell::Cell<i64>,
}

/// Environment that isolates git from the machine's configuration.
pub fn isolate(cmd: &mut Command, home: &Path) {
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        if k.starts_with("GIT_")
            || k.starts_with("PRE_COMMIT_")
            || k.starts_with("GITHUB_")
            || k == "NO_COLOR"
        {
            cmd.env_remove(&k);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.invalid")
        .env("LC_ALL", "C")
        .env("TERM", "dumb");
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// Rule ids of the findings in a JSON report, in report order.
    pub fn rules(&self) -> Vec<String> {
        self.json()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    }

    /// [`rules`](Run::rules), sorted.
    pub fn sorted_rules(&self) -> Vec<String> {
        let mut rules = self.rules();
        rules.sort();
        rules
    }

    /// The findings of a JSON report; a run without them fails.
    pub fn findings(&self) -> Vec<serde_json::Value> {
        self.json()["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("no findings array: {self:?}"))
            .clone()
    }
}

/// The message of a finding of a JSON report.
pub fn message(f: &serde_json::Value) -> &str {
    f["message"].as_str().expect("message is a string")
}

/// The findings of `rule` in a JSON report, in report order.
pub fn findings_of<'a>(json: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Docgate did not crash: no panic, no signal, no abort, no stack overflow.
pub fn assert_no_panic(run: &Run) {
    assert_ne!(run.code, 101, "docgate panicked: {run:?}");
    assert_ne!(run.code, -1, "docgate was killed by a signal: {run:?}");
    assert_ne!(run.code, 134, "docgate aborted: {run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert!(!run.stderr.contains("stack overflow"), "{run:?}");
    assert!(!run.stderr.contains("overflowed its stack"), "{run:?}");
}

/// A clean JSON report: no crash, exit 0, no findings at all.
pub fn assert_clean(run: &Run) {
    assert_no_panic(run);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.findings(), Vec::<serde_json::Value>::new(), "{run:?}");
}

/// `docgate lint --format json`.
pub fn lint(repo: &TestRepo) -> Run {
    repo.docgate(&["lint", "--format", "json"])
}

/// `docgate check --base main --format json`.
pub fn check(repo: &TestRepo) -> Run {
    repo.docgate(&["check", "--base", "main", "--format", "json"])
}

/// A temp path as the `&str` git's arguments take.
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

pub fn docgate_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_docgate"))
}

impl TestRepo {
    /// A new repository on branch `main` with no commits.
    pub fn new() -> TestRepo {
        let dir = tempfile::Builder::new()
            .prefix("docgate-test-")
            .tempdir()
            .expect("tempdir");
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(dir.path().join("repo")).unwrap();
        let repo = TestRepo {
            dir,
            clock: std::cell::Cell::new(0),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.path()).stdin(Stdio::null());
        isolate(&mut cmd, &self.home());
        cmd
    }

    /// Run git; panic with its output if it fails.
    pub fn git(&self, args: &[&str]) -> String {
        // 2026-06-01T00:00:00Z, after the runbooks' default last_updated.
        let t = 1_780_272_000 + self.clock.get();
        self.clock.set(self.clock.get() + 60);
        let date = format!("{t} +0000");
        let out = self
            .command("git")
            .args(args)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) -> &TestRepo {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
        self
    }

    /// The files of [`covered_repo`]'s base: `src/app.py`, `src/other.py`
    /// and ops-01 (`docs/ops/app.md`) covering `src/app.py`.
    pub fn write_covered_app(&self) -> &TestRepo {
        self.write("src/app.py", "print('v1')\n")
            .write("src/other.py", "x = 1\n")
            .write(
                "docs/ops/app.md",
                runbook("ops-01", &["src/app.py"], "How the app works."),
            )
    }

    pub fn remove(&self, path: &str) -> &TestRepo {
        std::fs::remove_file(self.path().join(path)).unwrap();
        self
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap()
    }

    /// Stage everything and commit; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// [`commit`](TestRepo::commit) the base on `main`, then go on on a new
    /// branch `feature`; returns the base commit id.
    pub fn commit_base(&self, message: &str) -> String {
        let base = self.commit(message);
        self.git(&["checkout", "-q", "-b", "feature"]);
        base
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    /// Run the docgate binary in the repository.
    pub fn docgate(&self, args: &[&str]) -> Run {
        self.docgate_env(args, &[])
    }

    pub fn docgate_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(docgate_bin());
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().expect("docgate runs"))
    }

    /// `docgate check --format json` plus `args`; the parsed report.
    pub fn check_json(&self, args: &[&str]) -> (Run, serde_json::Value) {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let run = self.docgate(&all);
        assert!(run.code == 0 || run.code == 1, "expected a report: {run:?}");
        let json = run.json();
        (run, json)
    }
}

/// A runbook with valid frontmatter.
pub fn runbook(id: &str, key_files: &[&str], body: &str) -> String {
    runbook_dated(id, key_files, "2026-01-15", body)
}

pub fn runbook_dated(id: &str, key_files: &[&str], date: &str, body: &str) -> String {
    let mut s = format!("---\nid: {id}\ntitle: Runbook {id}\nperspective: operations\n");
    if !key_files.is_empty() {
        s.push_str("key_files:\n");
        for k in key_files {
            s.push_str(&format!("  - \"{k}\"\n"));
        }
    }
    s.push_str(&format!(
        "last_updated: {date}\n---\n\n# Runbook {id}\n\n{body}\n"
    ));
    s
}

/// ops-01 as a change that keeps it in step with `src/app.py` leaves it: a
/// new body and a later `last_updated`.
pub fn updated_runbook() -> String {
    runbook_dated(
        "ops-01",
        &["src/app.py"],
        "2026-02-01",
        "How the app works now: v2.",
    )
}

/// A repository with one runbook covering `src/app.py` and one commit on
/// `main`, then on branch `feature`.
pub fn covered_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write_covered_app();
    repo.commit_base("initial");
    repo
}

/// [`covered_repo`] with a commit on `feature` that changes the covered file
/// alone (a doc-not-updated error): (repo, main, feature).
pub fn pr_repo() -> (TestRepo, String, String) {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n");
    let head = repo.commit("change app");
    let base = repo.git(&["rev-parse", "main"]);
    (repo, base, head)
}

/// `git clone <extra> file://<repo> <tempdir>/<name>`.
pub fn clone_repo(repo: &TestRepo, name: &str, extra: &[&str]) -> PathBuf {
    let dest = repo.dir.path().join(name);
    let url = format!("file://{}", repo.path().display());
    let mut args = vec!["clone", "-q"];
    args.extend_from_slice(extra);
    args.push(&url);
    args.push(path_str(&dest));
    repo.git(&args);
    dest
}

/// `git -C <dir> <args>` with `repo`'s isolated environment and clock.
pub fn git_in(repo: &TestRepo, dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["-C", path_str(dir)];
    all.extend_from_slice(args);
    repo.git(&all)
}

/// Snapshot settings for reports: commit ids and the version filtered out.
pub fn insta_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\b[0-9a-f]{40}\b", "[SHA]");
    s.add_filter(r"\b[0-9a-f]{12}\b", "[SHORT]");
    s.add_filter(
        r#""version": "\d+\.\d+\.\d+[^"]*""#,
        r#""version": "[VERSION]""#,
    );
    s
}

/// Run `cmd` with stdout and stderr on a pipe whose reader has already gone
/// (`docgate check | head` after head exited): every write gets EPIPE. The
/// exit status; `None` when a signal ended the process.
pub fn status_with_closed_pipes(cmd: &mut Command) -> Option<i32> {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let writer2 = writer.try_clone().expect("the pipe's writer clones");
    cmd.stdout(writer).stderr(writer2);
    cmd.status().expect("the program runs").code()
}

impl TestRepo {
    /// `docgate <args>` with stdin from `/dev/null` and both output pipes closed.
    pub fn docgate_closed_pipes(&self, args: &[&str], env: &[(&str, &str)]) -> Option<i32> {
        let mut cmd = Command::new(docgate_bin());
        cmd.current_dir(self.path()).stdin(Stdio::null());
        isolate(&mut cmd, &self.home());
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        status_with_closed_pipes(&mut cmd)
    }
}

/// A post-mortem with every mandatory section, three root causes and
/// complete action items: no post-mortem finding.
pub const COMPLETE_POSTMORTEM: &str = include_str!("../../fixtures/postmortems/complete.md");
