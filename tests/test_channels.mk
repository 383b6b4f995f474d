# tests/test_channels.c takes channels_set()'s netlink requests and ioctls
# instead of the kernel, to see which counts each one carries.
LDFLAGS_test_channels := -Wl,--wrap=mqnl_genl_transact,--wrap=ethtool_channels_get,--wrap=ioctl
