# SPDX-License-Identifier: GPL-2.0
# apsim - deterministic concurrency test bed for the s390 vfio_ap driver.
#
#   make            build everything into build/
#   make check      unit tests (Check) + sanitizer build + shipped scenarios
#   make demo       the main job: documented deadlock replays with reports
#   make bench      benchmarks (figures, never pass/fail)
#
# KSRC=<dir>  kernel tree holding drivers/s390/crypto/vfio_ap_{ops,drv}.c,
#             vfio_ap_private.h, vfio_ap_debug.h, ap_bus.h.  Default: Debian's
#             linux-source-6.1, extracted into build/ksrc/.

BUILD    ?= build
CC       ?= gcc
OPT      ?= -O2
# Sources are discovered by wildcard: add a file, it is built.
SIM_SRCS    := $(wildcard sim/*.c)
SIM_ASM     := $(wildcard sim/*.S)
SHIM_SRCS   := $(wildcard sim/kernel/*.c)
GLUE_SRCS   := $(wildcard driver/*.c)
CLI_SRCS    := $(wildcard cli/*.c)
TEST_SRCS   := $(wildcard tests/check_*.c)
TEST_UTIL   := $(filter-out $(TEST_SRCS),$(wildcard tests/*.c))
BENCH_SRCS  := $(wildcard bench/*.c)

WARN     := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
BASEFLAGS = $(OPT) -g -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing $(WARN)
# Host-side code (libsim, CLI, tests) must never see the shim kernel headers:
# sim/include is searched after the system directories (only <apsim/...> is
# found there).
CFLAGS_SIM = $(BASEFLAGS) -idirafter sim/include -D_GNU_SOURCE
# Kernel-side code (the real driver and the shim subsystems) sees only the
# shim headers first, then the driver's own directory for its quoted headers.
KDIR      = $(KSRC_EFF)/drivers/s390/crypto
KWARN     = -Wall -Wno-unused-parameter -Wno-sign-compare -Wno-pointer-sign \
            -Wno-unused-function -Wno-address-of-packed-member
KDEFS     = -D__KERNEL__ -DAPSIM_KERNEL -DKBUILD_MODNAME='"vfio_ap"' \
            -Isim/include -I$(KDIR) -include sim/include/linux/kconfig.h
# The real driver: freestanding, only shim headers (no silent fallback to the
# host's <asm/...> or libc).
CFLAGS_K  = $(OPT) -g -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing \
            -fno-common -ffreestanding -DAPSIM_FREESTANDING -nostdinc \
            -isystem $(shell $(CC) -print-file-name=include) $(KDEFS) $(KWARN)
# Shim subsystems and driver glue: kernel headers from the shim, plus libc.
CFLAGS_SHIM = $(OPT) -g -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing \
            -fno-common -D_GNU_SOURCE $(KDEFS) $(KWARN)
LDLIBS   := -lm

# --------------------------------------------------------------- dependencies
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP):
	@mkdir -p $(BUILD)
	@sh tools/deps.sh
	@touch $@

# ------------------------------------------------------------- kernel source
KTARBALL    ?= /usr/src/linux-source-6.1.tar.xz
DEFAULT_KSRC = $(BUILD)/ksrc/linux-source-6.1
KSRC_EFF     = $(if $(KSRC),$(KSRC),$(DEFAULT_KSRC))
DRV_FILES    = vfio_ap_ops.c vfio_ap_drv.c vfio_ap_private.h vfio_ap_debug.h ap_bus.h
DRV_DEPS     = $(addprefix $(KDIR)/,$(DRV_FILES))

$(DEFAULT_KSRC)/.extracted: | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/ksrc
	@echo "  EXTRACT $(KTARBALL) -> $(BUILD)/ksrc (vfio_ap files only)"
	@tar -xJf $(KTARBALL) -C $(BUILD)/ksrc \
	    $(addprefix linux-source-6.1/drivers/s390/crypto/,$(DRV_FILES)) \
	    linux-source-6.1/Makefile linux-source-6.1/Documentation/s390/vfio-ap-locking.rst
	@touch $@

ifeq ($(KSRC),)
KSRC_READY := $(DEFAULT_KSRC)/.extracted
else
KSRC_READY :=
endif

# Records which tree was used; driver objects rebuild when it changes.
KINFO := $(BUILD)/ksrc.info
$(KINFO): FORCE $(KSRC_READY)
	@mkdir -p $(BUILD)
	@sh tools/ksrc-info.sh "$(KSRC_EFF)" > $@.tmp || { rm -f $@.tmp; exit 2; }
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

# ------------------------------------------------------------------- objects
OBJ       = $(BUILD)/obj
SIM_OBJS  = $(SIM_SRCS:%.c=$(OBJ)/%.o) $(SIM_ASM:%.S=$(OBJ)/%.o)
SHIM_OBJS = $(SHIM_SRCS:%.c=$(OBJ)/%.o)
GLUE_OBJS = $(GLUE_SRCS:%.c=$(OBJ)/%.o)
DRV_OBJS  = $(OBJ)/kernel/vfio_ap_ops.o $(OBJ)/kernel/vfio_ap_drv.o

$(OBJ)/sim/%.o: sim/%.c $(wildcard sim/*.h sim/include/apsim/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@
$(OBJ)/sim/%.o: sim/%.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

SHIM_HDRS := $(shell find sim/include -name '*.h') $(wildcard sim/kernel/*.h)
$(OBJ)/sim/kernel/%.o: sim/kernel/%.c $(SHIM_HDRS) $(KINFO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM) -c $< -o $@

# The real driver, compiled as it is from KSRC.  Its writable data is moved
# into named sections so the per-execution reset can restore it by memcpy.
$(OBJ)/kernel/%.o: $(KDIR)/%.c $(DRV_DEPS) $(SHIM_HDRS) $(KINFO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_K) -c $< -o $@.raw.o
	objcopy --rename-section .data=apsim_drv_data,alloc,load,data,contents \
	        --rename-section .data.rel.local=apsim_drv_data,alloc,load,data,contents \
	        --rename-section .data.rel=apsim_drv_data,alloc,load,data,contents \
	        --rename-section .bss=apsim_drv_bss,alloc,load,data,contents $@.raw.o $@
	@rm -f $@.raw.o

$(OBJ)/driver/%.o: driver/%.c $(SHIM_HDRS) $(wildcard driver/*.h) $(KINFO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM) -Idriver -c $< -o $@

$(OBJ)/cli/%.o: cli/%.c $(wildcard cli/*.h driver/*.h) sim/include/apsim/sim.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -c $< -o $@

LIBSIM  = $(BUILD)/libsim.a
LIBDRV  = $(BUILD)/libapsim-driver.a
$(LIBSIM): $(SIM_OBJS)
	@rm -f $@; ar rcs $@ $^
$(LIBDRV): $(SHIM_OBJS) $(DRV_OBJS) $(GLUE_OBJS) $(OBJ)/gen/variant.o $(OBJ)/gen/rules.o
	@rm -f $@; ar rcs $@ $^

# ------------------------------------------------------------------ variants
# A variant is a historic version of the driver rebuilt from the extracted
# source by a small documented transformation (driver/variants/NAME.var,
# applied by tools/variant.awk into the build directory; nothing committed)
# plus legacy shim behaviours named by its `shim` lines.  Each variant gets
# its own tree and binary: build/variants/NAME/apsim.
VARIANT  ?=
VARIANTS := $(sort $(basename $(notdir $(wildcard driver/variants/*.var))))
$(BUILD)/gen/variant.c: FORCE $(KINFO)
	@mkdir -p $(dir $@)
	@sh tools/gen-variant.sh "$(VARIANT)" "$(KINFO)" > $@.tmp || { rm -f $@.tmp; exit 2; }
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(OBJ)/gen/variant.o: $(BUILD)/gen/variant.c $(KINFO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@
# The locking-document rules, built in (apsim run --rules FILE overrides).
$(BUILD)/gen/rules.c: rules/vfio-ap-locking.rules tools/embed.sh
	@mkdir -p $(dir $@)
	@sh tools/embed.sh apsim_rules_default $< > $@
$(OBJ)/gen/rules.o: $(BUILD)/gen/rules.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@

$(BUILD)/variants/%/ksrc/.ready: driver/variants/%.var tools/variant.awk $(DRV_DEPS) $(KINFO)
	@mkdir -p $(BUILD)/variants/$*/ksrc/drivers/s390/crypto
	@for f in $(DRV_FILES); do cp $(KDIR)/$$f $(BUILD)/variants/$*/ksrc/drivers/s390/crypto/$$f.orig || exit 2; done
	@[ -f $(KSRC_EFF)/Makefile ] && cp $(KSRC_EFF)/Makefile $(BUILD)/variants/$*/ksrc/Makefile || true
	@for f in $(DRV_FILES); do \
	    awk -v FILE=$$f -v VAR=driver/variants/$*.var -f tools/variant.awk driver/variants/$*.var \
	        $(BUILD)/variants/$*/ksrc/drivers/s390/crypto/$$f.orig > $(BUILD)/variants/$*/ksrc/drivers/s390/crypto/$$f || exit 2; \
	    rm -f $(BUILD)/variants/$*/ksrc/drivers/s390/crypto/$$f.orig; done
	@echo "  VARIANT $* (from $(KSRC_EFF))"
	@touch $@
$(BUILD)/variants/%/apsim: $(BUILD)/variants/%/ksrc/.ready FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/variants/$* KSRC=$(abspath $(BUILD)/variants/$*/ksrc) VARIANT=$* $@
variants: $(VARIANTS:%=$(BUILD)/variants/%/apsim)

APSIM = $(BUILD)/apsim
$(APSIM): $(CLI_SRCS:%.c=$(OBJ)/%.o) $(LIBDRV) $(LIBSIM)
	$(CC) -o $@ $(CLI_SRCS:%.c=$(OBJ)/%.o) -Wl,--whole-archive $(LIBDRV) -Wl,--no-whole-archive $(LIBSIM) $(LDLIBS)

# --------------------------------------------------------------------- tests
# tests/check_sim_*.c test the core alone (libsim); other check_*.c link the
# shim kernel and the real driver too.
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
TEST_BINS  = $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
$(BUILD)/tests/check_sim_%: tests/check_sim_%.c $(TEST_UTIL) $(wildcard tests/*.h) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Itests -o $@ $< $(TEST_UTIL) $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)
# tests/check_scn*.c test the CLI side (scenario parser/writer): the CLI
# objects except cli/main.c, plus libsim; no driver.
LIBCLI = $(BUILD)/libapsim-cli.a
$(LIBCLI): $(filter-out $(OBJ)/cli/main.o,$(CLI_SRCS:%.c=$(OBJ)/%.o))
	@rm -f $@; ar rcs $@ $^
$(filter $(BUILD)/tests/check_scn%,$(TEST_BINS)): $(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(LIBCLI) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -Icli -Itests -o $@ $< $(LIBCLI) $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)
$(BUILD)/tests/%: tests/%.c $(TEST_UTIL) $(wildcard tests/*.h) $(LIBDRV) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -Itests -o $@ $< $(TEST_UTIL) -Wl,--whole-archive $(LIBDRV) -Wl,--no-whole-archive $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)

.PHONY: variants all check check-unit check-asan demo bench clean distclean FORCE
all: $(APSIM) $(TEST_BINS) variants

check-unit: $(TEST_BINS)
	@sh tools/run-tests.sh $(TEST_BINS)

# The same suite built with clang, AddressSanitizer and UBSan.
check-asan: | $(DEPS_STAMP)
	$(MAKE) --no-print-directory BUILD=$(BUILD)/asan CC=clang OPT="-O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -DAPSIM_ASAN" \
	    LDLIBS="-lm -fsanitize=address,undefined" KSRC=$(KSRC_EFF) check-unit

check: all check-unit check-asan

demo: $(APSIM) variants
	@sh tools/demo.sh $(APSIM)

# libFuzzer target for the scenario parser (never crashes; write/parse round trip).
FUZZ_CC ?= clang
SCN_SRCS = cli/scn_parse.c cli/scn_write.c cli/ops_names.c
.PHONY: fuzz-scn
fuzz-scn: $(BUILD)/fuzz/fuzz_scn_parse
$(BUILD)/fuzz/fuzz_scn_parse: fuzz/fuzz_scn_parse.c $(SCN_SRCS) $(wildcard cli/*.h driver/ops.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -D_GNU_SOURCE -Isim/include -Idriver -Icli -o $@ $< $(SCN_SRCS)

BENCH_BINS = $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/bench_sim_%: bench/bench_sim_%.c $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -o $@ $< $(LIBSIM) -lprofiler $(LDLIBS)
$(BUILD)/bench/%: bench/%.c $(LIBDRV) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -o $@ $< -Wl,--whole-archive $(LIBDRV) -Wl,--no-whole-archive $(LIBSIM) -lprofiler $(LDLIBS)
bench: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf $(BUILD)/obj $(BUILD)/tests $(BUILD)/bench $(BUILD)/asan $(APSIM) $(LIBSIM) $(LIBDRV)
distclean:
	rm -rf $(BUILD)

FORCE:
