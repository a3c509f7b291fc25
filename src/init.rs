//! `docgate init`: scaffold `.docgate.yml` and the documentation layers
//! (policies, knowledge base, index, one runbook, the post-mortem template,
//! the cost log) with templates that `docgate lint` accepts as they are.
//!
//! It never overwrites: a file that exists is skipped and listed; the one
//! edit of an existing file is appending a "Key Policies" section to the
//! policy file when it has none (its bytes are kept as they were).
//! `--dry-run` prints the same plan and writes nothing.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use crate::ExitStatus;
use crate::cli::{GlobalArgs, InitArgs};
use crate::git::Repo;
use crate::markdown;
use crate::report::Format;
use clap::ValueEnum as _;

const CONFIG: &str = include_str!("init/templates/docgate.yml");
const KNOWLEDGE_BASE: &str = include_str!("init/templates/ai-knowledge-base.yaml");
const POLICIES: &str = include_str!("init/templates/CLAUDE-policies.md");
const INDEX: &str = include_str!("init/templates/docs/INDEX.md");
const RUNBOOK: &str = include_str!("init/templates/docs/runbooks/example.md");
const POSTMORTEM_TEMPLATE: &str = include_str!("init/templates/docs/post-mortems/TEMPLATE.md");
const COST_LOG: &str = include_str!("init/templates/docs/MISHAP_COST_LOG.md");

/// What `init` does with one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create(String),
    /// Append to an existing file (the policy section).
    Append(String),
    /// Leave it: why.
    Skip(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Repo-relative, `/`-separated.
    pub path: String,
    pub action: Action,
}

/// The plan for a repository whose work tree is `root`, dated `today`
/// (`YYYY-MM-DD`, the runbook's `last_updated`).
pub fn plan(root: &Path, today: &str) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    let policy = policy_step(root)?;
    let policy_file = policy.path.clone();
    let config = CONFIG.replace("policies: CLAUDE.md", &format!("policies: {policy_file}"));
    let files: [(&str, String); 6] = [
        (".docgate.yml", config),
        (".ai-knowledge-base.yaml", KNOWLEDGE_BASE.to_string()),
        ("docs/INDEX.md", INDEX.to_string()),
        (
            "docs/runbooks/example.md",
            RUNBOOK.replace("@TODAY@", today),
        ),
        (
            "docs/post-mortems/TEMPLATE.md",
            POSTMORTEM_TEMPLATE.to_string(),
        ),
        ("docs/MISHAP_COST_LOG.md", COST_LOG.to_string()),
    ];
    steps.push(create_step(root, files[0].0, files[0].1.clone())?);
    steps.push(policy);
    for (path, content) in files.into_iter().skip(1) {
        steps.push(create_step(root, path, content)?);
    }
    Ok(steps)
}

fn create_step(root: &Path, path: &str, content: String) -> Result<Step> {
    let action = match existing(root, path)? {
        Some(what) => Action::Skip(format!("{what} exists, left as it is")),
        None => Action::Create(content),
    };
    Ok(Step {
        path: path.to_string(),
        action,
    })
}

/// What is at `path` already: `None` when nothing (not even a broken link).
fn existing(root: &Path, path: &str) -> Result<Option<&'static str>> {
    match fs::symlink_metadata(root.join(path)) {
        Ok(m) if m.file_type().is_symlink() => Ok(Some("a symbolic link")),
        Ok(m) if m.is_dir() => Ok(Some("a folder")),
        Ok(_) => Ok(Some("the file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot look at {path}")),
    }
}

/// The policy file: `CLAUDE.md`, else an existing `AGENTS.md`. Created when
/// neither exists; given a "Key Policies" section when it has none.
fn policy_step(root: &Path) -> Result<Step> {
    let path = if existing(root, "CLAUDE.md")?.is_none() && existing(root, "AGENTS.md")?.is_some() {
        "AGENTS.md"
    } else {
        "CLAUDE.md"
    };
    let action = match existing(root, path)? {
        None => Action::Create(format!("# Agent instructions\n\n{POLICIES}")),
        Some("the file") => {
            let bytes = fs::read(root.join(path)).with_context(|| format!("cannot read {path}"))?;
            let Ok(text) = String::from_utf8(bytes) else {
                return Ok(Step {
                    path: path.into(),
                    action: Action::Skip(
                        "the file is not UTF-8 text; add a \"Key Policies\" section by hand".into(),
                    ),
                });
            };
            if has_policy_section(&text) {
                Action::Skip("the file has a Key Policies section already".into())
            } else {
                let sep = if text.is_empty() || text.ends_with("\n\n") {
                    ""
                } else if text.ends_with('\n') {
                    "\n"
                } else {
                    "\n\n"
                };
                Action::Append(format!("{sep}{POLICIES}"))
            }
        }
        Some(what) => Action::Skip(format!(
            "{what} exists; add a \"Key Policies\" section to the file by hand"
        )),
    };
    Ok(Step {
        path: path.into(),
        action,
    })
}

fn has_policy_section(text: &str) -> bool {
    markdown::parse(text).blocks.iter().any(|b| {
        matches!(b.kind, markdown::BlockKind::Heading { .. })
            && markdown::heading_key(&b.text).contains("key policies")
    })
}

/// Carry out a plan. A file that appeared since the plan was made is not
/// overwritten (it is created with `create_new`); the error names it and
/// what was written before it.
pub fn apply(root: &Path, steps: &[Step]) -> Result<()> {
    let mut done: Vec<&str> = Vec::new();
    for step in steps {
        let result = match &step.action {
            Action::Skip(_) => continue,
            Action::Create(content) => create(&root.join(&step.path), content),
            Action::Append(content) => append(&root.join(&step.path), content),
        };
        if let Err(e) = result {
            let before = if done.is_empty() {
                "nothing was written".to_string()
            } else {
                format!("written before it: {}", done.join(", "))
            };
            return Err(e).with_context(|| format!("cannot write {} ({before})", step.path));
        }
        done.push(&step.path);
    }
    Ok(())
}

fn create(path: &Path, content: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(content.as_bytes())?;
    Ok(())
}

fn append(path: &Path, content: &str) -> Result<()> {
    // Not through a link that appeared since the plan.
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        bail!("it became a symbolic link");
    }
    let mut f = OpenOptions::new().append(true).open(path)?;
    f.write_all(content.as_bytes())?;
    Ok(())
}

pub fn run(
    args: &InitArgs,
    global: &GlobalArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
) -> Result<ExitStatus> {
    if global.format != Format::Text {
        bail!(
            "docgate init prints its plan as text; --format {} is for reports",
            global
                .format
                .to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_string())
        );
    }
    let repo = Repo::discover(cwd)?;
    let root = repo.workdir()?;
    let (y, m, d) = crate::date::today();
    let steps = plan(&root, &format!("{y:04}-{m:02}-{d:02}"))?;
    if !args.dry_run {
        apply(&root, &steps)?;
    }
    let (create, append) = if args.dry_run {
        ("would create", "would append to")
    } else {
        ("created", "appended to")
    };
    let mut out = String::new();
    for step in &steps {
        out.push_str(&match &step.action {
            Action::Create(_) => format!("  {create:<16} {}\n", step.path),
            Action::Append(_) => format!(
                "  {append:<16} {} (a \"Key Policies\" section at the end)\n",
                step.path
            ),
            Action::Skip(why) => format!("  {:<16} {}: {why}\n", "skipped", step.path),
        });
    }
    let written = steps
        .iter()
        .filter(|s| !matches!(s.action, Action::Skip(_)))
        .count();
    let skipped = steps.len() - written;
    if args.dry_run {
        out.push_str(&format!(
            "docgate init --dry-run: nothing written; {written} to write, {skipped} skipped\n"
        ));
    } else if written == 0 {
        out.push_str("docgate init: nothing to do, every file exists (nothing was changed)\n");
    } else {
        out.push_str(&format!(
            "docgate init: {written} written, {skipped} skipped. Next: fill in the templates, \
             `docgate lint`, commit, then `docgate install` for the pre-push hook\n"
        ));
    }
    stdout.write_all(out.as_bytes())?;
    Ok(ExitStatus::Clean)
}
