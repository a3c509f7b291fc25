//! `docgate check`: the change (a range, the index or the working tree)
//! against its docs and feature lists.

use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};

use crate::checks::{self, require_layers};
use crate::cli::{CheckArgs, GlobalArgs};
use crate::config::Config;
use crate::config::load::load_config;
use crate::diagnostic::Severity;
use crate::docs;
use crate::git::Repo;
use crate::git::change::{Change, Request};
use crate::output::emit;
use crate::report::Report;
use crate::{ExitStatus, fail_on};

pub fn run(
    args: &CheckArgs,
    global: &GlobalArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
) -> Result<ExitStatus> {
    let repo = Repo::discover(cwd)?;
    let request = range_request(args)?;
    // The docs at head load on this thread while the diff runs on another.
    let (change, (config, docs)) = Change::resolve_with(&repo, &request, |head| {
        let config = load_config(&repo, &global.config, cwd, head)?;
        let docs = docs::DocSet::load(head, &config)?;
        Ok((config, docs))
    })?;
    let report = check_report(&change, &config, fail_on(global), Some(docs))?;
    drop(change);
    // Freeing libgit2's caches and the pack maps of a large range takes as
    // long as writing its report: do both at once.
    let freeing = std::thread::spawn(move || drop(repo));
    let status = emit(&report, global, cwd, stdout);
    freeing
        .join()
        .map_err(|_| anyhow::anyhow!("freeing the repository handle panicked"))?;
    status
}

/// Run `check` over a resolved change: the finished report (waivers applied).
pub fn check_report(
    change: &Change<'_>,
    config: &Config,
    fail_on: Severity,
    head_docs: Option<docs::DocSet>,
) -> Result<Report> {
    require_layers(config, &change.head)?;
    let mut sink = checks::Sink::new(config);
    checks::check(change, config, head_docs, &mut sink)?;
    sink.ensure_something_checked()?;
    let (mut waivers, problems) = checks::waivers::collect(&change.commits, config);
    sink.extend(problems);
    // Found under the base config and not under the head's (after its
    // overrides): the base's severities, the head's waivers.
    let extra = checks::config_change_findings(change, config, sink.found())?;
    sink.push_resolved(extra);
    sink.waive(&mut waivers);
    Ok(sink.into_report("check", Some(change.range.clone()), &waivers, fail_on))
}

/// A pre-commit framework variable: `None` when unset or empty; not UTF-8 is
/// an error.
pub(crate) fn pre_commit_var(k: &str) -> Result<Option<String>> {
    match std::env::var(k) {
        Ok(v) if v.is_empty() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{k} is not valid UTF-8"),
    }
}

/// The range the pre-commit framework passes, when it passes one. Half a
/// range is not "no range": never fall back to another base.
pub(crate) fn pre_commit_range() -> Result<Option<(String, String)>> {
    match (
        pre_commit_var("PRE_COMMIT_FROM_REF")?,
        pre_commit_var("PRE_COMMIT_TO_REF")?,
    ) {
        (Some(from), Some(to)) => Ok(Some((from, to))),
        (None, None) => Ok(None),
        (from, _) => bail!(
            "PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF come together (the pre-commit framework \
             sets both); only {} is set",
            if from.is_some() {
                "PRE_COMMIT_FROM_REF"
            } else {
                "PRE_COMMIT_TO_REF"
            }
        ),
    }
}

fn range_request(args: &CheckArgs) -> Result<Request> {
    if args.staged {
        return Ok(Request::Staged);
    }
    if args.worktree {
        return Ok(Request::Worktree);
    }
    if args.base.is_some() || args.head.is_some() {
        return Ok(Request::Revs {
            base: args.base.clone(),
            head: args.head.clone(),
            origin: "--base",
        });
    }
    // The pre-commit framework passes the pushed range this way.
    match pre_commit_range()? {
        Some((from, to)) => Ok(Request::Revs {
            base: Some(from),
            head: Some(to),
            origin: "PRE_COMMIT_FROM_REF",
        }),
        None => Ok(Request::Revs {
            base: None,
            head: None,
            origin: "default",
        }),
    }
}
