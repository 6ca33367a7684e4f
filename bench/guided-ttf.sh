#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench/guided-ttf.sh - time to find a bug, guided vs unguided apsim fuzz.
#
# Owns: the time-to-find measurement of docs/fuzzing.md.  For each target
# (a binary pair and the signature of the bug it has) and each of N seed
# ranges, the modes run one after the other (interleaved, so that a shared
# machine loads them alike): `unguided` (seeds only, the default build),
# `guided` (the same binary, --guided: feedback without driver edges) and
# `guided+edges` (--guided with the build made with COVER=1: driver edges
# too).  Each campaign is one worker, --no-shrink, and stops at the target
# finding (APSIM_FUZZ_STOP_ON) or after LIMIT seconds.  Prints one line per
# run (target mode seed executions seconds, "-" when not found) and then
# the medians (a run that did not find the bug counts as slower than any
# that did).  Figures, not a test.
#
# Usage: sh bench/guided-ttf.sh TARGETS [LIMIT_S] [NSEEDS] > results.txt
#   TARGETS: lines NAME|BIN|COVER_BIN|PATTERN ('#' comments); PATTERN is a
#   signature with * and ? wildcards, as in --known files
set -u
targets=$1
limit=${2:-60}
nseeds=${3:-5}
tmp=$(mktemp -d /tmp/apsim-ttf.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
runs=$tmp/runs.txt
: > "$runs"

one() {    # name mode bin seed sig flags...
	name=$1 mode=$2 bin=$3 seed=$4 sig=$5
	shift 5
	out=$tmp/out
	rm -rf "$out"
	APSIM_FUZZ_STOP_ON=$sig CI=1 "$bin" fuzz "$@" --seed "$seed" --time "$limit" --no-shrink -q \
		--exec-timeout 30 --out "$out" > /dev/null 2>&1
	re=$(printf '%s' "$sig" | sed 's/[].[^$()+{}|\\]/\\&/g; s/\*/.*/g; s/?/./g')
	r=$(jq -r --arg s "^$re\$" '[.findings[] | select(.signature | test($s))][0] |
		if . == null then "- -" else "\(.found_at_exec) \(.found_after_s)" end' "$out/summary.json" 2>/dev/null)
	[ -n "$r" ] || r="- -"
	echo "$name $mode $seed $r" | tee -a "$runs"
}

i=0
while [ "$i" -lt "$nseeds" ]; do
	seed=$((i * 1000003 + 1))
	grep -v '^#' "$targets" | while IFS='|' read -r name bin cbin sig; do
		[ -n "$name" ] || continue
		one "$name" unguided "$bin" "$seed" "$sig" --unguided
		one "$name" guided "$bin" "$seed" "$sig" --guided
		one "$name" guided+edges "$cbin" "$seed" "$sig" --guided
	done
	i=$((i + 1))
done
echo
echo "medians over $nseeds seed ranges (limit $limit s; '>' = found in fewer than half)"
printf '%-10s %-13s %12s %10s %s\n' target mode executions seconds found
for name in $(grep -v '^#' "$targets" | cut -d'|' -f1 | sort -u); do
	for mode in unguided guided guided+edges; do
		grep "^$name $mode " "$runs" | awk -v L="$limit" '
		{ n++; if ($4 == "-") { e[n] = 1e18; s[n] = 1e18 } else { e[n] = $4; s[n] = $5; f++ } }
		END {
			if (!n) exit
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) {
				if (e[j] < e[i]) { t = e[i]; e[i] = e[j]; e[j] = t }
				if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
			}
			m = int((n + 1) / 2)
			me = e[m] >= 1e18 ? ">" L "s" : sprintf("%d", e[m])
			ms = s[m] >= 1e18 ? ">" L : sprintf("%.2f", s[m])
			printf "%-10s %-13s %12s %10s %d/%d\n", $1, $2, me, ms, f, n
		}' name="$name"
	done
done
