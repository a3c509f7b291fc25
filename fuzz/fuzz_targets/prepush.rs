//! git's pre-push ref list parser (`git::prepush::parse`) on arbitrary stdin.
//!
//! Invariants: every non-empty line becomes one update or the whole input is
//! refused with the number of a line that exists; accepted object ids are
//! lowercase hex of one width (40 or 64) throughout.
#![no_main]

use docgate::git::prepush::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    match parse(data) {
        Ok(updates) => {
            let non_empty = lines
                .iter()
                .filter(|l| !l.strip_suffix(b"\r").unwrap_or(l).is_empty())
                .count();
            assert_eq!(updates.len(), non_empty, "lines dropped without an error");
            let width = updates.first().map(|u| u.local_oid.len());
            for u in &updates {
                for oid in [&u.local_oid, &u.remote_oid] {
                    assert!(oid.len() == 40 || oid.len() == 64, "oid {oid}");
                    assert!(
                        oid.bytes()
                            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                        "oid {oid}"
                    );
                    assert_eq!(Some(oid.len()), width, "mixed widths");
                }
                assert!(!u.local_ref.is_empty() && !u.remote_ref.is_empty());
                let _ = u.kind();
            }
        }
        Err(e) => {
            assert!(
                e.line >= 1 && e.line <= lines.len(),
                "line {} of {}",
                e.line,
                lines.len()
            );
            assert!(
                !lines[e.line - 1]
                    .strip_suffix(b"\r")
                    .unwrap_or(lines[e.line - 1])
                    .is_empty()
            );
            let _ = e.to_string();
        }
    }
});
