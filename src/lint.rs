//! `docgate lint`: the whole documentation system in the working tree.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::checks::{self, require_layers};
use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::config::load::load_config;
use crate::diagnostic::Severity;
use crate::git::Repo;
use crate::output::emit;
use crate::report::Report;
use crate::snapshot::Snapshot;
use crate::{ExitStatus, fail_on};

pub fn run(global: &GlobalArgs, cwd: &Path, stdout: &mut dyn Write) -> Result<ExitStatus> {
    let repo = Repo::discover(cwd)?;
    let snapshot = repo.workdir_snapshot()?;
    let config = load_config(&repo, &global.config, cwd, &snapshot)?;
    let report = lint_report(&snapshot, &config, fail_on(global))?;
    emit(&report, global, cwd, stdout)
}

/// Run `lint` over a snapshot: the finished report.
pub fn lint_report(snapshot: &Snapshot<'_>, config: &Config, fail_on: Severity) -> Result<Report> {
    require_layers(config, snapshot)?;
    let mut sink = checks::Sink::new(config);
    checks::lint(snapshot, config, &mut sink)?;
    sink.ensure_something_checked()?;
    Ok(sink.into_report("lint", None, &[], fail_on))
}
