//! The mishap cost log (SPEC §7): one priced entry per incident, read
//! through the one Markdown reader. An entry is a level-4 heading
//! `#### [time] - Title` followed by bullet fields (`- **Key**: value`);
//! everything else in the log (an introduction, a cost reference table, an
//! entry template in a code block or an HTML comment) is not an entry.
//!
//! [`parse`] reads the text and says what is wrong with it, entry by entry;
//! [`load`] reads the configured log from a snapshot and also checks that
//! each `Post-mortem` exists there. The totals are `docgate costs`
//! (`src/costs.rs`); the findings are `checks::mishap`.

use std::fmt;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::config::Config;
use crate::markdown::{self, Block, BlockKind, Link};
use crate::snapshot::{Read, Snapshot};

/// The fields every entry has (SPEC §7), as the README spells them.
pub const REQUIRED: [&str; 5] = [
    "What happened",
    "Root cause",
    "Duration",
    "Estimated cost",
    "Prevention",
];
/// The optional fields docgate reads.
pub const OPTIONAL: [&str; 2] = ["Pattern", "Post-mortem"];
/// Other spellings of a known field that mean it.
const ALIASES: [(&str, &str); 3] = [
    ("root causes", "Root cause"),
    ("postmortem", "Post-mortem"),
    ("post mortem", "Post-mortem"),
];

/// The largest amount docgate reads: a trillion dollars, in cents. A larger
/// number is an error, never a wrap; totals are checked sums.
pub const MAX_CENTS: u64 = 100_000_000_000_000;

/// An estimate, in cents: `$78,947` is 7,894,700 to 7,894,700.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub low_cents: u64,
    pub high_cents: u64,
    /// Written with `~`.
    pub approximate: bool,
    /// Written with a trailing `+` (`$150-250+`): at least this much.
    pub open_ended: bool,
}

impl fmt::Display for Cost {
    /// `~$5–10`, `$78,947`, `$150–250+`: what `parse_cost` reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}",
            range_text(
                self.low_cents,
                self.high_cents,
                self.approximate,
                self.open_ended
            )
        )
    }
}

/// `~$5–10+` from its parts (an en dash between low and high).
pub fn range_text(low: u64, high: u64, approximate: bool, open_ended: bool) -> String {
    let mut s = String::new();
    if approximate {
        s.push('~');
    }
    s.push('$');
    s.push_str(&dollars(low));
    if high != low {
        s.push('–');
        s.push_str(&dollars(high));
    }
    if open_ended {
        s.push('+');
    }
    s
}

/// Cents as dollars with thousands separators: `78,947`, `12.50`.
pub fn dollars(cents: u64) -> String {
    let whole = (cents / 100).to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if !cents.is_multiple_of(100) {
        out.push_str(&format!(".{:02}", cents % 100));
    }
    out
}

/// One bullet field of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The key as written (`What happened`, `root cause`).
    pub key: String,
    /// The known field it is (`REQUIRED`/`OPTIONAL` spelling), if any.
    pub known: Option<&'static str>,
    /// The value's text without Markdown syntax; nested list items are
    /// appended to it, separated by `; `.
    pub value: String,
    pub line: usize,
    pub col: usize,
}

/// An entry whose heading could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The heading's line and column.
    pub line: usize,
    pub col: usize,
    /// What is inside the brackets, as written (`2026-02-06 09:31`).
    pub time: String,
    /// `YYYY-MM-DD`, a valid calendar date.
    pub date: String,
    /// `YYYY-MM`.
    pub month: String,
    pub title: String,
    pub fields: Vec<Field>,
    /// `None` when `Estimated cost` is missing or does not parse.
    pub cost: Option<Cost>,
    /// The `Pattern` field: one knowledge-base id (backquotes dropped).
    pub pattern: Option<String>,
    /// The `Post-mortem` field resolved to a repository path (a Markdown
    /// link relative to the log's folder, a plain path relative to the
    /// repository root).
    pub post_mortem: Option<String>,
}

impl Entry {
    /// The field a known name (`REQUIRED`/`OPTIONAL` spelling) stands for.
    pub fn field(&self, known: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.known == Some(known))
    }

    /// `[2026-02-06 09:31] - Title`, as the heading says it.
    pub fn heading(&self) -> String {
        format!("[{}] - {}", self.time, self.title)
    }
}

/// What is wrong with the log: `mishap-entry-invalid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub col: usize,
    pub message: String,
    /// The line of the heading of the entry it belongs to: that entry
    /// cannot be counted as it is.
    pub entry_line: usize,
    /// A file of the repository the problem is about besides the log
    /// (a `Post-mortem` that does not exist): a change that deletes or
    /// renames it is involved.
    pub about: Option<String>,
}

/// The cost log of a snapshot.
#[derive(Debug, Clone)]
pub struct CostLog {
    pub path: String,
    /// The text (for snippets); empty when unreadable.
    pub text: String,
    /// How many entry headings the log has (readable or not).
    pub headings: usize,
    pub entries: Vec<Entry>,
    pub problems: Vec<Problem>,
    /// The file cannot be read as text (an LFS pointer, too large, a
    /// symbolic link, not UTF-8): why. Nothing in it was parsed.
    pub unreadable: Option<String>,
}

impl CostLog {
    /// Does the entry with this heading line have a problem?
    pub fn has_problem(&self, entry_line: usize) -> bool {
        self.problems.iter().any(|p| p.entry_line == entry_line)
    }
}

/// The configured cost log at `snapshot`: `None` when the layer is not
/// active (the default path is absent). A log named in the config that is
/// absent is an error (`checks::require_layers` says so first).
pub fn load(snapshot: &Snapshot<'_>, config: &Config) -> Result<Option<CostLog>> {
    let path = config.mishap_log.path.as_str();
    let unreadable = |why: String| CostLog {
        path: path.to_string(),
        text: String::new(),
        headings: 0,
        entries: Vec::new(),
        problems: Vec::new(),
        unreadable: Some(why),
    };
    let text = match snapshot.read(path)? {
        Read::Missing if config.mishap_log.explicit => bail!(
            "the cost log {path} (`mishap_log` in {}) does not exist in the {}",
            config.source.as_deref().unwrap_or(crate::config::FILE_NAME),
            snapshot.describe()
        ),
        Read::Missing => return Ok(None),
        Read::TooLarge(n) => {
            return Ok(Some(unreadable(format!(
                "{path} is {n} bytes, over the {} MiB docgate reads",
                crate::snapshot::MAX_FILE_BYTES / 1024 / 1024
            ))));
        }
        Read::LfsPointer(p) => return Ok(Some(unreadable(p.describe(path)))),
        Read::Symlink(target) => {
            return Ok(Some(unreadable(format!(
                "{path} is a symbolic link (to `{}`); docgate does not follow links in the \
                 repository: commit the log itself",
                String::from_utf8_lossy(&target)
            ))));
        }
        Read::Bytes(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let (line, col) = crate::yaml::position_of(e.as_bytes(), at);
                return Ok(Some(unreadable(format!(
                    "{path} is not valid UTF-8 (line {line}, column {col})"
                ))));
            }
        },
    };
    let (entries, mut problems, headings) = parse_counted(&text, path);
    for e in &entries {
        if let (Some(pm), Some(field)) = (&e.post_mortem, e.field("Post-mortem"))
            && !snapshot.is_file(pm)?
        {
            problems.push(Problem {
                line: field.line,
                col: field.col,
                message: format!(
                    "the post-mortem `{pm}` of `{}` does not exist in the {}",
                    e.heading(),
                    snapshot.describe()
                ),
                entry_line: e.line,
                about: Some(pm.clone()),
            });
        }
    }
    problems.sort_by_key(|p| (p.line, p.col));
    Ok(Some(CostLog {
        path: path.to_string(),
        text,
        headings,
        entries,
        problems,
        unreadable: None,
    }))
}

/// Read a cost log's text (`log_path` is its repository path: relative
/// post-mortem links resolve against its folder). Every entry whose heading
/// reads, and every problem; an entry with a problem is still returned with
/// what could be read of it (`cost` may be `None`).
pub fn parse(text: &str, log_path: &str) -> (Vec<Entry>, Vec<Problem>) {
    let (entries, problems, _) = parse_counted(text, log_path);
    (entries, problems)
}

fn parse_counted(text: &str, log_path: &str) -> (Vec<Entry>, Vec<Problem>, usize) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let outline = markdown::parse(text);
    let blocks = &outline.blocks;
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut headings = 0;
    for (i, b) in blocks.iter().enumerate() {
        let BlockKind::Heading { level } = b.kind else {
            continue;
        };
        if level != 4 {
            if looks_like_entry(&b.text) {
                headings += 1;
                problems.push(problem(
                    b,
                    b.line,
                    format!(
                        "`{}` is written as an entry but is a level-{level} heading: an entry \
                         heading is level 4 (`#### [YYYY-MM-DD] - Title`)",
                        b.text
                    ),
                ));
            }
            continue;
        }
        headings += 1;
        let end = blocks[i + 1..]
            .iter()
            .position(|n| matches!(n.kind, BlockKind::Heading { .. }))
            .map_or(blocks.len(), |p| i + 1 + p);
        let next = blocks.get(end).map(|n| (n.line, n.col));
        if let Some(e) = entry(
            b,
            &blocks[i + 1..end],
            next,
            &outline.links,
            log_path,
            &mut problems,
        ) {
            entries.push(e);
        }
    }
    problems.sort_by_key(|p| (p.line, p.col));
    (entries, problems, headings)
}

fn problem(at: &Block, entry_line: usize, message: String) -> Problem {
    Problem {
        line: at.line,
        col: at.col,
        message,
        entry_line,
        about: None,
    }
}

/// A heading of another level that starts like an entry (`[2026-...`).
fn looks_like_entry(text: &str) -> bool {
    text.trim_start()
        .strip_prefix('[')
        .is_some_and(|r| r.len() >= 4 && r.as_bytes()[..4].iter().all(u8::is_ascii_digit))
}

/// One entry: its heading, the blocks up to the next heading, and where
/// those end (for the links inside them).
fn entry(
    heading: &Block,
    body: &[Block],
    end: Option<(usize, usize)>,
    links: &[Link],
    log_path: &str,
    problems: &mut Vec<Problem>,
) -> Option<Entry> {
    let line = heading.line;
    let (time, date, title) = match parse_heading(&heading.text) {
        Ok(parts) => parts,
        Err(why) => {
            problems.push(problem(
                heading,
                line,
                format!("cost-log entry heading `{}`: {why}", heading.text),
            ));
            return None;
        }
    };
    let mut e = Entry {
        line,
        col: heading.col,
        month: date[..7].to_string(),
        time,
        date,
        title,
        fields: Vec::new(),
        cost: None,
        pattern: None,
        post_mortem: None,
    };
    let mut field_links: Vec<Vec<&Link>> = Vec::new();
    let known_lower: Vec<String> = REQUIRED
        .iter()
        .chain(&OPTIONAL)
        .map(|k| k.to_lowercase())
        .collect();
    let known_refs: Vec<&str> = known_lower.iter().map(String::as_str).collect();
    for (j, b) in body.iter().enumerate() {
        let BlockKind::Item { depth, .. } = b.kind else {
            continue;
        };
        let until = body.get(j + 1).map(|n| (n.line, n.col)).or(end);
        let inside: Vec<&Link> = links
            .iter()
            .filter(|l| {
                (l.line, l.col) >= (b.line, b.col) && until.is_none_or(|u| (l.line, l.col) < u)
            })
            .collect();
        if depth > 0 {
            // A nested item belongs to the field above it.
            if let Some(f) = e.fields.last_mut() {
                if !b.text.is_empty() {
                    if !f.value.is_empty() {
                        f.value.push_str("; ");
                    }
                    f.value.push_str(&b.text);
                }
                field_links
                    .last_mut()
                    .expect("one per field")
                    .extend(inside);
            }
            continue;
        }
        let Some((key, value)) = b.text.split_once(':') else {
            continue;
        };
        let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
        if key.is_empty() || key.chars().count() > 40 {
            continue;
        }
        let lower = key.to_lowercase();
        let known = REQUIRED
            .iter()
            .chain(&OPTIONAL)
            .copied()
            .find(|k| k.to_lowercase() == lower)
            .or_else(|| ALIASES.iter().find(|(a, _)| *a == lower).map(|(_, k)| *k));
        if known.is_none()
            && let Some(near) = crate::config::nearest(&lower, &known_refs)
        {
            let spelled = REQUIRED
                .iter()
                .chain(&OPTIONAL)
                .find(|k| k.to_lowercase() == near)
                .expect("nearest of the known names");
            problems.push(problem(
                b,
                line,
                format!(
                    "unknown field `{key}` in `{}` (did you mean `{spelled}`?)",
                    e.heading()
                ),
            ));
        }
        if let Some(k) = known
            && e.field(k).is_some()
        {
            problems.push(problem(
                b,
                line,
                format!("the field `{k}` is given twice in `{}`", e.heading()),
            ));
            continue;
        }
        e.fields.push(Field {
            key,
            known,
            value: value.trim().to_string(),
            line: b.line,
            col: b.col,
        });
        field_links.push(inside);
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|k| e.field(k).is_none())
        .collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
        problems.push(problem(
            heading,
            line,
            format!(
                "`{}` lacks {} {}: every entry has `- **What happened**: ...`, Root cause, \
                 Duration, Estimated cost and Prevention",
                e.heading(),
                if missing.len() == 1 {
                    "the field"
                } else {
                    "the fields"
                },
                join_and(&list)
            ),
        ));
    }
    for (f, links) in e.fields.iter().zip(&field_links) {
        let Some(k) = f.known else { continue };
        let at = |message: String| Problem {
            line: f.line,
            col: f.col,
            message,
            entry_line: line,
            about: None,
        };
        if f.value.is_empty() && (k != "Post-mortem" || links.is_empty()) {
            problems.push(at(format!("the field `{k}` of `{}` is empty", e.heading())));
            continue;
        }
        match k {
            "Estimated cost" => match parse_cost(&f.value) {
                Ok(c) => e.cost = Some(c),
                Err(why) => {
                    problems.push(at(format!("`Estimated cost` of `{}`: {why}", e.heading())))
                }
            },
            "Pattern" => {
                let id = f.value.trim_matches('`').trim();
                if id.is_empty() || id.contains(|c: char| c.is_whitespace() || c == ',') {
                    problems.push(at(format!(
                        "`Pattern` of `{}` names one knowledge-base id, found `{}`",
                        e.heading(),
                        f.value
                    )));
                } else {
                    e.pattern = Some(id.to_string());
                }
            }
            "Post-mortem" => match post_mortem_path(&f.value, links, log_path) {
                Ok(p) => e.post_mortem = Some(p),
                Err(why) => problems.push(at(format!("`Post-mortem` of `{}`: {why}", e.heading()))),
            },
            _ => {}
        }
    }
    Some(e)
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// `[time] - Title` → (time as written, `YYYY-MM-DD`, title).
fn parse_heading(text: &str) -> Result<(String, String, String), String> {
    const FORM: &str = "an entry heading is `#### [YYYY-MM-DD] - Title` (a time `HH:MM` and a \
                        time zone may follow the date)";
    let t = text.trim();
    let Some(rest) = t.strip_prefix('[') else {
        return Err(format!("no `[time]` at the start: {FORM}"));
    };
    let Some(close) = rest.find(']') else {
        return Err(format!("the `[` of the time is not closed: {FORM}"));
    };
    let time = rest[..close].trim();
    let date = parse_time(time)?;
    let after = rest[close + 1..].trim_start();
    let Some(title) = after.strip_prefix(['-', '–', '—', ':']).map(str::trim) else {
        return Err(format!("no ` - ` between the time and the title: {FORM}"));
    };
    if title.is_empty() {
        return Err(format!("no title after the time: {FORM}"));
    }
    Ok((time.to_string(), date, title.to_string()))
}

/// The date of `YYYY-MM-DD[( |T)HH:MM[:SS][ ][zone]]`; zones: `Z`, `UTC`,
/// `GMT`, `+HH:MM`, `+HHMM`, `+HH` (or `-`), or 2 to 5 capital letters
/// (`CET`, `EST`).
fn parse_time(time: &str) -> Result<String, String> {
    let form = "write `YYYY-MM-DD`, optionally followed by `HH:MM` and a time zone";
    let date = time.get(..10).unwrap_or(time);
    if crate::date::parse_date(date).is_none() {
        let shaped = date.len() == 10
            && date.bytes().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        return Err(if shaped {
            format!("`{date}` is not a calendar date")
        } else {
            format!("`{time}` is not a date: {form}")
        });
    }
    let rest = &time[10..];
    if rest.is_empty() {
        return Ok(date.to_string());
    }
    let bad = || format!("`{time}`: the time after the date does not read: {form}");
    let clock = rest.strip_prefix([' ', 'T']).ok_or_else(bad)?.trim_start();
    let two = |s: &str, max: u32| -> Option<u32> {
        let v: u32 = s.get(..2)?.parse().ok()?;
        (s.as_bytes()[..2].iter().all(u8::is_ascii_digit) && v <= max).then_some(v)
    };
    two(clock, 23).ok_or_else(bad)?;
    let mut rest = clock[2..].strip_prefix(':').ok_or_else(bad)?;
    two(rest, 59).ok_or_else(bad)?;
    rest = &rest[2..];
    if let Some(s) = rest.strip_prefix(':') {
        two(s, 60).ok_or_else(bad)?;
        rest = &s[2..];
    }
    let zone = rest.trim_start();
    let ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() >= 2 && zone.len() <= 5 && zone.bytes().all(|c| c.is_ascii_uppercase()))
        || zone.strip_prefix(['+', '-']).is_some_and(|z| {
            let z = z.replacen(':', "", 1);
            (z.len() == 2 || z.len() == 4)
                && z.bytes().all(|c| c.is_ascii_digit())
                && two(&z, 14).is_some()
                && (z.len() == 2 || two(&z[2..], 59).is_some())
        });
    if !ok {
        return Err(format!(
            "`{time}`: `{zone}` is not a time zone (`Z`, `UTC`, `+01:00`, `CET`)"
        ));
    }
    Ok(date.to_string())
}

/// A `Post-mortem` field: a Markdown link (relative to the log's folder; a
/// leading `/` is the repository root, as on GitHub) or a plain path
/// (relative to the repository root). The result is repository-relative.
fn post_mortem_path(value: &str, links: &[&Link], log_path: &str) -> Result<String, String> {
    let (joined, shown) = match links {
        [] => {
            let plain = value.trim().trim_matches('`').trim();
            // Absolute paths, `..`, backslashes: refused as in `key_files`.
            crate::pattern::normalize(plain)
                .map_err(|why| format!("{why}; write a repository path"))?;
            (plain.to_string(), plain.to_string())
        }
        [link] => {
            let target = link.target.split(['#', '?']).next().unwrap_or_default();
            if target.contains("://") || target.starts_with("mailto:") {
                return Err(format!(
                    "`{}` is not a file of the repository: link the post-mortem's path",
                    link.target
                ));
            }
            let target = percent_decode(target)?;
            let joined = match target.strip_prefix('/') {
                Some(from_root) => from_root.to_string(),
                None => match log_path.rsplit_once('/') {
                    Some((dir, _)) => format!("{dir}/{target}"),
                    None => target.clone(),
                },
            };
            (joined, format!("the link `{}`", link.target))
        }
        _ => {
            return Err(format!(
                "{} links; an entry names one post-mortem",
                links.len()
            ));
        }
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("{shown} leads out of the repository"));
                }
            }
            s => parts.push(s),
        }
    }
    let path = parts.join("/");
    if path.is_empty() || joined.ends_with('/') || !crate::pattern::is_literal(&path) {
        return Err(format!(
            "{shown} is not a file path (a folder or a glob); name the post-mortem's file"
        ));
    }
    crate::pattern::normalize(&path).map_err(|why| format!("{shown}: {why}"))
}

/// `%20` and friends in a link target.
fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("`{s}` has a `%` that is no escape"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("`{s}` decodes to no UTF-8 path"))
}

/// Read an estimate: `$78,947`, `~$5-10`, `$55-90`, `$150-250+`, `$0`,
/// `$20–40` (en dash), `$5 - $10`, `$5 to $10`, `$12.50`, `$1.5k`, `$2M`. Text after the
/// estimate is a note (`$55-90 (compute)`). Errors say what to write.
pub fn parse_cost(text: &str) -> Result<Cost, String> {
    let s = text.trim();
    let (approximate, rest) = match s.strip_prefix(['~', '≈']) {
        Some(r) => (true, r.trim_start()),
        None => (false, s),
    };
    let Some(rest) = rest.strip_prefix('$') else {
        return Err(if s.contains('$') {
            format!(
                "`{s}`: the estimate comes first; write it as $LOW-HIGH, then any note \
                 (e.g. `~$200-400 (compute)`)"
            )
        } else {
            format!("no dollar amount in `{s}`: write the estimate as $LOW-HIGH (e.g. `~$200-400`)")
        });
    };
    let (low, low_suffix, mut rest) = amount(rest.trim_start(), s)?;
    let mut high = low;
    let after = rest.trim_start();
    let sep = after
        .strip_prefix(['-', '–', '—'])
        .or_else(|| after.strip_prefix("to "));
    if let Some(r) = sep {
        let r = r.trim_start();
        let r = r.strip_prefix('~').unwrap_or(r);
        let r = r.strip_prefix('$').map_or(r, str::trim_start);
        if r.starts_with(|c: char| c.is_ascii_digit()) {
            let (h, high_suffix, r) = amount(r, s)?;
            if high_suffix && !low_suffix {
                return Err(format!(
                    "`{s}` is ambiguous: write the unit on both amounts (`$5k-10k`) or neither \
                     (`$5,000-10,000`)"
                ));
            }
            high = h;
            rest = r;
        }
    }
    let open_ended = match rest.strip_prefix('+') {
        Some(r) => {
            rest = r;
            true
        }
        None => false,
    };
    if let Some(c) = rest.chars().next()
        && c.is_alphanumeric()
    {
        let word: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
        return Err(format!(
            "`{s}`: `{word}` right after the amount is no unit docgate reads; write whole \
             dollars or cents (`$1,250`, `$12.50`), thousands as `k` (`$1.5k`) or millions \
             as `M`"
        ));
    }
    if low > high {
        return Err(format!(
            "the range in `{s}` runs backwards ({} is more than {}): write the low estimate first",
            dollars(low),
            dollars(high)
        ));
    }
    Ok(Cost {
        low_cents: low,
        high_cents: high,
        approximate,
        open_ended,
    })
}

/// One amount after `$`: (cents, had a unit suffix, the rest).
fn amount<'t>(s: &'t str, whole: &str) -> Result<(u64, bool, &'t str), String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut int = String::new();
    let mut groups: Vec<usize> = vec![0];
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_digit() => {
                int.push(c as char);
                *groups.last_mut().expect("one group") += 1;
                i += 1;
            }
            b',' if b.get(i + 1).is_some_and(u8::is_ascii_digit) && !int.is_empty() => {
                groups.push(0);
                i += 1;
            }
            _ => break,
        }
    }
    if int.is_empty() {
        return Err(format!(
            "no amount after `$` in `{whole}`: write it as $LOW-HIGH (e.g. `~$200-400`)"
        ));
    }
    if groups.len() > 1 && (groups[0] > 3 || groups[1..].iter().any(|&g| g != 3)) {
        return Err(format!(
            "`{whole}`: commas in an amount group its digits by three (`$78,947`)"
        ));
    }
    let mut frac = String::new();
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            frac.push(b[i] as char);
            i += 1;
        }
    }
    let (mult, suffix): (u128, bool) = match b.get(i) {
        Some(b'k' | b'K') => (1_000, true),
        Some(b'M') => (1_000_000, true),
        _ => (1, false),
    };
    if suffix {
        i += 1;
    }
    let too_large = || {
        format!(
            "`{whole}` is more than ${}: docgate reads estimates up to a trillion dollars",
            dollars(MAX_CENTS)
        )
    };
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return Err(too_large());
    }
    if frac.len() > 6 {
        return Err(format!("`{whole}` is finer than a cent"));
    }
    let scale = 10u128.pow(frac.len() as u32);
    let number = int.parse::<u128>().unwrap_or(0) * scale + frac.parse::<u128>().unwrap_or(0);
    let cents_scaled = number * mult * 100;
    if !cents_scaled.is_multiple_of(scale) {
        return Err(format!("`{whole}` is finer than a cent"));
    }
    let cents = cents_scaled / scale;
    if cents > u128::from(MAX_CENTS) {
        return Err(too_large());
    }
    Ok((cents as u64, suffix, &s[i..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(s: &str) -> Cost {
        parse_cost(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn c(low: u64, high: u64, approximate: bool, open_ended: bool) -> Cost {
        Cost {
            low_cents: low * 100,
            high_cents: high * 100,
            approximate,
            open_ended,
        }
    }

    #[test]
    fn the_spec_forms_parse() {
        assert_eq!(cost("$78,947"), c(78_947, 78_947, false, false));
        assert_eq!(cost("~$5-10"), c(5, 10, true, false));
        assert_eq!(cost("$55-90"), c(55, 90, false, false));
        assert_eq!(cost("$150-250+"), c(150, 250, false, true));
        assert_eq!(cost("$0"), c(0, 0, false, false));
        assert_eq!(cost("$20–40"), c(20, 40, false, false));
        assert_eq!(cost("$5 - $10"), c(5, 10, false, false));
        assert_eq!(cost("$5 to $10"), c(5, 10, false, false));
        assert_eq!(cost("~$5-~10"), c(5, 10, true, false));
        assert_eq!(cost("$5—10"), c(5, 10, false, false));
        assert_eq!(cost("$55-90 (compute)"), c(55, 90, false, false));
        assert_eq!(cost("$1,000+ and rising"), c(1000, 1000, false, true));
        assert_eq!(cost("$1.5k"), c(1500, 1500, false, false));
        assert_eq!(cost("$2k-3.5k"), c(2000, 3500, false, false));
        assert_eq!(cost("$2M"), c(2_000_000, 2_000_000, false, false));
        assert_eq!(cost("$50 — mostly compute"), c(50, 50, false, false));
        assert_eq!(cost("$50, mostly compute."), c(50, 50, false, false));
        assert_eq!(
            cost("$12.50"),
            Cost {
                low_cents: 1250,
                high_cents: 1250,
                approximate: false,
                open_ended: false
            }
        );
    }

    #[test]
    fn what_does_not_parse_says_what_to_write() {
        let err = |s: &str| parse_cost(s).expect_err(s);
        assert_eq!(
            err("5 hours lost"),
            "no dollar amount in `5 hours lost`: write the estimate as $LOW-HIGH (e.g. `~$200-400`)"
        );
        assert!(err("unknown").starts_with("no dollar amount in `unknown`"));
        assert!(err("5 hours, ~$200").contains("the estimate comes first"));
        assert!(err("$90-55").contains("runs backwards (90 is more than 55)"));
        assert!(err("$1,00").contains("group its digits by three"));
        assert!(err("$5m").contains("`m` right after the amount"));
        assert!(err("$5-10k").contains("ambiguous"));
        assert!(err("$1.001").contains("finer than a cent"));
        assert!(err("$").contains("no amount after `$`"));
        assert!(err("$99999999999999999999999999").contains("up to a trillion dollars"));
        assert!(err("$1,000,000,000,001").contains("up to a trillion dollars"));
        assert_eq!(cost("$1,000,000,000,000").high_cents, MAX_CENTS);
    }

    #[test]
    fn costs_print_as_they_read_back() {
        for s in ["~$5–10", "$78,947", "$150–250+", "$0", "$12.50–1,000,000"] {
            assert_eq!(cost(s).to_string(), s);
        }
    }

    const LOG: &str = "# Mishap Cost Log\n\nIntro.\n\n| cost | meaning |\n|---|---|\n| $0 | none |\n\n\
        ```markdown\n#### [YYYY-MM-DD] - Title\n- **Estimated cost**: $LOW-HIGH\n```\n\n\
        <!--\n#### [2026-01-01] - template\n-->\n\n\
        #### [2026-02-06 09:31] - Ray import in inference\n\
        - **What happened**: the predictor fell back\n\
        - **Root cause**:\n  - import reached inference\n  - broad except\n\
        - **Duration**: 4h34m\n\
        - **Estimated cost**: $78,947\n\
        - **Prevention**: gate\n\
        - **Pattern**: `silent-fallback`\n\
        - **Post-mortem**: [pm](post-mortems/ray.md#timeline)\n\
        - **Ticket**: OPS-12\n\
        \n#### [2026-03-01T08:00Z] - Second\n\
        - what happened: x\n- root cause: y\n- duration: 1h\n- estimated cost: 5 hours lost\n- Prevension: z\n\
        \n#### Notes\n\ntext\n\n### [2026-04-01] - wrong level\n\n# [2026-05-01] - level one\n";

    #[test]
    fn entries_fields_and_problems() {
        let (entries, problems) = parse(LOG, "docs/MISHAP_COST_LOG.md");
        assert_eq!(entries.len(), 2, "{entries:#?}");
        let e = &entries[0];
        assert_eq!(
            (e.line, e.time.as_str(), e.date.as_str()),
            (18, "2026-02-06 09:31", "2026-02-06")
        );
        assert_eq!(e.month, "2026-02");
        assert_eq!(e.title, "Ray import in inference");
        assert_eq!(e.cost, Some(c(78_947, 78_947, false, false)));
        assert_eq!(e.pattern.as_deref(), Some("silent-fallback"));
        assert_eq!(e.post_mortem.as_deref(), Some("docs/post-mortems/ray.md"));
        assert_eq!(
            e.field("Root cause").unwrap().value,
            "import reached inference; broad except"
        );
        assert_eq!(e.fields.last().unwrap().key, "Ticket");
        assert_eq!(entries[1].month, "2026-03");
        assert_eq!(entries[1].cost, None);
        let got: Vec<(usize, usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.entry_line, p.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    30,
                    30,
                    "`[2026-03-01T08:00Z] - Second` lacks the field `Prevention`: every entry has `- **What happened**: ...`, Root cause, Duration, Estimated cost and Prevention"
                ),
                (
                    34,
                    30,
                    "`Estimated cost` of `[2026-03-01T08:00Z] - Second`: no dollar amount in `5 hours lost`: write the estimate as $LOW-HIGH (e.g. `~$200-400`)"
                ),
                (
                    35,
                    30,
                    "unknown field `Prevension` in `[2026-03-01T08:00Z] - Second` (did you mean `Prevention`?)"
                ),
                (
                    37,
                    37,
                    "cost-log entry heading `Notes`: no `[time]` at the start: an entry heading is `#### [YYYY-MM-DD] - Title` (a time `HH:MM` and a time zone may follow the date)"
                ),
                (
                    41,
                    41,
                    "`[2026-04-01] - wrong level` is written as an entry but is a level-3 heading: an entry heading is level 4 (`#### [YYYY-MM-DD] - Title`)"
                ),
                (
                    43,
                    43,
                    "`[2026-05-01] - level one` is written as an entry but is a level-1 heading: an entry heading is level 4 (`#### [YYYY-MM-DD] - Title`)"
                ),
            ]
        );
    }

    #[test]
    fn headings_and_times() {
        let h = parse_heading;
        assert_eq!(
            h("[2026-02-06 09:31 +01:00] – Title").unwrap(),
            (
                "2026-02-06 09:31 +01:00".into(),
                "2026-02-06".into(),
                "Title".into()
            )
        );
        assert!(h("[2026-02-06 09:31:05 CET] - T").is_ok());
        assert!(h("[2026-02-06T09:31Z]: T").is_ok());
        assert!(
            h("[2026-02-30] - T")
                .unwrap_err()
                .contains("`2026-02-30` is not a calendar date")
        );
        assert!(
            h("[Feb 6] - T")
                .unwrap_err()
                .contains("`Feb 6` is not a date")
        );
        assert!(
            h("[2026-02-06 25:00] - T")
                .unwrap_err()
                .contains("the time after the date")
        );
        assert!(
            h("[2026-02-06 09:31 +99] - T")
                .unwrap_err()
                .contains("not a time zone")
        );
        assert!(h("[2026-02-06] Title").unwrap_err().contains("no ` - `"));
        assert!(h("[2026-02-06] - ").unwrap_err().contains("no title"));
        assert!(h("[2026-02-06 - T").unwrap_err().contains("not closed"));
    }

    #[test]
    fn post_mortem_paths() {
        let link = |t: &str| Link {
            target: t.into(),
            text: "pm".into(),
            line: 1,
            col: 1,
        };
        let p = |v: &str, l: Option<&str>| {
            let l = l.map(link);
            let links: Vec<&Link> = l.iter().collect();
            post_mortem_path(v, &links, "docs/MISHAP_COST_LOG.md")
        };
        assert_eq!(
            p("docs/post-mortems/a.md", None).unwrap(),
            "docs/post-mortems/a.md"
        );
        assert_eq!(p("./docs/pm.md", None).unwrap(), "docs/pm.md");
        assert_eq!(
            p("pm", Some("post-mortems/a%20b.md")).unwrap(),
            "docs/post-mortems/a b.md"
        );
        assert_eq!(p("pm", Some("../x/pm.md")).unwrap(), "x/pm.md");
        assert_eq!(p("pm", Some("/docs/pm.md")).unwrap(), "docs/pm.md");
        assert!(
            p("pm", Some("../../pm.md"))
                .unwrap_err()
                .contains("out of the repository")
        );
        assert!(
            p("pm", Some("https://wiki/pm"))
                .unwrap_err()
                .contains("not a file of the repository")
        );
        assert!(p("../pm.md", None).is_err());
        assert_eq!(p("docs//a/./b.md", None).unwrap(), "docs/a/b.md");
        for folder_or_glob in ["docs/", "docs/*.md"] {
            assert!(
                p(folder_or_glob, None)
                    .unwrap_err()
                    .contains("is not a file path"),
                "{folder_or_glob}"
            );
        }
        assert!(
            p("pm", Some("post-mortems/"))
                .unwrap_err()
                .contains("is not a file path")
        );
        assert!(p("pm", Some("%+1.md")).unwrap_err().contains("no escape"));
    }

    #[test]
    fn the_demo_log_reads_clean() {
        let text = include_str!("demo/sample/base/docs/MISHAP_COST_LOG.md");
        let (entries, problems) = parse(text, "docs/MISHAP_COST_LOG.md");
        assert_eq!(problems, vec![]);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[1].cost, Some(c(150, 250, false, true)));
    }
}
