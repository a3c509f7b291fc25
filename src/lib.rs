//! docgate: enforce a team's incident lessons on every change.
//!
//! The library never prints or exits: [`run`] writes to the writers it is
//! given and returns an [`ExitStatus`]; `Err` means docgate could not do its
//! job (exit 2).

pub mod checks;
pub mod cli;
pub mod config;
pub mod context;
pub mod demo;
pub mod diagnostic;
pub mod docs;
pub mod features;
pub mod git;
pub mod github;
pub mod hook;
pub mod install;
pub mod pattern;
pub mod python;
pub mod report;
pub mod snapshot;
pub mod stdio;
pub mod yaml;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};

use crate::cli::{CheckArgs, Cli, ColorChoice, Command, GlobalArgs};
use crate::config::Config;
use crate::diagnostic::Severity;
use crate::git::Repo;
use crate::git::change::{Change, Request};
use crate::report::{Format, Report, Style};
use crate::snapshot::{Read, Snapshot};

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
    // git itself does not re-hash objects it reads; neither do we (5% of a
    // large check). Corruption still fails loudly when git writes or fsck runs.
    git2::opts::strict_hash_verification(false);
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
    match &cli.command {
        Command::Check(args) => {
            let repo = Repo::discover(&cwd)?;
            let request = range_request(args)?;
            // The docs at head load on this thread while the diff runs on another.
            let (change, (config, docs)) = Change::resolve_with(&repo, &request, |head| {
                let config = load_config(&repo, &cli.global.config, &cwd, head)?;
                let docs = docs::DocSet::load(head, &config)?;
                Ok((config, docs))
            })?;
            let report = check_report(&change, &config, fail_on(&cli.global), Some(docs))?;
            emit(&report, &cli.global, &cwd, stdout)
        }
        Command::Lint => {
            let repo = Repo::discover(&cwd)?;
            let snapshot = repo.workdir_snapshot()?;
            let config = load_config(&repo, &cli.global.config, &cwd, &snapshot)?;
            let report = lint_report(&snapshot, &config, fail_on(&cli.global))?;
            emit(&report, &cli.global, &cwd, stdout)
        }
        Command::Context(args) => {
            let repo = Repo::discover(&cwd)?;
            let snapshot = repo.workdir_snapshot()?;
            let config = load_config(&repo, &cli.global.config, &cwd, &snapshot)?;
            let docs = docs::DocSet::load(&snapshot, &config)?;
            ensure_something_to_check(&config, docs.docs.len(), &docs.skipped_summary())?;
            let root = repo.workdir()?;
            let paths = args
                .paths
                .iter()
                .map(|p| repo_relative(&root, &cwd, p))
                .collect::<Result<Vec<_>>>()?;
            let answer = context::lookup(&docs, &paths)?;
            match cli.global.format {
                Format::Json => context::render_json(&answer, stdout)?,
                Format::Text => context::render_text(&answer, stdout)?,
                other => bail!("`docgate context` writes text or json, not {other:?}"),
            }
            Ok(ExitStatus::Clean)
        }
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
    }
}

/// Run `check` over a resolved change: the finished report (waivers applied).
pub fn check_report(
    change: &Change<'_>,
    config: &Config,
    fail_on: Severity,
    head_docs: Option<docs::DocSet>,
) -> Result<Report> {
    require_layers(config, &change.head)?;
    let outcome = checks::check(change, config, head_docs)?;
    ensure_something_to_check(
        config,
        outcome.checked.docs + config.feature_lists.len(),
        &outcome.skipped,
    )?;
    let (mut waivers, problems) = checks::waivers::collect(&change.commits, config);
    let mut diagnostics = outcome.diagnostics;
    diagnostics.extend(problems);
    let mut diagnostics = checks::waivers::apply(diagnostics, config, &mut waivers);
    // Found under the base config and not under the head's (after its
    // overrides): the base's severities, the head's waivers.
    let extra = checks::config_change_findings(change, config, &diagnostics)?;
    diagnostics.extend(checks::waivers::waive(extra, config, &mut waivers));
    let mut report = Report::new(
        "check",
        Some(change.range.clone()),
        outcome.checked,
        diagnostics,
        waivers,
        fail_on,
    );
    report.docs_to_read = outcome.docs_to_read;
    Ok(report)
}

/// Run `lint` over a snapshot: the finished report.
pub fn lint_report(snapshot: &Snapshot<'_>, config: &Config, fail_on: Severity) -> Result<Report> {
    require_layers(config, snapshot)?;
    let outcome = checks::lint(snapshot, config)?;
    ensure_something_to_check(
        config,
        outcome.checked.docs + config.feature_lists.len(),
        &outcome.skipped,
    )?;
    let diagnostics = checks::waivers::apply(outcome.diagnostics, config, &mut []);
    Ok(Report::new(
        "lint",
        None,
        outcome.checked,
        diagnostics,
        Vec::new(),
        fail_on,
    ))
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

pub(crate) fn fail_on(global: &GlobalArgs) -> Severity {
    global.fail_on.into()
}

/// `--config FILE` from disk (relative to `-C`), else `.docgate.yml` from the
/// working tree (or the head commit in a bare repository), else defaults.
pub fn load_config(
    repo: &Repo,
    config_path: &Option<PathBuf>,
    cwd: &Path,
    head: &Snapshot<'_>,
) -> Result<Config> {
    if let Some(path) = config_path {
        let full = cwd.join(path);
        let size = std::fs::metadata(&full)
            .with_context(|| format!("cannot read the config file {}", path.display()))?
            .len();
        if size > snapshot::MAX_FILE_BYTES {
            bail!(
                "{}: the config is {size} bytes; that is not a configuration file",
                path.display()
            );
        }
        let bytes = std::fs::read(&full)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        if let Some(p) = snapshot::LfsPointer::parse(&bytes) {
            bail!("{}", p.describe(&path.display().to_string()));
        }
        let mut config = Config::from_bytes(&bytes, &path.display().to_string())?;
        // Inside the repository, the config has a base version and a change
        // can touch it (the action's `config` input is such a path).
        // Outside it (or in a bare repository) it has neither; a path inside
        // that cannot be named (not UTF-8) is an error, not "outside".
        if let Ok(root) = repo.workdir() {
            let inside = full
                .canonicalize()
                .with_context(|| format!("cannot read the config file {}", path.display()))?
                .starts_with(
                    root.canonicalize()
                        .with_context(|| format!("cannot read {}", root.display()))?,
                );
            if inside {
                config.repo_path = Some(repo_relative(&root, cwd, path)?);
            }
        }
        return Ok(config);
    }
    // The config of what is checked: the head commit's in range mode (the
    // pushed commits are judged as CI will judge them, not by an uncommitted
    // or untracked `.docgate.yml`), the index's with --staged, the working
    // tree's with --worktree and for lint and context.
    let read = head.read(config::FILE_NAME)?;
    match read {
        Read::Missing => Ok(Config::defaults()),
        Read::TooLarge(n) => bail!(
            "{}: the config is {n} bytes; that is not a configuration file",
            config::FILE_NAME
        ),
        Read::LfsPointer(p) => bail!("{}", p.describe(config::FILE_NAME)),
        Read::Symlink(target) => bail!(
            "{} is a symbolic link (to `{}`); docgate does not follow links in the repository: \
             commit the config itself, or pass it with --config",
            config::FILE_NAME,
            String::from_utf8_lossy(&target)
        ),
        Read::Bytes(bytes) => {
            let mut config = Config::from_bytes(&bytes, config::FILE_NAME)?;
            config.repo_path = Some(config::FILE_NAME.to_string());
            Ok(config)
        }
    }
}

/// A layer named explicitly in the config must exist.
fn require_layers(config: &Config, snapshot: &Snapshot<'_>) -> Result<()> {
    let mut missing = Vec::new();
    for layer in [
        &config.knowledge_base,
        &config.policies,
        &config.mishap_log,
        &config.docs.index,
    ] {
        if layer.explicit && !snapshot.exists(&layer.path)? {
            missing.push(layer.path.clone());
        }
    }
    // Roots the config names must exist (the default `docs/` may not).
    if config.docs.roots_explicit {
        for root in &config.docs.roots {
            if !snapshot.exists(root)? {
                missing.push(format!("{root}/"));
            }
        }
    }
    if !missing.is_empty() {
        bail!(
            "{} names {} that do{} not exist in the {}: {}",
            config.source.as_deref().unwrap_or(config::FILE_NAME),
            if missing.len() == 1 {
                "a file"
            } else {
                "files"
            },
            if missing.len() == 1 { "es" } else { "" },
            snapshot.describe(),
            missing.join(", ")
        );
    }
    Ok(())
}

/// A repository with no config and no docs has nothing to gate: never a pass.
fn ensure_something_to_check(config: &Config, docs: usize, skipped: &[String]) -> Result<()> {
    if docs == 0 {
        let roots = config.docs.roots.join(", ");
        if !skipped.is_empty() {
            let shown: Vec<&str> = skipped.iter().take(5).map(String::as_str).collect();
            bail!(
                "nothing to check: no docs under {roots}/; {} there but {} not read as docs (a Markdown \
                 file not named `*.md`, a symbolic link, too large): {}{}. Rename runbooks to `.md` \
                 and keep them under {roots}/ as files",
                if skipped.len() == 1 {
                    "1 file looks like a runbook".to_string()
                } else {
                    format!("{} files look like runbooks", skipped.len())
                },
                if skipped.len() == 1 { "is" } else { "are" },
                shown.join(", "),
                if skipped.len() > 5 { ", ..." } else { "" }
            );
        }
        if config.source.is_none() {
            bail!(
                "nothing to check: no {} and no docs with YAML frontmatter under {roots}/. \
                 Add runbooks (see the README) or a {} whose docs.roots points at them",
                config::FILE_NAME,
                config::FILE_NAME
            );
        }
        bail!(
            "nothing to check: no docs with YAML frontmatter under {roots}/ (docs.roots in {})",
            config.source.as_deref().unwrap_or(config::FILE_NAME)
        );
    }
    Ok(())
}

/// A user-given path (relative to the current directory) as repo-relative.
fn repo_relative(root: &Path, cwd: &Path, path: &Path) -> Result<String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let joined = cwd.join(path);
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_os_string()),
            _ => {}
        }
    }
    let abs: PathBuf = std::iter::once(std::ffi::OsString::from("/"))
        .chain(parts)
        .collect();
    let rel = abs.strip_prefix(&root).map_err(|_| {
        anyhow!(
            "{} is outside the repository at {}",
            path.display(),
            root.display()
        )
    })?;
    let s = rel
        .to_str()
        .ok_or_else(|| anyhow!("{} is not valid UTF-8", path.display()))?;
    Ok(s.replace('\\', "/"))
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
                && std::io::stdout().is_terminal()
        }
    }
}

/// Write the report to stdout and/or `--output` files; the exit status.
fn emit(
    report: &Report,
    global: &GlobalArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
) -> Result<ExitStatus> {
    let to_stdout = write_outputs(report, global, cwd)?;
    if to_stdout {
        let style = Style {
            color: use_color(global.color),
            quiet: global.quiet,
        };
        report::render(report, global.format, style, stdout)?;
        stdout.flush()?;
    }
    Ok(if report.failed() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// One `--output` value: `FORMAT=FILE`, or a plain `FILE` (`None`). A word
/// before `=` that names no format (`jsno=report.json`) is an error, never a
/// file of that name: a path with `=` in it has a `/` or a `.` before it.
pub(crate) fn output_spec(spec: &str) -> Result<(Option<Format>, &str)> {
    match spec.split_once('=') {
        Some((name, path)) => match Format::from_name(name) {
            Some(format) => Ok((Some(format), path)),
            None if !name.contains(['/', '.']) => {
                let names = Format::names();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                bail!(
                    "`--output {spec}`: `{name}` is not a report format{}; the formats are {}",
                    config::did_you_mean(name, &names),
                    names.join(", ")
                )
            }
            None => Ok((None, spec)),
        },
        None => Ok((None, spec)),
    }
}

/// Write the `--output` files; `false` when one of them replaces stdout
/// (`--output FILE` without a format).
pub(crate) fn write_outputs(report: &Report, global: &GlobalArgs, cwd: &Path) -> Result<bool> {
    let mut to_stdout = true;
    for spec in &global.output {
        let (format, path) = match output_spec(spec)? {
            (Some(format), path) => (format, path),
            (None, path) => {
                to_stdout = false;
                (global.format, path)
            }
        };
        let mut buf = Vec::new();
        report::render(
            report,
            format,
            Style {
                color: false,
                quiet: false,
            },
            &mut buf,
        )?;
        std::fs::write(cwd.join(path), buf)
            .with_context(|| format!("cannot write the report to {path}"))?;
    }
    Ok(to_stdout)
}
