# SPDX-License-Identifier: GPL-2.0
# apsim - deterministic concurrency test bed for the s390 vfio_ap driver.
#
#   make            build apsim, its variants and the tests into build/
#   make check      unit tests (Check), shipped scenarios, second tree,
#                   sanitizer build, libFuzzer smoke runs
#   make demo       the main job: documented deadlock replays with reports
#   make bench      benchmarks (figures, never pass/fail)
#   make help       every target
#
# TREE=6.1|6.12  which Debian kernel tree (linux-source-TREE) to build
#             against (docs/kernel-trees.md).  Default 6.1, built into build/;
#             another tree builds into build/TREE/ (build/6.12/apsim ...).
#             Both are extracted (vfio_ap files only) into build/ksrc/.
# KSRC=<dir>  any kernel tree holding drivers/s390/crypto/vfio_ap_{ops,drv}.c,
#             vfio_ap_private.h, vfio_ap_debug.h, ap_bus.h and its Makefile
#             (the kernel version selects the shim's kernel API).

.DEFAULT_GOAL := all
# The Debian trees apsim knows (linux-source-<tree>); the first is the default.
TREES    := 6.1 6.12
TREE     ?= $(firstword $(TREES))
ifeq ($(filter $(TREE),$(TREES)),)
$(error apsim: TREE=$(TREE) is not one of: $(TREES) (docs/kernel-trees.md; any other tree: KSRC=<dir>))
endif
BUILD_ROOT ?= build
ifeq ($(TREE),$(firstword $(TREES)))
BUILD    ?= $(BUILD_ROOT)
else
BUILD    ?= $(BUILD_ROOT)/$(TREE)
endif
CC       ?= gcc
OPT      ?= -O2
# Layers = folders = libraries (docs/architecture.md).  Sources are found by
# wildcard per folder: add a file to a folder and it is built into that
# folder's library.  Arrows point down only:
#   cli -> fuzz -> world -> scenario -> sim,   world -> kernel -> sim
SIM_SRCS      := $(wildcard sim/*.c)
SIM_ASM       := $(wildcard sim/*.S)
KERNEL_SRCS   := $(wildcard driver/kernel/*.c)
SCENARIO_SRCS := $(wildcard driver/scenario/*.c)
WORLD_SRCS    := $(wildcard driver/world/*.c)
FUZZ_SRCS     := $(wildcard fuzz/*.c)
CLI_SRCS      := $(wildcard cli/*.c)
TEST_SRCS     := $(wildcard tests/check_*.c)
# bench/svg.c is not a program: the plot writer `apsim bench` links
BENCH_SRCS    := $(filter-out bench/svg.c,$(wildcard bench/*.c))

WARN     := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation -Wno-unknown-warning-option
BASEFLAGS = $(OPT) $(PIE_FLAGS) -g -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing $(WARN)
# Host-side code (libsim, scenario, fuzz, CLI, tests) never sees the shim
# kernel headers: its include roots are libsim's public headers
# (sim/include: <apsim/sim.h>) and the repository root, from which every
# project header is named by its path ("driver/scenario/scenario.h").
CFLAGS_SIM = $(BASEFLAGS) $(LTO_FLAGS) -Isim/include -I. -D_GNU_SOURCE $(COVER_DEF) $(CALLS_DEF) $(SHADOW_DEF)
# Kernel-side code (the real driver, the shim kernel and the world executor)
# sees the shim kernel headers (driver/include: the only kernel include root)
# first, then the driver's own directory for its quoted headers.
KDIR      = $(KSRC_EFF)/drivers/s390/crypto
KWARN     = -Wall -Wno-unused-parameter -Wno-sign-compare -Wno-pointer-sign -Wno-format-truncation -Wno-unknown-warning-option \
            -Wno-unused-function -Wno-address-of-packed-member
KDEFS     = -D__KERNEL__ -DAPSIM_KERNEL -DKBUILD_MODNAME='"vfio_ap"' \
            -Idriver/include -I$(KDIR) -Isim/include -I. -include $(KVER_H) -include driver/include/linux/kconfig.h
# The real driver: freestanding, only shim headers (no silent fallback to the
# host's <asm/...> or libc).
CFLAGS_K  = $(OPT) $(PIE_FLAGS) -g -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing \
            -fno-common -ffreestanding -DAPSIM_FREESTANDING -nostdinc \
            -isystem $(shell $(CC) -print-file-name=include) $(KDEFS) $(KWARN) $(KASAN_FLAGS)
# Shim subsystems and driver glue: kernel headers from the shim, plus libc.
CFLAGS_SHIM_NOKASAN = $(OPT) $(PIE_FLAGS) -g -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing \
            -fno-common -D_GNU_SOURCE $(KDEFS) $(KWARN) $(KASAN_DEF)
CFLAGS_SHIM = $(CFLAGS_SHIM_NOKASAN) $(KASAN_FLAGS)
LDLIBS   := -lm -ldl
# The kernel side (the driver and the shim) is built with the compiler's
# kernel-address instrumentation (gcc or clang, outline calls): every load
# and store calls libsim's shadow checker (sim/shadow.c), and the slab runs
# in shadow mode (exact, no system calls).  Off for user-space ASan builds
# (check-asan: ASan owns the __asan_* hooks there; the slab then uses ASan's
# poisoning).  KASAN=0 turns it off (the slab then uses guard pages).
ifneq ($(findstring APSIM_ASAN,$(OPT)),)
KASAN := 0
endif
KASAN    ?= 1
CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -qi clang && echo 1)
# Link-time optimisation of apsim's own host-side code: libsim, the scenario
# and fuzz libraries, the CLI and the world executor (rules,
# invariants, executor), so that their calls into libsim (sim_tid,
# sim_generation, sim_shadow_watched, the held stack ...) inline across
# files: 4.6-4.9 % fewer instructions per generated world (callgrind,
# docs/performance-history.md).  Never the real driver or the shim kernel:
# their writable sections are renamed after compiling (the world snapshot,
# below), and which shim functions gcc inlines shows in the reports' call
# traces (their [inlined] marks); record-outputs is byte-identical with and
# without it.  gcc only (clang builds, the sanitizer and fuzzer ones, keep
# their plain links); LTO=0 turns it off.
CC_IS_GCC := $(shell $(CC) -v 2>&1 | grep -q '^gcc version' && echo 1)
LTO ?= $(if $(CC_IS_GCC),1,0)
LTO_FLAGS = $(if $(filter 1,$(LTO)),-flto=auto -ffat-lto-objects)
# Only the programs whose speed is measured link with LTO: apsim (not a
# variant's: HOST_BUILD) and the bench programs.  The unit tests and the
# variants link the objects' ordinary code (fat LTO objects hold both):
# an LTO link per test binary doubled the build (40 s -> 91 s).
NO_LTO = $(if $(filter 1,$(LTO)),-fno-lto)
APSIM_LTO = $(if $(HOST_BUILD),$(NO_LTO),$(LTO_FLAGS))
# (an archive of LTO objects gets its symbol index from gcc-ar's plugin)
AR_CMD = $(if $(filter 1,$(LTO)),gcc-ar,ar)
# Position-dependent code and executables (gcc builds; NOPIE=0 builds PIE
# as Debian's gcc does by default): a global's address is a constant
# instead of a RIP-relative load or a GOT entry, 2.3 % fewer instructions
# per generated world.  Reports do not depend on it: libsim's symbolizer
# asks addr2line by the executable's own addresses (sim/symbolize.c).
NOPIE ?= $(if $(CC_IS_GCC),1,0)
PIE_FLAGS = $(if $(filter 1,$(NOPIE)),-fno-pie -no-pie)
# KASAN_INLINE=1 (default): the compiler inlines the shadow check of each
# access (the shadow of the address space sits at SHADOW_OFFSET, ASan's
# x86-64 offset, fits an instruction's displacement) and calls libsim only
# for a non-zero shadow byte; KASAN_INLINE=0: a call per access.
KASAN_INLINE ?= 1
SHADOW_OFFSET = 0x7fff8000
ifeq ($(KASAN),1)
ifeq ($(KASAN_INLINE),1)
KASAN_MODE_CLANG = -mllvm -asan-mapping-offset=$(SHADOW_OFFSET) -mllvm -asan-instrumentation-with-call-threshold=10000
KASAN_MODE_GCC   = -fasan-shadow-offset=$(SHADOW_OFFSET) --param asan-instrumentation-with-call-threshold=10000
SHADOW_DEF       = -DSIM_SHADOW_OFFSET=$(SHADOW_OFFSET)UL
else
KASAN_MODE_CLANG = -mllvm -asan-instrumentation-with-call-threshold=0
KASAN_MODE_GCC   = --param asan-instrumentation-with-call-threshold=0
endif
ifeq ($(CC_IS_CLANG),1)
KASAN_FLAGS = -DAPSIM_KASAN -fsanitize=kernel-address $(KASAN_MODE_CLANG) \
              -mllvm -asan-globals=0 -mllvm -asan-stack=0
else
KASAN_FLAGS = -DAPSIM_KASAN -fsanitize=kernel-address --param asan-globals=0 --param asan-stack=0 \
              $(KASAN_MODE_GCC) -fno-tree-loop-distribute-patterns
endif
KASAN_DEF   = -DAPSIM_KASAN
endif
# Driver basic-block coverage for apsim fuzz (sim/cover.c), opt-in with
# make COVER=1: the real driver is built with -fsanitize-coverage=trace-pc
# (a call per basic block, ~12 % of an execution).  Never in libFuzzer
# builds (their runtime owns that callback).
ifneq ($(findstring fuzzer,$(OPT)),)
COVER := 0
endif
COVER ?= 0
ifeq ($(COVER),1)
COVER_FLAGS = -fsanitize-coverage=trace-pc
COVER_DEF   = -DAPSIM_COVER
endif
# Entry and exit of driver functions in traces (apsim run --trace-calls,
# sim/calls.c): the real driver is built with -finstrument-functions (its
# own functions, not the inline helpers of the shim headers).  Off at run
# time, a hook is one predictable branch; TRACE_CALLS=0 builds without
# (the default with clang, whose -finstrument-functions has no file list:
# the ASan and libFuzzer builds).
ifeq ($(CC_IS_CLANG),1)
TRACE_CALLS ?= 0
endif
TRACE_CALLS ?= 1
ifeq ($(TRACE_CALLS),1)
CALLS_FLAGS = -finstrument-functions \
	-finstrument-functions-exclude-file-list=driver/include/,sim/include/,/usr/include/
CALLS_DEF   = -DAPSIM_TRACE_CALLS
endif
# Line coverage of the driver for apsim review (docs/review.md: "coverage of
# the changed lines"), LINECOV=1, set by review for its cached builds only:
# the real driver's objects are built with gcc's --coverage (gcov arc
# counters, written to .gcda files at exit; fuzz workers flush before
# _exit through sim_linecov_flush).  The counters live in .bss, which the
# per-execution reset restores: so the driver is built with -fdata-sections
# and every data section but gcov's own goes into apsim_drv_data/_bss.
# Normal builds are not touched.
LINECOV ?= 0
ifeq ($(LINECOV),1)
ifneq ($(CC_IS_CLANG),1)
LINECOV_FLAGS = --coverage -fdata-sections
LDLIBS       += --coverage -Wl,-u,__gcov_dump
endif
endif

# --------------------------------------------------------------- dependencies
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP):
	@mkdir -p $(BUILD)
	@sh tools/deps.sh
	@touch $@

# ------------------------------------------------------------- kernel source
# Each tree comes from Debian's linux-source-<tree> package; only what apsim
# needs is extracted: the driver files, the tree's Makefile (its version) and
# the locking document (it moved in 6.5).
KTARBALL    ?= /usr/src/linux-source-$(TREE).tar.xz
KSRC_ROOT   ?= $(BUILD_ROOT)/ksrc
DEFAULT_KSRC = $(KSRC_ROOT)/linux-source-$(TREE)
KSRC_EFF     = $(if $(KSRC),$(KSRC),$(DEFAULT_KSRC))
DRV_FILES    = vfio_ap_ops.c vfio_ap_drv.c vfio_ap_private.h vfio_ap_debug.h ap_bus.h
DRV_DEPS     = $(addprefix $(KDIR)/,$(DRV_FILES))
LOCKDOC_6.1  = Documentation/s390/vfio-ap-locking.rst
LOCKDOC_6.12 = Documentation/arch/s390/vfio-ap-locking.rst

$(DEFAULT_KSRC)/.extracted: | $(DEPS_STAMP)
	@mkdir -p $(KSRC_ROOT)
	@echo "  EXTRACT $(KTARBALL) -> $(KSRC_ROOT) (vfio_ap files only)"
	@tar -xJf $(KTARBALL) -C $(KSRC_ROOT) \
	    $(addprefix linux-source-$(TREE)/drivers/s390/crypto/,$(DRV_FILES)) \
	    linux-source-$(TREE)/Makefile linux-source-$(TREE)/$(LOCKDOC_$(TREE))
	@touch $@

ifeq ($(KSRC),)
KSRC_READY := $(DEFAULT_KSRC)/.extracted
# The driver files come out of the tarball (so a fresh clone can build them).
$(addprefix $(DEFAULT_KSRC)/drivers/s390/crypto/,$(DRV_FILES)): | $(DEFAULT_KSRC)/.extracted
	@test -f $@
else
KSRC_READY :=
endif

# Records which tree was used; driver objects rebuild when it changes.  The
# tree's kernel version goes into $(KVER_H) (force-included into every
# kernel-side unit): driver/include/apsim-kapi.h maps it to the shim's kernel
# API; a version the shim does not know stops the build here (exit 2).
KINFO := $(BUILD)/ksrc.info
KVER_H = $(BUILD)/gen/kversion.h
$(KINFO): FORCE $(KSRC_READY)
	@mkdir -p $(BUILD)
	@CC="$(CC)" sh tools/ksrc-info.sh "$(KSRC_EFF)" "$(KVER_H)" > $@.tmp || { rm -f $@.tmp; exit 2; }
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

# ------------------------------------------------------------------- objects
# Objects rebuild when the compiler or the flags change (e.g. KASAN=0).
FLAGS_STAMP := $(BUILD)/cflags.txt
$(FLAGS_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) | $(CFLAGS_K) $(COVER_FLAGS) $(CALLS_FLAGS) $(LINECOV_FLAGS) | $(CFLAGS_SHIM) | $(CFLAGS_SIM)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
OBJ       = $(BUILD)/obj
# Host-side objects (libsim, the scenario and fuzz libraries, the CLI) are
# compiled without the kernel tree (CFLAGS_SIM): a variant's build links
# those of the build it belongs to (HOST_BUILD, set by the variants rule)
# and compiles its kernel side only.
HOST_BUILD ?=
HOST_OBJ  = $(if $(HOST_BUILD),$(HOST_BUILD)/obj,$(OBJ))
HOST_LIB  = $(if $(HOST_BUILD),$(HOST_BUILD)/lib,$(LIB))
SIM_OBJS      = $(SIM_SRCS:%.c=$(OBJ)/%.o) $(SIM_ASM:%.S=$(OBJ)/%.o)
KERNEL_OBJS   = $(KERNEL_SRCS:%.c=$(OBJ)/%.o)
SCENARIO_OBJS = $(SCENARIO_SRCS:%.c=$(OBJ)/%.o)
WORLD_OBJS    = $(WORLD_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/gen/variant.o $(OBJ)/gen/rules.o
FUZZ_OBJS     = $(FUZZ_SRCS:%.c=$(OBJ)/%.o)
CLI_OBJS      = $(CLI_SRCS:%.c=$(HOST_OBJ)/%.o) $(HOST_OBJ)/bench/svg.o
DRV_OBJS      = $(OBJ)/kernel/vfio_ap_ops.o $(OBJ)/kernel/vfio_ap_drv.o

SIM_HDRS   := $(wildcard sim/*.h sim/include/apsim/*.h)
SHIM_HDRS  := $(shell find driver/include -name '*.h') $(wildcard driver/kernel/*.h)
SCN_HDRS   := $(wildcard driver/scenario/*.h driver/scenario/*.def) $(SIM_HDRS)
WORLD_HDRS := $(wildcard driver/world/*.h) $(SCN_HDRS)
FUZZ_HDRS  := $(wildcard fuzz/*.h) $(WORLD_HDRS)

$(OBJ)/sim/%.o: sim/%.c $(SIM_HDRS) $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@
$(OBJ)/sim/%.o: sim/%.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

# The shim kernel's writable data goes into the sections apsim_shim_data /
# apsim_shim_bss (as the driver's below), so a world snapshot can keep and put
# back all of it by memcpy (driver/kernel/module.c); the allocator (slab.c)
# keeps its own state.
SHIM_SECTIONS = objcopy --rename-section .data=apsim_shim_data,alloc,load,data,contents \
	        --rename-section .data.rel.local=apsim_shim_data,alloc,load,data,contents \
	        --rename-section .data.rel=apsim_shim_data,alloc,load,data,contents \
	        --rename-section .bss=apsim_shim_bss,alloc,load,data,contents
$(OBJ)/driver/kernel/%.o: driver/kernel/%.c $(SHIM_HDRS) $(SIM_HDRS) $(KINFO) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM) -c $< -o $@.raw.o
	$(SHIM_SECTIONS) $@.raw.o $@
	@rm -f $@.raw.o
# The allocator owns the shadow: not instrumented itself.
$(OBJ)/driver/kernel/slab.o: driver/kernel/slab.c $(SHIM_HDRS) $(SIM_HDRS) $(KINFO) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM_NOKASAN) -c $< -o $@

# The real driver, compiled as it is from KSRC.  Its writable data is moved
# into named sections so the per-execution reset can restore it by memcpy.
$(OBJ)/kernel/%.o: $(KDIR)/%.c $(DRV_DEPS) $(SHIM_HDRS) $(KINFO) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_K) $(COVER_FLAGS) $(CALLS_FLAGS) $(LINECOV_FLAGS) -c $< -o $@.raw.o
ifeq ($(LINECOV_FLAGS),)
	objcopy --rename-section .data=apsim_drv_data,alloc,load,data,contents \
	        --rename-section .data.rel.local=apsim_drv_data,alloc,load,data,contents \
	        --rename-section .data.rel=apsim_drv_data,alloc,load,data,contents \
	        --rename-section .bss=apsim_drv_bss,alloc,load,data,contents $@.raw.o $@
else
	objcopy $$(objdump -h $@.raw.o | awk '$$2 ~ /^\.(data|bss)/ && $$2 !~ /^\.data\.rel\.ro/ && \
	        $$2 !~ /gcov|LPBX/ { print "--rename-section " $$2 "=apsim_drv_" \
	        ($$2 ~ /^\.bss/ ? "bss" : "data") ",alloc,load,data,contents" }') $@.raw.o $@
endif
	@rm -f $@.raw.o

# The executor (world, invariants, rules) is apsim's own code: kernel
# headers (it calls the shim and reads the driver's structures), not
# instrumented.
$(OBJ)/driver/world/%.o: driver/world/%.c $(SHIM_HDRS) $(WORLD_HDRS) $(KINFO) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM_NOKASAN) $(LTO_FLAGS) -c $< -o $@

$(OBJ)/driver/scenario/%.o: driver/scenario/%.c $(SCN_HDRS) $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@
$(OBJ)/cli/bench.o: bench/svg.h
$(OBJ)/bench/svg.o: bench/svg.c bench/svg.h $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@
$(OBJ)/fuzz/%.o: fuzz/%.c $(FUZZ_HDRS) $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@
$(OBJ)/cli/%.o: cli/%.c $(wildcard cli/*.h) $(FUZZ_HDRS) $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@

# One library per folder.
LIB         = $(BUILD)/lib
LIBSIM      = $(HOST_LIB)/libsim.a
LIBKERNEL   = $(LIB)/libkernel.a
LIBVFIO_AP  = $(LIB)/libvfio_ap.a
LIBSCENARIO = $(HOST_LIB)/libscenario.a
LIBWORLD    = $(LIB)/libworld.a
LIBFUZZ     = $(HOST_LIB)/libfuzz.a
ifeq ($(HOST_BUILD),)
$(LIBSIM): $(SIM_OBJS)
$(LIBSCENARIO): $(SCENARIO_OBJS)
$(LIBFUZZ): $(FUZZ_OBJS)
endif
$(LIBKERNEL): $(KERNEL_OBJS)
$(LIBVFIO_AP): $(DRV_OBJS)
$(LIBWORLD): $(WORLD_OBJS)
$(LIB)/%.a:
	@mkdir -p $(dir $@)
	@rm -f $@; $(AR_CMD) rcs $@ $^
# The world with everything below it.  The world, the shim kernel and the
# driver are linked whole: the driver's data sections and the shim's
# initcalls are found by section, not by reference.
WORLD_LINK = -Wl,--whole-archive $(LIBWORLD) $(LIBKERNEL) $(LIBVFIO_AP) -Wl,--no-whole-archive \
             $(LIBSCENARIO) $(LIBSIM)
WORLD_LIBS = $(LIBWORLD) $(LIBKERNEL) $(LIBVFIO_AP) $(LIBSCENARIO) $(LIBSIM)

# ------------------------------------------------------------------ variants
# A variant is a historic version of the driver rebuilt from the extracted
# source by a small documented transformation (driver/world/variants/NAME.var,
# applied by tools/variant.awk into the build directory; nothing committed)
# plus legacy shim behaviours named by its `shim` lines.  Each variant gets
# its own tree and binary: build/variants/NAME/apsim (its own kernel side,
# the host-side libraries of the build it belongs to: HOST_BUILD above).
VARIANT  ?=
# Legacy shim switches without a variant (apsim review --shim NAME...).
SHIM     ?=
VARIANTS := $(sort $(basename $(notdir $(wildcard driver/world/variants/*.var))))
$(BUILD)/gen/variant.c: FORCE $(KINFO)
	@mkdir -p $(dir $@)
	@sh tools/gen-variant.sh "$(VARIANT)" "$(KINFO)" "$(SHIM)" > $@.tmp || { rm -f $@.tmp; exit 2; }
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(OBJ)/gen/variant.o: $(BUILD)/gen/variant.c $(KINFO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@
# The locking-document rules, built in (apsim run --rules FILE overrides):
# every rules/*.rules with its path; driver/world/rules.c takes the one
# driver/include/apsim-kapi.h names for the tree's series.
RULES_FILES := $(sort $(wildcard rules/*.rules))
$(BUILD)/gen/rules.c: $(RULES_FILES) tools/embed.sh
	@mkdir -p $(dir $@)
	@{ i=0; for f in $(RULES_FILES); do sh tools/embed.sh apsim_rules_$$i $$f || exit 2; i=$$((i+1)); done; \
	   echo 'struct apsim_rules_text { const char *path, *text; };'; echo 'const struct apsim_rules_text apsim_rules_texts[] = {'; \
	   i=0; for f in $(RULES_FILES); do echo "	{ \"$$f\", apsim_rules_$$i },"; i=$$((i+1)); done; \
	   echo '	{ 0, 0 }'; echo '};'; } > $@.tmp && mv $@.tmp $@
$(OBJ)/gen/rules.o: $(BUILD)/gen/rules.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@

$(BUILD)/variants/%/ksrc/.ready: driver/world/variants/%.var tools/variant.awk $(DRV_DEPS) $(KINFO)
	@mkdir -p $(BUILD)/variants/$*/ksrc/drivers/s390/crypto
	@for f in $(DRV_FILES); do cp $(KDIR)/$$f $(BUILD)/variants/$*/ksrc/drivers/s390/crypto/$$f.orig || exit 2; done
	@[ -f $(KSRC_EFF)/Makefile ] && cp $(KSRC_EFF)/Makefile $(BUILD)/variants/$*/ksrc/Makefile || true
	@for f in $(DRV_FILES); do \
	    awk -v FILE=$$f -v VAR=driver/world/variants/$*.var -f tools/variant.awk driver/world/variants/$*.var \
	        $(BUILD)/variants/$*/ksrc/drivers/s390/crypto/$$f.orig > $(BUILD)/variants/$*/ksrc/drivers/s390/crypto/$$f || exit 2; \
	    rm -f $(BUILD)/variants/$*/ksrc/drivers/s390/crypto/$$f.orig; done
	@echo "  VARIANT $* (from $(KSRC_EFF))"
	@touch $@
# The host-side libraries and CLI objects are this build's (HOST_BUILD).
$(BUILD)/variants/%/apsim: $(BUILD)/variants/%/ksrc/.ready $(LIBSIM) $(LIBSCENARIO) $(LIBFUZZ) $(CLI_OBJS) FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/variants/$* HOST_BUILD=$(BUILD) \
	    KSRC=$(abspath $(BUILD)/variants/$*/ksrc) VARIANT=$* $@
variants: $(VARIANTS:%=$(BUILD)/variants/%/apsim)
.PRECIOUS: $(BUILD)/variants/%/ksrc/.ready

APSIM = $(BUILD)/apsim
$(APSIM): $(CLI_OBJS) $(LIBFUZZ) $(WORLD_LIBS)
	$(CC) $(PIE_FLAGS) $(APSIM_LTO) -o $@ $(CLI_OBJS) $(LIBFUZZ) $(WORLD_LINK) $(LDLIBS)

# --------------------------------------------------------------------- tests
# One Check program per module: tests/check_sim_*.c test the core alone
# (libsim), check_scn*.c the scenario library, check_shim_*.c the shim
# kernel and the real driver from the kernel side (compiled like shim code),
# check_fuzz*.c the fuzz library (its campaign tests run the apsim binary).
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
TEST_BINS  = $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TEST_HDRS  = $(wildcard tests/*.h)
$(BUILD)/tests/check_sim_%: tests/check_sim_%.c $(TEST_HDRS) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) $(NO_LTO) -o $@ $< $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)
$(filter $(BUILD)/tests/check_scn%,$(TEST_BINS)): $(BUILD)/tests/%: tests/%.c $(TEST_HDRS) $(LIBSCENARIO) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) $(NO_LTO) -o $@ $< $(LIBSCENARIO) $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)
$(BUILD)/tests/check_shim_%: tests/check_shim_%.c $(TEST_HDRS) $(WORLD_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM) $(NO_LTO) -o $@ $< $(WORLD_LINK) $(CHECK_LIBS) $(LDLIBS)
$(BUILD)/tests/check_fuzz: tests/check_fuzz.c $(TEST_HDRS) $(LIBFUZZ) $(LIBSCENARIO) $(LIBSIM) $(APSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) $(NO_LTO) -DAPSIM_BIN='"$(abspath $(APSIM))"' -DAPSIM_TEST_OUT='"$(BUILD)/tests"' -o $@ $< $(LIBFUZZ) $(LIBSCENARIO) $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)
# World snapshot = rebuild (runs from the source tree: it reads scenarios/).
$(BUILD)/tests/check_snapshot: tests/check_snapshot.c $(TEST_HDRS) $(LIBFUZZ) $(WORLD_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) $(NO_LTO) $(KASAN_DEF) -o $@ $< $(LIBFUZZ) $(WORLD_LINK) $(CHECK_LIBS) $(LDLIBS)

# check_fuzz_*: generator tests that need the fuzz library only
$(BUILD)/tests/check_fuzz_%: tests/check_fuzz_%.c $(TEST_HDRS) $(LIBFUZZ) $(LIBSCENARIO) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) $(NO_LTO) -o $@ $< $(LIBFUZZ) $(LIBSCENARIO) $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)
$(BUILD)/tests/check_fuzz-core: tests/check_fuzz.c $(TEST_HDRS) $(LIBFUZZ) $(LIBSCENARIO) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) $(NO_LTO) -DAPSIM_TEST_OUT='"$(BUILD)/tests"' -o $@ $< $(LIBFUZZ) $(LIBSCENARIO) $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)

.PHONY: bench-bins
.PHONY: help variants all check check-docs check-unit check-asan check-scenarios check-ksrc2 demo bench clean distclean FORCE
all: $(APSIM) $(TEST_BINS) variants

# UNIT=tree: only the tests whose binaries depend on the tree (they link the
# world or run the tree's apsim: check_shim_*, check_snapshot, check_fuzz).
# check_sim_*, check_scn* and check_fuzz_* link libsim, the scenario and the
# fuzz libraries only, which are compiled without the tree: their binaries
# are the same code for every tree, so check-6.12 runs them once (on 6.1).
UNIT ?= all
TREE_TEST_BINS = $(filter-out $(BUILD)/tests/check_sim_% $(BUILD)/tests/check_scn% $(BUILD)/tests/check_fuzz_%,$(TEST_BINS))
UNIT_BINS = $(if $(filter tree,$(UNIT)),$(TREE_TEST_BINS),$(TEST_BINS))
check-unit: $(UNIT_BINS)
	@sh tools/run-tests.sh $(UNIT_BINS)

# The same suite built with clang, AddressSanitizer and UBSan.
# -asan-globals=0: the per-execution reset memcpys the driver's data section,
# redzones between its globals included.  The tests' hang guards (Check
# timeouts) are 4 times longer here (CK_TIMEOUT_MULTIPLIER): ASan runs
# explorations several times slower, and check_shim_wq's exhaustive
# test_queue_flush passed its 60 s under ASan on a loaded 2-core machine.
check-asan: $(KSRC_READY) | $(DEPS_STAMP)
	CK_TIMEOUT_MULTIPLIER=4 $(MAKE) --no-print-directory BUILD=$(BUILD)/asan CC=clang \
	    OPT="-O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -DAPSIM_ASAN -mllvm -asan-globals=0" \
	    LDLIBS="-lm -ldl -fsanitize=address,undefined" KSRC=$(KSRC_EFF) check-unit

# Every shipped scenario, with the strategy its file names (bounded
# exhaustive search for the races), then the races again under PCT.
# SCN_CAP=N caps every scenario's executions (--max-iterations; nothing in
# make check sets it: both trees' whole bounded searches fit, ~40 s on
# 6.12).  SCN_FULL need the whole search (the 6.1 bug ops/20 expects is the
# last execution of it on 6.12) and run uncapped.
SCN_CAP  ?=
# SCN_KNOWN=FILE: known findings (apsim run --known: listed apart, never a
# failure); check-6.12 passes known/linux-6.12.known (the 6.12 driver's
# reads without mdevs_lock that the shipped scenarios meet).
SCN_KNOWN ?=
SCN_KARG  = $(if $(SCN_KNOWN),--known $(SCN_KNOWN))
SCN_FULL  = scenarios/ops/20-domain-vs-queue.scn
SCN_ALL   = $(sort $(shell find scenarios -name '*.scn'))
check-scenarios: $(APSIM) variants
ifeq ($(SCN_CAP),)
	$(APSIM) run scenarios -q $(SCN_KARG) --out $(BUILD)/scenario-out --junit $(BUILD)/scenarios.xml
else
	$(APSIM) run $(filter-out $(SCN_FULL),$(SCN_ALL)) -q $(SCN_KARG) --max-iterations $(SCN_CAP) \
	    --out $(BUILD)/scenario-out --junit $(BUILD)/scenarios.xml
	$(APSIM) run $(SCN_FULL) -q $(SCN_KARG) --out $(BUILD)/scenario-out-full
endif
	$(APSIM) run $(PCT_SCENARIOS) -q $(SCN_KARG) --strategy pct --pct-depth 3 --iterations 150 --seed 1 --out $(BUILD)/scenario-out-pct
ifeq ($(SCN_CAP),)
	APSIM_MEMO=verify $(APSIM) run scenarios -q --keep-going $(SCN_KARG) --out $(BUILD)/scenario-out-memo
endif
# The memo soundness run (APSIM_MEMO=verify, docs/scenarios.md): every
# search whole (--keep-going), nothing reused, and each execution the
# exhaustive search's state memo would have ended at the join checked to
# find what the explored one found; a difference fails its scenario.
# ~7 s on 6.1, ~25 s on 6.12.
# ops/20 expects a 6.1 driver bug that only bounded exhaustive search reaches.
PCT_SCENARIOS = $(filter-out scenarios/ops/20-domain-vs-queue.scn,$(sort $(wildcard scenarios/ops/*.scn))) scenarios/fixed

# A second KSRC tree (a copy of the default one) builds and passes the driver
# tests.  That build also has driver coverage (COVER=1): a short fuzz run must
# count driver basic blocks, and a guided one take the driver's edges as feedback.
KSRC2 := $(BUILD)/ksrc-copy/linux
check-ksrc2: $(KSRC_READY) | $(DEPS_STAMP)
	@rm -rf $(BUILD)/ksrc-copy && mkdir -p $(KSRC2)
	@cp -r $(KSRC_EFF)/. $(KSRC2)/
	$(MAKE) --no-print-directory BUILD=$(BUILD)/ksrc2 KSRC=$(abspath $(KSRC2)) COVER=1 $(BUILD)/ksrc2/tests/check_shim_driver $(BUILD)/ksrc2/apsim
	$(BUILD)/ksrc2/apsim --version | grep -q "$(abspath $(KSRC2))"
	@sh tools/run-tests.sh $(BUILD)/ksrc2/tests/check_shim_driver
	@rm -rf $(BUILD)/ksrc2/fuzz; CI=1 $(BUILD)/ksrc2/apsim fuzz --seed 1 --iterations 300 -q --no-shrink \
	    --out $(BUILD)/ksrc2/fuzz >/dev/null; [ $$? -le 1 ]
	grep -Eq '"driver_blocks": [1-9][0-9]*' $(BUILD)/ksrc2/fuzz/summary.json
	@rm -rf $(BUILD)/ksrc2/fuzz-guided; CI=1 $(BUILD)/ksrc2/apsim fuzz --guided --seed 1 --iterations 300 -q --no-shrink \
	    --out $(BUILD)/ksrc2/fuzz-guided >/dev/null; [ $$? -le 1 ]
	grep -q '"driver_edges": true' $(BUILD)/ksrc2/fuzz-guided/summary.json

# Hardening (tests/hardening.sh): hostile paths and options, FIFOs,
# symlink loops, signals and kill -9 during fuzz, reused --out, a full file
# system (root only), write errors, ranges, replays.  A third tree, built
# at -O0 from a copy of the driver whose control_domains_show spins for
# ever (and whose lines all moved by one), gives the wall-clock watchdog a
# driver loop and the crash and WARN signatures a second -O level and
# other line numbers.
SPIN_KSRC := $(BUILD)/ksrc-spin/linux
$(SPIN_KSRC)/.ready: $(DRV_DEPS) $(KSRC_READY)
	@rm -rf $(BUILD)/ksrc-spin && mkdir -p $(SPIN_KSRC)
	@cp -r $(KSRC_EFF)/. $(SPIN_KSRC)/
	@sed -i '/^static ssize_t control_domains_show/,/mutex_lock(&matrix_dev->mdevs_lock);/ s/mutex_lock(&matrix_dev->mdevs_lock);/&\n\tfor (volatile int spin = 1; spin;) ;/' \
	    $(SPIN_KSRC)/drivers/s390/crypto/vfio_ap_ops.c
	@sed -i '2i /* apsim hardening: an unrelated hunk that moves every line */' $(SPIN_KSRC)/drivers/s390/crypto/vfio_ap_ops.c
	@grep -q 'volatile int spin' $(SPIN_KSRC)/drivers/s390/crypto/vfio_ap_ops.c
	@touch $@
.PHONY: check-hardening
check-hardening: $(APSIM) variants $(SPIN_KSRC)/.ready
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/spin OPT=-O0 KSRC=$(abspath $(SPIN_KSRC)) $(BUILD)/spin/apsim
	sh tests/hardening.sh $(APSIM) $(BUILD)/spin/apsim

# What a newcomer reads and sees first (tests/docs.sh, tests/firstuse.sh):
# help, man page and docs list the same options; the finding listing, the
# demo and --trace-calls.
.PHONY: check-docs
check-docs: $(APSIM) variants
	sh tests/docs.sh $(APSIM)
	sh tests/firstuse.sh $(APSIM)

# apsim review (docs/review.md): the fast parts (patch errors, known-findings
# files, lock graphs, the comparison of two trees' outputs) in `make check`;
# whole reviews of patches (two tree builds, minutes) with make check-review.
.PHONY: check-review-parts check-review check-review-known
check-review-parts: $(APSIM) variants check-review-known
	sh tests/review-parts.sh $(APSIM)
# The tree's shipped known-findings file: fuzz exits 0 on the unmodified
# driver, 1 on a copy with a new bug (tests/review-known.sh).
check-review-known: $(APSIM) $(KSRC_READY)
	sh tests/review-known.sh $(APSIM) $(KSRC_EFF) known/linux-$(TREE).known
check-review: $(APSIM) $(KSRC_READY)
	sh tests/review.sh $(APSIM)

# The second Debian tree (build/6.12/): its build, the unit tests that
# depend on the tree (UNIT=tree, see check-unit) and their ASan+UBSan build,
# every shipped scenario (whole bounded exhaustive searches) and its
# known-findings file.
.PHONY: check-6.12
check-6.12: | $(DEPS_STAMP)
	@echo "== the 6.12 tree (build/6.12/)"
	@$(MAKE) --no-print-directory TREE=6.12 all
	@$(MAKE) --no-print-directory TREE=6.12 UNIT=tree SCN_KNOWN=known/linux-6.12.known \
	    check-scenarios check-asan check-review-known check-unit
	sh tests/hung-task.sh $(BUILD_ROOT)/6.12/apsim

# The opt-in checks that assert behaviour, in one target for a scheduled
# (nightly) job: nothing in `make check` runs them, and check-review once
# failed for three days unnoticed (docs/testing.md).
.PHONY: check-optin
check-optin: | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory check-review
	@$(MAKE) --no-print-directory TREE=6.12 check-unit

# Sharding end to end (tests/shard-parallel.sh): two `apsim fuzz --shard I/2`
# through GNU parallel, merged by tools/fuzz-merge.sh, = one -j 2 run.
.PHONY: check-shard
check-shard: $(APSIM)
	sh tests/shard-parallel.sh $(APSIM)

# The benchmark's output (tests/bench-keys.sh: `apsim bench --quick --json`
# and its keys, ~1.5 min): after check-6.12, since it builds that tree's
# bench_apcb (a sub-make of build/6.12/ must not run beside check-6.12's).
.PHONY: check-bench
check-bench: $(APSIM) bench-bins variants check-6.12
	@$(MAKE) --no-print-directory TREE=6.12 bench-bins
	sh tests/bench-keys.sh $(APSIM)

# make check: the pieces below, CHECK_JOBS at a time (2: the CI's cores;
# each piece is one or two processes, the builds inside take the same job
# slots), the output of each target kept together (--output-sync).  A
# failing piece is named by make ("*** [Makefile:N: check-asan] Error 1").
# Longest first: check-6.12 (its build, then its suites) runs beside the
# 6.1 builds and pieces.  CHECK_JOBS=1: one at a time.
CHECK_JOBS   ?= 2
CHECK_PIECES := check-6.12 check-asan all check-review-parts check-scenarios check-hardening \
                check-ksrc2 fuzz-smoke check-unit check-shard check-docs check-bench
.PHONY: check-pieces
check: | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) --output-sync=target check-pieces
check-pieces: $(CHECK_PIECES)

# The demo on the default tree, then (unless KSRC= or TREE= chose one) on
# the other Debian trees, each built first.
demo: $(APSIM) variants
	@sh tools/demo.sh $(APSIM)
ifeq ($(KSRC)$(filter-out $(firstword $(TREES)),$(TREE)),)
	@for t in $(filter-out $(firstword $(TREES)),$(TREES)); do \
	    echo; echo "== building the $$t tree (build/$$t/) for its demo"; \
	    $(MAKE) --no-print-directory TREE=$$t all > $(BUILD_ROOT)/demo-build-$$t.log 2>&1 || \
	        { tail -20 $(BUILD_ROOT)/demo-build-$$t.log; exit 2; }; \
	    APSIM_OUT=apsim-out/demo-$$t sh tools/demo.sh $(BUILD_ROOT)/$$t/apsim || exit $$?; done
endif

# libFuzzer target for the scenario parser (never crashes; write/parse
# round trip): the scenario library's sources built with ASan + UBSan, with
# the two files of libsim they use (sim/version.c: the strategy names;
# sim/fmt.c: the writer's formatter).
FUZZ_CC ?= clang
.PHONY: fuzz-scn
fuzz-scn: $(BUILD)/fuzz/fuzz_scn_parse
$(BUILD)/fuzz/fuzz_scn_parse: fuzz/targets/fuzz_scn_parse.c $(SCENARIO_SRCS) sim/version.c sim/fmt.c $(SCN_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -D_GNU_SOURCE -Isim/include -I. -o $@ $< $(SCENARIO_SRCS) sim/version.c sim/fmt.c

# ------------------------------------------------------------------ fuzzer
# tests/check_fuzz: generator, shrinker and shards need only the fuzz and
# scenario libraries and libsim; the campaign tests run the apsim binary
# (APSIM_BIN).  fuzz-unit builds and runs the part that needs no driver.
.PHONY: fuzz-unit fuzz-world fuzz-libs fuzz-smoke fuzz-afl
fuzz-unit: $(BUILD)/tests/check_fuzz-core
	$(BUILD)/tests/check_fuzz-core

# libFuzzer targets link the fuzz library and the world built with clang and
# -fsanitize=fuzzer-no-link (so libFuzzer sees driver coverage) in their own
# build tree, like check-asan.  Memory errors of the kernel side are found by
# apsim's shadow checker (KASAN, as in apsim fuzz), so they are findings of
# the world like any other, not sanitizer aborts; UBSan checks everything.
# (User-space ASan checks apsim's own code in check-asan.)
FUZZ_BUILD := $(BUILD)/fuzzbuild
FUZZ_OPT   := -O1 -g -fsanitize=fuzzer-no-link,undefined -fno-sanitize-recover=undefined
TARGET_LIBS = libfuzz.a libworld.a libkernel.a libvfio_ap.a libscenario.a libsim.a
TARGET_LINK = $(1)/lib/libfuzz.a -Wl,--whole-archive $(1)/lib/libworld.a $(1)/lib/libkernel.a \
              $(1)/lib/libvfio_ap.a -Wl,--no-whole-archive $(1)/lib/libscenario.a $(1)/lib/libsim.a -lm
fuzz-libs: $(KSRC_READY) | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="$(FUZZ_OPT)" \
	    KSRC=$(KSRC_EFF) VARIANT=$(VARIANT) $(addprefix $(FUZZ_BUILD)/lib/,$(TARGET_LIBS))
fuzz-world: $(BUILD)/fuzz/fuzz_world
$(BUILD)/fuzz/fuzz_world: fuzz/targets/fuzz_world.c $(FUZZ_HDRS) fuzz-libs
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,undefined -fno-sanitize-recover=undefined \
	    -D_GNU_SOURCE -Isim/include -I. -o $@ $< $(call TARGET_LINK,$(FUZZ_BUILD))

# Smoke run of both libFuzzer targets, FUZZ_SMOKE_SECS each.  The world
# target traps on APSIM_FUZZ_TRAP kinds (default here: crash only, so a
# driver bug the campaign already reports does not fail the smoke run;
# sanitizer errors always do).
FUZZ_SMOKE_SECS ?= 30
FUZZ_SMOKE_TRAP ?= crash
fuzz-smoke: $(BUILD)/fuzz/fuzz_world $(BUILD)/fuzz/fuzz_scn_parse
	@mkdir -p $(BUILD)/fuzz/corpus-world $(BUILD)/fuzz/corpus-scn $(BUILD)/fuzz/artifacts
	APSIM_FUZZ_NO_KMALLOC=1 APSIM_FUZZ_TRAP=$(FUZZ_SMOKE_TRAP) $(BUILD)/fuzz/fuzz_world -max_total_time=$(FUZZ_SMOKE_SECS) \
	    -max_len=512 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/artifacts/ $(BUILD)/fuzz/corpus-world
	$(BUILD)/fuzz/fuzz_scn_parse -max_total_time=$(FUZZ_SMOKE_SECS) -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/artifacts/ $(BUILD)/fuzz/corpus-scn $(wildcard scenarios)

# AFL++ (optional; apt-get install afl++): the same target through AFL++'s
# libFuzzer driver.  Run: afl-fuzz -i SEEDS -o OUT -- build/fuzz/fuzz_world_afl
AFL_CC ?= afl-clang-fast
AFL_BUILD := $(BUILD)/aflbuild
fuzz-afl: $(KSRC_READY) | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory BUILD=$(AFL_BUILD) CC=$(AFL_CC) OPT="-O1 -g" COVER=0 \
	    KSRC=$(KSRC_EFF) $(addprefix $(AFL_BUILD)/lib/,$(TARGET_LIBS))
	@mkdir -p $(BUILD)/fuzz
	$(AFL_CC) -g -O1 -fsanitize=fuzzer -D_GNU_SOURCE -Isim/include -I. \
	    -o $(BUILD)/fuzz/fuzz_world_afl fuzz/targets/fuzz_world.c $(call TARGET_LINK,$(AFL_BUILD))

BENCH_BINS = $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/bench_sim_%: bench/bench_sim_%.c $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -o $@ $< $(LIBSIM) -lprofiler $(LDLIBS)
$(BUILD)/bench/%: bench/%.c $(LIBFUZZ) $(WORLD_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -o $@ $< $(LIBFUZZ) $(WORLD_LINK) -lprofiler $(LDLIBS)
# bench_native: the pthread model of D2 (no libsim, no driver) and its
# ThreadSanitizer build (skipped without clang).
$(BUILD)/bench/bench_native: bench/bench_native.c bench/bench_common.h sim/quote.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -Isim/include -D_GNU_SOURCE -pthread -o $@ $< sim/quote.c -lm
$(BUILD)/bench/tsan/bench_native: bench/bench_native.c bench/bench_common.h sim/quote.c
	@mkdir -p $(dir $@)
	@if command -v clang >/dev/null 2>&1; then \
	    echo "clang -fsanitize=thread -o $@ $<"; \
	    clang -g -O1 -fsanitize=thread -Isim/include -D_GNU_SOURCE -pthread -o $@ $< sim/quote.c -lm; \
	 else echo "  SKIP $@ (no clang)"; fi
$(BENCH_BINS): $(wildcard bench/*.h)
# make bench: every bench binary, the peers' builds and the d2 variant;
# bench/run.sh prints the tables and writes bench/results/<date>-<name>.json.
BENCH_ARGS ?=
# bench-bins: the programs only (apsim bench runs bench_apcb of every tree
# that has them: make TREE=6.12 bench-bins)
bench-bins: $(BENCH_BINS)
bench: $(BENCH_BINS) $(BUILD)/bench/tsan/bench_native $(BUILD)/variants/d2/apsim
	@sh bench/run.sh $(BUILD) $(BENCH_ARGS)

help:
	@echo 'apsim make targets (TREE=6.1|6.12 picks a Debian tree, built into build/ or'
	@echo 'build/TREE/; KSRC=DIR builds against any kernel tree; docs/kernel-trees.md):'
	@echo '  all (default)   apsim, the historic variants and the unit tests'
	@echo '  demo            build, then replay the documented deadlocks with reports'
	@echo '  check           the whole suite (= .ci/run), CHECK_JOBS=2 pieces at a time:'
	@echo '                  all check-unit check-scenarios check-ksrc2 check-asan fuzz-smoke'
	@echo '                  check-hardening check-docs check-review-parts check-shard check-6.12'
	@echo '                  (docs/testing.md: what each proves, how long it takes)'
	@echo '  check-unit      Check unit tests of every module (UNIT=tree: only the programs whose'
	@echo '                  code depends on the tree; check-6.12 runs those; UNIT_XML=DIR: durations)'
	@echo '  check-hardening hostile inputs, hangs, signals, full disk (tests/hardening.sh)'
	@echo '  check-docs      help, man page and docs agree; listing, demo, --trace-calls'
	@echo '  check-review-parts  apsim review parts: patch errors, known files, graph diff'
	@echo '  check-review    whole reviews of the d2 series and a cosmetic patch (minutes)'
	@echo '  check-review-known  fuzz --known known/linux-TREE.known: 0 unmodified, 1 with a new bug'
	@echo '  check-6.12      the 6.12 tree: build, its tree-dependent unit tests and their ASan'
	@echo '                  build, scenarios, known-findings file'
	@echo '  check-optin     check-review and TREE=6.12 check-unit: the opt-in checks for a'
	@echo '                  nightly job (.ci/nightly, ~2-4 min)'
	@echo '  check-scenarios every shipped scenario (exhaustive + PCT)'
	@echo '  check-ksrc2     a second KSRC tree builds and passes the driver tests'
	@echo '  check-asan      the unit tests built with clang ASan + UBSan'
	@echo '  fuzz-smoke      30 s libFuzzer runs of the world and parser targets'
	@echo '  fuzz-unit       the fuzz library tests that need no driver'
	@echo '  fuzz-world      build the libFuzzer world target (fuzz-scn: the parser target)'
	@echo '  fuzz-afl        build the AFL++ world target (needs afl++)'
	@echo '  variants        build/variants/NAME/apsim for every driver/world/variants/*.var'
	@echo '  bench           benchmarks: figures into bench/results/ (docs/performance.md)'
	@echo '  bench-bins      the benchmark programs only (apsim bench runs every tree that has them)'
	@echo '  clean           objects, libraries, tests and binaries (distclean: all of build/)'
	@echo 'variables: TREE=6.1|6.12 KSRC=DIR VARIANT=NAME COVER=1 TRACE_CALLS=0 KASAN=0 LTO=0 NOPIE=0 OPT=... CC=... BUILD=DIR'

clean:
	rm -rf $(BUILD)/obj $(BUILD)/lib $(BUILD)/tests $(BUILD)/bench $(BUILD)/asan $(APSIM)
distclean:
	rm -rf $(BUILD)

FORCE:
