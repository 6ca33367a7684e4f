#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/docs.sh APSIM - the documentation says what the program does, run by
# `make check-docs` from the checkout's root (issue 16).
#
# Owns: the option lists of `apsim help run` and `apsim help fuzz` against
# docs/apsim.1 (RUN OPTIONS, FUZZ OPTIONS) and docs/fuzzing.md (its usage
# block); the environment variables of `apsim help` against the man page's
# ENVIRONMENT; `apsim help CMD` and a usage error of every command; every
# option an `apsim run`/`apsim fuzz` command line of README.md or docs/*.md
# uses exists; every docs/*.md that README.md,
# docs/ or the source name exists.  An option missing anywhere fails.
set -u
A=$1
T=$(mktemp -d /tmp/apsim-docs.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok   $*"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL $*"; }

# same NAME A B: the sorted lists in files A and B are equal (and not empty).
same() {
	if [ ! -s "$2" ]; then
		bad "$1: $2 is empty (the extraction found nothing)"
	elif cmp -s "$2" "$3"; then
		ok "$1 ($(wc -l < "$2") names)"
	else
		bad "$1"
		diff "$2" "$3" | sed -n 's/^</     only in '"$(basename "$2")"':/p; s/^>/     only in '"$(basename "$3")"':/p'
	fi
}

# Options of `apsim help CMD`: the lines that start with "  -".
help_opts() {
	"$A" help "$1" | sed -n 's/^  \(-[^ ].*\)/\1/p' |
		sed 's/  .*//; s/ [A-Z][^,]*//g; s/ text|json//; s/, /\n/g' | sed 's/ .*//' | sort -u
}
# Options of the man page section SECTION: the line after each .TP.
man_opts() {
	sed -n "/^\.SH $1\$/,/^\.SH /p" docs/apsim.1 | sed -n '/^\.TP/{n;p}' |
		sed 's/\\-/-/g; s/^\.[A-Z]* //; s/"[^"]*"//g; s/[ ,"]/\n/g' | grep -E '^--?[a-z]' | sort -u
}

help_opts run > "$T/help-run"
help_opts fuzz > "$T/help-fuzz"
man_opts "RUN OPTIONS" > "$T/man-run"
man_opts "FUZZ OPTIONS" > "$T/man-fuzz"
same "apsim help run = docs/apsim.1 RUN OPTIONS" "$T/help-run" "$T/man-run"
same "apsim help fuzz = docs/apsim.1 FUZZ OPTIONS" "$T/help-fuzz" "$T/man-fuzz"

# docs/fuzzing.md: the indented usage block under "## Usage".
sed -n '/^## Usage/,/^\*/p' docs/fuzzing.md | grep '^    apsim fuzz\|^            ' |
	grep -oE '(^|[[ |])--?[a-z][a-z-]*' | sed 's/^[[ |]//' | sort -u > "$T/fuzzing-md"
same "apsim help fuzz = docs/fuzzing.md usage" "$T/help-fuzz" "$T/fuzzing-md"

# Environment: `apsim help` against the man page.
"$A" help | sed -n '/^environment:/,/^$/p' | grep -oE '^  [A-Z_]+' | tr -d ' ' | sort -u > "$T/help-env"
sed -n '/^\.SH ENVIRONMENT$/,/^\.SH /p' docs/apsim.1 | sed -n '/^\.TP/{n;p}' |
	sed 's/^\.B //' | sort -u > "$T/man-env"
same "apsim help environment = docs/apsim.1 ENVIRONMENT" "$T/help-env" "$T/man-env"

# Command lines in README.md and docs/*.md use only options help lists.
for cmd in run fuzz; do
	bad_opts=
	for f in README.md docs/*.md; do
		for o in $(grep -E "apsim $cmd( |$)" "$f" | sed 's/#.*//; s/;.*//' |
			   grep -oE '(^| )--?[a-z][a-z-]*' | tr -d ' ' | sort -u); do
			grep -qxe "$o" "$T/help-$cmd" || bad_opts="$bad_opts $f:$o"
		done
	done
	if [ -z "$bad_opts" ]; then
		ok "README.md and docs/*.md: every 'apsim $cmd' option is in apsim help $cmd"
	else
		bad "options not in apsim help $cmd:$bad_opts"
	fi
done

# Every command `apsim help` lists has its own help (a usage error points
# the user at `apsim help CMD`).
cmds=$("$A" help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\).*/\1/p' | grep -vx help)
[ -n "$cmds" ] || bad "apsim help lists no commands (the extraction found nothing)"
nohelp=
for c in $cmds; do
	"$A" help "$c" 2>&1 | head -n 1 | grep -q "^usage: apsim $c" || nohelp="$nohelp $c"
done
if [ -z "$nohelp" ]; then ok "apsim help CMD gives each command's usage"; else bad "apsim help CMD prints no usage of:$nohelp"; fi
# ... and an argument it does not know is a usage error (exit 2) that
# points there; so is `apsim help` of a command that does not exist.
badarg=
for c in $cmds; do
	"$A" "$c" --no-such-option > "$T/badarg" 2>&1
	rc=$?
	{ [ $rc = 2 ] && grep -q "(see 'apsim help $c')" "$T/badarg"; } || badarg="$badarg $c(exit $rc)"
done
if [ -z "$badarg" ]; then ok "CMD --no-such-option: exit 2, see 'apsim help CMD'"; else bad "unknown argument not refused by:$badarg"; fi
"$A" help no-such-command > "$T/badcmd" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "unknown command 'no-such-command'" "$T/badcmd"; then
	ok "apsim help of an unknown command: exit 2"
else
	bad "apsim help no-such-command exits $rc"
fi

# Every docs page named anywhere exists.
missing=
for d in $(grep -rhoE 'docs/[A-Za-z0-9_-]+\.(md|1)' README.md docs cli sim driver fuzz tools \
	       tests Makefile | sort -u); do
	[ -f "$d" ] || missing="$missing $d"
done
if [ -z "$missing" ]; then ok "every docs page named exists"; else bad "named but missing:$missing"; fi

echo "$n tests, $fail failed"
[ "$fail" -eq 0 ]
