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

#endif /* _UAPI_LINUX_MRC_H */
