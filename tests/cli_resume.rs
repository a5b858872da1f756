//! `lz4framed decompress --resume STATEFILE`: interrupted runs (a killed process, an input that
//! ended early) continue from the last checkpoint and end byte-identical to an uninterrupted run.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use lz4framed::{BlockMode, FrameSettings};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lz4framed"))
}

fn sample(mode: BlockMode) -> (Vec<u8>, Vec<u8>) {
    let data = mixed(6_000_000, 51);
    let s = FrameSettings::new().block_mode(mode).content_checksum(true);
    let frame = lz4framed::compress_with(&data, &s).unwrap();
    (data, frame)
}

fn no_leftovers(dir: &Path, out: &str) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains("lz4framed-partial") && !n.ends_with(".tmp")),
        "leftovers: {names:?}"
    );
    assert!(names.iter().any(|n| n == out));
}

#[test]
fn input_that_ends_early_then_the_full_input() {
    for mode in [BlockMode::Linked, BlockMode::Independent] {
        let (data, frame) = sample(mode);
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("full.lz4");
        let cut = dir.path().join("cut.lz4");
        std::fs::write(&full, &frame).unwrap();
        std::fs::write(&cut, &frame[..frame.len() * 3 / 5]).unwrap();
        let state = dir.path().join("state");
        let out = dir.path().join("out");

        let r = bin()
            .args(["decompress", "--resume"])
            .arg(&state)
            .args(["--checkpoint-every", "1"])
            .arg(&cut)
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            r.status.code(),
            Some(4),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
        let msg = String::from_utf8_lossy(&r.stderr);
        assert!(msg.contains("progress saved"), "{msg}");
        assert!(state.exists() && !out.exists(), "no partial OUTFILE");

        let r = bin()
            .args(["decompress", "--resume"])
            .arg(&state)
            .arg(&full)
            .arg(&out)
            .output()
            .unwrap();
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        assert!(std::fs::read(&out).unwrap() == data, "{mode:?}");
        assert!(!state.exists());
        no_leftovers(dir.path(), "out");
    }
}

#[test]
fn killed_process_resumes_from_its_last_checkpoint() {
    let (data, frame) = sample(BlockMode::Linked);
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.lz4");
    std::fs::write(&full, &frame).unwrap();
    let state = dir.path().join("state");
    let out = dir.path().join("out");

    // Feed half the input through a pipe, wait for a checkpoint, then kill the process.
    let mut child = bin()
        .args(["decompress", "-q", "--resume"])
        .arg(&state)
        .args(["--checkpoint-every", "1", "-"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&frame[..frame.len() / 2]).unwrap();
    stdin.flush().unwrap();
    let start = Instant::now();
    while !state.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no checkpoint written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();
    drop(stdin);
    assert!(!out.exists());

    // Rerun on the complete file: it seeks to the checkpoint and finishes.
    let r = bin()
        .args(["decompress", "--resume"])
        .arg(&state)
        .arg(&full)
        .arg(&out)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(std::fs::read(&out).unwrap() == data);
    no_leftovers(dir.path(), "out");
}

#[test]
fn resume_refuses_stdout_and_a_damaged_state() {
    let (_, frame) = sample(BlockMode::Independent);
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.lz4");
    std::fs::write(&full, &frame).unwrap();
    let state = dir.path().join("state");
    let r = bin()
        .args(["decompress", "--resume"])
        .arg(&state)
        .arg(&full)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    std::fs::write(&state, b"L4CP\x01garbage").unwrap();
    let r = bin()
        .args(["decompress", "--resume"])
        .arg(&state)
        .arg(&full)
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&r.stderr).contains("bad checkpoint"));
}

#[test]
fn trailing_data_ends_as_without_resume() {
    // Zero padding after the last frame: decompress keeps the output and warns (exit code 5);
    // with --resume the same, also when resumed from a checkpoint before the padding.
    let (data, frame) = sample(BlockMode::Independent);
    let dir = tempfile::tempdir().unwrap();
    let padded = dir.path().join("padded.lz4");
    let cut = dir.path().join("cut.lz4");
    std::fs::write(&padded, [frame.as_slice(), &[0; 1000]].concat()).unwrap();
    std::fs::write(&cut, &frame[..frame.len() / 2]).unwrap();
    let plain = bin()
        .arg("decompress")
        .arg(&padded)
        .arg(dir.path().join("plain"))
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(5));
    let state = dir.path().join("state");
    let resume = |input: &Path| {
        bin()
            .args(["decompress", "--checkpoint-every", "1", "--resume"])
            .arg(&state)
            .arg(input)
            .arg(dir.path().join("out"))
            .output()
            .unwrap()
    };
    for first in [None, Some(&cut)] {
        if let Some(cut) = first {
            assert_eq!(resume(cut).status.code(), Some(4));
            assert!(state.exists());
        }
        let r = resume(&padded);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(5), "{stderr}");
        assert!(stderr.contains("1000 trailing bytes at offset"), "{stderr}");
        assert!(std::fs::read(dir.path().join("out")).unwrap() == data);
        assert!(!state.exists());
        no_leftovers(dir.path(), "out");
        std::fs::remove_file(dir.path().join("out")).unwrap();
    }
}

#[test]
fn another_input_or_output_is_refused() {
    // Two inputs of the same layout (incompressible data: every block stored, so every block
    // boundary at the same offset) and no content checksum, which would otherwise be the only
    // check: a state saved for one must not continue the other.
    let dir = tempfile::tempdir().unwrap();
    let s = FrameSettings::new()
        .block_mode(BlockMode::Independent)
        .block_size(lz4framed::BlockSize::Max64KB);
    let a = random_bytes(3 << 20, 61);
    let b = random_bytes(3 << 20, 62);
    let (fa, fb) = (
        lz4framed::compress_with(&a, &s).unwrap(),
        lz4framed::compress_with(&b, &s).unwrap(),
    );
    assert_eq!(fa.len(), fb.len());
    let path = |n: &str| dir.path().join(n);
    std::fs::write(path("a.lz4"), &fa).unwrap();
    std::fs::write(path("b.lz4"), &fb).unwrap();
    std::fs::write(path("cut.lz4"), &fa[..fa.len() / 2]).unwrap();
    let resume = |input: &str| {
        bin()
            .args(["decompress", "--checkpoint-every", "1", "--resume"])
            .arg(path("state"))
            .arg(path(input))
            .arg(path("out"))
            .output()
            .unwrap()
    };
    assert_eq!(resume("cut.lz4").status.code(), Some(4));
    let saved = std::fs::read(path("state")).unwrap();
    let r = resume("b.lz4");
    let msg = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(4), "{msg}");
    assert!(
        msg.contains("the checkpoint is not of") && msg.contains("b.lz4"),
        "{msg}"
    );
    // The partial output of another run (here: damaged before the checkpoint).
    let partial = path(".out.lz4framed-partial");
    let mut bytes = std::fs::read(&partial).unwrap();
    let at = bytes.len() - 10;
    bytes[at] ^= 1;
    std::fs::write(&partial, &bytes).unwrap();
    let r = resume("a.lz4");
    let msg = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(4), "{msg}");
    assert!(msg.contains("lz4framed-partial"), "{msg}");
    bytes[at] ^= 1;
    std::fs::write(&partial, &bytes).unwrap();
    // The right pair continues.
    assert_eq!(std::fs::read(path("state")).unwrap(), saved);
    let r = resume("a.lz4");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(std::fs::read(path("out")).unwrap() == a);
    no_leftovers(dir.path(), "out");

    // A bare checkpoint (what earlier versions wrote to STATEFILE) is still restored.
    let mut d = lz4framed::Decompressor::new();
    let mut head = Vec::new();
    d.decompress(&fa[..fa.len() / 3], &mut head).unwrap();
    std::fs::write(path("state"), d.checkpoint()).unwrap();
    std::fs::write(&partial, &head).unwrap();
    std::fs::remove_file(path("out")).unwrap();
    let r = resume("a.lz4");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(std::fs::read(path("out")).unwrap() == a);
}

/// A symlinked OUTFILE is written through with --resume as without it (and as `lz4`, which
/// opens OUTFILE, does): the file it points to gets the output, the link stays a link, the
/// partial file lives beside the link's file, and none is left behind. A dangling link's
/// target is created. `/dev/null` is refused (no file to rename into place).
#[test]
fn resume_writes_through_a_symlinked_outfile() {
    use std::os::unix::fs::symlink;
    let (data, frame) = sample(BlockMode::Independent);
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n);
    let elsewhere = path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(path("full.lz4"), &frame).unwrap();
    std::fs::write(path("cut.lz4"), &frame[..frame.len() / 2]).unwrap();
    let real = elsewhere.join("real");
    std::fs::write(&real, b"old").unwrap();
    symlink(&real, path("link")).unwrap();
    let resume = |input: &str, out: &str, force: bool| {
        let mut c = bin();
        c.args(["decompress", "-q", "--checkpoint-every", "1", "--resume"])
            .arg(path("state"));
        if force {
            c.arg("-f");
        }
        c.arg(path(input)).arg(path(out)).output().unwrap()
    };
    let is_link = |p: &Path| {
        std::fs::symlink_metadata(p)
            .unwrap()
            .file_type()
            .is_symlink()
    };
    // Without -f an existing file behind the link is kept, as without --resume.
    let r = resume("full.lz4", "link", false);
    assert_eq!(r.status.code(), Some(3));
    assert_eq!(std::fs::read(&real).unwrap(), b"old");
    // Interrupted (the input ends early), then continued: through the link both times.
    let r = resume("cut.lz4", "link", true);
    assert_eq!(
        r.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(elsewhere.join(".real.lz4framed-partial").exists());
    let r = resume("full.lz4", "link", true);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(is_link(&path("link")));
    assert!(std::fs::read(&real).unwrap() == data);
    no_leftovers(&elsewhere, "real");
    no_leftovers(dir.path(), "link");

    // A dangling link: its target is created.
    symlink("made", path("dangling")).unwrap();
    let r = resume("full.lz4", "dangling", false);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(is_link(&path("dangling")));
    assert!(std::fs::read(path("made")).unwrap() == data);
    no_leftovers(dir.path(), "made");

    let r = bin()
        .args(["decompress", "-f", "--resume"])
        .arg(path("state"))
        .arg(path("full.lz4"))
        .arg("/dev/null")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&r.stderr).contains("not a regular file"));
}
