#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/review.sh APSIM - whole reviews of patches against the 6.1 driver
# (builds two trees: a few minutes; opt-in: make check-review), run from
# the checkout's root:
#  - the d2 series (d2-*.patch from tests/review/make-patches.sh, git format-patch files: the
#    pre-6.0 assign_*_store without ap_perms_mutex) reports its findings
#    as new (the apqn-reserved-for-host invariant from scenarios/ops/46-47,
#    whose bounded exhaustive search reaches it on every run: the fuzzer's
#    1000 seeds found it only by luck, once set-ups were shared not at all)
#    and the lock-order change; the same series as one mbox gives
#    the same report from the build cache;
#  - a cosmetic patch (cosmetic.diff, made likewise: comments that move every
#    line of vfio_ap_ops.c) reports nothing new: exit 0.
# On today's shim the patch alone does not deadlock: the AP bus helper
# asserts ap_perms_mutex (as 6.x does) instead of taking it, so the d2
# series gives a lock-not-held finding, not the ABBA of the d2 variant
# (whose legacy shim switch makes the helper take the mutex);
#  - with that switch on the patched tree (--new-shim), the review reports
#    exactly the D2 findings as new, with the new lock edge.
set -u
A=$(realpath "$1")
TMO=1200
. "$(dirname "$0")/review-lib.sh"

sh "$ROOT/tests/review/make-patches.sh" "$KSRC" "$T/patches" || { echo "FAIL make-patches.sh"; exit 1; }
P1=$T/patches/d2-0001-assign-adapter.patch
P2=$T/patches/d2-0002-assign-domain.patch
t 1 "review of the d2 series: new findings (exit 1)" \
	"$A" review --base "$KSRC" --patch "$P1" "$P2" --iterations 1000 --known "$KNOWN" --out "$T/r1"
cp "$T/out" "$T/d2.txt"
has "$T/d2.txt" "new           lock-not-held:ap_perms_mutex@vfio_ap_mdev_validate_masks" \
	"d2 series: the driver calls the AP bus helper without ap_perms_mutex: new"
has "$T/d2.txt" "new           invariant:apqn-reserved-for-host" "d2 series: a queue reserved for the host assigned: new"
has "$T/d2.txt" "no longer in get_update_locks_for_mdev (vfio_ap_ops.c:106), held since assign_domain_store" \
	"d2 series: assign_domain_store no longer holds ap_perms_mutex"
has "$T/d2.txt" "-site ap_perms_mutex -> &matrix_dev->guests_lock" "d2 series: the lock-order change"
has "$T/d2.txt" "held since assign_adapter_store (vfio_ap_ops.c:" "d2 series: names the store that no longer holds ap_perms_mutex"
has "$T/d2.txt" "pass -> fail: " "d2 series: scenario outcomes changed"
has "$T/d2.txt" "result: NEW FINDINGS" "d2 series: result line"
has "$T/d2.txt" "changed lines: none added or changed (the patches only delete driver lines)" \
	"d2 series: only deletions, no changed line to cover"
ncache=$(ls "$APSIM_CACHE_DIR" | wc -l)
cat "$P1" "$P2" > "$T/series.mbox"
t 1 "review of the d2 series as one mbox: exit 1" \
	"$A" review --base "$KSRC" --patch "$T/series.mbox" --iterations 1000 --known "$KNOWN" --out "$T/r2" --bisect
[ "$(ls "$APSIM_CACHE_DIR" | wc -l)" = "$ncache" ] && ok "mbox: the same tree, from the cache" || bad "mbox: a new cache entry"
sed 1,4d "$T/d2.txt" > "$T/a"; sed 1,3d "$T/out" | sed "s|$T/r2|$T/r1|g" > "$T/b"
cmp -s "$T/a" "$T/b" && ok "mbox: the same report" || { diff "$T/a" "$T/b" | head; bad "mbox: another report"; }

t 0 "review of a cosmetic patch: nothing new (exit 0)" \
	"$A" review --base "$KSRC" --patch "$T/patches/cosmetic.diff" --iterations 1000 --out "$T/r3" --format md
has "$T/out" "findings new in the patched tree: 0" "cosmetic: no new finding although every line moved"
has "$T/out" "findings fixed (on base, not in the patched tree): 0" "cosmetic: none fixed"
has "$T/out" "lock-order edges: 0 new, 0 gone; 0 created in new places, 0 no longer in old ones" "cosmetic: the same lock graph"
grep -q "crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain" "$T/r3/new/run.json" &&
	grep -q "crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain" "$T/r3/base/run.json" &&
	ok "cosmetic: the crash has one signature in both trees" || bad "cosmetic: crash signatures differ"
l0=$(grep -o 'vfio_ap_ops.c:[0-9]*' "$T/r3/base/run/hot-unplug-kzalloc-null/01-crash/report.txt" | head -n 1)
l1=$(grep -o 'vfio_ap_ops.c:[0-9]*' "$T/r3/new/run/hot-unplug-kzalloc-null/01-crash/report.txt" | head -n 1)
[ -n "$l0" ] && [ "$l0" != "$l1" ] && ok "cosmetic: the report lines moved ($l0 -> $l1)" || bad "cosmetic: lines $l0 / $l1"

# the d2 series with the d2 variant's legacy shim switch on the patched tree
# (the pre-6.0 AP bus helper that takes ap_perms_mutex itself): the D2
# deadlock, and only it, is new, with the new lock edge
sed '/^variant /d' "$ROOT/scenarios/deadlocks/d2-inuse.scn" > "$T/d2-inuse.scn"
t 1 "review of the d2 series --new-shim ap-helper-takes-perms-mutex: exit 1" \
	"$A" review --base "$KSRC" --patch "$P1" "$P2" --new-shim ap-helper-takes-perms-mutex \
	--scenarios "$T/d2-inuse.scn" --iterations 300 --known "$KNOWN" --out "$T/r4"
has "$T/out" "legacy shim switches of the patched tree: ap-helper-takes-perms-mutex" "d2 + shim: says the switch"
has "$T/out" "findings new in the patched tree: 3 (3 new, 0 also on base, 0 known), 1 root cause" \
	"d2 + shim: exactly three new findings, one root cause"
has "$T/out" "new           deadlock:&matrix_dev->guests_lock,ap_perms_mutex" "d2 + shim: the D2 deadlock"
has "$T/out" "new           lock-cycle:&matrix_dev->guests_lock,&matrix_dev->mdevs_lock,ap_perms_mutex" "d2 + shim: the lock cycle"
has "$T/out" "new           rule:order:&matrix_dev->mdevs_lock->ap_perms_mutex" "d2 + shim: the order rule"
has "$T/out" "+ &matrix_dev->mdevs_lock -> ap_perms_mutex" "d2 + shim: the new lock edge"

echo "review: $((n - fail)) passed, $fail failed"
[ "$fail" = 0 ]
