//! Finding the seek index of a `.lz4` file: embedded at its end, or in a sidecar file beside it.

use std::fs::File;
use std::io;
use std::path::Path;

use lz4framed::index::sidecar_path;
use lz4framed::index::SeekIndex;

use super::errors::{CliError, CliResult};

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
