//! `lz4 --list FILE...`: the table `lz4` 1.10 prints (`LZ4IO_displayCompressedFilesInfo`): one
//! line per file (frames, frame type, block type such as `B7I`, compressed and uncompressed
//! size in lz4's human units, ratio), or with `-v` one line per frame. Built on the frame walker
//! that `lz4framed info` uses, so both report the same frames. A file whose last frame is cut
//! short gets lz4 1.9.4's status: listed (status 0) where lz4 does not notice, since it only
//! reads headers, with a warning (display level 2) saying what is missing; in the `-v` rows
//! its compressed size is the bytes present (lz4 adds up the block sizes past the end).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use lz4framed::{BlockMode, FrameInfo};

use lz4framed::frame::{
    BlockLayout, FrameKindSeen as WalkedKind, FrameLayout as FrameSummary, FrameReader, Seeking,
};

/// `1234567` → `1.18M` (lz4's `LZ4IO_toHuman`: two decimals, units K, M, G, … of 1024).
pub fn to_human(size: u64) -> String {
    const UNITS: &[u8] = b"KMGTPEZY";
    let mut v = size as f64;
    let mut unit = None;
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = Some(*u as char);
    }
    match unit {
        Some(u) => format!("{v:.2}{u}"),
        None => format!("{v:.2}"),
    }
}

/// `B7I`, `B4D`: block size ID and mode, as lz4's command line spells them.
fn block_type(info: &FrameInfo) -> String {
    let id = info.block_size.map_or(7, |b| b.id());
    let mode = match info.block_mode {
        BlockMode::Independent => 'I',
        BlockMode::Linked => 'D',
    };
    format!("B{id}{mode}")
}

fn type_name(kind: &WalkedKind) -> &'static str {
    match kind {
        WalkedKind::Standard(_) => "LZ4Frame",
        WalkedKind::Legacy => "LegacyFrame",
        WalkedKind::Skippable(_) => "SkippableFrame",
    }
}

/// What `--list` makes of one file.
enum Walked {
    /// Its frames and its size; with the error that cut the last frame short when lz4 lists
    /// that frame anyway (see [`cut_frame`]).
    Frames(Vec<FrameSummary>, u64, Option<lz4framed::Error>),
    /// Not LZ4 data as lz4 sees it (lz4: "File format not recognized", status 1), and why.
    NotRecognized(String),
    /// lz4 ends with this status and message (`Error 40 : ...`), as it does for a magic
    /// number or a frame header it cannot read.
    Fatal(i32, String),
}

/// The frames of one file. The walker reads every header and skips the blocks (seeking).
fn frames(path: &Path) -> io::Result<Walked> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut walker = FrameReader::new(Seeking::new(file)?);
    let mut frames = Vec::new();
    let mut last_block;
    let error = loop {
        last_block = None;
        match walker.next_frame(&mut |b| last_block = Some(*b)) {
            Ok(Some(f)) => frames.push(f),
            Ok(None) => break None,
            Err(lz4framed::Error::Io(e)) => return Err(e),
            Err(e) => break Some(e),
        }
    };
    let cut = match error {
        None => None,
        Some(e) => {
            let start = frames.last().map_or(0, |f| f.offset + f.compressed_size);
            let number = frames.iter().filter(|f| f.number.is_some()).count() as u64 + 1;
            match cut_frame(path, start, len, number, last_block, &e)? {
                Cut::Listed(f) => {
                    frames.push(f);
                    Some(e)
                }
                Cut::NotRecognized => return Ok(Walked::NotRecognized(e.to_string())),
                Cut::Fatal(status, message) => return Ok(Walked::Fatal(status, message)),
            }
        }
    };
    if frames.is_empty() {
        return Ok(Walked::NotRecognized("the file is empty".to_string()));
    }
    Ok(Walked::Frames(frames, len, cut))
}

/// What lz4 makes of the frame at `start` where the walk stopped with `error`.
enum Cut {
    /// Listed as a frame of the file (status 0).
    Listed(FrameSummary),
    /// "File format not recognized" (status 1).
    NotRecognized,
    /// lz4 ends with this status and message.
    Fatal(i32, String),
}

/// lz4 1.9.4's `--list` (`LZ4IO_getCompressedFileInfo`) reads each frame's magic number and
/// header and then seeks over the blocks by their headers without reading them, so a file
/// cut inside a frame's blocks or before its content checksum is listed as if complete
/// (status 0, sizes from the file's size and the header's content size). It stops only at a
/// unit it cannot read: 1 to 3 bytes where a magic number belongs (status 40), a frame header
/// that ends right after its first 7 bytes (71 with the magic alone, 72 when more are due), a
/// header cut shorter than that or with no block after it, a legacy block header cut short
/// ("not recognized"), a skippable frame without its size (42). `last_block` is the last
/// whole block the walk saw in this frame, `number` the frame's number.
fn cut_frame(
    path: &Path,
    start: u64,
    len: u64,
    number: u64,
    last_block: Option<BlockLayout>,
    error: &lz4framed::Error,
) -> io::Result<Cut> {
    let rest = len - start.min(len);

    if !matches!(
        error,
        lz4framed::Error::Truncated { .. } | lz4framed::Error::TrailingData { .. }
    ) {
        return Ok(Cut::NotRecognized);
    }
    if (1..4).contains(&rest) {
        return Ok(Cut::Fatal(
            40,
            "Error 40 : Unrecognized header : Magic Number unreadable ".to_string(),
        ));
    }
    if !matches!(error, lz4framed::Error::Truncated { .. }) || rest < 4 {
        return Ok(Cut::NotRecognized);
    }
    let mut head = Vec::with_capacity(MAX_HEADER);
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    file.take(MAX_HEADER as u64).read_to_end(&mut head)?;
    let magic = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let shown = path.display();
    let listed = |kind| {
        Cut::Listed(FrameSummary {
            number: (!matches!(kind, WalkedKind::Skippable(_))).then_some(number),
            offset: start,
            kind,
            compressed_size: rest,
            blocks: 0,
            stored_blocks: 0,
        })
    };
    Ok(match magic {
        lz4framed::frame::MAGIC => {
            if rest == 4 {
                return Ok(Cut::Fatal(71, format!("Error 71 : Error reading {shown} ")));
            }
            let flg = head[4];
            let header_len = 7 + if flg & 0x08 != 0 { 8 } else { 0 } + usize::from(flg & 1) * 4;
            if rest == 7 && header_len > 7 {
                return Ok(Cut::Fatal(72, format!("Error 72 : Error reading {shown} ")));
            }
            match lz4framed::frame_info(&head) {
                Ok(info) if rest > info.header_len as u64 => listed(WalkedKind::Standard(info)),
                _ => Cut::NotRecognized,
            }
        }
        lz4framed::frame::LEGACY_MAGIC => {
            // Listed when cut inside a block's data, not inside a block header: after the
            // last whole block (or the magic number) a whole block header must follow.
            let end = last_block.map_or(start + 4, |b| b.offset + 4 + u64::from(b.size));
            if len - end >= 4 {
                listed(WalkedKind::Legacy)
            } else {
                Cut::NotRecognized
            }
        }
        m if (lz4framed::frame::SKIPPABLE_MAGIC_FIRST..=lz4framed::frame::SKIPPABLE_MAGIC_LAST)
            .contains(&m) =>
        {
            if rest < 8 {
                return Ok(Cut::Fatal(
                    42,
                    "Error 42 : Stream error : skippable size unreadable ".to_string(),
                ));
            }
            listed(WalkedKind::Skippable(m))
        }
        _ => Cut::NotRecognized,
    })
}

/// The longest frame header: magic, FLG, BD, content size, dictionary ID, header checksum.
const MAX_HEADER: usize = 19;

fn content(f: &FrameSummary) -> Option<u64> {
    match &f.kind {
        WalkedKind::Standard(info) => info.content_size.filter(|&n| n > 0),
        _ => None,
    }
}

/// Run `--list` over `files` at `display_level` (3 and above: one line per frame). Returns
/// the exit status (1 at the first file that is not a regular file or not LZ4 data, as lz4).
pub fn run(files: &[std::ffi::OsString], display_level: u32) -> i32 {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let verbose = display_level >= 3;
    if !verbose {
        let _ = writeln!(
            out,
            "{:>10} {:>14} {:>5} {:>11} {:>13} {:>8}   Filename",
            "Frames", "Type", "Block", "Compressed", "Uncompressed", "Ratio"
        );
    }
    for (i, name) in files.iter().enumerate() {
        let path = Path::new(name);
        let shown = name.to_string_lossy();
        let base = path
            .file_name()
            .map_or_else(|| shown.to_string(), |b| b.to_string_lossy().into_owned());
        let regular = if name == "-" {
            false
        } else {
            std::fs::metadata(path).is_ok_and(|m| m.is_file())
        };
        if !regular {
            let _ = out.flush();
            if display_level >= 1 {
                eprintln!("lz4: {shown} is not a regular file ");
            }
            return 1;
        }
        let (frames, file_size) = match frames(path) {
            Ok(Walked::Frames(frames, size, cut)) => {
                if let Some(e) = cut.filter(|_| display_level >= 2) {
                    // lz4 lists a cut frame without a word; say what is missing.
                    let _ = out.flush();
                    eprintln!("lz4: {shown}: warning: the last frame is incomplete: {e}");
                }
                (frames, size)
            }
            Ok(Walked::NotRecognized(e)) => {
                let _ = out.flush();
                if display_level >= 1 {
                    eprintln!("lz4: {shown}: File format not recognized ({e})");
                }
                return 1;
            }
            Ok(Walked::Fatal(status, message)) => {
                let _ = out.flush();
                if display_level >= 1 {
                    eprintln!("{message}");
                }
                return status;
            }
            Err(e) => {
                let _ = out.flush();
                if display_level >= 1 {
                    eprintln!("lz4: {shown}: {}", crate::cli::errors::io_reason(&e));
                }
                return 1;
            }
        };
        if verbose {
            let _ = writeln!(out, "{base}({}/{})", i + 1, files.len());
            let _ = writeln!(
                out,
                "    {:>6} {:>14} {:>5} {:>8} {:>20} {:>20} {:>9}",
                "Frame", "Type", "Block", "Checksum", "Compressed", "Uncompressed", "Ratio"
            );
            for (n, f) in frames.iter().enumerate() {
                let (block, checksum) = match &f.kind {
                    WalkedKind::Standard(info) => (
                        block_type(info),
                        if info.content_checksum { "XXH32" } else { "-" },
                    ),
                    _ => ("-".to_string(), "-"),
                };
                let _ = write!(
                    out,
                    "    {:>6} {:>14} {:>5} {:>8} {:>20}",
                    n + 1,
                    type_name(&f.kind),
                    block,
                    checksum,
                    f.compressed_size
                );
                let _ = match content(f) {
                    Some(c) => writeln!(
                        out,
                        " {:>20} {:>9.2}%",
                        c,
                        f.compressed_size as f64 / c as f64 * 100.0
                    ),
                    None => writeln!(out, " {:>20} {:>9} ", "-", "-"),
                };
            }
            let _ = writeln!(out);
            continue;
        }
        let first = &frames[0];
        let same_type = frames
            .iter()
            .all(|f| type_name(&f.kind) == type_name(&first.kind));
        // lz4 compares block types only between LZ4 frames, and any legacy or skippable frame
        // makes the column "-".
        let same_block = frames.iter().all(|f| match (&f.kind, &first.kind) {
            (WalkedKind::Standard(a), WalkedKind::Standard(b)) => block_type(a) == block_type(b),
            _ => false,
        });
        let all_content: Option<u64> = frames.iter().map(content).sum();
        let _ = write!(
            out,
            "{:>10} {:>14} {:>5} {:>11} {:>13} ",
            frames.len(),
            if same_type {
                type_name(&first.kind)
            } else {
                "-"
            },
            match (&first.kind, same_block) {
                (WalkedKind::Standard(info), true) => block_type(info),
                _ => "-".to_string(),
            },
            to_human(file_size),
            all_content.map_or_else(|| "-".to_string(), to_human)
        );
        let _ = match all_content {
            Some(c) => writeln!(
                out,
                "{:>8.2}%  {base} ",
                file_size as f64 / c as f64 * 100.0
            ),
            None => writeln!(out, "{:>8}   {base}", "-"),
        };
    }
    0
}

#[cfg(test)]
mod tests {
    use super::to_human;

    #[test]
    fn human_units_as_lz4() {
        assert_eq!(to_human(0), "0.00");
        assert_eq!(to_human(1023), "1023.00");
        assert_eq!(to_human(1024), "1.00K");
        assert_eq!(to_human(1_234_567), "1.18M");
    }
}
