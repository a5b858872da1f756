//! `lz4framed extract`: M bytes at decompressed offset N of an indexed `.lz4` file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use lz4framed::index::SeekableReader;

use super::args::ExtractArgs;
use super::errors::{CliError, CliResult, Exit};
use super::indexed::find_index;
use super::input::{load_dictionary, require_regular_file};
use super::output::Output;

fn data_error(name: &str, e: &lz4framed::Error) -> CliError {
    CliError::library(name, e, None)
}

/// Run `extract`.
pub fn extract(args: &ExtractArgs) -> CliResult<Exit> {
    let name = args.file.display().to_string();
    require_regular_file(&args.file, "extract")?;
    let mut file = File::open(&args.file).map_err(|e| CliError::input(&name, &e))?;
    let index = find_index(&args.file, &mut file)?.ok_or_else(|| {
        CliError::new(
            Exit::Data,
            format!("{name}: no seek index (build one with `lz4framed index {name}`)"),
        )
    })?;
    let mut reader = SeekableReader::with_index(file, index)
        .map_err(|e| data_error(&name, &e))?
        .backend(args.decode.backend)
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
