//! The config sections of the code rules (SPEC §6), owned by the code check:
//! `forbidden_imports:`, `silent_fallback:` and `python:` (where the
//! repository's modules are: the source roots that `import pkg.mod` is
//! looked up under).

use globset::GlobSet;

use crate::config::node::{Validator, describe};
use crate::pattern;
use crate::yaml::{self, Node};

/// One `forbidden_imports:` entry.
#[derive(Debug, Clone)]
pub struct ForbiddenImport {
    pub id: String,
    /// The globs as written (for messages) and compiled.
    pub paths: Vec<String>,
    pub matcher: GlobSet,
    /// Dotted module names: each forbids itself and its submodules.
    pub modules: Vec<String>,
    pub reason: String,
    /// The config file and line of the entry.
    pub site: (String, usize),
}

impl ForbiddenImport {
    /// The first forbidden module that `module` is or is inside of: `ray`
    /// forbids `ray` and `ray.rllib`, never `rayon`.
    pub fn forbids(&self, module: &str) -> Option<&str> {
        self.modules
            .iter()
            .find(|m| {
                module == m.as_str()
                    || (module.starts_with(m.as_str()) && module.as_bytes()[m.len()] == b'.')
            })
            .map(String::as_str)
    }
}

/// `silent_fallback:`.
#[derive(Debug, Clone, Default)]
pub struct SilentFallbackConfig {
    pub paths: Vec<String>,
    /// `None` when no paths are configured (the rule is not active).
    pub matcher: Option<GlobSet>,
    pub site: Option<(String, usize)>,
}

/// `python:`.
#[derive(Debug, Clone)]
pub struct PythonConfig {
    /// Folders (repo-relative, `""` for the root) under which `import a.b`
    /// finds `a/b.py`, `a/b/__init__.py` or the namespace package `a/b/`.
    pub source_roots: Vec<String>,
}

/// The default source roots: the repository root and `src/` (the src layout).
pub const DEFAULT_SOURCE_ROOTS: &[&str] = &[".", "src"];

impl Default for PythonConfig {
    fn default() -> PythonConfig {
        PythonConfig {
            source_roots: DEFAULT_SOURCE_ROOTS.iter().map(|r| root_dir(r)).collect(),
        }
    }
}

fn root_dir(raw: &str) -> String {
    if raw == "." {
        String::new()
    } else {
        raw.trim_end_matches('/').to_string()
    }
}

/// Is `name` a dotted Python module name (`a`, `a.b_c`)?
pub fn is_module_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

pub(crate) fn parse_forbidden_imports(
    v: &mut Validator,
    node: Option<&Node>,
) -> Vec<ForbiddenImport> {
    let Some(node) = node else {
        return Vec::new();
    };
    if matches!(node.kind, yaml::Kind::Null) {
        return Vec::new();
    }
    let Some(items) = node.as_seq() else {
        v.err(
            node,
            format!(
                "`forbidden_imports` must be a list, found {}",
                node.type_name()
            ),
        );
        return Vec::new();
    };
    let mut out: Vec<ForbiddenImport> = Vec::new();
    for item in items {
        if item.as_map().is_none() {
            v.err(
                item,
                format!(
                    "`forbidden_imports` entries must be mappings {{id, paths, modules, reason}}, found {}",
                    item.type_name()
                ),
            );
            continue;
        }
        v.map(
            item,
            "forbidden_imports[]",
            &["id", "paths", "modules", "reason"],
        );
        let mut missing = Vec::new();
        let mut field = |key: &str| {
            let n = item.get(key);
            if n.is_none() {
                missing.push(format!("`{key}`"));
            }
            n
        };
        let (id, paths, modules, reason) = (
            field("id"),
            field("paths"),
            field("modules"),
            field("reason"),
        );
        if !missing.is_empty() {
            v.err(
                item,
                format!("`forbidden_imports[]` entry lacks {}", missing.join(", ")),
            );
        }
        let id = id.and_then(|n| v.string(n, "forbidden_imports[].id"));
        if let (Some(id), Some(n)) = (&id, item.get("id"))
            && out.iter().any(|r| &r.id == id)
        {
            v.err(n, format!("`forbidden_imports` id `{id}` is given twice"));
        }
        let globs = paths.and_then(|n| {
            let list = v.string_list(n, "forbidden_imports[].paths")?;
            if list.is_empty() {
                v.err(n, "`forbidden_imports[].paths` must name at least one glob");
                return None;
            }
            Some((list, v.globs(n, "forbidden_imports[].paths")?))
        });
        let modules = modules.and_then(|n| {
            let list = v.string_list_nodes(n, "forbidden_imports[].modules")?;
            if list.is_empty() {
                v.err(n, "`forbidden_imports[].modules` must name at least one module");
                return None;
            }
            let mut ok = true;
            for (m, at) in &list {
                if !is_module_name(m) {
                    v.err(
                        at,
                        format!(
                            "`forbidden_imports[].modules`: {} is not a dotted module name (like `ray` or `torch.distributed`)",
                            describe(at)
                        ),
                    );
                    ok = false;
                }
            }
            ok.then(|| list.into_iter().map(|(m, _)| m).collect::<Vec<_>>())
        });
        let reason = reason.and_then(|n| v.string(n, "forbidden_imports[].reason"));
        if let (Some(id), Some((paths, matcher)), Some(modules), Some(reason)) =
            (id, globs, modules, reason)
        {
            out.push(ForbiddenImport {
                id,
                paths,
                matcher,
                modules,
                reason,
                site: (v.file.to_string(), item.line),
            });
        }
    }
    out
}

pub(crate) fn parse_silent_fallback(
    v: &mut Validator,
    node: Option<&Node>,
) -> SilentFallbackConfig {
    let mut c = SilentFallbackConfig::default();
    let Some(node) = node else {
        return c;
    };
    v.map(node, "silent_fallback", &["paths"]);
    let Some(n) = node.get("paths") else {
        return c;
    };
    if let Some(list) = v.string_list(n, "silent_fallback.paths")
        && !list.is_empty()
        && let Some(set) = v.globs(n, "silent_fallback.paths")
    {
        c.paths = list;
        c.matcher = Some(set);
        c.site = Some((v.file.to_string(), n.line));
    }
    c
}

pub(crate) fn parse_python(v: &mut Validator, node: Option<&Node>) -> PythonConfig {
    let mut c = PythonConfig::default();
    let Some(node) = node else {
        return c;
    };
    v.map(node, "python", &["source_roots"]);
    let Some(n) = node.get("source_roots") else {
        return c;
    };
    let Some(list) = v.string_list_nodes(n, "python.source_roots") else {
        return c;
    };
    if list.is_empty() {
        v.err(
            n,
            "`python.source_roots` must name at least one folder (`.` is the repository root)",
        );
        return c;
    }
    let mut roots = Vec::new();
    for (raw, at) in list {
        if raw == "." || raw == "./" {
            roots.push(String::new());
            continue;
        }
        match pattern::normalize(raw.trim_end_matches('/')) {
            Ok(p) if pattern::is_literal(&p) => roots.push(root_dir(&p)),
            Ok(_) => v.err(
                at,
                format!(
                    "`python.source_roots`: {} must be a folder, not a glob",
                    describe(at)
                ),
            ),
            Err(why) => v.err(
                at,
                format!("invalid folder in `python.source_roots`: {why}"),
            ),
        }
    }
    roots.dedup();
    c.source_roots = roots;
    c
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn prefix_matching_stops_at_dotted_boundaries() {
        let c = Config::parse(
            "forbidden_imports:\n  - id: r\n    paths: [\"inference/**\"]\n    modules: [ray, torch.distributed]\n    reason: segfaults\n",
            "c.yml",
        )
        .unwrap();
        let r = &c.code.forbidden_imports[0];
        assert_eq!(r.forbids("ray"), Some("ray"));
        assert_eq!(r.forbids("ray.rllib.agents"), Some("ray"));
        assert_eq!(r.forbids("rayon"), None);
        assert_eq!(r.forbids("ra"), None);
        assert_eq!(r.forbids("torch"), None);
        assert_eq!(
            r.forbids("torch.distributed.rpc"),
            Some("torch.distributed")
        );
        assert_eq!(r.forbids("torch.distributedx"), None);
        assert!(r.matcher.is_match("inference/a/b.py"));
        assert_eq!(r.site, ("c.yml".to_string(), 2));
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = "forbidden_imports:\n  - id: r\n    paths: []\n    modules: [\"ray-x\", \"\"]\n  - paths: [a]\n    modul: [x]\n  - 3\nsilent_fallback:\n  paths: notalist\n  path: []\npython:\n  source_roots: [\"src/*\"]\n";
        let err = Config::parse(text, "c.yml").unwrap_err().to_string();
        for want in [
            "c.yml:2:7: `forbidden_imports[]` entry lacks `reason`",
            "c.yml:3:12: `forbidden_imports[].paths` must name at least one glob",
            "c.yml:4:24: `forbidden_imports[].modules` entries must not be empty",
            "c.yml:5:10: `forbidden_imports[]` entry lacks `id`, `modules`, `reason`",
            "c.yml:6:5: unknown key `modul` in `forbidden_imports[]` (did you mean `modules`?)",
            "c.yml:7:5: `forbidden_imports` entries must be mappings",
            "c.yml:9:10: `silent_fallback.paths` must be a list, found a string",
            "c.yml:10:3: unknown key `path` in `silent_fallback` (did you mean `paths`?)",
            "c.yml:12:18: `python.source_roots`: `src/*` must be a folder, not a glob",
        ] {
            assert!(err.contains(want), "missing {want:?} in\n{err}");
        }
    }

    #[test]
    fn defaults_and_roots() {
        let c = Config::defaults();
        assert!(c.code.forbidden_imports.is_empty());
        assert!(c.code.silent_fallback.matcher.is_none());
        assert_eq!(
            c.code.python.source_roots,
            vec!["".to_string(), "src".to_string()]
        );
        let c = Config::parse(
            "python:\n  source_roots: [., lib/, py/src]\nsilent_fallback:\n  paths: [\"x/**\"]\n",
            "c.yml",
        )
        .unwrap();
        assert_eq!(c.code.python.source_roots, vec!["", "lib", "py/src"]);
        assert_eq!(c.code.silent_fallback.paths, vec!["x/**"]);
        let err = Config::parse("forbidden_imports:\n  - {id: a, paths: [x], modules: [m], reason: r}\n  - {id: a, paths: [x], modules: [m], reason: r}\n", "c.yml").unwrap_err().to_string();
        assert!(
            err.contains("c.yml:3:10: `forbidden_imports` id `a` is given twice"),
            "{err}"
        );
    }
}
