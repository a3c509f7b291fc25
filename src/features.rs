//! Extract feature lists and model versions from their sources (SPEC §5):
//! Python (through `python`), YAML, JSON and TOML with a JSON-pointer, and
//! text files with one name a line. Every failure names the file and line.

use anyhow::Result;

use crate::config::{FeatureSource, SourceKind};
use crate::python::{self, FileText, Item, Origin, PyError, Value};
use crate::snapshot::{MAX_FILE_BYTES, Read, Snapshot};
use crate::yaml::{self, Node};

/// What a source yielded, and every file that was read to get it.
pub struct Extraction {
    pub value: Result<Value, PyError>,
    pub files_read: Vec<String>,
}

fn err(file: &str, line: usize, message: impl Into<String>) -> PyError {
    PyError {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

/// Read a file as UTF-8 text.
fn read_text(snapshot: &Snapshot<'_>, file: &str) -> Result<FileText> {
    Ok(match snapshot.read(file)? {
        Read::Missing => FileText::Missing,
        Read::Symlink(target) => FileText::Symlink(String::from_utf8_lossy(&target).into_owned()),
        Read::TooLarge(n) => FileText::Unreadable(err(
            file,
            1,
            format!("the file is {n} bytes, over docgate's limit of {MAX_FILE_BYTES}"),
        )),
        Read::LfsPointer(p) => FileText::Unreadable(err(file, 1, p.describe(file))),
        Read::Bytes(b) => match String::from_utf8(b) {
            Ok(t) => FileText::Text(t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t)),
            Err(e) => {
                let bytes = e.as_bytes();
                let (line, col) = yaml::position_of(bytes, e.utf8_error().valid_up_to());
                FileText::Unreadable(err(
                    file,
                    line,
                    format!("not valid UTF-8 at line {line}, column {col}"),
                ))
            }
        },
    })
}

/// Extract the value a source names (a list, or a scalar for versions).
pub fn extract(snapshot: &Snapshot<'_>, source: &FeatureSource) -> Result<Extraction> {
    if source.kind == SourceKind::Python {
        let mut read = |p: &str| -> Result<FileText> { read_text(snapshot, p) };
        let mut resolver = python::Resolver::new(&mut read);
        let value = resolver.resolve_from(&source.file, &source.locator, &source.site)?;
        let files_read = resolver.files_read.clone();
        return Ok(Extraction { value, files_read });
    }
    let files_read = vec![source.file.clone()];
    let at_site = |message: String| Extraction {
        value: Err(err(&source.site.0, source.site.1, message)),
        files_read: files_read.clone(),
    };
    let text = match read_text(snapshot, &source.file)? {
        FileText::Text(t) => t,
        FileText::Missing => return Ok(at_site(format!("`{}` does not exist", source.file))),
        FileText::Symlink(target) => {
            return Ok(at_site(format!(
                "`{}` is a symbolic link (to `{target}`); docgate does not follow links: \
                 name the file itself",
                source.file
            )));
        }
        FileText::Unreadable(e) => {
            return Ok(Extraction {
                value: Err(e),
                files_read,
            });
        }
    };
    let value = match source.kind {
        SourceKind::Text => text_list(&source.file, &text),
        SourceKind::Yaml => from_yaml(source, &text),
        SourceKind::Json => match serde_json::from_str::<serde_json::Value>(&text) {
            Err(e) => Err(err(
                &source.file,
                e.line().max(1),
                format!("invalid JSON: {e}"),
            )),
            // Valid JSON is valid YAML; the YAML tree carries the lines.
            Ok(_) => from_yaml(source, &text),
        },
        SourceKind::Toml => from_toml(source, &text),
        SourceKind::Python => unreachable!("handled above"),
    };
    Ok(Extraction { value, files_read })
}

fn text_list(file: &str, text: &str) -> Result<Value, PyError> {
    // A NUL is no part of a name: the file is binary (or UTF-16).
    if let Some(at) = text.find('\0') {
        let line = 1 + text[..at].matches('\n').count();
        return Err(err(
            file,
            line,
            "a NUL byte: this is a binary (or UTF-16) file, not one feature name a line",
        ));
    }
    let items = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let name = l.split('#').next().unwrap_or("").trim();
            (!name.is_empty()).then(|| Item {
                value: name.to_string(),
                file: file.to_string(),
                line: i + 1,
            })
        })
        .collect();
    Ok(Value::List {
        items,
        origin: Origin {
            file: file.to_string(),
            line: 1,
            symbol: String::new(),
        },
    })
}

/// JSON-pointer segments (`/a/b~1c` → `a`, `b/c`).
fn pointer_segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer[1..]
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn from_yaml(source: &FeatureSource, text: &str) -> Result<Value, PyError> {
    let file = &source.file;
    let root = match yaml::parse(text) {
        Ok(Some(root)) => root,
        Ok(None) => return Err(err(file, 1, "the file is empty")),
        Err(e) => return Err(err(file, e.line, format!("invalid YAML: {}", e.message))),
    };
    let mut node: &Node = &root;
    let mut walked = String::new();
    for seg in pointer_segments(&source.locator) {
        walked.push('/');
        walked.push_str(&seg);
        let next = match &node.kind {
            yaml::Kind::Map(entries) => {
                // YAML keys are unique; parsers disagree on which of two
                // wins, so the list docgate checks may not be the pipeline's.
                let mut same = entries
                    .iter()
                    .filter(|(k, _)| k.as_str() == Some(seg.as_str()));
                if let (Some(_), Some((second, _))) = (same.next(), same.next()) {
                    return Err(err(
                        file,
                        second.line,
                        format!(
                            "`{seg}` is given twice (on the path of pointer {})",
                            source.locator
                        ),
                    ));
                }
                node.get(&seg)
            }
            yaml::Kind::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        node = next.ok_or_else(|| {
            err(
                file,
                node.line,
                format!("`{walked}` does not exist (pointer {})", source.locator),
            )
        })?;
    }
    let origin = Origin {
        file: file.clone(),
        line: node.line,
        symbol: source.locator.clone(),
    };
    match &node.kind {
        yaml::Kind::Seq(items) => {
            let mut out = Vec::new();
            for item in items {
                match (&item.kind, item.type_name()) {
                    (yaml::Kind::Scalar { value, .. }, "a string") => out.push(Item {
                        value: value.clone(),
                        file: file.clone(),
                        line: item.line,
                    }),
                    _ => {
                        return Err(err(
                            file,
                            item.line,
                            format!(
                                "an entry of {} is {}, not a string",
                                source.locator,
                                item.type_name()
                            ),
                        ));
                    }
                }
            }
            Ok(Value::List { items: out, origin })
        }
        yaml::Kind::Scalar { value, .. } => Ok(Value::Scalar {
            text: value.clone(),
            origin,
        }),
        _ => Err(err(
            file,
            node.line,
            format!(
                "{} is {}, not a list of strings",
                display_pointer(&source.locator),
                node.type_name()
            ),
        )),
    }
}

fn display_pointer(p: &str) -> String {
    if p.is_empty() {
        "the document".to_string()
    } else {
        format!("`{p}`")
    }
}

fn from_toml(source: &FeatureSource, text: &str) -> Result<Value, PyError> {
    use toml::de::{DeTable, DeValue};
    let file = &source.file;
    let line_of = |offset: usize| yaml::position_of(text.as_bytes(), offset).0;
    let table = DeTable::parse(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(s.start));
        err(file, line, format!("invalid TOML: {}", e.message()))
    })?;
    let span = table.span();
    let mut current = DeValue::Table(table.into_inner());
    let mut at = span.start;
    let mut walked = String::new();
    for seg in pointer_segments(&source.locator) {
        walked.push('/');
        walked.push_str(&seg);
        let next = match &current {
            DeValue::Table(t) => t
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == seg)
                .map(|(_, v)| v.clone()),
            DeValue::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i).cloned()),
            _ => None,
        };
        let Some(next) = next else {
            return Err(err(
                file,
                line_of(at),
                format!("`{walked}` does not exist (pointer {})", source.locator),
            ));
        };
        at = next.span().start;
        current = next.into_inner();
    }
    let origin = Origin {
        file: file.clone(),
        line: line_of(at),
        symbol: source.locator.clone(),
    };
    match current {
        DeValue::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                let line = line_of(item.span().start);
                match item.into_inner() {
                    DeValue::String(s) => out.push(Item {
                        value: s.to_string(),
                        file: file.clone(),
                        line,
                    }),
                    _ => {
                        return Err(err(
                            file,
                            line,
                            format!("an entry of {} is not a string", source.locator),
                        ));
                    }
                }
            }
            Ok(Value::List { items: out, origin })
        }
        DeValue::String(s) => Ok(Value::Scalar {
            text: s.to_string(),
            origin,
        }),
        DeValue::Integer(i) => Ok(Value::Scalar {
            text: i.as_str().to_string(),
            origin,
        }),
        DeValue::Float(f) => Ok(Value::Scalar {
            text: f.as_str().to_string(),
            origin,
        }),
        _ => Err(err(
            file,
            origin.line,
            format!(
                "{} is not a list of strings",
                display_pointer(&source.locator)
            ),
        )),
    }
}
