//! `lz4 --list FILE...`: the table `lz4` 1.10 prints (`LZ4IO_displayCompressedFilesInfo`): one
//! line per file (frames, frame type, block type such as `B7I`, compressed and uncompressed
//! size in lz4's human units, ratio), or with `-v` one line per frame. Built on the frame walker
//! that `lz4framed info` uses, so both report the same frames.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use lz4framed::{BlockMode, FrameInfo};

use lz4framed::frame::{
    FrameKindSeen as WalkedKind, FrameLayout as FrameSummary, FrameReader, Seeking,
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

/// The frames of one file, or `None` when it is not LZ4 data (lz4: "File format not
/// recognized": an unknown magic number, a damaged or truncated frame).
fn frames(path: &Path) -> io::Result<Option<(Vec<FrameSummary>, u64)>> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut walker = FrameReader::new(Seeking::new(file)?);
    let mut frames = Vec::new();
    loop {
        match walker.next_frame(&mut |_| {}) {
            Ok(Some(f)) => frames.push(f),
            Ok(None) => break,
            Err(lz4framed::Error::Io(e)) => return Err(e),
            Err(_) => return Ok(None),
        }
    }
    if frames.is_empty() {
        return Ok(None);
    }
    Ok(Some((frames, len)))
}

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
        let walked = match frames(path) {
            Ok(Some(w)) => w,
            Ok(None) | Err(_) => {
                let _ = out.flush();
                if display_level >= 1 {
                    eprintln!("lz4: {shown}: File format not recognized ");
                }
                return 1;
            }
        };
        let (frames, file_size) = walked;
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
