//! Decompression of an indexed file on several threads: the restart points of its
//! [`SeekIndex`] cut it into tasks of about [`CHUNK_SIZE`] of output, decoded by the workers of
//! an [`OrderedPool`] (linked frames too, from their restart points' windows) and delivered in
//! order. The `lz4` tool cannot decompress in parallel at all.

use std::io::Write;

use crate::codec::BlockCodec;
use crate::decompressor::Decompressor;
use crate::error::Error;
use crate::frame::MAX_DESCRIPTOR_LEN;
use crate::index::{parse_frame_header, SeekIndex};
use crate::output::ReusableBuf;
use crate::settings::Dictionary;
use crate::xxh32::Xxh32;

use super::pool::{BufferPool, OrderedPool, Work};
use super::{thread_count, RandomAccess, CHUNK_SIZE};

/// Decompression tasks: `(first entry, end entry)` ranges of about [`CHUNK_SIZE`] output.
fn tasks(index: &SeekIndex) -> Vec<(usize, usize)> {
    let e = index.entries();
    let last = e.len() - 1;
    let mut out = Vec::new();
    let mut a = 0;
    for b in 1..=last {
        if b == last || e[b].decompressed - e[a].decompressed >= CHUNK_SIZE as u64 {
            out.push((a, b));
            a = b;
        }
    }
    out
}

/// Check that `index` belongs to `source` (size and fingerprint).
fn verify_source<S: RandomAccess + ?Sized>(source: &S, index: &SeekIndex) -> Result<(), Error> {
    let size = source.size()?;
    let n = index.data_len();
    if size < n {
        return Err(Error::BadIndex(format!(
            "the index belongs to another file: it was built for {n} bytes of data, this file has {size}"
        )));
    }
    // Every byte of the output comes from a restart point at or before it: an index that
    // starts later (a cut-down one) would leave the bytes before its first point unwritten.
    if let Some(first) = index.entries().first().filter(|e| e.decompressed != 0) {
        return Err(Error::BadIndex(format!(
            "the index's first restart point is at decompressed offset {}, not 0: it covers \
             only part of the data (a cut-down index), and decompressing the whole needs all",
            first.decompressed
        )));
    }
    let span = crate::index::FINGERPRINT_SPAN.min(n as usize);
    let mut s1 = Vec::new();
    let mut s2 = Vec::new();
    let head = source.read_range(0, span, &mut s1)?;
    let tail = source.read_range(n - span as u64, span, &mut s2)?;
    let mut h = Xxh32::new(0);
    h.update(head);
    h.update(tail);
    let found = h.digest();
    if found != index.fingerprint() {
        return Err(Error::BadIndex(format!(
            "the index belongs to another file: fingerprint 0x{:08X} recorded, the file's is 0x{found:08X}",
            index.fingerprint()
        )));
    }
    // An index that promises more output than LZ4 can expand to is refused before anything is
    // allocated for it.
    if index.decompressed_size() > n.saturating_mul(255).saturating_add(1 << 16) {
        return Err(Error::BadIndex(
            "the decompressed size it records is impossible for the data".into(),
        ));
    }
    Ok(())
}

struct Decoding<'a, S: ?Sized> {
    source: &'a S,
    index: &'a SeekIndex,
    frame_starts: Vec<usize>,
    tasks: Vec<(usize, usize)>,
    codec: &'static dyn BlockCodec,
    dictionary: Option<&'a Dictionary>,
    buffers: BufferPool,
}

impl<'a, S: RandomAccess + ?Sized> Decoding<'a, S> {
    fn new(
        source: &'a S,
        index: &'a SeekIndex,
        dictionary: Option<&'a Dictionary>,
    ) -> Result<Self, Error> {
        verify_source(source, index)?;
        Ok(Decoding {
            source,
            index,
            frame_starts: index.frame_starts(),
            tasks: tasks(index),
            codec: crate::registry::auto(),
            dictionary,
            buffers: BufferPool::default(),
        })
    }

    /// Decode task `(a, b)` into `out` (cleared first).
    fn decode(
        &self,
        (a, b): (usize, usize),
        out: &mut ReusableBuf,
        scratch: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let e = self.index.entries();
        let data_len = self.index.data_len();
        let engine = self.index.restart_engine(
            a,
            &self.frame_starts,
            |fs| {
                let at = e[fs].compressed;
                let n = ((4 + MAX_DESCRIPTOR_LEN) as u64).min(data_len - at) as usize;
                let mut s = Vec::new();
                let head = self.source.read_range(at, n, &mut s)?;
                parse_frame_header(head, at, true)
            },
            self.codec,
            self.dictionary,
        )?;
        let mut dec = Decompressor::from_engine(self.codec, engine, self.dictionary.cloned());
        let (c0, c1) = (e[a].compressed, e[b].compressed);
        let input = self.source.read_range(c0, (c1 - c0) as usize, scratch)?;
        out.clear();
        dec.feed(input, out)?;
        if b == e.len() - 1 {
            dec.finish()?;
        }
        let want = e[b].decompressed - e[a].decompressed;
        if out.len() as u64 != want {
            return Err(Error::BadIndex(format!(
                "restart points {a}..{b} decode to {} bytes, the index says {want}",
                out.len()
            )));
        }
        Ok(())
    }
}

/// What a worker keeps between tasks.
#[derive(Default)]
struct Scratch {
    out: ReusableBuf,
    input: Vec<u8>,
}

/// A task: its number, and where its output goes when it is decoded straight into one buffer.
struct Task<'d> {
    index: usize,
    slot: Option<&'d mut [u8]>,
}

/// A task's output in a pooled buffer and its length; nothing when it went to its slot.
type TaskOutput = Result<Option<(Vec<u8>, usize)>, Error>;

impl<'a, S: RandomAccess + ?Sized> Work for Decoding<'a, S> {
    type Job = Task<'a>;
    type Output = TaskOutput;
    type State = Scratch;

    fn state(&self) -> Scratch {
        Scratch::default()
    }

    fn run(&self, s: &mut Scratch, task: Task<'a>) -> TaskOutput {
        let ctx = self;
        ctx.decode(ctx.tasks[task.index], &mut s.out, &mut s.input)?;
        Ok(match task.slot {
            Some(slot) => {
                slot.copy_from_slice(s.out.data());
                None
            }
            None => {
                // Hand the decoded buffer over and keep a pooled one for the next task.
                let n = s.out.len();
                let spare = ctx.buffers.take();
                let buf = std::mem::replace(&mut s.out.buf, spare);
                s.out.clear();
                Some((buf, n))
            }
        })
    }
}

/// Decompress the indexed `data` (a `.lz4` file in memory, with or without its embedded index)
/// on `threads` threads (0 = [`super::available_threads`]), from the restart points of `index`.
/// Output equals single-threaded decompression's.
///
/// ```
/// use lz4framed::FrameSettings;
/// use lz4framed::index::SeekIndex;
/// let data = b"decoded on many cores ".repeat(500_000);
/// let mut file = Vec::new();
/// let mut enc = lz4framed::index::SeekableEncoder::new(&mut file, &FrameSettings::new())?;
/// std::io::Write::write_all(&mut enc, &data)?;
/// enc.finish()?;
/// let index = SeekIndex::read_embedded(&mut std::io::Cursor::new(&file))?;
/// let back = lz4framed::parallel::decompress(&file, &index, 2)?;
/// assert_eq!(back, data);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decompress(data: &[u8], index: &SeekIndex, threads: usize) -> Result<Vec<u8>, Error> {
    decompress_with(data, index, threads, None)
}

/// [`decompress`] with a dictionary for frames compressed with one.
pub fn decompress_with(
    data: &[u8],
    index: &SeekIndex,
    threads: usize,
    dictionary: Option<&Dictionary>,
) -> Result<Vec<u8>, Error> {
    let ctx = Decoding::<_>::new(data, index, dictionary)?;
    let e = index.entries();
    // Every task decodes straight into its part of the result.
    let mut result = vec![0u8; index.decompressed_size() as usize];
    let mut rest: &mut [u8] = &mut result;
    let mut slots = Vec::with_capacity(ctx.tasks.len());
    for &(a, b) in &ctx.tasks {
        let (head, tail) = rest.split_at_mut((e[b].decompressed - e[a].decompressed) as usize);
        slots.push(head);
        rest = tail;
    }
    let threads = thread_count(threads).min(ctx.tasks.len()).max(1);
    std::thread::scope(|s| -> Result<(), Error> {
        let mut pool = OrderedPool::new(s, &ctx, threads);
        let mut deliver = |r: TaskOutput| r.map(drop);
        for (index, slot) in slots.into_iter().enumerate() {
            pool.submit(
                Task {
                    index,
                    slot: Some(slot),
                },
                &mut deliver,
            )?;
        }
        pool.finish(&mut deliver)
    })?;
    Ok(result)
}

/// Decompress the indexed file `source` on `threads` threads (0 =
/// [`super::available_threads`]) and write the output to `writer` in order, holding at most
/// about `3 × threads` tasks of 4 MiB in memory: the shape for files larger than memory.
/// Returns the writer and the bytes written.
pub fn decompress_to<S: RandomAccess + ?Sized, W: Write>(
    source: &S,
    index: &SeekIndex,
    threads: usize,
    dictionary: Option<&Dictionary>,
    mut writer: W,
) -> Result<(W, u64), Error> {
    let ctx = Decoding::<S>::new(source, index, dictionary)?;
    let threads = thread_count(threads);
    let mut total = 0u64;
    std::thread::scope(|s| -> Result<(), Error> {
        let mut pool = OrderedPool::new(s, &ctx, threads);
        let mut deliver = |r: TaskOutput| -> Result<(), Error> {
            if let Some((buf, n)) = r? {
                let w = writer.write_all(&buf[..n]);
                ctx.buffers.give(buf);
                w?;
                total += n as u64;
            }
            Ok(())
        };
        for index in 0..ctx.tasks.len() {
            pool.submit(Task { index, slot: None }, &mut deliver)?;
        }
        pool.finish(&mut deliver)
    })?;
    writer.flush()?;
    Ok((writer, total))
}
