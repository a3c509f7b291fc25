//! Which configuration a command uses: `--config FILE`, else the
//! `.docgate.yml` of what is checked, else the defaults.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::config::{self, Config};
use crate::git::{Repo, repo_relative};
use crate::snapshot::{self, Read, Snapshot};

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
