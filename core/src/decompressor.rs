//! The push-style [`Decompressor`]: feed it any slices of input, get decoded bytes appended to
//! a `Vec`.

use crate::backend::Backend;
use crate::checkpoint::{self, DictBinding};
use crate::codec::BlockCodec;
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
pub struct Decompressor {
    pub(crate) codec: &'static dyn BlockCodec,
    pub(crate) dictionary: Option<Dictionary>,
    pub(crate) engine: Engine,
    /// Decoded bytes restored from a checkpoint, handed out before anything else.
    pub(crate) carry: Vec<u8>,
    /// The dictionary a restored state was bound to, until checked against the one supplied.
    pub(crate) dict_binding: Option<DictBinding>,
}

impl Clone for Decompressor {
    fn clone(&self) -> Self {
        Decompressor {
            codec: self.codec,
            dictionary: self.dictionary.clone(),
            engine: self.engine.clone(),
            carry: self.carry.clone(),
            dict_binding: self.dict_binding,
        }
    }
}

impl std::fmt::Debug for Decompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decompressor")
            .field("codec", &self.codec.name())
            .field("dictionary", &self.dictionary)
            .field("compressed_position", &self.engine.compressed_position())
            .field(
                "decompressed_position",
                &self.engine.decompressed_position(),
            )
            .field("frame_info", &self.engine.frame())
            .finish_non_exhaustive()
    }
}

impl Default for Decompressor {
    fn default() -> Self {
        Self::new()
    }
}

impl Decompressor {
    /// A decompressor on the `Auto` backend.
    pub fn new() -> Self {
        Self::with_codec(crate::registry::auto())
    }

    /// A decompressor on `backend`.
    pub fn with_backend(backend: impl Into<Backend>) -> Result<Self, Error> {
        Ok(Self::with_codec(backend.into().codec()?))
    }

    /// A decompressor on a specific codec.
    pub fn with_codec(codec: &'static dyn BlockCodec) -> Self {
        Decompressor {
            codec,
            dictionary: None,
            engine: Engine::new(),
            carry: Vec::new(),
            dict_binding: None,
        }
    }

    /// A decompressor around a prepared engine state (a seek-index restart point).
    pub(crate) fn from_engine(
        codec: &'static dyn BlockCodec,
        engine: Engine,
        dictionary: Option<Dictionary>,
    ) -> Self {
        Decompressor {
            codec,
            dictionary,
            engine,
            carry: Vec::new(),
            dict_binding: None,
        }
    }

    /// Serialize the whole decoder state — valid at any input position, mid-block included —
    /// into a few bytes ([checkpoint format v1](crate::checkpoint)): positions, the frame
    /// descriptor, the running content checksum, any partial unit and, in linked frames, the
    /// 64 KiB window (stored LZ4-compressed). Restore it with
    /// [`Decompressor::from_checkpoint`] and feed the input from
    /// [`Decompressor::compressed_position`] on.
    ///
    /// ```
    /// use lz4framed::Decompressor;
    /// let data = b"resumable ".repeat(10_000);
    /// let frame = lz4framed::compress(&data);
    /// let (head, tail) = frame.split_at(frame.len() / 2);
    ///
    /// let mut d = Decompressor::new();
    /// let mut out = Vec::new();
    /// d.decompress(head, &mut out)?;
    /// let saved: Vec<u8> = d.checkpoint(); // e.g. written to disk
    ///
    /// // ... after a crash:
    /// let mut d = Decompressor::from_checkpoint(&saved)?;
    /// assert_eq!(d.compressed_position(), head.len() as u64);
    /// out.truncate(d.decompressed_position() as usize);
    /// d.decompress(tail, &mut out)?;
    /// d.finish()?;
    /// assert_eq!(out, data);
    /// # Ok::<(), lz4framed::Error>(())
    /// ```
    pub fn checkpoint(&self) -> Vec<u8> {
        self.checkpoint_with_output(&self.carry)
    }

    pub(crate) fn checkpoint_with_output(&self, pending_output: &[u8]) -> Vec<u8> {
        let binding = self
            .dictionary
            .as_ref()
            .map(DictBinding::of)
            .or(self.dict_binding);
        checkpoint::write(&self.engine, self.codec, pending_output, binding)
    }

    /// Restore a decompressor from [`Decompressor::checkpoint`] bytes, on the `Auto` backend.
    /// Any byte string either restores a consistent decoder or is refused with
    /// [`Error::BadCheckpoint`]. A state taken with a dictionary needs it again
    /// ([`Decompressor::with_dictionary`]); the next `decompress` checks it.
    pub fn from_checkpoint(bytes: &[u8]) -> Result<Self, Error> {
        Self::restore(bytes, crate::registry::auto())
    }

    /// Like [`Decompressor::from_checkpoint`], on `backend`.
    pub fn from_checkpoint_with_backend(
        bytes: &[u8],
        backend: impl Into<Backend>,
    ) -> Result<Self, Error> {
        Self::restore(bytes, backend.into().codec()?)
    }

    fn restore(bytes: &[u8], codec: &'static dyn BlockCodec) -> Result<Self, Error> {
        let r = checkpoint::read(bytes, codec)?;
        Ok(Decompressor {
            codec,
            dictionary: None,
            engine: r.engine,
            carry: r.pending_output,
            dict_binding: r.dict,
        })
    }

    /// Use `dictionary` for frames compressed with one. A frame that records a dictionary ID
    /// is refused unless a dictionary is set, and when the dictionary's own ID is non-zero it
    /// must match.
    #[must_use]
    pub fn with_dictionary(mut self, dictionary: Dictionary) -> Self {
        self.dictionary = Some(dictionary);
        self
    }

    /// Whether to verify header, block and content checksums (default: yes). Turning it off
    /// trades integrity checking for speed.
    #[must_use]
    pub fn verify_checksums(mut self, verify: bool) -> Self {
        self.engine.set_verify(verify);
        self
    }

    /// Decode `input`, appending the result to `out`. All of `input` is consumed (a partial
    /// unit is kept inside). On error the decompressor is spent: later calls return
    /// [`Error::InvalidState`].
    pub fn decompress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<Status, Error> {
        if !self.carry.is_empty() {
            out.append(&mut self.carry);
        }
        let mut sink = VecOutput::new(out);
        self.feed(input, &mut sink)
    }

    pub(crate) fn feed(&mut self, input: &[u8], out: &mut dyn Output) -> Result<Status, Error> {
        self.check_dictionary()?;
        let dict = self.dictionary.as_ref();
        self.engine.feed(self.codec, dict, input, out)
    }

    /// [`Engine::feed_units`]: feed within a decoding call that spans several feeds.
    pub(crate) fn feed_units(
        &mut self,
        input: &[u8],
        out: &mut dyn Output,
    ) -> Result<Status, Error> {
        self.check_dictionary()?;
        let dict = self.dictionary.as_ref();
        self.engine.feed_units(self.codec, dict, input, out)
    }

    /// A restored state bound to a dictionary: the one supplied must be it.
    fn check_dictionary(&mut self) -> Result<(), Error> {
        if let Some(want) = self.dict_binding {
            let frame = self.engine.frame_number();
            match &self.dictionary {
                None => {
                    return Err(Error::DictionaryMissing {
                        frame,
                        dict_id: want.id,
                    })
                }
                Some(d) if d.fingerprint() != want.fingerprint => {
                    return Err(Error::DictionaryMismatch {
                        frame,
                        expected: want.id,
                        found: d.id(),
                    })
                }
                Some(_) => self.dict_binding = None,
            }
        }
        Ok(())
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
        self.engine.frame()
    }

    /// Input bytes consumed so far, in all.
    pub fn compressed_position(&self) -> u64 {
        self.engine.compressed_position()
    }

    /// Output bytes handed to the caller so far, in all (for a restored decompressor: where its
    /// output continues).
    pub fn decompressed_position(&self) -> u64 {
        self.engine.decompressed_position() - self.carry.len() as u64
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
        self.engine.frame_number()
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
