#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/review-parts.sh APSIM - fast tests of the parts of apsim review
# (docs/review.md), run by `make check-review-parts` from the checkout's
# root: patch errors (no build needed: the patched tree fails before it),
# known-findings files in run and fuzz, known --from, and the review's
# comparison (--compare) of two trees' outputs: the base driver against
# the d2 variant (the pre-6.0 in_use ABBA: a new deadlock and a new lock
# edge) and the base against itself (nothing new).  The whole review of a
# patch series (two builds) is tests/review.sh (make check-review).
#
# Owns: these cases.  Every command runs under timeout.
set -u
A=$(realpath "$1")
D2=$(dirname "$A")/variants/d2/apsim
TMO=120
. "$(dirname "$0")/review-lib.sh"
export APSIM_CACHE_DIR="$T/cache"       # cache clean below removes it

# ------------------------------------------------------------- patch errors
# a hunk whose context is not in the tree: error naming patch and hunk
sh "$ROOT/tests/review/make-patches.sh" "$KSRC" "$T/patches" > "$T/err" 2>&1 &&
	ok "make-patches.sh: the test patches, made from the tree" || bad "make-patches.sh failed"
sed 's/^ static DEVICE_ATTR_WO(unassign_control_domain);/ static DEVICE_ATTR_WO(unassign_control_dommain);/' \
	"$T/patches/cosmetic.diff" > "$T/bad.diff"
grep -q dommain "$T/bad.diff" || bad "bad.diff not made"
t 2 "review: a hunk that does not apply: exit 2" "$A" review -q --base "$KSRC" --patch "$T/bad.diff"
has "$T/err" "patch $T/bad.diff does not apply: Hunk #2 FAILED" "review: the error names patch and hunk"
t 125 "review --bisect: a hunk that does not apply: 125" "$A" review -q --bisect --base "$KSRC" --patch "$T/bad.diff"
echo "no diff here" > "$T/empty.patch"
t 2 "review: a patch without a diff: exit 2" "$A" review -q --base "$KSRC" --patch "$T/empty.patch"
has "$T/err" "empty.patch does not apply: patch: **** Only garbage" "review: says the patch has no diff"
t 2 "review: --base is not a tree: exit 2" "$A" review -q --base "$T" --patch "$T/bad.diff"
t 2 "review: --patch and --new together: exit 2" "$A" review --base "$KSRC" --new "$KSRC" --patch "$T/bad.diff"
t 128 "review --bisect: a usage error aborts the bisection (128)" "$A" review --bisect --base "$KSRC"
t 2 "review: --format xml: exit 2" "$A" review --base "$KSRC" --new "$KSRC" --format xml
t 0 "cache clean" "$A" cache clean
[ ! -e "$T/cache" ] && ok "cache clean removed the cache" || bad "cache clean left $T/cache"

# ------------------------------------------------------------ known findings
t 1 "fuzz without --known on the unmodified driver: exit 1" "$A" fuzz --seed 1000 --iterations 3000 -q --out "$T/fz1"
t 0 "fuzz --known known/linux-6.1.known on the unmodified driver: exit 0" \
	"$A" fuzz --seed 1000 --iterations 3000 -q --out "$T/fz2" --known "$KNOWN"
has "$T/out" "known: driver gap: 6.1 takes ZAPQ busy" "fuzz --known: known findings listed with their reason"
has "$T/out" " 0 new" "fuzz --known: 0 new"
has "$T/out" "findings by root cause: " "fuzz summary: findings by root cause"
has "$T/out" "  fn:vfio_ap_mdev_reset_queue" "fuzz summary: a root cause's header"
has "$T/out" "      warn:vfio_ap_mdev_reset_queue" "fuzz summary: its member under it"
grep -v '^warn:vfio_ap_mdev_reset_queue' "$KNOWN" > "$T/partial.known"
t 1 "fuzz --known without one entry: exit 1" "$A" fuzz --seed 1000 --iterations 3000 -q --out "$T/fz3" --known "$T/partial.known"
has "$T/out" " 1 new" "fuzz --known without one entry: 1 new"
printf 'warn:vfio_ap_irq_disable\n' > "$T/noreason.known"
t 2 "fuzz --known: an entry without a reason: exit 2" "$A" fuzz --known "$T/noreason.known" --iterations 1 --out "$T/fz4"
has "$T/err" "noreason.known:1: error:" "known file errors: FILE:LINE"
t 0 "known --from a fuzz campaign" "$A" known --from "$T/fz1" --out "$T/from.known"
for s in $(sed -n 's/.*"signature":"\([^"]*\)".*/\1/p' "$T/fz1/summary.json"); do
	grep -q "^$s " "$T/from.known" || bad "known --from: $s missing"
done
t 0 "fuzz --known FILE written by known --from: exit 0" \
	"$A" fuzz --seed 1000 --iterations 3000 -q --out "$T/fz5" --known "$T/from.known"
"$A" run "$ROOT/scenarios/findings" -q --format json --out "$T/o-run" > "$T/run.json" 2> "$T/err"
t 0 "known --from run --format json output" "$A" known --from "$T/run.json"
has "$T/out" "crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain " "known --from run output: the crash"
t 0 "known --from a run's output directory" "$A" known --from "$T/o-run"
has "$T/out" "invariant:gisc-refcount " "known --from run directory: the invariant"
# run --known: a finding a scenario forbids is listed as known, not a failure
sed 's/^expect crash$/expect clean/' "$ROOT/scenarios/findings/hot-unplug-kzalloc-null.scn" > "$T/nocrash.scn"
grep -q '^expect clean' "$T/nocrash.scn" || bad "nocrash.scn not made"
t 1 "run: a forbidden crash fails" "$A" run "$T/nocrash.scn" -q --out "$T/o-nc1"
t 0 "run --known: the same crash, known: passes" "$A" run "$T/nocrash.scn" --known "$KNOWN" --out "$T/o-nc2"
has "$T/out" "known crash   crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain (driver bug" "run --known: listed as known"
"$A" run "$T/nocrash.scn" --known "$KNOWN" --format json --out "$T/o-nc3" > "$T/nc.json" 2> "$T/err"
has "$T/nc.json" '"known":"driver bug: unchecked kzalloc' "run --known --format json: the reason"
# a known finding does not end the search: every execution of this one
# WARNs (known), the exhaustive search still goes to its end
sed 's/^expect warn$/expect clean/' "$ROOT/scenarios/findings/aqic-disable-deconfigured-warn.scn" > "$T/kwarn.scn"
printf '\nthread t1:\n    read_matrix m0\n\nexplore strategy exhaustive preemption-bound 1\n' >> "$T/kwarn.scn"
grep -q '^expect clean' "$T/kwarn.scn" || bad "kwarn.scn not made"
t 0 "run --known: a known finding in every execution: passes" "$A" run "$T/kwarn.scn" --known "$KNOWN" --out "$T/o-kw"
has "$T/out" "exec (complete)" "run --known: the search did not stop at the known finding"

# ------------------------------------------- a variant's fuzz reproducers
# a campaign of the d2 variant writes scenarios that name it: apsim run,
# from the base binary or the variant's, replays them in the d2 driver
t 1 "fuzz on the d2 variant: findings" "$D2" fuzz --seed 1 --iterations 60 -q --out "$T/fz-d2"
min=$(ls "$T"/fz-d2/*-deadlock/minimal.scn 2>/dev/null | head -1)
[ -n "$min" ] && ok "fuzz on the d2 variant: its deadlock shrunk" || bad "fuzz on the d2 variant: no deadlock"
has "${min:-/dev/null}" "variant d2" "the variant's minimal.scn names the variant"
t 0 "the deadlock's minimal.scn passes from the base binary (run in d2)" "$A" run "${min:-/dev/null}" -q --out "$T/o-fzd2a"
t 0 "and from the d2 binary" "$D2" run "${min:-/dev/null}" -q --out "$T/o-fzd2b"

# -------------------------------------------- lock graphs and --compare
S="$ROOT/scenarios/deadlocks/d2-inuse.scn"
mkdir -p "$T/b" "$T/n" "$T/b2"
"$A" run "$S" --variant base -q --keep-going --format json --out "$T/b/run" --lock-graph "$T/b/lock-graph.txt" > "$T/b/run.json" 2> "$T/err"
"$A" run "$S" --variant base -q --keep-going --format json --out "$T/b2/run" --lock-graph "$T/b2/lock-graph.txt" > "$T/b2/run.json" 2> "$T/err"
"$D2" run "$S" --variant d2 -q --keep-going --format json --out "$T/n/run" --lock-graph "$T/n/lock-graph.txt" > "$T/n/run.json" 2> "$T/err"
has "$T/b/lock-graph.txt" "ap_perms_mutex -> &matrix_dev->guests_lock	get_update_locks_for_mdev (vfio_ap_ops.c:" \
	"run --lock-graph: an edge with the function and line that create it"
has "$T/b/lock-graph.txt" "held since assign_domain_store (vfio_ap_ops.c:" "run --lock-graph: where the first lock is held from"
t 0 "review --compare: a tree against itself: exit 0" "$A" review --compare "$T/b" "$T/b2"
has "$T/out" "lock-order edges: 0 new, 0 gone; 0 created in new places, 0 no longer in old ones" "review --compare: no lock-graph change"
has "$T/out" "result: nothing new" "review --compare: nothing new"
t 1 "review --compare: base vs the d2 variant: exit 1" "$A" review --compare "$T/b" "$T/n"
has "$T/out" "new           deadlock:&matrix_dev->guests_lock,ap_perms_mutex" "review --compare: the d2 deadlock is new"
has "$T/out" "+ &matrix_dev->mdevs_lock -> ap_perms_mutex" "review --compare: the new lock edge"
# root causes: the deadlock, lockdep's cycle and the order rule are one bug
has "$T/out" "(3 new, 0 also on base, 0 known), 1 root cause" "review: the three d2 findings, one root cause"
has "$T/out" "  root cause locks:&matrix_dev->guests_lock,&matrix_dev->mdevs_lock,ap_perms_mutex (3 findings)" \
	"review: the root cause's header names the lock classes"
has "$T/n/run.json" '"group":"locks:&matrix_dev->guests_lock,&matrix_dev->mdevs_lock,ap_perms_mutex"' \
	"run --format json: each finding's root-cause group"
timeout "$TMO" "$D2" run "$S" --variant d2 --keep-going --out "$T/n-list" > "$T/list.txt" 2> "$T/err"
has "$T/list.txt" "by root cause: 1 root cause of 3 findings" "run listing: the findings by root cause"
has "$T/list.txt" "       locks:&matrix_dev->guests_lock,&matrix_dev->mdevs_lock,ap_perms_mutex (3 findings)" \
	"run listing: the root cause's header"
has "$T/list.txt" "         rule:order:&matrix_dev->mdevs_lock->ap_perms_mutex" "run listing: a member under it"
has "$T/out" "in helper_lock (apbus.c:" "review --compare: the new edge's site (the AP bus helper of the legacy shim)"
has "$T/out" "held since get_update_locks_for_mdev (vfio_ap_ops.c:" "review --compare: where the first lock of the new edge is held"
has "$T/out" "-site ap_perms_mutex -> &matrix_dev->guests_lock" "review --compare: a site gone"
has "$T/out" "no longer in get_update_locks_for_mdev (vfio_ap_ops.c:106), held since assign_domain_store" "review --compare: assign_domain_store no longer holds ap_perms_mutex"
hasnt "$T/out" "now also in -" "review --compare: no site-less edges listed"
has "$T/out" "fail -> pass: d2-inuse" "review --compare: the outcome change"
t 1 "review --compare --format md" "$A" review --compare "$T/b" "$T/n" --format md
has "$T/out" "- **new** \`deadlock:&matrix_dev->guests_lock,ap_perms_mutex\`" "review md: the new finding"
t 1 "review --compare --format json --junit" "$A" review --compare "$T/b" "$T/n" --format json --junit "$T/r.xml"
has "$T/out" '"status":"new","kind":"deadlock"' "review json: the new finding"
has "$T/out" '"lock_edges_added":[{"edge":"&matrix_dev->mdevs_lock -> ap_perms_mutex"' "review json: the new edge"
has "$T/r.xml" '<failure message="new finding' "review junit: a failing test case"
printf 'deadlock:*ap_perms_mutex  d2, docs/variants.md\nlock-cycle:*  d2\nrule:*  d2\n' > "$T/d2.known"
t 0 "review --compare --known: the d2 findings known: exit 0" "$A" review --compare "$T/b" "$T/n" --known "$T/d2.known"
has "$T/out" "known: d2, docs/variants.md" "review --known: the reason"

# ------------------------------------------------ coverage of the changed lines
# Two small tree builds (the base and the patched tree, LINECOV=1) in a cache
# kept under build/ across runs; one scenario that never opens the device,
# and 300 fuzz executions (forked workers) on each tree.
export APSIM_CACHE_DIR="$ROOT/build/review-cache"
TMO=900         # the first run builds both trees (LINECOV=1), later ones reuse them
SC="$ROOT/scenarios/findings/hot-unplug-kzalloc-null.scn"
grep -q open_mdev "$SC" && bad "$SC opens the device: the fuzz-only line is not fuzz only"
CP=$T/patches/cover.diff
t 0 "review of cover.diff (changed lines: one run, one never run, one fuzz only): exit 0" \
	"$A" review -q --base "$KSRC" --patch "$CP" --scenarios "$SC" --iterations 300 --out "$T/cov" --junit "$T/cov.xml"
has "$T/out" "changed lines: 2 of 3 ran (4 added or changed driver lines, 1 without code of their own)" \
	"changed lines: 2 of 3 with code ran, the comment-only line has no code"
L=$(awk '/^@@/ { split($3, a, ","); n = substr(a[1], 2) - 1; next } /^[+ ]/ { n++ } /cover: never runs/ { print n }' "$CP")
has "$T/out" "not run: vfio_ap_ops.c:$L in vfio_ap_mdev_ioctl" "changed lines: the line never run, with its function"
hasnt "$T/out" "in assign_adapter_store" "changed lines: the line every assign runs ran"
hasnt "$T/out" "in vfio_ap_mdev_open_device" "changed lines: the fuzz-only line ran (the forked workers' counters count)"
has "$T/cov.xml" "changed lines: 2 of 3 ran" "changed lines: JUnit test case"
has "$T/cov.xml" "not run: vfio_ap_ops.c:$L in vfio_ap_mdev_ioctl" "changed lines: JUnit lists the lines not run"
t 0 "review of cover.diff --format md" \
	"$A" review -q --base "$KSRC" --patch "$CP" --scenarios "$SC" --iterations 300 --out "$T/cov" --format md
has "$T/out" "### changed lines: 2 of 3 ran" "changed lines: Markdown header"
has "$T/out" "- not run: \`vfio_ap_ops.c:$L\` in \`vfio_ap_mdev_ioctl\`" "changed lines: Markdown line"
t 0 "review of cover.diff --format json" \
	"$A" review -q --base "$KSRC" --patch "$CP" --scenarios "$SC" --iterations 300 --out "$T/cov" --format json
has "$T/out" "\"changed_lines\":{\"measured\":true,\"changed\":4,\"with_code\":3,\"ran\":2,\"not_run\":[{\"file\":\"vfio_ap_ops.c\",\"from\":$L,\"to\":$L,\"function\":\"vfio_ap_mdev_ioctl\"}]}" \
	"changed lines: JSON"
t 0 "review --compare: changed lines not measured" "$A" review --compare "$T/cov/base" "$T/cov/new"
has "$T/out" "changed lines: not measured (--compare: no trees)" "review --compare: says the changed lines are not measured"

t 128 "review --bisect, --scenarios that do not exist: 128 (stop), not a bad commit" \
	"$A" review -q --bisect --base "$KSRC" --new "$KSRC" --scenarios "$T/no-such.scn" --iterations 10 --out "$T/nosc"
has "$T/err" "--scenarios $T/no-such.scn: No such file or directory" "review --bisect, missing --scenarios: says why"
# a disk that fills during a review (a tmpfs with 12 inodes: the new tree's
# run cannot make its finding's directory): exit 3 as run's, not 2; under
# --bisect 128 (apsim's trouble, not the commit's: 2 would mark it bad).
# --time runs the new tree first, alone, so the failing side is always it.
MNT=$T/full
trap 'umount "$MNT" 2>/dev/null; rm -rf "$T"' EXIT
if [ "$(id -u)" = 0 ] && mkdir -p "$MNT" && mount -t tmpfs -o size=4m,nr_inodes=12 tmpfs "$MNT" 2>/dev/null; then
	t 3 "review onto a disk that fills: exit 3" \
		"$A" review -q --base "$KSRC" --new "$KSRC" --scenarios "$SC" --time 2 --out "$MNT/r"
	has "$T/err" "review: new run failed (exit 3)" "review onto a disk that fills: names the side and the exit"
	has "$MNT/r/new/stderr.txt" "the report of crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain, not written:" \
		"review onto a disk that fills: the run's report went to its stderr file"
	umount "$MNT"
	mount -t tmpfs -o size=4m,nr_inodes=12 tmpfs "$MNT"
	t 128 "review --bisect onto a disk that fills: 128 (stop), not a bad commit" \
		"$A" review -q --bisect --base "$KSRC" --new "$KSRC" --scenarios "$SC" --time 2 --out "$MNT/r"
	umount "$MNT"
else
	echo "skip a review onto a disk that fills (needs root and tmpfs)"
fi

echo "review parts: $((n - fail)) passed, $fail failed"
[ "$fail" = 0 ]
