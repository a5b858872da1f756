//! `lz4framed backends`: the backends of this build, the CPU features detected, what Auto
//! picks.

use std::fmt::Write as _;
use std::io::Write;

use super::errors::{CliError, CliResult, Exit};

/// The CPU features relevant to the backends, with whether this CPU has them.
pub fn cpu_features() -> Vec<(&'static str, bool)> {
    #[allow(unused_mut)]
    let mut v = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        v.push(("sse2", std::arch::is_x86_feature_detected!("sse2")));
        v.push(("ssse3", std::arch::is_x86_feature_detected!("ssse3")));
        v.push(("sse4.1", std::arch::is_x86_feature_detected!("sse4.1")));
        v.push(("avx2", std::arch::is_x86_feature_detected!("avx2")));
        v.push(("bmi2", std::arch::is_x86_feature_detected!("bmi2")));
        v.push(("avx512f", std::arch::is_x86_feature_detected!("avx512f")));
        v.push(("avx512bw", std::arch::is_x86_feature_detected!("avx512bw")));
    }
    #[cfg(target_arch = "aarch64")]
    {
        v.push(("neon", std::arch::is_aarch64_feature_detected!("neon")));
    }
    v
}

/// Run `backends`.
pub fn run() -> CliResult<Exit> {
    let mut out = String::new();
    let _ = writeln!(out, "Backends:");
    for b in lz4framed::backends() {
        if b.available {
            let _ = writeln!(
                out,
                "  {:<5} available    codec {:<12} levels {}..={}{}",
                b.backend.as_str(),
                b.name,
                b.levels.start(),
                b.levels.end(),
                match (b.chosen_by_auto, b.chosen_by_auto_for_compression) {
                    (true, true) => "  <- auto",
                    (true, false) => "  <- auto (decompression)",
                    (false, true) => "  <- auto (compression)",
                    (false, false) => "",
                }
            );
        } else {
            let _ = writeln!(
                out,
                "  {:<5} unavailable  ({})",
                b.backend.as_str(),
                b.unavailable_reason.unwrap_or("unknown reason")
            );
        }
    }
    let features = cpu_features();
    let _ = write!(out, "CPU ({}):", std::env::consts::ARCH);
    if features.is_empty() {
        out.push_str(" no features checked on this architecture");
    }
    for (name, has) in features {
        let _ = write!(out, " {}{name}", if has { "+" } else { "-" });
    }
    out.push('\n');
    match lz4framed::Backend::Auto.codec() {
        Ok(c) => {
            let compress = lz4framed::backends()
                .into_iter()
                .find(|b| b.chosen_by_auto_for_compression)
                .map_or(c.name(), |b| b.name);
            let _ = write!(
                out,
                "Auto picks: {} to decompress, {} to compress",
                c.name(),
                compress
            );
        }
        Err(e) => {
            let _ = write!(out, "Auto picks nothing: {e}");
        }
    }
    match std::env::var("LZ4FRAMED_BACKEND") {
        Ok(v) if !v.trim().is_empty() => {
            let _ = writeln!(out, " (LZ4FRAMED_BACKEND={v})");
        }
        _ => {
            let _ = writeln!(out, " (at level 1; for another level the first codec that has it; LZ4FRAMED_BACKEND=c|rust|simd overrides)");
        }
    }
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(|e| CliError::output("stdout", &e))?;
    Ok(Exit::Ok)
}
