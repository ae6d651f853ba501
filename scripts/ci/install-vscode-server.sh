#!/usr/bin/env bash
# What the end-to-end tests (test/e2e/run.mjs) need to run a real VS Code offline: the VS Code
# server bundled in the `code-server` npm package (VS Code 1.139), which requires Node 24, taken
# from the `node` npm package. Both go into a cached tools folder, OUTSIDE the project's
# dependencies (code-server would shadow `node` in npm scripts). Debian's libkrb5-dev is needed to
# build code-server's `kerberos` native module. Chromium comes from install-browser-deps.sh.
#
#   scripts/ci/install-vscode-server.sh            # installs into .tools/ (cache this folder in CI)
#   OCTET_TOOLS_DIR=/cache/octet-tools scripts/ci/install-vscode-server.sh
#
# Idempotent: does nothing when the pinned versions are already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOOLS="${OCTET_TOOLS_DIR:-$PWD/.tools}"
NODE_VERSION=24
CODE_SERVER_VERSION=4.139.1

if ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq libkrb5-dev >/dev/null
fi

NODE_DIR="$TOOLS/node$NODE_VERSION"
if [ ! -x "$NODE_DIR/node_modules/.bin/node" ]; then
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && echo '{"private":true}' > package.json && npm install --no-audit --no-fund --loglevel=error "node@$NODE_VERSION")
fi
NODE_BIN="$NODE_DIR/node_modules/.bin"
# The platform package holds Node's binary and its C++ headers (for native modules).
NODE_PLATFORM_DIR="$(find "$NODE_DIR/node_modules" -maxdepth 3 -type d \( -name 'node-linux-*' -o -name 'node-darwin-*' -o -name 'node-win-*' \) -print -quit)"
[ -n "$NODE_PLATFORM_DIR" ] && [ -d "$NODE_PLATFORM_DIR/include" ] || { echo "node@$NODE_VERSION has no platform package with headers under $NODE_DIR" >&2; exit 1; }
"$NODE_BIN/node" --version

CODE_SERVER_DIR="$TOOLS/code-server"
installed="$(sed -n 's/^ *"version": "\(.*\)".*/\1/p' "$CODE_SERVER_DIR/node_modules/code-server/package.json" 2>/dev/null | head -1 || true)"
if [ "$installed" != "$CODE_SERVER_VERSION" ] || [ ! -f "$CODE_SERVER_DIR/node_modules/code-server/lib/vscode/out/server-main.js" ]; then
  mkdir -p "$CODE_SERVER_DIR"
  (
    cd "$CODE_SERVER_DIR"
    echo '{"private":true}' > package.json
    export PATH="$NODE_BIN:$PATH"
    export npm_config_nodedir="$NODE_PLATFORM_DIR"
    JOBS=2 npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"
  )
fi
echo "VS Code server: $CODE_SERVER_DIR/node_modules/code-server/lib/vscode/out/server-main.js"
echo "Node 24: $NODE_BIN/node"
