//! Where every finding goes: the one place that gives a finding its severity
//! (the rule table's default, or the config's `rules:` override; `off` drops
//! it) and, at the end, applies the commits' waivers.

pub(crate) mod cfg;

use crate::checks::waivers::Waiver;
use crate::checks::{Checked, DocToRead};
use crate::config::Config;
use crate::diagnostic::{self as rules, Diagnostic, Severity, Waivability, Waived};
use crate::git::change::Range;
use crate::report::Report;

/// What the checks produce: findings, and the counts that show how much was
/// checked (so a gate that checked nothing never looks like a pass).
pub struct Sink<'c> {
    config: &'c Config,
    found: Vec<Diagnostic>,
    pub checked: Checked,
    /// The docs covering the changed files: what a reviewer must read.
    pub docs_to_read: Vec<DocToRead>,
    /// Files with frontmatter not read as docs (for "nothing to check").
    pub skipped: Vec<String>,
    /// `check` with an active knowledge base: its entries whose
    /// `reference_files` cover a changed file.
    pub patterns_to_apply: Option<Vec<crate::checks::kb::PatternToApply>>,
    /// Each post-mortem's incident loop (`check`: those it reports on).
    pub incident_loop: Option<Vec<crate::checks::incident_loop::IncidentLoop>>,
}

impl<'c> Sink<'c> {
    pub fn new(config: &'c Config) -> Sink<'c> {
        Sink {
            config,
            found: Vec::new(),
            checked: Checked::default(),
            docs_to_read: Vec::new(),
            skipped: Vec::new(),
            patterns_to_apply: None,
            incident_loop: None,
        }
    }

    /// Take a finding: its severity is its rule's (or the rule situation's)
    /// default unless the config overrides the rule id; `off` drops it.
    pub fn push(&mut self, mut d: Diagnostic) {
        let Some(severity) = self.config.severity(d.rule) else {
            return;
        };
        d.severity = severity;
        self.found.push(d);
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Diagnostic>) {
        for d in findings {
            self.push(d);
        }
    }

    /// Findings whose severity another config decided: what the base config
    /// finds when a change edits the config (see
    /// [`crate::checks::config_change_findings`]); the head config's
    /// overrides must not drop them.
    pub fn push_resolved(&mut self, findings: impl IntoIterator<Item = Diagnostic>) {
        self.found.extend(findings);
    }

    /// The findings without waivers (for a pass whose findings another sink adopts).
    pub fn into_found(self) -> Vec<Diagnostic> {
        self.found
    }

    /// What was found so far, severities applied.
    pub fn found(&self) -> &[Diagnostic] {
        &self.found
    }

    /// Apply the waivers to the findings a trailer may waive here; a waived
    /// finding becomes a note naming the reason and the commit.
    pub fn waive(&mut self, waivers: &mut [Waiver]) {
        for d in &mut self.found {
            if rules::waivability(d.rule.id, &self.config.waivers.rules) != Waivability::Waivable {
                continue;
            }
            if let Some(w) = waivers.iter_mut().find(|w| w.matches(d)) {
                w.used += 1;
                d.severity = Severity::Note;
                d.waived = Some(Waived {
                    reason: w.reason.clone(),
                    commit: w.commit.clone(),
                });
            }
        }
    }

    /// "Nothing to check" (exit 2) when the run saw no docs, no feature
    /// lists and no code rules: a gate that checked nothing never passes.
    pub fn ensure_something_checked(&self) -> anyhow::Result<()> {
        crate::checks::ensure_something_to_check(
            self.config,
            self.checked.docs
                + self.config.feature_lists.len()
                + self.config.code.forbidden_imports.len()
                + usize::from(self.config.code.silent_fallback.matcher.is_some()),
            &self.skipped,
        )
    }

    /// The finished report: the findings (waivers applied by [`Sink::waive`]
    /// before, `waiver-unused` added here), the counts and the docs to read.
    pub fn into_report(
        mut self,
        command: &'static str,
        range: Option<Range>,
        waivers: &[Waiver],
        fail_on: Severity,
    ) -> Report {
        let diagnostics = self.finish(waivers);
        let mut report = Report::new(command, range, self.checked, diagnostics, fail_on);
        report.docs_to_read = self.docs_to_read;
        report.patterns_to_apply = self.patterns_to_apply;
        report.incident_loop = self.incident_loop;
        report
    }

    /// The findings, with a `waiver-unused` note for each waiver that
    /// matched nothing.
    pub fn finish(&mut self, waivers: &[Waiver]) -> Vec<Diagnostic> {
        for w in waivers.iter().filter(|w| w.used == 0) {
            let scope = w
                .scope
                .as_deref()
                .map(|s| format!("({s})"))
                .unwrap_or_default();
            self.push(Diagnostic::new(
                rules::WAIVER_UNUSED,
                format!(
                    "the waiver `{}{scope}` in commit {} matched no finding",
                    w.rule, w.commit
                ),
            ));
        }
        std::mem::take(&mut self.found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{DOC_NOT_UPDATED, FEATURE_MISMATCH, FRONTMATTER_INVALID};

    fn config(yaml: &str) -> Config {
        Config::parse(yaml, "t.yml").expect("valid config")
    }

    fn finding() -> Diagnostic {
        Diagnostic::new(DOC_NOT_UPDATED, "changed alone")
            .at("src/app.py")
            .with_docs(["ops-01"])
    }

    fn waiver(value: &str, config: &Config) -> Waiver {
        Waiver::read(value, "abc123", config).expect("a valid waiver")
    }

    /// Push `d` into a sink of `config`, apply `waivers`, return the findings.
    fn run(config: &Config, d: Diagnostic, waivers: &mut [Waiver]) -> Vec<Diagnostic> {
        let mut sink = Sink::new(config);
        sink.push(d);
        sink.waive(waivers);
        sink.finish(waivers)
    }

    /// The default finding under `config` with one trailer read under it:
    /// the findings and how often the waiver was used.
    fn with_trailer(config: &Config, trailer: &str) -> (Vec<Diagnostic>, usize) {
        let mut w = [waiver(trailer, config)];
        let out = run(config, finding(), &mut w);
        (out, w[0].used)
    }

    #[test]
    fn a_waivable_rule_is_waived() {
        let (out, used) = with_trailer(&config("{}"), "doc-not-updated: hotfix");
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].severity, Severity::Note);
        assert_eq!(
            out[0].waived,
            Some(Waived {
                reason: "hotfix".into(),
                commit: "abc123".into()
            })
        );
        assert_eq!(used, 1);
    }

    #[test]
    fn a_rule_taken_out_of_waivers_rules_is_not_waived() {
        let listed = config("{}");
        let unlisted = config("waivers: {rules: [uncovered-change]}\n");
        // Read under the default config, applied under one that does not list
        // the rule: the sink's own decision keeps the error.
        let mut w = [waiver("doc-not-updated: hotfix", &listed)];
        let out = run(&unlisted, finding(), &mut w);
        assert_eq!(out[0].rule.id, "doc-not-updated");
        assert_eq!(out[0].severity, Severity::Error);
        assert_eq!(out[0].waived, None);
        // The waiver matched nothing it may waive: reported, never silent.
        assert_eq!(out[1].rule.id, "waiver-unused", "{out:?}");
        // And the trailer itself is refused under that config.
        let refused = Waiver::read("doc-not-updated: hotfix", "abc123", &unlisted)
            .err()
            .expect("refused");
        assert!(refused.contains("not waivable here"), "{refused}");
        assert_eq!(
            rules::waivability("doc-not-updated", &unlisted.waivers.rules),
            Waivability::NotListed
        );
        assert_eq!(
            rules::waivability("doc-not-updated", &listed.waivers.rules),
            Waivability::Waivable
        );
    }

    #[test]
    fn a_never_waivable_rule_is_never_waived() {
        for rule in ["feature-mismatch", "forbidden-import", "waiver-invalid"] {
            let all = vec![rule.to_string()];
            assert_eq!(rules::waivability(rule, &all), Waivability::Never, "{rule}");
        }
        let c = config("{}");
        let refused = Waiver::read("feature-mismatch: trust me", "abc123", &c)
            .err()
            .expect("refused");
        assert!(refused.contains("can never be waived"), "{refused}");
        // Even a waiver that got through (hand-made here) does not apply.
        let mut w = [Waiver {
            rule: "feature-mismatch".into(),
            scope: None,
            scope_glob: None,
            reason: "trust me".into(),
            commit: "abc123".into(),
            used: 0,
        }];
        let out = run(&c, Diagnostic::new(FEATURE_MISMATCH, "differ"), &mut w);
        assert_eq!(out[0].severity, Severity::Error);
        assert_eq!(out[0].waived, None);
        assert_eq!(w[0].used, 0);
    }

    #[test]
    fn a_waiver_scoped_to_a_doc_id_waives_only_that_doc() {
        let c = config("{}");
        let (out, _) = with_trailer(&c, "doc-not-updated(ops-02): not this one");
        assert_eq!(out[0].severity, Severity::Error, "{out:?}");
        assert_eq!(out[1].rule.id, "waiver-unused");
        assert_eq!(
            out[1].message,
            "the waiver `doc-not-updated(ops-02)` in commit abc123 matched no finding"
        );
        let (out, used) = with_trailer(&c, "doc-not-updated(ops-01): this one");
        assert_eq!((out.len(), out[0].severity, used), (1, Severity::Note, 1));
    }

    #[test]
    fn a_waiver_scoped_to_a_glob_waives_only_matching_paths() {
        let c = config("{}");
        let (out, used) = with_trailer(&c, "doc-not-updated(lib/**): elsewhere");
        assert_eq!((out[0].severity, used), (Severity::Error, 0), "{out:?}");
        let (out, used) = with_trailer(&c, "doc-not-updated(src/*.py): here");
        assert_eq!((out.len(), out[0].severity, used), (1, Severity::Note, 1));
    }

    #[test]
    fn overrides_apply_to_every_situation_of_a_rule() {
        let plain = Diagnostic::new(FRONTMATTER_INVALID, "broken");
        let elsewhere = Diagnostic::new(rules::FRONTMATTER_UNREADABLE_ELSEWHERE, "unknown");
        let severities = |yaml: &str| {
            let c = config(yaml);
            let mut sink = Sink::new(&c);
            sink.push(plain.clone());
            sink.push(elsewhere.clone());
            sink.found().iter().map(|d| d.severity).collect::<Vec<_>>()
        };
        assert_eq!(severities("{}"), [Severity::Error, Severity::Warning]);
        assert_eq!(
            severities("rules: {frontmatter-invalid: error}\n"),
            [Severity::Error, Severity::Error]
        );
        assert_eq!(
            severities("rules: {frontmatter-invalid: note}\n"),
            [Severity::Note, Severity::Note]
        );
        assert!(severities("rules: {frontmatter-invalid: off}\n").is_empty());
    }

    #[test]
    fn waiver_unused_can_be_turned_off() {
        let c = config("rules: {waiver-unused: off}\n");
        let (out, _) = with_trailer(&c, "doc-not-updated(ops-02): not this one");
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].rule.id, "doc-not-updated");
    }
}
