//! Sections whose checks this version does not run yet (forbidden imports,
//! silent fallbacks): accepted when empty, refused when configured, so a
//! configured check never silently does nothing. Each moves into its
//! check's module when the check arrives.

use crate::config::node::Validator;
use crate::yaml::{self, Node};

pub(crate) fn parse(v: &mut Validator, root: Option<&Node>) {
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
}
