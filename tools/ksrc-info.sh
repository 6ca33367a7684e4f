#!/bin/sh
# tools/ksrc-info.sh DIR - check that DIR is a usable kernel tree for apsim and
# print what the build records about it (path, kernel version, file hashes).
set -u
k="$1"
d="$k/drivers/s390/crypto"
for f in vfio_ap_ops.c vfio_ap_drv.c vfio_ap_private.h vfio_ap_debug.h ap_bus.h; do
	if [ ! -f "$d/$f" ]; then
		echo "apsim: KSRC=$k: missing drivers/s390/crypto/$f" >&2
		echo "apsim: expected a kernel tree with drivers/s390/crypto/{vfio_ap_ops.c,vfio_ap_drv.c,vfio_ap_private.h,vfio_ap_debug.h,ap_bus.h}" >&2
		exit 2
	fi
done
ver=unknown
if [ -f "$k/Makefile" ]; then
	v=$(sed -n 's/^VERSION = //p' "$k/Makefile" | head -1)
	p=$(sed -n 's/^PATCHLEVEL = //p' "$k/Makefile" | head -1)
	s=$(sed -n 's/^SUBLEVEL = //p' "$k/Makefile" | head -1)
	e=$(sed -n 's/^EXTRAVERSION = //p' "$k/Makefile" | head -1)
	[ -n "$v" ] && ver="$v.$p.$s$e"
fi
abs=$(cd "$k" && pwd)
sum=$(cd "$d" && cat vfio_ap_ops.c vfio_ap_drv.c vfio_ap_private.h vfio_ap_debug.h ap_bus.h | sha256sum | cut -c1-12)
echo "path=$abs"
echo "version=$ver"
echo "sha=$sum"
