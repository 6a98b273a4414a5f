#!/usr/bin/env bash
# Installs Debian's chromium for the CLI's HTML report test (headless render + screenshot). Idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "ci-setup: installing chromium"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
