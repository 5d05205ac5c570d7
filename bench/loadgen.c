/*
 * loadgen.c - a small batching DNS load generator over UDP.
 *
 * Why it exists: dnsperf sends and receives one packet per system call and
 * saturates its own core at about 190k queries per second on our benchmark
 * machine, while bench/reflector answers about 330k on the other core. A
 * generator slower than the server measures the generator. This one moves
 * packets with sendmmsg()/recvmmsg() in batches, builds every query once at
 * start-up, and sends each from its template without copying (the ID goes in
 * its own iovec), so one core drives well past the reflector's ceiling.
 *
 * Model (like dnsperf -q): at most -q queries are outstanding, split evenly
 * over -c connected sockets; an answer frees its slot and the slot is
 * refilled at once, so the rate is set by the server, not by a target QPS.
 * Answers are matched by socket and ID and checked against the question that
 * was sent. A query unanswered after -t seconds counts as lost. After -l
 * seconds no more queries are sent; the ones in flight get up to -t seconds
 * to arrive, so the program always ends by itself within -l + -t seconds.
 *
 * Input is dnsperf's query-file format: one "NAME TYPE" per line, blank lines
 * and lines starting with '#' ignored; the file is sent round-robin.
 *
 * Output: a human summary, then one last line of key=value pairs for scripts.
 * Latencies are from just before the sendmmsg() of a query's batch to just
 * after the recvmmsg() that returned its answer, so they include batching.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#endif
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKETS 64
#define MAX_BATCH 256
#define MAX_OUTSTANDING 65535 /* below one socket's ID space, so an ID is always free */
#define RECV_CAP 4096         /* answers to our queries are small; larger is truncated */
#define DNS_HEADER_LEN 12
#define NAME_CAP 255
#define EDNS_UDP_SIZE 4096 /* what dnsperf -e advertises, so both send the same bytes */
#define NO_SLOT UINT32_MAX

/* Latency histogram: exact below 128 ns, then 128 buckets per power of two,
 * so any percentile is within 0.8% of the true value at fixed memory. */
#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_N ((64 - HIST_SUB_BITS + 1) << HIST_SUB_BITS)

struct options {
	const char *server;
	const char *port;
	const char *query_file;
	unsigned n_sockets;
	unsigned max_outstanding;
	unsigned batch;
	double duration_s;
	double timeout_s;
	bool has_edns;
	bool has_do;
};

/* Every query of the file, encoded once with ID 0. */
struct query_set {
	uint8_t *wire;     /* all templates, back to back */
	size_t wire_len;
	size_t wire_cap;
	uint32_t *off;     /* template i starts at wire + off[i] */
	uint16_t *msg_len; /* whole message */
	uint16_t *qd_len;  /* question section: name, type, class */
	size_t n;
	size_t cap;
};

/* One outstanding query. In flight, slots form a list in send order, so the
 * oldest (the next to time out) is always at the head. */
struct slot {
	uint64_t sent_ns;
	uint32_t query;
	uint32_t prev;
	uint32_t next;
	uint16_t sock;
	uint8_t id_wire[2]; /* the iovec sendmmsg() reads the ID from */
};

struct sock {
	int fd;
	unsigned n_outstanding;
	unsigned max_outstanding;
	uint16_t next_id;
	bool is_blocked; /* last send hit a full buffer; retry after a short wait */
	uint32_t *id_slot; /* [65536]: slot of the query in flight with this ID, or NO_SLOT */
};

struct stats {
	uint64_t n_sent;
	uint64_t n_answered;
	uint64_t n_lost;
	uint64_t n_unexpected; /* no query in flight with that ID, or another question */
	uint64_t n_send_errors;
	uint64_t n_recv_errors;
	uint64_t n_send_calls;
	uint64_t n_recv_calls;
	uint64_t rcodes[16];
	uint64_t hist[HIST_N];
};

struct gen {
	struct options opt;
	struct query_set qs;
	struct sock socks[MAX_SOCKETS];
	struct slot *slots; /* opt.max_outstanding + 1; the last is the list head */
	uint32_t *free_slots;
	uint32_t n_free;
	uint32_t head; /* index of the list sentinel */
	size_t next_query;
	uint64_t timeout_ns;
	struct stats st;
	/* Scratch for one system call's batch, reused by every socket. */
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iovs[MAX_BATCH][2];
	uint32_t batch_slots[MAX_BATCH];
	uint8_t recv_bufs[MAX_BATCH][RECV_CAP];
};

static volatile sig_atomic_t is_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	is_interrupted = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- query file ---------------------------------------------------------- */

struct type_name {
	const char *name;
	uint16_t value;
};

static const struct type_name type_names[] = {
	{"A", 1},        {"NS", 2},      {"CNAME", 5},   {"SOA", 6},     {"PTR", 12},
	{"HINFO", 13},   {"MX", 15},     {"TXT", 16},    {"AAAA", 28},   {"LOC", 29},
	{"SRV", 33},     {"NAPTR", 35},  {"DS", 43},     {"SSHFP", 44},  {"RRSIG", 46},
	{"NSEC", 47},    {"DNSKEY", 48}, {"NSEC3", 50},  {"NSEC3PARAM", 51},
	{"TLSA", 52},    {"CDS", 59},    {"CDNSKEY", 60}, {"SVCB", 64},  {"HTTPS", 65},
	{"SPF", 99},     {"ANY", 255},   {"CAA", 257},
};

/* Parses a type mnemonic or RFC 3597 "TYPEnnn"; false if unknown. */
static bool parse_type(const char *s, uint16_t *out)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (strcasecmp(s, type_names[i].name) == 0) {
			*out = type_names[i].value;
			return true;
		}
	}
	if (strncasecmp(s, "TYPE", 4) == 0 && s[4] >= '0' && s[4] <= '9') {
		char *end;
		unsigned long v = strtoul(s + 4, &end, 10);
		if (*end == '\0' && v <= 65535) {
			*out = (uint16_t)v;
			return true;
		}
	}
	return false;
}

/* Encodes a presentation-format name (with \X and \DDD escapes, trailing dot
 * optional) into wire format; returns its length, or 0 if it is invalid. */
static size_t encode_name(const char *s, uint8_t out[NAME_CAP])
{
	size_t len = 0;      /* octets written, including length octets */
	size_t label_at = 0; /* where the current label's length octet is */
	if (strcmp(s, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	len = 1;
	while (*s != '\0') {
		unsigned c = (unsigned char)*s++;
		if (c == '.') {
			size_t label_len = len - label_at - 1;
			if (label_len == 0)
				return 0; /* empty label */
			out[label_at] = (uint8_t)label_len;
			label_at = len++;
			if (*s == '\0')
				break; /* trailing dot: the root label comes next */
			if (len > NAME_CAP)
				return 0;
			continue;
		}
		if (c == '\\') {
			if (s[0] >= '0' && s[0] <= '9') {
				if (!(s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'))
					return 0;
				c = (unsigned)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
				if (c > 255)
					return 0;
				s += 3;
			} else if (*s != '\0') {
				c = (unsigned char)*s++;
			} else {
				return 0;
			}
		}
		if (len - label_at - 1 >= 63 || len >= NAME_CAP)
			return 0;
		out[len++] = (uint8_t)c;
	}
	if (len > label_at + 1) { /* close the last label if the name had no trailing dot */
		out[label_at] = (uint8_t)(len - label_at - 1);
		label_at = len;
	}
	if (label_at >= NAME_CAP)
		return 0;
	out[label_at] = 0;
	return label_at + 1;
}

static bool qs_reserve(struct query_set *qs, size_t msg_cap)
{
	if (qs->n == qs->cap) {
		size_t cap = qs->cap ? qs->cap * 2 : 1024;
		uint32_t *off = realloc(qs->off, cap * sizeof(*off));
		if (off == NULL)
			return false;
		qs->off = off;
		uint16_t *ml = realloc(qs->msg_len, cap * sizeof(*ml));
		if (ml == NULL)
			return false;
		qs->msg_len = ml;
		uint16_t *ql = realloc(qs->qd_len, cap * sizeof(*ql));
		if (ql == NULL)
			return false;
		qs->qd_len = ql;
		qs->cap = cap;
	}
	if (qs->wire_cap - qs->wire_len < msg_cap) {
		size_t cap = qs->wire_cap ? qs->wire_cap * 2 : 65536;
		uint8_t *wire = realloc(qs->wire, cap);
		if (wire == NULL)
			return false;
		qs->wire = wire;
		qs->wire_cap = cap;
	}
	return qs->wire_len <= UINT32_MAX - msg_cap;
}

/* Appends the query for name/type; RD is set and EDNS added as dnsperf does. */
static bool qs_add(struct query_set *qs, const struct options *opt, const uint8_t *name,
		   size_t name_len, uint16_t type)
{
	if (!qs_reserve(qs, DNS_HEADER_LEN + NAME_CAP + 4 + 11))
		return false;
	uint8_t *p = qs->wire + qs->wire_len;
	uint8_t *start = p;
	const uint8_t header[DNS_HEADER_LEN] = {
		0, 0,                       /* ID, set per send */
		0x01, 0,                    /* RD */
		0, 1,                       /* QDCOUNT */
		0, 0, 0, 0,                 /* ANCOUNT, NSCOUNT */
		0, opt->has_edns ? 1 : 0,   /* ARCOUNT */
	};
	memcpy(p, header, sizeof(header));
	p += sizeof(header);
	memcpy(p, name, name_len);
	p += name_len;
	*p++ = (uint8_t)(type >> 8);
	*p++ = (uint8_t)type;
	*p++ = 0;
	*p++ = 1; /* class IN */
	if (opt->has_edns) {
		/* RFC 6891 §6.1.2: root owner, type OPT, class = UDP size,
		 * TTL = extended RCODE, version 0, flags (DO is the top bit). */
		const uint8_t edns[11] = {
			0, 0, 41, EDNS_UDP_SIZE >> 8, EDNS_UDP_SIZE & 0xff,
			0, 0, opt->has_do ? 0x80 : 0, 0, 0, 0,
		};
		memcpy(p, edns, sizeof(edns));
		p += sizeof(edns);
	}
	qs->off[qs->n] = (uint32_t)qs->wire_len;
	qs->msg_len[qs->n] = (uint16_t)(p - start);
	qs->qd_len[qs->n] = (uint16_t)(name_len + 4);
	qs->n++;
	qs->wire_len += (size_t)(p - start);
	return true;
}

/* Reads the whole query file; bad lines are reported and skipped, as in dnsperf. */
static int load_queries(struct query_set *qs, const struct options *opt)
{
	FILE *f = strcmp(opt->query_file, "-") == 0 ? stdin : fopen(opt->query_file, "r");
	if (f == NULL) {
		fprintf(stderr, "loadgen: '%s': %s\n", opt->query_file, strerror(errno));
		return -1;
	}
	char line[1024];
	unsigned long line_no = 0;
	unsigned n_bad = 0;
	int ret = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line_no++;
		char *save = NULL;
		char *name = strtok_r(line, " \t\r\n", &save);
		if (name == NULL || name[0] == '#')
			continue;
		char *type_s = strtok_r(NULL, " \t\r\n", &save);
		uint8_t wire[NAME_CAP];
		size_t name_len = encode_name(name, wire);
		uint16_t type = 0;
		if (type_s == NULL || name_len == 0 || !parse_type(type_s, &type)) {
			if (n_bad++ < 10)
				fprintf(stderr, "loadgen: %s:%lu: expected 'NAME TYPE', skipped\n",
					opt->query_file, line_no);
			continue;
		}
		if (!qs_add(qs, opt, wire, name_len, type)) {
			fprintf(stderr, "loadgen: out of memory reading '%s'\n", opt->query_file);
			ret = -1;
			break;
		}
	}
	if (ret == 0 && ferror(f)) {
		fprintf(stderr, "loadgen: '%s': read error\n", opt->query_file);
		ret = -1;
	}
	if (f != stdin)
		fclose(f);
	if (ret == 0 && qs->n == 0) {
		fprintf(stderr, "loadgen: '%s' holds no queries\n", opt->query_file);
		ret = -1;
	}
	return ret;
}

/* ---- sockets and slots --------------------------------------------------- */

static int open_sockets(struct gen *g)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *ai = NULL;
	int ret = getaddrinfo(g->opt.server, g->opt.port, &hints, &ai);
	if (ret != 0) {
		fprintf(stderr, "loadgen: server '%s' port '%s': %s\n", g->opt.server,
			g->opt.port, gai_strerror(ret));
		return -1;
	}
	unsigned per_sock = g->opt.max_outstanding / g->opt.n_sockets;
	unsigned extra = g->opt.max_outstanding % g->opt.n_sockets;
	ret = 0;
	for (unsigned i = 0; i < g->opt.n_sockets; i++) {
		struct sock *s = &g->socks[i];
		s->max_outstanding = per_sock + (i < extra ? 1 : 0);
		s->id_slot = malloc(65536 * sizeof(*s->id_slot));
		s->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (s->id_slot == NULL || s->fd < 0) {
			fprintf(stderr, "loadgen: socket: %s\n", strerror(errno));
			ret = -1;
			break;
		}
		memset(s->id_slot, 0xff, 65536 * sizeof(*s->id_slot)); /* all NO_SLOT */
		/* A window's worth of answers can arrive between two reads. */
		int buf_len = 1 << 20;
		(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &buf_len, sizeof(buf_len));
		(void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &buf_len, sizeof(buf_len));
		/* Connected: the kernel filters other sources and we pass no address. */
		if (connect(s->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			fprintf(stderr, "loadgen: connect: %s\n", strerror(errno));
			ret = -1;
			break;
		}
		s->next_id = (uint16_t)(i * 7919u); /* differ per socket, for packet dumps */
	}
	freeaddrinfo(ai);
	return ret;
}

static int init_slots(struct gen *g)
{
	uint32_t n = g->opt.max_outstanding;
	g->slots = calloc(n + 1, sizeof(*g->slots));
	g->free_slots = malloc(n * sizeof(*g->free_slots));
	if (g->slots == NULL || g->free_slots == NULL)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		g->free_slots[i] = n - 1 - i;
	g->n_free = n;
	g->head = n;
	g->slots[n].prev = g->slots[n].next = n;
	return 0;
}

static void list_append(struct gen *g, uint32_t i)
{
	struct slot *h = &g->slots[g->head];
	g->slots[i].prev = h->prev;
	g->slots[i].next = g->head;
	g->slots[h->prev].next = i;
	h->prev = i;
}

/* Forgets an in-flight query: unlinks it and gives back its slot and ID. */
static void slot_release(struct gen *g, uint32_t i)
{
	struct slot *sl = &g->slots[i];
	g->slots[sl->prev].next = sl->next;
	g->slots[sl->next].prev = sl->prev;
	struct sock *s = &g->socks[sl->sock];
	s->id_slot[(sl->id_wire[0] << 8) | sl->id_wire[1]] = NO_SLOT;
	s->n_outstanding--;
	g->free_slots[g->n_free++] = i;
}

static void hist_add(uint64_t *hist, uint64_t v)
{
	if (v < HIST_SUB) {
		hist[v]++;
		return;
	}
	unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= HIST_SUB_BITS */
	unsigned shift = e - HIST_SUB_BITS;
	hist[((e - HIST_SUB_BITS + 1) << HIST_SUB_BITS) + (unsigned)((v >> shift) - HIST_SUB)]++;
}

/* The middle of bucket i, in nanoseconds. */
static double hist_value(unsigned i)
{
	if (i < HIST_SUB)
		return i;
	unsigned shift = (i >> HIST_SUB_BITS) - 1;
	uint64_t mantissa = HIST_SUB + (i & (HIST_SUB - 1));
	return (double)(mantissa << shift) + (double)(1ull << shift) / 2.0;
}

/* The latency below which a fraction p of answers fell, in microseconds. */
static double hist_percentile(const uint64_t *hist, uint64_t n, double p)
{
	if (n == 0)
		return 0;
	double exact_rank = p * (double)n;
	uint64_t rank = (uint64_t)exact_rank;
	if ((double)rank < exact_rank)
		rank++; /* ceil without libm */
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_N; i++) {
		seen += hist[i];
		if (seen >= rank)
			return hist_value(i) / 1000.0;
	}
	return hist_value(HIST_N - 1) / 1000.0;
}

/* ---- the send and receive paths ------------------------------------------ */

/* Fills socket si's window with one sendmmsg() batch. */
static void send_batch(struct gen *g, unsigned si)
{
	struct sock *s = &g->socks[si];
	unsigned n = s->max_outstanding - s->n_outstanding;
	if (n > g->opt.batch)
		n = g->opt.batch;
	if (n == 0)
		return;
	for (unsigned k = 0; k < n; k++) {
		uint32_t i = g->free_slots[--g->n_free];
		struct slot *sl = &g->slots[i];
		while (s->id_slot[s->next_id] != NO_SLOT)
			s->next_id++; /* terminates: fewer than 65536 in flight */
		uint16_t id = s->next_id++;
		s->id_slot[id] = i;
		s->n_outstanding++;
		sl->sock = (uint16_t)si;
		sl->id_wire[0] = (uint8_t)(id >> 8);
		sl->id_wire[1] = (uint8_t)id;
		sl->query = (uint32_t)g->next_query;
		if (++g->next_query == g->qs.n)
			g->next_query = 0;
		const uint8_t *tmpl = g->qs.wire + g->qs.off[sl->query];
		g->iovs[k][0] = (struct iovec){.iov_base = sl->id_wire, .iov_len = 2};
		g->iovs[k][1] = (struct iovec){.iov_base = (void *)(tmpl + 2),
					       .iov_len = g->qs.msg_len[sl->query] - 2u};
		g->msgs[k].msg_hdr = (struct msghdr){.msg_iov = g->iovs[k], .msg_iovlen = 2};
		g->batch_slots[k] = i;
	}
	uint64_t t = now_ns();
	int m = sendmmsg(s->fd, g->msgs, n, MSG_DONTWAIT);
	g->st.n_send_calls++;
	if (m < 0) {
		if (errno == EAGAIN || errno == ENOBUFS)
			s->is_blocked = true;
		else
			g->st.n_send_errors++; /* e.g. ECONNREFUSED: nobody listening */
		m = 0;
	} else if ((unsigned)m < n) {
		s->is_blocked = true;
	}
	for (unsigned k = 0; k < n; k++) {
		uint32_t i = g->batch_slots[k];
		if (k < (unsigned)m) {
			g->slots[i].sent_ns = t;
			list_append(g, i);
		} else {
			/* Not sent: give back its ID and slot. */
			s->id_slot[(g->slots[i].id_wire[0] << 8) | g->slots[i].id_wire[1]] =
				NO_SLOT;
			s->n_outstanding--;
			g->free_slots[g->n_free++] = i;
		}
	}
	g->st.n_sent += (unsigned)m;
}

/* Matches one answer to its query; false if it answers nothing we asked. */
static bool match_answer(struct gen *g, struct sock *s, const uint8_t *pkt, size_t len,
			 uint64_t t)
{
	if (len < DNS_HEADER_LEN || !(pkt[2] & 0x80))
		return false;
	uint32_t i = s->id_slot[(pkt[0] << 8) | pkt[1]];
	if (i == NO_SLOT)
		return false; /* late: already counted as lost */
	struct slot *sl = &g->slots[i];
	const uint8_t *tmpl = g->qs.wire + g->qs.off[sl->query];
	size_t qd_len = g->qs.qd_len[sl->query];
	/* An answer need not echo the question (a bare FORMERR may not); if it
	 * does, it must be ours, or a stale ID was reused. */
	bool has_question = pkt[4] != 0 || pkt[5] != 0;
	if (has_question && (len < DNS_HEADER_LEN + qd_len ||
			     memcmp(pkt + DNS_HEADER_LEN, tmpl + DNS_HEADER_LEN, qd_len) != 0))
		return false;
	hist_add(g->st.hist, t - sl->sent_ns);
	g->st.rcodes[pkt[3] & 0x0f]++;
	g->st.n_answered++;
	slot_release(g, i);
	return true;
}

/* Reads what socket si has, a batch at a time, a bounded number of times so
 * that one busy socket cannot starve the others. */
static void recv_batches(struct gen *g, unsigned si)
{
	struct sock *s = &g->socks[si];
	for (unsigned round = 0; round < 4; round++) {
		for (unsigned k = 0; k < g->opt.batch; k++) {
			g->iovs[k][0] = (struct iovec){.iov_base = g->recv_bufs[k],
						       .iov_len = RECV_CAP};
			g->msgs[k].msg_hdr = (struct msghdr){.msg_iov = g->iovs[k],
							     .msg_iovlen = 1};
		}
		int n = recvmmsg(s->fd, g->msgs, g->opt.batch, MSG_DONTWAIT, NULL);
		g->st.n_recv_calls++;
		if (n < 0) {
			if (errno != EAGAIN)
				g->st.n_recv_errors++;
			return;
		}
		uint64_t t = now_ns();
		for (int k = 0; k < n; k++) {
			if (!match_answer(g, s, g->recv_bufs[k], g->msgs[k].msg_len, t))
				g->st.n_unexpected++;
		}
		if ((unsigned)n < g->opt.batch)
			return;
	}
}

/* Counts every query older than the timeout as lost. */
static void expire(struct gen *g, uint64_t t)
{
	while (g->slots[g->head].next != g->head) {
		uint32_t i = g->slots[g->head].next;
		if (t - g->slots[i].sent_ns < g->timeout_ns)
			return;
		g->st.n_lost++;
		slot_release(g, i);
	}
}

/* Milliseconds epoll may sleep: until the oldest query times out or the
 * sending phase ends, and only briefly if a socket's buffer was full. */
static int wait_ms(struct gen *g, uint64_t t, uint64_t end_ns, bool is_sending)
{
	uint64_t deadline = UINT64_MAX;
	uint32_t oldest = g->slots[g->head].next;
	if (oldest != g->head)
		deadline = g->slots[oldest].sent_ns + g->timeout_ns;
	if (is_sending && end_ns < deadline)
		deadline = end_ns;
	if (deadline == UINT64_MAX)
		return 0;
	if (deadline <= t)
		return 0;
	uint64_t ms = (deadline - t + 999999) / 1000000;
	for (unsigned i = 0; is_sending && i < g->opt.n_sockets; i++) {
		if (g->socks[i].is_blocked)
			ms = 1;
	}
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* The main loop; returns the length of the sending phase in nanoseconds. */
static uint64_t run(struct gen *g, int ep)
{
	uint64_t start = now_ns();
	uint64_t end = start + (uint64_t)(g->opt.duration_s * 1e9);
	uint64_t send_end = 0;
	struct epoll_event events[MAX_SOCKETS];
	for (;;) {
		uint64_t t = now_ns();
		bool is_sending = send_end == 0;
		if (is_sending && (t >= end || is_interrupted)) {
			send_end = t;
			is_sending = false;
		}
		expire(g, t);
		if (!is_sending && (g->slots[g->head].next == g->head || is_interrupted))
			break;
		for (unsigned i = 0; is_sending && i < g->opt.n_sockets; i++) {
			g->socks[i].is_blocked = false;
			send_batch(g, i);
		}
		int n = epoll_wait(ep, events, MAX_SOCKETS, wait_ms(g, now_ns(), end, is_sending));
		for (int k = 0; k < n; k++)
			recv_batches(g, events[k].data.u32);
	}
	/* Interrupted: whatever is still in flight will never be matched. */
	while (g->slots[g->head].next != g->head) {
		g->st.n_lost++;
		slot_release(g, g->slots[g->head].next);
	}
	return send_end - start;
}

/* ---- main ---------------------------------------------------------------- */

static const char *const rcode_names[16] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
	"YXRRSET", "NXRRSET", "NOTAUTH",  "NOTZONE", "RCODE11", "RCODE12", "RCODE13",
	"RCODE14", "RCODE15",
};

static void report(const struct gen *g, uint64_t elapsed_ns)
{
	const struct stats *st = &g->st;
	double secs = (double)elapsed_ns / 1e9;
	double qps = secs > 0 ? (double)st->n_answered / secs : 0;
	double p50 = hist_percentile(st->hist, st->n_answered, 0.50);
	double p90 = hist_percentile(st->hist, st->n_answered, 0.90);
	double p99 = hist_percentile(st->hist, st->n_answered, 0.99);
	double p999 = hist_percentile(st->hist, st->n_answered, 0.999);
	double lost_pct = st->n_sent ? 100.0 * (double)st->n_lost / (double)st->n_sent : 0;
	printf("loadgen: server %s port %s, %u sockets, %u outstanding, batch %u, %.1f s%s\n",
	       g->opt.server, g->opt.port, g->opt.n_sockets, g->opt.max_outstanding,
	       g->opt.batch, secs, is_interrupted ? " (interrupted)" : "");
	printf("  queries per second  %.1f\n", qps);
	printf("  sent                %llu\n", (unsigned long long)st->n_sent);
	printf("  answered            %llu\n", (unsigned long long)st->n_answered);
	printf("  lost                %llu (%.3f%%)\n", (unsigned long long)st->n_lost, lost_pct);
	printf("  unexpected answers  %llu\n", (unsigned long long)st->n_unexpected);
	printf("  errors              send %llu, receive %llu\n",
	       (unsigned long long)st->n_send_errors, (unsigned long long)st->n_recv_errors);
	printf("  packets per call    send %.1f, receive %.1f\n",
	       st->n_send_calls ? (double)st->n_sent / (double)st->n_send_calls : 0.0,
	       st->n_recv_calls ? (double)(st->n_answered + st->n_unexpected) /
					  (double)st->n_recv_calls
				: 0.0);
	printf("  latency (us)        p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f\n", p50, p90, p99,
	       p999);
	printf("  rcodes             ");
	for (unsigned i = 0; i < 16; i++) {
		if (st->rcodes[i] != 0)
			printf(" %s %llu", rcode_names[i], (unsigned long long)st->rcodes[i]);
	}
	printf("\n");
	printf("qps=%.1f sent=%llu answered=%llu lost=%llu unexpected=%llu elapsed_s=%.3f "
	       "p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f refused=%llu noerror=%llu\n",
	       qps, (unsigned long long)st->n_sent, (unsigned long long)st->n_answered,
	       (unsigned long long)st->n_lost, (unsigned long long)st->n_unexpected, secs, p50,
	       p90, p99, p999, (unsigned long long)st->rcodes[5],
	       (unsigned long long)st->rcodes[0]);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: loadgen -d FILE [-s ADDRESS] [-p PORT] [-c SOCKETS] [-q OUTSTANDING]\n"
		"               [-l SECONDS] [-t SECONDS] [-b BATCH] [-e] [-D]\n"
		"\n"
		"  -d FILE     queries, one 'NAME TYPE' per line (dnsperf format); '-' = stdin\n"
		"  -s ADDRESS  server address (default 127.0.0.1)\n"
		"  -p PORT     server port (default 53)\n"
		"  -c N        sockets (default 4, at most %d)\n"
		"  -q N        queries outstanding at most, over all sockets (default 200)\n"
		"  -l SECONDS  how long to send (default 10)\n"
		"  -t SECONDS  after this a query counts as lost (default 1)\n"
		"  -b N        packets per system call at most (default 32, at most %d)\n"
		"  -e          send no EDNS OPT record\n"
		"  -D          set the DO bit\n",
		MAX_SOCKETS, MAX_BATCH);
}

/* Parses an unsigned option in [lo, hi]; false if it is not one. */
static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static bool parse_secs(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || !(v > 0) || v > 86400)
		return false;
	*out = v;
	return true;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	*opt = (struct options){
		.server = "127.0.0.1",
		.port = "53",
		.n_sockets = 4,
		.max_outstanding = 200,
		.batch = 32,
		.duration_s = 10,
		.timeout_s = 1,
		.has_edns = true,
	};
	int c;
	bool is_ok = true;
	while (is_ok && (c = getopt(argc, argv, "d:s:p:c:q:l:t:b:eDh")) != -1) {
		switch (c) {
		case 'd': opt->query_file = optarg; break;
		case 's': opt->server = optarg; break;
		case 'p': opt->port = optarg; break;
		case 'c': is_ok = parse_uint(optarg, 1, MAX_SOCKETS, &opt->n_sockets); break;
		case 'q': is_ok = parse_uint(optarg, 1, MAX_OUTSTANDING, &opt->max_outstanding); break;
		case 'b': is_ok = parse_uint(optarg, 1, MAX_BATCH, &opt->batch); break;
		case 'l': is_ok = parse_secs(optarg, &opt->duration_s); break;
		case 't': is_ok = parse_secs(optarg, &opt->timeout_s); break;
		case 'e': opt->has_edns = false; break;
		case 'D': opt->has_do = true; break;
		case 'h': usage(stdout); exit(0);
		default: is_ok = false; break;
		}
		if (!is_ok && c != '?')
			fprintf(stderr, "loadgen: bad value '%s' for -%c\n", optarg, c);
	}
	if (is_ok && opt->query_file == NULL) {
		fprintf(stderr, "loadgen: -d FILE is required\n");
		is_ok = false;
	}
	if (is_ok && optind != argc) {
		fprintf(stderr, "loadgen: unexpected argument '%s'\n", argv[optind]);
		is_ok = false;
	}
	if (is_ok && opt->has_do && !opt->has_edns) {
		fprintf(stderr, "loadgen: -D needs EDNS; drop -e\n");
		is_ok = false;
	}
	if (is_ok && opt->max_outstanding < opt->n_sockets)
		opt->n_sockets = opt->max_outstanding; /* every socket gets at least one */
	if (!is_ok) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct gen g; /* large (receive buffers): not on the stack */
	if (parse_options(argc, argv, &g.opt) != 0)
		return 2;
	g.timeout_ns = (uint64_t)(g.opt.timeout_s * 1e9);
	if (load_queries(&g.qs, &g.opt) != 0)
		return 1;
	if (init_slots(&g) != 0) {
		fprintf(stderr, "loadgen: out of memory\n");
		return 1;
	}
	if (open_sockets(&g) != 0)
		return 1;
	int ep = epoll_create1(0);
	if (ep < 0) {
		perror("loadgen: epoll_create1");
		return 1;
	}
	for (unsigned i = 0; i < g.opt.n_sockets; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, g.socks[i].fd, &ev) != 0) {
			perror("loadgen: epoll_ctl");
			return 1;
		}
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	uint64_t elapsed = run(&g, ep);
	report(&g, elapsed);
	/* Process exit closes the sockets and frees the memory. */
	return 0;
}
