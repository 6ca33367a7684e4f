#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/hung-task.sh APSIM - the hung-task detector through `apsim run` on a
# 6.12 build (make check-6.12): 6.12's reset work polls a queue that never
# leaves "reset in progress" for ever, and the module unload waits for it in
# flush_work.  The report comes after 120 virtual seconds by default, after
# S with --hung-task-timeout S, and at the 600 s budget with 0 (off).
set -u
A=$(realpath "$1")
TMO=120
. tests/review-lib.sh
SCN=$ROOT/scenarios/faults/zapq-reset-in-progress-forever-6.12.scn
sed '/^expect /d' "$SCN" > "$T/hung.scn"     # the hang is then a failure: exit 1
for h in default:120 30:30 0:0; do
	opt=${h%%:*}; secs=${h#*:}
	if [ "$opt" = default ]; then set -- ; else set -- --hung-task-timeout "$opt"; fi
	t 1 "a reset that never ends ($opt): exit 1" "$A" run "$T/hung.scn" "$@" --out "$T/o-$opt"
	cat "$T/o-$opt"/*/*/report.txt > "$T/r-$opt.txt" 2>/dev/null
	if [ "$secs" = 0 ]; then
		has "$T/r-$opt.txt" "virtual time budget exhausted" "detector off: the 600 s budget"
	else
		has "$T/r-$opt.txt" "INFO: task T0 (main) blocked for more than $secs seconds" \
			"after $secs s: the kernel's report line"
		has "$T/r-$opt.txt" "virtual time ${secs}000000000 ns" "found at $secs s"
	fi
	has "$T/r-$opt.txt" "Showing all locks held in the system:" "the locks held ($opt)"
	has "$T/r-$opt.txt" "hang:apq_reset_check" "the signature names the loop ($opt)"
done
t 0 "the scenario's 'expect hang': exit 0" "$A" run "$SCN" --out "$T/o-expect"
echo "hung-task: $((n - fail)) of $n passed"
[ $fail = 0 ]
