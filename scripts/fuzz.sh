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
      # go's fuzzing engine sometimes ends a short run with "context
      # deadline exceeded" from its own shutdown, writing no failing input;
      # only that case is tried once more. A real failure writes its input
      # under testdata/fuzz and fails at once.
      if ! out=$(cd "$dir" && go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" . 2>&1); then
        echo "$out"
        if grep -q "Failing input written" <<<"$out" || ! grep -q "context deadline exceeded" <<<"$out"; then
          exit 1
        fi
        echo "fuzz: $target: the engine's shutdown timed out, with no failing input; once more"
        (cd "$dir" && go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" .)
      else
        echo "$out"
      fi
      count=$((count + 1))
    done
  done
done
echo "fuzz: $count targets ran for $fuzztime each"
