//! Post-mortems (SPEC §7): which files are post-mortems, and what one holds
//! as docgate reads it: its mandatory sections (found or not, empty or not),
//! its root causes and its action items with their owner, status and due
//! date. Read through the one Markdown reader ([`crate::markdown`]); the
//! post-mortem check turns what is missing into findings, and the incident
//! loop reads [`load`].
//!
//! What counts (the README's "Post-mortems" section is the user's copy):
//! - a section is a heading at any level whose [`heading_key`] is the key of
//!   the section's name or of one of its aliases; the first such heading
//!   counts. A section is empty when nothing but headings, blank lines, HTML
//!   comments, rules or a table's header row lies between its heading and the
//!   next heading of its level (a sub-heading with content is content);
//! - root causes are the top-level list items of the Root Cause section
//!   before its first sub-heading, else its sub-headings of the first level
//!   below it, else any prose at all, which counts as one;
//! - action items are the rows of tables in the Action Items section (the
//!   owner, status and due columns found by their header) and its top-level
//!   list items (fields `owner:`, `status:`, `due:`, an `@name`, a task box).

use anyhow::Result;

use crate::checks::postmortems::cfg::{ACTION_ITEMS, PostmortemsConfig, ROOT_CAUSE};
use crate::markdown::{self, Block, BlockKind, Section};
use crate::pattern;
use crate::snapshot::{Entry, Snapshot};

/// One post-mortem as docgate reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostMortem {
    /// The text of its first heading.
    pub title: Option<String>,
    /// Every mandatory section of the config, in its order.
    pub sections: Vec<SectionFound>,
    /// Counted from the Root Cause section; `None` when it has none.
    pub root_causes: Option<RootCauses>,
    /// The Action Items section's items, in document order.
    pub action_items: Vec<ActionItem>,
    /// Why the file could not be read as text (then nothing else is known).
    pub unreadable: Option<String>,
}

/// A mandatory section and the heading that holds it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionFound {
    /// The section's name in the config.
    pub name: String,
    pub heading: Option<Heading>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// The heading as written (without `#`).
    pub text: String,
    pub line: usize,
    pub col: usize,
    /// Nothing under it says anything.
    pub empty: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCauses {
    /// The Root Cause section's heading.
    pub line: usize,
    pub col: usize,
    pub count: usize,
    pub counted: Counted,
}

/// How the root causes were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    ListItems,
    SubHeadings,
    /// Prose without a list or sub-headings: one.
    Prose,
    /// Nothing in the section.
    Nothing,
}

impl Counted {
    pub fn describe(self) -> &'static str {
        match self {
            Counted::ListItems => "counted as its top-level list items",
            Counted::SubHeadings => "counted as its sub-headings",
            Counted::Prose => "prose without a list or sub-headings counts as one",
            Counted::Nothing => "the section says nothing",
        }
    }
}

/// One action item: a table row or a top-level list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// What it says (the item's text, or the row's first descriptive cell).
    pub text: String,
    pub line: usize,
    pub col: usize,
    pub owner: Field,
    pub status: Field,
    /// A valid `YYYY-MM-DD` date when given.
    pub due: Field,
}

/// A value of an action item, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Given(String),
    Missing(String),
}

impl Field {
    pub fn value(&self) -> Option<&str> {
        match self {
            Field::Given(v) => Some(v),
            Field::Missing(_) => None,
        }
    }
}

impl ActionItem {
    /// What the item lacks: `(field name, why)`, in the order owner, status, due date.
    pub fn missing(&self) -> Vec<(&'static str, &str)> {
        [
            ("owner", &self.owner),
            ("status", &self.status),
            ("due date", &self.due),
        ]
        .into_iter()
        .filter_map(|(name, f)| match f {
            Field::Missing(why) => Some((name, why.as_str())),
            Field::Given(_) => None,
        })
        .collect()
    }
}

impl PostMortem {
    /// The mandatory sections with no heading.
    pub fn missing_sections(&self) -> impl Iterator<Item = &str> {
        self.sections
            .iter()
            .filter(|s| s.heading.is_none())
            .map(|s| s.name.as_str())
    }

    fn unreadable(why: String) -> PostMortem {
        PostMortem {
            unreadable: Some(why),
            ..PostMortem::default()
        }
    }
}

/// Read a post-mortem's text. Never fails on any text.
pub fn parse(text: &str, config: &PostmortemsConfig) -> PostMortem {
    let outline = markdown::parse(text);
    let all = outline.sections();
    let mut found: Vec<(&str, Section<'_>)> = Vec::new();
    for s in &all {
        if let Some(name) = config.section_of_heading(&s.heading.text)
            && !found.iter().any(|(n, _)| *n == name)
        {
            found.push((name, *s));
        }
    }
    let get = |name: &str| found.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);
    let sections = config
        .sections
        .iter()
        .map(|name| SectionFound {
            name: name.clone(),
            heading: get(name).map(|s| Heading {
                text: s.heading.text.clone(),
                line: s.heading.line,
                col: s.heading.col,
                empty: !s.has_body(),
            }),
        })
        .collect();
    PostMortem {
        title: outline
            .blocks
            .iter()
            .find(|b| matches!(b.kind, BlockKind::Heading { .. }))
            .map(|b| b.text.clone()),
        sections,
        root_causes: get(ROOT_CAUSE).map(|s| root_causes(&s)),
        action_items: get(ACTION_ITEMS)
            .map(|s| action_items(&s))
            .unwrap_or_default(),
        unreadable: None,
    }
}

fn root_causes(s: &Section<'_>) -> RootCauses {
    let own = s.own_blocks();
    let items = top_level(
        own.iter()
            .filter(|b| matches!(b.kind, BlockKind::Item { .. })),
    );
    let min_level = s
        .blocks
        .iter()
        .filter_map(|b| match b.kind {
            BlockKind::Heading { level } => Some(level),
            _ => None,
        })
        .min();
    let subheadings = s
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Heading { level } if Some(level) == min_level))
        .count();
    let (count, counted) = if !items.is_empty() {
        (items.len(), Counted::ListItems)
    } else if subheadings > 0 {
        (subheadings, Counted::SubHeadings)
    } else if own.iter().any(Block::has_content) {
        (1, Counted::Prose)
    } else {
        (0, Counted::Nothing)
    };
    RootCauses {
        line: s.heading.line,
        col: s.heading.col,
        count,
        counted,
    }
}

/// The items of the smallest depth among `items`.
fn top_level<'b>(items: impl Iterator<Item = &'b Block> + Clone) -> Vec<&'b Block> {
    let depth = |b: &Block| match b.kind {
        BlockKind::Item { depth, .. } => depth,
        _ => usize::MAX,
    };
    let min = items.clone().map(depth).min();
    items.filter(|b| Some(depth(b)) == min).collect()
}

/// Header names (by [`column_key`]) of the owner, status and due columns.
pub const OWNER_NAMES: &[&str] = &["owner", "owners", "assignee", "who"];
pub const STATUS_NAMES: &[&str] = &["status", "state"];
pub const DUE_NAMES: &[&str] = &["due", "due date", "deadline", "eta"];

/// Values that hold no owner or status.
const PLACEHOLDERS: &[&str] = &[
    "?", "??", "-", "--", "—", "–", "…", "...", "tbd", "tba", "n/a", "na", "none", "unknown", "xxx",
];
/// ... and, for an owner, also these.
const NO_OWNER: &[&str] = &["todo", "nobody", "unassigned", "someone"];

fn column_key(cell: &str) -> String {
    cell.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(':')
        .to_lowercase()
}

#[derive(Clone, Copy)]
enum Kind {
    Owner,
    Status,
    Due,
}

impl Kind {
    fn names(self) -> &'static [&'static str] {
        match self {
            Kind::Owner => OWNER_NAMES,
            Kind::Status => STATUS_NAMES,
            Kind::Due => DUE_NAMES,
        }
    }

    fn column_hint(self) -> &'static str {
        match self {
            Kind::Owner => "the table has no Owner, Owners, Assignee or Who column",
            Kind::Status => "the table has no Status or State column",
            Kind::Due => "the table has no Due, Due date, Deadline or ETA column",
        }
    }
}

/// A value as an action item's field: placeholders and invalid dates are missing.
fn judge(kind: Kind, value: &str, what: &str) -> Field {
    let v = value.trim();
    let key = v.to_lowercase();
    if v.is_empty() {
        return Field::Missing(format!("{what} is empty"));
    }
    let placeholder = PLACEHOLDERS.contains(&key.as_str())
        || (matches!(kind, Kind::Owner) && NO_OWNER.contains(&key.as_str()));
    if placeholder {
        return Field::Missing(format!("{what} is `{v}`, a placeholder"));
    }
    if matches!(kind, Kind::Due) && crate::date::parse_date(v).is_none() {
        return Field::Missing(format!("{what} is `{v}`, not a YYYY-MM-DD date"));
    }
    Field::Given(v.to_string())
}

fn action_items(s: &Section<'_>) -> Vec<ActionItem> {
    let mut out = Vec::new();
    // Column index of owner, status, due in the current table.
    let mut columns: Option<(Vec<String>, [Option<usize>; 3])> = None;
    let items = top_level(
        s.blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Item { .. })),
    );
    let top_depth = items.first().map(|b| match b.kind {
        BlockKind::Item { depth, .. } => depth,
        _ => 0,
    });
    let mut i = 0;
    while i < s.blocks.len() {
        let b = &s.blocks[i];
        match &b.kind {
            BlockKind::Row {
                cells,
                header: true,
            } => {
                let find = |kind: Kind| {
                    cells
                        .iter()
                        .position(|c| kind.names().contains(&column_key(c).as_str()))
                };
                columns = Some((
                    cells.clone(),
                    [find(Kind::Owner), find(Kind::Status), find(Kind::Due)],
                ));
            }
            BlockKind::Row {
                cells,
                header: false,
            } if cells.iter().any(|c| !c.is_empty()) => {
                let (header, cols) = columns.clone().unwrap_or_default();
                out.push(row_item(b, cells, &header, cols));
            }
            BlockKind::Item { depth, task, .. } if Some(*depth) == top_depth => {
                // Its nested items belong to it.
                let mut texts = vec![b.text.as_str()];
                let mut j = i + 1;
                while let Some(n) = s.blocks.get(j) {
                    match n.kind {
                        BlockKind::Item { depth: d, .. } if d > *depth => texts.push(&n.text),
                        _ => break,
                    }
                    j += 1;
                }
                out.push(list_item(b, &texts, *task));
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn row_item(
    b: &Block,
    cells: &[String],
    header: &[String],
    cols: [Option<usize>; 3],
) -> ActionItem {
    let field = |kind: Kind, col: Option<usize>| match col {
        None => Field::Missing(kind.column_hint().to_string()),
        Some(c) => {
            let name = header.get(c).map_or("its", String::as_str);
            judge(
                kind,
                cells.get(c).map_or("", String::as_str),
                &format!("its {name} cell"),
            )
        }
    };
    // What it says: the first cell that is no field and not a bare number.
    let text = cells
        .iter()
        .enumerate()
        .filter(|(c, _)| !cols.contains(&Some(*c)))
        .map(|(_, t)| t)
        .find(|t| {
            !t.is_empty()
                && !t
                    .trim_start_matches('#')
                    .chars()
                    .all(|c| c.is_ascii_digit())
        })
        .or_else(|| cells.iter().find(|t| !t.is_empty()))
        .cloned()
        .unwrap_or_default();
    ActionItem {
        text,
        line: b.line,
        col: b.col,
        owner: field(Kind::Owner, cols[0]),
        status: field(Kind::Status, cols[1]),
        due: field(Kind::Due, cols[2]),
    }
}

fn list_item(b: &Block, texts: &[&str], task: Option<bool>) -> ActionItem {
    let mut found: [Option<(String, String)>; 3] = [None, None, None];
    for t in texts {
        for (slot, (label, value)) in found.iter_mut().zip(fields(t)) {
            if slot.is_none()
                && let Some(v) = value
            {
                *slot = Some((label, v));
            }
        }
    }
    let [owner, status, due] = found;
    let owner = match owner {
        Some((label, v)) => judge(Kind::Owner, &v, &format!("its `{label}:` field")),
        None => match texts.iter().find_map(|t| mention(t)) {
            Some(name) => Field::Given(name),
            None => Field::Missing("no `owner:` field or @name".into()),
        },
    };
    let status = match (status, task) {
        (Some((label, v)), _) => judge(Kind::Status, &v, &format!("its `{label}:` field")),
        (None, Some(true)) => Field::Given("done".into()),
        (None, Some(false)) => Field::Given("open".into()),
        (None, None) => Field::Missing("no `status:` field or task box".into()),
    };
    let due = match due {
        Some((label, v)) => judge(Kind::Due, &v, &format!("its `{label}:` field")),
        None => Field::Missing("no `due:` field".into()),
    };
    ActionItem {
        text: description(&b.text),
        line: b.line,
        col: b.col,
        owner,
        status,
        due,
    }
}

/// Where a field's value ends.
const SEPARATORS: &[&str] = &[",", ";", "|", "(", ")", " - ", " — ", " – "];

/// The `owner:`, `status:` and `due:` fields of a list item's text (any
/// case, any of their names): `(name as written, value)` each, the first
/// of each kind. A value runs to the next separator or field. `due` may
/// also be followed by a date without a colon (`(due 2026-01-15)`).
fn fields(text: &str) -> [(String, Option<String>); 3] {
    let marks = marks(text);
    let mut out: [(String, Option<String>); 3] = Default::default();
    for (n, &(name_at, value_at, kind)) in marks.iter().enumerate() {
        if out[kind].1.is_some() {
            continue;
        }
        let next = marks.get(n + 1).map_or(text.len(), |m| m.0).max(value_at);
        let segment = &text[value_at..next];
        let end = SEPARATORS
            .iter()
            .filter_map(|s| segment.find(s))
            .min()
            .unwrap_or(segment.len());
        let label = text[name_at..value_at]
            .trim_end_matches(':')
            .trim()
            .to_string();
        out[kind] = (label, Some(segment[..end].trim().to_string()));
    }
    out
}

/// What a list item says before its first field (its whole text when that
/// leaves nothing).
fn description(text: &str) -> String {
    let cut = marks(text).first().map_or(text.len(), |m| m.0);
    let before = text[..cut].trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | '|' | '(' | '-' | '—' | '–')
    });
    if before.is_empty() {
        text.to_string()
    } else {
        before.to_string()
    }
}

/// Where the fields of a text are: (start of the name, start of the value, kind).
fn marks(text: &str) -> Vec<(usize, usize, usize)> {
    let lower = text.to_ascii_lowercase();
    // (start of the name, start of the value, kind).
    let mut marks: Vec<(usize, usize, usize)> = Vec::new();
    for (i, _) in lower.char_indices() {
        let boundary = lower[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if !boundary {
            continue;
        }
        for (kind, k) in [Kind::Owner, Kind::Status, Kind::Due]
            .into_iter()
            .enumerate()
        {
            // Longest name first: `due date` before `due`.
            let mut names: Vec<&str> = k.names().to_vec();
            names.sort_by_key(|n| std::cmp::Reverse(n.len()));
            for name in names {
                let Some(rest) = lower[i..].strip_prefix(name) else {
                    continue;
                };
                let after = rest.trim_start();
                let value_at = i + name.len() + (rest.len() - after.len());
                if after.starts_with(':') {
                    marks.push((i, value_at + 1, kind));
                    break;
                }
                if kind == 2
                    && name == "due"
                    && after
                        .get(..10)
                        .is_some_and(|d| crate::date::parse_date(d).is_some())
                {
                    marks.push((i, value_at, kind));
                    break;
                }
            }
            if marks.last().is_some_and(|m| m.0 == i) {
                break;
            }
        }
    }
    marks
}

/// The first `@name` in a text (at the start of a word: not an e-mail address).
fn mention(text: &str) -> Option<String> {
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if c == '@' && prev.is_none_or(|p| p.is_whitespace() || p == '(' || p == '[') {
            let name: String = text[i + 1..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
                .collect();
            let name = name.trim_end_matches(['.', '/']);
            if !name.is_empty() {
                return Some(format!("@{name}"));
            }
        }
        prev = Some(c);
    }
    None
}

/// Every post-mortem file of the snapshot (matching `paths`, not
/// `exclude`), sorted. Lists only the folders the globs can match under.
pub fn files(snapshot: &Snapshot<'_>, config: &PostmortemsConfig) -> Result<Vec<String>> {
    Ok(entries(snapshot, config)?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

fn entries(snapshot: &Snapshot<'_>, config: &PostmortemsConfig) -> Result<Vec<(String, Entry)>> {
    let mut prefixes: Vec<&str> = config
        .paths
        .iter()
        .map(|g| pattern::literal_prefix(g))
        .collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    // A prefix under another is listed with it.
    let roots: Vec<&str> = prefixes
        .iter()
        .copied()
        .filter(|p| {
            !prefixes
                .iter()
                .any(|q| q != p && (q.is_empty() || p.starts_with(&format!("{q}/"))))
        })
        .collect();
    let mut out = Vec::new();
    for root in roots {
        for e in snapshot.entries_under(root)? {
            let path = String::from_utf8_lossy(&e.raw).into_owned();
            if config.is_postmortem(&path) {
                out.push((path, e));
            }
        }
    }
    out.sort_by(|a, b| a.1.raw.cmp(&b.1.raw));
    out.dedup_by(|a, b| a.1.raw == b.1.raw);
    Ok(out)
}

/// A post-mortem read from a snapshot.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: String,
    pub postmortem: PostMortem,
    /// Its text (empty when it cannot be read).
    pub text: String,
}

/// Every post-mortem of the snapshot, read; one that cannot be read is
/// there with [`PostMortem::unreadable`] set. Cheap: one listing of the
/// folders `paths` can match under, one read a file.
pub fn load_texts(snapshot: &Snapshot<'_>, config: &PostmortemsConfig) -> Result<Vec<Loaded>> {
    Ok(load_some(snapshot, config, |_| true)?.1)
}

/// How many post-mortems the snapshot has, and those whose path `wanted`
/// accepts, read as [`load_texts`] does (the others are listed, not read).
pub fn load_some(
    snapshot: &Snapshot<'_>,
    config: &PostmortemsConfig,
    wanted: impl Fn(&str) -> bool,
) -> Result<(usize, Vec<Loaded>)> {
    let all = entries(snapshot, config)?;
    let mut out = Vec::new();
    for (path, entry) in &all {
        if !wanted(path) {
            continue;
        }
        let (postmortem, text) = match snapshot.read_entry(entry)?.into_text(path) {
            Ok(text) => (parse(&text, config), text),
            Err(why) => (PostMortem::unreadable(why), String::new()),
        };
        out.push(Loaded {
            path: path.clone(),
            postmortem,
            text,
        });
    }
    Ok((all.len(), out))
}

/// Every post-mortem of the snapshot (see [`load_texts`]), by path.
pub fn load(
    snapshot: &Snapshot<'_>,
    config: &PostmortemsConfig,
) -> Result<Vec<(String, PostMortem)>> {
    Ok(load_texts(snapshot, config)?
        .into_iter()
        .map(|l| (l.path, l.postmortem))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> PostmortemsConfig {
        PostmortemsConfig::default()
    }

    #[test]
    fn sections_by_name_or_alias_at_any_level_and_empty_ones() {
        let text = "# Incident 7\n\n## summary:\n\nIt broke.\n\n## Root Causes\n\n\
                    <!-- list them -->\n\n## Lessons Learnt\n\n### What went well\n\n- paging\n\n\
                    ### What went poorly\n\n## Impact\n\n| a | b |\n|---|---|\n";
        let pm = parse(text, &cfg());
        assert_eq!(pm.title.as_deref(), Some("Incident 7"));
        let got: Vec<(&str, Option<(usize, bool)>)> = pm
            .sections
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.heading.as_ref().map(|h| (h.line, h.empty)),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("Summary", Some((3, false))),
                ("Timeline", None),
                ("Root Cause", Some((7, true))),
                ("Impact", Some((19, true))),
                ("What Went Well", Some((13, false))),
                ("What Went Wrong", Some((17, true))),
                ("Action Items", None),
                ("Lessons Learned", Some((11, false))),
                ("Prevention", None),
            ]
        );
        assert_eq!(
            pm.missing_sections().collect::<Vec<_>>(),
            vec!["Timeline", "Action Items", "Prevention"]
        );
        assert_eq!(
            pm.root_causes,
            Some(RootCauses {
                line: 7,
                col: 1,
                count: 0,
                counted: Counted::Nothing
            })
        );
    }

    fn causes(body: &str) -> (usize, Counted) {
        let pm = parse(
            &format!("## Root Cause\n\n{body}\n## Impact\n\nx\n"),
            &cfg(),
        );
        let rc = pm.root_causes.unwrap();
        (rc.count, rc.counted)
    }

    #[test]
    fn root_causes_are_items_else_subheadings_else_prose_as_one() {
        assert_eq!(
            causes("1. a\n   - detail\n2. b\n3. c\n\n### Notes\n\n- not a cause\n"),
            (3, Counted::ListItems)
        );
        assert_eq!(
            causes("### A\n\n- x\n- y\n\n#### A.1\n\n### B\n\ntext\n"),
            (2, Counted::SubHeadings)
        );
        assert_eq!(
            causes("One long paragraph.\n\nAnother.\n"),
            (1, Counted::Prose)
        );
        assert_eq!(causes("<!-- none -->\n"), (0, Counted::Nothing));
    }

    fn items(body: &str) -> Vec<ActionItem> {
        parse(&format!("## Action Items\n\n{body}"), &cfg()).action_items
    }

    fn given(s: &str) -> Field {
        Field::Given(s.into())
    }

    fn missing(s: &str) -> Field {
        Field::Missing(s.into())
    }

    #[test]
    fn table_rows_find_their_columns_by_header() {
        let got = items(
            "| # | Action | Assignee | State | Deadline |\n|---|---|---|---|---|\n\
             | 1 | Fix the leak | ana | open | 2026-01-15 |\n\
             | 2 | Add alerts | TBD | | 2026-02-30 |\n\
             |  |  |  |  |  |\n\n\
             | Action | Owner |\n|---|---|\n| Drill | bo |\n",
        );
        assert_eq!(got.len(), 3);
        assert_eq!(
            (&got[0].text, got[0].line, got[0].missing()),
            (&"Fix the leak".to_string(), 5, vec![])
        );
        assert_eq!(got[0].due, given("2026-01-15"));
        assert_eq!(got[1].text, "Add alerts");
        assert_eq!(
            got[1].owner,
            missing("its Assignee cell is `TBD`, a placeholder")
        );
        assert_eq!(got[1].status, missing("its State cell is empty"));
        assert_eq!(
            got[1].due,
            missing("its Deadline cell is `2026-02-30`, not a YYYY-MM-DD date")
        );
        assert_eq!(got[2].owner, given("bo"));
        assert_eq!(
            got[2].status,
            missing("the table has no Status or State column")
        );
        assert_eq!(
            got[2].due,
            missing("the table has no Due, Due date, Deadline or ETA column")
        );
    }

    #[test]
    fn list_items_carry_fields_mentions_and_task_boxes() {
        let got = items(
            "- Fix the leak — owner: ana, status: open, due: 2026-01-15\n\
             - [x] Add alerts @bo (due 2026-02-01)\n\
             - Drill; **Owner:** cy; Status: in progress; Due Date: soon\n\
             - Page on errors\n  - owner: di\n  - state: blocked | eta: 2026-03-01\n\
             - [ ] Mail ops@example.com Status:planned Due:2026-04-01\n\
             - Nothing here\n",
        );
        let fields: Vec<(Field, Field, Field)> = got
            .iter()
            .map(|i| (i.owner.clone(), i.status.clone(), i.due.clone()))
            .collect();
        assert_eq!(
            fields,
            vec![
                (given("ana"), given("open"), given("2026-01-15")),
                (given("@bo"), given("done"), given("2026-02-01")),
                (
                    given("cy"),
                    given("in progress"),
                    missing("its `Due Date:` field is `soon`, not a YYYY-MM-DD date")
                ),
                (given("di"), given("blocked"), given("2026-03-01")),
                (
                    missing("no `owner:` field or @name"),
                    given("planned"),
                    given("2026-04-01")
                ),
                (
                    missing("no `owner:` field or @name"),
                    missing("no `status:` field or task box"),
                    missing("no `due:` field")
                ),
            ]
        );
        assert_eq!(
            got.iter().map(|i| i.line).collect::<Vec<_>>(),
            [3, 4, 5, 6, 9, 10]
        );
    }

    #[test]
    fn fields_stop_at_separators_and_the_next_field() {
        let [o, s, d] = fields("owner: ana status: open due 2026-01-15 - more");
        assert_eq!(o, ("owner".into(), Some("ana".into())));
        assert_eq!(s, ("status".into(), Some("open".into())));
        assert_eq!(d, ("due".into(), Some("2026-01-15".into())));
        // `due` inside a word, or without a colon or date, is no field.
        let [_, _, d] = fields("overdue: x, due soon");
        assert_eq!(d.1, None);
        assert_eq!(mention("mail a@b.c or (@ana-b.)"), Some("@ana-b".into()));
        assert_eq!(description("Fix it — owner: a, due: 2026-01-01"), "Fix it");
        assert_eq!(description("Drill; Owner: cy"), "Drill");
        assert_eq!(description("Owner: cy"), "Owner: cy");
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "",
            "#",
            "## Action Items\n|",
            "## Action Items\n- owner:",
            "- due 2026-01-0",
            "## Action Items\n- ownér: é, due:\u{0301}",
            "## Root Cause\n#### a\n## b\n",
        ] {
            let _ = parse(text, &cfg());
        }
    }
}
