#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench/run.sh - run every benchmark of a build and keep the figures.
#
# Owns: the order the bench binaries run in (make bench), the human tables
# (each program prints its own), and the results file of the run:
# bench/results/<date>-bench.json = {"date", "git", "parts": {NAME: <the
# program's --json output>}}.  Figures only, never pass/fail; a program that
# fails is reported and the run goes on.
# Usage: sh bench/run.sh [BUILD] [--quick] [--profile FILE]
set -u
BUILD=${1:-build}
[ $# -gt 0 ] && shift
QUICK=""
PROFILE=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=--quick ;;
	--profile) PROFILE=$2; shift ;;
	*) echo "usage: bench/run.sh [BUILD] [--quick] [--profile FILE]" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p bench/results
stamp=$(date -u +%Y%m%d-%H%M%S)
out=bench/results/$stamp-bench.json
tmp=$(mktemp -d /tmp/apsim-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)
status=0
names=""
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	n=$(basename "$b")
	echo "== $n"
	case "$n" in
	bench_sim_*) "$b" || status=1 ;;   # libsim core: no options
	*)
		extra=""
		if [ -n "$PROFILE" ]; then
			case "$n" in
			bench_apcb) extra="--profile $PROFILE" ;;
			bench_exec) extra="--profile $PROFILE.exec" ;;
			esac
		fi
		# shellcheck disable=SC2086
		if "$b" $QUICK $extra --json "$tmp/$n.json"; then
			names="$names $n"
		else
			echo "bench/run.sh: $n failed" >&2; status=1
		fi ;;
	esac
done
{
	printf '{"date": "%s", "git": "%s", "build": "%s", "quick": %s, "parts": {' \
		"$stamp" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$BUILD" \
		"$([ -n "$QUICK" ] && echo true || echo false)"
	sep=""
	for n in $names; do
		printf '%s\n"%s": ' "$sep" "${n#bench_}"
		cat "$tmp/$n.json"
		sep=","
	done
	printf '}}\n'
} > "$out.tmp" && mv "$out.tmp" "$out"
echo "== results: $out ($(( $(date +%s) - t0 )) s)"
exit $status
