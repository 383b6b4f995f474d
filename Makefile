# mqbalance — see README.md. `make`, `make check`, `make report`, `make asan`,
# `make install`/`uninstall`, `make deb`.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# systemd reads units from /usr/local/lib/systemd/system too (Debian 12:
# `systemd-analyze unit-paths`), drop-ins included: a /usr/local install stays
# out of /lib/systemd/system, which belongs to dpkg. PREFIX=/usr (the
# package) uses Debian 12's own unit directory.
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
PKGLIBDIR  ?= $(PREFIX)/lib/mqbalance
DATADIR    ?= $(PREFIX)/share/mqbalance
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
PKGS       := libmnl libnl-3.0
BUILD      ?= build
BIN        ?= mqbalance
# The release (VERSION), plus "+g<hash>[-dirty]" when built from a git
# checkout of this tree (not from a copy inside one: `make deb` builds one).
# GIT_REV= on the command line leaves the hash out (debian/rules does).
RELEASE    := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV    ?= $(shell [ -e .git ] && git describe --always --dirty --exclude='*' 2>/dev/null)
VERSION    := $(RELEASE)$(if $(GIT_REV),+g$(GIT_REV))

# Hardened unless the caller brings its own flags (dpkg-buildflags does).
# PIE is explicit for compilers that do not default to it.
CFLAGS   ?= -O2 -g -fstack-protector-strong -fPIE
CPPFLAGS ?= -D_FORTIFY_SOURCE=2
LDFLAGS  ?= -pie -Wl,-z,relro,-z,now
ifeq ($(DEBUG),1)
CFLAGS   := -O0 -g3 -fstack-protector-strong -fPIE
# _FORTIFY_SOURCE needs optimisation (a warning at -O0).
CPPFLAGS := $(filter-out -D_FORTIFY_SOURCE%,$(CPPFLAGS))
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
BENCH_BINS := $(BUILD)/bench/bench_sample $(BUILD)/bench/bare_sample $(BUILD)/bench/cputime

ifeq ($(V),1)
Q :=
else
Q := @
endif

.SECONDARY:
.PHONY: all tests check check-unit asan report deps install uninstall deb clean bench fuzz mutate FORCE
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
.PHONY: FORCE
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

# Unit tests of this build only (fast inner loop): no root, no apt, no
# qemu; what the Debian package's dh_auto_test runs.
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

# The unit names the installed binary (and the config, when not in /etc);
# the irqbalance drop-in names the installed policy script.
UNIT_EXEC := $(SBINDIR)/mqbalance --daemon$(if $(filter /etc,$(SYSCONFDIR)),, --config $(SYSCONFDIR)/mqbalance.conf)
D := $(DESTDIR)
install: $(BIN)
	install -D -m 0755 $(BIN) $(D)$(SBINDIR)/mqbalance
	install -d $(D)$(UNITDIR)/irqbalance.service.d $(D)$(MANDIR)/man8 $(D)$(MANDIR)/man5 \
		$(D)$(SYSCONFDIR) $(D)$(PKGLIBDIR) $(D)$(DATADIR) $(D)$(COMPLETIONDIR)
	sed 's|^ExecStart=/usr/local/sbin/mqbalance --daemon$$|ExecStart=$(UNIT_EXEC)|' \
		systemd/mqbalance.service > $(D)$(UNITDIR)/mqbalance.service
	sed 's|=/usr/lib/mqbalance/irqbalance-policy |=$(PKGLIBDIR)/irqbalance-policy |' \
		systemd/irqbalance-mqbalance.conf > $(D)$(UNITDIR)/irqbalance.service.d/mqbalance.conf
	chmod 0644 $(D)$(UNITDIR)/mqbalance.service $(D)$(UNITDIR)/irqbalance.service.d/mqbalance.conf
	install -m 0755 systemd/irqbalance-policy $(D)$(PKGLIBDIR)/irqbalance-policy
	install -m 0644 mqbalance.8 $(D)$(MANDIR)/man8/mqbalance.8
	install -m 0644 mqbalance.conf.5 $(D)$(MANDIR)/man5/mqbalance.conf.5
	install -m 0644 prometheus/alerts.yml prometheus/grafana-dashboard.json $(D)$(DATADIR)/
	install -m 0644 completion/mqbalance.bash $(D)$(COMPLETIONDIR)/mqbalance
	@if [ -e $(D)$(SYSCONFDIR)/mqbalance.conf ]; then \
		echo "keeping existing $(D)$(SYSCONFDIR)/mqbalance.conf"; \
	else \
		install -m 0644 mqbalance.conf.example $(D)$(SYSCONFDIR)/mqbalance.conf; \
	fi

# What install wrote; the config only while it is still the shipped example.
# Stop and disable the service first (systemctl disable --now mqbalance).
uninstall:
	rm -f $(D)$(SBINDIR)/mqbalance $(D)$(UNITDIR)/mqbalance.service \
		$(D)$(UNITDIR)/irqbalance.service.d/mqbalance.conf \
		$(D)$(PKGLIBDIR)/irqbalance-policy $(D)$(MANDIR)/man8/mqbalance.8 \
		$(D)$(MANDIR)/man5/mqbalance.conf.5 $(D)$(DATADIR)/alerts.yml \
		$(D)$(DATADIR)/grafana-dashboard.json $(D)$(COMPLETIONDIR)/mqbalance
	-rmdir $(D)$(UNITDIR)/irqbalance.service.d $(D)$(PKGLIBDIR) $(D)$(DATADIR) 2>/dev/null
	@if cmp -s mqbalance.conf.example $(D)$(SYSCONFDIR)/mqbalance.conf; then \
		rm -f $(D)$(SYSCONFDIR)/mqbalance.conf; \
	elif [ -e $(D)$(SYSCONFDIR)/mqbalance.conf ]; then \
		echo "keeping $(D)$(SYSCONFDIR)/mqbalance.conf (edited)"; \
	fi

# The Debian package, built from a copy of this tree (no .git: the version is
# VERSION's) into ./mqbalance_<version>_<arch>.deb. dpkg-buildpackage -us -uc
# -b in the tree itself works too (the .deb lands in ..).
DEB_DIR := $(BUILD)/deb
deb:
	$(Q)scripts/deps.sh deb
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	$(Q)tar --exclude=./build --exclude=./.git --exclude='./mqbalance_*' -cf - . | tar -C $(DEB_DIR)/src -xf -
	$(Q)cd $(DEB_DIR)/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; echo "make deb: dpkg-buildpackage failed, log: $(DEB_DIR)/build.log" >&2; exit 1; }
	$(Q)rm -f mqbalance_*.deb && cp $(DEB_DIR)/mqbalance_*.deb .
	@ls -1 mqbalance_*.deb

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

-include $(shell find $(BUILD) -path $(BUILD)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
