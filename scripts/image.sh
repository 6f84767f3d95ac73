#!/usr/bin/env bash
# Builds idpool's container image with podman (or docker):
#   scripts/image.sh [TAG]        default TAG: idpool:dev
# The binary is scripts/build.sh's: static, stamped and reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-idpool:dev}"
engine="${CONTAINER_ENGINE:-$(command -v podman || command -v docker || true)}"
[ -n "$engine" ] || { echo "image.sh: no podman or docker" >&2; exit 1; }
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
scripts/build.sh "linux/$(go env GOARCH)" "$ctx/idpool"
mkdir -p "$ctx/data" && chmod 700 "$ctx/data"
args=(build -q -f Containerfile -t "$tag")
# podman: docker format keeps HEALTHCHECK; cgroupfs and runc work on hosts
# where systemd's cgroup manager or crun does not (see docs/containers.md).
if [[ "$(basename "$engine")" == podman ]]; then
  args=(--cgroup-manager cgroupfs --runtime runc "${args[@]}" --format docker)
fi
"$engine" "${args[@]}" "$ctx" >/dev/null
echo "$tag"
