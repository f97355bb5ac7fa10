#!/usr/bin/env bash
# npm run package: builds release bundles (minified, no source maps) and packs the .vsix with
# vsce; .vscodeignore keeps it to what VS Code loads. Prints the file and its size.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -b
ESC_BUNDLE_MINIFY=1 node scripts/bundle.mjs
version=$(node -p 'require("./package.json").version')
out="esc-local-$version.vsix"
# --allow-missing-repository / --skip-license / --no-rewrite-relative-links: a local package has no
# repository URL to link to; the README's images it shows are packed beside it (.vscodeignore).
npx vsce package --no-update-package-json --allow-missing-repository --skip-license --no-rewrite-relative-links --out "$out"
echo "$out: $(du -h "$out" | cut -f1) ($(stat -c %s "$out") bytes)"
