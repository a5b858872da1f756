//! Interoperability with the reference `lz4` command-line tool, both ways, over its flag matrix.
//! What `lz4` writes we decode to the exact original; what we write `lz4 -t` accepts and `lz4 -d`
//! restores. Skipped, with a message, only where `lz4` is not installed.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::*;
use lz4framed::{Backend, BlockMode, BlockSize, Decompressor, Dictionary, FrameSettings};

fn lz4_available() -> bool {
    match Command::new("lz4").arg("--version").output() {
        Ok(o) if o.status.success() => true,
        _ => {
            eprintln!("SKIPPED: the `lz4` tool is not installed (apt-get install lz4)");
            false
        }
    }
}

/// Run `lz4 args...` with `input` on stdin; return stdout, panicking on failure.
fn lz4(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("lz4")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn lz4");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert!(
        out.status.success(),
        "lz4 {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn temp_file(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lz4framed-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn decode_all_backends(frame: &[u8], dict: Option<&Dictionary>, want: &[u8], what: &str) {
    for b in available_backends() {
        let mut d = Decompressor::with_backend(b).unwrap();
        if let Some(dict) = dict {
            d = d.with_dictionary(dict.clone());
        }
        let got = lz4framed::decompress_with(d, frame)
            .unwrap_or_else(|e| panic!("{what}: backend {b} fails: {e}"));
        assert!(got == want, "{what}: backend {b} decodes differently");
    }
}

#[test]
fn we_decode_what_lz4_writes() {
    if !lz4_available() {
        return;
    }
    let data = mixed(1_500_000, 21);
    let matrix: &[&[&str]] = &[
        &[],
        &["-1"],
        &["-9"],
        &["-12"],
        &["--fast=3"],
        &["-B4"],
        &["-B5"],
        &["-B6"],
        &["-B7"],
        &["-B4", "-BD"],
        &["-BD", "-9"],
        &["-BX"],
        &["-B4", "-BX", "-BD"],
        &["--no-frame-crc"],
        &["--content-size"],
        &["-l"],
        &["-l", "-9"],
    ];
    for flags in matrix {
        let mut args = vec!["-c", "-z"];
        args.extend_from_slice(flags);
        let frame = lz4(&args, &data);
        decode_all_backends(&frame, None, &data, &format!("lz4 {flags:?}"));
    }
}

#[test]
fn we_decode_lz4_dictionary_frames() {
    if !lz4_available() {
        return;
    }
    let dict_bytes = text_like(200_000, 22);
    let data = text_like(300_000, 23);
    let dict_path = temp_file("dict", &dict_bytes);
    let dict = Dictionary::new(&dict_bytes);
    for flags in [&["-B4"][..], &["-B4", "-BD"], &["-B7", "-9"]] {
        let mut args = vec!["-c", "-z", "-D", dict_path.to_str().unwrap()];
        args.extend_from_slice(flags);
        let frame = lz4(&args, &data);
        decode_all_backends(&frame, Some(&dict), &data, &format!("lz4 -D {flags:?}"));
    }
}

#[test]
fn we_decode_concatenated_files_and_a_leading_skippable_frame() {
    if !lz4_available() {
        return;
    }
    let a = text_like(400_000, 24);
    let b = random_bytes(100_000, 25);
    let mut stream = Vec::new();
    stream.extend_from_slice(&0x184D_2A51u32.to_le_bytes());
    stream.extend_from_slice(&3u32.to_le_bytes());
    stream.extend_from_slice(b"abc");
    stream.extend(lz4(&["-c", "-z", "-B4", "-BD"], &a));
    stream.extend(lz4(&["-c", "-z", "-9", "--content-size"], &b));
    stream.extend(lz4(&["-c", "-z", "-l"], &a));
    let want: Vec<u8> = a.iter().chain(&b).chain(&a).copied().collect();
    decode_all_backends(&stream, None, &want, "concatenated");
    // And lz4 agrees on what the stream is.
    assert_eq!(lz4(&["-d", "-c"], &stream), want);
}

fn settings_matrix() -> Vec<(String, FrameSettings)> {
    let mut v = Vec::new();
    for b in available_backends() {
        let levels: Vec<i32> = levels(b);
        for &level in &levels {
            for bs in BlockSize::ALL {
                let mode = if bs == BlockSize::Max64KB {
                    BlockMode::Linked
                } else {
                    BlockMode::Independent
                };
                v.push((
                    format!("{b} level {level} {bs:?} {mode:?}"),
                    FrameSettings::new()
                        .backend(b)
                        .level(level)
                        .block_size(bs)
                        .block_mode(mode)
                        .content_checksum(level % 2 != 0)
                        .block_checksum(bs == BlockSize::Max256KB),
                ));
            }
        }
        v.push((
            format!("{b} no content size"),
            FrameSettings::new().backend(b).content_size(None),
        ));
        v.push((
            format!("{b} lz4 cli defaults"),
            FrameSettings::lz4_cli().backend(b),
        ));
    }
    v
}

#[test]
fn lz4_decodes_what_we_write() {
    if !lz4_available() {
        return;
    }
    let data = mixed(1_200_000, 26);
    for (what, s) in settings_matrix() {
        let frame = lz4framed::compress_with(&data, &s).unwrap();
        let path = temp_file("ours.lz4", &frame);
        let t = Command::new("lz4").arg("-t").arg(&path).output().unwrap();
        assert!(
            t.status.success(),
            "lz4 -t refuses {what}: {}",
            String::from_utf8_lossy(&t.stderr)
        );
        assert!(
            lz4(&["-d", "-c"], &frame) == data,
            "lz4 -d restores {what} differently"
        );
    }
}

#[test]
fn lz4_decodes_our_dictionary_frames() {
    if !lz4_available() {
        return;
    }
    let dict_bytes = text_like(100_000, 27);
    let data = text_like(400_000, 28);
    let dict_path = temp_file("dict2", &dict_bytes);
    for b in available_backends() {
        for mode in [BlockMode::Linked, BlockMode::Independent] {
            // lz4 1.9.4 ignores dictionary IDs; it takes the dictionary from -D.
            let s = FrameSettings::new()
                .backend(b)
                .block_mode(mode)
                .dictionary(Dictionary::new(&dict_bytes));
            let frame = lz4framed::compress_with(&data, &s).unwrap();
            let back = lz4(&["-d", "-c", "-D", dict_path.to_str().unwrap()], &frame);
            assert!(back == data, "{b} {mode:?}");
        }
    }
}

#[test]
fn streaming_backend_env_override_is_honoured() {
    // LZ4FRAMED_BACKEND is read when Auto is resolved; a bad value is a clear error.
    let r = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "env_child", "--nocapture", "--ignored"])
        .env("LZ4FRAMED_BACKEND", "rust")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stdout));
    let _ = Backend::Auto;
}

#[test]
#[ignore = "run by streaming_backend_env_override_is_honoured in a child process"]
fn env_child() {
    if std::env::var("LZ4FRAMED_BACKEND").as_deref() == Ok("rust") {
        assert_eq!(Backend::Auto.codec().unwrap().name(), "rust-safe");
        std::env::set_var("LZ4FRAMED_BACKEND", "nonsense");
        assert!(matches!(
            Backend::Auto.codec(),
            Err(lz4framed::Error::UnknownBackend(_))
        ));
    }
}
