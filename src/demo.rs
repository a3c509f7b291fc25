//! `docgate demo`: build a throwaway repository that reproduces the classic
//! incident (covered code changed, its runbook did not) and run the gate on it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::ExitStatus;
use crate::cli::{CheckArgs, Cli, Command, ContextArgs, DemoArgs, GlobalArgs};
use crate::report::Format;

const BASE: &[(&str, &str)] = &[
    (
        ".ai-knowledge-base.yaml",
        include_str!("demo/sample/base/.ai-knowledge-base.yaml"),
    ),
    (
        ".docgate.yml",
        include_str!("demo/sample/base/.docgate.yml"),
    ),
    ("CLAUDE.md", include_str!("demo/sample/base/CLAUDE.md")),
    ("README.md", include_str!("demo/sample/base/README.md")),
    (
        "backend/app/api/v1/health.py",
        include_str!("demo/sample/base/backend/app/api/v1/health.py"),
    ),
    (
        "backend/app/services/execution/order_router.py",
        include_str!("demo/sample/base/backend/app/services/execution/order_router.py"),
    ),
    (
        "backend/app/services/monitoring/heartbeat.py",
        include_str!("demo/sample/base/backend/app/services/monitoring/heartbeat.py"),
    ),
    (
        "backend/app/services/risk/risk_limits.py",
        include_str!("demo/sample/base/backend/app/services/risk/risk_limits.py"),
    ),
    (
        "docs/INDEX.md",
        include_str!("demo/sample/base/docs/INDEX.md"),
    ),
    (
        "docs/MISHAP_COST_LOG.md",
        include_str!("demo/sample/base/docs/MISHAP_COST_LOG.md"),
    ),
    (
        "docs/architecture/order-execution.md",
        include_str!("demo/sample/base/docs/architecture/order-execution.md"),
    ),
    (
        "docs/architecture/training-inference-separation.md",
        include_str!("demo/sample/base/docs/architecture/training-inference-separation.md"),
    ),
    (
        "docs/operations/deploy-verification.md",
        include_str!("demo/sample/base/docs/operations/deploy-verification.md"),
    ),
    (
        "docs/operations/go-no-go.md",
        include_str!("demo/sample/base/docs/operations/go-no-go.md"),
    ),
    (
        "docs/post-mortems/2026-02-06-ray-in-inference.md",
        include_str!("demo/sample/base/docs/post-mortems/2026-02-06-ray-in-inference.md"),
    ),
    (
        "docs/post-mortems/2026-04-02-stale-heartbeat.md",
        include_str!("demo/sample/base/docs/post-mortems/2026-04-02-stale-heartbeat.md"),
    ),
    (
        "docs/risk/risk-limits.md",
        include_str!("demo/sample/base/docs/risk/risk-limits.md"),
    ),
    (
        "inference/features.py",
        include_str!("demo/sample/base/inference/features.py"),
    ),
    (
        "inference/predictor.py",
        include_str!("demo/sample/base/inference/predictor.py"),
    ),
    (
        "training/features.py",
        include_str!("demo/sample/base/training/features.py"),
    ),
    (
        "training/train.py",
        include_str!("demo/sample/base/training/train.py"),
    ),
];

const CHANGE: &[(&str, &str)] = &[
    (
        "backend/app/services/risk/risk_limits.py",
        include_str!("demo/sample/change/backend/app/services/risk/risk_limits.py"),
    ),
    (
        "inference/features.py",
        include_str!("demo/sample/change/inference/features.py"),
    ),
    (
        "inference/predictor.py",
        include_str!("demo/sample/change/inference/predictor.py"),
    ),
];

const MESSAGES: &str = include_str!("demo/sample/COMMIT_MESSAGES.txt");

/// The file the incident commit changes without its runbook.
pub const INCIDENT_FILE: &str = "backend/app/services/risk/risk_limits.py";

pub fn run(
    args: &DemoArgs,
    global: &GlobalArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<ExitStatus> {
    let dir = match &args.dir {
        Some(dir) => {
            if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
                bail!(
                    "{} exists and is not empty; the demo only writes into a new or empty folder",
                    dir.display()
                );
            }
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            dir.clone()
        }
        None => tempfile::Builder::new()
            .prefix("docgate-demo-")
            .tempdir()
            .context("cannot create a temporary folder")?
            .keep(),
    };
    let mut messages = MESSAGES.lines();
    let first = messages.next().unwrap_or("Initial import");
    let second = messages.next().unwrap_or("risk: raise limits");

    build(&dir, first, second)?;
    writeln!(
        stdout,
        "docgate demo: a trading-system repository with runbooks, an index, two post-mortems,"
    )?;
    writeln!(
        stdout,
        "a cost log and a knowledge base, at {}",
        dir.display()
    )?;
    writeln!(
        stdout,
        "Branch `raise-limits` has one commit on top of `main`: \"{second}\"."
    )?;
    writeln!(
        stdout,
        "It changes {INCIDENT_FILE}, which runbook risk-01 describes, without touching the runbook,"
    )?;
    writeln!(
        stdout,
        "and edits inference/features.py so the serving feature list no longer matches training's."
    )?;
    writeln!(
        stdout,
        "Its inference/predictor.py now imports a helper from training/train.py, which imports ray (the"
    )?;
    writeln!(
        stdout,
        "2026-02-06 incident: ray is not in the serving image), and serves a heuristic when scoring fails"
    )?;
    writeln!(
        stdout,
        "(the silent fallback that hid that crash for hours): forbidden-import and silent-fallback."
    )?;
    writeln!(
        stdout,
        "The knowledge base's patterns for inference/features.py reach the change with their checklists,"
    )?;
    writeln!(
        stdout,
        "and the second post-mortem's incident loop has gaps that `docgate lint` names."
    )?;
    writeln!(stdout)?;
    writeln!(stdout, "$ docgate check --base main")?;
    // Run docgate itself on the demo repository, with the user's report flags.
    let mut in_demo = |command: Command, stdout: &mut dyn Write| {
        let global = GlobalArgs {
            dir: Some(dir.clone()),
            config: None,
            output: Vec::new(),
            ..clone_global(global)
        };
        crate::run(Cli { global, command }, stdout, stderr)
    };
    let status = in_demo(
        Command::Check(CheckArgs {
            base: Some("main".into()),
            head: None,
            staged: false,
            worktree: false,
        }),
        stdout,
    )?;
    writeln!(stdout)?;
    writeln!(
        stdout,
        "$ docgate context {INCIDENT_FILE}    # what the author should have read first"
    )?;
    in_demo(
        Command::Context(ContextArgs {
            paths: vec![PathBuf::from(INCIDENT_FILE)],
        }),
        stdout,
    )?;
    writeln!(stdout)?;
    writeln!(
        stdout,
        "$ docgate lint    # the whole documentation system, with each post-mortem's incident loop"
    )?;
    in_demo(Command::Lint, stdout)?;
    writeln!(stdout)?;
    if matches!(
        global.format,
        Format::Text | Format::Json | Format::Markdown
    ) {
        writeln!(
            stdout,
            "$ docgate costs   # what the incidents cost, per pattern and per month"
        )?;
        if in_demo(Command::Costs, stdout)? != ExitStatus::Clean {
            bail!(
                "the demo's cost log was expected to add up, but `docgate costs` left entries out: this is a docgate bug"
            );
        }
        writeln!(stdout)?;
    }
    if status != ExitStatus::Findings {
        bail!(
            "the demo change was expected to fail the gate, but `docgate check` passed: this is a docgate bug"
        );
    }
    writeln!(
        stdout,
        "The gate failed (docgate check exits 1), as it should: the runbook must change with the code,\n\
         serving must use exactly the features the model was trained on, never import training code that\n\
         pulls in ray, and never answer with a fallback when the model fails. On a pull request the same\n\
         report is the sticky comment: `docgate check --base main --format markdown` shows it here."
    )?;
    writeln!(
        stdout,
        "Look around: cd {} && git log --stat && docgate check --base main",
        dir.display()
    )?;
    Ok(ExitStatus::Clean)
}

fn clone_global(g: &GlobalArgs) -> GlobalArgs {
    GlobalArgs {
        dir: g.dir.clone(),
        config: g.config.clone(),
        format: g.format,
        output: g.output.clone(),
        fail_on: g.fail_on,
        color: g.color,
        quiet: g.quiet,
    }
}

fn write_files(root: &Path, files: &[(&str, &str)]) -> Result<()> {
    for (path, content) in files {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&full, content)
            .with_context(|| format!("cannot write {}", full.display()))?;
    }
    Ok(())
}

/// Create the repository: `main` with the documented system, `raise-limits`
/// with the incident commit, checked out.
pub fn build(dir: &Path, first: &str, second: &str) -> Result<()> {
    let repo = crate::git::scratch::Scratch::init(dir, "main")?;
    write_files(dir, BASE)?;
    repo.commit_all(first, 1_782_000_000)?;
    repo.switch_to_new_branch("raise-limits")?;
    write_files(dir, CHANGE)?;
    repo.commit_all(second, 1_782_086_400)?;
    Ok(())
}
