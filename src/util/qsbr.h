/*
 * qsbr.h - quiescent-state based reclamation for read-mostly snapshots.
 *
 * Purpose: the writer (the main thread) publishes a new snapshot through one
 * atomic pointer, then must know when no reader can still hold the old one
 * before freeing it. Each reader (a worker thread) reads a snapshot only
 * inside one event callback and never keeps it across callbacks, so a reader
 * that has started a new callback after the swap has let the old snapshot go.
 * Readers report that by calling qsbr_quiescent(); the writer calls
 * qsbr_advance(), makes every reader run a callback (net wakes its loop),
 * then qsbr_wait() until all have reported. Readers never block or lock.
 * Threads: qsbr_quiescent/qsbr_offline by reader i only; qsbr_advance and
 * qsbr_wait by the single writer. Allocates: the reader table in qsbr_new.
 */
#ifndef NIM_UTIL_QSBR_H
#define NIM_UTIL_QSBR_H

#include <stddef.h>
#include <stdint.h>

struct qsbr;

/* A domain for n_readers readers, indexed 0..n_readers-1. NULL on out of memory. */
struct qsbr *qsbr_new(size_t n_readers);
void qsbr_free(struct qsbr *q);

/* Reader i holds no snapshot pointer from before this call. */
void qsbr_quiescent(struct qsbr *q, size_t reader);

/* Reader i has stopped reading for good (a worker that exits). */
void qsbr_offline(struct qsbr *q, size_t reader);

/* Starts a grace period after a pointer swap; returns its target for qsbr_wait. */
uint64_t qsbr_advance(struct qsbr *q);

/* Blocks (sleeping briefly between checks) until every reader has reached target. */
void qsbr_wait(struct qsbr *q, uint64_t target);

/*
 * The whole reclamation after a pointer swap, so that its order lives in
 * one tested place: starts a grace period, calls wake(wake_arg) (NULL for
 * none) to make every reader run a callback, waits until all have passed a
 * quiescent point, and only then calls reclaim(reclaim_arg), which frees
 * what the swap unpublished. Writer only.
 */
void qsbr_retire(struct qsbr *q, void (*wake)(void *wake_arg), void *wake_arg,
		 void (*reclaim)(void *reclaim_arg), void *reclaim_arg);

#endif
