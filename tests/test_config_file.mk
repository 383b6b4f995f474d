# tests/test_config_file.c: fstat, read and readdir fail on cue (the kernel's
# EIO from a bad disk), the rest of the time they are the real ones.
LDFLAGS_test_config_file := -Wl,--wrap=fstat,--wrap=read,--wrap=__read_chk,--wrap=readdir
