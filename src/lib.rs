//! docgate: enforce a team's incident lessons on every change.
//!
//! The library never prints or exits: [`run`] writes to the writers it is
//! given and returns an [`ExitStatus`]; `Err` means docgate could not do its
//! job (exit 2).

pub mod check;
pub mod checks;
pub mod cli;
pub mod config;
pub mod context;
pub mod costs;
pub mod date;
pub mod demo;
pub mod diagnostic;
pub mod docs;
pub mod docs_query;
pub mod features;
pub mod git;
pub mod github;
pub mod graph_cmd;
pub mod hook;
pub mod init;
pub mod install;
pub mod kb;
pub mod lint;
pub mod markdown;
pub mod mishap;
pub mod output;
pub mod pattern;
pub mod postmortem;
pub mod python;
pub mod report;

pub mod stdio;
pub mod yaml;

use std::io::{IsTerminal, Write};

use anyhow::{Context as _, Result, bail};

/// The snapshot reader is part of the git layer; its path stays short.
pub use crate::git::snapshot;

pub use crate::check::check_report;
pub(crate) use crate::check::{pre_commit_range, pre_commit_var};
pub use crate::config::load::load_config;
pub use crate::lint::lint_report;
pub(crate) use crate::output::{output_spec, write_outputs};

use crate::cli::{Cli, Command, GlobalArgs};
use crate::diagnostic::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding at or above `--fail-on`.
    Clean,
    /// At least one finding at or above `--fail-on`.
    Findings,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
        }
    }
}

pub fn run(cli: Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<ExitStatus> {
    git::tune_libgit2();
    let cwd = match &cli.global.dir {
        Some(dir) => {
            if !dir.is_dir() {
                bail!("-C {}: no such directory", dir.display());
            }
            dir.clone()
        }
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    for spec in &cli.global.output {
        output_spec(spec)?;
    }
    if cli.global.format.is_diagram() && !matches!(cli.command, Command::Graph(_)) {
        bail!(
            "--format {} is a diagram of the doc graph, written by `docgate graph`; reports are {}",
            cli.global.format.name(),
            report::Format::names().join(", ")
        );
    }
    match &cli.command {
        Command::Check(args) => check::run(args, &cli.global, &cwd, stdout),
        Command::Lint => lint::run(&cli.global, &cwd, stdout),
        Command::Context(args) => context::run(args, &cli.global, &cwd, stdout),
        Command::Demo(args) => demo::run(args, &cli.global, stdout, stderr),
        Command::Github(args) => github::run(args, &cli.global, &cwd, stdout, stderr),
        Command::PrePush(args) => {
            let stdin = std::io::stdin();
            let is_terminal = stdin.is_terminal();
            hook::pre_push(
                args,
                &cli.global,
                &cwd,
                &mut stdin.lock(),
                is_terminal,
                stderr,
            )
        }
        Command::Install(args) => install::run(args, &cwd, stdout),
        Command::Costs => costs::run(&cli.global, &cwd, stdout),
        Command::Docs(args) => docs_query::run(args, &cli.global, &cwd, stdout, stderr),
        Command::Graph(args) => graph_cmd::run(args, &cli.global, &cwd, stdout, stderr),
        Command::Init(args) => init::run(args, &cli.global, &cwd, stdout),
    }
}

pub(crate) fn fail_on(global: &GlobalArgs) -> Severity {
    global.fail_on.into()
}
