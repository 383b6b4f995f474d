# tests/test_state.c fails reads of the state file on cue.
LDFLAGS_test_state := -Wl,--wrap=read
