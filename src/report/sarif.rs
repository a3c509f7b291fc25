//! SARIF 2.1.0: one rule descriptor per rule id (with its help), one result
//! per finding; waived findings carry an external suppression.

use std::io::Write;

use anyhow::Result;
use serde_json::{Value, json};

use super::Report;
use crate::diagnostic::{self, Severity};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A stable fingerprint of a finding: rule, path and message, not the line
/// (lines move between pushes).
pub fn fingerprint(rule: &str, path: Option<&str>, message: &str) -> String {
    // FNV-1a 64: stable across Rust versions, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [rule, "\u{0}", path.unwrap_or(""), "\u{0}", message] {
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

pub fn render(report: &Report, out: &mut dyn Write) -> Result<()> {
    let rules: Vec<Value> = diagnostic::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.help},
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = diagnostic::ALL.iter().position(|r| r.id == d.rule.id);
            let mut result = json!({
                "ruleId": d.rule.id,
                "level": level(d.severity),
                "message": {"text": d.message},
                "partialFingerprints": {
                    "docgate/v1": fingerprint(d.rule.id, d.path.as_deref(), &d.message)
                },
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            if let Some(path) = &d.path {
                let mut location = json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}
                    }
                });
                if let Some(line) = d.line {
                    let mut region = json!({"startLine": line});
                    if let Some(col) = d.column {
                        region["startColumn"] = json!(col);
                    }
                    location["physicalLocation"]["region"] = region;
                }
                result["locations"] = json!([location]);
            }
            if !d.docs.is_empty() {
                result["properties"] = json!({"docs": d.docs});
            }
            if let Some(w) = &d.waived {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "justification": format!("{} (commit {})", w.reason, w.commit),
                }]);
            }
            result
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "docgate",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/docgate/docgate",
            "rules": rules,
        }},
        "results": results,
        "columnKind": "unicodeCodePoints",
    });
    if let Some(range) = &report.range
        && let Some(head) = range.head
    {
        run["versionControlProvenance"] = json!([{
            "repositoryUri": report.links.as_ref().map_or("urn:docgate:local".to_string(), |l| format!("{}/{}", l.server_url.trim_end_matches('/'), l.repository)),
            "revisionId": head.to_string(),
        }]);
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    let mut bytes = serde_json::to_vec_pretty(&sarif)?;
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    Ok(())
}
