//! The `mishap_log:` setting (SPEC §3), owned by the cost-log check: the
//! log's repository path. Named in the config, the file must exist
//! (`checks::require_layers`); the default that is absent is no layer.

use crate::config::LayerPath;
use crate::config::node::{Validator, layer};
use crate::yaml::Node;

/// Where the log is when the config does not say.
pub const DEFAULT_PATH: &str = "docs/MISHAP_COST_LOG.md";

pub(crate) fn parse(v: &mut Validator, root: Option<&Node>) -> LayerPath {
    layer(v, root, "mishap_log", DEFAULT_PATH)
}
