/* Unit tests for src/util: cursor bounds, diagnostics, error strings, log levels, QSBR. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "util/diag.h"
#include "util/error.h"
#include "util/log.h"
#include "util/qsbr.h"

#include <pthread.h>
#include <stdatomic.h>

static void cursor_reads_big_endian_and_stops_at_end(void **state)
{
	const uint8_t bytes[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde };
	struct cursor c;
	cursor_init(&c, bytes, sizeof(bytes));
	assert_int_equal(cursor_u16(&c), 0x1234);
	assert_int_equal(cursor_u32(&c), 0x56789abc);
	assert_false(c.is_bad);
	assert_int_equal(cursor_left(&c), 1);
	assert_int_equal(cursor_u16(&c), 0);
	assert_true(c.is_bad);
	/* The error is sticky: even a read that would fit now fails. */
	assert_int_equal(cursor_u8(&c), 0);
	assert_int_equal(c.pos, 6);
}

static void cursor_copy_leaves_output_on_failure(void **state)
{
	const uint8_t bytes[] = { 1, 2, 3 };
	uint8_t out[4] = { 9, 9, 9, 9 };
	struct cursor c;
	cursor_init(&c, bytes, sizeof(bytes));
	cursor_copy(&c, out, 4);
	assert_true(c.is_bad);
	assert_int_equal(out[0], 9);
}

static void diag_formats_file_line_col(void **state)
{
	struct nim_diag_list list;
	char text[256];
	nim_diag_list_init(&list);
	nim_diag_add(&list, NIM_DIAG_ERROR, "conf/x.yaml", 7, 3, "unknown key '%s'", "listn");
	nim_diag_add(&list, NIM_DIAG_WARNING, "z.zone", 12, 0, "ttl differs");
	assert_int_equal(list.n_errors, 1);
	assert_int_equal(list.n_warnings, 1);
	nim_diag_format(list.head, text, sizeof(text));
	assert_string_equal(text, "conf/x.yaml:7:3: error: unknown key 'listn'");
	nim_diag_format(list.head->next, text, sizeof(text));
	assert_string_equal(text, "z.zone:12: warning: ttl differs");
	nim_diag_list_clear(&list);
	assert_null(list.head);
	assert_int_equal(list.n_errors, 0);
}

static void strerror_covers_both_kinds(void **state)
{
	assert_string_equal(nim_strerror(NIM_ENOMEM), "out of memory");
	assert_string_equal(nim_strerror(-2), "No such file or directory");
	assert_string_equal(nim_strerror(NIM_OK), "success");
}

static void log_level_names_parse(void **state)
{
	enum log_level level;
	assert_int_equal(log_level_parse("warning", &level), NIM_OK);
	assert_int_equal(level, LOG_LEVEL_WARNING);
	assert_int_equal(log_level_parse("DEBUG", &level), NIM_OK);
	assert_int_equal(level, LOG_LEVEL_DEBUG);
	assert_int_equal(log_level_parse("verbose", &level), NIM_EINVAL);
}

static void ratelimit_allows_only_budget_per_second(void **state)
{
	struct log_ratelimit rl = { 0 };
	int passed = 0;
	for (int i = 0; i < 50; i++)
		passed += log_ratelimit_pass(&rl, 10);
	/* Either all 50 fell in one second (10 pass) or the clock ticked once. */
	assert_true(passed >= 10 && passed <= 20);
	assert_int_equal(rl.n_in_window + rl.n_suppressed > 0, 1);
}

/*
 * QSBR. A reader thread runs read sections: it loads the published value,
 * says which one it holds, drops it, and passes a quiescent point, as a
 * worker does around one callback.
 */
#define QSBR_NONE (-1L)

struct qsbr_reader_arg {
	struct qsbr *q;
	_Atomic long *published;
	_Atomic int stop;
	_Atomic long holding; /* the value inside the current read section, or QSBR_NONE */
	_Atomic long n_passes;
};

static void *qsbr_reader(void *p)
{
	struct qsbr_reader_arg *arg = p;
	while (!atomic_load(&arg->stop)) {
		long v = atomic_load(arg->published);
		atomic_store(&arg->holding, v);
		for (volatile int spin = 0; spin < 200; spin++)
			;
		atomic_store(&arg->holding, QSBR_NONE);
		qsbr_quiescent(arg->q, 0);
		atomic_fetch_add(&arg->n_passes, 1);
	}
	qsbr_offline(arg->q, 0);
	return NULL;
}

/*
 * After each swap and wait, the reader holds nothing older than the value
 * just published: a section that began before the swap has ended. A wait
 * that returned early would let the reader still hold value i - 1.
 */
static void qsbr_wait_returns_after_readers_pass(void **state)
{
	struct qsbr *q = qsbr_new(2);
	assert_non_null(q);
	/* Reader 1 never reads: offline readers do not hold up a grace period. */
	qsbr_offline(q, 1);
	_Atomic long published = 0;
	struct qsbr_reader_arg arg = { .q = q, .published = &published, .holding = QSBR_NONE };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, qsbr_reader, &arg), 0);
	long n_held = 0;
	for (long i = 1; i <= 300; i++) {
		atomic_store(&published, i);
		uint64_t target = qsbr_advance(q);
		assert_int_equal(target, (uint64_t)i);
		qsbr_wait(q, target);
		long held = atomic_load(&arg.holding);
		if (held != QSBR_NONE)
			assert_int_equal(held, i);
		n_held += held == i;
	}
	atomic_store(&arg.stop, 1);
	pthread_join(t, NULL);
	assert_true(atomic_load(&arg.n_passes) >= 300);
	/* Offline now: a wait must not block. */
	qsbr_wait(q, qsbr_advance(q));
	qsbr_free(q);
	print_message("qsbr: the reader was inside a section of the new value %ld times of 300\n",
		      n_held);
}

/*
 * The protocol of nimbusd's reload, with objects that are really freed:
 * readers check an object through the published pointer; the writer swaps
 * in a new one, waits for the grace period, poisons the old one and frees
 * it, through qsbr_retire as nimbusd's publish() does. A reader that sees
 * poison (or, under ASan, touches freed memory) was still reading an object
 * the writer had let go of: the test exists to fail when the reclaim is
 * moved before qsbr_wait (in qsbr_retire) or qsbr_wait returns early.
 */
#define SNAP_MAGIC 0x5a5a1234u
#define SNAP_WORDS 16
#define N_SNAP_READERS 2

struct snapshot {
	uint32_t magic;
	uint32_t generation;
	uint64_t words[SNAP_WORDS]; /* words[k] = generation * (k + 1) */
};

struct snap_reader_arg {
	struct qsbr *q;
	struct snapshot *_Atomic *published;
	size_t index;
	_Atomic int stop;
	_Atomic long n_bad;
	_Atomic long n_sections;
};

static int snapshot_is_whole(const struct snapshot *s)
{
	if (s->magic != SNAP_MAGIC)
		return 0;
	for (size_t k = 0; k < SNAP_WORDS; k++) {
		if (s->words[k] != (uint64_t)s->generation * (k + 1))
			return 0;
	}
	return 1;
}

static void *snap_reader(void *p)
{
	struct snap_reader_arg *arg = p;
	while (!atomic_load(&arg->stop)) {
		const struct snapshot *s = atomic_load(arg->published);
		/* A section long enough to be caught in the middle by a wrong writer. */
		for (int rep = 0; rep < 20; rep++) {
			if (!snapshot_is_whole(s))
				atomic_fetch_add(&arg->n_bad, 1);
		}
		qsbr_quiescent(arg->q, arg->index);
		atomic_fetch_add(&arg->n_sections, 1);
	}
	qsbr_offline(arg->q, arg->index);
	return NULL;
}

static struct snapshot *snapshot_new(uint32_t generation)
{
	struct snapshot *s = malloc(sizeof(*s));
	assert_non_null(s);
	s->magic = SNAP_MAGIC;
	s->generation = generation;
	for (size_t k = 0; k < SNAP_WORDS; k++)
		s->words[k] = (uint64_t)generation * (k + 1);
	return s;
}

/* The reclaim callback: poison, so that a reader still here would see it, then free. */
static void poison_free(void *p)
{
	memset(p, 0xdb, sizeof(struct snapshot));
	free(p);
}

static void qsbr_protects_swapped_snapshots(void **state)
{
	struct qsbr *q = qsbr_new(N_SNAP_READERS);
	assert_non_null(q);
	struct snapshot *_Atomic published = snapshot_new(0);
	struct snap_reader_arg args[N_SNAP_READERS];
	pthread_t threads[N_SNAP_READERS];
	for (size_t i = 0; i < N_SNAP_READERS; i++) {
		args[i] = (struct snap_reader_arg){ .q = q, .published = &published, .index = i };
		assert_int_equal(pthread_create(&threads[i], NULL, snap_reader, &args[i]), 0);
	}
	const uint32_t n_swaps = 300;
	for (uint32_t g = 1; g <= n_swaps; g++) {
		struct snapshot *old = atomic_exchange(&published, snapshot_new(g));
		/* Exactly what nimbusd's publish() does after its swaps. */
		qsbr_retire(q, NULL, NULL, poison_free, old);
	}
	long n_bad = 0, n_sections = 0;
	for (size_t i = 0; i < N_SNAP_READERS; i++) {
		atomic_store(&args[i].stop, 1);
		pthread_join(threads[i], NULL);
		n_bad += atomic_load(&args[i].n_bad);
		n_sections += atomic_load(&args[i].n_sections);
		/* Each wait needed each reader to pass a quiescent point. */
		assert_true(atomic_load(&args[i].n_sections) >= (long)n_swaps);
	}
	assert_int_equal(n_bad, 0);
	assert_true(snapshot_is_whole(atomic_load(&published)));
	assert_int_equal(atomic_load(&published)->generation, n_swaps);
	free(atomic_load(&published));
	qsbr_free(q);
	print_message("qsbr: %u swaps, %ld read sections, %ld poisoned reads\n", n_swaps, n_sections,
		      n_bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cursor_reads_big_endian_and_stops_at_end),
		cmocka_unit_test(cursor_copy_leaves_output_on_failure),
		cmocka_unit_test(diag_formats_file_line_col),
		cmocka_unit_test(strerror_covers_both_kinds),
		cmocka_unit_test(log_level_names_parse),
		cmocka_unit_test(ratelimit_allows_only_budget_per_second),
		cmocka_unit_test(qsbr_wait_returns_after_readers_pass),
		cmocka_unit_test(qsbr_protects_swapped_snapshots),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
