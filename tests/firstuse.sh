#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/firstuse.sh APSIM - what a newcomer sees first (issue 16), run by
# `make check-docs` from the checkout's root after the variants are built.
#
# Owns: the order of `apsim run`'s finding listing (the expected findings
# first, the others under "also found"), the phase of each finding in the
# listing and in report.txt, the demo printing the expected deadlock's
# report first, `--trace-calls` (call/ret events of driver functions with
# their vfio_ap_ops.c sites, none without it) and the default trace width
# fitting a vfio_ap_ops.c:NNNN site.
set -u
A=$(realpath "$1")
T=$(mktemp -d /tmp/apsim-firstuse.XXXXXX)
trap 'rm -rf "$T"' EXIT
export CI=1
n=0
fail=0
ok() { n=$((n + 1)); echo "ok   $*"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL $*"; }
# check NAME CMD...: CMD must succeed.
check() {
	name=$1; shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

D2=scenarios/deadlocks/d2-inuse.scn
timeout 60 "$A" run "$D2" --out "$T/o" > "$T/list" 2>&1
check "d2 passes" grep -q '^PASS d2-inuse' "$T/list"
# The listing: deadlock (first expect line), lock-cycle, "also found:", rule.
sed -n '/^     by root cause:/q; s/^     \([a-z][a-z-]*\) .*/\1/p' "$T/list" | tr '\n' ' ' > "$T/order"   # the listing, before the root-cause block
check "expected findings first, in the order of the expect lines, then 'also found'" \
	grep -qx 'deadlock lock-cycle also rule ' "$T/order"
check "the deadlock happened in the racing threads" \
	sh -c "grep -A1 '^     deadlock ' '$T/list' | grep -q '(in the racing threads)\$'"
check "the rule violation happened in the setup block" \
	sh -c "grep -A1 '^     rule ' '$T/list' | grep -q '(in the setup block)\$'"
check "report.txt names the phase" \
	grep -q '^apsim: rule in T0 (main) at step [0-9]*, in the setup block$' "$T"/o/d2-inuse/*-rule/report.txt
check "-v prints the expected finding's report first" \
	sh -c "timeout 60 '$A' run '$D2' --out '$T/v' -q -v | grep -m1 '^finding:' | grep -q '^finding: deadlock'"

# A scenario without findings prints no label.
timeout 60 "$A" run scenarios/fixed/d2-inuse.scn --out "$T/f" > "$T/fixed" 2>&1
check "no 'also found' without findings" sh -c "! grep -q 'also found' '$T/fixed'"

# The demo shows the expected deadlock's report before any other.
(APSIM_OUT="$T/demo" timeout 300 sh tools/demo.sh "$A") > "$T/demo.txt" 2>&1
check "demo: d2's first report is its deadlock" \
	sh -c "grep '^-----.*/d2-inuse/' '$T/demo.txt' | head -1 | grep -q -- '-deadlock/report.txt'"
check "demo: no report of a setup-block rule violation" \
	sh -c "! grep -q '^-----.*-rule/report.txt' '$T/demo.txt'"

# Traces: function entry/exit on request, sites readable by default.
S=$(ls "$T"/o/d2-inuse/*-deadlock/schedule.txt)
timeout 60 "$A" run "$D2" --schedule "$S" --out "$T/r1" > "$T/plain" 2>&1
timeout 60 "$A" run "$D2" --schedule "$S" --out "$T/r2" --trace-calls > "$T/calls" 2>&1
rc=$?
check "no call events without --trace-calls" sh -c "! grep -q '| call ' '$T/plain'"
if [ $rc = 2 ] && grep -q 'TRACE_CALLS=1' "$T/calls"; then
	echo "skip --trace-calls: a TRACE_CALLS=0 build (says so, exit 2)"
else
	check "--trace-calls: entry of a driver function with its site" \
		grep -qE '\| call vfio_ap_mdev_[a-z_]+ @vfio_ap_ops\.c:[0-9]+ ' "$T/calls"
	check "--trace-calls: exits too" grep -qE '\| ret vfio_ap_mdev_[a-z_]+ ' "$T/calls"
	check "--trace-calls: the same decisions (same lock events)" \
		sh -c "grep -v '| \(call\|ret\) ' '$T/calls' | grep -v -e '^PASS' -e '->' > '$T/c2'; \
		       grep -v -e '^PASS' -e '->' '$T/plain' | cmp -s - '$T/c2'"
	check "--trace-calls: trace.json has B/E slices" \
		sh -c "grep -q '\"cat\":\"call\",\"ph\":\"B\"' '$T'/r2/d2-inuse/*/trace.json"
fi
check "default width fits 'lock &matrix_dev->guests_lock @vfio_ap_ops.c:NNNN'" \
	grep -qE '\| lock &matrix_dev->guests_lock @vfio_ap_ops\.c:[0-9]{3,4} ' "$T/plain"

echo "$n tests, $fail failed"
[ "$fail" -eq 0 ]
