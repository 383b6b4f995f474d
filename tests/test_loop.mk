# tests/test_loop.c fails epoll_ctl(2) on cue (a full epoll: ENOSPC, ENOMEM).
LDFLAGS_test_loop := -Wl,--wrap=epoll_ctl
