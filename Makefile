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
# The fuzzer's generator and shrinker are part of the CLI (apsim fuzz).
FUZZ_CLI_SRCS := fuzz/gen.c fuzz/shrink.c
CLI_SRCS    += $(FUZZ_CLI_SRCS)
TEST_SRCS   := $(wildcard tests/check_*.c)
TEST_UTIL   := $(filter-out $(TEST_SRCS),$(wildcard tests/*.c))
BENCH_SRCS  := $(wildcard bench/*.c)

WARN     := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation -Wno-unknown-warning-option
BASEFLAGS = $(OPT) -g -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing $(WARN)
# Host-side code (libsim, CLI, tests) must never see the shim kernel headers:
# sim/include is searched after the system directories (only <apsim/...> is
# found there).
CFLAGS_SIM = $(BASEFLAGS) -idirafter sim/include -D_GNU_SOURCE $(COVER_DEF)
# Kernel-side code (the real driver and the shim subsystems) sees only the
# shim headers first, then the driver's own directory for its quoted headers.
KDIR      = $(KSRC_EFF)/drivers/s390/crypto
KWARN     = -Wall -Wno-unused-parameter -Wno-sign-compare -Wno-pointer-sign -Wno-format-truncation -Wno-unknown-warning-option \
            -Wno-unused-function -Wno-address-of-packed-member
KDEFS     = -D__KERNEL__ -DAPSIM_KERNEL -DKBUILD_MODNAME='"vfio_ap"' \
            -Isim/include -I$(KDIR) -include sim/include/linux/kconfig.h
# The real driver: freestanding, only shim headers (no silent fallback to the
# host's <asm/...> or libc).
CFLAGS_K  = $(OPT) -g -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing \
            -fno-common -ffreestanding -DAPSIM_FREESTANDING -nostdinc \
            -isystem $(shell $(CC) -print-file-name=include) $(KDEFS) $(KWARN) $(KASAN_FLAGS)
# Shim subsystems and driver glue: kernel headers from the shim, plus libc.
CFLAGS_SHIM_NOKASAN = $(OPT) -g -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing \
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
ifeq ($(KASAN),1)
ifeq ($(CC_IS_CLANG),1)
KASAN_FLAGS = -DAPSIM_KASAN -fsanitize=kernel-address -mllvm -asan-instrumentation-with-call-threshold=0 \
              -mllvm -asan-globals=0 -mllvm -asan-stack=0
else
KASAN_FLAGS = -DAPSIM_KASAN -fsanitize=kernel-address --param asan-globals=0 --param asan-stack=0 \
              --param asan-instrumentation-with-call-threshold=0 -fno-tree-loop-distribute-patterns
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
# The driver files come out of the tarball (so a fresh clone can build them).
$(addprefix $(DEFAULT_KSRC)/drivers/s390/crypto/,$(DRV_FILES)): | $(DEFAULT_KSRC)/.extracted
	@test -f $@
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
# Objects rebuild when the compiler or the flags change (e.g. KASAN=0).
FLAGS_STAMP := $(BUILD)/cflags.txt
$(FLAGS_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) | $(CFLAGS_K) $(COVER_FLAGS) | $(CFLAGS_SHIM) | $(CFLAGS_SIM)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
OBJ       = $(BUILD)/obj
SIM_OBJS  = $(SIM_SRCS:%.c=$(OBJ)/%.o) $(SIM_ASM:%.S=$(OBJ)/%.o)
SHIM_OBJS = $(SHIM_SRCS:%.c=$(OBJ)/%.o)
GLUE_OBJS = $(GLUE_SRCS:%.c=$(OBJ)/%.o)
DRV_OBJS  = $(OBJ)/kernel/vfio_ap_ops.o $(OBJ)/kernel/vfio_ap_drv.o

$(OBJ)/sim/%.o: sim/%.c $(wildcard sim/*.h sim/include/apsim/*.h) $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -c $< -o $@
$(OBJ)/sim/%.o: sim/%.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

SHIM_HDRS := $(shell find sim/include -name '*.h') $(wildcard sim/kernel/*.h)
$(OBJ)/sim/kernel/%.o: sim/kernel/%.c $(SHIM_HDRS) $(KINFO) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM) -c $< -o $@
# The allocator owns the shadow: not instrumented itself.
$(OBJ)/sim/kernel/slab.o: sim/kernel/slab.c $(SHIM_HDRS) $(KINFO) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM_NOKASAN) -c $< -o $@

# The real driver, compiled as it is from KSRC.  Its writable data is moved
# into named sections so the per-execution reset can restore it by memcpy.
$(OBJ)/kernel/%.o: $(KDIR)/%.c $(DRV_DEPS) $(SHIM_HDRS) $(KINFO) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_K) $(COVER_FLAGS) -c $< -o $@.raw.o
	objcopy --rename-section .data=apsim_drv_data,alloc,load,data,contents \
	        --rename-section .data.rel.local=apsim_drv_data,alloc,load,data,contents \
	        --rename-section .data.rel=apsim_drv_data,alloc,load,data,contents \
	        --rename-section .bss=apsim_drv_bss,alloc,load,data,contents $@.raw.o $@
	@rm -f $@.raw.o

# The executor (world, invariants, rules) is apsim's own code: not instrumented.
$(OBJ)/driver/%.o: driver/%.c $(SHIM_HDRS) $(wildcard driver/*.h) $(KINFO) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM_NOKASAN) -Idriver -c $< -o $@

$(OBJ)/cli/%.o: cli/%.c $(wildcard cli/*.h driver/*.h) sim/include/apsim/sim.h $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -c $< -o $@

$(OBJ)/fuzz/%.o: fuzz/%.c $(wildcard fuzz/*.h driver/ops.h cli/scn_parse.h) sim/include/apsim/sim.h $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -Icli -c $< -o $@
$(OBJ)/cli/fuzz.o: $(wildcard fuzz/*.h)

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
.PRECIOUS: $(BUILD)/variants/%/ksrc/.ready

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
# tests/check_shim_*.c test the shim kernel from the kernel side: they are
# compiled like shim subsystems (shim kernel headers first, libc available).
$(BUILD)/tests/check_shim_%: tests/check_shim_%.c $(wildcard tests/*.h) $(LIBDRV) $(LIBCLI) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM) -Idriver -Icli -Itests -o $@ $< -Wl,--whole-archive $(LIBDRV) -Wl,--no-whole-archive $(LIBCLI) $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)
$(BUILD)/tests/%: tests/%.c $(TEST_UTIL) $(wildcard tests/*.h) $(LIBDRV) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -Itests -o $@ $< $(TEST_UTIL) -Wl,--whole-archive $(LIBDRV) -Wl,--no-whole-archive $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)

.PHONY: variants all check check-unit check-asan check-scenarios check-ksrc2 demo bench clean distclean FORCE
all: $(APSIM) $(TEST_BINS) variants

check-unit: $(TEST_BINS)
	@sh tools/run-tests.sh $(TEST_BINS)

# The same suite built with clang, AddressSanitizer and UBSan.
# -asan-globals=0: the per-execution reset memcpys the driver's data section,
# redzones between its globals included.
check-asan: $(KSRC_READY) | $(DEPS_STAMP)
	$(MAKE) --no-print-directory BUILD=$(BUILD)/asan CC=clang \
	    OPT="-O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -DAPSIM_ASAN -mllvm -asan-globals=0" \
	    LDLIBS="-lm -ldl -fsanitize=address,undefined" KSRC=$(KSRC_EFF) check-unit

# Every shipped scenario, with the strategy its file names (bounded
# exhaustive search for the races), then the races again under PCT.
check-scenarios: $(APSIM) variants
	$(APSIM) run scenarios -q --out $(BUILD)/scenario-out --junit $(BUILD)/scenarios.xml
	$(APSIM) run $(PCT_SCENARIOS) -q --strategy pct --pct-depth 3 --iterations 150 --seed 1 --out $(BUILD)/scenario-out-pct
# ops/20 expects a 6.1 driver bug that only bounded exhaustive search reaches.
PCT_SCENARIOS = $(filter-out scenarios/ops/20-domain-vs-queue.scn,$(sort $(wildcard scenarios/ops/*.scn))) scenarios/fixed

# A second KSRC tree (a copy of the default one) builds and passes the driver
# tests.  That build also has driver coverage (COVER=1): a short fuzz run must
# count driver basic blocks.
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

check: all check-unit check-scenarios check-ksrc2 check-asan fuzz-smoke

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

# ------------------------------------------------------------------ fuzzer
# tests/check_fuzz: generator, shrinker and shards need only the scenario
# code and libsim; the campaign tests run the apsim binary (APSIM_BIN).
# fuzz-unit builds and runs the part that does not need the driver.
FUZZ_CORE_SRCS := fuzz/gen.c fuzz/shrink.c cli/scn_parse.c cli/scn_write.c cli/ops_names.c
$(BUILD)/tests/check_fuzz: tests/check_fuzz.c $(FUZZ_CORE_SRCS) $(wildcard fuzz/*.h cli/*.h) $(LIBSIM) $(APSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -Icli -Ifuzz -DAPSIM_BIN='"$(abspath $(APSIM))"' -o $@ $< $(FUZZ_CORE_SRCS) $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)
$(BUILD)/tests/check_fuzz-core: tests/check_fuzz.c $(FUZZ_CORE_SRCS) $(wildcard fuzz/*.h cli/*.h) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -Icli -Ifuzz -o $@ $< $(FUZZ_CORE_SRCS) $(LIBSIM) $(CHECK_LIBS) $(LDLIBS)
.PHONY: fuzz-unit fuzz-world fuzz-libs fuzz-smoke fuzz-afl
fuzz-unit: $(BUILD)/tests/check_fuzz-core
	$(BUILD)/tests/check_fuzz-core

# libFuzzer targets link a driver library built with clang and
# -fsanitize=fuzzer-no-link (so libFuzzer sees driver coverage) in its own
# build tree, like check-asan.  Memory errors of the kernel side are found by
# apsim's shadow checker (KASAN, as in apsim fuzz), so they are findings of
# the world like any other, not sanitizer aborts; UBSan checks everything.
# (User-space ASan checks apsim's own code in check-asan.)
FUZZ_BUILD := $(BUILD)/fuzzbuild
FUZZ_OPT   := -O1 -g -fsanitize=fuzzer-no-link,undefined -fno-sanitize-recover=undefined
FUZZ_WORLD_SRCS := fuzz/fuzz_world.c fuzz/gen.c cli/scn_parse.c cli/ops_names.c
fuzz-libs: $(KSRC_READY) | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="$(FUZZ_OPT)" \
	    KSRC=$(KSRC_EFF) VARIANT=$(VARIANT) $(FUZZ_BUILD)/libapsim-driver.a $(FUZZ_BUILD)/libsim.a
fuzz-world: $(BUILD)/fuzz/fuzz_world
$(BUILD)/fuzz/fuzz_world: $(FUZZ_WORLD_SRCS) $(wildcard fuzz/*.h driver/*.h) fuzz-libs
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,undefined -fno-sanitize-recover=undefined \
	    -D_GNU_SOURCE -idirafter sim/include -Idriver -Icli -o $@ $(FUZZ_WORLD_SRCS) \
	    -Wl,--whole-archive $(FUZZ_BUILD)/libapsim-driver.a -Wl,--no-whole-archive $(FUZZ_BUILD)/libsim.a -lm

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
fuzz-afl: $(KSRC_READY) | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/aflbuild CC=$(AFL_CC) OPT="-O1 -g" COVER=0 \
	    KSRC=$(KSRC_EFF) $(BUILD)/aflbuild/libapsim-driver.a $(BUILD)/aflbuild/libsim.a
	@mkdir -p $(BUILD)/fuzz
	$(AFL_CC) -g -O1 -fsanitize=fuzzer -D_GNU_SOURCE -idirafter sim/include -Idriver -Icli \
	    -o $(BUILD)/fuzz/fuzz_world_afl $(FUZZ_WORLD_SRCS) \
	    -Wl,--whole-archive $(BUILD)/aflbuild/libapsim-driver.a -Wl,--no-whole-archive $(BUILD)/aflbuild/libsim.a -lm

BENCH_BINS = $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/bench_sim_%: bench/bench_sim_%.c $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -o $@ $< $(LIBSIM) -lprofiler $(LDLIBS)
$(BUILD)/bench/%: bench/%.c $(LIBDRV) $(LIBCLI) $(LIBSIM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SIM) -Idriver -Icli -o $@ $< -Wl,--whole-archive $(LIBDRV) -Wl,--no-whole-archive $(LIBCLI) $(LIBSIM) -lprofiler $(LDLIBS)
# bench_native: the pthread model of D2 (no libsim, no driver) and its
# ThreadSanitizer build (skipped without clang).
$(BUILD)/bench/bench_native: bench/bench_native.c bench/bench_common.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -D_GNU_SOURCE -pthread -o $@ $< -lm
$(BUILD)/bench/tsan/bench_native: bench/bench_native.c bench/bench_common.h
	@mkdir -p $(dir $@)
	@if command -v clang >/dev/null 2>&1; then \
	    echo "clang -fsanitize=thread -o $@ $<"; \
	    clang -g -O1 -fsanitize=thread -D_GNU_SOURCE -pthread -o $@ $< -lm; \
	 else echo "  SKIP $@ (no clang)"; fi
$(BENCH_BINS): $(wildcard bench/*.h)
# make bench: every bench binary, the peers' builds and the d2 variant;
# bench/run.sh prints the tables and writes bench/results/<date>-<name>.json.
BENCH_ARGS ?=
bench: $(BENCH_BINS) $(BUILD)/bench/tsan/bench_native $(BUILD)/variants/d2/apsim
	@sh bench/run.sh $(BUILD) $(BENCH_ARGS)

clean:
	rm -rf $(BUILD)/obj $(BUILD)/tests $(BUILD)/bench $(BUILD)/asan $(APSIM) $(LIBSIM) $(LIBDRV)
distclean:
	rm -rf $(BUILD)

FORCE:
