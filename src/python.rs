//! Static reading of Python modules with tree-sitter: module-level names bound
//! to lists or tuples of string literals (feature lists), and scalar constants
//! (model versions). Anything that cannot be resolved without running Python is
//! an error naming the file and line, never a guess and never a skip.

use std::collections::HashMap;

use tree_sitter::{Node, Parser, Tree};

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
    /// Every file this resolver read (to decide whether a change touched a list).
    pub files_read: Vec<String>,
}

#[derive(Debug, Clone)]
enum Binding {
    Value(Value),
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
}

impl<'a> Resolver<'a> {
    pub fn new(read: &'a mut ReadFile<'a>) -> Resolver<'a> {
        Resolver {
            read,
            modules: HashMap::new(),
            loading: Vec::new(),
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
        let result = match binding {
            Some(Binding::Value(v)) => Ok(Ok(v)),
            Some(Binding::Error(e)) => Ok(Err(e)),
            Some(Binding::Import {
                module,
                level,
                name,
                line,
            }) => match self.find_module(file, &module, level, line)? {
                Ok(target) => self.resolve_in(&target, &name, &(file.to_string(), line), chain),
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
        let mut eval = Eval {
            file,
            src: text.as_bytes(),
            bindings: HashMap::new(),
            resolver: self,
            chain,
            fatal: None,
        };
        let mut star_imports = Vec::new();
        let mut cursor = root.walk();
        for stmt in root.named_children(&mut cursor) {
            eval.statement(stmt, &mut star_imports);
            if let Some(e) = eval.fatal.take() {
                return Err(e);
            }
        }
        Ok(Ok(Module {
            bindings: eval.bindings,
            star_imports,
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
                    return Ok(Err(PyError {
                        file: file.to_string(),
                        line,
                        message: format!(
                            "relative import `{}{module}` goes above the repository root",
                            ".".repeat(level)
                        ),
                    }));
                }
                dir = dir_of(&dir);
            }
            roots.push(dir);
        } else {
            // Any folder above the importing file may be on sys.path (src/ layouts,
            // backend/ roots); the nearest wins, the repository root last.
            let mut dir = dir_of(file);
            loop {
                roots.push(dir.clone());
                if dir.is_empty() {
                    break;
                }
                dir = dir_of(&dir);
            }
        }
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
                vec![format!("{base}.py"), join(&base, "__init__.py")]
            };
            for c in candidates {
                if self.modules.contains_key(&c) || !matches!((self.read)(&c)?, FileText::Missing) {
                    return Ok(Ok(c));
                }
            }
        }
        Ok(Err(PyError {
            file: file.to_string(),
            line,
            message: format!(
                "cannot find module `{}{module}` in the repository (looked for it next to {file} and in every folder above)",
                ".".repeat(level)
            ),
        }))
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
                let binding = match self.value(right, &origin, 0) {
                    Ok(v) => Binding::Value(v),
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
        let current = self.lookup(&name, node);
        let binding = match (current, self.value(right, &origin, 0)) {
            (Ok(Value::List { mut items, .. }), Ok(Value::List { items: more, .. })) => {
                items.extend(more);
                Binding::Value(Value::List { items, origin })
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

    fn lookup(&mut self, name: &str, at: Node<'_>) -> Result<Value, PyError> {
        match self.bindings.get(name) {
            Some(Binding::Value(v)) => Ok(v.clone()),
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
                    Ok(result) => result,
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
        if depth > MAX_DEPTH {
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
                self.lookup(&name, node)
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
        let mut content = String::new();
        for child in node.children(&mut c) {
            match child.kind() {
                "string_start" => {
                    prefix = self
                        .text(child)
                        .trim_end_matches(['"', '\''])
                        .to_ascii_lowercase()
                }
                "string_content" => content.push_str(self.text(child)),
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
            return Ok(content);
        }
        decode_escapes(&content)
            .map_err(|why| self.error(node, format!("`{}`: {why}", self.short(node))))
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

/// Python's escape sequences in a non-raw string literal.
fn decode_escapes(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
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
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).ok_or("invalid octal escape")?);
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = (0..n).filter_map(|_| chars.next()).collect();
                let v =
                    u32::from_str_radix(&hex, 16).map_err(|_| format!("invalid \\{e} escape"))?;
                out.push(
                    char::from_u32(v).ok_or_else(|| format!("\\{e}{hex} is not a character"))?,
                );
            }
            'N' => {
                return Err(
                    "`\\N{...}` escapes are not supported; write the character itself".into(),
                );
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
}
