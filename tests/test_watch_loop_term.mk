# tests/test_watch_loop_term.c: the same fakes as tests/test_watch_loop.c (tests/watch_fake.h).
LDFLAGS_test_watch_loop_term = $(LDFLAGS_test_watch_loop)
