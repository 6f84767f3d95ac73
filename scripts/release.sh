#!/usr/bin/env bash
# make release: static idpool binaries for linux, darwin and windows on amd64
# and arm64 into dist/, with SHA256SUMS.
#   scripts/release.sh            build dist/
#   scripts/release.sh --verify   then build everything again from a copy of
#                                 the tree at another path with an empty Go
#                                 build cache, and fail unless every byte matches
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)

# The stamps are fixed once, so a verify build of a copy (no .git) gets the same.
export VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
export COMMIT="${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
export DATE="${DATE:-$(git log -1 --format=%cI 2>/dev/null || echo unknown)}"

build_all() { # DIR
  rm -rf "$1" && mkdir -p "$1"
  for t in "${targets[@]}"; do
    name="idpool-$VERSION-${t%/*}-${t#*/}"
    [[ "$t" == windows/* ]] && name="$name.exe"
    scripts/build.sh "$t" "$1/$name"
  done
  (cd "$1" && sha256sum idpool-* > SHA256SUMS)
}

build_all dist
echo "release $VERSION ($COMMIT, $DATE):"
cat dist/SHA256SUMS

if [[ "${1:-}" == --verify ]]; then
  tmp="$(mktemp -d)"
  trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
  mkdir "$tmp/src"
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$tmp/src"
  (cd "$tmp/src" && export GOCACHE="$tmp/gocache" && build_all "$tmp/dist")
  if diff dist/SHA256SUMS "$tmp/dist/SHA256SUMS"; then
    echo "verified: a second build from $tmp/src with an empty build cache gave the same bytes"
  else
    echo "release.sh: NOT reproducible: the second build differs (above)" >&2
    exit 1
  fi
fi
