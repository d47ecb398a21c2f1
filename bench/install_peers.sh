#!/usr/bin/env bash
# Install the peer tools the benchmarks compare sqlgen with, into bench/.peers/ (git-ignored).
#
#   bench/install_peers.sh            # dbmate (npm package `dbmate`, which ships a native binary)
#   DBMATE_VERSION=2.36.0 bench/install_peers.sh
#
# Idempotent: when bench/.peers/bin/dbmate already runs at the wanted version, nothing is
# downloaded. The `mariadb` client is not installed here: it comes with the server packages.
# Prints the path of the dbmate binary on its last line.
set -euo pipefail

DBMATE_VERSION="${DBMATE_VERSION:-2.36.0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peers="$here/.peers"
link="$peers/bin/dbmate"

installed_version() {
    [ -x "$link" ] && "$link" --version 2>/dev/null | awk '{print $NF}' || true
}

if [ "$(installed_version)" != "$DBMATE_VERSION" ]; then
    command -v npm >/dev/null || { echo "install_peers.sh: npm is needed to install dbmate" >&2; exit 1; }
    mkdir -p "$peers"
    [ -f "$peers/package.json" ] || echo '{"name": "sqlgen-bench-peers", "private": true}' > "$peers/package.json"
    npm install --prefix "$peers" --no-audit --no-fund --loglevel=error "dbmate@$DBMATE_VERSION" >&2
    # The package's `dbmate` command is a node wrapper around a per-platform native binary
    # (an optional dependency such as @dbmate/linux-x64). Link the native binary itself, so
    # the benchmarks do not time node starting up.
    native="$(ls "$peers"/node_modules/@dbmate/*/bin/dbmate 2>/dev/null | head -n 1 || true)"
    [ -n "$native" ] || native="$peers/node_modules/.bin/dbmate"
    mkdir -p "$peers/bin"
    ln -sf "$native" "$link"
fi

found="$(installed_version)"
if [ "$found" != "$DBMATE_VERSION" ]; then
    echo "install_peers.sh: $link reports version '${found}', expected $DBMATE_VERSION" >&2
    exit 1
fi
echo "$link"
