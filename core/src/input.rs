//! The compressed-input buffer of the `Read`-based decoders ([`crate::FrameDecoder`],
//! [`crate::SeekableReader`]): reads from the inner reader in chunks, and grows to hold a whole
//! unit (a block) so that the decoder can process it in place.

use std::io::{self, Read};

/// Smallest read from the inner reader.
const READ_CHUNK: usize = 64 * 1024;

/// Read from `reader` until `buf` is full or the reader ends (`Interrupted` reads are
/// retried); returns the bytes read, fewer than `buf.len()` only at the end of the reader. On
/// an error the bytes read before it are in `buf` but not reported.
pub(crate) fn read_full<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Bytes read from a reader and not yet consumed: `buf[pos..end]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputBuf {
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Bytes read from readers in all, including those of a `fill` that then failed.
    read_total: u64,
}

impl InputBuf {
    /// The bytes buffered and not yet consumed.
    pub(crate) fn available(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Mark `n` available bytes consumed.
    pub(crate) fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }

    /// Count `n` bytes read from a reader and fed without passing through this buffer (taken
    /// from the reader's own buffer) in [`InputBuf::read_total`].
    pub(crate) fn count_read(&mut self, n: usize) {
        self.read_total += n as u64;
    }

    /// Drop everything buffered (after a seek of the reader).
    pub(crate) fn clear(&mut self) {
        self.pos = 0;
        self.end = 0;
    }

    /// Bytes read from readers in all: every byte a reader handed out counts, also when a
    /// later read of the same `fill` failed (they are buffered, not lost).
    pub(crate) fn read_total(&self) -> u64 {
        self.read_total
    }

    /// Read from `reader` until at least `want` bytes are available or it ends; returns how
    /// many bytes were read. The buffer grows to `want` (at least one read chunk) when needed.
    /// On an error, the bytes read before it stay buffered and counted in
    /// [`InputBuf::read_total`].
    pub(crate) fn fill<R: Read + ?Sized>(
        &mut self,
        reader: &mut R,
        want: usize,
    ) -> io::Result<u64> {
        self.fill_up_to(reader, want, false)
    }

    /// [`InputBuf::fill`], reading no byte past `want` when `exact`: the reader is left just
    /// after the bytes the decoder asked for (at the cost of smaller reads).
    pub(crate) fn fill_up_to<R: Read + ?Sized>(
        &mut self,
        reader: &mut R,
        want: usize,
        exact: bool,
    ) -> io::Result<u64> {
        if self.pos == self.end {
            self.clear();
        }
        let mut read = 0u64;
        while self.end - self.pos < want {
            if self.buf.len() - self.pos < want || self.end == self.buf.len() {
                // Compact, and make room for the whole unit and at least one read chunk.
                self.buf.copy_within(self.pos..self.end, 0);
                self.end -= self.pos;
                self.pos = 0;
                let size = want.max(READ_CHUNK);
                if self.buf.len() < size {
                    // Exactly what the unit needs: amortized doubling would keep up to twice
                    // the largest unit (5 MB for 2.6 MB blocks), memory that with the output
                    // buffer goes over the allocator's trim threshold when a decoder is dropped,
                    // so the next decoder faults all of its pages in again.
                    self.buf.reserve_exact(size - self.buf.len());
                    self.buf.resize(size, 0);
                }
            }
            let limit = if exact {
                self.pos + want
            } else {
                self.buf.len()
            };
            match reader.read(&mut self.buf[self.end..limit]) {
                Ok(0) => break,
                Ok(n) => {
                    self.end += n;
                    read += n as u64;
                    self.read_total += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivers_every_byte_in_order_whatever_the_unit_sizes() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
        let mut r = &data[..];
        let mut b = InputBuf::default();
        let mut got = Vec::new();
        let mut total = 0;
        for want in [10usize, 200_000, 1, 65_536, 70_000, 1_000_000]
            .into_iter()
            .cycle()
        {
            total += b.fill(&mut r, want).unwrap();
            let avail = b.available();
            if avail.is_empty() {
                break;
            }
            // A large unit is buffered whole (the buffer grows rather than splitting it).
            assert!(avail.len() >= want.min(data.len() - got.len()));
            let take = avail.len().min(want);
            got.extend_from_slice(&avail[..take]);
            b.consume(take);
        }
        assert_eq!(total, data.len() as u64);
        assert!(got == data);
    }
}
