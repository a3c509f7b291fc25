//! Every renderer over one shared report, in process (as ruff's `message/`
//! tests and cargo-deny's `test_utils.rs` do): a change of any format shows
//! as a snapshot diff here, not only where an end-to-end test happens to
//! look. The report has every severity, findings with and without path,
//! line, column and snippet, related docs, a waived finding, a multi-line
//! message, an unused waiver, one with a terminal escape and
//! Markdown/HTML-special characters,
//! the docs to read, the patterns to apply (one with a hostile checklist
//! item) and the checked counts. Commit ids are fixed; the
//! version is filtered out.

use super::*;
use crate::checks::DocToRead;
use crate::checks::features::FeatureListSummary;
use crate::checks::kb::PatternToApply;
use crate::diagnostic::{self as rules, Waived};
use crate::git::change::Mode;
use crate::kb::{KbSeverity, Kind};

const BASE: &str = "1111111111111111111111111111111111111111";
const HEAD: &str = "2222222222222222222222222222222222222222";
/// A repository path with a terminal escape (erase line, carriage return)
/// and Markdown/HTML-special characters, as a file may be named.
const HOSTILE_PATH: &str = "src/\u{1b}[2K\revil_<b>|*x*.py";

/// The shared diagnostics, in no particular order (the report sorts them).
fn diagnostics() -> Vec<Diagnostic> {
    let frontmatter = "---\nid: ops-01\ntitle: Runbook ops-01\nperspective: operations\nkey_files:\n  - \"src/app.py\"\nlast_updated: 2026-13-45\n---\n";
    // Error: path, line, column and snippet.
    let invalid_date = Diagnostic::new(
        rules::FRONTMATTER_INVALID,
        "`last_updated` must be a date written YYYY-MM-DD, found `2026-13-45`",
    )
    .at("docs/ops/app.md")
    .at_line(frontmatter, 7, 15)
    .with_docs(["ops-01"]);
    // Error: a path and related docs, no line.
    let not_updated = Diagnostic::new(
        rules::DOC_NOT_UPDATED,
        "`src/app.py` changed, but none of its docs did (ops-01, ops-02)",
    )
    .at("src/app.py")
    .with_docs(["ops-01", "ops-02"]);
    // Note: waived by a commit trailer (the severity a waiver gives).
    let mut waived = Diagnostic::new(
        rules::DOC_NOT_UPDATED,
        "`src/hotfix.py` changed, but none of its docs did (ops-01)",
    )
    .at("src/hotfix.py")
    .with_docs(["ops-01"]);
    waived.severity = Severity::Note;
    waived.waived = Some(Waived {
        reason: "production incident, runbook update in #7".into(),
        commit: "0123456789ab".into(),
    });
    // Warning (the rule's default): a line without a column.
    let mut not_bumped = Diagnostic::new(
        rules::LAST_UPDATED_NOT_BUMPED,
        "the body of ops-02 changed, but `last_updated` is still 2026-01-15",
    )
    .at("docs/ops/other.md")
    .with_docs(["ops-02"]);
    not_bumped.line = Some(6);
    // Warning set by config over an error rule: line and column, no snippet.
    let mut stale = Diagnostic::new(
        rules::STALE_KEY_FILE,
        "`src/gone.py` matches no file at head",
    )
    .at("docs/ops/other.md")
    .with_docs(["ops-02"]);
    stale.severity = Severity::Warning;
    stale.line = Some(6);
    stale.column = Some(5);
    // Error without a path.
    let waiver = Diagnostic::new(
        rules::WAIVER_INVALID,
        "commit 0123456789ab: `Docgate-Waive: doc-not-updated`: a waiver needs a reason",
    );
    // Error: a multi-line message (a feature diff) at a line.
    let mut mismatch = Diagnostic::new(
        rules::FEATURE_MISMATCH,
        "the training and inference lists of `m` differ\n\
         only in training:  `ctr_7d`\n\
         only in inference: `ctr_30d`",
    )
    .at("inference/features.py")
    .with_docs(["ml-01"]);
    mismatch.line = Some(3);
    // Error: a file named with a terminal escape and Markdown/HTML-special
    // characters, quoted in a message that has more of them.
    let hostile = Diagnostic::new(
        rules::UNCOVERED_CHANGE,
        format!(
            "`{HOSTILE_PATH}` matches `coverage.require` and no doc covers it <!-- docgate:report --> \
             <img src=x> @octocat [link](http://x) ![i](http://y) _a_ *b* ~c~ #1 \\ & 100%"
        ),
    )
    .at(HOSTILE_PATH)
    .with_docs(["@octocat", "<b>"]);
    // Note: a trailer that matched nothing (the rule's default).
    let unused = Diagnostic::new(
        rules::WAIVER_UNUSED,
        "the waiver `doc-not-updated(ops-09)` in commit 0123456789ab matched no finding",
    );
    vec![
        unused,
        not_updated,
        invalid_date,
        waived,
        not_bumped,
        stale,
        waiver,
        mismatch,
        hostile,
    ]
}

fn checked() -> Checked {
    Checked {
        changed_files: 6,
        ignored_files: 1,
        covered_files: 4,
        docs: 4,
        docs_changed: 2,
        docs_unreadable: 0,
        docs_skipped: 0,
        key_files: 7,
        commits: 3,
        layers: vec!["docs (docs)".into(), "features (feature_lists)".into()],
        renames_exact_only: false,
        renames_cut: None,
        feature_lists: vec![FeatureListSummary {
            id: "m".into(),
            status: "mismatch".into(),
            shared_source: false,
            names: 3,
        }],
        code: Some(crate::checks::code::CodeSummary {
            python_files: 12,
            unparsable: 0,
            imports: 40,
            suppressed: 1,
        }),
    }
}

/// The one report every format renders: `check main...feature`.
fn report() -> Report {
    let range = Range {
        mode: Mode::Range,
        base_rev: Some("main".into()),
        base_origin: "--base",
        head_rev: Some("feature".into()),
        base: crate::git::parse_object_id(BASE),
        head: crate::git::parse_object_id(HEAD),
    };
    let mut report = Report::new(
        "check",
        Some(range),
        checked(),
        diagnostics(),
        Severity::Error,
    );
    report.docs_to_read = vec![
        DocToRead {
            id: Some("ops-01".into()),
            title: Some("Runbook ops-01".into()),
            path: "docs/ops/app.md".into(),
            covers: vec!["src/app.py".into(), "src/hotfix.py".into()],
        },
        DocToRead {
            id: Some("ops-02".into()),
            title: Some("Risk | limits <b>@octocat</b>".into()),
            path: "docs/ops/other.md".into(),
            covers: vec!["src/app.py".into()],
        },
        DocToRead {
            id: None,
            title: None,
            path: "docs/ml/features.md".into(),
            covers: vec!["inference/features.py".into()],
        },
    ];
    report.patterns_to_apply = Some(vec![
        PatternToApply {
            id: "silent-fallback".into(),
            kind: Kind::AntiPattern,
            name: "Silent fallback in model serving".into(),
            severity: KbSeverity::Critical,
            checklist: vec![
                "fail fast".into(),
                "no `except` without `raise` in inference".into(),
                "<!-- docgate:report --> @octocat [x] <b>ping</b>".into(),
            ],
            covers: vec!["inference/features.py".into()],
        },
        PatternToApply {
            id: "additive-features".into(),
            kind: Kind::Pattern,
            name: "Additive feature expansion | *append* only".into(),
            severity: KbSeverity::High,
            checklist: Vec::new(),
            covers: vec!["inference/features.py".into(), HOSTILE_PATH.into()],
        },
    ]);
    report.links = Some(Links {
        server_url: "https://github.example".into(),
        repository: "acme/trading".into(),
        head: HEAD.into(),
    });
    report.github = Some(GithubSection {
        repository: "acme/trading".into(),
        event: "pull_request".into(),
        pull_request: Some(7),
        head_sha: Some(HEAD.into()),
        server_url: "https://github.example".into(),
        line_comments: vec![LineComment {
            path: "src/app.py".into(),
            line: 3,
            fingerprint: "0123456789abcdef".into(),
            rule: "doc-not-updated".into(),
            message: "`src/app.py` changed, but none of its docs did (ops-01, ops-02)".into(),
            help: rules::DOC_NOT_UPDATED.help.into(),
        }],
    });
    report
}

fn rendered(format: Format, style: Style) -> String {
    let mut out = Vec::new();
    render(&report(), format, style, &mut out).expect("the report renders");
    String::from_utf8(out).expect("UTF-8")
}

const PLAIN: Style = Style {
    color: false,
    quiet: false,
};

/// The crate version, which every release changes, as `[VERSION]`.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    let version: String = env!("CARGO_PKG_VERSION")
        .chars()
        .map(|c| match c {
            '.' | '+' | '-' => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect();
    s.add_filter(
        &format!(r#""version": "{version}""#),
        r#""version": "[VERSION]""#,
    );
    s
}

#[test]
fn the_shared_report_has_every_kind_of_finding() {
    let report = report();
    let s = report.summary();
    assert!(s.errors > 0 && s.warnings > 0 && s.notes > 0, "{s:?}");
    assert_eq!(s.waived, 1);
    let d = &report.diagnostics;
    assert!(d.iter().any(|d| d.path.is_none()));
    assert!(d.iter().any(|d| d.path.is_some() && d.line.is_none()));
    assert!(d.iter().any(|d| d.line.is_some() && d.column.is_none()));
    assert!(
        d.iter()
            .any(|d| d.column.is_some() && d.source_line.is_none())
    );
    assert!(d.iter().any(|d| d.source_line.is_some()));
    assert!(d.iter().any(|d| d.docs.is_empty()) && d.iter().any(|d| d.docs.len() > 1));
    assert!(d.iter().any(|d| d.message.contains('\n')));
    assert!(d.iter().any(|d| d.path.as_deref() == Some(HOSTILE_PATH)));
    assert!(report.failed());
}

#[test]
fn text() {
    let out = rendered(Format::Text, PLAIN);
    assert!(!out.contains('\u{1b}'), "no raw escape: {out}");
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn text_colored() {
    let style = Style {
        color: true,
        ..PLAIN
    };
    // The colors as `\e`, so the snapshot is readable; the escape in the
    // path is written as `\u{1b}` by the renderer either way.
    let out = rendered(Format::Text, style).replace('\u{1b}', "\\e");
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn text_quiet() {
    let style = Style {
        quiet: true,
        ..PLAIN
    };
    settings().bind(|| insta::assert_snapshot!(rendered(Format::Text, style)));
}

#[test]
fn json() {
    let out = rendered(Format::Json, PLAIN);
    serde_json::from_str::<serde_json::Value>(&out).expect("JSON");
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn sarif() {
    let out = rendered(Format::Sarif, PLAIN);
    serde_json::from_str::<serde_json::Value>(&out).expect("JSON");
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn github_annotations() {
    let out = rendered(Format::Github, PLAIN);
    assert!(!out.contains('\u{1b}') && !out.contains('\r'), "{out}");
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn markdown() {
    let out = rendered(Format::Markdown, PLAIN);
    assert!(out.starts_with(markdown::MARKER), "{out}");
    assert_eq!(out.matches(markdown::MARKER).count(), 1, "{out}");
    settings().bind(|| insta::assert_snapshot!(out));
}
