/*
 * dispatch.h - route each received message to the engine that answers it.
 *
 * Purpose: parse the message (src/wire), map a parse fault to its action
 * with one table (drop, FORMERR) before looking at the opcode, handle what
 * belongs to no engine (EDNS BADVERS, opcode NOTIMP, CHAOS identity
 * queries), and hand class IN and ANY queries to auth through the zone set.
 * Names outside our zones, transfers and other classes are REFUSED (RFC
 * 8906 §3: answer, never drop, a well-formed query), with an Extended DNS
 * Error when the query has EDNS (RFC 8914).
 * Threads: one struct dispatch_worker per worker thread, touched only by it.
 * It reads the published configuration snapshot once per message.
 * Allocates nothing per message. Reads hostile input (every packet).
 * RFCs: 1035 §4.1.1; 6891 §6.1.1, §6.1.3, §7; 8906; 8914; 1034 §3.7.1 (QCLASS *);
 * 4892 (id.server),
 * BIND/NSD conventions for version.bind and hostname.bind.
 */
#ifndef NIM_DISPATCH_H
#define NIM_DISPATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "net/worker.h"
#include "zone/set.h"

struct dispatch_stats {
	uint64_t n_queries;     /* messages parsed far enough to be answered or dropped */
	uint64_t n_dropped;     /* not answered: too short, a response, cut */
	uint64_t n_rcode[24];   /* answers by (extended) RCODE */
};

struct dispatch_worker {
	struct conf *_Atomic *conf;      /* the published snapshot pointers (see nimbusd.c) */
	struct zone_set *_Atomic *zones;
	struct dispatch_stats stats;
};

/* Prepares a worker's dispatch state; conf and zones are the published pointers (borrowed). */
void dispatch_worker_init(struct dispatch_worker *dw, struct conf *_Atomic *conf,
			  struct zone_set *_Atomic *zones);

/* The net_handler_fn of every worker: ctx is its struct dispatch_worker. */
size_t dispatch_handle(void *ctx, const struct net_query *q, uint8_t *out, size_t out_cap);

#endif
