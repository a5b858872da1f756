//! `lz4framed index`: build the seek index of an existing `.lz4` file.

use lz4framed::index::{index_file, sidecar_path, IndexOptions, IndexStore};

use super::args::IndexArgs;
use super::errors::{CliError, CliResult, Exit};
use super::input::{load_dictionary, require_regular_file};

fn data_error(name: &str, e: &lz4framed::Error) -> CliError {
    CliError::library(name, e, None)
}

/// Run `index`.
pub fn index(args: &IndexArgs) -> CliResult<Exit> {
    let name = args.file.display().to_string();
    require_regular_file(&args.file, "index")?;
    if let Err(e) = std::fs::File::open(&args.file) {
        return Err(CliError::input(&name, &e));
    }
    let mut options = IndexOptions::default().restart_interval(args.restart_interval << 20);
    if let Some(d) = &args.dict {
        options = options.dictionary(load_dictionary(d)?);
    }
    if args.sidecar && !args.force && sidecar_path(&args.file).exists() {
        let side = sidecar_path(&args.file).display().to_string();
        return Err(CliError::new(
            Exit::Output,
            format!("{side}: already exists (use -f to overwrite)"),
        ));
    }
    let store = if args.sidecar {
        IndexStore::Sidecar
    } else {
        IndexStore::Embedded
    };
    let index = index_file(&args.file, store, &options).map_err(|e| match e {
        lz4framed::Error::Io(e) => CliError::output(&name, &e),
        e => data_error(&name, &e),
    })?;
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
