# SPDX-License-Identifier: GPL-2.0
# tools/variant.awk - apply a variant description (driver/world/variants/NAME.var) to
# one file of the extracted driver source.  Rules apply only inside the named
# function; each must match exactly once, or the build stops with an error
# naming the rule (so a tree the variant does not fit is never half-patched).
#
# usage: awk -v FILE=vfio_ap_ops.c -v VAR=path.var -f variant.awk path.var src.c > out.c
#
# .var syntax (one directive per line, '#' comments):
#   name NAME
#   history "one line of history"
#   shim FLAG                         legacy shim behaviour (handled by the glue)
#   [file F] in FUNC delete "TEXT"    drop the line whose trimmed text is TEXT
#   [file F] in FUNC replace "TEXT" "NEW"   replace TEXT (a substring) by NEW
function unq(s) {
	if (s !~ /^".*"$/) return s
	s = substr(s, 2, length(s) - 2)
	gsub(/\\"/, "\"", s); gsub(/\\\\/, "\\", s)
	return s
}
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function err(msg) { printf("%s\n", msg) > "/dev/stderr"; failed = 1; exit 2 }
FNR == NR {
	line = $0
	if (line ~ /^[ \t]*(#|$)/) next
	f = "vfio_ap_ops.c"
	if (match(line, /^[ \t]*file[ \t]+[^ \t]+[ \t]+/)) {
		split(trim(substr(line, 1, RLENGTH)), w, /[ \t]+/); f = w[2]
		line = substr(line, RLENGTH + 1)
	}
	if (line !~ /^[ \t]*in[ \t]/) next
	# in FUNC (delete|replace) "A" ["B"]
	if (!match(line, /^[ \t]*in[ \t]+[A-Za-z0-9_]+[ \t]+(delete|replace)[ \t]+/))
		err(VAR ":" FNR ": expected 'in FUNC delete \"TEXT\"' or 'in FUNC replace \"TEXT\" \"NEW\"'")
	split(trim(substr(line, 1, RLENGTH)), w, /[ \t]+/)
	rest = substr(line, RLENGTH + 1)
	if (!match(rest, /^"([^"\\]|\\.)*"/)) err(VAR ":" FNR ": expected a quoted TEXT")
	a = unq(substr(rest, 1, RLENGTH)); rest = trim(substr(rest, RLENGTH + 1))
	b = ""
	if (w[3] == "replace") {
		if (!match(rest, /^"([^"\\]|\\.)*"$/)) err(VAR ":" FNR ": expected a quoted NEW text")
		b = unq(rest)
	} else if (rest != "") err(VAR ":" FNR ": unexpected text after delete rule")
	if (f != FILE) next
	n++; rfunc[n] = w[2]; rop[n] = w[3]; rtext[n] = a; rnew[n] = b; rline[n] = FNR; hits[n] = 0
	next
}
{
	# Track the function being defined: a line starting in column 0 that
	# names FUNC( opens it; a line "}" at column 0 closes it.
	if ($0 ~ /^[A-Za-z_*]/ && $0 ~ /\(/) {
		cur = ""
		for (i = 1; i <= n; i++)
			if (index($0, rfunc[i] "(") && ($0 ~ ("(^|[ *])" rfunc[i] "\\("))) cur = rfunc[i]
	}
	out = $0; drop = 0
	if (cur != "")
		for (i = 1; i <= n; i++) {
			if (rfunc[i] != cur) continue
			if (rop[i] == "delete" && trim(out) == rtext[i]) { drop = 1; hits[i]++ }
			else if (rop[i] == "replace" && (p = index(out, rtext[i]))) {
				out = substr(out, 1, p - 1) rnew[i] substr(out, p + length(rtext[i])); hits[i]++
			}
		}
	if ($0 ~ /^}/) cur = ""
	if (drop) print "/* apsim variant: line removed */"
	else print out
}
END {
	if (failed) exit 2
	for (i = 1; i <= n; i++)
		if (hits[i] != 1) {
			printf("%s:%d: rule '%s \"%s\"' in %s() matched %d times in %s (expected exactly once)\n",
			       VAR, rline[i], rop[i], rtext[i], rfunc[i], hits[i], FILE) > "/dev/stderr"
			bad = 1
		}
	if (bad) exit 2
}
