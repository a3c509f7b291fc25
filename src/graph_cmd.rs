//! `docgate graph`: the doc graph of the working tree, grouped by
//! perspective, as text, a Mermaid flowchart (`--format mermaid`, renders on
//! GitHub) or a Graphviz digraph (`--format dot`). Edges are `depends_on`
//! (`a --> b`: a depends on b); `--with-files` adds each doc's `key_files`
//! entries. Node ids are generated (`n0`, `f0`, `x0`): doc ids, titles and
//! paths only ever appear inside quoted, escaped labels, so no title can
//! break the diagram or inject syntax into it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};

use crate::ExitStatus;
use crate::cli::{GlobalArgs, GraphArgs};
use crate::config::Config;
use crate::docs::{Doc, DocSet};
use crate::docs_query::{
    Unreadable, refuse_output, split_readable, warn_unreadable, worktree_docs,
};
use crate::report::{Format, printable};

/// GitHub renders Mermaid up to this many characters (Mermaid's default
/// `maxTextSize`); a larger diagram shows an error instead.
pub const MERMAID_MAX_TEXT: usize = 50_000;

/// Where a `depends_on` edge goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum To {
    /// A doc of the graph (its index in [`Graph::docs`]).
    Doc(usize),
    /// An id no readable doc has (its index in [`Graph::missing`]).
    Missing(usize),
}

/// A node for an id that no doc of the graph has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub id: String,
    /// A doc has this id but its frontmatter cannot be read (else: no such doc).
    pub unreadable: bool,
}

pub struct Graph<'d> {
    /// The readable docs, by path.
    pub docs: Vec<&'d Doc>,
    /// `docs.perspectives` in config order, with their docs (indexes); empty ones left out.
    pub perspectives: Vec<(String, Vec<usize>)>,
    /// `depends_on` edges, in doc order then `depends_on` order, each once.
    pub edges: Vec<(usize, To)>,
    pub missing: Vec<Missing>,
    /// `--with-files`: the distinct `key_files` entries as written, and (doc, file) edges.
    pub files: Vec<String>,
    pub file_edges: Vec<(usize, usize)>,
    /// Left out: their frontmatter cannot be read.
    pub unreadable: Vec<Unreadable>,
}

pub fn build<'d>(docs: &'d DocSet, config: &Config, with_files: bool) -> Graph<'d> {
    let (readable, unreadable) = split_readable(docs);
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, d) in readable.iter().enumerate() {
        // A duplicate id (`duplicate-doc-id`) points at the first doc, as the checks do.
        if let Some(id) = d.id.as_deref() {
            by_id.entry(id).or_insert(i);
        }
    }
    let unreadable_ids: Vec<&str> = docs
        .docs
        .iter()
        .filter_map(|d| d.id.as_deref())
        .filter(|id| !by_id.contains_key(id))
        .collect();
    let perspectives = config
        .docs
        .perspectives
        .iter()
        .map(|p| {
            let members: Vec<usize> = (0..readable.len())
                .filter(|&i| readable[i].perspective.as_ref() == Some(p))
                .collect();
            (p.clone(), members)
        })
        .filter(|(_, m)| !m.is_empty())
        .collect();
    let mut edges = Vec::new();
    let mut missing: Vec<Missing> = Vec::new();
    let mut missing_ix: HashMap<&str, usize> = HashMap::new();
    for (i, d) in readable.iter().enumerate() {
        for dep in &d.depends_on {
            let to = match by_id.get(dep.id.as_str()) {
                Some(&j) => To::Doc(j),
                None => To::Missing(*missing_ix.entry(dep.id.as_str()).or_insert_with(|| {
                    missing.push(Missing {
                        id: dep.id.clone(),
                        unreadable: unreadable_ids.contains(&dep.id.as_str()),
                    });
                    missing.len() - 1
                })),
            };
            if !edges.contains(&(i, to.clone())) {
                edges.push((i, to));
            }
        }
    }
    let mut files = Vec::new();
    let mut file_edges = Vec::new();
    if with_files {
        let mut file_ix: HashMap<&str, usize> = HashMap::new();
        for (i, d) in readable.iter().enumerate() {
            for kf in &d.key_files {
                let f = *file_ix.entry(kf.raw.as_str()).or_insert_with(|| {
                    files.push(kf.raw.clone());
                    files.len() - 1
                });
                if !file_edges.contains(&(i, f)) {
                    file_edges.push((i, f));
                }
            }
        }
    }
    Graph {
        docs: readable,
        perspectives,
        edges,
        missing,
        files,
        file_edges,
        unreadable,
    }
}

fn id(d: &Doc) -> &str {
    d.id.as_deref().unwrap_or_default()
}

fn title(d: &Doc) -> &str {
    d.title.as_deref().unwrap_or_default()
}

impl Missing {
    fn label(&self) -> String {
        let why = if self.unreadable {
            "frontmatter unreadable"
        } else {
            "no such doc"
        };
        format!("{} ({why})", self.id)
    }
}

/// Text inside a Mermaid `"..."` label. Inside quotes Mermaid's lexer takes
/// every character but `"` as text; what it or the HTML it renders into
/// still gives a meaning to (the quote, `#` that starts an entity code, `%`
/// of a `%%{` directive, markup `<>&`, the backquote of a Markdown string)
/// is written as a numeric entity code `#NN;`, which Mermaid renders as the
/// character. A line break or other control character becomes a space.
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if c.is_control() => out.push(' '),
            '"' | '#' | '%' | '&' | '<' | '>' | '`' => {
                let _ = write!(out, "#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A comment line's text: one line, no control characters.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// How one diagram language writes each part of a [`Graph`]; [`diagram`]
/// walks the graph once for both.
trait Syntax {
    fn start(&self, s: &mut String, g: &Graph<'_>);
    fn comment(&self, s: &mut String, text: &str);
    fn perspective(&self, s: &mut String, p: usize, name: &str);
    fn doc(&self, s: &mut String, i: usize, d: &Doc);
    fn perspective_end(&self, s: &mut String);
    fn missing(&self, s: &mut String, x: usize, label: &str);
    fn file(&self, s: &mut String, f: usize, path: &str);
    fn edge(&self, s: &mut String, from: usize, to: &To);
    fn file_edge(&self, s: &mut String, from: usize, f: usize);
    fn end(&self, s: &mut String, g: &Graph<'_>);
}

fn diagram(g: &Graph<'_>, syntax: &dyn Syntax) -> String {
    let mut s = String::new();
    syntax.start(&mut s, g);
    for u in &g.unreadable {
        let path = comment_text(&u.path);
        syntax.comment(
            &mut s,
            &format!("not shown, its frontmatter cannot be read: {path}"),
        );
    }
    for (p, (name, members)) in g.perspectives.iter().enumerate() {
        syntax.perspective(&mut s, p, name);
        for &i in members {
            syntax.doc(&mut s, i, g.docs[i]);
        }
        syntax.perspective_end(&mut s);
    }
    for (x, m) in g.missing.iter().enumerate() {
        syntax.missing(&mut s, x, &m.label());
    }
    for (f, file) in g.files.iter().enumerate() {
        syntax.file(&mut s, f, file);
    }
    for (from, to) in &g.edges {
        syntax.edge(&mut s, *from, to);
    }
    for (from, f) in &g.file_edges {
        syntax.file_edge(&mut s, *from, *f);
    }
    syntax.end(&mut s, g);
    s
}

/// Mermaid: `flowchart LR`, a `subgraph` per perspective.
struct Mermaid;

impl Syntax for Mermaid {
    fn start(&self, s: &mut String, g: &Graph<'_>) {
        s.push_str("flowchart LR\n");
        let summary = format!(
            "docgate graph: {} docs, {} depends_on edges; a --> b: a depends on b",
            g.docs.len(),
            g.edges.len()
        );
        self.comment(s, &summary);
    }
    fn comment(&self, s: &mut String, text: &str) {
        let _ = writeln!(s, "  %% {text}");
    }
    fn perspective(&self, s: &mut String, p: usize, name: &str) {
        let _ = writeln!(s, "  subgraph p{p}[\"{}\"]", mermaid_text(name));
    }
    fn doc(&self, s: &mut String, i: usize, d: &Doc) {
        let (id, title) = (mermaid_text(id(d)), mermaid_text(title(d)));
        let _ = writeln!(s, "    n{i}[\"{id}: {title}\"]");
    }
    fn perspective_end(&self, s: &mut String) {
        s.push_str("  end\n");
    }
    fn missing(&self, s: &mut String, x: usize, label: &str) {
        let _ = writeln!(s, "  x{x}{{{{\"{}\"}}}}:::missing", mermaid_text(label));
    }
    fn file(&self, s: &mut String, f: usize, path: &str) {
        let _ = writeln!(s, "  f{f}[/\"{}\"/]:::file", mermaid_text(path));
    }
    fn edge(&self, s: &mut String, from: usize, to: &To) {
        let _ = match to {
            To::Doc(j) => writeln!(s, "  n{from} --> n{j}"),
            To::Missing(x) => writeln!(s, "  n{from} -. missing .-> x{x}"),
        };
    }
    fn file_edge(&self, s: &mut String, from: usize, f: usize) {
        let _ = writeln!(s, "  n{from} -.-> f{f}");
    }
    fn end(&self, s: &mut String, g: &Graph<'_>) {
        if !g.missing.is_empty() {
            s.push_str("  classDef missing stroke:#c00,stroke-dasharray:5 5,color:#c00\n");
        }
        if !g.files.is_empty() {
            s.push_str("  classDef file fill:#f6f8fa,stroke:#999\n");
        }
    }
}

pub fn mermaid(g: &Graph<'_>) -> String {
    diagram(g, &Mermaid)
}

/// Text inside a DOT `"..."` string: `\` and `"` escaped (so `\N`, `\G`
/// and friends stay literal), control characters as spaces.
pub fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// DOT: `digraph docs`, a `cluster_<perspective>` subgraph per perspective.
struct Dot;

impl Syntax for Dot {
    fn start(&self, s: &mut String, g: &Graph<'_>) {
        s.push_str("digraph docs {\n");
        let summary = format!(
            "docgate graph: {} docs, {} depends_on edges; a -> b: a depends on b",
            g.docs.len(),
            g.edges.len()
        );
        self.comment(s, &summary);
        s.push_str("  rankdir=LR;\n  node [shape=box];\n");
    }
    fn comment(&self, s: &mut String, text: &str) {
        let _ = writeln!(s, "  // {text}");
    }
    fn perspective(&self, s: &mut String, _: usize, name: &str) {
        let name = dot_text(name);
        let _ = writeln!(s, "  subgraph \"cluster_{name}\" {{\n    label=\"{name}\";");
    }
    fn doc(&self, s: &mut String, i: usize, d: &Doc) {
        let (id, title) = (dot_text(id(d)), dot_text(title(d)));
        let _ = writeln!(s, "    n{i} [label=\"{id}\\n{title}\"];");
    }
    fn perspective_end(&self, s: &mut String) {
        s.push_str("  }\n");
    }
    fn missing(&self, s: &mut String, x: usize, label: &str) {
        let label = dot_text(label);
        let _ = writeln!(
            s,
            "  x{x} [label=\"{label}\", style=dashed, color=red, fontcolor=red];"
        );
    }
    fn file(&self, s: &mut String, f: usize, path: &str) {
        let _ = writeln!(s, "  f{f} [label=\"{}\", shape=note];", dot_text(path));
    }
    fn edge(&self, s: &mut String, from: usize, to: &To) {
        let _ = match to {
            To::Doc(j) => writeln!(s, "  n{from} -> n{j};"),
            To::Missing(x) => writeln!(s, "  n{from} -> x{x} [style=dashed, color=red];"),
        };
    }
    fn file_edge(&self, s: &mut String, from: usize, f: usize) {
        let _ = writeln!(s, "  n{from} -> f{f} [style=dotted];");
    }
    fn end(&self, s: &mut String, _: &Graph<'_>) {
        s.push_str("}\n");
    }
}

pub fn dot(g: &Graph<'_>) -> String {
    diagram(g, &Dot)
}

/// Each perspective, its docs, and what each depends on (and covers).
pub fn text(g: &Graph<'_>) -> String {
    let mut s = String::new();
    for (name, members) in &g.perspectives {
        let _ = writeln!(s, "{}", printable(name));
        for &i in members {
            let d = g.docs[i];
            let _ = writeln!(
                s,
                "  {}  {}  ({})",
                printable(id(d)),
                printable(title(d)),
                printable(&d.path)
            );
            for (_, to) in g.edges.iter().filter(|(from, _)| *from == i) {
                let target = match to {
                    To::Doc(j) => printable(id(g.docs[*j])),
                    To::Missing(x) => printable(&g.missing[*x].label()),
                };
                let _ = writeln!(s, "    depends on {target}");
            }
            for (_, f) in g.file_edges.iter().filter(|(from, _)| *from == i) {
                let _ = writeln!(s, "    covers {}", printable(&g.files[*f]));
            }
        }
    }
    if s.is_empty() {
        s.push_str("no docs with readable frontmatter\n");
    }
    s
}

/// `docgate graph [--with-files]`, `--format text|mermaid|dot`.
pub fn run(
    args: &GraphArgs,
    global: &GlobalArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<ExitStatus> {
    if !matches!(global.format, Format::Text | Format::Mermaid | Format::Dot) {
        bail!(
            "`docgate graph` writes text, mermaid or dot, not {} (the docs as JSON: `docgate docs --format json`)",
            global.format.name()
        );
    }
    refuse_output(global, "graph")?;
    let (out, unreadable) = worktree_docs(global, cwd, |_, config, docs| {
        let g = build(docs, config, args.with_files);
        let out = match global.format {
            Format::Mermaid => mermaid(&g),
            Format::Dot => dot(&g),
            _ => text(&g),
        };
        Ok((out, g.unreadable))
    })?;
    warn_unreadable(&unreadable, "not shown", stderr)?;
    if global.format == Format::Mermaid && out.len() > MERMAID_MAX_TEXT {
        writeln!(
            stderr,
            "warning: the diagram is {} characters; GitHub renders Mermaid up to {MERMAID_MAX_TEXT} \
             and shows an error instead beyond that",
            out.len()
        )?;
    }
    stdout.write_all(out.as_bytes())?;
    Ok(ExitStatus::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_labels_escape_what_mermaid_or_html_reads() {
        assert_eq!(
            mermaid_text("a \"b\" #1; %%{x} <i>&</i> `c`\nd\re"),
            "a #34;b#34; #35;1; #37;#37;{x} #60;i#62;#38;#60;/i#62; #96;c#96; d e"
        );
        // What Mermaid takes as text inside quotes stays readable.
        assert_eq!(
            mermaid_text("[x] (y) {z} | ; --> *_~"),
            "[x] (y) {z} | ; --#62; *_~"
        );
    }

    #[test]
    fn dot_labels_escape_quotes_and_backslashes() {
        assert_eq!(dot_text(r#"a "b" \N \G"#), r#"a \"b\" \\N \\G"#);
        assert_eq!(dot_text("x\ny\u{1b}z"), "x y z");
    }
}
