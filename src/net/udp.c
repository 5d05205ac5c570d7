/*
 * udp.c - the UDP path: recvmmsg a batch, answer each datagram through the
 * handler straight into the send slots, sendmmsg the batch.
 * No allocation: every buffer lives in the worker's struct net_udp_batch.
 */
#include "net/worker_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/*
 * Sockets bound to a wildcard address reply from the address the query was
 * sent to; otherwise a multi-homed host answers from the wrong address and
 * the client drops the answer.
 */
static socklen_t reply_control(const struct msghdr *rx, uint8_t *ctrl)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(rx); c != NULL; c = CMSG_NXTHDR((struct msghdr *)rx, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo info;
			memcpy(&info, CMSG_DATA(c), sizeof(info));
			info.ipi_spec_dst = info.ipi_addr;
			info.ipi_ifindex = 0;
			struct cmsghdr *out = (struct cmsghdr *)ctrl;
			out->cmsg_level = IPPROTO_IP;
			out->cmsg_type = IP_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof(info));
			memcpy(CMSG_DATA(out), &info, sizeof(info));
			return CMSG_SPACE(sizeof(info));
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct cmsghdr *out = (struct cmsghdr *)ctrl;
			out->cmsg_level = IPPROTO_IPV6;
			out->cmsg_type = IPV6_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
			memcpy(CMSG_DATA(out), CMSG_DATA(c), sizeof(struct in6_pktinfo));
			return CMSG_SPACE(sizeof(struct in6_pktinfo));
		}
	}
	return 0;
}

static void prepare_receive(struct net_udp_batch *b, bool has_pktinfo)
{
	for (int i = 0; i < UDP_BATCH; i++) {
		struct msghdr *h = &b->rx[i].msg_hdr;
		b->rx_iov[i].iov_base = b->rx_buf[i];
		b->rx_iov[i].iov_len = UDP_RX_BUF;
		h->msg_name = &b->peer[i];
		h->msg_namelen = sizeof(b->peer[i]);
		h->msg_iov = &b->rx_iov[i];
		h->msg_iovlen = 1;
		h->msg_control = has_pktinfo ? b->rx_ctrl[i] : NULL;
		h->msg_controllen = has_pktinfo ? UDP_CTRL_BUF : 0;
		h->msg_flags = 0;
	}
}

static void send_batch(struct net_worker *w, int fd, int n_tx)
{
	struct net_udp_batch *b = w->batch;
	int sent = 0;
	while (sent < n_tx) {
		int r = sendmmsg(fd, &b->tx[sent], (unsigned)(n_tx - sent), 0);
		if (r > 0) {
			sent += r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* The send buffer is full: drop rather than stall every other client. */
			w->stats.udp_send_errors += (uint64_t)(n_tx - sent);
			break;
		}
		/* This one datagram failed (e.g. unreachable peer); go on with the rest. */
		w->stats.udp_send_errors++;
		sent++;
	}
	w->stats.udp_sent += (uint64_t)sent;
}

/* Answers one received batch; returns the number of answers queued in tx. */
static int answer_batch(struct net_worker *w, const struct net_udp_socket *s, int n_rx)
{
	struct net_udp_batch *b = w->batch;
	int n_tx = 0;
	for (int i = 0; i < n_rx; i++) {
		const struct msghdr *rh = &b->rx[i].msg_hdr;
		if (rh->msg_flags & MSG_TRUNC) {
			w->stats.udp_dropped++;
			continue;
		}
		struct net_query q = {
			.data = b->rx_buf[i],
			.len = b->rx[i].msg_len,
			.peer = (const struct sockaddr *)&b->peer[i],
			.peer_len = rh->msg_namelen,
			.is_tcp = false,
		};
		size_t len = w->handler(w->handler_ctx, &q, b->tx_buf[n_tx], UDP_TX_BUF);
		if (len == 0) {
			w->stats.udp_dropped++;
			continue;
		}
		struct msghdr *th = &b->tx[n_tx].msg_hdr;
		b->tx_iov[n_tx].iov_base = b->tx_buf[n_tx];
		b->tx_iov[n_tx].iov_len = len;
		th->msg_name = &b->peer[i];
		th->msg_namelen = rh->msg_namelen;
		th->msg_iov = &b->tx_iov[n_tx];
		th->msg_iovlen = 1;
		th->msg_flags = 0;
		th->msg_control = NULL;
		th->msg_controllen = 0;
		if (s->has_pktinfo) {
			socklen_t clen = reply_control(rh, b->tx_ctrl[n_tx]);
			if (clen > 0) {
				th->msg_control = b->tx_ctrl[n_tx];
				th->msg_controllen = clen;
			}
		}
		n_tx++;
	}
	return n_tx;
}

void net_udp_on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct net_udp_socket *s = arg;
	struct net_worker *w = s->worker;
	for (int round = 0; round < UDP_ROUNDS; round++) {
		prepare_receive(w->batch, s->has_pktinfo);
		int n_rx = recvmmsg(fd, w->batch->rx, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n_rx < 0 && errno == EINTR)
			continue;
		if (n_rx <= 0)
			break;
		w->stats.udp_received += (uint64_t)n_rx;
		int n_tx = answer_batch(w, s, n_rx);
		if (n_tx > 0)
			send_batch(w, s->send_fd, n_tx);
		if (n_rx < UDP_BATCH)
			break;
	}
}
