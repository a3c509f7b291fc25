//! The one place that talks to the YAML parser.
//!
//! Everything docgate reads as YAML (config, frontmatter) goes through
//! [`parse`], which returns a small tree of [`Node`]s that remember their line
//! and column, so every later validation error can name the exact place.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting accepted; deeper input is refused instead of risking the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// 1-based line of the node's first character.
    pub line: usize,
    /// 1-based column of the node's first character.
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A plain `null`, `~` or empty value.
    Null,
    Scalar {
        value: String,
        /// Written without quotes (so `true`, `12` keep their YAML meaning).
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (line {}, column {})",
            self.message, self.line, self.col
        )
    }
}

impl Node {
    /// What kind of value this is, for error messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Scalar { plain: true, value } if is_bool(value) => "a boolean",
            Kind::Scalar { plain: true, value } if value.parse::<f64>().is_ok() => "a number",
            Kind::Scalar { .. } => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The text of a scalar that is a string (quoted, or plain and not a
    /// boolean). Numbers written plain count as strings (`id: 42`).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, plain } if !*plain || !is_bool(value) => Some(value),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Scalar { value, plain: true } => match value.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match &self.kind {
            Kind::Scalar { value, plain: true } => value.parse().ok(),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` in a mapping (the last one, if repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `bytes`.
pub fn position_of(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let col = 1 + String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count();
    (line, col)
}

fn is_bool(value: &str) -> bool {
    matches!(
        value,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
    )
}

fn is_null(value: &str) -> bool {
    matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

/// Parse the first YAML document of `text`. `Ok(None)` means the text holds no
/// document at all (empty or only comments). More than one document is an error.
pub fn parse(text: &str) -> Result<Option<Node>, YamlError> {
    // The scanner takes a NUL for the end of the input and silently drops
    // everything after it (`feature_lists:\0…` read as no feature lists at
    // all). YAML text cannot contain one: refuse the file instead.
    if let Some(at) = text.find('\0') {
        let (line, col) = position_of(text.as_bytes(), at);
        return Err(YamlError {
            line,
            col,
            message: "a NUL byte: YAML text cannot contain one (is this a binary file?)".into(),
        });
    }
    let mut builder = Builder {
        lines: Lines::new(text),
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    // Pull the events one at a time instead of `Parser::load`: `load` recurses
    // once per nesting level, so 10,000 nested block sequences (`- - - … x`)
    // overflowed the stack before the builder's depth limit could refuse them.
    // Stopping at the builder's first error also means an alias bomb or a
    // too-deep document is never read further.
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| {
            let m = e.marker();
            let mut message = e.info().to_string();
            if message.contains("unknown anchor") {
                message.push_str(
                    ": a value starting with `*` is a YAML alias; quote globs like \"**/*.py\"",
                );
            }
            let (line, col) = builder.lines.position(m);
            YamlError { line, col, message }
        })?;
        let end = ev == Event::StreamEnd;
        builder.on_event(ev, mark);
        if end || builder.error.is_some() {
            break;
        }
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    if builder.documents.len() > 1 {
        let second = &builder.documents[1];
        return Err(YamlError {
            line: second.line,
            col: second.col,
            message: "more than one YAML document; expected exactly one".into(),
        });
    }
    Ok(builder.documents.into_iter().next())
}

/// Where each line starts, in characters, to turn a scanner position into a
/// line and column. The scanner's own line count also breaks at a lone `\r`
/// (YAML's rule) and can point one line past the end of the input; docgate's
/// lines are `\n`-separated everywhere else (snippets, annotations, editors),
/// so positions come from the character index instead.
#[derive(Default)]
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.chars()
                .enumerate()
                .filter(|&(_, c)| c == '\n')
                .map(|(i, _)| i + 1),
        );
        Lines { starts }
    }

    /// 1-based line and column of a scanner position.
    fn position(&self, mark: &Marker) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= mark.index()).max(1);
        (line, mark.index() - self.starts[line - 1] + 1)
    }
}

#[derive(Default)]
struct Builder {
    lines: Lines,
    stack: Vec<Node>,
    documents: Vec<Node>,
    error: Option<YamlError>,
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(parent) => match &mut parent.kind {
                Kind::Seq(items) => items.push(node),
                Kind::Map(entries) => {
                    // Keys and values arrive alternately; an entry whose value is
                    // still missing holds a Null placeholder at column 0.
                    match entries.last_mut() {
                        Some((_, value)) if value.col == 0 => *value = node,
                        _ => {
                            let placeholder = Node {
                                kind: Kind::Null,
                                line: node.line,
                                col: 0,
                            };
                            entries.push((node, placeholder));
                        }
                    }
                }
                _ => unreachable!("only collections are pushed on the stack"),
            },
        }
    }

    fn fail(&mut self, mark: Marker, message: &str) {
        if self.error.is_none() {
            let (line, col) = self.lines.position(&mark);
            self.error = Some(YamlError {
                line,
                col,
                message: message.to_string(),
            });
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let (line, col) = self.lines.position(&mark);
        match ev {
            Event::Scalar(value, style, _, _) => {
                let plain = style == TScalarStyle::Plain;
                let kind = if plain && is_null(&value) {
                    Kind::Null
                } else {
                    Kind::Scalar { value, plain }
                };
                self.push_value(Node { kind, line, col });
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(mark, "nesting deeper than 64 levels");
                    return;
                }
                let kind = if matches!(ev, Event::SequenceStart(..)) {
                    Kind::Seq(Vec::new())
                } else {
                    Kind::Map(Vec::new())
                };
                self.stack.push(Node { kind, line, col });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(node) = self.stack.pop() {
                    self.push_value(node);
                }
            }
            Event::Alias(_) => self.fail(
                mark,
                "YAML aliases are not supported; quote values that start with `*`",
            ),
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let doc = parse("a: 1\nlist:\n  - x\n  - 'y'\n").unwrap().unwrap();
        let list = doc.get("list").unwrap();
        let items = list.as_seq().unwrap();
        assert_eq!((items[0].line, items[0].col), (3, 5));
        assert_eq!(items[1].as_str(), Some("y"));
        assert_eq!(doc.get("a").unwrap().as_u64(), Some(1));
    }

    #[test]
    fn unquoted_glob_gets_quote_hint() {
        let err = parse("key_files:\n  - **/*.py\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("quote"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let text = "[".repeat(10_000);
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.contains("nesting") || err.message.contains("recursion"),
            "{err}"
        );
    }

    #[test]
    fn deep_block_nesting_is_refused_not_a_stack_overflow() {
        let text = format!("f:\n{}x\n", "- ".repeat(10_000));
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nesting"), "{err}");
    }

    #[test]
    fn a_nul_byte_is_refused_not_taken_for_the_end() {
        let err = parse("a: 1\nb: 2\0\nc: 3\n").unwrap_err();
        assert_eq!((err.line, err.col), (2, 5), "{err}");
        assert!(err.message.contains("NUL"), "{err}");
    }

    #[test]
    fn empty_value_is_null_and_empty_text_is_none() {
        let doc = parse("a:\nb: ~\n").unwrap().unwrap();
        assert_eq!(doc.get("a").unwrap().kind, Kind::Null);
        assert_eq!(doc.get("b").unwrap().kind, Kind::Null);
        assert_eq!(parse("# only a comment\n").unwrap(), None);
    }

    #[test]
    fn two_documents_are_refused() {
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(err.message.contains("more than one"), "{err}");
    }
}
