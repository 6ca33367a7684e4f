#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/hung-task.sh APSIM - the hung-task detector through `apsim run` on a
# 6.12 build (make check-6.12): 6.12's reset work polls a queue that never
# leaves "reset in progress" for ever, and the module unload waits for it in
# flush_work.  The report comes after 120 virtual seconds by default, after
# S with --hung-task-timeout S, and at the 600 s budget with 0 (off).  And a
# removal that waits for an fd holder no thread is left for is apsim's
# limit, not a hang.
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

# A world whose reset works take every simulated thread (they are never
# reused) before a removal of an open mdev needs the fd holder: apsim's
# limit is said as such, not a hang of the driver's at the 600 s budget
# (found by a 6.12 campaign from seed 900000, shrunk).
cat > "$T/holder.scn" <<'SCN'
scenario fd-holder-no-thread
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
t 1 "no thread left for the fd holder: exit 1" "$A" run "$T/holder.scn" --out "$T/o-holder"
cat "$T/o-holder"/*/*/report.txt > "$T/r-holder.txt" 2>/dev/null
has "$T/r-holder.txt" "invariant:shim-fd-holder-no-thread" "the fd holder's limit is apsim's"
has "$T/r-holder.txt" "no simulated thread left for the fd holder of m0" "its report names the mdev"
hasnt "$T/r-holder.txt" "virtual time budget exhausted" "no hang at the budget"
t 0 "the limit is in known/linux-6.12.known" grep -q '^invariant:shim-fd-holder-no-thread ' "$ROOT/known/linux-6.12.known"
echo "hung-task: $((n - fail)) of $n passed"
[ $fail = 0 ]
