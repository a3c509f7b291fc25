//! Reports: one finished [`Report`], rendered by one `match` into a format.
//! Renderers are views: they decide nothing. The JSON report's own structs
//! (`json`) are also what `docgate github post` reads an uploaded report
//! back into.

mod github;
pub mod json;
pub mod markdown;
mod sarif;
#[cfg(test)]
mod tests;
mod text;

pub(crate) use text::printable;

use std::io::Write;

use anyhow::Result;
use clap::ValueEnum;

use crate::checks::Checked;
use crate::diagnostic::{Diagnostic, Severity};
use crate::git::change::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    // GitHub Actions workflow commands (annotations).
    Github,
    Markdown,
    // `docgate graph` only: a Mermaid flowchart of the doc graph (no report).
    Mermaid,
    // `docgate graph` only: a Graphviz digraph of the doc graph (no report).
    Dot,
}

impl Format {
    /// A report format by name (the diagrams are not report formats).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::from_str(name, true)
            .ok()
            .filter(|f| !f.is_diagram())
    }

    /// Every report format's name, as the CLI spells it.
    pub fn names() -> Vec<String> {
        Format::value_variants()
            .iter()
            .filter(|f| !f.is_diagram())
            .map(|f| f.name())
            .collect()
    }

    /// The name the CLI spells.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }

    /// `mermaid` and `dot`: diagrams of the doc graph, written by `docgate graph` alone.
    pub fn is_diagram(self) -> bool {
        matches!(self, Format::Mermaid | Format::Dot)
    }
}

pub struct Report {
    /// `check` or `lint`.
    pub command: &'static str,
    pub range: Option<Range>,
    pub checked: Checked,
    /// Sorted, severities final (overrides and waivers applied).
    pub diagnostics: Vec<Diagnostic>,
    pub fail_on: Severity,
    /// Docs covering the changed files (check only).
    pub docs_to_read: Vec<crate::checks::DocToRead>,
    /// `check` with an active knowledge base: the entries whose
    /// `reference_files` cover a changed file, CRITICAL first (`None`: no
    /// knowledge base, or `lint`).
    pub patterns_to_apply: Option<Vec<crate::checks::kb::PatternToApply>>,
    /// Each post-mortem's incident loop: which steps exist.
    pub incident_loop: Option<Vec<crate::checks::incident_loop::IncidentLoop>>,
    /// Where the report will be read on GitHub: links to files at head.
    pub links: Option<Links>,
    /// Where the full report is (for the annotations' closing notice).
    pub full_report: Option<String>,
    /// What `docgate github post` needs (pull request, head, line comments),
    /// carried in the JSON report.
    pub github: Option<GithubSection>,
}

/// The run a `docgate github` report comes from, and the review comments it
/// would post: the JSON report's `github` section, which `docgate github post`
/// reads back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubSection {
    /// `owner/name`.
    pub repository: String,
    pub event: String,
    pub pull_request: Option<u64>,
    pub head_sha: Option<String>,
    pub server_url: String,
    pub line_comments: Vec<LineComment>,
}

/// A finding on a line the pull request added, as a review comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineComment {
    pub path: String,
    pub line: usize,
    pub fingerprint: String,
    pub rule: String,
    pub message: String,
    pub help: String,
}

pub use github::escape_data as github_escape_data;
pub use sarif::fingerprint;

/// What a rendered report needs to link into a GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// `https://github.com` or a GitHub Enterprise server.
    pub server_url: String,
    /// `owner/name`.
    pub repository: String,
    /// The commit the links point at.
    pub head: String,
}

impl Links {
    pub fn blob(&self, path: &str, line: Option<usize>) -> String {
        let encoded: String = path
            .split('/')
            .map(crate::report::markdown::url_encode_segment)
            .collect::<Vec<_>>()
            .join("/");
        let mut url = format!(
            "{}/{}/blob/{}/{encoded}",
            self.server_url.trim_end_matches('/'),
            self.repository,
            self.head
        );
        if let Some(l) = line {
            url.push_str(&format!("#L{l}"));
        }
        url
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub waived: usize,
}

impl Report {
    pub fn new(
        command: &'static str,
        range: Option<Range>,
        checked: Checked,
        mut diagnostics: Vec<Diagnostic>,
        fail_on: Severity,
    ) -> Report {
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics.dedup();
        Report {
            command,
            range,
            checked,
            diagnostics,
            fail_on,
            docs_to_read: Vec::new(),
            patterns_to_apply: None,
            incident_loop: None,
            links: None,
            full_report: None,
            github: None,
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for d in &self.diagnostics {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Note => s.notes += 1,
            }
            if d.waived.is_some() {
                s.waived += 1;
            }
        }
        s
    }

    /// At least one finding at or above `--fail-on`.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= self.fail_on)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub quiet: bool,
}

pub fn render(report: &Report, format: Format, style: Style, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Text => text::render(report, style, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
        Format::Markdown => {
            out.write_all(markdown::render(report, markdown::MAX_COMMENT_BYTES).as_bytes())?;
            Ok(())
        }
        Format::Mermaid | Format::Dot => anyhow::bail!(
            "--format {} is a diagram written by `docgate graph`, not a report format",
            format.name()
        ),
    }
}
