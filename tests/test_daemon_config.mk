# tests/test_daemon_config.c: the periods the daemon arms its timers with, and its log.
LDFLAGS_test_daemon_config := -Wl,--wrap=loop_add_timer,--wrap=loop_timer_set,--wrap=log_msg
