//! Compressed size against the `lz4` tool at level 1, with the same frame settings: the
//! comparison behind the target "every backend offering level 1 within +1 % of `lz4 -1`, on
//! every kind of input and size" (DESIGN.md, Performance), used by `tests/ratio.rs` and the
//! report's ratio table.
//!
//! Both sides write the same frame options (block size and mode, content checksum, no content
//! size, no block checksum), so the frame overhead is equal and the sizes differ only by the
//! blocks' compressed bytes.

use std::io::Write;
use std::process::{Command, Stdio};

use lz4framed::{Backend, BlockMode, BlockSize, FrameSettings};

/// Frame settings compared: the `lz4` tool's flags and lz4framed's [`FrameSettings`] for them.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Short name, e.g. `4M-indep+xxh`.
    pub name: &'static str,
    /// Maximum block size.
    pub block_size: BlockSize,
    /// Linked or independent blocks.
    pub block_mode: BlockMode,
    /// Content checksum on.
    pub content_checksum: bool,
}

/// The tool's defaults (4 MiB independent blocks, content checksum) and the library's (64 KiB
/// linked blocks, no checksum), plus 64 KiB independent blocks.
pub const SETTINGS: [Settings; 3] = [
    Settings {
        name: "4M-indep+xxh",
        block_size: BlockSize::Max4MB,
        block_mode: BlockMode::Independent,
        content_checksum: true,
    },
    Settings {
        name: "64K-linked",
        block_size: BlockSize::Max64KB,
        block_mode: BlockMode::Linked,
        content_checksum: false,
    },
    Settings {
        name: "64K-indep",
        block_size: BlockSize::Max64KB,
        block_mode: BlockMode::Independent,
        content_checksum: false,
    },
];

impl Settings {
    /// The `lz4` command line (1.9.x) for these settings at level 1, reading stdin and writing
    /// stdout.
    pub fn lz4_args(&self) -> Vec<&'static str> {
        let mut args = vec!["-1", "-c", "-q"];
        args.push(match self.block_size {
            BlockSize::Max64KB => "-B4",
            BlockSize::Max256KB => "-B5",
            BlockSize::Max1MB => "-B6",
            BlockSize::Max4MB => "-B7",
        });
        if self.block_mode == BlockMode::Linked {
            args.push("-BD");
        }
        if !self.content_checksum {
            args.push("--no-frame-crc");
        }
        args
    }

    /// lz4framed's settings for the same frame at level 1 on `backend`.
    pub fn frame_settings(&self, backend: Backend) -> FrameSettings {
        FrameSettings::new()
            .level(1)
            .block_size(self.block_size)
            .block_mode(self.block_mode)
            .content_checksum(self.content_checksum)
            .content_size(None)
            .backend(backend)
    }
}

/// The `lz4` tool's version line, or `None` when it is not installed.
pub fn lz4_version() -> Option<String> {
    let out = Command::new("lz4").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The size of `lz4 args` run on `input` (stdin to stdout).
///
/// # Panics
///
/// If the tool cannot be run or fails.
pub fn lz4_size(args: &[&str], input: &[u8]) -> usize {
    let mut child = Command::new("lz4")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the lz4 tool");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let out = std::thread::scope(|s| {
        s.spawn(move || {
            // A write error shows as the tool's failure below.
            let _ = stdin.write_all(input);
        });
        child.wait_with_output().expect("wait for the lz4 tool")
    });
    assert!(
        out.status.success(),
        "lz4 {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.len()
}

/// The backends that offer level 1 in this build, with their codec names.
pub fn level1_backends() -> Vec<(Backend, &'static str)> {
    lz4framed::backends()
        .into_iter()
        .filter(|b| b.available && b.levels.contains(&1))
        .map(|b| (b.backend, b.name))
        .collect()
}

/// The size of lz4framed's frame of `input` with `settings` on `backend`, checked to decode
/// back to `input`.
///
/// # Panics
///
/// If compression fails or the frame does not round-trip.
pub fn lz4framed_size(settings: &Settings, backend: Backend, input: &[u8]) -> usize {
    let frame = lz4framed::compress_with(input, &settings.frame_settings(backend))
        .unwrap_or_else(|e| panic!("{backend} {}: {e}", settings.name));
    let back = lz4framed::decompress(&frame).unwrap_or_else(|e| {
        panic!(
            "{backend} {}: own frame does not decode: {e}",
            settings.name
        )
    });
    assert!(
        back == input,
        "{backend} {}: round trip differs",
        settings.name
    );
    frame.len()
}

/// Whether `ours` is within the target of `reference` (the `lz4` tool's size): at most 1 %
/// larger, rounded down to whole bytes (so equal sizes are required below 100 bytes).
pub fn within_target(ours: usize, reference: usize) -> bool {
    ours <= reference + reference / 100
}

/// `ours` relative to `reference`, in percent (+ = larger).
pub fn excess_percent(ours: usize, reference: usize) -> f64 {
    (ours as f64 / reference as f64 - 1.0) * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_arithmetic() {
        assert!(within_target(100, 100));
        assert!(within_target(101, 100));
        assert!(!within_target(102, 100));
        assert!(!within_target(21, 20));
        assert!(within_target(19, 20));
        assert!((excess_percent(101, 100) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn lz4_arguments() {
        assert_eq!(SETTINGS[0].lz4_args(), ["-1", "-c", "-q", "-B7"]);
        assert_eq!(
            SETTINGS[1].lz4_args(),
            ["-1", "-c", "-q", "-B4", "-BD", "--no-frame-crc"]
        );
    }
}
