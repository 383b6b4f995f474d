/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * ioctl(2) taken over (the test's .mk links with -Wl,--wrap=ioctl): every
 * call of the code under test reaches the test's own fake_ioctl() with the
 * struct ifreq that SIOCETHTOOL passes as the third argument.
 */
#include <net/if.h>
#include <stdarg.h>

static int fake_ioctl(int fd, unsigned long req, struct ifreq *ifr);

int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct ifreq *ifr;
	va_list ap;

	va_start(ap, req);
	ifr = va_arg(ap, struct ifreq *);
	va_end(ap);
	return fake_ioctl(fd, req, ifr);
}
