//! `lz4framed info`: the frames of each file, as a table or as JSON.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Write};

use lz4framed::{BlockMode, BlockSize, Error};

use super::args::InfoArgs;
use super::errors::{CliError, CliResult, Exit};
use super::progress::human;
use lz4framed::frame::{
    FrameKindSeen as WalkedKind, FrameLayout as FrameSummary, FrameReader, Seeking, SkipRead,
    Streamed,
};

/// What was learnt about one file.
struct FileReport {
    name: String,
    frames: Vec<FrameSummary>,
    size: u64,
    error: Option<CliError>,
    /// Bytes after the last frame that are no frame: offset and length.
    trailing: Option<(u64, u64)>,
}

fn walk_file(name: String, path: &std::path::Path) -> FileReport {
    let mut report = FileReport {
        name,
        frames: Vec::new(),
        size: 0,
        error: None,
        trailing: None,
    };
    if path.as_os_str() == "-" {
        report.name = "stdin".to_string();
        if let Err(e) = super::input::refuse_terminal_stdin(path) {
            report.error = Some(e);
            return report;
        }
        return walk_source(report, Streamed(io::stdin().lock()));
    }
    let opened = File::open(path).and_then(|f| {
        if f.metadata()?.is_dir() {
            Err(io::Error::other("is a directory"))
        } else {
            Seeking::new(f)
        }
    });
    match opened {
        Ok(src) => walk_source(report, src),
        Err(e) => {
            report.error = Some(CliError::input(&report.name, &e));
            report
        }
    }
}

fn walk_source<S: SkipRead>(mut report: FileReport, src: S) -> FileReport {
    let mut walker = FrameReader::new(src);
    loop {
        match walker.next_frame(&mut |_| {}) {
            Ok(Some(f)) => report.frames.push(f),
            Ok(None) => break,
            Err(Error::Io(e)) => {
                report.error = Some(CliError::input(&report.name, &e));
                break;
            }
            Err(Error::TrailingData { offset, .. }) => {
                let read = walker.position();
                let mut src = walker.into_inner();
                match src.skip_forward(u64::MAX) {
                    Ok(rest) => report.trailing = Some((offset, read + rest - offset)),
                    Err(e) => report.error = Some(CliError::input(&report.name, &e)),
                }
                report.size = offset;
                return report;
            }
            Err(e) => {
                report.error = Some(CliError::library(&report.name, &e, Some(walker.position())));
                break;
            }
        }
    }
    if report.frames.is_empty() && report.error.is_none() {
        report.error = Some(CliError::new(
            Exit::Data,
            format!("{}: empty file, no frame", report.name),
        ));
    }
    report.size = walker.position();
    report
}

fn block_size_name(b: BlockSize) -> &'static str {
    match b {
        BlockSize::Max64KB => "64K",
        BlockSize::Max256KB => "256K",
        BlockSize::Max1MB => "1M",
        BlockSize::Max4MB => "4M",
    }
}

fn content_size(f: &FrameSummary) -> Option<u64> {
    match &f.kind {
        WalkedKind::Standard(info) => info.content_size,
        WalkedKind::Skippable(_) => Some(0),
        WalkedKind::Legacy => None,
    }
}

/// Sum of the content sizes when every data frame records one.
fn total_content(frames: &[FrameSummary]) -> Option<u64> {
    frames.iter().map(content_size).sum()
}

fn ratio(compressed: u64, content: Option<u64>) -> Option<f64> {
    content
        .filter(|&c| c > 0)
        .map(|c| compressed as f64 / c as f64)
}

fn text(reports: &[FileReport], out: &mut String) {
    for r in reports.iter().filter(|r| !r.frames.is_empty()) {
        let data_frames = r
            .frames
            .iter()
            .filter(|f| !matches!(f.kind, WalkedKind::Skippable(_)))
            .count();
        let content = total_content(&r.frames);
        let _ = write!(
            out,
            "{}: {} frame{}, {} compressed",
            r.name,
            data_frames,
            if data_frames == 1 { "" } else { "s" },
            human(r.size)
        );
        if let Some(c) = content {
            let _ = write!(out, ", {} content", human(c));
        }
        if let Some(x) = ratio(r.size, content) {
            let _ = write!(out, ", ratio {:.2}%", x * 100.0);
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "{:>7} {:>12}  {:<9} {:>5} {:<11} {:<15} {:>10} {:>14} {:>14} {:>8}",
            "Frame",
            "Offset",
            "Type",
            "Block",
            "Mode",
            "Checksums",
            "Dict ID",
            "Content size",
            "Compressed",
            "Ratio"
        );
        for f in &r.frames {
            let (ty, block, mode, sums, dict) = match &f.kind {
                WalkedKind::Standard(i) => (
                    "LZ4Frame",
                    i.block_size.map_or("-", block_size_name),
                    match i.block_mode {
                        BlockMode::Linked => "linked",
                        BlockMode::Independent => "independent",
                    },
                    match (i.content_checksum, i.block_checksum) {
                        (true, true) => "content+block",
                        (true, false) => "content",
                        (false, true) => "block",
                        (false, false) => "-",
                    },
                    i.dict_id.map_or("-".to_string(), |d| d.to_string()),
                ),
                WalkedKind::Legacy => ("Legacy", "8M", "independent", "-", "-".to_string()),
                WalkedKind::Skippable(_) => ("Skippable", "-", "-", "-", "-".to_string()),
            };
            let cs = content_size(f).map_or("-".to_string(), |c| c.to_string());
            let rt = ratio(f.compressed_size, content_size(f))
                .filter(|_| !matches!(f.kind, WalkedKind::Skippable(_)))
                .map_or("-".to_string(), |x| format!("{:.2}%", x * 100.0));
            let _ = writeln!(
                out,
                "{:>7} {:>12}  {:<9} {:>5} {:<11} {:<15} {:>10} {:>14} {:>14} {:>8}",
                f.number.map_or("-".to_string(), |n| n.to_string()),
                f.offset,
                ty,
                block,
                mode,
                sums,
                dict,
                cs,
                f.compressed_size,
                rt
            );
        }
        if let Some((offset, len)) = r.trailing {
            let _ = writeln!(
                out,
                "{:>7} {:>12}  trailing data: {len} bytes that are no LZ4 frame (not decoded)",
                "-", offset
            );
        }
    }
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("null".to_string(), |v| v.to_string())
}

fn json_ratio(v: Option<f64>) -> String {
    v.map_or("null".to_string(), |x| format!("{x:.6}"))
}

fn json(reports: &[FileReport], out: &mut String) {
    out.push_str("{\"files\":[");
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let content = total_content(&r.frames);
        let _ = write!(
            out,
            "{{\"file\":{},\"compressed_size\":{},\"content_size\":{},\"ratio\":{},\"error\":{},\"trailing\":{},\"frames\":[",
            json_string(&r.name),
            r.size,
            json_opt(content),
            json_ratio(ratio(r.size, content)),
            r.error
                .as_ref()
                .map_or("null".to_string(), |e| json_string(&e.message)),
            r.trailing.map_or("null".to_string(), |(offset, length)| format!(
                "{{\"offset\":{offset},\"length\":{length}}}"
            )),
        );
        for (j, f) in r.frames.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let _ = write!(
                out,
                "{{\"frame\":{},\"offset\":{},\"compressed_size\":{},",
                json_opt(f.number),
                f.offset,
                f.compressed_size
            );
            match &f.kind {
                WalkedKind::Standard(info) => {
                    let _ = write!(
                        out,
                        "\"type\":\"lz4\",\"block_size\":{},\"block_mode\":\"{}\",\"content_checksum\":{},\"block_checksum\":{},\"dict_id\":{},\"content_size\":{},\"blocks\":{},\"uncompressed_blocks\":{},\"ratio\":{}}}",
                        info.block_max_size(),
                        match info.block_mode {
                            BlockMode::Linked => "linked",
                            BlockMode::Independent => "independent",
                        },
                        info.content_checksum,
                        info.block_checksum,
                        json_opt(info.dict_id),
                        json_opt(info.content_size),
                        f.blocks,
                        f.stored_blocks,
                        json_ratio(ratio(f.compressed_size, info.content_size)),
                    );
                }
                WalkedKind::Legacy => {
                    let _ = write!(
                        out,
                        "\"type\":\"legacy\",\"block_size\":{},\"block_mode\":\"independent\",\"content_checksum\":false,\"block_checksum\":false,\"dict_id\":null,\"content_size\":null,\"blocks\":{},\"uncompressed_blocks\":0,\"ratio\":null}}",
                        lz4framed::frame::LEGACY_BLOCK_SIZE,
                        f.blocks
                    );
                }
                WalkedKind::Skippable(magic) => {
                    let _ = write!(out, "\"type\":\"skippable\",\"magic\":\"0x{magic:08X}\"}}");
                }
            }
        }
        out.push_str("]}");
    }
    out.push_str("]}\n");
}

/// Run `info`.
pub fn run(args: &InfoArgs) -> CliResult<Exit> {
    let reports: Vec<FileReport> = args
        .files
        .iter()
        .map(|p| walk_file(p.display().to_string(), p))
        .collect();
    let mut out = String::new();
    if args.json {
        json(&reports, &mut out);
    } else {
        text(&reports, &mut out);
    }
    io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(|e| CliError::output("stdout", &e))?;
    let mut worst = Exit::Ok;
    for r in &reports {
        if let Some(e) = &r.error {
            super::errors::report(e);
            worst = super::errors::worse(worst, e.exit);
        }
        if let Some((offset, len)) = r.trailing {
            eprintln!(
                "lz4framed: {}: warning: {len} trailing bytes at offset {offset} after the last \
                 frame are no LZ4 frame",
                r.name
            );
            worst = super::errors::worse(worst, Exit::Trailing);
        }
    }
    Ok(worst)
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
    }
}
