//! Reports: one finished [`Report`], rendered by one `match` into a format.
//! Renderers are views: they decide nothing.

mod json;
mod text;

use std::io::Write;

use anyhow::Result;
use clap::ValueEnum;

use crate::checks::Checked;
use crate::checks::waivers::Waiver;
use crate::diagnostic::{Diagnostic, Severity};
use crate::git::change::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        Format::from_str(name, true).ok()
    }
}

pub struct Report {
    /// `check` or `lint`.
    pub command: &'static str,
    pub range: Option<Range>,
    pub checked: Checked,
    /// Sorted, severities final (overrides and waivers applied).
    pub diagnostics: Vec<Diagnostic>,
    pub waivers: Vec<Waiver>,
    pub fail_on: Severity,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub waived: usize,
}

impl Report {
    pub fn new(
        command: &'static str,
        range: Option<Range>,
        checked: Checked,
        mut diagnostics: Vec<Diagnostic>,
        waivers: Vec<Waiver>,
        fail_on: Severity,
    ) -> Report {
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics.dedup();
        Report {
            command,
            range,
            checked,
            diagnostics,
            waivers,
            fail_on,
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for d in &self.diagnostics {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Note => s.notes += 1,
            }
            if d.waived.is_some() {
                s.waived += 1;
            }
        }
        s
    }

    /// At least one finding at or above `--fail-on`.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= self.fail_on)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub quiet: bool,
}

pub fn render(report: &Report, format: Format, style: Style, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Text => text::render(report, style, out),
        Format::Json => json::render(report, out),
    }
}
