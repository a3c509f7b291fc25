//! The post-mortem check (SPEC §7): every post-mortem has its mandatory
//! sections, each with content, at least `min_root_causes` root causes, and
//! action items with an owner, a status and a due date. `lint` checks every
//! post-mortem; `check` only those the change added or modified.

pub mod cfg;

use anyhow::Result;

use super::{Ctx, Sink};
use crate::config::PostmortemsConfig;
use crate::diagnostic::{self as rules, Diagnostic};
use crate::git::change::Status;
use crate::postmortem::{self, PostMortem};

pub fn check(ctx: &Ctx<'_>, sink: &mut Sink<'_>) -> Result<()> {
    let config = &ctx.config.postmortems;
    // `check`: only the post-mortems the change added, modified or renamed to.
    let touched = |path: &str| match &ctx.change {
        None => true,
        Some(c) => c
            .change
            .files
            .iter()
            .any(|f| f.path == path && f.status != Status::Deleted),
    };
    let (count, files) = postmortem::load_some(ctx.head, config, touched)?;
    if count == 0 {
        // Not active (an explicit `paths` matching nothing is exit 2 before).
        return Ok(());
    }
    sink.checked.layers.push(format!(
        "post-mortems ({}, {count} file{})",
        config.paths.join(", "),
        if count == 1 { "" } else { "s" }
    ));
    for l in &files {
        sink.extend(findings(&l.path, &l.postmortem, &l.text, config));
    }
    Ok(())
}

/// Everything a post-mortem lacks.
fn findings(
    path: &str,
    pm: &PostMortem,
    text: &str,
    config: &PostmortemsConfig,
) -> Vec<Diagnostic> {
    let min_root_causes = config.min_root_causes;
    let mut out = Vec::new();
    if let Some(why) = &pm.unreadable {
        out.push(
            Diagnostic::new(
                rules::POSTMORTEM_MISSING_SECTION,
                format!("{why}, so none of its mandatory sections can be checked"),
            )
            .at(path),
        );
        return out;
    }
    for s in &pm.sections {
        match &s.heading {
            None => {
                let names: Vec<String> = config
                    .names_of(&s.name)
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect();
                let names = join(&names, "or");
                out.push(
                    Diagnostic::new(
                        rules::POSTMORTEM_MISSING_SECTION,
                        format!(
                            "the post-mortem has no `{}` section (a heading {names}, any level, any case)",
                            s.name
                        ),
                    )
                    .at(path)
                    .at_line(text, 1, 1),
                );
            }
            Some(h) if h.empty => out.push(
                Diagnostic::new(
                    rules::POSTMORTEM_EMPTY_SECTION,
                    format!(
                        "the section `{}` (heading `{}`) has no content",
                        s.name, h.text
                    ),
                )
                .at(path)
                .at_line(text, h.line, h.col),
            ),
            Some(_) => {}
        }
    }
    if let Some(rc) = &pm.root_causes
        && (rc.count as u64) < min_root_causes
    {
        out.push(
            Diagnostic::new(
                rules::POSTMORTEM_ROOT_CAUSES,
                format!(
                    "the Root Cause section names {} root cause{}, fewer than {min_root_causes} \
                     (postmortems.min_root_causes; {})",
                    rc.count,
                    if rc.count == 1 { "" } else { "s" },
                    rc.counted.describe()
                ),
            )
            .at(path)
            .at_line(text, rc.line, rc.col),
        );
    }
    for item in &pm.action_items {
        let missing = item.missing();
        if missing.is_empty() {
            continue;
        }
        let what: Vec<String> = missing
            .iter()
            .map(|(name, why)| format!("no {name} ({why})"))
            .collect();
        let what = join(&what, "and");
        out.push(
            Diagnostic::new(
                rules::POSTMORTEM_ACTION_ITEM,
                format!("the action item `{}` has {what}", shorten(&item.text)),
            )
            .at(path)
            .at_line(text, item.line, item.col),
        );
    }
    out
}

/// `a`, `a or b`, `a, b or c` (with `conjunction`).
fn join(items: &[String], conjunction: &str) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A text for a message: at most 60 characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", text[..i].trim_end()),
        None => text.to_string(),
    }
}
