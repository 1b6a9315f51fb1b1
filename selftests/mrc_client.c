// SPDX-License-Identifier: GPL-2.0
/*
 * An AF_MRC client in plain C, speaking mrcperf's message exchange
 * (tools/mrcperf/src/msgwire.rs) to `mrcperf server --proto mrc` or to
 * `mrc_client.py serve`:
 *
 *   Hello (40 B) | data messages: the pattern cut at the seeded sizes | End
 *   <- [reverse data | End, with --bidir] Report ("MRCPREP1" + JSON)
 *   Bye
 *
 * It sends everything first and then reads (one thread: the server must
 * keep reading while it sends back, which mrcperf does), checks the
 * reverse stream byte for byte and message by message, checks the
 * server's verdict, then reads MRC_INFO and MRC_PATH_INFO.
 *
 *   mrc_client --connect ADDR [--port P] [--bind SRC] --bytes N [--seed S]
 *              [--max-msg M] [--bidir] [--srv6 ADDR,...] [--evs N]
 *   mrc_client --selfcheck     the size and pattern vectors mrcperf pins
 *   (--fd N instead of --connect: an already connected SOCK_SEQPACKET
 *   socket, to test the exchange without mrc.ko; MRC_INFO is not read)
 *
 * Exit: 0 all intact and MRC_INFO consistent; 1 data damaged, missing or
 * an error; 3 data intact but MRC_INFO / MRC_PATH_INFO wrong; 2 usage.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/mrc.h>
#include "ksft.h"

#define MAX_MESSAGE	(1u << 20)
#define RECV_BUF	(MAX_MESSAGE + 4096)
#define HELLO_LEN	40
#define END_LEN		24
#define FLAG_BIDIR	1u
#define MAX_PATHS	16

/* ------------------------------------------------------------ pattern */

static uint64_t mix(uint64_t x)
{
	uint64_t z = x * 0x9e3779b97f4a7c15ull;

	return z ^ (z >> 29);
}

/* Byte o of the stream is byte o % 8 (little endian) of mix(seed ^ o / 8). */
static void pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t n)
{
	uint64_t block = 0, cur = UINT64_MAX;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t o = off + i;

		if (o / 8 != cur) {
			cur = o / 8;
			block = mix(seed ^ cur);
		}
		buf[i] = (uint8_t)(block >> (8 * (o % 8)));
	}
}

/* ------------------------------------------------------------- sizes */

struct sizes {
	uint64_t state;
	uint32_t max, max_exp;
};

static void sizes_init(struct sizes *s, uint64_t seed, uint32_t max)
{
	s->state = seed ^ 0x6d726373697a6573ull; /* "mrcsizes" */
	s->max = max ? max : 1;
	for (s->max_exp = 0; (s->max >> s->max_exp) > 1; s->max_exp++)
		;
}

static uint32_t sizes_next(struct sizes *s)
{
	uint64_t z, lo, size;

	s->state += 0x9e3779b97f4a7c15ull;
	z = s->state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	lo = 1ull << (z % (s->max_exp + 1));
	size = lo + (z >> 32) % lo;
	return size < s->max ? (uint32_t)size : s->max;
}

static int selfcheck(void)
{
	static const uint32_t v1[8] = { 224, 363, 7231, 7, 54, 316492, 738085, 14677 };
	static const uint32_t v2[8] = { 1, 10, 55, 137, 508, 34, 1, 51 };
	static const uint8_t p0[16] = { 76, 139, 68, 89, 161, 196, 211, 9,
					141, 216, 124, 215, 95, 62, 11, 168 };
	static const uint8_t p1[16] = { 170, 112, 155, 119, 73, 34, 177, 216,
					93, 43, 21, 175, 231, 120, 227, 222 };
	struct sizes a, b;
	uint8_t buf[16];
	int i, ok = 1;

	sizes_init(&a, 1, MAX_MESSAGE);
	sizes_init(&b, 0xdeadbeef, 1000);
	for (i = 0; i < 8; i++)
		ok &= sizes_next(&a) == v1[i] && sizes_next(&b) == v2[i];
	pattern_fill(0x1234, 0, buf, 16);
	ok &= !memcmp(buf, p0, 16);
	pattern_fill(0x1234, 1000003, buf, 16);
	ok &= !memcmp(buf, p1, 16);
	printf("mrc_client: selfcheck %s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}

/* ------------------------------------------------------------- wire */

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static int send_msg(int fd, const void *buf, size_t n)
{
	ssize_t r;

	do
		r = send(fd, buf, n, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)n) {
		fprintf(stderr, "mrc_client: send %zu bytes: %s\n", n,
			r < 0 ? strerror(errno) : "short");
		return -1;
	}
	return 0;
}

/* One whole message; -1 on error, end of connection or truncation. */
static ssize_t recv_msg(int fd, void *buf, size_t cap)
{
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	do
		r = recvmsg(fd, &mh, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0 || (mh.msg_flags & MSG_TRUNC)) {
		fprintf(stderr, "mrc_client: recv: %s\n",
			r < 0 ? strerror(errno) : r == 0 ? "the connection ended" : "MSG_TRUNC");
		return -1;
	}
	return r;
}

static int is_end(const uint8_t *m, ssize_t n, uint64_t *bytes, uint64_t *msgs)
{
	if (n != END_LEN || memcmp(m, "MRCPEND1", 8))
		return 0;
	*bytes = get_be(m + 8, 8);
	*msgs = get_be(m + 16, 8);
	return 1;
}

/* ------------------------------------------------------------ client */

struct opts {
	const char *connect, *bind, *srv6;
	uint16_t port;
	uint64_t bytes, seed;
	uint32_t max_msg;
	int bidir, evs, fd;
};

static int parse_addr(const char *s, struct in6_addr *a)
{
	if (inet_pton(AF_INET6, s, a) != 1) {
		fprintf(stderr, "mrc_client: not an IPv6 address: %s\n", s);
		return -1;
	}
	return 0;
}

static int connect_mrc(const struct opts *o, int af)
{
	struct sockaddr_mrc dst = { .smrc_family = af, .smrc_port = o->port };
	struct in6_addr paths[MAX_PATHS];
	int fd, n = 0;

	if (parse_addr(o->connect, &dst.smrc_addr))
		return -1;
	fd = socket(af, SOCK_SEQPACKET, 0);
	if (fd < 0) {
		perror("mrc_client: socket");
		return -1;
	}
	if (o->evs && setsockopt(fd, SOL_MRC, MRC_EV_COUNT, &o->evs, sizeof(o->evs))) {
		perror("mrc_client: MRC_EV_COUNT");
		goto fail;
	}
	if (o->srv6) {
		char list[1024], *tok, *save;

		snprintf(list, sizeof(list), "%s", o->srv6);
		for (tok = strtok_r(list, ",", &save); tok && n < MAX_PATHS;
		     tok = strtok_r(NULL, ",", &save))
			if (parse_addr(tok, &paths[n++]))
				goto fail;
		if (setsockopt(fd, SOL_MRC, MRC_SRV6_PATHS, paths, n * sizeof(paths[0]))) {
			perror("mrc_client: MRC_SRV6_PATHS");
			goto fail;
		}
	}
	if (o->bind) {
		struct sockaddr_mrc src = { .smrc_family = af };

		if (parse_addr(o->bind, &src.smrc_addr) ||
		    bind(fd, (struct sockaddr *)&src, sizeof(src))) {
			perror("mrc_client: bind");
			goto fail;
		}
	}
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		fprintf(stderr, "mrc_client: connect [%s]:%u: %s\n", o->connect, o->port,
			strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* The client's stream: data messages, then the End. */
static int send_stream(int fd, const struct opts *o, uint8_t *buf, uint64_t *msgs)
{
	struct sizes sz;
	uint64_t off = 0;
	uint8_t end[END_LEN];

	sizes_init(&sz, o->seed, o->max_msg);
	*msgs = 0;
	while (off < o->bytes) {
		uint64_t n = sizes_next(&sz);

		if (n > o->bytes - off)
			n = o->bytes - off;
		pattern_fill(o->seed, off, buf, n);
		if (send_msg(fd, buf, n))
			return -1;
		off += n;
		(*msgs)++;
	}
	memcpy(end, "MRCPEND1", 8);
	put_be(end + 8, off, 8);
	put_be(end + 16, *msgs, 8);
	return send_msg(fd, end, sizeof(end));
}

/* The reverse stream up to its End; 1 intact, 0 damaged, -1 error. */
static int recv_stream(int fd, const struct opts *o, uint8_t *buf, uint8_t *want)
{
	uint64_t seed = ~o->seed, off = 0, msgs = 0, end_bytes = 0, end_msgs = 0;
	uint64_t bad = UINT64_MAX;
	struct sizes sz;

	sizes_init(&sz, seed, o->max_msg);
	for (;;) {
		ssize_t n = recv_msg(fd, buf, RECV_BUF);
		struct sizes next = sz;
		uint64_t exp;
		int as_sent;

		if (n < 0)
			return -1;
		/* Data first: only what is not the expected message may be the End. */
		exp = sizes_next(&next);
		if (off >= o->bytes)
			exp = 0;
		else if (exp > o->bytes - off)
			exp = o->bytes - off;
		pattern_fill(seed, off, want, (size_t)n);
		as_sent = (uint64_t)n == exp && !memcmp(buf, want, n);
		if (!as_sent && is_end(buf, n, &end_bytes, &end_msgs))
			break;
		if (!as_sent && bad == UINT64_MAX)
			bad = msgs;
		sz = next;
		off += n;
		msgs++;
	}
	printf("mrc_client: reverse %" PRIu64 " bytes in %" PRIu64 " messages, End says %"
	       PRIu64 " in %" PRIu64 "\n", off, msgs, end_bytes, end_msgs);
	if (bad != UINT64_MAX)
		printf("mrc_client: reverse message %" PRIu64 " is not as sent\n", bad);
	return bad == UINT64_MAX && off == o->bytes && end_bytes == off && end_msgs == msgs;
}

static int json_u64(const char *json, const char *key, uint64_t *v)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p && sscanf(p + strlen(pat), "%" SCNu64, v) == 1;
}

/* MRC_INFO and MRC_PATH_INFO after the exchange; 0 if consistent. */
static int check_info(int fd, uint64_t msgs_sent, uint64_t bytes_sent)
{
	struct mrc_path_info pi[256];
	struct mrc_info info;
	socklen_t len = sizeof(info);
	int i, n, ok;

	memset(&info, 0, sizeof(info));
	if (getsockopt(fd, SOL_MRC, MRC_INFO, &info, &len)) {
		perror("mrc_client: MRC_INFO");
		return -1;
	}
	ok = info.mrci_state == MRC_STATE_ESTABLISHED && info.mrci_ev_count > 0 &&
	     info.mrci_messages_sent >= msgs_sent && info.mrci_bytes_sent >= bytes_sent;
	printf("mrc_client: MRC_INFO state %u evs %u active %u srtt %u us messages_sent %llu "
	       "bytes_sent %llu retrans %llu%s\n", info.mrci_state, info.mrci_ev_count,
	       info.mrci_active_evs, info.mrci_srtt_us,
	       (unsigned long long)info.mrci_messages_sent,
	       (unsigned long long)info.mrci_bytes_sent,
	       (unsigned long long)info.mrci_packets_retrans, ok ? "" : " (INCONSISTENT)");
	len = sizeof(pi);
	if (getsockopt(fd, SOL_MRC, MRC_PATH_INFO, pi, &len)) {
		perror("mrc_client: MRC_PATH_INFO");
		return -1;
	}
	n = len / sizeof(pi[0]);
	printf("mrc_client: MRC_PATH_INFO %d EVs:", n);
	for (i = 0; i < n; i++)
		printf(" %u", pi[i].mrcp_state);
	printf("\n");
	if (n != info.mrci_ev_count) {
		printf("mrc_client: MRC_PATH_INFO has %d entries, MRC_INFO says %u EVs\n", n,
		       info.mrci_ev_count);
		ok = 0;
	}
	return ok ? 0 : -1;
}

static int run(const struct opts *o, int af)
{
	uint8_t *buf = malloc(RECV_BUF), *want = malloc(RECV_BUF), hello[HELLO_LEN] = { 0 };
	struct timeval tv = { .tv_sec = 120 };
	uint64_t msgs = 0, got_bytes = 0, got_msgs = 0;
	int fd = -1, rev = 1, rc = 1, fwd;
	ssize_t n;

	if (!buf || !want)
		goto out;
	fd = o->fd >= 0 ? o->fd : connect_mrc(o, af);
	if (fd < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memcpy(hello, "MRCPMSG1", 8);
	put_be(hello + 8, o->seed, 8);
	put_be(hello + 16, 100, 4);
	put_be(hello + 20, o->bidir ? FLAG_BIDIR : 0, 4);
	put_be(hello + 24, o->bytes, 8);
	put_be(hello + 32, o->max_msg, 4);
	if (send_msg(fd, hello, sizeof(hello)) || send_stream(fd, o, buf, &msgs))
		goto out;
	if (o->bidir) {
		rev = recv_stream(fd, o, buf, want);
		if (rev < 0)
			goto out;
	}
	n = recv_msg(fd, buf, RECV_BUF - 1);
	if (n < 8 || memcmp(buf, "MRCPREP1", 8)) {
		fprintf(stderr, "mrc_client: no report from the server\n");
		goto out;
	}
	buf[n] = 0;
	fwd = strstr((char *)buf, "\"intact\":true") && json_u64((char *)buf + 8, "bytes", &got_bytes) &&
	      json_u64((char *)buf + 8, "messages", &got_msgs) && got_bytes == o->bytes &&
	      got_msgs == msgs;
	printf("mrc_client: sent %" PRIu64 " bytes in %" PRIu64 " messages; server received %"
	       PRIu64 " in %" PRIu64 ": %s%s\n", o->bytes, msgs, got_bytes, got_msgs,
	       fwd ? "intact" : "DAMAGED",
	       !o->bidir ? "" : rev ? "; reverse intact" : "; reverse DAMAGED");
	rc = fwd && rev ? 0 : 1;
	if (!rc && o->fd < 0 && check_info(fd, msgs, o->bytes))
		rc = 3;
	send_msg(fd, "MRCPBYE1", 8);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(want);
	return rc;
}

static uint64_t size_arg(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': return v << 10;
	case 'm': case 'M': return v << 20;
	case 'g': case 'G': return v << 30;
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "connect", 1, 0, 'c' }, { "port", 1, 0, 'p' }, { "bind", 1, 0, 'b' },
		{ "bytes", 1, 0, 'n' }, { "seed", 1, 0, 's' }, { "max-msg", 1, 0, 'm' },
		{ "bidir", 0, 0, 'd' }, { "srv6", 1, 0, '6' }, { "evs", 1, 0, 'e' },
		{ "selfcheck", 0, 0, 'S' }, { "fd", 1, 0, 'f' }, { 0 }
	};
	struct opts o = { .port = 5201, .seed = 1, .max_msg = MAX_MESSAGE, .fd = -1 };
	int c, af = -1;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o.connect = optarg; break;
		case 'p': o.port = (uint16_t)atoi(optarg); break;
		case 'b': o.bind = optarg; break;
		case 'n': o.bytes = size_arg(optarg); break;
		case 's': o.seed = strtoull(optarg, NULL, 0); break;
		case 'm': o.max_msg = (uint32_t)size_arg(optarg); break;
		case 'd': o.bidir = 1; break;
		case '6': o.srv6 = optarg; break;
		case 'e': o.evs = atoi(optarg); break;
		case 'f': o.fd = atoi(optarg); break;
		case 'S': return selfcheck();
		default: return 2;
		}
	}
	if (!o.connect == (o.fd < 0) || !o.bytes || !o.max_msg || o.max_msg > MAX_MESSAGE) {
		fprintf(stderr, "usage: %s (--connect ADDR [--port P] [--bind SRC] | --fd N) "
			"--bytes N [--seed S] [--max-msg M<=1M] [--bidir] [--srv6 ADDR,...] "
			"[--evs N]\n"
			"       %s --selfcheck\n", argv[0], argv[0]);
		return 2;
	}
	if (o.fd < 0)
		af = mrc_family();
	if (o.fd < 0 && af < 0) {
		fprintf(stderr, "mrc_client: mrc.ko is not loaded\n");
		return 1;
	}
	return run(&o, af);
}
