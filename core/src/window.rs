//! The 64 KiB window of a linked frame (LZ4 frame format, "Block Independence flag": a block
//! may refer to up to 64 KiB of the output before it), kept in a buffer that can also receive
//! the next blocks, so that they are decoded in place right after their history.

use crate::codec::WINDOW_SIZE;

/// The history of a linked frame: the last ≤ 64 KiB of its output (or of the dictionary),
/// [`Window::as_slice`]. The buffer may hold older output before the window proper: a block
/// decoded into it ([`Window::reserve`]) stays until the next one, before which the last
/// 64 KiB are slid to the front. Memory: 64 KiB + the largest block decoded into it, 64 KiB
/// when none is.
#[derive(Debug, Clone, Default)]
pub(crate) struct Window {
    /// `buf[..end]`: recent output, ending with the window; `buf[end..]`: initialised scratch
    /// kept from earlier use (reserving it again costs nothing).
    buf: Vec<u8>,
    end: usize,
}

impl Window {
    /// A window holding the last ≤ 64 KiB of `bytes` (a checkpoint's or restart point's).
    pub(crate) fn from_vec(mut bytes: Vec<u8>) -> Self {
        let cut = bytes.len().saturating_sub(WINDOW_SIZE);
        bytes.drain(..cut);
        let end = bytes.len();
        Window { buf: bytes, end }
    }

    /// The window proper: the last ≤ 64 KiB of output.
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.buf[self.end.saturating_sub(WINDOW_SIZE)..self.end]
    }

    /// The output held, oldest first: the window proper is its last ≤ 64 KiB, the blocks last
    /// decoded into the buffer ([`Window::reserve`]) end it.
    pub(crate) fn recent(&self) -> &[u8] {
        &self.buf[..self.end]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.end == 0
    }

    /// Forget the content (a new frame), keeping the allocation.
    pub(crate) fn clear(&mut self) {
        self.end = 0;
    }

    /// Append `new` (output produced elsewhere), keeping at least the last 64 KiB; the buffer
    /// grows no larger than it is or 64 KiB, whichever is more.
    pub(crate) fn append(&mut self, new: &[u8]) {
        if new.len() >= WINDOW_SIZE {
            let tail = &new[new.len() - WINDOW_SIZE..];
            if self.buf.len() < WINDOW_SIZE {
                self.buf.resize(WINDOW_SIZE, 0);
            }
            self.buf[..WINDOW_SIZE].copy_from_slice(tail);
            self.end = WINDOW_SIZE;
            return;
        }
        if self.end + new.len() > self.buf.len().max(WINDOW_SIZE) {
            // Keep only what stays in the window.
            self.slide(WINDOW_SIZE - new.len());
        }
        let end = self.end + new.len();
        if self.buf.len() < end {
            self.buf.resize(end, 0);
        }
        self.buf[self.end..end].copy_from_slice(new);
        self.end = end;
    }

    /// Make room for `n` bytes of output after the held output, to decode a block in place.
    /// Returns the buffer up to the end of the room and the position where the room begins
    /// (before it, the history: at least the window proper). Only the last max(64 KiB, `keep`)
    /// bytes of output are kept (`keep`: output not yet handed on), slid to the front when the
    /// room does not fit after all that is held; the buffer grows to 64 KiB + `n` at most (more
    /// only to keep `keep`).
    pub(crate) fn reserve(&mut self, n: usize, keep: usize) -> (&mut [u8], usize) {
        if self.end + n > self.buf.len() {
            self.slide(WINDOW_SIZE.max(keep));
        }
        let end = self.end + n;
        if self.buf.len() < end {
            // At once and exactly (a buffer grown block by block would be reallocated, and
            // amortized doubling would hold up to twice the ring).
            let ring = (WINDOW_SIZE + n).max(end);
            self.buf.reserve_exact(ring - self.buf.len());
            self.buf.resize(end, 0);
        }
        (&mut self.buf[..end], self.end)
    }

    /// Keep the first `n` bytes of the room last reserved.
    pub(crate) fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Keep only the last `keep` bytes of the held output, moved to the front.
    fn slide(&mut self, keep: usize) {
        let keep = keep.min(self.end);
        self.buf.copy_within(self.end - keep..self.end, 0);
        self.end = keep;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window is always the last ≤ 64 KiB of everything appended or decoded into it.
    #[test]
    fn window_is_the_last_64k_of_the_output() {
        let mut all = Vec::new();
        let mut w = Window::default();
        let mut byte = 0u8;
        let mut next = |len: usize| -> Vec<u8> {
            (0..len)
                .map(|_| {
                    byte = byte.wrapping_mul(31).wrapping_add(7);
                    byte
                })
                .collect()
        };
        for (i, len) in [1, 70_000, 3, 65_536, 65_535, 0, 200_000, 64_000, 5_000]
            .iter()
            .cycle()
            .take(60)
            .enumerate()
        {
            let bytes = next(*len);
            if i % 3 == 0 {
                w.append(&bytes);
            } else {
                let (buf, start) = w.reserve(bytes.len() + 17, 0);
                assert!(start >= WINDOW_SIZE.min(all.len()));
                buf[start..start + bytes.len()].copy_from_slice(&bytes);
                w.commit(bytes.len());
                assert!(w.buf.len() <= WINDOW_SIZE + 200_017);
            }
            all.extend_from_slice(&bytes);
            assert_eq!(w.as_slice(), &all[all.len().saturating_sub(WINDOW_SIZE)..]);
            assert_eq!(w.recent(), &all[all.len() - w.recent().len()..]);
        }
    }

    /// Output not yet handed on survives a slide.
    #[test]
    fn reserve_keeps_unread_output() {
        let mut w = Window::default();
        for round in 0..20u8 {
            let (buf, start) = w.reserve(100_000, 0);
            buf[start..].fill(round);
            w.commit(100_000);
            let (buf, start) = w.reserve(100_000, 100_000);
            assert!(buf[start - 100_000..start].iter().all(|&b| b == round));
            w.commit(0);
        }
    }

    #[test]
    fn from_vec_keeps_the_last_64k() {
        let v: Vec<u8> = (0..70_000u32).map(|i| i as u8).collect();
        let w = Window::from_vec(v.clone());
        assert_eq!(w.as_slice(), &v[70_000 - WINDOW_SIZE..]);
    }
}
