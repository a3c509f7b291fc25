//! `docgate install [--force] [--uninstall]`: write or remove the pre-push
//! hook in the folder git runs hooks from (`core.hooksPath`, else the common
//! git dir's `hooks/`, shared by linked worktrees). One of the two commands
//! that write to the user's repository.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::ExitStatus;
use crate::cli::InstallArgs;
use crate::git::Repo;

/// The hook script, the same bytes as `hooks/pre-push` in this repository.
pub const HOOK: &str = include_str!("../hooks/pre-push");
/// The line that marks a hook as docgate's: only such a hook is updated
/// without `--force` or removed by `--uninstall`.
pub const MARKER: &str = "# docgate-managed-hook: pre-push";
/// Where `--force` keeps the hook it replaces (restored by `--uninstall`).
pub const BACKUP: &str = "pre-push.docgate-backup";

/// Does this hook carry docgate's marker line?
pub fn is_docgate_hook(content: &[u8]) -> bool {
    content
        .split(|&b| b == b'\n')
        .any(|line| line.starts_with(MARKER.as_bytes()))
}

enum Existing {
    None,
    Ours(Vec<u8>),
    Foreign(String),
}

fn existing(path: &Path) -> Result<Existing> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        Ok(_) => {}
    }
    Ok(match std::fs::read(path) {
        Ok(bytes) if is_docgate_hook(&bytes) => Existing::Ours(bytes),
        Ok(_) => Existing::Foreign("it is not docgate's hook".into()),
        Err(e) => Existing::Foreign(format!("it cannot be read ({e})")),
    })
}

pub fn run(args: &InstallArgs, cwd: &Path, stdout: &mut dyn Write) -> Result<ExitStatus> {
    let repo = Repo::discover(cwd)?;
    let dir = repo.hooks_dir()?;
    let hook = dir.join("pre-push");
    let backup = dir.join(BACKUP);
    if args.uninstall {
        return uninstall(&hook, &backup, stdout);
    }
    match existing(&hook)? {
        Existing::Ours(bytes) if bytes == HOOK.as_bytes() => {
            if !is_executable(&hook)? {
                make_executable(&hook)?;
                writeln!(
                    stdout,
                    "docgate: the pre-push hook at {} is docgate's; made it executable again",
                    hook.display()
                )?;
            } else {
                writeln!(
                    stdout,
                    "docgate: the pre-push hook at {} is already installed (unchanged)",
                    hook.display()
                )?;
            }
            return Ok(ExitStatus::Clean);
        }
        Existing::Ours(_) => {
            write_hook(&dir, &hook)?;
            writeln!(
                stdout,
                "docgate: updated docgate's pre-push hook at {}",
                hook.display()
            )?;
        }
        Existing::None => {
            write_hook(&dir, &hook)?;
            writeln!(
                stdout,
                "docgate: installed the pre-push hook at {}",
                hook.display()
            )?;
        }
        Existing::Foreign(why) if !args.force => bail!(
            "{} already exists and {why}; docgate leaves it alone. Rerun with --force to \
             replace it (it is kept as {BACKUP} and restored by `docgate install --uninstall`), \
             or call `docgate pre-push \"$@\"` from it, passing git's stdin on",
            hook.display()
        ),
        Existing::Foreign(_) => {
            if std::fs::symlink_metadata(&backup).is_ok() {
                bail!(
                    "{} already exists, so --force has nowhere to keep the current hook; \
                     move one of them away first",
                    backup.display()
                );
            }
            std::fs::rename(&hook, &backup).with_context(|| {
                format!("cannot move {} to {}", hook.display(), backup.display())
            })?;
            write_hook(&dir, &hook)?;
            writeln!(
                stdout,
                "docgate: installed the pre-push hook at {}; the hook it replaced is kept as {}",
                hook.display(),
                backup.display()
            )?;
        }
    }
    writeln!(
        stdout,
        "  every `git push` now runs `docgate pre-push` on the commits being pushed; \
         `git push --no-verify` skips it once"
    )?;
    Ok(ExitStatus::Clean)
}

fn uninstall(hook: &Path, backup: &Path, stdout: &mut dyn Write) -> Result<ExitStatus> {
    match existing(hook)? {
        Existing::None => {
            writeln!(
                stdout,
                "docgate: no pre-push hook at {}: nothing to remove",
                hook.display()
            )?;
        }
        Existing::Foreign(why) => bail!(
            "{} is not removed: {why} (no `{MARKER}` line); docgate removes only its own hook",
            hook.display()
        ),
        Existing::Ours(_) => {
            std::fs::remove_file(hook)
                .with_context(|| format!("cannot remove {}", hook.display()))?;
            if std::fs::symlink_metadata(backup).is_ok() {
                std::fs::rename(backup, hook).with_context(|| {
                    format!("cannot restore {} to {}", backup.display(), hook.display())
                })?;
                writeln!(
                    stdout,
                    "docgate: removed docgate's pre-push hook and restored the one it replaced ({})",
                    hook.display()
                )?;
            } else {
                writeln!(
                    stdout,
                    "docgate: removed docgate's pre-push hook from {}",
                    hook.display()
                )?;
            }
        }
    }
    Ok(ExitStatus::Clean)
}

/// Write the hook through a temporary file and a rename, executable.
fn write_hook(dir: &Path, hook: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the hooks folder {}", dir.display()))?;
    let tmp: PathBuf = dir.join("pre-push.docgate-tmp");
    std::fs::write(&tmp, HOOK).with_context(|| format!("cannot write {}", tmp.display()))?;
    make_executable(&tmp)?;
    std::fs::rename(&tmp, hook)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), hook.display()))?;
    Ok(())
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(unix)]
fn is_executable(path: &Path) -> Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(meta.permissions().mode() & 0o111 == 0o111)
}

#[cfg(not(unix))]
fn is_executable(_path: &Path) -> Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_hook_carries_the_marker_and_runs_docgate_pre_push() {
        assert!(is_docgate_hook(HOOK.as_bytes()));
        assert!(HOOK.starts_with("#!/bin/sh\n"));
        assert!(HOOK.contains("exec docgate pre-push \"$@\""));
        assert!(!is_docgate_hook(b"#!/bin/sh\nexec other-tool\n"));
        // Mentioning the marker mid-line is not the marker.
        assert!(!is_docgate_hook(
            format!("#!/bin/sh\necho '{MARKER}'\n").as_bytes()
        ));
    }
}
