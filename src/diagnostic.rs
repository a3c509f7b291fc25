//! Findings as plain data, and the one table of rules.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    /// Every severity's name, most severe first (the order messages list them).
    pub const NAMES: &'static [&'static str] = &["error", "warning", "note"];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A word that is none of a fixed set: the error of the one parser of each
/// value spelled from such a set (`Severity`, `config::CommentMode`,
/// `cli::FailOn`, booleans), with the accepted words, so that every message
/// names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOneOf(pub &'static [&'static str]);

impl NotOneOf {
    /// `a, b or c`.
    pub fn or_list(self) -> String {
        match self.0.split_last() {
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// The one parser of a severity's name: config `rules:`, the JSON report.
impl std::str::FromStr for Severity {
    type Err = NotOneOf;

    fn from_str(word: &str) -> Result<Severity, NotOneOf> {
        [Severity::Error, Severity::Warning, Severity::Note]
            .into_iter()
            .find(|s| s.as_str() == word)
            .ok_or(NotOneOf(Severity::NAMES))
    }
}

/// A rule: stable id, default severity, one-line summary and how to fix it.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// Can a `Docgate-Waive:` trailer waive it (and may `waivers.rules` list it)?
    pub waivable: bool,
    pub summary: &'static str,
    pub help: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $sev:ident, $waivable:literal, $summary:literal, $help:literal;)*) => {
        $(pub const $name: &Rule = &Rule {
            id: $id,
            severity: Severity::$sev,
            waivable: $waivable,
            summary: $summary,
            help: $help,
        };)*
        /// Every rule this version of docgate implements, in documentation order.
        pub const ALL: &[&Rule] = &[$($name),*];
    };
}

rules! {
    DOC_NOT_UPDATED = "doc-not-updated", Error, true,
        "a changed file is covered by a doc and none of its covering docs changed substantively",
        "update the covering doc(s) in the same change (documentation update is part of the fix), or add a `Docgate-Waive: doc-not-updated(<doc id>): <reason>` trailer";
    UNCOVERED_CHANGE = "uncovered-change", Error, true,
        "a changed file matches `coverage.require` and no doc covers it",
        "add the file (or its folder) to the `key_files` of the runbook that describes it";
    STALE_KEY_FILE = "stale-key-file", Error, true,
        "a `key_files` entry matches no file at head",
        "point the entry at the file's current path, or remove it";
    LAST_UPDATED_NOT_BUMPED = "last-updated-not-bumped", Warning, true,
        "a doc's body changed but its `last_updated` did not",
        "set `last_updated` to today's date";
    FRONTMATTER_INVALID = "frontmatter-invalid", Error, true,
        "a doc's frontmatter cannot be read or breaks the schema",
        "fix the frontmatter: required keys are id, title, perspective, last_updated (YYYY-MM-DD)";
    UNKNOWN_FRONTMATTER_KEY = "unknown-frontmatter-key", Warning, true,
        "a frontmatter key is close to a known one (likely a typo)",
        "rename the key to the known one it resembles";
    DUPLICATE_DOC_ID = "duplicate-doc-id", Error, true,
        "two docs share an id",
        "give each doc a unique `id`";
    UNKNOWN_DEPENDENCY = "unknown-dependency", Error, true,
        "`depends_on` names no doc",
        "fix the id in `depends_on`, or remove it";
    DEPENDENCY_CYCLE = "dependency-cycle", Error, true,
        "`depends_on` forms a cycle",
        "break the cycle: a doc should depend only on more general docs";
    FEATURE_MISMATCH = "feature-mismatch", Error, false,
        "training and inference feature lists differ",
        "make the lists identical; better, build both from one definition (import it) so they cannot drift";
    FEATURE_NOT_ADDITIVE = "feature-not-additive", Error, false,
        "a feature list removed, renamed or reordered names present at the base, without a model-version change",
        "append new names at the end; removing, renaming or reordering needs the configured model version to change in the same change";
    FEATURE_SOURCE_ERROR = "feature-source-error", Error, false,
        "a feature list (or model version) could not be extracted statically",
        "declare the list as a module-level literal (or built with +, +=, [*A, ...], list(A) from such lists), or fix the file, symbol or pointer in `feature_lists`";
    FEATURE_DUPLICATE = "feature-duplicate", Error, false,
        "a feature list names the same feature twice",
        "remove the repeated name: a feature appears once in a list";
    WAIVER_INVALID = "waiver-invalid", Error, false,
        "a `Docgate-Waive:` trailer has no reason, names an unknown or non-waivable rule, or is outside the trailer block",
        "write the trailer as `Docgate-Waive: <rule>[(<doc id or path glob>)]: <reason>` in the commit message's last paragraph";
}

/// Rule ids from the specification that this version does not implement yet.
/// Config may turn them `off` or list them as waivable; asking for them to run
/// is an error, so a configured check can never silently do nothing.
pub const NOT_YET_IMPLEMENTED: &[&str] = &[
    "index-broken-link",
    "index-orphan",
    "kb-invalid",
    "kb-broken-reference",
    "postmortem-missing-section",
    "postmortem-empty-section",
    "postmortem-root-causes",
    "postmortem-action-item",
    "mishap-entry-invalid",
    "mishap-unknown-pattern",
    "incident-loop-gap",
    "policy-file-invalid",
    "forbidden-import",
    "silent-fallback",
    "suppression-invalid",
];

/// Rules that a trailer may never waive, whatever the config says.
pub const NEVER_WAIVABLE: &[&str] = &[
    "feature-mismatch",
    "feature-not-additive",
    "feature-source-error",
    "feature-duplicate",
    "forbidden-import",
    "silent-fallback",
    "waiver-invalid",
];

pub fn rule_by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// A waiver that turned an error into a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waived {
    pub reason: String,
    pub commit: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub path: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The text of `line`, for a snippet.
    pub source_line: Option<String>,
    /// Related doc ids (covering docs, the doc itself).
    pub docs: Vec<String>,
    pub waived: Option<Waived>,
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            path: None,
            line: None,
            column: None,
            source_line: None,
            docs: Vec::new(),
            waived: None,
        }
    }

    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Point at a line and column of `text` (the file's content), keeping the
    /// line's text for the snippet.
    pub fn at_line(mut self, text: &str, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self.source_line = text
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').to_string());
        self
    }

    pub fn with_docs(mut self, docs: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.docs = docs.into_iter().map(Into::into).collect();
        self
    }

    pub fn help(&self) -> &'static str {
        self.rule.help
    }

    /// Stable ordering: by path (findings without a path first), line, rule.
    pub fn sort_key(&self) -> (Option<&str>, Option<usize>, Option<usize>, &str, &str) {
        (
            self.path.as_deref(),
            self.line,
            self.column,
            self.rule.id,
            self.message.as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(
                rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                rule.id
            );
            assert!(!rule.summary.is_empty() && !rule.help.is_empty());
        }
    }
}
