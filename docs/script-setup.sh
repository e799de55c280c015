# Sourced by the docs/ scripts whose blocks README.md pastes (quickstart.sh,
# federation.sh): they run in WORK (default: a new temporary directory) with
# the binary TRIPLINE_BIN (default: ./tripline, built by
# `go build -o tripline ./cmd/tripline`) linked in as ./tripline.
set -eu
set -m   # job control, as in the interactive shell the README is pasted into: kill %1 stops a node
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(cd "$(dirname "${TRIPLINE_BIN:-$repo/tripline}")" && pwd)/$(basename "${TRIPLINE_BIN:-tripline}")
cd "${WORK:-$(mktemp -d)}"
echo "working in $(pwd)"
ln -s "$bin" tripline
# Whatever happens, no node is left running.
trap 'kill %1 %2 %3 2>/dev/null || true' EXIT
trap 'exit 1' INT TERM
