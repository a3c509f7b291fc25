//! `docgate pre-push`: the gate before code leaves the machine.
//!
//! git runs the hook as `pre-push <remote> <url>` with one line per pushed ref
//! on stdin (`src/git/prepush.rs` parses them and picks each ref's range). Every
//! ref is checked like `docgate check`, the reports go to stderr together, and
//! one failing ref blocks the whole push (exit 1). Under the pre-commit
//! framework there is no ref list: pre-commit reads it and passes one ref in
//! `PRE_COMMIT_*` variables, so `docgate pre-push` without arguments reads those.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};

use crate::cli::{GlobalArgs, PrePushArgs};
use crate::config::Config;
use crate::diagnostic::{Waivability, waivability};
use crate::git::Repo;
use crate::git::change::{Change, Request};
use crate::git::prepush::{self, Plan};
use crate::report::{self, Format, Report, Style};
use crate::{ExitStatus, check_report, fail_on, load_config};

/// One pushed ref and what to do with it.
struct Target {
    /// `refs/heads/topic -> refs/heads/topic`
    label: String,
    plan: Result<Plan>,
}

/// A checked ref's report and the config it was checked with.
struct Checked {
    label: String,
    report: Report,
    config: Config,
}

pub fn pre_push(
    args: &PrePushArgs,
    global: &GlobalArgs,
    cwd: &Path,
    stdin: &mut dyn Read,
    stdin_is_terminal: bool,
    stderr: &mut dyn Write,
) -> Result<ExitStatus> {
    if global.format != Format::Text || !global.output.is_empty() {
        bail!(
            "`docgate pre-push` writes a text report to stderr for the person pushing; \
             --format and --output are for `docgate check`"
        );
    }
    let repo = Repo::discover(cwd)?;
    let Some((remote, targets)) = targets(args, &repo, stdin, stdin_is_terminal, stderr)? else {
        return Ok(ExitStatus::Clean);
    };
    let style = Style {
        color: crate::output::use_color(global.color, std::io::stderr().is_terminal()),
        quiet: global.quiet,
    };
    let n = targets.len();
    if !global.quiet {
        writeln!(
            stderr,
            "docgate pre-push: checking {n} ref{} pushed to {remote}",
            if n == 1 { "" } else { "s" }
        )?;
    }
    let (checked, errors) = check_targets(targets, &repo, global, cwd, style, stderr)?;
    let failed: Vec<&Checked> = checked.iter().filter(|c| c.report.failed()).collect();
    if !failed.is_empty() {
        ways_forward(&failed, stderr)?;
    }
    stderr.flush()?;
    if errors > 0 {
        return Err(anyhow!(
            "could not check {errors} of {n} ref{} (see above), so the push is blocked; \
             `git push --no-verify` is git's own bypass",
            if n == 1 { "" } else { "s" }
        ));
    }
    Ok(if failed.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    })
}

/// The refs to check and where they go: from git's list on stdin (a real
/// hook), or the pre-commit framework's variables. `None`: nothing to check.
fn targets(
    args: &PrePushArgs,
    repo: &Repo,
    stdin: &mut dyn Read,
    stdin_is_terminal: bool,
    stderr: &mut dyn Write,
) -> Result<Option<(String, Vec<Target>)>> {
    Ok(Some(match (&args.remote, &args.url) {
        (Some(remote), Some(url)) => {
            if stdin_is_terminal {
                bail!(
                    "`docgate pre-push {remote} {url}` reads the refs being pushed from stdin, \
                     as git writes them to a pre-push hook; git runs it for you once the hook \
                     is installed (`docgate install`). To check a range by hand: \
                     `docgate check --base <rev>`"
                );
            }
            let mut input = Vec::new();
            stdin
                .read_to_end(&mut input)
                .context("cannot read the ref list on stdin")?;
            let updates = prepush::parse(&input)?;
            if updates.is_empty() {
                // git sends no refs when there is nothing to push. But an
                // empty stdin is also what docgate sees when another command
                // in the same hook read it first (`git lfs pre-push "$@"`
                // before docgate): then "nothing to check" would let the push
                // through unchecked. Pass only when no branch has commits
                // the remote lacks.
                let ahead = repo.branches_ahead(remote)?;
                if !ahead.is_empty() {
                    bail!(
                        "git sent no refs on stdin, but {} {} {} commits that {remote} does not \
                         have; if another command in this hook reads stdin first (git lfs \
                         pre-push does), give docgate its own copy: \
                         `input=$(cat); printf '%s\\n' \"$input\" | git lfs pre-push \"$@\" && \
                         printf '%s\\n' \"$input\" | docgate pre-push \"$@\"`",
                        if ahead.len() == 1 {
                            "branch"
                        } else {
                            "branches"
                        },
                        ahead.join(", "),
                        if ahead.len() == 1 { "has" } else { "have" }
                    );
                }
                writeln!(
                    stderr,
                    "docgate pre-push: nothing to check (git sent no refs, and every branch is on {remote})"
                )?;
                return Ok(None);
            }
            let targets = updates
                .iter()
                .map(|u| Target {
                    label: format!("{} -> {}", u.local_ref, u.remote_ref),
                    plan: repo.plan_push(u, remote),
                })
                .collect::<Vec<_>>();
            (format!("{remote} ({url})"), targets)
        }
        _ => pre_commit_target(repo)?,
    }))
}

/// Check each target, writing its report; the reports and how many could
/// not be checked.
fn check_targets(
    targets: Vec<Target>,
    repo: &Repo,
    global: &GlobalArgs,
    cwd: &Path,
    style: Style,
    stderr: &mut dyn Write,
) -> Result<(Vec<Checked>, usize)> {
    let mut checked: Vec<Checked> = Vec::new();
    let mut errors = 0;
    for target in targets {
        let plan = match target.plan {
            Ok(plan) => plan,
            Err(e) => {
                errors += 1;
                writeln!(stderr, "{}: error: {e:#}", target.label)?;
                continue;
            }
        };
        match plan {
            Plan::Skip { reason } => {
                if !global.quiet {
                    writeln!(stderr, "{}: skipped: {reason}", target.label)?;
                }
            }
            Plan::Check {
                request,
                base,
                head,
                notes,
            } => {
                for note in &notes {
                    writeln!(stderr, "{}: note: {note}", target.label)?;
                }
                match check_one(repo, &request, &head, global, cwd) {
                    Ok((report, config)) => {
                        if !global.quiet || report.failed() {
                            writeln!(stderr, "\n{} ({base})", target.label)?;
                        }
                        report::render(&report, Format::Text, style, stderr)?;
                        checked.push(Checked {
                            label: target.label,
                            report,
                            config,
                        });
                    }
                    Err(e) => {
                        errors += 1;
                        writeln!(stderr, "{}: error: {e:#}", target.label)?;
                    }
                }
            }
        }
    }
    Ok((checked, errors))
}

fn check_one(
    repo: &Repo,
    request: &Request,
    head: &str,
    global: &GlobalArgs,
    cwd: &Path,
) -> Result<(Report, Config)> {
    let mut change = Change::resolve(repo, request)?;
    // Name the commits briefly in the summary line.
    if let Request::Revs { base: Some(b), .. } = request {
        change.range.base_rev = Some(b.chars().take(12).collect());
    }
    change.range.head_rev = Some(head.to_string());
    let config = load_config(repo, &global.config, cwd, &change.head)?;
    let mut report = check_report(&change, &config, fail_on(global), None)?;
    report.command = "pre-push";
    Ok((report, config))
}

/// The one ref the pre-commit framework passes (it reads git's list itself
/// and stops at the first ref with something to push).
fn pre_commit_target(repo: &Repo) -> Result<(String, Vec<Target>)> {
    let remote = crate::pre_commit_var("PRE_COMMIT_REMOTE_NAME")?;
    let local_ref = crate::pre_commit_var("PRE_COMMIT_LOCAL_BRANCH")?;
    let remote_ref = crate::pre_commit_var("PRE_COMMIT_REMOTE_BRANCH")?;
    let label = format!(
        "{} -> {}",
        local_ref.as_deref().unwrap_or("?"),
        remote_ref.as_deref().unwrap_or("?")
    );
    let shown_remote = remote.clone().unwrap_or_else(|| "the remote".into());
    if let Some((from, to)) = crate::pre_commit_range()? {
        let plan = Plan::Check {
            base: format!("PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, {from:.12}..{to:.12}"),
            head: local_ref
                .clone()
                .unwrap_or_else(|| to.chars().take(12).collect()),
            request: Request::Revs {
                base: Some(from),
                head: Some(to),
                origin: "PRE_COMMIT_FROM_REF",
            },
            notes: Vec::new(),
        };
        return Ok((
            shown_remote,
            vec![Target {
                label,
                plan: Ok(plan),
            }],
        ));
    }
    // pre-commit sets no range when the push includes a root commit: apply
    // docgate's own rule for a ref the remote does not have.
    match (remote, local_ref) {
        (Some(remote), Some(local)) => {
            let update = repo.pushed_ref(&local, remote_ref.as_deref().unwrap_or("?"))?;
            let plan = repo.plan_push(&update, &remote);
            Ok((shown_remote, vec![Target { label, plan }]))
        }
        _ => bail!(
            "`docgate pre-push` needs the remote and its URL as arguments and git's ref list \
             on stdin (`docgate pre-push <remote> <url>`, as git runs a pre-push hook), or, \
             under the pre-commit framework's pre-push stage, the PRE_COMMIT_FROM_REF and \
             PRE_COMMIT_TO_REF (or PRE_COMMIT_REMOTE_NAME and PRE_COMMIT_LOCAL_BRANCH) \
             variables; none of these were given"
        ),
    }
}

/// The closing lines of a blocked push: the two ways forward, and git's bypass.
fn ways_forward(failed: &[&Checked], out: &mut dyn Write) -> Result<()> {
    let mut docs: Vec<&str> = Vec::new();
    let mut waivable: Vec<(&str, Option<&str>)> = Vec::new();
    let mut unwaivable: Vec<&str> = Vec::new();
    let mut trailer = "Docgate-Waive";
    for c in failed {
        trailer = &c.config.waivers.trailer;
        for d in c
            .report
            .diagnostics
            .iter()
            .filter(|d| d.severity >= c.report.fail_on)
        {
            for doc in &d.docs {
                if !docs.contains(&doc.as_str()) {
                    docs.push(doc);
                }
            }
            let can_waive =
                waivability(d.rule.id, &c.config.waivers.rules) == Waivability::Waivable;
            if can_waive {
                let example = (d.rule.id, d.docs.first().map(String::as_str));
                if !waivable.contains(&example) {
                    waivable.push(example);
                }
            } else if !unwaivable.contains(&d.rule.id) {
                unwaivable.push(d.rule.id);
            }
        }
    }
    let refs: Vec<&str> = failed.iter().map(|c| c.label.as_str()).collect();
    writeln!(out)?;
    writeln!(
        out,
        "docgate: push blocked: {} failed the gate (documentation update is part of the fix). Two ways forward:",
        refs.join(", ")
    )?;
    if docs.is_empty() {
        writeln!(
            out,
            "  1. fix what the findings above name in a new commit, then push again;"
        )?;
    } else {
        writeln!(
            out,
            "  1. update the runbooks named above ({}) in a new commit, then push again;",
            docs.join(", ")
        )?;
    }
    if waivable.is_empty() {
        writeln!(
            out,
            "  2. a `{trailer}:` trailer cannot help here: {} cannot be waived.",
            unwaivable.join(", ")
        )?;
    } else {
        writeln!(
            out,
            "  2. or, if the change truly needs no runbook update, give the reason in a trailer \
             on a commit being pushed (`git commit --amend`), then push again:"
        )?;
        for (rule, doc) in waivable.iter().take(3) {
            let scope = doc.map(|d| format!("({d})")).unwrap_or_default();
            writeln!(out, "       {trailer}: {rule}{scope}: <reason>")?;
        }
        if !unwaivable.is_empty() {
            writeln!(
                out,
                "     ({} cannot be waived: fix {})",
                unwaivable.join(", "),
                if unwaivable.len() == 1 { "it" } else { "them" }
            )?;
        }
    }
    writeln!(
        out,
        "git's own bypass, for one push: `git push --no-verify` (skips every pre-push hook)."
    )?;
    Ok(())
}
