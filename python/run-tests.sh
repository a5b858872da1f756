#!/usr/bin/env bash
# Build the Python package in a virtual environment and run its lints and tests.
#
#   python/run-tests.sh            (from anywhere; the README's test command runs it last)
#
# The virtual environment is created on first use, in $LZ4FRAMED_VENV (default:
# $CARGO_TARGET_DIR/venv, or target/venv), and gets python/requirements-test.txt from PyPI.
# The package is built by `pip install ./python` (maturin as the PEP 517 backend), as a user
# would install it. The Python crate lives outside the root workspace (a PyO3 extension module
# cannot link the workspace's test binaries), so its cargo fmt and clippy run here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
venv="${LZ4FRAMED_VENV:-${CARGO_TARGET_DIR:-$repo/target}/venv}"

if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q -r "$here/requirements-test.txt"

echo "== python: format and lint"
(cd "$here" && cargo fmt -- --check && cargo clippy --all-targets -q -- -D warnings)
"$venv/bin/python" -m ruff check "$here"
"$venv/bin/python" -m ruff format --check -q "$here"
# The pure-Python modules type-check against the native module's stub (the package ships
# py.typed, so users' type checkers read both).
"$venv/bin/python" -m mypy --cache-dir=/dev/null "$here/lz4framed"

echo "== python: build and install (pip install ./python)"
PATH="$venv/bin:$PATH" "$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$here"

echo "== python: the stub against the built module (mypy's stubtest)"
(cd / && "$venv/bin/python" -m mypy.stubtest lz4framed)

echo "== python: tests"
cd "$repo"
"$venv/bin/python" -c "import lz4framed; print('lz4framed', lz4framed.__version__, 'backend', lz4framed.BACKEND, 'LZ4', lz4framed.LZ4_VERSION)"
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$here/tests"
