//! The versioned JSON report (SPEC §8). Its own structs, so the internal
//! types can change without changing what users parse.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Report, Summary};
use crate::checks::Checked;
use crate::diagnostic::Waived;

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    command: &'a str,
    range: JsonRange<'a>,
    checked: &'a Checked,
    findings: Vec<Finding<'a>>,
    summary: Summary,
    /// `check`: the docs that cover the changed files.
    #[serde(skip_serializing_if = "Option::is_none")]
    docs_to_read: Option<&'a [crate::checks::DocToRead]>,
    /// `docgate github`: what `docgate github post` needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    github: Option<&'a serde_json::Value>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonRange<'a> {
    mode: &'a str,
    base: Option<String>,
    head: Option<String>,
    base_ref: Option<&'a str>,
    head_ref: Option<&'a str>,
}

#[derive(Serialize)]
struct Finding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    path: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    docs: &'a [String],
    help: &'a str,
    waived: Option<&'a Waived>,
}

pub fn render(report: &Report, out: &mut dyn Write) -> Result<()> {
    let range = match &report.range {
        Some(r) => JsonRange {
            mode: r.mode.as_str(),
            base: r.base.map(|o| o.to_string()),
            head: r.head.map(|o| o.to_string()),
            base_ref: r.base_rev.as_deref(),
            head_ref: r.head_rev.as_deref(),
        },
        None => JsonRange {
            mode: report.command,
            base: None,
            head: None,
            base_ref: None,
            head_ref: None,
        },
    };
    let json = JsonReport {
        version: VERSION,
        tool: Tool {
            name: "docgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        command: report.command,
        range,
        checked: &report.checked,
        findings: report
            .diagnostics
            .iter()
            .map(|d| Finding {
                rule: d.rule.id,
                severity: d.severity.as_str(),
                message: &d.message,
                path: d.path.as_deref(),
                line: d.line,
                column: d.column,
                docs: &d.docs,
                help: d.help(),
                waived: d.waived.as_ref(),
            })
            .collect(),
        summary: report.summary(),
        docs_to_read: report
            .range
            .as_ref()
            .map(|_| report.docs_to_read.as_slice()),
        github: report.github.as_ref(),
    };
    // Serialize first: a closed stdout then surfaces as a plain io::Error.
    let mut bytes = serde_json::to_vec_pretty(&json)?;
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    Ok(())
}
