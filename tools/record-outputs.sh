#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tools/record-outputs.sh APSIM DIR - record every output apsim makes for the
# shipped scenarios and a fixed-seed fuzz run, with host timings, DIR and the
# checkout's path removed, so that two builds (or two checkouts) can be
# compared byte for byte (diff -r DIR1 DIR2).  Run from the checkout's root.  Used to
# prove that a restructuring keeps behaviour (docs/architecture.md).
#   run/<scenario>/...        every finding directory of apsim run --keep-going
#   run/<scenario>.out        its summary (json, timings removed)
#   replay/<scenario>/<f>.out the replay of each finding's schedule (trace)
#   fuzz/...                  apsim fuzz --seed 77 --iterations 3000, -j 1
set -u
apsim="$1"
out="$2"
rm -rf "$out"
mkdir -p "$out/run" "$out/replay"
strip_times() { sed -E 's/"(secs|seconds|elapsed|wall|time|execs_per_s|execs_per_sec|rate|found_after_s)": *[0-9.e+-]+/"\1": T/g; s/[0-9]+(\.[0-9]+)? ?(s|ms|us)\b/Ts/g; s/[0-9]+ exec(ution)?s\/s/N execs\/s/g'; }
for f in $(find scenarios -name '*.scn' | sort); do
	n=$(echo "$f" | sed 's|^scenarios/||; s|\.scn$||; s|/|_|g')
	"$apsim" run "$f" --keep-going -q --format json --out "$out/run/$n" 2>&1 | strip_times > "$out/run/$n.out"
	echo "rc=$?" >> "$out/run/$n.out"
	for d in "$out/run/$n"/*/*/; do
		[ -f "$d/schedule.txt" ] || continue
		mkdir -p "$out/replay/$n"
		"$apsim" run "$f" --schedule "$d/schedule.txt" --out "$out/replay/tmp" 2>&1 | strip_times > "$out/replay/$n/$(basename "$d").out"
		rm -rf "$out/replay/tmp"
	done
done
"$apsim" fuzz --seed 77 --iterations 3000 -q --out "$out/fuzz" > /dev/null 2>&1
echo "fuzz rc=$?" > "$out/fuzz.rc"
for j in $(find "$out/fuzz" "$out/run" -name '*.json'); do strip_times < "$j" > "$j.t" && mv "$j.t" "$j"; done
for t in $(find "$out/fuzz" "$out/run" -name '*.txt'); do strip_times < "$t" > "$t.t" && mv "$t.t" "$t"; done
root=$(pwd)
grep -rlF -e "$out" -e "$root" "$out" | while read -r f; do sed -i -e "s|$out|OUT|g" -e "s|$root|ROOT|g" "$f"; done
exit 0
