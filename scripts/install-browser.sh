#!/usr/bin/env bash
# Installs the browser the Temporal Web test (test/web/) drives: Debian's `chromium`, at
# /usr/bin/chromium (override with CHROMIUM_PATH), plus a font for readable screenshots.
# Idempotent: does nothing but print the version when the browser is already there.
# Needs root (or sudo) and an apt mirror; playwright-core downloads no browser itself.
set -euo pipefail

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$CHROMIUM_PATH" != /usr/bin/chromium ]; then
    echo "install-browser: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable; unset it to install Debian's chromium" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: $CHROMIUM_PATH is missing and apt-get is not available; install Chromium and set CHROMIUM_PATH" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "install-browser: need root (or sudo) to apt-get install chromium" >&2
      exit 1
    fi
  fi
  echo "== installing chromium (apt-get)"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

# The version banner goes to stdout; Debian's wrapper script may print shell noise on stderr.
version="$("$CHROMIUM_PATH" --version 2>/dev/null || true)"
if [ -z "$version" ]; then
  echo "install-browser: $CHROMIUM_PATH does not run (--version printed nothing)" >&2
  exit 1
fi
echo "browser: $version ($CHROMIUM_PATH)"
