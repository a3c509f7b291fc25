//! The `docs:` section: where the runbooks are and what a perspective may be.

use globset::GlobSet;

use crate::config::LayerPath;
use crate::config::node::{Validator, layer};
use crate::pattern;
use crate::yaml::Node;

#[derive(Debug)]
pub struct DocsConfig {
    pub roots: Vec<String>,
    /// `docs.roots` was written in the config: every root must exist.
    pub roots_explicit: bool,
    pub exclude: GlobSet,
    pub index: LayerPath,
    pub perspectives: Vec<String>,
}

/// `docs:` validated; the defaults when absent.
pub(crate) fn parse(v: &mut Validator, node: Option<&Node>) -> DocsConfig {
    let mut docs = DocsConfig {
        roots: vec!["docs".into()],
        roots_explicit: false,
        exclude: GlobSet::empty(),
        index: LayerPath {
            path: "docs/INDEX.md".into(),
            explicit: false,
        },
        perspectives: ["architecture", "risk", "operations", "guide"]
            .map(String::from)
            .to_vec(),
    };
    let Some(node) = node else {
        return docs;
    };
    v.map(node, "docs", &["roots", "exclude", "index", "perspectives"]);
    if let Some(n) = node.get("roots") {
        docs.roots_explicit = true;
        if let Some(items) = n.as_seq() {
            let mut roots = Vec::new();
            for item in items {
                let Some(text) = v.string(item, "docs.roots") else {
                    continue;
                };
                match pattern::normalize(&text) {
                    Ok(p) if pattern::is_literal(&p) => {
                        roots.push(p.trim_end_matches("/**").to_string());
                    }
                    Ok(_) => v.err(item, "`docs.roots` entries are folders, not globs"),
                    Err(why) => v.err(item, format!("invalid folder in `docs.roots`: {why}")),
                }
            }
            if roots.is_empty() && v.errors.is_empty() {
                v.err(n, "`docs.roots` must name at least one folder");
            }
            docs.roots = roots;
        } else {
            v.err(
                n,
                format!(
                    "`docs.roots` must be a list of folders, found {}",
                    n.type_name()
                ),
            );
        }
    }
    if let Some(n) = node.get("exclude") {
        docs.exclude = v.globs(n, "docs.exclude").unwrap_or_else(GlobSet::empty);
    }
    docs.index = layer(v, Some(node), "index", "docs/INDEX.md");
    if let Some(n) = node.get("perspectives")
        && let Some(list) = v.string_list(n, "docs.perspectives")
    {
        if list.is_empty() {
            v.err(n, "`docs.perspectives` must name at least one perspective");
        }
        docs.perspectives = list;
    }
    docs
}
