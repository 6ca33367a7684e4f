#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/review/make-patches.sh KSRC OUT - write the patches the review tests
# apply, made at test time from the 6.1 tree in KSRC (no kernel text is kept
# in this repository, not even as diff context):
#   OUT/d2-0001-assign-adapter.patch, OUT/d2-0002-assign-domain.patch
#       the historic d2 shape (driver/world/variants/d2.var) as a `git
#       format-patch` series: assign_adapter_store and assign_domain_store
#       without ap_perms_mutex, one store per patch;
#   OUT/cosmetic.diff
#       a unified diff adding only comments: one at the top (every line of
#       vfio_ap_ops.c moves) and one before control_domains_show;
#   OUT/cover.diff
#       for the coverage of the changed lines: changes a line of code that
#       every assign runs (get_update_locks_for_mdev in assign_adapter_store,
#       a comment appended) and one that no shipped scenario or fuzz run
#       reaches (a pr_warn added to the `default:` answer of
#       vfio_ap_mdev_ioctl: apsim issues only VFIO_DEVICE_GET_INFO and
#       VFIO_DEVICE_RESET), one that only the fuzzer reaches when the review runs
#       no scenario that opens the device (vfio_ap_mdev_open_device: the
#       counters of the forked fuzz workers), and adds a comment-only line.
# The edits go through tools/variant.awk, so a tree they do not fit stops
# here with the rule that did not match.  Run from the checkout's root.
set -eu
ksrc=$(realpath "$1")
mkdir -p "$2"
out=$(realpath "$2")
root=$(pwd)
g=$(mktemp -d /tmp/apsim-patches.XXXXXX)
trap 'rm -rf "$g"' EXIT
f=drivers/s390/crypto/vfio_ap_ops.c
mkdir -p "$g/drivers/s390/crypto"
cp "$ksrc/$f" "$g/$f"
cd "$g"
export GIT_AUTHOR_NAME="apsim tests" GIT_AUTHOR_EMAIL=apsim@example.invalid \
       GIT_COMMITTER_NAME="apsim tests" GIT_COMMITTER_EMAIL=apsim@example.invalid \
       GIT_AUTHOR_DATE="2020-06-01T12:00:00+0000" GIT_COMMITTER_DATE="2020-06-01T12:00:00+0000"
git init -q .
git add "$f"
git commit -q -m base

# edit FUNC: delete the store's ap_perms_mutex lock and unlock
edit() {
	printf 'in %s delete "mutex_lock(&ap_perms_mutex);"\nin %s delete "mutex_unlock(&ap_perms_mutex);"\n' \
		"$1" "$1" > "$g/edit.var"
	# variant.awk keeps line numbers with a marker comment; a patch deletes
	awk -v FILE=vfio_ap_ops.c -v VAR="$g/edit.var" -f "$root/tools/variant.awk" "$g/edit.var" "$f" |
		grep -v "^[[:space:]]*/\* apsim variant: line removed \*/$" > "$g/new.c"
	mv "$g/new.c" "$f"
	rm -f "$g/edit.var"
}
edit assign_adapter_store
git commit -q -a -F - <<'MSG'
s390/vfio-ap: assign_adapter_store: let the AP bus take ap_perms_mutex

Historic shape of the in_use deadlock (d2, fixed by 3f85d1df): the
store no longer takes ap_perms_mutex before the matrix update locks.

Signed-off-by: apsim tests <apsim@example.invalid>
MSG
edit assign_domain_store
git commit -q -a -F - <<'MSG'
s390/vfio-ap: assign_domain_store: let the AP bus take ap_perms_mutex

Historic shape of the in_use deadlock (d2, fixed by 3f85d1df), second
half: the domain store no longer takes ap_perms_mutex either.

Signed-off-by: apsim tests <apsim@example.invalid>
MSG
git format-patch -q -2 --no-numbered --numbered -o "$g/fp" HEAD
mv "$g/fp/0001-"*.patch "$out/d2-0001-assign-adapter.patch"
mv "$g/fp/0002-"*.patch "$out/d2-0002-assign-domain.patch"

git checkout -q HEAD~2 -- "$f"
awk 'NR == 2 { print "/*"; print " * Cosmetic change for apsim review tests: a comment that moves every";
		print " * line of the file and changes no code."; print " */"; print "" }
     /^static ssize_t control_domains_show\(/ { print "/* control_domains: cosmetic comment */" }
     { print }' "$f" > "$g/new.c"
mv "$g/new.c" "$f"
grep -q 'control_domains: cosmetic comment' "$f" || { echo "make-patches.sh: control_domains_show not found" >&2; exit 2; }
git diff HEAD~2 -- "$f" > "$out/cosmetic.diff"

git checkout -q HEAD~2 -- "$f"
if awk '/^static ssize_t assign_adapter_store\(/ { fn = "a" }
     /^static ssize_t vfio_ap_mdev_ioctl\(/ { fn = "d" }
     /^static int vfio_ap_mdev_open_device\(/ { fn = "o" }
     /^}/ { fn = "" }
     fn == "a" && /^\tget_update_locks_for_mdev\(matrix_mdev\);$/ {
	print "\t/* coverage test: a comment-only line */"; print $0 " /* cover: runs */"; na++; next }
     fn == "d" && /^\t\tret = -EOPNOTSUPP;$/ {	# a call: code of its own at -O2
	print $0 " pr_warn(\"vfio_ap: ioctl %u\\n\", cmd); /* cover: never runs */"; nd++; next }
     fn == "o" && /^\tif \(!vdev->kvm\)$/ { print $0 " /* cover: fuzz only */"; no++; next }
     { print }
     END { if (na != 1 || nd != 1 || no != 1) exit 2 }' "$f" > "$g/new.c"; then
	mv "$g/new.c" "$f"
	git diff HEAD~2 -- "$f" > "$out/cover.diff"
else
	# written for 6.1's lines; another tree gets the other patches only
	echo "make-patches.sh: no cover.diff for this tree (its lines differ from 6.1's)" >&2
fi
