//! The GitHub event payload parser: JSON, then `github::event::target` for
//! every event docgate handles (and two it does not).
//!
//! Invariants: a range names two commit ids; `workflow_dispatch` is always a
//! lint; an unknown event is always an error.
#![no_main]

use docgate::github::event::{Target, is_sha, target};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "merge_group",
    "push",
    "workflow_dispatch",
];

fuzz_target!(|data: &[u8]| {
    let Ok(payload) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for event in EVENTS {
        match target(event, &payload) {
            Ok(Target::Range {
                base,
                head,
                pull_request,
            }) => {
                assert!(is_sha(&base) && is_sha(&head), "{event}: {base}..{head}");
                assert_eq!(
                    pull_request.is_some(),
                    event.starts_with("pull_request"),
                    "{event}: pull request {pull_request:?}"
                );
            }
            Ok(Target::NewBranch { head, .. }) => {
                assert_eq!(*event, "push");
                assert!(is_sha(&head), "{event}: {head}");
            }
            Ok(Target::Deleted) => assert_eq!(*event, "push"),
            Ok(Target::Lint) => assert_eq!(*event, "workflow_dispatch"),
            Err(e) => {
                assert_ne!(*event, "workflow_dispatch", "{e}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
    for event in ["workflow_run", ""] {
        assert!(target(event, &payload).is_err(), "{event:?} was accepted");
    }
});
