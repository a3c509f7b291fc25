//! Static reading of Python modules with tree-sitter: module-level names bound
//! to lists or tuples of string literals (feature lists), and scalar constants
//! (model versions). Anything that cannot be resolved without running Python is
//! an error naming the file and line, never a guess and never a skip.

use std::collections::{BTreeSet, HashMap, HashSet};

use tree_sitter::{Node, Parser, Tree};

pub mod handlers;
pub mod imports;
pub mod modules;

/// Deepest expression nesting and import chain followed.
const MAX_DEPTH: usize = 200;
const MAX_IMPORT_DEPTH: usize = 32;

/// One string of a list, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub value: String,
    pub file: String,
    pub line: usize,
}

/// Where a value was defined: the statement that built it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub symbol: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    List { items: Vec<Item>, origin: Origin },
    Scalar { text: String, origin: Origin },
}

/// Why a name could not be resolved statically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for PyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A repository file as the resolver sees it.
pub enum FileText {
    Missing,
    Text(String),
    /// Exists but cannot be read as text (too large, not UTF-8).
    Unreadable(PyError),
    /// A symbolic link (its target): never followed, never read as code.
    Symlink(String),
}

/// Reads a repository file. `Err`: docgate could not read the repository.
pub type ReadFile<'a> = dyn FnMut(&str) -> anyhow::Result<FileText> + 'a;

/// Resolves names across the repository's modules, caching parsed files.
pub struct Resolver<'a> {
    read: &'a mut ReadFile<'a>,
    modules: HashMap<String, Result<Module, PyError>>,
    /// Files whose module body is being evaluated (import cycle guard).
    loading: Vec<String>,
    /// Expression depth of the modules waiting on an import in one of their
    /// expressions: [`MAX_DEPTH`] bounds the total over the import chain.
    nesting: usize,
    /// Every file this resolver read (to decide whether a change touched a list).
    pub files_read: Vec<String>,
}

#[derive(Debug, Clone)]
enum Binding {
    /// A value, the top-level statement from which its object exists in
    /// this module (the statement that built it, or 0 for an object that
    /// came from another module) and the statement whose state it reflects
    /// (`None`: taken from another module as that module left it).
    Value(Value, usize, Option<usize>),
    Import {
        module: String,
        level: usize,
        name: String,
        line: usize,
    },
    Error(PyError),
}

#[derive(Debug)]
struct Module {
    bindings: HashMap<String, Binding>,
    /// `from m import *` after the name's last binding: (module, level, line).
    star_imports: Vec<(String, usize, usize)>,
    /// What may change its names after they are bound.
    analysis: Analysis,
}

impl<'a> Resolver<'a> {
    pub fn new(read: &'a mut ReadFile<'a>) -> Resolver<'a> {
        Resolver {
            read,
            modules: HashMap::new(),
            loading: Vec::new(),
            nesting: 0,
            files_read: Vec::new(),
        }
    }

    /// The value bound to `symbol` at module level in `file`.
    /// `Err` of the outer result: docgate could not read the file (exit 2).
    pub fn resolve(&mut self, file: &str, symbol: &str) -> anyhow::Result<Result<Value, PyError>> {
        let mut chain = Vec::new();
        self.resolve_in(file, symbol, &(file.to_string(), 1), &mut chain)
    }

    /// Like [`Resolver::resolve`], reporting a missing file or name at `site`
    /// (the config entry that named it).
    pub fn resolve_from(
        &mut self,
        file: &str,
        symbol: &str,
        site: &(String, usize),
    ) -> anyhow::Result<Result<Value, PyError>> {
        let mut chain = Vec::new();
        self.resolve_in(file, symbol, site, &mut chain)
    }

    /// `site` is where the name was asked for (an import statement, or the
    /// config entry): problems finding it are reported there.
    fn resolve_in(
        &mut self,
        file: &str,
        symbol: &str,
        site: &(String, usize),
        chain: &mut Vec<(String, String)>,
    ) -> anyhow::Result<Result<Value, PyError>> {
        let err = |message: String| PyError {
            file: site.0.clone(),
            line: site.1,
            message,
        };
        if chain.iter().any(|(f, s)| f == file && s == symbol) {
            let shown: Vec<String> = chain.iter().map(|(f, s)| format!("{f}:{s}")).collect();
            return Ok(Err(err(format!(
                "import cycle: {} → {file}:{symbol}",
                shown.join(" → ")
            ))));
        }
        if chain.len() >= MAX_IMPORT_DEPTH {
            return Ok(Err(err(format!(
                "imports nested deeper than {MAX_IMPORT_DEPTH} modules"
            ))));
        }
        if self.loading.iter().any(|f| f == file) {
            let mut shown = self.loading.clone();
            shown.push(file.to_string());
            return Ok(Err(err(format!("import cycle: {}", shown.join(" → ")))));
        }
        if !self.modules.contains_key(file) {
            // A module's body is evaluated before its name joins `chain`, so
            // a chain of modules each using the next one's name nests here:
            // without this limit, 1,000 such modules overflowed the stack.
            if self.loading.len() >= MAX_IMPORT_DEPTH {
                return Ok(Err(err(format!(
                    "imports nested deeper than {MAX_IMPORT_DEPTH} modules"
                ))));
            }
            let text = match (self.read)(file)? {
                FileText::Text(t) => t,
                FileText::Missing => return Ok(Err(err(format!("`{file}` does not exist")))),
                FileText::Unreadable(e) => return Ok(Err(e)),
                FileText::Symlink(target) => {
                    return Ok(Err(err(format!(
                        "`{file}` is a symbolic link (to `{target}`); docgate does not follow links: \
                         name the file itself"
                    ))));
                }
            };
            self.files_read.push(file.to_string());
            self.loading.push(file.to_string());
            let module = self.parse_module(file, &text, chain);
            self.loading.pop();
            let module = module?;
            self.modules.insert(file.to_string(), module);
        }
        let module = match &self.modules[file] {
            Ok(m) => m,
            Err(e) => return Ok(Err(e.clone())),
        };
        let binding = module.bindings.get(symbol).cloned();
        let stars = module.star_imports.clone();
        chain.push((file.to_string(), symbol.to_string()));
        // The module as imported: any change after the binding counts.
        let checked = |r: &Resolver<'_>, v: Value, entry: usize, captured: Option<usize>| {
            let list = matches!(v, Value::List { .. });
            match r.modules.get(file) {
                Some(Ok(m)) => match m.analysis.check(file, symbol, list, entry, captured, None) {
                    Some(e) => Err(e),
                    None => Ok(v),
                },
                _ => Ok(v),
            }
        };
        let result = match binding {
            Some(Binding::Value(v, entry, captured)) => Ok(checked(self, v, entry, captured)),
            Some(Binding::Error(e)) => Ok(Err(e)),
            Some(Binding::Import {
                module,
                level,
                name,
                line,
            }) => match self.find_module(file, &module, level, line)? {
                Ok(target) => {
                    match self.resolve_in(&target, &name, &(file.to_string(), line), chain)? {
                        Ok(v) => Ok(checked(self, v, 0, None)),
                        Err(e) => Ok(Err(e)),
                    }
                }
                Err(e) => Ok(Err(e)),
            },
            None => match stars.last() {
                Some((m, level, line)) => Ok(Err(PyError {
                    file: file.to_string(),
                    line: *line,
                    message: format!(
                        "`{symbol}` is not bound by name, and `from {}{m} import *` might bind it; import it by name",
                        ".".repeat(*level)
                    ),
                })),
                None => Ok(Err(err(format!(
                    "`{symbol}` is not bound at module level in {file}"
                )))),
            },
        };
        chain.pop();
        result
    }

    fn parse_module(
        &mut self,
        file: &str,
        text: &str,
        chain: &mut Vec<(String, String)>,
    ) -> anyhow::Result<Result<Module, PyError>> {
        let Some(tree) = parse_tree(text) else {
            return Ok(Err(PyError {
                file: file.to_string(),
                line: 1,
                message: "the Python parser could not parse this file".into(),
            }));
        };
        let root = tree.root_node();
        if let Some(line) = first_error_line(root) {
            // Python refuses to import a file with a syntax error anywhere in it.
            return Ok(Err(PyError {
                file: file.to_string(),
                line,
                message: format!("syntax error at line {line}: Python could not import {file}"),
            }));
        }
        let analysis = {
            let mut exists = |module: &str, level: usize| -> anyhow::Result<bool> {
                Ok(self
                    .module_candidates(file, module, level)?
                    .is_ok_and(|c| !c.is_empty()))
            };
            Analysis::build(text, root, &mut exists)?
        };
        let mut eval = Eval {
            file,
            src: text.as_bytes(),
            bindings: HashMap::new(),
            resolver: self,
            chain,
            fatal: None,
            stmt: 0,
            analysis: &analysis,
        };
        let mut star_imports = Vec::new();
        let mut cursor = root.walk();
        for (i, stmt) in root.named_children(&mut cursor).enumerate() {
            eval.stmt = i;
            eval.statement(stmt, &mut star_imports);
            if let Some(e) = eval.fatal.take() {
                return Err(e);
            }
        }
        let bindings = eval.bindings;
        Ok(Ok(Module {
            bindings,
            star_imports,
            analysis,
        }))
    }

    /// The repository file for `from <level dots><module> import ...` in `file`.
    fn find_module(
        &mut self,
        file: &str,
        module: &str,
        level: usize,
        line: usize,
    ) -> anyhow::Result<Result<String, PyError>> {
        let shown = format!("{}{module}", ".".repeat(level));
        let error = |message: String| PyError {
            file: file.to_string(),
            line,
            message,
        };
        let mut found = match self.module_candidates(file, module, level)? {
            Ok(found) => found,
            Err(message) => return Ok(Err(error(message))),
        };
        match found.len() {
            0 => Ok(Err(error(format!(
                "cannot find module `{shown}` in the repository (looked for it next to {file} and in every folder above)"
            )))),
            1 => Ok(Ok(found.remove(0))),
            _ => Ok(Err(error(format!(
                "module `{shown}` is more than one file of the repository: {}; which one Python \
                 imports depends on the folders on sys.path (how the program is started), so \
                 docgate does not guess: make the import relative, or rename one",
                found.join(", ")
            )))),
        }
    }

    /// Every file `from <level dots><module> import ...` in `file` may load:
    /// one per folder that may be on sys.path (an absolute import: the
    /// importing file's folder and each folder above it; a relative one: the
    /// package), nearest first. In one folder a package (`mod/__init__.py`)
    /// beats a module (`mod.py`), as in Python's import system. `Err`: a
    /// relative import above the repository root.
    fn module_candidates(
        &mut self,
        file: &str,
        module: &str,
        level: usize,
    ) -> anyhow::Result<Result<Vec<String>, String>> {
        let parts: Vec<&str> = module.split('.').filter(|p| !p.is_empty()).collect();
        let dir_of = |p: &str| {
            p.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string())
        };
        let mut roots = Vec::new();
        if level > 0 {
            let mut dir = dir_of(file);
            for _ in 1..level {
                if dir.is_empty() {
                    return Ok(Err(format!(
                        "relative import `{}{module}` goes above the repository root",
                        ".".repeat(level)
                    )));
                }
                dir = dir_of(&dir);
            }
            roots.push(dir);
        } else {
            // Any folder above the importing file may be on sys.path (src/ layouts,
            // backend/ roots).
            let mut dir = dir_of(file);
            loop {
                roots.push(dir.clone());
                if dir.is_empty() {
                    break;
                }
                dir = dir_of(&dir);
            }
        }
        let mut found = Vec::new();
        for root in &roots {
            let base = if parts.is_empty() {
                root.clone()
            } else if root.is_empty() {
                parts.join("/")
            } else {
                format!("{root}/{}", parts.join("/"))
            };
            let candidates = if parts.is_empty() {
                vec![join(&base, "__init__.py")]
            } else {
                vec![join(&base, "__init__.py"), format!("{base}.py")]
            };
            for c in candidates {
                if self.modules.contains_key(&c) || !matches!((self.read)(&c)?, FileText::Missing) {
                    found.push(c);
                    break;
                }
            }
        }
        Ok(Ok(found))
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn parse_tree(text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .ok()?;
    parser.parse(text, None)
}

/// Where a Python file stops being Python for the parser (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A file parsed for the code rules (SPEC §6). A file tree-sitter cannot
/// parse is an error at its first error position, never an empty tree:
/// the code rules do not treat it as clean.
pub fn parse_code(text: &str) -> Result<Tree, SyntaxError> {
    let Some(tree) = parse_tree(text) else {
        return Err(SyntaxError {
            line: 1,
            column: 1,
            message: "the Python parser gave up on this file".into(),
        });
    };
    let root = tree.root_node();
    if !root.has_error() {
        return Ok(tree);
    }
    let mut cursor = root.walk();
    let mut stack = vec![root];
    let mut at = root;
    while let Some(node) = stack.pop() {
        // The first error that holds no error inside it: tree-sitter may wrap
        // a whole file in one ERROR node around the real spot.
        let inner_error = node.is_error() && {
            let mut c = node.walk();
            node.children(&mut c).any(|k| k.has_error())
        };
        if node.is_missing() || (node.is_error() && !inner_error) {
            at = node;
            break;
        }
        if node.has_error() {
            let children: Vec<Node> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    let p = at.start_position();
    let message = if at.is_missing() {
        format!("syntax error: expected `{}`", at.kind())
    } else {
        let near: String = text
            .get(at.start_byte()..at.end_byte().min(text.len()))
            .unwrap_or_default()
            .chars()
            .take(40)
            .take_while(|c| *c != '\n')
            .collect();
        if near.trim().is_empty() {
            "syntax error".to_string()
        } else {
            format!("syntax error near `{}`", near.trim())
        }
    };
    Err(SyntaxError {
        line: p.row + 1,
        column: column(text, at.start_byte()),
        message,
    })
}

/// Single-byte encodings that keep ASCII as ASCII, as Python spells them
/// (lowercase, `_` as `-`): a declared one is decoded one character a byte.
const SINGLE_BYTE: &[&str] = &[
    "latin-1",
    "latin1",
    "iso-8859-1",
    "iso8859-1",
    "l1",
    "cp819",
];
const SINGLE_BYTE_PREFIXES: &[&str] = &[
    "iso-8859-",
    "iso8859-",
    "latin-",
    "cp125",
    "windows-125",
    "koi8-",
    "mac-",
    "cp437",
    "cp850",
    "cp852",
    "cp866",
    "tis-620",
];

/// A Python source file's bytes as text (PEP 263): UTF-8 (a BOM dropped), or
/// a file whose first two lines declare a single-byte ASCII-compatible
/// encoding (`# -*- coding: latin-1 -*-`): Latin-1 is decoded exactly; in
/// the others each non-ASCII byte reads as one letter (`é`), so every
/// position stays exact and the code itself, which is ASCII, reads as
/// written. Any other bytes are an error at the first byte that is not UTF-8,
/// naming a declared encoding docgate does not decode.
pub fn decode_source(bytes: Vec<u8>) -> Result<String, SyntaxError> {
    let bytes = match String::from_utf8(bytes) {
        Ok(t) => return Ok(t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t)),
        Err(e) => e.into_bytes(),
    };
    let bad = std::str::from_utf8(&bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let (line, col) = crate::yaml::position_of(&bytes, bad);
    let declared = coding_declaration(&bytes);
    let Some(name) = declared else {
        return Err(SyntaxError {
            line,
            column: col,
            message: "not valid UTF-8 and no PEP 263 `coding:` declaration on its first two lines"
                .into(),
        });
    };
    let latin1 = SINGLE_BYTE.contains(&name.as_str());
    if !latin1 && !SINGLE_BYTE_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return Err(SyntaxError {
            line,
            column: col,
            message: format!(
                "declares the encoding `{name}`, which docgate does not decode (it reads UTF-8 and single-byte encodings such as latin-1)"
            ),
        });
    }
    Ok(bytes
        .iter()
        .map(|&b| match b {
            0..=0x7f => b as char,
            _ if latin1 => b as char,
            _ => 'é',
        })
        .collect())
}

/// The encoding a PEP 263 comment on the first two lines declares, lowercased
/// with `_` as `-`.
fn coding_declaration(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|&b| b == b'\n').take(2) {
        let line = String::from_utf8_lossy(line);
        let trimmed = line.trim_start_matches([' ', '\t', '\x0c']);
        if !trimmed.starts_with('#') {
            continue;
        }
        let Some(at) = trimmed.find("coding") else {
            continue;
        };
        let rest = &trimmed[at + "coding".len()..];
        let Some(rest) = rest.strip_prefix([':', '=']) else {
            continue;
        };
        let name: String = rest
            .trim_start_matches([' ', '\t'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        if !name.is_empty() {
            return Some(name.to_ascii_lowercase().replace('_', "-"));
        }
    }
    None
}

/// The 1-based column (in characters) of a byte offset.
pub fn column(text: &str, byte: usize) -> usize {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    let start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    text[start..byte].chars().count() + 1
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn syntax_errors_are_located_without_splitting_characters() {
        for text in [
            "class é€€€€€€€€€€€€€€€€€€€€€€€€€€€€€:\n  ?? €€€€€€€€€€€€€€€€\n",
            "def f(:\n  é€€€€€€€€€€€€€€€€€€€€€\n",
        ] {
            let e = parse_code(text).unwrap_err();
            assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        }
        let e = parse_code("x = 1\ndef f(:\n    pass\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 7), "{e:?}");
        // A continuation line indented less than its block (valid Python that
        // tree-sitter-python 0.25 refuses, upstream issue #256) makes one ERROR
        // node of the whole file: the position is the innermost error's.
        let e = parse_code("import dis\n\ndef f():\n    x = (1 +\n2)\n").unwrap_err();
        assert!(e.line >= 4, "{e:?}");
        assert!(parse_code("x = 1\n").is_ok());
    }

    #[test]
    fn source_encodings_follow_pep_263() {
        let latin = b"# -*- coding: latin-1 -*-\nx = '\xe9'\nimport ray\n".to_vec();
        assert_eq!(
            decode_source(latin).unwrap(),
            "# -*- coding: latin-1 -*-\nx = '\u{e9}'\nimport ray\n"
        );
        let koi =
            b"#!/usr/bin/env python\n# vim: set fileencoding=koi8-r :\ns = '\xf0\xd2'\n".to_vec();
        assert_eq!(
            decode_source(koi).unwrap(),
            "#!/usr/bin/env python\n# vim: set fileencoding=koi8-r :\ns = '\u{e9}\u{e9}'\n"
        );
        let e = decode_source(b"x = 1\ny = '\xe9'\n".to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 6), "{e:?}");
        assert!(e.message.contains("no PEP 263"), "{e:?}");
        let e = decode_source(b"# coding: shift_jis\ny = '\x83'\n".to_vec()).unwrap_err();
        assert!(
            e.message
                .contains("`shift-jis`, which docgate does not decode"),
            "{e:?}"
        );
        // A third-line declaration does not count.
        assert!(decode_source(b"\n\n# coding: latin-1\n'\xe9'\n".to_vec()).is_err());
        assert_eq!(
            decode_source("\u{feff}x = 1\n".as_bytes().to_vec()).unwrap(),
            "x = 1\n"
        );
        assert_eq!(column("aé€b", 6), 4);
        assert_eq!(column("aé€b", 5), 3, "inside a character: its start");
    }
}

/// The first syntax error in the tree, as a 1-based line.
fn first_error_line(root: Node<'_>) -> Option<usize> {
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            return Some(node.start_position().row + 1);
        }
        if node.has_error() {
            let children: Vec<Node> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    Some(root.start_position().row + 1)
}

struct Eval<'s, 'r, 'a> {
    file: &'s str,
    src: &'s [u8],
    bindings: HashMap<String, Binding>,
    resolver: &'r mut Resolver<'a>,
    chain: &'r mut Vec<(String, String)>,
    /// docgate could not read a file while resolving an import (exit 2).
    fatal: Option<anyhow::Error>,
    /// The top-level statement being evaluated (counted like `Analysis`).
    stmt: usize,
    analysis: &'s Analysis,
}

fn line(node: Node<'_>) -> usize {
    node.start_position().row + 1
}

const MUTATORS: &[&str] = &[
    "append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse", "__iadd__",
];

impl Eval<'_, '_, '_> {
    fn text(&self, node: Node<'_>) -> &str {
        node.utf8_text(self.src).unwrap_or("")
    }

    fn error(&self, node: Node<'_>, message: impl Into<String>) -> PyError {
        PyError {
            file: self.file.to_string(),
            line: line(node),
            message: message.into(),
        }
    }

    fn bind(&mut self, name: &str, binding: Binding) {
        self.bindings.insert(name.to_string(), binding);
    }

    fn spoil(&mut self, name: &str, node: Node<'_>, why: String) {
        let e = self.error(node, why);
        self.bind(name, Binding::Error(e));
    }

    fn statement(&mut self, stmt: Node<'_>, stars: &mut Vec<(String, usize, usize)>) {
        self.statement_kind(stmt, stars);
        // Blocks spoil what they bind (walruses included) in `statement_kind`.
        if matches!(
            stmt.kind(),
            "expression_statement"
                | "import_from_statement"
                | "import_statement"
                | "delete_statement"
                | "function_definition"
                | "class_definition"
                | "decorated_definition"
        ) {
            self.spoil_walruses(stmt);
        }
    }

    /// `(X := ...)` anywhere in a top-level statement rebinds X at module
    /// level (not in the body of a def, lambda or class: their own scope).
    fn spoil_walruses(&mut self, stmt: Node<'_>) {
        let mut found = Vec::new();
        let mut stack = vec![stmt];
        while let Some(n) = stack.pop() {
            if n.kind() == "named_expression"
                && let Some(name) = n.child_by_field_name("name")
            {
                found.push((self.text(name).to_string(), n));
            }
            let skip_body = matches!(
                n.kind(),
                "function_definition" | "class_definition" | "lambda"
            );
            let mut c = n.walk();
            if c.goto_first_child() {
                loop {
                    if !(skip_body && c.field_name() == Some("body")) {
                        stack.push(c.node());
                    }
                    if !c.goto_next_sibling() {
                        break;
                    }
                }
            }
        }
        for (name, at) in found {
            let what = if self
                .bindings
                .get(&name)
                .is_some_and(|b| matches!(b, Binding::Value(Value::Scalar { .. }, ..)))
            {
                "value"
            } else {
                "list"
            };
            let why = format!(
                "`{name}` is rebound at {}:{} (`{}` at module level): docgate reads {what}s \
                 statically, so the {what} Python builds may differ",
                self.file,
                line(at),
                self.short(at)
            );
            self.spoil(&name, at, why);
        }
    }

    fn statement_kind(&mut self, stmt: Node<'_>, stars: &mut Vec<(String, usize, usize)>) {
        match stmt.kind() {
            "expression_statement" => {
                let mut c = stmt.walk();
                for child in stmt.named_children(&mut c) {
                    match child.kind() {
                        "assignment" => self.assignment(child),
                        "augmented_assignment" => self.augmented(child),
                        "call" => self.module_call(child),
                        _ => {}
                    }
                }
            }
            "import_from_statement" => self.import_from(stmt, stars),
            "future_import_statement" | "comment" => {}
            "import_statement" => {
                let mut c = stmt.walk();
                for name in stmt.children_by_field_name("name", &mut c) {
                    let bound = match name.kind() {
                        "aliased_import" => name
                            .child_by_field_name("alias")
                            .map(|a| self.text(a).to_string()),
                        _ => self.text(name).split('.').next().map(str::to_string),
                    };
                    if let Some(b) = bound {
                        self.spoil(
                            &b,
                            stmt,
                            format!("`{b}` is a module imported at line {}", line(stmt)),
                        );
                    }
                }
            }
            "delete_statement" => {
                for name in self.identifiers_in(stmt) {
                    self.spoil(
                        &name,
                        stmt,
                        format!("`{name}` is deleted at line {}", line(stmt)),
                    );
                }
            }
            "function_definition" | "class_definition" | "decorated_definition" => {
                let def = if stmt.kind() == "decorated_definition" {
                    stmt.child_by_field_name("definition")
                } else {
                    Some(stmt)
                };
                if let Some(name) = def.and_then(|d| d.child_by_field_name("name")) {
                    let n = self.text(name).to_string();
                    self.spoil(
                        &n,
                        stmt,
                        format!(
                            "`{n}` is a function or class defined at line {}",
                            line(stmt)
                        ),
                    );
                }
            }
            // if / try / for / while / with / match at module level: whatever
            // they bind depends on running the code.
            _ => {
                for (name, at) in self.bound_inside(stmt) {
                    let kind = stmt.kind().trim_end_matches("_statement").to_string();
                    self.spoil(
                        &name,
                        at,
                        format!("`{name}` is bound inside a module-level `{kind}` block (line {}), so its value depends on running the code", line(at)),
                    );
                }
            }
        }
    }

    fn identifiers_in(&self, node: Node<'_>) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.kind() == "identifier" {
                out.push(self.text(n).to_string());
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        out
    }

    /// Names assigned anywhere inside a compound statement (not inside nested
    /// functions or classes, which have their own scope).
    fn bound_inside<'t>(&self, stmt: Node<'t>) -> Vec<(String, Node<'t>)> {
        let mut out = Vec::new();
        let mut stack = vec![stmt];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "function_definition" | "class_definition" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        out.push((self.text(name).to_string(), n));
                    }
                    continue;
                }
                "assignment"
                | "augmented_assignment"
                | "for_statement"
                | "for_in_clause"
                | "named_expression"
                | "as_pattern" => {
                    let target = n
                        .child_by_field_name("left")
                        .or_else(|| n.child_by_field_name("name"))
                        .or_else(|| n.child_by_field_name("alias"));
                    if let Some(t) = target {
                        for name in self.identifiers_in(t) {
                            out.push((name, n));
                        }
                    }
                }
                "import_from_statement" | "import_statement" => {
                    for name in self.identifiers_in(n) {
                        out.push((name, n));
                    }
                }
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        out
    }

    fn assignment(&mut self, node: Node<'_>) {
        // `A = B = [...]`: the innermost right side is the value.
        let mut targets = Vec::new();
        let mut cur = node;
        loop {
            if let Some(left) = cur.child_by_field_name("left") {
                targets.push(left);
            }
            match cur.child_by_field_name("right") {
                Some(r) if r.kind() == "assignment" => cur = r,
                other => {
                    // `X: T` without a value declares, it does not bind.
                    let Some(right) = other else { return };
                    for target in targets {
                        self.assign(target, right, node);
                    }
                    return;
                }
            }
        }
    }

    fn assign(&mut self, target: Node<'_>, right: Node<'_>, stmt: Node<'_>) {
        match target.kind() {
            "identifier" => {
                let name = self.text(target).to_string();
                let origin = Origin {
                    file: self.file.to_string(),
                    line: line(stmt),
                    symbol: name.clone(),
                };
                // `X = A` binds the object A is bound to: it keeps A's
                // history. Anything else builds a new object here.
                let mut rhs = right;
                while rhs.kind() == "parenthesized_expression" && rhs.named_child_count() == 1 {
                    match rhs.named_child(0) {
                        Some(inner) => rhs = inner,
                        None => break,
                    }
                }
                let (entry, captured) = if rhs.kind() == "identifier" {
                    match self.bindings.get(self.text(rhs)) {
                        Some(Binding::Value(_, entry, captured)) => (*entry, *captured),
                        _ => (0, None),
                    }
                } else {
                    (self.stmt, Some(self.stmt))
                };
                let binding = match self.value(right, &origin, 0) {
                    Ok(v) => Binding::Value(v, entry, captured),
                    Err(e) => Binding::Error(e),
                };
                self.bind(&name, binding);
            }
            "subscript" | "attribute" => {
                // `X[0] = ...` / `X.attr = ...` changes X in place.
                if let Some(obj) = target
                    .child_by_field_name("value")
                    .or_else(|| target.child_by_field_name("object"))
                    && obj.kind() == "identifier"
                {
                    let name = self.text(obj).to_string();
                    self.spoil(
                        &name,
                        stmt,
                        format!("`{name}` is changed in place at line {}", line(stmt)),
                    );
                }
            }
            _ => {
                for name in self.identifiers_in(target) {
                    self.spoil(
                        &name,
                        stmt,
                        format!(
                            "`{name}` is bound by unpacking at line {}; bind it to a literal list",
                            line(stmt)
                        ),
                    );
                }
            }
        }
    }

    fn augmented(&mut self, node: Node<'_>) {
        let (Some(left), Some(right), Some(op)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
            node.child_by_field_name("operator"),
        ) else {
            return;
        };
        if left.kind() != "identifier" {
            if let Some(obj) = left
                .child_by_field_name("value")
                .or_else(|| left.child_by_field_name("object"))
            {
                let name = self.text(obj).to_string();
                self.spoil(
                    &name,
                    node,
                    format!("`{name}` is changed in place at line {}", line(node)),
                );
            }
            return;
        }
        let name = self.text(left).to_string();
        if self.text(op) != "+=" {
            self.spoil(
                &name,
                node,
                format!(
                    "`{name} {}` at line {} cannot be evaluated statically",
                    self.text(op),
                    line(node)
                ),
            );
            return;
        }
        let origin = Origin {
            file: self.file.to_string(),
            line: line(node),
            symbol: name.clone(),
        };
        // `X += ...` changes X's object in place: same object, new state.
        let entry = match self.bindings.get(&name) {
            Some(Binding::Value(_, entry, _)) => *entry,
            _ => 0,
        };
        let current = self.lookup(&name, node);
        let binding = match (current, self.value(right, &origin, 0)) {
            (Ok(Value::List { mut items, .. }), Ok(Value::List { items: more, .. })) => {
                items.extend(more);
                Binding::Value(Value::List { items, origin }, entry, Some(self.stmt))
            }
            (Err(e), _) | (_, Err(e)) => Binding::Error(e),
            _ => Binding::Error(self.error(
                node,
                format!(
                    "`{name} += ...` at line {} does not add a list to a list",
                    line(node)
                ),
            )),
        };
        self.bind(&name, binding);
    }

    /// `NAME.append(...)` and friends at module level change the list.
    fn module_call(&mut self, call: Node<'_>) {
        let Some(func) = call.child_by_field_name("function") else {
            return;
        };
        if func.kind() != "attribute" {
            return;
        }
        let (Some(obj), Some(attr)) = (
            func.child_by_field_name("object"),
            func.child_by_field_name("attribute"),
        ) else {
            return;
        };
        let method = self.text(attr).to_string();
        if obj.kind() == "identifier" && MUTATORS.contains(&method.as_str()) {
            let name = self.text(obj).to_string();
            self.spoil(&name, call, format!("`{name}` is changed by `.{method}()` at line {}; write the whole list in one literal", line(call)));
        }
    }

    fn import_from(&mut self, stmt: Node<'_>, stars: &mut Vec<(String, usize, usize)>) {
        let Some(module) = stmt.child_by_field_name("module_name") else {
            return;
        };
        let (level, name) = if module.kind() == "relative_import" {
            let text = self.text(module);
            let level = text.chars().take_while(|&c| c == '.').count();
            (level, text[level..].to_string())
        } else {
            (0, self.text(module).to_string())
        };
        let mut c = stmt.walk();
        let mut any = false;
        for imported in stmt.children_by_field_name("name", &mut c) {
            any = true;
            let (orig, alias) = match imported.kind() {
                "aliased_import" => (
                    imported
                        .child_by_field_name("name")
                        .map(|n| self.text(n).to_string()),
                    imported
                        .child_by_field_name("alias")
                        .map(|n| self.text(n).to_string()),
                ),
                _ => (Some(self.text(imported).to_string()), None),
            };
            let Some(orig) = orig else { continue };
            let bound = alias.unwrap_or_else(|| orig.clone());
            self.bindings.insert(
                bound,
                Binding::Import {
                    module: name.clone(),
                    level,
                    name: orig,
                    line: line(stmt),
                },
            );
        }
        if !any {
            // `from m import *`: it may rebind any name bound before it.
            let mut c2 = stmt.walk();
            if stmt
                .children(&mut c2)
                .any(|ch| ch.kind() == "wildcard_import")
            {
                for b in self.bindings.values_mut() {
                    if !matches!(b, Binding::Error(_)) {
                        // Keep earlier bindings, but a later lookup must know a star
                        // import came after them: mark them uncertain.
                        *b = Binding::Error(PyError {
                            file: self.file.to_string(),
                            line: line(stmt),
                            message: format!(
                                "`from {}{name} import *` at line {} may rebind this name; import names explicitly",
                                ".".repeat(level),
                                line(stmt)
                            ),
                        });
                    }
                }
                stars.push((name, level, line(stmt)));
            }
        }
    }

    /// The value of `name` read by the statement being evaluated: an error
    /// if something docgate does not evaluate may have changed it by then.
    fn lookup(&mut self, name: &str, at: Node<'_>) -> Result<Value, PyError> {
        let (v, entry, captured) = match self.lookup_binding(name, at)? {
            (v, Some((entry, captured))) => (v, entry, captured),
            (v, None) => (v, 0, None),
        };
        let list = matches!(v, Value::List { .. });
        match self
            .analysis
            .check(self.file, name, list, entry, captured, Some(self.stmt))
        {
            Some(e) => Err(e),
            None => Ok(v),
        }
    }

    /// The value bound to `name`, and (entry, captured) for a local value.
    #[allow(clippy::type_complexity)]
    fn lookup_binding(
        &mut self,
        name: &str,
        at: Node<'_>,
    ) -> Result<(Value, Option<(usize, Option<usize>)>), PyError> {
        match self.bindings.get(name) {
            Some(Binding::Value(v, entry, captured)) => Ok((v.clone(), Some((*entry, *captured)))),
            Some(Binding::Error(e)) => Err(e.clone()),
            Some(Binding::Import {
                module,
                level,
                name: orig,
                line,
            }) => {
                let (module, level, orig, line) = (module.clone(), *level, orig.clone(), *line);
                let found = self
                    .resolver
                    .find_module(self.file, &module, level, line)
                    .and_then(|target| match target {
                        Ok(target) => {
                            let site = (self.file.to_string(), line);
                            self.resolver.resolve_in(&target, &orig, &site, self.chain)
                        }
                        Err(e) => Ok(Err(e)),
                    });
                match found {
                    Ok(result) => result.map(|v| (v, None)),
                    Err(fatal) => {
                        let e =
                            self.error(at, format!("cannot read the module of `{name}`: {fatal}"));
                        self.fatal = Some(fatal);
                        Err(e)
                    }
                }
            }
            None => Err(self.error(
                at,
                format!(
                    "`{name}` is not defined at module level before line {}",
                    line(at)
                ),
            )),
        }
    }

    fn value(&mut self, node: Node<'_>, origin: &Origin, depth: usize) -> Result<Value, PyError> {
        if depth + self.resolver.nesting > MAX_DEPTH {
            return Err(self.error(node, "expression nested too deeply"));
        }
        let d = depth + 1;
        match node.kind() {
            "list" | "tuple" => {
                let mut items = Vec::new();
                let mut c = node.walk();
                for el in node.named_children(&mut c) {
                    match el.kind() {
                        "comment" => {}
                        "string" | "concatenated_string" => items.push(Item {
                            value: self.string(el)?,
                            file: self.file.to_string(),
                            line: line(el),
                        }),
                        "list_splat" => {
                            let inner = el
                                .named_child(0)
                                .ok_or_else(|| self.error(el, "empty `*`"))?;
                            match self.value(inner, origin, d)? {
                                Value::List { items: more, .. } => items.extend(more),
                                Value::Scalar { .. } => {
                                    return Err(self.error(el, "`*` of a value that is not a list"));
                                }
                            }
                        }
                        "parenthesized_expression" => match self.value(el, origin, d)? {
                            Value::Scalar { text, .. }
                                if el
                                    .named_child(0)
                                    .is_some_and(|i| i.kind().contains("string")) =>
                            {
                                items.push(Item {
                                    value: text,
                                    file: self.file.to_string(),
                                    line: line(el),
                                })
                            }
                            _ => {
                                return Err(self.error(
                                    el,
                                    "an element in parentheses that is not a string literal",
                                ));
                            }
                        },
                        other => {
                            return Err(self.error(
                                el,
                                format!(
                                    "element `{}` is {}, not a string literal",
                                    self.short(el),
                                    describe(other)
                                ),
                            ));
                        }
                    }
                }
                Ok(Value::List {
                    items,
                    origin: origin.clone(),
                })
            }
            "string" | "concatenated_string" => Ok(Value::Scalar {
                text: self.string(node)?,
                origin: origin.clone(),
            }),
            "integer" | "float" => Ok(Value::Scalar {
                text: self.text(node).to_string(),
                origin: origin.clone(),
            }),
            "parenthesized_expression" => {
                let inner = node
                    .named_child(0)
                    .ok_or_else(|| self.error(node, "empty parentheses"))?;
                self.value(inner, origin, d)
            }
            "identifier" => {
                let name = self.text(node).to_string();
                // An imported name evaluates the other module right here, on
                // this stack: its expressions count on top of this one.
                self.resolver.nesting += depth;
                let found = self.lookup(&name, node);
                self.resolver.nesting -= depth;
                found
            }
            "binary_operator" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                let (Some(l), Some(r)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return Err(self.error(node, "incomplete expression"));
                };
                if op != "+" {
                    return Err(self.error(node, format!("`{}` uses `{op}`, which docgate does not evaluate; only `+` joins lists", self.short(node))));
                }
                match (self.value(l, origin, d)?, self.value(r, origin, d)?) {
                    (Value::List { mut items, .. }, Value::List { items: more, .. }) => {
                        items.extend(more);
                        Ok(Value::List {
                            items,
                            origin: origin.clone(),
                        })
                    }
                    _ => Err(self.error(
                        node,
                        format!("`{}` does not join two lists", self.short(node)),
                    )),
                }
            }
            "call" => {
                let func = node
                    .child_by_field_name("function")
                    .map(|f| self.text(f))
                    .unwrap_or("")
                    .to_string();
                let args = node.child_by_field_name("arguments");
                let shadowed = self.bindings.contains_key(&func);
                if (func == "list" || func == "tuple")
                    && !shadowed
                    && let Some(args) = args.filter(|a| a.kind() == "argument_list")
                {
                    let mut c = args.walk();
                    let real: Vec<Node> = args
                        .named_children(&mut c)
                        .filter(|n| n.kind() != "comment")
                        .collect();
                    if real.len() == 1
                        && !matches!(
                            real[0].kind(),
                            "keyword_argument" | "list_splat" | "dictionary_splat"
                        )
                    {
                        return match self.value(real[0], origin, d)? {
                            // A copy of a list is the same definition.
                            list @ Value::List { .. } => Ok(list),
                            Value::Scalar { .. } => Err(self.error(
                                node,
                                format!("`{func}(...)` of a value that is not a list"),
                            )),
                        };
                    }
                }
                Err(self.error(
                    node,
                    format!(
                        "`{}` is a call to `{func}`, which docgate cannot evaluate statically",
                        self.short(node)
                    ),
                ))
            }
            other => Err(self.error(
                node,
                format!(
                    "`{}` is {}, which docgate cannot evaluate statically",
                    self.short(node),
                    describe(other)
                ),
            )),
        }
    }

    /// A short excerpt of a node's source for messages.
    fn short(&self, node: Node<'_>) -> String {
        let t = self
            .text(node)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if t.chars().count() > 60 {
            format!("{}…", t.chars().take(60).collect::<String>())
        } else {
            t
        }
    }

    /// The decoded value of a string literal (or implicitly concatenated ones).
    fn string(&self, node: Node<'_>) -> Result<String, PyError> {
        if node.kind() == "concatenated_string" {
            let mut out = String::new();
            let mut c = node.walk();
            for part in node.named_children(&mut c) {
                if part.kind() == "string" {
                    out.push_str(&self.string(part)?);
                }
            }
            return Ok(out);
        }
        let mut c = node.walk();
        let mut prefix = String::new();
        let mut content = Vec::new();
        for child in node.children(&mut c) {
            match child.kind() {
                "string_start" => {
                    prefix = self
                        .text(child)
                        .trim_end_matches(['"', '\''])
                        .to_ascii_lowercase()
                }
                "string_content" => content.push(child),
                "interpolation" => return Err(self.error(
                    node,
                    format!(
                        "`{}` is an f-string with a replacement field; write the name literally",
                        self.short(node)
                    ),
                )),
                _ => {}
            }
        }
        if prefix.contains('b') {
            return Err(self.error(
                node,
                format!("`{}` is a bytes literal, not a string", self.short(node)),
            ));
        }
        if prefix.contains('r') {
            return Ok(content.iter().map(|&c| self.text(c)).collect());
        }
        let mut out = String::new();
        for part in content {
            let text = self.text(part);
            match decode_escapes(text) {
                Ok(s) => out.push_str(&s),
                Err((at, why)) => {
                    // At the escape's own line (a triple-quoted string spans several).
                    return Err(PyError {
                        file: self.file.to_string(),
                        line: line(part) + text[..at].matches('\n').count(),
                        message: format!("`{}`: {why}", self.short(node)),
                    });
                }
            }
        }
        Ok(out)
    }
}

fn describe(kind: &str) -> &'static str {
    match kind {
        "list_comprehension"
        | "set_comprehension"
        | "dictionary_comprehension"
        | "generator_expression" => "a comprehension",
        "conditional_expression" => "a conditional expression",
        "call" => "a call",
        "attribute" => "an attribute access",
        "subscript" => "a subscript",
        "dictionary" => "a dictionary",
        "set" => "a set",
        "lambda" => "a lambda",
        "identifier" => "a name",
        "integer" | "float" => "a number",
        "true" | "false" => "a boolean",
        "none" => "None",
        "boolean_operator" | "comparison_operator" | "not_operator" | "unary_operator" => {
            "an operator expression"
        }
        "await" => "an await expression",
        _ => "an expression",
    }
}

/// Python's escape sequences in a non-raw string literal. `Err`: the byte
/// offset of the escape Python refuses (a `SyntaxError`), and why, in
/// Python's words.
fn decode_escapes(s: &str) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e.to_digit(8).expect("octal digit");
                for _ in 0..2 {
                    match chars.peek().and_then(|(_, c)| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).ok_or((at, "invalid octal escape".to_string()))?);
            }
            'x' | 'u' | 'U' => {
                let (n, shape) = match e {
                    'x' => (2, "XX"),
                    'u' => (4, "XXXX"),
                    _ => (8, "XXXXXXXX"),
                };
                // Exactly n hex digits, as Python requires (`\x4`, `\x+1`
                // and `\u00e` are syntax errors, not shorter escapes).
                let mut hex = String::new();
                while hex.len() < n {
                    match chars.peek() {
                        Some(&(_, h)) if h.is_ascii_hexdigit() => {
                            hex.push(h);
                            chars.next();
                        }
                        _ => return Err((at, format!("truncated \\{e}{shape} escape"))),
                    }
                }
                let v = u32::from_str_radix(&hex, 16).expect("hex digits");
                if v > 0x10FFFF {
                    return Err((at, format!("illegal Unicode character \\{e}{hex}")));
                }
                out.push(
                    char::from_u32(v)
                        .ok_or_else(|| (at, format!("\\{e}{hex} is not a character")))?,
                );
            }
            'N' => {
                // `\N{NAME}`: valid Python, but decoding it needs Unicode's
                // name table; anything else after `\N` is a syntax error.
                let mut rest = chars.clone();
                let named = match rest.next() {
                    Some((_, '{')) => {
                        let mut name = String::new();
                        let mut closed = false;
                        for (_, c) in rest {
                            if c == '}' {
                                closed = true;
                                break;
                            }
                            name.push(c);
                        }
                        closed && !name.is_empty()
                    }
                    _ => false,
                };
                return Err((
                    at,
                    if named {
                        "`\\N{...}` escapes are not supported; write the character itself".into()
                    } else {
                        "malformed \\N character escape".into()
                    },
                ));
            }
            other => {
                // Python keeps unknown escapes as written.
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// What may change a name after it is bound
//
// `Eval` reads the module's top-level statements in order. Everything else a
// module does to its lists (statements in blocks, functions, classes,
// lambdas and comprehensions, calls inside expressions, aliases, the module
// namespace) is found here, over the whole tree, before `Eval` runs: a list
// docgate reads that any of it may change is an error at that statement.
//
// Objects are followed by name. A name is scoped like Python scopes it
// (function locals and parameters are their own; class bodies and
// comprehensions are read as part of the enclosing scope, which can only
// join more names). `B = A` makes B and A one object (union-find); a name
// bound to a container, or an object whose attribute is set, "holds" what
// was put in it, and taking an element or that attribute out of it is that
// object again. Arguments of calls to functions of the module flow into
// their parameters; what a function returns flows out of calls to it. Code
// docgate does not read (other modules, third-party libraries) is not
// followed: handing a list to it is a read (see docs/features.md).

/// A list method that changes the list it is called on.
const LIST_MUTATORS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "sort",
    "reverse",
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
    "__init__",
];

/// Attributes of a list or tuple that leave it unchanged. Any other attribute
/// of a list docgate reads is a possible change: the methods of `list` are a
/// closed set, so another name is not the list docgate thinks it is.
const LIST_READS: &[&str] = &[
    "copy",
    "count",
    "index",
    "__len__",
    "__contains__",
    "__getitem__",
    "__iter__",
    "__reversed__",
    "__add__",
    "__mul__",
    "__rmul__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__repr__",
    "__str__",
    "__format__",
    "__sizeof__",
    "__hash__",
    "__doc__",
];

/// Functions (matched by their last name: `random.shuffle`, `heapq.heappush`,
/// `bisect.insort`, `operator.setitem`, a NumPy generator's `shuffle`) that
/// change their first argument in place.
const MUTATING_FUNCTIONS: &[&str] = &[
    "shuffle",
    "heapify",
    "heappush",
    "heappop",
    "heapreplace",
    "heappushpop",
    "insort",
    "insort_left",
    "insort_right",
    "setitem",
    "delitem",
    "iadd",
    "iconcat",
    "imul",
];

/// Builtins whose result holds what their arguments hold (a copy, an
/// iterator) or is one of their elements (`next`, `max`, `min`).
const PASS_THROUGH: &[&str] = &[
    "list",
    "tuple",
    "set",
    "frozenset",
    "sorted",
    "reversed",
    "iter",
    "next",
    "max",
    "min",
    "enumerate",
    "zip",
    "filter",
    "map",
    "dict",
    "sum",
];

/// Methods that put their arguments into the object they are called on.
const STORES: &[&str] = &[
    "append",
    "insert",
    "add",
    "setdefault",
    "__setitem__",
    "appendleft",
];
/// Methods that put the elements of their arguments into the object.
const STORES_ELEMENTS: &[&str] = &["extend", "update", "extendleft", "__iadd__"];

/// Rounds of propagation, and facts ("x may be y", "x holds y") learned,
/// before docgate gives up following the module (every name of it is then an
/// error): bounds hostile input, far above what modules need.
const MAX_ROUNDS: usize = 100;
const MAX_FACTS: usize = 250_000;

type Sym = u32;

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Key {
    /// A name in a scope (0: the module; else the def or lambda node).
    Name(usize, String),
    /// Every name bound by `from ... import NAME [as ...]`.
    Import(String),
    /// A class of the module, its instances and its class attributes.
    Class(usize),
}

/// What an expression may be (`alias`: these objects themselves) and what it
/// may contain (`holds`: (attribute, object); attribute 0 is any element).
#[derive(Clone, Default, Debug, PartialEq)]
struct Flow {
    alias: BTreeSet<Sym>,
    holds: BTreeSet<(u32, Sym)>,
}

impl Flow {
    fn join(&mut self, other: &Flow) {
        self.alias.extend(other.alias.iter().copied());
        self.holds.extend(other.holds.iter().copied());
    }

    fn classes(&self) -> BTreeSet<Sym> {
        self.holds.iter().map(|&(_, s)| s).collect()
    }

    /// An element taken out of this value.
    fn elements(&self) -> Flow {
        Flow {
            alias: self.classes(),
            holds: self.holds.clone(),
        }
    }

    /// A new container holding this value.
    fn held(&self) -> Flow {
        let mut holds = self.holds.clone();
        holds.extend(self.alias.iter().map(|&a| (0, a)));
        Flow {
            alias: BTreeSet::new(),
            holds,
        }
    }

    /// The value or anything in it.
    fn anything(&self) -> Flow {
        let mut f = self.elements();
        f.alias.extend(self.alias.iter().copied());
        f
    }
}

#[derive(Debug, Clone)]
enum Target {
    /// A change of the object (and every name bound to it).
    Object(Vec<Sym>),
    /// A rebinding of the module-level name.
    Name(Sym),
    /// A change of any name of the module.
    All,
}

#[derive(Debug, Clone)]
enum Change {
    InPlace,
    /// A method or attribute docgate does not know lists to have.
    Unknown(String),
    Rebound,
    /// Through the module's namespace: why.
    Namespace(&'static str),
    /// docgate stopped following the module (hostile input).
    GaveUp,
}

#[derive(Debug, Clone)]
struct Hazard {
    target: Target,
    change: Change,
    /// Inside a function, lambda or generator: it may run at any time after
    /// the statement that defines it.
    deferred: bool,
    /// The top-level statement it is in (as `Eval` counts them).
    top: usize,
    /// A top-level `NAME += ...`, which `Eval` applies to NAME itself.
    modelled: bool,
    line: usize,
    col: usize,
    excerpt: String,
    context: String,
    /// The expression the object was reached through, when not a name.
    via: Option<String>,
    /// The name the object was reached through, when a name.
    subject: Option<Sym>,
}

/// The result of [`Analysis::build`], kept with the module.
#[derive(Debug, Default)]
struct Analysis {
    syms: HashMap<Key, Sym>,
    display: Vec<String>,
    /// What each name may be besides itself (see `Builder::pts`).
    pts: Vec<BTreeSet<Sym>>,
    /// Why two objects are one: (a, b, line, statement).
    edges: Vec<(Sym, Sym, usize, String)>,
    hazards: Vec<Hazard>,
}

impl Analysis {
    /// The first change that makes the value `Eval` computed for `name`
    /// differ from Python's. `entry`: the top-level statement from which the
    /// object existed in this module; `captured`: the statement whose state
    /// the value reflects (`None`: taken from another module); `upto`: the
    /// statement reading it (`None`: the module as imported).
    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        file: &str,
        name: &str,
        list: bool,
        entry: usize,
        captured: Option<usize>,
        upto: Option<usize>,
    ) -> Option<PyError> {
        let me = self.syms.get(&Key::Name(0, name.to_string())).copied();
        let before = |top: usize| upto.is_none_or(|j| top <= j);
        for h in &self.hazards {
            let hit = match &h.target {
                Target::All => true,
                Target::Name(s) => Some(*s) == me && before(h.top),
                Target::Object(syms) => {
                    // Two names are one object when what they may be meets.
                    let Some(me) = me.filter(|_| list) else {
                        continue;
                    };
                    let mine = &self.pts[me as usize];
                    if !syms.iter().any(|&s| s == me || mine.contains(&s)) {
                        continue;
                    }
                    if h.modelled {
                        // A read by the `+=` itself sees the state before it.
                        captured.is_none_or(|c| c < h.top) && upto.is_none_or(|j| h.top < j)
                    } else if h.deferred {
                        before(h.top)
                    } else {
                        h.top >= entry && before(h.top)
                    }
                }
            };
            if hit {
                return Some(PyError {
                    file: file.to_string(),
                    line: h.line,
                    message: self.render(file, name, list, h, me),
                });
            }
        }
        None
    }

    fn render(&self, file: &str, name: &str, list: bool, h: &Hazard, me: Option<Sym>) -> String {
        let mut note = String::new();
        if let (Target::Object(_), Some(me)) = (&h.target, me) {
            match h.subject.filter(|&s| s != me) {
                Some(sub) => {
                    let path = self.path(me, sub);
                    let other = &self.display[sub as usize];
                    note = if path.is_empty() {
                        format!("; `{other}` may be `{name}`")
                    } else {
                        let shown: Vec<String> = path
                            .iter()
                            .map(|&e| format!("`{}` at line {}", self.edges[e].3, self.edges[e].2))
                            .collect();
                        format!(
                            "; `{name}` and `{other}` are the same list: {}",
                            shown.join(", ")
                        )
                    };
                }
                None => {
                    if let Some(via) = &h.via {
                        note = format!("; `{via}` may be `{name}`");
                    }
                }
            }
        }
        let what = if list { "list" } else { "value" };
        let tail =
            format!("docgate reads {what}s statically, so the {what} Python builds may differ");
        let at = format!("{file}:{}", h.line);
        let (ex, ctx) = (&h.excerpt, &h.context);
        match &h.change {
            Change::InPlace => {
                format!("`{name}` is changed in place at {at} (`{ex}` {ctx}{note}): {tail}")
            }
            Change::Unknown(m) => format!(
                "`{name}` may be changed at {at} (`{ex}` {ctx}{note}; `.{m}` is not a list method docgate knows to leave the list unchanged): {tail}"
            ),
            Change::Rebound => format!("`{name}` is rebound at {at} (`{ex}` {ctx}): {tail}"),
            Change::Namespace(why) => {
                format!("`{name}` may be rebound or changed at {at} (`{ex}` {ctx}: {why}): {tail}")
            }
            Change::GaveUp => format!(
                "docgate stopped following which names of {file} are bound to one another \
                 (more than {MAX_ROUNDS} rounds or {MAX_FACTS} facts), so it cannot tell \
                 whether `{name}` is changed after it is bound: {tail}"
            ),
        }
    }

    /// The edges joining `from` to `to` (breadth first: the shortest).
    fn path(&self, from: Sym, to: Sym) -> Vec<usize> {
        if from == to {
            return Vec::new();
        }
        let mut adjacent: HashMap<Sym, Vec<usize>> = HashMap::new();
        for (i, e) in self.edges.iter().enumerate() {
            adjacent.entry(e.0).or_default().push(i);
            adjacent.entry(e.1).or_default().push(i);
        }
        let mut came: HashMap<Sym, usize> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(s) = queue.pop_front() {
            if s == to {
                break;
            }
            for &i in adjacent.get(&s).map_or(&[][..], Vec::as_slice) {
                let e = &self.edges[i];
                let next = if e.0 == s { e.1 } else { e.0 };
                if next != from && !came.contains_key(&next) {
                    came.insert(next, i);
                    queue.push_back(next);
                }
            }
        }
        let mut out = Vec::new();
        let mut cur = to;
        while cur != from {
            let Some(&e) = came.get(&cur) else {
                return Vec::new();
            };
            out.push(e);
            cur = if self.edges[e].0 == cur {
                self.edges[e].1
            } else {
                self.edges[e].0
            };
        }
        out.reverse();
        out
    }
}

/// The children of a node: consecutive in the arena.
#[derive(Clone, Copy, Default)]
struct Kids {
    start: usize,
    len: usize,
}

impl Kids {
    fn iter(self) -> std::ops::Range<usize> {
        self.start..self.start + self.len
    }
    fn first(self) -> Option<usize> {
        (self.len > 0).then_some(self.start)
    }
    fn start(self) -> usize {
        self.start
    }
    fn len(self) -> usize {
        self.len
    }
    fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// One node of the tree, with what the analysis needs about its position.
struct Tn<'t> {
    node: Node<'t>,
    parent: usize,
    field: Option<&'static str>,
    children: Kids,
    /// Its kind and byte range (`Node` computes them on every call).
    kind: &'static str,
    bytes: (usize, usize),
    /// The top-level statement it is in (as `Eval` counts them).
    top: usize,
    deferred: bool,
    /// Innermost def or lambda whose body holds it (0: the module).
    fscope: usize,
    /// Innermost def, lambda or class body (0: the module).
    cscope: usize,
    /// Innermost def, lambda, class, comprehension or block (0: none).
    ctx: usize,
    /// Innermost statement.
    stmt: usize,
}

#[derive(Default, Clone)]
struct Scope {
    locals: HashSet<String>,
    globals: HashSet<String>,
    nonlocals: HashSet<String>,
}

#[derive(Default, Clone)]
struct Params {
    positional: Vec<(String, Sym)>,
    varargs: Option<Sym>,
    keyword_only: Vec<(String, Sym)>,
    varkw: Option<Sym>,
}

/// A def a call may run: (def, arguments shifted by, receiver node).
type Callee = (usize, usize, Option<usize>);

enum Arg {
    Pos(usize),
    Star(usize),
    Kw(String, usize),
    DoubleStar(usize),
}

/// Asks whether `module` (`level` dots) from the analysed file is a file of
/// the repository.
type ModuleExists<'a> = dyn FnMut(&str, usize) -> anyhow::Result<bool> + 'a;

struct Builder<'t, 's> {
    src: &'s [u8],
    t: Vec<Tn<'t>>,
    syms: HashMap<Key, Sym>,
    keys: Vec<Key>,
    /// What each name may be (besides itself): the names whose objects it
    /// may be bound to (directional: `y = x` makes y point to x, not x to y,
    /// so a helper called with two lists does not make them one).
    pts: Vec<BTreeSet<Sym>>,
    holds: Vec<BTreeSet<(u32, Sym)>>,
    same: Vec<(Sym, Sym, usize)>,
    /// Facts learned so far (see [`MAX_FACTS`]).
    facts: usize,
    attrs: HashMap<String, u32>,
    edges: Vec<(Sym, Sym, usize)>,
    returns: HashMap<usize, Flow>,
    defs: HashMap<String, Vec<usize>>,
    classes: HashMap<String, Vec<usize>>,
    scopes: HashMap<usize, Scope>,
    class_globals: HashMap<usize, HashSet<String>>,
    params: HashMap<usize, Params>,
    module_bound: HashSet<String>,
    /// The symbol of every identifier node.
    sym_at: Vec<Sym>,
    /// (identifier, binding statement, is a comprehension variable).
    sites: Vec<(usize, usize, bool)>,
    /// (match statement, identifier in one of its patterns).
    captures: Vec<(usize, usize)>,
    changed: bool,
}

const NO_SYM: Sym = Sym::MAX;

impl<'t, 's> Builder<'t, 's> {
    fn text(&self, i: usize) -> &'s str {
        let t = &self.t[i];
        std::str::from_utf8(&self.src[t.bytes.0..t.bytes.1]).unwrap_or("")
    }

    fn kind(&self, i: usize) -> &'static str {
        self.t[i].kind
    }

    fn field(&self, i: usize, name: &str) -> Option<usize> {
        self.t[i]
            .children
            .iter()
            .find(|&c| self.t[c].field == Some(name))
    }

    fn fields(&self, i: usize, name: &str) -> Vec<usize> {
        self.t[i]
            .children
            .iter()
            .filter(|&c| self.t[c].field == Some(name))
            .collect()
    }

    /// `(x)` is `x`.
    fn strip(&self, mut i: usize) -> usize {
        while self.kind(i) == "parenthesized_expression" && self.t[i].children.len() == 1 {
            i = self.t[i].children.start();
        }
        i
    }

    fn short(&self, i: usize) -> String {
        let first = self.text(i).lines().next().unwrap_or("");
        let t = first.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.chars().count() > 60 {
            format!("{}…", t.chars().take(60).collect::<String>())
        } else {
            t
        }
    }

    fn line(&self, i: usize) -> usize {
        self.t[i].node.start_position().row + 1
    }

    fn sym(&mut self, key: Key) -> Sym {
        if let Some(&s) = self.syms.get(&key) {
            return s;
        }
        let s = self.keys.len() as Sym;
        self.syms.insert(key.clone(), s);
        self.keys.push(key);
        self.pts.push(BTreeSet::new());
        self.holds.push(BTreeSet::new());
        s
    }

    fn attr(&mut self, name: &str) -> u32 {
        let n = self.attrs.len() as u32 + 1;
        *self.attrs.entry(name.to_string()).or_insert(n)
    }

    /// `a` and `b` are one object (an instance and its class, the names
    /// of one import): re-applied every round, both ways.
    fn same(&mut self, a: Sym, b: Sym, at: usize) {
        self.same.push((a, b, at));
    }

    fn add_holds(&mut self, s: Sym, entries: impl IntoIterator<Item = (u32, Sym)>) {
        for e in entries {
            if self.facts >= MAX_FACTS {
                return;
            }
            if self.holds[s as usize].insert(e) {
                self.facts += 1;
                self.changed = true;
            }
        }
    }

    /// `s` may now be any object `f` may be (and whatever those may be:
    /// the sets stay closed), and hold what it holds.
    fn bind_sym(&mut self, s: Sym, f: &Flow, at: usize) {
        for &a in &f.alias {
            if a == s || self.pts[s as usize].contains(&a) {
                continue;
            }
            let more: Vec<Sym> = self.pts[a as usize].iter().copied().collect();
            for b in std::iter::once(a).chain(more) {
                if self.facts >= MAX_FACTS {
                    return;
                }
                if b != s && self.pts[s as usize].insert(b) {
                    self.facts += 1;
                    self.edges.push((s, b, at));
                    self.changed = true;
                }
            }
        }
        self.add_holds(s, f.holds.iter().copied());
    }

    fn add_return(&mut self, def: usize, f: &Flow) {
        let r = self.returns.entry(def).or_default();
        let before = (r.alias.len(), r.holds.len());
        r.join(f);
        if (r.alias.len(), r.holds.len()) != before {
            self.changed = true;
        }
    }

    /// The flow of these names: every object they may be, and what those hold.
    fn of(&mut self, names: BTreeSet<Sym>) -> Flow {
        let mut alias = names.clone();
        for &a in &names {
            alias.extend(self.pts[a as usize].iter().copied());
        }
        let mut holds = BTreeSet::new();
        for &a in &alias {
            holds.extend(self.holds[a as usize].iter().copied());
        }
        Flow { alias, holds }
    }

    // ------------------------------------------------------------ setup

    fn new(src: &'s [u8], root: Node<'t>) -> Builder<'t, 's> {
        let mut t = vec![Tn {
            node: root,
            parent: usize::MAX,
            field: None,
            children: Kids::default(),
            kind: root.kind(),
            bytes: (root.start_byte(), root.end_byte()),
            top: 0,
            deferred: false,
            fscope: 0,
            cscope: 0,
            ctx: 0,
            stmt: 0,
        }];
        let mut stack = vec![0usize];
        while let Some(i) = stack.pop() {
            let n = t[i].node;
            let kind = t[i].kind;
            let mut kids = Vec::new();
            let mut c = n.walk();
            if c.goto_first_child() {
                let mut pos = 0;
                loop {
                    let child = c.node();
                    if child.is_named() {
                        if child.kind() != "comment" {
                            kids.push((child, c.field_name(), pos));
                        }
                        pos += 1;
                    }
                    if !c.goto_next_sibling() {
                        break;
                    }
                }
            }
            t[i].children = Kids {
                start: t.len(),
                len: kids.len(),
            };
            for (child, field, pos) in kids {
                let p = &t[i];
                let ck = child.kind();
                let mut tn = Tn {
                    node: child,
                    parent: i,
                    field,
                    children: Kids::default(),
                    kind: ck,
                    bytes: (child.start_byte(), child.end_byte()),
                    top: if i == 0 { pos } else { p.top },
                    deferred: p.deferred,
                    fscope: p.fscope,
                    cscope: p.cscope,
                    ctx: p.ctx,
                    stmt: p.stmt,
                };
                match kind {
                    "function_definition" | "lambda" if field == Some("body") => {
                        tn.deferred = true;
                        tn.fscope = i;
                        tn.cscope = i;
                        tn.ctx = i;
                    }
                    "class_definition" if field == Some("body") => {
                        tn.cscope = i;
                        tn.ctx = i;
                    }
                    "generator_expression" => {
                        tn.deferred = true;
                        tn.ctx = i;
                    }
                    "list_comprehension"
                    | "set_comprehension"
                    | "dictionary_comprehension"
                    | "if_statement"
                    | "for_statement"
                    | "while_statement"
                    | "try_statement"
                    | "with_statement"
                    | "match_statement" => tn.ctx = i,
                    _ => {}
                }
                if ck.ends_with("_statement")
                    || matches!(
                        ck,
                        "function_definition" | "class_definition" | "decorated_definition"
                    )
                {
                    tn.stmt = t.len();
                }
                stack.push(t.len());
                t.push(tn);
            }
        }
        let n = t.len();
        Builder {
            src,
            t,
            syms: HashMap::new(),
            keys: Vec::new(),
            pts: Vec::new(),
            holds: Vec::new(),
            same: Vec::new(),
            facts: 0,
            attrs: HashMap::new(),
            edges: Vec::new(),
            returns: HashMap::new(),
            defs: HashMap::new(),
            classes: HashMap::new(),
            scopes: HashMap::new(),
            class_globals: HashMap::new(),
            params: HashMap::new(),
            module_bound: HashSet::new(),
            sym_at: vec![NO_SYM; n],
            sites: Vec::new(),
            captures: Vec::new(),
            changed: false,
        }
    }

    /// Identifiers a target binds (`a`, `a, *b`, `(a, b)`), not `x.a` or `x[0]`.
    fn binding_idents(&self, target: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![target];
        while let Some(i) = stack.pop() {
            match self.kind(i) {
                "identifier" => out.push(i),
                "tuple"
                | "list"
                | "pattern_list"
                | "tuple_pattern"
                | "list_pattern"
                | "expression_list"
                | "parenthesized_expression"
                | "list_splat_pattern"
                | "list_splat"
                | "as_pattern_target" => {
                    stack.extend(self.t[i].children.iter());
                }
                _ => {}
            }
        }
        out
    }

    fn is_def(&self, i: usize) -> bool {
        matches!(self.kind(i), "function_definition" | "lambda")
    }

    fn decorators(&self, def: usize) -> Vec<String> {
        let p = self.t[def].parent;
        if p == usize::MAX || self.kind(p) != "decorated_definition" {
            return Vec::new();
        }
        self.t[p]
            .children
            .iter()
            .filter(|&c| self.kind(c) == "decorator")
            .map(|c| {
                self.text(c)
                    .trim_start_matches('@')
                    .split_whitespace()
                    .collect::<String>()
            })
            .collect()
    }

    fn is_method(&self, def: usize) -> bool {
        self.kind(def) == "function_definition" && {
            let c = self.t[def].cscope;
            c != 0 && self.kind(c) == "class_definition"
        }
    }

    fn setup(&mut self) {
        let n = self.t.len();
        // Binding sites, definitions, scopes.
        for i in 0..n {
            let kind = self.kind(i);
            let mut bound: Vec<(usize, bool)> = Vec::new();
            match kind {
                "assignment" => {
                    if let Some(l) = self.field(i, "left") {
                        bound.extend(self.binding_idents(l).into_iter().map(|b| (b, false)));
                        if let Some(r) = self.field(i, "right").map(|r| self.strip(r))
                            && self.kind(l) == "identifier"
                            && self.kind(r) == "lambda"
                        {
                            let name = self.text(l).to_string();
                            self.defs.entry(name).or_default().push(r);
                        }
                    }
                }
                "augmented_assignment" => {
                    if let Some(l) = self
                        .field(i, "left")
                        .filter(|&l| self.kind(l) == "identifier")
                    {
                        bound.push((l, false));
                    }
                }
                "for_statement" | "for_in_clause" => {
                    if let Some(l) = self.field(i, "left") {
                        let comp = kind == "for_in_clause";
                        bound.extend(self.binding_idents(l).into_iter().map(|b| (b, comp)));
                    }
                }
                "as_pattern" => {
                    if let Some(a) = self.field(i, "alias") {
                        bound.extend(self.binding_idents(a).into_iter().map(|b| (b, false)));
                    }
                }
                "import_statement" | "import_from_statement" => {
                    for name in self.fields(i, "name") {
                        let b = match self.kind(name) {
                            "aliased_import" => self.field(name, "alias"),
                            _ => self.t[name].children.first(),
                        };
                        if let Some(b) = b.filter(|&b| self.kind(b) == "identifier") {
                            bound.push((b, false));
                        }
                    }
                }
                "function_definition" | "class_definition" => {
                    if let Some(name) = self.field(i, "name") {
                        bound.push((name, false));
                        let map = if kind == "class_definition" {
                            &mut self.classes
                        } else {
                            &mut self.defs
                        };
                        map.entry(
                            self.t[name]
                                .node
                                .utf8_text(self.src)
                                .unwrap_or("")
                                .to_string(),
                        )
                        .or_default()
                        .push(i);
                    }
                }
                "delete_statement" => {
                    for c in self.t[i].children.iter() {
                        let targets = if self.kind(c) == "expression_list" {
                            self.t[c].children.iter()
                        } else {
                            c..c + 1
                        };
                        for d in targets {
                            if self.kind(d) == "identifier" {
                                bound.push((d, false));
                            }
                        }
                    }
                }
                "named_expression" => {
                    if let Some(name) = self.field(i, "name") {
                        bound.push((name, false));
                    }
                }
                "global_statement" | "nonlocal_statement" => {
                    let c = self.t[i].cscope;
                    let names: Vec<String> = self.t[i]
                        .children
                        .iter()
                        .map(|c| self.text(c).to_string())
                        .collect();
                    if c != 0 && self.is_def(c) {
                        let sc = self.scopes.entry(c).or_default();
                        if kind == "global_statement" {
                            sc.globals.extend(names);
                        } else {
                            sc.nonlocals.extend(names);
                        }
                    } else if c != 0 && kind == "global_statement" {
                        self.class_globals.entry(c).or_default().extend(names);
                    }
                }
                "case_pattern" => {
                    // Names in a `case` pattern capture (part of) the subject.
                    let clause = self.t[i].parent;
                    let block = if clause == usize::MAX {
                        usize::MAX
                    } else {
                        self.t[clause].parent
                    };
                    let m = if block == usize::MAX {
                        usize::MAX
                    } else {
                        self.t[block].parent
                    };
                    if clause != usize::MAX
                        && self.kind(clause) == "case_clause"
                        && m != usize::MAX
                        && self.kind(m) == "match_statement"
                    {
                        let mut stack = vec![i];
                        while let Some(x) = stack.pop() {
                            if self.kind(x) == "identifier" {
                                self.captures.push((m, x));
                            } else {
                                stack.extend(self.t[x].children.iter());
                            }
                        }
                    }
                }
                _ => {}
            }
            for (b, comp) in bound {
                self.sites.push((b, i, comp));
            }
        }
        // Parameters are locals of their def.
        for i in 0..n {
            if !self.is_def(i) {
                continue;
            }
            self.scopes.entry(i).or_default();
            let params = self.params_of(i);
            let sc = self.scopes.get_mut(&i).expect("scope");
            for (name, _) in params.positional.iter().chain(&params.keyword_only) {
                sc.locals.insert(name.clone());
            }
            let splats: Vec<String> = [params.varargs, params.varkw]
                .into_iter()
                .flatten()
                .map(|s| self.keys_name(s))
                .collect();
            self.scopes
                .get_mut(&i)
                .expect("scope")
                .locals
                .extend(splats);
            self.params.insert(i, params);
        }
        // Names bound in a function body (not in a class inside it, not a
        // comprehension variable) are its locals, as Python decides them.
        for k in 0..self.sites.len() {
            let (b, _, comp) = self.sites[k];
            let c = self.t[b].cscope;
            let name = self.text(b).to_string();
            if c == 0 {
                if !comp {
                    self.module_bound.insert(name);
                }
            } else if !comp && self.is_def(c) {
                self.scopes.entry(c).or_default().locals.insert(name);
            }
        }
        // The symbol of every identifier.
        for i in 0..n {
            if self.kind(i) == "identifier" {
                let name = self.text(i).to_string();
                self.sym_at[i] = self.resolve(&name, i);
            }
        }
        // Static unions: instances are their class; imports of one name.
        for i in 0..n {
            match self.kind(i) {
                "function_definition" if self.is_method(i) => {
                    let decos = self.decorators(i);
                    if decos.iter().any(|d| d == "staticmethod") {
                        continue;
                    }
                    let class = self.t[i].cscope;
                    let cls = self.sym(Key::Class(class));
                    if let Some((_, first)) = self.params[&i].positional.first().cloned() {
                        self.same(cls, first, i);
                    }
                }
                "class_definition" => {
                    let cls = self.sym(Key::Class(i));
                    if let Some(name) = self.field(i, "name") {
                        let s = self.sym_at[name];
                        self.same(s, cls, i);
                    }
                    if let Some(bases) = self.field(i, "superclasses") {
                        for b in self.t[bases].children.iter() {
                            if self.kind(b) == "identifier" {
                                let s = self.sym_at[b];
                                self.same(cls, s, i);
                            }
                        }
                    }
                }
                "import_from_statement" => {
                    for name in self.fields(i, "name") {
                        let (orig, local) = match self.kind(name) {
                            "aliased_import" => {
                                (self.field(name, "name"), self.field(name, "alias"))
                            }
                            _ => (Some(name), self.t[name].children.first()),
                        };
                        if let (Some(orig), Some(local)) = (orig, local)
                            && self.kind(local) == "identifier"
                        {
                            let key = Key::Import(self.text(orig).to_string());
                            let imp = self.sym(key);
                            let s = self.sym_at[local];
                            self.same(s, imp, i);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The name of a placeholder symbol made by `params_of`.
    fn keys_name(&self, s: Sym) -> String {
        match &self.keys[s as usize] {
            Key::Name(_, n) | Key::Import(n) => n.clone(),
            Key::Class(_) => String::new(),
        }
    }

    fn params_of(&mut self, def: usize) -> Params {
        let mut p = Params::default();
        let Some(list) = self.field(def, "parameters") else {
            return p;
        };
        let mut keyword_only = false;
        for c in self.t[list].children.iter() {
            let (kind, name_node) = match self.kind(c) {
                "identifier" => ("pos", Some(c)),
                "default_parameter" | "typed_default_parameter" => ("pos", self.field(c, "name")),
                "typed_parameter" => match self.t[c].children.first() {
                    Some(x) if self.kind(x) == "identifier" => ("pos", Some(x)),
                    Some(x) if self.kind(x) == "list_splat_pattern" => {
                        ("varargs", self.t[x].children.first())
                    }
                    Some(x) if self.kind(x) == "dictionary_splat_pattern" => {
                        ("varkw", self.t[x].children.first())
                    }
                    _ => ("none", None),
                },
                "list_splat_pattern" => ("varargs", self.t[c].children.first()),
                "dictionary_splat_pattern" => ("varkw", self.t[c].children.first()),
                "keyword_separator" => {
                    keyword_only = true;
                    ("none", None)
                }
                _ => ("none", None),
            };
            let Some(nn) = name_node.filter(|&x| self.kind(x) == "identifier") else {
                continue;
            };
            let name = self.text(nn).to_string();
            let placeholder = self.sym(Key::Name(def, name.clone()));
            match kind {
                "pos" if keyword_only => p.keyword_only.push((name, placeholder)),
                "pos" => p.positional.push((name, placeholder)),
                "varargs" => {
                    keyword_only = true;
                    p.varargs = Some(placeholder);
                }
                "varkw" => p.varkw = Some(placeholder),
                _ => {}
            }
        }
        p
    }

    /// The symbol `name` at node `at` refers to, by Python's scoping.
    fn resolve(&mut self, name: &str, at: usize) -> Sym {
        let mut f = self.t[at].fscope;
        loop {
            if f == 0 {
                return self.sym(Key::Name(0, name.to_string()));
            }
            let (global, nonlocal, local) =
                self.scopes.get(&f).map_or((false, false, false), |sc| {
                    (
                        sc.globals.contains(name),
                        sc.nonlocals.contains(name),
                        sc.locals.contains(name),
                    )
                });
            if global {
                return self.sym(Key::Name(0, name.to_string()));
            }
            if !nonlocal && local {
                return self.sym(Key::Name(f, name.to_string()));
            }
            f = self.t[f].fscope;
        }
    }

    /// An identifier that reads a name (not an attribute name, a keyword,
    /// a parameter, a definition's or an import's name).
    fn is_reference(&self, i: usize) -> bool {
        let p = self.t[i].parent;
        if p == usize::MAX {
            return false;
        }
        let field = self.t[i].field;
        match self.kind(p) {
            "attribute" => field != Some("attribute"),
            "keyword_argument" => field != Some("name"),
            "function_definition"
            | "class_definition"
            | "named_expression"
            | "default_parameter"
            | "typed_default_parameter" => field != Some("name"),
            "parameters"
            | "lambda_parameters"
            | "typed_parameter"
            | "dotted_name"
            | "aliased_import"
            | "import_statement"
            | "import_from_statement"
            | "relative_import"
            | "global_statement"
            | "nonlocal_statement"
            | "keyword_pattern" => false,
            "list_splat_pattern" | "dictionary_splat_pattern" => {
                let gp = self.t[p].parent;
                gp == usize::MAX
                    || !matches!(
                        self.kind(gp),
                        "parameters" | "lambda_parameters" | "typed_parameter"
                    )
            }
            _ => true,
        }
    }

    // ------------------------------------------------------------ flows

    fn args(&self, call: usize) -> Vec<Arg> {
        let Some(a) = self.field(call, "arguments") else {
            return Vec::new();
        };
        if self.kind(a) == "generator_expression" {
            return vec![Arg::Pos(a)];
        }
        self.t[a]
            .children
            .iter()
            .map(|c| match self.kind(c) {
                "list_splat" => Arg::Star(c),
                "dictionary_splat" => Arg::DoubleStar(c),
                "keyword_argument" => Arg::Kw(
                    self.field(c, "name")
                        .map(|n| self.text(n).to_string())
                        .unwrap_or_default(),
                    self.field(c, "value").unwrap_or(c),
                ),
                _ => Arg::Pos(c),
            })
            .collect()
    }

    fn arg_node(a: &Arg) -> usize {
        match a {
            Arg::Pos(n) | Arg::Star(n) | Arg::DoubleStar(n) | Arg::Kw(_, n) => *n,
        }
    }

    /// The defs a call may run: (def, arguments shifted by, receiver node).
    fn callees(&self, func: usize) -> (Vec<Callee>, Vec<usize>) {
        let func = self.strip(func);
        match self.kind(func) {
            "identifier" => {
                let name = self.text(func);
                let defs = self.defs.get(name).cloned().unwrap_or_default();
                let classes = self.classes.get(name).cloned().unwrap_or_default();
                (defs.into_iter().map(|d| (d, 0, None)).collect(), classes)
            }
            "attribute" => {
                let (Some(obj), Some(attr)) =
                    (self.field(func, "object"), self.field(func, "attribute"))
                else {
                    return (Vec::new(), Vec::new());
                };
                let obj_is_class = self.kind(self.strip(obj)) == "identifier"
                    && self.classes.contains_key(self.text(self.strip(obj)));
                let defs = self.defs.get(self.text(attr)).cloned().unwrap_or_default();
                let out = defs
                    .into_iter()
                    .map(|d| {
                        let decos = self.decorators(d);
                        // `obj.m(...)` passes obj as the first parameter, unless m
                        // is a function, a staticmethod, or called on the class.
                        let unbound = !self.is_method(d)
                            || decos.iter().any(|x| x == "staticmethod")
                            || (obj_is_class && !decos.iter().any(|x| x == "classmethod"));
                        let shift = usize::from(!unbound);
                        (d, shift, Some(obj))
                    })
                    .collect();
                (out, Vec::new())
            }
            "lambda" => (vec![(func, 0, None)], Vec::new()),
            _ => (Vec::new(), Vec::new()),
        }
    }

    fn attr_flow(&mut self, v: &Flow, attr: Option<&str>) -> Flow {
        let id = attr.map(|a| self.attr(a));
        let picked: BTreeSet<(u32, Sym)> = v
            .holds
            .iter()
            .copied()
            .filter(|&(k, _)| id.is_none_or(|id| k == 0 || k == id))
            .collect();
        let alias: BTreeSet<Sym> = picked.iter().map(|&(_, s)| s).collect();
        let mut f = self.of(alias);
        f.holds.extend(picked);
        f
    }

    fn flow_of(&mut self, i: usize, flows: &[Flow]) -> Flow {
        let kind = self.kind(i);
        let kids = self.t[i].children.iter();
        let union = |xs: &std::ops::Range<usize>| {
            let mut f = Flow::default();
            for x in xs.clone() {
                f.join(&flows[x]);
            }
            f
        };
        match kind {
            "identifier" => {
                if self.is_reference(i) {
                    self.of(BTreeSet::from([self.sym_at[i]]))
                } else {
                    Flow::default()
                }
            }
            "parenthesized_expression"
            | "await"
            | "conditional_expression"
            | "boolean_operator"
            | "as_pattern_target"
            | "expression_statement" => union(&kids),
            "named_expression" | "keyword_argument" => self
                .field(i, "value")
                .map(|v| flows[v].clone())
                .unwrap_or_default(),
            "assignment" | "augmented_assignment" => self
                .field(i, "right")
                .map(|v| flows[v].clone())
                .unwrap_or_default(),
            "as_pattern" => kids
                .clone()
                .find(|&c| self.t[c].field != Some("alias"))
                .map(|c| flows[c].clone())
                .unwrap_or_default(),
            "list" | "tuple" | "set" | "expression_list" | "pattern_list" | "dictionary"
            | "tuple_pattern" | "list_pattern" => {
                let mut f = Flow::default();
                for c in kids.clone() {
                    f.join(&flows[c].held());
                }
                f
            }
            "pair" => union(&kids),
            "list_splat"
            | "dictionary_splat"
            | "parenthesized_list_splat"
            | "list_splat_pattern" => union(&kids).elements(),
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => self
                .field(i, "body")
                .map(|b| flows[b].held())
                .unwrap_or_default(),
            "binary_operator" => Flow {
                alias: BTreeSet::new(),
                holds: union(&kids).holds,
            },
            "subscript" => self
                .field(i, "value")
                .map(|v| flows[v].elements())
                .unwrap_or_default(),
            "attribute" => {
                let (Some(obj), Some(attr)) = (self.field(i, "object"), self.field(i, "attribute"))
                else {
                    return Flow::default();
                };
                let name = self.text(attr);
                let mut f = self.attr_flow(&flows[obj].clone(), Some(name));
                // A property's value is what its def returns.
                for d in self.defs.get(name).cloned().unwrap_or_default() {
                    if self
                        .decorators(d)
                        .iter()
                        .any(|x| x == "property" || x.ends_with("cached_property"))
                        && let Some(r) = self.returns.get(&d)
                    {
                        f.join(&r.clone());
                    }
                }
                f
            }
            "call" => self.call_flow(i, flows),
            _ => {
                if kind.ends_with("statement")
                    || kind.ends_with("clause")
                    || kind.ends_with("definition")
                    || matches!(
                        kind,
                        "module"
                            | "block"
                            | "lambda"
                            | "yield"
                            | "string"
                            | "concatenated_string"
                            | "integer"
                            | "float"
                            | "true"
                            | "false"
                            | "none"
                            | "ellipsis"
                            | "comparison_operator"
                            | "not_operator"
                            | "unary_operator"
                            | "slice"
                            | "type"
                            | "argument_list"
                            | "parameters"
                            | "lambda_parameters"
                            | "decorator"
                            | "with_item"
                            | "case_pattern"
                            | "interpolation"
                            | "string_content"
                            | "dotted_name"
                            | "aliased_import"
                    )
                {
                    Flow::default()
                } else {
                    // An expression docgate has no rule for: it may be any of its parts.
                    union(&kids)
                }
            }
        }
    }

    fn call_flow(&mut self, i: usize, flows: &[Flow]) -> Flow {
        let mut out = Flow::default();
        let Some(func) = self.field(i, "function").map(|f| self.strip(f)) else {
            return out;
        };
        let args = self.args(i);
        let (defs, classes) = self.callees(func);
        for (d, _, _) in defs {
            if let Some(r) = self.returns.get(&d) {
                out.join(&r.clone());
            }
        }
        for c in classes {
            let cls = self.sym(Key::Class(c));
            out.alias.insert(cls);
        }
        let last_segment = match self.kind(func) {
            "identifier" => self.text(func).to_string(),
            "attribute" => self
                .field(func, "attribute")
                .map(|a| self.text(a).to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let positional: Vec<usize> = args
            .iter()
            .filter_map(|a| match a {
                Arg::Pos(n) => Some(*n),
                _ => None,
            })
            .collect();
        if last_segment == "cast"
            && let Some(&x) = positional.last()
        {
            out.join(&flows[x]);
        }
        match self.kind(func) {
            "identifier" => {
                let name = self.text(func);
                let local = self.defs.contains_key(name)
                    || self.classes.contains_key(name)
                    || self.module_bound.contains(name);
                if name == "getattr" && !local {
                    if let Some(&o) = positional.first() {
                        let lit = positional
                            .get(1)
                            .filter(|&&a| self.kind(a) == "string")
                            .map(|&a| self.text(a).trim_matches(['"', '\'']).to_string());
                        let v = flows[o].clone();
                        out.join(&self.attr_flow(&v, lit.as_deref()));
                    }
                } else if PASS_THROUGH.contains(&name) && !local {
                    let picks = matches!(name, "next" | "max" | "min");
                    for a in &args {
                        let f = &flows[Self::arg_node(a)];
                        match a {
                            // `dict(a=X)`: X is a value of the new dict.
                            Arg::Kw(..) => out.join(&f.held()),
                            // `next(it)`, `max(C)`: an element.
                            _ if picks => out.join(&f.elements()),
                            // `list(C)`, `sorted(C)`: a new container of C's elements.
                            _ => out.join(&Flow {
                                alias: BTreeSet::new(),
                                holds: f.holds.clone(),
                            }),
                        }
                        // `max(A, B)` is A or B.
                        if picks && positional.len() > 1 {
                            out.alias.extend(f.alias.iter().copied());
                        }
                    }
                }
            }
            "attribute" => {
                if let Some(obj) = self.field(func, "object") {
                    // A method of a container may return what it holds.
                    out.join(&flows[obj].elements());
                }
            }
            "lambda" => {
                if let Some(r) = self.returns.get(&func) {
                    out.join(&r.clone());
                }
            }
            _ => {}
        }
        out
    }

    // ------------------------------------------------------------ effects

    /// Bind `target` to a value with flow `f` (iteratively: targets nest).
    fn bind_target(&mut self, target: usize, f: Flow, at: usize) {
        let mut work = vec![(target, f)];
        while let Some((t, f)) = work.pop() {
            match self.kind(t) {
                "identifier" => self.bind_ident(t, &f, at),
                "parenthesized_expression" | "as_pattern_target" => {
                    for c in self.t[t].children.iter() {
                        work.push((c, f.clone()));
                    }
                }
                "tuple" | "list" | "pattern_list" | "tuple_pattern" | "list_pattern"
                | "expression_list" => {
                    let e = f.elements();
                    for c in self.t[t].children.iter() {
                        if matches!(self.kind(c), "list_splat_pattern" | "list_splat") {
                            for inner in self.t[c].children.iter() {
                                work.push((inner, f.held()));
                            }
                        } else {
                            work.push((c, e.clone()));
                        }
                    }
                }
                "list_splat_pattern" | "list_splat" => {
                    for inner in self.t[t].children.iter() {
                        work.push((inner, f.held()));
                    }
                }
                "attribute" | "subscript" => self.store(t, &f),
                _ => {
                    let any = f.anything();
                    for b in self.binding_idents(t) {
                        self.bind_ident(b, &any, at);
                    }
                }
            }
        }
    }

    fn bind_ident(&mut self, ident: usize, f: &Flow, at: usize) {
        let s = self.sym_at[ident];
        if s == NO_SYM {
            return;
        }
        self.bind_sym(s, f, at);
        // A name bound in a class body is an attribute of the class.
        let c = self.t[ident].cscope;
        if c != 0 && self.kind(c) == "class_definition" {
            let id = self.attr(self.text(ident));
            let cls = self.sym(Key::Class(c));
            let any = f.anything();
            let entries: Vec<(u32, Sym)> = any.alias.iter().map(|&a| (id, a)).collect();
            self.add_holds(cls, entries);
        }
    }

    /// `x.a = v`, `x[k] = v`, `x.a.append(v)`: x holds v (under `a`).
    fn store(&mut self, target: usize, f: &Flow) {
        let mut cur = target;
        let mut key = 0;
        loop {
            match self.kind(cur) {
                "attribute" => {
                    if let Some(a) = self.field(cur, "attribute") {
                        key = self.attr(self.text(a));
                    }
                    match self.field(cur, "object") {
                        Some(o) => cur = o,
                        None => return,
                    }
                }
                "subscript" => {
                    key = 0;
                    match self.field(cur, "value") {
                        Some(v) => cur = v,
                        None => return,
                    }
                }
                "parenthesized_expression" if self.t[cur].children.len() == 1 => {
                    cur = self.t[cur].children.start();
                }
                "identifier" => break,
                _ => return,
            }
        }
        let s = self.sym_at[cur];
        if s == NO_SYM {
            return;
        }
        self.store_in(s, key, f);
    }

    /// Every object `s` may be now holds what `f` may be, under `key`.
    fn store_in(&mut self, s: Sym, key: u32, f: &Flow) {
        let any = f.anything();
        let entries: Vec<(u32, Sym)> = any.alias.iter().map(|&a| (key, a)).collect();
        for o in self.of(BTreeSet::from([s])).alias {
            self.add_holds(o, entries.iter().copied());
        }
    }

    fn bind_args(
        &mut self,
        def: usize,
        shift: usize,
        receiver: Option<Flow>,
        args: &[Arg],
        flows: &[Flow],
        at: usize,
    ) {
        let Some(p) = self.params.get(&def).cloned() else {
            return;
        };
        let known = |d: &String| {
            matches!(
                d.as_str(),
                "staticmethod" | "classmethod" | "property" | "functools.wraps"
            ) || d.ends_with("cached_property")
                || d.ends_with(".setter")
        };
        let decorated = self.decorators(def).iter().any(|d| !known(d));
        if decorated {
            // A decorator may pass the arguments on in any order.
            let mut all = Flow::default();
            for a in args {
                all.join(&flows[Self::arg_node(a)].anything());
            }
            if let Some(r) = receiver {
                all.join(&r);
            }
            self.bind_all(&p, &all, at);
            return;
        }
        if shift == 1
            && let (Some((_, first)), Some(r)) = (p.positional.first(), &receiver)
        {
            self.bind_sym(*first, r, at);
        }
        let rest: Vec<Sym> = p.positional.iter().skip(shift).map(|x| x.1).collect();
        let mut next = 0;
        let mut spread = false;
        for a in args {
            match a {
                Arg::Pos(n) => {
                    let f = flows[*n].clone();
                    if spread {
                        for &s in &rest {
                            self.bind_sym(s, &f, at);
                        }
                        if let Some(v) = p.varargs {
                            self.bind_sym(v, &f.held(), at);
                        }
                    } else if let Some(&s) = rest.get(next) {
                        self.bind_sym(s, &f, at);
                    } else if let Some(v) = p.varargs {
                        self.bind_sym(v, &f.held(), at);
                    }
                    next += 1;
                }
                Arg::Star(n) => {
                    let f = flows[*n].clone();
                    for &s in &rest {
                        self.bind_sym(s, &f, at);
                    }
                    if let Some(v) = p.varargs {
                        self.bind_sym(v, &f.held(), at);
                    }
                    spread = true;
                }
                Arg::Kw(name, n) => {
                    let f = flows[*n].clone();
                    let named = p
                        .positional
                        .iter()
                        .chain(&p.keyword_only)
                        .find(|(k, _)| k == name)
                        .map(|x| x.1);
                    if let Some(s) = named {
                        self.bind_sym(s, &f, at);
                    } else if let Some(v) = p.varkw {
                        self.bind_sym(v, &f.held(), at);
                    }
                }
                Arg::DoubleStar(n) => {
                    let f = flows[*n].clone();
                    for s in rest
                        .iter()
                        .copied()
                        .chain(p.keyword_only.iter().map(|x| x.1))
                    {
                        self.bind_sym(s, &f, at);
                    }
                    if let Some(v) = p.varkw {
                        self.bind_sym(v, &f.held(), at);
                    }
                }
            }
        }
    }

    fn bind_all(&mut self, p: &Params, f: &Flow, at: usize) {
        for (_, s) in p.positional.iter().chain(&p.keyword_only) {
            self.bind_sym(*s, f, at);
        }
        for v in [p.varargs, p.varkw].into_iter().flatten() {
            self.bind_sym(v, &f.held(), at);
        }
    }

    fn call_effects(&mut self, i: usize, flows: &[Flow]) {
        let Some(func) = self.field(i, "function").map(|f| self.strip(f)) else {
            return;
        };
        let args = self.args(i);
        let (defs, classes) = self.callees(func);
        for (d, shift, recv) in defs {
            let r = recv.map(|o| flows[o].clone());
            self.bind_args(d, shift, r, &args, flows, i);
        }
        for c in classes {
            let cls = self.sym(Key::Class(c));
            let inits: Vec<usize> = ["__init__", "__new__"]
                .iter()
                .flat_map(|n| self.defs.get(*n).cloned().unwrap_or_default())
                .filter(|&d| self.t[d].cscope == c)
                .collect();
            if inits.is_empty() {
                // A dataclass (or NamedTuple) keeps its arguments as fields.
                let fields = self.class_fields(c);
                let mut entries = Vec::new();
                for (k, a) in args.iter().enumerate() {
                    let key = match a {
                        Arg::Pos(_) => fields.get(k).map(|f| self.attr(f)).unwrap_or(0),
                        Arg::Kw(name, _) => self.attr(name),
                        _ => 0,
                    };
                    for s in flows[Self::arg_node(a)].anything().alias {
                        entries.push((key, s));
                    }
                }
                self.add_holds(cls, entries);
            }
            let instance = self.of(BTreeSet::from([cls]));
            for d in inits {
                self.bind_args(d, 1, Some(instance.clone()), &args, flows, i);
            }
        }
        // A function of the module handed over with other arguments
        // (`pool.submit(f, X)`, `map(f, [X])`, `partial(f, X)`) may get them.
        for (k, a) in args.iter().enumerate() {
            let e = self.strip(Self::arg_node(a));
            let fdefs: Vec<usize> = match self.kind(e) {
                "identifier" => self.defs.get(self.text(e)).cloned().unwrap_or_default(),
                "attribute" => self
                    .field(e, "attribute")
                    .and_then(|x| self.defs.get(self.text(x)).cloned())
                    .unwrap_or_default(),
                "lambda" => vec![e],
                _ => Vec::new(),
            };
            if fdefs.is_empty() {
                continue;
            }
            let mut others = Flow::default();
            for (m, b) in args.iter().enumerate() {
                if m != k {
                    others.join(&flows[Self::arg_node(b)].anything());
                }
            }
            for d in fdefs {
                if let Some(p) = self.params.get(&d).cloned() {
                    self.bind_all(&p, &others, i);
                }
            }
        }
        // Containers filled by their methods.
        if self.kind(func) == "attribute"
            && let (Some(obj), Some(attr)) =
                (self.field(func, "object"), self.field(func, "attribute"))
        {
            let m = self.text(attr);
            let stores = STORES.contains(&m);
            let elements = STORES_ELEMENTS.contains(&m);
            if stores || elements {
                let list_like = self.list_like(obj);
                let (container, rest): (Option<usize>, Vec<&Arg>) = if list_like {
                    (
                        args.first().map(Self::arg_node),
                        args.iter().skip(1).collect(),
                    )
                } else {
                    (Some(obj), args.iter().collect())
                };
                if let Some(c) = container {
                    let mut f = Flow::default();
                    for a in rest {
                        let x = &flows[Self::arg_node(a)];
                        if stores {
                            f.join(x);
                        } else {
                            f.join(&Flow {
                                alias: BTreeSet::new(),
                                holds: x.holds.clone(),
                            });
                        }
                    }
                    self.store_into(c, &f);
                }
            }
        }
    }

    /// `store` for a container expression (not a target).
    fn store_into(&mut self, container: usize, f: &Flow) {
        let c = self.strip(container);
        if self.kind(c) == "identifier" {
            let s = self.sym_at[c];
            if s != NO_SYM {
                self.store_in(s, 0, f);
            }
        } else {
            self.store(c, f);
        }
    }

    /// `list`, `builtins.list`, `type(x)`, `x.__class__`: methods called on
    /// them take the list as their first argument.
    fn list_like(&self, obj: usize) -> bool {
        let o = self.strip(obj);
        let text = self.text(o);
        text == "list"
            || text == "builtins.list"
            || text.ends_with(".__class__")
            || (self.kind(o) == "call"
                && self
                    .field(o, "function")
                    .is_some_and(|f| self.text(f) == "type"))
    }

    /// Annotated names of a class body, in order (dataclass fields).
    fn class_fields(&self, class: usize) -> Vec<String> {
        let Some(body) = self.field(class, "body") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for s in self.t[body].children.iter() {
            if self.kind(s) != "expression_statement" {
                continue;
            }
            for a in self.t[s].children.iter() {
                if self.kind(a) == "assignment"
                    && self.field(a, "type").is_some()
                    && let Some(l) = self
                        .field(a, "left")
                        .filter(|&l| self.kind(l) == "identifier")
                {
                    out.push(self.text(l).to_string());
                }
            }
        }
        out
    }

    fn effects(&mut self, flows: &[Flow]) {
        for k in 0..self.same.len() {
            let (a, b, at) = self.same[k];
            let (fa, fb) = (self.of(BTreeSet::from([a])), self.of(BTreeSet::from([b])));
            self.bind_sym(a, &fb, at);
            self.bind_sym(b, &fa, at);
        }
        for i in 0..self.t.len() {
            match self.kind(i) {
                "assignment" => {
                    if let (Some(l), Some(r)) = (self.field(i, "left"), self.field(i, "right")) {
                        self.bind_target(l, flows[r].clone(), i);
                    }
                }
                "augmented_assignment" => {
                    if let (Some(l), Some(r)) = (self.field(i, "left"), self.field(i, "right")) {
                        let f = Flow {
                            alias: BTreeSet::new(),
                            holds: flows[r].holds.clone(),
                        };
                        if self.kind(l) == "identifier" {
                            let s = self.sym_at[l];
                            self.add_holds(s, f.holds);
                        } else {
                            self.store(l, &f);
                        }
                    }
                }
                "for_statement" | "for_in_clause" => {
                    if let Some(l) = self.field(i, "left") {
                        let mut f = Flow::default();
                        for r in self.fields(i, "right") {
                            f.join(&flows[r]);
                        }
                        self.bind_target(l, f.elements(), i);
                    }
                }
                "as_pattern" => {
                    let value = self.t[i]
                        .children
                        .iter()
                        .find(|&c| self.t[c].field != Some("alias"));
                    if let (Some(a), Some(v)) = (self.field(i, "alias"), value) {
                        self.bind_target(a, flows[v].clone(), i);
                    }
                }
                "named_expression" => {
                    if let (Some(n), Some(v)) = (self.field(i, "name"), self.field(i, "value")) {
                        let f = flows[v].clone();
                        self.bind_ident(n, &f, i);
                    }
                }
                "default_parameter" | "typed_default_parameter" => {
                    let owner = self.t[self.t[i].parent].parent;
                    if let (Some(n), Some(v)) = (self.field(i, "name"), self.field(i, "value"))
                        && owner != usize::MAX
                        && self.kind(n) == "identifier"
                    {
                        let s = self.sym(Key::Name(owner, self.text(n).to_string()));
                        let f = flows[v].clone();
                        self.bind_sym(s, &f, i);
                    }
                }
                "call" => self.call_effects(i, flows),
                "return_statement" => {
                    let f = self.t[i].fscope;
                    if f != 0 {
                        let mut r = Flow::default();
                        for c in self.t[i].children.iter() {
                            r.join(&flows[c]);
                        }
                        self.add_return(f, &r);
                    }
                }
                "yield" => {
                    let f = self.t[i].fscope;
                    if f != 0 {
                        let mut r = Flow::default();
                        for c in self.t[i].children.iter() {
                            r.join(&flows[c].held());
                            r.join(&flows[c].elements().held());
                        }
                        self.add_return(f, &r);
                    }
                }
                "lambda" => {
                    if let Some(b) = self.field(i, "body") {
                        let f = flows[b].clone();
                        self.add_return(i, &f);
                    }
                }
                _ => {}
            }
        }
        for k in 0..self.captures.len() {
            let (m, ident) = self.captures[k];
            let mut f = Flow::default();
            for s in self.fields(m, "subject") {
                f.join(&flows[s].anything());
            }
            self.bind_ident(ident, &f, m);
        }
    }

    // ------------------------------------------------------------ hazards

    fn context(&self, i: usize) -> String {
        let c = self.t[i].cscope;
        let x = if c != 0 { c } else { self.t[i].ctx };
        if x == 0 {
            return "at module level".into();
        }
        let name = || {
            self.field(x, "name")
                .map(|n| self.text(n).to_string())
                .unwrap_or_default()
        };
        match self.kind(x) {
            "function_definition" => format!("inside function `{}`", name()),
            "lambda" => "inside a lambda".into(),
            "class_definition" => format!("inside class `{}`", name()),
            "generator_expression" => "inside a generator expression".into(),
            "list_comprehension" | "set_comprehension" | "dictionary_comprehension" => {
                "inside a comprehension".into()
            }
            k => format!(
                "inside a module-level `{}` block",
                k.trim_end_matches("_statement")
            ),
        }
    }

    /// The statement around a node, for an excerpt.
    fn statement_of(&self, i: usize) -> usize {
        let s = self.t[i].stmt;
        if s == 0 { i } else { s }
    }

    fn hazard(
        &self,
        out: &mut Vec<Hazard>,
        at: usize,
        target: Target,
        change: Change,
        via: Option<usize>,
    ) {
        let via = via.map(|v| self.strip(v));
        let subject = via
            .filter(|&v| self.kind(v) == "identifier")
            .map(|v| self.sym_at[v]);
        let via = via
            .filter(|&v| self.kind(v) != "identifier")
            .map(|v| self.short(v));
        out.push(Hazard {
            target,
            change,
            deferred: self.t[at].deferred,
            top: self.t[at].top,
            modelled: false,
            line: self.line(at),
            col: self.t[at].node.start_position().column,
            excerpt: self.short(at),
            context: self.context(at),
            via,
            subject,
        });
    }

    /// Leaves of assignment-like targets: (attribute or subscript node, statement).
    fn target_leaves(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for i in 0..self.t.len() {
            let roots: Vec<usize> = match self.kind(i) {
                "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
                    self.field(i, "left").into_iter().collect()
                }
                "as_pattern" => self.field(i, "alias").into_iter().collect(),
                "delete_statement" => self.t[i].children.iter().collect(),
                _ => continue,
            };
            let mut stack = roots;
            while let Some(x) = stack.pop() {
                match self.kind(x) {
                    "attribute" | "subscript" => out.push((x, i)),
                    "tuple"
                    | "list"
                    | "pattern_list"
                    | "tuple_pattern"
                    | "list_pattern"
                    | "expression_list"
                    | "parenthesized_expression"
                    | "list_splat_pattern"
                    | "list_splat"
                    | "as_pattern_target" => stack.extend(self.t[x].children.iter()),
                    _ => {}
                }
            }
        }
        out
    }

    /// The name at the bottom of `a.b[c].d` and how many steps above it.
    fn chain_root(&self, i: usize) -> Option<(usize, usize)> {
        let mut cur = self.strip(i);
        let mut depth = 0;
        loop {
            match self.kind(cur) {
                "attribute" => cur = self.field(cur, "object")?,
                "subscript" => cur = self.field(cur, "value")?,
                "parenthesized_expression" if self.t[cur].children.len() == 1 => {
                    cur = self.t[cur].children.start();
                    continue;
                }
                "identifier" => return Some((cur, depth)),
                _ => return None,
            }
            depth += 1;
        }
    }

    fn hazards(
        &mut self,
        flows: &[Flow],
        local_modules: &HashSet<Sym>,
        sys_names: &HashSet<Sym>,
    ) -> Vec<Hazard> {
        let mut out = Vec::new();
        // Objects that can matter: what module-level names may be.
        let mut relevant = HashSet::new();
        for s in 0..self.keys.len() as Sym {
            if matches!(self.keys[s as usize], Key::Name(0, _) | Key::Import(_)) {
                relevant.insert(s);
                relevant.extend(self.pts[s as usize].iter().copied());
            }
        }
        let objects = |f: &Flow| -> Option<Vec<Sym>> {
            f.alias
                .iter()
                .any(|s| relevant.contains(s))
                .then(|| f.alias.iter().copied().collect())
        };
        let is_local_module = |b: &Self, i: usize, min_depth: usize| {
            b.chain_root(i)
                .is_some_and(|(r, d)| d >= min_depth && local_modules.contains(&b.sym_at[r]))
        };
        const LOCAL_MODULE: &str =
            "it changes a name of a module of the repository, which docgate reads as written";
        let leaves = self.target_leaves();
        let leaf_set: HashSet<usize> = leaves.iter().map(|&(l, _)| l).collect();
        for &(leaf, stmt) in &leaves {
            let obj = match self.kind(leaf) {
                "attribute" => self.field(leaf, "object"),
                _ => self.field(leaf, "value"),
            };
            if let Some(o) = obj
                && let Some(syms) = objects(&flows[o])
            {
                let at = match self.kind(stmt) {
                    "assignment" | "augmented_assignment" | "delete_statement" => stmt,
                    _ => self.statement_of(stmt),
                };
                self.hazard(&mut out, at, Target::Object(syms), Change::InPlace, Some(o));
            }
            if self.kind(stmt) == "augmented_assignment"
                && let Some(syms) = objects(&flows[leaf])
            {
                // `x[0] += ...` changes the element in place too.
                self.hazard(
                    &mut out,
                    stmt,
                    Target::Object(syms),
                    Change::InPlace,
                    Some(leaf),
                );
            }
            if is_local_module(self, leaf, 1) {
                let at = self.statement_of(stmt);
                self.hazard(
                    &mut out,
                    at,
                    Target::All,
                    Change::Namespace(LOCAL_MODULE),
                    None,
                );
            }
        }
        for i in 0..self.t.len() {
            match self.kind(i) {
                "attribute" => {
                    let (Some(obj), Some(attr)) =
                        (self.field(i, "object"), self.field(i, "attribute"))
                    else {
                        continue;
                    };
                    let a = self.text(attr);
                    let p = self.t[i].parent;
                    let called = p != usize::MAX
                        && self.kind(p) == "call"
                        && self.t[i].field == Some("function");
                    let at = if called { p } else { i };
                    // An attribute a list does not have: on a name that may be
                    // the list, a possible change (docgate's model of the name
                    // is wrong, or a method it does not know). Reached through
                    // a container, an attribute or a call (`df.columns.str`),
                    // where "may be the list" over-approximates, only the
                    // list's own mutators count: on the list itself any other
                    // attribute raises.
                    let named = self.kind(self.strip(obj)) == "identifier";
                    let known = LIST_MUTATORS.contains(&a) || leaf_set.contains(&i);
                    if !LIST_READS.contains(&a)
                        && (known || named)
                        && let Some(syms) = objects(&flows[obj])
                    {
                        let change = if known {
                            Change::InPlace
                        } else {
                            Change::Unknown(a.to_string())
                        };
                        let at = if leaf_set.contains(&i) {
                            self.statement_of(i)
                        } else {
                            at
                        };
                        self.hazard(&mut out, at, Target::Object(syms), change, Some(obj));
                    }
                    let ot = self.text(self.strip(obj));
                    let obj_ident = self.kind(self.strip(obj)) == "identifier";
                    if a == "modules"
                        && obj_ident
                        && (ot == "sys" || sys_names.contains(&self.sym_at[self.strip(obj)]))
                    {
                        let at = self.statement_of(i);
                        self.hazard(
                            &mut out,
                            at,
                            Target::All,
                            Change::Namespace("`sys.modules` reaches the module's names by string"),
                            None,
                        );
                    }
                    if matches!(ot, "builtins" | "__builtins__")
                        && matches!(a, "exec" | "eval" | "globals")
                    {
                        let at = self.statement_of(i);
                        self.hazard(
                            &mut out,
                            at,
                            Target::All,
                            Change::Namespace("it runs code docgate does not read"),
                            None,
                        );
                    }
                    if ot == "list"
                        && (LIST_MUTATORS.contains(&a) || a == "extend" || a == "append")
                        && !called
                    {
                        let at = self.statement_of(i);
                        self.hazard(
                            &mut out,
                            at,
                            Target::All,
                            Change::Namespace(
                                "a list method handed around as a value may change any list",
                            ),
                            None,
                        );
                    }
                    if (a == "__dict__" && is_local_module(self, obj, 0))
                        || (called && LIST_MUTATORS.contains(&a) && is_local_module(self, obj, 1))
                    {
                        let at = self.statement_of(i);
                        self.hazard(
                            &mut out,
                            at,
                            Target::All,
                            Change::Namespace(LOCAL_MODULE),
                            None,
                        );
                    }
                }
                "augmented_assignment" => {
                    let Some(l) = self
                        .field(i, "left")
                        .filter(|&l| self.kind(l) == "identifier")
                    else {
                        continue;
                    };
                    let f = self.of(BTreeSet::from([self.sym_at[l]]));
                    if let Some(syms) = objects(&f) {
                        let top_level = {
                            let p = self.t[i].parent;
                            p != usize::MAX
                                && self.kind(p) == "expression_statement"
                                && self.t[p].parent == 0
                        };
                        let plus = self.t[i]
                            .node
                            .child_by_field_name("operator")
                            .is_some_and(|o| o.utf8_text(self.src).unwrap_or("") == "+=");
                        self.hazard(&mut out, i, Target::Object(syms), Change::InPlace, Some(l));
                        if top_level && plus {
                            out.last_mut().expect("pushed").modelled = true;
                        }
                    }
                }
                "call" => self.call_hazards(i, flows, &mut out, &objects, &is_local_module),
                "identifier" if self.is_reference(i) => {
                    let name = self.text(i);
                    let p = self.t[i].parent;
                    let callee_no_args = p != usize::MAX
                        && self.kind(p) == "call"
                        && self.t[i].field == Some("function")
                        && self
                            .field(p, "arguments")
                            .is_some_and(|a| self.t[a].children.is_empty());
                    let why = match name {
                        "globals" => {
                            Some("`globals()` reaches every name of the module by its string")
                        }
                        "exec" | "eval" => Some(if name == "exec" {
                            "`exec` runs code docgate does not read"
                        } else {
                            "`eval` runs code docgate does not read"
                        }),
                        "vars" | "locals" if callee_no_args && self.t[i].fscope == 0 => Some(
                            "at module level it is the module's namespace, which reaches every name by its string",
                        ),
                        _ => None,
                    };
                    if let Some(why) = why {
                        let at = self.statement_of(i);
                        self.hazard(&mut out, at, Target::All, Change::Namespace(why), None);
                    }
                }
                "exec_statement" => {
                    self.hazard(
                        &mut out,
                        i,
                        Target::All,
                        Change::Namespace("`exec` runs code docgate does not read"),
                        None,
                    );
                }
                "import_from_statement" => {
                    let m = self
                        .field(i, "module_name")
                        .map(|m| self.text(m))
                        .unwrap_or("");
                    if m == "sys"
                        && self
                            .fields(i, "name")
                            .iter()
                            .any(|&n| self.text(n).split_whitespace().next() == Some("modules"))
                    {
                        self.hazard(
                            &mut out,
                            i,
                            Target::All,
                            Change::Namespace("`sys.modules` reaches the module's names by string"),
                            None,
                        );
                    }
                }
                _ => {}
            }
        }
        // Rebinding a module-level name where `Eval` does not see it.
        for k in 0..self.sites.len() {
            let (b, site, comp) = self.sites[k];
            if comp {
                continue;
            }
            let name = self.text(b).to_string();
            let c = self.t[b].cscope;
            let declared = if c == 0 {
                false
            } else if self.is_def(c) {
                self.scopes
                    .get(&c)
                    .is_some_and(|s| s.globals.contains(&name))
            } else {
                self.class_globals
                    .get(&c)
                    .is_some_and(|g| g.contains(&name))
            };
            let genexp_walrus =
                c == 0 && self.kind(site) == "named_expression" && self.t[b].deferred;
            if declared || genexp_walrus {
                let s = self.sym(Key::Name(0, name.clone()));
                let at = if self.kind(site) == "named_expression" {
                    site
                } else {
                    self.statement_of(site)
                };
                let mut h = Vec::new();
                self.hazard(&mut h, at, Target::Name(s), Change::Rebound, None);
                let mut h = h.pop().expect("pushed");
                h.deferred = true;
                if declared {
                    h.context = format!("{}, which declares `global {name}`", h.context);
                }
                out.push(h);
            }
        }
        out.sort_by_key(|h| (h.line, h.col));
        out
    }

    fn call_hazards(
        &mut self,
        i: usize,
        flows: &[Flow],
        out: &mut Vec<Hazard>,
        objects: &dyn Fn(&Flow) -> Option<Vec<Sym>>,
        is_local_module: &dyn Fn(&Self, usize, usize) -> bool,
    ) {
        const LOCAL_MODULE: &str =
            "it changes a name of a module of the repository, which docgate reads as written";
        let Some(func) = self.field(i, "function").map(|f| self.strip(f)) else {
            return;
        };
        let args = self.args(i);
        let first = args
            .first()
            .map(|a| (Self::arg_node(a), matches!(a, Arg::Star(_))));
        let first_flow = first.map(|(n, star)| {
            if star {
                flows[n].anything()
            } else {
                flows[n].clone()
            }
        });
        let (last, obj) = match self.kind(func) {
            "identifier" => (self.text(func).to_string(), None),
            "attribute" => (
                self.field(func, "attribute")
                    .map(|a| self.text(a).to_string())
                    .unwrap_or_default(),
                self.field(func, "object"),
            ),
            _ => (String::new(), None),
        };
        let tracked_first = first_flow.as_ref().and_then(objects);
        // `list.remove(X, ...)`, `type(X).pop(X)`: the list is the first argument.
        if let Some(o) = obj {
            let unbound = matches!(
                last.as_str(),
                "remove"
                    | "pop"
                    | "clear"
                    | "sort"
                    | "reverse"
                    | "insert"
                    | "__setitem__"
                    | "__delitem__"
                    | "__iadd__"
                    | "__imul__"
                    | "__init__"
            ) || (matches!(last.as_str(), "append" | "extend") && self.list_like(o));
            if unbound {
                if let Some(syms) = tracked_first.clone() {
                    let via = first.map(|x| x.0);
                    self.hazard(out, i, Target::Object(syms), Change::InPlace, via);
                }
                if let Some((n, _)) = first
                    && is_local_module(self, n, 1)
                {
                    let at = self.statement_of(i);
                    self.hazard(out, at, Target::All, Change::Namespace(LOCAL_MODULE), None);
                }
            }
        }
        if MUTATING_FUNCTIONS.contains(&last.as_str()) {
            if let Some(syms) = tracked_first.clone() {
                let via = first.map(|x| x.0);
                self.hazard(out, i, Target::Object(syms), Change::InPlace, via);
            }
            if let Some((n, _)) = first
                && is_local_module(self, n, 1)
            {
                let at = self.statement_of(i);
                self.hazard(out, at, Target::All, Change::Namespace(LOCAL_MODULE), None);
            }
        }
        if obj.is_none() && matches!(last.as_str(), "getattr" | "setattr" | "delattr") {
            if let Some(syms) = tracked_first.clone() {
                let lit = args
                    .get(1)
                    .map(Self::arg_node)
                    .filter(|&a| self.kind(a) == "string")
                    .map(|a| self.text(a).trim_matches(['"', '\'']).to_string());
                let change = match (last.as_str(), lit.as_deref()) {
                    ("getattr", Some(a)) if LIST_READS.contains(&a) => None,
                    ("getattr", Some(a)) if !LIST_MUTATORS.contains(&a) => {
                        Some(Change::Unknown(a.to_string()))
                    }
                    ("getattr", None) => Some(Change::Unknown("?".into())),
                    _ => Some(Change::InPlace),
                };
                if let Some(change) = change {
                    let via = first.map(|x| x.0);
                    self.hazard(out, i, Target::Object(syms), change, via);
                }
            }
            if last != "getattr"
                && let Some((n, _)) = first
                && is_local_module(self, n, 0)
            {
                let at = self.statement_of(i);
                self.hazard(out, at, Target::All, Change::Namespace(LOCAL_MODULE), None);
            }
        }
        if matches!(last.as_str(), "reload" | "__import__" | "import_module") {
            let at = self.statement_of(i);
            self.hazard(
                out,
                at,
                Target::All,
                Change::Namespace(
                    "a module imported by a call may be this one, and docgate does not follow it",
                ),
                None,
            );
        }
    }
}

impl Analysis {
    /// Analyse a module. `Err`: docgate could not read the repository.
    fn build(
        src: &str,
        root: Node<'_>,
        module_exists: &mut ModuleExists<'_>,
    ) -> anyhow::Result<Analysis> {
        let mut b = Builder::new(src.as_bytes(), root);
        b.setup();
        // Which import-bound names are modules of the repository (and `sys`).
        let mut local_modules = HashSet::new();
        let mut sys_names = HashSet::new();
        for i in 0..b.t.len() {
            let kind = b.kind(i);
            if kind == "import_statement" {
                for name in b.fields(i, "name") {
                    let (dotted, bound) = match b.kind(name) {
                        "aliased_import" => (b.field(name, "name"), b.field(name, "alias")),
                        _ => (Some(name), b.t[name].children.first()),
                    };
                    let (Some(dotted), Some(bound)) = (dotted, bound) else {
                        continue;
                    };
                    let full = b.text(dotted).to_string();
                    if full == "sys" {
                        sys_names.insert(b.sym_at[bound]);
                    }
                    let parts: Vec<&str> = full.split('.').collect();
                    for k in 1..=parts.len() {
                        if module_exists(&parts[..k].join("."), 0)? {
                            local_modules.insert(b.sym_at[bound]);
                            break;
                        }
                    }
                }
            } else if kind == "import_from_statement" {
                let Some(m) = b.field(i, "module_name") else {
                    continue;
                };
                let text = b.text(m);
                let level = text.chars().take_while(|&c| c == '.').count();
                let base = text[level..].to_string();
                for name in b.fields(i, "name") {
                    let (orig, bound) = match b.kind(name) {
                        "aliased_import" => (b.field(name, "name"), b.field(name, "alias")),
                        _ => (Some(name), b.t[name].children.first()),
                    };
                    let (Some(orig), Some(bound)) = (orig, bound) else {
                        continue;
                    };
                    let sub = if base.is_empty() {
                        b.text(orig).to_string()
                    } else {
                        format!("{base}.{}", b.text(orig))
                    };
                    if module_exists(&sub, level)? {
                        local_modules.insert(b.sym_at[bound]);
                    }
                }
            }
        }
        let mut flows = vec![Flow::default(); b.t.len()];
        let mut rounds = 0;
        let mut gave_up = false;
        loop {
            b.changed = false;
            for i in (0..b.t.len()).rev() {
                flows[i] = b.flow_of(i, &flows);
            }
            b.effects(&flows);
            if b.facts >= MAX_FACTS {
                gave_up = true;
                break;
            }
            if !b.changed {
                break;
            }
            rounds += 1;
            if rounds >= MAX_ROUNDS {
                gave_up = true;
                break;
            }
        }
        let mut hazards = b.hazards(&flows, &local_modules, &sys_names);
        if gave_up {
            hazards.insert(
                0,
                Hazard {
                    target: Target::All,
                    change: Change::GaveUp,
                    deferred: true,
                    top: 0,
                    modelled: false,
                    line: 1,
                    col: 0,
                    excerpt: b.short(0),
                    context: "at module level".into(),
                    via: None,
                    subject: None,
                },
            );
        }
        let display = b
            .keys
            .iter()
            .map(|k| match k {
                Key::Name(_, n) | Key::Import(n) => n.clone(),
                Key::Class(c) => b
                    .field(*c, "name")
                    .map(|x| b.text(x).to_string())
                    .unwrap_or_default(),
            })
            .collect();
        let edges = b
            .edges
            .iter()
            .map(|&(x, y, at)| (x, y, b.line(at), b.short(at)))
            .collect();
        Ok(Analysis {
            syms: b.syms,
            display,
            pts: b.pts,
            edges,
            hazards,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_in(files: &[(&str, &str)], file: &str, symbol: &str) -> Result<Value, PyError> {
        let files: HashMap<String, String> = files
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut read = |p: &str| -> anyhow::Result<FileText> {
            Ok(files
                .get(p)
                .cloned()
                .map_or(FileText::Missing, FileText::Text))
        };
        let mut r = Resolver::new(&mut read);
        r.resolve(file, symbol).unwrap()
    }

    fn names(v: Result<Value, PyError>) -> Vec<String> {
        match v {
            Ok(Value::List { items, .. }) => items.into_iter().map(|i| i.value).collect(),
            other => panic!("not a list: {other:?}"),
        }
    }

    fn error(v: Result<Value, PyError>) -> PyError {
        v.expect_err("expected an error")
    }

    #[test]
    fn literal_lists_tuples_escapes_concatenation_comments() {
        let src = "X = [\n  'a',  # first\n  \"b\\tc\",\n  'd' 'e',\n  r'\\x',\n  '\\x41\\u00e9',\n]\nT = ('p', 'q',)\n";
        assert_eq!(
            names(resolve_in(&[("m.py", src)], "m.py", "X")),
            vec!["a", "b\tc", "de", "\\x", "Aé"]
        );
        assert_eq!(
            names(resolve_in(&[("m.py", src)], "m.py", "T")),
            vec!["p", "q"]
        );
    }

    #[test]
    fn plus_plus_equals_splat_list_and_annotations() {
        let src = "A = ['a']\nB: list[str] = ['b']\nC: Final[list[str]] = A + B\nC += ('c',)\nD = [*C, 'd']\nE = list(D)\nF = tuple(A)\n";
        let f = [("m.py", src)];
        assert_eq!(names(resolve_in(&f, "m.py", "C")), vec!["a", "b", "c"]);
        assert_eq!(names(resolve_in(&f, "m.py", "D")), vec!["a", "b", "c", "d"]);
        assert_eq!(names(resolve_in(&f, "m.py", "E")), vec!["a", "b", "c", "d"]);
        assert_eq!(names(resolve_in(&f, "m.py", "F")), vec!["a"]);
    }

    #[test]
    fn last_binding_wins_like_python() {
        let src = "A = ['old']\nB = A + ['x']\nA = ['new']\n";
        let f = [("m.py", src)];
        assert_eq!(names(resolve_in(&f, "m.py", "A")), vec!["new"]);
        assert_eq!(names(resolve_in(&f, "m.py", "B")), vec!["old", "x"]);
    }

    #[test]
    fn imports_absolute_relative_and_aliased() {
        let files = [
            ("pkg/__init__.py", ""),
            ("pkg/base.py", "BASE = ['a', 'b']\n"),
            (
                "pkg/train.py",
                "from .base import BASE as B\nTRAIN = B + ['c']\n",
            ),
            (
                "serve/infer.py",
                "from pkg.base import BASE\nfrom pkg.train import TRAIN\nINFER = TRAIN\n",
            ),
        ];
        assert_eq!(
            names(resolve_in(&files, "pkg/train.py", "TRAIN")),
            vec!["a", "b", "c"]
        );
        assert_eq!(
            names(resolve_in(&files, "serve/infer.py", "INFER")),
            vec!["a", "b", "c"]
        );
        // The imported name itself resolves to its definition.
        match resolve_in(&files, "serve/infer.py", "BASE").unwrap() {
            Value::List { origin, .. } => {
                assert_eq!((origin.file.as_str(), origin.line), ("pkg/base.py", 1))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dynamic_forms_are_errors_with_lines() {
        let cases = [
            ("X = [f for f in Y]\n", 1, "comprehension"),
            ("X = load()\n", 1, "call to `load`"),
            ("n = 1\nX = [f'a{n}']\n", 2, "f-string"),
            ("X = ['a'] if True else ['b']\n", 1, "conditional"),
            ("X = ['a']\nX.append('b')\n", 2, ".append()"),
            ("if True:\n    X = ['a']\n", 2, "`if` block"),
            ("X = ['a', B]\n", 1, "not a string literal"),
            ("X = ['a'\n", 1, "syntax error"),
            ("X = [b'a']\n", 1, "bytes"),
        ];
        for (src, line, msg) in cases {
            let e = error(resolve_in(&[("m.py", src)], "m.py", "X"));
            assert_eq!(e.line, line, "{src}: {e}");
            assert!(e.message.contains(msg), "{src}: {e}");
        }
        let e = error(resolve_in(&[("m.py", "Y = 1\n")], "m.py", "X"));
        assert!(e.message.contains("not bound at module level"), "{e}");
        let e = error(resolve_in(
            &[("m.py", "from nowhere import X\n")],
            "m.py",
            "X",
        ));
        assert!(e.message.contains("cannot find module `nowhere`"), "{e}");
    }

    #[test]
    fn import_cycles_and_deep_expressions_do_not_hang_or_overflow() {
        let files = [("a.py", "from b import X\n"), ("b.py", "from a import X\n")];
        let e = error(resolve_in(&files, "a.py", "X"));
        assert!(e.message.contains("import cycle"), "{e}");
        let deep = format!("X = {}['a']\n", "['a'] + ".repeat(5000));
        let e = error(resolve_in(&[("m.py", &deep)], "m.py", "X"));
        assert!(e.message.contains("nested too deeply"), "{e}");
    }

    /// What the module does to a list after binding it, in every scope, by
    /// Python's rules: `Ok` the names, `Err` (line, message fragment).
    #[test]
    fn changes_after_binding_follow_python_scopes_and_objects() {
        let ok = |names: &[&str]| Ok(names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
        type Want = Result<Vec<String>, (usize, &'static str)>;
        let cases: Vec<(&str, Want)> = vec![
            // Function scopes: a parameter or local of the same name is another object.
            ("F = ['a']\ndef f(F):\n    F.pop()\n", ok(&["a"])),
            (
                "F = ['a']\ndef f():\n    F = []\n    F.append(1)\n",
                ok(&["a"]),
            ),
            (
                "F = ['a']\ndef o():\n    F = []\n    def i():\n        nonlocal F\n        F.append(1)\n",
                ok(&["a"]),
            ),
            ("F = ['a']\ndef f():\n    (F := ['b'])\n", ok(&["a"])),
            (
                "F = ['a']\ndef f():\n    global F\n    F.append(1)\n",
                Err((4, "inside function `f`")),
            ),
            (
                "F = ['a']\ndef o():\n    def i():\n        F.append(1)\n",
                Err((4, "inside function `i`")),
            ),
            // A class body or a comprehension variable does not make a name local.
            (
                "F = ['a']\ndef o():\n    class C:\n        F = []\n    F.append(1)\n",
                Err((5, "`F.append(1)`")),
            ),
            (
                "F = ['a']\ndef f():\n    [F for F in range(3)]\n    F.append(1)\n",
                Err((4, "`F.append(1)`")),
            ),
            (
                "F = ['a']\nclass C:\n    global F\n    F = []\n",
                Err((4, "which declares `global F`")),
            ),
            // Through returns, properties, dataclass fields, parameters.
            (
                "F = ['a']\ndef get():\n    return F\nx = get()\nx.append('x')\n",
                Err((5, "`F` and `x` are the same list: `x = get()` at line 4")),
            ),
            (
                "F = ['a']\nclass C:\n    @property\n    def cols(self):\n        return F\nC().cols.append('x')\n",
                Err((6, "`C().cols` may be `F`")),
            ),
            (
                "F = ['a']\nclass Cfg:\n    cols: list\n    model: object\ncfg = Cfg(F, None)\ncfg.cols.append('x')\n",
                Err((6, "`cfg.cols` may be `F`")),
            ),
            (
                "F = ['a']\nclass Cfg:\n    cols: list\n    model: object\ncfg = Cfg(F, None)\ncfg.model.fit(1)\n",
                ok(&["a"]),
            ),
            (
                "F = ['a']\ndef f(a, b):\n    a.append('x')\nf(1, F)\n",
                ok(&["a"]),
            ),
            (
                "F = ['a']\ndef f(a, b):\n    b.append('x')\nf(b=F, a=1)\n",
                Err((3, "`F` and `b` are the same list: `f(b=F, a=1)` at line 4")),
            ),
            (
                "F = ['a']\ndef f(*cols):\n    cols[0].append('x')\nf(F)\n",
                Err((3, "`cols[0]` may be `F`")),
            ),
            (
                "F = ['a']\nclass T:\n    def fit(self, cols, params):\n        params.get('x')\nT().fit(F, {})\n",
                ok(&["a"]),
            ),
            (
                "F = ['a']\nclass T:\n    def fit(self, cols):\n        cols.sort()\nT().fit(F)\n",
                Err((4, "`cols.sort()` inside function `fit`")),
            ),
            (
                "F = ['a']\nclass B:\n    def __init__(self):\n        self.cols = F\nclass D(B):\n    def go(self):\n        self.cols.pop()\n",
                Err((7, "`self.cols` may be `F`")),
            ),
            (
                "F = ['a']\nclass T:\n    def __init__(self):\n        self.features = F\n        self.model = M()\n    def train(self, df):\n        self.model.fit(df[self.features])\n        self.history.append(1)\n",
                ok(&["a"]),
            ),
            (
                "import threading\nF = ['a']\ndef work(c):\n    c.pop()\nthreading.Thread(target=work, args=(F,)).start()\n",
                Err((4, "`c.pop()` inside function `work`")),
            ),
            (
                "F = ['a']\n(lambda l: l.pop())(F)\n",
                Err((2, "inside a lambda")),
            ),
            (
                "F = ['a']\nlambda l=F: l.pop()\n",
                Err((2, "`F` and `l` are the same list: `l=F` at line 2")),
            ),
            // A helper called with the list and with another object does not
            // make them one object.
            (
                "F = ['a']\nmodel = M()\ndef log(x):\n    print(x)\nlog(F)\nlog(model)\nmodel.fit(1)\n",
                ok(&["a"]),
            ),
            (
                "F = ['a']\nmodel = M()\ndef log(x):\n    x.clear()\nlog(F)\nlog(model)\n",
                Err((4, "`x.clear()` inside function `log`")),
            ),
            // Containers and aliases.
            (
                "F = ['a']\nALL = []\nALL.append(F)\nfor l in ALL:\n    l.sort()\n",
                Err((
                    5,
                    "`F` and `l` are the same list: `for l in ALL:` at line 4",
                )),
            ),
            (
                "F = ['a']\nALL = []\nALL.extend(F)\nfor n in ALL:\n    n.lower()\n",
                ok(&["a"]),
            ),
            (
                "F = ['a']\nd = {}\nd.setdefault('k', F).pop()\n",
                Err((3, "`d.setdefault('k', F)` may be `F`")),
            ),
            (
                "F = ['a']\nx = dict(a=F)\nx['a'].append('b')\n",
                Err((3, "`x['a']` may be `F`")),
            ),
            (
                "F = ['a']\nit = iter([F])\nnext(it).pop()\n",
                Err((3, "`next(it)` may be `F`")),
            ),
            (
                "F = ['a']\n[a, *rest] = [F, F]\nrest[0].pop()\n",
                Err((3, "`rest[0]` may be `F`")),
            ),
            (
                "F = ['a']\nx = F or []\nx.append('b')\n",
                Err((3, "`x = F or []` at line 2")),
            ),
            (
                "from typing import cast\nF = ['a']\nx = cast(list, F)\nx.append('b')\n",
                Err((4, "`x = cast(list, F)` at line 3")),
            ),
            (
                "F = ['a']\nmatch F:\n    case x:\n        x.pop()\n",
                Err((4, "inside a module-level `match` block")),
            ),
            (
                "F = ['a']\nx = sorted(F)\ny = F[:]\nz = F.copy()\nw = [c for c in F]\nfor v in (x, y, z, w):\n    v.append('b')\n",
                ok(&["a"]),
            ),
            (
                "F = ['a']\nprint(len(F), F.index('a'), 'a' in F, F[0].upper(), *F)\n",
                ok(&["a"]),
            ),
            ("A = ['a']\nA.append('b')\nA = ['c']\nF = A\n", ok(&["c"])),
            ("F = ['a']\nF += ['b']\nG = F\n", ok(&["a", "b"])),
            (
                "F = ('a',)\nT = F\nT += ('b',)\n",
                Err((3, "`T += ('b',)`")),
            ),
            ("F = ['a']\nG = F\nG[0] = 'z'\n", Err((3, "`G[0] = 'z'`"))),
            ("F = ['a']\nG = F\ndel G[0]\n", Err((3, "`del G[0]`"))),
            // Known in-place functions and unbound methods.
            (
                "import random\nF = ['a']\nrng = random.Random(0)\nrng.shuffle(F)\n",
                Err((4, "`rng.shuffle(F)`")),
            ),
            (
                "import heapq\nF = ['a']\nheapq.heapify(F)\n",
                Err((3, "`heapq.heapify(F)`")),
            ),
            (
                "import operator\nF = ['a']\noperator.setitem(F, 0, 'z')\n",
                Err((3, "`operator.setitem(F, 0, 'z')`")),
            ),
            (
                "F = ['a']\ntype(F).append(F, 'b')\n",
                Err((2, "`type(F).append(F, 'b')`")),
            ),
            (
                "F = ['a']\nsetattr(F, 'x', 1)\n",
                Err((2, "`setattr(F, 'x', 1)`")),
            ),
            (
                "F = ['a']\nx = list.pop\n",
                Err((2, "a list method handed around as a value")),
            ),
            // A method docgate does not know: on a name, a possible change;
            // through an attribute of another object, not.
            (
                "F = ['a']\ndef f():\n    F.frob()\n",
                Err((3, "`.frob` is not a list method")),
            ),
            (
                "import pandas as pd\nF = ['a']\ndf = pd.DataFrame()\ndf.columns = F\nprint(df.columns.str.lower())\n",
                ok(&["a"]),
            ),
            // The module's namespace, and repository modules.
            (
                "F = ['a']\nv = vars()\n",
                Err((2, "the module's namespace")),
            ),
            ("F = ['a']\ndef f():\n    return vars()\n", ok(&["a"])),
            (
                "F = ['a']\nglobals().get('F')\n",
                Err((2, "`globals()` reaches every name")),
            ),
            (
                "import sys as s\nF = ['a']\ns.modules['m'].F = []\n",
                Err((3, "`sys.modules` reaches")),
            ),
            (
                "import importlib\nF = ['a']\nm = importlib.import_module('x')\n",
                Err((3, "a module imported by a call")),
            ),
            (
                "F = ['a']\nimport other\nother.L.append('x')\n",
                Err((3, "a module of the repository")),
            ),
            (
                "import pkg.mod\npkg.mod.L = []\nF = ['a']\n",
                Err((2, "a module of the repository")),
            ),
            (
                "import pandas as pd\npd.options.display.max_rows = 10\nF = ['a']\nmodel.eval()\n",
                ok(&["a"]),
            ),
            // Walruses and generators.
            (
                "F = ['a']\nx = [(F := ['b']) for _ in range(1)]\n",
                Err((2, "`F` is rebound at m.py:2 (`F := ['b']` at module level)")),
            ),
            (
                "F = ['a']\ng = (F.pop() for _ in range(1))\n",
                Err((2, "inside a generator expression")),
            ),
        ];
        let files = [
            ("other.py", "L = ['a']\n"),
            ("pkg/__init__.py", ""),
            ("pkg/mod.py", "L = ['a']\n"),
        ];
        for (src, want) in cases {
            let mut all: Vec<(&str, &str)> = files.to_vec();
            all.push(("m.py", src));
            let got = resolve_in(&all, "m.py", "F");
            match (&want, got) {
                (Ok(names_want), Ok(Value::List { items, .. })) => {
                    let names: Vec<String> = items.into_iter().map(|i| i.value).collect();
                    assert_eq!(&names, names_want, "{src}");
                }
                (Err((line, part)), Err(e)) => {
                    assert_eq!(e.line, *line, "{src}: {e}");
                    assert!(e.message.contains(part), "{src}: {e}");
                }
                (_, got) => panic!("{src}: expected {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn a_model_version_rebound_in_a_function_is_an_error() {
        let src = "MODEL_VERSION = '3'\nprint(MODEL_VERSION.upper())\ndef bump():\n    global MODEL_VERSION\n    MODEL_VERSION = '4'\n";
        let e = error(resolve_in(&[("m.py", src)], "m.py", "MODEL_VERSION"));
        assert_eq!(e.line, 5, "{e}");
        assert!(
            e.message.contains("`MODEL_VERSION` is rebound at m.py:5")
                && e.message.contains("docgate reads values statically"),
            "{e}"
        );
    }

    #[test]
    fn hostile_alias_chains_end_in_an_error_not_a_hang() {
        let mut src = "F = ['a']\na0 = F\n".to_string();
        for i in 1..2000 {
            src.push_str(&format!("a{i} = a{}\n", i - 1));
        }
        let e = error(resolve_in(&[("m.py", &src)], "m.py", "F"));
        assert_eq!(e.line, 1, "{e}");
        assert!(e.message.contains("docgate stopped following"), "{e}");
    }
}
