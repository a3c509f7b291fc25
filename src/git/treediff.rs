//! The changed files between two trees, and the renames among them, the
//! way `git diff --name-status` finds them, without libgit2's diff machinery.
//!
//! libgit2's `git_diff_find_similar` pairs exact renames by comparing every
//! added file with every deleted one (half the time of a large check); git
//! pairs identical blobs through a hash map, then scores the rest for
//! similarity only while `added × deleted ≤ diff.renameLimit²`. This module
//! does what git does:
//!
//! 1. a merge-join of the two trees in git's entry order that skips every
//!    subtree whose id is the same on both sides;
//! 2. exact renames: a deleted and an added file with the same blob id and
//!    the same kind (regular file or symbolic link), preferring the deleted
//!    file with the same base name, as git does;
//! 3. a deleted and an added regular file with the same base name, when no
//!    other file left on either side has that name and they are at least 75%
//!    similar (git's basename step, before any limit);
//! 4. inexact renames among what is left, when the candidates are within the
//!    limit: git's similarity score (`diffcore-delta.c`: content cut into
//!    spans at each newline or every 64 bytes, bytes of the source that the
//!    destination keeps over the larger size, at least 50%), the best pairs
//!    first, each file in at most one pair.
//!
//! When the limit cuts step 4 the result says so ([`Renames::exact_only`]),
//! and the report states it.

use std::collections::HashMap;

use anyhow::{Context as _, Result};
use git2::{ObjectType, Oid, Repository, Tree};

/// git's default `diff.renameLimit`.
pub const DEFAULT_RENAME_LIMIT: usize = 1000;
/// git's default minimum similarity for a rename (`-M50%`), out of [`MAX_SCORE`].
const MIN_SCORE: u64 = 30_000;
const MAX_SCORE: u64 = 60_000;
/// git keeps this many best sources per destination before pairing.
const CANDIDATES_PER_DST: usize = 4;
/// The basename step asks for more: halfway from the minimum to identical.
const MIN_BASENAME_SCORE: u64 = MIN_SCORE + (MAX_SCORE - MIN_SCORE) / 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A regular file (either mode) or a symbolic link: contents git can pair.
    Blob { link: bool },
    /// A submodule commit.
    Gitlink,
}

#[derive(Debug, Clone)]
pub struct Side {
    pub path: Vec<u8>,
    pub oid: Oid,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Delta {
    Added(Side),
    Deleted(Side),
    /// Content, mode or kind changed at the same path.
    Modified {
        old: Side,
        new: Side,
    },
    Renamed {
        old: Side,
        new: Side,
    },
}

/// How renames were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Renames {
    /// The similarity step was cut: only identical contents were paired.
    pub exact_only: bool,
    /// Added and deleted files left after exact pairing (the candidates).
    pub added: usize,
    pub deleted: usize,
    /// The `diff.renameLimit` that applied.
    pub limit: usize,
}

impl Renames {
    /// git's cut: similarity scoring only while `added × deleted ≤ limit²`.
    pub fn new(added: usize, deleted: usize, limit: usize) -> Renames {
        let pairs = (added as u128) * (deleted as u128);
        Renames {
            exact_only: pairs > 0 && pairs > (limit as u128) * (limit as u128),
            added,
            deleted,
            limit,
        }
    }
}

/// The deltas from `base` (`None` = the empty tree) to `head`, in path order
/// of the walk, renames paired.
pub fn diff(
    git: &Repository,
    base: Option<&Tree<'_>>,
    head: &Tree<'_>,
    limit: usize,
) -> Result<(Vec<Delta>, Renames)> {
    let mut raw = Vec::new();
    let mut prefix = Vec::new();
    walk(git, base, Some(head), &mut prefix, &mut raw)?;
    pair(git, raw, limit)
}

/// The repository's `diff.renameLimit` (git's default when unset; git reads
/// 0 as "no limit", so does docgate). A value that is not a number is an
/// error, not the default.
pub fn rename_limit(git: &Repository) -> Result<usize> {
    let config = git.config().context("cannot read the git configuration")?;
    match config.get_entry("diff.renameLimit") {
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(DEFAULT_RENAME_LIMIT),
        Err(e) => Err(anyhow::anyhow!(
            "cannot read diff.renameLimit: {}",
            e.message()
        )),
        Ok(_) => {
            let n = config.get_i64("diff.renameLimit").map_err(|e| {
                anyhow::anyhow!("diff.renameLimit in the git configuration: {}", e.message())
            })?;
            match n {
                0 => Ok(usize::MAX),
                n if n < 0 => Ok(usize::MAX),
                n => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            }
        }
    }
}

struct Entry {
    name: Vec<u8>,
    oid: Oid,
    mode: i32,
    tree: bool,
}

fn entries(tree: Option<&Tree<'_>>) -> Vec<Entry> {
    let Some(tree) = tree else {
        return Vec::new();
    };
    tree.iter()
        .map(|e| Entry {
            name: e.name_bytes().to_vec(),
            oid: e.id(),
            mode: e.filemode(),
            tree: e.kind() == Some(ObjectType::Tree),
        })
        .collect()
}

/// git's order of tree entries: by name, a folder compared as if its name
/// ended in `/`.
fn entry_order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    let n = a.name.len().min(b.name.len());
    match a.name[..n].cmp(&b.name[..n]) {
        std::cmp::Ordering::Equal => {}
        o => return o,
    }
    let next = |e: &Entry| match e.name.get(n) {
        Some(&c) => c,
        None if e.tree => b'/',
        None => 0,
    };
    next(a).cmp(&next(b))
}

fn side(path: Vec<u8>, e: &Entry) -> Side {
    let kind = if e.mode == 0o160000 {
        Kind::Gitlink
    } else {
        Kind::Blob {
            link: e.mode == 0o120000,
        }
    };
    Side {
        path,
        oid: e.oid,
        kind,
    }
}

fn join(prefix: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(prefix.len() + name.len() + 1);
    p.extend_from_slice(prefix);
    p.extend_from_slice(name);
    p
}

fn walk(
    git: &Repository,
    base: Option<&Tree<'_>>,
    head: Option<&Tree<'_>>,
    prefix: &mut Vec<u8>,
    out: &mut Vec<Delta>,
) -> Result<()> {
    let (old, new) = (entries(base), entries(head));
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => entry_order(a, b),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                one_side(git, &old[i], prefix, out, true)?;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                one_side(git, &new[j], prefix, out, false)?;
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let (a, b) = (&old[i], &new[j]);
                if a.oid != b.oid || a.mode != b.mode {
                    if a.tree {
                        let (ta, tb) = (
                            find_tree(git, a.oid, prefix, &a.name)?,
                            find_tree(git, b.oid, prefix, &b.name)?,
                        );
                        let len = prefix.len();
                        prefix.extend_from_slice(&a.name);
                        prefix.push(b'/');
                        walk(git, Some(&ta), Some(&tb), prefix, out)?;
                        prefix.truncate(len);
                    } else {
                        let path = join(prefix, &a.name);
                        out.push(Delta::Modified {
                            old: side(path.clone(), a),
                            new: side(path, b),
                        });
                    }
                }
                i += 1;
                j += 1;
            }
        }
    }
    Ok(())
}

fn find_tree<'r>(git: &'r Repository, oid: Oid, prefix: &[u8], name: &[u8]) -> Result<Tree<'r>> {
    git.find_tree(oid).with_context(|| {
        format!(
            "cannot read the folder {} (tree {oid})",
            String::from_utf8_lossy(&join(prefix, name))
        )
    })
}

/// An entry on one side only: a file added or deleted, or every file under
/// a folder added or deleted.
fn one_side(
    git: &Repository,
    e: &Entry,
    prefix: &mut Vec<u8>,
    out: &mut Vec<Delta>,
    deleted: bool,
) -> Result<()> {
    if !e.tree {
        let s = side(join(prefix, &e.name), e);
        out.push(if deleted {
            Delta::Deleted(s)
        } else {
            Delta::Added(s)
        });
        return Ok(());
    }
    let t = find_tree(git, e.oid, prefix, &e.name)?;
    let len = prefix.len();
    prefix.extend_from_slice(&e.name);
    prefix.push(b'/');
    if deleted {
        walk(git, Some(&t), None, prefix, out)?;
    } else {
        walk(git, None, Some(&t), prefix, out)?;
    }
    prefix.truncate(len);
    Ok(())
}

fn basename(p: &[u8]) -> &[u8] {
    match p.iter().rposition(|&c| c == b'/') {
        Some(i) => &p[i + 1..],
        None => p,
    }
}

/// Pair renames among the added and deleted files of `raw`.
fn pair(git: &Repository, raw: Vec<Delta>, limit: usize) -> Result<(Vec<Delta>, Renames)> {
    let mut out = Vec::with_capacity(raw.len());
    let mut added: Vec<Option<Side>> = Vec::new();
    let mut deleted: Vec<Option<Side>> = Vec::new();
    for d in raw {
        match d {
            Delta::Added(s) if matches!(s.kind, Kind::Blob { .. }) => added.push(Some(s)),
            Delta::Deleted(s) if matches!(s.kind, Kind::Blob { .. }) => deleted.push(Some(s)),
            d => out.push(d),
        }
    }
    // 1. Exact renames, through a map from blob id to the deleted files.
    if !added.is_empty() && !deleted.is_empty() {
        let mut by_oid: HashMap<(Oid, Kind), Vec<usize>> = HashMap::with_capacity(deleted.len());
        for (k, d) in deleted.iter().enumerate() {
            let d = d.as_ref().expect("all present before pairing");
            by_oid.entry((d.oid, d.kind)).or_default().push(k);
        }
        for slot in added.iter_mut() {
            let a = slot.as_ref().expect("all present before pairing");
            let Some(srcs) = by_oid.get_mut(&(a.oid, a.kind)) else {
                continue;
            };
            let name = basename(&a.path);
            let pick = srcs
                .iter()
                .position(|&k| {
                    deleted[k]
                        .as_ref()
                        .is_some_and(|d| basename(&d.path) == name)
                })
                .unwrap_or(0);
            let k = srcs.remove(pick);
            if srcs.is_empty() {
                by_oid.remove(&(a.oid, a.kind));
            }
            let old = deleted[k].take().expect("each deleted file is paired once");
            let new = slot.take().expect("present");
            out.push(Delta::Renamed { old, new });
        }
    }
    // 2. Same base name, unique among what is left on both sides, and at
    //    least 75% similar (git's basename step, before the limit).
    for (a, d) in by_basename(git, &added, &deleted)? {
        let old = deleted[d].take().expect("each deleted file is paired once");
        let new = added[a].take().expect("each added file is paired once");
        out.push(Delta::Renamed { old, new });
    }
    let left_a: Vec<usize> = (0..added.len()).filter(|&k| added[k].is_some()).collect();
    let left_d: Vec<usize> = (0..deleted.len())
        .filter(|&k| deleted[k].is_some())
        .collect();
    let renames = Renames::new(left_a.len(), left_d.len(), limit);
    // 3. Similar contents, every pair, within the limit.
    if !renames.exact_only && !left_a.is_empty() && !left_d.is_empty() {
        let pairs = similar(git, &added, &deleted, &left_a, &left_d)?;
        for (a, d) in pairs {
            let old = deleted[d].take().expect("each deleted file is paired once");
            let new = added[a].take().expect("each added file is paired once");
            out.push(Delta::Renamed { old, new });
        }
    }
    out.extend(added.into_iter().flatten().map(Delta::Added));
    out.extend(deleted.into_iter().flatten().map(Delta::Deleted));
    Ok((out, renames))
}

/// A file's spans (git's `hash_chars`): hash → bytes, sorted by hash.
struct Signature {
    size: u64,
    spans: Vec<(u32, u32)>,
}

const HASHBASE: u32 = 107_927;

fn signature(data: &[u8]) -> Signature {
    let text = !data[..data.len().min(8000)].contains(&0);
    // (hash, bytes) per span, then summed per hash: a sort, not a hash map
    // (SipHash over every span was a third of the basename step).
    let mut spans: Vec<(u32, u32)> = Vec::with_capacity(data.len() / 32 + 1);
    let (mut a1, mut a2, mut n) = (0u32, 0u32, 0u32);
    let mut k = 0;
    while k < data.len() {
        let c = u32::from(data[k]);
        k += 1;
        if text && c == u32::from(b'\r') && data.get(k) == Some(&b'\n') {
            continue;
        }
        let old1 = a1;
        a1 = (a1 << 7) ^ (a2 >> 25);
        a2 = (a2 << 7) ^ (old1 >> 25);
        a1 = a1.wrapping_add(c);
        n += 1;
        if n < 64 && c != u32::from(b'\n') {
            continue;
        }
        spans.push((a1.wrapping_add(a2.wrapping_mul(0x61)) % HASHBASE, n));
        n = 0;
        a1 = 0;
        a2 = 0;
    }
    if n > 0 {
        spans.push((a1.wrapping_add(a2.wrapping_mul(0x61)) % HASHBASE, n));
    }
    spans.sort_unstable_by_key(|&(h, _)| h);
    let mut summed: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for (h, n) in spans {
        match summed.last_mut() {
            Some(last) if last.0 == h => last.1 += n,
            _ => summed.push((h, n)),
        }
    }
    Signature {
        size: data.len() as u64,
        spans: summed,
    }
}

/// git's `estimate_similarity`: bytes of the source the destination keeps,
/// over the larger size, out of [`MAX_SCORE`]; 0 when the sizes alone rule
/// a rename out.
fn score(src: &Signature, dst: &Signature) -> u64 {
    let max = src.size.max(dst.size);
    let min = src.size.min(dst.size);
    if max == 0 {
        // Two empty files: identical contents were paired exactly already.
        return 0;
    }
    // git would not consider edits that change the size this much.
    if max * (MAX_SCORE - MIN_SCORE) < (max - min) * MAX_SCORE {
        return 0;
    }
    let (mut i, mut j, mut copied) = (0, 0, 0u64);
    while i < src.spans.len() && j < dst.spans.len() {
        let (hs, cs) = src.spans[i];
        let (hd, cd) = dst.spans[j];
        match hs.cmp(&hd) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                copied += u64::from(cs.min(cd));
                i += 1;
                j += 1;
            }
        }
    }
    copied * MAX_SCORE / max
}

/// Similarity pairs regular files only: a symbolic link is renamed only
/// unchanged (git's rule).
fn regular(s: &Option<Side>) -> bool {
    matches!(
        s,
        Some(Side {
            kind: Kind::Blob { link: false },
            ..
        })
    )
}

/// git's basename step: for each base name that exactly one remaining
/// deleted file and exactly one remaining added file have, the pair when
/// they are at least 75% similar.
fn by_basename(
    git: &Repository,
    added: &[Option<Side>],
    deleted: &[Option<Side>],
) -> Result<Vec<(usize, usize)>> {
    fn unique(files: &[Option<Side>]) -> HashMap<&[u8], Option<usize>> {
        let mut m: HashMap<&[u8], Option<usize>> = HashMap::new();
        for (k, f) in files.iter().enumerate() {
            if let Some(f) = f {
                m.entry(basename(&f.path))
                    .and_modify(|v| *v = None)
                    .or_insert(Some(k));
            }
        }
        m
    }
    let srcs = unique(deleted);
    let dsts = unique(added);
    let mut matches: Vec<(usize, usize)> = srcs
        .iter()
        .filter_map(|(name, &d)| Some((dsts.get(name).copied()??, d?)))
        .filter(|&(a, d)| regular(&added[a]) && regular(&deleted[d]))
        .collect();
    matches.sort_unstable();
    let mut pairs = Vec::new();
    for (a, d) in matches {
        let src = signature_of(git, deleted[d].as_ref().expect("present"))?;
        let dst = signature_of(git, added[a].as_ref().expect("present"))?;
        if score(&src, &dst) >= MIN_BASENAME_SCORE {
            pairs.push((a, d));
        }
    }
    Ok(pairs)
}

/// The similarity signature of a file's blob, read without copying it.
fn signature_of(git: &Repository, s: &Side) -> Result<Signature> {
    let blob = git.find_blob(s.oid).with_context(|| {
        format!(
            "cannot read {} (blob {}) to detect renames",
            String::from_utf8_lossy(&s.path),
            s.oid
        )
    })?;
    Ok(signature(blob.content()))
}

/// The renamed pairs (added index, deleted index) among the candidates, by
/// git's rules: per destination its best few sources at or above 50%, then
/// all of them best score first, each file used once.
fn similar(
    git: &Repository,
    added: &[Option<Side>],
    deleted: &[Option<Side>],
    left_a: &[usize],
    left_d: &[usize],
) -> Result<Vec<(usize, usize)>> {
    let sig = |s: &Option<Side>| -> Result<Signature> {
        signature_of(git, s.as_ref().expect("a candidate is present"))
    };
    let srcs: Vec<(usize, Signature)> = left_d
        .iter()
        .filter(|&&d| regular(&deleted[d]))
        .map(|&d| Ok((d, sig(&deleted[d])?)))
        .collect::<Result<_>>()?;
    // (score, same base name, added, deleted): best first, as git sorts.
    let mut candidates: Vec<(u64, bool, usize, usize)> = Vec::new();
    for &a in left_a.iter().filter(|&&a| regular(&added[a])) {
        let dst = sig(&added[a])?;
        let name = basename(&added[a].as_ref().expect("present").path);
        let mut best: Vec<(u64, bool, usize)> = srcs
            .iter()
            .map(|(d, s)| {
                let same = basename(&deleted[*d].as_ref().expect("present").path) == name;
                (score(s, &dst), same, *d)
            })
            .filter(|&(sc, _, _)| sc >= MIN_SCORE)
            .collect();
        best.sort_by(|x, y| y.0.cmp(&x.0).then(y.1.cmp(&x.1)).then(x.2.cmp(&y.2)));
        best.truncate(CANDIDATES_PER_DST);
        candidates.extend(best.into_iter().map(|(sc, same, d)| (sc, same, a, d)));
    }
    candidates.sort_by(|x, y| {
        y.0.cmp(&x.0)
            .then(y.1.cmp(&x.1))
            .then(x.2.cmp(&y.2))
            .then(x.3.cmp(&y.3))
    });
    let (mut used_a, mut used_d) = (vec![false; added.len()], vec![false; deleted.len()]);
    let mut pairs = Vec::new();
    for (_, _, a, d) in candidates {
        if !used_a[a] && !used_d[d] {
            used_a[a] = true;
            used_d[d] = true;
            pairs.push((a, d));
        }
    }
    Ok(pairs)
}
