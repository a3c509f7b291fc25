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
/// The rule table below is the one place that says what a rule's default
/// severity is and whether a trailer may waive it; the [`Sink`] applies it
/// with the config's `rules:` overrides.
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
    ($list:ident: $($name:ident = $id:literal, $sev:ident, $waivable:literal, $summary:literal, $help:literal;)*) => {
        $(pub const $name: &Rule = &Rule {
            id: $id,
            severity: Severity::$sev,
            waivable: $waivable,
            summary: $summary,
            help: $help,
        };)*
        pub const $list: &[&Rule] = &[$($name),*];
    };
}

rules! { ALL:
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
    FEATURE_VERSION_BUMP = "feature-version-bump", Note, false,
        "a feature list removed, renamed or reordered names present at the base, and the model version moved in the same change (allowed)",
        "nothing to fix: check that the new model version is what serving loads";
    FEATURE_SOURCE_ERROR = "feature-source-error", Error, false,
        "a feature list (or model version) could not be extracted statically",
        "declare the list as a module-level literal (or built with +, +=, [*A, ...], list(A) from such lists), or fix the file, symbol or pointer in `feature_lists`";
    FEATURE_ADDITIVITY_UNKNOWN = "feature-additivity-unknown", Warning, false,
        "whether a feature list only grew cannot be checked: its base version cannot be read",
        "nothing in this change can fix the base; check by hand that the list only grew, or fix the list at the base's source";
    FEATURE_DUPLICATE = "feature-duplicate", Error, false,
        "a feature list names the same feature twice",
        "remove the repeated name: a feature appears once in a list";
    WAIVER_INVALID = "waiver-invalid", Error, false,
        "a `Docgate-Waive:` trailer has no reason, names an unknown or non-waivable rule, or is outside the trailer block",
        "write the trailer as `Docgate-Waive: <rule>[(<doc id or path glob>)]: <reason>` in the commit message's last paragraph";
    WAIVER_UNUSED = "waiver-unused", Note, false,
        "a `Docgate-Waive:` trailer in the change matched no finding",
        "remove the trailer, or fix its rule or scope (a doc id or a path glob of the finding)";
    KB_INVALID = "kb-invalid", Error, true,
        "the knowledge base breaks its schema: YAML error, missing or mistyped key, bad severity, duplicate id, a key close to a known one, a decision-tree step naming an unknown id",
        "fix the entry at the line shown: entries need id, name, severity (CRITICAL, HIGH, MEDIUM or LOW) and description; see the README's \"Knowledge base\"";
    KB_BROKEN_REFERENCE = "kb-broken-reference", Error, true,
        "a knowledge-base `reference_files` entry matches no file at head",
        "point the entry at the file's current path (a path, a folder with a trailing `/`, or a glob), or remove it";
    POSTMORTEM_MISSING_SECTION = "postmortem-missing-section", Error, true,
        "a post-mortem lacks a mandatory section (or cannot be read)",
        "add the section as a heading (any level, any case; `postmortems.aliases` lists other accepted names), or fix the file so it can be read";
    POSTMORTEM_EMPTY_SECTION = "postmortem-empty-section", Error, true,
        "a post-mortem's mandatory section has no content",
        "write the section (HTML comments and empty sub-headings are no content), or say in it why it does not apply";
    POSTMORTEM_ROOT_CAUSES = "postmortem-root-causes", Error, true,
        "a post-mortem names fewer than `postmortems.min_root_causes` root causes",
        "list each root cause as a top-level list item (or a sub-heading) of the Root Cause section";
    POSTMORTEM_ACTION_ITEM = "postmortem-action-item", Error, true,
        "a post-mortem's action item lacks an owner, a status or a due date",
        "give the item an owner, a status and a due date (YYYY-MM-DD): table columns Owner, Status, Due, or `owner: x, status: y, due: 2026-01-31` in a list item";
    POLICY_FILE_INVALID = "policy-file-invalid", Warning, true,
        "the policy file has no numbered policy list, exceeds its line budget, or cannot be read",
        "write the policies as a numbered list (`1. ...`) under a `Key Policies` heading, and keep the file within `policies.max_lines`";
    MISHAP_ENTRY_INVALID = "mishap-entry-invalid", Error, true,
        "a cost-log entry lacks a field or its cost does not parse",
        "write the entry as `#### [YYYY-MM-DD] - Title` followed by `- **What happened**:`, `- **Root cause**:`, `- **Duration**:`, `- **Estimated cost**: ~$LOW-HIGH` and `- **Prevention**:` (optionally `- **Pattern**: <kb id>` and `- **Post-mortem**: <path>`)";
    MISHAP_UNKNOWN_PATTERN = "mishap-unknown-pattern", Error, true,
        "a cost-log entry's pattern is not a knowledge-base id",
        "use the `id` of a `patterns` or `anti_patterns` entry of the knowledge base, or add the pattern there";
    INDEX_BROKEN_LINK = "index-broken-link", Error, true,
        "a link in the index points to no file or folder",
        "point the link at the doc's current path (relative to the index's folder; a leading `/` is the repository root), or remove it";
    INDEX_ORPHAN = "index-orphan", Warning, true,
        "a doc with frontmatter is not linked from the index",
        "add a row to the index (`docs.index`) that links the doc, so a reader can find it; a file that is not a doc goes out of `docs.roots` or into `docs.exclude`";
    FORBIDDEN_IMPORT = "forbidden-import", Error, false,
        "code under a rule's paths imports a forbidden module, directly or through modules of the repository",
        "remove the import (or the import of the module that brings it in); code that needs the module belongs outside the rule's paths. If this import can never run where the rule protects (say why), add `# docgate: allow[forbidden-import] <reason>` on its line";
    SILENT_FALLBACK = "silent-fallback", Error, false,
        "an exception handler in scope can finish without raising (logging does not count), or `contextlib.suppress` drops an exception",
        "re-raise (`raise`, or `raise SomeError(...) from e`) on every path of the handler so a broken model fails loudly; if falling back is the intended behaviour, say why with `# docgate: allow[silent-fallback] <reason>` on the `except` line";
    SUPPRESSION_INVALID = "suppression-invalid", Error, false,
        "a `# docgate: allow[...]` comment without a reason, naming a rule it cannot suppress, or suppressing nothing",
        "write `# docgate: allow[<rule>] <reason>` on the finding's line or the line above (rules: forbidden-import, silent-fallback), or remove the comment when the finding is gone";
    PYTHON_PARSE_ERROR = "python-parse-error", Error, false,
        "a Python file the code rules read cannot be parsed (or read as text), so nothing in it was checked",
        "fix the syntax error at the position shown (Python refuses to import the file too); a file that is not Python should not end in `.py`";
    INCIDENT_LOOP_GAP = "incident-loop-gap", Warning, true,
        "a post-mortem whose incident loop has a missing step: no knowledge-base entry, cost-log entry, policy, runbook or gate names it",
        "close the loop: mention the post-mortem (its path or file name) in a knowledge-base entry, a cost-log entry's `Post-mortem:`, the policy file (or name its knowledge-base id there), a runbook, and the docgate config entry that gates it";
}

// Rules of the specification that this version does not implement yet.
// Config may turn them `off` or list them as waivable; asking for them to run
// is an error, so a configured check can never silently do nothing.
rules! { PLANNED:
    AGENT_RULE_DEAD_GLOB = "agent-rule-dead-glob", Warning, true, "an agent rule file's path patterns match no file at head", "";
}

// Situations of a rule with a default severity of their own. They keep the
// rule's id, so a `rules:` override of the id applies to them too.
rules! { SITUATIONS:
    FRONTMATTER_UNREADABLE_ELSEWHERE = "frontmatter-invalid", Warning, true,
        "in `check`: a doc the change did not touch cannot be read, so coverage through it is unknown",
        "fix the frontmatter: required keys are id, title, perspective, last_updated (YYYY-MM-DD)";
    KB_UNREADABLE_ELSEWHERE = "kb-invalid", Warning, true,
        "in `check`: the knowledge base, which the change did not touch, cannot be read, so which patterns apply to the change is unknown",
        "fix the knowledge base (`docgate lint` shows why it cannot be read)";
}

/// An implemented rule by id (not its situations, not the planned rules).
pub fn rule_by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// A rule of the specification, implemented or planned: `(rule, implemented)`.
pub fn known_rule(id: &str) -> Option<(&'static Rule, bool)> {
    rule_by_id(id).map(|r| (r, true)).or_else(|| {
        PLANNED
            .iter()
            .copied()
            .find(|r| r.id == id)
            .map(|r| (r, false))
    })
}

/// Can a trailer waive findings of a rule, under the config's `waivers.rules`?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waivability {
    Waivable,
    /// The rule is waivable, but `waivers.rules` does not list it.
    NotListed,
    /// The rule table says never (feature, import, fallback and waiver rules).
    Never,
}

/// The one answer to "can this rule be waived here?", used to read trailers,
/// to apply them, to hint at them in the hook, and to validate `waivers.rules`.
pub fn waivability(rule_id: &str, listed: &[String]) -> Waivability {
    match known_rule(rule_id) {
        Some((rule, _)) if !rule.waivable => Waivability::Never,
        None => Waivability::Never,
        Some(_) if listed.iter().any(|r| r == rule_id) => Waivability::Waivable,
        Some(_) => Waivability::NotListed,
    }
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
