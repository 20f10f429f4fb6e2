#!/usr/bin/env bash
# The Go bindings, run: builds main.go against dist/go (npm run package:go) and runs it.
set -euo pipefail
cd "$(dirname "$0")"
[ -f ../../dist/go/cdkeventbridgeblueprints/go.mod ] || { echo "no Go module in dist/go: run 'npm run package:go' first" >&2; exit 1; }
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
go mod tidy
go run .
