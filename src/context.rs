//! `docgate context <path>...`: what an agent or reviewer must read before
//! touching a file: the docs that cover it, plus their `depends_on` closure,
//! and the knowledge-base entries whose `reference_files` cover it (with
//! their checklists).

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::docs::{CoverageIndex, Doc, DocSet};
use crate::kb::{KbSeverity, Kind, KnowledgeBase};

#[derive(Debug, Serialize)]
pub struct Answer {
    pub version: u32,
    pub paths: Vec<PathAnswer>,
    /// Docs (and files under the roots that look like docs) whose frontmatter
    /// cannot say what they cover: "no doc covers this path" is then not
    /// the whole truth.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coverage_unknown: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PathAnswer {
    pub path: String,
    pub covering: Vec<DocRef>,
    pub depends_on: Vec<DocRef>,
    /// Knowledge-base entries whose `reference_files` cover the path,
    /// CRITICAL first, then by id (absent when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub patterns_to_apply: Vec<KbRef>,
}

#[derive(Debug, Serialize)]
pub struct KbRef {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub severity: KbSeverity,
    pub checklist: Vec<String>,
    /// The `reference_files` entries that matched.
    pub reference_files: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct DocRef {
    pub id: Option<String>,
    pub title: Option<String>,
    pub path: String,
    /// For covering docs: the `key_files` entries that matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_files: Vec<String>,
    /// For dependencies: the doc that depends on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

fn doc_ref(doc: &Doc) -> DocRef {
    DocRef {
        id: doc.id.clone(),
        title: doc.title.clone(),
        path: doc.path.clone(),
        key_files: Vec::new(),
        via: None,
    }
}

/// The answer for `paths` from the docs and, when the layer is active, the
/// knowledge base.
pub fn lookup(docs: &DocSet, kb: Option<&KnowledgeBase>, paths: &[String]) -> Result<Answer> {
    let index = CoverageIndex::build(docs.docs.iter())?;
    let kb_index = kb
        .map(|kb| CoverageIndex::build(kb.entries.iter()))
        .transpose()?;
    let by_id: HashMap<&str, &Doc> = docs
        .docs
        .iter()
        .filter_map(|d| d.id.as_deref().map(|id| (id, d)))
        .collect();
    let mut out = Vec::new();
    for path in paths {
        let mut covering: Vec<DocRef> = Vec::new();
        for (doc, kf) in index.covering(path) {
            match covering.iter_mut().find(|r| r.path == doc.path) {
                Some(r) => r.key_files.push(kf.raw.clone()),
                None => {
                    let mut r = doc_ref(doc);
                    r.key_files.push(kf.raw.clone());
                    covering.push(r);
                }
            }
        }
        covering.sort_by(|a, b| a.path.cmp(&b.path));
        // Breadth-first over depends_on: nearer docs first.
        let mut seen: HashSet<String> = covering.iter().map(|r| r.path.clone()).collect();
        let mut queue: VecDeque<&Doc> = covering
            .iter()
            .filter_map(|r| docs.docs.iter().find(|d| d.path == r.path))
            .collect();
        let mut deps = Vec::new();
        while let Some(doc) = queue.pop_front() {
            for dep in &doc.depends_on {
                if let Some(target) = by_id.get(dep.id.as_str())
                    && seen.insert(target.path.clone())
                {
                    let mut r = doc_ref(target);
                    r.via = doc.id.clone().or_else(|| Some(doc.path.clone()));
                    deps.push(r);
                    queue.push_back(target);
                }
            }
        }
        let mut patterns: Vec<KbRef> = Vec::new();
        for (entry, r) in kb_index.iter().flat_map(|i| i.covering(path)) {
            match patterns.iter_mut().find(|p| p.id == entry.id) {
                Some(p) => p.reference_files.push(r.raw.clone()),
                None => patterns.push(KbRef {
                    id: entry.id.clone(),
                    kind: entry.kind,
                    name: entry.name.clone(),
                    severity: entry.severity,
                    checklist: entry.checklist.clone(),
                    reference_files: vec![r.raw.clone()],
                }),
            }
        }
        patterns.sort_by(|a, b| (a.severity, &a.id).cmp(&(b.severity, &b.id)));
        out.push(PathAnswer {
            path: path.clone(),
            covering,
            depends_on: deps,
            patterns_to_apply: patterns,
        });
    }
    let mut coverage_unknown: Vec<String> = docs
        .docs
        .iter()
        .filter(|d| !d.coverage_known)
        .map(|d| d.path.clone())
        .chain(docs.skipped_summary())
        .collect();
    coverage_unknown.sort();
    Ok(Answer {
        version: 1,
        paths: out,
        coverage_unknown,
    })
}

pub fn render_json(answer: &Answer, out: &mut dyn Write) -> Result<()> {
    // Serialize first: a closed stdout then surfaces as a plain io::Error.
    let mut bytes = serde_json::to_vec_pretty(answer)?;
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    Ok(())
}

fn doc_line(out: &mut dyn Write, r: &DocRef, why: &str) -> Result<()> {
    writeln!(
        out,
        "    {}  {}  {}  ({why})",
        r.id.as_deref().unwrap_or("-"),
        r.path,
        r.title.as_deref().unwrap_or("")
    )?;
    Ok(())
}

pub fn render_text(answer: &Answer, out: &mut dyn Write) -> Result<()> {
    let unknown = &answer.coverage_unknown;
    let caveat = if unknown.is_empty() {
        String::new()
    } else {
        format!(
            " that docgate can read ({} cannot say what {} cover{}: {}; see `docgate lint`)",
            unknown.len(),
            if unknown.len() == 1 { "it" } else { "they" },
            if unknown.len() == 1 { "s" } else { "" },
            unknown.join(", ")
        )
    };
    for (i, p) in answer.paths.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}", p.path)?;
        if p.covering.is_empty() {
            writeln!(out, "  no doc covers this path{caveat}")?;
        } else {
            writeln!(out, "  covered by:")?;
            for r in &p.covering {
                doc_line(out, r, &format!("key_files: {}", r.key_files.join(", ")))?;
            }
        }
        if !p.depends_on.is_empty() {
            writeln!(out, "  read also (depends_on):")?;
            for r in &p.depends_on {
                doc_line(out, r, &format!("via {}", r.via.as_deref().unwrap_or("-")))?;
            }
        }
        if !p.patterns_to_apply.is_empty() {
            writeln!(out, "  patterns to apply (knowledge base):")?;
            for k in &p.patterns_to_apply {
                writeln!(
                    out,
                    "    {} {} {}: {}  (reference_files: {})",
                    k.severity.as_str(),
                    k.kind.label(),
                    k.id,
                    k.name,
                    k.reference_files.join(", ")
                )?;
                for item in &k.checklist {
                    writeln!(out, "      [ ] {item}")?;
                }
            }
        }
    }
    Ok(())
}

/// `docgate context PATH...`: the docs that cover the paths, for a person or
/// an agent about to change them.
pub fn run(
    args: &crate::cli::ContextArgs,
    global: &crate::cli::GlobalArgs,
    cwd: &std::path::Path,
    stdout: &mut dyn std::io::Write,
) -> anyhow::Result<crate::ExitStatus> {
    let repo = crate::git::Repo::discover(cwd)?;
    let snapshot = repo.workdir_snapshot()?;
    let config = crate::load_config(&repo, &global.config, cwd, &snapshot)?;
    let docs = crate::docs::DocSet::load(&snapshot, &config)?;
    crate::checks::ensure_something_to_check(&config, docs.docs.len(), &docs.skipped_summary())?;
    let root = repo.workdir()?;
    let paths = args
        .paths
        .iter()
        .map(|p| crate::git::repo_relative(&root, cwd, p))
        .collect::<Result<Vec<_>>>()?;
    let kb = crate::kb::load(&snapshot, &config)?;
    let mut answer = lookup(&docs, kb.as_ref().map(|k| &k.kb), &paths)?;
    // A knowledge base that cannot be read cannot say what it covers.
    if let Some(k) = kb.filter(|k| !k.readable) {
        answer.coverage_unknown.push(k.path);
        answer.coverage_unknown.sort();
    }
    match global.format {
        crate::report::Format::Json => render_json(&answer, stdout)?,
        crate::report::Format::Text => render_text(&answer, stdout)?,
        other => anyhow::bail!("`docgate context` writes text or json, not {other:?}"),
    }
    Ok(crate::ExitStatus::Clean)
}
