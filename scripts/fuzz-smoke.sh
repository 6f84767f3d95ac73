#!/usr/bin/env bash
# Runs every Go fuzz target of the repository (func FuzzX in an
# internal/*/fuzz_test.go) for a short time each, one target per `go test`
# invocation, and fails when any target fails. A failing input is written
# to the package's testdata/fuzz/FuzzX/ directory: fix the bug, keep the file
# (go test then replays it as a regression case).
#
#   scripts/fuzz-smoke.sh                  # smoke: 15s per target
#   FUZZTIME=10m scripts/fuzz-smoke.sh     # long run: 10 minutes per target
#
# FUZZTIME is per target (a duration such as 8s or 10m, or Nx for N inputs).
# FUZZJOBS targets run at once (default 2, one fuzzing worker each), so the
# fixed cost of building and setting up each target overlaps.
# FUZZONLY is a regular expression that selects targets by "./PKG FuzzX".
# FUZZMINIMIZETIME bounds the minimization of each new input (default 1x:
# smoke runs fuzz rather than minimize; use e.g. 30s for long runs).
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-15s}"
jobs="${FUZZJOBS:-2}"
minimize="${FUZZMINIMIZETIME:-1x}"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

targets=()
for file in internal/*/fuzz_test.go; do
  for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
    t="./$(dirname "$file") $target"
    if [[ "$t" =~ ${FUZZONLY:-.} ]]; then targets+=("$t"); fi
  done
done

# run PKG TARGET LOG: one fuzz target; the exit status is go test's.
run() {
  go test -count=1 -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" \
    -parallel 1 "$1" >"$3" 2>&1
}

pids=()
for i in "${!targets[@]}"; do
  read -r pkg target <<<"${targets[$i]}"
  echo "fuzz-smoke: $pkg $target for $fuzztime"
  run "$pkg" "$target" "$logs/$i" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.2; done
done

failed=0
# hiccup LOG: the run failed only because the fuzzing deadline passed while
# the go command was still busy (the bare "context deadline exceeded" the
# Go fuzzer reports, with no failing input and no panic); such a target is
# run once more, and a second failure of any kind counts.
hiccup() {
  grep -q '^    context deadline exceeded$' "$1" && ! grep -q 'Failing input written\|panic:\|--- FAIL: .*/' "$1"
}

for i in "${!targets[@]}"; do
  status=0
  wait "${pids[$i]}" || status=$?
  if [ "$status" -ne 0 ] && hiccup "$logs/$i"; then
    echo "${targets[$i]}: the fuzzer ended on its deadline without a finding; running it again" >&2
    read -r pkg target <<<"${targets[$i]}"
    status=0
    run "$pkg" "$target" "$logs/$i" || status=$?
  fi
  if [ "$status" -eq 0 ]; then
    # The last progress line has the total of executions.
    execs=$(grep -o 'execs: [0-9]*' "$logs/$i" | tail -n 1 | tr -dc 0-9 || true)
    echo "${targets[$i]}: ok, ${execs:-0} inputs in $fuzztime"
  else
    failed=$((failed + 1))
    echo "${targets[$i]}: FAILED" >&2
    grep -v ' INFO ' "$logs/$i" | tail -n 40 >&2 || true
  fi
done
if [ "$failed" -gt 0 ]; then
  echo "fuzz-smoke: $failed of ${#targets[@]} targets failed" >&2
  exit 1
fi
echo "fuzz-smoke: ${#targets[@]} targets passed ($fuzztime each)"
