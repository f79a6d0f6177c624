#!/usr/bin/env bash
# Runs every fuzz target of every module for $FUZZTIME each. go test -fuzz
# takes one target in one package at a time, so the targets are listed first.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-3s}
count=0
for mod in $(go list -m -f '{{.Dir}}'); do
  for pkg in $(cd "$mod" && go list ./...); do
    dir=$(cd "$mod" && go list -f '{{.Dir}}' "$pkg")
    for target in $(cd "$dir" && go test -list '^Fuzz' . | grep '^Fuzz' || true); do
      echo "fuzz: $pkg $target ($fuzztime)"
      (cd "$dir" && go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" .)
      count=$((count + 1))
    done
  done
done
echo "fuzz: $count targets ran for $fuzztime each"
