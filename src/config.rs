//! `.docgate.yml`: read once, validated into [`Config`], every problem
//! reported at once with file, line and the nearest known key.

use std::collections::BTreeMap;
use std::fmt;

use globset::GlobSet;

use crate::diagnostic::{self, Severity};
use crate::pattern;
use crate::yaml::{self, Node};

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
    pub policies: LayerPath,
    pub postmortems: PostmortemsConfig,
    pub mishap_log: LayerPath,
    pub waivers: WaiversConfig,
    /// Per-rule severity; `None` means `off`.
    pub rules: BTreeMap<String, Option<Severity>>,
    pub github: GithubConfig,
    pub feature_lists: Vec<FeatureList>,
}

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

#[derive(Debug)]
pub struct DocsConfig {
    pub roots: Vec<String>,
    /// `docs.roots` was written in the config: every root must exist.
    pub roots_explicit: bool,
    pub exclude: GlobSet,
    pub index: LayerPath,
    pub perspectives: Vec<String>,
}

#[derive(Debug)]
pub struct CoverageConfig {
    pub enforce: bool,
    pub ignore: GlobSet,
    pub require: GlobSet,
    pub substantive: bool,
}

#[derive(Debug)]
pub struct PostmortemsConfig {
    pub paths: Vec<String>,
    pub sections: Vec<String>,
    pub aliases: BTreeMap<String, Vec<String>>,
    pub min_root_causes: u64,
}

#[derive(Debug)]
pub struct WaiversConfig {
    pub trailer: String,
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentMode {
    Sticky,
    Off,
    Required,
}

impl CommentMode {
    pub const NAMES: &'static [&'static str] = &["sticky", "off", "required"];
}

/// The one parser of a comment mode: `github.comment` and the `comment` input.
impl std::str::FromStr for CommentMode {
    type Err = diagnostic::NotOneOf;

    fn from_str(word: &str) -> Result<CommentMode, diagnostic::NotOneOf> {
        match word {
            "sticky" => Ok(CommentMode::Sticky),
            "off" => Ok(CommentMode::Off),
            "required" => Ok(CommentMode::Required),
            _ => Err(diagnostic::NotOneOf(CommentMode::NAMES)),
        }
    }
}

#[derive(Debug)]
pub struct GithubConfig {
    pub comment: CommentMode,
    pub review_comments: bool,
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

    /// Effective severity of a rule (`None`: turned off).
    pub fn severity(&self, rule: &diagnostic::Rule) -> Option<Severity> {
        match self.rules.get(rule.id) {
            Some(over) => *over,
            None => Some(rule.severity),
        }
    }
}

struct Validator<'a> {
    file: &'a str,
    errors: Vec<(usize, usize, String)>,
}

impl Validator<'_> {
    fn err(&mut self, node: &Node, msg: impl Into<String>) {
        self.errors.push((node.line, node.col, msg.into()));
    }

    /// Check a mapping's keys against `known`; returns its entries (empty if not a mapping).
    fn map<'n>(&mut self, node: &'n Node, section: &str, known: &[&str]) -> &'n [(Node, Node)] {
        self.entries(node, section, Some(known))
    }

    /// A mapping whose keys are free-form (rule ids, section names).
    fn free_map<'n>(&mut self, node: &'n Node, section: &str) -> &'n [(Node, Node)] {
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
        let mut seen: Vec<&str> = Vec::new();
        for (k, _) in entries {
            let Some(key) = k.as_str() else {
                self.err(
                    k,
                    format!(
                        "keys in `{section}` must be strings, found {}",
                        k.type_name()
                    ),
                );
                continue;
            };
            if seen.contains(&key) {
                self.err(k, format!("`{key}` is given twice in `{section}`"));
            }
            seen.push(key);
            let Some(known) = known else { continue };
            if !known.contains(&key) {
                let mut msg = format!("unknown key `{key}` in `{section}`");
                if let Some(near) = nearest(key, known) {
                    msg.push_str(&format!(" (did you mean `{near}`?)"));
                } else {
                    msg.push_str(&format!("; known keys: {}", known.join(", ")));
                }
                self.err(k, msg);
            }
        }
        entries
    }

    fn string(&mut self, node: &Node, key: &str) -> Option<String> {
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

    fn bool(&mut self, node: &Node, key: &str) -> Option<bool> {
        let b = node.as_bool();
        if b.is_none() {
            self.err(
                node,
                format!("`{key}` must be true or false, found {}", node.type_name()),
            );
        }
        b
    }

    fn string_list(&mut self, node: &Node, key: &str) -> Option<Vec<String>> {
        let Some(items) = node.as_seq() else {
            self.err(
                node,
                format!(
                    "`{key}` must be a list of strings, found {}",
                    node.type_name()
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            out.push(self.string(item, key)?);
        }
        Some(out)
    }

    /// A list of repo-relative globs, compiled into one set.
    fn globs(&mut self, node: &Node, key: &str) -> Option<GlobSet> {
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

    fn path(&mut self, node: &Node, key: &str) -> Option<String> {
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

fn layer(v: &mut Validator, root: Option<&Node>, key: &str, default: &str) -> LayerPath {
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

/// A setting for checks this version does not run yet: refused when given,
/// so a configured check never silently does nothing.
/// Reported at the key in `parent`.
fn not_yet(v: &mut Validator, parent: Option<&Node>, key: &str, shown: &str) {
    let Some(entries) = parent.and_then(Node::as_map) else {
        return;
    };
    if let Some((k, _)) = entries.iter().find(|(k, _)| k.as_str() == Some(key)) {
        v.err(
            k,
            format!(
                "`{shown}` is not implemented in docgate {} yet (the layer is not checked); \
                 remove it or upgrade docgate",
                env!("CARGO_PKG_VERSION")
            ),
        );
    }
}

fn default_globs(globs: &[&str]) -> GlobSet {
    pattern::build_set(
        globs
            .iter()
            .map(|g| pattern::compile(g).expect("valid default glob")),
    )
    .expect("valid default globs")
}

fn parse_node(root: Option<&Node>, file: &str) -> Result<Config, ConfigErrors> {
    let mut v = Validator {
        file,
        errors: Vec::new(),
    };
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

    // docs
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
    if let Some(node) = get("docs") {
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
        docs.index = layer(&mut v, Some(node), "index", "docs/INDEX.md");
        not_yet(&mut v, Some(node), "index", "docs.index");
        if let Some(n) = node.get("perspectives")
            && let Some(list) = v.string_list(n, "docs.perspectives")
        {
            if list.is_empty() {
                v.err(n, "`docs.perspectives` must name at least one perspective");
            }
            docs.perspectives = list;
        }
    }

    // coverage
    let mut coverage = CoverageConfig {
        enforce: true,
        ignore: default_globs(&["**/*.md", "**/*.lock"]),
        require: GlobSet::empty(),
        substantive: true,
    };
    if let Some(node) = get("coverage") {
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
    }

    let knowledge_base = layer(&mut v, root, "knowledge_base", ".ai-knowledge-base.yaml");
    let policies = layer(&mut v, root, "policies", "CLAUDE.md");
    let mishap_log = layer(&mut v, root, "mishap_log", "docs/MISHAP_COST_LOG.md");
    // Their checks are not in this version: a layer set in the config would
    // be checked by nothing, so it is refused like `forbidden_imports`.
    for key in ["knowledge_base", "policies", "mishap_log", "postmortems"] {
        not_yet(&mut v, root, key, key);
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
    if let Some(node) = get("postmortems") {
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

    let feature_lists = match get("feature_lists") {
        Some(n) => parse_feature_lists(&mut v, n),
        None => Vec::new(),
    };

    // Sections whose checks this version does not run yet: accepted when empty,
    // refused when configured, so a configured check never silently does nothing.
    for key in ["forbidden_imports"] {
        if let Some(n) = get(key) {
            match n.as_seq() {
                Some([]) => {}
                Some(_) => v.err(n, format!("`{key}` is not implemented in docgate {} yet; remove it or upgrade docgate", env!("CARGO_PKG_VERSION"))),
                None if matches!(n.kind, yaml::Kind::Null) => {}
                None => v.err(n, format!("`{key}` must be a list, found {}", n.type_name())),
            }
        }
    }
    if let Some(node) = get("silent_fallback") {
        v.map(node, "silent_fallback", &["paths"]);
        if let Some(n) = node.get("paths") {
            match n.as_seq() {
                Some([]) => {}
                Some(_) => v.err(n, format!("`silent_fallback.paths` is not implemented in docgate {} yet; remove it or upgrade docgate", env!("CARGO_PKG_VERSION"))),
                None => v.err(n, format!("`silent_fallback.paths` must be a list of globs, found {}", n.type_name())),
            }
        }
    }

    // waivers
    let mut waivers = WaiversConfig {
        trailer: "Docgate-Waive".into(),
        rules: [
            "doc-not-updated",
            "uncovered-change",
            "last-updated-not-bumped",
            "index-orphan",
        ]
        .map(String::from)
        .to_vec(),
    };
    if let Some(node) = get("waivers") {
        v.map(node, "waivers", &["trailer", "rules"]);
        if let Some(n) = node.get("trailer")
            && let Some(t) = v.string(n, "waivers.trailer")
        {
            if t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                waivers.trailer = t;
            } else {
                v.err(
                    n,
                    "`waivers.trailer` must be a trailer key: letters, digits and `-`",
                );
            }
        }
        if let Some(n) = node.get("rules")
            && let (Some(list), Some(items)) = (v.string_list(n, "waivers.rules"), n.as_seq())
        {
            for (name, item) in list.iter().zip(items) {
                if diagnostic::NEVER_WAIVABLE.contains(&name.as_str()) {
                    v.err(item, format!("`{name}` can never be waived by a trailer"));
                } else if diagnostic::rule_by_id(name).is_none()
                    && !diagnostic::NOT_YET_IMPLEMENTED.contains(&name.as_str())
                {
                    v.err(item, unknown_rule_message(name));
                }
            }
            waivers.rules = list;
        }
    }

    // rules
    let mut rules = BTreeMap::new();
    if let Some(node) = get("rules") {
        for (k, val) in v.free_map(node, "rules") {
            let Some(id) = k.as_str() else { continue };
            let severity = match val.as_str() {
                Some("off") => None,
                word => match word.map(str::parse::<Severity>) {
                    Some(Ok(severity)) => Some(severity),
                    _ => {
                        v.err(
                            val,
                            format!(
                                "severity of `{id}` must be {} or off, found {}",
                                Severity::NAMES.join(", "),
                                describe(val)
                            ),
                        );
                        continue;
                    }
                },
            };
            if diagnostic::rule_by_id(id).is_some() {
                rules.insert(id.to_string(), severity);
            } else if diagnostic::NOT_YET_IMPLEMENTED.contains(&id) {
                if severity.is_some() {
                    v.err(k, format!("rule `{id}` is not implemented in docgate {} yet; only `off` is accepted for it", env!("CARGO_PKG_VERSION")));
                }
            } else {
                v.err(k, unknown_rule_message(id));
            }
        }
    }

    // github
    let mut github = GithubConfig {
        comment: CommentMode::Sticky,
        review_comments: true,
    };
    if let Some(node) = get("github") {
        v.map(node, "github", &["comment", "review_comments"]);
        if let Some(n) = node.get("comment") {
            match n.as_str().map(str::parse::<CommentMode>) {
                Some(Ok(mode)) => github.comment = mode,
                _ => v.err(
                    n,
                    format!(
                        "`github.comment` must be {}, found {}",
                        diagnostic::NotOneOf(CommentMode::NAMES).or_list(),
                        describe(n)
                    ),
                ),
            }
        }
        if let Some(n) = node.get("review_comments") {
            github.review_comments = v.bool(n, "github.review_comments").unwrap_or(true);
        }
    }

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
    })
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
    match kind {
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
            Some(FeatureSource {
                file,
                kind,
                locator: name,
                site: (v.file.to_string(), node.line),
            })
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
            Some(FeatureSource {
                file,
                kind,
                locator: text,
                site: (v.file.to_string(), node.line),
            })
        }
        SourceKind::Text => {
            for (k, n) in [("symbol", symbol), ("pointer", pointer)] {
                if let Some(n) = n {
                    v.err(n, format!("`{key}`: `{}` is read as a text file (one name a line), which takes no `{k}`; use a .py, .yaml, .json or .toml file for a `{k}`", file));
                }
            }
            Some(FeatureSource {
                file,
                kind,
                locator: String::new(),
                site: (v.file.to_string(), node.line),
            })
        }
    }
}

fn describe(node: &Node) -> String {
    match node.as_str() {
        Some(s) => format!("`{s}`"),
        None => node.type_name().to_string(),
    }
}

fn unknown_rule_message(id: &str) -> String {
    let known: Vec<&str> = diagnostic::ALL.iter().map(|r| r.id).collect();
    format!("unknown rule `{id}`{}", did_you_mean(id, &known))
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
    fn unimplemented_sections_are_refused_not_ignored() {
        let err = Config::parse("forbidden_imports:\n  - id: x\n", "c.yml").unwrap_err();
        assert!(err.to_string().contains("not implemented"), "{err}");
        assert!(Config::parse("forbidden_imports: []\n", "c.yml").is_ok());
        let err = Config::parse("rules:\n  index-orphan: error\n", "c.yml").unwrap_err();
        assert!(err.to_string().contains("not implemented"), "{err}");
        assert!(Config::parse("rules:\n  index-orphan: off\n", "c.yml").is_ok());
    }

    #[test]
    fn never_waivable_rules_are_refused() {
        let err = Config::parse("waivers:\n  rules: [feature-mismatch]\n", "c.yml").unwrap_err();
        assert!(err.to_string().contains("never be waived"), "{err}");
    }
}
