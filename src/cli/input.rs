//! Opening INFILE or stdin, reading it in large pieces, and reading dictionaries.

use std::fs::{self, File};
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use super::errors::{CliError, CliResult};

/// An opened input.
pub struct Input {
    /// The name to show in messages (`stdin` for `-`).
    pub name: String,
    /// The reader.
    pub reader: Box<dyn Read>,
    /// The metadata of a regular file (for its size, permissions and time).
    pub metadata: Option<fs::Metadata>,
}

impl Input {
    /// Open `path`, or stdin for `-`.
    pub fn open(path: &Path) -> CliResult<Input> {
        if path.as_os_str() == "-" {
            return Ok(Input {
                name: "stdin".to_string(),
                reader: Box::new(io::stdin().lock()),
                metadata: None,
            });
        }
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| CliError::input(&name, &e))?;
        let metadata = file.metadata().map_err(|e| CliError::input(&name, &e))?;
        if metadata.is_dir() {
            return Err(CliError::new(
                super::errors::Exit::Input,
                format!("{name}: is a directory"),
            ));
        }
        let metadata = metadata.is_file().then_some(metadata);
        Ok(Input {
            name,
            reader: Box::new(file),
            metadata,
        })
    }

    /// Open LZ4 data to decode, as [`Input::open`], except that stdin is refused when it is a
    /// terminal: compressed data is not typed, and the command would only wait for input (`lz4`
    /// refuses likewise: "refusing to read from a console").
    pub fn open_compressed(path: &Path) -> CliResult<Input> {
        refuse_terminal_stdin(path)?;
        Input::open(path)
    }

    /// The size of a regular file.
    pub fn len(&self) -> Option<u64> {
        self.metadata.as_ref().map(|m| m.len())
    }
}

/// The error for `-` (stdin) as the LZ4 input of a decoding command when stdin is a terminal
/// (see [`Input::open_compressed`]).
pub fn refuse_terminal_stdin(path: &Path) -> CliResult<()> {
    if path.as_os_str() == "-" && io::stdin().is_terminal() {
        return Err(CliError::usage(
            "refusing to read compressed data from a terminal (pipe or redirect stdin, or give INFILE)",
        ));
    }
    Ok(())
}

/// Check that `path` is a regular file, for a command that seeks in it (`index`, `extract`):
/// stdin (`-`), a pipe or a device is refused with a message that says so, rather than the
/// failed open or seek.
pub fn require_regular_file(path: &Path, command: &str) -> CliResult<()> {
    let name = path.display().to_string();
    if path.as_os_str() == "-" {
        return Err(CliError::usage(format!(
            "{command} needs a file: it cannot read stdin (it seeks in the file)"
        )));
    }
    let metadata = fs::metadata(path).map_err(|e| CliError::input(&name, &e))?;
    if !metadata.is_file() {
        return Err(CliError::new(
            super::errors::Exit::Input,
            format!("{name}: not a regular file ({command} seeks in the file)"),
        ));
    }
    Ok(())
}

/// Read until `buf` is full or the input ends; returns the bytes read.
pub fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Load a dictionary as `lz4 -D FILE` does: the file's last 64 KiB, dictionary ID 0.
pub fn load_dictionary(path: &Path) -> CliResult<lz4framed::Dictionary> {
    let name = path.display().to_string();
    let read = || -> io::Result<Vec<u8>> {
        use std::io::{Seek, SeekFrom};
        let mut f = File::open(path)?;
        let len = f.metadata()?.len();
        let window = lz4framed::codec::WINDOW_SIZE as u64;
        if len > window {
            f.seek(SeekFrom::Start(len - window))?;
        }
        let mut bytes = Vec::with_capacity(len.min(window) as usize);
        f.read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    let bytes = read().map_err(|e| CliError::input(&name, &e))?;
    Ok(lz4framed::Dictionary::new(&bytes))
}

/// `--rm`: remove an input file whose output is complete (stdin is left alone).
pub fn remove_input(path: &Path) -> CliResult<()> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    fs::remove_file(path).map_err(|e| {
        CliError::new(
            super::errors::Exit::Input,
            format!(
                "{}: cannot remove: {}",
                path.display(),
                super::errors::io_reason(&e)
            ),
        )
    })
}
