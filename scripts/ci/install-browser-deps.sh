#!/usr/bin/env bash
# The real browser the webview and end-to-end suites drive: Debian's Chromium (playwright's own
# browser download does not work offline). Installs only what is missing.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
chromium --version
