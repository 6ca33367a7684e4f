#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/review-known.sh APSIM KSRC KNOWN - the shipped known-findings file
# of a tree (issue 13, "must show"), run from the checkout's root:
#  - apsim fuzz on the unmodified driver with KNOWN exits 0 (every finding
#    known), without it 1;
#  - on a tree with a new bug (a copy of KSRC with the first d2 patch of
#    tests/review/make-patches.sh: assign_adapter_store without
#    ap_perms_mutex, built through fuzz --ksrc into the build cache) the
#    same fuzz with KNOWN exits 1, naming the new finding.
# Used by make check-review-parts (6.1) and make check-6.12 (6.12).  The
# cache of the --ksrc build is kept in build/review-cache (a later run
# builds nothing).
set -u
A=$(realpath "$1")
TMO=900
. "$(dirname "$0")/review-lib.sh"
KSRC=$(realpath "$2")
KNOWN=$(realpath "$3")
export APSIM_CACHE_DIR="$ROOT/build/review-cache"
v=$(basename "$KNOWN" .known)

t 0 "$v: fuzz --known $(basename "$KNOWN") on the unmodified driver: exit 0" \
	"$A" fuzz --seed 1 --iterations 3000 -q --out "$T/fz0" --known "$KNOWN"
has "$T/out" " 0 new" "$v: fuzz --known: 0 new"
t 1 "$v: the same fuzz without --known: exit 1" "$A" fuzz --seed 1 --iterations 3000 -q --out "$T/fz1"

sh "$ROOT/tests/review/make-patches.sh" "$KSRC" "$T/patches" 2> "$T/err" || bad "make-patches.sh failed"
mkdir -p "$T/bug"
cp -r "$KSRC/." "$T/bug/"
patch -s -p1 -d "$T/bug" < "$T/patches/d2-0001-assign-adapter.patch" > "$T/err" 2>&1 &&
	ok "$v: the bug tree (assign_adapter_store without ap_perms_mutex)" || bad "$v: the d2 patch does not apply"
t 1 "$v: fuzz --known on the tree with a new bug: exit 1" \
	"$A" fuzz --ksrc "$T/bug" --seed 1 --iterations 3000 -q --out "$T/fz2" --known "$KNOWN"
has "$T/out" "lock-not-held:ap_perms_mutex@" "$v: the new finding is listed"
hasnt "$T/out" " 0 new" "$v: not 0 new"

echo "review known ($v): $((n - fail)) passed, $fail failed"
[ "$fail" = 0 ]
