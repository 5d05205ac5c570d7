/*
 * socket.h - opening the listening sockets.
 *
 * Purpose: one UDP and one TCP socket per listen address per worker, all
 * bound with SO_REUSEPORT so that the kernel spreads queries over the
 * workers and no socket is shared between threads. Sockets bound to a
 * wildcard address ask for the destination address of each datagram
 * (IP_PKTINFO / IPV6_RECVPKTINFO) so that answers leave from the address
 * the query went to.
 * Threads: called by the main thread before workers start. Allocates nothing.
 */
#ifndef NIM_NET_SOCKET_H
#define NIM_NET_SOCKET_H

#include <stdbool.h>

#include "conf/conf.h"

/* True for 0.0.0.0 and ::, which need per-datagram destination addresses. */
bool net_listen_is_wildcard(const struct conf_listen *where);

/*
 * Opens, configures and binds a non-blocking UDP socket for listen.
 * Returns NIM_OK and *fd, or -errno.
 */
int net_socket_udp(const struct conf_listen *where, int *fd);

/* The same for a listening TCP socket. */
int net_socket_tcp(const struct conf_listen *where, int *fd);

#endif
