//! The command line: clap definitions and the lz4-style spellings (`-1`..`-12`, `-BD`, `-BX`)
//! rewritten into their long forms before clap sees them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};

/// The exit codes, for the help of every command.
macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0  success
  1  usage error (bad option or value, unavailable backend, unsupported level)
  2  input error (INFILE or the dictionary cannot be opened or read)
  3  output error (OUTFILE exists without -f, cannot be created or written)
  4  corrupt or invalid data (bad magic, checksum mismatch, truncated input, wrong dictionary)
  5  warning (decompress, test, info): every frame was decoded (and written), but bytes that are
     no frame follow the last one (zero padding, a size word after a legacy stream)"
    };
}

/// The help after the options of a command that reads LZ4 data only (`info`, `test`).
const EXIT_CODES: &str = exit_codes!();

/// The help after the options of a command that writes an OUTFILE.
const AFTER_HELP: &str = concat!(
    exit_codes!(),
    "

Without OUTFILE or with `-` as OUTFILE, output goes to stdout; `-` as INFILE reads stdin. An existing OUTFILE is never
overwritten without -f. Output is written to a temporary file in OUTFILE's folder and renamed
into place only on success, so a failure never leaves a partial OUTFILE behind (nor does Ctrl-C,
SIGTERM or SIGHUP: the temporary file is removed first).",
);

/// lz4framed: LZ4 frame compression and decompression, compatible with the `lz4` tool.
#[derive(Debug, Parser)]
#[command(name = "lz4framed", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// `-` as OUTFILE means stdout, as it does for the `lz4` tool (not a file named `-`).
    pub fn dash_output_is_stdout(&mut self) {
        let multiple = match &self.command {
            Command::Compress(a) => a.io.multiple,
            Command::Decompress(a) => a.io.multiple,
            _ => false,
        };
        let output = match &mut self.command {
            Command::Compress(a) => &mut a.io.output,
            Command::Decompress(a) => &mut a.io.output,
            Command::Extract(a) => &mut a.output,
            Command::Info(_) | Command::Test(_) | Command::Backends | Command::Index(_) => return,
        };
        if !multiple && output.as_deref() == Some(Path::new("-")) {
            *output = None;
        }
    }
}

/// The subcommands. An option given twice takes its last value (`-3 ... -9`, `-f ... --force`,
/// as `lz4` and most tools take them, e.g. after an alias's own options).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compress INFILE (or stdin) into an LZ4 frame.
    #[command(after_help = AFTER_HELP, args_override_self = true)]
    Compress(CompressArgs),
    /// Decompress every frame of INFILE (concatenated, skippable and legacy frames included).
    #[command(after_help = AFTER_HELP, args_override_self = true)]
    Decompress(DecompressArgs),
    /// Show each frame of the files: type, block size and mode, flags, sizes, ratio.
    #[command(after_help = EXIT_CODES, args_override_self = true)]
    Info(InfoArgs),
    /// Decode and verify the files, writing no output.
    #[command(after_help = EXIT_CODES, args_override_self = true)]
    Test(TestArgs),
    /// List the block backends of this build, the CPU features detected and what auto picks.
    Backends,
    /// Build the seek index of an existing .lz4 file (appended to it, or --sidecar FILE.idx).
    #[command(args_override_self = true)]
    Index(IndexArgs),
    /// Decompress M bytes at decompressed offset N of an indexed .lz4 file.
    #[command(args_override_self = true)]
    Extract(ExtractArgs),
}

/// Input and output paths and the safety switches shared by compress and decompress.
#[derive(Debug, Args)]
pub struct IoArgs {
    /// Input file, or `-` for stdin.
    #[arg(value_name = "INFILE|-")]
    pub input: PathBuf,
    /// Output file (default: stdout). With -m: another INFILE.
    #[arg(value_name = "OUTFILE")]
    pub output: Option<PathBuf>,
    /// With -m: more INFILEs.
    #[arg(value_name = "INFILE", requires = "multiple")]
    pub more: Vec<PathBuf>,
    /// Several INFILEs (as `lz4 -m`): each is written beside itself, compress: `FILE` →
    /// `FILE.lz4`, decompress: `FILE.lz4` → `FILE` (`-` goes to stdout). A failed file is
    /// reported and the others still run; the exit code is the worst.
    #[arg(short = 'm', long)]
    pub multiple: bool,
    /// Remove each INFILE once its output is complete (not stdin; nothing is removed after a
    /// failure).
    #[arg(long = "rm", overrides_with = "keep")]
    pub remove: bool,
    /// Keep the INFILEs (the default; undoes --rm).
    #[arg(short = 'k', long, overrides_with = "remove")]
    pub keep: bool,
    /// Overwrite an existing OUTFILE (compress: also allow writing to a terminal).
    #[arg(short = 'f', long)]
    pub force: bool,
    /// No progress bar and no warnings (errors are still printed).
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

impl IoArgs {
    /// The (input, output) pairs to process: one without -m (output `None` = stdout), and
    /// with -m one per INFILE, the output named by `name` (which returns `None` for stdin,
    /// meaning stdout, or an error for a name it cannot derive).
    pub fn jobs(
        &self,
        name: impl Fn(&Path) -> Result<Option<PathBuf>, String>,
    ) -> Vec<(PathBuf, Result<Option<PathBuf>, String>)> {
        if !self.multiple {
            return vec![(self.input.clone(), Ok(self.output.clone()))];
        }
        std::iter::once(&self.input)
            .chain(self.output.iter())
            .chain(self.more.iter())
            .map(|i| {
                let out = if i.as_os_str() == "-" {
                    Ok(None)
                } else {
                    name(i)
                };
                (i.clone(), out)
            })
            .collect()
    }

    /// Whether INFILEs are removed after success (`--rm` and not `-k`).
    pub fn remove_input(&self) -> bool {
        self.remove && !self.keep
    }
}

/// `--backend NAME`: parsed by [`lz4framed::Backend`]'s `FromStr`, with its names as the
/// possible values in `--help`.
fn backend_parser() -> impl clap::builder::TypedValueParser<Value = lz4framed::Backend> {
    clap::builder::PossibleValuesParser::new(lz4framed::Backend::ALL.map(|b| b.as_str()))
        .map(|name| name.parse::<lz4framed::Backend>().unwrap_or_default())
}

/// `compress` options.
#[derive(Debug, Args)]
pub struct CompressArgs {
    #[command(flatten)]
    pub io: IoArgs,
    /// Compression level 1..12 (also -1 .. -12); 1 is fast (default), 3..12 high compression.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=12),
          overrides_with = "fast")]
    pub level: Option<i32>,
    /// Fast mode with acceleration N (default 1): higher N is faster, with a lower ratio.
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true,
          default_missing_value = "1", value_parser = clap::value_parser!(i32).range(1..=65537),
          overrides_with = "level")]
    pub fast: Option<i32>,
    /// Maximum block size: 64K, 256K, 1M, 4M (or the IDs 4..7); default 4M, or the smallest
    /// that holds a smaller input file (as lz4 does).
    /// lz4's -BD (linked blocks) and -BX (block checksums) are accepted too.
    #[arg(short = 'B', long = "block-size", value_name = "SIZE", value_parser = parse_block_size)]
    pub block_size: Option<lz4framed::BlockSize>,
    /// Linked blocks: each block may refer to the 64 KiB before it (better ratio).
    #[arg(long, overrides_with = "independent")]
    pub linked: bool,
    /// Independent blocks (default): each block decodes on its own.
    #[arg(long, overrides_with = "linked")]
    pub independent: bool,
    /// Append an XXH32 of the content (default).
    #[arg(long, overrides_with = "no_content_checksum")]
    pub content_checksum: bool,
    /// Do not append a content checksum.
    #[arg(long, overrides_with = "content_checksum")]
    pub no_content_checksum: bool,
    /// Append an XXH32 after each block.
    #[arg(long, overrides_with = "no_block_checksum")]
    pub block_checksum: bool,
    /// No block checksums (default).
    #[arg(long, overrides_with = "block_checksum")]
    pub no_block_checksum: bool,
    /// Record the content size in the header (default for regular files; not possible for stdin).
    #[arg(long, overrides_with = "no_content_size")]
    pub content_size: bool,
    /// Do not record the content size.
    #[arg(long, overrides_with = "content_size")]
    pub no_content_size: bool,
    /// Dictionary: the last 64 KiB of FILE, with dictionary ID 0 (as `lz4 -D FILE`).
    #[arg(short = 'D', long, value_name = "FILE")]
    pub dict: Option<PathBuf>,
    /// Block backend (auto: the fastest this CPU has; LZ4FRAMED_BACKEND overrides it).
    #[arg(long, value_name = "NAME", default_value = "auto", value_parser = backend_parser())]
    pub backend: lz4framed::Backend,
    /// Worker threads (0 = all cores, the default; at most 200, as lz4). The output is the
    /// same for any N.
    #[arg(short = 'T', long, value_name = "N", default_value_t = 0,
          allow_negative_numbers = true, value_parser = parse_unsigned::<u32>)]
    pub threads: u32,
    /// Append a seek index (a skippable frame every LZ4 decoder ignores), so that the file can
    /// be read at any offset (`extract`) and decompressed on many cores.
    #[arg(long)]
    pub seekable: bool,
    /// With --seekable: write the index to OUTFILE.idx instead of appending it.
    #[arg(long, requires = "seekable")]
    pub sidecar: bool,
    /// Write the legacy frame format (as `lz4 -l`, for the Linux kernel and initramfs): 8 MiB
    /// independent blocks, no checksums, no content size. Only the level (and --fast) apply.
    #[arg(long, conflicts_with_all = ["seekable", "block_size", "linked", "block_checksum",
          "content_checksum", "content_size", "dict"])]
    pub legacy: bool,
}

/// `decompress` options.
#[derive(Debug, Args)]
pub struct DecompressArgs {
    #[command(flatten)]
    pub io: IoArgs,
    #[command(flatten)]
    pub decode: DecodeArgs,
    /// Threads (0 = all cores, the default; at most 200, as lz4). The blocks of
    /// independent-block frames (the lz4 tool's default) are decoded in parallel; linked frames too when the file has a seek
    /// index, else on one thread. The output is the same for any N.
    #[arg(short = 'T', long, value_name = "N", default_value_t = 0,
          allow_negative_numbers = true, value_parser = parse_unsigned::<u32>)]
    pub threads: u32,
    /// Resumable decompression: save the decoder's state to STATEFILE every
    /// --checkpoint-every MiB of output; after an interruption (killed process, input that
    /// ended early) run the same command again to continue where the last checkpoint left off.
    /// Needs an OUTFILE; the output is built in a hidden `.OUTFILE.lz4framed-partial` beside it
    /// and renamed into place when complete.
    #[arg(long, value_name = "STATEFILE", conflicts_with = "multiple")]
    pub resume: Option<PathBuf>,
    /// Sparse output (as `lz4`): runs of zeros covering whole 4 KiB pages become holes in
    /// the output file, so decompressed disk images take no more disk than they need. On by
    /// default for output files; with --sparse also for stdout when it is a regular file.
    #[arg(long, overrides_with = "no_sparse")]
    pub sparse: bool,
    /// Write zeros as they are.
    #[arg(long, overrides_with = "sparse")]
    pub no_sparse: bool,
    /// With --resume: MiB of output between checkpoints.
    #[arg(long, value_name = "MIB", default_value_t = 64, requires = "resume",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub checkpoint_every: u64,
}

/// Options of every decoding command.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Dictionary the data was compressed with (its last 64 KiB, as `lz4 -D FILE`).
    #[arg(short = 'D', long, value_name = "FILE")]
    pub dict: Option<PathBuf>,
    /// Block backend (auto: the fastest this CPU has; LZ4FRAMED_BACKEND overrides it).
    #[arg(long, value_name = "NAME", default_value = "auto", value_parser = backend_parser())]
    pub backend: lz4framed::Backend,
    /// Skip header, block and content checksum verification (faster, no integrity check).
    #[arg(long)]
    pub no_verify: bool,
}

/// `info` options.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Files to describe (`-` for stdin).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `test` options.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Files to verify (`-` for stdin).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub decode: DecodeArgs,
    /// Print nothing for files that pass.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Threads (0 = all cores, the default); as for decompress.
    #[arg(short = 'T', long, value_name = "N", default_value_t = 0,
          allow_negative_numbers = true, value_parser = parse_unsigned::<u32>)]
    pub threads: u32,
}

/// `index` options.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The .lz4 file to index.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Write the index beside the file (FILE.idx) instead of appending it to FILE.
    #[arg(long)]
    pub sidecar: bool,
    /// Linked-block frames: MiB of output between restart points.
    #[arg(long, value_name = "MIB", default_value_t = 4,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub restart_interval: u64,
    /// Replace an existing sidecar file.
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Dictionary the data was compressed with.
    #[arg(short = 'D', long, value_name = "FILE")]
    pub dict: Option<PathBuf>,
    /// Print nothing on success.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `extract` options.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// An indexed .lz4 file (embedded index, or a sidecar FILE.idx beside it).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Decompressed offset of the first byte (0 or more).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_unsigned::<u64>)]
    pub offset: u64,
    /// Bytes to extract (fewer when the content ends first).
    #[arg(long, value_name = "M", allow_negative_numbers = true, value_parser = parse_unsigned::<u64>)]
    pub length: u64,
    /// Output file (default: stdout).
    #[arg(value_name = "OUTFILE")]
    pub output: Option<PathBuf>,
    /// Overwrite an existing OUTFILE.
    #[arg(short = 'f', long)]
    pub force: bool,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

/// The most threads `-T N` starts: `lz4`'s limit (`NB_WORKERS_MAX`, 200). More than the
/// machine has cores only cost memory, and a number in the thousands made the process abort
/// (the operating system refused to start the threads).
pub const MAX_THREADS: usize = 200;

/// The thread count an `-T N` option asks for (0 = all cores; at most [`MAX_THREADS`]).
pub fn threads(n: u32) -> usize {
    lz4framed::parallel::thread_count(n as usize).min(MAX_THREADS)
}

/// A whole number, 0 or more (a byte offset or count, a thread count). A negative number is
/// handed here rather than taken for an option (`allow_negative_numbers`), so that it gets
/// this message instead of clap's "unexpected argument".
fn parse_unsigned<T>(s: &str) -> Result<T, String>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    if s.starts_with('-') {
        return Err("must be 0 or more".to_string());
    }
    s.parse().map_err(|e: T::Err| e.to_string())
}

fn parse_block_size(s: &str) -> Result<lz4framed::BlockSize, String> {
    use lz4framed::BlockSize as B;
    match s.to_ascii_uppercase().as_str() {
        "4" | "64K" | "64KB" | "64KIB" => Ok(B::Max64KB),
        "5" | "256K" | "256KB" | "256KIB" => Ok(B::Max256KB),
        "6" | "1M" | "1MB" | "1MIB" => Ok(B::Max1MB),
        "7" | "4M" | "4MB" | "4MIB" => Ok(B::Max4MB),
        _ => Err(format!(
            "`{s}` is not a block size (expected 64K, 256K, 1M, 4M or 4..7)"
        )),
    }
}

/// Rewrites the lz4-style spellings clap cannot express: `-N` (N in 1..=12) becomes
/// `--level=N`, `-BD` becomes `--linked` and `-BX` `--block-checksum`, each only where it
/// stands as an option of a subcommand that has that option (`compress`). The value of an
/// option that takes one (`--offset -1`, `-T -1`, `-D -9`) and everything after `--` pass
/// through unchanged, for the option's own parser to judge. Which options take a value is
/// read from the clap definition of [`Cli`], so the two cannot disagree.
pub fn normalize(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    use clap::CommandFactory;
    let mut root = Cli::command();
    root.build();
    let mut sub: Option<&clap::Command> = None;
    let mut value_next = false;
    let mut rest = false;
    let mut out = Vec::new();
    for (i, a) in args.into_iter().enumerate() {
        if i == 0 || rest || value_next {
            value_next = false;
            out.push(a);
            continue;
        }
        let Some(s) = a.to_str() else {
            out.push(a);
            continue;
        };
        if s == "--" {
            rest = true;
            out.push(a);
            continue;
        }
        let Some(cmd) = sub else {
            // Before the subcommand: only the global --help / --version, no values.
            if !s.starts_with('-') {
                sub = root.find_subcommand(s);
            }
            out.push(a);
            continue;
        };
        let rewritten = if let Some(long) = s.strip_prefix("--") {
            value_next = !long.contains('=')
                && cmd
                    .get_arguments()
                    .find(|arg| arg.get_long() == Some(long))
                    .is_some_and(separate_value);
            None
        } else if let Some(short) = s.strip_prefix('-').filter(|c| !c.is_empty()) {
            let has = |id: &str| cmd.get_arguments().any(|arg| arg.get_id() == id);
            if short == "BD" && has("linked") {
                Some("--linked".to_string())
            } else if short == "BX" && has("block_checksum") {
                Some("--block-checksum".to_string())
            } else if short.len() <= 2 && short.bytes().all(|b| b.is_ascii_digit()) && has("level")
            {
                Some(format!("--level={short}"))
            } else {
                // A cluster of short flags: the first that takes a value takes the rest of
                // the cluster, or the next argument when it ends the cluster.
                for (at, c) in short.char_indices() {
                    let arg = cmd.get_arguments().find(|arg| arg.get_short() == Some(c));
                    if arg.is_some_and(|arg| arg.get_action().takes_values()) {
                        value_next = at + c.len_utf8() == short.len();
                        break;
                    }
                }
                None
            }
        } else {
            None
        };
        out.push(rewritten.map_or(a, OsString::from));
    }
    out
}

/// Whether a long option, given without `=`, takes the next argument as its value (not
/// `--fast`, whose optional value must be attached with `=`).
fn separate_value(arg: &clap::Arg) -> bool {
    arg.get_action().takes_values() && !arg.is_require_equals_set()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lz4_spellings_are_rewritten() {
        let v: Vec<OsString> = ["x", "compress", "-9", "-BD", "-BX", "-B4", "--", "-3"]
            .iter()
            .map(OsString::from)
            .collect();
        let n = normalize(v);
        let n: Vec<&str> = n.iter().map(|s| s.to_str().unwrap()).collect();
        assert_eq!(
            n,
            [
                "x",
                "compress",
                "--level=9",
                "--linked",
                "--block-checksum",
                "-B4",
                "--",
                "-3"
            ]
        );
    }

    fn normalized(args: &[&str]) -> Vec<String> {
        normalize(args.iter().map(OsString::from))
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect()
    }

    #[test]
    fn values_of_options_pass_through() {
        let extract = ["x", "extract", "f.lz4", "--offset", "-1", "--length", "-12"];
        assert_eq!(normalized(&extract), extract);
        assert_eq!(
            normalized(&["x", "compress", "-T", "-1", "-9", "-D", "-3", "-qT", "-2", "-T4", "-5"]),
            [
                "x",
                "compress",
                "-T",
                "-1",
                "--level=9",
                "-D",
                "-3",
                "-qT",
                "-2",
                "-T4",
                "--level=5"
            ]
        );
        assert_eq!(
            normalized(&[
                "x",
                "compress",
                "--threads",
                "-1",
                "--threads=2",
                "-1",
                "--fast",
                "-3"
            ]),
            [
                "x",
                "compress",
                "--threads",
                "-1",
                "--threads=2",
                "--level=1",
                "--fast",
                "--level=3"
            ]
        );
        // Only compress has a level and block options.
        let decompress = ["x", "decompress", "-9", "-BD", "f.lz4"];
        assert_eq!(normalized(&decompress), decompress);
        // Before the subcommand nothing is rewritten.
        assert_eq!(
            normalized(&["x", "-9", "compress"]),
            ["x", "-9", "compress"]
        );
    }

    #[test]
    fn negative_numbers_get_the_options_own_error() {
        use clap::error::ErrorKind;
        let e = Cli::try_parse_from(normalize(
            ["x", "extract", "f.lz4", "--offset", "-1", "--length", "5"].map(OsString::from),
        ))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ValueValidation);
        let text = e.to_string();
        assert!(
            text.contains("'--offset <N>'") && text.contains("0 or more"),
            "{text}"
        );
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
