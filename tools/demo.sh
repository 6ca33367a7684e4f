#!/bin/sh
# tools/demo.sh APSIM - the main job: replay the documented vfio_ap deadlocks
# (each on its historic variant) and the fixed 6.1 code under the same
# scenarios, printing the reports.
set -u
apsim="$1"
out="${APSIM_OUT:-apsim-out/demo}"
rm -rf "$out"
echo "== apsim demo: $($apsim --version | head -2 | tr '\n' ' ')"
echo
echo "== 1. The documented deadlocks, replayed on their historic variants"
echo "   (each scenario expects the bug; PASS means apsim reproduced it)"
$apsim run --out "$out" scenarios/deadlocks
rc=$?
echo
for scn in "$out"/*/; do
	for kind in deadlock lock-cycle memory rule; do
		d=$(ls -d "$scn"[0-9]*-"$kind" 2>/dev/null | head -1)
		[ -n "$d" ] && [ -f "$d/report.txt" ] || continue
		echo "---------------------------------------------------------------- $d/report.txt"
		sed -n '1,70p' "$d/report.txt"
		echo "   (interleaving: $d/trace.txt, replay: $d/replay.sh, timeline: $d/trace.json, graph: $d/lockdep.dot)"
		echo
	done
done
echo "== 2. The same scenarios on the unmodified driver (6.1 carries the fixes): expected clean"
$apsim run --out "$out/fixed" scenarios/fixed
rc2=$?
[ $rc -eq 0 ] && [ $rc2 -eq 0 ]
