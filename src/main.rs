//! Thin binary: parse, run, map the outcome to exit 0/1/2.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use docgate::stdio::Stream;

/// mimalloc: glibc's malloc spent ~15% of a large check freeing and
/// consolidating (bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v3's `mi_option_e` numbers (its `mimalloc.h`; the crate names
/// neither). A test pins them by their defaults (its `options.c`).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const PURGE_DELAY_MS: std::ffi::c_long = 0;

/// Give memory back as it is freed and commit arena pages only when used:
/// the peak RSS of a check on Apache NuttX's large range went from 215 MB to
/// 176 MB (git diff: 163 MB), the SPEC §10 check from 129 MB to 75 MB.
/// mimalloc reserves its first arena at the first allocation, which the Rust
/// runtime makes before `main`: set from `main`, the options came too late
/// (190 MB). On Linux they are set by an ELF constructor, before any
/// allocation; elsewhere from `main`.
extern "C" fn tune_allocator() {
    unsafe extern "C" {
        fn getenv(name: *const std::ffi::c_char) -> *const std::ffi::c_char;
    }
    // mimalloc's own variables still win (read without allocating: this runs
    // before the allocator is set up).
    let set = |name: &std::ffi::CStr, option, value| {
        // SAFETY: getenv with a NUL-terminated name, and plain option setters
        // of the allocator, before any thread starts.
        unsafe {
            if getenv(name.as_ptr()).is_null() {
                libmimalloc_sys::mi_option_set(option, value);
            }
        }
    };
    set(
        c"MIMALLOC_ARENA_EAGER_COMMIT",
        MI_OPTION_ARENA_EAGER_COMMIT,
        0,
    );
    set(
        c"MIMALLOC_PURGE_DELAY",
        MI_OPTION_PURGE_DELAY,
        PURGE_DELAY_MS,
    );
}

#[allow(clippy::print_stderr)]
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;

fn main() -> ExitCode {
    #[cfg(not(target_os = "linux"))]
    tune_allocator();
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

#[cfg(test)]
mod tests {
    use super::*;

    // `c_long` is not i64 everywhere.
    #[allow(clippy::useless_conversion)]
    fn option(n: libmimalloc_sys::mi_option_t) -> i64 {
        // SAFETY: reading an option.
        i64::from(unsafe { libmimalloc_sys::mi_option_get(n) })
    }

    #[test]
    fn the_allocator_options_are_the_ones_meant() {
        // The numbering: neighbours with distinctive defaults (mimalloc v3's
        // options.c): 3 deprecated_eager_commit 1, 5 purge_decommits 1,
        // 18 os_tag 100, 19 max_errors 32.
        assert_eq!(
            [option(3), option(5), option(18), option(19)],
            [1, 1, 100, 32]
        );
        // On Linux the ELF constructor tuned it before the harness started.
        #[cfg(not(target_os = "linux"))]
        tune_allocator();
        assert_eq!(
            (
                option(MI_OPTION_ARENA_EAGER_COMMIT),
                option(MI_OPTION_PURGE_DELAY)
            ),
            (0, 0)
        );
    }
}
