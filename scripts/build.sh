#!/usr/bin/env bash
# Builds one static, stamped, reproducible idpool binary:
#   scripts/build.sh GOOS/GOARCH OUTPUT
# Stamps (idpool version) come from git unless VERSION, COMMIT and DATE are
# set. Reproducible: -trimpath drops the build directory, -buildvcs=false and
# an empty build id drop the rest that varies, and the date is the commit's,
# so the same source and Go toolchain give the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: scripts/build.sh GOOS/GOARCH OUTPUT}"
out="${2:?usage: scripts/build.sh GOOS/GOARCH OUTPUT}"
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
commit="${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
date="${DATE:-$(git log -1 --format=%cI 2>/dev/null || echo unknown)}"
pkg=github.com/idpool/idpool/internal/version
GOOS="${target%/*}" GOARCH="${target#*/}" CGO_ENABLED=0 GOFLAGS=-mod=readonly \
  go build -trimpath -buildvcs=false \
  -ldflags "-s -w -buildid= -X $pkg.Version=$version -X $pkg.Commit=$commit -X $pkg.Date=$date" \
  -o "$out" ./cmd/idpool
