//! The `coverage:` section of the config, owned by the coverage check.

use globset::GlobSet;

use crate::config::node::{Validator, default_globs};
use crate::yaml::Node;

#[derive(Debug)]
pub struct CoverageConfig {
    pub enforce: bool,
    pub ignore: GlobSet,
    pub require: GlobSet,
    pub substantive: bool,
}

/// `coverage:` validated; the defaults when absent.
pub(crate) fn parse(v: &mut Validator, node: Option<&Node>) -> CoverageConfig {
    let mut coverage = CoverageConfig {
        enforce: true,
        ignore: default_globs(&["**/*.md", "**/*.lock"]),
        require: GlobSet::empty(),
        substantive: true,
    };
    let Some(node) = node else {
        return coverage;
    };
    v.map(
        node,
        "coverage",
        &["enforce", "ignore", "require", "substantive"],
    );
    if let Some(n) = node.get("enforce") {
        coverage.enforce = v.bool(n, "coverage.enforce").unwrap_or(true);
    }
    if let Some(n) = node.get("substantive") {
        coverage.substantive = v.bool(n, "coverage.substantive").unwrap_or(true);
    }
    if let Some(n) = node.get("ignore")
        && let Some(set) = v.globs(n, "coverage.ignore")
    {
        coverage.ignore = set;
    }
    if let Some(n) = node.get("require")
        && let Some(set) = v.globs(n, "coverage.require")
    {
        coverage.require = set;
    }
    coverage
}
