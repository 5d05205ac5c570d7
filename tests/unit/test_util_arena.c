/*
 * test_util_arena.c - what the zone load's peak rests on in src/util/arena.h:
 * a lazy arena's large block is not resident before it is written, and
 * arena_big_drop gives whole pages back (they read as zeros) while the rest
 * of the array stays. Residency is read with mincore(2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/arena.h"

#define MIB ((size_t)1 << 20)

/* Pages of [p, p + len) resident now (p need not be page-aligned). */
static size_t resident_pages(const void *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)(page - 1);
	size_t n = ((uintptr_t)p + len - start + page - 1) / page;
	unsigned char vec[16384];
	assert_true(n <= sizeof(vec));
	assert_int_equal(mincore((void *)start, n * page, vec), 0);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += vec[i] & 1;
	return k;
}

static void lazy_block_resident_only_where_written(void **state)
{
	(void)state;
	struct arena a;
	arena_init_lazy(&a, 32 * MIB);
	uint8_t *p = arena_alloc(&a, 32 * MIB);
	assert_non_null(p);
	/* Huge pages may make the first write fault in up to 2 MiB around it. */
	memset(p, 0x5a, 4 * MIB);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t after = resident_pages(p + 8 * MIB, 24 * MIB);
	assert_int_equal(after, 0);
	assert_true(resident_pages(p, 4 * MIB) * page >= 4 * MIB);
	arena_clear(&a);

	/* An arena_init one is populated up front (the layout's old peak). */
	arena_init(&a, 32 * MIB);
	p = arena_alloc(&a, 32 * MIB);
	assert_non_null(p);
	assert_true(resident_pages(p + 8 * MIB, 24 * MIB) * page >= 24 * MIB);
	arena_clear(&a);
}

static void drop_gives_back_whole_pages_behind(void **state)
{
	(void)state;
	size_t len = 24 * MIB;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *p = arena_big_realloc(NULL, len);
	assert_non_null(p);
	memset(p, 0xa5, len);
	assert_true(resident_pages(p, len) * page >= len - page);

	/* Dropping 10 MiB + 100 octets: whole pages up to there go, the rest stays. */
	arena_big_drop(p, 10 * MIB + 100);
	assert_true(resident_pages(p + page, 10 * MIB - 2 * page) == 0);
	assert_true(resident_pages(p + 11 * MIB, 13 * MIB) * page >= 13 * MIB);
	assert_int_equal(p[10 * MIB + 100], 0xa5);
	assert_int_equal(p[len - 1], 0xa5);
	/* Again and shorter: nothing more goes. */
	arena_big_drop(p, 10 * MIB + 100);
	arena_big_drop(p, MIB);
	assert_int_equal(p[10 * MIB + 200], 0xa5);
	/* Growing keeps what was not dropped. */
	p = arena_big_realloc(p, 2 * len);
	assert_non_null(p);
	assert_int_equal(p[len - 1], 0xa5);
	arena_big_drop(p, 2 * len + 7); /* beyond the end: up to the end */
	assert_true(resident_pages(p + page, 2 * len - 2 * page) == 0);
	/* Dropped octets read as zero (the kernel's zero page: still nothing resident of ours). */
	assert_int_equal(p[5 * MIB], 0);
	assert_int_equal(p[len - 1], 0);
	arena_big_free(p);

	/* A small (heap) array is left alone; NULL is allowed. */
	uint8_t *q = arena_big_realloc(NULL, 4096);
	assert_non_null(q);
	memset(q, 1, 4096);
	arena_big_drop(q, 4096);
	assert_int_equal(q[0], 1);
	arena_big_free(q);
	arena_big_drop(NULL, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lazy_block_resident_only_where_written),
		cmocka_unit_test(drop_gives_back_whole_pages_behind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
