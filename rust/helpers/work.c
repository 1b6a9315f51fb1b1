// SPDX-License-Identifier: GPL-2.0
/*
 * The module's workqueue, for rust/ffi/work.rs.
 */
#include "../ffi/bindings_helper.h"

/* The module's workqueue: every connection's and namespace's work runs here. */
struct workqueue_struct *mrc_alloc_workqueue(void)
{
	return alloc_workqueue("mrc", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
}
