//! Thin binary: parse, run, map the outcome to exit 0/1/2.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
    let cli = match docgate::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version exit 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let result = docgate::run(cli, &mut stdout.lock(), &mut stderr.lock());
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) if docgate::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let mut stderr = stderr.lock();
            let _ = writeln!(stderr, "docgate: error: {err}");
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
