#!/usr/bin/env bash
# Installs what test/bench needs: the bench's verify scenario times `openssl dgst -sha256` and `sha256sum` over the
# trail it verified (Debian's openssl and coreutils).
set -euo pipefail

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v sha256sum >/dev/null 2>&1 || missing+=(coreutils)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "ci-setup: installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
