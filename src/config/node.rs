//! Shared node helpers for every configuration section (and the doc
//! frontmatter): keys must be strings, a key given twice, unknown keys with
//! "did you mean", typed values, lists, globs and paths. Each problem is
//! collected with its line and column; nothing stops at the first.

use globset::GlobSet;

use crate::config::LayerPath;
use crate::pattern;
use crate::yaml::{self, Node};

/// The strings of a list, and whether every entry was one.
pub(crate) struct Strings<'n> {
    pub items: Vec<(String, &'n Node)>,
    pub complete: bool,
}

/// The string keys of a mapping, in order (a repeated key twice), and the
/// keys given more than once.
pub(crate) struct Keys<'n> {
    pub keys: Vec<(&'n str, &'n Node)>,
    pub repeated: Vec<&'n str>,
}

pub(crate) struct Validator<'a> {
    /// The config file (or doc) the nodes come from.
    pub file: &'a str,
    /// (line, column, message), in the order found.
    pub errors: Vec<(usize, usize, String)>,
}

impl<'a> Validator<'a> {
    pub(crate) fn new(file: &'a str) -> Validator<'a> {
        Validator {
            file,
            errors: Vec::new(),
        }
    }

    pub(crate) fn err(&mut self, node: &Node, msg: impl Into<String>) {
        self.errors.push((node.line, node.col, msg.into()));
    }

    /// Check a mapping's keys against `known`; returns its entries (empty if not a mapping).
    pub(crate) fn map<'n>(
        &mut self,
        node: &'n Node,
        section: &str,
        known: &[&str],
    ) -> &'n [(Node, Node)] {
        self.entries(node, section, Some(known))
    }

    /// A mapping whose keys are free-form (rule ids, section names).
    pub(crate) fn free_map<'n>(&mut self, node: &'n Node, section: &str) -> &'n [(Node, Node)] {
        self.entries(node, section, None)
    }

    fn entries<'n>(
        &mut self,
        node: &'n Node,
        section: &str,
        known: Option<&[&str]>,
    ) -> &'n [(Node, Node)] {
        let Some(entries) = node.as_map() else {
            if !matches!(node.kind, yaml::Kind::Null) {
                self.err(
                    node,
                    if section == "<top level>" {
                        format!(
                            "the configuration must be a mapping, found {}",
                            node.type_name()
                        )
                    } else {
                        format!("`{section}` must be a mapping, found {}", node.type_name())
                    },
                );
            }
            return &[];
        };
        for (key, k) in self.keys(entries, section).keys {
            let Some(known) = known else { continue };
            if !known.contains(&key) {
                let hint = match did_you_mean(key, known) {
                    hint if hint.is_empty() => format!("; known keys: {}", known.join(", ")),
                    hint => hint,
                };
                self.err(k, format!("unknown key `{key}` in `{section}`{hint}"));
            }
        }
        entries
    }

    /// The keys of a mapping's entries: a key that is not a string and a key
    /// given twice are errors (`section` names the mapping: a config section,
    /// `<top level>`, or `<frontmatter>`).
    pub(crate) fn keys<'n>(&mut self, entries: &'n [(Node, Node)], section: &str) -> Keys<'n> {
        let place = match section {
            "<top level>" => "the configuration".to_string(),
            "<frontmatter>" => "the frontmatter".to_string(),
            s => format!("`{s}`"),
        };
        let mut out = Keys {
            keys: Vec::new(),
            repeated: Vec::new(),
        };
        for (k, _) in entries {
            let Some(key) = k.as_str() else {
                self.err(
                    k,
                    format!("keys in {place} must be strings, found {}", k.type_name()),
                );
                continue;
            };
            if out.keys.iter().any(|(seen, _)| *seen == key) {
                self.err(k, format!("`{key}` is given twice in {place}"));
                out.repeated.push(key);
            }
            out.keys.push((key, k));
        }
        out
    }

    pub(crate) fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match node.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s.to_string()),
            Some(_) => {
                self.err(node, format!("`{key}` must not be empty"));
                None
            }
            None => {
                self.err(
                    node,
                    format!("`{key}` must be a string, found {}", node.type_name()),
                );
                None
            }
        }
    }

    pub(crate) fn bool(&mut self, node: &Node, key: &str) -> Option<bool> {
        let b = node.as_bool();
        if b.is_none() {
            self.err(
                node,
                format!("`{key}` must be true or false, found {}", node.type_name()),
            );
        }
        b
    }

    /// A list of strings (`~`, an empty value, is an empty list), each with
    /// its node; every entry that is not a string is reported. `None` when it
    /// is not a list.
    pub(crate) fn strings<'n>(&mut self, node: &'n Node, key: &str) -> Option<Strings<'n>> {
        if matches!(node.kind, yaml::Kind::Null) {
            return Some(Strings {
                items: Vec::new(),
                complete: true,
            });
        }
        let Some(items) = node.as_seq() else {
            self.err(
                node,
                format!("`{key}` must be a list, found {}", node.type_name()),
            );
            return None;
        };
        let mut out = Strings {
            items: Vec::new(),
            complete: true,
        };
        for item in items {
            match item.as_str() {
                Some(s) => out.items.push((s.to_string(), item)),
                None => {
                    self.err(
                        item,
                        format!(
                            "`{key}` entries must be strings, found {}",
                            item.type_name()
                        ),
                    );
                    out.complete = false;
                }
            }
        }
        Some(out)
    }

    /// The whole list of non-empty strings or `None`: a caller never takes
    /// half a list for the whole.
    pub(crate) fn string_list_nodes<'n>(
        &mut self,
        node: &'n Node,
        key: &str,
    ) -> Option<Vec<(String, &'n Node)>> {
        let list = self.strings(node, key)?;
        let mut complete = list.complete;
        for (s, item) in &list.items {
            if s.trim().is_empty() {
                self.err(item, format!("`{key}` entries must not be empty"));
                complete = false;
            }
        }
        complete.then_some(list.items)
    }

    /// [`Validator::string_list_nodes`] without the nodes.
    pub(crate) fn string_list(&mut self, node: &Node, key: &str) -> Option<Vec<String>> {
        let list = self.string_list_nodes(node, key)?;
        Some(list.into_iter().map(|(s, _)| s).collect())
    }

    /// A list of repo-relative globs, compiled into one set.
    pub(crate) fn globs(&mut self, node: &Node, key: &str) -> Option<GlobSet> {
        let Some(items) = node.as_seq() else {
            self.err(
                node,
                format!(
                    "`{key}` must be a list of globs, found {}",
                    node.type_name()
                ),
            );
            return None;
        };
        let mut globs = Vec::new();
        for item in items {
            let text = self.string(item, key)?;
            match pattern::normalize(&text).and_then(|g| pattern::compile(&g)) {
                Ok(g) => globs.push(g),
                Err(why) => self.err(item, format!("invalid glob in `{key}`: {why}")),
            }
        }
        match pattern::build_set(globs) {
            Ok(set) => Some(set),
            Err(e) => {
                self.err(node, e.to_string());
                None
            }
        }
    }

    pub(crate) fn path(&mut self, node: &Node, key: &str) -> Option<String> {
        let text = self.string(node, key)?;
        match pattern::normalize(&text) {
            Ok(p) if pattern::is_literal(&p) && !text.ends_with('/') => Some(p),
            Ok(_) => {
                self.err(
                    node,
                    format!("`{key}` must be a file path, not a folder or glob"),
                );
                None
            }
            Err(why) => {
                self.err(node, format!("invalid path in `{key}`: {why}"));
                None
            }
        }
    }
}

/// ` (did you mean `x`?)` for the nearest of `known`, or nothing.
pub fn did_you_mean(word: &str, known: &[&str]) -> String {
    nearest(word, known)
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}

/// The closest known key within edit distance 2, for "did you mean".
pub fn nearest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

pub(crate) fn layer(v: &mut Validator, root: Option<&Node>, key: &str, default: &str) -> LayerPath {
    match root.and_then(|r| r.get(key)) {
        Some(node) => LayerPath {
            path: v.path(node, key).unwrap_or_else(|| default.to_string()),
            explicit: true,
        },
        None => LayerPath {
            path: default.to_string(),
            explicit: false,
        },
    }
}

pub(crate) fn default_globs(globs: &[&str]) -> GlobSet {
    pattern::build_set(
        globs
            .iter()
            .map(|g| pattern::compile(g).expect("valid default glob")),
    )
    .expect("valid default globs")
}

pub(crate) fn describe(node: &Node) -> String {
    match node.as_str() {
        Some(s) => format!("`{s}`"),
        None => node.type_name().to_string(),
    }
}
