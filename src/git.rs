//! The git layer: open the repository, resolve revisions and the range a
//! check looks at. No git2 type leaves this module and its children
//! (`change`, `prepush`, `snapshot`, `scratch`, `treediff`) except through their own
//! small types: a commit id outside is an [`ObjectId`].

pub mod change;
pub mod prepush;
pub mod scratch;
pub mod snapshot;
pub mod treediff;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use git2::Oid;
use git2::Repository;

use crate::snapshot::Snapshot;

pub struct Repo {
    git: Repository,
}

/// How many commits behind `head` [`Repo::merge_base`] looks for `base`
/// before it computes the merge-base the long way.
const NEAR_COMMITS: usize = 64;

/// Process-wide libgit2 settings, once before any repository is opened: git
/// itself does not re-hash objects it reads; neither do we (5% of a large
/// check). Corruption still fails loudly when git writes or fsck runs.
///
/// No object cache: docgate reads each tree and commit of a range about once
/// (the tree diff, the commit walk), so libgit2's cache only held them all
/// until exit: on Apache NuttX's 15,446-commit range it was 60 MB of a
/// 269 MB peak, and the check was no faster with it (bench/RESULTS.md).
pub fn tune_libgit2() {
    git2::opts::strict_hash_verification(false);
    git2::opts::enable_caching(false);
}

impl Repo {
    /// Open the repository containing `dir`.
    pub fn discover(dir: &Path) -> Result<Repo> {
        let git = Repository::discover(dir).map_err(|e| match e.code() {
            git2::ErrorCode::NotFound => anyhow!(
                "not a git repository (or any parent up to the filesystem root): {}",
                dir.display()
            ),
            git2::ErrorCode::Owner => anyhow!(
                "git refuses to open {} because it is owned by another user ({}); \
                 mark it safe with `git config --global --add safe.directory <path>`",
                dir.display(),
                e.message()
            ),
            _ => anyhow!(
                "cannot open the git repository at {}: {}",
                dir.display(),
                e.message()
            ),
        })?;
        Ok(Repo { git })
    }

    /// The working tree root, for commands that read from disk.
    pub fn workdir(&self) -> Result<PathBuf> {
        self.git.workdir().map(Path::to_path_buf).ok_or_else(|| {
            anyhow!(
                "{} is a bare repository; this command needs a working tree",
                self.git.path().display()
            )
        })
    }

    /// The folder git runs hooks from: `core.hooksPath` (relative to the
    /// working tree root, or to the git dir of a bare repository, as git
    /// resolves it), else `hooks/` in the common git dir, which linked
    /// worktrees share with the main one.
    pub fn hooks_dir(&self) -> Result<PathBuf> {
        let config = self
            .git
            .config()
            .context("cannot read the git configuration")?;
        match config.get_path("core.hooksPath") {
            Ok(path) if path.is_absolute() => Ok(path),
            Ok(path) => {
                let base = match self.git.workdir() {
                    Some(dir) => dir.to_path_buf(),
                    None => self.git.path().to_path_buf(),
                };
                Ok(base.join(path))
            }
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                Ok(self.git.commondir().join("hooks"))
            }
            Err(e) => Err(anyhow!("cannot read core.hooksPath: {}", e.message())),
        }
    }

    pub fn is_shallow(&self) -> bool {
        self.git.is_shallow()
    }

    fn shallow_hint(&self) -> &'static str {
        "the clone is shallow, so the history needed to compare is missing. \
         In GitHub Actions set `fetch-depth: 0` on actions/checkout; locally run \
         `git fetch --unshallow`"
    }

    /// Resolve a revision to a commit, with the shallow-clone fix when that is why it is missing.
    pub fn commit(&self, rev: &str) -> Result<Oid> {
        let obj = self.git.revparse_single(rev).map_err(|e| {
            if self.is_shallow() {
                anyhow!("unknown revision `{rev}`: {}", self.shallow_hint())
            } else {
                anyhow!("unknown revision `{rev}`: {}", e.message())
            }
        })?;
        let commit = obj
            .peel_to_commit()
            .map_err(|_| anyhow!("`{rev}` does not name a commit"))?;
        Ok(commit.id())
    }

    /// `HEAD`'s commit, or a clear error in an empty repository or on an unborn branch.
    pub fn head_commit(&self) -> Result<Option<Oid>> {
        match self.git.head() {
            Ok(r) => Ok(Some(
                r.peel_to_commit()
                    .context("HEAD does not point at a commit")?
                    .id(),
            )),
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(anyhow!("cannot read HEAD: {}", e.message())),
        }
    }

    pub fn merge_base(&self, base: Oid, head: Oid) -> Result<Oid> {
        // When `base` is among the last commits before `head` (a push of a
        // branch that forked from it, a pull request whose base has not
        // moved), it is the merge-base: no walk over the whole history
        // between them (libgit2 paints it all, 15,446 commits on NuttX).
        if self.near_ancestor(base, head) {
            return Ok(base);
        }
        match self.git.merge_base(base, head) {
            Ok(oid) => Ok(oid),
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                if self.is_shallow() {
                    bail!(
                        "no merge-base between {} and {}: {}",
                        short(base),
                        short(head),
                        self.shallow_hint()
                    )
                }
                bail!(
                    "{} and {} have no common history (unrelated branches); pass a --base that shares history with the head",
                    short(base),
                    short(head)
                )
            }
            Err(e) => Err(anyhow!("cannot compute the merge-base: {}", e.message())),
        }
    }

    /// Is `base` `head` or one of the first [`NEAR_COMMITS`] commits reached
    /// from `head` through its parents? Then it is an ancestor of `head`,
    /// and so the merge-base of the two. `false` is "not found that close"
    /// (or a commit that could not be read): the full merge-base computation
    /// decides, and reports what is wrong.
    fn near_ancestor(&self, base: Oid, head: Oid) -> bool {
        let mut seen = std::collections::HashSet::from([head]);
        let mut queue = std::collections::VecDeque::from([head]);
        while let Some(oid) = queue.pop_front() {
            if oid == base {
                return true;
            }
            let Ok(commit) = self.git.find_commit(oid) else {
                return false;
            };
            for parent in commit.parent_ids() {
                if seen.len() >= NEAR_COMMITS {
                    break;
                }
                if seen.insert(parent) {
                    queue.push_back(parent);
                }
            }
        }
        false
    }

    pub fn tree_snapshot(&self, commit: Oid) -> Result<Snapshot<'_>> {
        let tree = self.git.find_commit(commit)?.tree()?;
        Ok(Snapshot::Tree {
            repo: &self.git,
            tree,
            folders: Default::default(),
        })
    }

    pub fn index_snapshot(&self) -> Result<Snapshot<'_>> {
        let index = self.git.index().context("cannot read the index")?;
        Ok(Snapshot::Index {
            repo: &self.git,
            index,
        })
    }

    pub fn workdir_snapshot(&self) -> Result<Snapshot<'_>> {
        Ok(Snapshot::Workdir {
            repo: &self.git,
            root: self.workdir()?,
        })
    }

    /// The default base: the first of these that exists.
    pub fn default_base(&self) -> Result<String> {
        const CANDIDATES: &[&str] = &[
            "refs/remotes/origin/HEAD",
            "origin/main",
            "origin/master",
            "main",
            "master",
            "@{upstream}",
        ];
        for c in CANDIDATES {
            // Only "there is no such ref" moves on to the next candidate; a
            // ref that exists but cannot be read is an error, never a quiet
            // switch to another base.
            let object = match self.git.revparse_single(c) {
                Ok(o) => o,
                Err(e)
                    if matches!(
                        e.code(),
                        git2::ErrorCode::NotFound
                            | git2::ErrorCode::InvalidSpec
                            | git2::ErrorCode::UnbornBranch
                    ) =>
                {
                    continue;
                }
                Err(e) => bail!("cannot read {c} to choose the base: {}", e.message()),
            };
            object.peel_to_commit().map_err(|e| {
                anyhow!(
                    "{c} exists but does not point at a commit ({}): pass --base <rev>",
                    e.message()
                )
            })?;
            return Ok((*c).to_string());
        }
        bail!(
            "no base to compare with: none of {} exists; pass --base <rev> (for example --base origin/main)",
            CANDIDATES.join(", ")
        )
    }
}

/// A commit id written in hex, as it comes from outside the repository (an
/// uploaded report): 40 digits for SHA-1, 64 for SHA-256; `None` for anything
/// else. (`Oid::from_str` alone reads only SHA-1 ids.)
pub fn parse_object_id(hex: &str) -> Option<ObjectId> {
    let format = match hex.len() {
        40 => git2::ObjectFormat::Sha1,
        64 => git2::ObjectFormat::Sha256,
        _ => return None,
    };
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Oid::from_str_ext(hex, format).ok().map(ObjectId)
}

/// Let libgit2 open repositories owned by another user than the process's
/// (the GitHub Actions workspace, mounted into the container with the host
/// runner's owner), which it otherwise refuses as "dubious ownership".
///
/// # Safety
///
/// libgit2's options are process-global: call this before any other libgit2
/// use, while no other thread uses libgit2.
pub unsafe fn allow_any_owner() -> Result<()> {
    // SAFETY: the caller's contract above.
    unsafe { git2::opts::set_verify_owner_validation(false) }
        .map_err(|e| anyhow!("cannot configure libgit2: {}", e.message()))
}

pub(crate) fn short(oid: Oid) -> String {
    let s = oid.to_string();
    s[..s.len().min(12)].to_string()
}

/// A commit id as it leaves the git layer: git2's `Oid` stays inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectId(Oid);

impl ObjectId {
    /// The git2 id, for the git layer's own calls.
    pub(crate) fn oid(self) -> Oid {
        self.0
    }

    /// The abbreviated id (12 hex digits) reports show.
    pub fn short(self) -> String {
        short(self.0)
    }
}

impl From<Oid> for ObjectId {
    fn from(oid: Oid) -> ObjectId {
        ObjectId(oid)
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A user-given path (relative to the current directory) as repo-relative.
pub fn repo_relative(root: &Path, cwd: &Path, path: &Path) -> Result<String> {
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
