//! `report`: measures lz4framed against the C library, lz4_flex and the `lz4` tool and prints a
//! markdown report (the machine, a summary against the performance targets of DESIGN.md, and
//! the tables behind it).
//!
//! ```text
//! cargo run -p lz4framed-bench --release --bin report            # quick, about 2 minutes
//! cargo run -p lz4framed-bench --release --bin report -- --full  # everything, full inputs
//! ```
//!
//! Every comparison is timed interleaved (see `lz4framed_bench::measure`), so the ratios to the
//! C backend are the figures to read on a noisy machine; MB/s are 10^6 bytes per second of
//! uncompressed data.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use cap::Cap;
use lz4framed::codec::BlockCodec;
use lz4framed::{Backend, BlockMode, BlockSize, FrameSettings};
use lz4framed_bench::block::{self, Blocks, BLOCK_SIZE};
use lz4framed_bench::codecs::{self, levels_of, REFERENCE};
use lz4framed_bench::corpus::{self, Sample};
use lz4framed_bench::frames::{self, FrameBlocks, FrameConfig, FRAME_CONFIGS, READ_BUF};
use lz4framed_bench::machine::Machine;
use lz4framed_bench::measure::{geomean, mbps, median, median_ratio, Case, Timer};
use lz4framed_bench::memory;

/// Counts the heap: the streaming-decode memory row is the decoder's heap growth (its buffers),
/// the figure its bound is about; the resident set's growth, which also counts code and stack
/// pages first touched, is shown beside it. (`Cap` forwards every call to the system allocator
/// and adds a few relaxed atomic operations per allocation: no measurable cost to the timed
/// cases, which allocate outside their loops or once per call.)
#[global_allocator]
static HEAP: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

const USAGE: &str = "usage: report [--full] [--no-cli] [--no-memory] [--only SECTION]
  (default) quick run, about 2 minutes: HC levels on the first 1 MiB of each file
  --full      full inputs everywhere, more and longer rounds
  --no-cli    skip the whole-process comparison with the lz4 tool
  --no-memory skip the streaming-decode peak-memory measurement
  --only S    run only section S (repeatable): block-decompress, block-compress, ratio, hc,
              frame-decompress, frame-compress, parallel, memory, cli
env: LZ4FRAMED_CORPUS (corpus folder, default target/corpus), LZ4FRAMED_CLI (the lz4framed
binary; default: next to this binary, else target/release/lz4framed)";

/// The quick run measures the HC levels on this prefix of each file.
const QUICK_HC_PREFIX: usize = 512 << 10;
/// The quick run measures frames on the concatenation of this prefix of each file.
const QUICK_FRAME_PREFIX: usize = 4 << 20;

/// The report's sections, as `--only` names them.
const SECTIONS: [&str; 9] = [
    "block-decompress",
    "block-compress",
    "ratio",
    "hc",
    "frame-decompress",
    "frame-compress",
    "parallel",
    "memory",
    "cli",
];

struct Opts {
    full: bool,
    cli: bool,
    memory: bool,
    /// Sections to run (empty: all).
    only: Vec<String>,
}

impl Opts {
    /// Whether section `name` is to run.
    fn runs(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == name)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__mem-child") {
        mem_child(&args[1..]);
        return;
    }
    let mut opts = Opts {
        full: false,
        cli: true,
        memory: true,
        only: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--only" => match args.next() {
                Some(s) if SECTIONS.contains(&s.as_str()) => opts.only.push(s.clone()),
                other => {
                    eprintln!(
                        "report: --only takes one of {}, not {other:?}\n{USAGE}",
                        SECTIONS.join(", ")
                    );
                    std::process::exit(2);
                }
            },
            "--full" => opts.full = true,
            "--quick" => opts.full = false,
            "--no-cli" => opts.cli = false,
            "--no-memory" => opts.memory = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => {
                eprintln!("report: unknown argument {other:?}\n{USAGE}");
                std::process::exit(2);
            }
        }
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with --release for meaningful figures");
    }
    let started = Instant::now();
    warm_allocator();
    let report = run(&opts);
    println!("{report}");
    eprintln!("report took {:.0} s", started.elapsed().as_secs_f64());
}

/// Puts the allocator in the steady state of a long-running process before anything is
/// timed. glibc's malloc maps large blocks straight from the system and returns freed memory
/// above a trim threshold to it; both thresholds start small (128 KiB) and rise only when a
/// large mapped block (up to 32 MiB) is freed. Without this, whether the buffers a decoder
/// allocates on every pass (a `FrameDecoder` per pass, as a program decoding file after file)
/// come back from the allocator or are faulted in again page by page depended on what the
/// report happened to allocate before (seen: 2,400 page faults per `FrameDecoder` pass, 40 %
/// of its time, in one build of this report and none in another). Freeing one 30 MiB block
/// first raises both thresholds for every implementation alike.
fn warm_allocator() {
    let block = vec![1u8; 30 << 20];
    std::hint::black_box(&block);
    drop(block);
}

/// Progress on stderr.
fn progress(what: &str) {
    eprintln!("[report] {what}");
}

fn run(opts: &Opts) -> String {
    let timer = if opts.full { Timer::FULL } else { Timer::QUICK };
    let machine = Machine::detect();
    let samples = corpus::samples(None);
    let codecs = codecs::codecs();
    let ref_idx = codecs::reference_index(&codecs).unwrap_or(0);
    let tmp = TempDir::new();

    let mut summary = Vec::<SummaryRow>::new();
    let mut body = String::new();

    if opts.runs("block-decompress") {
        progress("block decompression");
        block_decompress(&timer, &samples, &codecs, ref_idx, &mut body, &mut summary);
    }
    if opts.runs("block-compress") {
        progress("block compression, level 1");
        block_compress_l1(&timer, &samples, &codecs, ref_idx, &mut body, &mut summary);
    }
    if opts.runs("ratio") {
        progress("compression ratio against lz4 -1");
        ratio_vs_lz4(opts.full, &samples, &mut body, &mut summary);
    }
    if !opts.runs("hc") {
        // Skipped.
    } else if opts.full {
        progress("block compression, HC levels");
        block_compress_hc(
            &timer,
            &samples,
            &codecs,
            ref_idx,
            None,
            &mut body,
            &mut summary,
        );
    } else {
        progress("block compression, HC levels");
        // The quick run: the backends' codecs only (not every SIMD kernel), a prefix of each
        // file, 3 rounds (an HC run is long enough to be timed reliably).
        let hc_codecs = codecs::anchored(codecs::backend_codecs());
        let hc_ref = codecs::reference_index(&hc_codecs).unwrap_or(0);
        let hc_timer = Timer { rounds: 3, ..timer };
        block_compress_hc(
            &hc_timer,
            &samples,
            &hc_codecs,
            hc_ref,
            Some(QUICK_HC_PREFIX),
            &mut body,
            &mut summary,
        );
    }

    let concat = corpus::concatenated(&samples);
    let frame_data = if opts.full {
        concat.clone()
    } else {
        let prefixes: Vec<Sample> = samples
            .iter()
            .map(|s| Sample {
                data: s.data[..s.data.len().min(QUICK_FRAME_PREFIX)].to_vec(),
                ..s.clone()
            })
            .collect();
        corpus::concatenated(&prefixes)
    };
    if opts.runs("frame-decompress") {
        progress("frame decompression");
        frame_decompress(&timer, &frame_data, !opts.full, &mut body, &mut summary);
    }
    if opts.runs("frame-compress") {
        progress("frame compression");
        frame_compress(&timer, &frame_data, &mut body);
    }
    if opts.runs("parallel") {
        // Always the whole corpus: the thread targets are set for the Silesia files
        // concatenated, and a prefix of a few 4 MiB blocks would limit two threads by the
        // block count rather than by the code.
        progress("parallel and random access");
        parallel(&timer, &concat, &mut body, &mut summary);
    }
    if opts.memory && opts.runs("memory") {
        progress("streaming decode peak memory");
        streaming_memory(&concat, &tmp, &mut body, &mut summary);
    }
    if opts.cli && opts.runs("cli") {
        progress("CLI vs the lz4 tool");
        cli(opts, &concat, &tmp, &mut body, &mut summary);
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# lz4framed benchmark report ({})\n",
        if opts.full { "full" } else { "quick" }
    );
    out += &machine.markdown();
    let corpus_names: Vec<String> = samples
        .iter()
        .map(|s| format!("{} ({:.1} MB)", s.name, s.data.len() as f64 / 1e6))
        .collect();
    let _ = writeln!(
        out,
        "- Inputs: {} — corpus: {}\n- Timing: {} interleaved rounds of ≥ {} ms per case, best \
         round kept; MB/s = 10^6 uncompressed bytes per second; ratio = uncompressed / compressed",
        corpus_names.join(", "),
        corpus::corpus_dir().display(),
        timer.rounds,
        timer.min_time.as_millis()
    );
    out += "\n## Summary against the targets (DESIGN.md, Performance)\n\n";
    out += "| what | target | measured | met |\n|---|---|---|---|\n";
    for r in &summary {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.what, r.target, r.measured, r.met
        );
    }
    out += &body;
    out += "\nReproduce: `bash ../shared/corpus/unpack.sh target/corpus && cargo run -p \
            lz4framed-bench --release --bin report` (`-- --full` for everything); criterion: \
            `cargo bench -p lz4framed-bench` (plots in `target/criterion/report/index.html`).\n";
    out
}

/// One line of the summary table.
struct SummaryRow {
    what: String,
    target: String,
    measured: String,
    met: &'static str,
}

impl SummaryRow {
    fn new(what: impl Into<String>, target: &str, measured: String, met: Option<bool>) -> Self {
        SummaryRow {
            what: what.into(),
            target: target.into(),
            measured,
            met: match met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            },
        }
    }

    fn na(what: &str, target: &str, why: &str) -> Self {
        SummaryRow::new(what, target, format!("n/a ({why})"), None)
    }
}

/// Whether `codec` is a SIMD kernel.
fn is_simd(codec: &dyn BlockCodec) -> bool {
    codec.name().starts_with("simd")
}

/// Whether the SIMD targets apply to `codec`: every vector kernel (AVX2 and SSE2 are each
/// reported against them); the scalar kernel is measured without a target.
fn simd_target(codec: &dyn BlockCodec) -> bool {
    is_simd(codec) && codec.name() != "simd-scalar"
}

/// Whether `codec` gets a row of the summary: the backends' codecs and the vector kernels.
fn in_summary(codec: &dyn BlockCodec) -> bool {
    codecs::is_backend_codec(codec) || simd_target(codec)
}

fn f_mbps(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn corpus_only(samples: &[Sample]) -> impl Iterator<Item = (usize, &Sample)> {
    let any_real = samples.iter().any(|s| !s.synthetic);
    samples
        .iter()
        .enumerate()
        .filter(move |(_, s)| !any_real || !s.synthetic)
}

fn codec_header(codecs: &[&'static dyn BlockCodec], ref_idx: usize, cols: &[&str]) -> String {
    let mut h = String::from("| input |");
    let mut sep = String::from("|---|");
    for (i, c) in codecs.iter().enumerate() {
        for col in cols {
            if i == ref_idx && col.starts_with('×') {
                continue;
            }
            let _ = write!(h, " {} {col} |", c.name());
            sep += "---:|";
        }
    }
    format!("{h}\n{sep}\n")
}

fn block_decompress(
    timer: &Timer,
    samples: &[Sample],
    codecs: &[&'static dyn BlockCodec],
    ref_idx: usize,
    body: &mut String,
    summary: &mut Vec<SummaryRow>,
) {
    let reference = codecs[ref_idx];
    let _ = writeln!(
        body,
        "\n## Block decompression\n\n{} MiB independent blocks made by `LZ4_compress_default` \
         (the same input for every decoder), decoded into a preallocated buffer. `{REFERENCE}` = \
         the bare `LZ4_decompress_safe`, the anchor; `c` = the C backend \
         (`LZ4_decompress_safe_usingDict` and its check for offset 0). × = speed relative to \
         `{REFERENCE}`.\n",
        BLOCK_SIZE >> 20
    );
    *body += &codec_header(codecs, ref_idx, &["MB/s", "×"]);
    let mut speeds: Vec<Vec<f64>> = Vec::new();
    for s in samples {
        let input: Blocks = block::compress(reference, 1, &s.data, BLOCK_SIZE);
        let mut outs: Vec<Vec<u8>> = codecs.iter().map(|_| vec![0u8; s.data.len()]).collect();
        for (c, out) in codecs.iter().zip(outs.iter_mut()) {
            block::decompress_into(*c, &input, out);
            assert!(
                out[..] == s.data[..],
                "{} decoded {} wrongly",
                c.name(),
                s.name
            );
        }
        let mut cases: Vec<Case<'_>> = codecs
            .iter()
            .zip(outs.iter_mut())
            .map(|(c, out)| -> Case<'_> {
                let input = &input;
                Box::new(move || block::decompress_into(*c, input, out))
            })
            .collect();
        let secs = timer.run(&mut cases);
        drop(cases);
        let v: Vec<f64> = secs.iter().map(|&t| mbps(s.data.len(), t)).collect();
        let _ = write!(body, "| {} |", s.name);
        for (i, &m) in v.iter().enumerate() {
            let _ = write!(body, " {} |", f_mbps(m));
            if i != ref_idx {
                let _ = write!(body, " {:.2} |", m / v[ref_idx]);
            }
        }
        body.push('\n');
        speeds.push(v);
    }
    let idx: Vec<usize> = corpus_only(samples).map(|(i, _)| i).collect();
    let _ = write!(body, "| **geomean (corpus)** |");
    for i in 0..codecs.len() {
        let g = geomean(idx.iter().map(|&k| speeds[k][i]));
        let _ = write!(body, " **{}** |", f_mbps(g));
        if i != ref_idx {
            let r = geomean(idx.iter().map(|&k| speeds[k][i] / speeds[k][ref_idx]));
            let _ = write!(body, " **{r:.2}** |");
            if !in_summary(codecs[i]) {
                continue;
            }
            let target = if simd_target(codecs[i]) {
                Some(1.10)
            } else {
                None
            };
            summary.push(SummaryRow::new(
                format!(
                    "{} block decompression vs `LZ4_decompress_safe`",
                    codecs[i].name()
                ),
                if target.is_some() {
                    "≥ 1.10 ×"
                } else {
                    "(no target)"
                },
                // MB/s beside the ratio: the anchor's speed moves with where the linker puts
                // it, so builds are compared by both.
                format!(
                    "{r:.2} × ({} against {} MB/s, geomeans)",
                    f_mbps(g),
                    f_mbps(geomean(idx.iter().map(|&k| speeds[k][ref_idx])))
                ),
                target.map(|t| r >= t),
            ));
        }
    }
    body.push('\n');
    if !codecs.iter().any(|c| is_simd(*c)) {
        summary.insert(
            0,
            SummaryRow::na(
                "simd block decompression vs `LZ4_decompress_safe`",
                "≥ 1.10 ×",
                "simd backend not available yet",
            ),
        );
    }
}

fn block_compress_l1(
    timer: &Timer,
    samples: &[Sample],
    codecs: &[&'static dyn BlockCodec],
    ref_idx: usize,
    body: &mut String,
    summary: &mut Vec<SummaryRow>,
) {
    let _ = writeln!(
        body,
        "\n## Block compression, level 1\n\n{} MiB independent blocks. `{REFERENCE}` = the bare \
         `LZ4_compress_default`, the anchor; `c` = the C backend (the same bytes for independent \
         blocks, through `LZ4_compress_fast_extState_fastReset` on a kept state). × = speed \
         relative to `{REFERENCE}`; ratio = uncompressed / compressed.\n",
        BLOCK_SIZE >> 20
    );
    let l1: Vec<usize> = (0..codecs.len())
        .filter(|&i| levels_of(codecs[i]).contains(&1))
        .collect();
    let sub: Vec<&'static dyn BlockCodec> = l1.iter().map(|&i| codecs[i]).collect();
    let sub_ref = l1.iter().position(|&i| i == ref_idx).unwrap_or(0);
    *body += &codec_header(&sub, sub_ref, &["MB/s", "×", "ratio"]);
    let mut speeds = Vec::new();
    let mut sizes = Vec::new();
    for s in samples {
        let ratios: Vec<(usize, f64)> = sub
            .iter()
            .map(|c| {
                let b = block::compress(*c, 1, &s.data, BLOCK_SIZE);
                (b.compressed_len(), b.ratio())
            })
            .collect();
        let mut state: Vec<_> = sub
            .iter()
            .map(|c| {
                (
                    c.compressor(1).expect("level 1 is supported"),
                    block::scratch(BLOCK_SIZE),
                )
            })
            .collect();
        let mut cases: Vec<Case<'_>> = state
            .iter_mut()
            .map(|(comp, scratch)| -> Case<'_> {
                let data = &s.data[..];
                Box::new(move || block::compress_into(comp.as_mut(), data, BLOCK_SIZE, scratch))
            })
            .collect();
        let secs = timer.run(&mut cases);
        drop(cases);
        let v: Vec<f64> = secs.iter().map(|&t| mbps(s.data.len(), t)).collect();
        let _ = write!(body, "| {} |", s.name);
        for (i, &m) in v.iter().enumerate() {
            let _ = write!(body, " {} |", f_mbps(m));
            if i != sub_ref {
                let _ = write!(body, " {:.2} |", m / v[sub_ref]);
            }
            let _ = write!(body, " {:.3} |", ratios[i].1);
        }
        body.push('\n');
        speeds.push(v);
        sizes.push(ratios);
    }
    let idx: Vec<usize> = corpus_only(samples).map(|(i, _)| i).collect();
    let raw_total: usize = idx.iter().map(|&k| samples[k].data.len()).sum();
    let _ = write!(body, "| **geomean / total (corpus)** |");
    for i in 0..sub.len() {
        let g = geomean(idx.iter().map(|&k| speeds[k][i]));
        let comp_total: usize = idx.iter().map(|&k| sizes[k][i].0).sum();
        let ratio = raw_total as f64 / comp_total.max(1) as f64;
        let _ = write!(body, " **{}** |", f_mbps(g));
        if i != sub_ref {
            let r = geomean(idx.iter().map(|&k| speeds[k][i] / speeds[k][sub_ref]));
            let ref_comp: usize = idx.iter().map(|&k| sizes[k][sub_ref].0).sum();
            let ref_ratio = raw_total as f64 / ref_comp.max(1) as f64;
            let dr = (ratio / ref_ratio - 1.0) * 100.0;
            let _ = write!(body, " **{r:.2}** |");
            let simd = simd_target(sub[i]);
            // Total size relative to the anchor's (+ = larger).
            let ds = (ref_ratio / ratio - 1.0) * 100.0;
            if in_summary(sub[i]) {
                summary.push(SummaryRow::new(
                    format!(
                        "{} level-1 compression vs `LZ4_compress_default`",
                        sub[i].name()
                    ),
                    if simd {
                        "≥ 1.05 ×, total size ≤ +0.5 %"
                    } else {
                        "(no target)"
                    },
                    format!(
                        "{r:.2} × ({} against {} MB/s, geomeans), total size {ds:+.2} %",
                        f_mbps(g),
                        f_mbps(geomean(idx.iter().map(|&k| speeds[k][sub_ref])))
                    ),
                    simd.then_some(r >= 1.05 && ds <= 0.5),
                ));
            }
            let _ = dr;
        }
        let _ = write!(body, " **{ratio:.3}** |");
    }
    body.push('\n');
    if !codecs.iter().any(|c| is_simd(*c)) {
        summary.push(SummaryRow::na(
            "simd level-1 compression vs `LZ4_compress_default`",
            "≥ 1.05 ×, total size ≤ +0.5 %",
            "simd backend not available yet",
        ));
    }
}

fn block_compress_hc(
    timer: &Timer,
    samples: &[Sample],
    codecs: &[&'static dyn BlockCodec],
    ref_idx: usize,
    limit: Option<usize>,
    body: &mut String,
    summary: &mut Vec<SummaryRow>,
) {
    let _ = writeln!(
        body,
        "\n## Block compression, HC levels\n\n{} Per level: geomean MB/s over the corpus files \
         and the total ratio; `{REFERENCE}` = the bare `LZ4_compress_HC`, the anchor; codecs \
         without HC levels are left out.\n",
        match limit {
            Some(n) => format!(
                "First {} KiB of each corpus file, the anchor and the backends' codecs only \
                 (quick run).",
                n >> 10
            ),
            None => "Whole corpus files.".to_string(),
        }
    );
    body.push_str(
        "| level | codec | MB/s | × C | ratio | ratio vs C |\n|---|---|---:|---:|---:|---:|\n",
    );
    let inputs: Vec<&[u8]> = corpus_only(samples)
        .map(|(_, s)| &s.data[..limit.map_or(s.data.len(), |n| n.min(s.data.len()))])
        .collect();
    let raw_total: usize = inputs.iter().map(|d| d.len()).sum();
    let mut simd_seen = false;
    for level in codecs::LEVELS.into_iter().filter(|&l| l > 1) {
        let sub: Vec<&'static dyn BlockCodec> = codecs
            .iter()
            .copied()
            .filter(|c| levels_of(*c).contains(&level))
            .collect();
        if sub.is_empty() {
            continue;
        }
        let sub_ref = sub
            .iter()
            .position(|c| c.name() == codecs[ref_idx].name())
            .unwrap_or(0);
        let mut speed = vec![Vec::new(); sub.len()];
        let mut comp = vec![0usize; sub.len()];
        for data in &inputs {
            for (i, c) in sub.iter().enumerate() {
                comp[i] += block::compress(*c, level, data, BLOCK_SIZE).compressed_len();
            }
            let mut state: Vec<_> = sub
                .iter()
                .map(|c| {
                    (
                        c.compressor(level).expect("supported"),
                        block::scratch(BLOCK_SIZE),
                    )
                })
                .collect();
            let mut cases: Vec<Case<'_>> = state
                .iter_mut()
                .map(|(cp, scratch)| -> Case<'_> {
                    let data: &[u8] = data;
                    Box::new(move || block::compress_into(cp.as_mut(), data, BLOCK_SIZE, scratch))
                })
                .collect();
            let secs = timer.run(&mut cases);
            for (i, t) in secs.into_iter().enumerate() {
                speed[i].push(mbps(data.len(), t));
            }
        }
        for (i, c) in sub.iter().enumerate() {
            let g = geomean(speed[i].iter().copied());
            let rel = geomean(speed[i].iter().zip(&speed[sub_ref]).map(|(a, b)| a / b));
            let ratio = raw_total as f64 / comp[i].max(1) as f64;
            let ref_ratio = raw_total as f64 / comp[sub_ref].max(1) as f64;
            let dr = (ratio / ref_ratio - 1.0) * 100.0;
            let _ = writeln!(
                body,
                "| {level} | {} | {} | {rel:.2} | {ratio:.3} | {dr:+.2} % |",
                c.name(),
                f_mbps(g)
            );
            if simd_target(*c) {
                simd_seen = true;
                let same = comp[i] == comp[sub_ref];
                summary.push(SummaryRow::new(
                    format!("{} HC level {level} vs `LZ4_compress_HC`", c.name()),
                    "≥ 1.0 ×, the same bytes",
                    format!(
                        "{rel:.2} ×, {}",
                        if same {
                            "same total size".to_string()
                        } else {
                            format!("ratio {dr:+.2} %")
                        }
                    ),
                    Some(rel >= 1.0 && same),
                ));
            }
        }
    }
    if !simd_seen {
        summary.push(SummaryRow::na(
            "simd HC levels 3/6/9/12 vs `LZ4_compress_HC`",
            "≥ 1.0 ×, the same bytes",
            "simd HC not available yet",
        ));
    }
}

/// Sizes of the generated shapes in the ratio table: quick run / `--full`.
const RATIO_SIZES_QUICK: [usize; 4] = [1000, 30_000, 65_536, 1 << 20];
const RATIO_SIZES_FULL: [usize; 7] = [13, 1000, 30_000, 65_536, 100_000, 1 << 20, 4 << 20];

/// Level 1 of every backend offering it against `lz4 -1` with the same frame settings (the
/// tool's defaults and the library's), per input: the generated shapes at a few sizes and the
/// corpus files (the quick run: their first 4 MiB). The full matrix (16 sizes, 3 settings, 64
/// MiB) is `tests/ratio.rs`.
fn ratio_vs_lz4(full: bool, samples: &[Sample], body: &mut String, summary: &mut Vec<SummaryRow>) {
    use lz4framed_bench::ratio::{
        excess_percent, level1_backends, lz4_size, lz4_version, lz4framed_size, SETTINGS,
    };
    use lz4framed_bench::shapes::Shape;
    let Some(version) = lz4_version() else {
        let _ = writeln!(
            body,
            "\n## Compression ratio against `lz4 -1`\n\nSkipped: the `lz4` tool is not \
             installed.\n"
        );
        summary.push(SummaryRow::na(
            "level 1 within +1 % of `lz4 -1` on every input",
            "≤ +1 %",
            "no lz4 tool",
        ));
        return;
    };
    let backends = level1_backends();
    let _ = writeln!(
        body,
        "\n## Compression ratio against `lz4 -1`\n\nFrame size of each backend at level 1 \
         relative to `{version}` with the same frame settings (`4M-indep+xxh`: the tool's \
         defaults, `lz4 -1`; `64K-linked`: the library's, `lz4 -1 -B4 -BD --no-frame-crc`); + = \
         larger. Inputs: generated shapes (`lz4framed_bench::shapes`) and the corpus files{}. \
         Target: at most +1 % on every input. The whole matrix (16 sizes from 1 byte, 3 \
         settings, 64 MiB mixed) is checked by `cargo test -p lz4framed-bench --test ratio`.\n",
        if full { "" } else { " (first 4 MiB of each)" }
    );
    let _ = write!(body, "| input | settings | lz4 -1 bytes |");
    let mut sep = String::from("|---|---|---:|");
    for (_, name) in &backends {
        let _ = write!(body, " {name} |");
        sep += "---:|";
    }
    let _ = writeln!(body, "\n{sep}");
    let sizes: &[usize] = if full {
        &RATIO_SIZES_FULL
    } else {
        &RATIO_SIZES_QUICK
    };
    let mut inputs: Vec<(String, Vec<u8>)> = Shape::ALL
        .iter()
        .flat_map(|s| {
            sizes
                .iter()
                .map(move |&n| (format!("{} {n}", s.name()), s.generate(n)))
        })
        .collect();
    for (_, sample) in corpus_only(samples) {
        if !sample.synthetic {
            let n = if full {
                sample.data.len()
            } else {
                sample.data.len().min(4 << 20)
            };
            inputs.push((sample.name.clone(), sample.data[..n].to_vec()));
        }
    }
    let mut worst: Vec<(f64, String)> = vec![(f64::NEG_INFINITY, String::new()); backends.len()];
    for (name, data) in &inputs {
        for settings in &SETTINGS[..2] {
            let reference = lz4_size(&settings.lz4_args(), data);
            let _ = write!(body, "| {name} | {} | {reference} |", settings.name);
            for (k, (backend, _)) in backends.iter().enumerate() {
                let ours = lz4framed_size(settings, *backend, data);
                let e = excess_percent(ours, reference);
                let _ = write!(body, " {e:+.2} % |");
                if e > worst[k].0 {
                    worst[k] = (e, format!("{name}, {}", settings.name));
                }
            }
            body.push('\n');
        }
    }
    for ((_, codec), (e, at)) in backends.iter().zip(&worst) {
        summary.push(SummaryRow::new(
            format!("{codec} level 1 vs `lz4 -1`, worst input of the ratio table"),
            "≤ +1 %",
            format!("{e:+.2} % ({at})"),
            Some(*e <= 1.0),
        ));
    }
}

/// The concrete backends of this build, and which one `Auto` picks.
fn available_backends() -> (Vec<(Backend, &'static str)>, Option<Backend>) {
    let infos = lz4framed::backends();
    let auto = infos.iter().find(|b| b.chosen_by_auto).map(|b| b.backend);
    (
        infos
            .into_iter()
            .filter(|b| b.available)
            .map(|b| (b.backend, b.name))
            .collect(),
        auto,
    )
}

fn frame_decompress(
    timer: &Timer,
    data: &[u8],
    prefixes: bool,
    body: &mut String,
    summary: &mut Vec<SummaryRow>,
) {
    let (backends, auto) = available_backends();
    let _ = writeln!(
        body,
        "\n## Frame decompression\n\nInput: the corpus files{} concatenated ({:.1} MB), \
         compressed at level 1 by lz4framed on the C backend; every decoder reads the same frame. \
         Implementations: `raw blocks` = block decoding of the frame's own blocks without the \
         frame layer (into one preallocated buffer, a linked block's history being the output \
         before it; no checksum), with our backends (`decompress_in_place`, as the frame layer \
         decodes), the bare C decoder (`LZ4_decompress_safe_usingDict` with the history before \
         the destination: C's prefix mode) and lz4_flex's block decoder — what the frame \
         decoders cannot beat; `push` = `Decompressor::decompress` into a reused \
         `Vec`; `one-shot` = `lz4framed::decompress_with` (allocates its output); `FrameDecoder` \
         = streaming `Read`, into a {} KiB buffer (`reader's buffer`: \
         `FrameDecoder::with_buffer`, the input decoded in the `&[u8]` reader's own buffer \
         rather than copied); lz4_flex `FrameDecoder` the same way (lz4_flex \
         in safe mode, as the workspace builds it); C LZ4F = `LZ4F_decompress` into a growing \
         `Vec`. Checksums are verified where present. `Auto` = {}.\n",
        if prefixes {
            format!(" (first {} MiB of each)", QUICK_FRAME_PREFIX >> 20)
        } else {
            String::new()
        },
        data.len() as f64 / 1e6,
        READ_BUF >> 10,
        auto.map_or("none".into(), |b| b.to_string())
    );
    body.push_str(
        "| frame | implementation | MB/s | × C LZ4F | × lz4_flex |\n|---|---|---:|---:|---:|\n",
    );
    for cfg in FRAME_CONFIGS {
        let frame = frames::ours_compress(data, &cfg, 1, Backend::C);
        let raw = FrameBlocks::of(&frame);
        // Per-case state, created up front so the closures can borrow it mutably.
        let mut raw_outs: Vec<Vec<u8>> = (0..backends.len() + 2)
            .map(|_| vec![0u8; data.len() + raw.max])
            .collect();
        let (flex_raw_out, raw_outs) = raw_outs.split_last_mut().expect("non-empty");
        let (c_raw_out, raw_outs) = raw_outs.split_last_mut().expect("non-empty");
        let mut push_outs: Vec<Vec<u8>> = backends.iter().map(|_| Vec::new()).collect();
        let mut bufs: Vec<Vec<u8>> = (0..=backends.len() + 1)
            .map(|_| vec![0u8; READ_BUF])
            .collect();
        let mut names: Vec<String> = Vec::new();
        let mut cases: Vec<Case<'_>> = Vec::new();
        let (flex_buf, stream_bufs) = bufs.split_last_mut().expect("non-empty");
        let (in_place_buf, stream_bufs) = stream_bufs.split_last_mut().expect("non-empty");
        let frame_ref = &frame[..];
        let auto_name = backends
            .iter()
            .find(|&&(b, _)| Some(b) == auto)
            .map(|&(_, name)| name);
        for (((&(b, name), raw_out), push_out), sbuf) in backends
            .iter()
            .zip(raw_outs.iter_mut())
            .zip(push_outs.iter_mut())
            .zip(stream_bufs.iter_mut())
        {
            let codec = b.codec().expect("available");
            let raw = &raw;
            names.push(format!("raw blocks ({name})"));
            cases.push(Box::new(move || raw.decode(codec, raw_out)));
            push_out.reserve(data.len());
            names.push(format!("push ({name})"));
            cases.push(Box::new(move || {
                frames::ours_push_decode(frame_ref, b, push_out)
            }));
            names.push(format!("one-shot ({name})"));
            cases.push(Box::new(move || {
                frames::ours_decompress(frame_ref, b).len()
            }));
            names.push(format!("FrameDecoder ({name})"));
            cases.push(Box::new(move || {
                frames::ours_stream_decode(frame_ref, b, sbuf)
            }));
        }
        if let Some(name) = auto_name {
            names.push(format!("FrameDecoder, reader's buffer ({name})"));
            cases.push(Box::new(move || {
                frames::ours_stream_decode_in_place(frame_ref, Backend::Auto, in_place_buf)
            }));
        }
        if cfg.checksum {
            // The content checksum's own cost, to bound the +xxh rows: every decoder hashes
            // every output byte with XXH32 once.
            names.push("XXH32 of the output alone (lz4framed::xxh32)".into());
            cases.push(Box::new(move || {
                std::hint::black_box(lz4framed::xxh32::xxh32(data, 0));
                data.len()
            }));
        }
        names.push("raw blocks (bare C)".into());
        let raw_ref = &raw;
        cases.push(Box::new(move || raw_ref.decode_c(c_raw_out)));
        names.push("raw blocks (lz4_flex)".into());
        cases.push(Box::new(move || raw_ref.decode_flex(flex_raw_out)));
        names.push("lz4_flex FrameDecoder".into());
        cases.push(Box::new(|| frames::flex_stream_decode(frame_ref, flex_buf)));
        names.push("C LZ4F".into());
        cases.push(Box::new(|| frames::c_decompress(frame_ref).len()));
        // Check every case decodes everything before timing it.
        for (n, c) in names.iter().zip(cases.iter_mut()) {
            assert_eq!(c(), data.len(), "{n}");
        }
        let secs = timer.run(&mut cases);
        drop(cases);
        let v: Vec<f64> = secs.iter().map(|&t| mbps(data.len(), t)).collect();
        let c_i = names.len() - 1;
        let flex_i = names.len() - 2;
        for (n, &m) in names.iter().zip(&v) {
            let _ = writeln!(
                body,
                "| {} | {n} | {} | {:.2} | {:.2} |",
                cfg.label,
                f_mbps(m),
                m / v[c_i],
                m / v[flex_i]
            );
        }
        let find = |prefix: &str, name: &str| {
            names
                .iter()
                .position(|n| n == &format!("{prefix} ({name})"))
                .map(|i| v[i])
        };
        let flex_raw = v[flex_i - 1];
        let indep_plain = cfg.mode == BlockMode::Independent && !cfg.checksum;
        // Targets: frame overhead over raw block decoding; FrameDecoder vs lz4_flex.
        for &(b, name) in &backends {
            if !indep_plain {
                // The overhead target is for independent blocks without checksums.
            } else if let (Some(rawv), Some(push), Some(stream)) = (
                find("raw blocks", name),
                find("push", name),
                find("FrameDecoder", name),
            ) {
                let o_push = (rawv / push - 1.0) * 100.0;
                let o_stream = (rawv / stream - 1.0) * 100.0;
                let in_place = find("FrameDecoder, reader's buffer", name)
                    .map(|v| {
                        format!(
                            " (from the reader's buffer {:+.1} %)",
                            (rawv / v - 1.0) * 100.0
                        )
                    })
                    .unwrap_or_default();
                summary.push(SummaryRow::new(
                    format!(
                        "frame decode overhead over raw blocks, {name} ({}, no checksum)",
                        cfg.label
                    ),
                    "≤ 5 %",
                    format!("push {o_push:+.1} %, FrameDecoder {o_stream:+.1} %{in_place}"),
                    Some(o_push.max(o_stream) <= 5.0),
                ));
            }
            if Some(b) == auto && matches!(cfg.block_size, BlockSize::Max4MB | BlockSize::Max64KB) {
                if let (Some(stream), Some(rawv)) =
                    (find("FrameDecoder", name), find("raw blocks", name))
                {
                    let r = stream / v[flex_i];
                    summary.push(SummaryRow::new(
                        format!(
                            "FrameDecoder (Auto = {name}) vs lz4_flex FrameDecoder, {}",
                            cfg.label
                        ),
                        "≥ 1.5 ×",
                        format!(
                            "{r:.2} × (block decoding alone: {name} {:.2} × lz4_flex's; \
                             FrameDecoder at {:.2} of its raw blocks, lz4_flex's at {:.2})",
                            rawv / flex_raw,
                            stream / rawv,
                            v[flex_i] / flex_raw
                        ),
                        Some(r >= 1.5),
                    ));
                }
                let xxh_bound = names
                    .iter()
                    .position(|n| n.starts_with("XXH32 of the output"))
                    .zip(find("raw blocks", name))
                    .map(|(i, rawv)| {
                        // Raw block decoding plus hashing, with no frame overhead at all.
                        let ceiling = 1.0 / (1.0 / rawv + 1.0 / v[i]);
                        format!(
                            " (XXH32 alone {} MB/s: raw blocks plus hashing, without any \
                             other frame cost, would be {:.2} × lz4_flex's FrameDecoder)",
                            f_mbps(v[i]),
                            ceiling / v[flex_i]
                        )
                    })
                    .unwrap_or_default();
                if let Some(in_place) = find("FrameDecoder, reader's buffer", name) {
                    let r = in_place / v[flex_i];
                    summary.push(SummaryRow::new(
                        format!(
                            "FrameDecoder from the reader's buffer (`with_buffer`, Auto = {name}) \
                             vs lz4_flex FrameDecoder, {}",
                            cfg.label
                        ),
                        "≥ 1.5 ×",
                        format!("{r:.2} ×{xxh_bound}"),
                        Some(r >= 1.5),
                    ));
                }
            }
            if Some(b) == auto
                && cfg.mode == BlockMode::Linked
                && cfg.block_size == BlockSize::Max64KB
                && !cfg.checksum
            {
                // Linked frames against C's linked decoding: the bare C decoder in prefix mode
                // over the same blocks (LZ4F's and python-lz4's decoding, without their frame
                // layer).
                if let (Some(one), Some(push), Some(rawv)) = (
                    find("one-shot", name),
                    find("push", name),
                    find("raw blocks", name),
                ) {
                    let c_raw = v[flex_i - 2];
                    summary.push(SummaryRow::new(
                        format!(
                            "one-shot / push (Auto = {name}) vs the bare C decoder's linked \
                             blocks in place, {}",
                            cfg.label
                        ),
                        "≥ 1.0 ×",
                        format!(
                            "{:.2} / {:.2} × (raw blocks in place: {name} {:.2} × C's)",
                            one / c_raw,
                            push / c_raw,
                            rawv / c_raw
                        ),
                        Some(one.min(push) >= c_raw),
                    ));
                }
            }
        }
    }
}

fn frame_compress(timer: &Timer, data: &[u8], body: &mut String) {
    let (backends, _) = available_backends();
    let _ = writeln!(
        body,
        "\n## Frame compression, level 1\n\nSame input. lz4framed one-shot `compress_with` per \
         backend, lz4_flex `FrameEncoder` into a `Vec`, C = `LZ4F_compressBegin/Update/End`.\n"
    );
    body.push_str(
        "| frame | implementation | MB/s | × C LZ4F | ratio |\n|---|---|---:|---:|---:|\n",
    );
    for cfg in FRAME_CONFIGS {
        let mut names = Vec::new();
        let mut sizes = Vec::new();
        let mut cases: Vec<Case<'_>> = Vec::new();
        for &(b, name) in &backends {
            if !b.codec().is_ok_and(|c| c.levels().contains(&1)) {
                continue;
            }
            names.push(format!("lz4framed ({name})"));
            sizes.push(frames::ours_compress(data, &cfg, 1, b).len());
            cases.push(Box::new(move || {
                frames::ours_compress(data, &cfg, 1, b).len()
            }));
        }
        names.push("lz4_flex FrameEncoder".into());
        sizes.push(frames::flex_compress(data, &cfg).len());
        cases.push(Box::new(move || frames::flex_compress(data, &cfg).len()));
        names.push("C LZ4F".into());
        sizes.push(frames::c_compress(data, &cfg, 1).len());
        cases.push(Box::new(move || frames::c_compress(data, &cfg, 1).len()));
        let secs = timer.run(&mut cases);
        let v: Vec<f64> = secs.iter().map(|&t| mbps(data.len(), t)).collect();
        let c_i = v.len() - 1;
        for i in 0..v.len() {
            let _ = writeln!(
                body,
                "| {} | {} | {} | {:.2} | {:.3} |",
                cfg.label,
                names[i],
                f_mbps(v[i]),
                v[i] / v[c_i],
                data.len() as f64 / sizes[i] as f64
            );
        }
    }
}

fn parallel(timer: &Timer, data: &[u8], body: &mut String, summary: &mut Vec<SummaryRow>) {
    use lz4framed_bench::parallel as par;
    let settings = FrameSettings::lz4_cli();
    let _ = writeln!(
        body,
        "\n## Parallel compression, indexed decompression, random access\n\nThe corpus files \
         concatenated ({:.1} MB); the `lz4` tool's settings (level 1, 4 MiB independent blocks, \
         content checksum); `Auto` backend. Compression and stream decompression write into a \
         reused `Vec` (`compress_stream` / `decompress_stream`); indexed decompression returns \
         a new one. This machine is shared, so how much a second thread can add depends on what \
         else runs: each operation is also run as two independent 1-thread jobs at once, on two \
         threads that share nothing (each counted with its own input), and that pair is the \
         machine's ceiling for two threads in this run. 1 thread, 2 threads and the ceiling are \
         timed interleaved; the target is 2 threads ≥ 0.95 of the ceiling.\n",
        data.len() as f64 / 1e6
    );
    let (file, index) = par::indexed(data, &settings, 4 << 20);
    assert!(
        par::decompress(&file, &index, 2) == data,
        "indexed decode differs"
    );
    // Reused outputs, one per case (a pair of them for each ceiling case).
    let mut outs: Vec<Vec<u8>> = (0..12).map(|_| Vec::with_capacity(data.len())).collect();
    let [c1, c2, c3, c4, s1, s2, s3, s4, ..] = &mut outs[..] else {
        unreachable!()
    };
    /// Two independent 1-thread jobs at once; the bytes of both.
    fn pair(a: impl FnOnce() -> usize + Send, b: impl FnOnce() -> usize) -> usize {
        std::thread::scope(|s| {
            let h = s.spawn(a);
            let n = b();
            h.join().expect("no panic") + n
        })
    }
    let (file, index, settings) = (&file[..], &index, &settings);
    let mut cases: Vec<Case<'_>> = vec![
        Box::new(|| par::compress_into(data, settings, 1, c1)),
        Box::new(|| par::compress_into(data, settings, 2, c2)),
        Box::new(|| {
            pair(
                || par::compress_into(data, settings, 1, c3),
                || par::compress_into(data, settings, 1, c4),
            )
        }),
        Box::new(|| par::decompress(file, index, 1).len()),
        Box::new(|| par::decompress(file, index, 2).len()),
        Box::new(|| {
            pair(
                || par::decompress(file, index, 1).len(),
                || par::decompress(file, index, 1).len(),
            )
        }),
        Box::new(|| par::stream_decompress(file, 1, s1)),
        Box::new(|| par::stream_decompress(file, 2, s2)),
        Box::new(|| {
            pair(
                || par::stream_decompress(file, 1, s3),
                || par::stream_decompress(file, 1, s4),
            )
        }),
    ];
    // More rounds than elsewhere: the figures are ratios of runs that each see a different
    // share of a shared machine, so they are taken within each round and the median kept.
    let par_timer = Timer {
        rounds: timer.rounds.max(9),
        ..*timer
    };
    let secs = par_timer.run_rounds(&mut cases);
    drop(cases);
    body.push_str(
        "| operation | run | MB/s (median) | × 1 thread | ÷ ceiling |\n|---|---|---:|---:|---:|\n",
    );
    let ops = [
        "compress",
        "indexed decompress",
        "stream decompress (no index)",
    ];
    for (k, op) in ops.iter().enumerate() {
        let (one, two, pair) = (&secs[3 * k], &secs[3 * k + 1], &secs[3 * k + 2]);
        // The pair did the work twice: its throughput is twice the input per its time.
        let ceiling: Vec<f64> = pair.iter().map(|t| t / 2.0).collect();
        let speed = |t: &[f64]| mbps(data.len(), median(t.iter().copied()));
        let rows = [
            (
                "1 thread",
                one,
                median_ratio(one, one),
                median_ratio(&ceiling, one),
            ),
            (
                "2 threads",
                two,
                median_ratio(one, two),
                median_ratio(&ceiling, two),
            ),
            (
                "ceiling: two 1-thread jobs at once",
                &ceiling,
                median_ratio(one, &ceiling),
                1.0,
            ),
        ];
        for (run, t, x_one, of_ceiling) in rows {
            let _ = writeln!(
                body,
                "| {op} | {run} | {} | {x_one:.2} | {of_ceiling:.2} |",
                f_mbps(speed(t))
            );
        }
        let frac = median_ratio(&ceiling, two);
        summary.push(SummaryRow::new(
            format!("2-thread {op} vs the machine's ceiling (library)"),
            "≥ 0.95 of the ceiling",
            format!(
                "{frac:.2} (2 threads {:.2} × 1 thread; ceiling {:.2} ×)",
                median_ratio(one, two),
                median_ratio(one, &ceiling)
            ),
            Some(frac >= 0.95),
        ));
    }
    let _ = writeln!(
        body,
        "\nMB/s: median over {} rounds; × and ÷: median over the rounds of the ratio within \
         each round.",
        par_timer.rounds
    );

    // Building an index for an existing file, against decoding it (single-threaded).
    let linked_file = frames::ours_compress(data, &FRAME_CONFIGS[2], 1, Backend::Auto);
    let (mut buf1, mut buf2) = (vec![0u8; READ_BUF], vec![0u8; READ_BUF]);
    let mut cases: Vec<Case<'_>> = vec![
        Box::new(|| frames::ours_stream_decode(file, Backend::Auto, &mut buf1)),
        Box::new(|| par::build(file).entries().len()),
        Box::new(|| frames::ours_stream_decode(&linked_file, Backend::Auto, &mut buf2)),
        Box::new(|| par::build(&linked_file).entries().len()),
    ];
    let secs = timer.run(&mut cases);
    drop(cases);
    let b: Vec<f64> = secs.iter().map(|&t| mbps(data.len(), t)).collect();
    let _ = writeln!(
        body,
        "\nBuilding the index of an existing file (`build_index`, one pass, 1 thread) against \
         decoding it (`FrameDecoder` into a {} KiB buffer): the size-only walk for independent blocks, one decoding pass \
         for linked ones (the default restart interval, 4 MiB, each restart storing its 64 KiB \
         window LZ4-compressed).\n\n\
         | file | decode MB/s | index build MB/s | build ÷ decode |\n|---|---:|---:|---:|\n\
         | 4 MiB independent | {} | {} | {:.2} |\n| {} | {} | {} | {:.2} |",
        READ_BUF >> 10,
        f_mbps(b[0]),
        f_mbps(b[1]),
        b[1] / b[0],
        FRAME_CONFIGS[2].label,
        f_mbps(b[2]),
        f_mbps(b[3]),
        b[3] / b[2]
    );
    summary.push(SummaryRow::new(
        "index build for independent blocks (size-only walk) vs decoding",
        "faster",
        format!("{:.2} ×", b[1] / b[0]),
        Some(b[1] > b[0]),
    ));
    summary.push(SummaryRow::new(
        format!(
            "index build for {} (decoding pass) vs decoding",
            FRAME_CONFIGS[2].label
        ),
        "≥ 0.90 ×",
        format!("{:.2} ×", b[3] / b[2]),
        Some(b[3] / b[2] >= 0.9),
    ));

    // Random reads: 4 KiB at random offsets through a SeekableReader.
    const READ: usize = 4096;
    const READS: usize = 8;
    let linked = FrameSettings::new();
    let (lfile, lindex) = par::indexed(data, &linked, 1 << 20);
    let indep64 = FrameSettings::new()
        .block_size(BlockSize::Max64KB)
        .block_mode(BlockMode::Independent);
    let (ifile, iindex) = par::indexed(data, &indep64, 1 << 20);
    let kinds = [
        ("4 MiB independent (restart every block)", file, index),
        ("64 KiB linked, restart every 1 MiB", &lfile[..], &lindex),
        (
            "64 KiB independent (restart every block)",
            &ifile[..],
            &iindex,
        ),
    ];
    let mut readers: Vec<par::RandomReads<'_>> = kinds
        .iter()
        .map(|(_, f, i)| par::RandomReads::new(f, (*i).clone()))
        .collect();
    let mut bufs = vec![[0u8; READ]; kinds.len()];
    let mut cases: Vec<Case<'_>> = readers
        .iter_mut()
        .zip(bufs.iter_mut())
        .map(|(r, b)| -> Case<'_> { Box::new(move || r.run(READS, b)) })
        .collect();
    let secs = timer.run(&mut cases);
    drop(cases);
    let _ = writeln!(
        body,
        "\nRandom reads of {} KiB at random offsets (`SeekableReader::read_exact_at`, 1 thread):\n\n\
         | file | reads/s |\n|---|---:|",
        READ >> 10
    );
    for ((label, _, _), t) in kinds.iter().zip(secs) {
        let _ = writeln!(body, "| {label} | {:.0} |", READS as f64 / t);
    }
}

// ---------------------------------------------------------------------------------------------
// Streaming-decode peak memory, measured in a child process (`report __mem-child IMPL PATH`).

/// Child side: decode the frame file `PATH` with `IMPL` (`ours` = lz4framed `FrameDecoder` on
/// Auto, `lz4_flex`) into a 64 KiB buffer; print the growth of the peak heap during decoding
/// (bytes: the decoder's buffers, beyond the caller's), the growth of the peak resident set
/// (bytes) and the decoded size.
fn mem_child(args: &[String]) {
    let (imp, path) = match args {
        [imp, path] => (imp.as_str(), Path::new(path)),
        _ => {
            eprintln!("usage: report __mem-child ours|lz4_flex PATH");
            std::process::exit(2);
        }
    };
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![1u8; READ_BUF];
    let reset = memory::reset_peak();
    let base = if reset {
        memory::rss()
    } else {
        memory::peak_rss()
    }
    .unwrap_or(0);
    // The peak cannot be reset: before this point it is the current heap, give or take the
    // few bytes of start-up allocations since freed.
    let heap_base = HEAP.allocated();
    let n = match imp {
        "ours" => frames::drain(lz4framed::FrameDecoder::new(file), &mut buf),
        "lz4_flex" => frames::drain(lz4_flex::frame::FrameDecoder::new(file), &mut buf),
        other => panic!("unknown implementation {other}"),
    };
    let heap = HEAP.max_allocated().saturating_sub(heap_base);
    let peak = memory::peak_rss().unwrap_or(0);
    println!("{heap} {} {n}", peak.saturating_sub(base));
}

fn streaming_memory(data: &[u8], tmp: &TempDir, body: &mut String, summary: &mut Vec<SummaryRow>) {
    let _ = writeln!(
        body,
        "\n## Streaming decode memory\n\n`FrameDecoder` over a `File`, read into a {} KiB \
         buffer, in a child process. Heap = growth of the peak heap while decoding (every \
         allocation counted by the child's global allocator): the decoder's buffers beyond the \
         caller's, the figure the bound is about. Resident set = growth of the peak resident \
         set (VmHWM), for information: it also counts code and stack pages first touched, and \
         varies by ± 64 KiB from run to run. Bound = 2 × block size + 128 KiB.\n",
        READ_BUF >> 10
    );
    let Ok(exe) = std::env::current_exe() else {
        body.push_str("Skipped: cannot find this binary to run the child.\n");
        return;
    };
    body.push_str(
        "| frame | implementation | heap | resident set | bound | within |\n\
         |---|---|---:|---:|---:|---|\n",
    );
    let cfgs: [&FrameConfig; 2] = [&FRAME_CONFIGS[1], &FRAME_CONFIGS[2]];
    for cfg in cfgs {
        let path = tmp.path(&format!("mem-{}.lz4", cfg.label));
        if std::fs::write(&path, frames::c_compress(data, cfg, 1)).is_err() {
            body.push_str("Skipped: cannot write a temporary file.\n");
            return;
        }
        let bound = 2 * cfg.block_size.bytes() as u64 + (128 << 10);
        for imp in ["ours", "lz4_flex"] {
            let out = Command::new(&exe)
                .args(["__mem-child", imp])
                .arg(&path)
                .stdin(Stdio::null())
                .output();
            let parsed = out.ok().filter(|o| o.status.success()).and_then(|o| {
                let s = String::from_utf8_lossy(&o.stdout).into_owned();
                let mut it = s.split_whitespace().map(|w| w.parse::<u64>().ok());
                Some((it.next()??, it.next()??, it.next()??))
            });
            let label = if imp == "ours" {
                "lz4framed FrameDecoder (Auto)"
            } else {
                "lz4_flex FrameDecoder"
            };
            match parsed {
                Some((heap, rss, n)) if n == data.len() as u64 => {
                    let ok = heap <= bound;
                    let _ = writeln!(
                        body,
                        "| {} | {label} | {:.0} KiB | {:.0} KiB | {:.0} KiB | {} |",
                        cfg.label,
                        heap as f64 / 1024.0,
                        rss as f64 / 1024.0,
                        bound as f64 / 1024.0,
                        if ok { "yes" } else { "no" }
                    );
                    if imp == "ours" {
                        summary.push(SummaryRow::new(
                            format!("streaming decode memory, {}", cfg.label),
                            "≤ 2 × block size + 128 KiB",
                            format!(
                                "heap {:.0} KiB (bound {:.0} KiB; resident set {:.0} KiB)",
                                heap as f64 / 1024.0,
                                bound as f64 / 1024.0,
                                rss as f64 / 1024.0
                            ),
                            Some(ok),
                        ));
                    }
                }
                _ => {
                    let _ = writeln!(body, "| {} | {label} | failed | | | |", cfg.label);
                }
            }
        }
        let _ = std::fs::remove_file(&path);
    }
}

// ---------------------------------------------------------------------------------------------
// Whole-process comparison with the lz4 tool.

fn cli_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LZ4FRAMED_CLI").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join("lz4framed")));
    let release = corpus::workspace_root()
        .join("target")
        .join("release")
        .join("lz4framed");
    [beside, Some(release)]
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
}

/// Runs `cmd` with no stdin/stdout; whether it succeeded and how long it took.
fn run_timed(cmd: &mut Command) -> Option<f64> {
    let start = Instant::now();
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| start.elapsed().as_secs_f64())
}

/// Run `cmd OUT` (removing OUT first); its wall time, NaN if it failed.
fn time_into(out: &Path, cmd: &mut Command) -> f64 {
    let _ = std::fs::remove_file(out);
    run_timed(cmd.arg(out)).unwrap_or(f64::NAN)
}

fn cli(opts: &Opts, data: &[u8], tmp: &TempDir, body: &mut String, summary: &mut Vec<SummaryRow>) {
    body.push_str("\n## Command line vs the `lz4` tool (whole process)\n\n");
    const TARGET: &str = "≥ 1.0 ×";
    if run_timed(Command::new("lz4").arg("--version")).is_none() {
        body.push_str("Skipped: no `lz4` tool on the PATH.\n");
        summary.push(SummaryRow::na("CLI vs lz4 1.9.4", TARGET, "no lz4 tool"));
        return;
    }
    let input = tmp.path("cli-input");
    let lz4_out = tmp.path("cli-lz4.lz4");
    let ours_out = tmp.path("cli-ours.lz4");
    let lz4_back = tmp.path("cli-lz4.out");
    let ours_back = tmp.path("cli-ours.out");
    if std::fs::write(&input, data).is_err() {
        body.push_str("Skipped: cannot write a temporary file.\n");
        return;
    }
    // Probe our CLI on a small file first.
    let ours = cli_binary();
    let probe = ours.as_ref().and_then(|bin| {
        let small = tmp.path("probe");
        let small_out = tmp.path("probe.lz4");
        std::fs::write(&small, corpus::json_like(10_000, 1)).ok()?;
        run_timed(
            Command::new(bin)
                .arg("compress")
                .arg(&small)
                .arg(&small_out),
        )?;
        let frame = std::fs::read(&small_out).ok()?;
        (lz4framed::decompress(&frame).ok()? == corpus::json_like(10_000, 1)).then_some(())
    });
    let ours = match (ours, probe) {
        (Some(bin), Some(())) => Some(bin),
        (Some(bin), None) => {
            let _ = writeln!(
                body,
                "lz4framed CLI at {} does not work yet (`compress IN OUT` failed or wrote a frame \
                 that does not decode): only the `lz4` tool is timed.\n",
                bin.display()
            );
            None
        }
        (None, _) => {
            body.push_str(
                "lz4framed CLI not built (`cargo build --release --bin lz4framed`, or set \
                 LZ4FRAMED_CLI): only the `lz4` tool is timed.\n\n",
            );
            None
        }
    };
    if ours.is_none() {
        summary.push(SummaryRow::na(
            "CLI compress/decompress vs lz4 1.9.4",
            TARGET,
            "CLI not working yet",
        ));
    }
    let _ = writeln!(
        body,
        "Input: the corpus files concatenated ({:.1} MB) in a temporary file; `lz4 -1 -f -q IN \
         OUT` / `lz4 -d -f -q IN OUT` against `lz4framed compress -q -f IN OUT` / `lz4framed \
         decompress -q -f IN OUT` (the CLI's defaults are the lz4 tool's: level 1, 4 MiB independent \
         blocks, content checksum; its threads default to all cores, so it is also timed with \
         `-T1`); both decompress the lz4 tool's file. {} interleaved rounds; the ratios are \
         taken within each round (the runs of a round saw about the same background load) and \
         their median kept.\n",
        data.len() as f64 / 1e6,
        if opts.full { 9 } else { 5 }
    );
    body.push_str(
        "The `lz4` personality (#18) is the same binary called through a link named `lz4`, \
         given the lz4 tool's own command lines (`lz4 -1 -f -q IN OUT`, `lz4 -d -f -q IN OUT`): \
         with its default threads (lz4 1.10's automatic count: cores - 1 - cores/8, at least \
         1), with `-T1` and with `-T2`.\n\n",
    );
    body.push_str(
        "| operation | tool | wall s (median) | MB/s | × lz4 (median of rounds) |\n\
         |---|---|---:|---:|---:|\n",
    );
    let rounds = if opts.full { 9 } else { 5 };
    // The personality: a link named `lz4` to our binary.
    let link = ours.as_ref().and_then(|bin| {
        let dir = tmp.path("personality");
        std::fs::create_dir_all(&dir).ok()?;
        let link = dir.join("lz4");
        #[cfg(unix)]
        std::os::unix::fs::symlink(bin, &link).ok()?;
        #[cfg(not(unix))]
        std::fs::copy(bin, &link).ok()?;
        Some(link)
    });
    // [compress, decompress][lz4, ours (all cores), ours -T1, personality (default threads),
    // personality -T1, personality -T2][round]: wall seconds, NaN where a run failed.
    let mut times = vec![vec![vec![f64::NAN; rounds]; 6]; 2];
    // Compression first: decompression reads the lz4 tool's output.
    let ops = [
        (["-1", "-f", "-q"], "compress", &input, &lz4_out, &ours_out),
        (
            ["-d", "-f", "-q"],
            "decompress",
            &lz4_out,
            &lz4_back,
            &ours_back,
        ),
    ];
    for round in 0..rounds {
        for (row, (lz4_args, sub, src, lz4_dst, ours_dst)) in times.iter_mut().zip(&ops) {
            row[0][round] = time_into(lz4_dst, Command::new("lz4").args(lz4_args).arg(src));
            if let Some(bin) = &ours {
                for (k, threads) in [(1, "-T0"), (2, "-T1")] {
                    row[k][round] = time_into(
                        ours_dst,
                        Command::new(bin).args([*sub, "-q", "-f", threads]).arg(src),
                    );
                }
            }
            if let Some(link) = &link {
                for (k, threads) in [(3, None), (4, Some("-T1")), (5, Some("-T2"))] {
                    row[k][round] = time_into(
                        ours_dst,
                        Command::new(link).args(lz4_args).args(threads).arg(src),
                    );
                }
            }
        }
    }
    if ours.is_some() {
        let same = std::fs::read(&ours_back)
            .map(|b| b == data)
            .unwrap_or(false);
        if !same {
            body.push_str(
                "**Warning:** lz4framed's decompressed output differs from the input.\n\n",
            );
        }
    }
    let ok = |t: &[f64]| t.iter().all(|x| x.is_finite());
    for (op, row) in ["compress", "decompress"].iter().zip(&times) {
        let tools = [
            "lz4 1.9.4",
            "lz4framed (all cores)",
            "lz4framed -T1",
            "`lz4` personality (default threads)",
            "`lz4` personality -T1",
            "`lz4` personality -T2",
        ];
        let x_lz4 = |i: usize| median_ratio(&row[0], &row[i]);
        for (i, tool) in tools.iter().enumerate() {
            if !ok(&row[i]) {
                continue;
            }
            let t = median(row[i].iter().copied());
            let _ = writeln!(
                body,
                "| {op} | {tool} | {t:.3} | {} | {:.2} |",
                f_mbps(mbps(data.len(), t)),
                x_lz4(i)
            );
        }
        if ours.is_some() && ok(&row[0]) && ok(&row[1]) && ok(&row[2]) {
            let (r, r1) = (x_lz4(1), x_lz4(2));
            summary.push(SummaryRow::new(
                format!("CLI {op} vs lz4 1.9.4 (whole process), default threads and -T1"),
                TARGET,
                format!("{r:.2} × (-T1: {r1:.2} ×)"),
                Some(r >= 1.0 && r1 >= 1.0),
            ));
        }
        if ok(&row[0]) && ok(&row[3]) && ok(&row[4]) && ok(&row[5]) {
            let (r, r1, r2) = (x_lz4(3), x_lz4(4), x_lz4(5));
            summary.push(SummaryRow::new(
                format!("`lz4` personality {op} vs lz4 1.9.4 (whole process)"),
                TARGET,
                format!("{r:.2} × (-T1: {r1:.2} ×, -T2: {r2:.2} ×)"),
                Some(r >= 1.0 && r1 >= 1.0 && r2 >= 1.0),
            ));
        }
    }
    if let Some(bin) = &ours {
        cli_threads(
            bin,
            rounds,
            data.len(),
            &input,
            &lz4_out,
            tmp,
            body,
            summary,
        );
    }
}

/// The CLI's 2-thread whole process against its machine ceiling: `-T1`, `-T2`, and two `-T1`
/// processes at once (each with its own output), interleaved, for compression and for
/// decompression (file to file).
#[allow(clippy::too_many_arguments)]
fn cli_threads(
    bin: &Path,
    rounds: usize,
    len: usize,
    input: &Path,
    compressed: &Path,
    tmp: &TempDir,
    body: &mut String,
    summary: &mut Vec<SummaryRow>,
) {
    let _ = writeln!(
        body,
        "\nThreads, whole process: `lz4framed compress|decompress -q -f -T1` and `-T2`, and \
         the machine's ceiling for two threads in the same run: two `-T1` processes at once, \
         each on the whole file with its own output (compression of the input above, \
         decompression of the lz4 tool's file; {rounds} interleaved rounds, ratios taken \
         within each round, medians). Target: 2 threads ≥ 0.95 of the ceiling.\n\n\
         | operation | run | wall s (median) | MB/s | × -T1 | ÷ ceiling |\n\
         |---|---|---:|---:|---:|---:|"
    );
    for (sub, src) in [("compress", input), ("decompress", compressed)] {
        let outs = [tmp.path("t-a"), tmp.path("t-b"), tmp.path("t-c")];
        let run = |threads: &str| {
            let mut c = Command::new(bin);
            c.args([sub, "-q", "-f", threads]).arg(src);
            c
        };
        // [T1, T2, pair][round]
        let mut t: Vec<Vec<f64>> = (0..3).map(|_| Vec::with_capacity(rounds)).collect();
        for round in 0..rounds {
            let mut this_round = [f64::NAN; 3];
            for k in 0..3 {
                let i = (k + round) % 3;
                this_round[i] = match i {
                    0 => time_into(&outs[0], &mut run("-T1")),
                    1 => time_into(&outs[0], &mut run("-T2")),
                    _ => {
                        let _ = std::fs::remove_file(&outs[1]);
                        let _ = std::fs::remove_file(&outs[2]);
                        time_pair(run("-T1").arg(&outs[1]), run("-T1").arg(&outs[2]))
                            // The pair did the work twice.
                            .map_or(f64::NAN, |s| s / 2.0)
                    }
                };
            }
            for (case, secs) in t.iter_mut().zip(this_round) {
                case.push(secs);
            }
        }
        for o in &outs {
            let _ = std::fs::remove_file(o);
        }
        if !t.iter().all(|r| r.iter().all(|x| x.is_finite())) {
            let _ = writeln!(body, "| {sub} | failed | | | | |");
            continue;
        }
        let names = ["-T1", "-T2", "ceiling: two -T1 processes at once"];
        for (i, name) in names.iter().enumerate() {
            let m = median(t[i].iter().copied());
            let _ = writeln!(
                body,
                "| {sub} | {name} | {m:.3} | {} | {:.2} | {:.2} |",
                f_mbps(mbps(len, m)),
                median_ratio(&t[0], &t[i]),
                median_ratio(&t[2], &t[i])
            );
        }
        let frac = median_ratio(&t[2], &t[1]);
        summary.push(SummaryRow::new(
            format!("CLI 2-thread {sub} vs the machine's ceiling (whole process)"),
            "≥ 0.95 of the ceiling",
            format!(
                "{frac:.2} (-T2 {:.2} × -T1; ceiling {:.2} ×)",
                median_ratio(&t[0], &t[1]),
                median_ratio(&t[0], &t[2])
            ),
            Some(frac >= 0.95),
        ));
    }
}

/// Runs two commands at once (no stdin/stdout); the wall time until both have ended, if both
/// succeeded.
fn time_pair(a: &mut Command, b: &mut Command) -> Option<f64> {
    let start = Instant::now();
    let spawn = |c: &mut Command| {
        c.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    };
    let (mut pa, mut pb) = (spawn(a).ok()?, spawn(b).ok()?);
    let (sa, sb) = (pa.wait().ok()?, pb.wait().ok()?);
    (sa.success() && sb.success()).then(|| start.elapsed().as_secs_f64())
}

/// A temporary folder, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("lz4framed-report-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
