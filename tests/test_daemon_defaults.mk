# tests/test_daemon_defaults.c calls the daemon's production hooks
# (agent/daemon_defaults.c) itself, with the pass, the sampler, the config
# loader, the irqbalance file and the log taken over; calloc fails on cue.
LDFLAGS_test_daemon_defaults := -Wl,--wrap=daemon_run,--wrap=tune_run,--wrap=tune_log,--wrap=tune_pass_free \
	-Wl,--wrap=steady_before_pass,--wrap=steady_after_pass,--wrap=steady_check,--wrap=steady_sample \
	-Wl,--wrap=steady_write,--wrap=owned_irqs_write,--wrap=owned_irqs_tell_irqbalance \
	-Wl,--wrap=link_driver_get,--wrap=config_load,--wrap=log_msg,--wrap=monitor_init,--wrap=monitor_close_all \
	-Wl,--wrap=calloc
