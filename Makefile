# bpfhost build. `make` builds the library, tools and tests; `make test` runs every test
# (unit tests also under ASan+UBSan); `make demo` runs the main job on bundled data.
CC      ?= cc
CLANG   ?= clang
BUILD   := build
SHARED  ?= ../shared
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -fno-strict-aliasing $(WARN) -Isrc -Iinclude -MMD -MP
LDLIBS  := -lelf -lz -lurcu-memb -lpcap -lpthread -lm
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIB_SRCS  := $(sort $(wildcard src/*/*.c src/*/*/*.c))
TOOLS     := $(notdir $(wildcard tools/*))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TESTS     := $(TEST_SRCS:tests/unit/%.c=%)

LIB       := $(BUILD)/lib/libbpfhost.a
LIB_ASAN  := $(BUILD)/asan/lib/libbpfhost.a
BINS      := $(TOOLS:%=$(BUILD)/bin/%)
UNIT      := $(TESTS:%=$(BUILD)/tests/%)
UNIT_ASAN := $(TESTS:%=$(BUILD)/asan/tests/%)
BPF_SRCS  := $(wildcard tests/bpf/*.bpf.c)
BPF_OBJS  := $(BPF_SRCS:tests/bpf/%.c=$(BUILD)/bpf/%.o)
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

all: $(LIB) $(BINS) $(UNIT) $(BPF_OBJS)

deps:
	@sh scripts/install-deps.sh

# --- library -------------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@
$(BUILD)/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@

$(LIB): $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(LIB_ASAN): $(LIB_SRCS:%.c=$(BUILD)/asan/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# --- tools: every folder tools/NAME builds build/bin/NAME -----------------------------------
define tool_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/$(1)/*.c)) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) -o $$@ $$(filter %.o,$$^) $(LIB) $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# --- unit tests ----------------------------------------------------------------------------
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)
$(BUILD)/asan/tests/%: $(BUILD)/asan/obj/tests/unit/%.o $(LIB_ASAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $< $(LIB_ASAN) $(LDLIBS)

asan: $(UNIT_ASAN) $(BPF_OBJS)

# --- ThreadSanitizer: the concurrency tests against a library built with -fsanitize=thread ---
TSAN       := -fsanitize=thread -fno-omit-frame-pointer
TSAN_TESTS := test_map_stress test_map_epoch test_runtime_handles test_xdp_datapath test_xdp_api \
              test_trace_ring test_map_value test_map_spin_lock
LIB_TSAN   := $(BUILD)/tsan/lib/libbpfhost.a
$(BUILD)/tsan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TSAN) -c $< -o $@
$(LIB_TSAN): $(LIB_SRCS:%.c=$(BUILD)/tsan/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/tsan/tests/%: $(BUILD)/tsan/obj/tests/unit/%.o $(LIB_TSAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TSAN) -o $@ $< $(LIB_TSAN) $(LDLIBS)
tsan: $(TSAN_TESTS:%=$(BUILD)/tsan/tests/%)

# --- eBPF test objects: tests/bpf/NAME.bpf.c -> build/bpf/NAME.bpf.o (read by unit tests) -----
BPF_CFLAGS := -O2 -g -target bpf -I/usr/include/$(shell $(CC) -dumpmachine)
$(BUILD)/bpf/%.o: tests/bpf/%.c
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# --- fuzz targets: tests/fuzz/NAME.c -> build/fuzz/NAME (libFuzzer, ASan+UBSan) -------------
# The loader and what it stands on only (base < isa < elf), so that building stays quick.
FUZZ_LIB_SRCS := $(sort $(wildcard src/base/*.c src/isa/*.c src/elf/*.c))
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRCS)
	@mkdir -p $(dir $@)
	$(CLANG) -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o $@ $< $(FUZZ_LIB_SRCS) $(LDLIBS)
# `make fuzz` builds them, runs the JIT-against-interpreter differential test (ASan+UBSan)
# for FUZZ_SECONDS (default 300) from seed FUZZ_SEED (default: the time; printed, so that
# JIT_DIFF_SEED=N JIT_DIFF_COUNT=1 build/tests/test_jit_differential replays a failure), then
# the verifier's soundness generator for SOUNDNESS_SECONDS (seed from the clock, or
# BPFHOST_SOUNDNESS_SEED).
SOUNDNESS_SECONDS ?= 60
fuzz: $(FUZZ_BINS) $(BUILD)/asan/tests/test_jit_differential $(BUILD)/tests/test_verifier_soundness
	JIT_DIFF_SECONDS=$${FUZZ_SECONDS:-300} JIT_DIFF_SEED=$${FUZZ_SEED:-$$(date +%s)} \
	    $(BUILD)/asan/tests/test_jit_differential
	BPFHOST_SOUNDNESS_SECONDS=$(SOUNDNESS_SECONDS) $(BUILD)/tests/test_verifier_soundness

test: deps
	@$(MAKE) --no-print-directory -j$(shell nproc) all asan
	@$(MAKE) --no-print-directory -j$(shell nproc) tsan || echo "SKIP tsan: the ThreadSanitizer build failed"
	@SHARED=$(SHARED) sh tests/run-tests.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@SHARED=$(SHARED) sh examples/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -C bench run SHARED=$(abspath $(SHARED))

clean:
	rm -rf $(BUILD)

.PHONY: all deps asan tsan fuzz test demo bench clean
.PRECIOUS: $(BUILD)/obj/%.o $(BUILD)/asan/obj/%.o $(BUILD)/tsan/obj/%.o
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
