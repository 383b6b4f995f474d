# tests/test_watch_loop.c and test_watch_loop_term.c run live_run() (--watch)
# on a fake clock, fake probes (counted: every snapshot freed) and fake event
# sources (tests/watch_fake.h): no netlink, no /proc, no waiting.
# With _FORTIFY_SOURCE (the ASan build) poll() and read() are __poll_chk and __read_chk.
LDFLAGS_test_watch_loop := -Wl,--wrap=snapshot_take,--wrap=snapshot_sample_with,--wrap=state_file_load \
	-Wl,--wrap=snapshot_copy,--wrap=snapshot_free \
	-Wl,--wrap=monitor_open,--wrap=monitor_recv,--wrap=monitor_parse,--wrap=monitor_close \
	-Wl,--wrap=poll,--wrap=clock_gettime,--wrap=isatty,--wrap=ioctl,--wrap=tcgetattr,--wrap=tcsetattr \
	-Wl,--wrap=read,--wrap=__read_chk,--wrap=__poll_chk
