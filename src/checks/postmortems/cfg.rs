//! The `postmortems:` section of the config (SPEC §3), owned by the
//! post-mortem check: which files are post-mortems, their mandatory sections
//! and the other names each may go by, and how many root causes a
//! post-mortem must name.

use std::collections::BTreeMap;

use globset::GlobSet;

use crate::config::node::{Validator, default_globs, did_you_mean};
use crate::markdown::heading_key;
use crate::pattern;
use crate::yaml::Node;

#[derive(Debug)]
pub struct PostmortemsConfig {
    /// Globs of the post-mortem files (normalized), in the order written.
    pub paths: Vec<String>,
    pub paths_set: GlobSet,
    /// Globs of files under `paths` that are not post-mortems (templates, READMEs).
    pub exclude: Vec<String>,
    pub exclude_set: GlobSet,
    /// The mandatory sections, by their canonical names.
    pub sections: Vec<String>,
    /// Canonical section name → the other heading names it may go by.
    pub aliases: BTreeMap<String, Vec<String>>,
    pub min_root_causes: u64,
    /// `postmortems.paths` was written in the config: then at least one file
    /// must match it (a configured check never checks nothing).
    pub paths_explicit: bool,
}

pub const DEFAULT_PATHS: &[&str] = &["docs/post-mortems/*.md"];
pub const DEFAULT_EXCLUDE: &[&str] = &["**/TEMPLATE.md", "**/template.md", "**/README.md"];
pub const DEFAULT_SECTIONS: &[&str] = &[
    "Summary",
    "Timeline",
    "Root Cause",
    "Impact",
    "What Went Well",
    "What Went Wrong",
    "Action Items",
    "Lessons Learned",
    "Prevention",
];
pub const DEFAULT_ALIASES: &[(&str, &[&str])] = &[
    ("Root Cause", &["Root Causes"]),
    ("What Went Wrong", &["What Went Poorly", "What Went Badly"]),
    ("Lessons Learned", &["Lessons Learnt"]),
];

/// The section whose list items or sub-headings are the root causes.
pub const ROOT_CAUSE: &str = "Root Cause";
/// The section whose table rows or list items are the action items.
pub const ACTION_ITEMS: &str = "Action Items";

impl Default for PostmortemsConfig {
    /// The SPEC §3 defaults (and `exclude`, docgate's addition).
    fn default() -> PostmortemsConfig {
        PostmortemsConfig {
            paths: DEFAULT_PATHS.iter().map(|s| s.to_string()).collect(),
            paths_set: default_globs(DEFAULT_PATHS),
            exclude: DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect(),
            exclude_set: default_globs(DEFAULT_EXCLUDE),
            sections: DEFAULT_SECTIONS.iter().map(|s| s.to_string()).collect(),
            aliases: DEFAULT_ALIASES
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
            min_root_causes: 3,
            paths_explicit: false,
        }
    }
}

impl PostmortemsConfig {
    /// Is `path` a post-mortem: matched by `paths` and not by `exclude`?
    pub fn is_postmortem(&self, path: &str) -> bool {
        self.paths_set.is_match(path) && !self.exclude_set.is_match(path)
    }

    /// Every heading name a section is accepted under: its own name, then its aliases.
    pub fn names_of<'c>(&'c self, section: &'c str) -> Vec<&'c str> {
        let mut names = vec![section];
        if let Some(aliases) = self.aliases.get(section) {
            names.extend(aliases.iter().map(String::as_str));
        }
        names
    }

    /// The section (canonical name) a heading stands for, if any. Sections
    /// the config does not list are still found by their own name (`Root
    /// Cause`, `Action Items`: what the root causes and action items are
    /// read from).
    pub fn section_of_heading<'c>(&'c self, heading: &str) -> Option<&'c str> {
        let key = heading_key(heading);
        self.sections
            .iter()
            .map(String::as_str)
            .chain([ROOT_CAUSE, ACTION_ITEMS])
            .find(|s| self.names_of(s).iter().any(|n| heading_key(n) == key))
    }
}

/// `postmortems:` validated; the defaults when absent.
pub(crate) fn parse(v: &mut Validator, node: Option<&Node>) -> PostmortemsConfig {
    let mut pm = PostmortemsConfig::default();
    let Some(node) = node else {
        return pm;
    };
    v.map(
        node,
        "postmortems",
        &["paths", "exclude", "sections", "aliases", "min_root_causes"],
    );
    if let Some(n) = node.get("paths") {
        pm.paths_explicit = true;
        if let Some((globs, set)) = globs(v, n, "postmortems.paths") {
            if globs.is_empty() {
                v.err(
                    n,
                    "`postmortems.paths` must name at least one glob (to stop checking \
                     post-mortems, turn their rules off in `rules:`)",
                );
            }
            (pm.paths, pm.paths_set) = (globs, set);
        }
    }
    if let Some(n) = node.get("exclude")
        && let Some((globs, set)) = globs(v, n, "postmortems.exclude")
    {
        (pm.exclude, pm.exclude_set) = (globs, set);
    }
    if let Some(n) = node.get("sections") {
        if let Some(list) = v.strings(n, "postmortems.sections") {
            pm.sections = sections(v, n, list.items);
        }
        // Default aliases of sections no longer listed do not apply.
        let listed: Vec<String> = pm.sections.iter().map(|s| heading_key(s)).collect();
        pm.aliases.retain(|k, _| listed.contains(&heading_key(k)));
    }
    if let Some(n) = node.get("aliases") {
        pm.aliases = aliases(v, n, &pm.sections);
    }
    if let Some(n) = node.get("min_root_causes") {
        match n.as_u64() {
            Some(x) => pm.min_root_causes = x,
            None => v.err(
                n,
                format!(
                    "`postmortems.min_root_causes` must be a whole number (0 or more), found {}",
                    crate::config::node::describe(n)
                ),
            ),
        }
    }
    pm
}

/// A list of globs: the normalized texts and their set.
fn globs(v: &mut Validator, node: &Node, key: &str) -> Option<(Vec<String>, GlobSet)> {
    let set = v.globs(node, key)?;
    let texts = node
        .as_seq()?
        .iter()
        .filter_map(|i| pattern::normalize(i.as_str()?).ok())
        .collect();
    Some((texts, set))
}

/// The mandatory sections: at least one, each naming a heading, none twice.
fn sections(v: &mut Validator, node: &Node, list: Vec<(String, &Node)>) -> Vec<String> {
    if list.is_empty() {
        v.err(
            node,
            "`postmortems.sections` must name at least one section",
        );
    }
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (name, item) in list {
        let key = heading_key(&name);
        if name.trim().is_empty() {
            v.err(item, "`postmortems.sections` entries must not be empty");
        } else if key.is_empty() {
            v.err(
                item,
                format!("`postmortems.sections`: `{name}` names no heading"),
            );
        } else if seen.contains(&key) {
            v.err(
                item,
                format!("`postmortems.sections` lists `{name}` twice (headings match case-insensitively)"),
            );
        } else {
            seen.push(key);
            out.push(name.trim().to_string());
        }
    }
    out
}

/// `aliases`: each key one of the sections, each value a list of other
/// heading names, no name standing for two sections.
fn aliases(v: &mut Validator, node: &Node, sections: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // Heading key → the section it stands for.
    let mut taken: BTreeMap<String, String> = sections
        .iter()
        .map(|s| (heading_key(s), s.clone()))
        .collect();
    for (k, val) in v.free_map(node, "postmortems.aliases") {
        let Some(name) = k.as_str() else { continue };
        let Some(section) = sections
            .iter()
            .find(|s| heading_key(s) == heading_key(name))
        else {
            let known: Vec<&str> = sections.iter().map(String::as_str).collect();
            let hint = match did_you_mean(name, &known) {
                h if h.is_empty() => format!("; the sections are {}", known.join(", ")),
                h => h,
            };
            v.err(
                k,
                format!(
                    "`postmortems.aliases`: `{name}` is not one of `postmortems.sections`{hint}"
                ),
            );
            continue;
        };
        let Some(list) = v.string_list_nodes(val, &format!("postmortems.aliases.{name}")) else {
            continue;
        };
        for (alias, item) in list {
            let key = heading_key(&alias);
            match taken.get(&key) {
                Some(other) if other == section => v.err(
                    item,
                    format!("`postmortems.aliases.{name}`: `{alias}` already names `{section}`"),
                ),
                Some(other) => v.err(
                    item,
                    format!(
                        "`postmortems.aliases.{name}`: `{alias}` already names the section `{other}`, \
                         so a heading `{alias}` could not say which one it is"
                    ),
                ),
                None if key.is_empty() => v.err(
                    item,
                    format!("`postmortems.aliases.{name}`: `{alias}` names no heading"),
                ),
                None => {
                    taken.insert(key, section.clone());
                    out.entry(section.clone())
                        .or_default()
                        .push(alias.trim().to_string());
                }
            }
        }
    }
    out
}
