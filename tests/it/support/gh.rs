//! Helpers for running `docgate github` like the action does.

use std::path::{Path, PathBuf};

use super::*;
use wiremock::Request;

pub const TOKEN: &str = "ghs_TESTTOKEN_must_never_leak_0123456789";

/// The endpoints of pull request #7 of `acme/trading`.
pub const PULL: &str = "/repos/acme/trading/pulls/7";
pub const COMMENTS: &str = "/repos/acme/trading/issues/7/comments";
pub const REVIEW_COMMENTS: &str = "/repos/acme/trading/pulls/7/comments";
pub const REVIEWS: &str = "/repos/acme/trading/pulls/7/reviews";

/// `main`: ops-01 covers `src/app.py`, ops-02 covers `src/other.py`.
/// `feature` changes both files, edits ops-01 with an invalid `last_updated`
/// (frontmatter-invalid at docs/ops/app.md:7, a line the PR added) and leaves
/// ops-02 alone (doc-not-updated on src/other.py, which has no line). Two
/// errors: a sticky comment and one review comment.
pub fn review_repo() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    repo.write_covered_app().write(
        "docs/ops/other.md",
        runbook("ops-02", &["src/other.py"], "How the other part works."),
    );
    let base = repo.commit_base("initial");
    repo.write("src/app.py", "print('v2')\n")
        .write("src/other.py", "x = 2\n")
        .write(
            "docs/ops/app.md",
            runbook_dated(
                "ops-01",
                &["src/app.py"],
                "2026-13-45",
                "How the app works now.",
            ),
        );
    let head = repo.commit("change both, break ops-01's date");
    (repo, base, head)
}

/// Pull request #7 as the action sees it: the repository with its base and
/// head, a job folder and the `pull_request` event in it.
pub struct Pr {
    pub repo: TestRepo,
    pub base: String,
    pub head: String,
    pub gh: Gh,
    pub event: PathBuf,
}

impl Pr {
    /// `(repo, base, head)` (from [`pr_repo`], [`review_repo`], ...) as pull
    /// request #7.
    pub fn of((repo, base, head): (TestRepo, String, String)) -> Pr {
        let gh = Gh::new();
        let event = pr_event(&gh, 7, &base, &head);
        Pr {
            repo,
            base,
            head,
            gh,
            event,
        }
    }

    /// A new job folder and event, for another run of the same pull request.
    pub fn next_job(&mut self) {
        self.gh = Gh::new();
        self.event = pr_event(&self.gh, 7, &self.base, &self.head);
    }

    /// `docgate github <args>` like the action, against the API at `api`.
    pub fn github(&self, api: &str, extra: &[(&str, &str)], args: &[&str]) -> Run {
        run_github(&self.repo, &self.gh, api, &self.event, extra, args)
    }

    /// [`assert_no_token`] in this job's folder.
    pub fn assert_no_token(&self, run: &Run, requests: &[Request]) {
        assert_no_token(&self.gh, run, requests);
    }
}

#[derive(Default)]
pub struct Gh {
    pub dir: Option<tempfile::TempDir>,
}

impl Gh {
    pub fn new() -> Gh {
        Gh {
            dir: Some(tempfile::tempdir().unwrap()),
        }
    }
    pub fn root(&self) -> &Path {
        self.dir.as_ref().expect("a temp dir").path()
    }
    pub fn file(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.file(name)).unwrap_or_default()
    }
}

pub fn pr_event(gh: &Gh, number: u64, base: &str, head: &str) -> PathBuf {
    write_event(
        gh,
        "event.json",
        serde_json::json!({
            "number": number,
            "pull_request": {"number": number, "base": {"sha": base}, "head": {"sha": head}}
        }),
    )
}

/// An event payload in the job folder, as `name`.
pub fn write_event(gh: &Gh, name: &str, payload: serde_json::Value) -> PathBuf {
    let p = gh.file(name);
    std::fs::write(&p, payload.to_string()).unwrap();
    p
}

/// Run `docgate github` in `repo` like the action would.
pub fn run_github(
    repo: &TestRepo,
    gh: &Gh,
    api: &str,
    event: &Path,
    extra: &[(&str, &str)],
    args: &[&str],
) -> Run {
    let env = action_env(gh, api, event, repo, extra);
    let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut all = vec!["github"];
    all.extend_from_slice(args);
    repo.docgate_env(&all, &env_refs)
}

/// [`run_github`] with variables whose names or values are raw bytes (not
/// necessarily UTF-8), set after the others.
pub fn run_github_raw(
    repo: &TestRepo,
    gh: &Gh,
    api: &str,
    event: &Path,
    raw: &[(&[u8], &[u8])],
    args: &[&str],
) -> Run {
    use std::os::unix::ffi::OsStrExt as _;
    let mut cmd = std::process::Command::new(docgate_bin());
    cmd.current_dir(repo.path())
        .stdin(std::process::Stdio::null());
    isolate(&mut cmd, &repo.home());
    for (k, v) in action_env(gh, api, event, repo, &[]) {
        cmd.env(k, v);
    }
    for (k, v) in raw {
        cmd.env(
            std::ffi::OsStr::from_bytes(k),
            std::ffi::OsStr::from_bytes(v),
        );
    }
    cmd.arg("github").args(args);
    Run::from(cmd.output().expect("docgate runs"))
}

/// The variables the runner gives the action, `extra` replacing or adding.
fn action_env(
    gh: &Gh,
    api: &str,
    event: &Path,
    repo: &TestRepo,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = vec![
        ("GITHUB_ACTIONS".into(), "true".into()),
        ("GITHUB_EVENT_NAME".into(), "pull_request".into()),
        ("GITHUB_EVENT_PATH".into(), event.display().to_string()),
        ("GITHUB_REPOSITORY".into(), "acme/trading".into()),
        ("GITHUB_API_URL".into(), api.to_string()),
        ("GITHUB_SERVER_URL".into(), "https://github.example".into()),
        ("GITHUB_TOKEN".into(), TOKEN.into()),
        (
            "GITHUB_STEP_SUMMARY".into(),
            gh.file("summary.md").display().to_string(),
        ),
        (
            "GITHUB_OUTPUT".into(),
            gh.file("output.txt").display().to_string(),
        ),
        ("GITHUB_WORKSPACE".into(), repo.path().display().to_string()),
        ("RUNNER_TEMP".into(), gh.root().display().to_string()),
        ("DOCGATE_GITHUB_BACKOFF_MS".into(), "10".into()),
    ];
    for (k, v) in extra {
        env.retain(|(key, _)| key != k);
        env.push((k.to_string(), v.to_string()));
    }
    env
}

/// The token appears nowhere docgate wrote: not in stdout or stderr, not in
/// any file of the `Gh` folder (job summary, step outputs, the default report,
/// `--report-out` files, whatever else landed there), not in the report the
/// run names (`report at PATH` on stderr, `report=PATH` in the outputs, which
/// may be outside the folder), not in a request body. A file it is told to
/// inspect that is missing or unreadable fails the test: a moved report must
/// not make this pass without looking.
pub fn assert_no_token(gh: &Gh, run: &Run, requests: &[Request]) {
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "token leaked: {run:?}"
    );
    let mut files = Vec::new();
    collect_files(gh.root(), &mut files);
    // The report the run says it wrote, wherever it is.
    for line in run.stderr.lines() {
        if let Some((_, p)) = line.split_once("; report at ") {
            files.push(p.into());
        }
    }
    if let Ok(outputs) = std::fs::read_to_string(gh.file("output.txt")) {
        files.extend(
            outputs
                .lines()
                .filter_map(|l| l.strip_prefix("report="))
                .map(Into::into),
        );
    }
    for f in &files {
        let bytes = std::fs::read(f)
            .unwrap_or_else(|e| panic!("cannot inspect {} for the token: {e}", f.display()));
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "token leaked into {}",
            f.display()
        );
    }
    for r in requests {
        assert!(
            !String::from_utf8_lossy(&r.body).contains(TOKEN),
            "token in a request body"
        );
    }
}

/// Every regular file under `dir`, recursively; an unreadable folder fails.
pub fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {} for the token: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            collect_files(&entry.path(), out);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
}

/// The commands of a Markdown body's "Reproduce locally" block, each split on
/// whitespace without its leading `docgate`. A body without the block, or a
/// line in it that is not a `docgate` command, fails the test.
pub fn reproduce_commands(body: &str) -> Vec<Vec<String>> {
    let (_, section) = body
        .split_once("#### Reproduce locally\n")
        .unwrap_or_else(|| panic!("no Reproduce locally section: {body}"));
    let (_, block) = section
        .split_once("```sh\n")
        .unwrap_or_else(|| panic!("no sh block after Reproduce locally: {section}"));
    let (block, _) = block
        .split_once("\n```")
        .unwrap_or_else(|| panic!("an unclosed sh block: {block}"));
    block
        .lines()
        .map(|line| {
            let words: Vec<String> = line.split_whitespace().map(String::from).collect();
            assert_eq!(
                words.first().map(String::as_str),
                Some("docgate"),
                "not a docgate command: {line:?}"
            );
            words[1..].to_vec()
        })
        .collect()
}

/// Run a command from [`reproduce_commands`] in `repo`: the real CLI parser
/// must accept it (no usage error, which is exit 2 with `Usage:`), and
/// docgate must be able to do it (no exit 2 at all). The run, for its verdict.
pub fn run_reproduce(repo: &TestRepo, args: &[String]) -> Run {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = repo.docgate(&refs);
    assert!(
        !run.stderr.contains("Usage:") && !run.stderr.contains("unexpected argument"),
        "`docgate {}` is not a command docgate accepts: {run:?}",
        args.join(" ")
    );
    assert_ne!(run.code, 2, "`docgate {}`: {run:?}", args.join(" "));
    run
}

/// Every request a wiremock server received.
pub async fn received(server: &wiremock::MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

/// `METHOD /path?query` with the query pairs sorted, one per request.
pub fn calls(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            let mut pairs: Vec<String> = r
                .url
                .query_pairs()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            pairs.sort();
            let query = if pairs.is_empty() {
                String::new()
            } else {
                format!("?{}", pairs.join("&"))
            };
            format!("{} {}{query}", r.method, r.url.path())
        })
        .collect()
}
