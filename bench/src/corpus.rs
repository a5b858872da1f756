//! Benchmark data: the Silesia corpus files and synthetic shapes.
//!
//! The Silesia files are unpacked by `bash ../shared/corpus/unpack.sh target/corpus` (run from
//! the workspace root); the environment variable `LZ4FRAMED_CORPUS` points elsewhere.

use std::path::{Path, PathBuf};

/// One benchmark input.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Short name (the file name, or the synthetic shape).
    pub name: String,
    /// The bytes.
    pub data: Vec<u8>,
    /// Generated rather than read from the corpus (left out of the corpus geomeans).
    pub synthetic: bool,
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// Where the Silesia files are: `$LZ4FRAMED_CORPUS`, else `target/corpus` of the workspace.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("LZ4FRAMED_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_root().join("target").join("corpus"),
    }
}

/// The corpus files (every regular, non-hidden file of [`corpus_dir`], by name), each cut to its
/// first `limit` bytes if given. Empty (with a hint on stderr) when the folder is missing.
pub fn silesia(limit: Option<usize>) -> Vec<Sample> {
    let dir = corpus_dir();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(_) => {
            eprintln!(
                "note: no corpus at {} — run `bash ../shared/corpus/unpack.sh target/corpus` in the \
                 workspace root or set LZ4FRAMED_CORPUS; using synthetic data only",
                dir.display()
            );
            return Vec::new();
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let mut data = std::fs::read(&p).ok()?;
            if let Some(n) = limit {
                data.truncate(n);
            }
            Some(Sample {
                name: p.file_name()?.to_string_lossy().into_owned(),
                data,
                synthetic: false,
            })
        })
        .filter(|s| !s.data.is_empty())
        .collect()
}

/// The synthetic shapes: 4 MiB of zeros, 4 MiB of random bytes, 66 KiB of JSON-like text.
pub fn synthetic() -> Vec<Sample> {
    vec![
        Sample {
            name: "zeros".into(),
            data: zeros(4 << 20),
            synthetic: true,
        },
        Sample {
            name: "random".into(),
            data: random_bytes(4 << 20, 0x5eed),
            synthetic: true,
        },
        Sample {
            name: "json-66k".into(),
            data: json_like(66 << 10, 42),
            synthetic: true,
        },
    ]
}

/// The corpus files (cut to `limit` bytes each, if given) followed by the synthetic shapes.
pub fn samples(limit: Option<usize>) -> Vec<Sample> {
    let mut all = silesia(limit);
    all.extend(synthetic());
    all
}

/// The concatenation of the non-synthetic samples (a "silesia.tar" of the files present), or
/// of all samples when there are no corpus files.
pub fn concatenated(samples: &[Sample]) -> Vec<u8> {
    let any_real = samples.iter().any(|s| !s.synthetic);
    samples
        .iter()
        .filter(|s| !any_real || !s.synthetic)
        .flat_map(|s| s.data.iter().copied())
        .collect()
}

/// `n` zero bytes.
pub fn zeros(n: usize) -> Vec<u8> {
    vec![0; n]
}

/// A small deterministic PRNG (xorshift64*), enough for benchmark data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value; 0 is remapped).
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `n` random bytes (incompressible) from `seed`.
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(n);
    out
}

/// `n` bytes of JSON-like text: an array of records with repeated keys, a small vocabulary and
/// random numbers — the shape of a typical API response or log line stream.
pub fn json_like(n: usize, seed: u64) -> Vec<u8> {
    const NAMES: [&str; 8] = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
    ];
    const TAGS: [&str; 6] = ["alpha", "beta", "gamma", "delta", "prod", "staging"];
    const CITIES: [&str; 5] = ["Berlin", "Lisbon", "Osaka", "Toronto", "Nairobi"];
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(n + 256);
    s.push('[');
    let mut id = 1000u64;
    while s.len() < n {
        id += 1 + rng.below(7) as u64;
        let name = NAMES[rng.below(NAMES.len())];
        let city = CITIES[rng.below(CITIES.len())];
        let t1 = TAGS[rng.below(TAGS.len())];
        let t2 = TAGS[rng.below(TAGS.len())];
        let score = rng.below(100_000);
        let active = rng.below(2) == 1;
        s.push_str(&format!(
            "{{\"id\":{id},\"user\":\"{name}{}\",\"email\":\"{name}.{id}@example.com\",\
             \"active\":{active},\"score\":{}.{:02},\"city\":\"{city}\",\
             \"tags\":[\"{t1}\",\"{t2}\"],\"session\":\"{:016x}\"}},\n",
            rng.below(1000),
            score / 100,
            score % 100,
            rng.next_u64()
        ));
    }
    let mut out = s.into_bytes();
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_shapes() {
        let s = synthetic();
        assert_eq!(s.len(), 3);
        assert!(s[0].data.iter().all(|&b| b == 0));
        assert_eq!(s[1].data.len(), 4 << 20);
        assert_eq!(s[2].data.len(), 66 << 10);
        assert!(s[2].data.starts_with(b"[{\"id\":"));
        assert_eq!(json_like(1000, 1), json_like(1000, 1));
        assert_ne!(random_bytes(64, 1), random_bytes(64, 2));
    }

    #[test]
    fn concatenation_prefers_real_files() {
        let real = Sample {
            name: "a".into(),
            data: b"abc".to_vec(),
            synthetic: false,
        };
        let synth = Sample {
            name: "z".into(),
            data: b"000".to_vec(),
            synthetic: true,
        };
        assert_eq!(concatenated(&[real.clone(), synth.clone()]), b"abc");
        assert_eq!(concatenated(&[synth]), b"000");
    }
}
