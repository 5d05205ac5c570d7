/*
 * arena.h - bump allocator in large blocks, freed all at once.
 *
 * Purpose: hold everything of one immutable object (a zone version: nodes,
 * owner names, RRsets, RDATA, indexes) in a few large blocks instead of a
 * forest of small mallocs. Allocation is a pointer bump; there is no
 * per-object free, arena_clear() releases every block.
 * Blocks start at the size given to arena_init (or ARENA_BLOCK_LEN) and
 * double up to ARENA_BLOCK_MAX; a request larger than the next block gets a
 * block of its own. A caller that knows the total in advance (the zone
 * builder does) passes it to arena_init and gets one block with no slack.
 * Threads: an arena belongs to one thread while it is written; memory taken
 * from it may be read by any thread once published. Allocates: its blocks
 * with malloc. Reads no input.
 */
#ifndef NIM_UTIL_ARENA_H
#define NIM_UTIL_ARENA_H

#include <stddef.h>

#define ARENA_BLOCK_LEN ((size_t)1 << 20)
#define ARENA_BLOCK_MAX ((size_t)16 << 20)
/* Every allocation is aligned to this (enough for pointers and 64-bit integers). */
#define ARENA_ALIGN 8

struct arena_block;

struct arena {
	struct arena_block *head; /* newest block first */
	size_t next_len;          /* size of the next block to allocate */
	size_t mem_len;           /* octets obtained from malloc, headers included */
	size_t used_len;          /* octets handed out, alignment padding included */
	int is_lazy;              /* large blocks faulted in when written (arena_init_lazy) */
};

/*
 * Initialises an empty arena; the first block will hold at least first_len
 * octets (0 means ARENA_BLOCK_LEN). Allocates nothing yet.
 */
void arena_init(struct arena *a, size_t first_len);

/*
 * Like arena_init, but a large block is not populated up front: its pages
 * (huge pages where the kernel gives them) are faulted in as they are first
 * written. For an arena filled while other memory is being given back (the
 * zone layout frees its staging as it writes the version), so that the two
 * are never resident in full at the same time.
 */
void arena_init_lazy(struct arena *a, size_t first_len);

/*
 * Returns len octets aligned to ARENA_ALIGN, valid until arena_clear, or
 * NULL when out of memory (the arena stays usable). len 0 returns a valid
 * non-NULL pointer.
 */
void *arena_alloc(struct arena *a, size_t len);

/* Like arena_alloc, then copies len octets from src. */
void *arena_memdup(struct arena *a, const void *src, size_t len);

/*
 * Asks the kernel to back [p, p + len) with huge pages where it can (Linux
 * transparent huge pages in "madvise" mode): a large zone touches hundreds
 * of megabytes once, and in virtual machines the page faults of 4 KiB pages
 * cost more than building the data. Only whole 2 MiB pages inside the
 * range are affected; a hint, never an error.
 */
void arena_advise_huge(void *p, size_t len);

/*
 * A large scratch array outside any arena, meant to be written in full:
 * from 4 MiB up its pages are populated in one call (see arena.c), below
 * that it is plain malloc. NULL on out of memory. Free only with
 * arena_big_free (NULL allowed).
 */
void *arena_big_alloc(size_t len);
void arena_big_free(void *p);

/*
 * Resizes an arena_big_alloc array (NULL: a new one) to len octets, keeping
 * its contents up to the smaller length, for arrays that grow while they
 * are filled. From 4 MiB up the array is a mapping that grows by moving
 * page tables (mremap), never by copying, and whose new pages are touched
 * only when written. NULL on out of memory, the old array left as it was.
 */
void *arena_big_realloc(void *p, size_t len);

/*
 * Says that the first len octets of an arena_big_alloc or arena_big_realloc
 * array will not be read again: the whole pages among them go back to
 * the kernel now rather than at arena_big_free, so that an array read front
 * to back can shrink while it is read. Those octets read as zeros
 * afterwards. Arrays on the heap give back their whole inner pages too. A
 * no-op for octets already dropped. NULL allowed.
 */
void arena_big_drop(void *p, size_t len);

/* Frees every block; the arena is empty and reusable afterwards. */
void arena_clear(struct arena *a);

#endif
