#!/bin/sh
# tools/demo.sh APSIM - the main job: replay the documented vfio_ap deadlocks
# (each on its historic variant) and the fixed 6.1 code under the same
# scenarios, printing the reports (each scenario's expected finding first).
set -u
apsim="$1"
out="${APSIM_OUT:-apsim-out/demo}"
rm -rf "$out"
echo "== apsim demo: $($apsim --version | head -2 | tr '\n' ' ')"
echo
echo "== 1. The documented deadlocks, replayed on their historic variants"
echo "   (each scenario expects the bug; PASS means apsim reproduced it)"
listing="$out.listing"
mkdir -p "$out"
$apsim run --out "$out" scenarios/deadlocks > "$listing"
rc=$?
cat "$listing"
echo
# The report of each scenario's expected finding (the documented bug, the
# findings apsim lists before "also found:"); the others are in the listing.
awk '/^(PASS|FAIL) /{also=0} /^ *also found:/{also=1}
     /^ *-> .*report\.txt/ && !also {print $2}' "$listing" | while read -r rep; do
	d=$(dirname "$rep")
	echo "---------------------------------------------------------------- $rep"
	sed -n '1,70p' "$rep"
	echo "   (interleaving: $d/trace.txt, replay: $d/replay.sh, timeline: $d/trace.json, graph: $d/lockdep.dot)"
	echo
done
rm -f "$listing"
echo "== 2. The same scenarios on the unmodified driver (it carries the fixes): expected clean"
$apsim run --out "$out/fixed" scenarios/fixed
rc2=$?
[ $rc -eq 0 ] && [ $rc2 -eq 0 ]
