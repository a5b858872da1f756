//! Random access and multi-core commands: `compress --seekable` / `--threads`, `index`,
//! `extract`, and indexed parallel `decompress --threads`.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use lz4framed::index::{build_index, sidecar_path, IndexOptions};
use lz4framed::{Registry, SeekIndex, SeekableReader};

use super::args::{CompressArgs, DecodeArgs};
use super::errors::{CliError, CliResult, Exit};
use super::input::{load_dictionary, Input};
use super::output::Output;
use super::progress::Progress;

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
    /// Decompressed offset of the first byte.
    #[arg(long, value_name = "N")]
    pub offset: u64,
    /// Bytes to extract (fewer when the content ends first).
    #[arg(long, value_name = "M")]
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

/// The thread count an `-T N` option asks for (0 = all cores).
pub fn threads(n: u32) -> usize {
    lz4framed::parallel::thread_count(n as usize)
}

fn data_error(name: &str, e: &lz4framed::Error) -> CliError {
    CliError::library(name, e, None)
}

/// The index of `path`: the embedded one, else the sidecar file. `Ok(None)` when there is
/// none; an error when one exists but is refused.
pub fn find_index(path: &Path, file: &mut File) -> CliResult<Option<SeekIndex>> {
    let name = path.display().to_string();
    match SeekIndex::read_embedded(file) {
        Ok(i) => return Ok(Some(i)),
        Err(lz4framed::Error::NoIndex { .. }) => {}
        Err(e) => return Err(data_error(&name, &e)),
    }
    let side = sidecar_path(path);
    match std::fs::read(&side) {
        Ok(bytes) => {
            let sname = side.display().to_string();
            let index = SeekIndex::from_sidecar(&bytes).map_err(|e| data_error(&sname, &e))?;
            index
                .verify_file(file)
                .map_err(|e| data_error(&sname, &e))?;
            Ok(Some(index))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CliError::input(&side.display().to_string(), &e)),
    }
}

/// `compress` with `--seekable` or more than one thread: the parallel compressor, recording
/// the index on the way when asked.
pub fn compress(args: &CompressArgs) -> CliResult<Exit> {
    let mut input = Input::open(&args.io.input)?;
    let len = input.len();
    if len.is_none() && args.content_size && !args.io.quiet {
        eprintln!(
            "lz4framed: warning: {}: size unknown, content size not recorded",
            input.name
        );
    }
    let settings = super::compress::settings(args, len)?;
    if args.sidecar && args.io.output.is_none() {
        return Err(CliError::usage("--sidecar needs an OUTFILE"));
    }
    let mut output = match &args.io.output {
        Some(p) => Output::file(p, args.io.force)?,
        None => {
            if io::stdout().is_terminal() && !args.io.force {
                return Err(CliError::usage(
                    "refusing to write compressed data to a terminal (redirect stdout, give OUTFILE, or use -f)",
                ));
            }
            Output::stdout()?
        }
    };
    let out_name = output.name();
    let size = if args.no_content_size { None } else { len };
    let options = args.seekable.then(IndexOptions::default);
    let mut progress = Progress::new(&input.name, len, args.io.quiet);
    let reader = ProgressReader {
        inner: &mut input.reader,
        progress: &mut progress,
    };
    let writer = BufWriter::with_capacity(1 << 20, &mut output);
    let (writer, summary) = lz4framed::parallel::compress_stream(
        reader,
        writer,
        &settings,
        threads(args.threads),
        size,
        options.as_ref(),
    )
    .map_err(|e| match e {
        lz4framed::Error::Io(e) => CliError::output(&out_name, &e),
        lz4framed::Error::InputSizeMismatch { .. } => CliError::new(
            Exit::Input,
            format!("{}: file changed size while being read", input.name),
        ),
        e => CliError::library(&input.name, &e, None),
    })?;
    let mut writer = writer;
    if let Some(index) = &summary.index {
        if !args.sidecar {
            writer
                .write_all(&index.to_embedded())
                .map_err(|e| CliError::output(&out_name, &e))?;
        }
    }
    writer
        .flush()
        .map_err(|e| CliError::output(&out_name, &e))?;
    drop(writer);
    progress.finish();
    if let Some(m) = &input.metadata {
        output.copy_metadata_from(m);
    }
    output.commit()?;
    if let (Some(index), true, Some(p)) = (&summary.index, args.sidecar, &args.io.output) {
        let side = sidecar_path(p);
        let mut o = Output::file(&side, args.io.force)?;
        o.write_all(&index.to_sidecar())
            .map_err(|e| CliError::output(&side.display().to_string(), &e))?;
        o.commit()?;
    }
    Ok(Exit::Ok)
}

struct ProgressReader<'a> {
    inner: &'a mut Box<dyn Read>,
    progress: &'a mut Progress,
}

impl Read for ProgressReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// Run `index`.
pub fn index(args: &IndexArgs) -> CliResult<Exit> {
    let name = args.file.display().to_string();
    let mut file = File::open(&args.file).map_err(|e| CliError::input(&name, &e))?;
    let mut options = IndexOptions::default().restart_interval(args.restart_interval << 20);
    if let Some(d) = &args.dict {
        options = options.dictionary(load_dictionary(d)?);
    }
    // An existing embedded index is left out of the indexed data (and replaced below).
    let existing = match SeekIndex::read_embedded(&mut file) {
        Ok(i) => Some(i.data_len()),
        Err(_) => None,
    };
    file.seek(SeekFrom::Start(0))
        .map_err(|e| CliError::input(&name, &e))?;
    let reader = io::BufReader::with_capacity(1 << 20, &file);
    let index = build_index::<_, Registry>(reader, &options).map_err(|e| match e {
        lz4framed::Error::Io(e) => CliError::input(&name, &e),
        e => data_error(&name, &e),
    })?;
    if args.sidecar {
        let side = sidecar_path(&args.file);
        let mut o = Output::file(&side, args.force)?;
        o.write_all(&index.to_sidecar())
            .map_err(|e| CliError::output(&side.display().to_string(), &e))?;
        o.commit()?;
    } else {
        // Append in place (the file may be huge); on failure, cut it back to what it was.
        let mut f = OpenOptions::new()
            .write(true)
            .open(&args.file)
            .map_err(|e| CliError::output(&name, &e))?;
        let original = f
            .seek(SeekFrom::End(0))
            .map_err(|e| CliError::output(&name, &e))?;
        let at = existing.unwrap_or(original).min(index.data_len());
        let r = f
            .set_len(at)
            .and_then(|()| f.seek(SeekFrom::Start(at)).map(|_| ()))
            .and_then(|()| f.write_all(&index.to_embedded()))
            .and_then(|()| f.sync_all());
        if let Err(e) = r {
            let _ = f.set_len(original);
            return Err(CliError::output(&name, &e));
        }
    }
    if !args.quiet {
        eprintln!(
            "{name}: indexed {} restart points, {} bytes of content; index {} bytes ({})",
            index.entries().len() - 1,
            index.decompressed_size(),
            index.encoded_len(),
            if args.sidecar { "sidecar" } else { "embedded" }
        );
    }
    Ok(Exit::Ok)
}

/// Run `extract`.
pub fn extract(args: &ExtractArgs) -> CliResult<Exit> {
    let name = args.file.display().to_string();
    let mut file = File::open(&args.file).map_err(|e| CliError::input(&name, &e))?;
    let index = find_index(&args.file, &mut file)?.ok_or_else(|| {
        CliError::new(
            Exit::Data,
            format!("{name}: no seek index (build one with `lz4framed index {name}`)"),
        )
    })?;
    let mut reader = SeekableReader::with_index(file, index)
        .map_err(|e| data_error(&name, &e))?
        .backend(lz4framed::Backend::from(args.decode.backend))
        .map_err(|e| CliError::usage(e.to_string()))?
        .verify_checksums(!args.decode.no_verify);
    if let Some(d) = &args.decode.dict {
        reader = reader.with_dictionary(load_dictionary(d)?);
    }
    if args.offset > reader.len() {
        return Err(CliError::usage(format!(
            "--offset {} is past the end of the content ({} bytes)",
            args.offset,
            reader.len()
        )));
    }
    let mut output = match &args.output {
        Some(p) => Output::file(p, args.force)?,
        None => Output::stdout()?,
    };
    let out_name = output.name();
    reader
        .seek(SeekFrom::Start(args.offset))
        .map_err(|e| CliError::input(&name, &e))?;
    let mut part = reader.take(args.length);
    io::copy(&mut part, &mut output).map_err(|e| {
        match e
            .get_ref()
            .and_then(|i| i.downcast_ref::<lz4framed::Error>())
        {
            Some(le) => data_error(&name, le),
            None if e.kind() == io::ErrorKind::InvalidData => {
                CliError::new(Exit::Data, format!("{name}: {e}"))
            }
            None => CliError::output(&out_name, &e),
        }
    })?;
    output.commit()?;
    Ok(Exit::Ok)
}

/// `decompress --threads N` (N > 1) on an indexed regular file with linked frames: decode from
/// the index's restart points on N threads. Returns `None` when this does not apply (no index,
/// no linked frames, stdin, one thread), so that the caller decodes as a stream.
pub fn try_parallel_decompress(
    input_path: &Path,
    output: Option<&Path>,
    force: bool,
    decode: &DecodeArgs,
    threads_arg: u32,
) -> CliResult<Option<Exit>> {
    let n = threads(threads_arg);
    if n <= 1 || input_path.as_os_str() == "-" || decode.no_verify {
        return Ok(None);
    }
    let name = input_path.display().to_string();
    let Ok(mut file) = File::open(input_path) else {
        return Ok(None);
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    // A file without a usable index (none, or one that does not describe the whole file, as
    // in seekable files concatenated) is decoded as a stream, which skips any index frame.
    let Ok(Some(index)) = find_index(input_path, &mut file) else {
        return Ok(None);
    };
    // Without linked frames the stream path is as parallel, and it also verifies content
    // checksums (restart points in the middle of a frame cannot).
    if !index.entries().iter().any(|e| e.has_window()) {
        return Ok(None);
    }
    let dict = match &decode.dict {
        Some(d) => Some(load_dictionary(d)?),
        None => None,
    };
    let metadata = file.metadata().ok();
    let mut out = match output {
        Some(p) => Output::file(p, force)?,
        None => Output::stdout()?,
    };
    let out_name = out.name();
    lz4framed::parallel::decompress_to(&file, &index, n, dict.as_ref(), &mut out).map_err(|e| {
        match e {
            lz4framed::Error::Io(e) => CliError::output(&out_name, &e),
            e => data_error(&name, &e),
        }
    })?;
    if let Some(m) = &metadata {
        out.copy_metadata_from(m);
    }
    out.commit()?;
    Ok(Some(Exit::Ok))
}
