# Prometheus export tests (included by the Makefile).
# The string tables live in core/snapshot.c and core/findings.c; weak
# stand-ins let these link on their own, and lose to the real ones.
$(BUILD)/tests/test_prom: $(BUILD)/tests/tools/prom-stubs.o

# tests/integration/prom.sh: a textfile from a constructed snapshot, for when
# `mqbalance --prom-file` is not there.
$(BUILD)/tests/tools/prom-fixture: $(BUILD)/tests/tools/prom-fixture.o \
		$(BUILD)/tests/tools/prom-stubs.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

tests: $(BUILD)/tests/tools/prom-fixture
