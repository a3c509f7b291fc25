//! The integration tests, one binary (as cargo and ripgrep do): each file
//! here is a module, `support` is compiled once for all of them, and
//! `Prism::shared()` is one Prism for the whole suite. Run one area with
//! `cargo test --test it prepush::` (a module path filter).

mod support;

mod bad_input;
mod code_rules;
mod costs;
mod doc_graph;
mod features;
mod fuzz_regressions;
mod github;
mod github_api;
mod github_contract;
mod hostile_input;
mod incident_loop;
mod index;
mod init;
mod knowledge_base;
mod policies;
mod postmortems;

mod prepush;
mod prism_contract;
mod project;
mod ranges;
mod real_code;
mod rule_table;
mod rules;
mod sarif;
mod snapshots;
mod token_hygiene;
