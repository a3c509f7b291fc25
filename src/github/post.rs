//! `docgate github post --report FILE`: the privileged half of the fork-safe
//! workflow. The report was produced by code from the pull request, so it is
//! untrusted input: bounded in size, validated field by field against the
//! schema docgate writes, rendered only through the escaping renderer, and
//! posted only to the pull request and head commit the event names.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::Value;

use super::api::{Api, ApiError, Method};
use super::event::{Env, is_sha};
use super::publish::LineComment;
use super::{finish, publish_all};
use crate::ExitStatus;
use crate::checks::{Checked, DocToRead};
use crate::cli::GlobalArgs;
use crate::config::CommentMode;
use crate::diagnostic::{self, Diagnostic, Severity, Waived};
use crate::git::change::{Mode, Range};
use crate::report::{Links, Report};

const MAX_REPORT_BYTES: u64 = 8 * 1024 * 1024;
const MAX_FINDINGS: usize = 5_000;
const MAX_TEXT: usize = 20_000;
const MAX_PATH: usize = 1_024;

struct Check<'a> {
    file: &'a str,
}

impl Check<'_> {
    fn fail(&self, what: &str, why: impl std::fmt::Display) -> anyhow::Error {
        anyhow!("{}: refusing an invalid report: {what} {why}", self.file)
    }

    fn text<'v>(&self, v: &'v Value, what: &str, max: usize) -> Result<&'v str> {
        let s = v
            .as_str()
            .ok_or_else(|| self.fail(what, "is not a string"))?;
        if s.chars().count() > max {
            return Err(self.fail(what, format!("is longer than {max} characters")));
        }
        Ok(s)
    }

    fn opt_text<'v>(
        &self,
        v: Option<&'v Value>,
        what: &str,
        max: usize,
    ) -> Result<Option<&'v str>> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => self.text(v, what, max).map(Some),
        }
    }

    fn path(&self, v: &Value, what: &str) -> Result<String> {
        let p = self.text(v, what, MAX_PATH)?;
        match crate::pattern::normalize(p) {
            Ok(n) if n == p && !p.ends_with('/') => Ok(p.to_string()),
            _ => Err(self.fail(
                what,
                format!("`{}` is not a repository-relative path", p.escape_debug()),
            )),
        }
    }

    fn number(&self, v: Option<&Value>, what: &str, max: u64) -> Result<Option<u64>> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n >= 1 && n <= max => Ok(Some(n)),
                _ => Err(self.fail(what, "is not a line or column number")),
            },
        }
    }

    fn sha(&self, v: Option<&Value>, what: &str) -> Result<String> {
        let s = v
            .and_then(Value::as_str)
            .ok_or_else(|| self.fail(what, "is missing"))?;
        if !is_sha(s) {
            return Err(self.fail(what, "is not a commit id"));
        }
        Ok(s.to_ascii_lowercase())
    }

    fn rule(&self, v: &Value, what: &str) -> Result<&'static diagnostic::Rule> {
        let id = self.text(v, what, 100)?;
        diagnostic::rule_by_id(id).ok_or_else(|| {
            self.fail(
                what,
                format!("`{}` is not a docgate rule", id.escape_debug()),
            )
        })
    }
}

/// A report file turned back into a [`Report`], with what posting needs.
pub struct Posted {
    report: Report,
    pull_request: u64,
    head_sha: String,
    line_comments: Vec<LineComment>,
}

pub fn parse(bytes: &[u8], file: &str, repository: &str, fail_on: Severity) -> Result<Posted> {
    let c = Check { file };
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| c.fail("the file", format!("is not JSON ({e})")))?;
    if v.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(c.fail("`version`", "is not 1"));
    }
    if v.pointer("/tool/name").and_then(Value::as_str) != Some("docgate") {
        return Err(c.fail("`tool.name`", "is not docgate"));
    }
    let gh = v.get("github").ok_or_else(|| {
        c.fail(
            "`github`",
            "is missing: make it with `docgate github --report-out`",
        )
    })?;
    let repo = c.text(
        gh.get("repository").unwrap_or(&Value::Null),
        "`github.repository`",
        200,
    )?;
    if repo != repository {
        return Err(c.fail(
            "`github.repository`",
            format!("is `{repo}`, but this workflow runs in {repository}"),
        ));
    }
    let pull_request = c
        .number(
            gh.get("pull_request"),
            "`github.pull_request`",
            u64::from(u32::MAX),
        )?
        .ok_or_else(|| {
            c.fail(
                "`github.pull_request`",
                "is missing: the report is not from a pull request",
            )
        })?;
    let head_sha = c.sha(gh.get("head_sha"), "`github.head_sha`")?;

    let findings = v
        .get("findings")
        .and_then(Value::as_array)
        .ok_or_else(|| c.fail("`findings`", "is not a list"))?;
    if findings.len() > MAX_FINDINGS {
        return Err(c.fail(
            "`findings`",
            format!("has more than {MAX_FINDINGS} entries"),
        ));
    }
    let mut diagnostics = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let at = |k: &str| format!("`findings[{i}].{k}`");
        let rule = c.rule(f.get("rule").unwrap_or(&Value::Null), &at("rule"))?;
        let sev = c
            .text(
                f.get("severity").unwrap_or(&Value::Null),
                &at("severity"),
                10,
            )?
            .parse::<Severity>()
            .map_err(|e| c.fail(&at("severity"), format!("is not {}", e.or_list())))?;
        let mut d = Diagnostic::new(
            rule,
            c.text(
                f.get("message").unwrap_or(&Value::Null),
                &at("message"),
                MAX_TEXT,
            )?,
        );
        d.severity = sev;
        d.path = match f.get("path") {
            None | Some(Value::Null) => None,
            Some(p) => Some(c.path(p, &at("path"))?),
        };
        d.line = c
            .number(f.get("line"), &at("line"), 10_000_000)?
            .map(|n| n as usize);
        d.column = c
            .number(f.get("column"), &at("column"), 1_000_000)?
            .map(|n| n as usize);
        if let Some(docs) = f.get("docs").and_then(Value::as_array) {
            for id in docs.iter().take(100) {
                d.docs.push(c.text(id, &at("docs[]"), 200)?.to_string());
            }
        }
        if let Some(w) = f.get("waived").filter(|w| !w.is_null()) {
            d.waived = Some(Waived {
                reason: c
                    .text(
                        w.get("reason").unwrap_or(&Value::Null),
                        &at("waived.reason"),
                        2_000,
                    )?
                    .to_string(),
                commit: c
                    .text(
                        w.get("commit").unwrap_or(&Value::Null),
                        &at("waived.commit"),
                        64,
                    )?
                    .to_string(),
            });
        }
        diagnostics.push(d);
    }

    let mut docs_to_read = Vec::new();
    if let Some(list) = v.get("docs_to_read").and_then(Value::as_array) {
        for (i, doc) in list.iter().take(1_000).enumerate() {
            let at = |k: &str| format!("`docs_to_read[{i}].{k}`");
            let mut covers = Vec::new();
            for p in doc
                .get("covers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .take(1_000)
            {
                covers.push(c.path(p, &at("covers[]"))?);
            }
            docs_to_read.push(DocToRead {
                id: c.opt_text(doc.get("id"), &at("id"), 200)?.map(String::from),
                title: c
                    .opt_text(doc.get("title"), &at("title"), 500)?
                    .map(String::from),
                path: c.path(doc.get("path").unwrap_or(&Value::Null), &at("path"))?,
                covers,
            });
        }
    }

    let mut line_comments = Vec::new();
    for (i, l) in gh
        .get("line_comments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(1_000)
        .enumerate()
    {
        let at = |k: &str| format!("`github.line_comments[{i}].{k}`");
        let rule = c.rule(l.get("rule").unwrap_or(&Value::Null), &at("rule"))?;
        let fingerprint = c.text(
            l.get("fingerprint").unwrap_or(&Value::Null),
            &at("fingerprint"),
            16,
        )?;
        if fingerprint.len() != 16 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(c.fail(&at("fingerprint"), "is not 16 hex digits"));
        }
        line_comments.push(LineComment {
            path: c.path(l.get("path").unwrap_or(&Value::Null), &at("path"))?,
            line: c
                .number(l.get("line"), &at("line"), 10_000_000)?
                .ok_or_else(|| c.fail(&at("line"), "is missing"))? as usize,
            fingerprint: fingerprint.to_string(),
            rule: rule.id.to_string(),
            message: c
                .text(
                    l.get("message").unwrap_or(&Value::Null),
                    &at("message"),
                    MAX_TEXT,
                )?
                .to_string(),
            // The help text is docgate's own, never the report's.
            help: rule.help.to_string(),
        });
    }

    // The layers the run checked: the clean status line names them.
    let mut layers = Vec::new();
    match v.pointer("/checked/layers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) if list.len() <= 20 => {
            for (i, l) in list.iter().enumerate() {
                layers.push(
                    c.text(l, &format!("`checked.layers[{i}]`"), 200)?
                        .to_string(),
                );
            }
        }
        Some(_) => return Err(c.fail("`checked.layers`", "is not a list of at most 20 layers")),
    }
    let checked = Checked {
        layers,
        changed_files: count(&v, "/checked/changed_files"),
        ignored_files: count(&v, "/checked/ignored_files"),
        covered_files: count(&v, "/checked/covered_files"),
        docs: count(&v, "/checked/docs"),
        commits: count(&v, "/checked/commits"),
        ..Checked::default()
    };
    // Stage one checks `merge-base(base, head)..head` and writes that
    // merge-base: a pull request's report without it is not one docgate made,
    // and the comment could not say how to reproduce it.
    let base = match v.pointer("/range/base") {
        None | Some(Value::Null) => {
            return Err(c.fail(
                "`range.base`",
                "is missing: a pull request's report names the merge-base it checked from",
            ));
        }
        Some(b) => c.sha(Some(b), "`range.base`")?,
    };
    let oid = |what: &str, sha: &str| {
        crate::git::parse_object_id(sha).ok_or_else(|| c.fail(what, "is not a commit id"))
    };
    let range = Range {
        mode: Mode::Range,
        base_rev: Some(base.clone()),
        base_origin: "the report",
        head_rev: Some(head_sha.clone()),
        base: Some(oid("`range.base`", &base)?),
        head: Some(oid("`github.head_sha`", &head_sha)?),
    };
    let mut report = Report::new(
        "check",
        Some(range),
        checked,
        diagnostics,
        Vec::new(),
        fail_on,
    );
    report.docs_to_read = docs_to_read;
    Ok(Posted {
        report,
        pull_request,
        head_sha,
        line_comments,
    })
}

fn count(v: &Value, pointer: &str) -> usize {
    v.pointer(pointer)
        .and_then(Value::as_u64)
        .map_or(0, |n| n.min(u64::from(u32::MAX)) as usize)
}

/// The report against the verdict of the run that made it
/// (`workflow_run.conclusion`). A failed run whose report says nothing fails
/// is refused: posting it would put a ✅ on a pull request whose check
/// failed. A successful run whose report has findings is posted as reported
/// (stage one's docgate step may be advisory, `continue-on-error`, or this
/// step's `fail-on` lower): a report can only make itself look worse than the
/// run, never better. No conclusion (a run still in progress): nothing to
/// compare with.
fn check_conclusion(payload: &Value, report: &Report, file: &str) -> Result<()> {
    let conclusion = match payload.pointer("/workflow_run/conclusion") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(c)) => c.as_str(),
        Some(_) => {
            bail!("the workflow_run event payload's `workflow_run.conclusion` is not a string")
        }
    };
    match conclusion {
        "success" => Ok(()),
        "failure" if report.failed() => Ok(()),
        "failure" => {
            let s = report.summary();
            let fail_on = report.fail_on.as_str();
            bail!(
                "{file}: refusing the report: it claims no finding at or above `{fail_on}` ({} error{}, {} warning{}), \
                 but the workflow run that made it failed (`workflow_run.conclusion` is `failure`): the report \
                 contradicts the run that made it; nothing is posted. Run docgate alone in stage one, with the \
                 same `fail-on` as this step",
                s.errors,
                if s.errors == 1 { "" } else { "s" },
                s.warnings,
                if s.warnings == 1 { "" } else { "s" },
            )
        }
        other => bail!(
            "the workflow run that made the report ended `{}`, not `success` or `failure`: its report is no \
             verdict; nothing is posted",
            other.escape_debug()
        ),
    }
}

pub fn run(
    env: &Env,
    report_file: &Path,
    global: &GlobalArgs,
    _dir: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<ExitStatus> {
    let event = env.event_name()?;
    if event != "workflow_run" {
        bail!(
            "`docgate github post` runs in a workflow_run job (this event is `{event}`); it posts a report made by `docgate github --report-out`"
        );
    }
    let payload = env.payload()?;
    let run_head = payload
        .pointer("/workflow_run/head_sha")
        .and_then(Value::as_str)
        .filter(|s| is_sha(s))
        .ok_or_else(|| anyhow!("the workflow_run event payload has no `workflow_run.head_sha`"))?
        .to_ascii_lowercase();
    let (owner, name) = env.repository()?;
    let repository = format!("{owner}/{name}");
    let file = report_file.display().to_string();
    let meta =
        std::fs::metadata(report_file).with_context(|| format!("cannot read the report {file}"))?;
    if meta.len() > MAX_REPORT_BYTES {
        bail!(
            "{file}: refusing a report of {} bytes (the limit is {MAX_REPORT_BYTES})",
            meta.len()
        );
    }
    let bytes =
        std::fs::read(report_file).with_context(|| format!("cannot read the report {file}"))?;
    let inputs = env.inputs(super::event::POST_INPUTS, "docgate's post action")?;
    let fail_on = inputs.fail_on.unwrap_or(global.fail_on).into();
    let mut posted = parse(&bytes, &file, &repository, fail_on)?;
    if posted.head_sha != run_head {
        bail!(
            "{file}: refusing the report: it is for commit {}, but the workflow run that made it checked {run_head}",
            posted.head_sha
        );
    }
    check_conclusion(&payload, &posted.report, &file)?;
    posted.report.links = Some(Links {
        server_url: env.server_url().to_string(),
        repository: repository.clone(),
        head: posted.head_sha.clone(),
    });
    let mode = inputs.comment.unwrap_or(CommentMode::Sticky);
    let status = if posted.report.failed() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    };
    if mode == CommentMode::Off {
        return Ok(status);
    }
    let review = inputs.review_comments.unwrap_or(true);
    let result = Api::new(env.api_url(), env.token(), &owner, &name)
        .map_err(Refused::Api)
        .and_then(|api| publish_checked(&api, &posted, review, stderr));
    match result {
        // A head mismatch is never just a warning: it may be a forged report.
        Err(Refused::Moved(m)) => bail!("{m}"),
        Err(Refused::Api(e)) => finish(Err(e), mode, status, stdout, stderr),
        Ok(()) => finish(Ok(()), mode, status, stdout, stderr),
    }
}

/// Why nothing was posted.
enum Refused {
    /// The API failed: a warning, or exit 2 with `comment: required`.
    Api(ApiError),
    /// The pull request is not at the reported head: always exit 2.
    Moved(String),
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Refused {
        Refused::Api(e)
    }
}

/// Post the report on its pull request, once the pull request is at the
/// reported head: the report names a pull request; it must be the one whose
/// head the event's run checked, or a tampered report could post anywhere.
fn publish_checked(
    api: &Api,
    posted: &Posted,
    review: bool,
    stderr: &mut dyn Write,
) -> Result<(), Refused> {
    let pr = posted.pull_request;
    let pull = api
        .send(Method::Get, &api.repo_path(&format!("/pulls/{pr}")), None)?
        .json()?;
    let pr_head = pull
        .pointer("/head/sha")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if pr_head != posted.head_sha {
        return Err(Refused::Moved(format!(
            "pull request #{pr} is at {pr_head}, not at the reported {}: refusing to post a report for another commit",
            posted.head_sha
        )));
    }
    publish_all(
        api,
        pr,
        &posted.report,
        &posted.line_comments,
        review,
        Some(&posted.head_sha),
        stderr,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BASE: &str = "12a02e3469d1594eed42f28d82e4e163c910384c";
    const HEAD: &str = "a823b83052d268beaf18b451b4a2e23ef8d967c5";

    /// A report as `docgate github --report-out` writes it: one finding on a
    /// line the pull request added, one doc to read.
    fn report(base: &str, head: &str) -> Value {
        json!({
            "version": 1,
            "tool": {"name": "docgate", "version": "0.1.0"},
            "command": "check",
            "range": {"mode": "range", "base": base, "head": head, "base_ref": base, "head_ref": head},
            "checked": {
                "changed_files": 3, "ignored_files": 1, "covered_files": 1, "docs": 1,
                "docs_changed": 1, "docs_unreadable": 0, "key_files": 1, "commits": 1,
                "layers": ["docs (docs)"], "feature_lists": []
            },
            "findings": [{
                "rule": "frontmatter-invalid", "severity": "error",
                "message": "`last_updated` must be a date written YYYY-MM-DD, found `2026-13-45`",
                "path": "docs/ops/app.md", "line": 6, "column": 15, "docs": [],
                "help": "fix the frontmatter", "waived": null
            }],
            "summary": {"errors": 1, "warnings": 0, "notes": 0, "waived": 0},
            "docs_to_read": [{"id": "ops-01", "title": "App", "path": "docs/ops/app.md", "covers": ["src/app.py"]}],
            "github": {
                "event": "pull_request", "head_sha": head,
                "line_comments": [{
                    "fingerprint": "4edfc70285c7bad5", "help": "fix the frontmatter", "line": 6,
                    "message": "`last_updated` must be a date written YYYY-MM-DD, found `2026-13-45`",
                    "path": "docs/ops/app.md", "rule": "frontmatter-invalid"
                }],
                "pull_request": 7, "repository": "octo/repo", "server_url": "https://github.com"
            }
        })
    }

    fn parsed(v: &Value) -> Result<Posted> {
        parse(
            v.to_string().as_bytes(),
            "report.json",
            "octo/repo",
            Severity::Error,
        )
    }

    /// The outcome of `docgate github post` in process, against a GitHub
    /// served by wiremock on 127.0.0.1.
    struct Posting {
        result: Result<ExitStatus>,
        stdout: String,
        stderr: String,
    }

    /// A wiremock GitHub where pull request #7 is at `pr_head` and creating
    /// the sticky comment answers `create_status`.
    fn github(
        pr_head: &str,
        create_status: u16,
    ) -> (tokio::runtime::Runtime, wiremock::MockServer) {
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, ResponseTemplate};
        let rt = tokio::runtime::Runtime::new().expect("a runtime");
        let server = rt.block_on(async {
            let server = wiremock::MockServer::start().await;
            let answer =
                |status: u16, body: Value| ResponseTemplate::new(status).set_body_json(body);
            Mock::given(method("GET"))
                .and(path("/repos/octo/repo/pulls/7"))
                .respond_with(answer(200, json!({"number": 7, "head": {"sha": pr_head}})))
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path("/user"))
                .respond_with(answer(
                    403,
                    json!({"message": "Resource not accessible by integration"}),
                ))
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path("/repos/octo/repo/issues/7/comments"))
                .respond_with(answer(200, json!([])))
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .and(path("/repos/octo/repo/issues/7/comments"))
                .respond_with(answer(
                    create_status,
                    json!({"id": 1, "message": "Conflict"}),
                ))
                .mount(&server)
                .await;
            server
        });
        (rt, server)
    }

    fn post(server: &wiremock::MockServer, report: &Value, inputs: &[(&str, &str)]) -> Posting {
        use clap::Parser as _;
        let dir = tempfile::tempdir().expect("a temp dir");
        let file = dir.path().join("report.json");
        std::fs::write(&file, report.to_string()).unwrap();
        let event = dir.path().join("event.json");
        std::fs::write(
            &event,
            json!({"workflow_run": {"head_sha": HEAD, "conclusion": "failure"}}).to_string(),
        )
        .unwrap();
        let mut vars = vec![
            ("GITHUB_EVENT_NAME".to_string(), "workflow_run".to_string()),
            ("GITHUB_EVENT_PATH".into(), event.display().to_string()),
            ("GITHUB_REPOSITORY".into(), "octo/repo".into()),
            ("GITHUB_API_URL".into(), server.uri()),
            ("GITHUB_TOKEN".into(), "ghs_test".into()),
        ];
        vars.extend(inputs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let env = Env::from_vars(vars.into_iter().map(|(k, v)| (k.into(), v.into()))).unwrap();
        let cli = crate::cli::Cli::try_parse_from(["docgate", "github", "post", "--report", "r"])
            .unwrap();
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let result = run(
            &env,
            &file,
            &cli.global,
            dir.path(),
            &mut stdout,
            &mut stderr,
        );
        Posting {
            result,
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        }
    }

    /// A 409 from GitHub is an API failure like any other: a warning, and
    /// the exit code of the findings. It was taken for docgate's own
    /// "the pull request moved on" signal (a fake `ApiError::Other(409)`)
    /// and made the post exit 2, forged-report style.
    #[test]
    fn a_409_from_github_is_an_api_failure() {
        let (_rt, server) = github(HEAD, 409);
        let p = post(&server, &report(BASE, HEAD), &[]);
        assert_eq!(p.result.unwrap(), ExitStatus::Findings, "{}", p.stderr);
        assert!(
            p.stdout.starts_with(
                "::warning title=docgate::could not post on the pull request: GitHub answered 409"
            ),
            "{}",
            p.stdout
        );
        assert!(
            p.stderr.contains("docgate: warning: could not post"),
            "{}",
            p.stderr
        );
        let p = post(
            &server,
            &report(BASE, HEAD),
            &[("INPUT_COMMENT", "required")],
        );
        let e = p.result.unwrap_err().to_string();
        assert!(
            e.starts_with(
                "could not post on the pull request (comment: required): GitHub answered 409"
            ),
            "{e}"
        );
    }

    /// A pull request at another head than the report's is refused outright,
    /// whatever `comment` says: the report may be forged.
    #[test]
    fn a_pull_request_at_another_head_is_refused_even_when_comments_are_optional() {
        let (_rt, server) = github(BASE, 201);
        let p = post(&server, &report(BASE, HEAD), &[]);
        assert_eq!(
            p.result.unwrap_err().to_string(),
            format!(
                "pull request #7 is at {BASE}, not at the reported {HEAD}: refusing to post a report for another commit"
            )
        );
        assert_eq!(p.stdout, "");
        let requests = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(server.received_requests())
            .expect("recorded");
        let created = requests
            .iter()
            .filter(|r| r.method.as_str() != "GET")
            .count();
        assert_eq!(created, 0);
    }

    #[test]
    fn a_report_docgate_wrote_is_read() {
        let posted = parsed(&report(BASE, HEAD)).expect("valid");
        assert_eq!(posted.pull_request, 7);
        assert_eq!(posted.head_sha, HEAD);
        let range = posted.report.range.as_ref().expect("a range");
        assert_eq!(range.base.map(|o| o.to_string()).as_deref(), Some(BASE));
        assert_eq!(range.head.map(|o| o.to_string()).as_deref(), Some(HEAD));
        assert_eq!(posted.report.diagnostics.len(), 1);
        assert_eq!(posted.line_comments.len(), 1);
        assert_eq!(posted.report.docs_to_read.len(), 1);
    }

    /// docgate opens SHA-256 repositories, and `is_sha` takes 64 digits: the
    /// ids of such a report are commit ids too (they were refused as "not a
    /// commit id": `Oid::from_str` reads SHA-1 only).
    #[test]
    fn sha256_commit_ids_are_read() {
        let (base, head) = ("1".repeat(64), "a".repeat(64));
        let posted = parsed(&report(&base, &head)).expect("valid");
        let range = posted.report.range.as_ref().expect("a range");
        assert_eq!(range.base.map(|o| o.to_string()), Some(base));
        assert_eq!(range.head.map(|o| o.to_string()), Some(head));
    }
}
