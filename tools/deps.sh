#!/bin/sh
# tools/deps.sh - install the Debian packages apsim needs, or say how.
# Usage: tools/deps.sh [--check]   (exit 0 when everything is present)
# Packages: check (unit tests), libck-dev (Concurrency Kit), libgoogle-perftools-dev
# (CPU profiles), linux-source-6.1 and linux-source-6.12 (the driver sources of
# the two trees, docs/kernel-trees.md), clang (libFuzzer, sanitizers),
# libclang-rt-14-dev (sanitizer runtimes), pkg-config, parallel (runs the two
# trees' suites side by side).
set -u
PKGS="check libck-dev libgoogle-perftools-dev google-perftools linux-source-6.1 linux-source-6.12 clang libclang-rt-14-dev pkg-config parallel"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
[ "${1:-}" = "--check" ] && { echo "missing:$missing"; exit 1; }
if [ "$(id -u)" = 0 ]; then
	echo "apsim: installing missing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# another apt or dpkg running holds the lock: wait for it (10 min)
	lock="-o DPkg::Lock::Timeout=600"
	apt-get $lock update -qq >&2 || true
	apt-get $lock install -y -qq --no-install-recommends $missing >&2 || {
		echo "apsim: apt-get install failed for:$missing" >&2; exit 2; }
	exit 0
fi
echo "apsim: missing Debian packages:$missing" >&2
echo "apsim: run as root:  apt-get install -y$missing" >&2
exit 2
