/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bindgen sees: the kernel headers the FFI layer binds to, and the C
 * helpers of rust/helpers.c (static inlines and macros that bindgen cannot
 * turn into callable functions). The allowlist is in rust/ffi/Kbuild.bindgen.
 */
#ifndef MRC_BINDINGS_HELPER_H
#define MRC_BINDINGS_HELPER_H

#include <linux/errno.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#ifdef __BINDGEN__
/* Macros bindgen cannot evaluate, as constants it can. */
const gfp_t MRC_GFP_KERNEL = GFP_KERNEL;
#endif

/* Module parameter `family` (rust/helpers.c). */
extern int mrc_param_family;

void mrc_sock_put(struct sock *sk);
void mrc_sock_orphan(struct sock *sk);
void mrc_sock_inuse_add(struct sock *sk, int val);
void *mrc_net_generic(const struct net *net, unsigned int id);

#endif
