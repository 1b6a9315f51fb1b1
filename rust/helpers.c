// SPDX-License-Identifier: GPL-2.0
/*
 * The C side of mrc.ko: module parameters (Rust's module! macro in 6.12 has
 * none) and out-of-line copies of static inline kernel functions, so that
 * the Rust FFI layer can call them. Nothing else belongs here.
 */
#include "ffi/bindings_helper.h"
#include <uapi/linux/mrc.h>

int mrc_param_family = AF_MRC_DEFAULT;
module_param_named(family, mrc_param_family, int, 0444);
MODULE_PARM_DESC(family, "address family number of AF_MRC (default "
		 __stringify(AF_MRC_DEFAULT) "; must be free and below AF_MAX)");

void mrc_sock_put(struct sock *sk)
{
	sock_put(sk);
}

void mrc_sock_orphan(struct sock *sk)
{
	sock_orphan(sk);
}

/* Counts the sock in its namespace's /proc/net/protocols "sockets" column. */
void mrc_sock_inuse_add(struct sock *sk, int val)
{
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, val);
}

void *mrc_net_generic(const struct net *net, unsigned int id)
{
	return net_generic(net, id);
}
