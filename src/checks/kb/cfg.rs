//! The `knowledge_base:` key: the knowledge base's path (a plain file path,
//! repo-relative). Absent: the default `.ai-knowledge-base.yaml`, active
//! when that file exists; named: the file must exist (exit 2 otherwise).

use crate::config::LayerPath;
use crate::config::node::{Validator, layer};
use crate::yaml::Node;

pub const DEFAULT_PATH: &str = ".ai-knowledge-base.yaml";

pub(crate) fn parse(v: &mut Validator, root: Option<&Node>) -> LayerPath {
    layer(v, root, "knowledge_base", DEFAULT_PATH)
}
