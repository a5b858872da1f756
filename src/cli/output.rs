//! Safe output: a new OUTFILE is written to a temporary file in the same folder and renamed
//! into place only when everything succeeded; an existing OUTFILE is never replaced without
//! `-f`; on failure (or drop without `commit`) the temporary file is removed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::errors::{CliError, CliResult, Exit};

/// Where the output goes.
#[derive(Debug)]
pub enum Output {
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
    /// Output to stdout.
    pub fn stdout() -> CliResult<Output> {
        stdout_file()
            .map(Output::Stdout)
            .map_err(|e| CliError::output("stdout", &e))
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
                return Ok(Output::Special(f, target.to_path_buf()));
            }
            Ok(_) if !force => {
                return Err(CliError::new(
                    Exit::Output,
                    format!("{shown}: already exists (use -f to overwrite)"),
                ))
            }
            _ => {}
        }
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
        loop {
            let temp = dir.join(format!(".{base}.{pid}.{attempt}.lz4framed-tmp"));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    return Ok(Output::Temp {
                        file,
                        temp,
                        target: target.to_path_buf(),
                        force,
                        committed: false,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(CliError::output(&shown, &e)),
            }
        }
    }

    /// The name to show in messages.
    pub fn name(&self) -> String {
        match self {
            Output::Stdout(_) => "stdout".to_string(),
            Output::Temp { target, .. } | Output::Special(_, target) => {
                target.display().to_string()
            }
        }
    }

    /// Copy permissions and modification time of a regular input file onto a new output file
    /// (as `lz4` does). Best effort.
    pub fn copy_metadata_from(&self, input: &fs::Metadata) {
        if let Output::Temp { file, .. } = self {
            let _ = file.set_permissions(input.permissions());
            if let Ok(t) = input.modified() {
                let _ = file.set_modified(t);
            }
        }
    }

    /// Flush, sync and move the temporary file into place.
    pub fn commit(mut self) -> CliResult<()> {
        let name = self.name();
        match &mut self {
            Output::Stdout(f) | Output::Special(f, _) => {
                f.flush().map_err(|e| CliError::output(&name, &e))
            }
            Output::Temp {
                file,
                temp,
                target,
                force,
                committed,
            } => {
                file.flush().map_err(|e| CliError::output(&name, &e))?;
                publish(temp, target, *force)?;
                *committed = true;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(f) | Output::Special(f, _) | Output::Temp { file: f, .. } => {
                f.write(buf)
            }
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(f) | Output::Special(f, _) | Output::Temp { file: f, .. } => {
                f.write_all(buf)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Output::Temp {
            temp, committed, ..
        } = self
        {
            if !*committed {
                let _ = fs::remove_file(&*temp);
            }
        }
    }
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
