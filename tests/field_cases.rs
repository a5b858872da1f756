//! The field cases of `../shared/cases/` (faults seen when lz4framed was used the way people
//! use `.lz4` files), each as a test of its whole kind: concatenated frames on every thread
//! count, concatenated seekable files, trailing bytes after valid frames, many tiny frames.
//! Expected results come from the cases' README (the original bytes, sha256 sums) and from the
//! data each test generates.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

mod common;
use lz4framed::index::SeekableEncoder;
use lz4framed::{BlockMode, BlockSize, FrameSettings};

fn bin() -> Command {
    Command::cargo_bin("lz4framed").expect("the lz4framed binary is built")
}

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/cases")
        .join(name)
}

/// A case file, or `None` (with a note) when the shared cases are not beside the checkout.
fn read_case(name: &str) -> Option<Vec<u8>> {
    match std::fs::read(case(name)) {
        Ok(b) => Some(b),
        Err(e) => {
            eprintln!("skipping {name}: {e}");
            None
        }
    }
}

fn sha256(data: &[u8]) -> String {
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum");
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(data).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)[..64].to_string()
}

/// `lz4framed decompress -T threads` of `input` (fed on stdin when `stdin`) to stdout.
fn decompress(input: &[u8], threads: usize, stdin: bool, path: &Path) -> Output {
    let t = threads.to_string();
    if stdin {
        bin()
            .args(["decompress", "-T", &t, "-", "-"])
            .write_stdin(input.to_vec())
            .output()
            .unwrap()
    } else {
        std::fs::write(path, input).unwrap();
        bin()
            .args(["decompress", "-T", &t])
            .arg(path)
            .arg("-")
            .output()
            .unwrap()
    }
}

/// Two checksummed frames back to back (made by us and by the lz4 tool) decode right on
/// every run and every thread count; more frames of every kind are covered by
/// `tests/parallel.rs` (library) and the `parallel_decode_diff` fuzz target.
#[test]
fn concatenated_checksummed_frames_on_every_run_and_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["concat-two-checksummed.lz4", "concat-two-lz4-tool.lz4"] {
        let Some(file) = read_case(name) else { return };
        for threads in 1..=8 {
            for run in 0..5 {
                let o = decompress(&file, threads, run % 2 == 1, &dir.path().join("in.lz4"));
                assert!(o.status.success(), "{name} -T{threads} run {run}: {o:?}");
                assert_eq!(o.stdout, b"one\ntwo\n", "{name} -T{threads} run {run}");
            }
        }
    }
}

/// Seekable files concatenated (an index in the middle), and a seekable file followed by an
/// ordinary frame: decompress and test on every thread count read them as `lz4` does (an index
/// that is not at the end is a skippable frame); extract says clearly that there is no usable
/// index, and works after `lz4framed index`.
#[test]
fn concatenated_seekable_files() {
    let dir = tempfile::tempdir().unwrap();
    for (name, sha) in [
        (
            "concat-two-seekable.lz4",
            "ad8eeae7deb64ec18b3d16b493e684845572b1cbddfe0e6a29d36a75a340854b",
        ),
        (
            "seekable-then-frame.lz4",
            "37c647c8091fb832aba2155215c7a861c48a0e0c29468423c68afebd8fceac13",
        ),
    ] {
        let Some(file) = read_case(name) else { return };
        let path = dir.path().join(name);
        for threads in [1, 2, 4] {
            for stdin in [false, true] {
                let o = decompress(&file, threads, stdin, &path);
                assert!(o.status.success(), "{name} -T{threads}: {o:?}");
                assert_eq!(sha256(&o.stdout), sha, "{name} -T{threads}");
            }
            let o = bin()
                .args(["test", "-T", &threads.to_string()])
                .arg(&path)
                .output()
                .unwrap();
            assert!(o.status.success(), "test {name} -T{threads}: {o:?}");
        }
        let o = bin()
            .args(["extract", "--offset", "5", "--length", "10"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(4), "{name}: {o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("lz4framed index"),
            "{name}: the message tells what to do: {err}"
        );
        let o = bin().arg("index").arg(&path).output().unwrap();
        assert!(o.status.success(), "{o:?}");
        let whole = decompress(&file, 1, true, &path).stdout;
        let o = bin()
            .args(["extract", "--offset", "399990", "--length", "10"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        assert_eq!(o.stdout, whole[399_990..400_000]);
    }
    // The library: a reader refuses the concatenation with a specific error.
    let Some(file) = read_case("concat-two-seekable.lz4") else {
        return;
    };
    let e = lz4framed::index::SeekableReader::new(std::io::Cursor::new(file)).unwrap_err();
    assert!(matches!(e, lz4framed::Error::BadIndex(_)), "{e}");
}

/// Frames followed by bytes that are no frame — zero padding, garbage, 1–3 stray bytes, a size
/// word after a legacy stream (boot images), after a skippable frame or a seekable file: every
/// frame is decoded and written (file or stdout, every thread count), a warning names the
/// trailing bytes' offset and length, and the exit status is 5. `test` and `info` say the same.
#[test]
fn trailing_bytes_after_valid_frames_keep_the_output_and_warn() {
    let dir = tempfile::tempdir().unwrap();
    let data = b"frame content\n".repeat(20_000);
    let indep = FrameSettings::new()
        .block_mode(BlockMode::Independent)
        .block_size(BlockSize::Max64KB)
        .content_checksum(true);
    let frame = lz4framed::compress_with(&data, &indep).unwrap();
    let legacy = common::legacy_frame(&data);
    let seekable = {
        let mut enc = SeekableEncoder::new(Vec::new(), &indep).unwrap();
        std::io::Write::write_all(&mut enc, &data).unwrap();
        enc.finish().unwrap()
    };
    let skippable = [0x50u8, 0x2A, 0x4D, 0x18, 1, 0, 0, 0, 7];
    let cat = |parts: &[&[u8]]| parts.concat();
    let cases: Vec<(&str, Vec<u8>, usize)> = vec![
        ("zero padding", cat(&[&frame, &[0u8; 487]]), 487),
        ("garbage", cat(&[&frame, b"this is no frame at all"]), 23),
        ("one stray byte", cat(&[&frame, &[0x04]]), 1),
        ("three stray bytes", cat(&[&frame, &[0x04, 0x22, 0x4D]]), 3),
        (
            "legacy + size word",
            cat(&[&legacy, &(data.len() as u32).to_le_bytes()]),
            4,
        ),
        (
            "legacy + large size word",
            cat(&[&legacy, &9_000_000u32.to_le_bytes()]),
            4,
        ),
        (
            "skippable frame then padding",
            cat(&[&frame, &skippable, &[0u8; 30]]),
            30,
        ),
        (
            "seekable file then padding",
            cat(&[&seekable, &[0u8; 100]]),
            100,
        ),
    ];
    for (what, file, trailing) in &cases {
        let offset = file.len() - trailing;
        let want = format!("{trailing} trailing byte");
        let at = format!("at offset {offset}");
        for threads in [1, 2, 3] {
            for stdin in [false, true] {
                let o = decompress(file, threads, stdin, &dir.path().join("in.lz4"));
                let err = String::from_utf8_lossy(&o.stderr);
                assert_eq!(o.status.code(), Some(5), "{what} -T{threads}: {err}");
                assert!(o.stdout == data, "{what} -T{threads}: output kept");
                assert!(err.contains(&want) && err.contains(&at), "{what}: {err}");
            }
        }
        // To a file: the file is kept.
        let input = dir.path().join("t.lz4");
        std::fs::write(&input, file).unwrap();
        let out = dir.path().join("t.out");
        let o = bin()
            .args(["decompress", "-q", "-f"])
            .arg(&input)
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(5), "{what}");
        assert!(std::fs::read(&out).unwrap() == data, "{what}: output file");
        let o = bin().arg("test").arg(&input).output().unwrap();
        assert_eq!(o.status.code(), Some(5), "{what}: test");
        // info lists the frames and the trailing bytes.
        let o = bin().args(["info", "--json"]).arg(&input).output().unwrap();
        assert_eq!(o.status.code(), Some(5), "{what}: info");
        let json = String::from_utf8_lossy(&o.stdout);
        let want = format!("\"trailing\":{{\"offset\":{offset},\"length\":{trailing}}}");
        assert!(json.contains(&want), "{what}: {json}");
        // The library reports the offset after delivering every frame.
        let mut out = Vec::new();
        let mut d = lz4framed::Decompressor::new();
        match d.decompress(file, &mut out).and_then(|_| d.finish()) {
            Err(lz4framed::Error::TrailingData { offset: o, .. }) => {
                assert_eq!(o, offset as u64, "{what}")
            }
            r => panic!("{what}: {r:?}"),
        }
        assert!(out == data, "{what}: library output");
    }
    // Not trailing data: a file that is no LZ4 at all, and a frame cut short.
    for (what, file) in [
        ("no frame at all", b"plain text, not lz4".to_vec()),
        ("truncated frame", frame[..frame.len() - 10].to_vec()),
    ] {
        let o = decompress(&file, 2, false, &dir.path().join("bad.lz4"));
        assert_eq!(o.status.code(), Some(4), "{what}: {o:?}");
    }
}

/// 100,000 one-byte frames (the case file repeated): the right output on every thread count.
/// (Speed against `-T1` and `lz4 -d` is measured by the bench report, not asserted here.)
#[test]
fn many_tiny_frames() {
    let Some(one) = read_case("one-byte-frame.lz4") else {
        return;
    };
    let file = one.repeat(100_000);
    let dir = tempfile::tempdir().unwrap();
    for threads in [1, 2, 8] {
        let o = decompress(&file, threads, threads == 2, &dir.path().join("many.lz4"));
        assert!(o.status.success(), "-T{threads}: {o:?}");
        assert!(o.stdout == b"z".repeat(100_000), "-T{threads}");
    }
}

/// `compress` output is byte-identical for any thread count — linked blocks included (they
/// used to differ between `-T1`, a serial compressor, and `-T2`, chunks), on every backend and
/// at fast, default and high-compression levels — and decodes (checked by the `lz4` tool).
#[test]
fn compressed_bytes_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    // Over one 4 MiB chunk, text-like with numbers.
    let mut data = Vec::new();
    let mut x = 7u64;
    while data.len() < (4 << 20) + 300_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        data.extend_from_slice(format!("line {} value {}\n", x >> 50, (x >> 20) % 1000).as_bytes());
    }
    let input = dir.path().join("data");
    std::fs::write(&input, &data).unwrap();
    let out = bin().arg("backends").output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    for backend in ["c", "rust", "simd"] {
        let levels: &[&str] = if backend == "rust" {
            &["-1"]
        } else {
            &["--fast=4", "-1", "-3", "-9"]
        };
        if !listing.lines().any(|l| l.trim_start().starts_with(backend)) {
            continue;
        }
        for level in levels {
            for mode in ["--linked", "--independent"] {
                let mut first: Option<Vec<u8>> = None;
                for threads in ["1", "2", "3"] {
                    let o = bin()
                        .args([
                            "compress",
                            "-q",
                            "-B",
                            "64K",
                            mode,
                            level,
                            "--backend",
                            backend,
                        ])
                        .args(["-T", threads])
                        .arg(&input)
                        .arg("-")
                        .output()
                        .unwrap();
                    assert!(
                        o.status.success(),
                        "{backend} {level} {mode} -T{threads}: {o:?}"
                    );
                    match &first {
                        None => first = Some(o.stdout),
                        Some(f) => assert!(
                            *f == o.stdout,
                            "{backend} {level} {mode}: -T{threads} differs from -T1"
                        ),
                    }
                }
                let frame = first.unwrap();
                let mut lz4 = std::process::Command::new("lz4")
                    .args(["-d", "-c"])
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .expect("the lz4 tool");
                let mut stdin = lz4.stdin.take().unwrap();
                let writer = std::thread::spawn(move || {
                    use std::io::Write;
                    stdin.write_all(&frame).unwrap();
                });
                let decoded = lz4.wait_with_output().unwrap();
                writer.join().unwrap();
                assert!(decoded.stdout == data, "{backend} {level} {mode}: lz4 -d");
            }
        }
    }
}
