/*
 * tcp.c - DNS over TCP (RFC 1035 §4.2.2, RFC 7766): accept under a global
 * client limit, read length-prefixed queries, answer every complete one at
 * once (pipelining), queue the answers and write them as the client takes
 * them. A client that stops reading its answers stops being read (its
 * queries wait in its socket buffer) and is closed when the idle timeout
 * passes; nothing it does blocks the worker's other clients or UDP.
 */
#include "net/worker_internal.h"
#include "util/error.h"
#include "wire/msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define IN_INITIAL_CAP 1024
#define OUT_INITIAL_CAP 4096
/* Stop reading queries while this many answer octets wait to be sent. */
#define OUT_HIGH_WATER (128 * 1024)
/* Read at most this much from one client per callback, for fairness. */
#define READ_BUDGET (64 * 1024)
#define ACCEPT_BUDGET 64

struct net_tcp_conn {
	struct net_worker *w;
	int fd;
	struct event *ev_read;
	struct event *ev_write;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	uint8_t *in;
	size_t in_len;
	size_t in_cap;
	uint8_t *out;
	size_t out_len;
	size_t out_sent;
	size_t out_cap;
	bool is_reading;
	bool is_closing; /* no more queries: close once the answers are out */
	struct net_tcp_conn *prev;
	struct net_tcp_conn *next;
};

static struct timeval idle_timeout(const struct net_worker *w)
{
	const struct conf *conf = atomic_load_explicit(w->shared->conf, memory_order_acquire);
	uint32_t ms = conf->server.tcp_idle_timeout_ms;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	return tv;
}

static void conn_close(struct net_tcp_conn *c)
{
	struct net_worker *w = c->w;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	event_free(c->ev_read);
	event_free(c->ev_write);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
	w->n_conns--;
	atomic_fetch_sub_explicit(&w->shared->n_tcp_clients, 1, memory_order_relaxed);
	if (w->is_stopping && w->n_conns == 0)
		event_base_loopbreak(w->base);
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return NIM_OK;
	size_t new_cap = *cap;
	while (new_cap < need)
		new_cap *= 2;
	uint8_t *p = realloc(*buf, new_cap);
	if (p == NULL)
		return NIM_ENOMEM;
	*buf = p;
	*cap = new_cap;
	return NIM_OK;
}

static void set_reading(struct net_tcp_conn *c, bool on)
{
	if (on == c->is_reading)
		return;
	c->is_reading = on;
	if (on) {
		struct timeval tv = idle_timeout(c->w);
		event_add(c->ev_read, &tv);
	} else {
		event_del(c->ev_read);
	}
}

/*
 * Writes what the client will take now; waits for writability (under the
 * idle timeout) for the rest. Returns false when the connection was closed.
 */
static bool flush(struct net_tcp_conn *c)
{
	while (c->out_sent < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct timeval tv = idle_timeout(c->w);
			event_add(c->ev_write, &tv);
			return true;
		}
		conn_close(c);
		return false;
	}
	c->out_len = 0;
	c->out_sent = 0;
	event_del(c->ev_write);
	return true;
}

static bool has_complete_query(const struct net_tcp_conn *c)
{
	return c->in_len >= 2 && c->in_len - 2 >= (((size_t)c->in[0] << 8) | c->in[1]);
}

/* Answers every complete query in the input buffer, while the output has room. */
static int answer_queries(struct net_tcp_conn *c)
{
	struct net_worker *w = c->w;
	size_t pos = 0;
	while (c->in_len - pos >= 2 && c->out_len - c->out_sent < OUT_HIGH_WATER) {
		size_t msg_len = ((size_t)c->in[pos] << 8) | c->in[pos + 1];
		if (c->in_len - pos - 2 < msg_len)
			break;
		struct net_query q = {
			.data = c->in + pos + 2,
			.len = msg_len,
			.peer = (const struct sockaddr *)&c->peer,
			.peer_len = c->peer_len,
			.is_tcp = true,
		};
		pos += 2 + msg_len;
		w->stats.tcp_received++;
		size_t ans_len = w->handler(w->handler_ctx, &q, w->tcp_answer, WIRE_TCP_MAX);
		if (ans_len == 0)
			continue;
		if (grow(&c->out, &c->out_cap, c->out_len + 2 + ans_len) != NIM_OK)
			return NIM_ENOMEM;
		c->out[c->out_len] = (uint8_t)(ans_len >> 8);
		c->out[c->out_len + 1] = (uint8_t)ans_len;
		memcpy(c->out + c->out_len + 2, w->tcp_answer, ans_len);
		c->out_len += 2 + ans_len;
		w->stats.tcp_sent++;
	}
	if (pos > 0) {
		memmove(c->in, c->in + pos, c->in_len - pos);
		c->in_len -= pos;
	}
	return NIM_OK;
}

/* Reads what is there (up to the budget). Returns 0 on EOF, -1 on error, 1 otherwise. */
static int read_input(struct net_tcp_conn *c)
{
	size_t budget = READ_BUDGET;
	while (budget > 0) {
		/* Make room for the whole message whose length prefix we have. */
		size_t need = c->in_len + 512;
		if (c->in_len >= 2) {
			size_t frame = 2 + (((size_t)c->in[0] << 8) | c->in[1]);
			if (frame > need)
				need = frame;
		}
		if (grow(&c->in, &c->in_cap, need) != NIM_OK)
			return -1;
		size_t room = c->in_cap - c->in_len;
		if (room > budget)
			room = budget;
		ssize_t n = recv(c->fd, c->in + c->in_len, room, 0);
		if (n > 0) {
			c->in_len += (size_t)n;
			budget -= (size_t)n;
			continue;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 1;
		return -1;
	}
	return 1;
}

/* Answers what is complete, sends what the client takes, and decides whether to read on. */
static void process(struct net_tcp_conn *c)
{
	for (;;) {
		if (answer_queries(c) != NIM_OK) {
			conn_close(c);
			return;
		}
		if (!flush(c))
			return;
		if (c->out_len > c->out_sent) {
			/* Backpressure: a client that does not take its answers is not read. */
			if (c->out_len - c->out_sent >= OUT_HIGH_WATER)
				set_reading(c, false);
			return;
		}
		if (!has_complete_query(c))
			break;
	}
	if (c->is_closing) {
		conn_close(c);
		return;
	}
	set_reading(c, true);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct net_tcp_conn *c = arg;
	if (what & EV_TIMEOUT) {
		/* RFC 7766 §6.2.3: idle connections are closed by the server. */
		conn_close(c);
		return;
	}
	int r = read_input(c);
	if (r < 0) {
		conn_close(c);
		return;
	}
	if (r == 0) {
		/* The client half-closed: answer what is complete, then close. */
		c->is_closing = true;
		set_reading(c, false);
	}
	process(c);
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	struct net_tcp_conn *c = arg;
	if (what & EV_TIMEOUT) {
		/* The client stopped taking its answers for a whole idle timeout. */
		conn_close(c);
		return;
	}
	if (!flush(c))
		return;
	if (c->out_len == c->out_sent)
		process(c);
}

static void conn_open(struct net_worker *w, int fd, const struct sockaddr_storage *peer,
		      socklen_t peer_len)
{
	struct net_tcp_conn *c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto fail;
	c->w = w;
	c->fd = fd;
	c->peer = *peer;
	c->peer_len = peer_len;
	c->in_cap = IN_INITIAL_CAP;
	c->out_cap = OUT_INITIAL_CAP;
	c->in = malloc(c->in_cap);
	c->out = malloc(c->out_cap);
	c->ev_read = event_new(w->base, fd, EV_READ | EV_PERSIST, on_readable, c);
	c->ev_write = event_new(w->base, fd, EV_WRITE | EV_PERSIST, on_writable, c);
	if (c->in == NULL || c->out == NULL || c->ev_read == NULL || c->ev_write == NULL)
		goto fail;
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	w->n_conns++;
	w->stats.tcp_accepted++;
	set_reading(c, true);
	return;
fail:
	if (c != NULL) {
		if (c->ev_read != NULL)
			event_free(c->ev_read);
		if (c->ev_write != NULL)
			event_free(c->ev_write);
		free(c->in);
		free(c->out);
		free(c);
	}
	close(fd);
	atomic_fetch_sub_explicit(&w->shared->n_tcp_clients, 1, memory_order_relaxed);
}

void net_tcp_on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct net_tcp_listener *l = arg;
	struct net_worker *w = l->worker;
	for (int i = 0; i < ACCEPT_BUDGET; i++) {
		struct sockaddr_storage peer;
		socklen_t peer_len = sizeof(peer);
		int fd = accept4(lfd, (struct sockaddr *)&peer, &peer_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) && log_ratelimit_pass(&w->log_limit, 1))
				log_warning("tcp accept failed: %s", strerror(errno));
			return;
		}
		const struct conf *conf = atomic_load_explicit(w->shared->conf, memory_order_acquire);
		uint32_t limit = conf->server.tcp_max_clients;
		uint32_t now = atomic_fetch_add_explicit(&w->shared->n_tcp_clients, 1,
							 memory_order_relaxed);
		if (now >= limit) {
			/* Over the limit: close at once, so the client retries elsewhere or later. */
			atomic_fetch_sub_explicit(&w->shared->n_tcp_clients, 1, memory_order_relaxed);
			w->stats.tcp_refused++;
			close(fd);
			continue;
		}
		conn_open(w, fd, &peer, peer_len);
	}
}

void net_tcp_drain_all(struct net_worker *w)
{
	struct net_tcp_conn *c = w->conns;
	while (c != NULL) {
		struct net_tcp_conn *next = c->next;
		c->is_closing = true;
		set_reading(c, false);
		if (c->out_len == c->out_sent)
			conn_close(c);
		c = next;
	}
}

void net_tcp_close_all(struct net_worker *w)
{
	while (w->conns != NULL)
		conn_close(w->conns);
}
