# tests/integration/prom.sh: a textfile from a constructed snapshot, every
# metric family filled (the docs check lists them against the README).
$(BUILD)/tests/tools/prom-fixture: $(BUILD)/tests/tools/prom-fixture.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

tests: $(BUILD)/tests/tools/prom-fixture
