//! Token hygiene (issue 8): `docgate github` and `docgate github post` run
//! like the action with a known fake token (as `GITHUB_TOKEN` and as the
//! action's `token` input, `INPUT_TOKEN`) against a GitHub API (wiremock on
//! 127.0.0.1) that fails in every way: 401, 403, 422, 500, answers that come
//! after docgate's timeout, and redirects (301, 302, 307) to another port, to
//! another host name on another port, and to another host name on the same
//! port. Every failing answer echoes the request's `Authorization` header in
//! its body, the way a debugging proxy would, and the 500 puts it across the
//! 200 characters docgate quotes from a body that is not JSON.
//!
//! Each failure is served at three stages: every request fails, only the
//! writes fail (the reads answer like a fresh pull request), and only the
//! review fails (the sticky comment was posted). For each: the exact exit
//! code (`comment: sticky` is a warning and the findings' verdict, exit 1;
//! `comment: required` is exit 2; a 422 on the review is only a warning
//! either way), the exact one line that says why, the exact requests the API
//! received, each carrying the token only as `Authorization: Bearer <token>`
//! and each addressed to `GITHUB_API_URL`'s host, zero requests anywhere else,
//! and the token (any 8 characters of it, or 12 of its base64 at any
//! alignment) in no stdout, stderr, panic message, report, job summary, step
//! outputs, or any other file in the job's folders or the repository.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::gh::{
    COMMENTS, Gh, PULL, REVIEW_COMMENTS, REVIEWS, calls, collect_files, pr_event, received,
    review_repo, run_github,
};
use crate::support::*;
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "ghs_FAKE0123456789abcdefTOKEN";
/// docgate's per-request timeout in these runs; a slow answer comes later.
const TIMEOUT_MS: &str = "200";
const SLOW: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------
// What a leak looks like
// ---------------------------------------------------------------------------

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Strings whose presence means the token leaked: every 8-character window of
/// the token (so every prefix of 8 or more characters, and what is left of it
/// after a cut or a partial redaction), and every 12-character window of its
/// base64 (standard and URL-safe) at each of the three byte alignments it can
/// have inside a longer encoded string.
fn needles() -> Vec<String> {
    let chars: Vec<char> = TOKEN.chars().collect();
    let mut out: Vec<String> = chars.windows(8).map(|w| w.iter().collect()).collect();
    for (pad, skip) in [("", 0), ("x", 2), ("xx", 3)] {
        let encoded = base64(format!("{pad}{TOKEN}").as_bytes());
        // The last group depends on what follows the token: leave it out.
        let stable: Vec<char> = encoded.chars().skip(skip).collect();
        let stable = &stable[..stable.len() - 4];
        for w in stable.windows(12) {
            let s: String = w.iter().collect();
            out.push(s.replace('+', "-").replace('/', "_"));
            out.push(s);
        }
    }
    out
}

fn leak_in(text: &str) -> Option<String> {
    needles().into_iter().find(|n| text.contains(n.as_str()))
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Some(n) = leak_in(&text) {
        panic!("the token leaked into {what} (`{n}`):\n{text}");
    }
}

#[test]
fn the_needles_find_the_token_in_every_form() {
    assert_eq!(base64(b"ghs_"), "Z2hzXw==");
    assert_eq!(base64(b"any carnal pleas"), "YW55IGNhcm5hbCBwbGVhcw==");
    for leaked in [
        TOKEN.to_string(),
        format!("Bearer {}", &TOKEN[..8]),
        format!("…{}", &TOKEN[TOKEN.len() - 8..]),
        base64(TOKEN.as_bytes()),
        base64(format!("x-access-token:{TOKEN}").as_bytes()),
        base64(format!(":{TOKEN}").as_bytes())
            .replace('+', "-")
            .replace('/', "_"),
    ] {
        assert!(leak_in(&leaked).is_some(), "{leaked}");
    }
    assert_eq!(leak_in("Bearer ***"), None);
    assert_eq!(leak_in("ghs_FAK"), None);
}

// ---------------------------------------------------------------------------
// A GitHub that fails
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Elsewhere {
    /// `http://127.0.0.1:<other server>/…`
    Port,
    /// `http://localhost:<other server>/…`
    Host,
    /// `http://localhost:<this server>/…`: the same listener, another origin.
    HostSamePort,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Failure {
    Status(u16),
    /// The answer comes after docgate's timeout.
    Slow,
    Redirect(u16, Elsewhere),
}

/// Where every request fails.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    /// Every request.
    All,
    /// The reads answer like a fresh pull request; every write fails.
    Writes,
    /// Everything but the review (`POST …/reviews`) succeeds.
    Review,
}

/// A 500 page that is not JSON: docgate quotes its first 200 characters, and
/// the echoed `Bearer <token>` puts the token at 190, so a cut made before
/// redacting would leave its first 10 characters.
fn body_500(auth: &str) -> String {
    let lead = "<html><body>Internal error; request headers follow: ";
    let pad = "x".repeat(190 - lead.len() - "Bearer ".len());
    format!("{lead}{pad}{auth}</body></html>")
}

/// The failing answer, echoing the request's `Authorization` header.
struct Failing {
    failure: Failure,
    location: String,
}

impl Respond for Failing {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("(none)")
            .to_string();
        match self.failure {
            // The echo JSON-escaped (`\u0067hs_…`): the raw body does not
            // contain the token, the message docgate reads from it does.
            Failure::Status(401) => ResponseTemplate::new(401).set_body_raw(
                format!(
                    r#"{{"message":"Bad credentials: {}","documentation_url":"https://docs.github.com/rest"}}"#,
                    auth.replacen("ghs_", "\\u0067hs_", 1)
                ),
                "application/json",
            ),
            Failure::Status(403) => ResponseTemplate::new(403).set_body_json(json!({
                "message": format!("Resource not accessible by integration ({auth})"),
            })),
            Failure::Status(422) => ResponseTemplate::new(422).set_body_json(json!({
                "message": "Validation Failed",
                "errors": [{"message": format!("you sent {auth}")}, auth],
            })),
            Failure::Status(500) => {
                ResponseTemplate::new(500).set_body_raw(body_500(&auth), "text/html")
            }
            Failure::Status(s) => panic!("no scripted answer for {s}"),
            Failure::Slow => ResponseTemplate::new(200)
                .set_body_json(json!({"message": auth}))
                .set_delay(SLOW),
            Failure::Redirect(status, _) => ResponseTemplate::new(status)
                .insert_header(
                    "location",
                    format!("{}{}", self.location, request.url.path()).as_str(),
                )
                .set_body_raw(format!("Moved ({auth})"), "text/plain"),
        }
    }
}

struct Servers {
    api: MockServer,
    other: MockServer,
}

/// The API (`GITHUB_API_URL`) failing `failure` at `stage`, and another
/// server that must never hear from docgate.
async fn servers(failure: Failure, stage: Stage, head: &str) -> Servers {
    let api = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&other)
        .await;
    let port = |s: &MockServer| s.address().port();
    let location = match failure {
        Failure::Redirect(_, Elsewhere::Port) => format!("http://127.0.0.1:{}", port(&other)),
        Failure::Redirect(_, Elsewhere::Host) => format!("http://localhost:{}", port(&other)),
        Failure::Redirect(_, Elsewhere::HostSamePort) => {
            format!("http://localhost:{}", port(&api))
        }
        _ => String::new(),
    };
    if stage != Stage::All {
        let ok = |m: &str, p: &str, answer: ResponseTemplate| {
            Mock::given(method(m))
                .and(path(p.to_string()))
                .respond_with(answer)
                .with_priority(1)
        };
        // GITHUB_TOKEN cannot read /user: docgate acts as github-actions[bot].
        ok(
            "GET",
            "/user",
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "Resource not accessible by integration"})),
        )
        .mount(&api)
        .await;
        ok(
            "GET",
            PULL,
            ResponseTemplate::new(200).set_body_json(json!({
                "number": 7, "state": "open",
                "head": {"sha": head, "ref": "feature"}, "base": {"ref": "main"}
            })),
        )
        .mount(&api)
        .await;
        for list in [COMMENTS, REVIEW_COMMENTS] {
            Mock::given(method("GET"))
                .and(path(list))
                .and(query_param("page", "1"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
                .with_priority(1)
                .mount(&api)
                .await;
        }
        if stage == Stage::Review {
            ok(
                "POST",
                COMMENTS,
                ResponseTemplate::new(201).set_body_json(json!({"id": 4242})),
            )
            .mount(&api)
            .await;
        }
    }
    Mock::given(any())
        .respond_with(Failing { failure, location })
        .with_priority(10)
        .mount(&api)
        .await;
    Servers { api, other }
}

// ---------------------------------------------------------------------------
// Running docgate like the action
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Command {
    /// `docgate github` on a pull_request event.
    Github,
    /// `docgate github post --report FILE` on a workflow_run event.
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Comment {
    Sticky,
    Required,
}

/// The pull request ([`review_repo`]): two errors, so the verdict is exit 1;
/// one of them on a line the PR adds (a review comment).
struct Pr {
    repo: TestRepo,
    base: String,
    head: String,
    /// Stage one's `--report-out`, the artifact `github post` posts.
    report: Vec<u8>,
}

fn env<'a>(comment: Comment, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![
        ("GITHUB_TOKEN", TOKEN),
        ("INPUT_TOKEN", TOKEN),
        (
            "INPUT_COMMENT",
            match comment {
                Comment::Sticky => "sticky",
                Comment::Required => "required",
            },
        ),
        ("INPUT_REVIEW-COMMENTS", "true"),
        ("DOCGATE_GITHUB_TIMEOUT_MS", TIMEOUT_MS),
        ("DOCGATE_GITHUB_BACKOFF_MS", "1"),
        ("DOCGATE_GITHUB_MAX_WAIT_MS", "1000"),
    ];
    env.extend_from_slice(extra);
    env
}

async fn pull_request() -> Pr {
    let (repo, base, head) = review_repo();

    // Stage one of the fork-safe flow, with the token set: it posts nothing
    // and its report holds no token.
    let api = MockServer::start().await;
    let gh = Gh::new();
    let event = pr_event(&gh, 7, &base, &head);
    let out = gh.file("report.json");
    let uri = api.uri();
    let run = tokio::task::block_in_place(|| {
        run_github(
            &repo,
            &gh,
            &uri,
            &event,
            &env(Comment::Required, &[]),
            &["--report-out", out.to_str().unwrap()],
        )
    });
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(calls(&received(&api).await), Vec::<String>::new());
    let report = std::fs::read(&out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    let v: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(v["summary"]["errors"], 2, "{v}");
    assert_eq!(
        v["github"]["line_comments"].as_array().map(Vec::len),
        Some(1),
        "{v}"
    );
    assert_no_leak(&run, &gh, &repo);
    Pr {
        repo,
        base,
        head,
        report,
    }
}

/// The token is nowhere: stdout, stderr (where a panic message would be),
/// every file in the job's folder (summary, outputs, reports, events), every
/// file of the repository and the home folder.
fn assert_no_leak(run: &Run, gh: &Gh, repo: &TestRepo) {
    assert!(
        !run.stderr.contains("panicked") && run.code != 101,
        "docgate panicked: {run:?}"
    );
    assert_clean("stdout", run.stdout.as_bytes());
    assert_clean("stderr", run.stderr.as_bytes());
    let mut files = Vec::new();
    collect_files(gh.root(), &mut files);
    collect_files(repo.dir.path(), &mut files);
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_clean(&f.display().to_string(), &bytes);
    }
}

/// Read a file docgate must have written; missing is a failure.
fn must_read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{} must exist: {e}", p.display()))
}

fn run_once(pr: &Pr, gh: &Gh, api: &MockServer, command: Command, comment: Comment) -> Run {
    let uri = api.uri();
    match command {
        Command::Github => {
            let event = pr_event(gh, 7, &pr.base, &pr.head);
            tokio::task::block_in_place(|| {
                run_github(&pr.repo, gh, &uri, &event, &env(comment, &[]), &[])
            })
        }
        Command::Post => {
            let event = gh.file("run-event.json");
            std::fs::write(
                &event,
                json!({
                    "action": "completed",
                    "workflow_run": {"head_sha": pr.head, "event": "pull_request", "conclusion": "failure"}
                })
                .to_string(),
            )
            .unwrap();
            let artifact = gh.file("artifact.json");
            std::fs::write(&artifact, &pr.report).unwrap();
            tokio::task::block_in_place(|| {
                run_github(
                    &pr.repo,
                    gh,
                    &uri,
                    &event,
                    &env(comment, &[("GITHUB_EVENT_NAME", "workflow_run")]),
                    &["post", "--report", artifact.to_str().unwrap()],
                )
            })
        }
    }
}

/// Requests per call: 500 and timeouts are retried (4 attempts), the rest not.
fn attempts(failure: Failure) -> usize {
    match failure {
        Failure::Status(500) | Failure::Slow => 4,
        _ => 1,
    }
}

/// The exact requests the API receives.
fn expected_calls(failure: Failure, stage: Stage, command: Command) -> Vec<String> {
    let page = |p: &str| format!("GET {p}?page=1&per_page=100");
    let failing = |call: String| vec![call; attempts(failure)];
    let mut calls = Vec::new();
    if command == Command::Post {
        if stage == Stage::All {
            return failing(format!("GET {PULL}"));
        }
        calls.push(format!("GET {PULL}"));
    }
    match stage {
        // GET /user answered 403 is no failure (GITHUB_TOKEN cannot read it).
        Stage::All if failure == Failure::Status(403) => {
            calls.extend(["GET /user".to_string(), page(COMMENTS)]);
        }
        Stage::All => calls.extend(failing("GET /user".into())),
        Stage::Writes => {
            calls.extend(["GET /user".to_string(), page(COMMENTS)]);
            calls.extend(failing(format!("POST {COMMENTS}")));
        }
        Stage::Review => {
            calls.extend([
                "GET /user".to_string(),
                page(COMMENTS),
                format!("POST {COMMENTS}"),
                page(REVIEW_COMMENTS),
            ]);
            calls.extend(failing(format!("POST {REVIEWS}")));
        }
    }
    calls
}

/// docgate's whole description of the failure of `call` (`METHOD /path`),
/// with the echoed token redacted.
fn reason(failure: Failure, call: &str, api: &MockServer, other: &MockServer) -> String {
    let what = call.split('?').next().unwrap();
    match failure {
        Failure::Status(401) => {
            format!(
                "GitHub rejected the token (401 Bad credentials: Bearer *** ({what})): it is invalid or expired"
            )
        }
        Failure::Status(403) => format!(
            "the token may not write to this pull request (403 Resource not accessible by integration (Bearer ***) ({what})); \
             fork pull requests get a read-only token: use the fork-safe two-stage workflow \
             (docgate github --report-out, then docgate github post), or grant `pull-requests: write`"
        ),
        Failure::Status(422) => {
            format!(
                "GitHub refused the request (422 Validation Failed: you sent Bearer ***; Bearer *** ({what}))"
            )
        }
        Failure::Status(500) => {
            let quoted: String = body_500("Bearer ***").chars().take(200).collect();
            format!("GitHub kept failing (500 {quoted} ({what})) after 4 attempts")
        }
        Failure::Status(s) => panic!("{s}"),
        Failure::Slow => {
            format!("the GitHub API did not answer in time ({TIMEOUT_MS} ms per request)")
        }
        Failure::Redirect(status, to) => {
            let host = match to {
                Elsewhere::Port => format!("127.0.0.1:{}", other.address().port()),
                Elsewhere::Host => format!("localhost:{}", other.address().port()),
                Elsewhere::HostSamePort => format!("localhost:{}", api.address().port()),
            };
            let path = what.split_once(' ').unwrap().1;
            format!(
                "GitHub answered {status}: a redirect to http://{host}{path}, which docgate does not follow: \
                 GITHUB_API_URL must be the API's own address ({what})"
            )
        }
    }
}

/// One run: exit code, the one line that says why, the requests, no leak.
async fn check(pr: &Pr, failure: Failure, stage: Stage, command: Command, comment: Comment) {
    let Servers { api, other } = servers(failure, stage, &pr.head).await;
    let gh = Gh::new();
    let run = run_once(pr, &gh, &api, command, comment);
    let requests = received(&api).await;
    let ctx = format!("{failure:?} at {stage:?}, {command:?} with {comment:?}: {run:?}");

    // Nothing anywhere but GITHUB_API_URL.
    assert_eq!(
        calls(&received(&other).await),
        Vec::<String>::new(),
        "{ctx}"
    );
    assert_eq!(
        calls(&requests),
        expected_calls(failure, stage, command),
        "{ctx}"
    );
    let host = format!("127.0.0.1:{}", api.address().port());
    let bearer = format!("Bearer {TOKEN}");
    for r in &requests {
        let headers: Vec<(String, String)> = r
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into(),
                )
            })
            .collect();
        let get = |name: &str| -> Vec<&str> {
            headers
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(get("host"), [host.as_str()], "{ctx}\n{headers:?}");
        assert_eq!(
            get("authorization"),
            [bearer.as_str()],
            "{ctx}\n{headers:?}"
        );
        for (k, v) in &headers {
            if k != "authorization" {
                assert_clean(&format!("request header {k}"), v.as_bytes());
            }
        }
        assert_clean("a request URL", r.url.as_str().as_bytes());
        assert_clean("a request body", &r.body);
    }

    let failing_call = expected_calls(failure, stage, command)
        .pop()
        .expect("a failing call");
    let why = reason(failure, &failing_call, &api, &other);
    let review_422 = stage == Stage::Review && failure == Failure::Status(422);
    let posting_failed = !review_422;
    if posting_failed && comment == Comment::Required {
        assert_eq!(run.code, 2, "{ctx}");
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("docgate: error:"))
            .collect();
        assert_eq!(
            errors,
            [format!(
                "docgate: error: could not post on the pull request (comment: required): {why}"
            )],
            "{ctx}"
        );
        assert!(!run.stdout.contains("::warning"), "{ctx}");
    } else if posting_failed {
        assert_eq!(run.code, 1, "the findings' verdict; {ctx}");
        let warnings: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains("could not post"))
            .collect();
        assert_eq!(
            warnings,
            [format!(
                "docgate: warning: could not post on the pull request: {why}"
            )],
            "{ctx}"
        );
        let annotations: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.starts_with("::warning"))
            .collect();
        assert_eq!(
            annotations,
            [format!(
                "::warning title=docgate::could not post on the pull request: {why}. \
                 The findings are in the annotations and the job summary."
            )],
            "{ctx}"
        );
    } else {
        // A 422 on the review is GitHub disagreeing about the diff: a warning,
        // the sticky comment has the findings, the verdict stands.
        assert_eq!(run.code, 1, "{ctx}");
        assert!(!run.stderr.contains("could not post"), "{ctx}");
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains("refused the review comments"))
            .collect();
        assert_eq!(
            lines,
            [
                "docgate: warning: GitHub refused the review comments (422 Validation Failed: you sent Bearer ***; Bearer *** (POST /repos/acme/trading/pulls/7/reviews)); those findings are in the sticky comment"
            ],
            "{ctx}"
        );
    }

    // What docgate wrote: `docgate github` the report, the job summary and
    // the step outputs; `docgate github post` none of them.
    let report = gh.file("docgate-report.json");
    let summary = gh.file("summary.md");
    let outputs = gh.file("output.txt");
    match command {
        Command::Github => {
            let v: Value = serde_json::from_str(&must_read(&report)).unwrap();
            assert_eq!(v["summary"]["errors"], 2, "{ctx}");
            assert!(must_read(&summary).contains("frontmatter-invalid"), "{ctx}");
            assert_eq!(
                must_read(&outputs),
                format!("errors=2\nwarnings=0\nreport={}\n", report.display()),
                "{ctx}"
            );
        }
        Command::Post => {
            for f in [&report, &summary, &outputs] {
                assert!(!f.exists(), "{} written; {ctx}", f.display());
            }
        }
    }
    assert_no_leak(&run, &gh, &pr.repo);
}

async fn every_way(failure: Failure) {
    let pr = pull_request().await;
    for stage in [Stage::All, Stage::Writes, Stage::Review] {
        for command in [Command::Github, Command::Post] {
            for comment in [Comment::Sticky, Comment::Required] {
                check(&pr, failure, stage, command, comment).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unauthorized_401() {
    every_way(Failure::Status(401)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden_403() {
    every_way(Failure::Status(403)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unprocessable_422() {
    every_way(Failure::Status(422)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn server_error_500_with_the_token_across_the_quoted_part() {
    every_way(Failure::Status(500)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_after_the_timeout() {
    every_way(Failure::Slow).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_301_302_307_to_another_port() {
    for status in [301, 302, 307] {
        every_way(Failure::Redirect(status, Elsewhere::Port)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_301_302_307_to_another_host() {
    for status in [301, 302, 307] {
        every_way(Failure::Redirect(status, Elsewhere::Host)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_301_302_307_to_another_host_name_on_the_same_port() {
    for status in [301, 302, 307] {
        every_way(Failure::Redirect(status, Elsewhere::HostSamePort)).await;
    }
}

// ---------------------------------------------------------------------------
// The suite's own token check must not pass without looking
// ---------------------------------------------------------------------------

fn fails(f: impl FnOnce()) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err()
}

#[test]
fn assert_no_token_fails_when_the_report_it_is_told_about_is_missing() {
    let gh = Gh::new();
    let moved: PathBuf = gh.file("moved/docgate-report.json");
    let run = Run {
        code: 1,
        stdout: String::new(),
        stderr: format!(
            "docgate: 1 errors, 0 warnings, 0 notes; report at {}\n",
            moved.display()
        ),
    };
    assert!(fails(|| gh::assert_no_token(&gh, &run, &[])));
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::write(&moved, "{}").unwrap();
    gh::assert_no_token(&gh, &run, &[]);
    std::fs::write(&moved, format!("{{\"t\":\"{}\"}}", gh::TOKEN)).unwrap();
    assert!(fails(|| gh::assert_no_token(&gh, &run, &[])));
    std::fs::remove_file(&moved).unwrap();

    let outputs = Run {
        code: 1,
        stdout: String::new(),
        stderr: String::new(),
    };
    std::fs::write(
        gh.file("output.txt"),
        format!("report={}\n", gh.file("elsewhere.json").display()),
    )
    .unwrap();
    assert!(fails(|| gh::assert_no_token(&gh, &outputs, &[])));
    std::fs::write(gh.file("elsewhere.json"), "{}").unwrap();
    gh::assert_no_token(&gh, &outputs, &[]);
    // A token in any file of the folder, named or not.
    std::fs::write(gh.file("stray.txt"), gh::TOKEN).unwrap();
    assert!(fails(|| gh::assert_no_token(&gh, &outputs, &[])));
}
