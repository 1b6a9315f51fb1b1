// SPDX-License-Identifier: GPL-2.0
/*
 * socket(2) on AF_MRC: what is accepted, the errors TCP and SCTP give for
 * what is not, the options every socket answers, and many sockets opened
 * and closed without a leak.
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/mrc.h>
#include "ksft.h"

static int af;

/* socket() must fail with `want`. */
static void refused(int type, int protocol, int want, const char *what)
{
	int fd = socket(af, type, protocol);
	int err = errno;

	ksft_result(fd < 0 && err == want, "%s: %s (got %s)", what, strerror(want),
		    fd < 0 ? strerror(err) : "a socket");
	if (fd >= 0)
		close(fd);
}

static int sockopt_int(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0)
		return -1;
	return v;
}

int main(void)
{
	int fd, i, fds[512];

	ksft_begin();
	af = mrc_family();
	if (af < 0) {
		printf("# mrc.ko is not loaded\n1..0 # SKIP\n");
		return KSFT_SKIP;
	}

	fd = socket(af, SOCK_SEQPACKET, 0);
	ksft_result(fd >= 0, "socket(AF_MRC, SOCK_SEQPACKET, 0)");
	ksft_result(sockopt_int(fd, SO_TYPE) == SOCK_SEQPACKET, "SO_TYPE is SOCK_SEQPACKET");
	ksft_result(sockopt_int(fd, SO_DOMAIN) == af, "SO_DOMAIN is the family");
	ksft_result(sockopt_int(fd, SO_PROTOCOL) == MRCPROTO_MRC, "SO_PROTOCOL 0 selects MRCPROTO_MRC");
	ksft_result(close(fd) == 0, "close");

	fd = socket(af, SOCK_SEQPACKET, MRCPROTO_MRC);
	ksft_result(fd >= 0, "socket(AF_MRC, SOCK_SEQPACKET, MRCPROTO_MRC)");
	close(fd);

	fd = socket(af, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ksft_result(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) &&
		    (fcntl(fd, F_GETFD) & FD_CLOEXEC), "SOCK_NONBLOCK | SOCK_CLOEXEC honoured");
	close(fd);

	refused(SOCK_STREAM, 0, ESOCKTNOSUPPORT, "SOCK_STREAM");
	refused(SOCK_DGRAM, 0, ESOCKTNOSUPPORT, "SOCK_DGRAM");
	refused(SOCK_RAW, 0, ESOCKTNOSUPPORT, "SOCK_RAW");
	refused(SOCK_RDM, 0, ESOCKTNOSUPPORT, "SOCK_RDM");
	refused(SOCK_SEQPACKET, 6, EPROTONOSUPPORT, "protocol 6 (TCP's)");
	refused(SOCK_SEQPACKET, -1, EPROTONOSUPPORT, "protocol -1");

	for (i = 0; i < 512; i++) {
		fds[i] = socket(af, SOCK_SEQPACKET, 0);
		if (fds[i] < 0)
			break;
	}
	ksft_result(i == 512, "512 sockets open at once (%d)", i);
	while (i--)
		close(fds[i]);

	for (i = 0; i < 20000; i++) {
		fd = socket(af, SOCK_SEQPACKET, 0);
		if (fd < 0 || close(fd))
			break;
	}
	ksft_result(i == 20000, "20000 open/close cycles (%d)", i);

	return ksft_end();
}
