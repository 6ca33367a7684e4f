#!/bin/sh
# tools/run-tests.sh BIN... - run Check test binaries, each under a timeout,
# and print one closing line "N passed, N failed" over all of them.
# UNIT_XML=DIR: each program's Check XML log (every test's duration) as
# DIR/<program>.xml (docs/testing.md: the slowest tests).  A program's hang
# guard (600 s) scales with Check's own (CK_TIMEOUT_MULTIPLIER: check-asan).
set -u
pass=0; fail=0; bad=""
m=${CK_TIMEOUT_MULTIPLIER:-1}; m=${m%%.*}
guard=$((600 * ${m:-1}))
[ -n "${UNIT_XML:-}" ] && mkdir -p "$UNIT_XML"
for t in "$@"; do
	[ -n "${UNIT_XML:-}" ] && export CK_XML_LOG_FILE_NAME="$UNIT_XML/$(basename "$t").xml"
	out=$(CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-120} timeout $guard "$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks|:[EFP]:' | grep -v ':P:' | sed "s|^|  $(basename $t): |"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -1)
	c=$(printf '%s' "$line" | sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p')
	if [ -z "$c" ]; then
		echo "  $(basename $t): did not report (exit $rc)"; printf '%s\n' "$out" | tail -20
		fail=$((fail + 1)); bad="$bad $(basename $t)"; continue
	fi
	set -- $c "$@"
	n=$1; f=$(($2 + $3)); shift 3
	pass=$((pass + n - f)); fail=$((fail + f))
	[ $rc -ne 0 ] && [ $f -eq 0 ] && { fail=$((fail + 1)); bad="$bad $(basename $t)"; }
	[ $f -ne 0 ] && bad="$bad $(basename $t)"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] || { echo "failing:$bad"; exit 1; }
