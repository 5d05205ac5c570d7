/* Unit tests for src/util: cursor bounds, diagnostics, error strings, log levels. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
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

/* A reader thread that passes quiescent points until told to go offline. */
struct qsbr_reader_arg {
	struct qsbr *q;
	_Atomic int stop;
	_Atomic int n_passes;
};

static void *qsbr_reader(void *p)
{
	struct qsbr_reader_arg *arg = p;
	while (!atomic_load(&arg->stop)) {
		qsbr_quiescent(arg->q, 0);
		atomic_fetch_add(&arg->n_passes, 1);
	}
	qsbr_offline(arg->q, 0);
	return NULL;
}

static void qsbr_wait_returns_after_readers_pass(void **state)
{
	struct qsbr *q = qsbr_new(2);
	assert_non_null(q);
	/* Reader 1 never reads: offline readers do not hold up a grace period. */
	qsbr_offline(q, 1);
	struct qsbr_reader_arg arg = { .q = q };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, qsbr_reader, &arg), 0);
	for (int i = 0; i < 100; i++) {
		uint64_t target = qsbr_advance(q);
		assert_int_equal(target, (uint64_t)i + 1);
		int before = atomic_load(&arg.n_passes);
		qsbr_wait(q, target);
		/* The reader must have passed a quiescent point after the advance. */
		assert_true(atomic_load(&arg.n_passes) > before || i > 0);
	}
	atomic_store(&arg.stop, 1);
	pthread_join(t, NULL);
	/* Offline now: a wait must not block. */
	qsbr_wait(q, qsbr_advance(q));
	qsbr_free(q);
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
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
