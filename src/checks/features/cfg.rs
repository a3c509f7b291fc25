//! The `feature_lists:` section of the config (SPEC §5), owned by the
//! feature check.

use crate::config::node::{Validator, describe};
use crate::yaml::{self, Node};

/// One training/inference pair (SPEC §5).
#[derive(Debug, Clone)]
pub struct FeatureList {
    pub id: String,
    pub training: FeatureSource,
    pub inference: FeatureSource,
    pub order: Order,
    pub additive: bool,
    pub version: Option<FeatureSource>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Strict,
    Set,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Python,
    Yaml,
    Json,
    Toml,
    Text,
}

/// Where a list (or a version) is declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureSource {
    pub file: String,
    pub kind: SourceKind,
    /// The module-level name (Python) or the JSON-pointer (`/a/b`) for data files.
    pub locator: String,
    /// The config file and line that declare this source: where a missing
    /// file or name is reported.
    pub site: (String, usize),
}

impl FeatureSource {
    pub fn describe(&self) -> String {
        match self.kind {
            SourceKind::Text => self.file.clone(),
            SourceKind::Python => format!("{} {}", self.file, self.locator),
            _ => format!(
                "{} {}",
                self.file,
                if self.locator.is_empty() {
                    "/"
                } else {
                    &self.locator
                }
            ),
        }
    }
}

/// `feature_lists:` validated (none when absent).
pub(crate) fn parse(v: &mut Validator, node: Option<&Node>) -> Vec<FeatureList> {
    match node {
        Some(n) => parse_feature_lists(v, n),
        None => Vec::new(),
    }
}

fn parse_feature_lists(v: &mut Validator, node: &Node) -> Vec<FeatureList> {
    if matches!(node.kind, yaml::Kind::Null) {
        return Vec::new();
    }
    let Some(items) = node.as_seq() else {
        v.err(
            node,
            format!("`feature_lists` must be a list, found {}", node.type_name()),
        );
        return Vec::new();
    };
    let mut out: Vec<FeatureList> = Vec::new();
    for item in items {
        v.map(
            item,
            "feature_lists[]",
            &[
                "id",
                "training",
                "inference",
                "order",
                "additive",
                "version",
            ],
        );
        if matches!(item.kind, yaml::Kind::Null) {
            // `feature_lists:\n  -`: a list that checks nothing.
            v.err(
                item,
                "an empty entry in `feature_lists`: a feature list needs `id`, `training` and `inference`",
            );
            continue;
        }
        if item.as_map().is_none() {
            continue;
        }
        let id = match item.get("id") {
            Some(n) => v.string(n, "feature_lists[].id"),
            None => {
                v.err(item, "a feature list needs an `id`");
                None
            }
        };
        if let (Some(id), Some(n)) = (&id, item.get("id"))
            && out.iter().any(|f| &f.id == id)
        {
            v.err(n, format!("feature list id `{id}` is used twice"));
        }
        let mut side = |key: &str, required: bool| -> Option<FeatureSource> {
            match item.get(key) {
                // `training:` left empty (or `~`) is not "no source": the
                // pair would silently check nothing. Reported at the key.
                Some(n) if matches!(n.kind, yaml::Kind::Null) => {
                    let at = item
                        .as_map()
                        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(key)))
                        .map_or(n, |(k, _)| k);
                    v.err(
                        at,
                        format!(
                            "`feature_lists[].{key}` is empty: it needs `{{file: ..., symbol: ...}}`"
                        ),
                    );
                    None
                }
                Some(n) => feature_source(v, n, &format!("feature_lists[].{key}")),
                None if required => {
                    v.err(
                        item,
                        format!("a feature list needs `{key}: {{file: ..., symbol: ...}}`"),
                    );
                    None
                }
                None => None,
            }
        };
        let training = side("training", true);
        let inference = side("inference", true);
        let version = side("version", false);
        let order = match item.get("order") {
            None => Order::Strict,
            Some(n) => match n.as_str() {
                Some("strict") => Order::Strict,
                Some("set") => Order::Set,
                _ => {
                    v.err(
                        n,
                        format!("`order` must be strict or set, found {}", describe(n)),
                    );
                    Order::Strict
                }
            },
        };
        let additive = item
            .get("additive")
            .map_or(Some(true), |n| v.bool(n, "feature_lists[].additive"));
        if let (Some(id), Some(training), Some(inference), Some(additive)) =
            (id, training, inference, additive)
        {
            out.push(FeatureList {
                id,
                training,
                inference,
                order,
                additive,
                version,
            });
        }
    }
    out
}

fn feature_source(v: &mut Validator, node: &Node, key: &str) -> Option<FeatureSource> {
    v.map(node, key, &["file", "symbol", "pointer"]);
    node.as_map()?;
    let Some(file_node) = node.get("file") else {
        v.err(node, format!("`{key}` needs a `file`"));
        return None;
    };
    let file = v.path(file_node, &format!("{key}.file"))?;
    let ext = file
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let kind = match ext.as_str() {
        "py" | "pyi" => SourceKind::Python,
        "yaml" | "yml" => SourceKind::Yaml,
        "json" => SourceKind::Json,
        "toml" => SourceKind::Toml,
        _ => SourceKind::Text,
    };
    let symbol = node.get("symbol");
    let pointer = node.get("pointer");
    let locator = match kind {
        SourceKind::Python => {
            if let Some(p) = pointer {
                v.err(
                    p,
                    format!("`{key}`: a Python source takes `symbol`, not `pointer`"),
                );
            }
            let Some(sym) = symbol else {
                v.err(
                    node,
                    format!("`{key}`: a Python source needs `symbol: <module-level name>`"),
                );
                return None;
            };
            let name = v.string(sym, &format!("{key}.symbol"))?;
            let valid = name
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_alphanumeric() || c == '_');
            if !valid {
                v.err(sym, format!("`{name}` is not a Python name"));
                return None;
            }
            name
        }
        SourceKind::Yaml | SourceKind::Json | SourceKind::Toml => {
            if let Some(s) = symbol {
                v.err(s, format!("`{key}`: a YAML, JSON or TOML source takes `pointer: /path/to/list`, not `symbol`"));
            }
            let Some(p) = pointer else {
                v.err(node, format!("`{key}`: a YAML, JSON or TOML source needs `pointer: /path/to/list` (\"\" for the whole file)"));
                return None;
            };
            let text = match p.as_str() {
                Some(t) => t.to_string(),
                None => {
                    v.err(
                        p,
                        format!("`{key}.pointer` must be a string, found {}", p.type_name()),
                    );
                    return None;
                }
            };
            if !text.is_empty() && !text.starts_with('/') {
                v.err(p, format!("`{key}.pointer` must start with `/` (a JSON pointer such as /model_options/features)"));
                return None;
            }
            text
        }
        SourceKind::Text => {
            for (k, n) in [("symbol", symbol), ("pointer", pointer)] {
                if let Some(n) = n {
                    v.err(n, format!("`{key}`: `{}` is read as a text file (one name a line), which takes no `{k}`; use a .py, .yaml, .json or .toml file for a `{k}`", file));
                }
            }
            String::new()
        }
    };
    Some(FeatureSource {
        file,
        kind,
        locator,
        site: (v.file.to_string(), node.line),
    })
}
