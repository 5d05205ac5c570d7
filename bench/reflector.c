/*
 * reflector.c - the smallest useful DNS "server": a ceiling for one core.
 *
 * usage: reflector ADDRESS PORT
 *
 * One thread and one UDP socket. It receives a batch with recvmmsg(), turns
 * every packet of at least 12 octets (a DNS header) into a REFUSED answer in
 * place by setting QR and RCODE=5, leaving ID, opcode, flags, counts and the
 * rest of the message as they were, and sends the batch back with sendmmsg().
 * Shorter packets are dropped. Nothing is parsed, allocated or logged per
 * packet, so the queries per second it sustains on one core is what the
 * kernel's UDP path costs on this machine: the bound nimbusd's REFUSED path
 * is measured against (bench/run-refused.sh).
 *
 * It runs until SIGINT or SIGTERM and then prints how many packets it
 * answered. It is a benchmark tool, not a server: it does not check that a
 * packet is a query, so never point two reflectors at each other.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#endif
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Packets per system call: 64 amortises the syscall cost well without
 * holding packets back noticeably at low rates (MSG_WAITFORONE returns as
 * soon as one packet is there). */
#define BATCH 64
/* Large enough for any EDNS UDP query a load generator sends. */
#define PKT_CAP 4096
#define DNS_HEADER_LEN 12
#define RCODE_REFUSED 5

static volatile sig_atomic_t is_stopping;

static void on_signal(int sig)
{
	(void)sig;
	is_stopping = 1;
}

/* Opens a UDP socket bound to address:port; returns it, or -1 after printing why. */
static int open_socket(const char *address, const char *port)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
	};
	struct addrinfo *ai = NULL;
	int ret = getaddrinfo(address, port, &hints, &ai);
	if (ret != 0) {
		fprintf(stderr, "reflector: '%s' port '%s': %s\n", address, port,
			gai_strerror(ret));
		return -1;
	}
	int fd = socket(ai->ai_family, ai->ai_socktype, 0);
	if (fd < 0) {
		perror("reflector: socket");
		freeaddrinfo(ai);
		return -1;
	}
	/* Bursts of a whole load generator's window arrive at once; a bigger
	 * receive buffer keeps them from being dropped before we read them.
	 * The kernel caps the value at net.core.rmem_max, which is fine. */
	int buf_len = 4 << 20;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf_len, sizeof(buf_len));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf_len, sizeof(buf_len));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		fprintf(stderr, "reflector: bind '%s' port '%s': %s\n", address, port,
			strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* Rewrites each received packet into its answer and compacts the batch so
 * that short packets, which are dropped, leave no hole for sendmmsg. */
static unsigned make_answers(struct mmsghdr *msgs, unsigned n_msgs)
{
	unsigned n_out = 0;
	for (unsigned i = 0; i < n_msgs; i++) {
		if (msgs[i].msg_len < DNS_HEADER_LEN)
			continue;
		uint8_t *pkt = msgs[i].msg_hdr.msg_iov->iov_base;
		pkt[2] |= 0x80;                             /* QR */
		pkt[3] = (uint8_t)((pkt[3] & 0xf0) | RCODE_REFUSED); /* RA, Z, AD, CD kept */
		msgs[i].msg_hdr.msg_iov->iov_len = msgs[i].msg_len;
		if (n_out != i) {
			struct mmsghdr tmp = msgs[n_out];
			msgs[n_out] = msgs[i];
			msgs[i] = tmp;
		}
		n_out++;
	}
	return n_out;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: reflector ADDRESS PORT\n");
		return 2;
	}
	int fd = open_socket(argv[1], argv[2]);
	if (fd < 0)
		return 1;

	/* No SA_RESTART: the signal must interrupt the blocking recvmmsg(). */
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	static uint8_t bufs[BATCH][PKT_CAP];
	static struct iovec iovs[BATCH];
	static struct sockaddr_storage peers[BATCH];
	static struct mmsghdr msgs[BATCH];
	for (unsigned i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &peers[i];
	}

	fprintf(stderr, "reflector: ready: answering on '%s' port '%s'\n", argv[1], argv[2]);
	unsigned long long n_answered = 0;
	while (!is_stopping) {
		/* The kernel rewrites these on receive; reset what it may shrink. */
		for (unsigned i = 0; i < BATCH; i++) {
			iovs[i].iov_len = PKT_CAP;
			msgs[i].msg_hdr.msg_namelen = sizeof(peers[i]);
		}
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("reflector: recvmmsg");
			break;
		}
		unsigned n_out = make_answers(msgs, (unsigned)n);
		unsigned n_sent = 0;
		while (n_sent < n_out) {
			int m = sendmmsg(fd, msgs + n_sent, n_out - n_sent, 0);
			if (m < 0) {
				/* A full socket buffer or an unreachable peer costs
				 * the rest of this batch, as it would any server. */
				break;
			}
			n_sent += (unsigned)m;
		}
		n_answered += n_sent;
	}
	fprintf(stderr, "reflector: answered %llu packets\n", n_answered);
	close(fd);
	return 0;
}
