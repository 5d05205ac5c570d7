#include "net/worker.h"
#include "net/socket.h"
#include "net/worker_internal.h"
#include "util/error.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire/msg.h"

/* How long a stopping worker waits for TCP clients to take their answers. */
#define STOP_GRACE_SEC 2

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct net_worker *w = arg;
	if (w->on_quiescent != NULL)
		w->on_quiescent(w->quiescent_arg, w->index);
}

static void close_listeners(struct net_worker *w)
{
	for (size_t i = 0; i < w->n_udp; i++) {
		if (w->udp[i].ev != NULL)
			event_free(w->udp[i].ev);
		w->udp[i].ev = NULL;
		if (w->udp[i].send_fd >= 0 && w->udp[i].send_fd != w->udp[i].fd)
			close(w->udp[i].send_fd);
		w->udp[i].send_fd = -1;
		if (w->udp[i].fd >= 0)
			close(w->udp[i].fd);
		w->udp[i].fd = -1;
	}
	for (size_t i = 0; i < w->n_tcp; i++) {
		if (w->tcp[i].ev != NULL)
			event_free(w->tcp[i].ev);
		w->tcp[i].ev = NULL;
		if (w->tcp[i].fd >= 0)
			close(w->tcp[i].fd);
		w->tcp[i].fd = -1;
	}
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	struct net_worker *w = arg;
	if (w->is_stopping)
		return;
	w->is_stopping = true;
	close_listeners(w);
	net_tcp_drain_all(w);
	if (w->n_conns == 0) {
		event_base_loopbreak(w->base);
		return;
	}
	const struct timeval grace = { .tv_sec = STOP_GRACE_SEC, .tv_usec = 0 };
	event_base_loopexit(w->base, &grace);
}

static int open_sockets(struct net_worker *w, const struct conf *conf, const char **err_addr)
{
	size_t n = conf->server.n_listen;
	w->udp = calloc(n, sizeof(*w->udp));
	w->tcp = calloc(n, sizeof(*w->tcp));
	if (w->udp == NULL || w->tcp == NULL)
		return NIM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct conf_listen *l = &conf->server.listen[i];
		struct net_udp_socket *u = &w->udp[w->n_udp];
		struct net_tcp_listener *t = &w->tcp[w->n_tcp];
		u->worker = w;
		u->fd = -1;
		u->send_fd = -1;
		u->listen = l;
		t->fd = -1;
		u->family = l->addr.ss_family;
		u->has_pktinfo = net_listen_is_wildcard(l);
		int ret = net_socket_udp(l, &u->fd);
		if (ret != NIM_OK)
			goto fail;
		u->send_fd = u->fd;
		w->n_udp++;
		t->worker = w;
		ret = net_socket_tcp(l, &t->fd);
		if (ret != NIM_OK)
			goto fail;
		w->n_tcp++;
		u->ev = event_new(w->base, u->fd, EV_READ | EV_PERSIST, net_udp_on_readable, u);
		t->ev = event_new(w->base, t->fd, EV_READ | EV_PERSIST, net_tcp_on_accept, t);
		if (u->ev == NULL || t->ev == NULL)
			return NIM_ENOMEM;
		if (event_add(u->ev, NULL) != 0 || event_add(t->ev, NULL) != 0)
			return NIM_ENOMEM;
		continue;
	fail:
		if (err_addr != NULL)
			*err_addr = l->text;
		return ret;
	}
	return NIM_OK;
}

int net_worker_new(const struct net_worker_params *params, struct net_worker **out,
		   const char **err_addr)
{
	struct net_worker *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NIM_ENOMEM;
	w->index = params->index;
	w->shared = params->shared;
	w->handler = params->handler;
	w->handler_ctx = params->handler_ctx;
	w->on_quiescent = params->on_quiescent;
	w->quiescent_arg = params->quiescent_arg;

	int ret = NIM_ENOMEM;
	w->batch = aligned_alloc(64, (sizeof(struct net_udp_batch) + 63) & ~(size_t)63);
	w->tcp_answer = malloc(WIRE_TCP_MAX);
	w->base = event_base_new();
	if (w->batch == NULL || w->tcp_answer == NULL || w->base == NULL)
		goto fail;
	w->ev_wake = event_new(w->base, -1, 0, on_wake, w);
	w->ev_stop = event_new(w->base, -1, 0, on_stop, w);
	if (w->ev_wake == NULL || w->ev_stop == NULL)
		goto fail;
	ret = open_sockets(w, params->conf, err_addr);
	if (ret != NIM_OK)
		goto fail;
	*out = w;
	return NIM_OK;
fail:
	net_worker_free(w);
	return ret;
}

unsigned net_workers_split_udp_send(struct net_worker *const *workers, unsigned n)
{
	unsigned n_split = 0;
	for (size_t i = 0; n > 0 && i < workers[0]->n_udp; i++) {
		/* The program belongs to the address's group; attach it before senders join. */
		if (net_socket_udp_steer(workers[0]->udp[i].fd, n) != NIM_OK)
			continue;
		for (unsigned k = 0; k < n; k++) {
			struct net_udp_socket *u = &workers[k]->udp[i];
			int fd;
			if (net_socket_udp_sender(u->listen, &fd) == NIM_OK)
				u->send_fd = fd;
		}
		n_split++;
	}
	return n_split;
}

static void *worker_main(void *arg)
{
	struct net_worker *w = arg;
	event_base_dispatch(w->base);
	/* Whatever is still open after the grace time is closed now. */
	net_tcp_close_all(w);
	close_listeners(w);
	return NULL;
}

int net_worker_start(struct net_worker *w)
{
	int ret = pthread_create(&w->thread, NULL, worker_main, w);
	if (ret != 0)
		return -ret;
	w->is_started = true;
	return NIM_OK;
}

void net_worker_wake(struct net_worker *w)
{
	event_active(w->ev_wake, 0, 0);
}

void net_worker_stop(struct net_worker *w)
{
	event_active(w->ev_stop, 0, 0);
}

void net_worker_join(struct net_worker *w)
{
	if (w->is_started) {
		pthread_join(w->thread, NULL);
		w->is_started = false;
	}
}

const struct net_worker_stats *net_worker_stats(const struct net_worker *w)
{
	return &w->stats;
}

void net_worker_free(struct net_worker *w)
{
	if (w == NULL)
		return;
	net_tcp_close_all(w);
	close_listeners(w);
	free(w->udp);
	free(w->tcp);
	if (w->ev_wake != NULL)
		event_free(w->ev_wake);
	if (w->ev_stop != NULL)
		event_free(w->ev_stop);
	if (w->base != NULL)
		event_base_free(w->base);
	free(w->batch);
	free(w->tcp_answer);
	free(w);
}
