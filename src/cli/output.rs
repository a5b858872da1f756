//! Safe output: a new OUTFILE is written to a temporary file in the same folder and renamed
//! into place only when everything succeeded; an existing OUTFILE is never replaced without
//! `-f`; on failure (or drop without `commit`) the temporary file is removed. An OUTFILE that
//! is a symlink is written through: the file it points to is replaced, the link stays.
//!
//! Sparse output (as `lz4 --sparse`, its default for files): runs of zeros that cover whole
//! 4 KiB pages of the file are not written but skipped with a seek, so the file system leaves a
//! hole there; [`Output::commit`] sets the file's length, so a file that ends in zeros still
//! has its full size. The bytes read back are the same either way.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, Once};

use super::errors::{CliError, CliResult, Exit};

/// The temporary output files of this process not yet renamed into place or removed: what a
/// signal that ends the process must remove (see [`remove_temporaries_on_signals`]).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// From now on, SIGINT (Ctrl-C), SIGTERM and SIGHUP first remove the temporary output files
/// (those not yet renamed into place), then end the process as the signal would have (its
/// default action, so the parent sees a process ended by that signal). Without this, the
/// signal ended the process at once and left the hidden temporary file of the output being
/// written. A watcher thread does the work (safe code; the signal handler itself only wakes
/// it). Only the first call installs it; if the signals cannot be watched, nothing changes.
pub fn remove_temporaries_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held to the end: no temporary file is renamed or created meanwhile.
                    let files = pending();
                    for f in files.iter() {
                        let _ = fs::remove_file(f);
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
    });
}

/// A temporary file that a signal ending the process must remove, registered for as long as
/// this guard lives (dropping it ends the registration; the file itself is the owner's
/// business: renamed into place, or removed on failure).
pub struct TemporaryFile(PathBuf);

impl TemporaryFile {
    /// Register `path` before creating it, so that no signal can come between the two.
    pub fn register(path: &Path) -> TemporaryFile {
        pending().push(path.to_path_buf());
        TemporaryFile(path.to_path_buf())
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        pending().retain(|p| p != &self.0);
    }
}

/// Holes are made only for whole pages of this many bytes (aligned to the file offset).
const PAGE: u64 = 4096;

/// Where the output goes, how many bytes went there, and whether zero runs become holes.
#[derive(Debug)]
pub struct Output {
    sink: Sink,
    written: u64,
    /// `Some(pending)`: sparse mode, with `pending` zero bytes not yet skipped over.
    sparse: Option<u64>,
}

/// The destination.
#[derive(Debug)]
enum Sink {
    /// Stdout (a duplicate of file descriptor 1, written without extra buffering).
    Stdout(File),
    /// A temporary file to be renamed to `target` on success.
    Temp {
        /// The file being written.
        file: File,
        /// Its path (removed on drop unless committed).
        temp: PathBuf,
        /// The final path.
        target: PathBuf,
        /// Whether `target` may be replaced.
        force: bool,
        /// Set once renamed.
        committed: bool,
    },
    /// An existing non-regular file (a device such as /dev/null, a FIFO), written directly.
    Special(File, PathBuf),
}

impl Output {
    fn new(sink: Sink) -> Output {
        Output {
            sink,
            written: 0,
            sparse: None,
        }
    }

    /// Output to stdout.
    pub fn stdout() -> CliResult<Output> {
        stdout_file()
            .map(|f| Output::new(Sink::Stdout(f)))
            .map_err(|e| CliError::output("stdout", &e))
    }

    /// Turn zero runs into holes (see the module docs) when `on` and the destination can have
    /// them: a new file, or stdout when it is a regular file. Elsewhere (pipes, terminals,
    /// devices) zeros are written as they are.
    pub fn sparse(mut self, on: bool) -> Self {
        let able = match &self.sink {
            Sink::Temp { .. } => true,
            Sink::Stdout(f) => f.metadata().is_ok_and(|m| m.is_file()),
            Sink::Special(..) => false,
        };
        self.sparse = (on && able).then_some(0);
        self
    }

    /// Bytes written so far (holes included).
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Output to `target`: refuses an existing file without `force`, otherwise opens a
    /// temporary file beside it.
    pub fn file(target: &Path, force: bool) -> CliResult<Output> {
        let shown = target.display().to_string();
        match fs::metadata(target) {
            Ok(m) if m.is_dir() => {
                return Err(CliError::new(
                    Exit::Output,
                    format!("{shown}: is a directory"),
                ))
            }
            Ok(m) if !m.is_file() => {
                let f = OpenOptions::new()
                    .write(true)
                    .open(target)
                    .map_err(|e| CliError::output(&shown, &e))?;
                return Ok(Output::new(Sink::Special(f, target.to_path_buf())));
            }
            Ok(_) if !force => {
                return Err(CliError::new(
                    Exit::Output,
                    format!("{shown}: already exists (use -f to overwrite)"),
                ))
            }
            _ => {}
        }
        let resolved = write_through(target);
        let target = resolved.as_path();
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = target
            .file_name()
            .ok_or_else(|| CliError::new(Exit::Output, format!("{shown}: not a file name")))?
            .to_string_lossy()
            .into_owned();
        let pid = std::process::id();
        let mut attempt = 0u32;
        // Held while the file is created and registered, so that a signal cannot end the
        // process in between and leave it.
        let mut registered = pending();
        loop {
            let temp = dir.join(format!(".{base}.{pid}.{attempt}.lz4framed-tmp"));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    registered.push(temp.clone());
                    return Ok(Output::new(Sink::Temp {
                        file,
                        temp,
                        target: target.to_path_buf(),
                        force,
                        committed: false,
                    }));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(CliError::output(&shown, &e)),
            }
        }
    }

    /// The name to show in messages.
    pub fn name(&self) -> String {
        match &self.sink {
            Sink::Stdout(_) => "stdout".to_string(),
            Sink::Temp { target, .. } | Sink::Special(_, target) => target.display().to_string(),
        }
    }

    /// Copy permissions and modification time of a regular input file onto a new output file
    /// (as `lz4` does). Best effort.
    pub fn copy_metadata_from(&self, input: &fs::Metadata) {
        if let Sink::Temp { file, .. } = &self.sink {
            let _ = file.set_permissions(input.permissions());
            if let Ok(t) = input.modified() {
                let _ = file.set_modified(t);
            }
        }
    }

    /// Flush, sync and move the temporary file into place.
    pub fn commit(mut self) -> CliResult<()> {
        let name = self.name();
        self.end_holes().map_err(|e| CliError::output(&name, &e))?;
        match &mut self.sink {
            Sink::Stdout(f) | Sink::Special(f, _) => {
                f.flush().map_err(|e| CliError::output(&name, &e))
            }
            Sink::Temp {
                file,
                temp,
                target,
                force,
                committed,
            } => {
                file.flush().map_err(|e| CliError::output(&name, &e))?;
                let mut registered = pending();
                publish(temp, target, *force)?;
                registered.retain(|p| p != temp);
                *committed = true;
                Ok(())
            }
        }
    }
}

/// A new output file written at offsets from several threads
/// ([`lz4framed::parallel::decompress_stream_at`]), from [`Output::positioned`]; in sparse mode
/// whole zero pages (aligned to the file offset) are not written, leaving holes.
pub struct Positioned<'a> {
    file: &'a File,
    sparse: bool,
    /// Bytes written through it (holes included).
    bytes: AtomicU64,
}

impl Positioned<'_> {
    /// Bytes written through it so far (holes included).
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

impl lz4framed::parallel::WriteAt for Positioned<'_> {
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
        if !self.sparse {
            return self.file.write_all_at(buf, offset);
        }
        // Runs of data between whole zero pages, each written with one call.
        let mut run = 0;
        let mut i = 0;
        while i < buf.len() {
            let pos = offset + i as u64;
            let end = (i + (PAGE - pos % PAGE) as usize).min(buf.len());
            if pos % PAGE == 0 && end - i == PAGE as usize && is_zero(&buf[i..end]) {
                if run < i {
                    self.file.write_all_at(&buf[run..i], offset + run as u64)?;
                }
                run = end;
            }
            i = end;
        }
        if run < buf.len() {
            self.file.write_all_at(&buf[run..], offset + run as u64)?;
        }
        Ok(())
    }
}

impl Output {
    /// The new output file, to be written at offsets from [`Output::written`] on by several
    /// threads; `None` for stdout and special files, which are written in order. Report what
    /// went there with [`Output::placed`].
    pub fn positioned(&self) -> Option<Positioned<'_>> {
        match &self.sink {
            Sink::Temp { file, .. } if self.sparse.is_none_or(|pending| pending == 0) => {
                Some(Positioned {
                    file,
                    sparse: self.sparse.is_some(),
                    bytes: AtomicU64::new(0),
                })
            }
            _ => None,
        }
    }

    /// `n` bytes were written at offsets through [`Output::positioned`] after the ones before:
    /// the file gets its full length (it may end in a hole) and its position moves past them.
    pub fn placed(&mut self, n: u64) -> io::Result<()> {
        self.written += n;
        let end = self.written;
        let f = self.file_mut();
        if f.metadata()?.len() < end {
            f.set_len(end)?;
        }
        f.seek(SeekFrom::Start(end))?;
        Ok(())
    }

    fn file_mut(&mut self) -> &mut File {
        match &mut self.sink {
            Sink::Stdout(f) | Sink::Special(f, _) | Sink::Temp { file: f, .. } => f,
        }
    }

    /// Skip the pending zeros and give the file its full length (a file may end in a hole).
    fn end_holes(&mut self) -> io::Result<()> {
        if let Some(pending) = self.sparse.replace(0) {
            if pending > 0 {
                let f = self.file_mut();
                let end = f.seek(SeekFrom::Current(pending as i64))?;
                f.set_len(end)?;
            }
        }
        Ok(())
    }

    /// Sparse write: whole zero pages are skipped, the rest written in as few calls as can be.
    fn write_sparse(&mut self, buf: &[u8], mut pending: u64) -> io::Result<u64> {
        let mut pos = self.written;
        let mut i = 0;
        while i < buf.len() {
            let page_end = |at: usize, pos: u64| -> usize {
                let room = (PAGE - pos % PAGE) as usize;
                (at + room).min(buf.len())
            };
            let end = page_end(i, pos);
            if end - i == (PAGE - pos % PAGE) as usize && is_zero(&buf[i..end]) {
                pending += (end - i) as u64;
                pos += (end - i) as u64;
                i = end;
                continue;
            }
            // Data from here to the next whole zero page (a partial page at the end counts as
            // data: it may be followed by more bytes in the next call).
            let start = i;
            pos += (end - i) as u64;
            i = end;
            while i < buf.len() {
                let e = page_end(i, pos);
                if e - i == (PAGE - pos % PAGE) as usize && is_zero(&buf[i..e]) {
                    break;
                }
                pos += (e - i) as u64;
                i = e;
            }
            let f = self.file_mut();
            if pending > 0 {
                f.seek(SeekFrom::Current(pending as i64))?;
                pending = 0;
            }
            f.write_all(&buf[start..i])?;
        }
        Ok(pending)
    }
}

/// Whether `b` is all zeros (in 64-byte steps, each of which the compiler vectorizes).
fn is_zero(b: &[u8]) -> bool {
    b.chunks(64).all(|c| c.iter().fold(0u8, |a, &x| a | x) == 0)
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self.sparse {
            Some(pending) => {
                let left = self.write_sparse(buf, pending)?;
                self.sparse = Some(left);
            }
            None => self.file_mut().write_all(buf)?,
        }
        self.written += buf.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Sink::Temp {
            temp, committed, ..
        } = &self.sink
        {
            if !*committed {
                let mut registered = pending();
                let _ = fs::remove_file(temp);
                registered.retain(|p| p != temp);
            }
        }
    }
}

/// The path an OUTFILE's data goes to: `target` itself, or, when it is a symbolic link, the
/// file it points to (through every link in a chain; a relative link is resolved against its
/// own folder). The link stays and the file it names gets the data, as when `lz4` (which opens
/// OUTFILE with `fopen`) writes through it; replacing the link would leave its file unchanged.
/// A dangling link resolves to the path it names, which is then created (as `fopen` does).
/// A chain of more than 40 links (the kernel's limit, `ELOOP`) resolves to `target` itself.
pub fn write_through(target: &Path) -> PathBuf {
    let mut path = target.to_path_buf();
    for _ in 0..40 {
        let is_link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return path;
        }
        let Ok(next) = fs::read_link(&path) else {
            return path;
        };
        path = match path.parent() {
            Some(dir) if next.is_relative() => dir.join(next),
            _ => next,
        };
    }
    target.to_path_buf()
}

/// Move the finished file `temp` to `target`: replacing it only with `force`, and otherwise
/// never clobbering it, even if it appeared meanwhile (a hard link fails when the target exists;
/// on file systems without hard links: check, then rename).
pub fn publish(temp: &Path, target: &Path, force: bool) -> CliResult<()> {
    let name = target.display().to_string();
    let exists = || {
        CliError::new(
            Exit::Output,
            format!("{name}: already exists (use -f to overwrite)"),
        )
    };
    if force {
        return fs::rename(temp, target).map_err(|e| CliError::output(&name, &e));
    }
    match fs::hard_link(temp, target) {
        Ok(()) => {
            let _ = fs::remove_file(temp);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists()),
        Err(_) if target.exists() => Err(exists()),
        Err(_) => fs::rename(temp, target).map_err(|e| CliError::output(&name, &e)),
    }
}

/// Stdout as a `File`, so big writes go straight to the descriptor.
#[cfg(unix)]
fn stdout_file() -> io::Result<File> {
    use std::os::fd::AsFd;
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

#[cfg(windows)]
fn stdout_file() -> io::Result<File> {
    use std::os::windows::io::AsHandle;
    Ok(File::from(io::stdout().as_handle().try_clone_to_owned()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Data with zero runs of many lengths and alignments, written in pieces of many sizes:
    /// the sparse file reads back as the original bytes, and so does a dense one.
    #[test]
    fn sparse_writes_read_back_as_written() {
        let dir = std::env::temp_dir().join(format!("lz4framed-sparse-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut x = 0x9E37_79B9u32;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let mut data = Vec::new();
        while data.len() < 3 << 20 {
            let run = (next() % 40_000) as usize;
            if next() % 2 == 0 {
                data.resize(data.len() + run, 0);
            } else {
                data.extend((0..run).map(|_| (next() % 255 + 1) as u8));
            }
        }
        data.resize(data.len() + 10_000, 0); // ends in zeros
        for (n, sparse) in [(0, true), (1, false)] {
            let target = dir.join(format!("out{n}"));
            let mut out = Output::file(&target, true).unwrap().sparse(sparse);
            let mut at = 0;
            while at < data.len() {
                let len = ((next() % 70_000) as usize + 1).min(data.len() - at);
                out.write_all(&data[at..at + len]).unwrap();
                at += len;
            }
            assert_eq!(out.written(), data.len() as u64);
            out.commit().unwrap();
            assert!(fs::read(&target).unwrap() == data, "sparse={sparse}");
        }
        let _ = fs::remove_dir_all(&dir);
    }
}
