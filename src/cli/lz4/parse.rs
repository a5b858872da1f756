//! The `lz4` tool's command line, parsed by its own rules (`programs/lz4cli.c` of lz4 1.10):
//! short options can be combined (`-12B5D`, `-dcfm`, `-B4DX`), a number inside a short-option
//! group sets the level, `-B` takes block properties up to the first letter it does not know,
//! `-D FILE` / `-DFILE`, `--fast[=N]`, `--threads=N` / `--threads N`, `--` ends the options,
//! `-` is stdin (first) or stdout (second). Without `-m`, the first operand is the input and the
//! second the output; a third is an error (a warning with `-f`). clap cannot express these rules.

use std::ffi::OsString;

/// What to do (`lz4`'s operation modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Compress, or decompress when the input ends in `.lz4`.
    Auto,
    /// `-z`.
    Compress,
    /// `-d`.
    Decompress,
    /// `-t`.
    Test,
    /// `-b`.
    Bench,
    /// `--list`.
    List,
}

/// Block size chosen with `-B`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockSizeArg {
    /// `-B4` .. `-B7`: the frame format's block size ID.
    Id(u8),
    /// `-B32` and above: a size in bytes (lz4 1.10); the frame declares the smallest block size
    /// ID that holds it.
    Bytes(u32),
}

/// Sparse output (`--[no-]sparse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sparse {
    /// Holes in output files, not on stdout (lz4's default).
    Auto,
    /// `--sparse`: on stdout too (when it is a regular file).
    Force,
    /// `--no-sparse`.
    Off,
}

/// What the command line asks for, before file names are chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lz4Args {
    /// Operation.
    pub mode: Mode,
    /// Compression level (negative: `--fast=N`); `LZ4_CLEVEL` or 1 by default.
    pub level: i32,
    /// `-e#`: last level of a benchmark range.
    pub level_last: Option<i32>,
    /// `-l`.
    pub legacy: bool,
    /// `-c` / `--stdout`.
    pub force_stdout: bool,
    /// `-f`.
    pub overwrite: bool,
    /// `-m` (or `-r`, `-b`, `--list`, lz4cat): every operand is an input.
    pub multiple: bool,
    /// `-r`: directories are walked.
    pub recursive: bool,
    /// Copy input that is not LZ4 data unchanged (lz4cat, `-c` with `-f`).
    pub pass_through: bool,
    /// `--rm`.
    pub remove_source: bool,
    /// `-B4..7` / `-B#`.
    pub block_size: Option<BlockSizeArg>,
    /// `-BD` (true) / `-BI` (false).
    pub linked: bool,
    /// `-BX`.
    pub block_checksum: bool,
    /// `--[no-]frame-crc` (default on).
    pub content_checksum: bool,
    /// `--[no-]content-size` (default off).
    pub content_size: bool,
    /// `--[no-]sparse`.
    pub sparse: Sparse,
    /// `--favor-decSpeed`.
    pub favor_dec_speed: bool,
    /// 0 nothing, 1 errors, 2 results and warnings (default), 3 progress, 4 information.
    pub display_level: u32,
    /// `-T#` / `--threads` (0 = automatic); `LZ4_NBWORKERS` by default.
    pub threads: Option<u32>,
    /// `-D FILE`.
    pub dict: Option<OsString>,
    /// `-i#`: benchmark seconds per level.
    pub bench_seconds: Option<u32>,
    /// Operands with `-m` (or all of them in the modes that imply it).
    pub files: Vec<OsString>,
    /// First operand without `-m` (`-` = stdin).
    pub input: Option<OsString>,
    /// Second operand without `-m` (`-` = stdout, `null` = discard).
    pub output: Option<OsString>,
}

/// What the parser decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Run with these arguments.
    Run(Box<Lz4Args>),
    /// `-h` / `--help` (false) or `-H` (true, long help).
    Help(bool),
    /// `-V` / `--version`.
    Version,
    /// Bad command line: this message (may be empty: just "Incorrect parameters"), then the
    /// short usage, exit status 1.
    Usage(String),
    /// Another failure with status 1 and this message only.
    Fail(String),
}

/// Which name the binary was called by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personality {
    /// `lz4`.
    Lz4,
    /// `unlz4` = `lz4 -d`.
    Unlz4,
    /// `lz4cat` = `lz4 -dcfm` (with pass-through, display level 1).
    Lz4cat,
}

impl Personality {
    /// The personality of a program name (`argv[0]`'s last path component): `lz4`, `unlz4`,
    /// `lz4cat`, each possibly followed by `.` and an extension (as lz4's `exeNameMatch`).
    pub fn from_name(name: &str) -> Option<Personality> {
        let matches = |test: &str| {
            name.strip_prefix(test)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        };
        if matches("lz4cat") {
            Some(Personality::Lz4cat)
        } else if matches("unlz4") {
            Some(Personality::Unlz4)
        } else if matches("lz4") {
            Some(Personality::Lz4)
        } else {
            None
        }
    }
}

/// Read an unsigned number with an optional `K`/`KB`/`KiB`/`M`/`MB`/`MiB` suffix from the start
/// of `s` (lz4's `readU32FromChar`); returns the value and the rest. Saturates instead of
/// wrapping.
fn read_u32(s: &[u8]) -> (u32, &[u8]) {
    let mut v: u32 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add(u32::from(s[i] - b'0'));
        i += 1;
    }
    if i < s.len() && (s[i] == b'K' || s[i] == b'M') {
        v = v.saturating_mul(if s[i] == b'M' { 1 << 20 } else { 1 << 10 });
        i += 1;
        if i < s.len() && s[i] == b'i' {
            i += 1;
        }
        if i < s.len() && s[i] == b'B' {
            i += 1;
        }
    }
    (v, &s[i..])
}

fn env_u32(name: &str) -> Option<Result<u32, String>> {
    let v = std::env::var(name).ok()?;
    let b = v.as_bytes();
    if b.first().is_some_and(u8::is_ascii_digit) {
        Some(Ok(read_u32(b).0))
    } else {
        Some(Err(format!(
            "Ignore environment variable setting {name}={v}: not a valid unsigned value "
        )))
    }
}

/// Parse `args` (without the program name) for `personality`. Warnings about the environment
/// (`LZ4_CLEVEL`, `LZ4_NBWORKERS` not numbers) are returned beside the result.
pub fn parse(personality: Personality, args: &[OsString]) -> (Parsed, Vec<String>) {
    let mut warnings = Vec::new();
    let mut a = Lz4Args {
        mode: Mode::Auto,
        level: 1,
        level_last: None,
        legacy: false,
        force_stdout: false,
        overwrite: false,
        multiple: false,
        recursive: false,
        pass_through: false,
        remove_source: false,
        block_size: None,
        linked: false,
        block_checksum: false,
        content_checksum: true,
        content_size: false,
        sparse: Sparse::Auto,
        favor_dec_speed: false,
        display_level: 2,
        threads: None,
        dict: None,
        bench_seconds: None,
        files: Vec::new(),
        input: None,
        output: None,
    };
    match env_u32("LZ4_CLEVEL") {
        Some(Ok(l)) => a.level = l.min(i32::MAX as u32) as i32,
        Some(Err(w)) => warnings.push(w),
        None => {}
    }
    match env_u32("LZ4_NBWORKERS") {
        Some(Ok(t)) => a.threads = Some(t),
        Some(Err(w)) => warnings.push(w),
        None => {}
    }
    match personality {
        Personality::Lz4cat => {
            a.mode = Mode::Decompress;
            a.overwrite = true;
            a.pass_through = true;
            a.force_stdout = true;
            a.output = Some(OsString::from("-"));
            a.display_level = 1;
            a.multiple = true;
        }
        Personality::Unlz4 => a.mode = Mode::Decompress,
        Personality::Lz4 => {}
    }
    let mut all_files = false;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let bytes = arg.as_encoded_bytes();
        if !all_files && bytes.first() == Some(&b'-') {
            if bytes.len() == 1 {
                // `-` is stdin, then stdout.
                if a.input.is_none() {
                    a.input = Some(arg.clone());
                } else {
                    a.output = Some(arg.clone());
                }
                continue;
            }
            if bytes[1] == b'-' {
                let Some(long) = arg.to_str() else {
                    return (Parsed::Usage(String::new()), warnings);
                };
                match long {
                    "--" => {
                        all_files = true;
                        continue;
                    }
                    "--compress" => a.mode = Mode::Compress,
                    "--decompress" | "--uncompress" => {
                        if a.mode != Mode::Bench {
                            a.mode = Mode::Decompress;
                        }
                    }
                    "--multiple" => a.multiple = true,
                    "--test" => a.mode = Mode::Test,
                    "--force" => a.overwrite = true,
                    "--no-force" => a.overwrite = false,
                    "--stdout" | "--to-stdout" => {
                        a.force_stdout = true;
                        a.output = Some(OsString::from("-"));
                    }
                    "--frame-crc" => a.content_checksum = true,
                    "--no-frame-crc" => a.content_checksum = false,
                    "--no-crc" => {
                        a.content_checksum = false;
                        a.block_checksum = false;
                    }
                    "--content-size" => a.content_size = true,
                    "--no-content-size" => a.content_size = false,
                    "--list" => {
                        a.mode = Mode::List;
                        a.multiple = true;
                    }
                    "--sparse" => a.sparse = Sparse::Force,
                    "--no-sparse" => a.sparse = Sparse::Off,
                    "--favor-decSpeed" => a.favor_dec_speed = true,
                    "--verbose" => a.display_level += 1,
                    "--quiet" => a.display_level = a.display_level.saturating_sub(1),
                    "--version" => return (Parsed::Version, warnings),
                    "--help" => return (Parsed::Help(false), warnings),
                    "--keep" => a.remove_source = false,
                    "--rm" => a.remove_source = true,
                    "--best" => a.level = 12,
                    _ => {
                        if let Some(rest) = long.strip_prefix("--threads") {
                            let value = if let Some(v) = rest.strip_prefix('=') {
                                v.to_string()
                            } else if rest.is_empty() {
                                match args.get(i).and_then(|v| v.to_str()) {
                                    None => {
                                        return (
                                            Parsed::Fail("error: missing command argument".into()),
                                            warnings,
                                        )
                                    }
                                    Some(v) if v.starts_with('-') => {
                                        return (
                                            Parsed::Fail(
                                                "error: command cannot be separated from its argument by another command".into(),
                                            ),
                                            warnings,
                                        )
                                    }
                                    Some(v) => {
                                        i += 1;
                                        v.to_string()
                                    }
                                }
                            } else {
                                return (Parsed::Usage(String::new()), warnings);
                            };
                            let (n, tail) = read_u32(value.as_bytes());
                            if !tail.is_empty() {
                                return (
                                    Parsed::Fail(
                                        "error: only numeric values with optional suffixes K, KB, KiB, M, MB, MiB are allowed".into(),
                                    ),
                                    warnings,
                                );
                            }
                            a.threads = Some(n);
                        } else if let Some(rest) = long.strip_prefix("--fast") {
                            if let Some(v) = rest.strip_prefix('=') {
                                let (n, _) = read_u32(v.as_bytes());
                                if n == 0 {
                                    return (Parsed::Usage(String::new()), warnings);
                                }
                                a.level = -(n.min(i32::MAX as u32) as i32);
                            } else if rest.is_empty() {
                                a.level = -1;
                            } else {
                                return (Parsed::Usage(String::new()), warnings);
                            }
                        } else {
                            return (Parsed::Usage(String::new()), warnings);
                        }
                    }
                }
                continue;
            }
            // A group of short options.
            let mut s = &bytes[1..];
            while let Some(&c) = s.first() {
                if c.is_ascii_digit() {
                    let (n, rest) = read_u32(s);
                    a.level = n.min(i32::MAX as u32) as i32;
                    s = rest;
                    continue;
                }
                s = &s[1..];
                match c {
                    b'V' => return (Parsed::Version, warnings),
                    b'h' => return (Parsed::Help(false), warnings),
                    b'H' => return (Parsed::Help(true), warnings),
                    b'e' => {
                        let (n, rest) = read_u32(s);
                        a.level_last = Some(n.min(i32::MAX as u32) as i32);
                        s = rest;
                    }
                    b'z' => a.mode = Mode::Compress,
                    b'T' => {
                        let (n, rest) = read_u32(s);
                        a.threads = Some(n);
                        s = rest;
                    }
                    b'D' => {
                        if s.is_empty() {
                            match args.get(i) {
                                Some(next) => {
                                    a.dict = Some(next.clone());
                                    i += 1;
                                }
                                None => return (Parsed::Usage(String::new()), warnings),
                            }
                        } else {
                            a.dict = Some(os_from_tail(arg, bytes.len() - s.len()));
                            s = &[];
                        }
                    }
                    b'l' => a.legacy = true,
                    b'd' => {
                        if a.mode != Mode::Bench {
                            a.mode = Mode::Decompress;
                        }
                    }
                    b'c' => {
                        a.force_stdout = true;
                        a.output = Some(OsString::from("-"));
                        a.pass_through = true;
                    }
                    b't' => a.mode = Mode::Test,
                    b'f' => a.overwrite = true,
                    b'v' => a.display_level += 1,
                    b'q' => a.display_level = a.display_level.saturating_sub(1),
                    b'k' => a.remove_source = false,
                    b'B' => loop {
                        match s.first() {
                            Some(b'D') => {
                                a.linked = true;
                                s = &s[1..];
                            }
                            Some(b'I') => {
                                a.linked = false;
                                s = &s[1..];
                            }
                            Some(b'X') => {
                                a.block_checksum = true;
                                s = &s[1..];
                            }
                            Some(d) if d.is_ascii_digit() => {
                                let (b, rest) = read_u32(s);
                                s = rest;
                                if b < 4 {
                                    return (Parsed::Usage(String::new()), warnings);
                                }
                                if b <= 7 {
                                    a.block_size = Some(BlockSizeArg::Id(b as u8));
                                } else if b < 32 {
                                    return (Parsed::Usage(String::new()), warnings);
                                } else {
                                    a.block_size = Some(BlockSizeArg::Bytes(b.min(4 << 20)));
                                }
                            }
                            _ => break,
                        }
                    },
                    b'b' => {
                        a.mode = Mode::Bench;
                        a.multiple = true;
                    }
                    b'S' | b'p' => {}
                    b'r' => {
                        a.recursive = true;
                        a.multiple = true;
                    }
                    b'm' => a.multiple = true,
                    b'i' => {
                        let (n, rest) = read_u32(s);
                        a.bench_seconds = Some(n);
                        s = rest;
                    }
                    _ => return (Parsed::Usage(String::new()), warnings),
                }
            }
            continue;
        }
        if a.multiple {
            a.files.push(arg.clone());
            continue;
        }
        if a.input.is_none() {
            a.input = Some(arg.clone());
            continue;
        }
        if a.output.is_none() {
            a.output = Some(arg.clone());
            continue;
        }
        let shown = arg.to_string_lossy();
        if a.overwrite {
            warnings.push(format!(
                "Warning : {shown} won't be used ! Do you want multiple input files (-m) ? "
            ));
        } else {
            return (
                Parsed::Fail(format!(
                    "Error : {shown} won't be used ! Do you want multiple input files (-m) ? "
                )),
                warnings,
            );
        }
    }
    (Parsed::Run(Box::new(a)), warnings)
}

/// The bytes of `arg` from byte `from` on, as an `OsString` (`from` follows an ASCII byte, so
/// the split is at a character boundary on every platform).
fn os_from_tail(arg: &OsString, from: usize) -> OsString {
    match arg.to_str() {
        Some(s) => OsString::from(&s[from..]),
        None => {
            // Not UTF-8: fall back to a lossy conversion (only possible on Unix, where the
            // bytes are the path).
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStrExt;
                std::ffi::OsStr::from_bytes(&arg.as_encoded_bytes()[from..]).to_os_string()
            }
            #[cfg(not(unix))]
            {
                OsString::from(arg.to_string_lossy()[from..].to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: Personality, args: &[&str]) -> Lz4Args {
        let v: Vec<OsString> = args.iter().map(OsString::from).collect();
        match parse(p, &v).0 {
            Parsed::Run(a) => *a,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn combined_short_flags_follow_lz4cli() {
        let a = run(Personality::Lz4, &["-12B5D", "in"]);
        assert_eq!(a.level, 12);
        assert_eq!(a.block_size, Some(BlockSizeArg::Id(5)));
        assert!(a.linked);
        let a = run(Personality::Lz4, &["-B4DX", "in"]);
        assert_eq!(a.block_size, Some(BlockSizeArg::Id(4)));
        assert!(a.linked && a.block_checksum);
        let a = run(Personality::Lz4, &["-dcfm", "x.lz4", "y.lz4"]);
        assert_eq!(a.mode, Mode::Decompress);
        assert!(a.force_stdout && a.overwrite && a.multiple && a.pass_through);
        assert_eq!(a.files, ["x.lz4", "y.lz4"]);
        let a = run(Personality::Lz4, &["-9f", "-BI", "--fast=3", "in", "out"]);
        assert_eq!((a.level, a.overwrite, a.linked), (-3, true, false));
        assert_eq!(a.input.as_deref(), Some("in".as_ref()));
        assert_eq!(a.output.as_deref(), Some("out".as_ref()));
        let a = run(Personality::Lz4, &["-b1e3i1", "f"]);
        assert_eq!((a.mode, a.level, a.level_last), (Mode::Bench, 1, Some(3)));
        assert_eq!(a.bench_seconds, Some(1));
        let a = run(
            Personality::Lz4,
            &["-DdictFile", "-T2", "--threads=3", "in"],
        );
        assert_eq!(a.dict.as_deref(), Some("dictFile".as_ref()));
        assert_eq!(a.threads, Some(3));
        let a = run(Personality::Lz4, &["-B64K", "in"]);
        assert_eq!(a.block_size, Some(BlockSizeArg::Bytes(65536)));
    }

    #[test]
    fn names_and_operands() {
        assert_eq!(Personality::from_name("lz4"), Some(Personality::Lz4));
        assert_eq!(Personality::from_name("lz4.exe"), Some(Personality::Lz4));
        assert_eq!(Personality::from_name("lz4cat"), Some(Personality::Lz4cat));
        assert_eq!(Personality::from_name("unlz4"), Some(Personality::Unlz4));
        assert_eq!(Personality::from_name("lz4framed"), None);
        let a = run(Personality::Lz4cat, &["a.lz4", "b.lz4"]);
        assert!(a.multiple && a.force_stdout && a.pass_through);
        assert_eq!(a.files.len(), 2);
        let a = run(Personality::Lz4, &["--", "-x", "-"]);
        assert_eq!(a.input.as_deref(), Some("-x".as_ref()));
        assert_eq!(a.output.as_deref(), Some("-".as_ref()));
        let v: Vec<OsString> = ["a", "b", "c"].iter().map(OsString::from).collect();
        assert!(matches!(parse(Personality::Lz4, &v).0, Parsed::Fail(_)));
        let v: Vec<OsString> = ["-y"].iter().map(OsString::from).collect();
        assert!(matches!(parse(Personality::Lz4, &v).0, Parsed::Usage(_)));
        let v: Vec<OsString> = ["-B3"].iter().map(OsString::from).collect();
        assert!(matches!(parse(Personality::Lz4, &v).0, Parsed::Usage(_)));
    }
}
