#!/bin/sh
# Copies the screenshots the browser tests wrote (test-results/screenshots/, ignored) into
# docs/screenshots/ (tracked). Run the browser tests first; only images that exist are copied,
# so a partial run refreshes just the pages it covered.
set -eu
cd "$(dirname "$0")/.."
src=test-results/screenshots
if [ ! -d "$src" ] || [ -z "$(ls "$src"/*.png 2>/dev/null)" ]; then
  echo "no screenshots in $src: run the browser tests first (npx vitest run apps/web/test)" >&2
  exit 1
fi
mkdir -p docs/screenshots
cp "$src"/*.png docs/screenshots/
echo "copied $(ls "$src"/*.png | wc -l) screenshots to docs/screenshots/"
