//! `docgate docs`: query the doc graph of the working tree — the docs with a
//! tag, the docs covering a file, the docs that depend on one, the docs of a
//! perspective. Filters combine with AND; a repeated flag matches any of its
//! values (OR). Docs whose frontmatter cannot be read are never dropped
//! silently: they are listed apart, with a warning.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::ExitStatus;
use crate::cli::{DocsArgs, GlobalArgs};
use crate::config::{Config, did_you_mean};
use crate::diagnostic as rules;
use crate::docs::{CoverageIndex, Doc, DocSet};
use crate::report::{Format, printable};

/// What was asked, as repo-relative values.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Query {
    pub tag: Vec<String>,
    pub key_file: Vec<String>,
    pub depends_on: Vec<String>,
    pub transitive: bool,
    pub perspective: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Answer {
    pub version: u32,
    pub query: Query,
    pub docs: Vec<DocEntry>,
    /// Docs (and files under the roots that look like docs) that were not
    /// queried because their frontmatter cannot be read.
    pub unreadable: Vec<Unreadable>,
}

#[derive(Debug, Serialize)]
pub struct DocEntry {
    pub id: String,
    pub title: String,
    pub perspective: String,
    pub path: String,
    pub tags: Vec<String>,
    pub depends_on: Vec<String>,
    /// As written in the frontmatter.
    pub key_files: Vec<String>,
    pub last_updated: String,
}

/// A file under the roots that is not in the answer because its frontmatter
/// cannot be read (or it is not read as a doc): its first problem.
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    pub path: String,
    pub line: Option<usize>,
    pub problem: String,
}

/// A doc every field of which was read: no `frontmatter-invalid` problem.
/// The others go to [`Unreadable`], with their first problem.
pub fn split_readable(docs: &DocSet) -> (Vec<&Doc>, Vec<Unreadable>) {
    let mut readable = Vec::new();
    let mut unreadable = Vec::new();
    for doc in &docs.docs {
        match doc
            .problems
            .iter()
            .find(|p| p.rule.id == rules::FRONTMATTER_INVALID.id)
        {
            Some(p) => unreadable.push(Unreadable {
                path: doc.path.clone(),
                line: p.line,
                problem: p.message.clone(),
            }),
            None if doc.id.is_some() && doc.title.is_some() && doc.perspective.is_some() => {
                readable.push(doc)
            }
            None => unreadable.push(Unreadable {
                path: doc.path.clone(),
                line: Some(1),
                problem: "the frontmatter lacks id, title or perspective".into(),
            }),
        }
    }
    for d in &docs.skipped {
        unreadable.push(Unreadable {
            path: d.path.clone().unwrap_or_default(),
            line: d.line,
            problem: d.message.clone(),
        });
    }
    unreadable.sort_by(|a, b| a.path.cmp(&b.path));
    (readable, unreadable)
}

/// The warning for docs that were left out, one line each; nothing when none.
pub fn warn_unreadable(unreadable: &[Unreadable], what: &str, err: &mut dyn Write) -> Result<()> {
    if unreadable.is_empty() {
        return Ok(());
    }
    writeln!(
        err,
        "warning: {} {what}: {} frontmatter cannot be read (see `docgate lint`)",
        count(unreadable.len(), "file"),
        if unreadable.len() == 1 {
            "its"
        } else {
            "their"
        },
    )?;
    for u in unreadable {
        let at = u.line.map(|l| format!(":{l}")).unwrap_or_default();
        writeln!(
            err,
            "  {}{at}: {}",
            printable(&u.path),
            printable(&u.problem)
        )?;
    }
    Ok(())
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// `a, b, c` (at most `max` shown).
fn listing(items: &[&str], max: usize) -> String {
    let shown: Vec<&str> = items.iter().take(max).copied().collect();
    let more = if items.len() > max { ", ..." } else { "" };
    format!("{}{more}", shown.join(", "))
}

/// Answer `q` over `docs`. `Err` for a question that names nothing: a
/// perspective the config does not list, a doc id or a tag no doc has.
pub fn query(docs: &DocSet, config: &Config, q: &Query) -> Result<Answer> {
    let (readable, unreadable) = split_readable(docs);
    let perspectives: Vec<&str> = config
        .docs
        .perspectives
        .iter()
        .map(String::as_str)
        .collect();
    for p in &q.perspective {
        if !perspectives.contains(&p.as_str()) {
            bail!(
                "`--perspective {p}` is not one of docs.perspectives{}: {}",
                did_you_mean(p, &perspectives),
                perspectives.join(", ")
            );
        }
    }
    // Every id a doc has, readable or not: depending on a doc whose
    // frontmatter is broken is still a question with an answer.
    let ids: BTreeSet<&str> = docs.docs.iter().filter_map(|d| d.id.as_deref()).collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    // What a question that names nothing could still have found.
    let caveat = |paths: Vec<&str>| {
        if paths.is_empty() {
            String::new()
        } else {
            format!(
                " (not counted, their frontmatter cannot be read: {})",
                listing(&paths, 5)
            )
        }
    };
    let with_ids: HashSet<&str> = docs
        .docs
        .iter()
        .filter(|d| d.id.is_some())
        .map(|d| d.path.as_str())
        .collect();
    let id_caveat = caveat(
        unreadable
            .iter()
            .map(|u| u.path.as_str())
            .filter(|p| !with_ids.contains(p))
            .collect(),
    );
    let tag_caveat = caveat(unreadable.iter().map(|u| u.path.as_str()).collect());
    for id in &q.depends_on {
        if !ids.contains(&id.as_str()) {
            bail!(
                "`--depends-on {id}`: no doc has this id{}{id_caveat}",
                did_you_mean(id, &ids)
            );
        }
    }
    let tags: BTreeSet<&str> = readable
        .iter()
        .flat_map(|d| d.tags.iter().map(String::as_str))
        .collect();
    let tags: Vec<&str> = tags.into_iter().collect();
    for t in &q.tag {
        if !tags.contains(&t.as_str()) {
            bail!(
                "`--tag {t}`: no doc has this tag{}{tag_caveat}; the tags in use are: {}",
                did_you_mean(t, &tags),
                if tags.is_empty() {
                    "none".to_string()
                } else {
                    listing(&tags, 30)
                }
            );
        }
    }

    let covering: Option<HashSet<&str>> = if q.key_file.is_empty() {
        None
    } else {
        let index = CoverageIndex::build(readable.iter().copied())?;
        Some(
            q.key_file
                .iter()
                .flat_map(|p| index.covering(p))
                .map(|(d, _)| d.path.as_str())
                .collect(),
        )
    };
    let dependents: Option<HashSet<&str>> =
        (!q.depends_on.is_empty()).then(|| dependents(&readable, &q.depends_on, q.transitive));

    let matched = readable
        .iter()
        .filter(|d| q.tag.is_empty() || d.tags.iter().any(|t| q.tag.contains(t)))
        .filter(|d| {
            q.perspective.is_empty()
                || d.perspective
                    .as_ref()
                    .is_some_and(|p| q.perspective.contains(p))
        })
        .filter(|d| {
            covering
                .as_ref()
                .is_none_or(|c| c.contains(d.path.as_str()))
        })
        .filter(|d| {
            dependents
                .as_ref()
                .is_none_or(|c| c.contains(d.path.as_str()))
        })
        .map(|d| entry(d))
        .collect();
    Ok(Answer {
        version: 1,
        query: q.clone(),
        docs: matched,
        unreadable,
    })
}

/// Paths of the docs whose `depends_on` names one of `ids`; `transitive`:
/// also through other docs (breadth-first over the reversed edges).
fn dependents<'d>(docs: &[&'d Doc], ids: &[String], transitive: bool) -> HashSet<&'d str> {
    let mut by_dep: HashMap<&str, Vec<&Doc>> = HashMap::new();
    for d in docs {
        for dep in &d.depends_on {
            by_dep.entry(dep.id.as_str()).or_default().push(d);
        }
    }
    let mut out = HashSet::new();
    let mut seen: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut queue: VecDeque<&str> = ids.iter().map(String::as_str).collect();
    while let Some(id) = queue.pop_front() {
        for d in by_dep.get(id).into_iter().flatten() {
            out.insert(d.path.as_str());
            if transitive
                && let Some(next) = d.id.as_deref()
                && seen.insert(next)
            {
                queue.push_back(next);
            }
        }
    }
    out
}

fn entry(d: &Doc) -> DocEntry {
    DocEntry {
        id: d.id.clone().unwrap_or_default(),
        title: d.title.clone().unwrap_or_default(),
        perspective: d.perspective.clone().unwrap_or_default(),
        path: d.path.clone(),
        tags: d.tags.clone(),
        depends_on: d.depends_on.iter().map(|x| x.id.clone()).collect(),
        key_files: d.key_files.iter().map(|k| k.raw.clone()).collect(),
        last_updated: d.last_updated.clone().unwrap_or_default(),
    }
}

pub fn render_json(answer: &Answer, out: &mut dyn Write) -> Result<()> {
    // Serialize first: a closed stdout then surfaces as a plain io::Error.
    let mut bytes = serde_json::to_vec_pretty(answer)?;
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    Ok(())
}

/// One doc a line: id, perspective, path, title, in aligned columns.
pub fn render_text(answer: &Answer, out: &mut dyn Write) -> Result<()> {
    if answer.docs.is_empty() {
        writeln!(out, "no docs match")?;
        return Ok(());
    }
    let rows: Vec<[String; 4]> = answer
        .docs
        .iter()
        .map(|d| [&d.id, &d.perspective, &d.path, &d.title].map(|s| printable(s)))
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut text = String::new();
    for [id, perspective, path, title] in &rows {
        text.push_str(format!("{id:w0$}  {perspective:w1$}  {path:w2$}  {title}").trim_end());
        text.push('\n');
    }
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// The working tree's config and docs, for `docs` and `graph`: like
/// `context`, a repository with no docs is exit 2 ("nothing to check").
pub(crate) fn worktree_docs<T>(
    global: &GlobalArgs,
    cwd: &Path,
    answer: impl FnOnce(&Path, &Config, &DocSet) -> Result<T>,
) -> Result<T> {
    let repo = crate::git::Repo::discover(cwd)?;
    let snapshot = repo.workdir_snapshot()?;
    let config = crate::load_config(&repo, &global.config, cwd, &snapshot)?;
    let docs = DocSet::load(&snapshot, &config)?;
    crate::checks::ensure_something_to_check(&config, docs.docs.len(), &docs.skipped_summary())?;
    answer(&repo.workdir()?, &config, &docs)
}

/// `--output` is for reports; these commands write to stdout.
pub(crate) fn refuse_output(global: &GlobalArgs, command: &str) -> Result<()> {
    if let Some(spec) = global.output.first() {
        bail!(
            "`docgate {command}` writes to stdout only, not to `--output {spec}`: redirect it instead \
             (`docgate {command} ... > FILE`)"
        );
    }
    Ok(())
}

/// `docgate docs [--tag T] [--key-file PATH] [--depends-on ID [--transitive]] [--perspective P]`.
pub fn run(
    args: &DocsArgs,
    global: &GlobalArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<ExitStatus> {
    if !matches!(global.format, Format::Text | Format::Json) {
        bail!(
            "`docgate docs` writes text or json, not {}",
            global.format.name()
        );
    }
    refuse_output(global, "docs")?;
    let answer = worktree_docs(global, cwd, |root, config, docs| {
        let q = Query {
            tag: args.tag.clone(),
            key_file: args
                .key_file
                .iter()
                .map(|p| crate::git::repo_relative(root, cwd, p))
                .collect::<Result<_>>()?,
            depends_on: args.depends_on.clone(),
            transitive: args.transitive,
            perspective: args.perspective.clone(),
        };
        query(docs, config, &q)
    })?;
    warn_unreadable(&answer.unreadable, "not queried", stderr)?;
    match global.format {
        Format::Json => render_json(&answer, stdout)?,
        _ => render_text(&answer, stdout)?,
    }
    Ok(ExitStatus::Clean)
}
