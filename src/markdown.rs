//! The one place that reads Markdown (post-mortems, the cost log, the index,
//! the policy file): a flat outline of blocks with their 1-based line and
//! column, in document order, and every link. A leading YAML frontmatter
//! block is skipped. Built on `pulldown-cmark`
//! (CommonMark with GitHub tables and task lists), so a `#` inside a code
//! block is no heading and a `|` inside backquotes splits no table cell.
//!
//! Readers never see raw events: they ask for sections (a heading and the
//! blocks until the next heading of the same or a higher level), list items
//! with their depth, table rows with their cells, and links.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

/// What a block is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// `#`..`######` or a setext heading; `level` 1..=6.
    Heading { level: u8 },
    /// A list item. Its text is its own (nested lists are items of their
    /// own, one `depth` deeper; 0 is a top-level list).
    Item {
        depth: usize,
        ordered: bool,
        /// `Some(done)` for a task-list item (`- [ ]`, `- [x]`).
        task: Option<bool>,
    },
    /// A table row; `cells` are the cells' text, trimmed.
    Row { cells: Vec<String>, header: bool },
    /// A paragraph outside lists and tables (also inside block quotes).
    Paragraph,
    /// A fenced or indented code block (its text is the code).
    Code,
    /// Raw HTML. An HTML comment is no content (templates use them as hints).
    Html { comment: bool },
    /// `---`, `***`.
    Rule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The inline text, without Markdown syntax; breaks as spaces; trimmed.
    pub text: String,
    /// 1-based line and column of the block's first character.
    pub line: usize,
    pub col: usize,
}

impl Block {
    /// Does the block say something (not an HTML comment, a rule or blank)?
    pub fn has_content(&self) -> bool {
        match &self.kind {
            BlockKind::Html { comment: true } | BlockKind::Rule => false,
            BlockKind::Row { cells, .. } => cells.iter().any(|c| !c.is_empty()),
            _ => !self.text.is_empty(),
        }
    }
}

/// A link (inline, reference, autolink), with its destination as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: String,
    pub text: String,
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    pub blocks: Vec<Block>,
    pub links: Vec<Link>,
}

/// A heading and what follows it up to the next heading of the same or a
/// higher level (sub-headings and their content included).
#[derive(Debug, Clone, Copy)]
pub struct Section<'o> {
    pub heading: &'o Block,
    pub level: u8,
    pub blocks: &'o [Block],
}

impl Section<'_> {
    /// Does anything in the section say something?
    pub fn has_content(&self) -> bool {
        self.blocks.iter().any(Block::has_content)
    }

    /// Does anything but a heading or a table's header row say something?
    /// Sub-headings with nothing under them, or a table with no rows, leave
    /// a section empty (what an unfilled template looks like).
    pub fn has_body(&self) -> bool {
        self.blocks.iter().any(|b| {
            !matches!(
                b.kind,
                BlockKind::Heading { .. } | BlockKind::Row { header: true, .. }
            ) && b.has_content()
        })
    }

    /// The section's blocks before its first sub-heading.
    pub fn own_blocks(&self) -> &[Block] {
        let end = self
            .blocks
            .iter()
            .position(|b| matches!(b.kind, BlockKind::Heading { .. }))
            .unwrap_or(self.blocks.len());
        &self.blocks[..end]
    }
}

impl Outline {
    /// Every section, in document order.
    pub fn sections(&self) -> Vec<Section<'_>> {
        let mut out = Vec::new();
        for (i, b) in self.blocks.iter().enumerate() {
            let BlockKind::Heading { level } = b.kind else {
                continue;
            };
            let rest = &self.blocks[i + 1..];
            let end = rest
                .iter()
                .position(|n| matches!(n.kind, BlockKind::Heading { level: l } if l <= level))
                .unwrap_or(rest.len());
            out.push(Section {
                heading: b,
                level,
                blocks: &rest[..end],
            });
        }
        out
    }
}

/// Byte offset → 1-based (line, column in characters).
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    fn at(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }
}

/// Where inline text currently goes.
enum Target {
    Block(usize),
    Cell(usize, usize),
    Link(usize),
}

/// Read Markdown. Never fails: any text is some Markdown.
pub fn parse(text: &str) -> Outline {
    let lines = Lines::new(text);
    let mut out = Outline::default();
    // Open list containers: ordered?
    let mut lists: Vec<bool> = Vec::new();
    // Open blocks taking inline text (innermost last), and open links.
    let mut targets: Vec<Target> = Vec::new();
    let mut in_row = false;
    // A leading YAML frontmatter block (`---` ... `---`) is metadata, not a
    // rule and a setext heading.
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let (line, col) = lines.at(range.start);
        let open = |out: &mut Outline, kind: BlockKind| {
            out.blocks.push(Block {
                kind,
                text: String::new(),
                line,
                col,
            });
            out.blocks.len() - 1
        };
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    let i = open(&mut out, BlockKind::Heading { level: level as u8 });
                    targets.push(Target::Block(i));
                }
                Tag::List(first) => lists.push(first.is_some()),
                Tag::Item => {
                    let kind = BlockKind::Item {
                        depth: lists.len().saturating_sub(1),
                        ordered: lists.last().copied().unwrap_or(false),
                        task: None,
                    };
                    let i = open(&mut out, kind);
                    targets.push(Target::Block(i));
                }
                // A paragraph inside an item is the item's text.
                Tag::Paragraph if !matches!(targets.last(), Some(Target::Block(_))) => {
                    let i = open(&mut out, BlockKind::Paragraph);
                    targets.push(Target::Block(i));
                }
                Tag::CodeBlock(_) => {
                    let i = open(&mut out, BlockKind::Code);
                    targets.push(Target::Block(i));
                }
                Tag::HtmlBlock => {
                    let i = open(&mut out, BlockKind::Html { comment: false });
                    targets.push(Target::Block(i));
                }
                Tag::TableHead | Tag::TableRow => {
                    in_row = true;
                    let header = matches!(tag, Tag::TableHead);
                    open(
                        &mut out,
                        BlockKind::Row {
                            cells: Vec::new(),
                            header,
                        },
                    );
                }
                Tag::TableCell if in_row => {
                    let i = out.blocks.len() - 1;
                    if let BlockKind::Row { cells, .. } = &mut out.blocks[i].kind {
                        cells.push(String::new());
                        targets.push(Target::Cell(i, cells.len() - 1));
                    }
                }
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                } => {
                    // `<a@b.c>` links to `mailto:a@b.c`, as it renders.
                    let target = match link_type {
                        LinkType::Email => format!("mailto:{dest_url}"),
                        _ => dest_url.to_string(),
                    };
                    out.links.push(Link {
                        target,
                        text: String::new(),
                        line,
                        col,
                    });
                    targets.push(Target::Link(out.links.len() - 1));
                }
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::TableCell
                | TagEnd::Link => {
                    targets.pop();
                }
                TagEnd::Paragraph => {
                    // Only the paragraphs that opened a block of their own.
                    match targets.last() {
                        Some(Target::Block(i)) if out.blocks[*i].kind == BlockKind::Paragraph => {
                            targets.pop();
                        }
                        // A paragraph of an item: the next one is a new sentence.
                        _ => push_text(&mut out, &targets, " "),
                    }
                }
                TagEnd::List(_) => {
                    lists.pop();
                }
                TagEnd::TableHead | TagEnd::TableRow => in_row = false,
                _ => {}
            },
            Event::Text(t) | Event::Code(t) => push_text(&mut out, &targets, &t),
            Event::InlineMath(t) | Event::DisplayMath(t) => push_text(&mut out, &targets, &t),
            Event::Html(t) | Event::InlineHtml(t) => {
                if let Some(Target::Block(i)) = targets.last() {
                    let b = &mut out.blocks[*i];
                    if let BlockKind::Html { .. } = b.kind {
                        b.text.push_str(&t);
                        let t = b.text.trim();
                        b.kind = BlockKind::Html {
                            comment: t.starts_with("<!--") && t.ends_with("-->"),
                        };
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => push_text(&mut out, &targets, " "),
            Event::TaskListMarker(done) => {
                if let Some(b) = out.blocks.last_mut()
                    && let BlockKind::Item { task, .. } = &mut b.kind
                {
                    *task = Some(done);
                }
            }
            Event::Rule => {
                open(&mut out, BlockKind::Rule);
            }
            Event::FootnoteReference(_) => {}
        }
    }
    for b in &mut out.blocks {
        let trimmed = b.text.trim();
        if trimmed.len() != b.text.len() {
            b.text = trimmed.to_string();
        }
        if let BlockKind::Row { cells, .. } = &mut b.kind {
            for c in cells {
                *c = c.trim().to_string();
            }
        }
    }
    for l in &mut out.links {
        l.text = l.text.trim().to_string();
    }
    out
}

/// Inline text goes to the innermost block or cell, and to every open link.
fn push_text(out: &mut Outline, targets: &[Target], text: &str) {
    for t in targets.iter().rev() {
        if let Target::Link(i) = t {
            out.links[*i].text.push_str(text);
        }
    }
    match targets.iter().rev().find(|t| !matches!(t, Target::Link(_))) {
        Some(Target::Block(i)) => out.blocks[*i].text.push_str(text),
        Some(Target::Cell(i, c)) => {
            if let BlockKind::Row { cells, .. } = &mut out.blocks[*i].kind {
                cells[*c].push_str(text);
            }
        }
        _ => {}
    }
}

/// The number an ordered list item is written with (`3.` or `3)`), read
/// from `source` (the text the outline was parsed from) at the item's
/// position; `None` for an unordered item or a block that is no item.
pub fn item_number(source: &str, item: &Block) -> Option<u64> {
    if !matches!(item.kind, BlockKind::Item { ordered: true, .. }) {
        return None;
    }
    let line = source.lines().nth(item.line.checked_sub(1)?)?;
    let rest: String = line.chars().skip(item.col.checked_sub(1)?).collect();
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The text of a heading compared case-insensitively and without the
/// decorations people put around section names (`1. Summary`, `Summary:`).
pub fn heading_key(text: &str) -> String {
    let t = text.trim();
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')');
    t.trim()
        .trim_end_matches(':')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Title\n\n## Root Causes\n\n1. first *cause*\n   - detail\n2. `second`\n\n\
        ### Third\n\ntext\n\n## Action Items\n\n| Owner | Status |\n|---|---|\n| a\\|b | open |\n\n\
        <!-- fill in -->\n\nsee [the doc](../x.md) and <https://example.com>\n\n```\n# not a heading\n```\n\
        - [x] done\n";

    fn kinds(o: &Outline) -> Vec<(String, usize)> {
        o.blocks
            .iter()
            .map(|b| {
                let k = match &b.kind {
                    BlockKind::Heading { level } => format!("h{level}"),
                    BlockKind::Item {
                        depth,
                        ordered,
                        task,
                    } => {
                        format!("item{depth}{}{task:?}", if *ordered { "o" } else { "u" })
                    }
                    BlockKind::Row { cells, header } => format!("row{header}{cells:?}"),
                    BlockKind::Paragraph => "p".into(),
                    BlockKind::Code => "code".into(),
                    BlockKind::Html { comment } => format!("html{comment}"),
                    BlockKind::Rule => "rule".into(),
                };
                (format!("{k}:{}", b.text), b.line)
            })
            .collect()
    }

    #[test]
    fn blocks_in_order_with_lines() {
        let o = parse(DOC);
        let k = kinds(&o);
        let want: Vec<(String, usize)> = [
            ("h1:Title", 1),
            ("h2:Root Causes", 3),
            ("item0oNone:first cause", 5),
            ("item1uNone:detail", 6),
            ("item0oNone:second", 7),
            ("h3:Third", 9),
            ("p:text", 11),
            ("h2:Action Items", 13),
            ("rowtrue[\"Owner\", \"Status\"]:", 15),
            ("rowfalse[\"a|b\", \"open\"]:", 17),
            ("htmltrue:<!-- fill in -->", 19),
            ("p:see the doc and https://example.com", 21),
            ("code:# not a heading", 23),
            ("item0uSome(true):done", 26),
        ]
        .map(|(s, l)| (s.to_string(), l))
        .to_vec();
        assert_eq!(k, want);
        assert_eq!(
            o.links,
            vec![
                Link {
                    target: "../x.md".into(),
                    text: "the doc".into(),
                    line: 21,
                    col: 5
                },
                Link {
                    target: "https://example.com".into(),
                    text: "https://example.com".into(),
                    line: 21,
                    col: 28
                },
            ]
        );
    }

    #[test]
    fn sections_end_at_the_next_heading_of_their_level() {
        let o = parse(DOC);
        let s = o.sections();
        let names: Vec<(&str, usize)> = s
            .iter()
            .map(|s| (s.heading.text.as_str(), s.blocks.len()))
            .collect();
        // Root Causes holds its items, the `### Third` heading and its text.
        assert_eq!(
            names,
            vec![
                ("Title", 13),
                ("Root Causes", 5),
                ("Third", 1),
                ("Action Items", 6)
            ]
        );
        assert_eq!(s[1].own_blocks().len(), 3);
        assert!(s[2].has_content());
        let empty = parse("## A\n\n<!-- hint -->\n\n---\n\n## B\n");
        assert!(!empty.sections()[0].has_content());
    }

    #[test]
    fn a_loose_list_item_keeps_its_paragraph_text() {
        let o = parse("- one\n\n  more\n\n- two\n");
        let k = kinds(&o);
        assert_eq!(
            k,
            vec![
                ("item0uNone:one more".to_string(), 1),
                ("item0uNone:two".to_string(), 5)
            ]
        );
    }

    #[test]
    fn setext_headings_and_columns_in_characters() {
        let o = parse("Summary\n=======\n\nété [l](a.md)\n");
        assert_eq!(o.blocks[0].kind, BlockKind::Heading { level: 1 });
        assert_eq!(o.links[0].col, 5);
    }

    #[test]
    fn a_body_is_more_than_headings_and_a_table_header() {
        let o = parse(
            "## Lessons\n\n### Well\n\n## Items\n\n| Owner | Due |\n|---|---|\n\n## Next\n\n### Sub\n\n- x\n",
        );
        let s = o.sections();
        let body: Vec<(&str, bool, bool)> = s
            .iter()
            .map(|s| (s.heading.text.as_str(), s.has_content(), s.has_body()))
            .collect();
        assert_eq!(
            body,
            vec![
                ("Lessons", true, false),
                ("Well", false, false),
                ("Items", true, false),
                ("Next", true, true),
                ("Sub", true, true),
            ]
        );
    }

    #[test]
    fn frontmatter_is_no_content() {
        let o = parse("---\nid: pm-01\ntitle: x\n---\n\n# Title\n");
        let k = kinds(&o);
        assert_eq!(k, vec![("h1:Title".to_string(), 6)]);
    }

    #[test]
    fn item_numbers_as_written() {
        let text = "1. a\n2. b\n\n  7) c\n- d\n\n> 12. quoted\n";
        let o = parse(text);
        let numbers: Vec<(String, Option<u64>)> = o
            .blocks
            .iter()
            .map(|b| (b.text.clone(), item_number(text, b)))
            .collect();
        assert_eq!(
            numbers,
            [
                ("a", Some(1)),
                ("b", Some(2)),
                ("c", Some(7)),
                ("d", None),
                ("quoted", Some(12))
            ]
            .map(|(t, n)| (t.to_string(), n))
            .to_vec()
        );
    }

    #[test]
    fn an_email_autolink_is_a_mailto_link() {
        let o = parse("<ops@example.com> <https://x.org> [a](b.md)\n");
        let targets: Vec<&str> = o.links.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(targets, ["mailto:ops@example.com", "https://x.org", "b.md"]);
    }

    #[test]
    fn heading_keys_ignore_case_numbers_and_colons() {
        assert_eq!(heading_key(" 3. Root  Causes: "), "root causes");
        assert_eq!(heading_key("What went WELL"), "what went well");
    }
}
