#!/usr/bin/env bash
# npm run package [-- --target TARGET]: builds release bundles (minified, no source maps) and packs
# a platform-specific .vsix with vsce (`vsce package --target`); .vscodeignore keeps it to what VS
# Code loads. Prints the file, its target and its size.
#
# The .vsix carries keytar's native module as built by `npm ci` on this machine, so it is specific
# to this machine's platform: TARGET defaults to it (linux-x64 here) and another target is
# refused — build each target on (or in a CI job for) that platform, e.g. linux-arm64, darwin-arm64,
# win32-x64. The file is esc-local-VERSION.vsix for this machine's target (what `npm run demo` and
# `npm run test:e2e:vsix` install) and esc-local-VERSION-TARGET.vsix with --target.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(node -p '`${process.platform === "win32" ? "win32" : process.platform}-${process.arch}`')
target=$host
named=0
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target=${2:?--target needs a value (e.g. linux-x64)}; named=1; shift 2 ;;
    *) echo "package: unknown argument '$1' (usage: npm run package [-- --target TARGET])" >&2; exit 2 ;;
  esac
done
if [ "$target" != "$host" ]; then
  echo "package: cannot build $target here: keytar's native module in node_modules is built for $host; run this on a $target machine" >&2
  exit 2
fi
npx tsc -b
ESC_BUNDLE_MINIFY=1 node scripts/bundle.mjs
version=$(node -p 'require("./package.json").version')
if [ "$named" = 1 ]; then out="esc-local-$version-$target.vsix"; else out="esc-local-$version.vsix"; fi
# --allow-missing-repository / --skip-license / --no-rewrite-relative-links: a local package has no
# repository URL to link to; the README's images it shows are packed beside it (.vscodeignore).
npx vsce package --target "$target" --no-update-package-json --allow-missing-repository --skip-license --no-rewrite-relative-links --out "$out"
# The manifest must name the target (VS Code refuses a package for another platform).
python3 -c 'import sys,zipfile; m=zipfile.ZipFile(sys.argv[1]).read("extension.vsixmanifest").decode(); sys.exit(0 if f"TargetPlatform=\"{sys.argv[2]}\"" in m else 1)' "$out" "$target" \
  || { echo "package: $out does not declare TargetPlatform=\"$target\"" >&2; exit 1; }
echo "$out ($target): $(du -h "$out" | cut -f1) ($(stat -c %s "$out") bytes)"
