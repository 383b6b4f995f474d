// SPDX-License-Identifier: MIT
/*
 * cputime: the CPU time of a command, to the microsecond (wait4's rusage),
 * over N runs; its output goes to /dev/null. For bench/run.sh: /usr/bin/time
 * rounds to 10 ms, more than a whole --report --interval 0 costs.
 *
 *   cputime N COMMAND [ARG...]
 *
 * Prints one line: runs median_us mean_us min_us max_us maxrss_kib
 * (user + system per run). Exits 1 if a run fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 2 ? (unsigned)strtoul(argv[1], NULL, 10) : 0;
	double *us, sum = 0;
	long maxrss = 0;

	if (n == 0 || n > 100000) {
		fprintf(stderr, "usage: cputime N COMMAND [ARG...]\n");
		return 2;
	}
	us = calloc(n, sizeof(*us));
	if (!us)
		return 1;
	for (unsigned i = 0; i < n; i++) {
		struct rusage ru;
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0)
				dup2(fd, STDOUT_FILENO);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (wait4(pid, &status, 0, &ru) < 0) {
			perror("wait4");
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "cputime: %s failed (status %d)\n", argv[2], status);
			return 1;
		}
		us[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
			(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
		sum += us[i];
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	qsort(us, n, sizeof(*us), cmp);
	printf("%u %.0f %.0f %.0f %.0f %ld\n", n, n % 2 ? us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2,
	       sum / n, us[0], us[n - 1], maxrss);
	return 0;
}
