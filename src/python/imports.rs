//! Every import of a Python file (SPEC §6): what `forbidden-import` reads.
//!
//! Statements: `import m`, `import m.sub as x`, `import a, b.c` (one
//! [`Import`] per module), `from m import x`, `from .m import x`,
//! `from m import *` and `from __future__ import x`, wherever they are
//! written (functions, methods, class bodies, every kind of block).
//!
//! Calls, matched by how the callee is written, file-wide (a rebinding or a
//! shadowing of the name in some scope is not followed):
//! - [`ImportKind::ImportModule`]: `importlib.import_module(...)` always;
//!   `X.import_module(...)` after `import importlib as X`; `f(...)` after
//!   `from importlib import import_module as f` (or without `as`, or
//!   `from importlib import *`).
//! - [`ImportKind::DunderImport`]: `__import__(...)`, `builtins.__import__`,
//!   `importlib.__import__`, `__builtins__.__import__`, the same through an
//!   alias of `builtins` or `importlib`, and a name bound by
//!   `from builtins import __import__` or `from importlib import __import__`.
//!
//! The module of a call is its first argument (positional, or `name=`):
//! - A string literal (or an implicit concatenation of literals, or a `+` of
//!   literals, in parentheses or not) is the module as written. Leading dots
//!   make it relative: their number is the level, the rest the module.
//! - A `+` concatenation or an f-string whose value starts with a literal
//!   part (`"ray." + x`, `f"ray.{x}"`): the module is that literal part up to
//!   its last dot (`ray`), since Python imports every parent package first. A
//!   literal part without a dot (`f"ray{x}"`, `"ray" + x`) gives no import:
//!   the module could be `ray` or `rayleigh`. With leading dots and no
//!   further dot (`f".{x}"`, `"." + x`), the module is `""` at that level:
//!   the package itself is imported first.
//! - Anything else (a name, a call, `%` or `.format` formatting, a `*args`
//!   splat) gives no import.
//! - A literal with an escape sequence or any backslash (`"ray\x2esub"`,
//!   `r"a\b"`), a byte string or a template string is not read: no import
//!   from it (in a `+` chain, the literal prefix read before it still counts).
//!
//! `import_module` with a relative module and a string literal `package`
//! (second positional argument or `package=`) is made absolute the way
//! Python does it (`.x` in `a.b` is `a.b.x`, `..x` is `a.x`); one that goes
//! above the package's top level (or an empty `package`) fails at run time
//! before importing anything: no import. With any other package
//! (`__package__`, `__name__`, a variable, none at all) the import stays
//! relative: level the number of dots, module the rest.
//!
//! `__import__` takes its level from an integer literal as the fifth
//! positional argument or `level=` (decimal, `_` allowed; leading dots of
//! the name add to it); any other level is read as 0.
//!
//! `type_checking` is set for everything inside the consequence block of an
//! `if`/`elif` whose condition is `TYPE_CHECKING` or an attribute ending in
//! `.TYPE_CHECKING` (in parentheses or not), including nested blocks. The
//! `elif`/`else` branches of such an `if` are not, and neither is anything
//! under `if not TYPE_CHECKING:` (nor its `else`), `if TYPE_CHECKING and x:`
//! or an alias of the name: those imports count as run-time imports.
//!
//! The tree is walked with an explicit stack (no recursion), and every slice
//! of `src` is taken with `str::get`, so a tree that does not match `src`
//! gives fewer imports, never a panic.

use std::collections::HashSet;

use tree_sitter::{Node, Tree};

/// How the import is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// `import m`, `import m.sub as x`
    Import,
    /// `from m import x`, `from . import x`, `from ..m import *`
    From,
    /// `importlib.import_module("m")` (however importlib or the function is bound)
    ImportModule,
    /// `__import__("m")`
    DunderImport,
}

/// One module a file certainly imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The dotted module as written, without the leading dots of a relative
    /// import: `ray.rllib`; `""` for `from . import x`.
    pub module: String,
    /// Leading dots of a relative import (0: absolute).
    pub level: usize,
    /// `from m import a, b`: `["a", "b"]`; `*` for a star import; empty for the other kinds.
    pub names: Vec<String>,
    pub kind: ImportKind,
    /// Start of the statement or call, 1-based; column in characters.
    pub line: usize,
    pub column: usize,
    /// Last line of the statement or call.
    pub end_line: usize,
    /// In the body of `if TYPE_CHECKING:` (never executed at run time).
    pub type_checking: bool,
}

/// The names through which a call imports, collected from the whole file.
#[derive(Default)]
struct Bindings {
    /// Bound to the `importlib` module (`import importlib as il`).
    importlib: HashSet<String>,
    /// Bound to the `builtins` module.
    builtins: HashSet<String>,
    /// Bound to `importlib.import_module`.
    import_module: HashSet<String>,
    /// Bound to `__import__` (from `builtins` or `importlib`).
    dunder: HashSet<String>,
}

impl Bindings {
    fn callee(&self, func: Node<'_>, src: &str) -> Option<ImportKind> {
        match func.kind() {
            "identifier" => {
                let name = text(func, src)?;
                if name == "__import__" || self.dunder.contains(name) {
                    Some(ImportKind::DunderImport)
                } else if self.import_module.contains(name) {
                    Some(ImportKind::ImportModule)
                } else {
                    None
                }
            }
            "attribute" => {
                let object = func.child_by_field_name("object")?;
                if object.kind() != "identifier" {
                    return None;
                }
                let object = text(object, src)?;
                let attribute = text(func.child_by_field_name("attribute")?, src)?;
                let importlib = object == "importlib" || self.importlib.contains(object);
                let builtins = object == "builtins"
                    || object == "__builtins__"
                    || self.builtins.contains(object);
                match attribute {
                    "import_module" if importlib => Some(ImportKind::ImportModule),
                    "__import__" if importlib || builtins => Some(ImportKind::DunderImport),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// The imports of a parsed file, in source order.
pub fn imports(tree: &Tree, src: &str) -> Vec<Import> {
    enum Found<'t> {
        Statement(Import),
        Call(Node<'t>, bool),
    }
    let mut found = Vec::new();
    let mut bindings = Bindings::default();
    let mut cursor = tree.walk();
    // Pre-order with children pushed in reverse: source order.
    let mut stack = vec![(tree.root_node(), false)];
    while let Some((node, type_checking)) = stack.pop() {
        match node.kind() {
            "import_statement" => {
                for import in plain_import(node, src, type_checking, &mut bindings) {
                    found.push(Found::Statement(import));
                }
                continue;
            }
            "import_from_statement" | "future_import_statement" => {
                if let Some(import) = from_import(node, src, type_checking, &mut bindings) {
                    found.push(Found::Statement(import));
                }
                continue;
            }
            "call" => found.push(Found::Call(node, type_checking)),
            _ => {}
        }
        let guarded = match node.kind() {
            "if_statement" | "elif_clause" => node
                .child_by_field_name("condition")
                .filter(|c| is_type_checking(*c, src))
                .and_then(|_| node.child_by_field_name("consequence")),
            _ => None,
        };
        let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
        for child in children.into_iter().rev() {
            let inside = type_checking || guarded.is_some_and(|g| g.id() == child.id());
            stack.push((child, inside));
        }
    }
    found
        .into_iter()
        .filter_map(|f| match f {
            Found::Statement(import) => Some(import),
            Found::Call(node, type_checking) => call_import(node, src, type_checking, &bindings),
        })
        .collect()
}

/// The text of a node, `None` when its range is not a slice of `src`.
fn text<'s>(node: Node<'_>, src: &'s str) -> Option<&'s str> {
    src.get(node.byte_range())
}

/// An import at `node`, with its position.
fn at(
    node: Node<'_>,
    src: &str,
    module: String,
    level: usize,
    names: Vec<String>,
    kind: ImportKind,
    type_checking: bool,
) -> Import {
    let mut byte = node.start_byte().min(src.len());
    while !src.is_char_boundary(byte) {
        byte -= 1;
    }
    Import {
        module,
        level,
        names,
        kind,
        line: node.start_position().row + 1,
        column: super::column(src, byte),
        end_line: node.end_position().row + 1,
        type_checking,
    }
}

/// `a.b.c` of a `dotted_name` (its identifiers, whatever the spacing or comments).
fn dotted(node: Node<'_>, src: &str) -> Option<String> {
    if node.kind() != "dotted_name" {
        return None;
    }
    let mut cursor = node.walk();
    let parts: Option<Vec<&str>> = node
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "identifier")
        .map(|c| text(c, src))
        .collect();
    let parts = parts?;
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("."))
}

/// The imported name and the name it binds: `a` / `a as b`.
fn imported_name(node: Node<'_>, src: &str) -> Option<(String, String)> {
    match node.kind() {
        "aliased_import" => {
            let name = dotted(node.child_by_field_name("name")?, src)?;
            let alias = text(node.child_by_field_name("alias")?, src)?;
            Some((name, alias.to_string()))
        }
        _ => {
            let name = dotted(node, src)?;
            let bound = name.split('.').next().unwrap_or_default().to_string();
            Some((name, bound))
        }
    }
}

/// `import a, b.c as d`: one import per module.
fn plain_import(
    node: Node<'_>,
    src: &str,
    type_checking: bool,
    bindings: &mut Bindings,
) -> Vec<Import> {
    let mut cursor = node.walk();
    let names: Vec<Node<'_>> = node.children_by_field_name("name", &mut cursor).collect();
    let mut out = Vec::new();
    for name in names {
        let Some((module, bound)) = imported_name(name, src) else {
            continue;
        };
        if name.kind() == "aliased_import" {
            match module.as_str() {
                "importlib" => {
                    bindings.importlib.insert(bound);
                }
                "builtins" => {
                    bindings.builtins.insert(bound);
                }
                _ => {}
            }
        }
        out.push(at(
            node,
            src,
            module,
            0,
            Vec::new(),
            ImportKind::Import,
            type_checking,
        ));
    }
    out
}

/// `from <dots><module> import a, b as c` / `*`, and `from __future__ import x`.
fn from_import(
    node: Node<'_>,
    src: &str,
    type_checking: bool,
    bindings: &mut Bindings,
) -> Option<Import> {
    let (module, level) = if node.kind() == "future_import_statement" {
        ("__future__".to_string(), 0)
    } else {
        let target = node.child_by_field_name("module_name")?;
        match target.kind() {
            "dotted_name" => (dotted(target, src)?, 0),
            "relative_import" => {
                let mut cursor = target.walk();
                let mut level = 0;
                let mut module = String::new();
                for part in target.named_children(&mut cursor) {
                    match part.kind() {
                        "import_prefix" => level += text(part, src)?.matches('.').count(),
                        "dotted_name" => module = dotted(part, src)?,
                        _ => {}
                    }
                }
                (module, level)
            }
            _ => return None,
        }
    };
    let mut cursor = node.walk();
    let mut names = Vec::new();
    for name in node.children_by_field_name("name", &mut cursor) {
        let Some((name, bound)) = imported_name(name, src) else {
            continue;
        };
        if level == 0 {
            match (module.as_str(), name.as_str()) {
                ("importlib", "import_module") => {
                    bindings.import_module.insert(bound);
                }
                ("importlib" | "builtins", "__import__") => {
                    bindings.dunder.insert(bound);
                }
                _ => {}
            }
        }
        names.push(name);
    }
    let mut cursor = node.walk();
    if node
        .named_children(&mut cursor)
        .any(|c| c.kind() == "wildcard_import")
    {
        if level == 0 && module == "importlib" {
            // importlib's `__all__` names `import_module`.
            bindings.import_module.insert("import_module".to_string());
        }
        names.push("*".to_string());
    }
    Some(at(
        node,
        src,
        module,
        level,
        names,
        ImportKind::From,
        type_checking,
    ))
}

/// `TYPE_CHECKING`, `typing.TYPE_CHECKING`, `x.y.TYPE_CHECKING`, in parentheses or not.
fn is_type_checking(mut cond: Node<'_>, src: &str) -> bool {
    while cond.kind() == "parenthesized_expression" {
        match only_child(cond) {
            Some(inner) => cond = inner,
            None => return false,
        }
    }
    let name = match cond.kind() {
        "identifier" => Some(cond),
        "attribute" => cond.child_by_field_name("attribute"),
        _ => None,
    };
    name.and_then(|n| text(n, src)) == Some("TYPE_CHECKING")
}

/// The expression inside parentheses (comments aside).
fn only_child(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let inner: Vec<Node<'_>> = node
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    match inner.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// Removes parentheses around an expression.
fn unparenthesize(mut node: Node<'_>) -> Option<Node<'_>> {
    while node.kind() == "parenthesized_expression" {
        node = only_child(node)?;
    }
    Some(node)
}

/// The statically known start of a string expression, and whether it is the
/// whole value.
fn literal_prefix(node: Node<'_>, src: &str) -> (String, bool) {
    let mut value = String::new();
    // Leaves left to right: the next one to read is on top.
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "parenthesized_expression" => match only_child(node) {
                Some(inner) => stack.push(inner),
                None => return (value, false),
            },
            "binary_operator" => {
                let op = node.child_by_field_name("operator");
                let left = node.child_by_field_name("left");
                let right = node.child_by_field_name("right");
                match (op.map(|o| o.kind()), left, right) {
                    (Some("+"), Some(left), Some(right)) => {
                        stack.push(right);
                        stack.push(left);
                    }
                    _ => return (value, false),
                }
            }
            "concatenated_string" => {
                let mut cursor = node.walk();
                let parts: Vec<Node<'_>> = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() == "string")
                    .collect();
                stack.extend(parts.into_iter().rev());
            }
            "string" => {
                if !read_string(node, src, &mut value) {
                    return (value, false);
                }
            }
            _ => return (value, false),
        }
    }
    (value, true)
}

/// Appends the value of a string literal; `false` where its value stops
/// being known (an interpolation, or a literal docgate does not read): what
/// was appended up to there is certain.
fn read_string(node: Node<'_>, src: &str, value: &mut String) -> bool {
    let mut cursor = node.walk();
    let parts: Vec<Node<'_>> = node.children(&mut cursor).collect();
    let mut fstring = false;
    for part in parts {
        match part.kind() {
            "string_start" => {
                let Some(start) = text(part, src) else {
                    return false;
                };
                let prefix = start.trim_end_matches(['"', '\'']).to_ascii_lowercase();
                if prefix.contains('b') || prefix.contains('t') {
                    return false;
                }
                fstring = prefix.contains('f');
            }
            "string_content" => {
                let mut inner = part.walk();
                if part
                    .named_children(&mut inner)
                    .any(|c| c.kind() == "escape_sequence")
                {
                    return false;
                }
                let Some(content) = text(part, src) else {
                    return false;
                };
                if content.contains('\\') {
                    return false;
                }
                if fstring {
                    value.push_str(&content.replace("{{", "{").replace("}}", "}"));
                } else {
                    value.push_str(content);
                }
            }
            "string_end" => {}
            _ => return false,
        }
    }
    true
}

/// `(level, module)` of a module string with leading dots.
fn relative(name: &str) -> (usize, &str) {
    let module = name.trim_start_matches('.');
    (name.len() - module.len(), module)
}

/// The module a call's first argument certainly names.
fn module_of(arg: Node<'_>, src: &str) -> Option<(usize, String)> {
    let (value, whole) = literal_prefix(arg, src);
    let (level, rest) = relative(&value);
    if whole {
        if level == 0 && rest.is_empty() {
            return None;
        }
        return Some((level, rest.to_string()));
    }
    match rest.rfind('.') {
        Some(dot) => Some((level, rest[..dot].to_string())),
        None if level > 0 => Some((level, String::new())),
        None => None,
    }
}

/// A string literal (whole value known).
fn literal_string(arg: Node<'_>, src: &str) -> Option<String> {
    let (value, whole) = literal_prefix(arg, src);
    whole.then_some(value)
}

/// `importlib.util.resolve_name`: `module` at `level` in `package`.
fn absolute(package: &str, level: usize, module: &str) -> Option<String> {
    if package.is_empty() {
        return None;
    }
    let bits: Vec<&str> = package.rsplitn(level, '.').collect();
    if bits.len() < level {
        return None;
    }
    let base = bits.last()?;
    Some(if module.is_empty() {
        base.to_string()
    } else {
        format!("{base}.{module}")
    })
}

/// An integer literal in decimal.
fn integer(node: Node<'_>, src: &str) -> Option<usize> {
    let node = unparenthesize(node)?;
    if node.kind() != "integer" {
        return None;
    }
    text(node, src)?.replace('_', "").parse().ok()
}

/// The import a call of `import_module` or `__import__` makes.
fn call_import(
    node: Node<'_>,
    src: &str,
    type_checking: bool,
    bindings: &Bindings,
) -> Option<Import> {
    let kind = bindings.callee(node.child_by_field_name("function")?, src)?;
    let args = node.child_by_field_name("arguments")?;
    if args.kind() != "argument_list" {
        return None;
    }
    let mut cursor = args.walk();
    // Positional arguments up to the first `*splat`.
    let mut positional = Vec::new();
    let mut splat = false;
    let mut keywords = Vec::new();
    for arg in args.named_children(&mut cursor) {
        match arg.kind() {
            "comment" => {}
            "keyword_argument" => {
                if let (Some(name), Some(value)) = (
                    arg.child_by_field_name("name").and_then(|n| text(n, src)),
                    arg.child_by_field_name("value"),
                ) {
                    keywords.push((name, value));
                }
            }
            "list_splat" => splat = true,
            _ if !splat => positional.push(arg),
            _ => {}
        }
    }
    let argument = |index: usize, keyword: &str| {
        positional.get(index).copied().or_else(|| {
            keywords
                .iter()
                .find(|(k, _)| *k == keyword)
                .map(|(_, v)| *v)
        })
    };
    // None for `f(*args)`, `f(**kwargs)`: dynamic.
    let name = argument(0, "name")?;
    if splat && positional.is_empty() {
        return None;
    }
    let (mut level, mut module) = module_of(name, src)?;
    match kind {
        ImportKind::ImportModule if level > 0 => {
            let package = argument(1, "package").and_then(|p| literal_string(p, src));
            if let Some(package) = package {
                module = absolute(&package, level, &module)?;
                level = 0;
            }
        }
        ImportKind::DunderImport => {
            level += argument(4, "level")
                .and_then(|l| integer(l, src))
                .unwrap_or(0);
        }
        _ => {}
    }
    Some(at(
        node,
        src,
        module,
        level,
        Vec::new(),
        kind,
        type_checking,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Vec<Import> {
        let tree = crate::python::parse_code(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        imports(&tree, src)
    }

    struct Want {
        module: &'static str,
        level: usize,
        names: &'static [&'static str],
        kind: ImportKind,
        line: usize,
        column: usize,
        end_line: usize,
        type_checking: bool,
    }

    impl Want {
        fn import(self) -> Import {
            Import {
                module: self.module.to_string(),
                level: self.level,
                names: self.names.iter().map(|n| n.to_string()).collect(),
                kind: self.kind,
                line: self.line,
                column: self.column,
                end_line: self.end_line,
                type_checking: self.type_checking,
            }
        }
    }

    /// An import at the start of line `line`, one line long, run time.
    fn w(module: &'static str, kind: ImportKind, line: usize, column: usize) -> Want {
        Want {
            module,
            level: 0,
            names: &[],
            kind,
            line,
            column,
            end_line: line,
            type_checking: false,
        }
    }

    fn check(src: &str, want: Vec<Want>) {
        let want: Vec<Import> = want.into_iter().map(Want::import).collect();
        assert_eq!(run(src), want, "{src}");
    }

    use ImportKind::{DunderImport, From, Import as Plain, ImportModule};

    #[test]
    fn import_statements() {
        check("import m\n", vec![w("m", Plain, 1, 1)]);
        check("import m.sub as x\n", vec![w("m.sub", Plain, 1, 1)]);
        check(
            "import a, b.c\n",
            vec![w("a", Plain, 1, 1), w("b.c", Plain, 1, 1)],
        );
        check("import a . b\n", vec![w("a.b", Plain, 1, 1)]);
    }

    #[test]
    fn from_statements() {
        check(
            "from m import x, y as z\n",
            vec![Want {
                names: &["x", "y"],
                ..w("m", From, 1, 1)
            }],
        );
        check(
            "from m.sub import x\n",
            vec![Want {
                names: &["x"],
                ..w("m.sub", From, 1, 1)
            }],
        );
        check(
            "x = 1\nfrom m import (a,\n b)\n",
            vec![Want {
                names: &["a", "b"],
                end_line: 3,
                ..w("m", From, 2, 1)
            }],
        );
        check(
            "from . import x\n",
            vec![Want {
                level: 1,
                names: &["x"],
                ..w("", From, 1, 1)
            }],
        );
        check(
            "from ..pkg.mod import x\n",
            vec![Want {
                level: 2,
                names: &["x"],
                ..w("pkg.mod", From, 1, 1)
            }],
        );
        check(
            "from ... import x\n",
            vec![Want {
                level: 3,
                names: &["x"],
                ..w("", From, 1, 1)
            }],
        );
        check(
            "from m import *\n",
            vec![Want {
                names: &["*"],
                ..w("m", From, 1, 1)
            }],
        );
        check(
            "from __future__ import annotations\n",
            vec![Want {
                names: &["annotations"],
                ..w("__future__", From, 1, 1)
            }],
        );
    }

    #[test]
    fn imports_anywhere_in_source_order() {
        let src = "\
import a
def f():
    import b
    def g():
        from c import x
class C:
    import d
    def m(self):
        import e
if x:
    import f1
else:
    import f2
try:
    import g1
except ImportError:
    import g2
finally:
    import g3
with open(p) as h:
    import h1
for i in y:
    import i1
while z:
    import j1
async def k():
    async with q:
        import k1
match v:
    case 1:
        import m1
";
        let lines: Vec<(&str, usize, usize)> = vec![
            ("a", 1, 1),
            ("b", 3, 5),
            ("c", 5, 9),
            ("d", 7, 5),
            ("e", 9, 9),
            ("f1", 11, 5),
            ("f2", 13, 5),
            ("g1", 15, 5),
            ("g2", 17, 5),
            ("g3", 19, 5),
            ("h1", 21, 5),
            ("i1", 23, 5),
            ("j1", 25, 5),
            ("k1", 28, 9),
            ("m1", 31, 9),
        ];
        let want = lines
            .into_iter()
            .map(|(m, line, col)| {
                if m == "c" {
                    Want {
                        names: &["x"],
                        ..w(m, From, line, col)
                    }
                } else {
                    w(m, Plain, line, col)
                }
            })
            .collect();
        check(src, want);
    }

    #[test]
    fn columns_count_characters() {
        check("é = 1; import m\n", vec![w("m", Plain, 1, 8)]);
        check(
            "x = ('é', importlib.import_module('m'))\n",
            vec![w("m", ImportModule, 1, 11)],
        );
    }

    #[test]
    fn type_checking_blocks() {
        let src = "\
from typing import TYPE_CHECKING
import typing, typing_extensions
if TYPE_CHECKING:
    import a
    if x:
        import b
    def f():
        importlib.import_module('c')
elif y:
    import d
else:
    import e
if typing.TYPE_CHECKING:
    import f
if typing_extensions.TYPE_CHECKING:
    import g
if not TYPE_CHECKING:
    import h
else:
    import i
if x:
    import j
elif TYPE_CHECKING:
    import k
else:
    import l
if (TYPE_CHECKING):
    import m
if TYPE_CHECKING and x:
    import n
if a.b.TYPE_CHECKING:
    import o
";
        let tc = |m, line, col| Want {
            type_checking: true,
            ..w(m, Plain, line, col)
        };
        check(
            src,
            vec![
                Want {
                    names: &["TYPE_CHECKING"],
                    ..w("typing", From, 1, 1)
                },
                w("typing", Plain, 2, 1),
                w("typing_extensions", Plain, 2, 1),
                tc("a", 4, 5),
                tc("b", 6, 9),
                Want {
                    type_checking: true,
                    ..w("c", ImportModule, 8, 9)
                },
                w("d", Plain, 10, 5),
                w("e", Plain, 12, 5),
                tc("f", 14, 5),
                tc("g", 16, 5),
                w("h", Plain, 18, 5),
                w("i", Plain, 20, 5),
                w("j", Plain, 22, 5),
                tc("k", 24, 5),
                w("l", Plain, 26, 5),
                tc("m", 28, 5),
                w("n", Plain, 30, 5),
                tc("o", 32, 5),
            ],
        );
    }

    #[test]
    fn import_module_calls_however_bound() {
        let src = "\
import importlib
importlib.import_module('m1')
from importlib import import_module
import_module('m2')
from importlib import import_module as im
im('m3')
import importlib as il
il.import_module('m4')
x = importlib.import_module(
    'm5',
)
other('m6')
imp.import_module('m7')
importlib.import_module(name='m8')
";
        check(
            src,
            vec![
                w("importlib", Plain, 1, 1),
                w("m1", ImportModule, 2, 1),
                Want {
                    names: &["import_module"],
                    ..w("importlib", From, 3, 1)
                },
                w("m2", ImportModule, 4, 1),
                Want {
                    names: &["import_module"],
                    ..w("importlib", From, 5, 1)
                },
                w("m3", ImportModule, 6, 1),
                w("importlib", Plain, 7, 1),
                w("m4", ImportModule, 8, 1),
                Want {
                    end_line: 11,
                    ..w("m5", ImportModule, 9, 5)
                },
                w("m8", ImportModule, 14, 1),
            ],
        );
        // Regardless of any import of importlib; a bare `import_module`
        // only when bound from importlib.
        check(
            "importlib.import_module('m')\nimport_module('n')\n",
            vec![w("m", ImportModule, 1, 1)],
        );
        // Bound anywhere in the file (the function runs later).
        check(
            "def f():\n    return import_module('m')\nfrom importlib import *\n",
            vec![
                w("m", ImportModule, 2, 12),
                Want {
                    names: &["*"],
                    ..w("importlib", From, 3, 1)
                },
            ],
        );
        // Nested calls, in source order.
        check(
            "importlib.import_module(importlib.import_module('a').NAME)\n",
            vec![w("a", ImportModule, 1, 25)],
        );
        check(
            "importlib.import_module('a', importlib.import_module('b'))\n",
            vec![w("a", ImportModule, 1, 1), w("b", ImportModule, 1, 30)],
        );
    }

    #[test]
    fn relative_import_module() {
        let rel = |m, level, line| Want {
            level,
            ..w(m, ImportModule, line, 1)
        };
        let src = "\
importlib.import_module('.x', package='a.b')
importlib.import_module('..x', 'a.b')
importlib.import_module('.', 'a.b')
importlib.import_module('..', package='a.b')
importlib.import_module('.x', package=__package__)
importlib.import_module('..x.y', __name__)
importlib.import_module('.x')
importlib.import_module('...x', 'a.b')
importlib.import_module('.x', '')
importlib.import_module('.x', pkg)
importlib.import_module('x', 'a.b')
";
        check(
            src,
            vec![
                w("a.b.x", ImportModule, 1, 1),
                w("a.x", ImportModule, 2, 1),
                w("a.b", ImportModule, 3, 1),
                w("a", ImportModule, 4, 1),
                rel("x", 1, 5),
                rel("x.y", 2, 6),
                rel("x", 1, 7),
                // `...x` above `a.b`'s top level and an empty package fail
                // before importing anything.
                rel("x", 1, 10),
                w("x", ImportModule, 11, 1),
            ],
        );
    }

    #[test]
    fn dunder_import_calls() {
        let src = "\
__import__('m1')
builtins.__import__('m2')
importlib.__import__('m3')
__import__('m4', globals(), locals(), ['x'], 2)
__import__('m5', level=1)
__import__('m6', fromlist=['a'])
__import__('m7', globals(), locals(), [], lvl)
import builtins as b
b.__import__('m8')
from builtins import __import__ as imp
imp('m9')
__import__(name='m10')
";
        check(
            src,
            vec![
                w("m1", DunderImport, 1, 1),
                w("m2", DunderImport, 2, 1),
                w("m3", DunderImport, 3, 1),
                Want {
                    level: 2,
                    ..w("m4", DunderImport, 4, 1)
                },
                Want {
                    level: 1,
                    ..w("m5", DunderImport, 5, 1)
                },
                w("m6", DunderImport, 6, 1),
                w("m7", DunderImport, 7, 1),
                w("builtins", Plain, 8, 1),
                w("m8", DunderImport, 9, 1),
                Want {
                    names: &["__import__"],
                    ..w("builtins", From, 10, 1)
                },
                w("m9", DunderImport, 11, 1),
                w("m10", DunderImport, 12, 1),
            ],
        );
    }

    #[test]
    fn dynamic_module_names() {
        let one = |arg: &str| -> Vec<(String, usize)> {
            let src = format!("importlib.import_module({arg})\n");
            run(&src).into_iter().map(|i| (i.module, i.level)).collect()
        };
        let some = |m: &str| vec![(m.to_string(), 0)];
        // A literal prefix with a dot: up to its last dot.
        assert_eq!(one("'ray.' + x"), some("ray"));
        assert_eq!(one("'ray.rllib.' + x"), some("ray.rllib"));
        assert_eq!(one("'ray.rl' + x"), some("ray"));
        assert_eq!(one("f'ray.{x}'"), some("ray"));
        assert_eq!(one("f\"ray.rllib.{x}.y\""), some("ray.rllib"));
        assert_eq!(one("F'ray.{x}'"), some("ray"));
        assert_eq!(one("'ray' + '.' + x"), some("ray"));
        assert_eq!(one("('ray.' + x)"), some("ray"));
        assert_eq!(one("'ray' + ('.sub' + x)"), some("ray"));
        assert_eq!(one("'ray.' + b'x'"), some("ray"));
        assert_eq!(one("'ray.' '' f'{x}'"), some("ray"));
        // Literal concatenations are literals.
        assert_eq!(one("'ray' '.rllib'"), some("ray.rllib"));
        assert_eq!(one("'ray' + '.rllib'"), some("ray.rllib"));
        assert_eq!(one("((('ray')))"), some("ray"));
        assert_eq!(one("f'ray'"), some("ray"));
        assert_eq!(one("r'ray'"), some("ray"));
        assert_eq!(one("u'ray'"), some("ray"));
        assert_eq!(one("'''ray'''"), some("ray"));
        // Relative prefixes.
        assert_eq!(one("f'.{x}'"), vec![(String::new(), 1)]);
        assert_eq!(one("'..a.' + x"), vec![("a".to_string(), 2)]);
        // No import.
        for arg in [
            "x",
            "name()",
            "'ray' + x",
            "f'ray{x}'",
            "f'{x}.ray'",
            "x + '.ray'",
            "'ray.%s' % x",
            "'ray.{}'.format(x)",
            "'ray\\x2esub'",
            "'ray.\\n'",
            "r'ray.\\sub'",
            "b'ray'",
            "rb'ray.sub'",
            "''",
            "*args",
            "**kwargs",
            "",
            "('ray.' for _ in x)",
        ] {
            assert_eq!(one(arg), vec![], "{arg}");
        }
        // A literal `package` must be whole to be used.
        let src = "importlib.import_module('.x', f'a.{b}')\n";
        assert_eq!(
            run(src)
                .into_iter()
                .map(|i| (i.module, i.level))
                .collect::<Vec<_>>(),
            vec![("x".to_string(), 1)]
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let parse = |src: &str| match crate::python::parse_code(src) {
            Ok(tree) => tree,
            Err(_) => {
                let mut parser = tree_sitter::Parser::new();
                parser
                    .set_language(&tree_sitter_python::LANGUAGE.into())
                    .unwrap();
                parser.parse(src, None).unwrap()
            }
        };
        let n = 10_000;
        let src = format!(
            "x = {}__import__({}'ray.' + y{})\n",
            "(".repeat(n),
            "(".repeat(n),
            ")".repeat(2 * n)
        );
        let tree = parse(&src);
        let got = imports(&tree, &src);
        assert_eq!(
            got.iter().map(|i| i.module.as_str()).collect::<Vec<_>>(),
            vec!["ray"]
        );
        let terms = 10_000;
        let src = format!("__import__('a' + {}'.b' + x)\n", "'' + ".repeat(terms));
        let got = imports(&parse(&src), &src);
        assert_eq!(
            got.iter().map(|i| i.module.as_str()).collect::<Vec<_>>(),
            vec!["a"]
        );
        // tree-sitter-python stops parsing indentation a few hundred
        // blocks deep (about 550): 500 parses, 5,000 is a syntax error for
        // `parse_code`, and its error tree is walked all the same.
        for depth in [500, 5_000] {
            let mut src = String::from("if TYPE_CHECKING:\n");
            for d in 1..depth {
                src.push_str(&" ".repeat(d));
                src.push_str("if x:\n");
            }
            src.push_str(&" ".repeat(depth));
            src.push_str("import deep\n");
            match crate::python::parse_code(&src) {
                Ok(tree) => assert_eq!(
                    imports(&tree, &src),
                    vec![Import {
                        type_checking: true,
                        line: depth + 1,
                        column: depth + 1,
                        end_line: depth + 1,
                        ..w("deep", Plain, 0, 0).import()
                    }],
                    "depth {depth}"
                ),
                Err(_) => {
                    assert!(depth > 500, "depth {depth} should parse");
                    let _ = imports(&parse(&src), &src);
                }
            }
        }
    }

    #[test]
    fn never_panics_on_mismatched_or_broken_input() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let src = "éé = 1\nimport ray\nfrom . import (x\nimportlib.import_module(f'ray.{'\n";
        let tree = parser.parse(src, None).unwrap();
        // Whatever it finds, it does not panic, with the right text or with
        // texts whose byte offsets fall inside characters or outside.
        let _ = imports(&tree, src);
        for other in ["", "é", "ééééééééééééééééééééééééé", "import ray"]
        {
            let _ = imports(&tree, other);
        }
        let src = "import ray\n";
        let tree = parser.parse(src, None).unwrap();
        assert_eq!(imports(&tree, src), vec![w("ray", Plain, 1, 1).import()]);
        assert_eq!(imports(&tree, "é"), vec![]);
    }
}
