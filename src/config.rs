//! `.docgate.yml`: read once, validated into [`Config`], every problem
//! reported at once with file, line and the nearest known key.

pub mod load;
pub(crate) mod node;

use std::collections::BTreeMap;
use std::fmt;

pub use crate::checks::code::cfg::{ForbiddenImport, PythonConfig, SilentFallbackConfig};
pub use crate::checks::coverage::cfg::CoverageConfig;
pub use crate::checks::features::cfg::{FeatureList, FeatureSource, Order, SourceKind};
pub use crate::checks::policies::cfg::PoliciesConfig;
pub use crate::checks::postmortems::cfg::PostmortemsConfig;
pub use crate::checks::waivers::cfg::WaiversConfig;
pub use crate::docs::cfg::DocsConfig;
pub use crate::github::cfg::{CommentMode, GithubConfig};
pub use node::{did_you_mean, nearest};

use crate::diagnostic::{self, Severity};
use crate::yaml::{self, Node};
use node::Validator;

pub const FILE_NAME: &str = ".docgate.yml";

/// One configurable layer file (knowledge base, policies, index, ...).
#[derive(Debug, Clone)]
pub struct LayerPath {
    pub path: String,
    /// Named in the config: then a missing file is an error, not "inactive".
    pub explicit: bool,
}

#[derive(Debug)]
pub struct Config {
    /// Where the config came from (`None`: defaults, no file).
    pub source: Option<String>,
    /// The config file's repo-relative path when it is a file of the
    /// repository (`.docgate.yml`, or `--config` inside the repository):
    /// where its base version is and whether the change touched it.
    pub repo_path: Option<String>,
    pub docs: DocsConfig,
    pub coverage: CoverageConfig,
    pub knowledge_base: LayerPath,
    pub policies: PoliciesConfig,
    pub postmortems: PostmortemsConfig,
    pub mishap_log: LayerPath,
    pub waivers: WaiversConfig,
    /// Per-rule severity; `None` means `off`.
    pub rules: BTreeMap<String, Option<Severity>>,
    pub github: GithubConfig,
    pub feature_lists: Vec<FeatureList>,
    /// The code rules (SPEC §6).
    pub code: CodeConfig,
}

/// `forbidden_imports:`, `silent_fallback:` and `python:`.
#[derive(Debug, Clone, Default)]
pub struct CodeConfig {
    pub forbidden_imports: Vec<ForbiddenImport>,
    pub silent_fallback: SilentFallbackConfig,
    pub python: PythonConfig,
}

impl CodeConfig {
    /// Is any code rule configured?
    pub fn active(&self) -> bool {
        !self.forbidden_imports.is_empty() || self.silent_fallback.matcher.is_some()
    }
}

/// All problems found in one config file.
#[derive(Debug)]
pub struct ConfigErrors {
    pub file: String,
    pub errors: Vec<(usize, usize, String)>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "invalid configuration in {} ({n} problem{})",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for (line, col, msg) in &self.errors {
            write!(f, "\n  {}:{line}:{col}: {msg}", self.file)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

const TOP_KEYS: &[&str] = &[
    "version",
    "docs",
    "coverage",
    "knowledge_base",
    "policies",
    "postmortems",
    "mishap_log",
    "feature_lists",
    "forbidden_imports",
    "silent_fallback",
    "python",
    "waivers",
    "rules",
    "github",
];

impl Config {
    /// The configuration used when there is no `.docgate.yml`.
    pub fn defaults() -> Config {
        parse_node(None, "<defaults>").expect("the built-in defaults are valid")
    }

    /// Parse config bytes; invalid UTF-8 is reported with its line and column.
    pub fn from_bytes(bytes: &[u8], file: &str) -> Result<Config, ConfigErrors> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Config::parse(text, file),
            Err(e) => {
                let (line, col) = crate::yaml::position_of(bytes, e.valid_up_to());
                Err(ConfigErrors {
                    file: file.to_string(),
                    errors: vec![(
                        line,
                        col,
                        format!("not valid UTF-8 (byte 0x{:02X})", bytes[e.valid_up_to()]),
                    )],
                })
            }
        }
    }

    /// Parse config text; `file` names it in every error.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigErrors> {
        let fail = |line, col, msg: String| ConfigErrors {
            file: file.to_string(),
            errors: vec![(line, col, msg)],
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let root = yaml::parse(text).map_err(|e| fail(e.line, e.col, e.message))?;
        let mut config = parse_node(root.as_ref(), file)?;
        config.source = Some(file.to_string());
        Ok(config)
    }

    /// Effective severity of a finding of `rule` (`None`: turned off): the
    /// `rules:` override of its id, else the rule's (or the situation's)
    /// default. The sink asks this for every finding.
    pub fn severity(&self, rule: &diagnostic::Rule) -> Option<Severity> {
        match self.rules.get(rule.id) {
            Some(over) => *over,
            None => Some(rule.severity),
        }
    }
}

fn parse_node(root: Option<&Node>, file: &str) -> Result<Config, ConfigErrors> {
    let mut v = Validator::new(file);
    let empty = Node {
        kind: yaml::Kind::Map(Vec::new()),
        line: 1,
        col: 1,
    };
    let root_node = root.unwrap_or(&empty);
    v.map(root_node, "<top level>", TOP_KEYS);
    let get = |key: &str| root_node.get(key);

    if let Some(node) = get("version")
        && node.as_u64() != Some(1)
    {
        v.err(
            node,
            "`version` must be 1 (the only configuration version this docgate reads)",
        );
    }

    // Each section is parsed by the module that owns it.
    let docs = crate::docs::cfg::parse(&mut v, get("docs"));
    let coverage = crate::checks::coverage::cfg::parse(&mut v, get("coverage"));
    let knowledge_base = crate::checks::kb::cfg::parse(&mut v, root);
    let code = CodeConfig {
        forbidden_imports: crate::checks::code::cfg::parse_forbidden_imports(
            &mut v,
            get("forbidden_imports"),
        ),
        silent_fallback: crate::checks::code::cfg::parse_silent_fallback(
            &mut v,
            get("silent_fallback"),
        ),
        python: crate::checks::code::cfg::parse_python(&mut v, get("python")),
    };
    let postmortems = crate::checks::postmortems::cfg::parse(&mut v, get("postmortems"));
    let policies = crate::checks::policies::cfg::parse(&mut v, get("policies"));
    let mishap_log = crate::checks::mishap::cfg::parse(&mut v, root);
    let feature_lists = crate::checks::features::cfg::parse(&mut v, get("feature_lists"));
    let waivers = crate::checks::waivers::cfg::parse(&mut v, get("waivers"));
    let rules = crate::checks::sink::cfg::parse(&mut v, get("rules"));

    let github = crate::github::cfg::parse(&mut v, get("github"));

    if !v.errors.is_empty() {
        v.errors.sort();
        v.errors.dedup();
        return Err(ConfigErrors {
            file: v.file.to_string(),
            errors: v.errors,
        });
    }
    Ok(Config {
        source: None,
        repo_path: None,
        docs,
        coverage,
        knowledge_base,
        policies,
        postmortems,
        mishap_log,
        waivers,
        rules,
        github,
        feature_lists,
        code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_a_file() {
        let c = Config::defaults();
        assert_eq!(c.docs.roots, vec!["docs"]);
        assert!(c.coverage.ignore.is_match("a/b/README.md"));
        assert!(!c.coverage.ignore.is_match("a/b.py"));
        assert_eq!(c.waivers.trailer, "Docgate-Waive");
    }

    #[test]
    fn all_problems_at_once_with_lines_and_nearest_key() {
        let text = "version: 1\ncoverage:\n  enforse: true\n  ignore: [\"/abs\"]\ndocs:\n  roots: docs\nrules:\n  doc-not-update: off\n";
        let err = Config::parse(text, ".docgate.yml").unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains(
                ".docgate.yml:3:3: unknown key `enforse` in `coverage` (did you mean `enforce`?)"
            ),
            "{shown}"
        );
        assert!(shown.contains(".docgate.yml:4:"), "{shown}");
        assert!(
            shown.contains(".docgate.yml:6:10: `docs.roots` must be a list"),
            "{shown}"
        );
        assert!(
            shown.contains("unknown rule `doc-not-update` (did you mean `doc-not-updated`?)"),
            "{shown}"
        );
        assert_eq!(err.errors.len(), 4, "{shown}");
    }

    #[test]
    fn feature_lists_are_validated() {
        let ok = "feature_lists:\n  - id: m\n    training: {file: t/f.py, symbol: TRAIN}\n    inference: {file: serve/f.yaml, pointer: /model/features}\n    order: set\n    version: {file: t/f.py, symbol: VERSION}\n";
        let c = Config::parse(ok, "c.yml").unwrap();
        assert_eq!(c.feature_lists[0].inference.kind, SourceKind::Yaml);
        assert_eq!(c.feature_lists[0].order, Order::Set);
        assert!(c.feature_lists[0].additive);
        let bad = "feature_lists:\n  - id: m\n    training: {file: t/f.py}\n    inference: {file: s.json, symbol: X}\n    order: sorted\n";
        let err = Config::parse(bad, "c.yml").unwrap_err().to_string();
        assert!(
            err.contains("c.yml:3:15: `feature_lists[].training`: a Python source needs `symbol"),
            "{err}"
        );
        assert!(err.contains("c.yml:4:"), "{err}");
        assert!(
            err.contains("c.yml:5:12: `order` must be strict or set"),
            "{err}"
        );
    }

    #[test]
    fn never_waivable_rules_are_refused() {
        let err = Config::parse("waivers:\n  rules: [feature-mismatch]\n", "c.yml").unwrap_err();
        assert!(err.to_string().contains("never be waived"), "{err}");
    }
}
