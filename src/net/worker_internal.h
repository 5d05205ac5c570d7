/*
 * worker_internal.h - the inside of a worker, shared by worker.c, udp.c and
 * tcp.c only. Every field is touched by the worker's own thread only, after
 * net_worker_start (see worker.h for the two exceptions).
 */
#ifndef NIM_NET_WORKER_INTERNAL_H
#define NIM_NET_WORKER_INTERNAL_H

#include <event2/event.h>
#include <pthread.h>
#include <sys/socket.h>

#include "net/worker.h"
#include "util/log.h"

/*
 * 64 datagrams per system call: past that the gain per extra datagram is
 * small and a batch already takes tens of microseconds to answer.
 */
#define UDP_BATCH 64
/* Largest datagram we read; a longer one is cut by the kernel and dropped. */
#define UDP_RX_BUF 4096
/* Largest UDP answer: udp-max-payload is at most 4096. */
#define UDP_TX_BUF 4096
#define UDP_CTRL_BUF 64
/* Batches per readiness callback before letting TCP and timers run. */
#define UDP_ROUNDS 16

struct net_udp_batch {
	struct mmsghdr rx[UDP_BATCH];
	struct iovec rx_iov[UDP_BATCH];
	struct sockaddr_storage peer[UDP_BATCH];
	uint8_t rx_ctrl[UDP_BATCH][UDP_CTRL_BUF];
	struct mmsghdr tx[UDP_BATCH];
	struct iovec tx_iov[UDP_BATCH];
	uint8_t tx_ctrl[UDP_BATCH][UDP_CTRL_BUF];
	uint8_t rx_buf[UDP_BATCH][UDP_RX_BUF];
	uint8_t tx_buf[UDP_BATCH][UDP_TX_BUF];
};

struct net_udp_socket {
	struct net_worker *worker;
	int fd;
	/*
	 * Answers leave through send_fd, a socket of the same address and port
	 * that is not in the event loop: sending through a polled socket costs
	 * an epoll wake-up per datagram (the kernel signals write space each
	 * time a sent datagram is freed). send_fd == fd when that is not possible.
	 */
	int send_fd;
	const struct conf_listen *listen; /* borrowed until net_workers_split_udp_send */
	int family;
	bool has_pktinfo;
	struct event *ev;
};

struct net_tcp_listener {
	struct net_worker *worker;
	int fd;
	struct event *ev;
};

struct net_tcp_conn;

struct net_worker {
	unsigned index;
	struct net_shared *shared;
	net_handler_fn handler;
	void *handler_ctx;
	net_quiescent_fn on_quiescent;
	void *quiescent_arg;

	pthread_t thread;
	bool is_started;
	bool is_stopping;
	struct event_base *base;
	struct event *ev_wake;
	struct event *ev_stop;

	struct net_udp_socket *udp;
	size_t n_udp;
	struct net_tcp_listener *tcp;
	size_t n_tcp;

	struct net_udp_batch *batch;
	uint8_t *tcp_answer; /* WIRE_TCP_MAX octets: one answer at a time */
	struct net_tcp_conn *conns; /* open connections, newest first */
	uint32_t n_conns;

	struct net_worker_stats stats;
	struct log_ratelimit log_limit;
};

/* udp.c */
void net_udp_on_readable(evutil_socket_t fd, short what, void *arg);

/* tcp.c */
void net_tcp_on_accept(evutil_socket_t fd, short what, void *arg);
/* Closes idle connections and lets the busy ones finish sending. */
void net_tcp_drain_all(struct net_worker *w);
/* Closes every connection at once (after the grace time, or at free). */
void net_tcp_close_all(struct net_worker *w);

#endif
