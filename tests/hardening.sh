#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/hardening.sh APSIM SPIN_APSIM - regression tests of apsim's
# hardening (issue 11), run by `make check-hardening` from the checkout's
# root.  APSIM is the normal build; SPIN_APSIM an -O0 build whose driver
# spins for ever in control_domains_show (Makefile: check-hardening).
#
# Owns: the hostile-input cases (quotes in --ksrc, --variant paths, empty
# --out, FIFOs and devices as inputs, oversized files, symlink loops,
# dangling and unreadable entries, /dev/stdin, expectation typos), the
# watchdog and hard --time cases, the campaign cases (SIGTERM, SIGINT,
# kill -9, merge without summary, reused --out, full file system), ranges,
# replay-option messages, replays from `run` and the -O0/-O2 crash
# signature.  Every command runs under timeout: a hang fails the test.
set -u
A=$(realpath "$1")
SPIN=$(realpath "$2")
ROOT=$(pwd)
T=$(mktemp -d /tmp/apsim-hardening.XXXXXX)
MNT=
cleanup() {
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export CI=1
n=0
fail=0
ok() { n=$((n + 1)); echo "ok   $*"; }
bad() {
	n=$((n + 1)); fail=$((fail + 1)); echo "FAIL $*"
	sed 's/^/     | /' "$T/err" 2>/dev/null | head -n 6
}
# t RC NAME CMD...: CMD (under timeout 60, in $T) must exit RC.
t() {
	want=$1; name=$2; shift 2
	(cd "$T" && timeout 60 "$@") > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$name"; else bad "$name: exit $rc, want $want"; fi
}
# has FILE TEXT NAME: FILE holds TEXT (fixed string).
has() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3: no '$2' in $(basename "$1")"; fi
}
hasnt() {
	if grep -qF -- "$2" "$1"; then bad "$3: '$2' in $(basename "$1")"; else ok "$3"; fi
}

CRASH=$ROOT/scenarios/findings/hot-unplug-kzalloc-null.scn
CLEAN=$ROOT/scenarios/userspace/remove-while-open.scn
VARSCN=$ROOT/scenarios/deadlocks/d1-kvm-vcpu.scn

# ------------------------------------------------------------- injections
# no shell from C code (bench/bench_prof.h's nm pipe is a benchmark tool's)
if grep -rn --include='*.c' --include='*.h' -E '\b(system|popen)\(' "$ROOT/cli" "$ROOT/sim" \
	"$ROOT/driver/scenario" "$ROOT/driver/world" "$ROOT/driver/kernel" "$ROOT/fuzz" > "$T/err"; then
	bad "system()/popen() in non-test C code"
else
	ok "no system()/popen() in non-test C code"
fi
t 2 "--ksrc with a quote (no such dir): exit 2" "$A" run "$CRASH" --ksrc "x' ; touch PWNED; false '"
mkdir -p "$T/x' ; touch PWNED; false '"
t 2 "--ksrc with a quote (existing dir): exit 2" "$A" run "$CRASH" --ksrc "x' ; touch PWNED; false '"
has "$T/err" "passed to make" "--ksrc with a quote: says why"
mkdir -p "$T/k\$(touch PWNED)"
t 2 "--ksrc with \$(...): exit 2" "$A" run "$CRASH" --ksrc "k\$(touch PWNED)"
if [ -e "$T/PWNED" ]; then bad "--ksrc ran a command"; else ok "--ksrc ran no command"; fi
mkdir -p "$T/x/evil"
printf '#!/bin/sh\ntouch "%s/EVIL"\n' "$T" > "$T/x/evil/apsim"
chmod +x "$T/x/evil/apsim"
t 2 "--variant ../../x/evil (run): exit 2" "$A" run "$CRASH" --variant ../../x/evil
has "$T/err" "apsim variants" "--variant: names the list"
t 2 "--variant ../../x/evil (fuzz): exit 2" "$A" fuzz --variant ../../x/evil --out "$T/fz-evil"
if [ -e "$T/EVIL" ]; then bad "--variant ran a foreign binary"; else ok "--variant ran no foreign binary"; fi
t 0 "--variant d1 (listed) still works" "$A" run "$VARSCN" --variant d1 -q --out "$T/o-var"
t 0 "apsim variants lists without a shell" "$A" variants
has "$T/out" "d1 " "apsim variants: lists d1"
t 2 "run --out '': exit 2" "$A" run "$CRASH" --out ""
t 2 "fuzz --out '': exit 2" "$A" fuzz --out "" --iterations 1
has "$T/err" "empty string" "fuzz --out '': says why"
: > "$T/afile"
t 2 "run --out FILE: exit 2" "$A" run "$CRASH" --out "$T/afile"
t 2 "run --junit '': exit 2" "$A" run "$CRASH" --junit ""

# ----------------------------------------------------- inputs: FIFO, device, size
t 2 "--schedule /dev/zero: exit 2" "$A" run "$CRASH" --schedule /dev/zero
has "$T/err" "/dev/zero: error: expected a regular file, got a character device" "--schedule /dev/zero: named"
mkfifo "$T/f.scn" "$T/f.sched"
t 2 "FIFO scenario: exit 2" "$A" run "$T/f.scn"
has "$T/err" "f.scn: error: expected a regular file, got a FIFO" "FIFO scenario: named"
t 2 "FIFO schedule: exit 2" "$A" run "$CRASH" --schedule "$T/f.sched"
mkdir -p "$T/fifodir" && cp "$CLEAN" "$T/fifodir/a.scn" && mkfifo "$T/fifodir/b.scn"
t 2 "FIFO *.scn in a directory: exit 2" "$A" run "$T/fifodir" -q --out "$T/o-fifo"
has "$T/err" "fifodir/b.scn: skipped, not a regular file" "FIFO in a directory: named"
t 2 "--rules FIFO: exit 2" "$A" run "$CRASH" --rules "$T/f.sched"
t 2 "fuzz --convert FIFO: exit 2" "$A" fuzz --convert "$T/f.sched" --out "$T/o-conv"
head -c 1100000 /dev/zero | tr '\0' '#' > "$T/big.scn"
t 2 "scenario over 1 MiB: exit 2" "$A" run "$T/big.scn"
has "$T/err" "at most 1048576 bytes" "scenario over 1 MiB: says the cap"

# ------------------------------------------------------------ directory walks
mkdir -p "$T/loops/sub" && cp "$CLEAN" "$T/loops/sub/a.scn"
ln -s . "$T/loops/self1" && ln -s . "$T/loops/self2" && ln -s .. "$T/loops/sub/up"
t 0 "symlink loops: finishes" "$A" run "$T/loops" -q --out "$T/o-loop"
has "$T/out" "1 passed, 0 failed" "symlink loops: the scenario runs once"
has "$T/err" "already walked" "symlink loops: reported"
mkdir -p "$T/dang" && cp "$CLEAN" "$T/dang/a.scn" && ln -s nowhere.scn "$T/dang/b.scn" && ln -s b2.scn "$T/dang/b2.scn"
t 2 "dangling and looping .scn links: exit 2" "$A" run "$T/dang" -q --out "$T/o-dang"
has "$T/err" "dang/b.scn: No such file or directory" "dangling link: named"
has "$T/err" "dang/b2.scn: symbolic link loop" "looping link: named"
mkdir -p "$T/empty"
t 2 "empty directory: exit 2" "$A" run "$T/empty"
has "$T/err" "no scenarios found in $T/empty" "empty directory: says so"
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$T/unr/sub" && cp "$CLEAN" "$T/unr/sub/a.scn" && chmod 000 "$T/unr/sub"
	t 2 "unreadable subdirectory: exit 2" "$A" run "$T/unr" -q --out "$T/o-unr"
	has "$T/err" "unr/sub: cannot read directory" "unreadable subdirectory: named"
	chmod 755 "$T/unr/sub"
else
	echo "skip unreadable subdirectory (running as root)"
fi

# ------------------------------------------------------------ stdin, typos
(cd "$T" && cat "$CLEAN" | timeout 60 "$A" run /dev/stdin -q --out "$T/o-stdin") > "$T/out" 2> "$T/err"
[ $? = 0 ] && ok "/dev/stdin pipe: passes" || bad "/dev/stdin pipe: exit $?"
(cd "$T" && cat "$VARSCN" | timeout 60 "$A" run - -q --out "$T/o-stdin2") > "$T/out" 2> "$T/err"
[ $? = 0 ] && ok "stdin scenario of a variant: passes" || bad "stdin scenario of a variant"
sed 's/^expect crash/expect memory use-after-fee/' "$CRASH" > "$T/typo.scn"
t 2 "expect memory use-after-fee: exit 2" "$A" run "$T/typo.scn"
has "$T/err" "typo.scn:$(grep -n "^expect crash" "$CRASH" | cut -d: -f1):15: error: expected memory finding kind" "expect typo: FILE:LINE:COL"

# ------------------------------------------------------------------ ranges
t 2 "run --seed -1: exit 2" "$A" run "$CRASH" --seed -1
t 2 "fuzz --seed -1: exit 2" "$A" fuzz --seed -1
t 2 "run --pct-depth 17: exit 2" "$A" run "$CRASH" --pct-depth 17
sed 's/^explore strategy rr iterations 1/explore strategy pct pct-depth 17/' "$CRASH" > "$T/pct17.scn"
t 2 "file pct-depth 17: exit 2" "$A" run "$T/pct17.scn"
t 2 "run --preemption-bound -1: exit 2" "$A" run "$CRASH" --preemption-bound -1
t 0 "run --preemption-bound 1000 (the file's maximum)" "$A" run "$CRASH" --preemption-bound 1000 -q --out "$T/o-pb"
t 2 "run --iterations 0 with random: exit 2" "$A" run "$CRASH" --strategy random --iterations 0
has "$T/err" "only for the exhaustive strategy" "run --iterations 0: says why"
t 2 "fuzz --iterations 0 without --time: exit 2" "$A" fuzz --iterations 0 --out "$T/fz-0"
t 2 "--strategy replay without --schedule: exit 2" "$A" run "$CRASH" --strategy replay
has "$T/err" "--strategy replay needs --schedule FILE" "--strategy replay: says what is missing"

# ------------------------------------------------------------------ replays
t 0 "run d2-inuse (findings to replay)" "$A" run "$ROOT/scenarios/deadlocks/d2-inuse.scn" --keep-going -q --out "$T/o-rep"
nrep=0
for d in "$T"/o-rep/*/*/; do
	nrep=$((nrep + 1))
	(cd "$T" && timeout 60 sh "$d/replay.sh" -q) > "$T/out" 2> "$T/err"
	rc=$?
	[ $rc = 0 ] && ok "replay of $(basename "$d") exits 0" || bad "replay of $(basename "$d"): exit $rc"
done
[ $nrep -gt 0 ] && ok "run wrote $nrep replays" || bad "run wrote no replay"
# a run's output replays after the scenario and the directory are moved
cp "$ROOT/scenarios/findings/stale-queue-link-uaf.scn" "$T/moved.scn"
t 0 "run a copy of stale-queue-link-uaf" "$A" run "$T/moved.scn" -q --out "$T/o-mv"
rm -f "$T/moved.scn"
mv "$T/o-mv" "$T/o-mv2"
d=$(ls -d "$T"/o-mv2/*/01-*)
(cd "$T" && timeout 60 sh "$d/replay.sh" -q --out "$T/o-mv3") > "$T/out" 2> "$T/err"
[ $? = 0 ] && ok "a run's replay.sh works after the scenario and its output moved" ||
	bad "a moved run output does not replay"
t 2 "--schedule with two scenarios: exit 2" "$A" run "$CLEAN" "$CRASH" --schedule "$(ls "$T"/o-rep/*/*/schedule.txt | head -n 1)"
has "$T/err" "--schedule replays one scenario" "--schedule with two scenarios: says why"
t 2 "--schedule with --strategy pct: exit 2" "$A" run "$CLEAN" --strategy pct --schedule "$(ls "$T"/o-rep/*/*/schedule.txt | head -n 1)"
# a schedule of another scenario diverges: a clear message
sched=$(ls "$T"/o-rep/*/*/schedule.txt | head -n 1)
t 1 "foreign schedule: exit 1" "$A" run "$CLEAN" --schedule "$sched" -q --out "$T/o-div"
has "$T/out" "the replay left its schedule" "divergence: clear message"
hasnt "$T/out" "no replay divergence, but found divergence" "divergence: not the old text"

# ------------------------------------------------- crash signature, -O0/-O2
"$A" run "$CRASH" --format json --out "$T/o-o2" > "$T/o2.json" 2> "$T/err"
"$SPIN" run "$CRASH" --format json --out "$T/o-o0" > "$T/o0.json" 2>> "$T/err"
s2=$(grep -o '"signature":"[^"]*"' "$T/o2.json")
s0=$(grep -o '"signature":"[^"]*"' "$T/o0.json")
if [ -n "$s2" ] && [ "$s2" = "$s0" ]; then ok "crash signature -O2 = -O0 ($s2)"; else bad "crash signature -O2 '$s2' vs -O0 '$s0'"; fi
case "$s2" in *:[0-9]*|*inlined*) bad "crash signature has a line or an inline chain: $s2" ;; *) ok "crash signature: function only" ;; esac
has "$T/o-o2/hot-unplug-kzalloc-null/01-crash/report.txt" "hashtable.h:" "crash report keeps the line"
# the innermost driver function (not the header helper that faulted) names
# the crash, and the report has the driver's call trace
[ "$s2" = '"signature":"crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain"' ] &&
	ok "crash signature: the innermost driver function" || bad "crash signature: $s2"
has "$T/o-o0/hot-unplug-kzalloc-null/01-crash/report.txt" " unassign_domain_store (vfio_ap_ops.c:" "-O0 crash report: call trace through the driver"
has "$T/o-o2/hot-unplug-kzalloc-null/01-crash/report.txt" " unassign_domain_store (vfio_ap_ops.c:" "-O2 crash report: call trace through the driver"
# a WARN: its function, at both -O levels (no line numbers)
W=$ROOT/scenarios/findings/aqic-disable-deconfigured-warn.scn
"$A" run "$W" --format json --out "$T/w-o2" > "$T/w2.json" 2> "$T/err"
"$SPIN" run "$W" --format json --out "$T/w-o0" > "$T/w0.json" 2>> "$T/err"
w2=$(grep -o '"signature":"[^"]*"' "$T/w2.json")
w0=$(grep -o '"signature":"[^"]*"' "$T/w0.json")
[ "$w2" = '"signature":"warn:vfio_ap_irq_disable"' ] && [ "$w2" = "$w0" ] &&
	ok "warn signature -O2 = -O0 ($w2)" || bad "warn signature -O2 '$w2' vs -O0 '$w0'"
has "$T/w-o0/aqic-disable-deconfigured-warn/01-warn/report.txt" "Call Trace:" "-O0 warn report: call trace"

# ---------------------------------------------------------------- watchdog
cat > "$T/spin.scn" <<'EOF'
scenario spin
host adapters 1 domains 1
setup:
    create_mdev m0
thread t0:
    read_control_domains m0
explore strategy random iterations 3
EOF
start=$(date +%s)
t 1 "driver loop under run --exec-timeout 1: a finding" "$SPIN" run "$T/spin.scn" --exec-timeout 1 --out "$T/o-spin"
has "$T/out" "hang:wall-clock" "driver loop: a hang finding"
[ -s "$T/o-spin/spin/01-hang/schedule.txt" ] && ok "driver loop: schedule written" || bad "driver loop: no schedule"
has "$T/o-spin/spin/01-hang/report.txt" "wall-clock budget exhausted" "driver loop: report says why"
start=$(date +%s)
t 1 "driver loop under fuzz --time 3 --exec-timeout 1: finishes with a finding" \
	"$SPIN" fuzz --time 3 --exec-timeout 1 -q --out "$T/fz-spin"
el=$(($(date +%s) - start))
[ $el -le 30 ] && ok "fuzz --time 3 is a hard limit (${el}s)" || bad "fuzz --time 3 took ${el}s"
has "$T/fz-spin/summary.json" '"signature":"hang:wall-clock"' "fuzz: hang finding in the summary"
has "$T/fz-spin/summary.json" '"iterations": 0,' "fuzz --time without --iterations: iterations 0"
has "$T/fz-spin/summary.json" '"status": "finished"' "fuzz: status finished"
[ -f "$T/fz-spin/01-hang/scenario.scn" ] || [ -n "$(ls "$T"/fz-spin/*-hang/scenario.scn 2>/dev/null)" ] &&
	ok "fuzz: the hang's scenario is written" || bad "fuzz: no scenario for the hang"

# ------------------------------------------------------ campaigns: signals
for s in TERM INT; do
	out=$T/fz-$s
	(cd "$T" && exec "$A" fuzz --time 120 -j 2 -q --out "$out" > "$T/out-$s" 2> "$T/err-$s") &
	pid=$!
	sleep 3
	kill -$s $pid
	w=0
	while kill -0 $pid 2>/dev/null && [ $w -lt 30 ]; do sleep 1; w=$((w + 1)); done
	if kill -0 $pid 2>/dev/null; then kill -9 $pid; bad "SIG$s: fuzz did not stop"; fi
	wait $pid
	rc=$?
	[ $rc -le 1 ] && ok "SIG$s: normal exit code ($rc)" || bad "SIG$s: exit $rc"
	has "$out/summary.json" '"status": "stopped"' "SIG$s: summary written, status stopped"
	if command -v jq >/dev/null 2>&1; then
		t 0 "SIG$s: output mergeable" sh "$ROOT/tools/fuzz-merge.sh" "$out" -o "$T/merged-$s"
	fi
done
out=$T/fz-KILL
(cd "$T" && exec "$A" fuzz --time 120 -j 2 -q --out "$out" > /dev/null 2>&1) &
pid=$!
sleep 7
kill -9 $pid
wait $pid 2>/dev/null
sleep 1
has "$out/summary.json" '"status": "running"' "kill -9: a summary is there (written at start, refreshed)"
if pgrep -f -- "--out $out" > "$T/err"; then
	bad "kill -9: workers still running"
else
	ok "kill -9: the workers died with the campaign"
fi
if command -v jq >/dev/null 2>&1; then
	t 0 "kill -9: output mergeable" sh "$ROOT/tools/fuzz-merge.sh" "$out" -o "$T/merged-KILL"
	# a directory without summary.json merges from its finding directories
	t 1 "fuzz for the no-summary merge" "$A" fuzz --seed 77 --iterations 400 -q --no-shrink --out "$T/fz-nosum"
	nf=$(ls -d "$T"/fz-nosum/[0-9]*-* | wc -l)
	rm -f "$T/fz-nosum/summary.json"
	t 0 "merge without summary.json" sh "$ROOT/tools/fuzz-merge.sh" "$T/fz-nosum" -o "$T/merged-nosum"
	has "$T/err" "no summary.json" "merge without summary: says so"
	nm=$(jq '.findings | length' "$T/merged-nosum/summary.json")
	[ "$nm" = "$nf" ] && ok "merge without summary: $nm findings" || bad "merge without summary: $nm of $nf findings"
else
	echo "skip fuzz-merge cases (no jq)"
fi

# a reproducer shrunk to 0 operations (the host and its faults alone make
# the WARN) is a real one: apsim run reproduces it (seed 140's own set-up)
t 1 "fuzz seed 140 (a finding without operations)" "$A" fuzz --seed 140 --iterations 1 --share-setup 1 -q --out "$T/fz-140"
has "$T/fz-140/01-warn/minimal.scn" "(8 -> 0 ops)" "seed 140 shrinks to 0 operations"
t 0 "the 0-operation minimal.scn reproduces" "$A" run "$T/fz-140/01-warn/minimal.scn" -q --out "$T/o-140"

# ------------------------------------------------------ an --out that cannot be written
# under a regular file: refused before anything runs
: > "$T/afile"
t 2 "run, --out under a file: exit 2" "$A" run "$CRASH" --out "$T/afile/sub"
has "$T/err" "--out $T/afile/sub: $T/afile is not a directory" "run, --out under a file: says why"
hasnt "$T/out" "hot-unplug-kzalloc-null" "run, --out under a file: nothing ran"
t 2 "fuzz, --out under a file: exit 2" "$A" fuzz --iterations 1 --out "$T/afile/sub"
t 2 "bench, --json under a file: exit 2 (before minutes of benchmarks)" "$A" bench --json "$T/afile/b.json"
has "$T/err" "--json $T/afile/b.json: $T/afile is not a directory" "bench, --json under a file: says why"
t 2 "run, --lock-graph in a missing directory: exit 2" "$A" run "$CLEAN" --lock-graph "$T/nodir/g.txt" --out "$T/o-lg"
has "$T/err" "--lock-graph $T/nodir/g.txt: $T/nodir: No such file or directory" "--lock-graph: says why, before the run"
# a finding's directory that fails when it is written (the scenario's
# directory is a file): the report is not lost
mkdir -p "$T/o-blocked" && : > "$T/o-blocked/hot-unplug-kzalloc-null"
t 3 "run, a finding's directory cannot be written: exit 3" "$A" run "$CRASH" --out "$T/o-blocked"
has "$T/err" "the report of crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain, not written:" \
	"unwritable finding: the report goes to stderr instead"
has "$T/err" "BUG: SIGSEGV in __hash_init" "unwritable finding: the whole report, not its name only"
has "$T/out" "not written: $T/o-blocked/hot-unplug-kzalloc-null/" "unwritable finding: the listing says where it was not written"
hasnt "$T/out" "report.txt" "unwritable finding: the listing points at no report.txt"
# review refuses such an --out before it builds a tree (minutes on a cold cache)
KT=$("$A" --version | sed -n 's/^driver: linux [^ ]* (\(.*\), sha .*/\1/p')
t 2 "review, --out under a file: exit 2" "$A" review --base "$KT" --new "$KT" --out "$T/afile/sub"
has "$T/err" "--out $T/afile/sub: $T/afile is not a directory" "review, unwritable --out: says why"
hasnt "$T/err" "building" "review, unwritable --out: refused before any build"
# where nothing can be made although the permission bits (and root) say
# yes: tried, not asked
t 2 "run, --out in /proc: exit 2" "$A" run "$CLEAN" --out /proc/apsim-hardening
has "$T/err" "--out /proc/apsim-hardening: cannot create anything in /proc:" "run, --out in /proc: says why"
t 2 "review, --out in /proc: exit 2" "$A" review --base "$KT" --new "$KT" --out /proc/apsim-hardening
hasnt "$T/err" "building" "review, --out in /proc: refused before any build"
t 2 "run, --lock-graph in /proc: exit 2" "$A" run "$CLEAN" --lock-graph /proc/apsim-g.txt --out "$T/o-lg"
ls -A "$T" | grep -q '^\.apsim-probe' && bad "the writability probe left an entry in $T" || ok "the writability probe leaves nothing behind"

# ------------------------------------------------------ campaigns: reuse
t 1 "first campaign" "$A" fuzz --seed 1 --iterations 300 -q --no-shrink --out "$T/fz-reuse"
ls -R "$T/fz-reuse" > "$T/before-reuse"
t 2 "reused --out: refused" "$A" fuzz --seed 500 --iterations 300 -q --no-shrink --out "$T/fz-reuse"
has "$T/err" "is not empty" "reused --out: says why"
ls -R "$T/fz-reuse" > "$T/after-reuse"
cmp -s "$T/before-reuse" "$T/after-reuse" && ok "reused --out: untouched" || bad "reused --out: changed"
[ -z "$(ls -a "$T/fz-reuse" | grep renum)" ] && ok "no .renum directory left" || bad ".renum directory left"

# ------------------------------------------------------ full file system
if [ "$(id -u)" = 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=64k tmpfs "$T/full" 2>/dev/null; then
	MNT=$T/full
	dd if=/dev/zero of="$T/full/fill" bs=4k count=15 2>/dev/null
	t 3 "full file system, run: exit 3" "$A" run "$CRASH" -q --out "$T/full/run"
	has "$T/err" "No space left on device" "full file system, run: errno named"
	rm -f "$T/full/fill"
	dd if=/dev/zero of="$T/full/fill" bs=4k count=12 2>/dev/null
	t 3 "full file system, fuzz: exit 3" "$A" fuzz --seed 77 --iterations 400 -q --no-shrink --out "$T/full/fz"
	has "$T/err" "No space left on device" "full file system, fuzz: errno named"
	has "$T/err" "write error" "full file system, fuzz: says the results are incomplete"
	has "$T/err" "apsim: the report of warn:vfio_ap_mdev_reset_queue, not written:" \
		"full file system, fuzz: a report that cannot be written goes to stderr"
	has "$T/err" "WARNING: CPU: 0 PID: 0 at vfio_ap_ops.c:" "full file system, fuzz: the whole report, not its name only"
	has "$T/out" "NOT completely written: what is missing went to stderr" \
		"full file system, fuzz: the summary says where the rest went"
	umount "$T/full" && MNT=
	# no inode left for a finding's directory: scenario, report and
	# minimal scenario, all to stderr
	if mount -t tmpfs -o size=1m,nr_inodes=4 tmpfs "$T/full"; then
		MNT=$T/full
		t 3 "no room for a finding's directory, fuzz: exit 3" "$A" fuzz --seed 77 --iterations 400 -q --out "$T/full/fz"
		has "$T/err" "apsim: the scenario of bug:vfio_dma_do_unmap, not written:" \
			"no room for a finding's directory: its scenario goes to stderr"
		has "$T/err" "description \"generated by apsim fuzz from seed 379" "no room: the scenario's text, not its name only"
		has "$T/err" "apsim: the report of bug:vfio_dma_do_unmap, not written:" "no room: its report goes to stderr"
		has "$T/err" "kernel BUG at vfio.c:" "no room: the report's text"
		has "$T/err" "apsim: the minimal scenario of bug:vfio_dma_do_unmap, not written:" \
			"no room: its minimal scenario goes to stderr"
		has "$T/err" "description \"bug, shrunk by apsim fuzz from seed 379" "no room: the minimal scenario's text"
		umount "$T/full" && MNT=
	else
		bad "tmpfs with nr_inodes=4 could not be mounted"
	fi
else
	echo "skip full file system (needs root and tmpfs)"
fi

# ------------------------------------------------------ tools/deps.sh
mkdir -p "$T/fakebin"
cat > "$T/fakebin/dpkg-query" <<'EOF'
#!/bin/sh
[ "$3" = check ] && exit 1
echo "install ok installed"
EOF
printf '#!/bin/sh\necho 0\n' > "$T/fakebin/id"
printf '#!/bin/sh\necho "$*" >> "%s/apt-args"\n' "$T" > "$T/fakebin/apt-get"
chmod +x "$T/fakebin/"*
t 0 "deps.sh with a package missing" env PATH="$T/fakebin:$PATH" sh "$ROOT/tools/deps.sh"
has "$T/apt-args" "DPkg::Lock::Timeout=600 install" "deps.sh waits for the dpkg lock"

# ------------------------------------------------ issue 16: fuzz items 4, 5, 7
# (seed 140's own set-up, as the campaign of the case above runs it)
t 0 "fuzz --print-seed 140: exit 0" "$A" fuzz --print-seed 140 --share-setup 1
cp "$T/out" "$T/seed-140.scn"
has "$T/seed-140.scn" "scenario fuzz-140" "fuzz --print-seed: the seed's scenario"
t 1 "fuzz --print-seed 140: apsim run replays the seed's finding" "$A" run "$T/seed-140.scn" --out "$T/ps-run"
has "$T/out" "warn:vfio_ap_mdev_reset_queue" "fuzz --print-seed: the finding of the campaign's seed 140"
t 2 "fuzz --print-seed x: exit 2" "$A" fuzz --print-seed x
has "$T/err" "--print-seed: expected 0..2^64-1, got 'x'" "fuzz --print-seed x: says why"
# stderr is no terminal here: plain progress lines (every 10 s; 0.3 s here)
(cd "$T" && timeout 60 env APSIM_FUZZ_PROGRESS_S=0.3 "$A" fuzz --seed 1 --time 2 --iterations 0 \
	--no-shrink --out "$T/fz-prog" > "$T/out" 2> "$T/err")
rc=$?
[ $rc -le 1 ] && ok "fuzz --time 2, progress lines: exit 0 or 1" || bad "fuzz --time 2, progress lines: exit $rc"
[ "$(grep -c '^apsim fuzz: [0-9]* s: execs [0-9]* .* exec/s  unique findings [0-9]*  coverage .* seed [0-9]*$' "$T/err")" -ge 2 ] &&
	ok "fuzz: periodic progress lines when stderr is no terminal" || bad "fuzz: no periodic progress lines"
(cd "$T" && timeout 60 env APSIM_FUZZ_PROGRESS_S=0.3 "$A" fuzz -q --seed 1 --time 1 --iterations 0 \
	--no-shrink --out "$T/fz-prog-q" > "$T/out" 2> "$T/err")
hasnt "$T/err" "apsim fuzz: " "fuzz -q: no progress lines"
t 1 "fuzz seed 77, 3000 executions" "$A" fuzz --seed 77 --iterations 3000 --share-setup 1 --no-shrink --out "$T/fz-groups"
has "$T/out" "findings by kind and function (most frequent first):" "fuzz: grouped summary"
grep -A1 'most frequent first' "$T/out" | grep -Eq '^ +[0-9]+  bug +vfio_dma_do_unmap +.*/fz-groups/01-bug$' &&
	ok "fuzz: most frequent group first, with its first directory" || bad "fuzz: grouped summary order"

# ------------------------------------- issue 12: ops a tree lacks (ops.def SINCE)
cat > "$T/ap-config.scn" <<'EOF'
scenario ap-config-any-tree
host adapters 5 domains 4 control-domains 4
setup:
    create_mdev m0
thread admin:
    yield
    write_ap_config m0 0x00000400,0x08,0x08
EOF
kver=$("$A" version | sed -n 's/^driver: linux \([0-9.]*\) .*/\1/p')
case "$kver" in
6.1.*)
	t 2 "write_ap_config on a 6.1 tree: exit 2" "$A" run "$T/ap-config.scn" --out "$T/apc"
	has "$T/err" "ap-config.scn:7:5: error: operation 'write_ap_config' needs a 6.12 tree (this driver: linux $kver)" \
		"an op the tree lacks: the error names the op, its tree and the driver"
	printf 'scenario p\nsetup:\n    kvm_create k0\n    pv_on k0\n' > "$T/pv.scn"
	t 2 "pv_on in setup on a 6.1 tree: exit 2" "$A" run "$T/pv.scn" --out "$T/pv"
	has "$T/err" "pv.scn:4:5: error: operation 'pv_on' needs a 6.12 tree" "the setup's op is checked too"
	sed 's/^scenario ap-config-any-tree$/&\ntree 6.12/' "$T/ap-config.scn" > "$T/ap-config-612.scn"
	t 0 "the same scenario with 'tree 6.12' on 6.1: skipped, exit 0" "$A" run "$T/ap-config-612.scn" --out "$T/apc2"
	has "$T/out" "SKIP ap-config-any-tree" "a 6.12 scenario is skipped, not refused";;
*)
	t 0 "write_ap_config on a $kver tree: runs" "$A" run "$T/ap-config.scn" --out "$T/apc"
	has "$T/out" "PASS ap-config-any-tree" "an op the tree has runs";;
esac

# ------------------------- the hung-task detector (run --hung-task-timeout)
# (its reports on 6.12: tests/hung-task.sh, run by check-6.12)
t 2 "--hung-task-timeout -1: exit 2" "$A" run "$CLEAN" --hung-task-timeout -1
has "$T/err" "0..86400 seconds" "--hung-task-timeout: the range in the message"

echo "hardening: $((n - fail)) of $n passed"
[ $fail = 0 ]
