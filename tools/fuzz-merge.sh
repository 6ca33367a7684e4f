#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tools/fuzz-merge.sh - merge the output directories of several `apsim fuzz`
# runs (shards of one campaign, or campaigns on different machines) into one.
#
# Owns: deduplication of findings by signature across OUT/summary.json files
# (the first directory given wins for a signature), renumbering of finding
# directories (NN-kind) in the merged tree, and the merged summary.json
# (executions and seconds summed, per-finding "from" = source directory).
# A directory without summary.json (a campaign killed before writing it)
# is merged from its finding directories: kind from the name, signature
# and seed from report.txt; a directory without a report is skipped and
# named.
#
#   tools/fuzz-merge.sh out-0 out-1 out-2 -o merged
#
# Needs jq.  Exit: 0 merged, 2 usage error or unreadable input.
set -eu

usage() {
	echo "usage: tools/fuzz-merge.sh OUT1 [OUT2 ...] -o MERGED" >&2
	exit 2
}

out=
ins=
while [ $# -gt 0 ]; do
	case "$1" in
	-o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "fuzz-merge: unknown option '$1'" >&2; usage ;;
	*) ins="$ins
$1"; shift ;;
	esac
done
[ -n "$out" ] && [ -n "$ins" ] || usage
command -v jq >/dev/null 2>&1 || { echo "fuzz-merge: needs jq" >&2; exit 2; }

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/findings"
: > "$tmp/seen"
execs=0
secs=0
n=0
echo "$ins" | while IFS= read -r d; do
	[ -n "$d" ] || continue
	if [ ! -d "$d" ]; then
		echo "fuzz-merge: $d: not a directory" >&2
		exit 2
	fi
done

# The findings of DIR, one compact JSON object per line.
findings_of() {
	if [ -r "$1/summary.json" ]; then
		jq -c '.findings[]' "$1/summary.json"
		return
	fi
	echo "fuzz-merge: $1: no summary.json, merging its finding directories" >&2
	for fd in "$1"/[0-9][0-9]*-*; do
		[ -d "$fd" ] || continue
		b=$(basename "$fd")
		if [ ! -r "$fd/report.txt" ]; then
			echo "fuzz-merge: $fd: no report.txt, skipped" >&2
			continue
		fi
		sig=$(sed -n 's/^finding: [a-z-]* (\(.*\))\( at step [0-9]*\)\{0,1\}$/\1/p' "$fd/report.txt" | head -n 1)
		seed=$(sed -n 's/.*generated from seed \([0-9]*\)).*/\1/p; s/.*while running seed \([0-9]*\).*/\1/p' \
			"$fd/report.txt" | head -n 1)
		if [ -z "$sig" ]; then
			echo "fuzz-merge: $fd/report.txt: no finding line, skipped" >&2
			continue
		fi
		jq -cn --arg sig "$sig" --arg kind "${b#*-}" --arg dir "$b" --arg seed "$seed" \
			'{signature: $sig, kind: $kind, seed: (if $seed == "" then null else ($seed | tonumber) end),
			  dir: $dir, complete: false}'
	done
}
OLDIFS=$IFS
IFS='
'
for d in $ins; do
	[ -n "$d" ] || continue
	e=0
	s=0
	if [ -r "$d/summary.json" ]; then
		e=$(jq -r '.executions' "$d/summary.json")
		s=$(jq -r '.seconds' "$d/summary.json")
	fi
	execs=$((execs + e))
	secs=$(awk -v a="$secs" -v b="$s" 'BEGIN { printf "%.3f", a + b }')
	# one finding per line, compact JSON
	findings_of "$d" > "$tmp/f"
	while IFS= read -r f; do
		sig=$(printf '%s' "$f" | jq -r '.signature')
		if grep -qxF -- "$sig" "$tmp/seen"; then
			continue
		fi
		printf '%s\n' "$sig" >> "$tmp/seen"
		n=$((n + 1))
		kind=$(printf '%s' "$f" | jq -r '.kind')
		src=$(printf '%s' "$f" | jq -r '.dir')
		dst=$(printf '%02d-%s' "$n" "$kind")
		rm -rf "$out/$dst"
		if [ -d "$d/$src" ]; then
			cp -R "$d/$src" "$out/$dst"
		fi
		printf '%s' "$f" | jq -c --arg dir "$dst" --arg from "$d/$src" '.dir = $dir | .from = $from' >> "$tmp/findings"
	done < "$tmp/f"
	# the corpora of guided campaigns: the union of their files (named by
	# their text, so the same entry is one file); apsim fuzz --guided
	# --merge keeps only the entries that add feedback (docs/fuzzing.md)
	if [ -d "$d/corpus" ]; then
		mkdir -p "$out/corpus"
		find "$d/corpus" -maxdepth 1 -name '*.scn' -exec cp {} "$out/corpus/" \;
	fi
done
IFS=$OLDIFS
jq -s --argjson e "$execs" --argjson s "$secs" \
	'{merged: true, executions: $e, seconds: $s, findings: .}' "$tmp/findings" > "$out/summary.json.tmp"
mv "$out/summary.json.tmp" "$out/summary.json"
echo "fuzz-merge: $n unique finding(s), $execs executions -> $out"
