/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C side of mrc.ko is one file here per file of the FFI layer
 * (rust/ffi/) that calls it: module parameters (Rust's module! macro in
 * 6.12 has none), out-of-line copies of static inline kernel functions,
 * and what is written against kernel structures directly (RX validation,
 * header building and the send paths, the dst cache, cmsg parsing, the
 * events family pointer). Their public declarations, the ones bindgen
 * turns into rust/ffi/bindings.rs, are in rust/ffi/bindings_helper.h; this
 * header holds what the helpers share only among themselves.
 */
#ifndef MRC_HELPERS_H
#define MRC_HELPERS_H

#include "../ffi/bindings_helper.h"

/* route.c: the route for a send path, through an EV's dst cache (udp.c). */
struct dst_entry *mrc_dst_lookup(struct mrc_dst *c, struct net *net, struct sock *sk,
				 struct flowi6 *fl6);

#endif
