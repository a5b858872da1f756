//! The push-style [`Decompressor`]: feed it any slices of input, get decoded bytes appended to
//! a `Vec`.

use std::marker::PhantomData;

use crate::codec::{Backend, BlockCodec, CodecRegistry};
use crate::engine::{Engine, Status};
use crate::error::Error;
use crate::frame::FrameInfo;
use crate::output::{Output, VecOutput};
use crate::settings::Dictionary;

/// Push-style frame decompressor, the counterpart of the reference library's
/// `LZ4F_decompress`: give it input in slices of any size, it appends what they decode to and
/// tells how much more input would complete the current unit.
///
/// It decodes every frame of the input in order (skippable frames are skipped, legacy frames
/// decoded). It can be cloned at any point; the clone continues independently.
///
/// ```
/// use lz4framed::Decompressor;
/// let frame = lz4framed::compress(b"hello hello hello hello");
/// let mut d = Decompressor::new();
/// let mut out = Vec::new();
/// for piece in frame.chunks(5) {
///     d.decompress(piece, &mut out)?;
/// }
/// d.finish()?; // an error if the input ended inside a frame
/// assert_eq!(out, b"hello hello hello hello");
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub struct Decompressor<G: CodecRegistry> {
    pub(crate) codec: &'static dyn BlockCodec,
    pub(crate) dictionary: Option<Dictionary>,
    pub(crate) engine: Engine,
    _registry: PhantomData<fn() -> G>,
}

impl<G: CodecRegistry> Clone for Decompressor<G> {
    fn clone(&self) -> Self {
        Decompressor {
            codec: self.codec,
            dictionary: self.dictionary.clone(),
            engine: self.engine.clone(),
            _registry: PhantomData,
        }
    }
}

impl<G: CodecRegistry> std::fmt::Debug for Decompressor<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decompressor")
            .field("codec", &self.codec.name())
            .field("dictionary", &self.dictionary)
            .field("compressed_position", &self.engine.compressed_position)
            .field("decompressed_position", &self.engine.decompressed_position)
            .field("frame_info", &self.engine.frame)
            .finish_non_exhaustive()
    }
}

impl<G: CodecRegistry> Default for Decompressor<G> {
    fn default() -> Self {
        Self::new()
    }
}

impl<G: CodecRegistry> Decompressor<G> {
    /// A decompressor on the `Auto` backend.
    pub fn new() -> Self {
        Self::with_codec(G::auto())
    }

    /// A decompressor on `backend`.
    pub fn with_backend(backend: impl Into<Backend>) -> Result<Self, Error> {
        Ok(Self::with_codec(G::codec(backend.into())?))
    }

    /// A decompressor on a specific codec.
    pub fn with_codec(codec: &'static dyn BlockCodec) -> Self {
        Decompressor {
            codec,
            dictionary: None,
            engine: Engine::new(),
            _registry: PhantomData,
        }
    }

    /// Use `dictionary` for frames compressed with one. A frame that records a dictionary ID
    /// is refused unless a dictionary is set, and when the dictionary's own ID is non-zero it
    /// must match.
    pub fn with_dictionary(mut self, dictionary: Dictionary) -> Self {
        self.dictionary = Some(dictionary);
        self
    }

    /// Whether to verify header, block and content checksums (default: yes). Turning it off
    /// trades integrity checking for speed.
    pub fn verify_checksums(mut self, verify: bool) -> Self {
        self.engine.verify = verify;
        self
    }

    /// Decode `input`, appending the result to `out`. All of `input` is consumed (a partial
    /// unit is kept inside). On error the decompressor is spent: later calls return
    /// [`Error::InvalidState`].
    pub fn decompress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<Status, Error> {
        let mut sink = VecOutput::new(out);
        self.feed(input, &mut sink)
    }

    pub(crate) fn feed(&mut self, input: &[u8], out: &mut dyn Output) -> Result<Status, Error> {
        let dict = self.dictionary.as_ref();
        self.engine.feed(self.codec, dict, input, out)
    }

    /// Checks that the input may end here: every frame begun is complete. Otherwise returns
    /// [`Error::Truncated`] with the offset where input is missing.
    pub fn finish(&self) -> Result<(), Error> {
        self.engine.check_complete()
    }

    /// Whether every frame fed so far is complete (and at least one frame was fed).
    pub fn is_complete(&self) -> bool {
        self.engine.is_complete()
    }

    /// The header of the current frame (or of the last one, between frames); `None` before
    /// the first descriptor has been read.
    pub fn frame_info(&self) -> Option<&FrameInfo> {
        self.engine.frame.as_ref()
    }

    /// Input bytes consumed so far, in all.
    pub fn compressed_position(&self) -> u64 {
        self.engine.compressed_position
    }

    /// Output bytes produced so far, in all.
    pub fn decompressed_position(&self) -> u64 {
        self.engine.decompressed_position
    }

    /// Whether the decoder is between blocks (or frames) with no partial unit held: the point
    /// where a checkpoint is smallest.
    pub fn at_block_boundary(&self) -> bool {
        self.engine.at_block_boundary()
    }

    /// Bytes that would complete the unit being read (0 when every frame is complete).
    pub fn hint(&self) -> usize {
        self.engine.hint()
    }

    /// The 1-based number of the current frame (0 before the first).
    pub fn frame_number(&self) -> u64 {
        self.engine.frame_index
    }

    /// The name of the block codec in use.
    pub fn codec_name(&self) -> &'static str {
        self.codec.name()
    }

    /// The dictionary, if one was set.
    pub fn dictionary(&self) -> Option<&Dictionary> {
        self.dictionary.as_ref()
    }
}
