//! `docgate costs`: the mishap cost log's totals (low and high estimates)
//! per pattern, per month and overall, largest first, as text, JSON or
//! Markdown (tables plus Mermaid charts that render on GitHub).
//!
//! Entries with a finding (`mishap-entry-invalid`, and
//! `mishap-unknown-pattern` unless `rules:` turns it off) are left out of
//! the totals, and the report says which and why, with exit 1: a partial
//! total never passes for the total. No log is exit 2.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde::Serialize;

use crate::checks::mishap::{Finding, KnownPatterns, findings, known_pattern_ids};
use crate::checks::require_layers;
use crate::cli::GlobalArgs;
use crate::config::load::load_config;
use crate::config::{self, Config};
use crate::git::Repo;
use crate::mishap::{self, Cost, CostLog, range_text};
use crate::output::output_spec;
use crate::report::Format;
use crate::report::markdown::{code, escape, inline};
use crate::{ExitStatus, snapshot::Snapshot};

/// A sum of estimates, in cents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Total {
    pub entries: usize,
    pub low_cents: u64,
    pub high_cents: u64,
    /// One of the estimates is written with `~`.
    pub approximate: bool,
    /// One of the estimates is open-ended (`+`): the total is at least this.
    pub open_ended: bool,
}

impl Total {
    fn add(&mut self, c: &Cost) -> Result<()> {
        let over = || anyhow::anyhow!("the cost log's totals are too large to add up");
        self.low_cents = self.low_cents.checked_add(c.low_cents).ok_or_else(over)?;
        self.high_cents = self.high_cents.checked_add(c.high_cents).ok_or_else(over)?;
        self.entries += 1;
        self.approximate |= c.approximate;
        self.open_ended |= c.open_ended;
        Ok(())
    }

    /// `~$79,102–79,207+`.
    pub fn text(&self) -> String {
        range_text(
            self.low_cents,
            self.high_cents,
            self.approximate,
            self.open_ended,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternTotal {
    /// The `Pattern` id; `null` for entries without one.
    pub pattern: Option<String>,
    /// The knowledge base's `name` of the pattern, when it has one.
    pub name: Option<String>,
    #[serde(flatten)]
    pub total: Total,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthTotal {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub total: Total,
}

/// An entry the totals leave out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// The line of its heading.
    pub line: usize,
    /// The heading's text.
    pub entry: String,
    pub problems: Vec<LeftOutProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOutProblem {
    pub line: Option<usize>,
    pub rule: &'static str,
    pub message: String,
}

/// The report (its JSON form is versioned and stable, see the README).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Costs {
    pub version: u32,
    pub log: String,
    /// Entries counted in the totals.
    pub entries: usize,
    pub left_out: Vec<LeftOut>,
    pub total: Total,
    pub by_pattern: Vec<PatternTotal>,
    pub by_month: Vec<MonthTotal>,
}

/// The label a pattern total sorts and shows by.
const NO_PATTERN: &str = "(no pattern)";

/// Add up the log's entries that have no finding (`found`: the log's
/// findings; one whose rule is `off` under the config does not leave its
/// entry out, unless the entry has no cost to count).
pub fn summarize(
    log: &CostLog,
    found: &[Finding],
    kb: Option<&KnownPatterns>,
    config: &Config,
) -> Result<Costs> {
    let mut left: BTreeMap<usize, Vec<&Finding>> = BTreeMap::new();
    for f in found {
        let Some(line) = f.entry_line else {
            bail!("{}", f.diagnostic.message);
        };
        let countable = log
            .entries
            .iter()
            .any(|e| e.line == line && e.cost.is_some());
        if config.severity(f.diagnostic.rule).is_some() || !countable {
            left.entry(line).or_default().push(f);
        }
    }
    // An entry whose cost did not parse always has a finding; this keeps
    // one that somehow had none from being counted as $0.
    for e in log.entries.iter().filter(|e| e.cost.is_none()) {
        left.entry(e.line).or_default();
    }
    let names: BTreeMap<&str, &str> = match kb {
        Some(KnownPatterns::Ids(ids)) => ids
            .iter()
            .filter_map(|(id, name)| Some((id.as_str(), name.as_deref()?)))
            .collect(),
        _ => BTreeMap::new(),
    };
    let mut total = Total::default();
    let mut by_pattern: BTreeMap<Option<&str>, Total> = BTreeMap::new();
    let mut by_month: BTreeMap<&str, Total> = BTreeMap::new();
    for e in &log.entries {
        let Some(cost) = e.cost.as_ref().filter(|_| !left.contains_key(&e.line)) else {
            continue;
        };
        total.add(cost)?;
        by_pattern
            .entry(e.pattern.as_deref())
            .or_default()
            .add(cost)?;
        by_month.entry(&e.month).or_default().add(cost)?;
    }
    let mut by_pattern: Vec<PatternTotal> = by_pattern
        .into_iter()
        .map(|(p, t)| PatternTotal {
            pattern: p.map(String::from),
            name: p.and_then(|p| names.get(p)).map(|n| n.to_string()),
            total: t,
        })
        .collect();
    by_pattern.sort_by(|a, b| {
        largest_first(&a.total, &b.total).then_with(|| {
            a.pattern
                .as_deref()
                .unwrap_or(NO_PATTERN)
                .cmp(b.pattern.as_deref().unwrap_or(NO_PATTERN))
        })
    });
    let mut by_month: Vec<MonthTotal> = by_month
        .into_iter()
        .map(|(m, t)| MonthTotal {
            month: m.to_string(),
            total: t,
        })
        .collect();
    by_month.sort_by(|a, b| largest_first(&a.total, &b.total).then_with(|| a.month.cmp(&b.month)));
    let left_out = left
        .into_iter()
        .map(|(line, fs)| LeftOut {
            line,
            entry: log
                .entries
                .iter()
                .find(|e| e.line == line)
                .map(|e| e.heading())
                .unwrap_or_else(|| heading_text(&log.text, line)),
            problems: fs
                .into_iter()
                .map(|f| LeftOutProblem {
                    line: f.diagnostic.line,
                    rule: f.diagnostic.rule.id,
                    message: f.diagnostic.message.clone(),
                })
                .collect(),
        })
        .collect();
    Ok(Costs {
        version: 1,
        log: log.path.clone(),
        entries: total.entries,
        left_out,
        total,
        by_pattern,
        by_month,
    })
}

fn largest_first(a: &Total, b: &Total) -> std::cmp::Ordering {
    (b.high_cents, b.low_cents).cmp(&(a.high_cents, a.low_cents))
}

/// A heading's text from its source line (`#### [x] - y` → `[x] - y`).
fn heading_text(text: &str, line: usize) -> String {
    let l = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
    l.trim().trim_start_matches('#').trim().to_string()
}

/// Repository text for a terminal: no control characters (escape sequences).
fn plain(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

fn count(n: usize) -> String {
    format!("{n} entr{}", if n == 1 { "y" } else { "ies" })
}

fn partial_note(c: &Costs) -> Option<String> {
    let n = c.left_out.len();
    (n > 0).then(|| {
        format!(
            "PARTIAL: {} of {} {} left out of these totals",
            n,
            count(n + c.entries),
            if n == 1 { "is" } else { "are" },
        )
    })
}

pub fn render_text(c: &Costs, out: &mut dyn Write) -> Result<()> {
    let mut s = format!(
        "Mishap costs in {}: {} over {}\n",
        plain(&c.log),
        c.total.text(),
        count(c.entries)
    );
    if let Some(note) = partial_note(c) {
        s.push_str(&format!("{note}, listed at the end with the reasons\n"));
    }
    let rows = |s: &mut String, title: &str, rows: Vec<(String, usize, String)>| {
        s.push_str(&format!("\n{title} (largest first):\n"));
        if rows.is_empty() {
            s.push_str("  (no entries)\n");
        }
        let w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let wc = rows.iter().map(|r| count(r.1).len()).max().unwrap_or(0);
        for (amount, n, label) in rows {
            s.push_str(&format!("  {amount:<w$}  {:<wc$}  {label}\n", count(n)));
        }
    };
    rows(
        &mut s,
        "By pattern",
        c.by_pattern
            .iter()
            .map(|p| {
                let label = match (&p.pattern, &p.name) {
                    (Some(id), Some(name)) => format!("{}  {}", plain(id), plain(name)),
                    (Some(id), None) => plain(id),
                    (None, _) => NO_PATTERN.to_string(),
                };
                (p.total.text(), p.total.entries, label)
            })
            .collect(),
    );
    rows(
        &mut s,
        "By month",
        c.by_month
            .iter()
            .map(|m| (m.total.text(), m.total.entries, m.month.clone()))
            .collect(),
    );
    s.push_str(&format!(
        "\nTotal: {} over {}\n",
        c.total.text(),
        count(c.entries)
    ));
    if !c.left_out.is_empty() {
        s.push_str(&format!(
            "\nLeft out ({}; fix them, `docgate lint` shows each finding):\n",
            count(c.left_out.len())
        ));
        for l in &c.left_out {
            s.push_str(&format!(
                "  {}:{}  {}\n",
                plain(&c.log),
                l.line,
                plain(&l.entry)
            ));
            for p in &l.problems {
                let at = p.line.map(|n| format!("line {n}: ")).unwrap_or_default();
                s.push_str(&format!("    {at}[{}] {}\n", p.rule, plain(&p.message)));
            }
        }
    }
    out.write_all(s.as_bytes())?;
    Ok(())
}

pub fn render_json(c: &Costs, out: &mut dyn Write) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(c)?;
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    Ok(())
}

/// A Mermaid label: only letters, digits and ` -_./()`, so no repository
/// text can end the quoted string, the chart or the code block.
fn mermaid_label(s: &str) -> String {
    let kept: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_./()".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = kept.split_whitespace().collect();
    let mut label: String = words.join(" ").chars().take(60).collect();
    if label.is_empty() {
        label = "(unnamed)".into();
    }
    label
}

/// Dollars as a Mermaid number: `78947`, `12.5`.
fn mermaid_number(cents: u64) -> String {
    if cents.is_multiple_of(100) {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// At most this many slices in the pie; the rest is one "other" slice.
const PIE_SLICES: usize = 10;

fn pie(c: &Costs) -> String {
    let slices: Vec<(String, u64)> = c
        .by_pattern
        .iter()
        .filter(|p| p.total.high_cents > 0)
        .map(|p| {
            (
                mermaid_label(p.pattern.as_deref().unwrap_or(NO_PATTERN)),
                p.total.high_cents,
            )
        })
        .collect();
    if slices.is_empty() {
        return "No cost above $0 to chart.\n".into();
    }
    let mut shown: Vec<(String, u64)> = Vec::new();
    let (head, rest) = if slices.len() > PIE_SLICES {
        slices.split_at(PIE_SLICES - 1)
    } else {
        (&slices[..], &[][..])
    };
    let mut seen = BTreeSet::new();
    for (label, v) in head {
        let mut l = label.clone();
        let mut k = 2;
        while !seen.insert(l.clone()) {
            l = format!("{label} ({k})");
            k += 1;
        }
        shown.push((l, *v));
    }
    if !rest.is_empty() {
        shown.push((
            format!("other ({} patterns)", rest.len()),
            rest.iter().map(|(_, v)| v).sum(),
        ));
    }
    let mut s =
        String::from("```mermaid\npie showData\n    title Cost per pattern (high estimate, USD)\n");
    for (label, v) in shown {
        s.push_str(&format!("    \"{label}\" : {}\n", mermaid_number(v)));
    }
    s.push_str("```\n");
    s
}

fn xychart(c: &Costs) -> String {
    if c.by_month.is_empty() {
        return String::new();
    }
    // A time axis: months in order (the table is largest first).
    let mut months: Vec<&MonthTotal> = c.by_month.iter().collect();
    months.sort_by(|a, b| a.month.cmp(&b.month));
    let list = |f: &dyn Fn(&MonthTotal) -> String| -> String {
        months.iter().map(|m| f(m)).collect::<Vec<_>>().join(", ")
    };
    format!(
        "```mermaid\nxychart-beta\n    title \"Cost per month (USD): bars high estimate, line low estimate\"\n    \
         x-axis [{}]\n    y-axis \"USD\"\n    bar [{}]\n    line [{}]\n```\n",
        list(&|m| format!("\"{}\"", mermaid_label(&m.month))),
        list(&|m| mermaid_number(m.total.high_cents)),
        list(&|m| mermaid_number(m.total.low_cents)),
    )
}

pub fn render_markdown(c: &Costs, out: &mut dyn Write) -> Result<()> {
    let mut s = format!(
        "## Mishap costs\n\n**{}** over {} in {}.\n",
        escape(&c.total.text()),
        count(c.entries),
        code(&c.log)
    );
    if let Some(note) = partial_note(c) {
        s.push_str(&format!(
            "\n> [!WARNING]\n> {}: see [Left out](#left-out) for the reasons.\n",
            escape(&note)
        ));
    }
    s.push_str("\n### By pattern\n\n| pattern | entries | estimate |\n|---|--:|--:|\n");
    for p in &c.by_pattern {
        let label = match (&p.pattern, &p.name) {
            (Some(id), Some(name)) => format!("{} {}", code(id), escape(name)),
            (Some(id), None) => code(id),
            (None, _) => escape(NO_PATTERN),
        };
        s.push_str(&format!(
            "| {label} | {} | {} |\n",
            p.total.entries,
            escape(&p.total.text())
        ));
    }
    s.push_str(&format!(
        "| **total** | {} | {} |\n\n",
        c.entries,
        escape(&c.total.text())
    ));
    s.push_str(&pie(c));
    s.push_str("\n### By month\n\n| month | entries | estimate |\n|---|--:|--:|\n");
    for m in &c.by_month {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            escape(&m.month),
            m.total.entries,
            escape(&m.total.text())
        ));
    }
    s.push('\n');
    s.push_str(&xychart(c));
    if !c.left_out.is_empty() {
        s.push_str("\n### Left out\n\n| line | entry | problem |\n|--:|---|---|\n");
        for l in &c.left_out {
            let problems: Vec<String> = l
                .problems
                .iter()
                .map(|p| format!("{}: {}", code(p.rule), inline(&p.message)))
                .collect();
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                l.line,
                escape(&l.entry),
                if problems.is_empty() {
                    "no cost that reads".to_string()
                } else {
                    problems.join("<br>")
                }
            ));
        }
    }
    out.write_all(s.as_bytes())?;
    Ok(())
}

/// The formats `costs` writes; any other is a usage error.
fn writable(format: Format) -> Result<Format> {
    match format {
        Format::Text | Format::Json | Format::Markdown => Ok(format),
        other => bail!(
            "`docgate costs` writes text, json or markdown, not {}",
            other_name(other)
        ),
    }
}

fn other_name(format: Format) -> String {
    use clap::ValueEnum as _;
    format
        .to_possible_value()
        .map_or_else(|| format!("{format:?}"), |v| v.get_name().to_string())
}

fn render(c: &Costs, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Json => render_json(c, out),
        Format::Markdown => render_markdown(c, out),
        _ => render_text(c, out),
    }
}

/// The totals of the log at `snapshot` (the working tree for the command).
pub fn costs(snapshot: &Snapshot<'_>, config: &Config) -> Result<Costs> {
    require_layers(config, snapshot)?;
    let Some(log) = mishap::load(snapshot, config)? else {
        bail!(
            "no cost log: {} does not exist in the {}. Start one in the format the README \
             describes (`#### [YYYY-MM-DD] - Title` and its fields; `docgate init` scaffolds \
             one), or point `mishap_log` in {} at yours",
            config.mishap_log.path,
            snapshot.describe(),
            config::FILE_NAME
        );
    };
    if let Some(why) = &log.unreadable {
        bail!("cannot total the cost log: {why}");
    }
    let kb_path = config.knowledge_base.path.as_str();
    let kb = known_pattern_ids(snapshot, config)?;
    let found = findings(&log, kb.as_ref(), kb_path);
    summarize(&log, &found, kb.as_ref(), config)
}

/// `docgate costs`: exit 0 when every entry is counted, 1 when some are
/// left out, 2 when there is no log or it cannot be read.
pub fn run(global: &GlobalArgs, cwd: &Path, stdout: &mut dyn Write) -> Result<ExitStatus> {
    let format = writable(global.format)?;
    let mut files = Vec::new();
    let mut to_stdout = true;
    for spec in &global.output {
        match output_spec(spec)? {
            (Some(f), path) => files.push((writable(f)?, path)),
            (None, path) => {
                to_stdout = false;
                files.push((format, path));
            }
        }
    }
    let repo = Repo::discover(cwd)?;
    let snapshot = repo.workdir_snapshot()?;
    let config = load_config(&repo, &global.config, cwd, &snapshot)?;
    let c = costs(&snapshot, &config)?;
    for (f, path) in files {
        let mut buf = Vec::new();
        render(&c, f, &mut buf)?;
        std::fs::write(cwd.join(path), buf)
            .with_context(|| format!("cannot write the cost report to {path}"))?;
    }
    if to_stdout {
        render(&c, format, stdout)?;
        stdout.flush()?;
    }
    Ok(if c.left_out.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_labels_cannot_break_the_chart() {
        for hostile in [
            "a\"b",
            "x\n```\n<script>",
            "%%{init: {}}%%",
            "[x](y) ]: \\ `",
            "\u{1b}[31m",
        ] {
            let l = mermaid_label(hostile);
            assert!(
                !l.contains([
                    '"', '\n', '`', '%', '[', ']', '{', '}', '<', '\\', ':', '\u{1b}'
                ]),
                "{hostile:?} -> {l:?}"
            );
        }
        assert_eq!(mermaid_label("silent-fallback"), "silent-fallback");
        assert_eq!(mermaid_label("\"\""), "(unnamed)");
        assert_eq!(mermaid_number(1250), "12.50");
        assert_eq!(mermaid_number(7_894_700), "78947");
        assert_eq!(mishap::dollars(7_894_700), "78,947");
    }
}
