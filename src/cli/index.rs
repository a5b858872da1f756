//! `lz4framed index`: build the seek index of an existing `.lz4` file.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};

use lz4framed::index::SeekIndex;
use lz4framed::index::{build_index, sidecar_path, IndexOptions};

use super::args::IndexArgs;
use super::errors::{CliError, CliResult, Exit};
use super::input::load_dictionary;
use super::output::Output;

fn data_error(name: &str, e: &lz4framed::Error) -> CliError {
    CliError::library(name, e, None)
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
    let index = build_index(reader, &options).map_err(|e| match e {
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
