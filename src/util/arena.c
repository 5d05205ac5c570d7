/*
 * arena.c - bump allocator in large blocks.
 *
 * Each block is one malloc: a small header followed by the data. Only the
 * newest block is bumped; when a request does not fit, the rest of that
 * block is abandoned (at most one request's worth of slack per block, and
 * the zone builder avoids even that by sizing the first block exactly).
 */
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE_LEN ((uintptr_t)2 << 20)

struct arena_block {
	struct arena_block *next;
	size_t cap;
	size_t used;
	/* The data follows, aligned: the header is a multiple of ARENA_ALIGN. */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

static size_t align_up(size_t len)
{
	return (len + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
}

void arena_init(struct arena *a, size_t first_len)
{
	a->head = NULL;
	a->next_len = first_len != 0 ? align_up(first_len) : ARENA_BLOCK_LEN;
	a->mem_len = 0;
	a->used_len = 0;
}

static struct arena_block *grow(struct arena *a, size_t len)
{
	size_t cap = a->next_len;
	if (cap < len)
		cap = len;
	if (cap > SIZE_MAX - sizeof(struct arena_block))
		return NULL;
	struct arena_block *b = malloc(sizeof(*b) + cap);
	if (b == NULL)
		return NULL;
	arena_advise_huge(b, sizeof(*b) + cap);
	b->cap = cap;
	b->used = 0;
	b->next = a->head;
	a->head = b;
	a->mem_len += sizeof(*b) + cap;
	/* Later blocks double, so a large zone needs only a few of them. */
	size_t doubled = a->next_len * 2;
	if (doubled < ARENA_BLOCK_LEN)
		doubled = ARENA_BLOCK_LEN;
	a->next_len = doubled > ARENA_BLOCK_MAX ? ARENA_BLOCK_MAX : doubled;
	return b;
}

void *arena_alloc(struct arena *a, size_t len)
{
	if (len > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	len = align_up(len);
	struct arena_block *b = a->head;
	if (b == NULL || b->cap - b->used < len) {
		b = grow(a, len);
		if (b == NULL)
			return NULL;
	}
	void *p = b->data + b->used;
	b->used += len;
	a->used_len += len;
	return p;
}

void *arena_memdup(struct arena *a, const void *src, size_t len)
{
	void *p = arena_alloc(a, len);
	if (p != NULL && len != 0)
		memcpy(p, src, len);
	return p;
}

void arena_advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	uintptr_t start = ((uintptr_t)p + HUGE_PAGE_LEN - 1) & ~(HUGE_PAGE_LEN - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(HUGE_PAGE_LEN - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

void arena_clear(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b != NULL) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->mem_len = 0;
	a->used_len = 0;
}
