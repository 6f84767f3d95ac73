#!/usr/bin/env bash
# Builds idpool's container image with podman (or docker):
#   scripts/image.sh [TAG]        default TAG: idpool:dev
# The binary is static (CGO_ENABLED=0), stamped with the version, commit and
# commit date, and built reproducibly (-trimpath, no build id).
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-idpool:dev}"
engine="${CONTAINER_ENGINE:-$(command -v podman || command -v docker || true)}"
[ -n "$engine" ] || { echo "image.sh: no podman or docker" >&2; exit 1; }
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
date="$(git log -1 --format=%cI 2>/dev/null || echo unknown)"
version="$(git describe --tags --always --dirty 2>/dev/null || echo dev)"
pkg=github.com/idpool/idpool/internal/version
CGO_ENABLED=0 go build -trimpath -buildvcs=false \
  -ldflags "-s -w -buildid= -X $pkg.Version=$version -X $pkg.Commit=$commit -X $pkg.Date=$date" \
  -o "$ctx/idpool" ./cmd/idpool
mkdir -p "$ctx/data" && chmod 700 "$ctx/data"
args=(build -q -f Containerfile -t "$tag")
# podman: docker format keeps HEALTHCHECK; cgroupfs and runc work on hosts
# where systemd's cgroup manager or crun does not (see docs/containers.md).
if [[ "$(basename "$engine")" == podman ]]; then
  args=(--cgroup-manager cgroupfs --runtime runc "${args[@]}" --format docker)
fi
"$engine" "${args[@]}" "$ctx" >/dev/null
echo "$tag"
