//! The `lz4` personality (#18), run as the built binary through `lz4`, `unlz4` and `lz4cat`
//! links in a temporary directory, checked against the real `lz4` tool (1.9.4 on the project's
//! machines): interop both ways over the option matrix and option pairs, output names,
//! multiple files, `--rm`, the legacy format, sparse output, `--list`, exit statuses, the
//! console refusals and the benchmark mode.
//!
//! Where lz4 1.10 (whose command line the personality follows) differs from 1.9.4, the test
//! checks 1.10's documented behaviour and says so; `-m` runs, explicit outputs and `-c` are
//! the same in both and are compared with the real tool directly.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::text_like;
use lz4framed::{BlockMode, BlockSize};

/// A temporary directory with `lz4`, `unlz4` and `lz4cat` links to the built binary, and a
/// work directory the commands run in.
struct Links {
    _tmp: tempfile::TempDir,
    bin: PathBuf,
    work: PathBuf,
}

impl Links {
    fn new() -> Links {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        let work = tmp.path().join("work");
        fs::create_dir_all(&bin).unwrap();
        fs::create_dir_all(&work).unwrap();
        let exe = assert_cmd::cargo::cargo_bin("lz4framed");
        for name in ["lz4", "unlz4", "lz4cat"] {
            std::os::unix::fs::symlink(&exe, bin.join(name)).unwrap();
        }
        Links {
            _tmp: tmp,
            bin,
            work,
        }
    }

    /// Run our `name` (lz4, unlz4, lz4cat) with `args` in the work directory.
    fn ours(&self, name: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
        run(Command::new(self.bin.join(name)), &self.work, args, stdin)
    }

    /// Run the real lz4 tool with `args` in `dir`.
    fn real(&self, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
        run(Command::new(REAL), dir, args, stdin)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    fn put(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, data).unwrap();
        p
    }
}

const REAL: &str = "/usr/bin/lz4";

fn have_real() -> bool {
    let ok = Path::new(REAL).exists();
    if !ok {
        println!("SKIPPED: the lz4 tool is not installed at {REAL}; interop not tested");
    }
    ok
}

fn run(mut cmd: Command, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    cmd.current_dir(dir).args(args);
    cmd.env_remove("LZ4_CLEVEL").env_remove("LZ4_NBWORKERS");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(data) = stdin {
        use std::io::Write;
        let mut si = child.stdin.take().unwrap();
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = si.write_all(&data);
        });
    }
    child.wait_with_output().unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited, not killed")
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Options of `lz4` for the interop matrix, each with what the frame header must say.
type Check = fn(&lz4framed::FrameInfo) -> bool;
const OPTIONS: &[(&[&str], Check)] = &[
    (&[], |i| {
        i.block_mode == BlockMode::Independent && i.content_checksum && !i.block_checksum
    }),
    (&["-1"], |_| true),
    (&["-9"], |_| true),
    (&["-12"], |_| true),
    (&["--fast=3"], |_| true),
    (&["--best"], |_| true),
    (&["-B4"], |i| i.block_size == Some(BlockSize::Max64KB)),
    (&["-B5D"], |i| {
        i.block_size == Some(BlockSize::Max256KB) && i.block_mode == BlockMode::Linked
    }),
    // 700 KB fit in one 4 MiB block, which lz4 frames as independent (LZ4F_compressFrame).
    (&["-BD"], |i| i.block_mode == BlockMode::Independent),
    (&["-BX"], |i| i.block_checksum),
    (&["--no-frame-crc"], |i| !i.content_checksum),
    (&["--content-size"], |i| i.content_size.is_some()),
    (&["-B4DX"], |i| {
        i.block_size == Some(BlockSize::Max64KB)
            && i.block_mode == BlockMode::Linked
            && i.block_checksum
    }),
    (&["-12B5D"], |i| {
        i.block_size == Some(BlockSize::Max256KB) && i.block_mode == BlockMode::Linked
    }),
    (&["--favor-decSpeed", "-10"], |_| true),
    (&["-BI"], |i| i.block_mode == BlockMode::Independent),
];

#[test]
fn option_matrix_interop_both_ways() {
    if !have_real() {
        return;
    }
    let t = Links::new();
    let data = text_like(700_000, 1);
    t.put("in", &data);
    for (opts, check) in OPTIONS {
        // Ours compresses (to stdout with -c), the real lz4 decompresses.
        let mut args: Vec<&str> = opts.to_vec();
        args.extend(["-c", "in"]);
        let o = t.ours("lz4", &args, None);
        assert_eq!(code(&o), 0, "{opts:?}: {}", err(&o));
        let info = lz4framed::frame_info(&o.stdout).unwrap();
        assert!(check(&info), "{opts:?}: {info:?}");
        let back = t.real(&t.work, &["-dc"], Some(&o.stdout));
        assert_eq!(code(&back), 0, "{opts:?}: {}", err(&back));
        assert!(back.stdout == data, "{opts:?}: lz4 -d of ours differs");
        // The real lz4 compresses with the same options, ours decompresses.
        let real = t.real(&t.work, &args, None);
        assert_eq!(code(&real), 0, "{opts:?}: {}", err(&real));
        let ours = t.ours("lz4", &["-dc"], Some(&real.stdout));
        assert_eq!(code(&ours), 0, "{opts:?}: {}", err(&ours));
        assert!(ours.stdout == data, "{opts:?}: ours -d of lz4's differs");
        // Same settings, same ratio class: the frames are within a few percent of each other
        // (the level's ratio target itself is measured in the bench report, not here).
        let (a, b) = (o.stdout.len() as f64, real.stdout.len() as f64);
        assert!(a / b < 1.06, "{opts:?}: ours {a} bytes, lz4 {b}");
    }
}

#[test]
fn option_pairs_interop() {
    if !have_real() {
        return;
    }
    let t = Links::new();
    let data = text_like(300_000, 2);
    t.put("in", &data);
    let singles: &[&str] = &[
        "-1",
        "-9",
        "--fast=2",
        "-B4",
        "-B6",
        "-BD",
        "-BX",
        "--no-frame-crc",
        "--content-size",
        "-l",
    ];
    for (i, a) in singles.iter().enumerate() {
        for b in &singles[i + 1..] {
            let args = [*a, *b, "-c", "in"];
            let o = t.ours("lz4", &args, None);
            assert_eq!(code(&o), 0, "{args:?}: {}", err(&o));
            let back = t.real(&t.work, &["-dc"], Some(&o.stdout));
            assert!(back.status.success() && back.stdout == data, "{args:?}");
            let real = t.real(&t.work, &args, None);
            let ours = t.ours("unlz4", &["-c"], Some(&real.stdout));
            assert!(ours.status.success() && ours.stdout == data, "{args:?}");
        }
    }
}

#[test]
fn dictionary_both_ways() {
    if !have_real() {
        return;
    }
    let t = Links::new();
    let dict = text_like(100_000, 3);
    let data = text_like(200_000, 4);
    t.put("dict", &dict);
    t.put("in", &data);
    let o = t.ours("lz4", &["-D", "dict", "-c", "in"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let back = t.real(&t.work, &["-d", "-Ddict", "-c"], Some(&o.stdout));
    assert!(
        back.status.success() && back.stdout == data,
        "{}",
        err(&back)
    );
    let real = t.real(&t.work, &["-Ddict", "-c", "in"], None);
    let ours = t.ours("lz4", &["-dc", "-D", "dict"], Some(&real.stdout));
    assert!(
        ours.status.success() && ours.stdout == data,
        "{}",
        err(&ours)
    );
}

#[test]
fn output_names_and_rm() {
    let t = Links::new();
    let data = text_like(50_000, 5);
    t.put("f", &data);
    // FILE -> FILE.lz4 (1.10: not stdout even though stdout is a pipe here).
    let o = t.ours("lz4", &["f"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(o.stdout.is_empty());
    assert!(err(&o).contains("Compressed filename will be : f.lz4"));
    assert_eq!(
        lz4framed::decompress(&fs::read(t.path("f.lz4")).unwrap()).unwrap(),
        data
    );
    // Again: exists, not overwritten, status 1, file unchanged.
    let before = fs::read(t.path("f.lz4")).unwrap();
    let o = t.ours("lz4", &["-9", "f"], None);
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("f.lz4 already exists; not overwritten"));
    assert_eq!(fs::read(t.path("f.lz4")).unwrap(), before);
    // -f overwrites.
    let o = t.ours("lz4", &["-9f", "f"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_ne!(fs::read(t.path("f.lz4")).unwrap(), before);
    // FILE.lz4 -> FILE; FILE exists.
    let o = t.ours("lz4", &["-d", "f.lz4"], None);
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("f already exists; not overwritten"));
    // --rm: decompress over it, the .lz4 is removed.
    fs::remove_file(t.path("f")).unwrap();
    let o = t.ours("unlz4", &["--rm", "f.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(fs::read(t.path("f")).unwrap(), data);
    assert_eq!(listing(&t.work), ["f"]);
    // Compress with --rm, then -k keeps.
    let o = t.ours("lz4", &["--rm", "f"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(listing(&t.work), ["f.lz4"]);
    let o = t.ours("lz4", &["-d", "--rm", "-k", "f.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(listing(&t.work), ["f", "f.lz4"]);
    // Decompressing a name without .lz4 and no output: status 1.
    let o = t.ours("lz4", &["-d", "f"], None);
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("Cannot determine an output filename"));
    // -t writes nothing and keeps the file, even with --rm.
    let o = t.ours("lz4", &["-t", "--rm", "f.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(listing(&t.work), ["f", "f.lz4"]);
    // A failed run leaves no output file behind.
    t.put("bad.lz4", b"this is not lz4 data at all");
    let o = t.ours("lz4", &["-d", "bad.lz4"], None);
    assert_eq!(code(&o), 44, "{}", err(&o));
    assert_eq!(listing(&t.work), ["bad.lz4", "f", "f.lz4"]);
}

/// Run the same `-m` command with ours and with the real lz4 in two directories holding the
/// same files; the statuses and the resulting directory listings must agree.
fn same_as_real(files: &[(&str, &[u8])], args: &[&str]) -> (Output, Links) {
    let t = Links::new();
    let real_dir = t.work.parent().unwrap().join("real");
    fs::create_dir_all(&real_dir).unwrap();
    for (name, data) in files {
        t.put(name, data);
        fs::write(real_dir.join(name), data).unwrap();
    }
    let ours = t.ours("lz4", args, None);
    let real = t.real(&real_dir, args, None);
    assert_eq!(
        code(&ours),
        code(&real),
        "{args:?}: ours {} / lz4 {}",
        err(&ours),
        err(&real)
    );
    assert_eq!(listing(&t.work), listing(&real_dir), "{args:?}");
    for name in listing(&real_dir) {
        let (a, b) = (
            fs::read(t.path(&name)).unwrap(),
            fs::read(real_dir.join(&name)).unwrap(),
        );
        // Compressed files are compared by content (the encoders differ), others as bytes.
        match (lz4framed::decompress(&a), lz4framed::decompress(&b)) {
            (Ok(x), Ok(y)) if name.ends_with(".lz4") => assert_eq!(x, y, "{name}"),
            _ => assert_eq!(a, b, "{name}"),
        }
    }
    (ours, t)
}

#[test]
fn multiple_files_as_lz4() {
    if !have_real() {
        return;
    }
    let a = text_like(40_000, 6);
    let b = text_like(70_000, 7);
    let frame_a = lz4framed::compress(&a);
    same_as_real(&[("a", &a), ("b", &b)], &["-m", "a", "b"]);
    same_as_real(&[("a", &a), ("b", &b)], &["-m", "--rm", "a", "b"]);
    // One output exists already: that file fails, the other is done, status 1.
    same_as_real(
        &[("a", &a), ("b", &b), ("a.lz4", b"old")],
        &["-m", "a", "b"],
    );
    // A missing input counts as one failure.
    same_as_real(&[("a", &a)], &["-m", "a", "missing"]);
    // Decompression of several files; a name without .lz4 is skipped and counted.
    same_as_real(
        &[("x.lz4", &frame_a), ("y.lz4", &frame_a), ("z", &a)],
        &["-d", "-m", "x.lz4", "y.lz4", "z"],
    );
    same_as_real(
        &[("x.lz4", &frame_a), ("y.lz4", &frame_a)],
        &["-dm", "--rm", "x.lz4", "y.lz4"],
    );
    // Combined flags: -dcfm writes both to stdout.
    let (o, _) = same_as_real(
        &[("x.lz4", &frame_a), ("y.lz4", &frame_a)],
        &["-dcfm", "x.lz4", "y.lz4"],
    );
    assert_eq!(o.stdout, [a.as_slice(), a.as_slice()].concat());
}

#[test]
fn lz4cat_concatenates_and_passes_plain_data_through() {
    let t = Links::new();
    let a = text_like(30_000, 8);
    let b = text_like(20_000, 9);
    t.put("a.lz4", &lz4framed::compress(&a));
    t.put("b.lz4", &lz4framed::compress(&b));
    t.put("plain.txt", b"plain text, not LZ4\n");
    let o = t.ours("lz4cat", &["a.lz4", "plain.txt", "b.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        o.stdout,
        [a.as_slice(), b"plain text, not LZ4\n", b.as_slice()].concat()
    );
    // From stdin.
    let o = t.ours("lz4cat", &[], Some(&lz4framed::compress(&a)));
    assert_eq!(o.stdout, a);
    // `lz4 -dc` on plain data is an error (44); with -f it passes through, as lz4 does.
    let o = t.ours("lz4", &["-dc", "plain.txt"], None);
    assert_eq!(code(&o), 44);
    let o = t.ours("lz4", &["-dcf", "plain.txt"], None);
    assert_eq!(code(&o), 0);
    assert_eq!(o.stdout, b"plain text, not LZ4\n");
    if have_real() {
        let r = t.real(&t.work, &["-dc", "plain.txt"], None);
        assert_eq!(code(&r), 44);
    }
}

#[test]
fn stdin_and_stdout() {
    let t = Links::new();
    let data = text_like(200_000, 10);
    let o = t.ours("lz4", &[], Some(&data));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let back = t.ours("lz4", &["-d"], Some(&o.stdout));
    assert_eq!(back.stdout, data);
    let o = t.ours("lz4", &["-", "-"], Some(&data));
    assert_eq!(lz4framed::decompress(&o.stdout).unwrap(), data);
    // stdin to a named file.
    let o = t.ours("lz4", &["-", "out.lz4"], Some(&data));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        lz4framed::decompress(&fs::read(t.path("out.lz4")).unwrap()).unwrap(),
        data
    );
    // `null` discards.
    let o = t.ours("lz4", &["-d", "out.lz4", "null"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!t.path("null").exists());
}

#[test]
fn legacy_format_write_read_back_by_lz4() {
    let t = Links::new();
    // Over one 8 MiB legacy block, so that the frame has two.
    let data = text_like(9 << 20, 11);
    t.put("big", &data);
    let o = t.ours("lz4", &["-l", "big", "big.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let frame = fs::read(t.path("big.lz4")).unwrap();
    assert_eq!(&frame[..4], &0x184C_2102u32.to_le_bytes());
    let first = u32::from_le_bytes(frame[4..8].try_into().unwrap()) as usize;
    let second = u32::from_le_bytes(frame[8 + first..12 + first].try_into().unwrap()) as usize;
    assert_eq!(12 + first + second, frame.len(), "two blocks, nothing else");
    assert_eq!(lz4framed::decompress(&frame).unwrap(), data);
    // The subcommand writes the same format.
    let sub = Command::new(assert_cmd::cargo::cargo_bin("lz4framed"))
        .current_dir(&t.work)
        .args(["compress", "--legacy", "-9", "big", "sub.lz4"])
        .output()
        .unwrap();
    assert!(sub.status.success(), "{}", err(&sub));
    let sub = fs::read(t.path("sub.lz4")).unwrap();
    assert_eq!(lz4framed::decompress(&sub).unwrap(), data);
    // Empty input: the magic number alone, as lz4 -l writes it.
    t.put("empty", b"");
    let o = t.ours("lz4", &["-l", "empty", "empty.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        fs::read(t.path("empty.lz4")).unwrap(),
        0x184C_2102u32.to_le_bytes()
    );
    if have_real() {
        for f in ["big.lz4", "sub.lz4"] {
            let r = t.real(&t.work, &["-dc", f], None);
            assert!(r.status.success(), "{f}: {}", err(&r));
            assert!(r.stdout == data, "{f}: lz4 -d differs");
        }
        let r = t.real(&t.work, &["-l", "-c", "empty"], None);
        assert_eq!(r.stdout, fs::read(t.path("empty.lz4")).unwrap());
        // And ours reads lz4's legacy frames.
        let r = t.real(&t.work, &["-l", "-c", "big"], None);
        let o = t.ours("lz4", &["-dc"], Some(&r.stdout));
        assert!(o.status.success() && o.stdout == data);
    }
}

#[test]
fn sparse_output_makes_holes() {
    use std::os::unix::fs::MetadataExt;
    let t = Links::new();
    // Data, 8 MiB of zeros, data, then 4 MiB of zeros at the end.
    let mut data = text_like(1 << 20, 12);
    data.resize(data.len() + (8 << 20), 0);
    data.extend_from_slice(&text_like(1 << 20, 13));
    data.resize(data.len() + (4 << 20), 0);
    t.put("img", &data);
    let o = t.ours("lz4", &["img", "img.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    fs::remove_file(t.path("img")).unwrap();
    let o = t.ours("unlz4", &["img.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let sparse = fs::metadata(t.path("img")).unwrap();
    assert_eq!(fs::read(t.path("img")).unwrap(), data);
    let o = t.ours("unlz4", &["--no-sparse", "img.lz4", "dense"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let dense = fs::metadata(t.path("dense")).unwrap();
    assert_eq!(sparse.len(), data.len() as u64);
    assert_eq!(dense.len(), data.len() as u64);
    let (s, d) = (sparse.blocks() * 512, dense.blocks() * 512);
    if d < data.len() as u64 / 2 {
        println!("SKIPPED: this file system compacts zeros by itself ({d} bytes on disk)");
        return;
    }
    assert!(
        s < (3 << 20) && s * 3 < d,
        "sparse file takes {s} bytes on disk, dense {d}"
    );
    // The subcommand does the same by default.
    let sub = Command::new(assert_cmd::cargo::cargo_bin("lz4framed"))
        .current_dir(&t.work)
        .args(["decompress", "img.lz4", "sub"])
        .output()
        .unwrap();
    assert!(sub.status.success(), "{}", err(&sub));
    let m = fs::metadata(t.path("sub")).unwrap();
    assert!(m.blocks() * 512 < (3 << 20));
    assert_eq!(fs::read(t.path("sub")).unwrap(), data);
    if have_real() {
        // lz4's own sparse output, for comparison: ours takes no more disk.
        let r = t.real(&t.work, &["-d", "img.lz4", "real"], None);
        assert!(r.status.success(), "{}", err(&r));
        let real = fs::metadata(t.path("real")).unwrap().blocks() * 512;
        assert!(s <= real, "ours {s} bytes on disk, lz4's {real}");
    }
}

#[test]
fn list_matches_info_and_lz4() {
    let t = Links::new();
    let a = text_like(100_000, 14);
    let mut file = lz4framed::compress_with(
        &a,
        &lz4framed::FrameSettings::lz4_cli().content_size(Some(a.len() as u64)),
    )
    .unwrap();
    file.extend(
        lz4framed::compress_with(&a, &lz4framed::FrameSettings::lz4_cli().content_size(None))
            .unwrap(),
    );
    t.put("two.lz4", &file);
    let one = lz4framed::compress_with(
        &a,
        &lz4framed::FrameSettings::lz4_cli().content_size(Some(a.len() as u64)),
    )
    .unwrap();
    t.put("one.lz4", &one);
    let o = t.ours("lz4", &["--list", "one.lz4", "two.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let one_fields: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(one_fields[..3], ["1", "LZ4Frame", "B7I"], "{text}");
    assert_eq!(
        one_fields[5],
        format!("{:.2}%", one.len() as f64 / a.len() as f64 * 100.0)
    );
    let two_fields: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(two_fields[0], "2");
    assert_eq!(two_fields[4], "-", "one frame has no content size: {text}");
    // Against `lz4framed info --json`: the same frames with the same compressed sizes.
    let v = t.ours("lz4", &["-v", "--list", "two.lz4"], None);
    let verbose = String::from_utf8(v.stdout.clone()).unwrap();
    let info = Command::new(assert_cmd::cargo::cargo_bin("lz4framed"))
        .current_dir(&t.work)
        .args(["info", "--json", "two.lz4"])
        .output()
        .unwrap();
    let json = String::from_utf8(info.stdout).unwrap();
    let rows: Vec<Vec<&str>> = verbose
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "{verbose}");
    for row in &rows {
        assert!(
            json.contains(&format!("\"compressed_size\":{}", row[4]))
                || json.contains(&format!("\"compressed_size\": {}", row[4])),
            "{} not in {json}",
            row[4]
        );
    }
    if have_real() {
        // The per-frame (-v) table is the same in lz4 1.9.4 and 1.10: compare exactly. (1.9.4
        // prints it on stderr after its banner, 1.10 on stdout.)
        let r = t.real(&t.work, &["-v", "--list", "two.lz4"], None);
        let real: String = String::from_utf8(r.stderr)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("***"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(real, verbose);
    }
    // Not LZ4 data: status 1.
    t.put("x.lz4", b"not lz4 data");
    let o = t.ours("lz4", &["--list", "x.lz4"], None);
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("File format not recognized"));
}

/// `--list` on files cut short and damaged, against the real tool: lz4 reads headers and
/// seeks over blocks, so a file cut inside a frame's blocks or its content checksum is listed
/// (status 0, the same row); a cut header, a cut legacy block header, 1-3 bytes where a magic
/// number belongs, a skippable frame without its size, trailing garbage get lz4's statuses
/// (1, 40, 42, 71, 72). Each case: the same status and, when listed, the same row fields
/// (the column widths are 1.10's). Our message says what is missing.
#[test]
fn list_of_cut_and_damaged_files_matches_lz4() {
    if !have_real() {
        return;
    }
    let t = Links::new();
    let data = text_like(600_000, 16);
    let frame = |s: lz4framed::FrameSettings| lz4framed::compress_with(&data, &s).unwrap();
    let cli = lz4framed::FrameSettings::lz4_cli();
    let sized = frame(
        cli.clone()
            .block_size(BlockSize::Max64KB)
            .content_size(Some(data.len() as u64)),
    );
    let plain = frame(
        cli.clone()
            .block_size(BlockSize::Max64KB)
            .content_size(None),
    );
    t.put("data", &data);
    let r = t.real(&t.work, &["-l", "-q", "-f", "data", "legacy"], None);
    assert_eq!(code(&r), 0, "{}", err(&r));
    let legacy = fs::read(t.path("legacy")).unwrap();
    let skippable = [
        &0x184D_2A53u32.to_le_bytes()[..],
        &16u32.to_le_bytes(),
        b"abc",
    ]
    .concat();
    let two = [&plain[..], &sized[..]].concat();
    let n = sized.len();
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("blocks".into(), sized[..n / 2].to_vec()),
        ("checksum".into(), sized[..n - 2].to_vec()),
        ("endmark".into(), sized[..n - 6].to_vec()),
        ("second".into(), two[..two.len() - 3].to_vec()),
        ("magic3".into(), sized[..3].to_vec()),
        ("magic4".into(), sized[..4].to_vec()),
        ("header7".into(), sized[..7].to_vec()),
        ("header9".into(), sized[..9].to_vec()),
        ("header".into(), sized[..15].to_vec()),
        ("header1".into(), sized[..16].to_vec()),
        ("after".into(), [&plain[..], &sized[..2]].concat()),
        ("legacy".into(), legacy[..legacy.len() / 2].to_vec()),
        ("legacy6".into(), legacy[..6].to_vec()),
        ("legacy10".into(), legacy[..10].to_vec()),
        ("skip".into(), skippable.clone()),
        ("skip6".into(), skippable[..6].to_vec()),
        ("trailing".into(), [&plain[..], b"garbage!"].concat()),
        ("empty".into(), Vec::new()),
    ];
    let mut whole = sized.clone();
    whole.extend_from_slice(&plain);
    cases.push(("whole".into(), whole));
    let rows = |o: &Output, stderr_too: bool| -> Vec<Vec<String>> {
        let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
        if stderr_too {
            text.push_str(&err(o));
        }
        text.lines()
            .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .map(|l| l.split_whitespace().map(str::to_string).collect())
            .collect()
    };
    for (name, bytes) in &cases {
        let file = format!("{name}.lz4");
        t.put(&file, bytes);
        let real = t.real(&t.work, &["--list", "-m", &file], None);
        let ours = t.ours("lz4", &["--list", "-m", &file], None);
        assert_eq!(code(&ours), code(&real), "{name}: {}", err(&ours));
        assert_eq!(rows(&ours, false), rows(&real, false), "{name}");
        if code(&real) == 0 && name != "whole" {
            // Listed, though cut: -v says so, with the offset where the file ends.
            let v = t.ours("lz4", &["-v", "--list", "-m", &file], None);
            assert_eq!(code(&v), 0);
            let msg = err(&v);
            assert!(
                msg.contains("the last frame is incomplete")
                    && msg.contains(&format!("offset {}", bytes.len())),
                "{name}: {msg}"
            );
        }
        if code(&real) == 1 && !bytes.is_empty() {
            assert!(
                err(&ours).contains("File format not recognized ("),
                "{name}: {}",
                err(&ours)
            );
        }
    }
}

#[test]
fn exit_statuses_match_lz4() {
    if !have_real() {
        return;
    }
    let t = Links::new();
    let data = text_like(300_000, 15);
    let frame = lz4framed::compress_with(&data, &lz4framed::FrameSettings::lz4_cli()).unwrap();
    t.put("good.lz4", &frame);
    let mut corrupt = frame.clone();
    let n = corrupt.len();
    corrupt[n - 2] ^= 0x55; // content checksum
    t.put("corrupt.lz4", &corrupt);
    t.put("trunc.lz4", &frame[..frame.len() / 2]);
    t.put("plain.lz4", &text_like(1000, 16));
    let mut trailing = frame.clone();
    trailing.extend_from_slice(b"garbage");
    t.put("trailing.lz4", &trailing);
    let mut stray = frame.clone();
    stray.extend_from_slice(b"ab");
    t.put("stray.lz4", &stray);
    let cases: &[&[&str]] = &[
        &["-d", "good.lz4", "out1"],
        &["-d", "corrupt.lz4", "out2"],
        &["-d", "trunc.lz4", "out3"],
        &["-d", "plain.lz4", "out4"],
        &["-d", "trailing.lz4", "out5"],
        &["-d", "stray.lz4", "out7"],
        &["-d", "-T1", "trailing.lz4", "out8"],
        &["-d", "missing.lz4", "out6"],
        &["-t", "corrupt.lz4"],
        &["-t", "good.lz4"],
        &["-y", "good.lz4"],
        &["-B3", "good.lz4"],
        &["good.lz4", "a", "b"],
        &["-d", "good.lz4", "out1"],
    ];
    let real_dir = t.work.parent().unwrap().join("real");
    fs::create_dir_all(&real_dir).unwrap();
    for f in listing(&t.work) {
        fs::copy(t.path(&f), real_dir.join(&f)).unwrap();
    }
    for args in cases {
        let ours = t.ours("lz4", args, None);
        let real = t.real(&real_dir, args, None);
        assert_eq!(
            code(&ours),
            code(&real),
            "{args:?}: ours: {} / lz4: {}",
            err(&ours),
            err(&real)
        );
    }
    // Trailing bytes: the output is kept and the message names lz4's position.
    assert_eq!(fs::read(t.path("out5")).unwrap(), data);
    let o = t.ours("lz4", &["-df", "trailing.lz4", "out5"], None);
    let r = t.real(&real_dir, &["-df", "trailing.lz4", "out5"], None);
    let expected = format!(
        "Stream followed by undecodable data at position {}",
        frame.len() + 4
    );
    assert!(err(&o).contains(&expected), "{}", err(&o));
    assert!(err(&r).contains(&expected), "{}", err(&r));
    // On several threads (lz4 1.10's -T#; 1.9.4 has no -T, so ours alone): the same.
    for (args, status) in [
        (&["-d", "-T2", "trailing.lz4", "out9"][..], 1),
        (&["-d", "-T2", "corrupt.lz4", "out10"][..], 66),
        (&["-d", "-T2", "trunc.lz4", "out11"][..], 68),
    ] {
        let o = t.ours("lz4", args, None);
        assert_eq!(code(&o), status, "{args:?}: {}", err(&o));
    }
    assert_eq!(fs::read(t.path("out9")).unwrap(), data);
    let o = t.ours("lz4", &["-T2", "-c", "out9"], None);
    let r = t.real(&t.work, &["-dc"], Some(&o.stdout));
    assert!(r.status.success() && r.stdout == data);
    // Unlike lz4, failures leave no partial output.
    for f in ["out2", "out3", "out4", "out6", "out10", "out11"] {
        assert!(!t.path(f).exists(), "{f}");
    }
}

#[test]
fn console_refusals() {
    // `script` gives the command a terminal as stdin and stdout.
    if !Path::new("/usr/bin/script").exists() {
        println!("SKIPPED: no `script` to run under a terminal");
        return;
    }
    let t = Links::new();
    t.put("f", &text_like(10_000, 17));
    let lz4 = t.bin.join("lz4");
    let under_tty = |cmd: &str| {
        Command::new("/usr/bin/script")
            .current_dir(&t.work)
            .args(["-qec", cmd, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let o = under_tty(&format!(
        "{} -c f < /dev/null > /dev/null; {} - < f",
        lz4.display(),
        lz4.display()
    ));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("refusing to write to console without -c"),
        "{text}"
    );
    let o = under_tty(&format!("{} -d", lz4.display()));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(text.contains("refusing to read from a console"), "{text}");
    assert_eq!(code(&o), 1);
    // The subcommand refuses to print compressed bytes on a terminal too.
    let exe = assert_cmd::cargo::cargo_bin("lz4framed");
    let o = under_tty(&format!("{} compress f", exe.display()));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("refusing to write compressed data to a terminal"),
        "{text}"
    );
    assert_eq!(code(&o), 1);
}

#[test]
fn recursive_and_subcommand_multiple() {
    let t = Links::new();
    let a = text_like(10_000, 18);
    fs::create_dir_all(t.path("d/sub")).unwrap();
    t.put("d/one", &a);
    t.put("d/sub/two", &a);
    let o = t.ours("lz4", &["-r", "d"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(t.path("d/one.lz4").exists() && t.path("d/sub/two.lz4").exists());
    // lz4framed compress -m / decompress -m --rm.
    let exe = assert_cmd::cargo::cargo_bin("lz4framed");
    t.put("x", &a);
    t.put("y", &a);
    let o = Command::new(&exe)
        .current_dir(&t.work)
        .args(["compress", "-m", "--rm", "x", "y"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(!t.path("x").exists() && t.path("x.lz4").exists() && t.path("y.lz4").exists());
    let o = Command::new(&exe)
        .current_dir(&t.work)
        .args(["decompress", "-m", "x.lz4", "y.lz4", "d/one"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "d/one has no .lz4: {}", err(&o));
    assert_eq!(fs::read(t.path("x")).unwrap(), a);
    assert_eq!(fs::read(t.path("y")).unwrap(), a);
}

#[test]
fn benchmark_mode_reports_each_level() {
    let t = Links::new();
    let data = text_like(200_000, 19);
    t.put("f", &data);
    let o = t.ours("lz4", &["-b1e3", "-i0", "f"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = err(&o);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("MB/s")).collect();
    assert_eq!(lines.len(), 3, "{text}");
    for (i, line) in lines.iter().enumerate() {
        let level = i + 1;
        assert!(
            line.trim_start().starts_with(&format!("{level}#f")),
            "{line}"
        );
        // The compressed size it reports is the size of the frame `lz4 -N -c` writes.
        let c = t.ours("lz4", &[&format!("-{level}"), "-c", "f"], None);
        let reported: Vec<&str> = line.split_whitespace().collect();
        let arrow = reported.iter().position(|w| *w == "->").unwrap();
        assert_eq!(reported[arrow - 1], data.len().to_string(), "{line}");
        assert_eq!(reported[arrow + 1], c.stdout.len().to_string(), "{line}");
    }
}

#[test]
fn help_version_and_bad_usage() {
    let t = Links::new();
    let o = t.ours("lz4", &["-V"], None);
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).contains("lz4"));
    let o = t.ours("lz4", &["-H"], None);
    assert_eq!(code(&o), 0);
    assert!(err(&o).contains("--favor-decSpeed"));
    let o = t.ours("lz4", &["--no-such-option"], None);
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("Incorrect parameters"));
    // Names with an extension are the same tools (lz4's exeNameMatch).
    let exe = assert_cmd::cargo::cargo_bin("lz4framed");
    std::os::unix::fs::symlink(&exe, t.bin.join("unlz4.exe")).unwrap();
    let frame = lz4framed::compress(b"hello hello hello");
    let o = run(
        Command::new(t.bin.join("unlz4.exe")),
        &t.work,
        &["-c"],
        Some(&frame),
    );
    assert_eq!(o.stdout, b"hello hello hello");
}

#[test]
fn seekable_linked_file_decodes_through_the_index() {
    // A file with a seek index and linked blocks: the personality decodes it from the index's
    // restart points on several threads; the bytes are the same as lz4's.
    let t = Links::new();
    let data = text_like(6 << 20, 20);
    t.put("big", &data);
    let exe = assert_cmd::cargo::cargo_bin("lz4framed");
    let o = Command::new(&exe)
        .current_dir(&t.work)
        .args([
            "compress",
            "--seekable",
            "--linked",
            "-B",
            "64K",
            "big",
            "big.lz4",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    for threads in ["-T1", "-T3"] {
        let _ = fs::remove_file(t.path("big.out"));
        let o = t.ours("lz4", &["-d", threads, "big.lz4", "big.out"], None);
        assert_eq!(code(&o), 0, "{}", err(&o));
        assert!(fs::read(t.path("big.out")).unwrap() == data, "{threads}");
    }
    if have_real() {
        let r = t.real(&t.work, &["-dc", "big.lz4"], None);
        assert!(r.status.success() && r.stdout == data, "{}", err(&r));
    }
}

#[test]
fn no_frame_or_skippable_frames_only_is_an_empty_stream() {
    // lz4 skips skippable frames before it looks for a frame, so an empty input, or one of
    // skippable frames only, decodes to nothing with status 0; bytes that are no frame after a
    // skippable frame are trailing data (status 1), 1 to 3 of them no magic number (40).
    let t = Links::new();
    let skippable = |n: u8, payload: &[u8]| {
        let mut v = (0x184D_2A50u32 + u32::from(n)).to_le_bytes().to_vec();
        v.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        v.extend_from_slice(payload);
        v
    };
    let data = text_like(10_000, 21);
    let frame = lz4framed::compress(&data);
    t.put("empty.lz4", b"");
    t.put("skip.lz4", &skippable(0, b"meta"));
    t.put(
        "skips.lz4",
        &[skippable(1, b""), skippable(15, &[7; 100_000])].concat(),
    );
    t.put(
        "skip-frame.lz4",
        &[skippable(2, b"x"), frame.clone(), skippable(3, b"y")].concat(),
    );
    t.put(
        "skip-junk.lz4",
        &[skippable(0, b"m"), b"junk!".to_vec()].concat(),
    );
    t.put("skip-2.lz4", &[skippable(0, b"m"), b"ab".to_vec()].concat());
    let cut = skippable(0, b"metadata");
    t.put("skip-cut.lz4", &cut[..10]);
    let real_dir = t.work.parent().unwrap().join("real");
    fs::create_dir_all(&real_dir).unwrap();
    for f in listing(&t.work) {
        fs::copy(t.path(&f), real_dir.join(&f)).unwrap();
    }
    let cases: &[(&str, &[&str], i32, &[u8])] = &[
        ("lz4", &["-dc", "empty.lz4"], 0, b""),
        ("lz4", &["-t", "empty.lz4"], 0, b""),
        ("lz4cat", &["empty.lz4"], 0, b""),
        ("lz4", &["-dc", "skip.lz4"], 0, b""),
        ("lz4", &["-dc", "skips.lz4"], 0, b""),
        ("unlz4", &["-c", "skips.lz4"], 0, b""),
        ("lz4", &["-dc", "skip-frame.lz4"], 0, &data),
        ("lz4", &["-d", "skip-junk.lz4", "junk.out"], 1, b""),
        ("lz4cat", &["skip-junk.lz4"], 1, b""),
        ("lz4", &["-d", "skip-2.lz4", "two.out"], 40, b""),
    ];
    for threads in ["-T1", "-T2"] {
        for &(tool, args, status, out) in cases {
            let mut args = args.to_vec();
            args.insert(0, threads);
            let o = t.ours(tool, &args, None);
            assert_eq!(code(&o), status, "{tool} {args:?}: {}", err(&o));
            assert_eq!(o.stdout, out, "{tool} {args:?}");
            let _ = fs::remove_file(t.path("junk.out"));
        }
        // From stdin too.
        for f in ["empty.lz4", "skips.lz4"] {
            let o = t.ours("lz4", &[threads, "-d"], Some(&fs::read(t.path(f)).unwrap()));
            assert_eq!(code(&o), 0, "{f}: {}", err(&o));
            assert!(o.stdout.is_empty());
        }
    }
    // An output file is written, empty; --rm removes the source as after any success.
    let o = t.ours("lz4", &["-d", "--rm", "skip.lz4"], None);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(fs::read(t.path("skip")).unwrap(), b"");
    assert!(!t.path("skip.lz4").exists());
    // A skippable frame cut short is still truncated input (lz4 seeks past the end of a
    // file and does not notice), with its offset.
    let o = t.ours("lz4", &["-dc", "skip-cut.lz4"], None);
    assert_eq!(code(&o), 68, "{}", err(&o));
    assert!(err(&o).contains("offset 10"), "{}", err(&o));
    if have_real() {
        // The real tool (1.9.4 takes no -T) agrees on every status and output above.
        use std::os::unix::process::CommandExt;
        for &(tool, args, status, out) in cases {
            let mut cmd = Command::new(REAL);
            if tool != "lz4" {
                cmd.arg0(tool);
            }
            let r = run(cmd, &real_dir, args, None);
            assert_eq!(
                (code(&r), &r.stdout[..]),
                (status, out),
                "lz4 as {tool} {args:?}"
            );
        }
    }
}

#[test]
fn small_inputs_are_framed_as_lz4_frames_them() {
    // An input shorter than one block is one LZ4F_compressFrame for lz4: the smallest block
    // size that holds it (never more than asked), independent blocks, and no content size for
    // nothing. Whether it comes from a file or a pipe, with an explicit -B or -BD: on the C
    // backend the frames are byte for byte lz4's. (Ours kept -B7 and -BD, and 4 MiB blocks
    // for a pipe.)
    if !have_real() {
        return;
    }
    let t = Links::new();
    let data = text_like(300_000, 23);
    t.put("in", &data);
    t.put("empty", b"");
    for opts in [
        &[][..],
        &["-B7"],
        &["-B6"],
        &["-BD"],
        &["-B7D", "-BX"],
        &["--content-size"],
        &["-9", "-BD", "--no-frame-crc"],
    ] {
        for input in ["in", "empty"] {
            for piped in [false, true] {
                let mut args = opts.to_vec();
                args.push("-c");
                let stdin = piped.then(|| fs::read(t.path(input)).unwrap());
                if !piped {
                    args.push(input);
                }
                let mut cmd = Command::new(t.bin.join("lz4"));
                cmd.env("LZ4FRAMED_BACKEND", "c");
                let ours = run(cmd, &t.work, &args, stdin.as_deref());
                let real = t.real(&t.work, &args, stdin.as_deref());
                assert_eq!(code(&ours), 0, "{args:?}: {}", err(&ours));
                assert!(
                    ours.stdout == real.stdout,
                    "{args:?} {input} piped={piped}: {:02x?} / lz4 {:02x?}",
                    &ours.stdout[..ours.stdout.len().min(16)],
                    &real.stdout[..real.stdout.len().min(16)]
                );
            }
        }
    }
}

#[test]
fn fast_levels_are_lz4s_on_the_c_backend() {
    // `--fast=N` is LZ4F's level -N, which compresses with acceleration N + 1: on the C
    // backend (the library lz4 itself uses) the frames are byte for byte lz4's. Ours used
    // acceleration N, the bytes of lz4's --fast=N-1.
    if !have_real() {
        return;
    }
    let t = Links::new();
    t.put("in", &text_like(700_000, 22));
    for fast in [
        "-1",
        "--fast",
        "--fast=1",
        "--fast=2",
        "--fast=9",
        "--fast=300",
    ] {
        // One block: the blocks of a longer input come out of LZ4F other than out of the
        // library's block compressor (both valid; measured: LZ4F's 64 KiB independent blocks
        // are larger), so only single-block frames can be byte for byte lz4's.
        for blocks in ["-B7", "-B6"] {
            let args = [fast, blocks, "-c", "in"];
            let mut cmd = Command::new(t.bin.join("lz4"));
            cmd.env("LZ4FRAMED_BACKEND", "c");
            let ours = run(cmd, &t.work, &args, None);
            let real = t.real(&t.work, &args, None);
            assert_eq!(code(&ours), 0, "{args:?}: {}", err(&ours));
            assert!(
                ours.stdout == real.stdout,
                "{args:?}: {} bytes, lz4 {}",
                ours.stdout.len(),
                real.stdout.len()
            );
        }
    }
}
