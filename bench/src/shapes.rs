//! Generated inputs of the shapes users compress — prose, numbers, CSV, logs, JSON, executable
//! code, random bytes — at any size, for the compression-ratio comparison with the `lz4` tool
//! (`tests/ratio.rs` and the report's ratio table).
//!
//! Every generator is deterministic (a fixed seed) and produces exactly the requested length,
//! so an input is named by its shape and size. Only the executable shape is not generated: it is
//! the bytes of the running program (real machine code, symbol tables and data sections),
//! repeated when a larger input is asked for.

use crate::corpus::{json_like, random_bytes, Rng};

/// A kind of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// English-like prose: sentences of words drawn with a Zipf-like skew from a generated
    /// vocabulary, capitals, commas, paragraphs.
    Text,
    /// `seq 1 N`: consecutive decimal integers, one per line.
    Numbers,
    /// A CSV table: an increasing id, dates, times, categories, prices, quantities, cities.
    Csv,
    /// Server log lines: timestamps, levels, threads, HTTP requests, status codes, durations,
    /// IP addresses.
    Logs,
    /// JSON records (`corpus::json_like`).
    Json,
    /// The running executable's bytes.
    Executable,
    /// Uniformly random bytes (incompressible).
    Random,
}

impl Shape {
    /// Every shape.
    pub const ALL: [Shape; 7] = [
        Shape::Text,
        Shape::Numbers,
        Shape::Csv,
        Shape::Logs,
        Shape::Json,
        Shape::Executable,
        Shape::Random,
    ];

    /// Short name: `text`, `numbers`, `csv`, `logs`, `json`, `exe`, `random`.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Text => "text",
            Shape::Numbers => "numbers",
            Shape::Csv => "csv",
            Shape::Logs => "logs",
            Shape::Json => "json",
            Shape::Executable => "exe",
            Shape::Random => "random",
        }
    }

    /// `n` bytes of this shape.
    pub fn generate(self, n: usize) -> Vec<u8> {
        match self {
            Shape::Text => text(n, 7),
            Shape::Numbers => numbers(n),
            Shape::Csv => csv(n, 11),
            Shape::Logs => logs(n, 13),
            Shape::Json => json_like(n, 17),
            Shape::Executable => executable(n),
            Shape::Random => random_bytes(n, 19),
        }
    }
}

/// Input sizes in bytes, from 1 byte to past the boundaries where the C library changes its
/// strategy: 13 (`LZ4_minLength`: shorter blocks are one literal run), 64 KiB + 11
/// (`LZ4_64Klimit`: below it a 16-bit table hashed over 4 bytes), 64 KiB / 4 MiB (block sizes).
pub const SIZES: [usize; 16] = [
    1,
    5,
    12,
    13,
    40,
    200,
    1_000,
    4_096,
    10_000,
    30_000,
    65_536,
    65_547,
    100_000,
    300_000,
    1 << 20,
    (4 << 20) + 1000,
];

/// The bytes of prose: `n` bytes of sentences.
pub fn text(n: usize, seed: u64) -> Vec<u8> {
    const SYLLABLES: [&str; 32] = [
        "ta", "re", "in", "on", "an", "er", "th", "st", "ou", "al", "en", "le", "ro", "mi", "ca",
        "di", "ve", "so", "pe", "lo", "ne", "wa", "ki", "mo", "sha", "tri", "ble", "ment", "ing",
        "ion", "ous", "y",
    ];
    let mut rng = Rng::new(seed);
    // A vocabulary of 3000 words; word k is drawn with probability about 1 / (k + 10).
    let vocab: Vec<String> = (0..3000)
        .map(|k| {
            let syl = 1 + (k % 7).min(3) + usize::from(k > 500) + usize::from(k > 2000);
            (0..syl)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect()
        })
        .collect();
    let cumulative: Vec<f64> = vocab
        .iter()
        .enumerate()
        .scan(0.0, |acc, (k, _)| {
            *acc += 1.0 / (k as f64 + 10.0);
            Some(*acc)
        })
        .collect();
    let total = *cumulative.last().expect("non-empty vocabulary");
    let mut out = String::with_capacity(n + 64);
    let mut sentence_words = 0;
    while out.len() < n {
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let k = cumulative.partition_point(|&c| c < u).min(vocab.len() - 1);
        let word = &vocab[k];
        if sentence_words == 0 {
            let mut c = word.chars();
            if let Some(first) = c.next() {
                out.extend(first.to_uppercase());
                out.push_str(c.as_str());
            }
        } else {
            out.push_str(word);
        }
        sentence_words += 1;
        let end = sentence_words > 4 && rng.below(12) == 0;
        if end {
            out.push_str(if rng.below(8) == 0 { "?" } else { "." });
            sentence_words = 0;
            out.push_str(if rng.below(6) == 0 { "\n\n" } else { " " });
        } else if rng.below(10) == 0 {
            out.push_str(", ");
        } else {
            out.push(' ');
        }
    }
    let mut out = out.into_bytes();
    out.truncate(n);
    out
}

/// The output of `seq 1 N`, cut to `n` bytes.
pub fn numbers(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 24);
    let mut i = 1u64;
    while out.len() < n {
        out.extend_from_slice(i.to_string().as_bytes());
        out.push(b'\n');
        i += 1;
    }
    out.truncate(n);
    out
}

/// A CSV table of sales records, cut to `n` bytes.
pub fn csv(n: usize, seed: u64) -> Vec<u8> {
    const CATEGORIES: [&str; 7] = [
        "books",
        "garden",
        "electronics",
        "toys",
        "grocery",
        "sports",
        "clothing",
    ];
    const CITIES: [&str; 9] = [
        "Amsterdam",
        "Bogota",
        "Cairo",
        "Dublin",
        "Hanoi",
        "Lima",
        "Oslo",
        "Perth",
        "Quebec",
    ];
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(n + 128);
    out.push_str("id,date,time,category,sku,unit_price,quantity,discount,city,paid\n");
    let mut id = 100_000u64;
    let mut day = 0usize;
    while out.len() < n {
        id += 1;
        if rng.below(40) == 0 {
            day += 1;
        }
        let (month, dom) = (1 + (day / 28) % 12, 1 + day % 28);
        out.push_str(&format!(
            "{id},2024-{month:02}-{dom:02},{:02}:{:02}:{:02},{},SKU-{:05},{}.{:02},{},{},{},{}\n",
            rng.below(24),
            rng.below(60),
            rng.below(60),
            CATEGORIES[rng.below(CATEGORIES.len())],
            rng.below(3000),
            1 + rng.below(500),
            rng.below(100),
            1 + rng.below(12),
            ["0", "0.05", "0.1", "0.25"][rng.below(4)],
            CITIES[rng.below(CITIES.len())],
            ["true", "false"][rng.below(2)],
        ));
    }
    let mut out = out.into_bytes();
    out.truncate(n);
    out
}

/// Server log lines, cut to `n` bytes.
pub fn logs(n: usize, seed: u64) -> Vec<u8> {
    const LEVELS: [&str; 6] = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
    const METHODS: [&str; 4] = ["GET", "GET", "POST", "DELETE"];
    const PATHS: [&str; 8] = [
        "/api/v1/users",
        "/api/v1/orders",
        "/api/v2/search",
        "/static/app.js",
        "/healthz",
        "/api/v1/items",
        "/login",
        "/api/v1/cart",
    ];
    const STATUS: [u16; 6] = [200, 200, 200, 201, 404, 500];
    const AGENTS: [&str; 3] = [
        "Mozilla/5.0 (X11; Linux x86_64)",
        "curl/8.5.0",
        "okhttp/4.12.0",
    ];
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(n + 256);
    let mut ms = 0u64;
    while out.len() < n {
        ms += rng.below(40) as u64;
        let (h, m, s, milli) = (
            (ms / 3_600_000) % 24,
            (ms / 60_000) % 60,
            (ms / 1000) % 60,
            ms % 1000,
        );
        let level = LEVELS[rng.below(LEVELS.len())];
        out.push_str(&format!(
            "2024-06-17T{h:02}:{m:02}:{s:02}.{milli:03}Z {level:<5} [worker-{}] ",
            rng.below(16)
        ));
        if rng.below(5) == 0 {
            out.push_str(&format!(
                "cache {} for key session:{:08x} after {} ms\n",
                ["hit", "miss", "evict"][rng.below(3)],
                rng.next_u64() as u32,
                rng.below(200)
            ));
        } else {
            let path = PATHS[rng.below(PATHS.len())];
            let id = if path.starts_with("/api") {
                format!("/{}", rng.below(100_000))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "{} {path}{id} status={} bytes={} ms={}.{} ip=10.{}.{}.{} ua=\"{}\"\n",
                METHODS[rng.below(METHODS.len())],
                STATUS[rng.below(STATUS.len())],
                rng.below(60_000),
                rng.below(300),
                rng.below(10),
                rng.below(4),
                rng.below(256),
                rng.below(256),
                AGENTS[rng.below(AGENTS.len())],
            ));
        }
    }
    let mut out = out.into_bytes();
    out.truncate(n);
    out
}

/// `n` bytes of the running executable (repeated if it is shorter; its start if longer).
///
/// # Panics
///
/// If the executable cannot be read.
pub fn executable(n: usize) -> Vec<u8> {
    let path = std::env::current_exe().expect("path of the running executable");
    let exe = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read the executable {}: {e}", path.display()));
    assert!(!exe.is_empty(), "empty executable {}", path.display());
    exe.iter().copied().cycle().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_lengths_and_deterministic() {
        for shape in Shape::ALL {
            for n in [0, 1, 13, 5000] {
                let a = shape.generate(n);
                assert_eq!(a.len(), n, "{}", shape.name());
                assert_eq!(a, shape.generate(n), "{}", shape.name());
            }
        }
        assert_eq!(numbers(12), b"1\n2\n3\n4\n5\n6\n");
        assert!(csv(100, 1).starts_with(b"id,date,"));
        assert!(logs(100, 1).starts_with(b"2024-06-17T"));
    }

    #[test]
    fn text_looks_like_prose() {
        let t = text(20_000, 1);
        let s = std::str::from_utf8(&t).unwrap();
        let words = s.split_whitespace().count();
        assert!(words > 2000 && words < 6000, "{words} words");
        assert!(s.contains(". ") && s.contains(", "));
        assert!(s.chars().next().unwrap().is_uppercase());
    }
}
