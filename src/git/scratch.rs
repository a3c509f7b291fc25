//! A new repository docgate builds itself (`docgate demo`): the one place
//! docgate creates commits, always in a folder it just created.

use std::path::Path;

use anyhow::{Context as _, Result};
use git2::{Repository, RepositoryInitOptions, Signature};

pub struct Scratch {
    git: Repository,
}

impl Scratch {
    /// `git init` with `branch` as the first branch.
    pub fn init(dir: &Path, branch: &str) -> Result<Scratch> {
        let mut opts = RepositoryInitOptions::new();
        opts.initial_head(branch);
        let git = Repository::init_opts(dir, &opts)
            .with_context(|| format!("cannot create a repository in {}", dir.display()))?;
        Ok(Scratch { git })
    }

    /// Commit every file of the working tree on the current branch, at
    /// `time` (seconds since the epoch) for reproducible ids.
    pub fn commit_all(&self, message: &str, time: i64) -> Result<()> {
        let repo = &self.git;
        let mut index = repo.index()?;
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        let sig = Signature::new(
            "docgate demo",
            "demo@docgate.invalid",
            &git2::Time::new(time, 0),
        )?;
        // The first commit has no parent: the branch is still unborn.
        let parents = match repo.head() {
            Ok(h) => vec![h.peel_to_commit()?],
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs)?;
        Ok(())
    }

    /// Create `name` at the current commit and make it the current branch.
    pub fn switch_to_new_branch(&self, name: &str) -> Result<()> {
        let head = self.git.head()?.peel_to_commit()?;
        self.git.branch(name, &head, false)?;
        self.git.set_head(&format!("refs/heads/{name}"))?;
        Ok(())
    }
}
