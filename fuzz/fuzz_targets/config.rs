//! The config loader (`Config::from_bytes`) on arbitrary `.docgate.yml` bytes.
//!
//! Invariants: an error lists at least one problem, each with a line and a
//! column that exist in the file; a config that loads names its source.
#![no_main]

use docgate::config::Config;
use libfuzzer_sys::fuzz_target;

const FILE: &str = ".docgate.yml";

fuzz_target!(|data: &[u8]| {
    let lines = 1 + data.iter().filter(|&&b| b == b'\n').count();
    match Config::from_bytes(data, FILE) {
        Ok(config) => {
            assert_eq!(config.source.as_deref(), Some(FILE));
        }
        Err(e) => {
            assert_eq!(e.file, FILE);
            assert!(!e.errors.is_empty(), "an error without a problem");
            for (line, col, message) in &e.errors {
                assert!(
                    *line >= 1 && *line <= lines,
                    "line {line} of {lines}: {message}"
                );
                assert!(*col >= 1, "column 0: {message}");
                assert!(!message.is_empty(), "an empty message at {line}:{col}");
            }
            // The message the user sees renders.
            let _ = e.to_string();
        }
    }
});
