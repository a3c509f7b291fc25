//! `docgate github`: the GitHub Actions entry. Resolves the event's range,
//! runs the check, writes annotations, the job summary and step outputs, then
//! publishes on the pull request (sticky comment, review comments). The
//! publishing layer only publishes a finished report. `post` is the fork-safe
//! second stage: it reads a report made by `--report-out` (untrusted input,
//! `untrusted`) and publishes that.

pub mod api;
pub mod cfg;
pub mod event;
pub mod post;
pub mod publish;
mod untrusted;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};

use crate::ExitStatus;
use crate::cli::{GithubAction, GithubArgs, GlobalArgs};
use crate::config::{CommentMode, Config};
use crate::diagnostic::Severity;
use crate::git::Repo;
use crate::git::change::{Change, Request};
use crate::report::markdown::{self, MAX_COMMENT_BYTES, MAX_SUMMARY_BYTES};
use crate::report::{self, Format, GithubSection, LineComment, Links, Report, Style};
use api::{Api, ApiError};
use event::{Env, Target};

/// Settings from the action's inputs, falling back to the config.
struct Settings {
    comment: CommentMode,
    review_comments: bool,
    fail_on: Severity,
}

fn settings(env: &Env, config: &Config, global: &GlobalArgs) -> Result<Settings> {
    let inputs = env.inputs(event::ACTION_INPUTS, "the docgate action")?;
    Ok(Settings {
        comment: inputs.comment.unwrap_or(config.github.comment),
        review_comments: inputs
            .review_comments
            .unwrap_or(config.github.review_comments),
        fail_on: inputs.fail_on.unwrap_or(global.fail_on).into(),
    })
}

/// Write `key=value` to the file GitHub reads step outputs from.
fn write_output(file: &str, key: &str, value: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(file)
        .with_context(|| format!("cannot write the step outputs to {file}"))?;
    if value.contains('\n') {
        writeln!(f, "{key}<<DOCGATE_EOF\n{value}\nDOCGATE_EOF")?;
    } else {
        writeln!(f, "{key}={value}")?;
    }
    Ok(())
}

fn append(file: &str, text: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(file)
        .with_context(|| format!("cannot write to {file}"))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

/// Where the full JSON report goes when no `report-out` was asked for. In a
/// Docker action the runner passes `RUNNER_TEMP` as the host's path, which is
/// not mounted in the container; `HOME` (`/github/home`) is.
fn default_report_path(env: &Env) -> PathBuf {
    ["RUNNER_TEMP", "HOME"]
        .iter()
        .filter_map(|k| env.get(k).map(PathBuf::from))
        .find(|p| p.is_dir())
        .unwrap_or_else(std::env::temp_dir)
        .join("docgate-report.json")
}

/// The fix for history the checkout lacks. docgate never fetches: it writes
/// nothing to the repository (SPEC §2.1, §10).
fn history_fix(shallow: bool) -> &'static str {
    if shallow {
        "the clone is shallow: set `fetch-depth: 0` on actions/checkout (locally: `git fetch --unshallow`); \
         docgate does not fetch, it never writes to the repository"
    } else {
        "set `fetch-depth: 0` on actions/checkout so that the checkout has every branch (locally: \
         `git fetch --unshallow`, or `git fetch origin <commit>`); docgate does not fetch, it never writes \
         to the repository"
    }
}

/// The commits a range needs must be in the checkout, with their merge-base;
/// otherwise exit 2 with the exact fix, never a fetch and never a guess.
fn require_history(repo: &Repo, base: &str, head: &str) -> Result<()> {
    let shallow = repo.is_shallow();
    let missing: Vec<String> = [("base", base), ("head", head)]
        .iter()
        .filter(|(_, sha)| repo.commit(sha).is_err())
        .map(|(what, sha)| format!("the {what} commit {sha}"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "the checkout lacks {}: {}",
            missing.join(" and "),
            history_fix(shallow)
        );
    }
    let (b, h) = (repo.commit(base)?, repo.commit(head)?);
    match repo.merge_base(b, h) {
        Ok(_) => Ok(()),
        Err(_) if shallow => bail!(
            "the checkout has {base} and {head} but not their merge-base: {}",
            history_fix(true)
        ),
        // Complete history without a merge-base: unrelated histories.
        Err(e) => Err(e),
    }
}

pub fn run(
    args: &GithubArgs,
    global: &GlobalArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<ExitStatus> {
    let env = Env::from_process()?;
    if env.get("GITHUB_ACTIONS") == Some("true") {
        // The runner mounts the workspace owned by another user than the
        // container's; libgit2 would refuse it as "dubious ownership". Inside
        // Actions the workspace is the job's own checkout.
        // SAFETY: called before any other libgit2 use, on one thread.
        unsafe { crate::git::allow_any_owner() }?;
    }
    let dir = match (&global.dir, env.workspace()) {
        (Some(_), _) | (None, None) => cwd.to_path_buf(),
        (None, Some(ws)) => ws,
    };
    // A flag docgate github would not honour is refused, never ignored.
    let is_post = matches!(args.action, Some(GithubAction::Post(_)));
    if global.format != Format::Text {
        bail!(
            "`docgate github{}` writes workflow commands (annotations) to stdout; --format is for \
             `docgate check`{}",
            if is_post { " post" } else { "" },
            if is_post {
                ""
            } else {
                ": write other formats with --output FORMAT=FILE"
            }
        );
    }
    if is_post && !global.output.is_empty() {
        bail!("`docgate github post` posts a report made elsewhere; it writes no --output files");
    }
    if let Some(bare) = global
        .output
        .iter()
        .find(|o| matches!(crate::output_spec(o), Ok((None, _))))
    {
        bail!(
            "`docgate github` keeps stdout for workflow commands: `--output {bare}` needs a format \
             (`--output sarif={bare}`); the JSON report goes to `--report-out`"
        );
    }
    // Misspelled inputs fail before anything runs.
    match &args.action {
        Some(GithubAction::Post(_)) => env.inputs(event::POST_INPUTS, "docgate's post action")?,
        None => env.inputs(event::ACTION_INPUTS, "the docgate action")?,
    };
    match &args.action {
        Some(GithubAction::Post(post_args)) => {
            post::run(&env, &post_args.report, global, &dir, stdout, stderr)
        }
        None => check_event(
            &env,
            args.report_out.as_deref(),
            global,
            &dir,
            stdout,
            stderr,
        ),
    }
}

fn config_path(env: &Env, global: &GlobalArgs) -> Option<PathBuf> {
    global
        .config
        .clone()
        .or_else(|| env.input("config").map(PathBuf::from))
}

/// `docgate github` on an event: check it, write everything that needs no
/// API, then publish on the pull request.
fn check_event(
    env: &Env,
    report_out: Option<&Path>,
    global: &GlobalArgs,
    dir: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<ExitStatus> {
    let event_name = env.event_name()?.to_string();
    let payload = env.payload()?;
    let target = event::target(&event_name, &payload)?;
    let (owner, name) = env.repository()?;
    let report_out = report_out
        .map(PathBuf::from)
        .or_else(|| env.input("report-out").map(PathBuf::from));

    let Some(mut checked) = check_target(&target, env, global, dir)? else {
        writeln!(
            stderr,
            "docgate: the push deleted a branch: nothing to check"
        )?;
        return Ok(ExitStatus::Clean);
    };
    let report_path = report_out
        .clone()
        .unwrap_or_else(|| default_report_path(env));
    let head_sha = attach_github(
        &mut checked,
        env,
        &event_name,
        &format!("{owner}/{name}"),
        &report_path,
    );
    // Everything that does not need the API first: it must reach the user
    // even when posting fails.
    write_results(
        &checked.report,
        env,
        global,
        dir,
        &report_path,
        stdout,
        stderr,
    )?;
    let status = if checked.report.failed() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    };

    if report_out.is_some() {
        writeln!(
            stderr,
            "docgate: --report-out given: nothing is posted here; `docgate github post --report` posts it"
        )?;
        return Ok(status);
    }
    let Some(pr) = checked.pull_request else {
        return Ok(status);
    };
    let mode = checked.settings.comment;
    if mode == CommentMode::Off {
        return Ok(status);
    }
    let result = Api::new(env.api_url(), env.token(), &owner, &name).and_then(|api| {
        publish_all(
            &api,
            pr,
            &checked.report,
            &checked.line_comments,
            checked.settings.review_comments,
            head_sha.as_deref(),
            stderr,
        )
    });
    finish(result, mode, status, stdout, stderr)
}

/// An event's finished report, with what publishing it needs.
struct EventReport {
    report: Report,
    settings: Settings,
    /// Findings on lines the pull request added.
    line_comments: Vec<LineComment>,
    pull_request: Option<u64>,
}

/// Check what the event names; `None` for a deleted branch (nothing to check).
fn check_target(
    target: &Target,
    env: &Env,
    global: &GlobalArgs,
    dir: &Path,
) -> Result<Option<EventReport>> {
    let (report, settings, line_comments, pull_request) = match target {
        Target::Deleted => return Ok(None),
        Target::Lint => {
            let repo = Repo::discover(dir)?;
            let snapshot = repo.workdir_snapshot()?;
            let config = crate::load_config(&repo, &config_path(env, global), dir, &snapshot)?;
            let settings = settings(env, &config, global)?;
            let report = crate::lint_report(&snapshot, &config, settings.fail_on)?;
            (report, settings, Vec::new(), None)
        }
        Target::Range {
            base,
            head,
            pull_request,
        } => {
            let repo = Repo::discover(dir)?;
            require_history(&repo, base, head)?;
            let request = Request::Revs {
                base: Some(base.clone()),
                head: Some(head.clone()),
                origin: "the event",
            };
            let (report, settings, lines) =
                range_report(&repo, env, global, dir, &request, pull_request.is_some())?;
            (report, settings, lines, *pull_request)
        }
        Target::NewBranch {
            head,
            default_branch,
        } => {
            let repo = Repo::discover(dir)?;
            let request = new_branch_request(&repo, head, default_branch)?;
            let (report, settings, lines) = range_report(&repo, env, global, dir, &request, false)?;
            (report, settings, lines, None)
        }
    };
    Ok(Some(EventReport {
        report,
        settings,
        line_comments,
        pull_request,
    }))
}

/// A push that creates a branch is compared with the default branch, which
/// must be in the checkout with the head and their merge-base.
fn new_branch_request(repo: &Repo, head: &str, default_branch: &str) -> Result<Request> {
    let base = format!("origin/{default_branch}");
    if repo.commit(head).is_err() {
        bail!(
            "the checkout lacks the head commit {head}: {}",
            history_fix(repo.is_shallow())
        );
    }
    let base_sha = repo
        .commit(&base)
        .map_err(|_| {
            anyhow!(
                "a push that creates a branch is compared with the default branch, but `{base}` is not in \
                 the checkout: set `fetch-depth: 0` on actions/checkout (it fetches every branch; locally \
                 `git fetch origin {default_branch}`); docgate does not fetch, it never writes to the \
                 repository"
            )
        })?
        .to_string();
    require_history(repo, &base_sha, head)?;
    Ok(Request::Revs {
        base: Some(base),
        head: Some(head.to_string()),
        origin: "the default branch",
    })
}

/// What the rendered report says about GitHub: links at the head commit,
/// where the full report is, and the `github` section `github post` reads.
/// Returns the head commit.
fn attach_github(
    checked: &mut EventReport,
    env: &Env,
    event_name: &str,
    repository: &str,
    report_path: &Path,
) -> Option<String> {
    let report = &mut checked.report;
    let head_sha = report
        .range
        .as_ref()
        .and_then(|r| r.head)
        .map(|h| h.to_string());
    report.links = head_sha.as_ref().map(|h| Links {
        server_url: env.server_url().to_string(),
        repository: repository.to_string(),
        head: h.clone(),
    });
    report.full_report = Some(format!("the job summary and {}", report_path.display()));
    report.github = Some(GithubSection {
        repository: repository.to_string(),
        event: event_name.to_string(),
        pull_request: checked.pull_request,
        head_sha: head_sha.clone(),
        server_url: env.server_url().to_string(),
        line_comments: checked.line_comments.clone(),
    });
    head_sha
}

/// The JSON report, the `--output` files, the annotations, the job summary,
/// the step outputs and the closing line on stderr.
fn write_results(
    report: &Report,
    env: &Env,
    global: &GlobalArgs,
    dir: &Path,
    report_path: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<()> {
    let style = Style {
        color: false,
        quiet: false,
    };
    let mut json_bytes = Vec::new();
    report::render(report, Format::Json, style, &mut json_bytes)?;
    std::fs::write(report_path, &json_bytes)
        .with_context(|| format!("cannot write the report to {}", report_path.display()))?;
    // `--output FORMAT=FILE`: extra reports (SARIF for code scanning), relative
    // to the workspace.
    crate::write_outputs(report, global, dir)?;
    report::render(report, Format::Github, style, stdout)?;
    if let Some(summary) = env.get("GITHUB_STEP_SUMMARY") {
        append(summary, &markdown::render(report, MAX_SUMMARY_BYTES))?;
    }
    let s = report.summary();
    if let Some(outputs) = env.get("GITHUB_OUTPUT") {
        write_output(outputs, "errors", &s.errors.to_string())?;
        write_output(outputs, "warnings", &s.warnings.to_string())?;
        write_output(outputs, "report", &report_path.display().to_string())?;
    }
    writeln!(
        stderr,
        "docgate: {} errors, {} warnings, {} notes; report at {}",
        s.errors,
        s.warnings,
        s.notes,
        report_path.display()
    )?;
    Ok(())
}

/// Report an API failure as one line (and a warning annotation); exit 2 only
/// when the comment is required.
pub(crate) fn finish(
    result: Result<(), ApiError>,
    mode: CommentMode,
    status: ExitStatus,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<ExitStatus> {
    match result {
        Ok(()) => Ok(status),
        Err(e) if mode == CommentMode::Required => Err(anyhow!(
            "could not post on the pull request (comment: required): {e}"
        )),
        Err(e) => {
            writeln!(
                stdout,
                "::warning title=docgate::{}",
                report::github_escape_data(&format!(
                    "could not post on the pull request: {e}. The findings are in the annotations and the job summary."
                ))
            )?;
            writeln!(
                stderr,
                "docgate: warning: could not post on the pull request: {e}"
            )?;
            Ok(status)
        }
    }
}

pub(crate) fn publish_all(
    api: &Api,
    pr: u64,
    report: &Report,
    line_comments: &[LineComment],
    review_comments: bool,
    head_sha: Option<&str>,
    stderr: &mut dyn Write,
) -> Result<(), ApiError> {
    let identity = api.identity()?;
    let body = markdown::render(report, MAX_COMMENT_BYTES);
    let sticky = publish::sticky(api, &identity, pr, &body, !report.diagnostics.is_empty())?;
    let what = match sticky {
        publish::Sticky::Created => "created",
        publish::Sticky::Updated => "updated",
        publish::Sticky::NotNeeded => "not needed (no findings, and none posted before)",
    };
    let _ = writeln!(stderr, "docgate: sticky comment {what} on #{pr}");
    if review_comments && let Some(head) = head_sha {
        match publish::review(api, &identity, pr, head, line_comments) {
            Ok(n) => {
                let _ = writeln!(stderr, "docgate: {n} new review comment(s) on #{pr}");
            }
            // A line GitHub does not accept (outside the diff as it sees it):
            // the finding is in the sticky comment already.
            Err(ApiError::Unprocessable(m)) => {
                let _ = writeln!(
                    stderr,
                    "docgate: warning: GitHub refused the review comments (422 {m}); those findings are in the sticky comment"
                );
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Check a range and collect the findings that sit on lines the change added.
fn range_report(
    repo: &Repo,
    env: &Env,
    global: &GlobalArgs,
    dir: &Path,
    request: &Request,
    want_lines: bool,
) -> Result<(Report, Settings, Vec<LineComment>)> {
    let change = Change::resolve(repo, request)?;
    let config = crate::load_config(repo, &config_path(env, global), dir, &change.head)?;
    let settings = settings(env, &config, global)?;
    let report = crate::check_report(&change, &config, settings.fail_on, None)?;
    let mut lines = Vec::new();
    if want_lines {
        let mut added_cache = std::collections::HashMap::new();
        for d in &report.diagnostics {
            let (Some(path), Some(line)) = (&d.path, d.line) else {
                continue;
            };
            if !added_cache.contains_key(path) {
                added_cache.insert(path.clone(), change.added_lines(repo, path)?);
            }
            if added_cache[path].contains(&line) {
                lines.push(LineComment {
                    path: path.clone(),
                    line,
                    fingerprint: report::fingerprint(d.rule.id, d.path.as_deref(), &d.message),
                    rule: d.rule.id.to_string(),
                    message: d.message.clone(),
                    help: d.help().to_string(),
                });
            }
        }
    }
    Ok((report, settings, lines))
}
