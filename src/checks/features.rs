//! Feature consistency (SPEC §5): training and inference lists identical
//! (`feature-mismatch`), only growing (`feature-not-additive`, or
//! `feature-version-bump` when the model version moved), extractable
//! (`feature-source-error`; `feature-additivity-unknown` when only the base
//! cannot be read) and without repeats (`feature-duplicate`). Its config
//! section is `cfg`.

pub mod cfg;

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use serde::Serialize;

use super::{Ctx, Sink};
use crate::config::{Config, FeatureList, FeatureSource, Order};
use crate::diagnostic::{self as rules, Diagnostic, Rule};
use crate::features::{Extraction, extract};
use crate::git::change::Change;
use crate::python::{Item, Origin, PyError, Value};
use crate::snapshot::{Read, Snapshot};

/// What happened to one configured pair, for the report's `checked` section.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FeatureListSummary {
    pub id: String,
    /// `identical`, `mismatch`, `error`, or `not involved` (check: the change
    /// touched none of its files).
    pub status: String,
    /// Both sides resolve to the same definition.
    pub shared_source: bool,
    pub names: usize,
}

/// The change, as far as feature lists care.
pub struct ChangeScope<'a> {
    pub base: &'a Snapshot<'a>,
    pub changed: HashSet<String>,
    pub config_changed: bool,
    /// Renamed files: head path → base path.
    pub renamed_from: HashMap<String, String>,
    /// The config at the base, when the head config is the repository's
    /// `.docgate.yml`: `Ok(None)` when the base had none, `Err` (the reason)
    /// when it could not be read.
    pub base_config: Result<Option<Config>, String>,
}

impl<'a> ChangeScope<'a> {
    fn of(change: &'a Change<'a>, config: &Config) -> ChangeScope<'a> {
        let files = &change.files;
        ChangeScope {
            base: &change.base,
            changed: files
                .iter()
                .flat_map(|f| f.paths().map(String::from))
                .collect(),
            config_changed: files
                .iter()
                .any(|f| f.paths().any(|p| Some(p) == config.repo_path.as_deref())),
            renamed_from: files
                .iter()
                .filter_map(|f| Some((f.path.clone(), f.old_path.clone()?)))
                .collect(),
            base_config: super::base_config(change, config),
        }
    }

    /// Where a list was at the base. A list whose files moved in the change is
    /// not a new list: its base is the base config's entry of the same id, or
    /// else the head sources mapped back through the change's renames.
    fn base_list(&self, list: &FeatureList) -> FeatureList {
        if let Ok(Some(config)) = &self.base_config
            && let Some(base) = config.feature_lists.iter().find(|l| l.id == list.id)
        {
            return base.clone();
        }
        let back = |s: &FeatureSource| {
            let mut s = s.clone();
            if let Some(old) = self.renamed_from.get(&s.file) {
                s.file = old.clone();
            }
            s
        };
        FeatureList {
            training: back(&list.training),
            inference: back(&list.inference),
            version: list.version.as_ref().map(back),
            ..list.clone()
        }
    }
}

fn source_error(e: &PyError, prefix: &str) -> Diagnostic {
    source_finding(rules::FEATURE_SOURCE_ERROR, e, prefix)
}

fn source_finding(rule: &'static Rule, e: &PyError, prefix: &str) -> Diagnostic {
    let mut d = Diagnostic::new(rule, format!("{prefix}{}", e.message)).at(&e.file);
    d.line = Some(e.line);
    d
}

fn at(d: Diagnostic, file: &str, line: usize) -> Diagnostic {
    let mut d = d.at(file);
    d.line = Some(line);
    d
}

fn describe_origin(o: &Origin) -> String {
    if o.symbol.is_empty() {
        format!("{}:{}", o.file, o.line)
    } else {
        format!("{}:{} {}", o.file, o.line, o.symbol)
    }
}

/// The check: every configured pair; in `check`, additivity against the base.
pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    // No pair: nothing to read, not even the base config the scope needs.
    if ctx.config.feature_lists.is_empty() {
        return Ok(());
    }
    let scope = ctx
        .change
        .as_ref()
        .map(|c| ChangeScope::of(c.change, ctx.config));
    let mut out = Vec::new();
    for list in &ctx.config.feature_lists {
        let summary = one(list, ctx.head, scope.as_ref(), &mut out)?;
        sink.checked.feature_lists.push(summary);
    }
    sink.extend(out);
    Ok(())
}

fn one(
    list: &FeatureList,
    head: &Snapshot<'_>,
    scope: Option<&ChangeScope<'_>>,
    out: &mut Vec<Diagnostic>,
) -> Result<FeatureListSummary> {
    let training = extract(head, &list.training)?;
    let inference = extract(head, &list.inference)?;
    let mut summary = FeatureListSummary {
        id: list.id.clone(),
        status: String::new(),
        shared_source: false,
        names: 0,
    };
    // Both sides at the base, extracted once: for involvement (the base may
    // have read other modules, an import that moved) and for additivity.
    let base_list = scope.map(|scope| scope.base_list(list));
    let base_lists = match (scope, &base_list) {
        (Some(scope), Some(base_list)) => Some([
            extract(scope.base, &base_list.training)?,
            extract(scope.base, &base_list.inference)?,
        ]),
        _ => None,
    };
    if let (Some(scope), Some(base_lists)) = (scope, &base_lists)
        && !involved(list, [&training, &inference], base_lists, scope)
    {
        summary.status = "not involved".into();
        return Ok(summary);
    }
    let mut findings = Vec::new();
    let (t, i) = match (&training.value, &inference.value) {
        (Ok(t), Ok(i)) => (
            as_list(t, &list.training, &mut findings),
            as_list(i, &list.inference, &mut findings),
        ),
        (t, i) => {
            for r in [t, i] {
                if let Err(e) = r {
                    findings.push(source_error(e, ""));
                }
            }
            (None, None)
        }
    };
    // The model version must be readable whenever it is configured, not only
    // when a list shrinks and it is needed to excuse that.
    let version_head = version_at_head(list, head, &mut findings)?;
    match (t, i) {
        (Some((t_items, t_origin)), Some((i_items, i_origin))) => {
            summary.shared_source = t_origin == i_origin;
            summary.names = t_items.len();
            duplicates(list, "training", t_items, &mut findings);
            if !summary.shared_source {
                duplicates(list, "inference", i_items, &mut findings);
            }
            let same = compare(list, t_items, t_origin, i_items, i_origin, &mut findings);
            summary.status = if same { "identical" } else { "mismatch" }.into();
            if let (Some(scope), Some([t_base, i_base]), Some(base_list)) =
                (scope, &base_lists, &base_list)
                && list.additive
            {
                let pair = Pair {
                    list,
                    scope,
                    base_version: base_list.version.as_ref(),
                    version_head: version_head.as_ref(),
                };
                let training = Side {
                    name: "training",
                    base_source: &base_list.training,
                    items: t_items,
                    origin: t_origin,
                    at_base: &t_base.value,
                };
                let inference = Side {
                    name: "inference",
                    base_source: &base_list.inference,
                    items: i_items,
                    origin: i_origin,
                    at_base: &i_base.value,
                };
                // Once when both sides share a definition.
                additive(&pair, &training, &mut findings)?;
                if inference.origin != training.origin {
                    additive(&pair, &inference, &mut findings)?;
                }
            }
        }
        _ => summary.status = "error".into(),
    }
    if findings
        .iter()
        .any(|d| d.rule.id == rules::FEATURE_SOURCE_ERROR.id)
    {
        summary.status = "error".into();
    }
    out.extend(findings);
    Ok(summary)
}

/// Did the change touch a file the pair reads (at head or at the base), or
/// the config?
fn involved(
    list: &FeatureList,
    head: [&Extraction; 2],
    base: &[Extraction; 2],
    scope: &ChangeScope<'_>,
) -> bool {
    let configured = [
        Some(&list.training),
        Some(&list.inference),
        list.version.as_ref(),
    ];
    scope.config_changed
        || configured
            .into_iter()
            .flatten()
            .map(|s| &s.file)
            .chain(head.into_iter().chain(base).flat_map(|e| &e.files_read))
            .any(|f| scope.changed.contains(f))
}

/// The model version at head: `None` when none is configured, `Some(None)`
/// when it cannot be read (a finding says why).
fn version_at_head(
    list: &FeatureList,
    head: &Snapshot<'_>,
    findings: &mut Vec<Diagnostic>,
) -> Result<Option<Option<String>>> {
    let Some(version) = &list.version else {
        return Ok(None);
    };
    Ok(Some(match extract(head, version)?.value {
        Ok(Value::Scalar { text, .. }) => Some(text),
        Ok(Value::List { origin, .. }) => {
            findings.push(at(
                Diagnostic::new(
                    rules::FEATURE_SOURCE_ERROR,
                    format!(
                        "the model version {} is a list, not a single value",
                        version.describe()
                    ),
                ),
                &origin.file,
                origin.line,
            ));
            None
        }
        Err(e) => {
            findings.push(source_error(&e, "the model version cannot be read: "));
            None
        }
    }))
}

fn as_list<'v>(
    value: &'v Value,
    source: &FeatureSource,
    findings: &mut Vec<Diagnostic>,
) -> Option<(&'v [Item], &'v Origin)> {
    match value {
        Value::List { items, origin } => Some((items, origin)),
        Value::Scalar { origin, .. } => {
            findings.push(at(
                Diagnostic::new(
                    rules::FEATURE_SOURCE_ERROR,
                    format!(
                        "{} is a single value, not a list of feature names",
                        source.describe()
                    ),
                ),
                &origin.file,
                origin.line,
            ));
            None
        }
    }
}

fn duplicates(list: &FeatureList, side: &str, items: &[Item], findings: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, &Item> = HashMap::new();
    for item in items {
        match first.get(item.value.as_str()) {
            Some(prev) => findings.push(at(
                Diagnostic::new(
                    rules::FEATURE_DUPLICATE,
                    format!(
                        "the {side} list of `{}` names `{}` twice: {}:{} and {}:{}",
                        list.id, item.value, prev.file, prev.line, item.file, item.line
                    ),
                ),
                &item.file,
                item.line,
            )),
            None => {
                first.insert(&item.value, item);
            }
        }
    }
}

fn names(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.value.as_str()).collect()
}

/// Compare training with inference; true when they agree.
fn compare(
    list: &FeatureList,
    t: &[Item],
    t_origin: &Origin,
    i: &[Item],
    i_origin: &Origin,
    findings: &mut Vec<Diagnostic>,
) -> bool {
    let (tn, inn) = (names(t), names(i));
    let t_set: HashSet<&str> = tn.iter().copied().collect();
    let i_set: HashSet<&str> = inn.iter().copied().collect();
    let only_t: Vec<&str> = tn.iter().copied().filter(|n| !i_set.contains(n)).collect();
    let only_i: Vec<&str> = inn.iter().copied().filter(|n| !t_set.contains(n)).collect();
    let order_diff = if list.order == Order::Strict {
        tn.iter()
            .zip(&inn)
            .position(|(a, b)| a != b)
            .or_else(|| (tn.len() != inn.len()).then(|| tn.len().min(inn.len())))
    } else {
        None
    };
    if only_t.is_empty() && only_i.is_empty() && order_diff.is_none() {
        return true;
    }
    let mut msg = format!(
        "training and inference feature lists of `{}` differ ({} order)\n  training:  {} ({} names)\n  inference: {} ({} names)",
        list.id,
        if list.order == Order::Strict {
            "strict"
        } else {
            "set"
        },
        describe_origin(t_origin),
        tn.len(),
        describe_origin(i_origin),
        inn.len()
    );
    let show = |v: &[&str]| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    msg.push_str(&format!(
        "\n  only in training:  {}\n  only in inference: {}",
        show(&only_t),
        show(&only_i)
    ));
    if let Some(idx) = order_diff {
        let side = |v: &[&str]| {
            v.get(idx)
                .map_or("(end of list)".to_string(), |n| format!("`{n}`"))
        };
        msg.push_str(&format!(
            "\n  first difference at index {idx}: training has {}, inference has {}",
            side(&tn),
            side(&inn)
        ));
        msg.push_str("\n  diff (- training only, + inference only):");
        msg.push_str(&diff(&tn, &inn));
    }
    findings.push(at(
        Diagnostic::new(rules::FEATURE_MISMATCH, msg),
        &i_origin.file,
        i_origin.line,
    ));
    false
}

/// A line diff of two name lists, at most 40 lines.
fn diff(a: &[&str], b: &[&str]) -> String {
    let d = similar::TextDiff::configure().diff_slices(a, b);
    let mut lines = Vec::new();
    for change in d.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Equal => ' ',
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
        };
        lines.push(format!("\n    {sign} {}", change.value()));
    }
    let total = lines.len();
    if total > 40 {
        lines.truncate(40);
        lines.push(format!("\n    … {} more lines", total - 40));
    }
    lines.concat()
}

/// A warning that additivity could not be checked, and why: never a silent skip.
fn unknown_growth(list: &FeatureList, side: &str, head: &Origin, why: String) -> Diagnostic {
    at(
        Diagnostic::new(
            rules::FEATURE_ADDITIVITY_UNKNOWN,
            format!(
                "cannot check that the {side} list of `{}` only grew: {why}",
                list.id
            ),
        ),
        &head.file,
        head.line,
    )
}

/// One configured pair in a change, for additivity.
struct Pair<'a> {
    list: &'a FeatureList,
    scope: &'a ChangeScope<'a>,
    /// Where the model version was at the base (when the list moved).
    base_version: Option<&'a FeatureSource>,
    /// The model version at head (see [`version_at_head`]).
    version_head: Option<&'a Option<String>>,
}

/// One side of a pair: where it was at the base, what it is at head.
struct Side<'a> {
    name: &'a str,
    base_source: &'a FeatureSource,
    items: &'a [Item],
    origin: &'a Origin,
    at_base: &'a Result<Value, PyError>,
}

/// `feature-not-additive` (or `feature-version-bump`) when the side does not
/// start with its base list; `feature-additivity-unknown` when the base
/// cannot tell.
fn additive(pair: &Pair<'_>, side: &Side<'_>, findings: &mut Vec<Diagnostic>) -> Result<()> {
    let (list, scope, source) = (pair.list, pair.scope, side.base_source);
    let (name, head_origin) = (side.name, side.origin);
    let base = scope.base;
    if !base.is_file(&source.file)? {
        if let Err(why) = &scope.base_config {
            // The list may have moved with a config edit we cannot read.
            findings.push(unknown_growth(
                list,
                name,
                head_origin,
                format!(
                    "{} is not in the base and the config's base version cannot be read to find \
                     where the list was ({why})",
                    source.file
                ),
            ));
        }
        // A list that is new in this change has nothing to stay compatible with.
        return Ok(());
    }
    let base_items = match side.at_base {
        Ok(Value::List { items, .. }) => items,
        Ok(Value::Scalar { origin, .. }) => {
            findings.push(unknown_growth(
                list,
                name,
                head_origin,
                format!(
                    "at the base, {} ({}:{}) is a single value, not a list of feature names",
                    source.describe(),
                    origin.file,
                    origin.line
                ),
            ));
            return Ok(());
        }
        Err(e) => {
            findings.push(source_finding(
                rules::FEATURE_ADDITIVITY_UNKNOWN,
                e,
                &format!(
                    "cannot check that the {name} list of `{}` only grew: at the base, ",
                    list.id
                ),
            ));
            return Ok(());
        }
    };
    let (b, h) = (names(base_items), names(side.items));
    if h.len() >= b.len() && h[..b.len()] == b[..] {
        return Ok(());
    }
    let mut message = format!(
        "the {name} list of `{}` is not additive against the base: {} ({})",
        list.id,
        what_changed(&b, &h).join("; "),
        describe_origin(head_origin)
    );
    let bumped = version_moved(pair, &mut message)?;
    let rule = if bumped {
        rules::FEATURE_VERSION_BUMP
    } else {
        rules::FEATURE_NOT_ADDITIVE
    };
    findings.push(at(
        Diagnostic::new(rule, message),
        &head_origin.file,
        head_origin.line,
    ));
    Ok(())
}

/// What a non-additive change did: names removed, the first one moved, or
/// one inserted before the end.
fn what_changed(b: &[&str], h: &[&str]) -> Vec<String> {
    let h_set: HashSet<&str> = h.iter().copied().collect();
    let b_set: HashSet<&str> = b.iter().copied().collect();
    let removed: Vec<&str> = b.iter().copied().filter(|n| !h_set.contains(n)).collect();
    let kept_b: Vec<&str> = b.iter().copied().filter(|n| h_set.contains(n)).collect();
    let kept_h: Vec<&str> = h.iter().copied().filter(|n| b_set.contains(n)).collect();
    let mut what = Vec::new();
    if !removed.is_empty() {
        what.push(format!(
            "removed {}",
            removed
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(idx) = kept_b.iter().zip(&kept_h).position(|(x, y)| x != y) {
        let name = kept_b[idx];
        let from = b.iter().position(|n| *n == name).unwrap_or(0);
        let to = h.iter().position(|n| *n == name).unwrap_or(0);
        what.push(format!(
            "reordered: `{name}` was at index {from}, is now at {to}"
        ));
    }
    if what.is_empty() {
        // Same names kept in order but something was inserted before the end.
        let idx = b.iter().zip(h).position(|(x, y)| x != y).unwrap_or(b.len());
        what.push(format!(
            "inserted `{}` at index {idx} instead of appending",
            h.get(idx).unwrap_or(&"?")
        ));
    }
    what
}

/// Did the model version move in the change (then the change is allowed)?
/// The message says what the version did either way.
fn version_moved(pair: &Pair<'_>, message: &mut String) -> Result<bool> {
    let (Some(version), Some(after)) = (&pair.list.version, pair.version_head) else {
        return Ok(false);
    };
    let base = pair.scope.base;
    let version = pair.base_version.unwrap_or(version);
    let before = match base.read(&version.file)? {
        Read::Missing => None,
        _ => Some(extract(base, version)?.value),
    };
    match (before, after) {
        (Some(Ok(Value::Scalar { text: x, .. })), Some(y)) if &x != y => {
            message.push_str(&format!("; allowed: the model version moved from {x} to {y}"));
            return Ok(true);
        }
        (Some(Ok(Value::Scalar { text, .. })), Some(_)) => message.push_str(&format!(
            "; the model version ({}) is still {text}: bump it to break compatibility",
            version.describe()
        )),
        (_, None) => message.push_str(&format!(
            "; the model version ({}) cannot be read at head, so it cannot excuse this",
            version.describe()
        )),
        (None, Some(_)) => message.push_str(&format!(
            "; the model version ({}) did not exist at the base",
            version.describe()
        )),
        (Some(Ok(Value::List { .. })), Some(_)) => message.push_str(&format!(
            "; the model version ({}) was a list at the base, not a single value",
            version.describe()
        )),
        (Some(Err(e)), Some(_)) => message.push_str(&format!(
            "; the model version ({}) could not be read at the base ({}:{}: {}), so whether it moved is unknown",
            version.describe(),
            e.file,
            e.line,
            e.message
        )),
    }
    Ok(false)
}
