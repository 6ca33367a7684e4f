# SPDX-License-Identifier: GPL-2.0
# tests/review-lib.sh - shared by tests/review-parts.sh, tests/review.sh,
# tests/hung-task.sh and tests/bench-keys.sh
# (sourced after setting A, the apsim binary, and TMO, a timeout in
# seconds): a temporary directory T, the default tree and known file, and
# the ok/bad/t/has/hasnt checks.
ROOT=$(pwd)
T=$(mktemp -d /tmp/apsim-review.XXXXXX)
trap 'rm -rf "$T"' EXIT
export CI=1 APSIM_CACHE_DIR="${APSIM_CACHE_DIR:-$T/cache}"
KSRC=$ROOT/build/ksrc/linux-source-6.1
KNOWN=$ROOT/known/linux-6.1.known
n=0
fail=0
ok() { n=$((n + 1)); echo "ok   $*"; }
bad() {
	n=$((n + 1)); fail=$((fail + 1)); echo "FAIL $*"
	sed 's/^/     | /' "$T/err" 2>/dev/null | tail -n 8
}
# t RC NAME CMD...: CMD (under timeout TMO) must exit RC.
t() {
	want=$1; name=$2; shift 2
	timeout "$TMO" "$@" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$name"; else bad "$name: exit $rc, want $want"; fi
}
has() { grep -qF -- "$2" "$1" && ok "$3" || bad "$3: no '$2' in $(basename "$1")"; }
hasnt() { grep -qF -- "$2" "$1" && bad "$3: '$2' in $(basename "$1")" || ok "$3"; }
