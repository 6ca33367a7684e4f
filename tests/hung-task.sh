#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/hung-task.sh APSIM - the hung-task detector through `apsim run` on a
# 6.12 build (make check-6.12): 6.12's reset work polls a queue that never
# leaves "reset in progress" for ever, and the module unload waits for it in
# flush_work.  The report comes after 120 virtual seconds by default, after
# S with --hung-task-timeout S, and at the 600 s budget with 0 (off); the
# limit comes from the scenario too (explore hung-task-timeout), replay.sh
# passes it on, and apsim fuzz writes it into its reproducers.  And a
# world of more threads than the table holds runs to its end.
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

# A limit other than 120 s is replayed with it: replay.sh passes it on.
RP=$(ls "$T"/o-30/*/*/replay.sh | head -1)
has "$RP" "--hung-task-timeout 30" "replay.sh of a 30 s hang passes the limit on"
t 1 "that replay.sh: the hang again (exit 1)" sh "$RP" --out "$T/o-30-replay"
cat "$T/o-30-replay"/*/*/report.txt > "$T/r-30-replay.txt" 2>/dev/null
has "$T/r-30-replay.txt" "blocked for more than 30 seconds" "the replay finds it at 30 s too"

# The scenario's own limit (explore hung-task-timeout), and the command
# line's over it.
cp "$T/hung.scn" "$T/hung45.scn"
echo "explore hung-task-timeout 45" >> "$T/hung45.scn"
t 1 "explore hung-task-timeout 45: exit 1" "$A" run "$T/hung45.scn" --out "$T/o-45"
has "$(ls "$T"/o-45/*/*/report.txt | head -1)" "blocked for more than 45 seconds" "the scenario's limit"
t 1 "--hung-task-timeout 20 over the scenario's 45" "$A" run "$T/hung45.scn" --hung-task-timeout 20 --out "$T/o-45-20"
has "$(ls "$T"/o-45-20/*/*/report.txt | head -1)" "blocked for more than 20 seconds" "the command line's limit wins"

# apsim fuzz --hung-task-timeout: into every scenario's explore line, so
# the finding's scenario.scn and minimal.scn reproduce it with that limit
# (seed 900130 of a 6.12 campaign polls a reset for ever).
t 1 "fuzz --hung-task-timeout 30: findings (exit 1)" \
	"$A" fuzz --seed 900130 --iterations 1 --hung-task-timeout 30 --out "$T/f30"
H=$(ls -d "$T"/f30/*-hang | head -1)
has "$H/report.txt" "blocked for more than 30 seconds" "the campaign's hang at 30 s"
has "$H/scenario.scn" "hung-task-timeout 30" "its scenario.scn carries the limit"
has "$H/minimal.scn" "hung-task-timeout 30" "its minimal.scn too"
t 0 "the minimal reproducer expects the hang: exit 0" "$A" run "$H/minimal.scn" --out "$T/f30-min"

# A world whose reset works spawn more than the 64 simulated threads an
# execution holds at once (found by a 6.12 campaign from seed 900000,
# shrunk): later threads take exited threads' slots, so the fd holder a
# removal of an open mdev waits for still runs, and the world ends
# normally.  Before slots were reused, it was apsim's limit
# (invariant:shim-fd-holder-no-thread) and, before that, a hang of the
# driver's at the 600 s budget.
cat > "$T/holder.scn" <<'SCN'
scenario more-threads-than-slots
tree 6.12
host adapters 161-162,166-169
host domains 26-39
host free-adapters 161-165
host free-domains 21-51
setup:
    kvm_create k0 vcpus 1
    create_mdev m0
    assign_adapter m0 0xa1-0xa5
    assign_domain m0 0x17-0x33
    open m0 k0
thread admin:
    unassign_domain m0 26-39
    aqmask +26-39
thread t1:
    create_mdev m1
    remove_mdev m0
explore strategy random seed 3184710423965638725 iterations 1
SCN
K612=$ROOT/known/linux-6.12.known
t 0 "more than 64 threads: the world ends, its findings known: exit 0" \
	"$A" run "$T/holder.scn" --known "$K612" --out "$T/o-holder"
t 0 "and with the race detector on" "$A" run "$T/holder.scn" --known "$K612" --races --out "$T/o-holder-r"
cat "$T/o-holder"/*/*/report.txt > "$T/r-holder.txt" 2>/dev/null
hasnt "$T/r-holder.txt" "invariant:" "no thread limit reached"
hasnt "$T/r-holder.txt" "virtual time budget exhausted" "no hang at the budget"
TR=$(ls "$T/o-holder"/*/*/trace.txt | head -1)
has "$TR" "spawn fd-holder" "the fd holder is spawned (its own name in the spawn event)"
has "$TR" "fd holder of m0 closes it" "and closes the mdev"
has "$TR" "before)" "a column of a reused slot says how many threads it had"
t 0 "the trace has more spawns than slots" sh -c "[ \$(grep -o 'spawn [a-z]' '$TR' | wc -l) -gt 64 ]"
echo "hung-task: $((n - fail)) of $n passed"
[ $fail = 0 ]
