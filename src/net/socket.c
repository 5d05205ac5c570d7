#include "net/socket.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for bursts: one worker drains its socket in batches between other events. */
#define UDP_RCVBUF (4 * 1024 * 1024)
#define UDP_SNDBUF (4 * 1024 * 1024)
#define TCP_BACKLOG 1024
#define TCP_FASTOPEN_QUEUE 256

bool net_listen_is_wildcard(const struct conf_listen *where)
{
	if (where->addr.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&where->addr;
		return sin->sin_addr.s_addr == htonl(INADDR_ANY);
	}
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&where->addr;
	return memcmp(&sin6->sin6_addr, &in6addr_any, sizeof(in6addr_any)) == 0;
}

static int set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) == 0 ? NIM_OK : -errno;
}

static int open_bound(const struct conf_listen *where, int type, int *out)
{
	int family = where->addr.ss_family;
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int ret = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (ret == NIM_OK)
		ret = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	/* An IPv6 socket serves IPv6 only; IPv4 has its own listen entry. */
	if (ret == NIM_OK && family == AF_INET6)
		ret = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	if (ret == NIM_OK && bind(fd, (const struct sockaddr *)&where->addr, where->addr_len) != 0)
		ret = -errno;
	if (ret != NIM_OK) {
		close(fd);
		return ret;
	}
	*out = fd;
	return NIM_OK;
}

int net_socket_udp(const struct conf_listen *where, int *out)
{
	int fd;
	int ret = open_bound(where, SOCK_DGRAM, &fd);
	if (ret != NIM_OK)
		return ret;
	/* Best effort: a smaller buffer only drops more under overload. */
	(void)set_int(fd, SOL_SOCKET, SO_RCVBUF, UDP_RCVBUF);
	(void)set_int(fd, SOL_SOCKET, SO_SNDBUF, UDP_SNDBUF);
	if (where->addr.ss_family == AF_INET) {
		/* Never set DF: a path MTU problem must not lose the answer (RFC 8085 §3.2). */
		(void)set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_OMIT);
		if (net_listen_is_wildcard(where))
			ret = set_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
	} else {
		(void)set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IP_PMTUDISC_OMIT);
		/* Fragment at the minimum MTU rather than lose large answers (RFC 8200 §5). */
#ifdef IPV6_USE_MIN_MTU
		(void)set_int(fd, IPPROTO_IPV6, IPV6_USE_MIN_MTU, 1);
#endif
		if (net_listen_is_wildcard(where))
			ret = set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	}
	if (ret != NIM_OK) {
		close(fd);
		return ret;
	}
	*out = fd;
	return NIM_OK;
}

int net_socket_udp_steer(int fd, unsigned n_receivers)
{
	/* A = random(); A %= n_receivers; return A (an index into the group). */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_RANDOM)),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n_receivers),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)) != 0)
		return -errno;
	return NIM_OK;
}

int net_socket_udp_sender(const struct conf_listen *where, int *out)
{
	int fd;
	int ret = open_bound(where, SOCK_DGRAM, &fd);
	if (ret != NIM_OK)
		return ret;
	(void)set_int(fd, SOL_SOCKET, SO_SNDBUF, UDP_SNDBUF);
	/* Nothing should arrive here; if something does, keep the queue tiny. */
	(void)set_int(fd, SOL_SOCKET, SO_RCVBUF, 1);
	if (where->addr.ss_family == AF_INET)
		(void)set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_OMIT);
	else
		(void)set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IP_PMTUDISC_OMIT);
	*out = fd;
	return NIM_OK;
}

int net_socket_tcp(const struct conf_listen *where, int *out)
{
	int fd;
	int ret = open_bound(where, SOCK_STREAM, &fd);
	if (ret != NIM_OK)
		return ret;
	(void)set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	(void)set_int(fd, IPPROTO_TCP, TCP_FASTOPEN, TCP_FASTOPEN_QUEUE);
	if (listen(fd, TCP_BACKLOG) != 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*out = fd;
	return NIM_OK;
}
