//! Indexing a file in place: build the seek index of an existing `.lz4` file and store it,
//! embedded at its end or as the sidecar file beside it.

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{build_index, sidecar_path, IndexOptions, SeekIndex};
use crate::error::Error;

/// Where [`index_file`] stores the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexStore {
    /// Appended to the file as a skippable frame (every LZ4 decoder still reads the file
    /// unchanged); an index already embedded there is replaced.
    Embedded,
    /// In the sidecar file `PATH.idx` ([`sidecar_path`]), replaced if it exists; the data file
    /// is not touched.
    Sidecar,
}

/// Build the seek index of the `.lz4` file at `path` in one pass ([`build_index`]) and store
/// it as `store` says; returns the index.
///
/// Nothing a failure interrupts is lost: an embedded index is appended in place (the file may
/// be huge) and on an error the file is cut back to its old length; a sidecar is written to
/// `PATH.idx.tmp`, synced and renamed over `PATH.idx`. Errors: the file's read and write
/// errors ([`Error::Io`]), and what [`build_index`] finds wrong with the data.
///
/// ```
/// use lz4framed::index::{index_file, IndexOptions, IndexStore, SeekableReader};
/// use std::io::{Read, Seek, SeekFrom};
/// let dir = std::env::temp_dir().join(format!("lz4framed-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("data.lz4");
/// let data = b"indexed later ".repeat(100_000);
/// let settings = lz4framed::FrameSettings::lz4_cli();
/// std::fs::write(&path, lz4framed::compress_with(&data, &settings)?)?;
/// index_file(&path, IndexStore::Embedded, &IndexOptions::default())?;
/// let mut r = SeekableReader::new(std::fs::File::open(&path)?)?;
/// r.seek(SeekFrom::Start(700_000))?;
/// let mut buf = [0u8; 14];
/// r.read_exact(&mut buf)?;
/// assert_eq!(&buf, &data[700_000..700_014]);
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn index_file(
    path: &Path,
    store: IndexStore,
    options: &IndexOptions,
) -> Result<SeekIndex, Error> {
    let mut file = File::open(path)?;
    let len = file.seek(SeekFrom::End(0))?;
    // An index already embedded is not part of the indexed data (and is replaced below).
    let data_len = match SeekIndex::read_embedded(&mut file) {
        Ok(existing) => existing.data_len(),
        Err(_) => len,
    };
    file.seek(SeekFrom::Start(0))?;
    let index = build_index(
        BufReader::with_capacity(1 << 20, (&file).take(data_len)),
        options,
    )?;
    match store {
        IndexStore::Sidecar => {
            let side = sidecar_path(path);
            let mut tmp = side.clone().into_os_string();
            tmp.push(".tmp");
            let tmp = std::path::PathBuf::from(tmp);
            let r = (|| -> io::Result<()> {
                let mut o = File::create(&tmp)?;
                o.write_all(&index.to_sidecar())?;
                o.sync_all()?;
                std::fs::rename(&tmp, &side)
            })();
            if let Err(e) = r {
                let _ = std::fs::remove_file(&tmp);
                return Err(Error::Io(e));
            }
        }
        IndexStore::Embedded => {
            let mut f = OpenOptions::new().write(true).open(path)?;
            let at = index.data_len();
            let r = f
                .set_len(at)
                .and_then(|()| f.seek(SeekFrom::Start(at)).map(|_| ()))
                .and_then(|()| f.write_all(&index.to_embedded()))
                .and_then(|()| f.sync_all());
            if let Err(e) = r {
                let _ = f.set_len(len);
                return Err(Error::Io(e));
            }
        }
    }
    Ok(index)
}
