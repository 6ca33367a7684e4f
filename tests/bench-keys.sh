#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench-keys.sh - what `apsim bench --json FILE` promises (issue 15,
# docs/performance.md), checked on a --quick run.
#
# Owns: the make check test of the benchmark's output: it exits 0; the JSON
# has a part per tree whose bench_apcb is built (apcb-6.1, apcb-6.12), the
# exec part and the native part; the exec keys the goals are stated in
# (executions/s of D2, the mix and `apsim fuzz`, the scaling and the CPU
# loop's, the world snapshot's speed-up in D2, exhaustive search and
# shrinking, `apsim fuzz` of every other tree built beside it) are
# positive numbers; the fixed D2 has no finding, exhaustive
# search completes, the shrinker tried candidates; every tree's APCB sweep
# reached 256x256 with all 65,536 queues bound, with a figure per operation
# (and `ap_config` where the tree has it) and the lower bound; the SVG it
# writes beside FILE (FILE's name with .svg for .json) is whole and names the
# trees.  Figures are never compared with goals: a slow machine passes
# (speed goals are reported, not tested).
#
#   sh tests/bench-keys.sh build/apsim
set -u
APSIM=${1:?usage: tests/bench-keys.sh APSIM}
case "$APSIM" in /*) ;; *) APSIM=$(pwd)/$APSIM ;; esac
command -v jq >/dev/null 2>&1 || { echo "bench-keys: jq missing (tools/deps.sh)" >&2; exit 2; }
. "$(dirname "$0")/review-lib.sh"   # T, ok, bad
J=$T/b.json
# fig PART KEY: the figure, or "null"
fig() { jq -r --arg p "$1" --arg k "$2" '.parts[$p].figures[$k] // "null"' "$J"; }
# positive PART KEY
positive() {
	v=$(fig "$1" "$2")
	if awk -v v="$v" 'BEGIN { exit !(v + 0 > 0) }'; then ok "$1 $2 = $v"; else bad "$1 $2 = $v, want a positive number"; fi
}
# equals PART KEY VALUE
equals() {
	v=$(fig "$1" "$2")
	if awk -v v="$v" -v w="$3" 'BEGIN { exit !(v == w) }'; then ok "$1 $2 = $v"; else bad "$1 $2 = $v, want $3"; fi
}

if "$APSIM" bench --quick --json "$J" > "$T/out" 2>&1; then
	ok "apsim bench --quick --json exits 0"
else
	bad "apsim bench --quick --json exits $?"
	tail -n 20 "$T/out" | sed 's/^/     | /'
fi
[ -s "$J" ] && jq -e . "$J" > /dev/null 2>&1 && ok "the JSON parses" || { bad "no JSON in $J"; echo "bench-keys: $n checks, $fail failed"; exit 1; }

for p in exec native; do
	jq -e --arg p "$p" '.parts[$p].figures' "$J" > /dev/null && ok "part $p" || bad "no part $p"
done
for k in exec.d2_execs_per_s exec.mix_execs_per_s exec.fuzz_execs_per_s exec.d2_scaling \
	 exec.machine_cpu_scaling exec.d2_scaling_vs_cpu exec.d2_snapshot_speedup \
	 exec.exhaustive_snapshot_speedup exec.shrink_snapshot_speedup exec.shrink_candidates \
	 exec.mix_nochecks_execs_per_s; do
	positive exec "$k"
done
equals exec exec.d2_findings_first_run 0
equals exec exec.exhaustive_d2_complete 1
equals exec exec.exhaustive_d2_executions 633

# a part per tree whose APCB benchmark is built next to this apsim
dir=$(dirname "$APSIM")
trees=0
for b in "$dir"/bench/bench_apcb "$dir"/*/bench/bench_apcb; do
	[ -x "$b" ] && trees=$((trees + 1))
done
parts=$(jq -r '.parts | keys[] | select(startswith("apcb-"))' "$J")
np=$(echo "$parts" | grep -c . || true)
[ "$np" = "$trees" ] && ok "$np APCB parts for $trees bench_apcb binaries" ||
	bad "$np APCB parts ($parts) for $trees bench_apcb binaries"
echo "$parts" | grep -qx 'apcb-6.1' && ok "apcb-6.1 part" || bad "no apcb-6.1 part"
for p in $parts; do
	for op in assign_adapter unassign_adapter assign_domain unassign_domain hot_unplug hot_plug lower_bound; do
		positive "$p" "apcb.256x256.${op}_ns"
	done
	equals "$p" apcb.256x256.queues_bound 65536
	case "$p" in
	apcb-6.1) [ "$(fig "$p" apcb.256x256.ap_config_ns)" = null ] && ok "$p has no ap_config" ||
			bad "$p has ap_config (6.1's driver has none)" ;;
	*) positive "$p" apcb.256x256.ap_config_ns ;;
	esac
done

# an `apsim fuzz` figure for every other tree built beside this apsim
for a in "$dir"/[0-9]*/apsim; do
	[ -x "$a" ] || continue
	t=$(basename "$(dirname "$a")")
	positive exec "exec.tree_$t.fuzz_noshrink_execs_per_s"
done

S=${J%.json}.svg
if [ -s "$S" ] && head -c 100 "$S" | grep -q '<svg' && tail -c 20 "$S" | grep -q '</svg>'; then
	ok "FILE.svg is a whole SVG"
else
	bad "FILE.svg missing or cut ($S)"
fi
for p in $parts; do
	t=${p#apcb-}
	grep -qF ">$t " "$S" && ok "the SVG names tree $t" || bad "the SVG does not name tree $t"
done

echo "bench-keys: $n checks, $fail failed"
[ "$fail" = 0 ]
