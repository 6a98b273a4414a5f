#!/usr/bin/env bash
# Installs what test/collector and test/stack need: Prometheus, promtool, Alertmanager and amtool from Debian,
# and builds the tooltrail collector with the Go toolchain (cached on builder.yaml's hash: fast when done).
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "ci-setup: installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's packages may start the services where systemd runs; the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now prometheus prometheus-alertmanager >/dev/null 2>&1 || true
fi

# The Go toolchain lives in /usr/local/go on these machines; it may be missing from a non-login PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
binary="$(node collector-config/build.mjs 2>/tmp/tooltrail-collector-build.log | tail -n 1)" || {
  cat /tmp/tooltrail-collector-build.log >&2
  exit 1
}
echo "ci-setup: collector at $binary"

# compose-check (test/stack/compose-check): the Compose spec loader, for validating docker-compose.yml offline.
(cd test/stack/compose-check && nice go build -o ../../../collector-config/build/bin/compose-check .)
