# mqbalance — see README.md. `make`, `make check`, `make report`, `make asan`.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
PKGS       := libmnl libnl-3.0 libnl-route-3.0
BUILD      ?= build
BIN        ?= mqbalance
VERSION    := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

CFLAGS ?= -O2 -g
ifeq ($(DEBUG),1)
CFLAGS := -O0 -g3
endif
WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
	-Wno-missing-field-initializers
ifneq ($(filter true 1,$(CI) $(WERROR)),)
WARN += -Werror
endif
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(SAN),1)
CFLAGS  += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif

# Lazy: pkg-config runs when a recipe needs it, after `scripts/deps.sh`.
ALL_CPPFLAGS = -std=gnu11 -D_GNU_SOURCE -I. \
	$(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CPPFLAGS)
ALL_CFLAGS   = $(WARN) $(CFLAGS) -MMD -MP
ALL_LDLIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS)) $(LDLIBS) -lm

LIB_SRCS := $(filter-out agent/main.c,$(wildcard core/*.c probes/*.c output/*.c agent/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/version.o
LIB      := $(BUILD)/libmq.a
TEST_SRCS := $(wildcard tests/test_*.c)
TESTS     := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
BENCH_BINS := $(BUILD)/bench/bench_sample $(BUILD)/bench/bare_sample

ifeq ($(V),1)
Q :=
else
Q := @
endif

.SECONDARY:
.PHONY: all tests check check-unit asan report deps install clean bench fuzz mutate
all: $(BIN)

# Per-test extras (e.g. LDFLAGS_test_apply := -Wl,--wrap=...) live beside the test.
-include $(wildcard tests/*.mk)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# Rewritten only when `git describe` changes, so a commit relinks with the right version.
$(BUILD)/version.c: FORCE
	@mkdir -p $(@D)
	@printf '#include "core/version.h"\nconst char mq_version[] = "%s";\n' '$(VERSION)' | \
		cmp -s - $@ || printf '#include "core/version.h"\nconst char mq_version[] = "%s";\n' '$(VERSION)' >$@
$(BUILD)/version.o: $(BUILD)/version.c
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<
FORCE:

$(LIB): $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/agent/main.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# tests/harness.c: a per-test timeout that names the test that hung.
$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(BUILD)/tests/harness.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $(LDFLAGS_test_$*) -Wl,--wrap=_cmocka_run_group_tests \
		-o $@ $^ -lcmocka $(ALL_LDLIBS)

tests: $(TESTS) $(BENCH_BINS)

# Unit tests of this build only (fast inner loop).
check-unit: tests
	$(Q)tests/run --unit $(BUILD)

# The README's test command: installs what it needs, builds plain and
# ASan+UBSan, then runs every suite (unit x2, netns, guest, prometheus).
check:
	$(Q)scripts/deps.sh test
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SAN=1 BIN=build/asan/mqbalance all tests
	$(Q)tests/run

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SAN=1 BIN=build/asan/mqbalance all tests
	$(Q)tests/run --unit build/asan

# Mutation testing of the unit suite in a scratch copy of the tree
# (docs/robustness.md): MUTATE_N, MUTATE_SEED, MUTATE_FILES, ... on the command line.
mutate:
	$(Q)scripts/deps.sh mutate
	$(Q)MUTATE_OUT=$${MUTATE_OUT:-$(BUILD)/mutate} python3 tests/mutate.py

# The README's first command: a report of this machine.
report:
	$(Q)scripts/deps.sh build
	$(Q)$(MAKE) --no-print-directory all
	./$(BIN) --report

deps:
	$(Q)scripts/deps.sh build

# Own cost next to ethtool -S, node_exporter and irqbalance, in private netns (root).
$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(ALL_LDLIBS)
bench: $(BIN) $(BENCH_BINS)
	$(Q)BUILD=$(BUILD) MQ=./$(BIN) bench/run.sh

# The unit names the installed binary (and the config, when not in /etc).
UNIT_EXEC := $(SBINDIR)/mqbalance --daemon$(if $(filter /etc,$(SYSCONFDIR)),, --config $(SYSCONFDIR)/mqbalance.conf)
install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/mqbalance
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)
	sed 's|^ExecStart=/usr/local/sbin/mqbalance --daemon$$|ExecStart=$(UNIT_EXEC)|' \
		systemd/mqbalance.service > $(DESTDIR)$(UNITDIR)/mqbalance.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/mqbalance.service
	install -m 0644 mqbalance.8 $(DESTDIR)$(MANDIR)/man8/mqbalance.8
	@if [ ! -e mqbalance.conf.example ]; then \
		echo "warning: mqbalance.conf.example missing, no config installed" >&2; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/mqbalance.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/mqbalance.conf"; \
	else \
		install -m 0644 mqbalance.conf.example $(DESTDIR)$(SYSCONFDIR)/mqbalance.conf; \
	fi

# libFuzzer harnesses, one per parser of outside input (docs/robustness.md).
# `make fuzz` builds them with clang into build/fuzz/; `make fuzz-short` runs
# each briefly from its seeds (FUZZ_SECONDS) and fails on any crash.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 20
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_NAMES   := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
.PHONY: fuzz-bins fuzz-short
fuzz:
	$(Q)$(MAKE) --no-print-directory CC=$(FUZZ_CC) BUILD=build/fuzz \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" fuzz-bins
fuzz-bins: $(FUZZ_NAMES:%=$(BUILD)/%)
$(BUILD)/fuzz_%: $(BUILD)/fuzz/fuzz_%.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(ALL_LDLIBS)
fuzz-short: fuzz
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

clean:
	rm -rf build $(BIN)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
