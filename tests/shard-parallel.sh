#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/shard-parallel.sh - the --shard I/N + merge path of docs/fuzzing.md
# ("Sharding on batch engines"), run end to end through GNU parallel.
#
# Owns: the make check test of sharding: two `apsim fuzz --shard I/2` runs
# started by GNU parallel (Debian's `parallel`, tools/deps.sh) on this
# machine, merged with tools/fuzz-merge.sh, compared with one `-j 2` run over
# the same seeds.  They must agree on: the set of finding signatures, the
# lowest seed of each (the shards' own lowest seeds, the smaller wins), the
# shrunk scenario of that seed, and the number of executions.  Fails (exit 1)
# naming every difference.
#
#   sh tests/shard-parallel.sh build/apsim [SEEDS]
set -u
APSIM=${1:?usage: tests/shard-parallel.sh APSIM [SEEDS]}
N=${2:-3000}
SEED=1
case "$APSIM" in /*) ;; *) APSIM=$(pwd)/$APSIM ;; esac
command -v parallel >/dev/null 2>&1 || { echo "shard-parallel: GNU parallel missing (tools/deps.sh)" >&2; exit 2; }
command -v jq >/dev/null 2>&1 || { echo "shard-parallel: jq missing" >&2; exit 2; }
parallel --version 2>/dev/null | head -n 1 | grep -q 'GNU parallel' ||
	{ echo "shard-parallel: 'parallel' is not GNU parallel (moreutils?)" >&2; exit 2; }
MERGE=$(dirname "$0")/../tools/fuzz-merge.sh
tmp=$(mktemp -d /tmp/apsim-shard.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export CI=1
fail=0

# 1. Two shards through GNU parallel, as docs/fuzzing.md shows (exit 1 =
#    "found something" counts as success, as in the Kubernetes example).
if ! seq 0 1 | parallel -j 2 --halt never \
	"$APSIM fuzz -q --seed $SEED --iterations $N --shard {}/2 --out $tmp/shard-{} >$tmp/log-{} 2>&1; test \$? -le 1"
then
	echo "shard-parallel: a shard failed:" >&2
	cat "$tmp"/log-* >&2
	exit 1
fi
sh "$MERGE" "$tmp/shard-0" "$tmp/shard-1" -o "$tmp/merged" >"$tmp/log-merge" 2>&1 ||
	{ echo "shard-parallel: fuzz-merge failed:" >&2; cat "$tmp/log-merge" >&2; exit 1; }

# 2. The same seeds in one campaign with two workers.
"$APSIM" fuzz -q --seed $SEED --iterations "$N" -j 2 --out "$tmp/j2" >"$tmp/log-j2" 2>&1
rc=$?
[ $rc -le 1 ] || { echo "shard-parallel: fuzz -j 2 exited $rc:" >&2; cat "$tmp/log-j2" >&2; exit 1; }

# 3. Compare.  SIGNATURE<TAB>LOWEST SEED, one line per finding.
jq -r '.findings[] | "\(.signature)\t\(.seed)"' "$tmp/j2/summary.json" | LC_ALL=C sort > "$tmp/want"
cat "$tmp/shard-0/summary.json" "$tmp/shard-1/summary.json" |
	jq -r '.findings[] | "\(.signature)\t\(.seed)"' |
	LC_ALL=C sort -t "$(printf '\t')" -k1,1 -k2,2n | awk -F '\t' '!seen[$1]++' > "$tmp/got"
jq -r '.findings[].signature' "$tmp/merged/summary.json" | LC_ALL=C sort > "$tmp/merged-sigs"
cut -f 1 "$tmp/want" > "$tmp/want-sigs"
if ! diff -u "$tmp/want" "$tmp/got"; then
	echo "shard-parallel: the shards' findings (lowest seed per signature) differ from -j 2's" >&2
	fail=1
fi
if ! diff -u "$tmp/want-sigs" "$tmp/merged-sigs"; then
	echo "shard-parallel: the merged signatures differ from -j 2's" >&2
	fail=1
fi
e_m=$(jq -r '.executions' "$tmp/merged/summary.json")
e_j=$(jq -r '.executions' "$tmp/j2/summary.json")
if [ "$e_m" != "$N" ] || [ "$e_j" != "$N" ]; then
	echo "shard-parallel: executions: merged $e_m, -j 2 $e_j, expected $N" >&2
	fail=1
fi
# the shrunk scenario of each signature's lowest seed: the shard that ran
# that seed (seed % 2) must have shrunk it to what -j 2 wrote
while IFS="$(printf '\t')" read -r sig seed; do
	sh=$((seed % 2))
	a=$(jq -r --arg s "$sig" '.findings[] | select(.signature == $s) | .dir' "$tmp/j2/summary.json")
	b=$(jq -r --arg s "$sig" '.findings[] | select(.signature == $s) | .dir' "$tmp/shard-$sh/summary.json")
	if [ -z "$a" ] || [ -z "$b" ] || ! cmp -s "$tmp/j2/$a/minimal.scn" "$tmp/shard-$sh/$b/minimal.scn"; then
		echo "shard-parallel: $sig (seed $seed): minimal.scn differs between -j 2 ($a) and shard $sh ($b)" >&2
		fail=1
	fi
done < "$tmp/want"
nf=$(wc -l < "$tmp/want")
[ "$nf" -gt 0 ] || { echo "shard-parallel: no finding in $N seeds: nothing was compared" >&2; fail=1; }
if [ $fail = 0 ]; then
	echo "shard-parallel: 2 shards through GNU parallel, merged = -j 2: $nf finding(s), $N executions"
fi
exit $fail
