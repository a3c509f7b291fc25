//! Exception handlers that can finish without raising (SPEC §6): what
//! `silent-fallback` reads.

use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Tree};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackKind {
    /// `except ...:` (or bare `except:`)
    Except,
    /// `except* ...:`
    ExceptStar,
    /// a call of `contextlib.suppress(...)` (or of `suppress` imported from contextlib)
    Suppress,
    /// `return`, `break` or `continue` in a `finally` block: discards the exception in flight
    FinallyExit,
}

/// How a handler finishes without raising.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// Reaches the end of its body.
    FallsThrough,
    Returns,
    Breaks,
    Continues,
    /// `contextlib.suppress`: the exception is dropped by design.
    Suppressed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub kind: FallbackKind,
    /// The `except` keyword, the `suppress` call or the `return`/`break`/`continue` in `finally`; 1-based, column in characters.
    pub line: usize,
    pub column: usize,
    /// Last line of the handler (its body); for a call, of the call.
    pub end_line: usize,
    /// What it catches as written (`ValueError`, `(KeyError, IndexError)`,
    /// `Exception as e`, `""` for a bare `except:`; the arguments of `suppress`).
    pub catches: String,
    /// How it finishes without raising, and the line where it does
    /// (for `FallsThrough`, the handler's last line).
    pub exit: ExitKind,
    pub exit_line: usize,
}

/// The silent fallbacks of a parsed file, in source order (line, then column).
///
/// - Every `except` / `except*` clause anywhere in the file whose body can
///   finish without raising (the analysis: `handler_flow`).
/// - Every call of `contextlib.suppress` with at least one argument. The
///   callee is recognised as `contextlib.suppress` (always), `<alias>.suppress`
///   after `import contextlib as <alias>`, and `suppress` / `<alias>` after
///   `from contextlib import suppress [as <alias>]` or `from contextlib import *`.
///   Imports count wherever they stand in the file (any scope, before or after
///   the call): a function may run after a later module-level import.
/// - Every `return`, `break` or `continue` that leaves a `finally` block.
///
/// The walk over the tree uses an explicit stack (no recursion), and every
/// slice of `src` is char-boundary safe, so a tree that does not match `src`
/// gives odd texts but never a panic.
pub fn fallbacks(tree: &Tree, src: &str) -> Vec<Fallback> {
    let mut found = Vec::new();
    let mut contextlib = ContextlibNames::default();
    let mut suppress_calls: Vec<(Node<'_>, Callee)> = Vec::new();
    let mut flows = Flows::new();
    let mut cursor = tree.walk();
    let mut stack: Vec<(Node<'_>, Finally)> = vec![(tree.root_node(), Finally::default())];
    while let Some((node, ctx)) = stack.pop() {
        match node.kind() {
            "except_clause" | "except_group_clause" => {
                if let Some(f) = handler_finding(node, src, &mut flows) {
                    found.push(f);
                }
            }
            "call" => {
                if let Some(callee) = suppress_callee(node, src) {
                    suppress_calls.push((node, callee));
                }
            }
            "import_statement" => contextlib.read_import(node, src),
            "import_from_statement" => contextlib.read_import_from(node, src),
            "return_statement" if ctx.returns_leave => {
                found.push(finally_exit(node, src, ExitKind::Returns));
            }
            "break_statement" if ctx.loops_leave => {
                found.push(finally_exit(node, src, ExitKind::Breaks));
            }
            "continue_statement" if ctx.loops_leave => {
                found.push(finally_exit(node, src, ExitKind::Continues));
            }
            _ => {}
        }
        let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
        let loop_body = match node.kind() {
            "for_statement" | "while_statement" => node.child_by_field_name("body").map(|b| b.id()),
            _ => None,
        };
        for child in children.into_iter().rev() {
            let child_ctx = match node.kind() {
                "finally_clause" => Finally {
                    returns_leave: true,
                    loops_leave: true,
                },
                "function_definition" | "class_definition" | "lambda" => Finally::default(),
                _ if Some(child.id()) == loop_body => Finally {
                    returns_leave: ctx.returns_leave,
                    loops_leave: false,
                },
                _ => ctx,
            };
            stack.push((child, child_ctx));
        }
    }
    for (call, callee) in suppress_calls {
        if contextlib.is_suppress(&callee)
            && let Some(f) = suppress_finding(call, src)
        {
            found.push(f);
        }
    }
    found.sort_by_key(|f| (f.line, f.column));
    found
}

/// Where a `return` (`returns_leave`) or a `break`/`continue` (`loops_leave`)
/// would leave a `finally` block.
#[derive(Debug, Clone, Copy, Default)]
struct Finally {
    returns_leave: bool,
    loops_leave: bool,
}

/// The text of `node`, or `""` where the tree does not fit `src`.
fn text<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    src.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

fn line(node: Node<'_>) -> usize {
    node.start_position().row + 1
}

/// The last line of a node (a node ending at the start of a line ends on the line before).
fn last_line(node: Node<'_>) -> usize {
    let (start, end) = (node.start_position(), node.end_position());
    if end.column == 0 && end.row > start.row {
        end.row
    } else {
        end.row + 1
    }
}

/// 1-based character column of a byte offset, safe for any offset.
fn column(src: &str, byte: usize) -> usize {
    let mut byte = byte.min(src.len());
    while !src.is_char_boundary(byte) {
        byte -= 1;
    }
    crate::python::column(src, byte)
}

/// The named children of a node, comments left out (for a block: its statements).
fn named<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect()
}

fn first_child_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).find(|c| c.kind() == kind)
}

/// A dotted name as written, without spaces or comments: `a.b.c`.
fn dotted(node: Node<'_>, src: &str) -> String {
    if node.kind() != "dotted_name" {
        return text(node, src).to_string();
    }
    let mut cursor = node.walk();
    let parts: Vec<&str> = node
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "identifier")
        .map(|c| text(c, src))
        .collect();
    parts.join(".")
}

fn handler_finding(clause: Node<'_>, src: &str, flows: &mut Flows) -> Option<Fallback> {
    let mut cursor = clause.walk();
    let children: Vec<Node<'_>> = clause.children(&mut cursor).collect();
    let colon = children.iter().position(|c| c.kind() == ":");
    let before_colon = &children[..colon.unwrap_or(children.len())];
    let star = before_colon.iter().find(|c| c.kind() == "*");
    let kind = if star.is_some() || clause.kind() == "except_group_clause" {
        FallbackKind::ExceptStar
    } else {
        FallbackKind::Except
    };
    let catches = match (colon, children.first()) {
        (Some(colon), Some(keyword)) => {
            let from = star.unwrap_or(keyword).end_byte();
            src.get(from..children[colon].start_byte())
                .unwrap_or("")
                .trim()
                .to_string()
        }
        _ => String::new(),
    };
    let body = children.iter().rev().find(|c| c.kind() == "block").copied();
    // A clause without a body exists only in a broken tree: treated as an
    // empty body, which finishes (fail closed).
    let (flow, end_line) = match body {
        Some(body) => (
            handler_flow(body, src, flows),
            named(body)
                .last()
                .map_or(last_line(body), |s| last_line(*s)),
        ),
        None => (Flow::NORMAL, last_line(clause)),
    };
    let (exit, exit_line) = flow.exit(end_line)?;
    Some(Fallback {
        kind,
        line: line(clause),
        column: column(src, clause.start_byte()),
        end_line,
        catches,
        exit,
        exit_line,
    })
}

fn finally_exit(stmt: Node<'_>, src: &str, exit: ExitKind) -> Fallback {
    Fallback {
        kind: FallbackKind::FinallyExit,
        line: line(stmt),
        column: column(src, stmt.start_byte()),
        end_line: line(stmt),
        catches: String::new(),
        exit,
        exit_line: line(stmt),
    }
}

/// A call's callee, in the shapes that can be `contextlib.suppress`.
enum Callee {
    /// `name(...)`
    Name(String),
    /// `module.suppress(...)`
    Module(String),
}

fn suppress_callee(call: Node<'_>, src: &str) -> Option<Callee> {
    let function = call.child_by_field_name("function")?;
    match function.kind() {
        "identifier" => Some(Callee::Name(text(function, src).to_string())),
        "attribute" => {
            let object = function.child_by_field_name("object")?;
            let attribute = function.child_by_field_name("attribute")?;
            (object.kind() == "identifier" && text(attribute, src) == "suppress")
                .then(|| Callee::Module(text(object, src).to_string()))
        }
        _ => None,
    }
}

/// The names under which `contextlib` and `contextlib.suppress` are bound.
#[derive(Default)]
struct ContextlibNames {
    /// `import contextlib as <alias>` (`contextlib` itself is always accepted).
    modules: HashSet<String>,
    /// `from contextlib import suppress [as <alias>]`, `from contextlib import *`.
    suppress: HashSet<String>,
}

impl ContextlibNames {
    fn read_import(&mut self, stmt: Node<'_>, src: &str) {
        let mut cursor = stmt.walk();
        for name in stmt.children_by_field_name("name", &mut cursor) {
            if name.kind() != "aliased_import" {
                continue;
            }
            let (Some(module), Some(alias)) = (
                name.child_by_field_name("name"),
                name.child_by_field_name("alias"),
            ) else {
                continue;
            };
            if dotted(module, src) == "contextlib" {
                self.modules.insert(text(alias, src).to_string());
            }
        }
    }

    fn read_import_from(&mut self, stmt: Node<'_>, src: &str) {
        let Some(module) = stmt.child_by_field_name("module_name") else {
            return;
        };
        if module.kind() != "dotted_name" || dotted(module, src) != "contextlib" {
            return;
        }
        if first_child_of_kind(stmt, "wildcard_import").is_some() {
            self.suppress.insert("suppress".to_string());
        }
        let mut cursor = stmt.walk();
        for name in stmt.children_by_field_name("name", &mut cursor) {
            match name.kind() {
                "dotted_name" if dotted(name, src) == "suppress" => {
                    self.suppress.insert("suppress".to_string());
                }
                "aliased_import" => {
                    let (Some(imported), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) else {
                        continue;
                    };
                    if dotted(imported, src) == "suppress" {
                        self.suppress.insert(text(alias, src).to_string());
                    }
                }
                _ => {}
            }
        }
    }

    fn is_suppress(&self, callee: &Callee) -> bool {
        match callee {
            Callee::Name(name) => self.suppress.contains(name),
            Callee::Module(module) => module == "contextlib" || self.modules.contains(module),
        }
    }
}

/// A `suppress(...)` call with at least one argument (one without suppresses nothing).
fn suppress_finding(call: Node<'_>, src: &str) -> Option<Fallback> {
    let arguments = call.child_by_field_name("arguments")?;
    let inner = match arguments.kind() {
        "argument_list" => {
            let mut cursor = arguments.walk();
            let has_argument = arguments
                .named_children(&mut cursor)
                .any(|a| a.kind() != "comment");
            if !has_argument {
                return None;
            }
            let open = first_child_of_kind(arguments, "(").map(|p| p.end_byte());
            let close = first_child_of_kind(arguments, ")").map(|p| p.start_byte());
            match (open, close) {
                (Some(open), Some(close)) => src.get(open..close).unwrap_or(""),
                _ => text(arguments, src),
            }
        }
        // `suppress(e for e in errors)`: one argument, the generator.
        _ => {
            let all = text(arguments, src);
            all.strip_prefix('(')
                .and_then(|a| a.strip_suffix(')'))
                .unwrap_or(all)
        }
    };
    Some(Fallback {
        kind: FallbackKind::Suppress,
        line: line(call),
        column: column(src, call.start_byte()),
        end_line: last_line(call),
        catches: inner.trim().to_string(),
        exit: ExitKind::Suppressed,
        exit_line: line(call),
    })
}

/// The flows of the compound statements analysed so far, by node id.
type Flows = HashMap<usize, Flow>;

/// A statement that leaves the block it stands in: where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Escape {
    byte: usize,
    line: usize,
}

/// How a statement (or a statement list) can end, when it is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Flow {
    /// It can reach its end and go on with the next statement.
    normal: bool,
    /// The first reachable `return` in it.
    returns: Option<Escape>,
    /// The first reachable `break` / `continue` that leaves it (their loop is outside).
    breaks: Option<Escape>,
    continues: Option<Escape>,
}

impl Flow {
    const NORMAL: Flow = Flow {
        normal: true,
        returns: None,
        breaks: None,
        continues: None,
    };
    const STOPS: Flow = Flow {
        normal: false,
        ..Flow::NORMAL
    };

    fn escape(stmt: Node<'_>) -> Option<Escape> {
        Some(Escape {
            byte: stmt.start_byte(),
            line: line(stmt),
        })
    }

    /// Adds the escapes of `other` (not its `normal`).
    fn absorb(&mut self, other: &Flow) {
        fn first(a: Option<Escape>, b: Option<Escape>) -> Option<Escape> {
            match (a, b) {
                (Some(a), Some(b)) => Some(if b.byte < a.byte { b } else { a }),
                (a, b) => a.or(b),
            }
        }
        self.returns = first(self.returns, other.returns);
        self.breaks = first(self.breaks, other.breaks);
        self.continues = first(self.continues, other.continues);
    }

    /// For a handler body: the first way out in source order, or falling
    /// through at `end_line`; `None` when every path raises.
    fn exit(&self, end_line: usize) -> Option<(ExitKind, usize)> {
        let escapes = [
            (self.returns, ExitKind::Returns),
            (self.breaks, ExitKind::Breaks),
            (self.continues, ExitKind::Continues),
        ];
        let first = escapes
            .iter()
            .filter_map(|(e, k)| e.map(|e| (e, *k)))
            .min_by_key(|(e, _)| e.byte);
        match first {
            Some((e, kind)) => Some((kind, e.line)),
            None if self.normal => Some((ExitKind::FallsThrough, end_line)),
            None => None,
        }
    }
}

/// Calls that end the process: an expression statement that is one of these
/// calls never finishes. Matched as written (`sys.exit`, `os._exit`, ...); an
/// aliased module (`import sys as s; s.exit()`) is not recognised, so such a
/// handler is reported (fail closed).
const PROCESS_EXITS: &[(Option<&str>, &str)] = &[
    (Some("sys"), "exit"),
    (None, "exit"),
    (None, "quit"),
    (Some("os"), "_exit"),
    (Some("os"), "abort"),
];

fn is_process_exit(stmt: Node<'_>, src: &str) -> bool {
    let parts = named(stmt);
    let [call] = parts.as_slice() else {
        return false;
    };
    if call.kind() != "call" {
        return false;
    }
    let Some(function) = call.child_by_field_name("function") else {
        return false;
    };
    let written = match function.kind() {
        "identifier" => (None, text(function, src)),
        "attribute" => {
            let (Some(object), Some(attribute)) = (
                function.child_by_field_name("object"),
                function.child_by_field_name("attribute"),
            ) else {
                return false;
            };
            if object.kind() != "identifier" {
                return false;
            }
            (Some(text(object, src)), text(attribute, src))
        }
        _ => return false,
    };
    PROCESS_EXITS.contains(&written)
}

/// `while True:` / `while 1:` (also parenthesised, or any non-zero integer).
fn is_forever(condition: Node<'_>, src: &str) -> bool {
    let mut c = condition;
    while c.kind() == "parenthesized_expression" {
        let inner = named(c);
        let [inner] = inner.as_slice() else {
            return false;
        };
        c = *inner;
    }
    match c.kind() {
        "true" => true,
        "integer" => {
            let digits = text(c, src).to_ascii_lowercase().replace('_', "");
            let digits = ["0x", "0o", "0b"]
                .iter()
                .find_map(|p| digits.strip_prefix(p))
                .unwrap_or(&digits);
            digits.chars().any(|d| d != '0')
        }
        _ => false,
    }
}

/// `case _:`, `case name:` or `case <irrefutable> as name:`, without a guard.
fn is_irrefutable(case: Node<'_>) -> bool {
    if case.child_by_field_name("guard").is_some() {
        return false;
    }
    let patterns: Vec<Node<'_>> = named(case)
        .into_iter()
        .filter(|n| n.kind() == "case_pattern")
        .collect();
    let [pattern] = patterns.as_slice() else {
        return false;
    };
    let mut pattern = *pattern;
    loop {
        let inner = named(pattern);
        match inner.as_slice() {
            [] => return first_child_of_kind(pattern, "_").is_some(),
            [only] if only.kind() == "dotted_name" => return named(*only).len() == 1,
            [only] if only.kind() == "as_pattern" => match named(*only).first() {
                Some(p) if p.kind() == "case_pattern" => pattern = *p,
                _ => return false,
            },
            _ => return false,
        }
    }
}

/// What a part of a compound statement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `if`/`elif` branch, loop body, `try` body, `with` body.
    Body,
    /// A `case` block; `true`: its pattern is irrefutable.
    Case(bool),
    Else,
    Handler,
    Finally,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    If,
    Match,
    /// `true`: `while True:`.
    Loop(bool),
    Try,
    With,
}

struct Compound<'t> {
    /// The statement's node id (its flow is cached under it).
    id: usize,
    shape: Shape,
    parts: Vec<(Role, Node<'t>)>,
    results: Vec<Flow>,
}

struct Block<'t> {
    statements: Vec<Node<'t>>,
    next: usize,
    flow: Flow,
}

enum Frame<'t> {
    Block(Block<'t>),
    Compound(Compound<'t>),
}

impl<'t> Frame<'t> {
    fn block(block: Node<'t>) -> Frame<'t> {
        Frame::Block(Block {
            statements: named(block),
            next: 0,
            flow: Flow::NORMAL,
        })
    }
}

/// A statement: its flow if it holds no statements, or its parts.
enum Step<'t> {
    Simple(Flow),
    Compound(Compound<'t>),
}

fn step<'t>(stmt: Node<'t>, src: &str) -> Step<'t> {
    let compound = |shape, parts| {
        Step::Compound(Compound {
            id: stmt.id(),
            shape,
            parts,
            results: Vec::new(),
        })
    };
    let body = |n: Node<'t>, field: &str| n.child_by_field_name(field);
    // The parts of `else:`, `elif ...:`, `except ...:`, `finally:` clauses.
    let clause_block = |n: Node<'t>| {
        n.child_by_field_name("body")
            .or_else(|| first_child_of_kind(n, "block"))
    };
    match stmt.kind() {
        "raise_statement" => Step::Simple(Flow::STOPS),
        "return_statement" => Step::Simple(Flow {
            returns: Flow::escape(stmt),
            ..Flow::STOPS
        }),
        "break_statement" => Step::Simple(Flow {
            breaks: Flow::escape(stmt),
            ..Flow::STOPS
        }),
        "continue_statement" => Step::Simple(Flow {
            continues: Flow::escape(stmt),
            ..Flow::STOPS
        }),
        "expression_statement" if is_process_exit(stmt, src) => Step::Simple(Flow::STOPS),
        "if_statement" => {
            let mut parts: Vec<(Role, Node<'t>)> = body(stmt, "consequence")
                .map(|b| (Role::Body, b))
                .into_iter()
                .collect();
            let mut cursor = stmt.walk();
            for alt in stmt.children_by_field_name("alternative", &mut cursor) {
                match alt.kind() {
                    "elif_clause" => {
                        parts.extend(body(alt, "consequence").map(|b| (Role::Body, b)))
                    }
                    "else_clause" => parts.extend(clause_block(alt).map(|b| (Role::Else, b))),
                    _ => {}
                }
            }
            compound(Shape::If, parts)
        }
        "match_statement" => {
            let mut parts = Vec::new();
            if let Some(block) = body(stmt, "body") {
                for case in named(block) {
                    if case.kind() == "case_clause"
                        && let Some(b) = body(case, "consequence")
                    {
                        parts.push((Role::Case(is_irrefutable(case)), b));
                    }
                }
            }
            compound(Shape::Match, parts)
        }
        "for_statement" | "while_statement" => {
            let forever = stmt.kind() == "while_statement"
                && body(stmt, "condition").is_some_and(|c| is_forever(c, src));
            let mut parts: Vec<(Role, Node<'t>)> = body(stmt, "body")
                .map(|b| (Role::Body, b))
                .into_iter()
                .collect();
            if let Some(alt) = body(stmt, "alternative") {
                parts.extend(clause_block(alt).map(|b| (Role::Else, b)));
            }
            compound(Shape::Loop(forever), parts)
        }
        "try_statement" => {
            let mut parts: Vec<(Role, Node<'t>)> = body(stmt, "body")
                .map(|b| (Role::Body, b))
                .into_iter()
                .collect();
            for clause in named(stmt) {
                let role = match clause.kind() {
                    "except_clause" | "except_group_clause" => Role::Handler,
                    "else_clause" => Role::Else,
                    "finally_clause" => Role::Finally,
                    _ => continue,
                };
                match clause_block(clause) {
                    Some(b) => parts.push((role, b)),
                    // A clause without its block (broken tree): an empty one finishes.
                    None => parts.push((role, clause)),
                }
            }
            compound(Shape::Try, parts)
        }
        "with_statement" => compound(
            Shape::With,
            body(stmt, "body")
                .map(|b| (Role::Body, b))
                .into_iter()
                .collect(),
        ),
        // Everything else finishes: expressions (logging included), assignments,
        // `pass`, `assert` (stripped under -O), imports, and function or class
        // definitions, whose bodies do not run here.
        _ => Step::Simple(Flow::NORMAL),
    }
}

impl Compound<'_> {
    fn combine(&self) -> Flow {
        let parts = || {
            self.parts
                .iter()
                .zip(&self.results)
                .map(|((role, _), flow)| (*role, flow))
        };
        let of = |wanted: Role| parts().filter(move |(r, _)| *r == wanted).map(|(_, f)| f);
        let mut out = Flow::STOPS;
        match self.shape {
            Shape::If => {
                let has_else = of(Role::Else).next().is_some();
                out.normal = !has_else || parts().any(|(_, f)| f.normal);
                parts().for_each(|(_, f)| out.absorb(f));
            }
            Shape::Match => {
                let exhaustive = parts().any(|(r, _)| r == Role::Case(true));
                out.normal = !exhaustive || parts().any(|(_, f)| f.normal);
                parts().for_each(|(_, f)| out.absorb(f));
            }
            Shape::Loop(forever) => {
                // `break`/`continue` in the body belong to this loop; its
                // `else:` runs when the loop ends without `break` (never for
                // `while True:`), and a `break` there leaves an outer loop.
                let mut breaks_here = false;
                for body in of(Role::Body) {
                    breaks_here |= body.breaks.is_some();
                    out.absorb(&Flow {
                        breaks: None,
                        continues: None,
                        ..*body
                    });
                }
                if forever {
                    out.normal = breaks_here;
                } else {
                    let mut else_normal = true;
                    for e in of(Role::Else) {
                        else_normal &= e.normal;
                        out.absorb(e);
                    }
                    out.normal = breaks_here || else_normal;
                }
            }
            Shape::Try => {
                let body_normal = of(Role::Body).all(|f| f.normal);
                let else_normal = of(Role::Else).all(|f| f.normal);
                out.normal = (body_normal && else_normal) || of(Role::Handler).any(|f| f.normal);
                of(Role::Body).for_each(|f| out.absorb(f));
                if body_normal {
                    of(Role::Else).for_each(|f| out.absorb(f));
                }
                of(Role::Handler).for_each(|f| out.absorb(f));
                // `finally:` runs on every path: if it cannot finish, nothing
                // before it leaves the statement; its own escapes always can.
                for fin in of(Role::Finally) {
                    if !fin.normal {
                        out = Flow::STOPS;
                    }
                    out.absorb(fin);
                }
            }
            Shape::With => {
                out.normal = of(Role::Body).all(|f| f.normal);
                of(Role::Body).for_each(|f| out.absorb(f));
            }
        }
        out
    }
}

/// How a handler's body can end. A statement list can finish when its end is
/// reachable, or through a reachable `return`, or a `break`/`continue` whose
/// loop is outside it; statements after one that cannot finish are
/// unreachable and not read. Never finishing: `raise` (any form), a call of
/// [`PROCESS_EXITS`], `if` whose every branch (with an `else`) cannot,
/// `match` with an irrefutable case whose every case cannot, `while True:`
/// without its own `break`, `try` whose body-and-else and every handler
/// cannot (or whose `finally:` cannot), `with` whose body cannot. Conditions
/// are not evaluated (`if False:` is a branch like any other) and every
/// handler of a nested `try` is taken as reachable.
///
/// An explicit stack of frames: no recursion, whatever the nesting. The
/// flow of a compound statement does not depend on where it stands (a
/// `break` is resolved by the loops around it), so it is computed once per
/// file: a handler nested in a handler reuses what the outer one computed.
fn handler_flow(body: Node<'_>, src: &str, flows: &mut Flows) -> Flow {
    let mut stack = vec![Frame::block(body)];
    let mut done: Option<Flow> = None;
    while let Some(frame) = stack.last_mut() {
        match frame {
            Frame::Block(block) => {
                if let Some(flow) = done.take() {
                    block.flow.absorb(&flow);
                    block.flow.normal &= flow.normal;
                }
                let mut inner = None;
                while block.flow.normal && block.next < block.statements.len() {
                    let stmt = block.statements[block.next];
                    block.next += 1;
                    if let Some(flow) = flows.get(&stmt.id()) {
                        block.flow.absorb(flow);
                        block.flow.normal &= flow.normal;
                        continue;
                    }
                    match step(stmt, src) {
                        Step::Simple(flow) => {
                            block.flow.absorb(&flow);
                            block.flow.normal &= flow.normal;
                        }
                        Step::Compound(compound) => {
                            inner = Some(compound);
                            break;
                        }
                    }
                }
                match inner {
                    Some(compound) => stack.push(Frame::Compound(compound)),
                    None => {
                        done = Some(block.flow);
                        stack.pop();
                    }
                }
            }
            Frame::Compound(compound) => {
                if let Some(flow) = done.take() {
                    compound.results.push(flow);
                }
                match compound.parts.get(compound.results.len()) {
                    Some((_, part)) => {
                        let part = *part;
                        stack.push(Frame::block(part));
                    }
                    None => {
                        let flow = compound.combine();
                        flows.insert(compound.id, flow);
                        done = Some(flow);
                        stack.pop();
                    }
                }
            }
        }
    }
    done.unwrap_or(Flow::NORMAL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExitKind::*;
    use FallbackKind::*;

    fn run(src: &str) -> Vec<Fallback> {
        let tree = crate::python::parse_code(src).expect("test source parses");
        fallbacks(&tree, src)
    }

    fn fb(
        kind: FallbackKind,
        (line, column): (usize, usize),
        end_line: usize,
        catches: &str,
        exit: ExitKind,
        exit_line: usize,
    ) -> Fallback {
        Fallback {
            kind,
            line,
            column,
            end_line,
            catches: catches.to_string(),
            exit,
            exit_line,
        }
    }

    /// Runs `fallbacks` on a thread with a small stack: a recursive walk
    /// over deep nesting would overflow it.
    fn run_on_small_stack(src: String) -> Vec<Fallback> {
        let tree = match crate::python::parse_code(&src) {
            Ok(tree) => tree,
            Err(e) => panic!("test source does not parse: {e:?}"),
        };
        std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || fallbacks(&tree, &src))
            .expect("thread starts")
            .join()
            .expect("no overflow, no panic")
    }

    // ---- findings ----

    #[test]
    fn bare_except_pass() {
        let src = "try:\n    x()\nexcept:\n    pass\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 4, "", FallsThrough, 4)]);
    }

    #[test]
    fn bare_except_pass_on_one_line() {
        let src = "try:\n    x()\nexcept: pass\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 3, "", FallsThrough, 3)]);
    }

    #[test]
    fn logging_is_not_handling() {
        let src = "try:\n    x()\nexcept Exception as e:\n    log.exception(e)\n    logger.error('failed')\n    print(e)\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (3, 1), 6, "Exception as e", FallsThrough, 6)]
        );
    }

    #[test]
    fn returning_a_default() {
        let src = "def f():\n    try:\n        return g()\n    except (KeyError, IndexError):\n        log.warning('x')\n        return None\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (4, 5), 6, "(KeyError, IndexError)", Returns, 6)]
        );
    }

    #[test]
    fn assigning_a_default_in_a_method() {
        let src = "class A:\n    def m(self):\n        try:\n            v = self.model.predict()\n        except ValueError:\n            v = heuristic()\n        return v\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (5, 9), 6, "ValueError", FallsThrough, 6)]
        );
    }

    #[test]
    fn except_star() {
        let src = "try:\n    x()\nexcept* ValueError:\n    pass\nexcept *(KeyError, OSError) as eg:\n    raise\n";
        assert_eq!(
            run(src),
            vec![fb(ExceptStar, (3, 1), 4, "ValueError", FallsThrough, 4)]
        );
    }

    #[test]
    fn raising_in_one_branch_only() {
        let src =
            "try:\n    x()\nexcept ValueError as e:\n    if strict:\n        raise\n    warn(e)\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (3, 1), 6, "ValueError as e", FallsThrough, 6)]
        );
        // if/elif without else: the missing else finishes.
        let src =
            "try:\n    x()\nexcept E:\n    if a:\n        raise A\n    elif b:\n        raise B\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 7, "E", FallsThrough, 7)]);
        // one branch of if/else finishes
        let src =
            "try:\n    x()\nexcept E:\n    if a:\n        raise A\n    else:\n        y = 1\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 7, "E", FallsThrough, 7)]);
    }

    #[test]
    fn continue_and_break_of_an_enclosing_loop() {
        let src = "for item in items:\n    try:\n        handle(item)\n    except Exception:\n        log.warning('skip')\n        continue\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (4, 5), 6, "Exception", Continues, 6)]
        );
        let src =
            "while more():\n    try:\n        handle()\n    except Exception:\n        break\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (4, 5), 5, "Exception", Breaks, 5)]
        );
    }

    #[test]
    fn first_way_out_in_source_order() {
        let src = "def f():\n    for x in xs:\n        try:\n            g()\n        except E:\n            if a:\n                continue\n            if b:\n                return 1\n            break\n";
        assert_eq!(run(src), vec![fb(Except, (5, 9), 10, "E", Continues, 7)]);
        // an escape before the end wins over falling through
        let src = "def f():\n    try:\n        g()\n    except E:\n        if a:\n            return 0\n        log(a)\n";
        assert_eq!(run(src), vec![fb(Except, (4, 5), 7, "E", Returns, 6)]);
    }

    #[test]
    fn nested_handler_inside_a_handler() {
        let src = "try:\n    a()\nexcept Exception:\n    try:\n        cleanup()\n    except OSError:\n        pass\n    raise\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (6, 5), 7, "OSError", FallsThrough, 7)]
        );
    }

    #[test]
    fn handler_inside_a_handler_body_at_depth_both_analysed() {
        // The outer handler finishes through the inner one; both are findings.
        let src = "try:\n    a()\nexcept A:\n    try:\n        b()\n    except B:\n        x = 1\n";
        assert_eq!(
            run(src),
            vec![
                fb(Except, (3, 1), 7, "A", FallsThrough, 7),
                fb(Except, (6, 5), 7, "B", FallsThrough, 7),
            ]
        );
    }

    #[test]
    fn nested_try_else_returns() {
        // try body finishes, its handler raises, its else returns: Returns.
        let src = "def f():\n    try:\n        a()\n    except E:\n        try:\n            b()\n        except Exception:\n            raise\n        else:\n            return 1\n        finally:\n            close()\n        raise\n";
        assert_eq!(run(src), vec![fb(Except, (4, 5), 13, "E", Returns, 10)]);
    }

    #[test]
    fn nested_try_else_unreachable_when_body_cannot_finish() {
        let src = "def f():\n    try:\n        a()\n    except E:\n        try:\n            raise X\n        except Exception:\n            raise\n        else:\n            return 1\n";
        assert_eq!(run(src), vec![]);
    }

    #[test]
    fn nested_try_finally_that_raises_overrides() {
        // The inner handler is a finding on its own (its body finishes);
        // the outer one cannot finish: the finally always raises.
        let src = "try:\n    a()\nexcept E:\n    try:\n        b()\n    except Exception:\n        pass\n    finally:\n        raise RuntimeError\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (6, 5), 7, "Exception", FallsThrough, 7)]
        );
    }

    #[test]
    fn nested_try_finally_that_returns() {
        let src = "def f():\n    try:\n        a()\n    except E:\n        try:\n            raise\n        finally:\n            return None\n";
        assert_eq!(
            run(src),
            vec![
                fb(Except, (4, 5), 8, "E", Returns, 8),
                fb(FinallyExit, (8, 13), 8, "", Returns, 8),
            ]
        );
    }

    #[test]
    fn try_except_else_finally_at_top() {
        let src = "try:\n    a()\nexcept ValueError:\n    raise\nexcept KeyError:\n    b = None\nelse:\n    c()\nfinally:\n    d()\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (5, 1), 6, "KeyError", FallsThrough, 6)]
        );
    }

    #[test]
    fn loops_in_a_handler() {
        // for may run zero times
        let src = "try:\n    a()\nexcept E:\n    for x in xs:\n        raise\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 5, "E", FallsThrough, 5)]);
        // while True with a break of its own
        let src = "try:\n    a()\nexcept E:\n    while True:\n        if retry():\n            break\n    raise\n";
        assert_eq!(run(src), vec![]);
        let src =
            "try:\n    a()\nexcept E:\n    while True:\n        if retry():\n            break\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 6, "E", FallsThrough, 6)]);
        // for/else: else raises, no break: cannot finish
        let src =
            "try:\n    a()\nexcept E:\n    for x in xs:\n        pass\n    else:\n        raise\n";
        assert_eq!(run(src), vec![]);
        // for/else with a break in the body: finishes
        let src = "try:\n    a()\nexcept E:\n    for x in xs:\n        if x:\n            break\n    else:\n        raise\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 8, "E", FallsThrough, 8)]);
        // break in a loop's else belongs to the enclosing loop
        let src = "while c:\n    try:\n        a()\n    except E:\n        for x in xs:\n            raise\n        else:\n            break\n        raise\n";
        assert_eq!(run(src), vec![fb(Except, (4, 5), 9, "E", Breaks, 8)]);
    }

    #[test]
    fn with_in_a_handler_is_its_body() {
        let src = "try:\n    a()\nexcept E:\n    with lock:\n        pass\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 5, "E", FallsThrough, 5)]);
        let src = "try:\n    a()\nexcept E:\n    with lock:\n        raise\n";
        assert_eq!(run(src), vec![]);
    }

    #[test]
    fn match_in_a_handler() {
        let raise_all = "try:\n    a()\nexcept E as e:\n    match e.code:\n        case 1:\n            raise A\n        case _:\n            raise B\n";
        assert_eq!(run(raise_all), vec![]);
        let capture = "try:\n    a()\nexcept E as e:\n    match e.code:\n        case 1:\n            raise A\n        case other:\n            raise B\n";
        assert_eq!(run(capture), vec![]);
        let not_exhaustive = "try:\n    a()\nexcept E as e:\n    match e.code:\n        case 1:\n            raise A\n        case 2:\n            raise B\n";
        assert_eq!(
            run(not_exhaustive),
            vec![fb(Except, (3, 1), 8, "E as e", FallsThrough, 8)]
        );
        let guarded = "try:\n    a()\nexcept E as e:\n    match e.code:\n        case _ if e:\n            raise A\n";
        assert_eq!(
            run(guarded),
            vec![fb(Except, (3, 1), 6, "E as e", FallsThrough, 6)]
        );
        let one_case_finishes = "try:\n    a()\nexcept E as e:\n    match e.code:\n        case 1:\n            pass\n        case _:\n            raise B\n";
        assert_eq!(
            run(one_case_finishes),
            vec![fb(Except, (3, 1), 8, "E as e", FallsThrough, 8)]
        );
    }

    #[test]
    fn definitions_in_a_handler_do_not_run() {
        let src = "try:\n    a()\nexcept E:\n    def f():\n        return 1\n    class C:\n        pass\n    g = lambda: 0\n    raise\n";
        assert_eq!(run(src), vec![]);
        let src = "try:\n    a()\nexcept E:\n    def fallback():\n        raise\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 5, "E", FallsThrough, 5)]);
    }

    #[test]
    fn ellipsis_and_trailing_comment() {
        // the comment is not a statement of the body: the last line is the `...`
        let src = "try:\n    a()\nexcept E:\n    ...\n    # ignore\nb = 1\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 4, "E", FallsThrough, 4)]);
    }

    #[test]
    fn unparenthesised_catches_and_multiline() {
        let src = "try:\n    a()\nexcept A, B:\n    pass\nexcept (C,\n        D):\n    pass\n";
        assert_eq!(
            run(src),
            vec![
                fb(Except, (3, 1), 4, "A, B", FallsThrough, 4),
                fb(Except, (5, 1), 7, "(C,\n        D)", FallsThrough, 7),
            ]
        );
    }

    // ---- not findings ----

    #[test]
    fn reraise_is_not_a_finding() {
        assert_eq!(
            run("try:\n    a()\nexcept Exception:\n    log.exception('x')\n    raise\n"),
            vec![]
        );
        assert_eq!(
            run("try:\n    a()\nexcept ValueError as e:\n    raise ModelBroken() from e\n"),
            vec![]
        );
        assert_eq!(
            run("try:\n    a()\nexcept ValueError as e:\n    raise ModelBroken(e)\n"),
            vec![]
        );
    }

    #[test]
    fn all_branches_raise_is_not_a_finding() {
        let src = "try:\n    a()\nexcept E as e:\n    if a:\n        raise A\n    elif b:\n        raise B from e\n    else:\n        raise\n";
        assert_eq!(run(src), vec![]);
    }

    #[test]
    fn process_exit_is_not_a_finding() {
        for call in [
            "sys.exit(1)",
            "exit(2)",
            "quit()",
            "os._exit(3)",
            "os.abort()",
        ] {
            let src =
                format!("try:\n    a()\nexcept ValueError:\n    log.error('bad')\n    {call}\n");
            assert_eq!(run(&src), vec![], "{call}");
        }
        // an exit call that is not the whole statement does not end the process for sure
        let src = "try:\n    a()\nexcept ValueError:\n    f = sys.exit\n";
        assert_eq!(
            run(src),
            vec![fb(Except, (3, 1), 4, "ValueError", FallsThrough, 4)]
        );
    }

    #[test]
    fn while_true_without_break_is_not_a_finding() {
        let src = "try:\n    a()\nexcept E:\n    while True:\n        if retry():\n            continue\n        raise\n";
        assert_eq!(run(src), vec![]);
        let src = "try:\n    a()\nexcept E:\n    while 1:\n        wait()\n";
        assert_eq!(run(src), vec![]);
        // a break of a loop nested in it does not end `while True:`
        let src = "try:\n    a()\nexcept E:\n    while (True):\n        for x in xs:\n            break\n        raise\n";
        assert_eq!(run(src), vec![]);
        // an ordinary condition may be false at once
        let src = "try:\n    a()\nexcept E:\n    while 0:\n        raise\n";
        assert_eq!(run(src), vec![fb(Except, (3, 1), 5, "E", FallsThrough, 5)]);
    }

    #[test]
    fn break_of_a_loop_inside_the_handler_stays_inside() {
        let src = "for a in b:\n    try:\n        c()\n    except E:\n        for x in y:\n            break\n        raise\n";
        assert_eq!(run(src), vec![]);
    }

    #[test]
    fn unreachable_statements_after_raise() {
        let src =
            "def f():\n    try:\n        a()\n    except E:\n        raise\n        return None\n";
        assert_eq!(run(src), vec![]);
    }

    // ---- contextlib.suppress ----

    #[test]
    fn suppress_imported_from_contextlib() {
        let src = "from contextlib import suppress\nwith suppress(FileNotFoundError):\n    os.remove(p)\n";
        assert_eq!(
            run(src),
            vec![fb(Suppress, (2, 6), 2, "FileNotFoundError", Suppressed, 2)]
        );
    }

    #[test]
    fn suppress_through_the_module_and_aliases() {
        let src = "import contextlib\nwith contextlib.suppress(KeyError, ValueError):\n    pass\n";
        assert_eq!(
            run(src),
            vec![fb(
                Suppress,
                (2, 6),
                2,
                "KeyError, ValueError",
                Suppressed,
                2
            )]
        );
        let src = "import contextlib as cl\nwith ExitStack() as stack:\n    stack.enter_context(cl.suppress(OSError))\n";
        assert_eq!(
            run(src),
            vec![fb(Suppress, (3, 25), 3, "OSError", Suppressed, 3)]
        );
        let src = "def f():\n    from contextlib import suppress as quiet\n    with quiet(\n        Exception,\n    ):\n        g()\n";
        assert_eq!(
            run(src),
            vec![fb(Suppress, (3, 10), 5, "Exception,", Suppressed, 3)]
        );
        let src = "from contextlib import *\nwith suppress(E):\n    pass\n";
        assert_eq!(run(src), vec![fb(Suppress, (2, 6), 2, "E", Suppressed, 2)]);
        // `contextlib.suppress` is recognised even without its import
        let src = "with contextlib.suppress(E):\n    pass\n";
        assert_eq!(run(src), vec![fb(Suppress, (1, 6), 1, "E", Suppressed, 1)]);
        // the import may come after the use (a function body runs later)
        let src =
            "def f():\n    with suppress(E):\n        pass\nfrom contextlib import suppress\n";
        assert_eq!(run(src), vec![fb(Suppress, (2, 10), 2, "E", Suppressed, 2)]);
    }

    #[test]
    fn suppress_not_from_contextlib_or_without_arguments() {
        assert_eq!(run("with suppress(E):\n    pass\n"), vec![]);
        assert_eq!(
            run("from mylib import suppress\nwith suppress(E):\n    pass\n"),
            vec![]
        );
        assert_eq!(
            run("import contextlib as cl\nwith contextlib2.suppress(E):\n    pass\n"),
            vec![]
        );
        assert_eq!(
            run("from contextlib import suppress as s\nwith suppress(E):\n    pass\n"),
            vec![]
        );
        assert_eq!(
            run("from contextlib import suppress\nwith suppress():\n    pass\n"),
            vec![]
        );
        assert_eq!(
            run("import contextlib\nwith contextlib.suppress( # none\n):\n    pass\n"),
            vec![]
        );
    }

    #[test]
    fn suppress_column_counts_characters() {
        let src =
            "from contextlib import suppress\ny = \"ééé\" or stack.enter_context(suppress(E))\n";
        assert_eq!(run(src), vec![fb(Suppress, (2, 34), 2, "E", Suppressed, 2)]);
    }

    // ---- return / break / continue in finally ----

    #[test]
    fn return_in_finally() {
        let src = "def f():\n    try:\n        return g()\n    finally:\n        return None\n";
        assert_eq!(run(src), vec![fb(FinallyExit, (5, 9), 5, "", Returns, 5)]);
    }

    #[test]
    fn break_and_continue_leaving_finally() {
        let src = "for x in xs:\n    try:\n        g(x)\n    finally:\n        if x:\n            break\n        continue\n";
        assert_eq!(
            run(src),
            vec![
                fb(FinallyExit, (6, 13), 6, "", Breaks, 6),
                fb(FinallyExit, (7, 9), 7, "", Continues, 7),
            ]
        );
        // the else of a loop in finally: its break leaves the finally
        let src = "while c:\n    try:\n        g()\n    finally:\n        for y in ys:\n            pass\n        else:\n            break\n";
        assert_eq!(run(src), vec![fb(FinallyExit, (8, 13), 8, "", Breaks, 8)]);
    }

    #[test]
    fn exits_that_stay_inside_finally() {
        let src = "def f():\n    try:\n        g()\n    finally:\n        for y in ys:\n            if y:\n                break\n            continue\n        def h():\n            return 1\n        k = lambda: 2\n        class C:\n            pass\n";
        assert_eq!(run(src), vec![]);
    }

    // ---- order and robustness ----

    #[test]
    fn source_order_across_kinds() {
        let src = "from contextlib import suppress\ndef f():\n    with suppress(A):\n        pass\n    try:\n        g()\n    except B:\n        pass\n    finally:\n        return 1\n    try:\n        h()\n    except:\n        raise\n";
        assert_eq!(
            run(src),
            vec![
                fb(Suppress, (3, 10), 3, "A", Suppressed, 3),
                fb(Except, (7, 5), 8, "B", FallsThrough, 8),
                fb(FinallyExit, (10, 9), 10, "", Returns, 10),
            ]
        );
    }

    /// 500 nested `if`s (the grammar parses ~510 levels of indentation;
    /// CPython itself stops at 100).
    #[test]
    fn deeply_nested_ifs_in_a_handler() {
        let depth = 500;
        let mut src = String::from("try:\n    a()\nexcept E:\n");
        for i in 1..=depth {
            src.push_str(&format!("{}if c:\n", " ".repeat(i)));
        }
        src.push_str(&format!("{}raise\n", " ".repeat(depth + 1)));
        assert_eq!(
            run_on_small_stack(src),
            vec![fb(Except, (3, 1), depth + 4, "E", FallsThrough, depth + 4)]
        );
        // every level has an `else: raise`: the handler cannot finish
        let mut src = String::from("try:\n    a()\nexcept E:\n");
        for i in 1..=depth {
            src.push_str(&format!("{}if c:\n", " ".repeat(i)));
        }
        src.push_str(&format!("{}raise\n", " ".repeat(depth + 1)));
        for i in (1..=depth).rev() {
            src.push_str(&format!(
                "{}else:\n{}raise\n",
                " ".repeat(i),
                " ".repeat(i + 1)
            ));
        }
        assert_eq!(run_on_small_stack(src), vec![]);
    }

    #[test]
    fn deeply_nested_trys_in_handlers() {
        let depth = 500;
        let mut src = String::new();
        for i in 0..depth {
            let pad = " ".repeat(i);
            src.push_str(&format!("{pad}try:\n{pad} a()\n{pad}except E{i}:\n"));
        }
        src.push_str(&format!("{}pass\n", " ".repeat(depth)));
        let last = 3 * depth + 1;
        let found = run_on_small_stack(src);
        assert_eq!(found.len(), depth);
        assert_eq!(found[0], fb(Except, (3, 1), last, "E0", FallsThrough, last));
        assert_eq!(
            found[depth - 1],
            fb(
                Except,
                (last - 1, depth),
                last,
                &format!("E{}", depth - 1),
                FallsThrough,
                last
            )
        );
    }

    #[test]
    fn deeply_nested_expressions_in_a_handler() {
        let depth = 5000;
        let src = format!(
            "from contextlib import suppress\ntry:\n    a()\nexcept E:\n    x = {}suppress(K){}\n",
            "f(".repeat(depth),
            ")".repeat(depth)
        );
        assert_eq!(
            run_on_small_stack(src),
            vec![
                fb(Except, (4, 1), 5, "E", FallsThrough, 5),
                fb(Suppress, (5, 9 + 2 * depth), 5, "K", Suppressed, 5),
            ]
        );
    }

    /// 5,000 nested `if`s are beyond the grammar (its scanner keeps ~510
    /// levels of indentation, so `parse_code` refuses the file); the tree
    /// tree-sitter builds anyway must not break the analysis.
    #[test]
    fn five_thousand_levels_beyond_the_grammar_do_not_break() {
        let depth = 5000;
        let mut src = String::from("try:\n    a()\nexcept E:\n");
        for i in 1..=depth {
            src.push_str(&format!("{}if c:\n", " ".repeat(i)));
        }
        src.push_str(&format!("{}raise\n", " ".repeat(depth + 1)));
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .expect("grammar loads");
        let tree = parser.parse(&src, None).expect("tree-sitter gives a tree");
        assert!(tree.root_node().has_error(), "parse_code would refuse it");
        let finished = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || fallbacks(&tree, &src).len())
            .expect("thread starts")
            .join();
        assert!(finished.is_ok());
    }

    #[test]
    fn a_tree_that_does_not_match_its_text_does_not_panic() {
        let src = "try:\n    a()\nexcept (KeyError, IndexError) as e:\n    pass\nfrom contextlib import suppress\nwith suppress(E):\n    pass\n";
        let tree = crate::python::parse_code(src).unwrap();
        let expected = run(src).len();
        for other in ["", "é", &"é".repeat(40), &"日本".repeat(60)] {
            assert_eq!(
                fallbacks(&tree, other)
                    .iter()
                    .filter(|f| f.kind == Except)
                    .count(),
                1
            );
            assert!(fallbacks(&tree, other).len() <= expected);
        }
    }
}
