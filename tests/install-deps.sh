#!/usr/bin/env bash
# Install what building, the demo and the tests need on Debian 12, then
# the test provider's npm packages from its lockfile. Installs only what
# is missing; safe to run again.
set -eu
cd "$(dirname "$0")/.."

packages="build-essential pkg-config clang clang-format valgrind curl keyutils
	libcurl4-openssl-dev libjson-c-dev libsodium-dev libssl-dev
	libqrencode-dev openssh-server openssh-client"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || missing="$missing $p"
done

# Node.js from any source will do (Debian 12 ships 18, which works).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	missing="$missing nodejs npm"
fi
if [ -n "$missing" ]; then
	echo "installing:$missing"
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	    --no-install-recommends $missing
fi

# The test provider, exactly as locked.
if [ ! -d tests/idp/node_modules ] ||
    [ tests/idp/package-lock.json -nt tests/idp/node_modules ]; then
	(cd tests/idp && npm ci --no-audit --no-fund --loglevel=error)
fi
