//! Exception handlers that can finish without raising (SPEC §6): what
//! `silent-fallback` reads.

use tree_sitter::Tree;

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

/// The silent fallbacks of a parsed file, in source order.
pub fn fallbacks(_tree: &Tree, _src: &str) -> Vec<Fallback> {
    unimplemented!("fallbacks")
}
