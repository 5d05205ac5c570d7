/*
 * Unit tests for building the served zone set (src/zones.c): a reload that
 * runs out of memory, or is stopped by a shutdown, leaves the set being
 * served exactly as it was (issue 9 point 8: a failed build used to free
 * the versions it shared with that set, a use-after-free for the workers).
 *
 * Allocation failures are injected with the linker: this program is linked
 * with --wrap for malloc, calloc, realloc and strdup, so every call to them
 * from nimbus code (the test and the static libraries it links) goes through
 * the wrappers below, which fail the Nth call after being armed. Calls made
 * inside libc, ldns or cmocka are not affected. Run under ASan (build-asan)
 * a freed shared version is reported as a heap-use-after-free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "util/error.h"
#include "util/log.h"
#include "zone/set.h"
#include "zones.h"

/* ---- allocation failure injection ---- */

void *__real_malloc(size_t len);
void *__real_calloc(size_t n, size_t len);
void *__real_realloc(void *p, size_t len);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t len);
void *__wrap_calloc(size_t n, size_t len);
void *__wrap_realloc(void *p, size_t len);
char *__wrap_strdup(const char *s);

/* Allocations left before the failing one; negative: none fails. */
static _Atomic long fail_countdown = -1;
static _Atomic long n_failed;

static int should_fail(void)
{
	long left = atomic_load(&fail_countdown);
	if (left < 0)
		return 0;
	atomic_store(&fail_countdown, left - 1);
	if (left != 0)
		return 0;
	atomic_fetch_add(&n_failed, 1);
	return 1;
}

void *__wrap_malloc(size_t len)
{
	return should_fail() ? NULL : __real_malloc(len);
}

void *__wrap_calloc(size_t n, size_t len)
{
	return should_fail() ? NULL : __real_calloc(n, len);
}

void *__wrap_realloc(void *p, size_t len)
{
	return should_fail() ? NULL : __real_realloc(p, len);
}

char *__wrap_strdup(const char *s)
{
	return should_fail() ? NULL : __real_strdup(s);
}

/* The next allocation that nimbus code makes after `skip` others fails. */
static void fail_after(long skip)
{
	atomic_store(&n_failed, 0);
	atomic_store(&fail_countdown, skip);
}

static void fail_none(void)
{
	atomic_store(&fail_countdown, -1);
}

/* ---- fixtures ---- */

#define N_ZONES 4

struct fixture {
	char dir[64];
	char names[N_ZONES][32];
	char files[N_ZONES][128];
	struct conf_zone zones[N_ZONES];
	struct conf conf;
};

static void write_zone(const char *path, const char *origin, unsigned serial, unsigned n_hosts)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "$ORIGIN %s\n$TTL 60\n@ SOA ns1 hostmaster %u 3600 600 86400 60\n  NS ns1\n"
		   "ns1 A 192.0.2.53\n", origin, serial);
	for (unsigned i = 0; i < n_hosts; i++)
		fprintf(f, "h%u A 192.0.2.%u\nh%u TXT \"serial %u\"\n", i, i % 250 + 1, i, serial);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/nimbus-test-zones-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	for (int i = 0; i < N_ZONES; i++) {
		snprintf(fx->names[i], sizeof(fx->names[i]), "z%d.test.", i);
		snprintf(fx->files[i], sizeof(fx->files[i]), "%s/z%d.zone", fx->dir, i);
		write_zone(fx->files[i], fx->names[i], 100 + (unsigned)i, 20);
		fx->zones[i].name = fx->names[i];
		fx->zones[i].file = fx->files[i];
	}
	fx->conf.zones = fx->zones;
	fx->conf.n_zones = N_ZONES;
	log_set_level(LOG_LEVEL_ERROR);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	for (int i = 0; i < N_ZONES; i++)
		unlink(fx->files[i]);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* The serial that zone i of set serves, read through its version (ASan sees a freed one). */
static long served_serial(const struct zone_set *set, size_t i)
{
	assert_true(i < set->n_entries);
	struct zone_version *v = atomic_load(&((struct zone_set *)set)->entries[i].version);
	if (v == NULL)
		return -1;
	return (long)v->serial;
}

static void check_serials(const struct zone_set *set, const long *want)
{
	for (size_t i = 0; i < N_ZONES; i++)
		assert_int_equal(served_serial(set, i), want[i]);
}

/*
 * Every allocation of a reload in turn fails: the reload returns NIM_ENOMEM
 * and the running set still serves every version it served before (one of
 * the zones changed, so the failing build also holds a version of its own,
 * which must be freed: LSan reports it otherwise).
 */
static void failed_reload_keeps_running_set(void **state)
{
	struct fixture *fx = *state;
	struct zone_set *running = NULL;
	assert_int_equal(zones_build(&fx->conf, NULL, NULL, &running), NIM_OK);
	long want[N_ZONES] = { 100, 101, 102, 103 };
	check_serials(running, want);

	/* Zone 2 changes (new serial, another size); the others stay the same files. */
	write_zone(fx->files[2], fx->names[2], 202, 21);
	long n_failures = 0;
	for (long skip = 0;; skip++) {
		struct zone_set *next = NULL;
		fail_after(skip);
		int ret = zones_build(&fx->conf, running, NULL, &next);
		long failed = atomic_load(&n_failed);
		fail_none();
		if (ret == NIM_OK) {
			/*
			 * Either no allocation failed (the build needs fewer than
			 * skip + 1), or one failed inside the zone loader, which
			 * then keeps the old version of zone 2.
			 */
			long got = served_serial(next, 2);
			assert_true(got == 202 || (failed != 0 && got == 102));
			zones_retire(next, running);
			if (failed == 0)
				break;
			continue;
		}
		assert_int_equal(ret, NIM_ENOMEM);
		assert_int_equal(failed, 1);
		assert_null(next);
		n_failures++;
		/* What workers read: still the old set, every version alive. */
		check_serials(running, want);
		assert_true(skip < 100000);
	}
	/* The set must allocate something of its own, so some build did fail. */
	assert_true(n_failures >= 2);
	check_serials(running, want);

	/* And a normal reload afterwards carries the unchanged versions over. */
	struct zone_set *next = NULL;
	assert_int_equal(zones_build(&fx->conf, running, NULL, &next), NIM_OK);
	for (size_t i = 0; i < N_ZONES; i++) {
		struct zone_version *v = atomic_load(&next->entries[i].version);
		assert_non_null(v);
		assert_int_equal(v->serial, i == 2 ? 202 : 100 + i);
		if (i != 2)
			assert_ptr_equal(v, atomic_load(&running->entries[i].version));
	}
	zones_retire(running, next);
	zones_retire(next, NULL);
}

/* A shutdown flag set before the build: -ECANCELED, nothing built, the running set intact. */
static void stopped_reload_keeps_running_set(void **state)
{
	struct fixture *fx = *state;
	struct zone_set *running = NULL;
	assert_int_equal(zones_build(&fx->conf, NULL, NULL, &running), NIM_OK);
	write_zone(fx->files[1], fx->names[1], 301, 22);
	volatile sig_atomic_t stop = 1;
	struct zone_set *next = NULL;
	assert_int_equal(zones_build(&fx->conf, running, &stop, &next), -ECANCELED);
	assert_null(next);
	long want[N_ZONES] = { 100, 101, 102, 103 };
	check_serials(running, want);
	stop = 0;
	assert_int_equal(zones_build(&fx->conf, running, &stop, &next), NIM_OK);
	assert_int_equal(served_serial(next, 1), 301);
	zones_retire(running, next);
	zones_retire(next, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(failed_reload_keeps_running_set, setup, teardown),
		cmocka_unit_test_setup_teardown(stopped_reload_keeps_running_set, setup, teardown),
	};
	return cmocka_run_group_tests_name("zones", tests, NULL, NULL);
}
