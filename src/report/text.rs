//! The terminal report: findings grouped by file, a snippet where there is a
//! line, the covering docs, `help:`, and one summary line saying what was checked.

use std::io::Write;

use anyhow::Result;

use super::{Report, Style};
use crate::diagnostic::{Diagnostic, Severity};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, sev: Severity) -> String {
        let code = match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Note => "1;36",
        };
        self.wrap(code, sev.as_str())
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("1;34", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// Text from the repository (paths, messages that quote them, waiver
/// reasons from commit messages) as it may be shown on a terminal: a control
/// character is written as its escape (`\u{1b}`, `\r`, `\n`), never raw. A
/// file named `src/\x1b[2K\rx.py` must not erase the finding it is named in
/// (the pre-push report reaches the terminal of the person pushing).
pub(crate) fn printable(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\t') {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> Result<()> {
    let paint = Paint { on: style.color };
    let shown: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| !style.quiet || d.severity >= report.fail_on)
        .collect();
    let mut last_path: Option<Option<&str>> = None;
    for d in &shown {
        let path = d.path.as_deref();
        if last_path != Some(path) {
            if last_path.is_some() {
                writeln!(out)?;
            }
            if let Some(p) = path {
                writeln!(out, "{}", paint.bold(&format!("{}:", printable(p))))?;
            }
            last_path = Some(path);
        } else {
            writeln!(out)?;
        }
        finding(d, &paint, out)?;
    }
    if style.quiet && !report.failed() {
        return Ok(());
    }
    if !shown.is_empty() {
        writeln!(out)?;
    }
    if !style.quiet {
        patterns(report, &paint, out)?;
        incident_loop(report, &paint, out)?;
    }
    writeln!(out, "{}", summary_line(report, &paint))?;
    Ok(())
}

/// Each post-mortem's loop: `+ step (where)` for the steps it has, `- step`
/// for the missing ones.
fn incident_loop(report: &Report, paint: &Paint, out: &mut dyn Write) -> Result<()> {
    let Some(loops) = report.incident_loop.as_ref().filter(|l| !l.is_empty()) else {
        return Ok(());
    };
    writeln!(
        out,
        "{}",
        paint.bold("incident loop (post-mortem, knowledge base, cost log, policy, runbook, gate):")
    )?;
    for l in loops {
        let steps: Vec<String> = l
            .steps
            .iter()
            .map(|s| {
                if s.found.is_empty() {
                    paint.wrap("1;33", &format!("- {}", s.step))
                } else {
                    format!(
                        "+ {} ({})",
                        s.step,
                        s.found
                            .iter()
                            .map(|f| printable(f))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            })
            .collect();
        writeln!(out, "  {}", printable(&l.postmortem))?;
        writeln!(out, "    {}", steps.join("  "))?;
    }
    writeln!(out)?;
    Ok(())
}

/// The knowledge-base entries covering the changed files, with their
/// checklists: what to apply before pushing.
fn patterns(report: &Report, paint: &Paint, out: &mut dyn Write) -> Result<()> {
    let Some(patterns) = report.patterns_to_apply.as_ref().filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    writeln!(out, "{}", paint.bold("patterns to apply (knowledge base):"))?;
    for p in patterns {
        let mut covers: Vec<String> = p.covers.iter().take(3).map(|c| printable(c)).collect();
        if p.covers.len() > 3 {
            covers.push(format!("and {} more", p.covers.len() - 3));
        }
        writeln!(
            out,
            "  {} {} {}: {} (covers {})",
            paint.wrap(
                if p.severity == crate::kb::KbSeverity::Critical {
                    "1;31"
                } else {
                    "1;33"
                },
                p.severity.as_str()
            ),
            p.kind.label(),
            printable(&p.id),
            printable(&p.name),
            covers.join(", ")
        )?;
        for item in &p.checklist {
            writeln!(out, "    [ ] {}", printable(item))?;
        }
    }
    writeln!(out)?;
    Ok(())
}

fn finding(d: &Diagnostic, paint: &Paint, out: &mut dyn Write) -> Result<()> {
    // A multi-line message (a feature diff) shows its first line as the
    // header and the rest after the location.
    let (first, rest) = d.message.split_once('\n').unwrap_or((&d.message, ""));
    writeln!(
        out,
        "{}{}: {}",
        paint.severity(d.severity),
        paint.bold(&format!("[{}]", d.rule.id)),
        printable(first)
    )?;
    if let Some(path) = &d.path {
        let path = printable(path);
        let loc = match (d.line, d.column) {
            (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
            (Some(l), None) => format!("{path}:{l}"),
            _ => path,
        };
        writeln!(out, "  {} {loc}", paint.dim("-->"))?;
    }
    if let (Some(line), Some(src)) = (d.line, &d.source_line) {
        let num = line.to_string();
        let pad = " ".repeat(num.len());
        let src: String = src
            .chars()
            .take(200)
            .map(|c| {
                if c.is_control() && c != '\t' {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect();
        writeln!(out, "  {pad} {}", paint.dim("|"))?;
        writeln!(out, "  {} {} {src}", paint.dim(&num), paint.dim("|"))?;
        if let Some(col) = d.column {
            let indent: String = src
                .chars()
                .take(col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(
                out,
                "  {pad} {} {indent}{}",
                paint.dim("|"),
                paint.wrap("1;31", "^")
            )?;
        }
    }
    for line in rest.lines() {
        writeln!(out, "  {}", printable(line))?;
    }
    if !d.docs.is_empty() {
        writeln!(
            out,
            "  {} docs: {}",
            paint.dim("="),
            printable(&d.docs.join(", "))
        )?;
    }
    if let Some(w) = &d.waived {
        writeln!(
            out,
            "  {} waived in commit {}: {}",
            paint.dim("="),
            printable(&w.commit),
            printable(&w.reason)
        )?;
    }
    writeln!(out, "  {} help: {}", paint.dim("="), d.help())?;
    Ok(())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary_line(report: &Report, paint: &Paint) -> String {
    let s = report.summary();
    let c = &report.checked;
    let verdict = if report.failed() {
        paint.wrap("1;31", "failed")
    } else {
        paint.wrap("1;32", "passed")
    };
    let mut counts = format!(
        "{}, {}, {}",
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.notes, "note", "notes")
    );
    if s.waived > 0 {
        counts.push_str(&format!(" ({} waived)", s.waived));
    }
    let what = match &report.range {
        Some(range) => format!(
            "checked {} ({} covered by docs, {} ignored) in {}, against {} ({} changed); {}",
            plural(c.changed_files, "changed file", "changed files"),
            c.covered_files,
            c.ignored_files,
            if c.commits > 0 {
                format!(
                    "{} · {}",
                    plural(c.commits, "commit", "commits"),
                    range.describe()
                )
            } else {
                range.describe()
            },
            plural(c.docs, "doc", "docs"),
            c.docs_changed,
            format_layers(&c.layers),
        ),
        None => format!(
            "checked {} with {} ({} unreadable); {}",
            plural(c.docs, "doc", "docs"),
            plural(c.key_files, "key_files entry", "key_files entries"),
            c.docs_unreadable,
            format_layers(&c.layers),
        ),
    };
    let mut line = format!("docgate {} {verdict}: {counts}; {what}", report.command);
    if c.renames_exact_only {
        match c.renames_cut {
            Some(cut) => line.push_str(&format!(
                "; renames: exact only ({} added × {} deleted files left after pairing identical \
                 ones exceed diff.renameLimit {}² to compare contents)",
                cut.added, cut.deleted, cut.limit
            )),
            None => line.push_str(
                "; renames: exact only (too many added × deleted files to compare contents)",
            ),
        }
    }
    if !c.feature_lists.is_empty() {
        let lists: Vec<String> = c
            .feature_lists
            .iter()
            .map(|f| {
                let mut s = format!("{} ({}", f.id, f.status);
                if f.shared_source {
                    s.push_str(", one source of truth");
                } else if f.status == "identical" {
                    s.push_str(", two definitions");
                }
                s.push(')');
                s
            })
            .collect();
        line.push_str(&format!("; feature lists: {}", lists.join(", ")));
    }
    line
}

fn format_layers(layers: &[String]) -> String {
    format!("layers: {}", layers.join(", "))
}
