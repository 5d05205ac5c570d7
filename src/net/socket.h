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

/*
 * Makes the kernel hand the datagrams of where's SO_REUSEPORT group (which
 * fd belongs to) only to the first n_receivers sockets that joined it, at
 * random. Sockets that join later are send-only. NIM_OK or -errno (for
 * instance on kernels without SO_ATTACH_REUSEPORT_CBPF).
 */
int net_socket_udp_steer(int fd, unsigned n_receivers);

/*
 * Opens a UDP socket bound like net_socket_udp but meant only for sending:
 * see net_workers_split_udp_send. NIM_OK and *fd, or -errno.
 */
int net_socket_udp_sender(const struct conf_listen *where, int *fd);

/* The same for a listening TCP socket. */
int net_socket_tcp(const struct conf_listen *where, int *fd);

#endif
