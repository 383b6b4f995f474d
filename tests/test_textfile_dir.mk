# fsync counted and failed on cue: the periodic write syncs nothing; close fails on demand (tests/test_textfile_dir.c).
LDFLAGS_test_textfile_dir := -Wl,--wrap=fsync,--wrap=close
