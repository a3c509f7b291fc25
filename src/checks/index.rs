//! The master index (`docs.index`, default `docs/INDEX.md`): every Markdown
//! link in it resolves to a file or folder at head (`index-broken-link`), and
//! every doc with frontmatter is linked from it (`index-orphan`).
//!
//! Links resolve the way GitHub renders them: relative to the index's folder,
//! a leading `/` from the repository root; `#anchor` and `?query` are dropped
//! and `%XX` decoded. URLs with a scheme (`https:`, `mailto:`, ...), `//host`
//! links and pure anchors (`#x`) are not files and are not checked.

use std::collections::{HashMap, HashSet};

use anyhow::{Result, bail};

use super::{Ctx, Sink};
use crate::diagnostic::{self as rules, Diagnostic};
use crate::git::change::Status;
use crate::markdown;
use crate::snapshot::Read;

/// Where a link in the index points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A URL with a scheme or a `//host` link: not a file of the repository.
    External,
    /// `#section` of the index itself.
    Anchor,
    /// A repo-relative path (`""` is the repository root), normalized.
    Local(String),
    /// The link has no destination (`[text]()`).
    Empty,
    /// `..` climbs out of the repository.
    Outside,
    /// `%XX` escapes that do not decode to UTF-8.
    BadEncoding,
}

/// Resolve a link `target` as written in the file at `index` (repo-relative).
pub fn resolve(index: &str, target: &str) -> Target {
    let t = target.trim();
    if t.is_empty() {
        return Target::Empty;
    }
    if t.starts_with('#') {
        return Target::Anchor;
    }
    if t.starts_with("//") || has_scheme(t) {
        return Target::External;
    }
    let path = &t[..t.find(['#', '?']).unwrap_or(t.len())];
    let Some(path) = percent_decode(path) else {
        return Target::BadEncoding;
    };
    let (mut parts, rest): (Vec<&str>, &str) = match path.strip_prefix('/') {
        Some(rest) => (Vec::new(), rest),
        None => {
            let mut dir: Vec<&str> = index.split('/').collect();
            dir.pop();
            (dir, path.as_str())
        }
    };
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Target::Outside;
                }
            }
            s => parts.push(s),
        }
    }
    Target::Local(parts.join("/"))
}

/// `scheme:` as RFC 3986 spells it (a letter, then letters, digits, `+-.`).
fn has_scheme(t: &str) -> bool {
    let Some((scheme, _)) = t.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `%XX` → the byte; a `%` not followed by two hex digits stays as written.
/// `None` when the bytes are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
            && hex.bytes().all(|c| c.is_ascii_hexdigit())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One link of the index and what it resolved to.
struct Resolved<'o> {
    link: &'o markdown::Link,
    target: Target,
    /// For a `Local` target: is there a file or folder at head?
    exists: bool,
}

pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let index = &ctx.config.docs.index.path;
    let text = match ctx.head.read(index)? {
        Read::Bytes(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        // The default index absent: the layer is not active (an index named
        // in the config that is absent was refused by `require_layers`).
        Read::Missing => return Ok(()),
        Read::TooLarge(n) => bail!(
            "the index {index} (docs.index) is {n} bytes, over docgate's limit of {} bytes, so its links cannot be checked",
            crate::snapshot::MAX_FILE_BYTES
        ),
        Read::LfsPointer(p) => bail!(
            "the index (docs.index): {}, so its links cannot be checked; keep it out of LFS",
            p.describe(index)
        ),
        Read::Symlink(_) => bail!(
            "the index {index} (docs.index) is a symbolic link; docgate follows no links: point docs.index at the file itself"
        ),
    };
    let outline = markdown::parse(&text);
    let mut resolved = Vec::with_capacity(outline.links.len());
    for link in &outline.links {
        let target = resolve(index, &link.target);
        let exists = match &target {
            Target::Local(p) if p.is_empty() => true,
            Target::Local(p) => ctx.head.exists(p)?,
            _ => false,
        };
        resolved.push(Resolved {
            link,
            target,
            exists,
        });
    }
    sink.checked.layers.push(format!(
        "index ({index}, {} link{})",
        outline.links.len(),
        if outline.links.len() == 1 { "" } else { "s" }
    ));

    // In a change: what it touched. `None` in `lint` (everything is involved).
    let involved = ctx.change.as_ref().map(|c| {
        let files = &c.change.files;
        let touched_index = files.iter().any(|f| f.paths().any(|p| p == index));
        // Paths the change took away: deleted, or renamed (old → new).
        let mut gone: HashMap<&str, Option<&str>> = HashMap::new();
        for f in files {
            match f.status {
                Status::Deleted => {
                    gone.insert(f.path.as_str(), None);
                }
                Status::Renamed => {
                    if let Some(old) = f.old_path.as_deref() {
                        gone.insert(old, Some(f.path.as_str()));
                    }
                }
                _ => {}
            }
        }
        // Docs that are new at head: added, renamed, or files that gained frontmatter.
        let moved: HashSet<&str> = files
            .iter()
            .filter(|f| matches!(f.status, Status::Added | Status::Renamed))
            .map(|f| f.path.as_str())
            .collect();
        (touched_index, gone, moved, c.docs)
    });

    let mut out = Vec::new();
    for r in &resolved {
        let Some(problem) = broken(r) else {
            continue;
        };
        let mut message = format!("the link `{}` in {index} {problem}", shown(&r.link.target));
        if let Some((touched_index, gone, _, _)) = &involved {
            let Target::Local(p) = &r.target else {
                // Only the index itself can break a link that is not a path.
                if !touched_index {
                    continue;
                }
                out.push(at_link(&text, index, r, message));
                continue;
            };
            let removed = gone.iter().find(|(g, _)| {
                *g == p
                    || g.strip_prefix(p.as_str())
                        .is_some_and(|s| s.starts_with('/'))
            });
            match removed {
                Some((g, Some(new))) if g == p => {
                    message.push_str(&format!(" (this change renamed it to `{new}`)"));
                }
                Some((g, None)) if g == p => message.push_str(" (this change deleted it)"),
                Some(_) => message.push_str(" (this change removed the files under it)"),
                None if *touched_index => {}
                None => continue,
            }
        }
        out.push(at_link(&text, index, r, message));
    }

    let linked: HashSet<&str> = resolved
        .iter()
        .filter(|r| r.exists)
        .filter_map(|r| match &r.target {
            Target::Local(p) => Some(p.as_str()),
            _ => None,
        })
        .collect();
    for doc in &ctx.docs.docs {
        if doc.path == *index || linked.contains(doc.path.as_str()) {
            continue;
        }
        if let Some((touched_index, _, moved, docs)) = &involved {
            let new_doc = moved.contains(doc.path.as_str())
                || (docs.head_paths.contains(&doc.path) && !docs.base.contains_key(&doc.path));
            if !touched_index && !new_doc {
                continue;
            }
        }
        out.push(
            Diagnostic::new(
                rules::INDEX_ORPHAN,
                format!(
                    "{} is not linked from the index {index}, so a reader looking for it there does not find it",
                    doc.label()
                ),
            )
            .at(&doc.path)
            .at_line(&doc.head_text, 1, 1)
            .with_docs(doc.id.clone()),
        );
    }
    sink.extend(out);
    Ok(())
}

/// Why a link is broken, or `None` when it resolves (or is no file link).
fn broken(r: &Resolved<'_>) -> Option<String> {
    match &r.target {
        Target::External | Target::Anchor => None,
        Target::Local(_) if r.exists => None,
        Target::Local(p) => Some(format!("points to `{p}`, which does not exist")),
        Target::Empty => Some("has no destination".into()),
        Target::Outside => Some("points outside the repository".into()),
        Target::BadEncoding => Some("has `%` escapes that do not decode to UTF-8".into()),
    }
}

fn at_link(text: &str, index: &str, r: &Resolved<'_>, message: String) -> Diagnostic {
    Diagnostic::new(rules::INDEX_BROKEN_LINK, message)
        .at(index)
        .at_line(text, r.link.line, r.link.col)
}

/// A link target quoted in a message: one line, never a raw control character.
fn shown(target: &str) -> String {
    target.chars().flat_map(char::escape_debug).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(p: &str) -> Target {
        Target::Local(p.to_string())
    }

    #[test]
    fn links_resolve_as_github_renders_them() {
        let i = "docs/INDEX.md";
        assert_eq!(resolve(i, "ops/a.md"), local("docs/ops/a.md"));
        assert_eq!(resolve(i, "./ops/a.md#step-2"), local("docs/ops/a.md"));
        assert_eq!(resolve(i, "a.md?plain=1#L3"), local("docs/a.md"));
        assert_eq!(resolve(i, "../src/lib.rs"), local("src/lib.rs"));
        assert_eq!(resolve(i, "/README.md"), local("README.md"));
        assert_eq!(resolve(i, "ops/"), local("docs/ops"));
        assert_eq!(resolve(i, ".."), local(""));
        assert_eq!(resolve(i, "my%20doc.md"), local("docs/my doc.md"));
        assert_eq!(resolve(i, "100%.md"), local("docs/100%.md"));
        assert_eq!(resolve(i, "%zz.md"), local("docs/%zz.md"));
        assert_eq!(resolve("INDEX.md", "a.md"), local("a.md"));
        assert_eq!(resolve(i, "../../x.md"), Target::Outside);
        assert_eq!(resolve(i, "/../x.md"), Target::Outside);
        assert_eq!(resolve(i, "%ff.md"), Target::BadEncoding);
        assert_eq!(resolve(i, ""), Target::Empty);
        assert_eq!(resolve(i, "#top"), Target::Anchor);
        for external in [
            "https://example.com/a.md",
            "http://x",
            "mailto:a@b.c",
            "ftp://h/f",
            "//cdn.example.com/x.md",
            "vscode://file/x",
        ] {
            assert_eq!(resolve(i, external), Target::External, "{external}");
        }
        // `:` later in a path is no scheme.
        assert_eq!(resolve(i, "ops/a:b.md"), local("docs/ops/a:b.md"));
        assert_eq!(resolve(i, "1http:x.md"), local("docs/1http:x.md"));
    }
}
