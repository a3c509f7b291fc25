//! Every import of a Python file (SPEC §6): what `forbidden-import` reads.

use tree_sitter::Tree;

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

/// The imports of a parsed file, in source order.
pub fn imports(_tree: &Tree, _src: &str) -> Vec<Import> {
    unimplemented!("imports")
}
