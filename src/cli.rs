//! Command-line types (clap derive). Common flags are global, so they work
//! before or after the command name, like git's. `FailOn`'s `ValueEnum` is
//! also the parser of the actions' `fail-on` input (its `FromStr`), and
//! `From<FailOn> for Severity` is the one conversion to the severity a
//! report fails at.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostic::{NotOneOf, Severity};
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
    /// Report format (mermaid and dot: `docgate graph` only)
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

impl FailOn {
    /// The names `--fail-on` takes (its `ValueEnum`'s; a test keeps them equal).
    pub const NAMES: &'static [&'static str] = &["error", "warning"];
}

/// `--fail-on`'s own parser, for the `fail-on` input: exactly as spelled.
impl FromStr for FailOn {
    type Err = NotOneOf;

    fn from_str(word: &str) -> Result<FailOn, NotOneOf> {
        <FailOn as ValueEnum>::from_str(word, false).map_err(|_| NotOneOf(FailOn::NAMES))
    }
}

impl From<FailOn> for Severity {
    fn from(fail_on: FailOn) -> Severity {
        match fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        }
    }
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
    /// Mishap cost report: totals per pattern and per month (--format text|json|markdown)
    Costs,
    /// Query the doc graph: the docs with a tag, covering a file, depending on a doc, of a perspective
    Docs(DocsArgs),
    /// The doc graph by perspective: text, or a diagram with --format mermaid|dot
    Graph(GraphArgs),
    /// Scaffold .docgate.yml and the documentation layers (never overwrites)
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// Docs with this tag (repeat: any of them)
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Docs whose key_files cover PATH, relative to the current directory (repeat: any of them)
    #[arg(long = "key-file", value_name = "PATH")]
    pub key_file: Vec<PathBuf>,
    /// Docs whose depends_on names ID (repeat: any of them)
    #[arg(long = "depends-on", value_name = "ID")]
    pub depends_on: Vec<String>,
    /// With --depends-on: also the docs that depend on it through other docs
    #[arg(long, requires = "depends_on")]
    pub transitive: bool,
    /// Docs of this perspective, one of docs.perspectives (repeat: any of them)
    #[arg(long, value_name = "PERSPECTIVE")]
    pub perspective: Vec<String>,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Add each doc's key_files entries as nodes, with an edge from the doc
    #[arg(long)]
    pub with_files: bool,
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
pub struct InitArgs {
    /// Print what would be written, write nothing
    #[arg(long)]
    pub dry_run: bool,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CommentMode;

    /// Each parser accepts exactly the names its messages list.
    fn accepts_exactly<T: FromStr<Err = NotOneOf> + std::fmt::Debug>(names: &[&str]) {
        for name in names {
            assert!(name.parse::<T>().is_ok(), "`{name}` is refused");
            // Exactly as spelled: an input is not case-folded.
            let upper = name.to_ascii_uppercase();
            assert_eq!(upper.parse::<T>().unwrap_err().0, names, "{upper}");
        }
        for word in ["", "off ", "nope"] {
            let Err(e) = word.parse::<T>() else {
                panic!("`{word}` was accepted")
            };
            assert_eq!(e.0, names);
        }
    }

    #[test]
    fn one_parser_per_value_accepts_what_its_messages_name() {
        accepts_exactly::<Severity>(&["error", "warning", "note"]);
        accepts_exactly::<CommentMode>(&["sticky", "off", "required"]);
        accepts_exactly::<FailOn>(&["error", "warning"]);
        let clap_names: Vec<String> = FailOn::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect();
        assert_eq!(clap_names, FailOn::NAMES);
        for severity in ["error", "warning", "note"] {
            assert_eq!(severity.parse::<Severity>().unwrap().as_str(), severity);
        }
        assert_eq!("off".parse::<CommentMode>(), Ok(CommentMode::Off));
        assert_eq!("warning".parse::<FailOn>(), Ok(FailOn::Warning));
    }

    /// The config reads `rules:` severities and `github.comment` with the
    /// same parsers, and its messages name their words.
    #[test]
    fn the_config_names_the_accepted_words() {
        let errors = |yaml: &str| -> Vec<String> {
            let e = crate::config::Config::from_bytes(yaml.as_bytes(), ".docgate.yml")
                .expect_err("refused");
            e.errors.into_iter().map(|(_, _, m)| m).collect()
        };
        assert_eq!(
            errors("github: {comment: requierd}\n"),
            ["`github.comment` must be sticky, off or required, found `requierd`"]
        );
        assert_eq!(
            errors("rules: {doc-not-updated: Error}\n"),
            ["severity of `doc-not-updated` must be error, warning, note or off, found `Error`"]
        );
        let config = crate::config::Config::from_bytes(
            b"github: {comment: required}\nrules: {doc-not-updated: note, stale-key-file: off}\n",
            ".docgate.yml",
        )
        .expect("valid");
        assert_eq!(config.github.comment, CommentMode::Required);
        assert_eq!(config.rules["doc-not-updated"], Some(Severity::Note));
        assert_eq!(config.rules["stale-key-file"], None);
    }

    #[test]
    fn fail_on_is_the_severity_a_report_fails_at() {
        assert_eq!(Severity::from(FailOn::Error), Severity::Error);
        assert_eq!(Severity::from(FailOn::Warning), Severity::Warning);
    }

    #[test]
    fn accepted_words_read_as_a_list() {
        assert_eq!(NotOneOf(&["a"]).or_list(), "a");
        assert_eq!(NotOneOf(&["a", "b"]).or_list(), "a or b");
        assert_eq!(NotOneOf(&["a", "b", "c"]).or_list(), "a, b or c");
    }
}
