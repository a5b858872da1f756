//! Replays every committed corpus file (`corpus/<target>/`) and regression input
//! (`regressions/<target>/`) through the fuzz target functions, on stable Rust, so that
//! `cargo test --manifest-path fuzz/Cargo.toml` exercises the targets without nightly.
//! Each finding also has a test of its own, named after it (below).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("read_dir entry").path())
        .filter(|p| {
            // `open-*`: inputs of findings not fixed yet; their named tests below run them.
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            p.is_file() && !name.starts_with('.') && !name.starts_with("open-")
        })
        .collect();
    files.sort();
    files
}

/// Runs `target` on every file of `corpus/<name>/` and `regressions/<name>/`; fails naming
/// every file that panics.
fn replay(name: &str) {
    let target = lz4framed_fuzz::TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .expect("known target");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    let mut failed = Vec::new();
    for dir in ["corpus", "regressions"] {
        for file in files(&root.join(dir).join(name)) {
            let data = std::fs::read(&file).expect("read corpus file");
            count += 1;
            if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
                failed.push(file.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{name}: {} of {count} inputs fail: {failed:#?}",
        failed.len()
    );
    assert!(count > 0, "{name}: no corpus files");
}

/// Runs one regression input.
fn regression(target: &str, file: &str) {
    let f = lz4framed_fuzz::TARGETS
        .iter()
        .find(|(n, _)| *n == target)
        .map(|(_, f)| *f)
        .expect("known target");
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target)
        .join(file);
    f(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
}

#[test]
fn replay_block_roundtrip() {
    replay("block_roundtrip");
}

#[test]
fn replay_block_decode_diff() {
    replay("block_decode_diff");
}

#[test]
fn replay_frame_roundtrip() {
    replay("frame_roundtrip");
}

#[test]
fn replay_frame_decode_diff() {
    replay("frame_decode_diff");
}

#[test]
fn replay_frame_decode_deep() {
    replay("frame_decode_deep");
}

#[test]
fn replay_checkpoint() {
    replay("checkpoint");
}

#[test]
fn replay_parallel_decode_diff() {
    replay("parallel_decode_diff");
}

#[test]
fn replay_seek_index() {
    replay("seek_index");
}

#[test]
fn every_target_has_a_fuzz_binary_and_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, _) in lz4framed_fuzz::TARGETS {
        assert!(
            root.join("fuzz_targets")
                .join(format!("{name}.rs"))
                .is_file(),
            "{name}"
        );
        assert!(
            !files(&root.join("corpus").join(name)).is_empty(),
            "{name}: empty corpus"
        );
    }
}

// Findings, one test each (README.md, "Findings"). Open findings are `#[ignore]`d with the
// reason until fixed: `cargo test --manifest-path fuzz/Cargo.toml -- --ignored` shows them
// failing. When one is fixed, drop the `open-` prefix of its files and the `#[ignore]`.

/// F1: the rust-safe backend (lz4_flex) decodes blocks whose last sequences break the LZ4
/// end-of-block rules; `LZ4_decompress_safe_usingDict` rejects them (it takes a literal run
/// followed by fewer than 8 input bytes, or ending within 12 bytes of the destination
/// capacity, as the block's last literals).
#[test]
fn f1_rust_accepts_match_near_block_end() {
    regression("block_decode_diff", "f1-rust-accepts-match-near-block-end");
    regression(
        "block_decode_diff",
        "f1-rust-accepts-match-near-block-end-no-history",
    );
}

/// F2: with a destination capacity of 0, the C decoder accepts only the one-byte block `00`
/// (`LZ4_decompress_generic`'s `oend - op == 0` special case); the rust-safe backend also
/// decodes a lone token with a non-zero match-length nibble (`01`, `03`, `09`) to 0 bytes.
#[test]
fn f2_rust_accepts_lone_token_with_zero_capacity() {
    regression(
        "block_decode_diff",
        "f2-rust-accepts-lone-token-zero-capacity",
    );
}

/// F3 (core checkpoint): a decoder with `verify_checksums(false)` accepts a frame whose header
/// checksum is wrong, but `from_checkpoint` refuses that decoder's own checkpoint ("bad
/// checkpoint: descriptor: header checksum mismatch"), although the checkpoint records that
/// checksums are not verified (flags bit 5).
#[test]
fn f3_checkpoint_unverified_bad_header_checksum() {
    regression("checkpoint", "f3-checkpoint-unverified-bad-header-checksum");
}

/// F4 (core): an empty stored block (header `0x80000000`) as the last bytes fed left the decoder
/// in the block stage with a zero-length unit still to process, and `from_checkpoint` refused
/// that state's own checkpoint ("block size out of range"). Zero-length units are now processed
/// at once, and a checkpoint may hold a zero-size block stage.
#[test]
fn f4_empty_stored_block_at_end_of_input() {
    regression("checkpoint", "f4-empty-stored-block-at-end-of-input");
}

/// F5 (core): the frame decoder gave a block a destination smaller than the frame's block size
/// (the 255-fold expansion bound of its compressed size). The reference's end-of-block rules
/// are measured against the destination's capacity, so blocks that LZ4F accepts (with a
/// block-sized destination) were refused. The destination is the block size again.
#[test]
fn f5_small_block_capacity_changes_acceptance() {
    regression(
        "frame_decode_diff",
        "f5-small-block-capacity-changes-acceptance",
    );
}

/// Known difference 5 (by design): a block with a match offset of 0 is corrupt for lz4framed
/// (the block-decoder contract), while LZ4F accepts it; found by `frame_decode_deep` in CI,
/// where the target lacked that rule.
#[test]
fn d5_zero_offset_accepted_by_lz4f() {
    regression("frame_decode_deep", "d5-zero-offset-accepted-by-lz4f");
}

/// F9 (found in review): decoding in place (history directly before the destination in one
/// buffer) accepted a block whose match from the history ends in the last 5 bytes of the
/// destination, which decoding with the history as a separate slice refuses — in the simd and
/// scalar kernels (their unchecked short-match path took matches into the in-buffer history)
/// and in the C backend (the C library's prefix mode, chosen when the two slices are adjacent,
/// accepts what its external-dictionary mode refuses).
#[test]
fn f9_in_place_accepts_history_match_near_end() {
    regression(
        "block_decode_diff",
        "f9-in-place-accepts-history-match-near-end",
    );
}
