// SPDX-License-Identifier: GPL-2.0
/*
 * The struct sock behind an AF_MRC socket: references, waiting and
 * waking, timeouts and limits, the checks on its namespace. For
 * rust/ffi/sock.rs (mrc_sock_put and mrc_sock_net also for family.rs,
 * mrc_sock_net for udp.rs).
 */
#include "../ffi/bindings_helper.h"
#include <linux/sched/mm.h>

void mrc_sock_hold(struct sock *sk)
{
	sock_hold(sk);
}

void mrc_sock_put(struct sock *sk)
{
	sock_put(sk);
}

struct net *mrc_sock_net(const struct sock *sk)
{
	return sock_net(sk);
}

/* Whether `addr` is one of the addresses of the sock's namespace. */
bool mrc_sock_addr_local(const struct sock *sk, const struct in6_addr *addr)
{
	return ipv6_chk_addr(sock_net(sk), addr, NULL, 0);
}

/* Whether the calling task has CAP_NET_RAW in the user namespace that owns
 * the sock's network namespace. */
bool mrc_sock_net_raw_capable(const struct sock *sk)
{
	return ns_capable(sock_net(sk)->user_ns, CAP_NET_RAW);
}

/* Wakes every task sleeping on the socket (poll, epoll and blocking calls). */
void mrc_sk_wake(struct sock *sk)
{
	sk->sk_state_change(sk);
}

/*
 * Sleeps on the socket's wait queue until woken, for at most `timeo`
 * jiffies, unless *seq already moved on from `seen` (the wake-up that
 * changed it came first). Returns the time left.
 */
long mrc_sk_wait(struct sock *sk, const u32 *seq, u32 seen, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	if (READ_ONCE(*seq) == seen && !signal_pending(current))
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
	remove_wait_queue(sk_sleep(sk), &wait);
	return timeo;
}

bool mrc_signal_pending(void)
{
	return signal_pending(current);
}

int mrc_sock_intr_errno(long timeo)
{
	return sock_intr_errno(timeo);
}

long mrc_sock_sndtimeo(const struct sock *sk, bool nonblock)
{
	return sock_sndtimeo(sk, nonblock);
}

long mrc_sock_rcvtimeo(const struct sock *sk, bool nonblock)
{
	return sock_rcvtimeo(sk, nonblock);
}

int mrc_sock_bufsize(const struct sock *sk, bool send)
{
	return send ? READ_ONCE(sk->sk_sndbuf) : READ_ONCE(sk->sk_rcvbuf);
}

void mrc_sock_set_err(struct sock *sk, int err)
{
	WRITE_ONCE(sk->sk_err, err);
}

void mrc_send_sigpipe(void)
{
	send_sig(SIGPIPE, current, 0);
}

/*
 * From now on, this task's allocations with __GFP_ACCOUNT are charged to
 * the memory cgroup of the socket's creator (none: as before). Returns
 * the scope to restore with mrc_sk_charge_end.
 */
struct mem_cgroup *mrc_sk_charge_begin(const struct sock *sk)
{
	return set_active_memcg(sk->sk_memcg);
}

void mrc_sk_charge_end(struct mem_cgroup *old)
{
	set_active_memcg(old);
}
