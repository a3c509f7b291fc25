//! GitHub Actions workflow commands: `::error file=…,line=…,title=…::message`.
//! GitHub shows at most 10 errors and 10 warnings (and 10 notices) per step,
//! so the most severe come first and one closing notice says what was left
//! out and where the full report is.

use std::io::Write;

use anyhow::Result;

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};

/// Per-kind annotation limit of a step.
pub const PER_KIND: usize = 10;

/// The toolkit's escaping of a command's message; other control characters
/// (a file named with terminal escapes) are written as escapes (`\u{1b}`),
/// never raw into the job log.
pub fn escape_data(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '%' => "%25".to_string(),
            '\r' => "%0D".to_string(),
            '\n' => "%0A".to_string(),
            '\t' => "\t".to_string(),
            c if c.is_control() => c.escape_debug().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The toolkit's escaping of a property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if let Some(path) = &d.path {
        props.push(format!("file={}", escape_property(path)));
        if let Some(line) = d.line {
            props.push(format!("line={line}"));
            if let Some(col) = d.column {
                props.push(format!("col={col}"));
            }
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("docgate {}", d.rule.id))
    ));
    let mut message = d.message.clone();
    if !d.docs.is_empty() {
        message.push_str(&format!("\nDocs: {}", d.docs.join(", ")));
    }
    if let Some(w) = &d.waived {
        message.push_str(&format!("\nWaived in {}: {}", w.commit, w.reason));
    }
    message.push_str(&format!("\nHelp: {}", d.help()));
    format!("::{kind} {}::{}", props.join(","), escape_data(&message))
}

pub fn render(report: &Report, out: &mut dyn Write) -> Result<()> {
    let mut ordered: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    // Most severe first; the report's own order within a severity.
    ordered.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let mut shown = [0usize; 3];
    let mut left_out = 0;
    for d in ordered {
        let slot = &mut shown[d.severity as usize];
        // Notices keep one place free for the closing notice.
        let limit = if d.severity == Severity::Note {
            PER_KIND - 1
        } else {
            PER_KIND
        };
        if *slot < limit {
            *slot += 1;
            writeln!(out, "{}", command(d))?;
        } else {
            left_out += 1;
        }
    }
    if left_out > 0 {
        let s = report.summary();
        let where_ = report
            .full_report
            .as_deref()
            .unwrap_or("the job summary and the JSON report (docgate check --format json)");
        writeln!(
            out,
            "::notice title=docgate::{}",
            escape_data(&format!(
                "{left_out} more findings are not shown as annotations (GitHub shows 10 per kind and step); \
                 in all: {} errors, {} warnings, {} notes. The full report: {where_}",
                s.errors, s.warnings, s.notes
            ))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_toolkit() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn other_control_characters_are_escaped_never_raw() {
        assert_eq!(
            escape_data("src/\u{1b}[2K\u{7}x\ty.py"),
            "src/\\u{1b}[2K\\u{7}x\ty.py"
        );
        assert_eq!(escape_property("a\u{0}b"), "a\\0b");
    }
}
