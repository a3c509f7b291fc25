//! The versioned JSON report (SPEC §8). Its own structs, so the internal
//! types can change without changing what users parse. They are also what
//! `docgate github post` reads an uploaded report back into (`Deserialize`,
//! then `github::post` validates): the handoff between the two stages is
//! typed, in one place.
//!
//! Every struct refuses a field it does not have (`deny_unknown_fields`): a
//! report is docgate's own output, so a field this version does not know is
//! from another version or was added by hand, and reading past it could drop
//! what it meant. A field added later must be `#[serde(default)]`, so that
//! the reports of earlier versions still read.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::{GithubSection, LineComment, Report, Summary};
use crate::checks::code::CodeSummary;
use crate::checks::features::FeatureListSummary;
use crate::checks::kb::PatternToApply;
use crate::checks::{Checked, DocToRead};
use crate::diagnostic::Waived;

pub const VERSION: u32 = 1;

/// Written from a [`Report`] it borrows (a large range has tens of
/// thousands of findings: not copied to be written), read back owned.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub tool: Tool,
    pub command: String,
    pub range: JsonRange,
    pub checked: JsonChecked,
    pub findings: Vec<Finding<'a>>,
    pub summary: Summary,
    /// `check`: the docs that cover the changed files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs_to_read: Option<Vec<JsonDocToRead>>,
    /// `check` with an active knowledge base: the entries whose
    /// `reference_files` cover a changed file, CRITICAL first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patterns_to_apply: Option<Vec<JsonPatternToApply>>,
    /// Each post-mortem's incident loop (`lint`: all; `check`: those the
    /// change is involved in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_loop: Option<Vec<JsonIncidentLoop>>,
    /// `docgate github`: what `docgate github post` needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<JsonGithub>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonRange {
    pub mode: String,
    pub base: Option<String>,
    pub head: Option<String>,
    pub base_ref: Option<String>,
    pub head_ref: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonChecked {
    pub changed_files: usize,
    pub ignored_files: usize,
    pub covered_files: usize,
    pub docs: usize,
    pub docs_changed: usize,
    pub docs_unreadable: usize,
    /// Files under the roots with frontmatter that are not read as docs.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub docs_skipped: usize,
    pub key_files: usize,
    pub commits: usize,
    pub layers: Vec<String>,
    /// Rename detection paired only identical files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub renames_exact_only: bool,
    /// Why: the candidates left after exact pairing, and the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renames_cut: Option<JsonRenamesCut>,
    pub feature_lists: Vec<JsonFeatureList>,
    /// What the code rules read (when configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<JsonCode>,
}

/// `checked.renames_cut`: rename detection compared only identical contents
/// because `added × deleted` was more than `limit²` (`diff.renameLimit`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonRenamesCut {
    pub added: usize,
    pub deleted: usize,
    pub limit: usize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonCode {
    pub python_files: usize,
    pub unparsable: usize,
    pub imports: usize,
    pub suppressed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonFeatureList {
    pub id: String,
    pub status: String,
    pub shared_source: bool,
    pub names: usize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding<'a> {
    pub rule: Cow<'a, str>,
    pub severity: Cow<'a, str>,
    pub message: Cow<'a, str>,
    pub path: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "opt_number")]
    pub line: Option<usize>,
    #[serde(default, deserialize_with = "opt_number")]
    pub column: Option<usize>,
    pub docs: Cow<'a, [String]>,
    /// Not read back (`github post` takes docgate's own): it may be absent.
    #[serde(default)]
    pub help: Cow<'a, str>,
    pub waived: Option<JsonWaived>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonWaived {
    pub reason: String,
    pub commit: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonDocToRead {
    pub id: Option<String>,
    pub title: Option<String>,
    pub path: String,
    /// The changed files it covers.
    pub covers: Vec<String>,
}

/// One post-mortem's incident loop: per step what carries it, and the
/// steps that are missing.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonIncidentLoop {
    pub postmortem: String,
    pub title: Option<String>,
    pub steps: Vec<JsonLoopStep>,
    pub missing: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonLoopStep {
    pub step: String,
    pub found: Vec<String>,
}

impl From<&crate::checks::incident_loop::IncidentLoop> for JsonIncidentLoop {
    fn from(l: &crate::checks::incident_loop::IncidentLoop) -> JsonIncidentLoop {
        JsonIncidentLoop {
            postmortem: l.postmortem.clone(),
            title: l.title.clone(),
            steps: l
                .steps
                .iter()
                .map(|s| JsonLoopStep {
                    step: s.step.to_string(),
                    found: s.found.clone(),
                })
                .collect(),
            missing: l.missing().into_iter().map(String::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonPatternToApply {
    pub id: String,
    /// `pattern` or `anti_pattern`.
    pub kind: String,
    pub name: String,
    /// `CRITICAL`, `HIGH`, `MEDIUM` or `LOW`.
    pub severity: String,
    pub checklist: Vec<String>,
    /// The changed files it covers.
    pub covers: Vec<String>,
}

/// The `github` section. Its fields are in alphabetical order, the order
/// the report has always had (it was a `serde_json::Value`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonGithub {
    pub event: String,
    pub head_sha: Option<String>,
    pub line_comments: Vec<JsonLineComment>,
    #[serde(default, deserialize_with = "opt_number")]
    pub pull_request: Option<u64>,
    pub repository: String,
    pub server_url: String,
}

/// A review comment to post (alphabetical, like [`JsonGithub`]).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonLineComment {
    pub fingerprint: String,
    /// Not read back, like [`Finding::help`].
    #[serde(default)]
    pub help: String,
    #[serde(deserialize_with = "number")]
    pub line: usize,
    pub message: String,
    pub path: String,
    pub rule: String,
}

impl<'a> From<&'a Report> for JsonReport<'a> {
    fn from(report: &'a Report) -> JsonReport<'a> {
        let range = match &report.range {
            Some(r) => JsonRange {
                mode: r.mode.as_str().to_string(),
                base: r.base.map(|o| o.to_string()),
                head: r.head.map(|o| o.to_string()),
                base_ref: r.base_rev.clone(),
                head_ref: r.head_rev.clone(),
            },
            None => JsonRange {
                mode: report.command.to_string(),
                base: None,
                head: None,
                base_ref: None,
                head_ref: None,
            },
        };
        JsonReport {
            version: VERSION,
            tool: Tool {
                name: "docgate".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            command: report.command.to_string(),
            range,
            checked: JsonChecked::from(&report.checked),
            findings: report
                .diagnostics
                .iter()
                .map(|d| Finding {
                    rule: Cow::Borrowed(d.rule.id),
                    severity: Cow::Borrowed(d.severity.as_str()),
                    message: Cow::Borrowed(&d.message),
                    path: d.path.as_deref().map(Cow::Borrowed),
                    line: d.line,
                    column: d.column,
                    docs: Cow::Borrowed(&d.docs),
                    help: Cow::Borrowed(d.help()),
                    waived: d.waived.as_ref().map(|w| {
                        let Waived { reason, commit } = w;
                        JsonWaived {
                            reason: reason.clone(),
                            commit: commit.clone(),
                        }
                    }),
                })
                .collect(),
            summary: report.summary(),
            docs_to_read: report.range.as_ref().map(|_| {
                report
                    .docs_to_read
                    .iter()
                    .map(JsonDocToRead::from)
                    .collect()
            }),
            patterns_to_apply: report
                .patterns_to_apply
                .as_ref()
                .map(|list| list.iter().map(JsonPatternToApply::from).collect()),
            incident_loop: report
                .incident_loop
                .as_ref()
                .map(|list| list.iter().map(JsonIncidentLoop::from).collect()),
            github: report.github.as_ref().map(JsonGithub::from),
        }
    }
}

// The conversions name every field (no `..`): a field added to an internal
// type does not compile until it is in the report or left out on purpose.

impl From<&Checked> for JsonChecked {
    fn from(checked: &Checked) -> JsonChecked {
        let Checked {
            changed_files,
            ignored_files,
            covered_files,
            docs,
            docs_changed,
            docs_unreadable,
            docs_skipped,
            key_files,
            commits,
            layers,
            renames_exact_only,
            renames_cut,
            feature_lists,
            code,
        } = checked;
        JsonChecked {
            changed_files: *changed_files,
            ignored_files: *ignored_files,
            covered_files: *covered_files,
            docs: *docs,
            docs_changed: *docs_changed,
            docs_unreadable: *docs_unreadable,
            docs_skipped: *docs_skipped,
            key_files: *key_files,
            commits: *commits,
            layers: layers.clone(),
            renames_exact_only: *renames_exact_only,
            renames_cut: renames_cut.map(|c| JsonRenamesCut {
                added: c.added,
                deleted: c.deleted,
                limit: c.limit,
            }),
            feature_lists: feature_lists
                .iter()
                .map(|f| {
                    let FeatureListSummary {
                        id,
                        status,
                        shared_source,
                        names,
                    } = f;
                    JsonFeatureList {
                        id: id.clone(),
                        status: status.clone(),
                        shared_source: *shared_source,
                        names: *names,
                    }
                })
                .collect(),
            code: code.as_ref().map(|c| {
                let CodeSummary {
                    python_files,
                    unparsable,
                    imports,
                    suppressed,
                } = c;
                JsonCode {
                    python_files: *python_files,
                    unparsable: *unparsable,
                    imports: *imports,
                    suppressed: *suppressed,
                }
            }),
        }
    }
}

impl From<&DocToRead> for JsonDocToRead {
    fn from(doc: &DocToRead) -> JsonDocToRead {
        let DocToRead {
            id,
            title,
            path,
            covers,
        } = doc;
        JsonDocToRead {
            id: id.clone(),
            title: title.clone(),
            path: path.clone(),
            covers: covers.clone(),
        }
    }
}

impl From<&PatternToApply> for JsonPatternToApply {
    fn from(p: &PatternToApply) -> JsonPatternToApply {
        let PatternToApply {
            id,
            kind,
            name,
            severity,
            checklist,
            covers,
        } = p;
        JsonPatternToApply {
            id: id.clone(),
            kind: kind.as_str().to_string(),
            name: name.clone(),
            severity: severity.as_str().to_string(),
            checklist: checklist.clone(),
            covers: covers.clone(),
        }
    }
}

impl From<&GithubSection> for JsonGithub {
    fn from(github: &GithubSection) -> JsonGithub {
        let GithubSection {
            repository,
            event,
            pull_request,
            head_sha,
            server_url,
            line_comments,
        } = github;
        JsonGithub {
            event: event.clone(),
            head_sha: head_sha.clone(),
            line_comments: line_comments
                .iter()
                .map(|c| {
                    let LineComment {
                        path,
                        line,
                        fingerprint,
                        rule,
                        message,
                        help,
                    } = c;
                    JsonLineComment {
                        fingerprint: fingerprint.clone(),
                        help: help.clone(),
                        line: *line,
                        message: message.clone(),
                        path: path.clone(),
                        rule: rule.clone(),
                    }
                })
                .collect(),
            pull_request: *pull_request,
            repository: repository.clone(),
            server_url: server_url.clone(),
        }
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> Result<()> {
    // Streamed: a large range's report is megabytes, not held twice. A write
    // error is the io::Error it was (stdout's `Stream` already absorbs a
    // reader that went away), not a serialization error.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, &JsonReport::from(report))
        .map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

/// What [`number`] and [`opt_number`] expect, as a refusal says it.
const NUMBER: &str = "a line or column number";

/// A line, column or pull request number, for `deserialize_with`: a JSON
/// whole number, nothing else ("7" is not one). Its range is the reader's to
/// check.
pub(crate) fn number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    use serde::de::{Error, Unexpected, Visitor};
    struct Whole<T>(std::marker::PhantomData<T>);
    impl<T: TryFrom<u64>> Visitor<'_> for Whole<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(NUMBER)
        }
        fn visit_u64<E: Error>(self, n: u64) -> Result<T, E> {
            T::try_from(n).map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
        }
    }
    d.deserialize_u64(Whole(std::marker::PhantomData))
}

/// An optional [`number`]: `null` or absent is `None`.
pub(crate) fn opt_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    use serde::de::{Error, Visitor};
    struct Opt<T>(std::marker::PhantomData<T>);
    impl<'de, T: TryFrom<u64>> Visitor<'de> for Opt<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(NUMBER)
        }
        fn visit_none<E: Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_unit<E: Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            number(d).map(Some)
        }
    }
    d.deserialize_option(Opt(std::marker::PhantomData))
}
