//! Command-line types only (clap derive). Common flags are global, so they
//! work before or after the command name, like git's.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "docgate",
    version,
    about = "Enforce a team's incident lessons: documentation update is part of the fix",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Run as if docgate was started in DIR
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,
    /// Configuration file (default: .docgate.yml at the repository root)
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Report format
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
    /// Write the report to FILE instead of stdout; FORMAT=FILE adds a report in that format (repeatable)
    #[arg(long, value_name = "[FORMAT=]FILE", global = true)]
    pub output: Vec<String>,
    /// Exit 1 when a finding at or above this severity remains
    #[arg(long, value_enum, default_value_t = FailOn::Error, global = true)]
    pub fail_on: FailOn,
    /// Color in the text report (honours NO_COLOR)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print only findings at or above --fail-on, and nothing when there are none
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diff-aware gate over a change: the main job
    Check(CheckArgs),
    /// Validate the whole documentation system, no diff (reads the working tree)
    Lint,
    /// The docs that cover each path, plus their depends_on closure
    Context(ContextArgs),
    /// Build a throwaway repository that reproduces the classic incident and run the gate on it
    Demo(DemoArgs),
    /// GitHub Actions entry: check the event's range, annotate, summarize, comment on the PR
    Github(GithubArgs),
    /// git pre-push hook entry: check the commits being pushed (report on stderr)
    PrePush(PrePushArgs),
    /// Install the pre-push hook into this repository's hooks folder
    Install(InstallArgs),
}

#[derive(Debug, Args)]
pub struct PrePushArgs {
    /// The remote's name, or its URL when pushing to a URL (git passes both).
    /// Without REMOTE and URL, read the pre-commit framework's PRE_COMMIT_* variables
    #[arg(value_name = "REMOTE", requires = "url")]
    pub remote: Option<String>,
    /// The remote's URL (shown in the report)
    #[arg(value_name = "URL")]
    pub url: Option<String>,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Replace a pre-push hook that is not docgate's (it is kept as pre-push.docgate-backup)
    #[arg(long, conflicts_with = "uninstall")]
    pub force: bool,
    /// Remove docgate's pre-push hook (and restore the hook it replaced, if any)
    #[arg(long)]
    pub uninstall: bool,
}

#[derive(Debug, Args)]
pub struct GithubArgs {
    /// Write the report (with what `github post` needs) here and post nothing:
    /// the unprivileged half of the fork-safe two-stage workflow
    #[arg(long, value_name = "FILE")]
    pub report_out: Option<PathBuf>,
    #[command(subcommand)]
    pub action: Option<GithubAction>,
}

#[derive(Debug, Subcommand)]
pub enum GithubAction {
    /// Post a report made by `docgate github --report-out` (in a workflow_run job)
    Post(PostArgs),
}

#[derive(Debug, Args)]
pub struct PostArgs {
    /// The report file (untrusted input: validated before anything is posted)
    #[arg(long, value_name = "FILE")]
    pub report: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Compare with the merge-base of BASE and HEAD (three-dot semantics)
    #[arg(long, value_name = "REV", conflicts_with_all = ["staged", "worktree"])]
    pub base: Option<String>,
    /// The head of the change (default HEAD)
    #[arg(long, value_name = "REV", conflicts_with_all = ["staged", "worktree"])]
    pub head: Option<String>,
    /// Check the index against HEAD
    #[arg(long, conflicts_with = "worktree")]
    pub staged: bool,
    /// Check the working tree (with untracked files) against HEAD
    #[arg(long)]
    pub worktree: bool,
}

#[derive(Debug, Args)]
pub struct ContextArgs {
    /// Paths to look up (relative to the current directory)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Create the demo repository here instead of a new temporary folder (must not exist or be empty)
    #[arg(long = "dir", id = "demo_dir", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}
