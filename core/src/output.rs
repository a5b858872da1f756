//! Where decoded blocks go: the caller's `Vec` (push-style API) or a decoder-owned buffer that
//! is reused without re-initialising it (the `Read` adapter and one-shot decoding).

/// A destination for decoded blocks.
pub(crate) trait Output {
    /// Make `n` writable bytes available after the current end. Returns one slice and a
    /// position in it: before the position, the current frame's output that lies in this
    /// buffer (usable as history without a copy, in place); from it on, the writable bytes
    /// (`n` of them, or fewer where the buffer cannot grow).
    fn reserve(&mut self, n: usize) -> (&mut [u8], usize);
    /// Keep the first `n` of the bytes last reserved (0 after a failure).
    fn commit(&mut self, n: usize);
    /// The output as a vector that blocks are appended to directly, in its spare capacity
    /// ([`crate::BlockCodec::decompress_append`], without [`Output::reserve`] and
    /// [`Output::commit`]), with the index in it where the current frame's output (the part
    /// usable as history) begins. `None` (the default) for an output that is not a growable
    /// vector: blocks then go through `reserve` and `commit`.
    fn as_vec(&mut self) -> Option<(&mut Vec<u8>, usize)> {
        None
    }
    /// A new frame begins at the current end: earlier bytes are no history for it.
    fn start_frame(&mut self);
    /// The current frame's output held in this buffer (the part `reserve` returns as history).
    fn frame_output(&self) -> &[u8];
    /// A decoding call begins: only output from here on counts as history, since the state's
    /// window already holds what came before.
    fn begin_call(&mut self);
    /// Parallel decoding: whether the blocks of independent-block and legacy frames are handed
    /// out ([`Output::hand_out`]) rather than decoded into this output. Blocks of linked
    /// frames, which need the output before them, are always decoded.
    fn hands_out_blocks(&self) -> bool {
        false
    }
    /// Receive a handed-out frame start, block or frame end, in stream order (only called when
    /// [`Output::hands_out_blocks`]).
    fn hand_out(&mut self, item: HandOut<'_>) {
        let _ = item;
    }
}

/// What a decoder whose output hands out blocks ([`Output::hands_out_blocks`]) passes on, in
/// stream order, instead of decoding. Whoever takes the items decodes the blocks and makes the
/// checks that need a frame's whole output: its content size and content checksum.
#[derive(Debug)]
pub(crate) enum HandOut<'a> {
    /// A frame whose blocks are handed out begins (a legacy frame ends where the next frame
    /// begins, without a [`HandOut::FrameEnd`]).
    FrameStart {
        /// Its 1-based number.
        frame: u64,
        /// Its content checksum is to be verified.
        checksum: bool,
        /// Its declared content size.
        content_size: Option<u64>,
    },
    /// One of its blocks, checked against its block checksum already.
    Block {
        /// The stored bytes (without the block checksum).
        data: &'a [u8],
        /// Stored uncompressed.
        raw: bool,
        /// Input offset of the block header.
        header_at: u64,
        /// The frame's 1-based number.
        frame: u64,
        /// The frame's maximum block size.
        max: usize,
        /// The dictionary (if one was supplied) precedes the block: false in legacy frames.
        dictionary: bool,
    },
    /// The frame's end mark was read (at input offset `at`), with the stored content checksum
    /// when the frame has one.
    FrameEnd {
        /// Input offset of the end mark (or of the content checksum, when there is one).
        at: u64,
        /// The stored content checksum.
        checksum: Option<u32>,
    },
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
    fn reserve(&mut self, n: usize) -> (&mut [u8], usize) {
        let len = self.vec.len();
        self.reserved_at = len;
        self.vec.resize(len + n, 0);
        (&mut self.vec[self.frame_start..], len - self.frame_start)
    }

    fn commit(&mut self, n: usize) {
        self.vec.truncate(self.reserved_at + n);
    }

    fn as_vec(&mut self) -> Option<(&mut Vec<u8>, usize)> {
        Some((&mut *self.vec, self.frame_start))
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

/// A reusable buffer: `buf` is the output (`buf.len()` bytes), its spare capacity kept from
/// earlier use, so that once it has grown blocks are decoded into it without an allocation —
/// and, through [`Output::as_vec`], without initialising the bytes first.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReusableBuf {
    pub(crate) buf: Vec<u8>,
    pub(crate) frame_start: usize,
    /// Where the room last given by [`Output::reserve`] begins.
    reserved_at: usize,
}

impl ReusableBuf {
    /// Forget the content (keeping the allocation).
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.frame_start = 0;
    }

    /// The output bytes.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf
    }

    /// How many output bytes it holds.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }
}

impl Output for ReusableBuf {
    fn reserve(&mut self, n: usize) -> (&mut [u8], usize) {
        let len = self.buf.len();
        self.reserved_at = len;
        self.buf.resize(len + n, 0);
        (&mut self.buf[self.frame_start..], len - self.frame_start)
    }

    fn commit(&mut self, n: usize) {
        self.buf.truncate(self.reserved_at + n);
    }

    fn as_vec(&mut self) -> Option<(&mut Vec<u8>, usize)> {
        Some((&mut self.buf, self.frame_start))
    }

    fn start_frame(&mut self) {
        self.frame_start = self.buf.len();
    }

    fn frame_output(&self) -> &[u8] {
        &self.buf[self.frame_start..]
    }

    fn begin_call(&mut self) {
        self.frame_start = self.buf.len();
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

impl SliceOutput<'_> {
    /// Bytes of the slice not written yet.
    pub(crate) fn room(&self) -> usize {
        self.buf.len() - self.filled
    }
}

impl Output for SliceOutput<'_> {
    fn reserve(&mut self, n: usize) -> (&mut [u8], usize) {
        // Never more than the slice holds: a block that does not fit fails to decode (the
        // caller checks the bound first, so that only happens for corrupt blocks).
        let end = self.filled.saturating_add(n).min(self.buf.len());
        (
            &mut self.buf[self.frame_start..end],
            self.filled - self.frame_start,
        )
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
