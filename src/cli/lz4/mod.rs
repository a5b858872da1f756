//! The `lz4` personality: invoked as `lz4`, `unlz4` or `lz4cat` (a link to `lz4framed`), the
//! binary takes the command line of the `lz4` tool 1.10 and behaves as it does — output names
//! (`FILE` → `FILE.lz4`, `FILE.lz4` → `FILE`), `-c`, `-m`, `-r`, `--rm`, `-k`, the refusal to
//! read from or write to a terminal, messages and exit statuses — with this crate's engine
//! underneath (parallel decoding and compression with lz4 1.10's thread count, decoding from a
//! seek index, sparse output, safe output files).
//!
//! Rules mirrored from lz4's `programs/lz4cli.c` and `lz4io.c` (1.10):
//! - mode: `-z`/`-d`/`-t`/`-b`/`--list`, else decompress when the input ends in `.lz4`;
//!   `unlz4` = `lz4 -d`, `lz4cat` = `lz4 -dcfm` (non-LZ4 input copied through);
//! - output: the second operand; `-` = stdout, `null` = discard; without one, stdin goes to
//!   stdout and a file to `FILE.lz4` (compression) or `FILE` without `.lz4` (decompression;
//!   no `.lz4`: "Cannot determine an output filename", status 1). As in 1.10 (not 1.9.4), a
//!   non-terminal stdout is *not* an implicit output: use `-c`;
//! - stdout a terminal without `-c`: "refusing to write to console without -c", status 1;
//!   stdin a terminal: "refusing to read from a console", status 1;
//! - an existing output file without `-f`: "FILE already exists; not overwritten", that file
//!   fails (lz4 asks on a terminal; this tool never asks);
//! - statuses: 0 success; 1 bad usage or a failed single file; with `-m` the number of files
//!   that failed; data errors end the run at once with lz4's numbers — 44 not LZ4 data,
//!   66 corrupt data or checksum mismatch, 68 truncated input ("Unfinished stream"), 40 fewer
//!   than 4 bytes; trailing bytes after valid frames: "Stream followed by undecodable data at
//!   position N", the output is kept, status 1; an empty input, or one of skippable frames
//!   only, is an empty stream (status 0), as lz4 skips skippable frames before it looks for a
//!   frame (`selectDecoder`).
//!
//! Kept from this tool rather than lz4: output goes to a temporary file renamed into place
//! only on success (lz4 leaves partial files), and `--rm` never removes a source whose
//! processing failed or that was only tested (`-t`).

pub mod bench;
pub mod list;
pub mod parse;

use std::ffi::{OsStr, OsString};
use std::fmt::Display;
use std::io::{self, Cursor, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use lz4framed::frame::{is_skippable, LEGACY_MAGIC, MAGIC};
use lz4framed::{BlockSize, Decompressor, Dictionary};

use super::args::DecodeArgs;
use super::decode::{decode, try_parallel_decompress};
use super::encode::{self, FrameSpec};
use super::errors::{io_reason, CliError, DataFault, Exit};
use super::input::{load_dictionary, read_full, Input};
use super::output::Output;
use parse::{BlockSizeArg, Lz4Args, Mode, Parsed, Personality, Sparse};

/// The `.lz4` suffix.
const EXT: &str = ".lz4";
/// Where `null` (and test mode) sends the output.
const NULMARK: &str = "/dev/null";

/// How one file's job failed.
#[derive(Debug)]
enum Failure {
    /// This file failed (message printed); the run goes on and counts it.
    File,
    /// The run ends now with this status and message (lz4's `END_PROCESS`).
    Fatal(i32, String),
}

type Job = Result<(), Failure>;

/// Run the personality over `args` (without the program name); returns the exit status.
pub fn run(personality: Personality, args: &[OsString]) -> i32 {
    let exe = match personality {
        Personality::Lz4 => "lz4",
        Personality::Unlz4 => "unlz4",
        Personality::Lz4cat => "lz4cat",
    };
    let (parsed, warnings) = parse::parse(personality, args);
    for w in &warnings {
        eprintln!("{w}");
    }
    match parsed {
        Parsed::Help(long) => {
            eprint!("{}", help(exe, long));
            0
        }
        Parsed::Version => {
            println!(
                "*** lz4framed v{} (the lz4 1.10 command line), {}-bit multithread ***",
                env!("CARGO_PKG_VERSION"),
                usize::BITS
            );
            0
        }
        Parsed::Usage(_) => {
            eprintln!("Incorrect parameters");
            eprint!("{}", usage(exe));
            1
        }
        Parsed::Fail(m) => {
            eprintln!("{m}");
            1
        }
        Parsed::Run(a) => Runner::new(*a, exe).main(),
    }
}

struct Runner {
    a: Lz4Args,
    exe: &'static str,
    level: u32,
    test: bool,
    dict: Option<Dictionary>,
}

impl Runner {
    fn new(a: Lz4Args, exe: &'static str) -> Self {
        let level = a.display_level;
        Runner {
            a,
            exe,
            level,
            test: false,
            dict: None,
        }
    }

    fn say(&self, at: u32, msg: impl Display) {
        if self.level >= at {
            eprint!("{msg}");
        }
    }

    /// Worker threads: `-T#` (at most 200, as lz4), or for `-T0` and by default lz4 1.10's
    /// automatic count (`LZ4IO_defaultNbWorkers`): the cores less one plus one per eight, at
    /// least one — so one on two cores, seven on eight. Used for decoding too.
    fn threads(&self) -> usize {
        match self.a.threads {
            None | Some(0) => {
                let cores = lz4framed::parallel::thread_count(0);
                let spared = 1 + cores / 8;
                if cores <= spared {
                    1
                } else {
                    cores - spared
                }
            }
            Some(n) => (n as usize).min(super::args::MAX_THREADS),
        }
    }

    fn main(mut self) -> i32 {
        self.say(
            3,
            format!(
                "*** lz4framed v{} (the lz4 1.10 command line), {}-bit multithread ***\n",
                env!("CARGO_PKG_VERSION"),
                usize::BITS
            ),
        );
        if self.a.recursive {
            self.a.files = expand(&self.a.files);
        }
        if let Some(d) = &self.a.dict {
            match load_dictionary(Path::new(d)) {
                Ok(d) => self.dict = Some(d),
                Err(e) => {
                    self.say(1, format!("{} \n", e.message));
                    return self.fatal(27, "Dictionary error : could not open dictionary file");
                }
            }
        }
        if self.a.mode == Mode::Bench {
            return bench::run(&self.a);
        }
        if self.a.mode == Mode::Test {
            self.test = true;
            self.a.output = Some(NULMARK.into());
            self.a.mode = Mode::Decompress;
        }
        let input: OsString = if self.a.multiple && !self.a.files.is_empty() {
            self.a.files[0].clone()
        } else {
            self.a.input.clone().unwrap_or_else(|| "-".into())
        };
        if input == "-" && io::stdin().is_terminal() && !self.a.multiple {
            self.say(1, "refusing to read from a console\n");
            return 1;
        }
        if input == "-" && self.a.output.is_none() {
            self.a.output = Some("-".into());
        }
        if self.a.output.is_none() && !self.a.multiple {
            if self.a.mode == Mode::Auto {
                self.a.mode = mode_of(&input);
            }
            match self.a.mode {
                Mode::Compress => {
                    let mut out = input.clone();
                    out.push(EXT);
                    self.say(
                        2,
                        format!("Compressed filename will be : {} \n", out.to_string_lossy()),
                    );
                    self.a.output = Some(out);
                }
                Mode::Decompress => match strip_ext(&input) {
                    Some(out) => {
                        self.say(2, format!("Decoding file {} \n", out.to_string_lossy()));
                        self.a.output = Some(out);
                    }
                    None => {
                        self.say(1, "Cannot determine an output filename \n");
                        self.say(1, "Incorrect parameters\n");
                        if self.level >= 1 {
                            eprint!("{}", usage(self.exe));
                        }
                        return 1;
                    }
                },
                _ => {}
            }
        }
        if self.a.mode == Mode::List && !self.a.multiple {
            self.a.files.push(input.clone());
        }
        if self.a.output.as_deref() == Some(OsStr::new("null")) {
            self.a.output = Some(NULMARK.into());
        }
        let output = self.a.output.clone().unwrap_or_default();
        if output == "-"
            && self.a.mode != Mode::List
            && io::stdout().is_terminal()
            && !self.a.force_stdout
        {
            self.say(1, "refusing to write to console without -c \n");
            return 1;
        }
        if (output == "-" || self.a.multiple) && self.level == 2 {
            self.level = 1;
        }
        if self.a.mode == Mode::Auto {
            self.a.mode = mode_of(&input);
        }
        if self.a.files.is_empty() {
            self.a.multiple = false;
        }
        match self.a.mode {
            Mode::List => list::run(&self.a.files, self.level),
            Mode::Decompress => {
                if self.a.multiple {
                    let files = self.a.files.clone();
                    self.each(&files, |r, f| {
                        if output == "-" || output == NULMARK {
                            return r.decompress_file(f, &output);
                        }
                        match strip_ext(f) {
                            Some(dst) => r.decompress_file(f, &dst),
                            None => {
                                r.say(1, format!("File extension doesn't match expected LZ4_EXTENSION ({EXT}); will not process file: {}\n", f.to_string_lossy()));
                                Err(Failure::File)
                            }
                        }
                    })
                } else {
                    self.status(self.decompress_file(&input, &output))
                }
            }
            _ => {
                if self.a.multiple {
                    let files = self.a.files.clone();
                    self.each(&files, |r, f| {
                        if output == "-" {
                            return r.compress_file(f, OsStr::new("-"));
                        }
                        let mut dst = f.clone();
                        dst.push(EXT);
                        r.compress_file(f, &dst)
                    })
                } else {
                    self.status(self.compress_file(&input, &output))
                }
            }
        }
    }

    /// Run `job` on every file; the status is the number of files that failed, or the first
    /// fatal error's.
    fn each(&self, files: &[OsString], job: impl Fn(&Self, &OsString) -> Job) -> i32 {
        let mut failed = 0;
        for f in files {
            match job(self, f) {
                Ok(()) => {}
                Err(Failure::File) => failed += 1,
                Err(Failure::Fatal(code, msg)) => return self.fatal(code, msg),
            }
        }
        failed
    }

    fn status(&self, job: Job) -> i32 {
        match job {
            Ok(()) => 0,
            Err(Failure::File) => 1,
            Err(Failure::Fatal(code, msg)) => self.fatal(code, msg),
        }
    }

    fn fatal(&self, code: i32, msg: impl Display) -> i32 {
        let msg = msg.to_string();
        if !msg.is_empty() {
            self.say(1, format!("Error {code} : {msg} \n"));
        }
        code
    }

    /// A failure of the engine as lz4 reports it: data errors with lz4's statuses, read and
    /// write errors with lz4's (de)compression statuses.
    fn engine_failure(&self, e: CliError, decompressing: bool) -> Failure {
        if e.silent {
            return Failure::Fatal(1, String::new());
        }
        match (e.exit, e.fault) {
            (Exit::Data, Some(DataFault::Truncated)) => {
                Failure::Fatal(68, format!("Unfinished stream ({})", e.message))
            }
            (Exit::Data, Some(DataFault::UnknownMagic { offset: 0 })) => Failure::Fatal(
                44,
                "Unrecognized header : file cannot be decoded".to_string(),
            ),
            (Exit::Data, _) => Failure::Fatal(66, format!("Decompression error : {}", e.message)),
            (Exit::Input, _) if decompressing => {
                Failure::Fatal(67, format!("Read error : {}", e.message))
            }
            (Exit::Input, _) => Failure::Fatal(47, format!("Error reading {}", e.message)),
            (Exit::Output, _) if decompressing => Failure::Fatal(
                70,
                format!("Write error : cannot write decoded block : {}", e.message),
            ),
            (Exit::Output, _) => Failure::Fatal(
                46,
                format!(
                    "Write error : cannot write compressed block : {}",
                    e.message
                ),
            ),
            _ => Failure::Fatal(1, e.message),
        }
    }

    /// Open a source: stdin for `-`; a directory is refused; errors print lz4's line.
    fn open_input(&self, src: &OsStr) -> Result<Input, Failure> {
        let path = Path::new(src);
        if src != "-" && path.is_dir() {
            self.say(
                1,
                format!(
                    "lz4: {} is a directory -- ignored \n",
                    src.to_string_lossy()
                ),
            );
            return Err(Failure::File);
        }
        Input::open(path).map_err(|e| {
            self.say(1, format!("{} \n", e.message));
            Failure::File
        })
    }

    /// Open a destination: stdout for `-`, else a new file (kept only on success); an existing
    /// file needs `-f`.
    fn open_output(&self, dst: &OsStr, sparse_default: bool) -> Result<Output, Failure> {
        if dst == "-" {
            let out = Output::stdout().map_err(|e| self.engine_failure(e, false))?;
            return Ok(out.sparse(self.a.sparse == Sparse::Force));
        }
        let path = Path::new(dst);
        if !self.a.overwrite && dst != NULMARK && path.exists() {
            eprintln!(
                "{} already exists; not overwritten  ",
                dst.to_string_lossy()
            );
            return Err(Failure::File);
        }
        let out = Output::file(path, self.a.overwrite).map_err(|e| {
            self.say(1, format!("{}\n", e.message));
            Failure::File
        })?;
        Ok(out.sparse(sparse_default && self.a.sparse != Sparse::Off))
    }

    fn spec(&self) -> FrameSpec {
        // As LZ4F: level 0 is the default fast level, above 12 is 12; a negative level -N
        // (`--fast=N`) compresses with acceleration N + 1 (`LZ4F_compressBlock`), which is the
        // library's level -(N + 1); acceleration is capped.
        let level = match self.a.level {
            0 => 1,
            l if l < 0 => (l - 1).max(-65537),
            l => l.min(12),
        };
        FrameSpec {
            level,
            block_size: self.a.block_size.map(|b| match b {
                BlockSizeArg::Id(id) => BlockSize::from_id(id).unwrap_or(BlockSize::Max4MB),
                BlockSizeArg::Bytes(n) => BlockSize::ALL
                    .into_iter()
                    .find(|s| s.bytes() as u64 >= u64::from(n))
                    .unwrap_or(BlockSize::Max4MB),
            }),
            linked: self.a.linked,
            content_checksum: self.a.content_checksum,
            block_checksum: self.a.block_checksum,
            content_size: self.a.content_size,
            dict: self.dict.clone(),
            backend: lz4framed::Backend::Auto,
            single_block_as_lz4: true,
        }
    }

    fn remove_source(&self, src: &OsStr) -> Job {
        if self.a.remove_source && src != "-" {
            std::fs::remove_file(src).map_err(|e| {
                Failure::Fatal(
                    50,
                    format!(
                        "Remove error : {}: {}",
                        src.to_string_lossy(),
                        io_reason(&e)
                    ),
                )
            })?;
        }
        Ok(())
    }

    /// Bytes after the last frame that are no frame (the output of every frame is kept): lz4
    /// reads 4 bytes for a magic number there and reports its position after them, status 1
    /// for this file; 1 to 3 bytes are no magic number at all, and lz4 stops with status 40.
    fn trailing(&self, offset: u64, len: u64) -> Failure {
        if len < 4 {
            return Failure::Fatal(
                40,
                "Unrecognized header : Magic Number unreadable".to_string(),
            );
        }
        self.say(
            2,
            format!(
                "Stream followed by undecodable data at position {} \n",
                offset + 4
            ),
        );
        Failure::File
    }

    fn compress_file(&self, src: &OsStr, dst: &OsStr) -> Job {
        let start = Instant::now();
        let mut input = self.open_input(src)?;
        let mut output = self.open_output(dst, false)?;
        let quiet = self.level < 2;
        let done = if self.a.legacy {
            encode::legacy(
                &mut input,
                &mut output,
                self.a.level.max(-65537),
                lz4framed::Backend::Auto,
                quiet,
            )
        } else {
            encode::frame(
                &mut input,
                &mut output,
                &self.spec(),
                self.threads(),
                None,
                quiet,
            )
        }
        .map_err(|e| self.engine_failure(e, false))?;
        if let Some(m) = &input.metadata {
            output.copy_metadata_from(m);
        }
        drop(input);
        output.commit().map_err(|e| self.engine_failure(e, false))?;
        self.remove_source(src)?;
        self.say(
            2,
            format!(
                "Compressed {} bytes into {} bytes ==> {:.2}%\n",
                done.read,
                done.written,
                done.written as f64 / done.read.max(1) as f64 * 100.0
            ),
        );
        let secs = start.elapsed().as_secs_f64().max(1e-9);
        self.say(
            3,
            format!(
                "Done in {secs:.2} s ==> {:.2} MiB/s\n",
                done.read as f64 / secs / (1 << 20) as f64
            ),
        );
        Ok(())
    }

    fn decompress_file(&self, src: &OsStr, dst: &OsStr) -> Job {
        let discard = self.test || dst == NULMARK;
        if !discard && dst != "-" && !self.a.overwrite && Path::new(dst).exists() {
            eprintln!(
                "{} already exists; not overwritten  ",
                dst.to_string_lossy()
            );
            return Err(Failure::File);
        }
        let mut input = self.open_input(src)?;
        let mut head = [0u8; 4];
        let got = read_full(&mut input.reader, &mut head)
            .map_err(|e| self.engine_failure(CliError::input(&input.name, &e), true))?;
        let leading = skip_leading_skippable(&mut input.reader, &mut head, got)
            .map_err(|e| self.engine_failure(CliError::input(&input.name, &e), true))?;
        let got = leading.got;
        if (1..4).contains(&got) {
            return Err(Failure::Fatal(
                40,
                "Unrecognized header : Magic Number unreadable".to_string(),
            ));
        }
        let magic = u32::from_le_bytes(head);
        if got == 4
            && magic == MAGIC
            && leading.skipped == 0
            && !discard
            && input.metadata.is_some()
            && self.threads() > 1
        {
            // A file with a seek index and linked frames decodes from its restart points on
            // all threads (nothing happens, and `None` comes back, for any other file).
            let decode_args = DecodeArgs {
                dict: self.a.dict.as_ref().map(PathBuf::from),
                backend: lz4framed::Backend::Auto,
                no_verify: !(self.a.content_checksum || self.a.block_checksum),
            };
            let out = (dst != "-").then(|| Path::new(dst));
            let sparse = (self.a.sparse != Sparse::Off, self.a.sparse == Sparse::Force);
            let threads = self.threads() as u32;
            match try_parallel_decompress(
                Path::new(src),
                out,
                self.a.overwrite,
                &decode_args,
                threads,
                sparse,
            ) {
                Ok(Some(decoded)) => {
                    self.remove_source(src)?;
                    self.say(
                        2,
                        format!(
                            "{:<30.30} : decoded {decoded} bytes \n",
                            src.to_string_lossy()
                        ),
                    );
                    return Ok(());
                }
                Ok(None) => {}
                Err(e) => return Err(self.engine_failure(e, true)),
            }
        }
        let mut output = if discard {
            None
        } else {
            Some(self.open_output(dst, true)?)
        };
        let metadata = input.metadata.clone();
        let known = got == 0 || magic == MAGIC || magic == LEGACY_MAGIC || is_skippable(magic);
        let mut status = Ok(());
        let decoded = if got == 0 && !leading.ended_inside {
            // Nothing, or skippable frames only: an empty stream, as lz4 decodes it.
            0
        } else if !known && leading.skipped > 0 {
            // Not a frame after skippable ones: lz4 passes through (lz4cat) or reports an
            // unrecognized header only at the start of the input, and calls this trailing data.
            let rest = io::copy(&mut input.reader, &mut io::sink())
                .map_err(|e| self.engine_failure(CliError::input(&input.name, &e), true))?;
            status = Err(self.trailing(leading.skipped, rest + 4));
            0
        } else if !known {
            if !(self.a.pass_through && self.a.overwrite && !self.test) {
                return Err(Failure::Fatal(
                    44,
                    "Unrecognized header : file cannot be decoded".to_string(),
                ));
            }
            // Not LZ4 data: copied through unchanged (lz4cat, `-dcf`).
            let mut sink: Box<dyn Write> = match output.as_mut() {
                Some(o) => Box::new(o),
                None => Box::new(io::sink()),
            };
            let mut reader = Cursor::new(head).chain(&mut input.reader);
            io::copy(&mut reader, &mut sink).map_err(|e| {
                self.engine_failure(CliError::output(&dst.to_string_lossy(), &e), true)
            })?
        } else {
            let prefix = head[..got].to_vec();
            let rest = std::mem::replace(&mut input.reader, Box::new(io::empty()));
            input.reader = Box::new(leading.replay.chain(Cursor::new(prefix)).chain(rest));
            let mut d = Decompressor::new()
                .verify_checksums(self.a.content_checksum || self.a.block_checksum);
            if let Some(dict) = &self.dict {
                d = d.with_dictionary(dict.clone());
            }
            match decode(input, d, output.as_mut(), self.level < 2, self.threads()) {
                Ok(done) => {
                    if let Some((offset, len)) = done.trailing {
                        status = Err(self.trailing(offset, len));
                    }
                    done.decompressed
                }
                Err(e) => return Err(self.engine_failure(e, true)),
            }
        };
        if let Some(o) = output {
            if let Some(m) = &metadata {
                o.copy_metadata_from(m);
            }
            o.commit().map_err(|e| self.engine_failure(e, true))?;
        }
        if status.is_ok() && !self.test {
            self.remove_source(src)?;
        }
        self.say(
            2,
            format!(
                "{:<30.30} : decoded {decoded} bytes \n",
                src.to_string_lossy()
            ),
        );
        status
    }
}

/// What [`skip_leading_skippable`] found.
struct Leading {
    /// Bytes of the magic number after the skippable frames, in `head` (0: the input ended).
    got: usize,
    /// Input bytes of the skippable frames read.
    skipped: u64,
    /// Whether the input ended inside a skippable frame.
    ended_inside: bool,
    /// The skippable frames read, for the decoder: their header and length as in the input,
    /// their content as zeros (the decoder skips it), so that the offsets it reports are the
    /// input's.
    replay: Box<dyn Read>,
}

/// lz4 skips skippable frames before it looks for a frame (`selectDecoder`), so an input of
/// skippable frames only, or of nothing, is an empty stream to it (status 0, an empty output),
/// where the library reports input that ends before the first frame. Reads the skippable
/// frames at the start of `reader`, whose first `got` bytes are in `head`; `head` ends up
/// holding the bytes after them.
fn skip_leading_skippable(
    reader: &mut dyn Read,
    head: &mut [u8; 4],
    mut got: usize,
) -> io::Result<Leading> {
    let mut skipped = 0u64;
    let mut replay: Box<dyn Read> = Box::new(io::empty());
    while got == 4 && is_skippable(u32::from_le_bytes(*head)) {
        let mut size = [0u8; 4];
        let n = read_full(reader, &mut size)?;
        let mut header = head.to_vec();
        header.extend_from_slice(&size[..n]);
        let wanted = if n == 4 {
            u64::from(u32::from_le_bytes(size))
        } else {
            0
        };
        let content = io::copy(&mut reader.take(wanted), &mut io::sink())?;
        skipped += (4 + n) as u64 + content;
        replay = Box::new(
            replay
                .chain(Cursor::new(header))
                .chain(io::repeat(0).take(content)),
        );
        if n < 4 || content < wanted {
            return Ok(Leading {
                got: 0,
                skipped,
                ended_inside: true,
                replay,
            });
        }
        got = read_full(reader, head)?;
    }
    Ok(Leading {
        got,
        skipped,
        ended_inside: false,
        replay,
    })
}

/// Decompress when the name ends in `.lz4`, else compress (lz4's `determineOpMode`).
fn mode_of(input: &OsStr) -> Mode {
    if input.as_encoded_bytes().ends_with(EXT.as_bytes()) {
        Mode::Decompress
    } else {
        Mode::Compress
    }
}

/// `NAME.lz4` → `NAME` (at least one byte of name); `None` otherwise.
fn strip_ext(input: &OsStr) -> Option<OsString> {
    let s = input.to_str()?;
    let stem = s.strip_suffix(EXT)?;
    (!stem.is_empty()).then(|| OsString::from(stem))
}

/// `-r`: directories replaced by the regular files under them (sorted by path).
fn expand(files: &[OsString]) -> Vec<OsString> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for f in files {
        let p = Path::new(f);
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            out.extend(found.into_iter().map(PathBuf::into_os_string));
        } else {
            out.push(f.clone());
        }
    }
    out
}

/// The short usage (after "Incorrect parameters", and the start of `-h`).
fn usage(exe: &str) -> String {
    format!(
        "Usage :
      {exe} [arg] [input] [output]

input   : a filename
          with no FILE, or when FILE is - , read standard input
Arguments :
 -1     : fast compression (default)
 -12    : slowest compression level
 -T#    : use # threads (default: 0 == all cores)
 -d     : decompression (default for {EXT} extension)
 -f     : overwrite output without prompting
 -k     : preserve source files(s)  (default)
--rm    : remove source file(s) after successful de/compression
 -h/-H  : display help/long help and exit
"
    )
}

/// `-h` and `-H`.
fn help(exe: &str, long: bool) -> String {
    let mut s = format!(
        "*** lz4framed v{} : the lz4 1.10 command line ***\n",
        env!("CARGO_PKG_VERSION")
    );
    s.push_str(&usage(exe));
    s.push_str(
        "
Advanced arguments :
 -V     : display version number and exit
 -v     : verbose mode
 -q     : suppress warnings; specify twice to suppress errors too
 -c     : force write to standard output, even if it is the console
 -t     : test compressed file integrity
 -m     : multiple input files (implies automatic output filenames)
 -r     : operate recursively on directories (sets also -m)
 -l     : compress using Legacy format (Linux kernel compression)
 -z     : force compression
 -D FILE: use FILE as dictionary (compression & decompression)
 -B#    : cut file into blocks of size # bytes [32+]
                     or predefined block size [4-7] (default: 7)
 -BI    : Block Independence (default)
 -BD    : Block dependency (improves compression ratio)
 -BX    : enable block checksum (default:disabled)
--no-frame-crc : disable stream checksum (default:enabled)
--content-size : compressed frame includes original size (default:not present)
--list FILE : lists information about .lz4 files
--[no-]sparse  : sparse mode (default:enabled on file, disabled on stdout)
--favor-decSpeed: compressed files decompress faster, but are less compressed
--fast[=#]: switch to ultra fast compression level (default: 1)
--best  : same as -12
Benchmark arguments :
 -b#    : benchmark file(s), using # compression level (default : 1)
 -e#    : test all compression levels from -bX to # (default : 1)
 -i#    : minimum evaluation time in seconds (default : 3s)
",
    );
    if long {
        s.push_str(&format!(
            "
Which values can [output] have ?
[output] : a filename
          '-' for standard output (pipe mode)
          'null' to discard output (test mode)
[output] can be left empty. In this case, it receives the following value :
          - if input is stdin, then [output] = stdout
          - otherwise :
               + for compression, output to filename{EXT}
               + for decompression, output to filename without '{EXT}'
                    > if input filename has no '{EXT}' extension : error

Compression levels :
 -0 ... -2  => fast compression
 -3 ... -12 => high compression; higher number == more compression but slower

stdin, stdout and the console :
To protect the console from binary flooding (bad argument mistake)
{exe} refuses to read from the console, or to write to it without -c

Short arguments can be aggregated. For example :
          {exe} -9 -f filename
    is equivalent to :
          {exe} -9f filename

Installed as lz4, unlz4 and lz4cat (links to lz4framed), this binary behaves as those tools.
"
        ));
    }
    s
}
