/*
 * worker.h - a worker thread: one libevent loop, its own sockets, its own
 * buffers, answering UDP and TCP queries through a handler.
 *
 * Purpose: net only moves bytes. For every complete query it calls the
 * handler given at creation, which writes the answer into a buffer that net
 * owns; net sends it (UDP in recvmmsg/sendmmsg batches, TCP with the
 * 2-octet length prefix, RFC 7766 pipelining).
 * Threads: everything inside a worker (loop, sockets, buffers, connections,
 * counters) is touched only by the worker's own thread, except:
 *   - net_worker_wake() and net_worker_stop(), which any thread may call
 *     (they queue an event on the worker's loop);
 *   - the TCP client count, an atomic shared by all workers of one set
 *     (struct net_shared), so that tcp-max-clients bounds the whole server.
 * The configuration snapshot is read through the published pointer each
 * time a value is needed and never kept across callbacks (see util/qsbr.h).
 * Allocates: the worker and its buffers at creation; per TCP connection its
 * state and buffers (never per query).
 * Reads hostile input: bytes from the network, handed to the handler.
 * RFCs: 7766 (TCP: pipelining, idle timeouts, connection limits); 1035 §4.2.
 */
#ifndef NIM_NET_WORKER_H
#define NIM_NET_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf/conf.h"

/* One query handed to the handler. */
struct net_query {
	const uint8_t *data; /* borrowed for the duration of the call */
	size_t len;
	const struct sockaddr *peer;
	socklen_t peer_len;
	bool is_tcp;
};

/*
 * Writes the answer to q into out[0..out_cap) and returns its length, or 0
 * to send nothing. Runs on the worker's thread; must not block.
 */
typedef size_t (*net_handler_fn)(void *handler_ctx, const struct net_query *q, uint8_t *out,
				 size_t out_cap);

/* Called on the worker's thread each time it passes a quiescent point. */
typedef void (*net_quiescent_fn)(void *arg, unsigned worker_index);

/* State shared by all workers of one server, with the rule for each field. */
struct net_shared {
	/* Published configuration: written by the main thread only, read by workers. */
	struct conf *_Atomic *conf;
	/* Open TCP connections of all workers; atomic increments and decrements. */
	_Atomic uint32_t n_tcp_clients;
};

struct net_worker_params {
	unsigned index;
	struct net_shared *shared;
	const struct conf *conf; /* borrowed during net_worker_new only: listen addresses */
	net_handler_fn handler;
	void *handler_ctx;
	net_quiescent_fn on_quiescent;
	void *quiescent_arg;
};

/* Counters of one worker; read by other threads only after the worker has stopped. */
struct net_worker_stats {
	uint64_t udp_received;
	uint64_t udp_sent;
	uint64_t udp_dropped;   /* the handler chose not to answer, or the datagram was cut */
	uint64_t udp_send_errors;
	uint64_t tcp_accepted;
	uint64_t tcp_refused;   /* over tcp-max-clients */
	uint64_t tcp_received;
	uint64_t tcp_sent;
};

struct net_worker;

/*
 * Creates a worker and opens its sockets for every listen address of
 * params->conf (on the caller's thread, so that a bind error is reported
 * before anything runs). Returns NIM_OK and *out, or -errno / NIM_ENOMEM
 * with the failing address written to err_addr (which may be NULL).
 */
int net_worker_new(const struct net_worker_params *params, struct net_worker **out,
		   const char **err_addr);

/*
 * Gives each of the n workers (all created from the same configuration, not
 * yet started) a send-only UDP socket per listen address, and steers
 * incoming datagrams to the receiving sockets only (SO_ATTACH_REUSEPORT_CBPF).
 * Why: see struct net_udp_socket. Where the kernel refuses, answers keep
 * going out through the receiving sockets; nothing else changes.
 * Returns the number of addresses split.
 */
unsigned net_workers_split_udp_send(struct net_worker *const *workers, unsigned n);

/* Starts the worker's thread. NIM_OK or -errno. */
int net_worker_start(struct net_worker *w);

/*
 * Makes the worker run a callback soon (and so pass a quiescent point).
 * Any thread.
 */
void net_worker_wake(struct net_worker *w);

/*
 * Asks the worker to stop: it closes its listening sockets, sends the
 * answers it owes on open TCP connections (for at most a short grace
 * time), and leaves its loop. Any thread.
 */
void net_worker_stop(struct net_worker *w);

/* Waits for the worker's thread to end. */
void net_worker_join(struct net_worker *w);

const struct net_worker_stats *net_worker_stats(const struct net_worker *w);

/* Frees a joined (or never started) worker. NULL is allowed. */
void net_worker_free(struct net_worker *w);

#endif
