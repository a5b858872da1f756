//! Integration tests of the `lz4framed` binary: every option, every exit code, pipes, the
//! no-clobber and no-partial-output guarantees, and interop with the `lz4` tool.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use lz4framed::{BlockMode, BlockSize};

fn bin() -> Command {
    Command::cargo_bin("lz4framed").expect("the lz4framed binary is built")
}

/// Compressible, varied test data (text-like with some noise).
fn sample(len: usize, seed: u32) -> Vec<u8> {
    let words: [&[u8]; 8] = [
        b"frame ",
        b"block ",
        b"lz4 ",
        b"checksum ",
        b"the ",
        b"data\n",
        b"of ",
        b"stream ",
    ];
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if x % 11 == 0 {
            out.push((x >> 8) as u8);
        } else {
            out.extend_from_slice(words[(x % 8) as usize]);
        }
    }
    out.truncate(len);
    out
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, data).unwrap();
    p
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// The files in `dir` (to check that no temporary file is left behind).
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn lz4_tool() -> Option<&'static str> {
    let p = "/usr/bin/lz4";
    if Path::new(p).exists() {
        Some(p)
    } else {
        println!("SKIPPED: the lz4 tool is not installed at {p}; interop not tested");
        None
    }
}

fn compress_file(dir: &Path, data: &[u8], args: &[&str]) -> Vec<u8> {
    let input = write(dir, "in.bin", data);
    let out = dir.join("in.bin.lz4");
    let _ = fs::remove_file(&out);
    let mut full = vec!["compress"];
    full.extend_from_slice(args);
    full.push(s(&input));
    full.push(s(&out));
    let o = run(&full);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    fs::read(&out).unwrap()
}

#[test]
fn default_compress_matches_the_lz4_tool_defaults_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(300_000, 1);
    let frame = compress_file(dir.path(), &data, &[]);
    let info = lz4framed::frame_info(&frame).unwrap();
    // Level 1, independent blocks, content checksum, content size of a regular file; a file
    // smaller than 4 MiB gets the smallest block size that holds it, as with `lz4`.
    assert_eq!(info.block_mode, BlockMode::Independent);
    assert_eq!(info.block_size, Some(BlockSize::Max1MB));
    assert!(info.content_checksum);
    assert!(!info.block_checksum);
    assert_eq!(info.content_size, Some(data.len() as u64));
    assert_eq!(lz4framed::decompress(&frame).unwrap(), data);

    let out = dir.path().join("back");
    let o = run(&["decompress", s(&dir.path().join("in.bin.lz4")), s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read(&out).unwrap(), data);
    assert!(o.stderr.is_empty(), "no progress or noise: {}", stderr(&o));
}

#[test]
fn stdin_to_stdout_pipes() {
    let data = sample(200_000, 2);
    let o = bin()
        .args(["compress", "-"])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let info = lz4framed::frame_info(&o.stdout).unwrap();
    assert_eq!(info.content_size, None, "stdin: size unknown");
    assert_eq!(info.block_size, Some(BlockSize::Max4MB));
    let back = bin()
        .args(["decompress", "-"])
        .write_stdin(o.stdout.clone())
        .output()
        .unwrap();
    assert!(back.status.success(), "{}", stderr(&back));
    assert_eq!(back.stdout, data);
    // A file to stdout and stdin to a file.
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "x", &data);
    let o = run(&["compress", s(&f)]);
    assert!(o.status.success());
    let out = dir.path().join("y");
    let back = bin()
        .args(["decompress", "-", s(&out)])
        .write_stdin(o.stdout)
        .output()
        .unwrap();
    assert!(back.status.success(), "{}", stderr(&back));
    assert_eq!(fs::read(out).unwrap(), data);
    // `-` as OUTFILE is stdout (as for the lz4 tool), never a file named `-`.
    let c = bin()
        .current_dir(dir.path())
        .args(["compress", s(&f), "-"])
        .output()
        .unwrap();
    assert!(c.status.success(), "{}", stderr(&c));
    assert_eq!(c.stdout, compressed_to_stdout(&f));
    let cf = write(dir.path(), "x.lz4", &c.stdout);
    for _ in 0..2 {
        let d = bin()
            .current_dir(dir.path())
            .args(["decompress", s(&cf), "-"])
            .output()
            .unwrap();
        assert!(d.status.success(), "{}", stderr(&d));
        assert_eq!(d.stdout, data);
    }
    assert!(!dir.path().join("-").exists());
}

/// `compress FILE` to stdout.
fn compressed_to_stdout(f: &Path) -> Vec<u8> {
    let o = run(&["compress", s(f)]);
    assert!(o.status.success());
    o.stdout
}

#[test]
fn levels_and_fast_modes() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(200_000, 3);
    let mut sizes = Vec::new();
    for args in [
        &["-1"][..],
        &["-3"],
        &["-9"],
        &["-12"],
        &["--level", "6"],
        &["--level=2"],
        &["--fast"],
        &["--fast=8"],
        &["-9", "--fast=3"],
    ] {
        let frame = compress_file(dir.path(), &data, args);
        assert_eq!(lz4framed::decompress(&frame).unwrap(), data, "{args:?}");
        sizes.push(frame.len());
    }
    assert!(sizes[2] < sizes[0], "-9 beats -1: {sizes:?}");
    assert!(sizes[7] > sizes[0], "--fast=8 is bigger than -1: {sizes:?}");
    for bad in [
        &["-13"][..],
        &["--level", "0"],
        &["--fast=0"],
        &["--level", "x"],
    ] {
        let mut a = vec!["compress"];
        a.extend_from_slice(bad);
        a.extend_from_slice(&["-", "-q"]);
        let o = bin().args(&a).write_stdin("x").output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{bad:?}");
    }
}

#[test]
fn block_sizes_modes_and_checksum_flags() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(150_000, 4);
    let cases: &[(&[&str], BlockSize)] = &[
        (&["-B", "64K"], BlockSize::Max64KB),
        (&["-B4"], BlockSize::Max64KB),
        (&["-B", "256K"], BlockSize::Max256KB),
        (&["-B5"], BlockSize::Max256KB),
        (&["--block-size", "1M"], BlockSize::Max1MB),
        (&["-B6"], BlockSize::Max1MB),
        (&["-B", "4M"], BlockSize::Max4MB),
        (&["-B7"], BlockSize::Max4MB),
    ];
    for (args, want) in cases {
        let frame = compress_file(dir.path(), &data, args);
        let info = lz4framed::frame_info(&frame).unwrap();
        assert_eq!(info.block_size, Some(*want), "{args:?}");
        assert_eq!(lz4framed::decompress(&frame).unwrap(), data);
    }
    type Check = fn(&lz4framed::FrameInfo) -> bool;
    let flags: &[(&[&str], Check)] = &[
        (&["--linked", "-B4"], |i| i.block_mode == BlockMode::Linked),
        (&["-BD", "-B4"], |i| i.block_mode == BlockMode::Linked),
        (&["--linked", "--independent"], |i| {
            i.block_mode == BlockMode::Independent
        }),
        (&["--no-content-checksum"], |i| !i.content_checksum),
        (&["--no-content-checksum", "--content-checksum"], |i| {
            i.content_checksum
        }),
        (&["--block-checksum"], |i| i.block_checksum),
        (&["-BX"], |i| i.block_checksum),
        (&["--block-checksum", "--no-block-checksum"], |i| {
            !i.block_checksum
        }),
        (&["--no-content-size"], |i| i.content_size.is_none()),
        (&["--content-size"], |i| i.content_size == Some(150_000)),
    ];
    for (args, check) in flags {
        let frame = compress_file(dir.path(), &data, args);
        let info = lz4framed::frame_info(&frame).unwrap();
        assert!(check(&info), "{args:?}: {info:?}");
        assert_eq!(lz4framed::decompress(&frame).unwrap(), data);
    }
    for bad in ["3", "8", "2M", "D4"] {
        let o = bin()
            .args(["compress", "-B", bad, "-"])
            .write_stdin("x")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "-B {bad}");
    }
    // --content-size on stdin: not possible, said once, not fatal.
    let o = bin()
        .args(["compress", "--content-size", "-"])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("content size not recorded"),
        "{}",
        stderr(&o)
    );
    assert_eq!(lz4framed::frame_info(&o.stdout).unwrap().content_size, None);
}

#[test]
fn dictionaries() {
    let dir = tempfile::tempdir().unwrap();
    let dict_bytes = sample(100_000, 5); // > 64 KiB: only the last 64 KiB count
    let dict = write(dir.path(), "dict", &dict_bytes);
    let data = sample(50_000, 6);
    let with = compress_file(dir.path(), &data, &["--dict", s(&dict)]);
    let without = compress_file(dir.path(), &data, &[]);
    assert!(with.len() < without.len());
    let d = lz4framed::Dictionary::new(&dict_bytes);
    let back = lz4framed::decompress_with(lz4framed::Decompressor::new().with_dictionary(d), &with);
    assert_eq!(back.unwrap(), data);
    let f = write(dir.path(), "with.lz4", &with);
    let out = dir.path().join("out");
    let o = run(&["decompress", "-D", s(&dict), s(&f), s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read(&out).unwrap(), data);
    // Without the dictionary: corrupt data (no dict ID recorded, as with lz4 -D), exit 4, no
    // output file.
    fs::remove_file(&out).unwrap();
    let o = run(&["decompress", s(&f), s(&out)]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(!out.exists());
    // A missing dictionary file is an input error.
    let o = run(&[
        "decompress",
        "--dict",
        s(&dir.path().join("nope")),
        s(&f),
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "compress",
        "--dict",
        s(&dir.path().join("nope")),
        s(&f),
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn backends_option_and_command() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(100_000, 7);
    let f = write(dir.path(), "d", &data);
    for b in ["auto", "c", "rust"] {
        let o = run(&["compress", "--backend", b, s(&f)]);
        assert!(o.status.success(), "{b}: {}", stderr(&o));
        for d in ["auto", "c", "rust"] {
            let back = bin()
                .args(["decompress", "--backend", d, "-"])
                .write_stdin(o.stdout.clone())
                .output()
                .unwrap();
            assert!(back.status.success(), "{b}->{d}: {}", stderr(&back));
            assert_eq!(back.stdout, data);
        }
    }
    let o = run(&["compress", "--backend", "rust", "-9", s(&f)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("level 9"), "{}", stderr(&o));
    let o = run(&["compress", "--backend", "gpu", s(&f)]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["backends"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("Auto picks: "), "{text}");
    assert!(text.contains(" c ") || text.contains("  c "), "{text}");
    assert!(text.contains("CPU ("), "{text}");
}

#[test]
fn threads_option_is_accepted_and_honest() {
    // Compression runs on N threads (0 = all cores); the output does not depend on N.
    let data = sample(5_000_000, 8);
    let mut outs = Vec::new();
    for t in ["1", "2", "0"] {
        let o = bin()
            .args(["compress", "-q", "--threads", t, "-"])
            .write_stdin(data.clone())
            .output()
            .unwrap();
        assert!(o.status.success() && o.stderr.is_empty(), "{}", stderr(&o));
        assert_eq!(lz4framed::decompress(&o.stdout).unwrap(), data);
        outs.push(o.stdout);
    }
    assert!(outs[0] == outs[1] && outs[1] == outs[2]);
    // A huge N is capped (at lz4's 200): it aborted the process when the OS refused threads.
    let huge = "1000000";
    let o = bin()
        .args(["compress", "-q", "-B", "64K", "-T", huge, "-"])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert!(o.status.success(), "{:?} {}", o.status, stderr(&o));
    for command in [
        &["decompress", "-q", "-T", huge, "-"][..],
        &["test", "-T", huge, "-"],
    ] {
        let back = bin()
            .args(command)
            .write_stdin(o.stdout.clone())
            .output()
            .unwrap();
        assert!(
            back.status.success(),
            "{command:?}: {:?} {}",
            back.status,
            stderr(&back)
        );
        if command[0] == "decompress" {
            assert!(back.stdout == data);
        }
    }
}

#[test]
fn an_option_given_twice_takes_its_last_value() {
    // As lz4 (and an alias that adds its own options) has it; clap refused "cannot be used
    // multiple times".
    let data = sample(300_000, 24);
    let o = bin()
        .args([
            "compress", "-q", "-f", "--force", "-3", "-1", "-T", "2", "-T", "1",
        ])
        .args(["-B", "64K", "-B", "256K", "-", "-"])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let info = lz4framed::frame_info(&o.stdout).unwrap();
    assert_eq!(info.block_size, Some(BlockSize::Max256KB));
    let plain = bin()
        .args(["compress", "-q", "-1", "-B", "256K", "-", "-"])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert!(o.stdout == plain.stdout, "level 1, the last one");
    let back = bin()
        .args(["decompress", "-q", "-q", "-T", "3", "-T", "1", "-", "-"])
        .write_stdin(o.stdout)
        .output()
        .unwrap();
    assert!(
        back.status.success() && back.stdout == data,
        "{}",
        stderr(&back)
    );
}

#[test]
fn index_and_extract_say_they_need_a_regular_file() {
    // They seek in the file: stdin was "-: No such file or directory", a FIFO "Illegal seek"
    // (as an output error).
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "f.lz4", &lz4framed::compress(b"data"));
    for args in [
        &["index", "-"][..],
        &["extract", "-", "--offset", "0", "--length", "1"],
    ] {
        let o = bin()
            .args(args)
            .write_stdin(fs::read(&f).unwrap())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains("needs a file"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let fifo = dir.path().join("fifo.lz4");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());
    for args in [
        &["index", s(&fifo)][..],
        &["extract", s(&fifo), "--offset", "0", "--length", "1"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains("not a regular file"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_symlinked_outfile_is_written_through() {
    // `-f` onto a symlink replaces the file it points to and keeps the link, as lz4 (which
    // opens OUTFILE) does; replacing the link left the file it points to unchanged.
    let dir = tempfile::tempdir().unwrap();
    let data = sample(60_000, 19);
    let f = write(dir.path(), "in", &data);
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let real = write(&elsewhere, "real.lz4", b"old");
    let link = dir.path().join("link.lz4");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = run(&["compress", "-q", "-f", s(&f), s(&link)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        lz4framed::decompress(&fs::read(&real).unwrap()).unwrap(),
        data
    );
    // Decompressing onto it, too; no temporary file is left in either folder.
    let o = run(&["decompress", "-q", "-f", s(&real), s(&link)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::read(&real).unwrap() == data);
    assert_eq!(listing(&elsewhere), ["real.lz4"]);
    assert_eq!(listing(dir.path()), ["elsewhere", "in", "link.lz4"]);

    // A dangling link (no -f needed: nothing exists behind it): its target is created and the
    // link stays, as the lz4 tool does.
    std::os::unix::fs::symlink("made", dir.path().join("dangling")).unwrap();
    let compressed = dir.path().join("in.lz4");
    let o = run(&["compress", "-q", s(&f), s(&compressed)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "decompress",
        "-q",
        s(&compressed),
        s(&dir.path().join("dangling")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::symlink_metadata(dir.path().join("dangling"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::read(dir.path().join("made")).unwrap() == data);
    if let Some(lz4) = lz4_tool() {
        std::os::unix::fs::symlink("made-by-lz4", dir.path().join("dangling2")).unwrap();
        let o = std::process::Command::new(lz4)
            .args(["-d", "-q", s(&compressed), s(&dir.path().join("dangling2"))])
            .output()
            .unwrap();
        assert!(o.status.success());
        assert!(fs::symlink_metadata(dir.path().join("dangling2"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(fs::read(dir.path().join("made-by-lz4")).unwrap() == data);
    }
}

#[test]
fn no_clobber_without_force_and_overwrite_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(60_000, 9);
    let f = write(dir.path(), "in", &data);
    let out = write(dir.path(), "out.lz4", b"precious");
    let o = run(&["compress", s(&f), s(&out)]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(fs::read(&out).unwrap(), b"precious");
    assert_eq!(listing(dir.path()), ["in", "out.lz4"]);
    let o = run(&["compress", "-f", s(&f), s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        lz4framed::decompress(&fs::read(&out).unwrap()).unwrap(),
        data
    );
    // The same for decompress.
    let back = write(dir.path(), "back", b"precious too");
    let o = run(&["decompress", s(&out), s(&back)]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(fs::read(&back).unwrap(), b"precious too");
    let o = run(&["decompress", "--force", s(&out), s(&back)]);
    assert!(o.status.success());
    assert_eq!(fs::read(&back).unwrap(), data);
    assert_eq!(listing(dir.path()), ["back", "in", "out.lz4"]);
    // Devices need no -f.
    let o = run(&["decompress", s(&out), "/dev/null"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn failures_leave_no_partial_output_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    // Several blocks, so that good output precedes the bad spot.
    let data = sample(400_000, 10);
    let frame = compress_file(dir.path(), &data, &["-B4"]);
    fs::remove_file(dir.path().join("in.bin")).unwrap();
    fs::remove_file(dir.path().join("in.bin.lz4")).unwrap();
    let mut bad_sum = frame.clone();
    let n = bad_sum.len();
    bad_sum[n - 2] ^= 0x40; // content checksum
    let mut bad_block = frame.clone();
    let mid = bad_block.len() / 2;
    bad_block[mid] ^= 0xFF; // inside a later block
    let truncated = &frame[..frame.len() * 2 / 3];
    let cases: [(&str, &[u8], &str); 3] = [
        (
            "sum.lz4",
            &bad_sum,
            "content checksum mismatch in frame 1 at offset",
        ),
        ("block.lz4", &bad_block, "in frame 1"),
        ("trunc.lz4", truncated, "truncated at offset"),
    ];
    // One thread and two (independent blocks are then decoded in parallel): the same errors.
    for ((name, bytes, msg), threads) in cases.into_iter().flat_map(|c| [(c, "-T1"), (c, "-T2")]) {
        let f = write(dir.path(), name, bytes);
        let out = dir.path().join("out");
        let o = run(&["decompress", threads, s(&f), s(&out)]);
        assert_eq!(o.status.code(), Some(4), "{name} {threads}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains(&format!("{name}: ")), "{err}");
        assert!(err.contains(msg), "{threads}: {err}");
        assert!(err.contains("offset"), "{err}");
        assert!(!out.exists(), "{name}: partial output left");
        // With -f over an existing file: the old file survives a failure.
        fs::write(&out, b"old").unwrap();
        let o = run(&["decompress", threads, "-f", s(&f), s(&out)]);
        assert_eq!(o.status.code(), Some(4));
        assert_eq!(fs::read(&out).unwrap(), b"old");
        fs::remove_file(&out).unwrap();
        fs::remove_file(&f).unwrap();
        assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    }
    // The exact offset of a content checksum error is the checksum's offset.
    let f = write(dir.path(), "sum.lz4", &bad_sum);
    let o = run(&["decompress", s(&f), s(&dir.path().join("o"))]);
    assert!(
        stderr(&o).contains(&format!("at offset {}", n - 4)),
        "{}",
        stderr(&o)
    );
}

#[test]
fn no_verify_skips_checksums() {
    let data = sample(80_000, 11);
    let mut frame = lz4framed::compress_with(
        &data,
        &lz4framed::FrameSettings::lz4_cli().block_checksum(true),
    )
    .unwrap();
    let n = frame.len();
    frame[n - 1] ^= 1; // content checksum
    frame[n - 9] ^= 1; // block checksum of the (only) block
    let o = bin()
        .args(["decompress", "-"])
        .write_stdin(frame.clone())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4));
    let o = bin()
        .args(["decompress", "--no-verify", "-"])
        .write_stdin(frame)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, data);
}

#[test]
fn concatenated_skippable_and_legacy_frames() {
    let a = sample(70_000, 12);
    let b = sample(30_000, 13);
    let mut input = lz4framed::compress(&a);
    input.extend_from_slice(&0x184D_2A55u32.to_le_bytes());
    input.extend_from_slice(&5u32.to_le_bytes());
    input.extend_from_slice(b"skip!");
    input.extend_from_slice(
        &lz4framed::compress_with(&b, &lz4framed::FrameSettings::lz4_cli()).unwrap(),
    );
    let o = bin()
        .args(["decompress", "-"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, [a.clone(), b.clone()].concat());
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "multi.lz4", &input);
    let o = run(&["info", s(&f)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("2 frames"), "{text}");
    assert!(text.contains("Skippable"), "{text}");
    let o = run(&["info", "--json", s(&f)]);
    let json = stdout(&o);
    assert!(
        json.contains("\"type\":\"skippable\",\"magic\":\"0x184D2A55\""),
        "{json}"
    );
    assert!(
        json.contains(&format!("\"content_size\":{}", a.len() + b.len())),
        "{json}"
    );
    assert!(json.contains("\"block_mode\":\"linked\""), "{json}");
    assert!(json.contains("\"block_mode\":\"independent\""), "{json}");
    let o = run(&["test", s(&f)]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("OK (2 frames"), "{}", stdout(&o));
}

#[test]
fn info_and_test_report_errors_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(100_000, 14);
    let good = write(dir.path(), "good \"q\".lz4", &lz4framed::compress(&data));
    let mut frame = lz4framed::compress(&data);
    let n = frame.len();
    frame.truncate(n - 10);
    let bad = write(dir.path(), "bad.lz4", &frame);
    let plain = write(dir.path(), "plain.txt", b"hello world, not lz4");
    let missing = dir.path().join("missing.lz4");

    let o = run(&["info", "--json", s(&good)]);
    assert!(o.status.success());
    let json = stdout(&o);
    assert!(
        json.contains("good \\\"q\\\".lz4"),
        "file name escaped: {json}"
    );
    assert!(json.contains("\"error\":null"), "{json}");
    assert!(
        json.contains(&format!("\"content_size\":{}", data.len())),
        "{json}"
    );
    assert!(json.contains("\"ratio\":0."), "{json}");

    for (cmd, path, code) in [
        ("info", &bad, 4),
        ("info", &plain, 4),
        ("info", &missing, 2),
        ("test", &bad, 4),
        ("test", &plain, 4),
        ("test", &missing, 2),
    ] {
        let o = run(&[cmd, s(&good), s(path)]);
        assert_eq!(
            o.status.code(),
            Some(code),
            "{cmd} {path:?}: {}",
            stderr(&o)
        );
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    }
    let o = run(&["info", "--json", s(&bad)]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stdout(&o).contains("truncated at offset"), "{}", stdout(&o));
    let o = run(&["test", "-q", s(&good)]);
    assert!(o.status.success() && o.stdout.is_empty() && o.stderr.is_empty());
    // test writes nothing.
    assert_eq!(listing(dir.path()).len(), 3);
}

#[test]
fn trailing_data_status_5_is_documented_where_it_happens() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = lz4framed::compress(b"some data");
    file.extend_from_slice(&[0; 8]);
    let f = write(dir.path(), "padded.lz4", &file);
    for command in ["decompress", "test", "info"] {
        let mut args = vec![command, s(&f)];
        if command == "decompress" {
            args.push("-");
        }
        assert_eq!(run(&args).status.code(), Some(5), "{command}");
        let help = stdout(&run(&[command, "--help"]));
        assert!(help.contains("\n  5  warning"), "{command} --help: {help}");
    }
    assert!(stdout(&run(&["--help"])).contains("\n  5  warning"));
    // -q: "no warnings"; the exit code still tells.
    let o = run(&["decompress", "-q", s(&f), "-"]);
    assert_eq!(o.status.code(), Some(5));
    assert_eq!(o.stdout, b"some data");
    assert_eq!(stderr(&o), "");
    assert!(stderr(&run(&["decompress", s(&f), "-"])).contains("warning: 8 trailing bytes"));
}

#[test]
fn usage_and_io_errors_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "in", b"some input");
    // 1: usage.
    assert_eq!(run(&[]).status.code(), Some(1));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(1));
    assert_eq!(run(&["compress"]).status.code(), Some(1));
    assert_eq!(run(&["compress", "--bogus", s(&f)]).status.code(), Some(1));
    assert_eq!(run(&["info"]).status.code(), Some(1));
    // --help: 0, documents the exit codes.
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for line in [
        "0  success",
        "1  usage",
        "2  input",
        "3  output",
        "4  corrupt",
    ] {
        assert!(help.contains(line), "{help}");
    }
    let o = run(&["compress", "--help"]);
    assert!(stdout(&o).contains("--threads"));
    assert!(stdout(&o).contains("all cores"));
    // 2: input.
    let o = run(&[
        "compress",
        s(&dir.path().join("nope")),
        s(&dir.path().join("x")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope"));
    assert_eq!(run(&["decompress", s(dir.path())]).status.code(), Some(2));
    // 3: output.
    let o = run(&["compress", s(&f), s(&dir.path().join("no/such/dir"))]);
    assert_eq!(o.status.code(), Some(3));
    let o = run(&["compress", s(&f), s(dir.path())]);
    assert_eq!(o.status.code(), Some(3));
    // 4: data.
    let o = run(&["decompress", s(&f), s(&dir.path().join("x"))]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("bad magic"), "{}", stderr(&o));
    assert_eq!(listing(dir.path()), ["in"]);
}

#[test]
fn compress_keeps_permissions_and_no_progress_without_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // Over the progress threshold, but stderr is a pipe here: nothing on stderr.
    let data = vec![7u8; 9 << 20];
    let f = write(dir.path(), "big", &data);
    let out = dir.path().join("big.lz4");
    let o = run(&["compress", s(&f), s(&out)]);
    assert!(o.status.success());
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    let o = run(&["decompress", s(&out), s(&dir.path().join("big2"))]);
    assert!(o.status.success() && o.stderr.is_empty());
    assert_eq!(fs::read(dir.path().join("big2")).unwrap(), data);
    // With a terminal (script(1) gives one), the progress line appears; with -q it does not.
    if Path::new("/usr/bin/script").exists() {
        let exe = assert_cmd::cargo::cargo_bin("lz4framed");
        let cmd = |q: &str| format!("{} compress -f {q} {} {}", exe.display(), s(&f), s(&out));
        let shown = std::process::Command::new("script")
            .args(["-qec", &cmd(""), "/dev/null"])
            .output()
            .unwrap();
        assert!(shown.status.success());
        let text = stdout(&shown);
        assert!(text.contains("/s"), "progress expected: {text:?}");
        let quiet = std::process::Command::new("script")
            .args(["-qec", &cmd("-q"), "/dev/null"])
            .output()
            .unwrap();
        assert!(quiet.status.success());
        assert!(!stdout(&quiet).contains("/s"), "{:?}", stdout(&quiet));
    } else {
        println!("SKIPPED: script(1) not installed; progress on a terminal not tested");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let small = write(dir.path(), "small", b"abc abc abc abc");
        fs::set_permissions(&small, fs::Permissions::from_mode(0o640)).unwrap();
        let out = dir.path().join("small.lz4");
        assert!(run(&["compress", s(&small), s(&out)]).status.success());
        let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}

#[test]
fn interop_lz4_decodes_what_we_compress() {
    let Some(lz4) = lz4_tool() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = sample(300_000, 15);
    let dict_bytes = sample(90_000, 16);
    let dict = write(dir.path(), "dict", &dict_bytes);
    let option_sets: &[&[&str]] = &[
        &[],
        &["-9"],
        &["--fast=4"],
        &["-B4", "--linked", "--block-checksum"],
        &["-B5", "--no-content-checksum", "--no-content-size"],
        &["-12", "-BD", "-B6"],
        &["--dict", s(&dict)],
        &["--dict", s(&dict), "--linked", "-B4"],
    ];
    for args in option_sets {
        let frame = compress_file(dir.path(), &data, args);
        let f = write(dir.path(), "ours.lz4", &frame);
        let mut cmd = std::process::Command::new(lz4);
        cmd.args(["-d", "-c", "-q"]);
        if let Some(i) = args.iter().position(|a| *a == "--dict") {
            cmd.args(["-D", args[i + 1]]);
        }
        let o = cmd.arg(&f).output().unwrap();
        assert!(o.status.success(), "lz4 -d {args:?}: {}", stderr(&o));
        assert!(o.stdout == data, "lz4 -d {args:?}: different output");
    }
}

#[test]
fn interop_we_decode_what_lz4_compresses() {
    let Some(lz4) = lz4_tool() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = sample(300_000, 17);
    let input = write(dir.path(), "in", &data);
    let dict_bytes = sample(90_000, 18);
    let dict = write(dir.path(), "dict", &dict_bytes);
    let option_sets: &[&[&str]] = &[
        &[],
        &["-l"],
        &["-BD"],
        &["-B4", "-BD", "-BX"],
        &["--content-size"],
        &["-9", "--no-frame-crc"],
        &["--fast=3"],
        &["-D", s(&dict)],
        &["-D", s(&dict), "-BD", "-B4"],
    ];
    let mut all = Vec::new();
    for args in option_sets {
        let o = std::process::Command::new(lz4)
            .args(["-c", "-q"])
            .args(*args)
            .arg(&input)
            .output()
            .unwrap();
        assert!(o.status.success(), "lz4 {args:?}: {}", stderr(&o));
        let f = write(dir.path(), "theirs.lz4", &o.stdout);
        let mut ours = vec!["decompress"];
        if let Some(i) = args.iter().position(|a| *a == "-D") {
            ours.extend_from_slice(&["--dict", args[i + 1]]);
        } else {
            all.extend_from_slice(&o.stdout);
        }
        ours.push(s(&f));
        let back = run(&ours);
        assert!(back.status.success(), "{args:?}: {}", stderr(&back));
        assert!(back.stdout == data, "{args:?}: different output");
        let t = run(&["test", "-q", s(&f)]);
        let needs_dict = args.contains(&"-D");
        assert_eq!(t.status.success(), !needs_dict, "test {args:?}");
        assert!(run(&["info", s(&f)]).status.success(), "info {args:?}");
    }
    // All of them concatenated (legacy frame included).
    let f = write(dir.path(), "all.lz4", &all);
    let back = run(&["decompress", s(&f)]);
    assert!(back.status.success(), "{}", stderr(&back));
    assert_eq!(back.stdout.len(), data.len() * (option_sets.len() - 2));
    let info = run(&["info", "--json", s(&f)]);
    assert!(
        stdout(&info).contains("\"type\":\"legacy\""),
        "{}",
        stdout(&info)
    );
}

#[test]
fn seekable_compress_index_extract_and_parallel_decompress() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(3_000_000, 31);
    let f = write(dir.path(), "in", &data);
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    for (name, extra) in [("e.lz4", vec![]), ("l.lz4", vec!["--linked", "-B64K"])] {
        let out = dir.path().join(name);
        let mut args = vec!["compress", "-q", "--seekable"];
        args.extend(extra.iter().copied());
        let (fs, os) = (s(&f), s(&out));
        args.push(&fs);
        args.push(&os);
        assert!(bin().args(&args).output().unwrap().status.success());
        let file = std::fs::read(&out).unwrap();
        assert_eq!(lz4framed::decompress(&file).unwrap(), data);
        let o = bin()
            .args(["extract", &os, "--offset", "1234567", "--length", "4096"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(o.stdout, &data[1_234_567..1_234_567 + 4096]);
        let o = bin().args(["decompress", "-T", "2", &os]).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(o.stdout == data);
    }
    // index FILE --sidecar on a plain file, then extract through the sidecar.
    let plain = dir.path().join("p.lz4");
    let ps = s(&plain);
    assert!(bin()
        .args(["compress", "-q", &s(&f), &ps])
        .output()
        .unwrap()
        .status
        .success());
    let before = std::fs::read(&plain).unwrap();
    let o = bin()
        .args(["index", "-q", "--sidecar", &ps])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&plain).unwrap(),
        before,
        "sidecar mode leaves the file alone"
    );
    let o = bin()
        .args(["extract", &ps, "--offset", "2999990", "--length", "100"])
        .output()
        .unwrap();
    assert_eq!(o.stdout, &data[2_999_990..]);
    // A file without index: a clear error, exit code 4.
    let other = dir.path().join("o.lz4");
    std::fs::write(&other, lz4framed::compress(&data)).unwrap();
    let o = bin()
        .args(["extract", &s(&other), "--offset", "0", "--length", "1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("no seek index"), "{}", stderr(&o));
}

/// A negative number as the value of an option is that option's value, judged by its own
/// parser (it was once rewritten as `--level`), and lz4-style `-N` after a valued option is
/// still the level: `-T 1 -9` writes the same frame as `--level 9 -T 1`, one that the `lz4`
/// tool decodes to the original bytes.
#[test]
fn negative_option_values_are_values_and_levels_still_apply() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(300_000, 77);
    let input = write(dir.path(), "in", &data);
    let indexed = dir.path().join("in.lz4");
    let o = run(&["compress", "-q", "--seekable", s(&input), s(&indexed)]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (option, value) in [("--offset", "-1"), ("--length", "-5")] {
        let mut args = vec!["extract", s(&indexed), "--offset", "0", "--length", "5"];
        let at = args.iter().position(|a| *a == option).unwrap();
        args[at + 1] = value;
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("'{value}' for '{option}")) && err.contains("0 or more"),
            "{err}"
        );
        assert!(!err.contains("--level"), "{err}");
    }
    let o = run(&["compress", "-T", "-1", s(&input)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("'--threads <N>'"), "{}", stderr(&o));

    let spelled = compress_file(dir.path(), &data, &["-T", "1", "-9"]);
    let long = compress_file(dir.path(), &data, &["--level", "9", "-T", "1"]);
    let fast = compress_file(dir.path(), &data, &["-T", "1"]);
    assert_eq!(spelled, long);
    assert_ne!(spelled, fast, "-9 after -T 1 was ignored");
    if let Some(lz4) = lz4_tool() {
        let f = write(dir.path(), "l9.lz4", &spelled);
        let o = std::process::Command::new(lz4)
            .args(["-d", "-c", s(&f)])
            .output()
            .unwrap();
        assert!(o.status.success());
        assert_eq!(o.stdout, data);
    }
}

/// Decoding commands refuse a terminal as stdin (compressed data is not typed; they would
/// only wait), as the `lz4` tool refuses to read from a console; a pipe is read as before.
/// The terminal is the pseudo-terminal `script` (util-linux, essential on Debian) gives.
#[test]
fn decoding_refuses_a_terminal_as_stdin() {
    let script = Path::new("/usr/bin/script");
    if !script.exists() {
        println!("SKIPPED: no /usr/bin/script to run a command on a terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = assert_cmd::cargo::cargo_bin("lz4framed");
    for args in [
        "decompress -",
        "test -",
        "info -",
        "decompress --resume state - out",
    ] {
        let o = std::process::Command::new(script)
            .current_dir(dir.path())
            .args(["-qec", &format!("{} {args}", exe.display()), "/dev/null"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let text = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{args}: {text}");
        assert!(
            text.contains("refusing to read compressed data from a terminal"),
            "{args}: {text}"
        );
    }
    assert_eq!(listing(dir.path()), Vec::<String>::new());
    if let Some(lz4) = lz4_tool() {
        let o = std::process::Command::new(script)
            .args(["-qec", &format!("{lz4} -d -"), "/dev/null"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            stdout(&o).contains("refusing to read from a console"),
            "{}",
            stdout(&o)
        );
    }
    let data = sample(10_000, 5);
    let o = bin()
        .args(["decompress", "-"])
        .write_stdin(lz4framed::compress(&data))
        .output()
        .unwrap();
    assert!(o.status.success() && o.stdout == data);
}

/// Ctrl-C (SIGINT), SIGTERM or SIGHUP while an OUTFILE is being written: the hidden temporary
/// file is removed (it was left behind, as large as the output so far), an existing OUTFILE is
/// unchanged, and the process ends by the signal as it would have.
#[test]
fn a_signal_mid_write_leaves_no_temporary_file() {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let data = sample(4_000_000, 23);
    let frame = lz4framed::compress(&data);
    for (signal, number, args, input) in [
        ("INT", 2, ["compress", "-q", "-"], &data),
        ("TERM", 15, ["decompress", "-q", "-"], &frame),
        ("HUP", 1, ["decompress", "-q", "-"], &frame),
    ] {
        let out = write(dir.path(), "out", b"previous");
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("lz4framed"))
            .args(args)
            .arg("-f")
            .arg(&out)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Half of the input, the pipe kept open: the output is being written, not finished.
        stdin.write_all(&input[..input.len() / 2]).unwrap();
        stdin.flush().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while listing(dir.path()).len() < 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let during = listing(dir.path());
        assert!(
            during.len() == 2 && during[0].ends_with("lz4framed-tmp"),
            "{during:?}"
        );
        let kill = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.signal(), Some(number), "{signal}: {status:?}");
        assert_eq!(listing(dir.path()), ["out"], "{signal}");
        assert_eq!(fs::read(&out).unwrap(), b"previous");
    }
}
