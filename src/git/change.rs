//! What changed: the resolved range, the changed files and the commits in it.

use anyhow::{Context as _, Result, anyhow, bail};
use git2::{Delta, DiffFindOptions, DiffOptions, Oid};

use super::treediff::{self, Delta as TreeDelta, Renames};
use super::{ObjectId, Repo};
use crate::snapshot::{Read, Snapshot};

/// What the user asked to compare.
#[derive(Debug, Clone)]
pub enum Request {
    /// `--base/--head` (or the default base, or pre-commit's refs).
    Revs {
        base: Option<String>,
        head: Option<String>,
        origin: &'static str,
    },
    /// Everything reachable from `head`, against the empty tree: the first
    /// push of a history the remote has none of (pre-push).
    Root {
        head: String,
        origin: &'static str,
    },
    Staged,
    Worktree,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Range,
    Staged,
    Worktree,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Range => "range",
            Mode::Staged => "staged",
            Mode::Worktree => "worktree",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Range {
    pub mode: Mode,
    /// The base revision as given or chosen (`origin/main`), for the report.
    pub base_rev: Option<String>,
    /// Where `base_rev` came from (`--base`, `default`, `PRE_COMMIT_FROM_REF`).
    pub base_origin: &'static str,
    pub head_rev: Option<String>,
    /// The merge-base (range mode) or `HEAD` (staged/worktree); `None` = empty tree.
    pub base: Option<ObjectId>,
    /// The head commit (range mode); `HEAD` otherwise.
    pub head: Option<ObjectId>,
}

impl Range {
    /// One line for reports: what was compared with what.
    pub fn describe(&self) -> String {
        let base = self
            .base
            .map(ObjectId::short)
            .unwrap_or_else(|| "empty tree".into());
        match self.mode {
            Mode::Range if self.base.is_none() => format!(
                "the whole history of {} against the empty tree ({})",
                self.head_rev.as_deref().unwrap_or("HEAD"),
                self.base_origin
            ),
            Mode::Range => format!(
                "{}...{} (merge-base {}, base from {})",
                self.base_rev.as_deref().unwrap_or("?"),
                self.head_rev.as_deref().unwrap_or("HEAD"),
                base,
                self.base_origin
            ),
            Mode::Staged => format!("index against HEAD ({base})"),
            Mode::Worktree => format!("working tree against HEAD ({base})"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Added,
    Modified,
    Deleted,
    Renamed,
}

impl Status {
    pub fn letter(self) -> char {
        match self {
            Status::Added => 'A',
            Status::Modified => 'M',
            Status::Deleted => 'D',
            Status::Renamed => 'R',
        }
    }
}

#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// The path after the change (the old path for a deletion).
    pub path: String,
    pub status: Status,
    /// For a rename, the path before.
    pub old_path: Option<String>,
    /// The raw bytes of the path on the base side (`None` when added), to
    /// read the file even when its name is not UTF-8.
    pub base_raw: Option<Vec<u8>>,
}

impl ChangedFile {
    /// The paths this change touches: both sides of a rename.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.old_path.as_deref())
    }
}

#[derive(Debug, Clone)]
pub struct Commit {
    id: Oid,
    pub message: String,
    /// Committer time, seconds since the epoch (UTC).
    pub time: i64,
}

impl Commit {
    /// The abbreviated id the report shows.
    pub fn short_id(&self) -> String {
        crate::git::short(self.id)
    }

    /// The message's trailers (`Key: value` in its last paragraph), as git
    /// reads them; `Err` names why they cannot be read.
    pub fn trailers(&self) -> Result<Vec<(String, String)>, String> {
        let trailers =
            git2::message_trailers_strs(&self.message).map_err(|e| e.message().to_string())?;
        Ok(trailers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }
}

pub struct Change<'r> {
    pub range: Range,
    pub files: Vec<ChangedFile>,
    /// Commits in the range, newest first (empty for staged/worktree).
    pub commits: Vec<Commit>,
    pub base: Snapshot<'r>,
    pub head: Snapshot<'r>,
    /// How renames were found; `exact_only` when too many added × deleted
    /// files were left for similarity scoring (git's `diff.renameLimit`).
    pub renames: Renames,
}

/// The changed files between two trees (`None` = the empty tree), renames
/// paired the way git pairs them (see [`treediff`]).
fn tree_diff(
    git: &git2::Repository,
    base: Option<Oid>,
    head: Oid,
) -> Result<(Vec<ChangedFile>, Renames)> {
    let base_tree = match base {
        Some(b) => Some(git.find_commit(b)?.tree()?),
        None => None,
    };
    let head_tree = git.find_commit(head)?.tree()?;
    let limit = treediff::rename_limit(git)?;
    let (deltas, renames) = treediff::diff(git, base_tree.as_ref(), &head_tree, limit)
        .context("cannot diff the range")?;
    let mut files: Vec<ChangedFile> = deltas.into_iter().map(changed_file).collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((files, renames))
}

fn changed_file(d: TreeDelta) -> ChangedFile {
    let text = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    match d {
        TreeDelta::Added(s) => ChangedFile {
            path: text(&s.path),
            status: Status::Added,
            old_path: None,
            base_raw: None,
        },
        TreeDelta::Deleted(s) => ChangedFile {
            path: text(&s.path),
            status: Status::Deleted,
            old_path: None,
            base_raw: Some(s.path),
        },
        TreeDelta::Modified { old, new } => ChangedFile {
            path: text(&new.path),
            status: Status::Modified,
            old_path: None,
            base_raw: Some(old.path),
        },
        TreeDelta::Renamed { old, new } => ChangedFile {
            path: text(&new.path),
            status: Status::Renamed,
            old_path: Some(text(&old.path)),
            base_raw: Some(old.path),
        },
    }
}

impl<'r> Change<'r> {
    /// Like [`Change::resolve`], running `side` on this thread with the head
    /// snapshot while, in range mode, the tree diff runs on another thread
    /// with its own repository handle: on a multi-core machine loading the
    /// docs and diffing overlap (SPEC §10).
    pub fn resolve_with<T>(
        repo: &'r Repo,
        request: &Request,
        side: impl FnOnce(&Snapshot<'r>) -> Result<T>,
    ) -> Result<(Change<'r>, T)> {
        let Request::Revs { base, head, origin } = request else {
            let change = Change::resolve(repo, request)?;
            let t = side(&change.head)?;
            return Ok((change, t));
        };
        let head_rev = head.clone().unwrap_or_else(|| "HEAD".into());
        if head.is_none() && repo.head_commit()?.is_none() {
            return Err(anyhow!(
                "the repository has no commits yet (HEAD is an unborn branch): nothing to compare; \
                 commit first, or check what is staged with --staged"
            ));
        }
        let (base_rev, origin) = match base {
            Some(b) => (b.clone(), *origin),
            None => (repo.default_base()?, "default"),
        };
        let head_oid = repo.commit(&head_rev)?;
        let base_oid = repo.commit(&base_rev)?;
        let head_snapshot = repo.tree_snapshot(head_oid)?;
        let location = repo.git.path().to_path_buf();
        // The merge-base and the tree diff on one thread, loading the docs
        // (`side`) and walking the commits in `base..head` on this one.
        let (diffed, t, commits) = std::thread::scope(|scope| {
            let job = scope.spawn(move || -> Result<(Oid, Vec<ChangedFile>, Renames)> {
                let other = Repo {
                    git: git2::Repository::open(&location).with_context(|| {
                        format!("cannot open {} again to diff", location.display())
                    })?,
                };
                let merge_base = other.merge_base(base_oid, head_oid)?;
                let (files, renames) = tree_diff(&other.git, Some(merge_base), head_oid)?;
                Ok((merge_base, files, renames))
            });
            let t = side(&head_snapshot);
            let commits = t
                .is_ok()
                .then(|| commits_reachable(repo, head_oid, Some(base_oid)));
            let diffed = job.join().map_err(|_| anyhow!("the diff thread panicked"));
            (diffed, t, commits)
        });
        let t = t?;
        let (merge_base, files, renames) = diffed??;
        let commits = commits.expect("walked when the docs loaded")?;
        Ok((
            Change {
                range: Range {
                    mode: Mode::Range,
                    base_rev: Some(base_rev),
                    base_origin: origin,
                    head_rev: Some(head_rev),
                    base: Some(merge_base.into()),
                    head: Some(head_oid.into()),
                },
                files,
                commits,
                base: repo.tree_snapshot(merge_base)?,
                head: head_snapshot,
                renames,
            },
            t,
        ))
    }

    /// Line numbers (1-based, head side) that the change added or modified in
    /// `path`: where a review comment can go. Reads only that file's blobs.
    pub fn added_lines(&self, repo: &Repo, path: &str) -> Result<std::collections::HashSet<usize>> {
        let mut lines = std::collections::HashSet::new();
        let (Some(base), Some(head)) = (self.range.base, self.range.head) else {
            return Ok(lines);
        };
        if self.range.mode != Mode::Range {
            return Ok(lines);
        }
        let base_tree = repo.git.find_commit(base.oid())?.tree()?;
        let head_tree = repo.git.find_commit(head.oid())?.tree()?;
        let mut opts = DiffOptions::new();
        opts.pathspec(path)
            .disable_pathspec_match(true)
            .context_lines(0);
        let diff = repo
            .git
            .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut opts))
            .with_context(|| format!("cannot diff {path}"))?;
        diff.foreach(
            &mut |_, _| true,
            None,
            None,
            Some(&mut |_, _, line| {
                if line.origin() == '+'
                    && let Some(n) = line.new_lineno()
                {
                    lines.insert(n as usize);
                }
                true
            }),
        )
        .with_context(|| format!("cannot read the diff of {path}"))?;
        Ok(lines)
    }

    /// Line numbers (1-based, head side) that the change added or modified
    /// in `file`, whose head content is `head`: git's own diff of the base
    /// and head blobs, in every mode (range, staged, working tree, root). A
    /// file with no base version (added) is all changed lines.
    pub fn changed_lines(
        &self,
        file: &ChangedFile,
        head: &[u8],
    ) -> Result<std::collections::HashSet<usize>> {
        let base = match &file.base_raw {
            None => None,
            Some(raw) => match self.base.read_raw(raw)? {
                Read::Bytes(b) => Some(b),
                Read::Missing => None,
                // A base that is not text (a link, too large, LFS): every line is new.
                _ => None,
            },
        };
        let Some(base) = base else {
            let lines = head.split(|&b| b == b'\n').count()
                - usize::from(head.ends_with(b"\n") || head.is_empty());
            return Ok((1..=lines).collect());
        };
        let mut opts = DiffOptions::new();
        opts.context_lines(0);
        let patch = git2::Patch::from_buffers(&base, None, head, None, Some(&mut opts))
            .with_context(|| format!("cannot diff {}", file.path))?;
        let mut lines = std::collections::HashSet::new();
        for h in 0..patch.num_hunks() {
            for l in 0..patch.num_lines_in_hunk(h)? {
                let line = patch.line_in_hunk(h, l)?;
                if line.origin() == '+'
                    && let Some(n) = line.new_lineno()
                {
                    lines.insert(n as usize);
                }
            }
        }
        Ok(lines)
    }

    /// The day the change was made (UTC): its newest commit's committer date,
    /// or today for staged and working-tree changes.
    pub fn date(&self) -> (i64, u32, u32) {
        match self.commits.iter().map(|c| c.time).max() {
            Some(t) => crate::date::civil_from_secs(t),
            None => crate::date::today(),
        }
    }

    pub fn resolve(repo: &'r Repo, request: &Request) -> Result<Change<'r>> {
        match request {
            Request::Revs { .. } => Ok(Change::resolve_with(repo, request, |_| Ok(()))?.0),
            Request::Root { head, origin } => {
                let head_oid = repo.commit(head)?;
                let (files, renames) = tree_diff(&repo.git, None, head_oid)
                    .context("cannot diff the history against the empty tree")?;
                Ok(Change {
                    range: Range {
                        mode: Mode::Range,
                        base_rev: None,
                        base_origin: origin,
                        head_rev: Some(head.clone()),
                        base: None,
                        head: Some(head_oid.into()),
                    },
                    files,
                    commits: commits_reachable(repo, head_oid, None)?,
                    base: Snapshot::Empty,
                    head: repo.tree_snapshot(head_oid)?,
                    renames,
                })
            }
            Request::Staged | Request::Worktree => {
                let head = repo.head_commit()?;
                let head_tree = match head {
                    Some(oid) => Some(repo.git.find_commit(oid)?.tree()?),
                    None => None,
                };
                let mut opts = diff_options();
                let (mode, mut diff, head_snapshot) = if matches!(request, Request::Staged) {
                    let index = repo.git.index().context("cannot read the index")?;
                    let diff = repo
                        .git
                        .diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut opts))
                        .context("cannot diff the index")?;
                    (Mode::Staged, diff, repo.index_snapshot()?)
                } else {
                    repo.workdir()?;
                    opts.include_untracked(true).recurse_untracked_dirs(true);
                    let diff = repo
                        .git
                        .diff_tree_to_workdir_with_index(head_tree.as_ref(), Some(&mut opts))
                        .context("cannot diff the working tree")?;
                    (Mode::Worktree, diff, repo.workdir_snapshot()?)
                };
                let (files, renames) = collect(&mut diff, treediff::rename_limit(&repo.git)?)?;
                let base_snapshot = match head {
                    Some(oid) => repo.tree_snapshot(oid)?,
                    None => Snapshot::Empty,
                };
                Ok(Change {
                    range: Range {
                        mode,
                        base_rev: head.map(|_| "HEAD".to_string()),
                        base_origin: if head.is_some() {
                            "HEAD"
                        } else {
                            "unborn branch"
                        },
                        head_rev: None,
                        base: head.map(ObjectId::from),
                        head: head.map(ObjectId::from),
                    },
                    files,
                    commits: Vec::new(),
                    base: base_snapshot,
                    head: head_snapshot,
                    renames,
                })
            }
        }
    }
}

fn diff_options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    // Unreadable working-tree files are reported (and refused in `collect`),
    // not left out of the diff.
    opts.include_typechange(true)
        .ignore_submodules(false)
        .include_unreadable(true);
    opts
}

fn lossy(path: Option<&[u8]>) -> Option<String> {
    path.map(|p| String::from_utf8_lossy(p).into_owned())
}

/// The changed files of a libgit2 diff (index or working tree against
/// `HEAD`), renames paired by libgit2; similarity scoring only while
/// `added × deleted ≤ limit²`, as git bounds it with `diff.renameLimit`.
fn collect(diff: &mut git2::Diff<'_>, limit: usize) -> Result<(Vec<ChangedFile>, Renames)> {
    let (mut added, mut deleted) = (0usize, 0usize);
    for delta in diff.deltas() {
        match delta.status() {
            Delta::Added | Delta::Untracked => added += 1,
            Delta::Deleted => deleted += 1,
            _ => {}
        }
    }
    let renames = Renames::new(added, deleted, limit);
    let exact_only = renames.exact_only;
    let mut find = DiffFindOptions::new();
    find.renames(true)
        .for_untracked(true)
        .exact_match_only(exact_only);
    diff.find_similar(Some(&mut find))
        .context("cannot detect renames")?;
    let mut files = Vec::with_capacity(diff.deltas().len());
    for delta in diff.deltas() {
        let old = lossy(delta.old_file().path_bytes());
        let new = lossy(delta.new_file().path_bytes());
        let (path, status, old_path) = match delta.status() {
            Delta::Added | Delta::Untracked => (new, Status::Added, None),
            Delta::Deleted => (old, Status::Deleted, None),
            Delta::Modified | Delta::Typechange | Delta::Conflicted => {
                (new, Status::Modified, None)
            }
            Delta::Renamed => (new, Status::Renamed, old),
            // A copy leaves its source untouched: only the new path changed.
            Delta::Copied => (new, Status::Added, None),
            // A file git cannot read (a folder without permission) is not
            // "unchanged": what changed there is unknown, so docgate cannot
            // decide (never a silent drop).
            Delta::Unreadable => bail!(
                "cannot read {} in the working tree (permission denied?): what changed there is \
                 unknown, so the change cannot be checked",
                new.or(old).unwrap_or_else(|| "a file".into())
            ),
            Delta::Unmodified | Delta::Ignored => continue,
        };
        let path = path.ok_or_else(|| anyhow!("git reported a change without a path"))?;
        let base_raw = match status {
            Status::Added => None,
            _ => delta.old_file().path_bytes().map(<[u8]>::to_vec),
        };
        files.push(ChangedFile {
            path,
            status,
            old_path,
            base_raw,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((files, renames))
}

/// The commits reachable from `head` and not from `base` (all of them without one).
fn commits_reachable(repo: &Repo, head: Oid, base: Option<Oid>) -> Result<Vec<Commit>> {
    let mut walk = repo.git.revwalk()?;
    walk.push(head)?;
    if let Some(base) = base {
        walk.hide(base)?;
    }
    let mut commits = Vec::new();
    for oid in walk {
        let oid = oid.context("cannot walk the commits in the range")?;
        let commit = repo.git.find_commit(oid)?;
        let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        commits.push(Commit {
            id: oid,
            message,
            time: commit.committer().when().seconds(),
        });
    }
    Ok(commits)
}
