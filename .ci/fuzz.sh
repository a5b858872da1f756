#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for a bounded time (AddressSanitizer, cargo-fuzz's default) and
# fails on any finding. Called by .ci/run; skips (exit 0, with a message) without a nightly
# toolchain. Installs cargo-fuzz if it is missing.
#
#   FUZZ_SECONDS=40 .ci/fuzz.sh            # seconds per target (default 40)
#   FUZZ_TARGETS="frame_decode_diff" .ci/fuzz.sh
#   LZ4FRAMED_FUZZ_ALLOW_KNOWN=1 .ci/fuzz.sh  # let the open findings of fuzz/README.md pass
#
# New inputs go to fuzz/work/<target>/ (ignored by git); the committed seeds in
# fuzz/corpus/<target>/ and fuzz/regressions/<target>/ are read, never written. A crash leaves
# its input in fuzz/artifacts/<target>/.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-40}"

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzz.sh: no nightly toolchain: skipping the fuzz runs (the stable corpus replay in" \
        "'cargo test --manifest-path fuzz/Cargo.toml' still runs)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

targets="${FUZZ_TARGETS:-$(cd fuzz && cargo +nightly fuzz list)}"
cargo +nightly fuzz build --fuzz-dir fuzz --features libfuzzer

# -detect_leaks=0: frame_decode_diff/deep decode with parallel::decompress_stream, whose worker
# threads free their thread-local state (std's channel context, glibc's destructor list) as
# they exit, racing with libFuzzer's per-input leak check: LeakSanitizer then reports those
# allocations as leaks (seen with two different sites). Leaks are not what the targets look
# for (panics, out-of-bounds access, hangs, unbounded allocation via -rss_limit_mb are).
failed=()
for t in $targets; do
    mkdir -p "fuzz/work/$t"
    seeds=("fuzz/corpus/$t")
    [ -d "fuzz/regressions/$t" ] && seeds+=("fuzz/regressions/$t")
    echo "fuzz.sh: $t for ${seconds}s"
    log="fuzz/work/$t.log"
    if cargo +nightly fuzz run --fuzz-dir fuzz --features libfuzzer "$t" "fuzz/work/$t" "${seeds[@]}" -- \
        -max_total_time="$seconds" -jobs=1 -workers=1 -rss_limit_mb=4096 -timeout=60 -detect_leaks=0 \
        -print_final_stats=1 >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|Done [0-9]+ runs' "$log" | tail -1 || true
    else
        echo "fuzz.sh: FINDING in $t (input in fuzz/artifacts/$t/); log tail:"
        tail -40 "$log"
        failed+=("$t")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: findings in: ${failed[*]}"
    exit 1
fi
echo "fuzz.sh: no findings"
