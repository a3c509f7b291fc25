//! The PR comment and job summary body: status line, findings table, docs to
//! read (linked at the head commit), waivers, and the exact command to
//! reproduce locally. Every string that comes from the repository is escaped:
//! no raw HTML, no forged marker, no `@mention` pings, no injected links or
//! images. The body stays under a byte budget, truncating with a note.

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};

/// The marker that identifies docgate's sticky comment.
pub const MARKER: &str = "<!-- docgate:report -->";
/// GitHub refuses comment bodies over 65,536 characters; bytes ≥ characters,
/// so a byte budget below it is always safe.
pub const MAX_COMMENT_BYTES: usize = 65_000;
/// The job summary limit is 1 MiB.
pub const MAX_SUMMARY_BYTES: usize = 1_000_000;

/// Escape text for a Markdown table cell or list item.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '!' => out.push_str("\\!"),
            '*' => out.push_str("\\*"),
            '_' => out.push_str("\\_"),
            '~' => out.push_str("\\~"),
            '#' => out.push_str("\\#"),
            // A zero-width space after `@` keeps the text and drops the ping.
            '@' => out.push_str("@\u{200B}"),
            '`' => out.push_str("\\`"),
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A docgate message: its `quoted` parts become code spans (shown exactly,
/// never rendered), the rest is escaped text.
pub fn inline(msg: &str) -> String {
    if msg.matches('`').count() % 2 == 1 {
        return escape(msg);
    }
    msg.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { escape(part) })
        .collect()
}

/// Text inside an HTML element: entities for markup, and no mention pings.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '@' => out.push_str("@\u{200B}"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for a code span: backticks cannot be escaped inside one, so the
/// fence grows to be longer than any run inside.
pub fn code(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\u{2223}")
        .replace("<!--", "<\u{200B}!--");
    let longest = longest_backtick_run(&clean);
    let fence = "`".repeat(longest + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

fn longest_backtick_run(s: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// A fenced code block whose fence no content can close early.
fn code_block(s: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(s).max(2) + 1);
    // A code block shows `<!--` literally, but the raw body would still hold
    // something that looks like docgate's marker: break it.
    let body = s.replace("<!--", "<\u{200B}!--");
    format!("{fence}text\n{body}\n{fence}\n")
}

pub fn url_encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟡 warning",
        Severity::Note => "🔵 note",
    }
}

fn location(report: &Report, d: &Diagnostic) -> String {
    let Some(path) = &d.path else {
        return String::new();
    };
    let shown = match d.line {
        Some(l) => format!("{path}:{l}"),
        None => path.clone(),
    };
    match &report.links {
        Some(links) => format!("[{}]({})", code(&shown), links.blob(path, d.line)),
        None => code(&shown),
    }
}

/// The status line: what a reader sees first.
fn status(report: &Report) -> String {
    let s = report.summary();
    if report.diagnostics.is_empty() {
        // What was checked, not more: the layers the checks report as active
        // (several of SPEC §7's are not read by every version).
        let what = if report.checked.layers.is_empty() {
            "No finding, and no documentation layer was active to check against.".to_string()
        } else {
            format!(
                "No finding in the layers docgate checked: {}.",
                escape(&report.checked.layers.join("; "))
            )
        };
        return format!(
            "### ✅ docgate: no findings\n\n{what} Findings from earlier runs, if any, are resolved.\n"
        );
    }
    let verdict = if report.failed() {
        "❌ docgate: failed"
    } else {
        "✅ docgate: passed"
    };
    let mut counts = vec![
        format!("{} error{}", s.errors, if s.errors == 1 { "" } else { "s" }),
        format!(
            "{} warning{}",
            s.warnings,
            if s.warnings == 1 { "" } else { "s" }
        ),
        format!("{} note{}", s.notes, if s.notes == 1 { "" } else { "s" }),
    ];
    if s.waived > 0 {
        counts.push(format!("{} waived", s.waived));
    }
    format!("### {verdict} — {}\n", counts.join(", "))
}

fn checked_line(report: &Report) -> String {
    let c = &report.checked;
    let mut parts = Vec::new();
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    if report.range.is_some() {
        parts.push(format!(
            "{} ({} covered by docs, {} ignored) in {}",
            n(c.changed_files, "changed file", "changed files"),
            c.covered_files,
            c.ignored_files,
            n(c.commits, "commit", "commits")
        ));
    }
    parts.push(n(c.docs, "doc", "docs"));
    if !c.feature_lists.is_empty() {
        let lists: Vec<String> = c
            .feature_lists
            .iter()
            .map(|f| {
                let shared = if f.shared_source {
                    ", one source of truth"
                } else {
                    ""
                };
                format!("{} ({}{shared})", escape(&f.id), f.status)
            })
            .collect();
        parts.push(format!("feature lists: {}", lists.join(", ")));
    }
    if !c.layers.is_empty() {
        parts.push(format!("layers: {}", escape(&c.layers.join(", "))));
    }
    format!("<sub>Checked {}.</sub>\n", parts.join("; "))
}

/// The command that reproduces the report locally: always one `docgate`
/// accepts (`--base/--head`, `--staged`, `--worktree`, `lint`).
fn reproduce(report: &Report) -> String {
    use crate::git::change::Mode;
    let (intro, command) = match &report.range {
        Some(r) if r.mode == Mode::Range => match (r.base, r.head) {
            (Some(b), Some(h)) => (
                String::new(),
                format!("docgate check --base {b} --head {h}"),
            ),
            (Some(b), None) => (String::new(), format!("docgate check --base {b}")),
            // The whole history against the empty tree (a first push): no
            // `--base` selects that range (the empty tree is not a commit), so
            // the nearest command is the whole documentation system.
            (None, Some(h)) => (
                format!(
                    "This report covers the whole history of {}, against the empty tree; `docgate check` \
                     has no flag for that range. With {} checked out, `docgate lint` checks the whole \
                     documentation system:\n\n",
                    code(&h.to_string()),
                    code(&h.to_string())
                ),
                "docgate lint".to_string(),
            ),
            (None, None) => (
                "This report names no head commit; `docgate lint` checks the whole documentation \
                 system at the commit you have checked out:\n\n"
                    .to_string(),
                "docgate lint".to_string(),
            ),
        },
        Some(r) => (
            String::new(),
            format!("docgate check --{}", r.mode.as_str()),
        ),
        None => (String::new(), "docgate lint".to_string()),
    };
    format!("#### Reproduce locally\n\n{intro}```sh\n{command}\n```\n")
}

fn waived_count(ordered: &[&Diagnostic]) -> usize {
    ordered.iter().filter(|d| d.waived.is_some()).count()
}

/// Render within `max_bytes`. Findings that do not fit are counted in a note.
pub fn render(report: &Report, max_bytes: usize) -> String {
    let mut body = format!("{MARKER}\n{}\n{}", status(report), checked_line(report));
    let tail = reproduce(report);
    let mut ordered: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    ordered.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let table_head = if ordered.is_empty() {
        ""
    } else {
        "\n| | Rule | Where | Finding |\n|---|---|---|---|\n"
    };
    let rows: Vec<Row> = ordered.iter().map(|d| row(report, d)).collect();
    let sections = [
        (
            docs_section(report),
            format!(
                "the “Docs to read for this change” section ({})",
                plural(report.docs_to_read.len(), "doc", "docs")
            ),
        ),
        (
            patterns_section(report),
            format!(
                "the “Patterns to apply” section ({})",
                plural(
                    report.patterns_to_apply.as_ref().map_or(0, Vec::len),
                    "pattern",
                    "patterns"
                )
            ),
        ),
        (
            waivers_section(&ordered),
            format!("the waivers ({})", waived_count(&ordered)),
        ),
    ];
    // Header, tail and a truncation note are always kept.
    let note_reserve = 600;
    let budget =
        max_bytes.saturating_sub(body.len() + tail.len() + note_reserve + table_head.len());
    let fitted = fit(budget, &rows, &sections);
    body.push_str(table_head);
    body.push_str(&fitted.table);
    if !fitted.left_out.is_empty() {
        body.push_str(&left_out_note(max_bytes, &fitted.left_out));
    }
    if !fitted.details.is_empty() {
        body.push('\n');
        body.push_str(&fitted.details);
    }
    body.push('\n');
    body.push_str(&tail);
    body
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A finding's table row, and its details (empty for a one-line message).
struct Row {
    row: String,
    detail: String,
}

fn row(report: &Report, d: &Diagnostic) -> Row {
    let (first, rest) = d.message.split_once('\n').unwrap_or((&d.message, ""));
    let mut cell = inline(first);
    if !d.docs.is_empty() {
        cell.push_str(&format!(" (docs: {})", escape(&d.docs.join(", "))));
    }
    if d.waived.is_some() {
        cell.push_str(" — waived");
    }
    let row = format!(
        "| {} | {} | {} | {} |\n",
        icon(d.severity),
        code(d.rule.id),
        location(report, d),
        cell
    );
    let detail = if rest.is_empty() {
        String::new()
    } else {
        format!(
            // An HTML block: Markdown (and so `code()`) does not apply
            // inside it, so its text is HTML-escaped.
            "<details><summary><code>{}</code> <code>{}</code></summary>\n\n{}\n</details>\n\n",
            html(d.rule.id),
            d.path.as_deref().map(html).unwrap_or_default(),
            code_block(rest)
        )
    };
    Row { row, detail }
}

/// "Docs to read for this change", linked at the head commit; empty when
/// there are none.
fn docs_section(report: &Report) -> String {
    let mut docs = String::new();
    if report.docs_to_read.is_empty() {
        return docs;
    }
    docs.push_str("\n#### Docs to read for this change\n\n");
    for doc in &report.docs_to_read {
        let label = match (&doc.id, &doc.title) {
            (Some(id), Some(t)) => format!("{} {}", code(id), escape(t)),
            (Some(id), None) => code(id),
            _ => code(&doc.path),
        };
        let link = match &report.links {
            Some(l) => format!("[{label}]({})", l.blob(&doc.path, None)),
            None => label,
        };
        let mut covers: Vec<String> = doc.covers.iter().take(5).map(|c| code(c)).collect();
        if doc.covers.len() > 5 {
            covers.push(format!("and {} more", doc.covers.len() - 5));
        }
        docs.push_str(&format!(
            "- {link} ({}) covers {}\n",
            code(&doc.path),
            covers.join(", ")
        ));
    }
    docs
}

/// "Patterns to apply": the knowledge-base entries covering the changed
/// files, CRITICAL first, each with its checklist as task-list items;
/// empty when there are none.
fn patterns_section(report: &Report) -> String {
    let mut out = String::new();
    let Some(patterns) = report.patterns_to_apply.as_ref().filter(|p| !p.is_empty()) else {
        return out;
    };
    out.push_str("\n#### Patterns to apply\n\n");
    out.push_str(
        "From the knowledge base: what past incidents teach about the files this change touches.\n",
    );
    for p in patterns {
        let mut covers: Vec<String> = p.covers.iter().take(5).map(|c| code(c)).collect();
        if p.covers.len() > 5 {
            covers.push(format!("and {} more", p.covers.len() - 5));
        }
        out.push_str(&format!(
            "\n**{}** {} {}: {} (covers {})\n",
            p.severity.as_str(),
            p.kind.label(),
            code(&p.id),
            inline(&p.name),
            covers.join(", ")
        ));
        if !p.checklist.is_empty() {
            out.push('\n');
        }
        for item in &p.checklist {
            out.push_str(&format!("- [ ] {}\n", inline(item)));
        }
    }
    out
}

/// The waived findings, with their reasons; empty when there are none.
fn waivers_section(ordered: &[&Diagnostic]) -> String {
    let mut waivers = String::new();
    let waived: Vec<(&Diagnostic, &crate::diagnostic::Waived)> = ordered
        .iter()
        .filter_map(|d| d.waived.as_ref().map(|w| (*d, w)))
        .collect();
    if waived.is_empty() {
        return waivers;
    }
    waivers.push_str("\n#### Waivers\n\n");
    for (d, w) in waived {
        waivers.push_str(&format!(
            "- {} on {}: {} (commit {})\n",
            code(d.rule.id),
            d.path
                .as_deref()
                .map(code)
                .unwrap_or_else(|| "the change".into()),
            inline(&w.reason),
            code(&w.commit)
        ));
    }
    waivers
}

/// What fits in the budget, and what was left out.
struct Fitted {
    /// The rows shown, then the sections that fit.
    table: String,
    /// The details of the rows shown, those that fit.
    details: String,
    left_out: Vec<String>,
}

/// Fill `budget` in order: as many rows as fit, then each section (with
/// the name the note gives it) while it fits, then the details of the rows
/// shown while they fit. Whatever is left out is named.
fn fit(mut budget: usize, rows: &[Row], sections: &[(String, String)]) -> Fitted {
    let mut fitted = Fitted {
        table: String::new(),
        details: String::new(),
        left_out: Vec::new(),
    };
    let mut shown = 0;
    for Row { row, .. } in rows {
        if row.len() > budget {
            break;
        }
        budget -= row.len();
        fitted.table.push_str(row);
        shown += 1;
    }
    if rows.len() > shown {
        fitted
            .left_out
            .push(plural(rows.len() - shown, "more finding", "more findings"));
    }
    for (section, name) in sections {
        if section.len() <= budget {
            budget -= section.len();
            fitted.table.push_str(section);
        } else if !section.is_empty() {
            fitted.left_out.push(name.clone());
        }
    }
    let mut details_left_out = 0;
    for Row { detail, .. } in rows.iter().take(shown) {
        if detail.is_empty() {
            continue;
        }
        if detail.len() <= budget {
            budget -= detail.len();
            fitted.details.push_str(detail);
        } else {
            details_left_out += 1;
        }
    }
    if details_left_out > 0 {
        fitted.left_out.push(format!(
            "the details of {}",
            plural(
                details_left_out,
                "multi-line finding",
                "multi-line findings"
            )
        ));
    }
    fitted
}

/// The note naming what was left out, and the limit that left it out.
fn left_out_note(max_bytes: usize, left_out: &[String]) -> String {
    let (limit, everything) = if max_bytes >= MAX_SUMMARY_BYTES {
        (
            "the job summary is limited to 1 MiB",
            "The JSON report (the `report` output) has everything.",
        )
    } else {
        (
            "this comment is limited to 65,536 characters",
            "The job summary and the JSON report have everything.",
        )
    };
    format!(
        "\n> Left out, because {limit}: {}. {everything}\n",
        left_out.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralizes_html_marker_mentions_and_links() {
        let e = escape("<!-- docgate:report --> @octocat ![x](http://t) | a");
        assert!(!e.contains('<') && !e.contains("@o"), "{e}");
        assert!(e.contains("\\!\\[x\\](http://t) \\| a"), "{e}");
    }

    #[test]
    fn messages_keep_code_spans_and_escape_the_rest() {
        assert_eq!(
            inline("`my_app.py` changed <b>"),
            "`my_app.py` changed &lt;b&gt;"
        );
        assert_eq!(inline("odd ` count_x"), "odd \\` count\\_x");
        assert!(!inline("`<!-- docgate:report -->`").contains("<!--"));
    }

    /// The `sh` block of "Reproduce locally", one command per line.
    fn reproduce_lines(body: &str) -> Vec<String> {
        let section = body
            .split_once("#### Reproduce locally\n")
            .expect("the section")
            .1;
        let block = section.split_once("```sh\n").expect("an sh block").1;
        block
            .split_once("\n```")
            .expect("closed")
            .0
            .lines()
            .map(String::from)
            .collect()
    }

    #[test]
    fn reproduce_commands_are_commands_the_cli_accepts() {
        use crate::git::change::{Mode, Range};
        use clap::Parser as _;
        let b = crate::git::parse_object_id("1111111111111111111111111111111111111111")
            .expect("a commit id");
        let h = crate::git::parse_object_id("2222222222222222222222222222222222222222")
            .expect("a commit id");
        let range = |mode, base, head| Range {
            mode,
            base_rev: None,
            base_origin: "test",
            head_rev: None,
            base,
            head,
        };
        let cases = [
            (
                Some(range(Mode::Range, Some(b), Some(h))),
                format!("docgate check --base {b} --head {h}"),
            ),
            (
                Some(range(Mode::Range, Some(b), None)),
                format!("docgate check --base {b}"),
            ),
            // The whole history against the empty tree (a first push): no
            // `--base` means that, so the whole documentation system instead.
            (
                Some(range(Mode::Range, None, Some(h))),
                "docgate lint".into(),
            ),
            (Some(range(Mode::Range, None, None)), "docgate lint".into()),
            (
                Some(range(Mode::Staged, None, Some(h))),
                "docgate check --staged".into(),
            ),
            (
                Some(range(Mode::Worktree, Some(b), Some(h))),
                "docgate check --worktree".into(),
            ),
            (None, "docgate lint".into()),
        ];
        for (range, want) in cases {
            let whole = range
                .as_ref()
                .is_some_and(|r| r.mode == Mode::Range && r.base.is_none());
            let report = Report::new(
                "check",
                range,
                crate::checks::Checked::default(),
                Vec::new(),
                Severity::Error,
            );
            let body = render(&report, MAX_COMMENT_BYTES);
            let lines = reproduce_lines(&body);
            assert_eq!(lines, std::slice::from_ref(&want), "{body}");
            crate::cli::Cli::try_parse_from(want.split_whitespace())
                .unwrap_or_else(|e| panic!("`{want}` does not parse: {e}"));
            if whole {
                assert!(
                    body.contains(&format!(
                        "This report covers the whole history of {}, against the empty tree",
                        code(&h.to_string())
                    )) || body.contains("This report names no head commit"),
                    "{body}"
                );
            }
        }
    }

    #[test]
    fn the_summary_note_names_its_own_limit() {
        let rule = crate::diagnostic::rule_by_id("doc-not-updated").expect("a rule");
        let diagnostics: Vec<Diagnostic> = (0..4_000)
            .map(|i| {
                let mut d = Diagnostic::new(rule, format!("`src/m{i}.py` {}", "x".repeat(300)));
                d.path = Some(format!("src/m{i}.py"));
                d
            })
            .collect();
        let report = Report::new(
            "check",
            None,
            crate::checks::Checked::default(),
            diagnostics,
            Severity::Error,
        );
        let body = render(&report, MAX_SUMMARY_BYTES);
        assert!(body.len() <= MAX_SUMMARY_BYTES, "{} bytes", body.len());
        let shown = body
            .lines()
            .filter(|l| l.starts_with("| 🔴 error |"))
            .count();
        assert!(shown > 0 && shown < 4_000, "{shown}");
        assert!(
            body.contains(&format!(
                "\n> Left out, because the job summary is limited to 1 MiB: {} more findings. \
                 The JSON report (the `report` output) has everything.\n",
                4_000 - shown
            )),
            "{}",
            &body[body.len() - 500..]
        );
    }

    /// The patterns section counts against the budget: one too large for
    /// the comment is left out and named in the note, never cut silently.
    #[test]
    fn patterns_that_do_not_fit_are_named_in_the_note() {
        use crate::checks::kb::PatternToApply;
        use crate::kb::{KbSeverity, Kind};
        let mut report = Report::new(
            "check",
            None,
            crate::checks::Checked::default(),
            Vec::new(),
            Severity::Error,
        );
        let pattern = |id: &str, items: usize| PatternToApply {
            id: id.into(),
            kind: Kind::AntiPattern,
            name: "Silent fallback".into(),
            severity: KbSeverity::Critical,
            checklist: (0..items)
                .map(|i| format!("item {i} {}", "x".repeat(100)))
                .collect(),
            covers: vec!["src/app.py".into()],
        };
        report.patterns_to_apply = Some(vec![pattern("small", 2)]);
        let body = render(&report, MAX_COMMENT_BYTES);
        assert!(body.contains("- [ ] item 1 "), "{body}");
        report.patterns_to_apply = Some(vec![pattern("huge", 1_000)]);
        let body = render(&report, MAX_COMMENT_BYTES);
        assert!(body.len() <= MAX_COMMENT_BYTES, "{} bytes", body.len());
        assert!(!body.contains("- [ ] item"), "{body}");
        assert!(
            body.contains(
                "\n> Left out, because this comment is limited to 65,536 characters: the \
                 “Patterns to apply” section (1 pattern). The job summary and the JSON report \
                 have everything.\n"
            ),
            "{body}"
        );
        // The job summary has room for it.
        assert!(render(&report, MAX_SUMMARY_BYTES).contains("- [ ] item 999 "));
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
    }
}
