// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: a namespace's slot of net_generic, for
 * rust/ffi/pernet.rs.
 */
#include "../ffi/bindings_helper.h"

void *mrc_net_generic(const struct net *net, unsigned int id)
{
	return net_generic(net, id);
}
