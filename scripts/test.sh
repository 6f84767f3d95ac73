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
trap 'kill ${minio_pid:-} 2>/dev/null || true; rm -rf "$bindir"' EXIT
CGO_ENABLED=0 go build -trimpath -o "$bindir/idpool" ./cmd/idpool
export IDPOOL_TEST_BINARY="$bindir/idpool"

# A real MinIO for test/e2e/operators (idpool as MinIO's OpenID provider and
# external STS). MinIO is a Go module, not a Debian or npm package: it is
# built here from the module proxy, pinned (the last commit of the archived
# repository), at the lowest priority while the suite runs, so it takes only
# CPU the suite leaves idle. Its tests run after the suite; if it cannot be
# built in time (no proxy, a slow machine) they are skipped, saying so.
minio_module=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c
minio_pid=""
if [ -z "${IDPOOL_TEST_MINIO:-}" ]; then
  (GOBIN="$bindir/minio" nice -n 19 go install -trimpath "$minio_module" >"$bindir/minio.log" 2>&1 &&
    touch "$bindir/minio.ok") &
  minio_pid=$!
fi

go test -count=1 -timeout 20m -p 2 ./... 2>&1 | tee /tmp/idpool-test.log
status="${PIPESTATUS[0]}"
[ "$status" -eq 0 ] || exit "$status"

if [ -n "$minio_pid" ]; then
  for _ in $(seq 1 "${IDPOOL_MINIO_WAIT:-300}"); do
    kill -0 "$minio_pid" 2>/dev/null || break
    sleep 1
  done
  if [ -f "$bindir/minio.ok" ]; then
    export IDPOOL_TEST_MINIO="$bindir/minio/minio"
  else
    kill "$minio_pid" 2>/dev/null || true
    echo "test.sh: MinIO ($minio_module) could not be built in time; the real-MinIO tests are skipped:" >&2
    tail -5 "$bindir/minio.log" >&2 || true
  fi
fi
if [ -n "${IDPOOL_TEST_MINIO:-}" ]; then
  go test -count=1 -run 'MinIO' -v ./test/e2e/operators 2>&1 | tee -a /tmp/idpool-test.log
fi

# Fuzz smoke: every fuzz target for FUZZTIME (default 15s: the wire target spends its first ~8s replaying its seeds) each.
scripts/fuzz-smoke.sh
