//! The GitHub layer of `docgate github` against scripted GitHub APIs
//! (wiremock on 127.0.0.1): the sticky comment across pages and identities,
//! review comments, every class of API failure, retries and their bounds, body
//! truncation, annotations, the fork-safe two-stage mode with its refusals, the
//! non-PR events and shallow checkouts. Each test asserts the exact requests
//! GitHub received, the exit code, what stderr said, the step outputs and the
//! job summary, and that the token never leaks.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::gh::*;
use crate::support::*;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BOT: &str = "github-actions[bot]";
const MARKER: &str = "<!-- docgate:report -->";
const ZERO: &str = "0000000000000000000000000000000000000000";
/// The annotation of [`pr_repo`]'s finding.
const DOC_NOT_UPDATED_ANNOTATION: &str = "::error file=src/app.py,title=docgate doc-not-updated::";

// ---------------------------------------------------------------------------
// Running docgate and reading what GitHub received
// ---------------------------------------------------------------------------

/// `docgate github` in `repo` like the action, off the async workers (the mock
/// server keeps answering on its own thread).
fn gh_run(
    repo: &TestRepo,
    gh: &Gh,
    server: &MockServer,
    event: &Path,
    extra: &[(&str, &str)],
    args: &[&str],
) -> Run {
    let uri = server.uri();
    tokio::task::block_in_place(|| run_github(repo, gh, &uri, event, extra, args))
}

/// [`gh_run`] of `pr` on `server`, then every request the server has received.
async fn on(
    server: &MockServer,
    pr: &Pr,
    extra: &[(&str, &str)],
    args: &[&str],
) -> (Run, Vec<Request>) {
    let run = gh_run(&pr.repo, &pr.gh, server, &pr.event, extra, args);
    (run, received(server).await)
}

/// [`on`] without arguments, with how long the run took (the run alone).
async fn on_timed(
    server: &MockServer,
    pr: &Pr,
    extra: &[(&str, &str)],
) -> (Run, Duration, Vec<Request>) {
    let started = Instant::now();
    let run = gh_run(&pr.repo, &pr.gh, server, &pr.event, extra, &[]);
    let elapsed = started.elapsed();
    (run, elapsed, received(server).await)
}

fn page(p: &str, n: u32) -> String {
    format!("GET {p}?page={n}&per_page=100")
}

fn of<'a>(requests: &'a [Request], m: &str, p: &str) -> Vec<&'a Request> {
    requests
        .iter()
        .filter(|r| r.method.as_str() == m && r.url.path() == p)
        .collect()
}

fn writes(requests: &[Request]) -> Vec<String> {
    calls(requests)
        .into_iter()
        .filter(|c| !c.starts_with("GET "))
        .collect()
}

fn json_body(r: &Request) -> Value {
    serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("request body is not JSON ({e}): {r:?}"))
}

/// The `body` field of a comment request.
fn comment_text(r: &Request) -> String {
    let v = json_body(r);
    let keys: Vec<&String> = v.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["body"], "a comment request sends only its body: {v}");
    v["body"].as_str().expect("body is a string").to_string()
}

/// The only stderr line containing `needle`.
fn one_line<'a>(run: &'a Run, needle: &str) -> &'a str {
    let lines: Vec<&str> = run.stderr.lines().filter(|l| l.contains(needle)).collect();
    assert_eq!(
        lines.len(),
        1,
        "expected exactly one stderr line with {needle:?}: {run:?}"
    );
    lines[0]
}

/// A failed post: exactly one warning line on stderr and one `::warning`
/// annotation, both carrying `needle`; nothing else says it.
fn assert_post_warning(run: &Run, needle: &str) {
    let line = one_line(run, "could not post on the pull request");
    assert!(
        line.starts_with("docgate: warning: could not post on the pull request: ")
            && line.contains(needle),
        "{line:?} should say {needle:?}: {run:?}"
    );
    let annotations: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::warning"))
        .collect();
    assert_eq!(annotations.len(), 1, "{run:?}");
    assert!(
        annotations[0].starts_with("::warning title=docgate::could not post on the pull request: ")
            && annotations[0].contains(needle)
            && annotations[0].contains("The findings are in the annotations and the job summary."),
        "{run:?}"
    );
}

/// docgate could not do its job: exit 2 and one `docgate: error:` line.
fn assert_error(run: &Run, needle: &str) {
    assert_eq!(run.code, 2, "{run:?}");
    let line = one_line(run, "docgate: error:");
    assert!(
        line.contains(needle),
        "{line:?} should say {needle:?}: {run:?}"
    );
}

/// The step outputs and the job summary were written.
fn assert_outputs(gh: &Gh, errors: usize, warnings: usize, report: &Path) {
    let outputs = gh.read("output.txt");
    assert_eq!(
        outputs,
        format!(
            "errors={errors}\nwarnings={warnings}\nreport={}\n",
            report.display()
        ),
        "step outputs"
    );
    let summary = gh.read("summary.md");
    assert!(summary.starts_with(MARKER), "job summary: {summary}");
    assert!(summary.contains("#### Reproduce locally"), "{summary}");
}

/// [`assert_outputs`] naming the default report.
fn assert_job_outputs(gh: &Gh, errors: usize, warnings: usize) {
    assert_outputs(gh, errors, warnings, &default_report(gh));
}

fn default_report(gh: &Gh) -> PathBuf {
    gh.file("docgate-report.json")
}

fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()))
}

/// FNV-1a 64 of rule, path and message: docgate's documented fingerprint.
fn fnv(rule: &str, path: &str, message: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [rule, "\u{0}", path, "\u{0}", message] {
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The parts of a Markdown body that GitHub renders as live text or HTML:
/// fenced code blocks and (outside HTML blocks) code spans removed. A line
/// that starts with `<` is raw HTML (an HTML block or inline HTML), where
/// backticks are no code span.
fn live_text(body: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<usize> = None;
    for line in body.lines() {
        let ticks = line.chars().take_while(|&c| c == '`').count();
        match fence {
            Some(open) => {
                if ticks >= open && line[ticks..].trim().is_empty() {
                    fence = None;
                }
                continue;
            }
            None if ticks >= 3 => {
                fence = Some(ticks);
                continue;
            }
            None => {}
        }
        if line.starts_with('<') {
            out.push_str(line);
        } else {
            out.push_str(&strip_code_spans(line));
        }
        out.push('\n');
    }
    out
}

fn strip_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let run = |at: usize| chars[at..].iter().take_while(|&&c| c == '`').count();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            out.push(chars[i]);
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let n = run(i);
        // The closing run of exactly n backticks, if any.
        let mut j = i + n;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let m = run(j);
                if m == n {
                    close = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                out.push_str("<code/>");
                i = j + n;
            }
            None => {
                out.extend(std::iter::repeat_n('`', n));
                i += n;
            }
        }
    }
    out
}

/// Raw HTML tags in the live text, other than docgate's own layout tags.
fn foreign_tags(body: &str) -> Vec<String> {
    let live = live_text(body);
    // docgate's own markup; anything else came from the report.
    let allowed = [
        "details", "/details", "summary", "/summary", "sub", "/sub", "code", "/code", "code/",
    ];
    live.match_indices('<')
        .map(|(i, _)| {
            live[i + 1..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>')
                .collect::<String>()
        })
        .filter(|tag| !allowed.contains(&tag.as_str()) && tag != "!--")
        .collect()
}

// ---------------------------------------------------------------------------
// Scripted GitHub
// ---------------------------------------------------------------------------

/// An issue or review comment as GitHub lists it: an account whose login
/// ends in `[bot]` is of type `Bot`.
fn comment(id: u64, login: &str, body: &str) -> Value {
    let kind = if login.ends_with("[bot]") {
        "Bot"
    } else {
        "User"
    };
    json!({"id": id, "user": {"login": login, "type": kind}, "body": body})
}

/// `GET /user` as `GITHUB_TOKEN` sees it: 403.
async fn mount_user_403(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "message": "Resource not accessible by integration",
            "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user"
        })))
        .mount(server)
        .await;
}

async fn mount_user(server: &MockServer, login: &str) {
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"login": login, "id": 1})))
        .mount(server)
        .await;
}

/// A paginated list: page i+1 is `pages[i]`, with `rel="next"` on all but the
/// last page.
async fn mount_pages(server: &MockServer, list: &str, pages: Vec<Vec<Value>>) {
    let n = pages.len();
    for (i, items) in pages.into_iter().enumerate() {
        let number = i + 1;
        let mut links = Vec::new();
        if number < n {
            links.push(format!(
                "<{}{list}?per_page=100&page={}>; rel=\"next\"",
                server.uri(),
                number + 1
            ));
            links.push(format!(
                "<{}{list}?per_page=100&page={n}>; rel=\"last\"",
                server.uri()
            ));
        }
        if number > 1 {
            links.push(format!(
                "<{}{list}?per_page=100&page={}>; rel=\"prev\"",
                server.uri(),
                number - 1
            ));
        }
        let mut response = ResponseTemplate::new(200).set_body_json(Value::Array(items));
        if !links.is_empty() {
            response = response.insert_header("link", links.join(", ").as_str());
        }
        Mock::given(method("GET"))
            .and(path(list))
            .and(query_param("page", number.to_string().as_str()))
            .and(query_param("per_page", "100"))
            .respond_with(response)
            .mount(server)
            .await;
    }
}

async fn mount_post_comment(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": 4242, "body": "created"})),
        )
        .mount(server)
        .await;
}

async fn mount_patch_comment(server: &MockServer, id: u64) {
    Mock::given(method("PATCH"))
        .and(path(format!("/repos/acme/trading/issues/comments/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": id})))
        .mount(server)
        .await;
}

async fn mount_post_review(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(REVIEWS))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": 77, "state": "COMMENTED"})),
        )
        .mount(server)
        .await;
}

/// The sticky-comment side of GitHub: one page of issue comments holding
/// `comments`, each of them editable, and a new comment accepted.
async fn mount_comments(server: &MockServer, comments: Vec<Value>) {
    let ids: Vec<u64> = comments
        .iter()
        .map(|c| c["id"].as_u64().expect("a comment id"))
        .collect();
    mount_pages(server, COMMENTS, vec![comments]).await;
    for id in ids {
        mount_patch_comment(server, id).await;
    }
    mount_post_comment(server).await;
}

/// A server for a PR with nothing posted yet, where every write succeeds.
async fn fresh_pr() -> MockServer {
    let server = MockServer::start().await;
    mount_fresh_pr(&server).await;
    server
}

/// A PR with nothing posted yet, where every write succeeds.
async fn mount_fresh_pr(server: &MockServer) {
    mount_user_403(server).await;
    mount_pages(server, COMMENTS, vec![vec![]]).await;
    mount_post_comment(server).await;
    mount_pages(server, REVIEW_COMMENTS, vec![vec![]]).await;
    mount_post_review(server).await;
}

// ---------------------------------------------------------------------------
// Repositories
// ---------------------------------------------------------------------------

/// A PR that changes the covered file and updates its runbook (bumped
/// `last_updated`, new body): no findings at all.
fn clean_pr_repo() -> (TestRepo, String, String) {
    let repo = covered_repo();
    repo.write("src/app.py", "print('v2')\n").write(
        "docs/ops/app.md",
        runbook_dated(
            "ops-01",
            &["src/app.py"],
            "2026-02-01",
            "How the app works now.",
        ),
    );
    let head = repo.commit("change app with its runbook");
    let base = repo.git(&["rev-parse", "main"]);
    (repo, base, head)
}

const BAD_DATE_MESSAGE: &str =
    "`last_updated` must be a date written YYYY-MM-DD, found `2026-13-45`";

/// `n` files under `src/gen/`, covered by one runbook; the PR changes all of
/// them and not the runbook: `n` doc-not-updated errors. One commit per side,
/// written by `git fast-import` into a pack: thousands of loose objects and
/// work-tree files would make the setup the slowest part of the suite. The
/// work tree stays empty (HEAD is `feature`): `docgate github` reads the
/// range from the commits.
fn many_findings_repo(n: usize) -> (TestRepo, String, String) {
    use std::io::Write as _;
    let repo = TestRepo::new();
    let mut stream: Vec<u8> = Vec::new();
    let mut blob = |mark: usize, data: &str| {
        write!(stream, "blob\nmark :{mark}\ndata {}\n{data}\n", data.len()).unwrap();
    };
    blob(1, &runbook("ops-09", &["src/gen/"], "Generated modules."));
    for i in 0..n {
        blob(10 + i, &format!("V = {i}\n"));
        blob(10 + n + i, &format!("V = {}\n", i + 1));
    }
    // Commit marks come after every blob mark.
    let first_commit = 10 + 2 * n;
    let mut commit = |branch: &str,
                      mark: usize,
                      parent: Option<usize>,
                      files: &[(String, usize)]| {
        let time = 1_780_272_000 + 60 * (mark - first_commit);
        write!(
            stream,
            "commit refs/heads/{branch}\nmark :{mark}\ncommitter Test Author <author@example.invalid> {time} +0000\ndata 6\ncommit\n"
        )
        .unwrap();
        if let Some(p) = parent {
            writeln!(stream, "from :{p}").unwrap();
        }
        for (path, mark) in files {
            writeln!(stream, "M 100644 :{mark} {path}").unwrap();
        }
        writeln!(stream).unwrap();
    };
    let path = |i: usize| format!("src/gen/m{i:04}.py");
    let mut initial: Vec<(String, usize)> = vec![("docs/ops/gen.md".into(), 1)];
    initial.extend((0..n).map(|i| (path(i), 10 + i)));
    commit("main", first_commit, None, &initial);
    let changed: Vec<(String, usize)> = (0..n).map(|i| (path(i), 10 + n + i)).collect();
    commit("feature", first_commit + 1, Some(first_commit), &changed);

    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(repo.path())
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped());
    isolate(&mut cmd, &repo.home());
    let mut child = cmd.spawn().expect("git fast-import runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&stream)
        .expect("git fast-import reads");
    assert!(child.wait().unwrap().success(), "git fast-import failed");
    repo.git(&["symbolic-ref", "HEAD", "refs/heads/feature"]);
    let base = repo.git(&["rev-parse", "main"]);
    let head = repo.git(&["rev-parse", "feature"]);
    assert_eq!(repo.git(&["rev-parse", "feature^"]), base);
    (repo, base, head)
}

// ---------------------------------------------------------------------------
// 1–3. The sticky comment
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn sticky_comment_found_on_page_three_is_edited_in_place() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    let others = |first: u64| -> Vec<Value> {
        (0..100)
            .map(|i| match i {
                // Our identity, but not our marker: not the sticky comment.
                0 => comment(first, BOT, "Thanks for the contribution!"),
                _ => comment(first + i, &format!("reviewer{i}"), "LGTM"),
            })
            .collect()
    };
    mount_pages(
        &server,
        COMMENTS,
        vec![
            others(1000),
            others(2000),
            vec![
                comment(3001, "mallory", "nothing to see"),
                comment(3002, BOT, &format!("{MARKER}\n### old docgate report")),
            ],
        ],
    )
    .await;
    mount_patch_comment(&server, 3002).await;
    mount_post_comment(&server).await;
    let pr = Pr::of(pr_repo());

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            page(COMMENTS, 2),
            page(COMMENTS, 3),
            "PATCH /repos/acme/trading/issues/comments/3002".to_string(),
        ],
        "{run:?}"
    );
    for r in &requests {
        assert_eq!(
            r.headers.get("authorization").map(|v| v.to_str().unwrap()),
            Some(format!("Bearer {TOKEN}").as_str()),
            "every request is authenticated"
        );
    }
    let body = comment_text(&requests[4]);
    assert!(body.starts_with(MARKER), "{body}");
    assert_eq!(body.matches(MARKER).count(), 1, "{body}");
    assert!(
        body.contains("doc-not-updated") && !body.contains("old docgate report"),
        "{body}"
    );
    // The comment is the report the job summary shows.
    assert_eq!(body, pr.gh.read("summary.md"));
    assert!(
        one_line(&run, "sticky comment").contains("updated"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("docgate: warning"), "{run:?}");
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

/// A `Link` header with `rel="next"` is followed even after a short page:
/// stopping there missed the sticky comment on page 2 and posted a second.
/// GitHub writes `rel="next"`; RFC 8288 also allows `rel=next` and
/// `rel="next last"`.
#[tokio::test(flavor = "multi_thread")]
async fn next_link_after_a_short_page_is_followed() {
    for rel in ["rel=\"next\"", "rel=next", "rel=\"last next\""] {
        let server = MockServer::start().await;
        mount_user_403(&server).await;
        let next = format!("<{}{COMMENTS}?per_page=100&page=2>; {rel}", server.uri());
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .and(query_param("page", "1"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!([
                        comment(1, "alice", "LGTM"),
                        comment(2, "bob", "+1")
                    ]))
                    .insert_header("link", next.as_str()),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .and(query_param("page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([comment(
                3,
                BOT,
                &format!("{MARKER}\nold")
            )])))
            .mount(&server)
            .await;
        mount_patch_comment(&server, 3).await;
        mount_post_comment(&server).await;
        let pr = Pr::of(pr_repo());
        let (run, requests) = on(&server, &pr, &[("INPUT_REVIEW-COMMENTS", "false")], &[]).await;
        assert_eq!(run.code, 1, "{run:?}");
        assert_eq!(
            calls(&requests),
            [
                "GET /user".to_string(),
                page(COMMENTS, 1),
                page(COMMENTS, 2),
                "PATCH /repos/acme/trading/issues/comments/3".to_string()
            ],
            "{rel}: {run:?}"
        );
        pr.assert_no_token(&run, &requests);
    }
}

/// A `Link` header docgate cannot follow page by page (a next page that is
/// not the following one, or no `<url>` at all) means the list cannot be read
/// whole: nothing is posted rather than a second sticky comment.
#[tokio::test(flavor = "multi_thread")]
async fn unexpected_link_header_posts_nothing() {
    let uri_of = |server: &MockServer| server.uri();
    for case in ["skips", "garbled"] {
        let server = MockServer::start().await;
        mount_user_403(&server).await;
        let link = match case {
            "skips" => format!(
                "<{}{COMMENTS}?per_page=100&page=3>; rel=\"next\"",
                uri_of(&server)
            ),
            _ => "page=2; rel=\"next\"".to_string(),
        };
        let full: Vec<Value> = (0..100)
            .map(|i| comment(100 + i, "alice", "LGTM"))
            .collect();
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .and(query_param("page", "1"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(Value::Array(full))
                    .insert_header("link", link.as_str()),
            )
            .mount(&server)
            .await;
        // Page 2 looks like the last one; the sticky comment is on page 3.
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .and(query_param("page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .and(query_param("page", "3"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([comment(
                3,
                BOT,
                &format!("{MARKER}\nold")
            )])))
            .mount(&server)
            .await;
        mount_patch_comment(&server, 3).await;
        mount_post_comment(&server).await;
        let pr = Pr::of(pr_repo());
        let (run, requests) = on(&server, &pr, &[], &[]).await;
        assert_eq!(run.code, 1, "the findings: {run:?}");
        assert_eq!(
            calls(&requests),
            ["GET /user".to_string(), page(COMMENTS, 1)],
            "{case}: {run:?}"
        );
        let why = match case {
            "skips" => format!(
                "the Link header of GET {COMMENTS} points the next page at page 3, not page 2: \
                 docgate cannot read the whole list, so it posts nothing"
            ),
            _ => format!(
                "the Link header of GET {COMMENTS} is not one docgate can follow (`page=2; rel=\"next\"`): \
                 docgate cannot read the whole list, so it posts nothing"
            ),
        };
        assert_post_warning(&run, &why);
        pr.assert_no_token(&run, &requests);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn marker_comment_by_another_user_is_left_alone() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    mount_comments(
        &server,
        vec![comment(
            55,
            "mallory",
            &format!("{MARKER}\nI am docgate, trust me"),
        )],
    )
    .await;
    let pr = Pr::of(pr_repo());

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            format!("POST {COMMENTS}")
        ],
        "{run:?}"
    );
    let body = comment_text(&requests[2]);
    assert!(
        body.starts_with(MARKER) && body.contains("doc-not-updated"),
        "{body}"
    );
    assert!(
        one_line(&run, "sticky comment").contains("created"),
        "{run:?}"
    );
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn identity_from_get_user_decides_which_comment_is_ours() {
    let mut pr = Pr::of(pr_repo());

    // The token is a user's (GET /user answers): github-actions[bot]'s
    // marker comment is someone else's.
    let server = MockServer::start().await;
    mount_user(&server, "docgate-bot").await;
    mount_comments(
        &server,
        vec![
            comment(66, BOT, &format!("{MARKER}\nanother workflow's docgate")),
            comment(67, "docgate-bot", "an unrelated note"),
        ],
    )
    .await;
    let (run, requests) = on(&server, &pr, &[], &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            format!("POST {COMMENTS}")
        ],
        "{run:?}"
    );
    pr.assert_no_token(&run, &requests);

    // docgate-bot's own marker comment is the sticky one.
    let server = MockServer::start().await;
    mount_user(&server, "docgate-bot").await;
    mount_comments(
        &server,
        vec![
            comment(66, BOT, &format!("{MARKER}\nanother workflow's docgate")),
            comment(68, "docgate-bot", &format!("{MARKER}\nold")),
        ],
    )
    .await;
    pr.next_job();
    let (run, requests) = on(&server, &pr, &[], &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            "PATCH /repos/acme/trading/issues/comments/68".to_string()
        ],
        "{run:?}"
    );
    pr.assert_no_token(&run, &requests);
}

/// A GitHub App's installation token (actions/create-github-app-token) gets
/// 403 on `GET /user` like GITHUB_TOKEN, but comments as `<app>[bot]`: its
/// own sticky comment is found, not duplicated. A user's marker comment is
/// never an installation token's.
#[tokio::test(flavor = "multi_thread")]
async fn installation_token_of_another_app_edits_its_own_comment() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    mount_comments(
        &server,
        vec![
            comment(70, "mallory", &format!("{MARKER}\nforged")),
            comment(71, "docgate-app[bot]", &format!("{MARKER}\nold")),
        ],
    )
    .await;
    let pr = Pr::of(pr_repo());
    let (run, requests) = on(&server, &pr, &[("INPUT_REVIEW-COMMENTS", "false")], &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            "PATCH /repos/acme/trading/issues/comments/71".to_string()
        ],
        "{run:?}"
    );
    pr.assert_no_token(&run, &requests);
}

/// Two bots' marker comments and a token whose login GitHub does not tell:
/// which one is ours cannot be known, so nothing is posted (never a second
/// sticky comment), said in one warning; with `comment: required`, exit 2.
#[tokio::test(flavor = "multi_thread")]
async fn two_bots_marker_comments_with_an_unknown_identity_post_nothing() {
    let mut pr = Pr::of(pr_repo());
    for required in [false, true] {
        let server = MockServer::start().await;
        mount_user_403(&server).await;
        mount_comments(
            &server,
            vec![
                comment(80, BOT, &format!("{MARKER}\nold")),
                comment(81, "docgate-app[bot]", &format!("{MARKER}\nolder")),
            ],
        )
        .await;
        pr.next_job();
        let extra: &[(&str, &str)] = if required {
            &[("INPUT_COMMENT", "required")]
        } else {
            &[]
        };
        let (run, requests) = on(&server, &pr, extra, &[]).await;
        assert_eq!(
            calls(&requests),
            ["GET /user".to_string(), page(COMMENTS, 1)],
            "{run:?}"
        );
        let why = "docgate comments by github-actions[bot] (#80) and docgate-app[bot] (#81), and GET /user \
                   answered 403 (an installation token, whose login GitHub does not tell): docgate cannot \
                   tell which is this token's and posts no second one; delete the stale one, or give a \
                   token that can read GET /user";
        if required {
            assert_error(&run, why);
        } else {
            assert_eq!(run.code, 1, "the findings: {run:?}");
            assert_post_warning(&run, why);
        }
        pr.assert_no_token(&run, &requests);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn clean_pr_edits_an_existing_comment_to_resolved() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    mount_comments(
        &server,
        vec![comment(
            90,
            BOT,
            &format!("{MARKER}\n### ❌ docgate: failed — 1 error"),
        )],
    )
    .await;
    let pr = Pr::of(clean_pr_repo());

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            "PATCH /repos/acme/trading/issues/comments/90".to_string()
        ],
        "{run:?}"
    );
    let body = comment_text(&requests[2]);
    assert!(body.starts_with(MARKER), "{body}");
    // What was checked, not more: the layers the report says were active.
    assert!(
        body.starts_with(&format!(
            "{MARKER}\n### ✅ docgate: no findings\n\nNo finding in the layers docgate checked: \
             docs (docs). Findings from earlier runs, if any, are resolved.\n"
        )),
        "{body}"
    );
    assert!(!body.contains("documented lesson"), "{body}");
    assert!(!body.contains("failed"), "{body}");
    assert!(run.stdout.is_empty(), "no annotations: {run:?}");
    assert_job_outputs(&pr.gh, 0, 0);
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn clean_pr_without_a_comment_gets_none() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    mount_comments(&server, vec![comment(91, "alice", "looks good")]).await;
    let pr = Pr::of(clean_pr_repo());

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        calls(&requests),
        ["GET /user".to_string(), page(COMMENTS, 1)],
        "{run:?}"
    );
    assert!(
        one_line(&run, "sticky comment").contains("not needed"),
        "{run:?}"
    );
    assert_job_outputs(&pr.gh, 0, 0);
    assert!(pr.gh.read("summary.md").contains("no findings"));
    pr.assert_no_token(&run, &requests);
}

// ---------------------------------------------------------------------------
// 4–6. Permissions, tokens, missing resources
// ---------------------------------------------------------------------------

async fn mount_forbidden_post(server: &MockServer) {
    mount_user_403(server).await;
    mount_pages(server, COMMENTS, vec![vec![]]).await;
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "message": "Resource not accessible by integration",
            "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
        })))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_token_on_a_fork_warns_and_keeps_the_findings_exit() {
    let server = MockServer::start().await;
    mount_forbidden_post(&server).await;
    let pr = Pr::of(pr_repo());

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 1, "the findings decide the exit: {run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            format!("POST {COMMENTS}")
        ],
        "a 403 is not retried: {run:?}"
    );
    assert_post_warning(&run, "fork-safe two-stage workflow");
    one_line(&run, "fork-safe");
    assert!(
        one_line(&run, "fork-safe").contains("Resource not accessible by integration"),
        "{run:?}"
    );
    assert!(run.stdout.contains(DOC_NOT_UPDATED_ANNOTATION), "{run:?}");
    assert_job_outputs(&pr.gh, 1, 0);
    assert!(pr.gh.read("summary.md").contains("doc-not-updated"));
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_token_with_comment_required_is_exit_2() {
    let server = MockServer::start().await;
    mount_forbidden_post(&server).await;
    let pr = Pr::of(pr_repo());

    let (run, requests) = on(&server, &pr, &[("INPUT_COMMENT", "required")], &[]).await;

    assert_error(&run, "fork-safe two-stage workflow");
    assert!(
        one_line(&run, "docgate: error:").contains("comment: required"),
        "{run:?}"
    );
    one_line(&run, "fork-safe");
    assert_eq!(of(&requests, "POST", COMMENTS).len(), 1, "{run:?}");
    // Annotations, summary and outputs were written before posting.
    assert!(run.stdout.contains(DOC_NOT_UPDATED_ANNOTATION), "{run:?}");
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn comment_off_makes_no_request() {
    let server = MockServer::start().await;
    mount_forbidden_post(&server).await;
    let pr = Pr::of(pr_repo());

    let (run, requests) = on(&server, &pr, &[("INPUT_COMMENT", "off")], &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(calls(&requests), Vec::<String>::new());
    assert!(!run.stdout.contains("::warning"), "{run:?}");
    assert!(!run.stderr.contains("docgate: warning"), "{run:?}");
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_token_is_one_clear_line() {
    let mut pr = Pr::of(pr_repo());
    let no_token = [("GITHUB_TOKEN", ""), ("INPUT_TOKEN", "")];

    let server = fresh_pr().await;
    let (run, requests) = on(&server, &pr, &no_token, &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert_post_warning(&run, "no GitHub token");
    assert!(
        one_line(&run, "no GitHub token").contains("GITHUB_TOKEN"),
        "{run:?}"
    );
    assert_job_outputs(&pr.gh, 1, 0);

    pr.next_job();
    let mut env = no_token.to_vec();
    env.push(("INPUT_COMMENT", "required"));
    let (run, requests) = on(&server, &pr, &env, &[]).await;
    assert_error(&run, "no GitHub token");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert_job_outputs(&pr.gh, 1, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn token_input_is_used_when_github_token_is_unset() {
    let server = fresh_pr().await;
    let pr = Pr::of(pr_repo());
    let (run, requests) = on(
        &server,
        &pr,
        &[("GITHUB_TOKEN", ""), ("INPUT_TOKEN", TOKEN)],
        &[],
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(of(&requests, "POST", COMMENTS).len(), 1, "{run:?}");
    assert!(
        requests.iter().all(
            |r| r.headers.get("authorization").map(|v| v.to_str().unwrap())
                == Some(format!("Bearer {TOKEN}").as_str())
        ),
        "{:?}",
        calls(&requests)
    );
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn rejected_token_is_one_clear_line() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "message": "Bad credentials",
            "documentation_url": "https://docs.github.com/rest"
        })))
        .mount(&server)
        .await;
    mount_pages(&server, COMMENTS, vec![vec![]]).await;
    mount_post_comment(&server).await;
    let pr = Pr::of(pr_repo());

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(calls(&requests), ["GET /user"], "{run:?}");
    assert_post_warning(&run, "GitHub rejected the token (401 Bad credentials");
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn not_found_listing_comments_is_one_clear_line() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    Mock::given(method("GET"))
        .and(path(COMMENTS))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest/issues/comments#list-issue-comments"
        })))
        .mount(&server)
        .await;
    mount_post_comment(&server).await;
    let pr = Pr::of(pr_repo());

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        ["GET /user".to_string(), page(COMMENTS, 1)],
        "a 404 is not retried: {run:?}"
    );
    assert_post_warning(&run, "GitHub answered 404");
    assert!(
        one_line(&run, "404").contains("not visible to this token"),
        "{run:?}"
    );
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

// ---------------------------------------------------------------------------
// 7–8. Review comments
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn findings_on_added_lines_become_one_review() {
    let mut pr = Pr::of(review_repo());

    // First run: nothing posted yet.
    let server = fresh_pr().await;
    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            format!("POST {COMMENTS}"),
            page(REVIEW_COMMENTS, 1),
            format!("POST {REVIEWS}"),
        ],
        "{run:?}"
    );
    let sticky = comment_text(&requests[2]);
    assert!(
        sticky.contains("frontmatter-invalid") && sticky.contains("doc-not-updated"),
        "the sticky comment has every finding: {sticky}"
    );
    let review = json_body(&requests[4]);
    assert_eq!(review["commit_id"], pr.head.as_str(), "{review}");
    assert_eq!(review["event"], "COMMENT", "{review}");
    let comments = review["comments"].as_array().expect("comments");
    assert_eq!(
        comments.len(),
        1,
        "only the finding on an added line: {review}"
    );
    let c = &comments[0];
    let mut keys: Vec<&String> = c.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["body", "line", "path", "side"], "{c}");
    assert_eq!(c["path"], "docs/ops/app.md");
    assert_eq!(c["line"], 7);
    assert_eq!(c["side"], "RIGHT");
    let fp = fnv("frontmatter-invalid", "docs/ops/app.md", BAD_DATE_MESSAGE);
    let text = c["body"].as_str().unwrap();
    assert!(text.contains("frontmatter-invalid"), "{text}");
    assert!(
        text.contains(&format!("<!-- docgate:fp:{fp} -->")),
        "fingerprint {fp}: {text}"
    );
    assert!(
        !review.to_string().contains("src/other.py"),
        "doc-not-updated has no line and is not in the review: {review}"
    );
    assert!(
        one_line(&run, "review comment").contains("1 new review comment"),
        "{run:?}"
    );
    let report = read_json(&default_report(&pr.gh));
    assert_eq!(
        report["github"]["line_comments"][0]["fingerprint"],
        fp.as_str()
    );
    assert_job_outputs(&pr.gh, 2, 0);
    pr.assert_no_token(&run, &requests);

    // Re-run: our sticky comment and our review comment are there.
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    mount_comments(&server, vec![comment(501, BOT, &format!("{MARKER}\nold"))]).await;
    let mut ours = comment(
        601,
        BOT,
        &format!("**docgate** `frontmatter-invalid`: earlier\n\n<!-- docgate:fp:{fp} -->"),
    );
    ours["path"] = json!("docs/ops/app.md");
    ours["line"] = json!(7);
    mount_pages(
        &server,
        REVIEW_COMMENTS,
        vec![vec![comment(600, "alice", "nit: wording"), ours]],
    )
    .await;
    mount_post_review(&server).await;
    pr.next_job();
    let (run, requests) = on(&server, &pr, &[], &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            "PATCH /repos/acme/trading/issues/comments/501".to_string(),
            page(REVIEW_COMMENTS, 1),
        ],
        "no repeated review: {run:?}"
    );
    assert!(
        one_line(&run, "review comment").contains("0 new review comment"),
        "{run:?}"
    );
    pr.assert_no_token(&run, &requests);

    // review-comments: false
    let server = fresh_pr().await;
    pr.next_job();
    let (run, requests) = on(&server, &pr, &[("INPUT_REVIEW-COMMENTS", "false")], &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            format!("POST {COMMENTS}"),
        ],
        "{run:?}"
    );
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_review_lines_are_a_warning_and_the_sticky_comment_stands() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    mount_pages(&server, COMMENTS, vec![vec![]]).await;
    mount_post_comment(&server).await;
    mount_pages(&server, REVIEW_COMMENTS, vec![vec![]]).await;
    Mock::given(method("POST"))
        .and(path(REVIEWS))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": "Unprocessable Entity",
            "errors": ["Line could not be resolved"],
            "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"
        })))
        .mount(&server)
        .await;
    let pr = Pr::of(review_repo());

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        writes(&requests),
        [format!("POST {COMMENTS}"), format!("POST {REVIEWS}")],
        "the sticky comment was posted and the review not retried: {run:?}"
    );
    let line = one_line(&run, "GitHub refused the review comments");
    assert!(
        line.contains("sticky comment") && line.contains("Line could not be resolved"),
        "{line}"
    );
    assert!(
        comment_text(of(&requests, "POST", COMMENTS)[0]).contains("frontmatter-invalid"),
        "the finding is in the sticky comment"
    );
    assert_job_outputs(&pr.gh, 2, 0);
    pr.assert_no_token(&run, &requests);
}

// ---------------------------------------------------------------------------
// 9–11. Rate limits, server errors, timeouts
// ---------------------------------------------------------------------------

/// The first POST of a comment gets `first`, every later one 201.
async fn mount_post_after(server: &MockServer, first: ResponseTemplate) {
    mount_user_403(server).await;
    mount_pages(server, COMMENTS, vec![vec![]]).await;
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 4242})))
        .with_priority(10)
        .mount(server)
        .await;
}

/// A run whose first comment POST fails once with `first` and then succeeds:
/// exactly two identical POSTs, exit 1, no warning.
async fn assert_retried_once(first: ResponseTemplate) {
    let server = MockServer::start().await;
    mount_post_after(&server, first).await;
    let pr = Pr::of(pr_repo());
    let (run, elapsed, requests) = on_timed(&server, &pr, &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            format!("POST {COMMENTS}"),
            format!("POST {COMMENTS}"),
        ],
        "{run:?}"
    );
    let posts = of(&requests, "POST", COMMENTS);
    assert_eq!(comment_text(posts[0]), comment_text(posts[1]));
    assert!(!run.stderr.contains("docgate: warning"), "{run:?}");
    assert!(!run.stdout.contains("::warning"), "{run:?}");
    assert!(
        one_line(&run, "sticky comment").contains("created"),
        "{run:?}"
    );
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_429_is_retried_after_retry_after() {
    assert_retried_once(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "0")
            .set_body_json(json!({"message": "API rate limit exceeded"})),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn secondary_rate_limit_403_is_retried() {
    assert_retried_once(
        ResponseTemplate::new(403)
            .insert_header("retry-after", "0")
            .set_body_json(json!({
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
            })),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_gateway_once_is_retried() {
    assert_retried_once(ResponseTemplate::new(502).set_body_string("<html>502 Bad Gateway</html>"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_longer_than_the_wait_budget_gives_up_at_once() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    mount_pages(&server, COMMENTS, vec![vec![]]).await;
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "3600")
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .mount(&server)
        .await;
    let pr = Pr::of(pr_repo());

    let (run, elapsed, requests) =
        on_timed(&server, &pr, &[("DOCGATE_GITHUB_MAX_WAIT_MS", "1000")]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        of(&requests, "POST", COMMENTS).len(),
        1,
        "gave up without retrying: {:?}",
        calls(&requests)
    );
    assert_post_warning(&run, "GitHub rate limit");
    assert!(one_line(&run, "rate limit").contains("3600 s"), "{run:?}");
    assert!(elapsed < Duration::from_secs(20), "waited: {elapsed:?}");
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_error_on_every_attempt_gives_up_after_four() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    mount_pages(&server, COMMENTS, vec![vec![]]).await;
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(
            // A proxy that echoes the credentials: docgate redacts them.
            ResponseTemplate::new(500).set_body_json(
                json!({"message": format!("Internal Server Error (Authorization: Bearer {TOKEN})")}),
            ),
        )
        .mount(&server)
        .await;
    let pr = Pr::of(pr_repo());

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        of(&requests, "POST", COMMENTS).len(),
        4,
        "{:?}",
        calls(&requests)
    );
    assert_post_warning(&run, "GitHub kept failing (500");
    let line = one_line(&run, "kept failing");
    assert!(line.contains("after 4 attempts"), "{run:?}");
    assert!(line.contains("Bearer ***"), "redacted: {run:?}");
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_api_times_out_with_bounded_attempts() {
    let server = MockServer::start().await;
    mount_user_403(&server).await;
    Mock::given(method("GET"))
        .and(path(COMMENTS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    mount_post_comment(&server).await;
    let pr = Pr::of(pr_repo());

    let (run, elapsed, requests) =
        on_timed(&server, &pr, &[("DOCGATE_GITHUB_TIMEOUT_MS", "300")]).await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        calls(&requests),
        [
            "GET /user".to_string(),
            page(COMMENTS, 1),
            page(COMMENTS, 1),
            page(COMMENTS, 1),
            page(COMMENTS, 1),
        ],
        "4 attempts, then give up: {run:?}"
    );
    assert!(of(&requests, "POST", COMMENTS).is_empty());
    assert_post_warning(&run, "did not answer in time");
    assert!(
        elapsed < Duration::from_secs(8),
        "4 attempts of 300 ms took {elapsed:?}"
    );
    assert_job_outputs(&pr.gh, 1, 0);
    pr.assert_no_token(&run, &requests);
}

// ---------------------------------------------------------------------------
// 12–13. Body truncation and annotations
// ---------------------------------------------------------------------------

fn error_rows(markdown: &str) -> usize {
    markdown
        .lines()
        .filter(|l| l.starts_with("| 🔴 error |"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_thousand_findings_are_truncated_with_a_note() {
    const N: usize = 3000;
    let server = fresh_pr().await;
    let pr = Pr::of(many_findings_repo(N));

    let (run, requests) = on(&server, &pr, &[], &[]).await;

    assert_eq!(run.code, 1, "{}", run.stderr);
    let posts = of(&requests, "POST", COMMENTS);
    assert_eq!(posts.len(), 1, "{:?}", calls(&requests));
    let body = comment_text(posts[0]);
    assert!(
        body.chars().count() < 65_536,
        "{} characters",
        body.chars().count()
    );
    let shown = error_rows(&body);
    assert!(shown > 0 && shown < N, "{shown} rows");
    assert!(
        body.contains(&format!(
            "\n> Left out, because this comment is limited to 65,536 characters: {} more findings; \
             the “Docs to read for this change” section (1 doc). The job summary and the JSON \
             report have everything.\n",
            N - shown
        )),
        "truncation note: {}",
        body.chars()
            .skip(body.chars().count().saturating_sub(2000))
            .collect::<String>()
    );
    assert!(body.starts_with(MARKER) && body.contains("#### Reproduce locally"));
    assert!(!body.contains("#### Docs to read"), "left out, and said so");
    let summary = pr.gh.read("summary.md");
    // The job summary's 1 MiB holds every row and section: no note.
    assert_eq!(error_rows(&summary), N, "summary rows");
    assert!(summary.contains("#### Docs to read for this change"));
    assert!(!summary.contains("> Left out"), "nothing left out");
    assert!(
        error_rows(&summary) > shown,
        "summary rows {} vs comment rows {shown}",
        error_rows(&summary)
    );
    assert!(summary.len() <= 1_000_000, "{} bytes", summary.len());
    // GitHub shows 10 error annotations per step.
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("::error"))
            .count(),
        10
    );
    assert_job_outputs(&pr.gh, N, 0);
    pr.assert_no_token(&run, &requests);
}

/// Every row fits, but the waivers and the multi-line details do not: the
/// comment says what it left out.
#[tokio::test(flavor = "multi_thread")]
async fn sections_left_out_of_the_comment_are_named_in_a_note() {
    const N: usize = 30;
    let stage = stage_one().await;
    let mut report = stage.report.clone();
    let template = report["findings"][1].clone();
    let mut findings = vec![report["findings"][0].clone()];
    for i in 0..N {
        let mut f = template.clone();
        f["message"] = json!(format!(
            "`src/other.py` changed ({i}) {}\n{}",
            "x".repeat(1_500),
            "detail ".repeat(2_000)
        ));
        f["waived"] = json!({"reason": "r".repeat(1_500), "commit": "0123456789ab"});
        findings.push(f);
    }
    report["findings"] = json!(findings);

    let server = MockServer::start().await;
    mount_post_side(&server, &stage.head).await;
    let (gh, run, requests) = post(&stage, &server, &report, &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    let posts = of(&requests, "POST", COMMENTS);
    assert_eq!(posts.len(), 1, "{:?}", calls(&requests));
    let body = comment_text(posts[0]);
    assert!(body.len() <= 65_000, "{} bytes", body.len());
    assert_eq!(error_rows(&body), N + 1, "every finding has its row");
    assert!(
        body.contains("#### Docs to read for this change"),
        "it fits"
    );
    assert!(!body.contains("#### Waivers"), "{body}");
    let details = body.matches("<details>").count();
    assert!(details < N, "{details} details");
    assert!(
        body.contains(&format!(
            "\n> Left out, because this comment is limited to 65,536 characters: the waivers ({N}); \
             the details of {} multi-line findings. The job summary and the JSON report have \
             everything.\n",
            N - details
        )),
        "{body}"
    );
    assert_no_token(&gh, &run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn more_than_ten_errors_give_ten_annotations_and_a_closing_notice() {
    let server = fresh_pr().await;
    let pr = Pr::of(many_findings_repo(12));
    let report = pr.gh.file("full-report.json");
    let report_s = report.display().to_string();

    let (run, requests) = on(&server, &pr, &[("INPUT_REPORT-OUT", &report_s)], &[]).await;

    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    let errors: Vec<&&str> = lines.iter().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 10, "{run:?}");
    assert!(
        errors
            .iter()
            .all(|l| l.starts_with("::error file=src/gen/m00")
                && l.contains(",title=docgate doc-not-updated::")),
        "{run:?}"
    );
    let notices: Vec<&&str> = lines.iter().filter(|l| l.starts_with("::notice")).collect();
    assert_eq!(notices.len(), 1, "{run:?}");
    assert_eq!(
        lines.last().copied(),
        Some(*notices[0]),
        "the notice closes: {run:?}"
    );
    let notice = notices[0];
    assert!(
        notice.starts_with("::notice title=docgate::2 more findings are not shown"),
        "{notice}"
    );
    assert!(notice.contains("12 errors"), "{notice}");
    assert!(notice.contains(&report_s), "names the report: {notice}");
    assert_eq!(lines.len(), 11, "{run:?}");
    // report-out: the report is there and nothing is posted.
    assert_eq!(read_json(&report)["summary"]["errors"], 12);
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert_outputs(&pr.gh, 12, 0, &report);
    pr.assert_no_token(&run, &requests);
    assert!(!std::fs::read_to_string(&report).unwrap().contains(TOKEN));
}

// ---------------------------------------------------------------------------
// 14. Fork-safe two-stage mode
// ---------------------------------------------------------------------------

struct Stage {
    repo: TestRepo,
    base: String,
    head: String,
    /// The report written by stage one.
    report: Value,
}

/// Stage one on `review_repo`: `docgate github --report-out` without a token.
async fn stage_one() -> Stage {
    let server = fresh_pr().await;
    let (repo, base, head) = review_repo();
    let gh = Gh::new();
    let event = pr_event(&gh, 7, &base, &head);
    let out = gh.file("report.json");
    let run = gh_run(
        &repo,
        &gh,
        &server,
        &event,
        &[("GITHUB_TOKEN", ""), ("INPUT_TOKEN", "")],
        &["--report-out", out.to_str().unwrap()],
    );
    let requests = received(&server).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert!(
        one_line(&run, "--report-out").contains("nothing is posted"),
        "{run:?}"
    );
    assert_outputs(&gh, 2, 0, &out);
    let report = read_json(&out);
    Stage {
        repo,
        base,
        head,
        report,
    }
}

/// The `workflow_run` event with `conclusion` (`None`: no such field).
fn workflow_run_event_as(gh: &Gh, head: &str, conclusion: Option<&str>) -> PathBuf {
    let mut run = json!({"head_sha": head, "event": "pull_request"});
    if let Some(c) = conclusion {
        run["conclusion"] = json!(c);
    }
    write_event(
        gh,
        "run-event.json",
        json!({"action": "completed", "workflow_run": run}),
    )
}

/// The privileged side's GitHub: the PR at `pr_head`, nothing posted yet.
async fn mount_post_side(server: &MockServer, pr_head: &str) {
    Mock::given(method("GET"))
        .and(path(PULL))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "number": 7,
            "state": "open",
            "head": {"sha": pr_head, "ref": "feature"},
            "base": {"ref": "main"}
        })))
        .mount(server)
        .await;
    mount_fresh_pr(server).await;
}

/// `docgate github post --report <artifact>` in a new workflow_run job, the
/// artifact holding `artifact`, for a run of `run_head` that ended
/// `conclusion`: the job folder, the run and every request `server` has
/// received.
async fn post_artifact(
    stage: &Stage,
    server: &MockServer,
    artifact: &[u8],
    run_head: &str,
    conclusion: Option<&str>,
    extra: &[(&str, &str)],
) -> (Gh, Run, Vec<Request>) {
    let gh = Gh::new();
    let file = gh.file("artifact.json");
    std::fs::write(&file, artifact).unwrap();
    let event = workflow_run_event_as(&gh, run_head, conclusion);
    let mut env = vec![("GITHUB_EVENT_NAME", "workflow_run")];
    env.extend_from_slice(extra);
    let run = gh_run(
        &stage.repo,
        &gh,
        server,
        &event,
        &env,
        &["post", "--report", file.to_str().unwrap()],
    );
    let requests = received(server).await;
    (gh, run, requests)
}

/// [`post_artifact`] of `report` for a run of `stage.head` that ended
/// `conclusion`.
async fn post_as(
    stage: &Stage,
    server: &MockServer,
    report: &Value,
    conclusion: Option<&str>,
) -> (Gh, Run, Vec<Request>) {
    let artifact = report.to_string();
    post_artifact(
        stage,
        server,
        artifact.as_bytes(),
        &stage.head,
        conclusion,
        &[],
    )
    .await
}

/// [`post_artifact`] of `report` for a run of `stage.head` that failed (its
/// findings), with `extra` variables.
async fn post(
    stage: &Stage,
    server: &MockServer,
    report: &Value,
    extra: &[(&str, &str)],
) -> (Gh, Run, Vec<Request>) {
    let artifact = report.to_string();
    post_artifact(
        stage,
        server,
        artifact.as_bytes(),
        &stage.head,
        Some("failure"),
        extra,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn two_stage_report_out_then_post() {
    let stage = stage_one().await;
    let gh_section = &stage.report["github"];
    assert_eq!(gh_section["repository"], "acme/trading");
    assert_eq!(gh_section["pull_request"], 7);
    assert_eq!(gh_section["head_sha"], stage.head.as_str());
    assert_eq!(gh_section["event"], "pull_request");
    let fp = fnv("frontmatter-invalid", "docs/ops/app.md", BAD_DATE_MESSAGE);
    assert_eq!(
        gh_section["line_comments"],
        json!([{
            "path": "docs/ops/app.md",
            "line": 7,
            "fingerprint": fp,
            "rule": "frontmatter-invalid",
            "message": BAD_DATE_MESSAGE,
            "help": stage.report["findings"][0]["help"],
        }])
    );

    let server = MockServer::start().await;
    mount_post_side(&server, &stage.head).await;
    let (gh, run, requests) = post(&stage, &server, &stage.report, &[]).await;

    assert_eq!(run.code, 1, "the report's findings: {run:?}");
    assert_eq!(
        calls(&requests),
        [
            format!("GET {PULL}"),
            "GET /user".to_string(),
            page(COMMENTS, 1),
            format!("POST {COMMENTS}"),
            page(REVIEW_COMMENTS, 1),
            format!("POST {REVIEWS}"),
        ],
        "{run:?}"
    );
    let body = comment_text(&requests[3]);
    assert!(body.starts_with(MARKER), "{body}");
    // The posted comment's command reproduces stage one's verdict.
    let commands = reproduce_commands(&body);
    assert_eq!(
        commands,
        [vec![
            "check".to_string(),
            "--base".into(),
            stage.base.clone(),
            "--head".into(),
            stage.head.clone()
        ]]
    );
    assert_eq!(run_reproduce(&stage.repo, &commands[0]).code, 1);
    assert!(
        body.contains("frontmatter-invalid") && body.contains("doc-not-updated"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "https://github.example/acme/trading/blob/{}/",
            stage.head
        )),
        "{body}"
    );
    let review = json_body(&requests[5]);
    assert_eq!(review["commit_id"], stage.head.as_str());
    assert_eq!(review["event"], "COMMENT");
    assert_eq!(review["comments"].as_array().unwrap().len(), 1, "{review}");
    assert_eq!(review["comments"][0]["path"], "docs/ops/app.md");
    assert_eq!(review["comments"][0]["line"], 7);
    assert_eq!(review["comments"][0]["side"], "RIGHT");
    assert!(
        review["comments"][0]["body"]
            .as_str()
            .unwrap()
            .contains(&format!("<!-- docgate:fp:{fp} -->")),
        "{review}"
    );
    assert_no_token(&gh, &run, &requests);
}

enum Refusal {
    RunHeadMismatch,
    PullRequestMoved,
    Repository,
    UnknownRule,
    DotDotPath,
    LongMessage,
    NotJson,
    TooLarge,
    WrongEvent,
    NoBase,
    BadBase,
    CleanReportFailedRun,
    WarningsOnlyFailedRun,
    CancelledRun,
}

/// A post that must be refused: exit 2, one error line with `needle`, and
/// nothing posted.
async fn assert_refused(case: Refusal, needle: &str) {
    let stage = stage_one().await;
    let server = MockServer::start().await;
    let mut pr_head = stage.head.clone();
    let mut run_head = stage.head.clone();
    let mut report = stage.report.clone();
    let mut bytes = None;
    let mut extra = Vec::new();
    let mut conclusion = Some("failure");
    match case {
        Refusal::RunHeadMismatch => run_head = stage.base.clone(),
        Refusal::PullRequestMoved => pr_head = stage.base.clone(),
        Refusal::Repository => report["github"]["repository"] = json!("evil/trading"),
        Refusal::UnknownRule => report["findings"][1]["rule"] = json!("no-such-rule"),
        Refusal::DotDotPath => report["findings"][1]["path"] = json!("src/../../etc/passwd"),
        Refusal::LongMessage => report["findings"][0]["message"] = json!("a".repeat(20_001)),
        Refusal::NotJson => bytes = Some(b"{\"version\": 1, not json".to_vec()),
        Refusal::TooLarge => {
            // Valid JSON, padded past 8 MiB: the size alone refuses it.
            let mut b = report.to_string().into_bytes();
            b.resize(8 * 1024 * 1024 + 1, b' ');
            bytes = Some(b);
        }
        Refusal::WrongEvent => extra.push(("GITHUB_EVENT_NAME", "pull_request")),
        Refusal::CleanReportFailedRun => {
            report["findings"] = json!([]);
            report["github"]["line_comments"] = json!([]);
        }
        Refusal::WarningsOnlyFailedRun => {
            for f in report["findings"].as_array_mut().unwrap() {
                f["severity"] = json!("warning");
            }
        }
        Refusal::CancelledRun => conclusion = Some("cancelled"),
        Refusal::NoBase => report["range"]["base"] = Value::Null,
        Refusal::BadBase => report["range"]["base"] = json!("main"),
    }
    mount_post_side(&server, &pr_head).await;
    let artifact = bytes.unwrap_or_else(|| report.to_string().into_bytes());
    let (gh, run, requests) =
        post_artifact(&stage, &server, &artifact, &run_head, conclusion, &extra).await;

    assert_error(&run, needle);
    assert!(writes(&requests).is_empty(), "{:?}", calls(&requests));
    let expected: Vec<String> = match case {
        // Only the PR's current head was read.
        Refusal::PullRequestMoved => vec![format!("GET {PULL}")],
        _ => Vec::new(),
    };
    assert_eq!(calls(&requests), expected, "{run:?}");
    assert!(!run.stdout.contains("::warning"), "{run:?}");
    assert!(!run.stderr.contains("sticky comment"), "{run:?}");
    assert_no_token(&gh, &run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_a_report_for_another_commit_than_the_run() {
    let stage_head_note = "but the workflow run that made it checked";
    assert_refused(Refusal::RunHeadMismatch, stage_head_note).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_when_the_pull_request_moved_on() {
    assert_refused(
        Refusal::PullRequestMoved,
        "refusing to post a report for another commit",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_a_report_from_another_repository() {
    assert_refused(
        Refusal::Repository,
        "`github.repository` is `evil/trading`, but this workflow runs in acme/trading",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_an_unknown_rule() {
    assert_refused(Refusal::UnknownRule, "`no-such-rule` is not a docgate rule").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_a_path_outside_the_repository() {
    assert_refused(Refusal::DotDotPath, "is not a repository-relative path").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_an_oversized_message() {
    assert_refused(Refusal::LongMessage, "is longer than 20000 characters").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_a_file_that_is_not_json() {
    assert_refused(Refusal::NotJson, "is not JSON").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_a_file_over_8_mib() {
    assert_refused(Refusal::TooLarge, "refusing a report of 8388609 bytes").await;
}

/// The run that made the report failed, but the report says nothing fails:
/// a forged or mismatched report must not post a ✅.
#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_a_passing_report_from_a_failed_run() {
    let contradicts = "but the workflow run that made it failed (`workflow_run.conclusion` is \
                       `failure`): the report contradicts the run that made it; nothing is posted";
    assert_refused(
        Refusal::CleanReportFailedRun,
        &format!("it claims no finding at or above `error` (0 errors, 0 warnings), {contradicts}"),
    )
    .await;
    // Stage one with `fail-on: warning`, this step with `error`: the same
    // refusal, which names the setting.
    assert_refused(
        Refusal::WarningsOnlyFailedRun,
        &format!("it claims no finding at or above `error` (0 errors, 2 warnings), {contradicts}"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_a_report_from_a_run_that_did_not_finish() {
    assert_refused(
        Refusal::CancelledRun,
        "the workflow run that made the report ended `cancelled`, not `success` or `failure`: \
         its report is no verdict; nothing is posted",
    )
    .await;
}

/// A stage one that succeeded although its report has errors (its docgate
/// step had `continue-on-error`, or this step fails on less): the report is
/// posted as it is and this step's exit is its verdict under this step's
/// `fail-on`. A report can only make itself look worse than the run.
#[tokio::test(flavor = "multi_thread")]
async fn post_of_errors_from_a_successful_run_posts_them() {
    let stage = stage_one().await;
    let server = MockServer::start().await;
    mount_post_side(&server, &stage.head).await;
    let (gh, run, requests) = post_as(&stage, &server, &stage.report, Some("success")).await;
    assert_eq!(run.code, 1, "{run:?}");
    let posts = of(&requests, "POST", COMMENTS);
    assert_eq!(posts.len(), 1, "{:?}", calls(&requests));
    assert!(
        comment_text(posts[0]).contains("### ❌ docgate: failed — 2 errors"),
        "{run:?}"
    );
    assert_eq!(of(&requests, "POST", REVIEWS).len(), 1);
    assert_no_token(&gh, &run, &requests);
}

/// No `workflow_run.conclusion` (a run still in progress): nothing to compare
/// with, the report is posted on its own terms, as before.
#[tokio::test(flavor = "multi_thread")]
async fn post_without_a_conclusion_takes_the_report_as_it_is() {
    let stage = stage_one().await;
    let mut report = stage.report.clone();
    report["findings"] = json!([]);
    report["github"]["line_comments"] = json!([]);
    for conclusion in [None, Some("success")] {
        let server = MockServer::start().await;
        mount_post_side(&server, &stage.head).await;
        let (gh, run, requests) = post_as(&stage, &server, &report, conclusion).await;
        assert_eq!(run.code, 0, "{conclusion:?}: {run:?}");
        assert_eq!(
            calls(&requests),
            [
                format!("GET {PULL}"),
                "GET /user".to_string(),
                page(COMMENTS, 1)
            ],
            "a clean PR without a comment gets none: {run:?}"
        );
        assert_no_token(&gh, &run, &requests);
    }
}

/// A clean posted report says what its run checked (the report's layers),
/// not more.
#[tokio::test(flavor = "multi_thread")]
async fn post_of_a_clean_report_names_the_layers_it_checked() {
    let stage = stage_one().await;
    let mut report = stage.report.clone();
    report["findings"] = json!([]);
    report["github"]["line_comments"] = json!([]);
    assert_eq!(report["checked"]["layers"], json!(["docs (docs)"]));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(PULL))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"number": 7, "head": {"sha": stage.head}})),
        )
        .mount(&server)
        .await;
    mount_user_403(&server).await;
    mount_pages(
        &server,
        COMMENTS,
        vec![vec![comment(
            90,
            BOT,
            &format!("{MARKER}\n### ❌ docgate: failed"),
        )]],
    )
    .await;
    mount_patch_comment(&server, 90).await;
    let (gh, run, requests) = post_as(&stage, &server, &report, Some("success")).await;
    assert_eq!(run.code, 0, "{run:?}");
    let patches = of(&requests, "PATCH", "/repos/acme/trading/issues/comments/90");
    assert_eq!(patches.len(), 1, "{:?}", calls(&requests));
    let body = comment_text(patches[0]);
    assert!(
        body.contains(
            "No finding in the layers docgate checked: docs (docs). Findings from earlier runs, \
             if any, are resolved."
        ),
        "{body}"
    );
    assert!(body.contains("layers: docs (docs)"), "{body}");
    assert_no_token(&gh, &run, &requests);
}

/// A pull request's report always has the merge-base it was checked from;
/// without it the comment could not say how to reproduce the check.
#[tokio::test(flavor = "multi_thread")]
async fn post_refuses_a_report_without_its_base() {
    assert_refused(
        Refusal::NoBase,
        "`range.base` is missing: a pull request's report names the merge-base it checked from",
    )
    .await;
    assert_refused(Refusal::BadBase, "`range.base` is not a commit id").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_runs_only_under_workflow_run() {
    assert_refused(Refusal::WrongEvent, "runs in a workflow_run job").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn post_escapes_html_markers_and_mentions_from_the_report() {
    let stage = stage_one().await;
    let evil = "<!-- docgate:report --><img src=x onerror=alert(1)> @octocat";
    let mut report = stage.report.clone();
    report["findings"][0]["message"] = json!(evil);
    report["findings"][1]["message"] = json!(format!("{evil} again"));
    report["findings"][1]["docs"] = json!(["@octocat", "<img src=y>"]);
    report["docs_to_read"][0]["title"] = json!(evil);
    report["github"]["line_comments"][0]["message"] = json!(evil);

    let server = MockServer::start().await;
    mount_post_side(&server, &stage.head).await;
    let (gh, run, requests) = post(&stage, &server, &report, &[]).await;

    assert_eq!(run.code, 1, "a schema-valid report is posted: {run:?}");
    let posts = of(&requests, "POST", COMMENTS);
    assert_eq!(posts.len(), 1, "{:?}", calls(&requests));
    let body = comment_text(posts[0]);
    assert!(!body.to_ascii_lowercase().contains("<img"), "{body}");
    assert_eq!(foreign_tags(&body), Vec::<String>::new(), "{body}");
    assert_eq!(body.matches(MARKER).count(), 1, "{body}");
    assert_eq!(body.matches("<!--").count(), 1, "{body}");
    assert!(body.starts_with(MARKER), "{body}");
    assert!(!body.contains("@octocat"), "a ping: {body}");
    assert!(body.contains("@\u{200B}octocat"), "{body}");
    let reviews = of(&requests, "POST", REVIEWS);
    assert_eq!(reviews.len(), 1, "{:?}", calls(&requests));
    let review = json_body(reviews[0]);
    let text = review["comments"][0]["body"].as_str().unwrap();
    assert!(!text.to_ascii_lowercase().contains("<img"), "{text}");
    assert_eq!(foreign_tags(text), Vec::<String>::new(), "{text}");
    assert!(!text.contains(MARKER), "{text}");
    assert!(!text.contains("@octocat"), "{text}");
    assert!(text.contains("@\u{200B}octocat"), "{text}");
    // The help text is docgate's, whatever the report said.
    assert!(text.contains("fix the frontmatter"), "{text}");
    assert_no_token(&gh, &run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn post_escapes_html_in_the_path_of_a_multi_line_finding() {
    let stage = stage_one().await;
    let mut report = stage.report.clone();
    // A repository-relative path may hold `<`; a multi-line message gets a
    // <details> block whose summary names the path.
    report["findings"][1]["path"] = json!("src/<img src=x onerror=alert(1)> @octocat.py");
    report["findings"][1]["message"] =
        json!("`src/x.py` changed, but its doc did not\nsecond line for @octocat");

    let server = MockServer::start().await;
    mount_post_side(&server, &stage.head).await;
    let (gh, run, requests) = post(&stage, &server, &report, &[]).await;

    assert_eq!(run.code, 1, "a schema-valid report is posted: {run:?}");
    let posts = of(&requests, "POST", COMMENTS);
    assert_eq!(posts.len(), 1, "{:?}", calls(&requests));
    let body = comment_text(posts[0]);
    assert!(body.contains("<details>"), "the multi-line finding: {body}");
    assert_eq!(
        foreign_tags(&body),
        Vec::<String>::new(),
        "raw HTML from the report: {body}"
    );
    assert_eq!(body.matches(MARKER).count(), 1, "{body}");
    assert!(!live_text(&body).contains("@octocat"), "a ping: {body}");
    assert_no_token(&gh, &run, &requests);
}

// ---------------------------------------------------------------------------
// 15. Other events
// ---------------------------------------------------------------------------

/// A push of `branch` from `before` to `after` (`ZERO` for a branch the push
/// creates or deletes).
fn push_event(gh: &Gh, branch: &str, before: &str, after: &str) -> PathBuf {
    write_event(
        gh,
        "push.json",
        json!({"ref": format!("refs/heads/{branch}"), "before": before, "after": after,
               "created": before == ZERO, "deleted": after == ZERO,
               "repository": {"default_branch": "main"}}),
    )
}

/// `docgate github` on an event of the kind `GITHUB_EVENT_NAME` in `extra`
/// says, then every request the server has received.
async fn on_event(
    server: &MockServer,
    repo: &TestRepo,
    gh: &Gh,
    event: &Path,
    extra: &[(&str, &str)],
) -> (Run, Vec<Request>) {
    let run = gh_run(repo, gh, server, event, extra, &[]);
    (run, received(server).await)
}

/// [`on_event`] for a push, with `clone` as the workspace.
async fn on_push_in(
    server: &MockServer,
    repo: &TestRepo,
    gh: &Gh,
    event: &Path,
    clone: &Path,
) -> (Run, Vec<Request>) {
    let workspace = clone.display().to_string();
    let env = [
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_WORKSPACE", workspace.as_str()),
    ];
    on_event(server, repo, gh, event, &env).await
}

/// A `topic` branch in `clone` with one commit changing the covered file:
/// its id.
fn topic_commit(repo: &TestRepo, clone: &Path) -> String {
    git_in(repo, clone, &["checkout", "-q", "-b", "topic"]);
    std::fs::write(clone.join("src/app.py"), "print('v3')\n").unwrap();
    git_in(repo, clone, &["commit", "-q", "-am", "topic work"]);
    git_in(repo, clone, &["rev-parse", "HEAD"])
}

#[tokio::test(flavor = "multi_thread")]
async fn push_checks_before_to_after_without_pr_calls() {
    let server = fresh_pr().await;
    let (repo, base, head) = pr_repo();
    let gh = Gh::new();
    let event = push_event(&gh, "feature", &base, &head);
    let (run, requests) = on_event(
        &server,
        &repo,
        &gh,
        &event,
        &[("GITHUB_EVENT_NAME", "push")],
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert!(run.stdout.contains(DOC_NOT_UPDATED_ANNOTATION), "{run:?}");
    let report = read_json(&default_report(&gh));
    assert_eq!(report["range"]["base"], base.as_str());
    assert_eq!(report["range"]["head"], head.as_str());
    assert_eq!(report["github"]["pull_request"], Value::Null);
    assert_job_outputs(&gh, 1, 0);
    assert_no_token(&gh, &run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn push_of_a_new_branch_compares_with_the_default_branch() {
    let server = fresh_pr().await;
    let (repo, _base, _head) = pr_repo();
    let main = repo.git(&["rev-parse", "main"]);
    // A checkout like actions/checkout's: origin/main is a remote-tracking ref.
    let clone = clone_repo(&repo, "clone", &[]);
    let head = topic_commit(&repo, &clone);
    let gh = Gh::new();
    let event = push_event(&gh, "topic", ZERO, &head);
    let (run, requests) = on_push_in(&server, &repo, &gh, &event, &clone).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    let report = read_json(&default_report(&gh));
    assert_eq!(report["range"]["base"], main.as_str(), "{report}");
    assert_eq!(report["range"]["head"], head.as_str());
    assert_eq!(report["range"]["base_ref"], "origin/main");
    assert_eq!(report["checked"]["commits"], 2, "{report}");
    assert!(run.stdout.contains(DOC_NOT_UPDATED_ANNOTATION), "{run:?}");
    assert_no_token(&gh, &run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn push_that_deletes_a_branch_has_nothing_to_check() {
    let server = fresh_pr().await;
    let (repo, _base, head) = pr_repo();
    let gh = Gh::new();
    let event = push_event(&gh, "feature", &head, ZERO);
    let (run, requests) = on_event(
        &server,
        &repo,
        &gh,
        &event,
        &[("GITHUB_EVENT_NAME", "push")],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert!(
        one_line(&run, "nothing to check").contains("deleted"),
        "{run:?}"
    );
    assert!(run.stdout.is_empty(), "{run:?}");
    assert_no_token(&gh, &run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn merge_group_checks_its_range_without_pr_calls() {
    let server = fresh_pr().await;
    let (repo, base, head) = pr_repo();
    let gh = Gh::new();
    let event = write_event(
        &gh,
        "merge_group.json",
        json!({"action": "checks_requested", "merge_group": {
            "base_sha": base, "head_sha": head,
            "head_ref": "refs/heads/gh-readonly-queue/main/pr-7-0000000000000000000000000000000000000000",
            "base_ref": "refs/heads/main"}}),
    );
    let merge_group = [("GITHUB_EVENT_NAME", "merge_group")];
    let (run, requests) = on_event(&server, &repo, &gh, &event, &merge_group).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    let report = read_json(&default_report(&gh));
    assert_eq!(report["range"]["base"], base.as_str());
    assert_eq!(report["range"]["head"], head.as_str());
    assert_job_outputs(&gh, 1, 0);
    assert_no_token(&gh, &run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn workflow_dispatch_runs_lint_without_pr_calls() {
    let server = fresh_pr().await;
    let (repo, _base, _head) = pr_repo();
    let gh = Gh::new();
    let event = write_event(
        &gh,
        "dispatch.json",
        json!({"inputs": {}, "ref": "refs/heads/main"}),
    );
    let dispatch = [("GITHUB_EVENT_NAME", "workflow_dispatch")];
    let (run, requests) = on_event(&server, &repo, &gh, &event, &dispatch).await;
    assert_eq!(run.code, 0, "a whole documentation system: {run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert_eq!(read_json(&default_report(&gh))["command"], "lint");
    assert_job_outputs(&gh, 0, 0);

    // lint reports everything, including what no change touched.
    repo.write(
        "docs/ops/stale.md",
        runbook("ops-07", &["src/gone.py"], "Covers a file that is gone."),
    );
    repo.commit("a runbook for a missing file");
    let gh = Gh::new();
    let (run, requests) = on_event(&server, &repo, &gh, &event, &dispatch).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert!(
        run.stdout
            .contains("::error file=docs/ops/stale.md,line=6,col=5,title=docgate stale-key-file::"),
        "{run:?}"
    );
    assert_job_outputs(&gh, 1, 0);
    assert_no_token(&gh, &run, &requests);
}

// ---------------------------------------------------------------------------
// 16. Shallow checkouts
// ---------------------------------------------------------------------------

/// What docgate must not change in a checkout: every ref and what it points
/// at, `.git/shallow`, the object count, FETCH_HEAD and HEAD.
fn checkout_state(repo: &TestRepo, dir: &Path) -> String {
    let git_dir = dir.join(".git");
    let shallow = std::fs::read_to_string(git_dir.join("shallow"))
        .unwrap_or_else(|_| "<no .git/shallow>".into());
    format!(
        "refs:\n{}\nshallow:\n{shallow}\nobjects:\n{}\nFETCH_HEAD: {}\nHEAD: {}",
        git_in(
            repo,
            dir,
            &["for-each-ref", "--format=%(refname) %(objectname)"]
        ),
        git_in(repo, dir, &["count-objects", "-v"]),
        git_dir.join("FETCH_HEAD").exists(),
        git_in(repo, dir, &["rev-parse", "HEAD"]),
    )
}

/// A shallow checkout docgate refused: exit 2, one error line with every
/// `needles` and the fix, nothing fetched, nothing written, no annotation, no
/// request.
async fn assert_shallow_refused(
    server: &MockServer,
    repo: &TestRepo,
    clone: &Path,
    event: &Path,
    extra: &[(&str, &str)],
    needles: &[&str],
) {
    let before = checkout_state(repo, clone);
    let gh = Gh::new();
    let clone_s = clone.display().to_string();
    let mut env = vec![("GITHUB_WORKSPACE", clone_s.as_str())];
    env.extend_from_slice(extra);
    let (run, requests) = on_event(server, repo, &gh, event, &env).await;
    assert_eq!(run.code, 2, "{run:?}");
    let line = one_line(&run, "docgate: error:");
    for needle in needles {
        assert!(line.contains(needle), "{line:?} should say {needle:?}");
    }
    assert!(
        line.contains("`fetch-depth: 0` on actions/checkout")
            && line.contains("`git fetch --unshallow`")
            && line.contains("docgate does not fetch"),
        "the exact fix: {line}"
    );
    assert!(!run.stderr.contains("fetching"), "{run:?}");
    assert_eq!(checkout_state(repo, clone), before, "the checkout changed");
    assert!(run.stdout.is_empty(), "no annotations: {run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert_eq!(gh.read("output.txt"), "", "no outputs");
    assert_no_token(&gh, &run, &requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn shallow_checkout_missing_the_base_is_exit_2_and_fetches_nothing() {
    let server = fresh_pr().await;
    let pr = Pr::of(pr_repo());
    let clone = clone_repo(&pr.repo, "shallow", &["--depth", "1"]);
    assert_eq!(
        git_in(&pr.repo, &clone, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    assert_eq!(git_in(&pr.repo, &clone, &["rev-parse", "HEAD"]), pr.head);
    assert_eq!(
        git_in(&pr.repo, &clone, &["rev-list", "--count", "HEAD"]),
        "1",
        "the base is not in the clone"
    );
    let lacks_base = format!("the checkout lacks the base commit {}", pr.base);
    let needles = [lacks_base.as_str(), "the clone is shallow"];
    assert_shallow_refused(&server, &pr.repo, &clone, &pr.event, &[], &needles).await;
    // The same without an origin: docgate never needed one.
    git_in(&pr.repo, &clone, &["remote", "remove", "origin"]);
    assert_shallow_refused(&server, &pr.repo, &clone, &pr.event, &[], &needles[..1]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn shallow_checkout_without_the_merge_base_is_exit_2_and_fetches_nothing() {
    let server = fresh_pr().await;
    let pr = Pr::of(pr_repo());
    // Both tips, one commit deep each: the merge-base is beyond the boundary.
    let clone = clone_repo(&pr.repo, "shallow", &["--depth", "1", "--no-single-branch"]);
    assert_eq!(
        git_in(&pr.repo, &clone, &["rev-parse", "origin/main"]),
        pr.base,
        "the base is in the clone"
    );
    let no_merge_base = format!(
        "the checkout has {} and {} but not their merge-base",
        pr.base, pr.head
    );
    let needles = [no_merge_base.as_str(), "the clone is shallow"];
    assert_shallow_refused(&server, &pr.repo, &clone, &pr.event, &[], &needles).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn push_of_a_new_branch_in_a_shallow_checkout_is_exit_2_and_fetches_nothing() {
    let server = fresh_pr().await;
    let (repo, base, _head) = pr_repo();
    let clone = clone_repo(&repo, "shallow", &["--depth", "1", "--no-single-branch"]);
    let head = topic_commit(&repo, &clone);
    let gh = Gh::new();
    let event = push_event(&gh, "topic", ZERO, &head);
    let no_merge_base = format!("the checkout has {base} and {head} but not their merge-base");
    let push = [("GITHUB_EVENT_NAME", "push")];
    assert_shallow_refused(&server, &repo, &clone, &event, &push, &[&no_merge_base]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn push_of_a_new_branch_without_the_default_branch_is_exit_2() {
    let server = fresh_pr().await;
    let (repo, _base, head) = pr_repo();
    // Full history of `feature` alone: no origin/main to compare with.
    let clone = clone_repo(&repo, "single", &["--single-branch", "--branch", "feature"]);
    let before = checkout_state(&repo, &clone);
    assert!(!before.contains("refs/remotes/origin/main"), "{before}");
    let gh = Gh::new();
    let event = push_event(&gh, "feature", ZERO, &head);
    let (run, requests) = on_push_in(&server, &repo, &gh, &event, &clone).await;
    assert_error(
        &run,
        "a push that creates a branch is compared with the default branch, but `origin/main` is \
         not in the checkout: set `fetch-depth: 0` on actions/checkout (it fetches every branch; \
         locally `git fetch origin main`); docgate does not fetch",
    );
    assert_eq!(
        checkout_state(&repo, &clone),
        before,
        "the checkout changed"
    );
    assert!(run.stdout.is_empty(), "no annotations: {run:?}");
    assert!(requests.is_empty(), "{:?}", calls(&requests));
    assert_no_token(&gh, &run, &requests);
}

// ---------------------------------------------------------------------------
// Variables that are not UTF-8: exit 2 naming the variable, never its value
// (it may be the token), never read as unset.

#[tokio::test(flavor = "multi_thread")]
async fn variables_that_are_not_utf8_are_exit_2_naming_them() {
    let (repo, base, head) = pr_repo();
    let bad = |v: &str| {
        let mut b = v.as_bytes().to_vec();
        b.push(0xff);
        b
    };
    let gh = Gh::new();
    let event = pr_event(&gh, 7, &base, &head);
    let event_s = event.display().to_string();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // Read as unset, it was `sticky`: a comment the user turned off.
        ("INPUT_COMMENT", bad("off")),
        ("GITHUB_EVENT_PATH", bad(&event_s)),
        ("GITHUB_TOKEN", bad(TOKEN)),
        ("INPUT_TOKEN", bad(TOKEN)),
        ("RUNNER_TEMP", bad("/tmp")),
        ("DOCGATE_GITHUB_TIMEOUT_MS", bad("100")),
        ("HOME", bad("/github/home")),
    ];
    for (key, value) in &cases {
        for post in [false, true] {
            let server = fresh_pr().await;
            let gh = Gh::new();
            let args: &[&str] = if post {
                &["post", "--report", "report.json"]
            } else {
                &[]
            };
            let run = tokio::task::block_in_place(|| {
                run_github_raw(
                    &repo,
                    &gh,
                    &server.uri(),
                    &event,
                    &[(key.as_bytes(), value)],
                    args,
                )
            });
            let requests = received(&server).await;
            assert_eq!(
                one_line(&run, "docgate: error:"),
                format!(
                    "docgate: error: the environment variable `{key}` is not valid UTF-8; docgate reads \
                     GITHUB_*, INPUT_*, RUNNER_*, DOCGATE_* and HOME as text"
                ),
                "{key} (post: {post}): {run:?}"
            );
            assert_eq!(run.code, 2, "{run:?}");
            assert!(run.stdout.is_empty(), "{run:?}");
            assert!(requests.is_empty(), "{:?}", calls(&requests));
            assert_eq!(gh.read("output.txt"), "", "no outputs");
            assert_no_token(&gh, &run, &requests);
        }
    }
    // A name that is not UTF-8 either, several at once, and a variable that
    // is none of docgate's (ignored).
    let server = fresh_pr().await;
    let gh = Gh::new();
    let run = tokio::task::block_in_place(|| {
        run_github_raw(
            &repo,
            &gh,
            &server.uri(),
            &event,
            &[
                (b"INPUT_\xffX", b"1"),
                (b"INPUT_COMMENT", b"\xff"),
                (b"LS_COLORS", b"\xff"),
            ],
            &[],
        )
    });
    assert_error(
        &run,
        "the environment variables `INPUT_COMMENT`, `INPUT_\u{FFFD}X` are not valid UTF-8",
    );
    assert!(!run.stderr.contains("LS_COLORS"), "{run:?}");
    assert!(received(&server).await.is_empty());
    // Only docgate's: a stray variable that is not UTF-8 changes nothing.
    let server = fresh_pr().await;
    let gh = Gh::new();
    let run = tokio::task::block_in_place(|| {
        run_github_raw(
            &repo,
            &gh,
            &server.uri(),
            &event,
            &[(b"LS_COLORS", b"\xff"), (b"INPUT_COMMENT", b"off")],
            &[],
        )
    });
    assert_eq!(run.code, 1, "the findings: {run:?}");
    assert!(received(&server).await.is_empty(), "comment: off");
}

// ---------------------------------------------------------------------------
// Action inputs: a misspelled name or value is exit 2 with the accepted
// values, in `github` and `github post` alike, before anything is posted.

const BAD_INPUTS: &[(&str, &str, &str)] = &[
    (
        "INPUT_COMMENT",
        "requierd",
        "the `comment` input must be sticky, off, required, not `requierd` (did you mean `required`?)",
    ),
    (
        "INPUT_FAIL-ON",
        "eror",
        "the `fail-on` input must be error, warning, not `eror` (did you mean `error`?)",
    ),
    (
        "INPUT_REVIEW-COMMENTS",
        "yes",
        "the `review-comments` input must be true, false, not `yes`",
    ),
    (
        "INPUT_COMENT",
        "off",
        "unknown input `coment` (did you mean `comment`?)",
    ),
];

#[tokio::test(flavor = "multi_thread")]
async fn github_refuses_misspelled_inputs() {
    for (key, value, needle) in BAD_INPUTS {
        let server = fresh_pr().await;
        let pr = Pr::of(pr_repo());
        let run = gh_run(&pr.repo, &pr.gh, &server, &pr.event, &[(key, value)], &[]);
        assert_error(&run, needle);
        assert!(
            run.stderr.contains(
                "the docgate action takes config, token, comment, review-comments, fail-on, report-out"
            ) || *key != "INPUT_COMENT",
            "{run:?}"
        );
        let requests = received(&server).await;
        assert!(requests.is_empty(), "{key}: {:?}", calls(&requests));
        assert_eq!(pr.gh.read("output.txt"), "", "{key}: no outputs written");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn github_post_refuses_misspelled_inputs() {
    let stage = stage_one().await;
    for (key, value, needle) in BAD_INPUTS {
        let server = MockServer::start().await;
        mount_post_side(&server, &stage.head).await;
        let (_gh, run, requests) = post(&stage, &server, &stage.report, &[(key, value)]).await;
        assert_error(&run, needle);
        if *key == "INPUT_COMENT" {
            assert!(
                run.stderr.contains(
                    "docgate's post action takes report, token, comment, review-comments, fail-on"
                ),
                "{run:?}"
            );
        }
        assert!(requests.is_empty(), "{key}: {:?}", calls(&requests));
    }
    // An input of the main action is not one of the post action's.
    let server = MockServer::start().await;
    mount_post_side(&server, &stage.head).await;
    let report_out = [("INPUT_REPORT-OUT", "x.json")];
    let (_gh, run, _requests) = post(&stage, &server, &stage.report, &report_out).await;
    assert_error(
        &run,
        "unknown input `report-out`; docgate's post action takes report, token, comment",
    );
}

/// SPEC §2.2 for the action: with stdout and stderr closed (a log collector
/// that went away), the step still fails on the findings.
#[tokio::test(flavor = "multi_thread")]
async fn github_keeps_the_verdict_with_closed_pipes() {
    let server = fresh_pr().await;
    let pr = Pr::of(pr_repo());
    let open = gh_run(&pr.repo, &pr.gh, &server, &pr.event, &[], &[]);
    assert_eq!(open.code, 1, "{open:?}");
    let env = [
        ("GITHUB_ACTIONS", "true".to_string()),
        ("GITHUB_EVENT_NAME", "pull_request".to_string()),
        ("GITHUB_EVENT_PATH", pr.event.display().to_string()),
        ("GITHUB_REPOSITORY", "acme/trading".to_string()),
        ("GITHUB_API_URL", server.uri()),
        ("GITHUB_TOKEN", TOKEN.to_string()),
        (
            "GITHUB_STEP_SUMMARY",
            pr.gh.file("summary2.md").display().to_string(),
        ),
        (
            "GITHUB_OUTPUT",
            pr.gh.file("output2.txt").display().to_string(),
        ),
        ("GITHUB_WORKSPACE", pr.repo.path().display().to_string()),
        ("RUNNER_TEMP", pr.gh.root().display().to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let code = tokio::task::block_in_place(|| pr.repo.docgate_closed_pipes(&["github"], &env));
    assert_eq!(code, Some(1));
    // It did its whole job: outputs and summary are files, not pipes.
    assert!(
        pr.gh.read("output2.txt").starts_with("errors=1\n"),
        "{}",
        pr.gh.read("output2.txt")
    );
    assert!(pr.gh.read("summary2.md").contains("doc-not-updated"));
}

/// `docgate github` honours `--output FORMAT=FILE` (SARIF for code scanning)
/// and refuses what it would otherwise ignore.
#[tokio::test(flavor = "multi_thread")]
async fn github_writes_extra_outputs_and_refuses_flags_it_cannot_honour() {
    let server = fresh_pr().await;
    let mut pr = Pr::of(pr_repo());
    let sarif = pr.gh.file("results.sarif");
    let arg = format!("sarif={}", sarif.display());
    let run = gh_run(
        &pr.repo,
        &pr.gh,
        &server,
        &pr.event,
        &[],
        &["--output", &arg],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(written["version"], "2.1.0");
    assert_eq!(
        written["runs"][0]["results"][0]["ruleId"], "doc-not-updated",
        "{written}"
    );
    for (args, needle) in [
        (
            &["--format", "json"][..],
            "`docgate github` writes workflow commands (annotations) to stdout; --format is for `docgate check`",
        ),
        (
            &["--output", "report.txt"][..],
            "`--output report.txt` needs a format (`--output sarif=report.txt`)",
        ),
        (
            &["post", "--report", "x.json", "--output", "sarif=x.sarif"][..],
            "`docgate github post` posts a report made elsewhere; it writes no --output files",
        ),
    ] {
        let server = MockServer::start().await;
        pr.next_job();
        let run = gh_run(&pr.repo, &pr.gh, &server, &pr.event, &[], args);
        assert_error(&run, needle);
        assert!(received(&server).await.is_empty(), "{args:?}");
    }
}
