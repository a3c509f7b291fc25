//! Where an import leads in the repository (SPEC §6): the local files that
//! executing an import loads, and the absolute module names it imports (what
//! `forbidden_imports` matches). Only paths are looked at, never file
//! contents: the caller lists the repository's Python files once.
//!
//! Python's rules, as far as a static reader can follow them:
//! - `import a.b.c` loads `a`, `a.b` and `a.b.c`: each a regular package
//!   (`a/__init__.py`, preferred), a module file (`a.py`, which ends the
//!   walk) or a namespace package (a folder without `__init__.py`, which loads
//!   no file). The first source root (`python.source_roots`, in order) that
//!   has the top-level name is used.
//! - `from a.b import c` also loads `a/b/c.py` (or `a/b/c/__init__.py`) when
//!   `c` is a submodule, and imports the name `a.b.c` either way: `from ray
//!   import serve` imports `ray.serve` if it is a module, and docgate cannot
//!   know it is not, so a forbidden `ray.serve` matches.
//! - Relative imports resolve against the importing file's folder (`.` is the
//!   folder, each further dot its parent), whatever the source roots; the
//!   absolute name is the folder's path under the most specific source root
//!   that holds it.

use std::collections::HashSet;

use super::imports::{Import, ImportKind};

/// The repository's Python files and their folders.
pub struct Modules {
    files: HashSet<String>,
    dirs: HashSet<String>,
    /// Source roots, `""` for the repository root, in priority order.
    roots: Vec<String>,
}

/// What one import statement (or call) leads to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Local files it loads, in the order Python loads them.
    pub files: Vec<String>,
    /// The absolute module names it imports.
    pub names: Vec<String>,
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    Some(path.rfind('/').map_or("", |i| &path[..i]))
}

fn is_identifier(part: &str) -> bool {
    crate::checks::code::cfg::is_module_name(part) && !part.contains('.')
}

impl Modules {
    pub fn new(py_files: impl IntoIterator<Item = String>, roots: &[String]) -> Modules {
        let files: HashSet<String> = py_files.into_iter().collect();
        let mut dirs = HashSet::new();
        for f in &files {
            let mut at = parent(f);
            while let Some(d) = at {
                if !dirs.insert(d.to_string()) {
                    break;
                }
                at = parent(d);
            }
        }
        Modules {
            files,
            dirs,
            roots: roots.to_vec(),
        }
    }

    /// The absolute module name of a folder: its path under the most
    /// specific source root that holds it (`None` outside every root, or when
    /// a part is not an identifier).
    fn package_name(&self, dir: &str) -> Option<String> {
        let root = self
            .roots
            .iter()
            .filter(|r| r.is_empty() || dir == r.as_str() || dir.starts_with(&format!("{r}/")))
            .max_by_key(|r| r.len())?;
        let rel = if root.is_empty() {
            dir
        } else {
            dir[root.len()..].trim_start_matches('/')
        };
        if rel.is_empty() {
            return Some(String::new());
        }
        rel.split('/')
            .all(is_identifier)
            .then(|| rel.replace('/', "."))
    }

    /// The absolute module name of a file (`pkg/mod.py` → `pkg.mod`,
    /// `pkg/__init__.py` → `pkg`).
    pub fn module_name(&self, file: &str) -> Option<String> {
        let dir = parent(file)?;
        let stem = file[dir.len()..]
            .trim_start_matches('/')
            .strip_suffix(".py")?;
        let pkg = self.package_name(dir)?;
        if stem == "__init__" {
            return Some(pkg);
        }
        if !is_identifier(stem) {
            return None;
        }
        Some(if pkg.is_empty() {
            stem.to_string()
        } else {
            format!("{pkg}.{stem}")
        })
    }

    /// Walk `parts` down from folder `base`, pushing the files loaded.
    /// Returns the folder reached when every part is a package (the walk
    /// went all the way and the last part is a package), else `None`.
    fn walk(&self, base: &str, parts: &[&str], out: &mut Vec<String>) -> Option<String> {
        let mut dir = base.to_string();
        for part in parts {
            let sub = join(&dir, part);
            let init = join(&sub, "__init__.py");
            if self.files.contains(&init) {
                out.push(init);
                dir = sub;
            } else if self.files.contains(&format!("{sub}.py")) {
                out.push(format!("{sub}.py"));
                return None;
            } else if self.dirs.contains(&sub) {
                dir = sub;
            } else {
                return None;
            }
        }
        Some(dir)
    }

    /// The source root holding the top-level name `top` (first in order).
    fn root_of(&self, top: &str) -> Option<&str> {
        self.roots
            .iter()
            .find(|r| {
                let p = join(r, top);
                self.files.contains(&format!("{p}.py")) || self.dirs.contains(&p)
            })
            .map(String::as_str)
    }

    /// What `imp`, written in `file`, loads and imports.
    pub fn resolve(&self, file: &str, imp: &Import) -> Resolved {
        let mut r = Resolved::default();
        if imp.module == "__future__" && imp.level == 0 {
            return r;
        }
        let parts: Vec<&str> = if imp.module.is_empty() {
            Vec::new()
        } else {
            imp.module.split('.').collect()
        };
        let names: Vec<&str> = if imp.kind == ImportKind::From {
            imp.names
                .iter()
                .map(String::as_str)
                .filter(|n| *n != "*")
                .collect()
        } else {
            Vec::new()
        };
        // The folder the module's parts are looked up in, and its absolute name.
        let (base, prefix) = if imp.level == 0 {
            let Some(top) = parts.first() else {
                return r;
            };
            (self.root_of(top).map(str::to_string), Some(String::new()))
        } else {
            let mut dir = parent(file).map(str::to_string);
            for _ in 1..imp.level {
                dir = dir.as_deref().and_then(parent).map(str::to_string);
            }
            match dir {
                // More dots than folders: Python's ImportError, nothing loaded.
                None => return r,
                Some(d) => {
                    let name = self.package_name(&d);
                    if self.files.contains(&join(&d, "__init__.py")) {
                        r.files.push(join(&d, "__init__.py"));
                    }
                    (Some(d), name)
                }
            }
        };
        if let Some(prefix) = prefix {
            let dotted = |tail: &str| match (prefix.is_empty(), tail.is_empty()) {
                (true, _) => tail.to_string(),
                (false, true) => prefix.clone(),
                (false, false) => format!("{prefix}.{tail}"),
            };
            let module = dotted(&imp.module);
            if !module.is_empty() {
                r.names.push(module.clone());
            }
            for n in &names {
                r.names.push(if module.is_empty() {
                    n.to_string()
                } else {
                    format!("{module}.{n}")
                });
            }
        }
        let Some(base) = base else {
            return r;
        };
        if let Some(pkg) = self.walk(&base, &parts, &mut r.files) {
            for n in names {
                let mut sub = Vec::new();
                self.walk(&pkg, &[n], &mut sub);
                r.files.extend(sub);
            }
        }
        let mut seen = HashSet::new();
        r.files.retain(|f| f != file && seen.insert(f.clone()));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(files: &[&str], roots: &[&str]) -> Modules {
        Modules::new(
            files.iter().map(|f| f.to_string()),
            &roots.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        )
    }

    fn imp(module: &str, level: usize, names: &[&str]) -> Import {
        Import {
            module: module.into(),
            level,
            names: names.iter().map(|n| n.to_string()).collect(),
            kind: if names.is_empty() && level == 0 {
                ImportKind::Import
            } else {
                ImportKind::From
            },
            line: 1,
            column: 1,
            end_line: 1,
            type_checking: false,
        }
    }

    fn resolved(files: &[&str], names: &[&str]) -> Resolved {
        Resolved {
            files: files.iter().map(|f| f.to_string()).collect(),
            names: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    const REPO: &[&str] = &[
        "inference/__init__.py",
        "inference/serve.py",
        "inference/util/__init__.py",
        "inference/util/io.py",
        "training/train.py",
        "training/data/load.py",
        "src/pkg/__init__.py",
        "src/pkg/core.py",
        "scripts/run-me.py",
        "rayon.py",
    ];

    #[test]
    fn absolute_imports_load_packages_then_the_module() {
        let m = modules(REPO, &["", "src"]);
        let from = "inference/serve.py";
        assert_eq!(
            m.resolve(from, &imp("inference.util.io", 0, &[])),
            resolved(
                &[
                    "inference/__init__.py",
                    "inference/util/__init__.py",
                    "inference/util/io.py"
                ],
                &["inference.util.io"]
            )
        );
        // `training` is a namespace package: no file for it.
        assert_eq!(
            m.resolve(from, &imp("training.train", 0, &[])),
            resolved(&["training/train.py"], &["training.train"])
        );
        // A submodule named in `from`; an attribute is a name only.
        assert_eq!(
            m.resolve(from, &imp("training.data", 0, &["load", "helper"])),
            resolved(
                &["training/data/load.py"],
                &[
                    "training.data",
                    "training.data.load",
                    "training.data.helper"
                ]
            )
        );
        // The src layout.
        assert_eq!(
            m.resolve(from, &imp("pkg.core", 0, &[])),
            resolved(&["src/pkg/__init__.py", "src/pkg/core.py"], &["pkg.core"])
        );
        assert_eq!(
            m.module_name("src/pkg/core.py").as_deref(),
            Some("pkg.core")
        );
        assert_eq!(
            m.module_name("inference/__init__.py").as_deref(),
            Some("inference")
        );
        assert_eq!(m.module_name("scripts/run-me.py"), None);
        // External modules load nothing local; `ray` is not `rayon`.
        assert_eq!(
            m.resolve(from, &imp("ray", 0, &[])),
            resolved(&[], &["ray"])
        );
        assert_eq!(
            m.resolve(from, &imp("ray.rllib", 0, &["agents"])),
            resolved(&[], &["ray.rllib", "ray.rllib.agents"])
        );
        assert_eq!(
            m.resolve(from, &imp("rayon", 0, &[])),
            resolved(&["rayon.py"], &["rayon"])
        );
    }

    #[test]
    fn relative_imports_resolve_from_the_files_folder() {
        let m = modules(REPO, &["", "src"]);
        assert_eq!(
            m.resolve("inference/serve.py", &imp("", 1, &["util"])),
            resolved(
                &["inference/__init__.py", "inference/util/__init__.py"],
                &["inference", "inference.util"]
            )
        );
        assert_eq!(
            m.resolve("inference/util/io.py", &imp("training.train", 3, &["x"])),
            resolved(
                &["training/train.py"],
                &["training.train", "training.train.x"]
            )
        );
        assert_eq!(
            m.resolve("src/pkg/core.py", &imp("", 1, &["helpers"])),
            resolved(&["src/pkg/__init__.py"], &["pkg", "pkg.helpers"])
        );
        // Too many dots: nothing.
        assert_eq!(
            m.resolve("inference/serve.py", &imp("x", 3, &[])),
            resolved(&[], &[])
        );
        // A package's own `__init__` is not an edge to itself.
        assert_eq!(
            m.resolve("inference/__init__.py", &imp("serve", 1, &[])),
            resolved(&["inference/serve.py"], &["inference.serve"])
        );
    }

    #[test]
    fn roots_are_searched_in_order() {
        let m = modules(&["lib/a.py", "src/a/__init__.py"], &["src", "lib"]);
        assert_eq!(
            m.resolve("x.py", &imp("a", 0, &[])).files,
            vec!["src/a/__init__.py"]
        );
        let m = modules(&["lib/a.py", "src/a/__init__.py"], &["lib", "src"]);
        assert_eq!(m.resolve("x.py", &imp("a", 0, &[])).files, vec!["lib/a.py"]);
        assert_eq!(
            m.resolve("x.py", &imp("__future__", 0, &["annotations"])),
            resolved(&[], &[])
        );
    }
}
