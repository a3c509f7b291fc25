//! The untrusted uploaded-report parser of `docgate github post`
//! (`github::post::parse`): the report was written by code from a fork.
//!
//! Invariant: a refusal always names the file and says it refused.
#![no_main]

use docgate::diagnostic::Severity;
use docgate::github::post::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for fail_on in [Severity::Error, Severity::Warning] {
        if let Err(e) = parse(data, "report.json", "octo/repo", fail_on) {
            let message = format!("{e:#}");
            assert!(
                message.starts_with("report.json: refusing an invalid report: "),
                "{message}"
            );
        }
    }
});
