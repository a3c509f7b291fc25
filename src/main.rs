//! Thin binary: parse, run, map the outcome to exit 0/1/2.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use docgate::stdio::Stream;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    // A reader that goes away (`docgate check | head`, `git push 2>&1 | head`)
    // loses the rest of the report, never the verdict (SPEC §2.2): the
    // streams drop writes after EPIPE and the exit code is decided below.
    let mut stdout = Stream::new(std::io::stdout().lock());
    let mut stderr = Stream::new(std::io::stderr().lock());
    // A panic is a bug in docgate, and docgate could not do its job: exit 2
    // like any other failure (Rust's own 101 is no verdict a hook or CI
    // documents). The panic message is already on stderr.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // The test suite's way to prove this path (tests/it/ranges.rs).
        if std::env::var_os("DOCGATE_PANIC_FOR_TESTS").is_some() {
            panic!("DOCGATE_PANIC_FOR_TESTS is set");
        }
        docgate::run(cli, &mut stdout, &mut stderr)
    }));
    let result = match result {
        Ok(result) => result,
        Err(_) => {
            let _ = writeln!(
                stderr,
                "docgate: error: internal error (docgate panicked; this is a bug, please report it)"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            let _ = writeln!(stderr, "docgate: error: {err}");
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
