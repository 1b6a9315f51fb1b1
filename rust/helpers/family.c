// SPDX-License-Identifier: GPL-2.0
/*
 * What the address family's proto_ops and proto (rust/ffi/family.rs)
 * do to a sock beyond sock.c: orphaning it at release, counting it in
 * /proc/net/protocols, waiting on it in poll.
 */
#include "../ffi/bindings_helper.h"

void mrc_sock_orphan(struct sock *sk)
{
	sock_orphan(sk);
}

/* Counts the sock in its namespace's /proc/net/protocols "sockets" column. */
void mrc_sock_inuse_add(struct sock *sk, int val)
{
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, val);
}

void mrc_sock_poll_wait(struct file *file, struct socket *sock, poll_table *p)
{
	sock_poll_wait(file, sock, p);
}
