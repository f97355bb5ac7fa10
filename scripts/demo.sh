#!/usr/bin/env bash
# `npm run demo` — the README's first command. Sets this machine up (idempotently: Debian
# packages, npm dependencies, the offline VS Code host, build, .vsix) and runs the extension in a
# real VS Code (code-server, opened in your browser) on a scratch copy of examples/, with the
# local AWS endpoint (test/aws) standing in for AWS and the managing credentials in a private
# keychain, so ESC: Rotate Secrets works out of the box. Ctrl-C stops everything.
#
#   npm run demo                  prints the URL to open
#   npm run demo -- --check       starts everything, verifies it headlessly (workbench in
#                                 Chromium, Rotate Secrets through the UI, CLI rotations), stops;
#                                 exit 0 when all of it worked, 1 otherwise
#
# Environment:
#   HOST=127.0.0.1 PORT=8080   where code-server listens (with --check: a free port unless PORT
#                              is set). Off loopback it asks for a password, printed below the URL.
#   DEMO_CHECK=1               same as --check
#   DEMO_SKIP_SETUP=1          install and build nothing; use what is there (tests use this)
#   DEMO_EXTENSION=vsix|link   install the packaged .vsix (default), or link the checkout as the
#                              installed extension (rebuild + "Developer: Reload Window" to iterate)
#   DEMO_KEEP=1                keep the scratch folder (workspace copy, logs) after stopping
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
CHECK=${DEMO_CHECK:-0}
for arg in "$@"; do
  case "$arg" in
    --check) CHECK=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
START=$(date +%s)
say() { echo "[demo $(( $(date +%s) - START ))s] $*"; }

# The Debian packages .ci/run installs: keytar's build (libsecret), the Secret Service
# (gnome-keyring, dbus), Chromium for --check and the e2e tests, code-server's native modules.
APT_PACKAGES=(build-essential python3 pkg-config libsecret-1-dev libkrb5-dev gnome-keyring dbus-x11 chromium neovim curl)

install_apt_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "apt: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

# node_modules matches package-lock.json when npm's own record of the tree
# (node_modules/.package-lock.json) has every locked package at the locked version.
node_modules_current() {
  node -e '
    const fs = require("fs");
    const want = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
    const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
    const stale = Object.entries(want).filter(([p, w]) => p !== "" && !w.optional && have[p]?.version !== w.version);
    process.exit(stale.length === 0 && fs.existsSync("node_modules/keytar/build/Release/keytar.node") ? 0 : 1);
  ' 2>/dev/null
}

has_npm_script() { node -e 'process.exit(require("./package.json").scripts?.[process.argv[1]] ? 0 : 1)' "$1"; }

EXTENSION_MODE=${DEMO_EXTENSION:-vsix}
case "$EXTENSION_MODE" in vsix | link) ;; *) echo "demo: DEMO_EXTENSION must be vsix or link" >&2; exit 2 ;; esac
if [ "$EXTENSION_MODE" = vsix ] && ! has_npm_script package; then
  say "no 'npm run package' script: linking the checkout as the extension instead of a .vsix"
  EXTENSION_MODE=link
fi
VSIX=""

if [ "${DEMO_SKIP_SETUP:-0}" != 1 ]; then
  install_apt_packages
  if node_modules_current; then say "npm dependencies up to date"; else say "npm ci"; npm ci --no-audit --no-fund; fi
  bash scripts/setup-vscode-host.sh
  say "build"
  npm run --silent build
  if [ "$EXTENSION_MODE" = vsix ]; then
    say "package the .vsix"
    package_log=$(mktemp)
    npm run --silent package > "$package_log" 2>&1 || { cat "$package_log"; rm -f "$package_log"; exit 1; }
    tail -1 "$package_log"
    rm -f "$package_log"
  fi
fi
if [ "$EXTENSION_MODE" = vsix ]; then
  VSIX="$REPO/esc-local-$(node -p 'require("./package.json").version').vsix"
  [ -f "$VSIX" ] || { echo "demo: $VSIX is missing: run npm run package (or DEMO_EXTENSION=link)" >&2; exit 1; }
fi
for built in out/test/aws/main.js out/test/demo/seed.js out/test/demo/browserCheck.js dist/cli.js dist/extension.js dist/server.js; do
  [ -f "$built" ] || { echo "demo: $built is missing: run npm run build" >&2; exit 1; }
done

HOST=${HOST:-127.0.0.1}
if [ -z "${PORT:-}" ] && [ "$CHECK" = 1 ]; then
  PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
fi
PORT=${PORT:-8080}
node -e '
  const [host, port] = process.argv.slice(1);
  const s = require("net").createServer();
  s.once("error", e => { console.error(`demo: cannot listen on ${host}:${port} (${e.code}): choose another with PORT=… (or HOST=…)`); process.exit(1); });
  s.listen(Number(port), host, () => s.close());
' "$HOST" "$PORT"

# Everything the run creates (workspace copy, code-server profile, "AWS" state, logs) lives here.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/esc-local-demo.XXXXXX")
chmod 700 "$SCRATCH"

# The session runs in the background so that this shell can forward Ctrl-C / SIGTERM to it
# (dbus-run-session does not pass signals on); it writes its pid to $SCRATCH/run.pid.
ESC_DEMO_SCRATCH=$SCRATCH ESC_DEMO_CHECK=$CHECK ESC_DEMO_HOST=$HOST ESC_DEMO_PORT=$PORT ESC_DEMO_VSIX=$VSIX \
  ESC_DEMO_START=$START bash scripts/with-keyring.sh bash scripts/demo-session.sh &
SESSION=$!
stop_session() {
  local pid="" _
  # The session writes its pid first thing; a Ctrl-C right at the start waits for it briefly.
  for _ in $(seq 30); do
    pid=$(cat "$SCRATCH/run.pid" 2>/dev/null || true)
    [ -z "$pid" ] && kill -0 "$SESSION" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; else kill -TERM "$SESSION" 2>/dev/null || true; fi
}
trap 'stop_session; INTERRUPTED=130' INT
trap 'stop_session; INTERRUPTED=143' TERM HUP
INTERRUPTED=0
RC=0
# `wait` returns early when a trapped signal arrives; keep waiting until the session has cleaned up.
while :; do
  wait "$SESSION" && RC=0 || RC=$?
  kill -0 "$SESSION" 2>/dev/null || break
done
[ "$INTERRUPTED" = 0 ] || RC=$INTERRUPTED
if [ "${DEMO_KEEP:-0}" = 1 ] || { [ "$CHECK" = 1 ] && [ "$RC" != 0 ]; }; then
  say "scratch folder kept: $SCRATCH"
else
  rm -rf "$SCRATCH"
fi
exit "$RC"
