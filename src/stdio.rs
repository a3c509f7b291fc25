//! The process's standard streams, for a reader that may go away.
//!
//! `docgate check | head -1` and `git push 2>&1 | head -3` close the pipe
//! while docgate is still writing. The report is then lost, but the verdict
//! must not be: SPEC §2.2 makes the exit code the verdict whether or not the
//! report could be written. A [`Stream`] drops writes once its reader has gone
//! (the first `EPIPE` is remembered, later writes are not attempted) and lets
//! every other write error through, so a full disk is still an error.

use std::io::{self, Write};

pub struct Stream<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Stream<W> {
    pub fn new(inner: W) -> Stream<W> {
        Stream {
            inner,
            closed: false,
        }
    }

    /// Did the reader go away? (Then everything written since was dropped.)
    pub fn reader_gone(&self) -> bool {
        self.closed
    }
}

impl<W: Write> Write for Stream<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose reader went away after `room` bytes.
    struct Pipe {
        room: usize,
        got: Vec<u8>,
        attempts: usize,
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.attempts += 1;
            if self.got.len() >= self.room {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            let n = buf.len().min(self.room - self.got.len());
            self.got.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            if self.got.len() >= self.room {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            Ok(())
        }
    }

    #[test]
    fn a_closed_reader_drops_the_rest_without_an_error() {
        let mut s = Stream::new(Pipe {
            room: 4,
            got: Vec::new(),
            attempts: 0,
        });
        write!(s, "error[doc-not-updated]").unwrap();
        assert!(s.reader_gone());
        let attempts = s.inner.attempts;
        writeln!(s, "more").unwrap();
        s.flush().unwrap();
        assert_eq!(s.inner.got, b"erro");
        assert_eq!(s.inner.attempts, attempts, "no write after the first EPIPE");
    }

    #[test]
    fn a_closed_reader_on_flush_is_not_an_error_either() {
        // Buffered writers (stdout) see EPIPE first on flush.
        let mut s = Stream::new(Pipe {
            room: 0,
            got: Vec::new(),
            attempts: 0,
        });
        s.flush().unwrap();
        assert!(s.reader_gone());
        s.write_all(b"dropped").unwrap();
        assert_eq!(
            s.inner.attempts, 0,
            "nothing written after the reader went away"
        );
    }

    #[test]
    fn other_write_errors_are_errors() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(io::ErrorKind::StorageFull))
            }
            fn flush(&mut self) -> io::Result<()> {
                Err(io::Error::from(io::ErrorKind::StorageFull))
            }
        }
        let mut s = Stream::new(Full);
        assert_eq!(
            s.write(b"x").unwrap_err().kind(),
            io::ErrorKind::StorageFull
        );
        assert_eq!(s.flush().unwrap_err().kind(), io::ErrorKind::StorageFull);
        assert!(!s.reader_gone());
    }
}
