//! The cost-log parser (`mishap::parse`) on arbitrary text, and the cost
//! parser (`mishap::parse_cost`) on each of its lines.
//!
//! Invariants: every problem has a line that exists, a column >= 1 and
//! belongs to an entry heading at or above it; every entry has a calendar
//! date, its month and a title; an entry without problems has every
//! required field non-empty and a cost; a cost has low <= high <=
//! `MAX_CENTS` and prints as text `parse_cost` reads back to the same cost;
//! a post-mortem path is normalized and stays inside the repository.
#![no_main]

use docgate::mishap::{self, MAX_CENTS, REQUIRED};
use docgate::{date, pattern};
use libfuzzer_sys::fuzz_target;

fn check_cost(c: &mishap::Cost, from: &str) {
    assert!(c.low_cents <= c.high_cents, "{from:?}: {c:?}");
    assert!(c.high_cents <= MAX_CENTS, "{from:?}: {c:?}");
    let shown = c.to_string();
    assert_eq!(
        mishap::parse_cost(&shown).as_ref(),
        Ok(c),
        "{from:?} printed as {shown:?} does not read back"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (entries, problems) = mishap::parse(text, "docs/MISHAP_COST_LOG.md");
    let lines = 1 + text.matches('\n').count();
    for p in &problems {
        assert!(p.line >= 1 && p.line <= lines, "line {} of {lines}: {p:?}", p.line);
        assert!(p.col >= 1, "column 0: {p:?}");
        assert!(p.entry_line >= 1 && p.entry_line <= p.line, "{p:?}");
        assert!(!p.message.is_empty());
    }
    for e in &entries {
        assert!(date::parse_date(&e.date).is_some(), "{e:?}");
        assert!(e.time.starts_with(&e.date), "{e:?}");
        assert_eq!(e.month, e.date[..7], "{e:?}");
        assert!(!e.title.is_empty() && e.title.trim() == e.title, "{e:?}");
        assert!(e.line >= 1 && e.line <= lines);
        if let Some(c) = &e.cost {
            check_cost(c, &e.title);
        }
        if let Some(p) = &e.post_mortem {
            assert_eq!(pattern::normalize(p).as_deref(), Ok(p.as_str()), "{e:?}");
            assert!(!p.split('/').any(|s| s == ".." || s.is_empty()), "{p:?}");
        }
        if !problems.iter().any(|p| p.entry_line == e.line) {
            assert!(e.cost.is_some(), "an entry without problems has no cost: {e:?}");
            for k in REQUIRED {
                let f = e.field(k).unwrap_or_else(|| panic!("{k} missing: {e:?}"));
                assert!(!f.value.is_empty(), "{k} empty: {e:?}");
            }
        }
    }
    for line in text.lines() {
        if let Ok(c) = mishap::parse_cost(line) {
            check_cost(&c, line);
        }
    }
});
