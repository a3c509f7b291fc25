//! The pre-push hook protocol (githooks(5)) and the range each pushed ref is
//! checked over.
//!
//! git runs `pre-push <remote> <url>` with one line per ref on stdin:
//! `<local ref> SP <local oid> SP <remote ref> SP <remote oid> LF`. An all-zero
//! local oid is a delete, an all-zero remote oid a ref the remote does not have
//! yet. [`parse`] is pure; [`Repo::plan_push`] picks the range of one ref.

use std::collections::HashSet;

use anyhow::{Context as _, Result, anyhow, bail};
use git2::{ObjectType, Oid};

use super::change::Request;
use super::{Repo, short};

/// One line of git's ref list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The local ref being pushed (`refs/heads/topic`, `HEAD`, `(delete)`).
    pub local_ref: String,
    pub local_oid: String,
    /// The ref it updates on the remote.
    pub remote_ref: String,
    /// What the remote has now (all zeros: nothing).
    pub remote_oid: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The push deletes the remote ref: nothing to check.
    Delete,
    /// The remote does not have the ref yet.
    New,
    /// The remote ref exists and moves (fast-forward or forced).
    Update,
}

impl RefUpdate {
    pub fn kind(&self) -> Kind {
        if is_zero(&self.local_oid) {
            Kind::Delete
        } else if is_zero(&self.remote_oid) {
            Kind::New
        } else {
            Kind::Update
        }
    }
}

/// git's "no object" id: 40 zeros (SHA-1) or 64 zeros (SHA-256).
pub fn is_zero(oid: &str) -> bool {
    (oid.len() == 40 || oid.len() == 64) && oid.bytes().all(|b| b == b'0')
}

fn is_oid(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A line of the ref list that is not what git writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} of the ref list on stdin: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// At most 100 characters of untrusted input, for an error message (a 10 MB
/// line is not echoed back).
fn quote(text: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 100;
    match text.char_indices().nth(MAX) {
        None => text.into(),
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()).into(),
    }
}

/// Parse git's ref list. Empty lines are ignored (git writes none); anything
/// else that is not four fields with 40- or 64-digit object ids is an error.
pub fn parse(input: &[u8]) -> Result<Vec<RefUpdate>, ParseError> {
    let mut updates = Vec::new();
    let mut width: Option<usize> = None;
    for (i, raw) in input.split(|&b| b == b'\n').enumerate() {
        let line = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.is_empty() {
            continue;
        }
        let text = String::from_utf8_lossy(raw);
        let err = |message: String| ParseError { line, message };
        // The local ref comes first and is the only field that could hold a
        // space (git writes none), so split from the right like git's own readers.
        let mut fields = text.rsplitn(4, ' ');
        let (Some(remote_oid), Some(remote_ref), Some(local_oid), Some(local_ref)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(err(format!(
                "expected `<local ref> <local oid> <remote ref> <remote oid>`, got `{}`",
                quote(&text)
            )));
        };
        if local_ref.is_empty() || remote_ref.is_empty() {
            return Err(err(format!("empty ref name in `{}`", quote(&text))));
        }
        for oid in [local_oid, remote_oid] {
            if !is_oid(oid) {
                return Err(err(format!(
                    "`{}` is not an object id (40 hex digits for SHA-1, 64 for SHA-256)",
                    quote(oid)
                )));
            }
        }
        if local_oid.len() != remote_oid.len() {
            return Err(err(format!(
                "the object ids `{local_oid}` and `{remote_oid}` have different lengths"
            )));
        }
        match width {
            Some(w) if w != local_oid.len() => {
                return Err(err(format!(
                    "{}-digit object ids after {w}-digit ones: one push uses one object format",
                    local_oid.len()
                )));
            }
            _ => width = Some(local_oid.len()),
        }
        if is_zero(local_oid) && is_zero(remote_oid) {
            return Err(err(format!(
                "both object ids are zero in `{}`: nothing is pushed and nothing deleted",
                quote(&text)
            )));
        }
        updates.push(RefUpdate {
            local_ref: local_ref.to_string(),
            local_oid: local_oid.to_ascii_lowercase(),
            remote_ref: remote_ref.to_string(),
            remote_oid: remote_oid.to_ascii_lowercase(),
        });
    }
    Ok(updates)
}

/// What to do with one pushed ref.
#[derive(Debug)]
pub enum Plan {
    /// Nothing to check, and why (printed).
    Skip { reason: String },
    /// Check this range.
    Check {
        request: Request,
        /// How the base was chosen, for the report.
        base: String,
        /// The short id of the pushed commit, for the report.
        head: String,
        /// Things the user should know (a remote commit we do not have).
        notes: Vec<String>,
    },
}

impl Repo {
    /// An object id as git printed it, in this repository's object format.
    fn parse_oid(&self, hex: &str) -> Result<Oid> {
        let format = self.git.object_format();
        // git2 takes a shorter id as a prefix and pads it with zeros.
        let digits = match format {
            git2::ObjectFormat::Sha1 => 40,
            git2::ObjectFormat::Sha256 => 64,
        };
        if hex.len() != digits {
            bail!(
                "`{hex}` is not a {} object id ({digits} hex digits), the format of this repository",
                format.str()
            );
        }
        Oid::from_str_ext(hex, format).map_err(|e| {
            anyhow!(
                "`{hex}` is not a {} object id, the format of this repository: {}",
                format.str(),
                e.message()
            )
        })
    }

    /// The commit an object peels to; `Ok(None)` when it is (a tag of) a tree
    /// or blob, `Err` when the repository does not have it or any object on
    /// the way: a tag whose commit cannot be read is never "nothing to check".
    fn peel_commit(&self, oid: Oid) -> Result<Option<Oid>, git2::Error> {
        let mut object = self.git.find_object(oid, None)?;
        // A tag of a tag of ... is bounded by the objects git would write.
        for _ in 0..64 {
            match object.kind() {
                Some(ObjectType::Commit) => return Ok(Some(object.id())),
                Some(ObjectType::Tag) => {
                    let tag = object.as_tag().expect("a tag object is a tag");
                    let target = tag.target_id();
                    object = self.git.find_object(target, None)?;
                }
                Some(ObjectType::Tree | ObjectType::Blob) => return Ok(None),
                _ => {
                    return Err(git2::Error::from_str(&format!(
                        "{} is an object of unknown type",
                        object.id()
                    )));
                }
            }
        }
        Err(git2::Error::from_str(&format!(
            "{oid} is a chain of more than 64 tags"
        )))
    }

    /// The range one pushed ref is checked over (`remote` is the name git
    /// passed: a remote's name, or a URL when pushing to one).
    pub fn plan_push(&self, update: &RefUpdate, remote: &str) -> Result<Plan> {
        let kind = update.kind();
        if kind == Kind::Delete {
            return Ok(Plan::Skip {
                reason: "deletes the remote ref: nothing to check".into(),
            });
        }
        let local_object = self.parse_oid(&update.local_oid)?;
        let local = match self.peel_commit(local_object) {
            Ok(Some(c)) => c,
            Ok(None) => {
                let kind = self
                    .git
                    .find_object(local_object, None)
                    .ok()
                    .and_then(|o| o.kind())
                    .map_or("object".to_string(), |k| k.to_string());
                return Ok(Plan::Skip {
                    reason: format!("points at a {kind}, not a commit: no commits to check"),
                });
            }
            Err(e) => bail!(
                "git is pushing {} ({}), whose commit this repository cannot read: {}; \
                 the push is refused because what it would publish cannot be checked",
                update.local_ref,
                update.local_oid,
                e.message()
            ),
        };
        let mut notes = Vec::new();
        if kind == Kind::Update {
            let remote_object = self.parse_oid(&update.remote_oid)?;
            match self.peel_commit(remote_object) {
                Ok(Some(old)) => match self.git.merge_base(old, local) {
                    Ok(_) => {
                        return Ok(Plan::Check {
                            request: Request::Revs {
                                base: Some(old.to_string()),
                                head: Some(local.to_string()),
                                origin: "the remote ref",
                            },
                            base: format!("{}..{}", short(old), short(local)),
                            head: short(local),
                            notes,
                        });
                    }
                    Err(e) if e.code() == git2::ErrorCode::NotFound => {
                        if self.is_shallow() {
                            bail!(
                                "no merge-base between the remote's {} and {}: {}",
                                short(old),
                                short(local),
                                self.shallow_hint()
                            );
                        }
                        notes.push(format!(
                            "{remote} has {} at {}, which shares no history with {}: \
                             checking the commits not on any ref of {remote} instead",
                            update.remote_ref,
                            short(old),
                            short(local)
                        ));
                    }
                    Err(e) => bail!("cannot compute the merge-base: {}", e.message()),
                },
                Ok(None) => notes.push(format!(
                    "{remote} has {} at {}, which is not a commit: \
                     checking the commits not on any ref of {remote} instead",
                    update.remote_ref,
                    short(remote_object)
                )),
                Err(e) if e.code() != git2::ErrorCode::NotFound => bail!(
                    "cannot read {remote}'s {} at {}: {}",
                    update.remote_ref,
                    short(remote_object),
                    e.message()
                ),
                Err(_) => notes.push(format!(
                    "{remote} has {} at {}, which this repository does not have \
                     (`git fetch {remote}` to compare with it): checking the commits \
                     not on any ref of {remote} instead",
                    update.remote_ref,
                    short(remote_object)
                )),
            }
        }
        self.plan_new(local, remote, notes)
    }

    /// A ref the remote does not have (or whose remote commit is unknown
    /// here): the commits not on any ref of `remote` (`--not --remotes=<remote>`).
    fn plan_new(&self, local: Oid, remote: &str, notes: Vec<String>) -> Result<Plan> {
        let tips = self.remote_tips(remote)?;
        let mut walk = self.git.revwalk()?;
        walk.push(local)?;
        for tip in &tips {
            walk.hide(*tip)?;
        }
        let mut new = HashSet::new();
        for oid in walk {
            new.insert(oid.context("cannot walk the commits being pushed")?);
        }
        if new.is_empty() {
            return Ok(Plan::Skip {
                reason: format!("{remote} already has every commit of {}", short(local)),
            });
        }
        let count = commits(new.len());
        // The commits the new ones were built on that the remote has.
        let mut boundary = Vec::new();
        for oid in &new {
            for parent in self.git.find_commit(*oid)?.parent_ids() {
                if !new.contains(&parent) && !boundary.contains(&parent) {
                    boundary.push(parent);
                }
            }
        }
        if let Some((base, of)) = self.nearest(local, &boundary)? {
            let how = if of > 1 {
                format!(", the nearest of {of} commits it has that they build on")
            } else {
                String::new()
            };
            return Ok(Plan::Check {
                request: Request::Revs {
                    base: Some(base.to_string()),
                    head: Some(local.to_string()),
                    origin: "the commits not on the remote",
                },
                base: format!("new on {remote}: {count} since {}{how}", short(base)),
                head: short(local),
                notes,
            });
        }
        // The remote has nothing this history builds on.
        let why = if tips.is_empty() {
            format!("{remote} has no branches yet")
        } else {
            format!("{remote} has none of this history")
        };
        if let Some((name, tip)) = self.default_branch()? {
            match self.git.merge_base(tip, local) {
                Ok(mb) if mb != local => {
                    return Ok(Plan::Check {
                        request: Request::Revs {
                            base: Some(mb.to_string()),
                            head: Some(local.to_string()),
                            origin: "the default branch",
                        },
                        base: format!(
                            "{why}: {} since the merge-base with {name} ({})",
                            commits(self.count(mb, local)?),
                            short(mb)
                        ),
                        head: short(local),
                        notes,
                    });
                }
                // On the default branch already (pushing it, or a tag on it),
                // or unrelated to it: the whole history is new.
                Ok(_) => {}
                Err(e) if e.code() == git2::ErrorCode::NotFound => {}
                Err(e) => bail!("cannot compute the merge-base: {}", e.message()),
            }
        }
        if self.is_shallow() {
            bail!(
                "{why}, so docgate would check the whole history of {}, but {}",
                short(local),
                self.shallow_hint()
            );
        }
        Ok(Plan::Check {
            request: Request::Root {
                head: local.to_string(),
                origin: "the remote has none of it",
            },
            base: format!("{why}: the whole history, {count}, against the empty tree"),
            head: short(local),
            notes,
        })
    }

    /// A ref line for `local` (a revision) as a ref the remote does not have:
    /// what the pre-commit framework leaves when it passes no range.
    pub fn pushed_ref(&self, local: &str, remote_ref: &str) -> Result<RefUpdate> {
        let hex = self.commit(local)?.to_string();
        Ok(RefUpdate {
            local_ref: local.to_string(),
            remote_ref: remote_ref.to_string(),
            remote_oid: "0".repeat(hex.len()),
            local_oid: hex,
        })
    }

    /// The commits of the remote-tracking refs `refs/remotes/<remote>/*`.
    /// Local branches with commits that no ref of `remote` has: what an empty
    /// ref list on stdin cannot account for.
    pub fn branches_ahead(&self, remote: &str) -> Result<Vec<String>> {
        let tips = self.remote_tips(remote)?;
        let mut ahead = Vec::new();
        for branch in self
            .git
            .branches(Some(git2::BranchType::Local))
            .context("cannot list the branches")?
        {
            let (branch, _) = branch.context("cannot read a branch")?;
            let reference = branch.get();
            let name = String::from_utf8_lossy(reference.shorthand_bytes()).into_owned();
            let tip = reference
                .peel_to_commit()
                .with_context(|| format!("cannot read branch {name}"))?
                .id();
            let mut on_remote = false;
            for t in &tips {
                if *t == tip || self.git.graph_descendant_of(*t, tip)? {
                    on_remote = true;
                    break;
                }
            }
            if !on_remote {
                ahead.push(name);
            }
        }
        Ok(ahead)
    }

    fn remote_tips(&self, remote: &str) -> Result<Vec<Oid>> {
        let prefix = format!("refs/remotes/{remote}/");
        let mut tips = Vec::new();
        for reference in self
            .git
            .references()
            .context("cannot list the references")?
        {
            let reference = reference.context("cannot read a reference")?;
            if !reference.name_bytes().starts_with(prefix.as_bytes()) {
                continue;
            }
            if let Ok(commit) = reference.peel_to_commit()
                && !tips.contains(&commit.id())
            {
                tips.push(commit.id());
            }
        }
        Ok(tips)
    }

    /// Of the commits `local` builds on, the one closest to it: those that are
    /// ancestors of another are dropped, then the fewest commits up to `local`
    /// wins. With the number of candidates left.
    fn nearest(&self, local: Oid, boundary: &[Oid]) -> Result<Option<(Oid, usize)>> {
        let mut left: Vec<Oid> = Vec::new();
        for &b in boundary {
            let mut covered = false;
            for &other in boundary {
                if other != b && self.git.graph_descendant_of(other, b)? {
                    covered = true;
                    break;
                }
            }
            if !covered {
                left.push(b);
            }
        }
        let mut best: Option<(usize, Oid)> = None;
        for &b in &left {
            let (ahead, _) = self.git.graph_ahead_behind(local, b)?;
            if best.is_none_or(|(n, o)| (ahead, b.to_string()) < (n, o.to_string())) {
                best = Some((ahead, b));
            }
        }
        Ok(best.map(|(_, b)| (b, left.len())))
    }

    fn count(&self, base: Oid, head: Oid) -> Result<usize> {
        Ok(self.git.graph_ahead_behind(head, base)?.0)
    }

    /// The local default branch: `init.defaultBranch`, else `main`, else `master`.
    fn default_branch(&self) -> Result<Option<(String, Oid)>> {
        let mut names = Vec::new();
        if let Ok(config) = self.git.config()
            && let Ok(name) = config.get_string("init.defaultBranch")
            && !name.is_empty()
        {
            names.push(name);
        }
        for n in ["main", "master"] {
            if !names.iter().any(|x| x == n) {
                names.push(n.to_string());
            }
        }
        for name in names {
            if let Ok(r) = self.git.find_reference(&format!("refs/heads/{name}"))
                && let Ok(c) = r.peel_to_commit()
            {
                return Ok(Some((name, c.id())));
            }
        }
        Ok(None)
    }
}

fn commits(n: usize) -> String {
    format!("{n} commit{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    fn line(l: &str, lo: &str, r: &str, ro: &str) -> String {
        format!("{l} {lo} {r} {ro}\n")
    }

    #[test]
    fn parses_git_lines() {
        let input = line("refs/heads/topic", A, "refs/heads/topic", B)
            + &line("refs/heads/new", A, "refs/heads/new", Z)
            + &line("(delete)", Z, "refs/heads/old", B);
        let got = parse(input.as_bytes()).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].local_ref, "refs/heads/topic");
        assert_eq!(got[0].remote_oid, B);
        assert_eq!(got[0].kind(), Kind::Update);
        assert_eq!(got[1].kind(), Kind::New);
        assert_eq!(got[2].kind(), Kind::Delete);
        assert_eq!(got[2].local_ref, "(delete)");
    }

    #[test]
    fn empty_input_is_no_updates() {
        assert!(parse(b"").unwrap().is_empty());
        assert!(parse(b"\n\n").unwrap().is_empty());
    }

    #[test]
    fn zero_ids_for_both_formats() {
        assert!(is_zero(Z));
        assert!(is_zero(&"0".repeat(64)));
        assert!(!is_zero(&"0".repeat(39)));
        assert!(!is_zero(&"0".repeat(41)));
        assert!(!is_zero(A));
        let z64 = "0".repeat(64);
        let a64 = "a".repeat(64);
        let got = parse(line("refs/heads/x", &a64, "refs/heads/x", &z64).as_bytes()).unwrap();
        assert_eq!(got[0].kind(), Kind::New);
        let got = parse(line("(delete)", &z64, "refs/heads/x", &a64).as_bytes()).unwrap();
        assert_eq!(got[0].kind(), Kind::Delete);
    }

    #[test]
    fn crlf_and_uppercase_are_tolerated() {
        let input = format!("HEAD {} refs/heads/x {Z}\r\n", A.replace('1', "A"));
        let got = parse(input.as_bytes()).unwrap();
        assert_eq!(got[0].local_oid, A.replace('1', "a"));
        assert_eq!(got[0].local_ref, "HEAD");
    }

    #[test]
    fn malformed_lines_are_errors_with_the_line_number() {
        let cases: &[(&str, &str)] = &[
            ("refs/heads/x 1234\n", "expected"),
            (
                "refs/heads/x nothex refs/heads/x 0000\n",
                "not an object id",
            ),
            (
                &format!("refs/heads/x {A} refs/heads/x {}\n", "0".repeat(64)),
                "different lengths",
            ),
            (
                &format!("refs/heads/x {Z} refs/heads/x {Z}\n"),
                "both object ids are zero",
            ),
            (&format!("refs/heads/x {A}  {Z}\n"), "empty ref name"),
        ];
        for (input, want) in cases {
            let e = parse(input.as_bytes()).unwrap_err();
            assert_eq!(e.line, 1, "{input}");
            assert!(e.to_string().contains(want), "{input}: {e}");
        }
        let mixed = line("refs/heads/a", A, "refs/heads/a", Z)
            + &line(
                "refs/heads/b",
                &"a".repeat(64),
                "refs/heads/b",
                &"0".repeat(64),
            );
        let e = parse(mixed.as_bytes()).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("one object format"), "{e}");
    }

    #[test]
    fn a_space_in_the_local_ref_stays_in_the_local_ref() {
        let got = parse(line("weird name", A, "refs/heads/x", Z).as_bytes()).unwrap();
        assert_eq!(got[0].local_ref, "weird name");
        assert_eq!(got[0].remote_ref, "refs/heads/x");
    }
}
