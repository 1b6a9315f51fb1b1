// SPDX-License-Identifier: GPL-2.0
/*
 * The message header of sendmsg/recvmsg (its data, the MRC_IMM control
 * message, its flags), setsockopt's buffer, and the pages an outgoing
 * message is copied into. For rust/ffi/msg.rs and rust/ffi/pages.rs.
 */
#include "../ffi/bindings_helper.h"
#include <uapi/linux/mrc.h>

size_t mrc_msg_len(struct msghdr *msg)
{
	return msg_data_left(msg);
}

int mrc_msg_copy_from(struct msghdr *msg, void *buf, size_t len)
{
	return copy_from_iter_full(buf, len, &msg->msg_iter) ? 0 : -EFAULT;
}

/*
 * A chunk of 2^order pages for an outgoing message's bytes, charged to the
 * caller's memory cgroup; one of several pages only if the allocator has
 * it without effort. Never highmem: the chunk is mapped at its
 * page_address. NULL without memory.
 */
struct page *mrc_alloc_chunk(unsigned int order)
{
	gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN;

	if (order)
		gfp |= __GFP_COMP | __GFP_NORETRY;
	return alloc_pages(gfp, order);
}

void *mrc_page_address(struct page *page)
{
	return page_address(page);
}

void mrc_put_page(struct page *page)
{
	put_page(page);
}

int mrc_msg_copy_to(struct msghdr *msg, const void *buf, size_t len)
{
	return copy_to_iter(buf, len, &msg->msg_iter) == len ? 0 : -EFAULT;
}

/*
 * The MRC_IMM control message of a sendmsg: 1 and *imm set if there is one,
 * 0 if not, -EINVAL for a malformed or unknown SOL_MRC control message.
 */
int mrc_msg_imm(struct msghdr *msg, u32 *imm)
{
	struct cmsghdr *cmsg;
	int found = 0;

	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level != SOL_MRC)
			continue;
		if (cmsg->cmsg_type != MRC_IMM || cmsg->cmsg_len != CMSG_LEN(sizeof(u32)))
			return -EINVAL;
		memcpy(imm, CMSG_DATA(cmsg), sizeof(u32));
		found = 1;
	}
	return found;
}

int mrc_msg_put_imm(struct msghdr *msg, u32 imm)
{
	return put_cmsg(msg, SOL_MRC, MRC_IMM, sizeof(imm), &imm);
}

void mrc_msg_set_flags(struct msghdr *msg, int flags)
{
	msg->msg_flags |= flags;
}

int mrc_copy_from_sockptr(void *dst, sockptr_t src, size_t len)
{
	return copy_from_sockptr(dst, src, len) ? -EFAULT : 0;
}
