/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * AF_MRC: the Multipath Reliable Connection transport.
 *
 * The user-space API of mrc.ko: the address family, the socket address and
 * the SOL_MRC socket options. See Documentation/socket-api.rst.
 */
#ifndef _UAPI_LINUX_MRC_H
#define _UAPI_LINUX_MRC_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/socket.h>

/*
 * The family number is a module parameter (`modprobe mrc family=N`), since
 * no number below AF_MAX is reserved for MRC. The default is the slot of
 * AF_ECONET, whose protocol left Linux in 3.5; read the number in use from
 * /sys/module/mrc/parameters/family rather than hard-coding it.
 */
#define AF_MRC_DEFAULT	19
#define PF_MRC_DEFAULT	AF_MRC_DEFAULT

/* The only protocol of the family; 0 selects it too. */
#define MRCPROTO_MRC	1

/* The default UDP destination port (RoCEv2's), per netns: net.mrc.udp_port. */
#define MRC_UDP_PORT_DEFAULT	4791

/* An MRC endpoint: an IPv6 address and a 16-bit MRC port naming a listener. */
struct sockaddr_mrc {
	__kernel_sa_family_t	smrc_family;	/* AF_MRC */
	__u16			smrc_port;	/* MRC port, host byte order */
	__u32			smrc_scope_id;	/* interface for link-local addresses */
	struct in6_addr		smrc_addr;	/* IPv6 address */
};

/* Socket options and control messages at this level. */
#define SOL_MRC		300

/*
 * SOL_MRC socket options. Connection parameters are set before connect()
 * or listen() (an accepted socket takes its listener's); later they fail
 * with EISCONN. Integer options take an int (or a __u64 where noted).
 */
#define MRC_EV_PROFILE	1	/* __u64 EV profile id (0: the built-in AUTO profile) */
#define MRC_CC_PROFILE	2	/* __u64 CC profile id (0: the built-in NSCC defaults) */
#define MRC_MPR		3	/* receive reorder window, units of 128 PSNs, 1..64 */
#define MRC_ACK_TIMEOUT	4	/* ACK timeout exponent: 1.024 us << n, 0..24 */
#define MRC_RETRIES	5	/* struct mrc_retries */
#define MRC_MAX_WIMM	6	/* Write-with-Immediate messages in flight, 1..65535 */
#define MRC_INFO	7	/* struct mrc_info (read only) */
#define MRC_EV_COUNT	8	/* EVs of the AUTO profile, 1..256 */
#define MRC_SRV6_PATHS	9	/* struct in6_addr[]: EV i is sent via uSID container i */
#define MRC_PATH_INFO	10	/* struct mrc_path_info[] (read only), one per EV */

/* Control message of level SOL_MRC: a 32-bit immediate (sendmsg, recvmsg). */
#define MRC_IMM		1

struct mrc_retries {
	__u8	linear_cnt;	/* fixed-interval retries, 0..7 */
	__u8	exp_cnt;	/* exponential retries after those, 0..25 (25: forever) */
};

/* mrci_state */
enum {
	MRC_STATE_CLOSED = 0,
	MRC_STATE_LISTEN,
	MRC_STATE_CONNECTING,
	MRC_STATE_ACCEPTING,
	MRC_STATE_ESTABLISHED,
	MRC_STATE_CLOSING,
};

/* MRC_INFO: like tcp_info, a snapshot of one connection. */
struct mrc_info {
	__u8	mrci_state;
	__u8	mrci_pad[3];
	__u32	mrci_local_conn;	/* connection numbers */
	__u32	mrci_peer_conn;
	__u16	mrci_ev_count;		/* EVs the connection sprays over */
	__u16	mrci_active_evs;	/* of which GOOD or SKIP */
	__u32	mrci_srtt_us;		/* smoothed RTT */
	__u32	mrci_cwnd;		/* congestion window, bytes */
	__u32	mrci_bytes_in_flight;
	__u32	mrci_max_payload;	/* payload bytes per packet */
	__u64	mrci_packets_sent;	/* data packets, retransmissions included */
	__u64	mrci_bytes_sent;
	__u64	mrci_packets_acked;
	__u64	mrci_bytes_acked;
	__u64	mrci_packets_retrans;
	__u64	mrci_bytes_retrans;
	__u64	mrci_packets_received;
	__u64	mrci_bytes_received;
	__u64	mrci_messages_sent;
	__u64	mrci_messages_received;
	__u64	mrci_rack_losses;
	__u64	mrci_timeout_losses;
	__u64	mrci_ack_timeouts;
	__u64	mrci_duplicates;
	__u64	mrci_rejected;		/* packets refused */
	__u64	mrci_ecn_echoes;	/* SACKs echoing a Congestion Experienced mark */
	__u64	mrci_credit_probes;	/* header-only asks for the receive credit */
};

/* mrcp_state */
enum {
	MRC_EV_GOOD = 0,
	MRC_EV_SKIP,
	MRC_EV_ASSUMED_BAD,
	MRC_EV_DENIED,
};

/* MRC_PATH_INFO: one entry per EV. */
struct mrc_path_info {
	__u8	mrcp_state;
	__u8	mrcp_pad[3];
	__u32	mrcp_srtt_us;
	__u64	mrcp_packets_sent;
	__u64	mrcp_packets_acked;
	__u64	mrcp_lost;
	__u64	mrcp_timeouts;
};

#endif /* _UAPI_LINUX_MRC_H */
