#include "util/qsbr.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

/* One cache line per reader so that readers never share a written line. */
struct qsbr_slot {
	_Atomic uint64_t seen;
	char pad[64 - sizeof(uint64_t)];
};

struct qsbr {
	_Atomic uint64_t generation; /* written by the writer only */
	size_t n_readers;
	struct qsbr_slot slots[];
};

struct qsbr *qsbr_new(size_t n_readers)
{
	struct qsbr *q = calloc(1, sizeof(*q) + n_readers * sizeof(struct qsbr_slot));
	if (q == NULL)
		return NULL;
	q->n_readers = n_readers;
	return q;
}

void qsbr_free(struct qsbr *q)
{
	free(q);
}

void qsbr_quiescent(struct qsbr *q, size_t reader)
{
	uint64_t g = atomic_load_explicit(&q->generation, memory_order_acquire);
	if (atomic_load_explicit(&q->slots[reader].seen, memory_order_relaxed) != UINT64_MAX)
		atomic_store_explicit(&q->slots[reader].seen, g, memory_order_release);
}

void qsbr_offline(struct qsbr *q, size_t reader)
{
	atomic_store_explicit(&q->slots[reader].seen, UINT64_MAX, memory_order_release);
}

uint64_t qsbr_advance(struct qsbr *q)
{
	return atomic_fetch_add_explicit(&q->generation, 1, memory_order_acq_rel) + 1;
}

void qsbr_wait(struct qsbr *q, uint64_t target)
{
	const struct timespec pause = { .tv_sec = 0, .tv_nsec = 200000 };
	for (size_t i = 0; i < q->n_readers; i++) {
		while (atomic_load_explicit(&q->slots[i].seen, memory_order_acquire) < target)
			nanosleep(&pause, NULL);
	}
}

void qsbr_retire(struct qsbr *q, void (*wake)(void *wake_arg), void *wake_arg,
		 void (*reclaim)(void *reclaim_arg), void *reclaim_arg)
{
	uint64_t target = qsbr_advance(q);
	if (wake != NULL)
		wake(wake_arg);
	qsbr_wait(q, target);
	reclaim(reclaim_arg);
}
