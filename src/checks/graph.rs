//! The doc graph: frontmatter problems, duplicate ids, unknown dependencies,
//! dependency cycles.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use super::{Ctx, DocChanges, Sink};
use crate::diagnostic::{self as rules, Diagnostic};
use crate::docs::{Doc, DocSet};
use crate::git::change::Change;

/// Which docs a finding may be reported for.
enum Scope<'a> {
    All,
    /// Docs the change touched, and ids that existed at base but are gone.
    Change {
        touched: &'a HashSet<String>,
        gone_ids: HashSet<String>,
    },
}

impl Scope<'_> {
    fn touches(&self, doc: &Doc) -> bool {
        match self {
            Scope::All => true,
            Scope::Change { touched, .. } => touched.contains(&doc.path),
        }
    }
}

/// The check: in a change, the docs it touched and the links it broke; in
/// `lint`, every doc.
pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let mut out = Vec::new();
    match &ctx.change {
        Some(c) => in_change(c.change, ctx.docs, c.docs, &mut out),
        None => lint(ctx.docs, &mut out),
    }
    sink.extend(out);
    Ok(())
}

fn lint(docs: &DocSet, out: &mut Vec<Diagnostic>) {
    for doc in &docs.docs {
        out.extend(doc.problems.iter().cloned());
    }
    out.extend(docs.skipped.iter().cloned());
    relations(docs, &Scope::All, out);
}

fn in_change(
    change: &Change<'_>,
    docs: &DocSet,
    doc_changes: &DocChanges,
    out: &mut Vec<Diagnostic>,
) {
    for doc in &docs.docs {
        if doc_changes.head_paths.contains(&doc.path) {
            out.extend(doc.problems.iter().cloned());
        } else if !doc.coverage_known && !change.files.is_empty() {
            let why = doc
                .problems
                .iter()
                .find(|p| p.rule.id == rules::FRONTMATTER_INVALID.id)
                .map(|p| p.message.clone())
                .unwrap_or_default();
            let mut d = Diagnostic::new(
                rules::FRONTMATTER_UNREADABLE_ELSEWHERE,
                format!("the frontmatter of {} cannot be read ({why}), so which files it covers is unknown for this change", doc.path),
            )
            .at(&doc.path);
            if let Some(first) = doc.problems.first() {
                d.line = first.line;
                d.column = first.column;
                d.source_line = first.source_line.clone();
            }
            out.push(d);
        }
    }
    // A file with frontmatter that is not read as a doc: an error when the
    // change touched it, else (like a doc whose frontmatter cannot be read)
    // a warning that its coverage is unknown whenever files changed.
    if !change.files.is_empty() {
        for skipped in &docs.skipped {
            let mut d = skipped.clone();
            let touched = change
                .files
                .iter()
                .any(|f| f.paths().any(|p| Some(p) == skipped.path.as_deref()));
            if !touched && d.rule == rules::FRONTMATTER_INVALID {
                d.rule = rules::FRONTMATTER_UNREADABLE_ELSEWHERE;
            }
            out.push(d);
        }
    }
    let head_ids: HashSet<&str> = docs.docs.iter().filter_map(|d| d.id.as_deref()).collect();
    let gone_ids = doc_changes
        .base_versions
        .iter()
        .filter_map(|d| d.id.clone())
        .filter(|id| !head_ids.contains(id.as_str()))
        .collect();
    relations(
        docs,
        &Scope::Change {
            touched: &doc_changes.head_paths,
            gone_ids,
        },
        out,
    );
}

fn relations(docs: &DocSet, scope: &Scope<'_>, out: &mut Vec<Diagnostic>) {
    let by_id = docs.by_id();

    // Duplicate ids: reported on every doc after the first (by path).
    let mut ids: Vec<_> = by_id.iter().filter(|(_, v)| v.len() > 1).collect();
    ids.sort();
    for (id, idxs) in ids {
        if !idxs.iter().any(|&i| scope.touches(&docs.docs[i])) {
            continue;
        }
        let first = &docs.docs[idxs[0]];
        for &i in &idxs[1..] {
            let doc = &docs.docs[i];
            out.push(
                Diagnostic::new(
                    rules::DUPLICATE_DOC_ID,
                    format!(
                        "id `{id}` of {} is already used by {}",
                        doc.path, first.path
                    ),
                )
                .at(&doc.path)
                .at_line(&doc.head_text, doc.id_line, 1)
                .with_docs([id.to_string()]),
            );
        }
    }

    // Unknown dependencies.
    for doc in &docs.docs {
        for dep in &doc.depends_on {
            if by_id.contains_key(dep.id.as_str()) {
                continue;
            }
            let involved = match scope {
                Scope::All => true,
                Scope::Change { touched, gone_ids } => {
                    touched.contains(&doc.path) || gone_ids.contains(&dep.id)
                }
            };
            if !involved {
                continue;
            }
            let mut message = format!(
                "{} depends on `{}`, which is no doc's id",
                doc.label(),
                dep.id
            );
            if let Scope::Change { gone_ids, .. } = scope
                && gone_ids.contains(&dep.id)
            {
                message.push_str(" (this change removed or renamed it)");
            }
            out.push(
                Diagnostic::new(rules::UNKNOWN_DEPENDENCY, message)
                    .at(&doc.path)
                    .at_line(&doc.head_text, dep.line, dep.col)
                    .with_docs(doc.id.clone()),
            );
        }
    }

    // Cycles: strongly connected components with more than one doc, or a self-loop.
    for cycle in cycles(docs, &by_id) {
        if !cycle.iter().any(|&i| scope.touches(&docs.docs[i])) {
            continue;
        }
        let first = &docs.docs[cycle[0]];
        let mut names: Vec<&str> = cycle
            .iter()
            .filter_map(|&i| docs.docs[i].id.as_deref())
            .collect();
        names.push(names[0]);
        let dep_line = first
            .depends_on
            .iter()
            .find(|d| Some(d.id.as_str()) == names.get(1).copied())
            .map_or(first.id_line, |d| d.line);
        out.push(
            Diagnostic::new(
                rules::DEPENDENCY_CYCLE,
                format!("`depends_on` forms a cycle: {}", names.join(" → ")),
            )
            .at(&first.path)
            .at_line(&first.head_text, dep_line, 1)
            .with_docs(names[..names.len() - 1].iter().map(|s| s.to_string())),
        );
    }
}

/// Each cycle as doc indexes in dependency order, starting at the doc with the
/// smallest path. Iterative (no recursion on hostile graphs).
fn cycles(docs: &DocSet, by_id: &HashMap<&str, Vec<usize>>) -> Vec<Vec<usize>> {
    let n = docs.docs.len();
    let edges: Vec<Vec<usize>> = docs
        .docs
        .iter()
        .map(|d| {
            d.depends_on
                .iter()
                .filter_map(|dep| by_id.get(dep.id.as_str()).map(|v| v[0]))
                .collect()
        })
        .collect();
    // Tarjan's SCC, iterative.
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut sccs = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*ei) {
                *ei += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 || edges[v].contains(&v) {
                    sccs.push(scc);
                }
            }
        }
    }
    // Print each component as its shortest cycle through its smallest member
    // (breadth-first inside the component), so the message is a real cycle.
    let mut out: Vec<Vec<usize>> = sccs
        .into_iter()
        .map(|scc| {
            let members: HashSet<usize> = scc.iter().copied().collect();
            let start = *scc
                .iter()
                .min_by_key(|&&i| &docs.docs[i].path)
                .expect("non-empty");
            let mut prev: HashMap<usize, usize> = HashMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            let mut last = start;
            'search: while let Some(v) = queue.pop_front() {
                for &w in edges[v].iter().filter(|w| members.contains(w)) {
                    if w == start {
                        last = v;
                        break 'search;
                    }
                    if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(w) {
                        e.insert(v);
                        queue.push_back(w);
                    }
                }
            }
            let mut path = vec![last];
            while let Some(&p) = prev.get(path.last().expect("non-empty")) {
                path.push(p);
            }
            if path.last() != Some(&start) {
                path.push(start);
            }
            path.reverse();
            path.dedup();
            path
        })
        .collect();
    out.sort();
    out
}
