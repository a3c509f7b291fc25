//! Where a report goes: stdout in the `--format`, and the `--output` files.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use crate::ExitStatus;
use crate::cli::{ColorChoice, GlobalArgs};
use crate::config;
use crate::report::{self, Format, Report, Style};

/// `--color`: `auto` honours `NO_COLOR` and `TERM=dumb`, and needs the
/// stream the report goes to (stdout, or stderr for the hook) on a terminal.
pub(crate) fn use_color(choice: ColorChoice, stream_is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
                && stream_is_terminal
        }
    }
}

/// Write the report to stdout and/or `--output` files; the exit status.
pub(crate) fn emit(
    report: &Report,
    global: &GlobalArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
) -> Result<ExitStatus> {
    let to_stdout = write_outputs(report, global, cwd)?;
    if to_stdout {
        let style = Style {
            color: use_color(global.color, std::io::stdout().is_terminal()),
            quiet: global.quiet,
        };
        report::render(report, global.format, style, stdout)?;
        stdout.flush()?;
    }
    Ok(if report.failed() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// One `--output` value: `FORMAT=FILE`, or a plain `FILE` (`None`). A word
/// before `=` that names no format (`jsno=report.json`) is an error, never a
/// file of that name: a path with `=` in it has a `/` or a `.` before it.
pub(crate) fn output_spec(spec: &str) -> Result<(Option<Format>, &str)> {
    match spec.split_once('=') {
        Some((name, path)) => match Format::from_name(name) {
            Some(format) => Ok((Some(format), path)),
            None if !name.contains(['/', '.']) => {
                let names = Format::names();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                bail!(
                    "`--output {spec}`: `{name}` is not a report format{}; the formats are {}",
                    config::did_you_mean(name, &names),
                    names.join(", ")
                )
            }
            None => Ok((None, spec)),
        },
        None => Ok((None, spec)),
    }
}

/// Write the `--output` files; `false` when one of them replaces stdout
/// (`--output FILE` without a format).
pub(crate) fn write_outputs(report: &Report, global: &GlobalArgs, cwd: &Path) -> Result<bool> {
    let mut to_stdout = true;
    for spec in &global.output {
        let (format, path) = match output_spec(spec)? {
            (Some(format), path) => (format, path),
            (None, path) => {
                to_stdout = false;
                (global.format, path)
            }
        };
        let mut buf = Vec::new();
        report::render(
            report,
            format,
            Style {
                color: false,
                quiet: false,
            },
            &mut buf,
        )?;
        std::fs::write(cwd.join(path), buf)
            .with_context(|| format!("cannot write the report to {path}"))?;
    }
    Ok(to_stdout)
}
