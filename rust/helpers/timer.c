// SPDX-License-Identifier: GPL-2.0
/*
 * Per-connection timers, calling back into Rust from softirq. For
 * rust/ffi/timer.rs.
 */
#include "../ffi/bindings_helper.h"

/* A one-shot soft hrtimer on CLOCK_MONOTONIC calling fire(ctx) in softirq. */
static enum hrtimer_restart mrc_timer_fn(struct hrtimer *timer)
{
	struct mrc_timer *t = container_of(timer, struct mrc_timer, timer);

	t->fire(t->ctx);
	return HRTIMER_NORESTART;
}

void mrc_timer_init(struct mrc_timer *t, void (*fire)(const void *ctx), const void *ctx)
{
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	t->timer.function = mrc_timer_fn;
	t->fire = fire;
	t->ctx = ctx;
}

void mrc_timer_arm(struct mrc_timer *t, u64 at_ns)
{
	hrtimer_start(&t->timer, ns_to_ktime(at_ns), HRTIMER_MODE_ABS_SOFT);
}

void mrc_timer_cancel(struct mrc_timer *t)
{
	hrtimer_cancel(&t->timer);
}
