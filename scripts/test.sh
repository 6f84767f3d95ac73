#!/usr/bin/env bash
# The whole test suite. Installs what the tests need when it is missing
# (Debian's awscli, python3-boto3, chromium and postgresql; npm packages for
# the JavaScript tests), then runs gofmt, go vet and every Go test, which
# includes the end-to-end tests that drive a real idpool process.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v /usr/bin/aws >/dev/null 2>&1 || need+=(awscli)
/usr/bin/python3 -c 'import boto3' >/dev/null 2>&1 || need+=(python3-boto3)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
# podman (with runc) builds and runs the container image in test/e2e/container.
command -v podman >/dev/null 2>&1 || need+=(podman runc)
command -v runc >/dev/null 2>&1 || need+=(runc)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

for dir in test/js test/browser test/e2e/logins/cognito-local testcontainers/node test/cdk; do
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
# The root module and the Testcontainers module (its own go.mod, so
# idpool's does not carry testcontainers; test/e2e/container runs its tests).
for mod in . testcontainers/idpool; do
  (cd "$mod" && go vet ./...)
  # go.mod names exactly what the code imports.
  (cd "$mod" && go mod tidy -diff >/dev/null) || { echo "go mod tidy would change $mod/go.mod or go.sum" >&2; (cd "$mod" && go mod tidy -diff >&2); exit 1; }
done

# The suites use real clients: point them at Debian's tools explicitly.
export IDPOOL_TEST_AWS_CLI=/usr/bin/aws
export IDPOOL_TEST_PYTHON=/usr/bin/python3
export IDPOOL_TEST_CHROMIUM="$(command -v chromium)"
export IDPOOL_TEST_POSTGRES_BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -1)")"
export IDPOOL_TEST_NODE="$(command -v node)"
export IDPOOL_TEST_REQUIRE_ALL=1
# Screenshots of the console test (test/e2e/console) are kept here.
export IDPOOL_TEST_ARTIFACTS="${IDPOOL_TEST_ARTIFACTS:-/tmp/idpool-test-artifacts}"

# One idpool binary for every end-to-end suite (test/harness.Binary), built
# as they would build it: the suites need not link ~25 copies.
bindir="$(mktemp -d)"
trap 'rm -rf "$bindir"' EXIT
CGO_ENABLED=0 go build -trimpath -o "$bindir/idpool" ./cmd/idpool
export IDPOOL_TEST_BINARY="$bindir/idpool"

go test -count=1 -timeout 20m -p 2 ./... 2>&1 | tee /tmp/idpool-test.log
status="${PIPESTATUS[0]}"
[ "$status" -eq 0 ] || exit "$status"

# Fuzz smoke: every fuzz target for FUZZTIME (default 15s: the wire target spends its first ~8s replaying its seeds) each.
scripts/fuzz-smoke.sh
