//! Where decoded blocks go: the caller's `Vec` (push-style API) or a decoder-owned buffer that
//! is reused without re-initialising it (the `Read` adapter and one-shot decoding).

/// A destination for decoded blocks.
pub(crate) trait Output {
    /// Make `n` writable bytes available after the current end. Returns the current frame's
    /// output that lies directly before them in the same buffer (usable as history without a
    /// copy) and the writable bytes.
    fn reserve(&mut self, n: usize) -> (&[u8], &mut [u8]);
    /// Keep the first `n` of the bytes last reserved (0 after a failure).
    fn commit(&mut self, n: usize);
    /// A new frame begins at the current end: earlier bytes are no history for it.
    fn start_frame(&mut self);
    /// The current frame's output held in this buffer (the part `reserve` returns as history).
    fn frame_output(&self) -> &[u8];
    /// A decoding call begins: only output from here on counts as history, since the state's
    /// window already holds what came before.
    fn begin_call(&mut self);
}

/// Appends to a caller's `Vec`; only bytes appended during this call count as history (the
/// caller may have changed the rest).
pub(crate) struct VecOutput<'a> {
    vec: &'a mut Vec<u8>,
    frame_start: usize,
    reserved_at: usize,
}

impl<'a> VecOutput<'a> {
    pub(crate) fn new(vec: &'a mut Vec<u8>) -> Self {
        let len = vec.len();
        VecOutput {
            vec,
            frame_start: len,
            reserved_at: len,
        }
    }
}

impl Output for VecOutput<'_> {
    fn reserve(&mut self, n: usize) -> (&[u8], &mut [u8]) {
        let len = self.vec.len();
        self.reserved_at = len;
        self.vec.resize(len + n, 0);
        let (head, tail) = self.vec.split_at_mut(len);
        (&head[self.frame_start..], tail)
    }

    fn commit(&mut self, n: usize) {
        self.vec.truncate(self.reserved_at + n);
    }

    fn start_frame(&mut self) {
        self.frame_start = self.vec.len();
    }

    fn frame_output(&self) -> &[u8] {
        &self.vec[self.frame_start..]
    }

    fn begin_call(&mut self) {
        self.frame_start = self.vec.len();
    }
}

/// A reusable buffer: `buf[..filled]` is output, `buf[filled..]` initialised scratch kept from
/// earlier use, so reserving space costs nothing once the buffer has grown.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReusableBuf {
    pub(crate) buf: Vec<u8>,
    pub(crate) filled: usize,
    pub(crate) frame_start: usize,
}

impl ReusableBuf {
    /// Forget the content (keeping the allocation).
    pub(crate) fn clear(&mut self) {
        self.filled = 0;
        self.frame_start = 0;
    }

    /// The output bytes.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[..self.filled]
    }
}

impl Output for ReusableBuf {
    fn reserve(&mut self, n: usize) -> (&[u8], &mut [u8]) {
        let end = self.filled + n;
        if self.buf.len() < end {
            self.buf.resize(end, 0);
        }
        let (head, tail) = self.buf.split_at_mut(self.filled);
        (&head[self.frame_start..], &mut tail[..n])
    }

    fn commit(&mut self, n: usize) {
        self.filled += n;
    }

    fn start_frame(&mut self) {
        self.frame_start = self.filled;
    }

    fn frame_output(&self) -> &[u8] {
        &self.buf[self.frame_start..self.filled]
    }

    fn begin_call(&mut self) {
        self.frame_start = self.filled;
    }
}

/// A caller's slice: `FrameDecoder::read` decodes a block straight into the caller's buffer
/// when it is large enough, saving a copy. Only this call's output counts as history.
pub(crate) struct SliceOutput<'a> {
    buf: &'a mut [u8],
    pub(crate) filled: usize,
    frame_start: usize,
}

impl<'a> SliceOutput<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        SliceOutput {
            buf,
            filled: 0,
            frame_start: 0,
        }
    }
}

impl Output for SliceOutput<'_> {
    fn reserve(&mut self, n: usize) -> (&[u8], &mut [u8]) {
        // Never more than the slice holds: a block that does not fit fails to decode (the
        // caller checks the bound first, so that only happens for corrupt blocks).
        let end = self.filled.saturating_add(n).min(self.buf.len());
        let (head, tail) = self.buf.split_at_mut(self.filled);
        (&head[self.frame_start..], &mut tail[..end - self.filled])
    }

    fn commit(&mut self, n: usize) {
        self.filled += n;
    }

    fn start_frame(&mut self) {
        self.frame_start = self.filled;
    }

    fn frame_output(&self) -> &[u8] {
        &self.buf[self.frame_start..self.filled]
    }

    fn begin_call(&mut self) {
        self.frame_start = self.filled;
    }
}
