#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring Secret
# Service, so keytar talks to a real OS keychain (tests and the demo use it; users have their own).
set -euo pipefail
KR=$(mktemp -d)
mkdir -p "$KR/data" "$KR/run"; chmod 700 "$KR/run"
export XDG_DATA_HOME="$KR/data" XDG_RUNTIME_DIR="$KR/run"
exec dbus-run-session -- sh -c '
  printf %s "${KEYRING_PASSWORD:-test}" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' sh "$@"
