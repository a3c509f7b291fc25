//! The post-mortem parser (`postmortem::parse` under the default config) and
//! the policy-file reader (`checks::policies::parse`) on arbitrary text.
//!
//! Invariants: one entry per mandatory section, in config order; every line
//! a heading, root cause, action item or policy is reported at exists
//! (1..=lines) and every column is >= 1; root causes counted from nothing
//! are 0 and from prose 1; a given due date is a real `YYYY-MM-DD` date, a
//! given owner or status is not blank; every missing field says why; the
//! parse is deterministic.
#![no_main]

use std::sync::LazyLock;

use docgate::checks::policies;
use docgate::config::PostmortemsConfig;
use docgate::postmortem::{self, Counted, Field};
use libfuzzer_sys::fuzz_target;

static CONFIG: LazyLock<PostmortemsConfig> = LazyLock::new(PostmortemsConfig::default);

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Lines as the Markdown reader counts them: one more than the `\n`s.
    let lines = 1 + text.matches('\n').count();
    let in_range = |line: usize, col: usize, what: &str| {
        assert!(line >= 1 && line <= lines, "{what} at line {line} of {lines}");
        assert!(col >= 1, "{what} at column 0");
    };

    let pm = postmortem::parse(&text, &CONFIG);
    assert_eq!(pm, postmortem::parse(&text, &CONFIG), "not deterministic");
    assert!(pm.unreadable.is_none(), "text is always readable");
    let names: Vec<&str> = pm.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, CONFIG.sections.iter().map(String::as_str).collect::<Vec<_>>());
    for s in &pm.sections {
        if let Some(h) = &s.heading {
            in_range(h.line, h.col, "a section heading");
        }
    }
    if let Some(rc) = &pm.root_causes {
        in_range(rc.line, rc.col, "the root causes");
        match rc.counted {
            Counted::Nothing => assert_eq!(rc.count, 0),
            Counted::Prose => assert_eq!(rc.count, 1),
            Counted::ListItems | Counted::SubHeadings => assert!(rc.count >= 1),
        }
    }
    for item in &pm.action_items {
        in_range(item.line, item.col, "an action item");
        for f in [&item.owner, &item.status, &item.due] {
            match f {
                Field::Given(v) => assert!(!v.trim().is_empty(), "a blank value given: {item:?}"),
                Field::Missing(why) => assert!(!why.is_empty(), "missing without a reason"),
            }
        }
        if let Field::Given(d) = &item.due {
            assert!(docgate::date::parse_date(d).is_some(), "due `{d}` is no date");
        }
        assert_eq!(
            item.missing().len(),
            [&item.owner, &item.status, &item.due]
                .iter()
                .filter(|f| f.value().is_none())
                .count()
        );
    }

    let file = policies::parse("CLAUDE.md", &text);
    assert_eq!(file.lines, text.lines().count());
    for p in &file.policies {
        in_range(p.line, 1, "a policy");
    }
    for (_, line) in &file.sections {
        in_range(*line, 1, "a policy heading");
    }
});
