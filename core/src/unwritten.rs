//! Compressed output that a writer has not accepted yet, kept for the next call: how the
//! encoders ([`crate::FrameEncoder`], [`crate::legacy_encoder::LegacyEncoder`],
//! [`crate::index::SeekableEncoder`]) keep `io::Write`'s contract — an error means nothing of
//! the call was taken, and no byte reaches the writer twice.

use std::io::{self, Write};

/// Output produced for a writer: `buf[pos..]` is what the writer has not accepted yet.
#[derive(Debug, Default, Clone)]
pub(crate) struct Unwritten {
    /// The output; encoders append to it.
    pub(crate) buf: Vec<u8>,
    pos: usize,
}

impl Unwritten {
    /// Output that starts with `buf` (say, a frame header already produced).
    pub(crate) fn from_vec(buf: Vec<u8>) -> Self {
        Unwritten { buf, pos: 0 }
    }

    /// Bytes not yet accepted by the writer.
    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Write to `w` what it has not accepted yet, passing each piece it accepts to `accepted`
    /// (to fingerprint what reached the file, say). On an error, what it did accept is
    /// remembered and the rest kept for the next call; on success nothing is left (the
    /// allocation is kept). `Interrupted` is retried; a writer taking 0 bytes is `WriteZero`.
    pub(crate) fn write_to<W: Write + ?Sized>(
        &mut self,
        w: &mut W,
        mut accepted: impl FnMut(&[u8]),
    ) -> io::Result<()> {
        while self.pos < self.buf.len() {
            match w.write(&self.buf[self.pos..]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the writer accepts no more compressed bytes",
                    ))
                }
                Ok(n) => {
                    // A writer claiming more than it was given took what it was given.
                    let end = (self.pos + n).min(self.buf.len());
                    accepted(&self.buf[self.pos..end]);
                    self.pos = end;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.buf.clear();
        self.pos = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes at most 3 bytes per call and refuses every other call.
    struct Slow {
        got: Vec<u8>,
        calls: usize,
    }

    impl Write for Slow {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls % 2 == 0 {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = b.len().min(3);
            self.got.extend_from_slice(&b[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn retried_writes_deliver_every_byte_once() {
        let mut u = Unwritten::from_vec(b"0123456789".to_vec());
        let mut w = Slow {
            got: Vec::new(),
            calls: 0,
        };
        let mut seen = Vec::new();
        let mut errors = 0;
        while let Err(e) = u.write_to(&mut w, |b| seen.extend_from_slice(b)) {
            assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
            errors += 1;
        }
        assert!(errors > 0);
        assert_eq!(w.got, b"0123456789");
        assert_eq!(seen, b"0123456789");
        assert_eq!(u.len(), 0);
        assert!(u.buf.is_empty());
    }

    #[test]
    fn a_writer_taking_nothing_is_write_zero() {
        let mut u = Unwritten::from_vec(b"x".to_vec());
        let mut full: &mut [u8] = &mut [];
        let e = u.write_to(&mut full, |_| {}).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WriteZero);
        assert_eq!(u.len(), 1);
    }
}
