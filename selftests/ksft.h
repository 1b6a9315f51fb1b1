/* SPDX-License-Identifier: GPL-2.0 */
/* TAP 13 output and kselftest exit codes for the C selftests. */
#ifndef MRC_KSFT_H
#define MRC_KSFT_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

static int ksft_n, ksft_failed;

static inline void ksft_begin(void)
{
	printf("TAP version 13\n");
}

static inline void ksft_result(int ok, const char *fmt, ...)
{
	va_list ap;

	ksft_n++;
	if (!ok)
		ksft_failed++;
	printf("%sok %d - ", ok ? "" : "not ", ksft_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* The plan and the exit code; a test that ran no check did not pass. */
static inline int ksft_end(void)
{
	printf("1..%d\n", ksft_n);
	if (!ksft_n)
		printf("# no check ran\n");
	return ksft_failed || !ksft_n ? KSFT_FAIL : KSFT_PASS;
}

/* The family number mrc.ko registered (a module parameter). */
static inline int mrc_family(void)
{
	FILE *f = fopen("/sys/module/mrc/parameters/family", "r");
	int family = -1;

	if (!f || fscanf(f, "%d", &family) != 1)
		family = -1;
	if (f)
		fclose(f);
	return family;
}

#endif
