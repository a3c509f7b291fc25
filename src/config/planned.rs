//! Layers and sections whose checks this version does not run yet
//! (knowledge base, policies, post-mortems, forbidden imports,
//! silent fallbacks): their defaults, and refusal when configured, so a
//! configured check never silently does nothing. Each moves into its check's
//! module when the check arrives.

use std::collections::BTreeMap;

use crate::config::LayerPath;
use crate::config::node::{Validator, layer, not_yet};
use crate::yaml::{self, Node};

#[derive(Debug)]
pub struct PostmortemsConfig {
    pub paths: Vec<String>,
    pub sections: Vec<String>,
    pub aliases: BTreeMap<String, Vec<String>>,
    pub min_root_causes: u64,
}

/// The planned layers' settings.
pub(crate) struct Planned {
    pub knowledge_base: LayerPath,
    pub policies: LayerPath,
    pub postmortems: PostmortemsConfig,
}

pub(crate) fn parse(v: &mut Validator, root: Option<&Node>) -> Planned {
    let knowledge_base = layer(v, root, "knowledge_base", ".ai-knowledge-base.yaml");
    let policies = layer(v, root, "policies", "CLAUDE.md");
    // Their checks are not in this version: a layer set in the config would
    // be checked by nothing, so it is refused like `forbidden_imports`.
    for key in ["knowledge_base", "policies", "postmortems"] {
        not_yet(v, root, key, key);
    }

    // postmortems
    let mut postmortems = PostmortemsConfig {
        paths: vec!["docs/post-mortems/*.md".into()],
        sections: [
            "Summary",
            "Timeline",
            "Root Cause",
            "Impact",
            "What Went Well",
            "What Went Wrong",
            "Action Items",
            "Lessons Learned",
            "Prevention",
        ]
        .map(String::from)
        .to_vec(),
        aliases: BTreeMap::from([
            ("Root Cause".to_string(), vec!["Root Causes".to_string()]),
            (
                "What Went Wrong".to_string(),
                vec![
                    "What Went Poorly".to_string(),
                    "What Went Badly".to_string(),
                ],
            ),
            (
                "Lessons Learned".to_string(),
                vec!["Lessons Learnt".to_string()],
            ),
        ]),
        min_root_causes: 3,
    };
    if let Some(node) = root.and_then(|r| r.get("postmortems")) {
        v.map(
            node,
            "postmortems",
            &["paths", "sections", "aliases", "min_root_causes"],
        );
        if let Some(n) = node.get("paths")
            && v.globs(n, "postmortems.paths").is_some()
            && let Some(list) = n.as_seq()
        {
            postmortems.paths = list
                .iter()
                .filter_map(|i| i.as_str().map(String::from))
                .collect();
        }
        if let Some(n) = node.get("sections")
            && let Some(list) = v.string_list(n, "postmortems.sections")
        {
            postmortems.sections = list;
        }
        if let Some(n) = node.get("aliases") {
            let mut aliases = BTreeMap::new();
            for (k, val) in v.free_map(n, "postmortems.aliases") {
                if let (Some(name), Some(list)) =
                    (k.as_str(), v.string_list(val, "postmortems.aliases"))
                {
                    aliases.insert(name.to_string(), list);
                }
            }
            postmortems.aliases = aliases;
        }
        if let Some(n) = node.get("min_root_causes") {
            match n.as_u64() {
                Some(x) => postmortems.min_root_causes = x,
                None => v.err(
                    n,
                    format!(
                        "`postmortems.min_root_causes` must be a whole number, found {}",
                        n.type_name()
                    ),
                ),
            }
        }
    }

    // Sections whose checks this version does not run yet: accepted when empty,
    // refused when configured, so a configured check never silently does nothing.
    for key in ["forbidden_imports"] {
        if let Some(n) = root.and_then(|r| r.get(key)) {
            match n.as_seq() {
                Some([]) => {}
                Some(_) => v.err(n, format!("`{key}` is not implemented in docgate {} yet; remove it or upgrade docgate", env!("CARGO_PKG_VERSION"))),
                None if matches!(n.kind, yaml::Kind::Null) => {}
                None => v.err(n, format!("`{key}` must be a list, found {}", n.type_name())),
            }
        }
    }
    if let Some(node) = root.and_then(|r| r.get("silent_fallback")) {
        v.map(node, "silent_fallback", &["paths"]);
        if let Some(n) = node.get("paths") {
            match n.as_seq() {
                Some([]) => {}
                Some(_) => v.err(n, format!("`silent_fallback.paths` is not implemented in docgate {} yet; remove it or upgrade docgate", env!("CARGO_PKG_VERSION"))),
                None => v.err(n, format!("`silent_fallback.paths` must be a list of globs, found {}", n.type_name())),
            }
        }
    }
    Planned {
        knowledge_base,
        policies,
        postmortems,
    }
}
