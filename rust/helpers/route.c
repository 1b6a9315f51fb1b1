// SPDX-License-Identifier: GPL-2.0
/*
 * Routes: the dst cache of an EV (struct mrc_dst, rust/ffi/route.rs
 * RouteCache), which udp.c's send paths look up through, and the source
 * address and MTU toward a peer (rust/ffi/udp.rs).
 */
#include "helpers.h"

/*
 * The route for `fl6`: the one kept in `c` while the IPv6 stack's cookie
 * says it is current (as a connected socket's dst cache), else a fresh
 * lookup, kept in `c`. `c` may be NULL (no cache). Returns a referenced dst
 * or an ERR_PTR, with fl6->saddr set to the route's source.
 */
struct dst_entry *mrc_dst_lookup(struct mrc_dst *c, struct net *net, struct sock *sk,
				 struct flowi6 *fl6)
{
	struct dst_entry *dst;

	if (c && c->dst) {
		if (dst_check(c->dst, c->cookie)) {
			dst_hold(c->dst);
			fl6->saddr = c->saddr;
			return c->dst;
		}
		dst_release(c->dst);
		c->dst = NULL;
	}
	dst = ip6_dst_lookup_flow(net, sk, fl6, NULL);
	if (c && !IS_ERR(dst)) {
		dst_hold(dst);
		c->dst = dst;
		c->cookie = rt6_get_cookie(dst_rt6_info(dst));
		c->saddr = fl6->saddr;
	}
	return dst;
}

void mrc_dst_release(struct mrc_dst *c)
{
	dst_release(c->dst);
	c->dst = NULL;
}

/* The source address the stack would pick to reach `daddr`. */
int mrc_route_saddr(struct net *net, const struct in6_addr *daddr, struct in6_addr *saddr)
{
	struct flowi6 fl6 = { .flowi6_proto = IPPROTO_UDP, .daddr = *daddr };
	struct dst_entry *dst;
	int err = ip6_dst_lookup(net, NULL, &dst, &fl6);

	if (err)
		return err;
	*saddr = fl6.saddr;
	dst_release(dst);
	return 0;
}

/* The MTU of the route to `daddr`, or a negative error. */
int mrc_route_mtu(struct net *net, const struct in6_addr *daddr)
{
	struct flowi6 fl6 = { .flowi6_proto = IPPROTO_UDP, .daddr = *daddr };
	struct dst_entry *dst;
	int err = ip6_dst_lookup(net, NULL, &dst, &fl6);
	int mtu;

	if (err)
		return err;
	mtu = dst_mtu(dst);
	dst_release(dst);
	return mtu;
}
